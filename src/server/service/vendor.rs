//! Vendors (seed 003 AX-01..08, AX-13): the platform operator registers, edits, disables and
//! deregisters them; a vendor's own admin reads and edits its profile and secrets from the corp
//! portal. A vendor is the corp of `/v2`: registering one creates the corp, its vendor code and
//! its first admin member in one transaction (`backoffice create-corp` comes here too).

use sea_query::{Alias, Expr};

use crate::{
    model::{
        list::Page,
        member::{MemberRole, MemberStatus},
        validate,
        vendor::{
            Area, NewVendor, Storefront, Vendor, VendorAccounts, VendorEdit, VendorOptions, VendorState,
            WechatPayAccounts,
        },
    },
    server::{
        audit::{self, Change},
        auth::{
            password,
            principal::Principal,
            token::{self, PrincipalKind},
        },
        clock::now_ms,
        db::{unique_violation, Sql, Tx},
        error::{codes, ApiError, Error, Result},
        list::{self, ListQuery},
        providers::wechatpay,
        scope::Scope,
        secret::{random_bytes, random_hex, Secret},
        service::member,
        state::Ctx,
    },
};

/// A registered vendor: its id (the corp id), its code and its first admin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registered {
    pub vid: String,
    pub code: String,
    pub member_id: i64,
}

/// What the rules about a vendor read of its row.
#[derive(sqlx::FromRow)]
struct Standing {
    deregister_time: Option<i64>,
    admin_member_id: Option<i64>,
}

/// Every vendor, for the platform's reads (each caller checked `principal.platform()` first).
fn all_vendors() -> Scope {
    Scope::every_vendor()
}

/// AX-01: every vendor, deregistered ones included (with `dereg_tms`). The platform only.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    principal.platform()?;
    list::run(&ctx.db, &Vendor::RESOURCE, query, all_vendors()).await
}

/// AX-03: one vendor, for the platform or for the vendor's own admin (its settings page). A
/// deregistered vendor answers 410; another vendor's reads as missing.
pub async fn get(ctx: &Ctx, principal: &Principal, vid: &str) -> Result<Vendor> {
    let scope = readable(principal, vid)?;
    let vendor = find(ctx, scope, vid).await?;
    if vendor.dereg_tms.is_some() {
        return Err(gone().into());
    }
    Ok(vendor)
}

/// Who may read `vid`: the platform, or an admin member of that vendor.
fn readable(principal: &Principal, vid: &str) -> Result<Scope> {
    match principal {
        Principal::Platform(_) => Ok(all_vendors()),
        Principal::Member(m) if m.corp_id == vid => {
            if !m.is_admin() {
                return Err(ApiError::new(codes::NEEDS_ADMIN, "needs a corp admin").into());
            }
            Ok(Scope::tenant("id", vid.to_owned()))
        }
        Principal::Member(_) => Err(not_found().into()),
        _ => Err(ApiError::forbidden().into()),
    }
}

async fn find(ctx: &Ctx, scope: Scope, vid: &str) -> Result<Vendor> {
    let select = list::select_records(&Vendor::RESOURCE, scope.and(Expr::col(Alias::new("id")).eq(vid.to_owned())));
    ctx.db.fetch_record(&select, &Vendor::RESOURCE).await?.ok_or_else(|| not_found().into())
}

fn not_found() -> ApiError {
    ApiError::new(codes::CORP_NOT_FOUND, "vendor not found")
}

fn gone() -> ApiError {
    ApiError::new(codes::VENDOR_GONE, "this vendor was deregistered")
}

/// AX-02: the platform registers a vendor; answers its id and code.
pub async fn register(ctx: &Ctx, principal: &Principal, input: NewVendor) -> Result<Registered> {
    principal.platform()?;
    create(ctx, Some(principal), input).await
}

/// A vendor's profile fields, checked (shared by registering and editing).
struct Profile {
    name: String,
    abbv: String,
    logo: String,
    domain: String,
    contact: String,
    wechat: String,
    area: String,
    address: String,
    remark: String,
}

