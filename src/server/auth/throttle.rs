//! Brakes on password guessing (CONTRACT.md, "Tokens"; the README's security section). All of it
//! lives in the database, so every app server sees the same counts, and every step is one
//! conditional write, so parallel requests cannot slip past a count between a read and a write.
//!
//! - **Per client address:** many wrong passwords from one address within a window throttle the
//!   address (429 with `Retry-After`), whatever accounts they tried.
//! - **Per account and address:** each attempt is *reserved* before its password is checked, and
//!   at most `LOGIN_LOCK_FAILURES` unresolved or failed attempts of one address on one account are
//!   ever checked: the next is refused (4001061) without a check, and a lock holds that address
//!   out of that account for `LOGIN_LOCK_SECONDS`. The owner signing in from another address is
//!   not locked out by someone else's guesses.
//! - **Per account, from all addresses:** past the same number of failures within the window,
//!   each further attempt on the account waits before its check, doubling from 250 ms up to
//!   [`MAX_ACCOUNT_DELAY`]. Guessing from many addresses slows to a crawl; the owner's right
//!   password still works after a few seconds at most.
//!
//! The account is keyed by what was found (`member:id:7`), so its phone and its email share one
//! count; an unknown account is keyed by the string typed, so answers and timing say nothing
//! about which accounts exist.

use std::time::Duration;

use crate::server::{
    clock::now_ms,
    config::Config,
    db::{Db, Sql},
    error::{codes, ApiError, Error, Result},
};

/// The longest an attempt waits for the account's failures from all addresses.
pub const MAX_ACCOUNT_DELAY: Duration = Duration::from_secs(4);
const FIRST_DELAY_MS: u64 = 250;

/// The key of a found account: its table and id.
pub fn account_key(kind: &str, id: i64) -> String {
    format!("{kind}:id:{id}")
}

/// The key of an account that does not exist: its kind and the string typed, folded to lower
/// case so `A@x.com` and `a@x.com` share one count.
pub fn unknown_account_key(kind: &str, scope: &str, account: &str) -> String {
    format!("{kind}:{scope}:{}", account.trim().to_lowercase())
}

/// One reserved attempt on an account from an address: resolve it with [`failed`] or
/// [`succeeded`].
#[derive(Debug)]
pub struct Attempt {
    account: String,
    lock: String,
    client: String,
}

fn locked() -> Error {
    ApiError::new(codes::ACCOUNT_LOCKED, "account locked after repeated wrong passwords, retry later").into()
}

/// Refuses before any other work when the client address is throttled.
pub async fn check_client(db: &Db, config: &Config, client: &str) -> Result<()> {
    let now = now_ms();
    let window_ms = config.throttle_window.as_millis() as i64;
    let row: Option<(i64, i64)> = db
        .fetch_optional(
            &Sql::new("SELECT window_start, failures FROM client_failures WHERE client = $1").bind(client.to_owned()),
        )
        .await?;
    if let Some((start, failures)) = row {
        let ends = start + window_ms;
        if failures >= config.throttle_after_failures as i64 && ends > now {
            return Err(Error::Throttled(((ends - now) as u64).div_ceil(1000)));
        }
    }
    Ok(())
}

/// Reserves one password check on `account` from `client`, or refuses (4001061) when the pair is
/// locked or already has as many attempts outstanding as the lock allows. The reservation counts
/// as a failure until [`succeeded`] clears it, so a crash mid-check fails closed.
pub async fn reserve(db: &Db, config: &Config, client: &str, account: &str) -> Result<Attempt> {
    let now = now_ms();
    let lock = format!("{account}@{client}");
    // A lock that has run out starts the count afresh; a live lock, or a full count with no lock
    // yet (the last attempts still being checked), changes nothing and reserves nothing.
    let reserved = db
        .execute(
            &Sql::new(
                "INSERT INTO login_failures (account_key, failures, locked_until, update_time) VALUES ($1, 1, 0, $2) \
                 ON CONFLICT (account_key) DO UPDATE SET \
                   failures = CASE WHEN login_failures.locked_until > 0 THEN 1 ELSE login_failures.failures + 1 END, \
                   locked_until = 0, update_time = $2 \
                 WHERE login_failures.locked_until <= $2 \
                   AND (login_failures.locked_until > 0 OR login_failures.failures < $3)",
            )
            .bind(lock.clone())
            .bind(now)
            .bind(config.lock_after_failures as i64),
        )
        .await?;
    if reserved == 0 {
        return Err(locked());
    }
    Ok(Attempt { account: account.to_owned(), lock, client: client.to_owned() })
}

/// How long this attempt waits for the failures on the account from every address.
pub async fn account_delay(db: &Db, config: &Config, attempt: &Attempt) -> Result<Duration> {
    let since = now_ms() - config.throttle_window.as_millis() as i64;
    let row: Option<(i64,)> = db
        .fetch_optional(
            &Sql::new("SELECT failures FROM account_failures WHERE account_key = $1 AND window_start > $2")
                .bind(attempt.account.clone())
                .bind(since),
        )
        .await?;
    let failures = row.map_or(0, |(f,)| f.max(0) as u64);
    Ok(delay_after(failures, config.lock_after_failures as u64))
}

/// No wait for the first `free` failures, then 250 ms doubling up to [`MAX_ACCOUNT_DELAY`].
pub fn delay_after(failures: u64, free: u64) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16) as u32;
    Duration::from_millis(FIRST_DELAY_MS.saturating_mul(1 << doublings)).min(MAX_ACCOUNT_DELAY)
}

/// A wrong password: it counts against the address and the account, and the pair is locked once
/// its reserved attempts reach the limit.
pub async fn failed(db: &Db, config: &Config, attempt: Attempt) -> Result<()> {
    let now = now_ms();
    let window_start_before = now - config.throttle_window.as_millis() as i64;
    for (table, column, key) in
        [("client_failures", "client", &attempt.client), ("account_failures", "account_key", &attempt.account)]
    {
        db.execute(
            &Sql::new(format!(
                "INSERT INTO {table} ({column}, window_start, failures) VALUES ($1, $2, 1) \
                 ON CONFLICT ({column}) DO UPDATE SET \
                   failures = CASE WHEN {table}.window_start <= $3 THEN 1 ELSE {table}.failures + 1 END, \
                   window_start = CASE WHEN {table}.window_start <= $3 THEN $2 ELSE {table}.window_start END"
            ))
            .bind(key.clone())
            .bind(now)
            .bind(window_start_before),
        )
        .await?;
    }
    db.execute(
        &Sql::new(
            "UPDATE login_failures SET locked_until = $1, update_time = $2 \
             WHERE account_key = $3 AND failures >= $4 AND locked_until = 0",
        )
        .bind(now + config.lock_duration.as_millis() as i64)
        .bind(now)
        .bind(attempt.lock)
        .bind(config.lock_after_failures as i64),
    )
    .await?;
    Ok(())
}

/// The right password: this address starts its count on the account afresh.
pub async fn succeeded(db: &Db, attempt: Attempt) -> Result<()> {
    db.execute(&Sql::new("DELETE FROM login_failures WHERE account_key = $1").bind(attempt.lock)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_delay_grows_and_stays_short() {
        assert_eq!(delay_after(4, 5), Duration::ZERO);
        assert_eq!(delay_after(5, 5), Duration::from_millis(250));
        assert_eq!(delay_after(6, 5), Duration::from_millis(500));
        assert_eq!(delay_after(9, 5), MAX_ACCOUNT_DELAY);
        assert_eq!(delay_after(10_000, 5), MAX_ACCOUNT_DELAY);
    }
}
