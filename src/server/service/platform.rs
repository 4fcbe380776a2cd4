//! The platform operator's administrators (seed 003's A*): made from the command line
//! (`backoffice create-platform-admin`), they sign in to `/platform` and `POST /api/platform/auth`.

use crate::server::{
    auth::{password, principal::Principal},
    clock::now_ms,
    db::{unique_violation, Sql},
    error::{codes, ApiError, Result},
    secret::Secret,
    state::Ctx,
};

/// Input of `backoffice create-platform-admin`.
#[derive(Debug)]
pub struct NewPlatformAdmin {
    pub account: String,
    pub password: Secret,
}

/// A platform administrator's account name: 3–32 letters, digits, `_ . - @`, in lower case.
fn check_account(account: &str) -> Result<String, ApiError> {
    let v = account.trim().to_lowercase();
    let ok = (3..=32).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_.-@".contains(c));
    if !ok {
        return Err(ApiError::invalid("account", "3-32 letters, digits, _ . - or @"));
    }
    Ok(v)
}

/// Creates an enabled administrator; answers its id. Its password follows the strong rule of
/// the partner accounts (9–16 characters with upper case, lower case and a digit).
pub async fn create_admin(ctx: &Ctx, input: NewPlatformAdmin) -> Result<i64> {
    let account = check_account(&input.account)?;
    password::check_strong_password("password", &input.password)?;
    let hash = password::hash(&input.password).await?;
    let inserted: Result<(i64,), sqlx::Error> = ctx
        .db
        .fetch_one(
            &Sql::new(
                "INSERT INTO platform_admins (account, password_hash, status, create_time) \
                 VALUES ($1, $2, 1, $3) RETURNING id",
            )
            .bind(account)
            .bind(hash.0)
            .bind(now_ms()),
        )
        .await;
    match inserted {
        Err(e) if unique_violation(&e) => Err(ApiError::new(codes::USERNAME_TAKEN, "account: already taken").into()),
        other => Ok(other?.0),
    }
}

/// The signed-in administrator's account name, for the portal's header.
pub async fn me(ctx: &Ctx, principal: &Principal) -> Result<String> {
    let me = principal.platform()?;
    let (account,): (String,) =
        ctx.db.fetch_one(&Sql::new("SELECT account FROM platform_admins WHERE id = $1").bind(me.admin_id)).await?;
    Ok(account)
}
