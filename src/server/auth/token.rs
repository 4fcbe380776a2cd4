//! Logins and their tokens (CONTRACT.md, "Tokens").
//!
//! A *login* is one successful authentication: an API login owns a chain of access/refresh
//! pairs, a browser login is held by one session. Revoking the login ends all of it at once.
//! Tokens are 256 random bits; only their SHA-256 hashes are stored.
//!
//! Refresh rotates the pair. Presenting a pair that was already rotated is a replay (someone
//! kept an old token), so the whole login is revoked. Two refreshes racing on the same live pair
//! are not a replay: the conditional update lets exactly one win and the other is told the pair
//! was already refreshed, without revoking the winner's new pair. The one allowance: a refresh
//! that *arrived* (as the outermost layer saw it) no later than [`RACE_ALLOWANCE_US`] after the
//! rotation is that same race — a busy server can take a while to get to a request sent at the
//! same moment. Any presentation arriving later is a replay. (Across app servers this compares
//! their clocks: keep them synchronised.)

use crate::server::{
    clock::{now_ms, now_us},
    db::{Db, Sql, Tx},
    error::{codes, ApiError, Result},
    request,
    secret::{random_hex, token_hash},
};

/// Who a login belongs to. The numbers are stored in `auth_logins.principal_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Member = 1,
    Dealer = 2,
    HeavyBuyer = 3,
    OrgUser = 4,
    /// The platform operator's administrator (`/api`, seed 003's A*).
    PlatformAdmin = 5,
    /// An end user of a vendor (`/api`, seed 003's C).
    EndUser = 6,
    /// A service engineer of a vendor or a dealer (the mobile site, `/api`).
    Engineer = 7,
}

impl PrincipalKind {
    /// The kind's name in logs.
    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Dealer => "dealer",
            Self::HeavyBuyer => "heavy_buyer",
            Self::OrgUser => "org_user",
            Self::PlatformAdmin => "platform_admin",
            Self::EndUser => "end_user",
            Self::Engineer => "engineer",
        }
    }

    pub fn from_i64(n: i64) -> Option<Self> {
        Some(match n {
            1 => Self::Member,
            2 => Self::Dealer,
            3 => Self::HeavyBuyer,
            4 => Self::OrgUser,
            5 => Self::PlatformAdmin,
            6 => Self::EndUser,
            7 => Self::Engineer,
            _ => return None,
        })
    }
}

/// How the login is used: API tokens or a browser session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    Web,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Web => "web",
        }
    }
}

/// A fresh access/refresh pair as the API answers it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expire_in: u64,
}

/// The login an access token or a session stands for.
#[derive(Debug, Clone)]
pub struct LoginRef {
    pub login_id: String,
    pub kind: PrincipalKind,
    pub principal_id: i64,
}

/// How long after a rotation a refresh of the same pair may arrive and still count as a race.
pub const RACE_ALLOWANCE_US: i64 = 250_000;

const LIVE: i64 = 0;
const REFRESHED: i64 = 1;

