//! Logging in, for every door: `/v2/…_auth` answers tokens, the portals bind a browser session.
//! Both go through here, so the throttle, the lock, the timing and the status rules are the same.

use crate::server::{
    auth::{
        password, throttle,
        token::{self, Channel, IssuedTokens, PrincipalKind},
    },
    clock::now_ms,
    db::Sql,
    error::{codes, ApiError, Result},
    secret::Secret,
    state::Ctx,
};

/// A member who has just logged in.
#[derive(Debug, Clone)]
pub struct MemberLogin {
    pub corp_id: String,
    pub member_id: i64,
    pub login_id: String,
}

#[derive(sqlx::FromRow)]
struct MemberCredentials {
    id: i64,
    corp_id: String,
    password_hash: String,
    status: i64,
}

const MEMBER_ACTIVE: i64 = 1;

/// Checks a corp member's account (phone or email) and password and starts a login.
/// Unknown accounts and wrong passwords answer the same (4001007) in the same time.
pub async fn member_login(
    ctx: &Ctx,
    account: &str,
    password: &Secret,
    client: &str,
    channel: Channel,
) -> Result<MemberLogin> {
    let account = account.trim();
    if account.is_empty() {
        return Err(ApiError::missing("account").into());
    }
    if password.expose().is_empty() {
        return Err(ApiError::missing("password").into());
    }
    let key = throttle::account_key("member", "", account);
    throttle::check(&ctx.db, &ctx.config, client, &key).await?;

    let found: Option<MemberCredentials> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT id, corp_id, password_hash, status FROM members WHERE email = $1 OR phone = $2")
                .bind(account.to_lowercase())
                .bind(account.to_owned()),
        )
        .await?;
    let matches = password::verify(password, found.as_ref().map(|m| m.password_hash.as_str())).await?;
    let member = match found {
        Some(m) if matches => m,
        _ => {
            throttle::record_failure(&ctx.db, &ctx.config, client, &key).await?;
            return Err(ApiError::new(codes::WRONG_PASSWORD, "account or password is wrong").into());
        }
    };
    // Only someone who knows the password learns that the account is disabled.
    if member.status != MEMBER_ACTIVE {
        return Err(ApiError::new(codes::MEMBER_DISABLED, "this member is disabled or not activated").into());
    }
    throttle::record_success(&ctx.db, &key).await?;
    ctx.db
        .execute(&Sql::new("UPDATE members SET last_auth_time = $1 WHERE id = $2").bind(now_ms()).bind(member.id))
        .await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::Member, member.id, channel).await?;
    Ok(MemberLogin { corp_id: member.corp_id, member_id: member.id, login_id })
}

/// The first access/refresh pair of an API login.
pub async fn issue_tokens(ctx: &Ctx, login_id: &str) -> Result<IssuedTokens> {
    let mut tx = ctx.db.begin().await?;
    let issued = token::issue(&mut tx, login_id, ctx.config.token_ttl.as_secs()).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Rotates a pair on a portal's refresh endpoint; a token of another kind of principal is
/// refused (4031001) and left untouched.
pub async fn refresh_tokens(
    ctx: &Ctx,
    kind: PrincipalKind,
    access_token: &str,
    refresh_token: &str,
) -> Result<IssuedTokens> {
    if refresh_token.trim().is_empty() {
        return Err(ApiError::missing("refresh_token").into());
    }
    let login = token::authenticate(&ctx.db, access_token).await;
    if let Ok(login) = &login {
        if login.kind != kind {
            return Err(ApiError::forbidden().into());
        }
    }
    let (_, issued) = token::refresh(&ctx.db, access_token, refresh_token, ctx.config.token_ttl.as_secs()).await?;
    Ok(issued)
}
