//! SMS verification codes (OPS-CONTRACT.md "Verification codes"): six digits, valid five
//! minutes, single use, at most five wrong tries; one send per mobile a minute and ten a day.
//!
//! A send is claimed in the database by one conditional update, so two app servers cannot both
//! send inside the minute. The caller says whether to deliver: an answer must never tell
//! whether a mobile is registered, so a code that would be useless (registering a registered
//! mobile, resetting an unknown one) is claimed and counted like any other, and not sent.

use crate::server::{
    clock::now_ms,
    db::{Sql, Tx},
    error::{codes, ApiError, Error, Result},
    providers::sms,
    secret::{random_bytes, token_hash},
    state::Ctx,
};

pub const VALID_MS: i64 = 5 * 60 * 1000;
pub const MAX_TRIES: i64 = 5;
pub const RESEND_MS: i64 = 60 * 1000;
pub const PER_DAY: i64 = 10;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// What a code is for; a code for one purpose never serves another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SignIn,
    Reset,
    /// Moving the user `uid` to the mobile the code is sent to.
    Mobile(String),
}

impl Purpose {
    fn key(&self) -> String {
        match self {
            Purpose::Register => "register".into(),
            Purpose::SignIn => "sign_in".into(),
            Purpose::Reset => "reset".into(),
            Purpose::Mobile(uid) => format!("mobile:{uid}"),
        }
    }
}

fn hash(vid: &str, mobile: &str, code: &str) -> String {
    token_hash(&format!("{vid}:{mobile}:{code}"))
}

/// Where a code goes: the vendor it is for (and whose name signs the message) and its purpose.
pub struct Delivery<'a> {
    pub vid: &'a str,
    pub vendor_name: &'a str,
    pub purpose: Purpose,
}

/// Claims a send for `mobile` (the limits), and, with a [`Delivery`], makes a code, stores it
/// (the vendor's earlier codes for the same purpose end) and sends it. Without one, nothing is
/// sent, and the answer is the same.
pub async fn send(ctx: &Ctx, mobile: &str, delivery: Option<Delivery<'_>>) -> Result<()> {
    let claimed_at = claim_send(ctx, mobile).await?;
    let Some(Delivery { vid, vendor_name, purpose }) = delivery else {
        return Ok(());
    };
    let n = u32::from_le_bytes(random_bytes(4).try_into().expect("four bytes"));
    let code = format!("{:06}", n % 1_000_000);
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new(
            "UPDATE verification_codes SET used_time = $1 \
             WHERE corp_id = $2 AND mobile = $3 AND purpose = $4 AND used_time IS NULL",
        )
        .bind(now)
        .bind(vid.to_owned())
        .bind(mobile.to_owned())
        .bind(purpose.key()),
    )
    .await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO verification_codes (corp_id, mobile, purpose, code_hash, create_time, expire_time) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(vid.to_owned())
            .bind(mobile.to_owned())
            .bind(purpose.key())
            .bind(hash(vid, mobile, &code))
            .bind(now)
            .bind(now + VALID_MS),
        )
        .await?;
    tx.commit().await?;
    let text = format!("【{vendor_name}】您的验证码是{code}，5分钟内有效。Your code is {code}, valid for 5 minutes.");
    let sent = sms::send(&ctx.config.sms, sms::Message { mobile, text, code: &code }).await;
    if sent.is_err() {
        undo_send(ctx, mobile, claimed_at, id).await?;
    }
    sent
}

