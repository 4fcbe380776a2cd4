//! Logging in, for every door: `/v2/…_auth` answers tokens, the portals bind a browser session.
//! Both go through here, so the throttle, the lock, the timing and the status rules are the same.

use crate::{
    model::{dealer::PartnerStatus, end_user::EndUserState, member::MemberStatus, vendor::Area},
    server::{
        audit,
        auth::{
            password, throttle,
            token::{self, Channel, IssuedTokens, PrincipalKind},
        },
        clock::now_ms,
        db::Sql,
        error::{codes, ApiError, Result},
        secret::Secret,
        service::vendor,
        state::Ctx,
    },
};

/// Someone who has just logged in: who, in which corp, and the login it started.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub corp_id: String,
    pub principal_id: i64,
    pub login_id: String,
}

/// What a login lookup reads: the account's id, corp, hash and whether it may log in.
#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    corp_id: String,
    password_hash: String,
    status: i64,
}

/// Which accounts a login is for, and how the guard and the audit log name them.
struct Door {
    /// The account table, which keys a found account's failures (`members:id:7`).
    table: &'static str,
    /// The principal kind the audit log names.
    kind: &'static str,
    /// The key an unknown account's failures are counted under (the string typed).
    unknown_key: String,
    /// The heavy buyer an organization user belongs to, for the key account's own log.
    heavy_buyer_id: Option<i64>,
}

/// The shared path of every password login: the address throttle, one lookup, a reserved
/// attempt (the lock), the per-account delay, a password check that takes as long for an
/// unknown account, and the account's status; each sign-in lands in the audit log. `lookup`
/// selects `id, corp_id, password_hash, status`; `active` is the status that may log in.
#[allow(clippy::too_many_arguments)]
async fn password_login(
    ctx: &Ctx,
    door: Door,
    account: &str,
    password: &Secret,
    client: &str,
    lookup: Sql,
    active: i64,
    disabled: ApiError,
) -> Result<Credentials> {
    if account.trim().is_empty() {
        return Err(ApiError::missing("account").into());
    }
    if password.expose().is_empty() {
        return Err(ApiError::missing("password").into());
    }
    use crate::server::metrics::sign_in as counted;
    if let Err(e) = throttle::check_client(&ctx.db, &ctx.config, client).await {
        counted(door.kind, "throttled");
        return Err(e);
    }
    let found: Option<Credentials> = ctx.db.fetch_optional(&lookup).await?;
    let key = match &found {
        Some(c) => throttle::account_key(door.table, c.id),
        None => door.unknown_key.clone(),
    };
    let attempt = match throttle::reserve(&ctx.db, &ctx.config, client, &key).await {
        Ok(a) => a,
        Err(e) => {
            counted(door.kind, "locked");
            return Err(e);
        }
    };
    let wait = throttle::account_delay(&ctx.db, &ctx.config, &attempt).await?;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let matches = password::verify(password, found.as_ref().map(|c| c.password_hash.as_str())).await?;
    let audited = found.as_ref().map(|c| audit::SignInAccount {
        kind: door.kind,
        id: c.id,
        corp_id: &c.corp_id,
        heavy_buyer_id: door.heavy_buyer_id.or((door.kind == "heavy_buyer").then_some(c.id)),
    });
    audit::sign_in(&ctx.db, audited, account, client, matches).await?;
    let account = match found {
        Some(c) if matches => c,
        _ => {
            throttle::failed(&ctx.db, &ctx.config, attempt).await?;
            counted(door.kind, "wrong");
            return Err(ApiError::new(codes::WRONG_PASSWORD, "account or password is wrong").into());
        }
    };
    throttle::succeeded(&ctx.db, attempt).await?;
    // Only someone who knows the password learns that the account is disabled.
    if account.status != active {
        counted(door.kind, "disabled");
        return Err(disabled.into());
    }
    counted(door.kind, "success");
    Ok(account)
}

/// Checks a corp member's account (phone or email) and password and starts a login.
/// Unknown accounts and wrong passwords answer the same (4001007) in the same time.
pub async fn member_login(
    ctx: &Ctx,
    account: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let account = account.trim();
    // A vendor's first admin may also sign in with the vendor's account name (`user`, AX-02).
    let lookup = Sql::new(
        "SELECT id, corp_id, password_hash, status FROM members \
         WHERE email = $1 OR phone = $2 OR id = (SELECT admin_member_id FROM corps WHERE username = $3)",
    )
    .bind(account.to_lowercase())
    .bind(account.to_owned())
    .bind(account.to_lowercase());
    let door = Door {
        table: "members",
        kind: "member",
        unknown_key: throttle::unknown_account_key("member", "", account),
        heavy_buyer_id: None,
    };
    let disabled = ApiError::new(codes::MEMBER_DISABLED, "this member is disabled or not activated");
    let member =
        password_login(ctx, door, account, password, client, lookup, MemberStatus::Active.code(), disabled).await?;
    vendor::require_open(ctx, &member.corp_id).await?;
    ctx.db
        .execute(&Sql::new("UPDATE members SET last_auth_time = $1 WHERE id = $2").bind(now_ms()).bind(member.id))
        .await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::Member, member.id, channel).await?;
    Ok(LoggedIn { corp_id: member.corp_id, principal_id: member.id, login_id })
}