fn check_profile(input: &NewVendor) -> Result<Profile, ApiError> {
    Ok(Profile {
        name: validate::text("name", &input.name, 64)?,
        abbv: validate::optional_text("abbv", &input.abbv, 32)?,
        logo: validate::optional_text("logo", &input.logo, 512)?,
        domain: validate::optional_text("domain", &input.domain, 128)?,
        contact: validate::optional_text("contact", &input.contact, 32)?,
        wechat: validate::optional_text("wechat", &input.wechat, 64)?,
        area: validate::optional_text("area", &input.area, 128)?,
        address: validate::optional_text("address", &input.address, 256)?,
        remark: validate::optional_text("remark", &input.remark, 256)?,
    })
}

/// A vendor's account name (`user`): 3–32 letters, digits, `_`, `.` or `-`, kept in lower case.
fn check_user(value: &str) -> Result<Option<String>, ApiError> {
    let v = value.trim().to_lowercase();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = (3..=32).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !ok {
        return Err(ApiError::invalid("user", "3-32 letters, digits, _ . or -"));
    }
    Ok(Some(v))
}

/// The vendor's password, as its client sends it (a client that sends MD5 digests sends 32 hex
/// digits every time): 6–64 characters. It becomes the first admin member's password.
fn check_pwd(field: &str, pwd: &str) -> Result<(), ApiError> {
    if !(6..=64).contains(&pwd.chars().count()) {
        return Err(ApiError::invalid(field, "must be 6-64 characters"));
    }
    Ok(())
}

fn check_secret(field: &str, value: &str) -> Result<String, ApiError> {
    validate::optional_text(field, value, 256)
}

/// Registers a vendor: the corp with its code and profile, its first admin member (from
/// `contact`, `mobile`, `email` and `pwd`), in one transaction. `actor` is the platform's
/// administrator, or `None` from the command line.
pub async fn create(ctx: &Ctx, actor: Option<&Principal>, input: NewVendor) -> Result<Registered> {
    let profile = check_profile(&input)?;
    let user = check_user(&input.user)?;
    let email = validate::email("email", &input.email)?;
    let mobile = validate::phone("mobile", &input.mobile)?;
    check_pwd("pwd", &input.pwd)?;
    let state = match input.state {
        None => VendorState::Active,
        Some(s) => VendorState::from_code(s).ok_or_else(|| ApiError::invalid("state", "must be 0, 1 or 2"))?,
    };
    let key = ctx.seal_key()?;
    let mp_secret = key.seal(&check_secret("mp_secret", &input.mp_secret)?);
    let mch_secret = key.seal(&check_secret("mch_secret", &input.mch_secret)?);
    let (mp_gid, mp_appid) = (
        validate::optional_text("mp_gid", &input.mp_gid, 64)?,
        validate::optional_text("mp_appid", &input.mp_appid, 64)?,
    );
    let (mch_gid, mch_appid) = (
        validate::optional_text("mch_gid", &input.mch_gid, 64)?,
        validate::optional_text("mch_appid", &input.mch_appid, 64)?,
    );
    member::ensure_account_free(ctx, &email, &mobile).await?;
    if let Some(user) = &user {
        ensure_user_free(ctx, user, None).await?;
    }
    let hash = password::hash(&Secret::new(input.pwd.clone())).await?;
    let admin_name: String =
        (if profile.contact.is_empty() { &profile.name } else { &profile.contact }).chars().take(32).collect();

    let vid = random_hex(16);
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let code = fresh_code(&mut tx).await?;
    let inserted = tx
        .execute(
            &Sql::new(
                "INSERT INTO corps (id, company, create_time, vendor_code, username, abbv, logo, domain, contact, \
                 mobile, wechat, email, area, address, remark, mp_gid, mp_appid, mp_secret, mch_gid, mch_appid, \
                 mch_secret, state) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                 $21, $22)",
            )
            .bind(vid.clone())
            .bind(profile.name.clone())
            .bind(now)
            .bind(code.clone())
            .bind(user.clone())
            .bind(profile.abbv)
            .bind(profile.logo)
            .bind(profile.domain)
            .bind(profile.contact)
            .bind(mobile.clone())
            .bind(profile.wechat)
            .bind(email.clone())
            .bind(profile.area)
            .bind(profile.address)
            .bind(profile.remark)
            .bind(mp_gid)
            .bind(mp_appid)
            .bind(mp_secret)
            .bind(mch_gid)
            .bind(mch_appid)
            .bind(mch_secret)
            .bind(state.code()),
        )
        .await;
    match inserted {
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::USERNAME_TAKEN, "user: already taken").into())
        }
        other => other?,
    };
    let member: Result<(i64,), sqlx::Error> = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO members (corp_id, name, phone, email, password_hash, role, status, create_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(vid.clone())
            .bind(admin_name)
            .bind(mobile)
            .bind(email)
            .bind(hash.0)
            .bind(MemberRole::Admin.code())
            .bind(MemberStatus::Active.code())
            .bind(now),
        )
        .await;
    let (member_id,) = match member {
        // Lost a race with another registration of the same phone or email.
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::EMAIL_TAKEN, "email or mobile already registered").into())
        }
        other => other?,
    };
    tx.execute(&Sql::new("UPDATE corps SET admin_member_id = $1 WHERE id = $2").bind(member_id).bind(vid.clone()))
        .await?;
    let change = Change::noted(serde_json::json!({ "name": profile.name, "code": code, "admin": member_id }));
    match actor {
        Some(principal) => {
            audit::record_in(&mut tx, principal, &vid, "vendor.register", "vendor", &vid, change).await?
        }
        None => audit::record_registration(&mut tx, &vid, member_id, change).await?,
    }
    tx.commit().await?;
    Ok(Registered { vid, code, member_id })
}