/// A message the provider did not take: its code is void (the user never saw it) and the send
/// is given back to the mobile's limits, so the user may ask again at once.
async fn undo_send(ctx: &Ctx, mobile: &str, claimed_at: i64, code_id: i64) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    tx.execute(&Sql::new("UPDATE verification_codes SET used_time = $1 WHERE id = $2").bind(now_ms()).bind(code_id))
        .await?;
    tx.execute(
        &Sql::new(
            "UPDATE sms_sends SET last_time = 0, day_count = CASE WHEN day_count > 0 THEN day_count - 1 ELSE 0 END \
             WHERE mobile = $1 AND last_time = $2",
        )
        .bind(mobile.to_owned())
        .bind(claimed_at),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One send a minute and [`PER_DAY`] a UTC day per mobile, whatever the vendor: claimed by one
/// conditional update, which answers the claim's time. Refused: 429 with `Retry-After`.
async fn claim_send(ctx: &Ctx, mobile: &str) -> Result<i64> {
    let now = now_ms();
    let today = now - now.rem_euclid(DAY_MS);
    ctx.db
        .execute(
            &Sql::new(
                "INSERT INTO sms_sends (mobile, last_time, day_start, day_count) VALUES ($1, 0, $2, 0) \
                 ON CONFLICT (mobile) DO NOTHING",
            )
            .bind(mobile.to_owned())
            .bind(today),
        )
        .await?;
    let claimed = ctx
        .db
        .execute(
            &Sql::new(
                "UPDATE sms_sends SET last_time = $1, \
                 day_count = CASE WHEN day_start = $2 THEN day_count + 1 ELSE 1 END, day_start = $2 \
                 WHERE mobile = $3 AND last_time <= $4 AND (day_start <> $2 OR day_count < $5)",
            )
            .bind(now)
            .bind(today)
            .bind(mobile.to_owned())
            .bind(now - RESEND_MS)
            .bind(PER_DAY),
        )
        .await?;
    if claimed == 1 {
        return Ok(now);
    }
    let (last,): (i64,) = ctx
        .db
        .fetch_one(&Sql::new("SELECT last_time FROM sms_sends WHERE mobile = $1").bind(mobile.to_owned()))
        .await?;
    let wait_ms = last + RESEND_MS - now;
    if wait_ms > 0 {
        let err = ApiError::new(codes::CODE_TOO_SOON, "a code was sent to this mobile less than a minute ago");
        return Err(Error::Limited(err, (wait_ms as u64).div_ceil(1000)));
    }
    let err = ApiError::new(codes::CODE_DAILY_LIMIT, "this mobile has had its codes for today");
    Err(Error::Limited(err, ((today + DAY_MS - now) as u64).div_ceil(1000)))
}

/// A code that matched, to be used up in the transaction of the change it allows ([`use_up`]).
#[derive(Debug)]
pub struct Checked(i64);

/// Checks `code` against the live code for `mobile` and `purpose`. A wrong code counts a try
/// (kept even though the request fails); the fifth ends the code. Wrong, expired, used up or
/// never sent all answer the same 4001201.
pub async fn check(ctx: &Ctx, vid: &str, mobile: &str, purpose: &Purpose, code: &str) -> Result<Checked> {
    let wrong = || Error::from(ApiError::new(codes::CODE_WRONG, "code: wrong or expired"));
    let code = code.trim();
    if code.is_empty() {
        return Err(ApiError::missing("code").into());
    }
    let live: Option<(i64, String, i64, i64)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT id, code_hash, expire_time, tries FROM verification_codes \
                 WHERE corp_id = $1 AND mobile = $2 AND purpose = $3 AND used_time IS NULL \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(vid.to_owned())
            .bind(mobile.to_owned())
            .bind(purpose.key()),
        )
        .await?;
    let Some((id, stored, expire_time, tries)) = live else { return Err(wrong()) };
    if expire_time <= now_ms() || tries >= MAX_TRIES {
        return Err(wrong());
    }
    if stored != hash(vid, mobile, code) {
        ctx.db.execute(&Sql::new("UPDATE verification_codes SET tries = tries + 1 WHERE id = $1").bind(id)).await?;
        return Err(wrong());
    }
    Ok(Checked(id))
}

/// Uses up a checked code in `tx`; a code another request used first fails the change (4001201).
pub async fn use_up(tx: &mut Tx, checked: Checked) -> Result<()> {
    let done = tx
        .execute(
            &Sql::new(
                "UPDATE verification_codes SET used_time = $1 \
                 WHERE id = $2 AND used_time IS NULL AND tries < $3 AND expire_time > $1",
            )
            .bind(now_ms())
            .bind(checked.0)
            .bind(MAX_TRIES),
        )
        .await?;
    if done != 1 {
        return Err(ApiError::new(codes::CODE_WRONG, "code: wrong or expired").into());
    }
    Ok(())
}