/// The two partner accounts that log in with a corp id and their phone or email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partner {
    Dealer,
    HeavyBuyer,
}

impl Partner {
    /// The account table; a constant, never request text.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Partner::Dealer => "dealers",
            Partner::HeavyBuyer => "heavy_buyers",
        }
    }

    /// The partner's name where records name its kind: the audit log, the entries.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Partner::Dealer => "dealer",
            Partner::HeavyBuyer => "heavy_buyer",
        }
    }

    fn kind(self) -> PrincipalKind {
        match self {
            Partner::Dealer => PrincipalKind::Dealer,
            Partner::HeavyBuyer => PrincipalKind::HeavyBuyer,
        }
    }

    fn disabled(self) -> ApiError {
        match self {
            Partner::Dealer => ApiError::new(codes::DEALER_DISABLED, "this dealer is disabled"),
            Partner::HeavyBuyer => ApiError::new(codes::HEAVY_BUYER_DISABLED, "this heavy buyer is disabled"),
        }
    }
}

/// A dealer or a heavy buyer's own account logs in with its corp's id and its phone or email.
/// The original console sends no corp id: then the account must name one partner across all
/// corps, and one found in several corps is asked for its corp id (4001002).
pub async fn partner_login(
    ctx: &Ctx,
    partner: Partner,
    corp_id: Option<&str>,
    account: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let account = account.trim();
    let corp_id = match corp_id.map(str::trim).filter(|c| !c.is_empty()) {
        Some(corp_id) => corp_id.to_owned(),
        None => sole_corp(ctx, partner, account).await?,
    };
    let corp_id = corp_id.as_str();
    let lookup = Sql::new(format!(
        "SELECT id, corp_id, password_hash, status FROM {} \
         WHERE corp_id = $1 AND (email = $2 OR phone = $3) AND password_hash <> ''",
        partner.table()
    ))
    .bind(corp_id.to_owned())
    .bind(account.to_lowercase())
    .bind(account.to_owned());
    let door = Door {
        table: partner.table(),
        kind: partner.name(),
        unknown_key: throttle::unknown_account_key(partner.table(), corp_id, account),
        heavy_buyer_id: None,
    };
    let found =
        password_login(ctx, door, account, password, client, lookup, PartnerStatus::Enabled.code(), partner.disabled())
            .await?;
    vendor::require_open(ctx, &found.corp_id).await?;
    let login_id = token::start_login(&ctx.db, partner.kind(), found.id, channel).await?;
    Ok(LoggedIn { corp_id: found.corp_id, principal_id: found.id, login_id })
}

/// The one corp whose partners include `account`; an unknown account gets an empty corp id, so
/// it fails (and is throttled) like any unknown account.
async fn sole_corp(ctx: &Ctx, partner: Partner, account: &str) -> Result<String> {
    let corps: Vec<(String,)> = ctx
        .db
        .fetch_all(
            &Sql::new(format!(
                "SELECT DISTINCT corp_id FROM {} WHERE (email = $1 OR phone = $2) AND password_hash <> '' \
                 ORDER BY corp_id LIMIT 2",
                partner.table()
            ))
            .bind(account.to_lowercase())
            .bind(account.to_owned()),
        )
        .await?;
    match corps.as_slice() {
        [] => Ok(String::new()),
        [(corp_id,)] => Ok(corp_id.clone()),
        _ => {
            Err(ApiError::new(codes::MISSING_FIELD, "corp_id: required (this account belongs to several brands)")
                .into())
        }
    }
}

/// An organization user logs in with its heavy buyer's id and its username (case-insensitive).
/// A disabled heavy buyer's users cannot log in (4001118, told only after a right password).
pub async fn org_user_login(
    ctx: &Ctx,
    heavy_buyer_id: i64,
    username: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let username = username.trim();
    if username.is_empty() {
        return Err(ApiError::missing("username").into());
    }
    // The user's own status, unless its heavy buyer is disabled: then the heavy buyer's.
    let lookup = Sql::new(
        "SELECT u.id, h.corp_id, u.password_hash, CASE WHEN h.status = $1 THEN u.status ELSE h.status END AS status \
         FROM org_users u JOIN heavy_buyers h ON h.id = u.heavy_buyer_id \
         WHERE u.heavy_buyer_id = $2 AND lower(u.username) = $3",
    )
    .bind(PartnerStatus::Enabled.code())
    .bind(heavy_buyer_id)
    .bind(username.to_lowercase());
    let door = Door {
        table: "org_users",
        kind: "org_user",
        unknown_key: throttle::unknown_account_key("org_users", &heavy_buyer_id.to_string(), username),
        heavy_buyer_id: Some(heavy_buyer_id),
    };
    let disabled = ApiError::new(codes::HEAVY_BUYER_DISABLED, "this heavy buyer is disabled");
    let user =
        password_login(ctx, door, username, password, client, lookup, PartnerStatus::Enabled.code(), disabled).await?;
    vendor::require_open(ctx, &user.corp_id).await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::OrgUser, user.id, channel).await?;
    Ok(LoggedIn { corp_id: user.corp_id, principal_id: user.id, login_id })
}