/// A vendor code no vendor has had: four letters or digits. Codes are never reused, because a
/// deregistered vendor keeps its row.
async fn fresh_code(tx: &mut Tx) -> Result<String> {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for _ in 0..32 {
        let code: String = random_bytes(4).iter().map(|b| ALPHABET[*b as usize % 36] as char).collect();
        let taken: Option<(String,)> =
            tx.fetch_optional(&Sql::new("SELECT id FROM corps WHERE vendor_code = $1").bind(code.clone())).await?;
        if taken.is_none() {
            return Ok(code);
        }
    }
    Err(Error::internal("no free vendor code after 32 tries"))
}

/// Gives a code to every corp made before vendors had codes (at start; idempotent).
pub async fn backfill_codes(ctx: &Ctx) -> Result<()> {
    let missing: Vec<(String,)> = ctx.db.fetch_all(&Sql::new("SELECT id FROM corps WHERE vendor_code IS NULL")).await?;
    for (vid,) in missing {
        let mut tx = ctx.db.begin().await?;
        let code = fresh_code(&mut tx).await?;
        tx.execute(
            &Sql::new("UPDATE corps SET vendor_code = $1 WHERE id = $2 AND vendor_code IS NULL").bind(code).bind(vid),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn ensure_user_free(ctx: &Ctx, user: &str, except: Option<&str>) -> Result<()> {
    let taken: Option<(String,)> =
        ctx.db.fetch_optional(&Sql::new("SELECT id FROM corps WHERE username = $1").bind(user.to_owned())).await?;
    match taken {
        Some((id,)) if Some(id.as_str()) != except => {
            Err(ApiError::new(codes::USERNAME_TAKEN, "user: already taken").into())
        }
        _ => Ok(()),
    }
}

/// The row a change is checked against: 404 for another vendor's, 410 once deregistered. Every
/// change starts here, and the row is written first (a no-op) so that PostgreSQL holds its row
/// lock and SQLite its write lock until commit: two changes to one vendor on two app servers
/// run one after the other, and each audit entry's "before" is what that change replaced.
async fn standing(tx: &mut Tx, vid: &str) -> Result<Standing> {
    let found: Option<Standing> = tx
        .fetch_optional(
            &Sql::new("UPDATE corps SET state = state WHERE id = $1 RETURNING deregister_time, admin_member_id")
                .bind(vid.to_owned()),
        )
        .await?;
    let found = found.ok_or_else(not_found)?;
    if found.deregister_time.is_some() {
        return Err(gone().into());
    }
    Ok(found)
}

/// Who may change `vid`: the platform always; the vendor's own admin only its profile and its
/// accounts (`own_ok`).
fn writable(principal: &Principal, vid: &str, own_ok: bool) -> Result<()> {
    match principal {
        Principal::Platform(_) => Ok(()),
        Principal::Member(m) if m.corp_id == vid && own_ok => {
            if m.is_admin() {
                Ok(())
            } else {
                Err(ApiError::new(codes::NEEDS_ADMIN, "needs a corp admin").into())
            }
        }
        Principal::Member(m) if m.corp_id != vid => Err(not_found().into()),
        _ => Err(ApiError::forbidden().into()),
    }
}

/// AX-04: edits the profile (absent fields stay). The platform may also rename the account
/// (`user`), change the remark and the state; the vendor's own admin its profile only.
pub async fn edit(ctx: &Ctx, principal: &Principal, vid: &str, input: VendorEdit) -> Result<Vendor> {
    writable(principal, vid, true)?;
    let platform = principal.platform().is_ok();
    if !platform && (input.user.is_some() || input.remark.is_some() || input.state.is_some()) {
        return Err(ApiError::forbidden().into());
    }
    let mut sets: Vec<(&'static str, Option<String>)> = vec![
        ("company", input.name.as_deref().map(|v| validate::text("name", v, 64)).transpose()?),
        ("abbv", validate::given_text("abbv", &input.abbv, 32)?),
        ("logo", validate::given_text("logo", &input.logo, 512)?),
        ("domain", validate::given_text("domain", &input.domain, 128)?),
        ("contact", validate::given_text("contact", &input.contact, 32)?),
        ("wechat", validate::given_text("wechat", &input.wechat, 64)?),
        ("email", input.email.as_deref().map(|v| validate::email("email", v)).transpose()?),
        ("area", validate::given_text("area", &input.area, 128)?),
        ("address", validate::given_text("address", &input.address, 256)?),
        ("remark", validate::given_text("remark", &input.remark, 256)?),
    ];
    let user = input.user.as_deref().map(check_user).transpose()?;
    if let Some(Some(user)) = &user {
        ensure_user_free(ctx, user, Some(vid)).await?;
    }
    let state = input
        .state
        .map(|s| VendorState::from_code(s).ok_or_else(|| ApiError::invalid("state", "must be 0, 1 or 2")))
        .transpose()?;
    sets.retain(|(_, v)| v.is_some());

    let mut tx = ctx.db.begin().await?;
    standing(&mut tx, vid).await?;
    let before = find_in(&mut tx, vid).await?;
    write_columns(&mut tx, vid, &sets).await?;
    if let Some(user) = user {
        let done =
            tx.execute(&Sql::new("UPDATE corps SET username = $1 WHERE id = $2").bind(user).bind(vid.to_owned())).await;
        match done {
            Err(e) if unique_violation(&e) => {
                return Err(ApiError::new(codes::USERNAME_TAKEN, "user: already taken").into())
            }
            other => other?,
        };
    }
    if let Some(state) = state {
        tx.execute(&Sql::new("UPDATE corps SET state = $1 WHERE id = $2").bind(state.code()).bind(vid.to_owned()))
            .await?;
        if state == VendorState::Disabled {
            end_every_login(&mut tx, vid).await?;
        }
    }
    let after = find_in(&mut tx, vid).await?;
    audit::record_in(&mut tx, principal, vid, "vendor.edit", "vendor", vid, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Writes each (column, value) of `sets` to the vendor's row; every column is one of its
/// caller's constants, never request text.
async fn write_columns(tx: &mut Tx, vid: &str, sets: &[(&'static str, Option<String>)]) -> Result<()> {
    for (column, value) in sets {
        let sql = Sql::new(format!("UPDATE corps SET {column} = $1 WHERE id = $2"));
        tx.execute(&sql.bind(value.clone()).bind(vid.to_owned())).await?;
    }
    Ok(())
}

async fn find_in(tx: &mut Tx, vid: &str) -> Result<Vendor> {
    let select = list::select_records(&Vendor::RESOURCE, Scope::tenant("id", vid.to_owned()));
    tx.fetch_record(&select, &Vendor::RESOURCE).await?.ok_or_else(|| not_found().into())
}

/// AX-05: the vendor's password (its first admin member's); the member's logins end.
pub async fn set_password(ctx: &Ctx, principal: &Principal, vid: &str, pwd: Secret) -> Result<()> {
    writable(principal, vid, false)?;
    check_pwd("pwd", pwd.expose())?;
    let hash = password::hash(&pwd).await?;
    let mut tx = ctx.db.begin().await?;
    let admin = admin_of(&mut tx, vid).await?;
    tx.execute(&Sql::new("UPDATE members SET password_hash = $1 WHERE id = $2").bind(hash.0).bind(admin)).await?;
    token::revoke_principal(&mut tx, PrincipalKind::Member, admin).await?;
    audit::record_in(&mut tx, principal, vid, "vendor.password", "vendor", vid, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// The vendor's first admin member, which its password and mobile belong to.
async fn admin_of(tx: &mut Tx, vid: &str) -> Result<i64> {
    let standing = standing(tx, vid).await?;
    let admin = standing.admin_member_id.ok_or_else(|| ApiError::invalid("vid", "this vendor has no admin account"))?;
    let exists: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM members WHERE id = $1 AND corp_id = $2").bind(admin).bind(vid.to_owned()),
        )
        .await?;
    exists.map(|(id,)| id).ok_or_else(|| ApiError::invalid("vid", "this vendor's admin account was deleted").into())
}

/// AX-06: the vendor's mobile, which is also its admin's sign-in phone.
pub async fn set_mobile(ctx: &Ctx, principal: &Principal, vid: &str, mobile: &str) -> Result<()> {
    writable(principal, vid, false)?;
    let mobile = validate::phone("mobile", mobile)?;
    let mut tx = ctx.db.begin().await?;
    let admin = admin_of(&mut tx, vid).await?;
    let taken: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM members WHERE phone = $1 AND id <> $2").bind(mobile.clone()).bind(admin),
        )
        .await?;
    if taken.is_some() {
        return Err(ApiError::new(codes::PHONE_TAKEN, "mobile: already registered").into());
    }
    let before: (String,) =
        tx.fetch_one(&Sql::new("SELECT mobile FROM corps WHERE id = $1").bind(vid.to_owned())).await?;
    tx.execute(&Sql::new("UPDATE corps SET mobile = $1 WHERE id = $2").bind(mobile.clone()).bind(vid.to_owned()))
        .await?;
    let done =
        tx.execute(&Sql::new("UPDATE members SET phone = $1 WHERE id = $2").bind(mobile.clone()).bind(admin)).await;
    match done {
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::PHONE_TAKEN, "mobile: already registered").into())
        }
        other => other?,
    };
    let change = Change::noted(serde_json::json!({ "mobile": { "from": before.0, "to": mobile } }));
    audit::record_in(&mut tx, principal, vid, "vendor.mobile", "vendor", vid, change).await?;
    tx.commit().await?;
    Ok(())
}

/// AX-07: the official-account and merchant settings; the secrets are sealed, never read back.
/// The platform, or the vendor's own admin (its settings page).
pub async fn set_accounts(ctx: &Ctx, principal: &Principal, vid: &str, input: VendorAccounts) -> Result<Vendor> {
    set_all_accounts(ctx, principal, vid, input, WechatPayAccounts::default()).await
}

/// AX-07 with the settings WeChat Pay API v3 needs beside them ([`WechatPayAccounts`]): the
/// merchant's private key is sealed like the secrets and never read back; the keys must parse,
/// and with a private key the APIv3 key (`mch_secret`) must be 32 characters.
pub async fn set_all_accounts(
    ctx: &Ctx,
    principal: &Principal,
    vid: &str,
    input: VendorAccounts,
    wxpay: WechatPayAccounts,
) -> Result<Vendor> {
    writable(principal, vid, true)?;
    let key = ctx.seal_key()?;
    let mut sets: Vec<(&'static str, Option<String>)> = vec![
        ("mp_gid", validate::given_text("mp_gid", &input.mp_gid, 64)?),
        ("mp_appid", validate::given_text("mp_appid", &input.mp_appid, 64)?),
        ("mch_gid", validate::given_text("mch_gid", &input.mch_gid, 64)?),
        ("mch_appid", validate::given_text("mch_appid", &input.mch_appid, 64)?),
        ("mch_serial", validate::given_text("mch_serial", &wxpay.mch_serial, 64)?),
        ("wxpay_key_id", validate::given_text("wxpay_key_id", &wxpay.wxpay_key_id, 64)?),
    ];
    let mut replaced = Vec::new();
    for (column, value) in [("mp_secret", &input.mp_secret), ("mch_secret", &input.mch_secret)] {
        if let Some(value) = value {
            sets.push((column, Some(key.seal(&check_secret(column, value)?))));
            replaced.push(column);
        }
    }
    if let Some(pem) = &wxpay.mch_key {
        let pem = check_pem("mch_key", pem, |p| wechatpay::private_key(p).map(|_| ()))?;
        sets.push(("mch_key", Some(key.seal(&pem))));
        replaced.push("mch_key");
    }
    if let Some(pem) = &wxpay.wxpay_key {
        sets.push(("wxpay_key", Some(check_pem("wxpay_key", pem, |p| wechatpay::public_key(p).map(|_| ()))?)));
    }
    sets.retain(|(_, v)| v.is_some());
    let mut tx = ctx.db.begin().await?;
    standing(&mut tx, vid).await?;
    let before = find_in(&mut tx, vid).await?;
    write_columns(&mut tx, vid, &sets).await?;
    let (apiv3_key, mch_key): (String, String) =
        tx.fetch_one(&Sql::new("SELECT mch_secret, mch_key FROM corps WHERE id = $1").bind(vid.to_owned())).await?;
    let apiv3_len = key.open(&apiv3_key).map_or(0, |k| k.len());
    if !mch_key.is_empty() && apiv3_len != 0 && apiv3_len != 32 {
        return Err(ApiError::invalid("mch_secret", "with WeChat Pay API v3 it is the APIv3 key: 32 characters").into());
    }
    let after = find_in(&mut tx, vid).await?;
    // The log says which secrets were replaced, never what they are.
    let mut change = Change::updated(&before, &after)
        .with("replaced", &replaced.iter().map(|c| c.replace("_secret", "")).collect::<Vec<_>>());
    // WeChat Pay's settings are not on the vendor's record: the log names those set (the public
    // ones with their value; the private key only as replaced, above).
    for (fact, value) in [("mch_serial", &wxpay.mch_serial), ("wxpay_key_id", &wxpay.wxpay_key_id)] {
        if let Some(value) = value {
            change = change.with(fact, value.trim());
        }
    }
    if wxpay.wxpay_key.is_some() {
        change = change.with("wxpay_key", "set");
    }
    audit::record_in(&mut tx, principal, vid, "vendor.accounts", "vendor", vid, change).await?;
    tx.commit().await?;
    Ok(after)
}

/// A PEM key as given (trimmed; empty clears it): it must parse.
fn check_pem(field: &str, pem: &str, parses: impl Fn(&str) -> Result<(), String>) -> Result<String, ApiError> {
    let pem = pem.trim();
    if pem.len() > 8192 {
        return Err(ApiError::invalid(field, "at most 8192 characters"));
    }
    if !pem.is_empty() {
        parses(pem).map_err(|why| ApiError::invalid(field, &why))?;
    }
    Ok(pem.to_owned())
}

/// AX-07's settings as they stand, the secrets only as set or not (`GET /api/vendors/{vid}/mxx`);
/// `wechatpay_v3`: the vendor's `weixin` payments go to WeChat Pay (else to the sandbox).
pub async fn accounts(ctx: &Ctx, principal: &Principal, vid: &str) -> Result<serde_json::Value> {
    get(ctx, principal, vid).await?;
    let row: (String, String, String, String, String, String, String, String, String, String) = ctx
        .db
        .fetch_one(
            &Sql::new(
                "SELECT mp_gid, mp_appid, mp_secret, mch_gid, mch_appid, mch_secret, mch_serial, mch_key, \
                 wxpay_key_id, wxpay_key FROM corps WHERE id = $1",
            )
            .bind(vid.to_owned()),
        )
        .await?;
    let (mp_gid, mp_appid, mp_secret, mch_gid, mch_appid, mch_secret, mch_serial, mch_key, wxpay_key_id, wxpay_key) =
        row;
    let v3 = wechatpay_merchant(ctx, vid).await?.is_some();
    Ok(serde_json::json!({
        "mp_gid": mp_gid, "mp_appid": mp_appid, "mp_secret_set": !mp_secret.is_empty(),
        "mch_gid": mch_gid, "mch_appid": mch_appid, "mch_secret_set": !mch_secret.is_empty(),
        "mch_serial": mch_serial, "mch_key_set": !mch_key.is_empty(),
        "wxpay_key_id": wxpay_key_id, "wxpay_key": wxpay_key, "wechatpay_v3": v3,
    }))
}

/// The vendor's WeChat Pay API v3 merchant, when every setting it needs is there; `None`: the
/// vendor pays through the sandbox.
pub async fn wechatpay_merchant(ctx: &Ctx, vid: &str) -> Result<Option<wechatpay::Merchant>> {
    let row: Option<(String, String, String, String, String, String, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT mch_gid, mch_appid, mch_secret, mch_serial, mch_key, wxpay_key_id, wxpay_key \
                 FROM corps WHERE id = $1",
            )
            .bind(vid.to_owned()),
        )
        .await?;
    let Some((mchid, appid, apiv3_key, serial, mch_key, key_id, wxpay_key)) = row else { return Ok(None) };
    if [&mchid, &appid, &apiv3_key, &serial, &mch_key, &key_id, &wxpay_key].iter().any(|v| v.is_empty()) {
        return Ok(None);
    }
    let seal = ctx.seal_key()?;
    let unsealed = |sealed: &str| {
        seal.open(sealed).ok_or_else(|| Error::internal("a vendor's merchant key does not open under SECRETS_KEY"))
    };
    let apiv3_key = Secret::new(unsealed(&apiv3_key)?);
    let mch_key = Secret::new(unsealed(&mch_key)?);
    wechatpay::Merchant::new(&mchid, &appid, apiv3_key, &serial, mch_key.expose(), &key_id, &wxpay_key)
        .map(Some)
        .map_err(|why| Error::internal(format!("vendor {vid}: its WeChat Pay merchant does not load: {why}")))
}

/// The vendors whose WeChat Pay public key has this id (`Wechatpay-Serial`), with their merchants:
/// a notification names its vendor only so (one, unless several share a merchant).
pub async fn wechatpay_merchants_by_key(ctx: &Ctx, key_id: &str) -> Result<Vec<(String, wechatpay::Merchant)>> {
    if key_id.is_empty() {
        return Ok(Vec::new());
    }
    let vids: Vec<(String,)> = ctx
        .db
        .fetch_all(&Sql::new("SELECT id FROM corps WHERE wxpay_key_id = $1 ORDER BY id").bind(key_id.to_owned()))
        .await?;
    let mut found = Vec::new();
    for (vid,) in vids {
        if let Some(merchant) = wechatpay_merchant(ctx, &vid).await? {
            found.push((vid, merchant));
        }
    }
    Ok(found)
}

/// A vendor's sealed secret in clear, for the payment and messaging providers (part 2).
pub async fn secret(ctx: &Ctx, vid: &str, which: VendorSecret) -> Result<String> {
    let column = match which {
        VendorSecret::Mp => "mp_secret",
        VendorSecret::Mch => "mch_secret",
    };
    let (sealed,): (String,) =
        ctx.db.fetch_one(&Sql::new(format!("SELECT {column} FROM corps WHERE id = $1")).bind(vid.to_owned())).await?;
    ctx.seal_key()?
        .open(&sealed)
        .ok_or_else(|| Error::internal(format!("{column} of a vendor does not open under this server's SECRETS_KEY")))
}

/// Which of a vendor's secrets.
#[derive(Debug, Clone, Copy)]
pub enum VendorSecret {
    /// The official account's app secret.
    Mp,
    /// The merchant's key.
    Mch,
}

/// AX-08: which `/api` areas the vendor runs (absent switches stay). The platform only.
pub async fn set_options(ctx: &Ctx, principal: &Principal, vid: &str, input: VendorOptions) -> Result<Vendor> {
    writable(principal, vid, false)?;
    let mut tx = ctx.db.begin().await?;
    standing(&mut tx, vid).await?;
    let before = find_in(&mut tx, vid).await?;
    for (area, value) in [
        (Area::Users, input.users),
        (Area::Mall, input.mall),
        (Area::Orders, input.orders),
        (Area::Tickets, input.tickets),
        (Area::Commission, input.commission),
    ] {
        if let Some(on) = value {
            let sql = format!("UPDATE corps SET {} = $1 WHERE id = $2", area.column());
            tx.execute(&Sql::new(sql).bind(on).bind(vid.to_owned())).await?;
        }
    }
    let after = find_in(&mut tx, vid).await?;
    audit::record_in(&mut tx, principal, vid, "vendor.options", "vendor", vid, Change::updated(&before, &after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// AX-13: deregisters a vendor. Its data stays (orders, devices and accounts name it); nobody of
/// it can sign in any more (members, dealers, heavy buyers and their users, end users: their
/// logins end now), and its record answers 410.
pub async fn deregister(ctx: &Ctx, principal: &Principal, vid: &str) -> Result<()> {
    principal.platform()?;
    let mut tx = ctx.db.begin().await?;
    standing(&mut tx, vid).await?;
    tx.execute(
        &Sql::new("UPDATE corps SET deregister_time = $1 WHERE id = $2 AND deregister_time IS NULL")
            .bind(now_ms())
            .bind(vid.to_owned()),
    )
    .await?;
    end_every_login(&mut tx, vid).await?;
    audit::record_in(&mut tx, principal, vid, "vendor.deregister", "vendor", vid, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the logins of everyone of a vendor: disabling or deregistering it signs them all out.
async fn end_every_login(tx: &mut Tx, vid: &str) -> Result<()> {
    // Each names the vendor as `$3`, after the update's own two arguments.
    let people = [
        (PrincipalKind::Member, "SELECT id FROM members WHERE corp_id = $3"),
        (PrincipalKind::Dealer, "SELECT id FROM dealers WHERE corp_id = $3"),
        (PrincipalKind::HeavyBuyer, "SELECT id FROM heavy_buyers WHERE corp_id = $3"),
        (
            PrincipalKind::OrgUser,
            "SELECT u.id FROM org_users u JOIN heavy_buyers h ON h.id = u.heavy_buyer_id WHERE h.corp_id = $3",
        ),
        (PrincipalKind::EndUser, "SELECT id FROM end_users WHERE corp_id = $3"),
        (PrincipalKind::Engineer, "SELECT id FROM engineers WHERE corp_id = $3"),
    ];
    for (kind, ids) in people {
        let sql = format!(
            "UPDATE auth_logins SET revoked_time = $1 \
             WHERE principal_kind = $2 AND revoked_time IS NULL AND principal_id IN ({ids})"
        );
        tx.execute(&Sql::new(sql).bind(now_ms()).bind(kind as i64).bind(vid.to_owned())).await?;
    }
    Ok(())
}

/// A vendor by its code, as the end users' mobile site shows it (public: a sign-up page names
/// its vendor). A deregistered vendor's code finds nothing.
pub async fn storefront(ctx: &Ctx, code: &str) -> Result<Storefront> {
    let found: Option<(String, String, String, String, i64, bool)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT id, company, abbv, logo, state, opt_users FROM corps \
                 WHERE vendor_code = $1 AND deregister_time IS NULL",
            )
            .bind(code.trim().to_uppercase()),
        )
        .await?;
    let (vid, name, abbv, logo, state, users) = found.ok_or_else(not_found)?;
    Ok(Storefront { vid, name, abbv, logo, open: state == VendorState::Active.code() && users })
}

/// Refuses a sign-in to a vendor that is disabled (4031040) or deregistered (4101001).
pub async fn require_open(ctx: &Ctx, vid: &str) -> Result<()> {
    let found: Option<(i64, Option<i64>)> = ctx
        .db
        .fetch_optional(&Sql::new("SELECT state, deregister_time FROM corps WHERE id = $1").bind(vid.to_owned()))
        .await?;
    match found {
        Some((_, Some(_))) => Err(gone().into()),
        Some((state, None)) if state == VendorState::Disabled.code() => {
            Err(ApiError::new(codes::VENDOR_DISABLED, "this vendor is disabled").into())
        }
        Some(_) => Ok(()),
        None => Err(not_found().into()),
    }
}

/// [`require_area`] for the caller's vendor; the platform operator, above every vendor, passes.
pub async fn require_caller_area(ctx: &Ctx, principal: &Principal, area: Area) -> Result<()> {
    match principal.corp_id() {
        Some(vid) => require_area(ctx, vid, area).await,
        None => Ok(()),
    }
}

/// Refuses what an end user does with a vendor that is not open for business (disabled,
/// inactive, deregistered) or does not run `area` (AX-08).
pub async fn require_area(ctx: &Ctx, vid: &str, area: Area) -> Result<()> {
    let sql = format!("SELECT state, deregister_time, {} FROM corps WHERE id = $1", area.column());
    let found: Option<(i64, Option<i64>, bool)> = ctx.db.fetch_optional(&Sql::new(sql).bind(vid.to_owned())).await?;
    match found {
        None => Err(not_found().into()),
        Some((_, Some(_), _)) => Err(gone().into()),
        Some((state, None, _)) if state != VendorState::Active.code() => {
            Err(ApiError::new(codes::VENDOR_DISABLED, "this vendor is not open for business").into())
        }
        Some((_, None, false)) => Err(ApiError::new(codes::AREA_OFF, "this vendor does not run this service").into()),
        Some(_) => Ok(()),
    }
}
