//! Brakes on password guessing (CONTRACT.md, "Tokens"): consecutive wrong passwords lock an
//! account for a while, and many wrong passwords from one client address throttle the address.
//! Both live in the database so every app server sees the same counts.

use crate::server::{
    clock::now_ms,
    config::Config,
    db::{Db, Sql},
    error::{codes, ApiError, Error, Result},
};

/// The key an account's failures are counted under: its kind and the account as typed, folded
/// to lower case so `A@x.com` and `a@x.com` share one count.
pub fn account_key(kind: &str, scope: &str, account: &str) -> String {
    format!("{kind}:{scope}:{}", account.trim().to_lowercase())
}

/// Refuses before any password work when the client address is throttled or the account is
/// locked.
pub async fn check(db: &Db, config: &Config, client: &str, account_key: &str) -> Result<()> {
    let now = now_ms();
    let window_ms = config.throttle_window.as_millis() as i64;
    let client_row: Option<(i64, i64)> = db
        .fetch_optional(
            &Sql::new("SELECT window_start, failures FROM client_failures WHERE client = $1").bind(client.to_owned()),
        )
        .await?;
    if let Some((start, failures)) = client_row {
        let ends = start + window_ms;
        if failures >= config.throttle_after_failures as i64 && ends > now {
            return Err(Error::Throttled(((ends - now) as u64).div_ceil(1000)));
        }
    }
    let locked: Option<(i64,)> = db
        .fetch_optional(
            &Sql::new("SELECT locked_until FROM login_failures WHERE account_key = $1").bind(account_key.to_owned()),
        )
        .await?;
    if matches!(locked, Some((until,)) if until > now) {
        return Err(
            ApiError::new(codes::ACCOUNT_LOCKED, "account locked after repeated wrong passwords, retry later").into()
        );
    }
    Ok(())
}

/// Counts a wrong password against the account and the client address; locks the account when
/// it reaches the limit.
pub async fn record_failure(db: &Db, config: &Config, client: &str, account_key: &str) -> Result<()> {
    let now = now_ms();
    let window_start_before = now - config.throttle_window.as_millis() as i64;
    db.execute(
        &Sql::new(
            "INSERT INTO client_failures (client, window_start, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (client) DO UPDATE SET \
               failures = CASE WHEN client_failures.window_start <= $3 THEN 1 ELSE client_failures.failures + 1 END, \
               window_start = CASE WHEN client_failures.window_start <= $3 THEN $2 ELSE client_failures.window_start END",
        )
        .bind(client.to_owned())
        .bind(now)
        .bind(window_start_before),
    )
    .await?;

    let mut tx = db.begin().await?;
    tx.execute(
        &Sql::new(
            "INSERT INTO login_failures (account_key, failures, locked_until, update_time) VALUES ($1, 1, 0, $2) \
             ON CONFLICT (account_key) DO UPDATE SET failures = login_failures.failures + 1, update_time = $2",
        )
        .bind(account_key.to_owned())
        .bind(now),
    )
    .await?;
    tx.execute(
        &Sql::new(
            "UPDATE login_failures SET locked_until = $1, failures = 0 \
             WHERE account_key = $2 AND failures >= $3",
        )
        .bind(now + config.lock_duration.as_millis() as i64)
        .bind(account_key.to_owned())
        .bind(config.lock_after_failures as i64),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A successful login starts the account's count afresh.
pub async fn record_success(db: &Db, account_key: &str) -> Result<()> {
    db.execute(&Sql::new("DELETE FROM login_failures WHERE account_key = $1").bind(account_key.to_owned())).await?;
    Ok(())
}