/// A platform administrator signs in with its account name (case-insensitive) and password.
pub async fn platform_login(
    ctx: &Ctx,
    account: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let account = account.trim();
    let lookup = Sql::new("SELECT id, '' AS corp_id, password_hash, status FROM platform_admins WHERE account = $1")
        .bind(account.to_lowercase());
    let door = Door {
        table: "platform_admins",
        kind: "platform_admin",
        unknown_key: throttle::unknown_account_key("platform_admins", "", account),
        heavy_buyer_id: None,
    };
    let disabled = ApiError::new(codes::MEMBER_DISABLED, "this administrator is disabled");
    let admin = password_login(ctx, door, account, password, client, lookup, 1, disabled).await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::PlatformAdmin, admin.id, channel).await?;
    Ok(LoggedIn { corp_id: String::new(), principal_id: admin.id, login_id })
}

/// An end user signs in to its vendor with its mobile and password (AA, `POST /api/users/auth`).
/// A user that set no password (it signs in with codes) fails like a wrong password.
pub async fn end_user_login(
    ctx: &Ctx,
    vid: &str,
    mobile: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let mobile = mobile.trim();
    let vid = vid.trim();
    vendor::require_area(ctx, vid, Area::Users).await?;
    let lookup = Sql::new(
        "SELECT id, corp_id, password_hash, state AS status FROM end_users \
         WHERE corp_id = $1 AND mobile = $2 AND deregister_time IS NULL AND password_hash <> ''",
    )
    .bind(vid.to_owned())
    .bind(mobile.to_owned());
    let door = Door {
        table: "end_users",
        kind: "end_user",
        unknown_key: throttle::unknown_account_key("end_users", vid, mobile),
        heavy_buyer_id: None,
    };
    let disabled = ApiError::new(codes::END_USER_DISABLED, "this user is disabled");
    let user =
        password_login(ctx, door, mobile, password, client, lookup, EndUserState::Active.code(), disabled).await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::EndUser, user.id, channel).await?;
    Ok(LoggedIn { corp_id: user.corp_id, principal_id: user.id, login_id })
}

/// A service engineer signs in to its vendor with its mobile and password (the mobile site,
/// `POST /api/engineers/auth`). Disabled engineers are told so once the password is right.
pub async fn engineer_login(
    ctx: &Ctx,
    vid: &str,
    mobile: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<LoggedIn> {
    let (mobile, vid) = (mobile.trim(), vid.trim());
    vendor::require_area(ctx, vid, Area::Tickets).await?;
    let lookup = Sql::new(
        "SELECT id, corp_id, password_hash, status FROM engineers \
         WHERE corp_id = $1 AND mobile = $2 AND remove_time IS NULL",
    )
    .bind(vid.to_owned())
    .bind(mobile.to_owned());
    let door = Door {
        table: "engineers",
        kind: "engineer",
        unknown_key: throttle::unknown_account_key("engineers", vid, mobile),
        heavy_buyer_id: None,
    };
    let disabled = ApiError::new(codes::MEMBER_DISABLED, "this engineer is disabled");
    let engineer = password_login(ctx, door, mobile, password, client, lookup, 1, disabled).await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::Engineer, engineer.id, channel).await?;
    Ok(LoggedIn { corp_id: engineer.corp_id, principal_id: engineer.id, login_id })
}

/// The first access/refresh pair of an API login.
pub async fn issue_tokens(ctx: &Ctx, login_id: &str) -> Result<IssuedTokens> {
    let mut tx = ctx.db.begin().await?;
    let issued = token::issue(&mut tx, login_id, ctx.config.token_ttl.as_secs()).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Rotates a pair on a portal's refresh endpoint; a token of a kind of principal the endpoint
/// is not for is refused (4031001) and left untouched, whatever state the token is in.
pub async fn refresh_tokens(
    ctx: &Ctx,
    kinds: &[PrincipalKind],
    access_token: &str,
    refresh_token: &str,
) -> Result<IssuedTokens> {
    if refresh_token.trim().is_empty() {
        return Err(ApiError::missing("refresh_token").into());
    }
    let (_, issued) =
        token::refresh(&ctx.db, kinds, access_token, refresh_token, ctx.config.token_ttl.as_secs()).await?;
    Ok(issued)
}