/// Records a new login for a principal and answers its id.
pub async fn start_login(db: &Db, kind: PrincipalKind, principal_id: i64, channel: Channel) -> Result<String> {
    let id = random_hex(16);
    db.execute(
        &Sql::new(
            "INSERT INTO auth_logins (id, principal_kind, principal_id, channel, create_time) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.clone())
        .bind(kind as i64)
        .bind(principal_id)
        .bind(channel.as_str())
        .bind(now_ms()),
    )
    .await?;
    Ok(id)
}

/// Issues a new pair under a login.
pub async fn issue(tx: &mut Tx, login_id: &str, ttl_secs: u64) -> Result<IssuedTokens> {
    let access = random_hex(32);
    let refresh = random_hex(32);
    let now = now_ms();
    tx.execute(
        &Sql::new(
            "INSERT INTO auth_tokens (access_hash, refresh_hash, login_id, state, create_time, expire_time) \
             VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(token_hash(&access))
        .bind(token_hash(&refresh))
        .bind(login_id.to_owned())
        .bind(now)
        .bind(now + ttl_secs as i64 * 1000),
    )
    .await?;
    Ok(IssuedTokens { access_token: access, refresh_token: refresh, expire_in: ttl_secs })
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    state: i64,
    expire_time: i64,
    refresh_hash: String,
    refresh_time: Option<i64>,
    login_id: String,
    principal_kind: i64,
    principal_id: i64,
    revoked_time: Option<i64>,
}

async fn find_token(db: &Db, access_token: &str) -> Result<Option<TokenRow>> {
    Ok(db
        .fetch_optional(
            &Sql::new(
                "SELECT t.state, t.expire_time, t.refresh_hash, t.refresh_time, t.login_id, \
                        l.principal_kind, l.principal_id, l.revoked_time \
                 FROM auth_tokens t JOIN auth_logins l ON l.id = t.login_id \
                 WHERE t.access_hash = $1",
            )
            .bind(token_hash(access_token)),
        )
        .await?)
}

fn invalid() -> ApiError {
    ApiError::new(codes::TOKEN_INVALID, "Access-Token invalid")
}

/// Resolves an access token to its login, or the contract's refusal.
pub async fn authenticate(db: &Db, access_token: &str) -> Result<LoginRef> {
    let row = find_token(db, access_token).await?.ok_or_else(invalid)?;
    if row.revoked_time.is_some() || row.state > REFRESHED {
        return Err(invalid().into());
    }
    if row.state == REFRESHED {
        return Err(ApiError::new(codes::TOKEN_REFRESHED, "Access-Token already refreshed").into());
    }
    if row.expire_time <= now_ms() {
        return Err(ApiError::new(codes::TOKEN_EXPIRED, "Access-Token expired").into());
    }
    let kind = PrincipalKind::from_i64(row.principal_kind).ok_or_else(invalid)?;
    Ok(LoginRef { login_id: row.login_id, kind, principal_id: row.principal_id })
}

/// Rotates a pair: the old one stops working at once and a new one is answered. Only a login
/// of one of `kinds` (the endpoint's portal) may refresh there; any other is refused (4031001)
/// before anything else is looked at or changed.
pub async fn refresh(
    db: &Db,
    kinds: &[PrincipalKind],
    access_token: &str,
    refresh_token: &str,
    ttl_secs: u64,
) -> Result<(LoginRef, IssuedTokens)> {
    let arrived = request::arrived_us();
    let row = find_token(db, access_token).await?.ok_or_else(invalid)?;
    let kind = PrincipalKind::from_i64(row.principal_kind).ok_or_else(invalid)?;
    if !kinds.contains(&kind) {
        return Err(ApiError::forbidden().into());
    }
    if row.revoked_time.is_some() || row.state > REFRESHED {
        return Err(invalid().into());
    }
    if row.state == REFRESHED {
        // A rotated pair presented again: somebody holds a copy. End the whole login, unless
        // this request was already under way when the pair was rotated (a concurrent refresh).
        let racing = row.refresh_time.is_some_and(|rotated| arrived < rotated + RACE_ALLOWANCE_US);
        if !racing {
            revoke_login(db, &row.login_id).await?;
        }
        return Err(ApiError::new(codes::TOKEN_REFRESHED, "Access-Token already refreshed").into());
    }
    if row.expire_time <= now_ms() {
        return Err(ApiError::new(codes::TOKEN_EXPIRED, "Access-Token expired, log in again").into());
    }
    if row.refresh_hash != token_hash(refresh_token) {
        if is_rotated_refresh_of(db, refresh_token, &row.login_id).await? {
            revoke_login(db, &row.login_id).await?;
        }
        return Err(ApiError::new(codes::REFRESH_TOKEN_INVALID, "refresh_token invalid").into());
    }

    let mut tx = db.begin().await?;
    let won = tx
        .execute(
            // `refresh_time` in microseconds: the instant a racing refresh is compared with.
            &Sql::new("UPDATE auth_tokens SET state = $1, refresh_time = $2 WHERE access_hash = $3 AND state = $4")
                .bind(REFRESHED)
                .bind(now_us())
                .bind(token_hash(access_token))
                .bind(LIVE),
        )
        .await?;
    if won != 1 {
        // Lost a race with a concurrent refresh of the same pair.
        return Err(ApiError::new(codes::TOKEN_REFRESHED, "Access-Token already refreshed").into());
    }
    let issued = issue(&mut tx, &row.login_id, ttl_secs).await?;
    tx.commit().await?;
    Ok((LoginRef { login_id: row.login_id, kind, principal_id: row.principal_id }, issued))
}

async fn is_rotated_refresh_of(db: &Db, refresh_token: &str, login_id: &str) -> Result<bool> {
    let found: Option<(i64,)> = db
        .fetch_optional(
            &Sql::new("SELECT state FROM auth_tokens WHERE refresh_hash = $1 AND login_id = $2")
                .bind(token_hash(refresh_token))
                .bind(login_id.to_owned()),
        )
        .await?;
    Ok(matches!(found, Some((REFRESHED,))))
}

/// Ends one login (its tokens or its browser session).
pub async fn revoke_login(db: &Db, login_id: &str) -> Result<()> {
    db.execute(
        &Sql::new("UPDATE auth_logins SET revoked_time = $1 WHERE id = $2 AND revoked_time IS NULL")
            .bind(now_ms())
            .bind(login_id.to_owned()),
    )
    .await?;
    Ok(())
}

/// Ends every login of a principal: used when it is disabled, deleted or changes its password.
pub async fn revoke_principal(tx: &mut Tx, kind: PrincipalKind, principal_id: i64) -> Result<()> {
    tx.execute(
        &Sql::new(
            "UPDATE auth_logins SET revoked_time = $1 \
             WHERE principal_kind = $2 AND principal_id = $3 AND revoked_time IS NULL",
        )
        .bind(now_ms())
        .bind(kind as i64)
        .bind(principal_id),
    )
    .await?;
    Ok(())
}

/// A browser session's login, if it is still live.
pub async fn live_login(db: &Db, login_id: &str) -> Result<Option<LoginRef>> {
    let row: Option<(i64, i64)> = db
        .fetch_optional(
            &Sql::new("SELECT principal_kind, principal_id FROM auth_logins WHERE id = $1 AND revoked_time IS NULL")
                .bind(login_id.to_owned()),
        )
        .await?;
    Ok(row.and_then(|(kind, principal_id)| {
        PrincipalKind::from_i64(kind).map(|kind| LoginRef { login_id: login_id.to_owned(), kind, principal_id })
    }))
}
