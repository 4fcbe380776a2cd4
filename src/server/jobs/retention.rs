//! Removes what is kept only for a while (`RETENTION_DAYS`): logins that ended or can no longer
//! be used, their tokens, old login-failure counts, and audit entries; and, after a day,
//! verification codes and the SMS send counts (a code lives five minutes, a count one day). Every step is a plain
//! `DELETE` of rows past the cutoff, so several app servers may run it at once: whichever runs
//! first removes the rows, the others find none.

use crate::server::{clock::now_ms, db::Sql, error::Result, state::Ctx};

/// What one pass removed, by kind.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub tokens: u64,
    pub logins: u64,
    pub failures: u64,
    pub audit_entries: u64,
    pub codes: u64,
    pub device_messages: u64,
}

/// One pass at time `now` (milliseconds).
pub async fn purge(ctx: &Ctx, now: i64) -> Result<Purged> {
    let cutoff = now - ctx.config.retention.as_millis() as i64;
    let db = &ctx.db;
    let tokens = db.execute(&Sql::new("DELETE FROM auth_tokens WHERE expire_time < $1").bind(cutoff)).await?;
    // A login ended long ago, or one whose every token expired long ago (its tokens went just
    // above), or a browser login older than the whole retention period.
    let logins = db
        .execute(
            &Sql::new(
                "DELETE FROM auth_logins WHERE (revoked_time IS NOT NULL AND revoked_time < $1) \
                 OR (create_time < $1 AND (channel = 'web' \
                     OR NOT EXISTS (SELECT 1 FROM auth_tokens t WHERE t.login_id = auth_logins.id)))",
            )
            .bind(cutoff),
        )
        .await?;
    let mut failures = 0;
    failures += db.execute(&Sql::new("DELETE FROM client_failures WHERE window_start < $1").bind(cutoff)).await?;
    failures += db.execute(&Sql::new("DELETE FROM account_failures WHERE window_start < $1").bind(cutoff)).await?;
    failures += db
        .execute(
            &Sql::new("DELETE FROM login_failures WHERE update_time < $1 AND locked_until < $2").bind(cutoff).bind(now),
        )
        .await?;
    let audit_entries = db.execute(&Sql::new("DELETE FROM audit_log WHERE create_time < $1").bind(cutoff)).await?;
    let day_ago = now - 24 * 3600 * 1000;
    let mut codes =
        db.execute(&Sql::new("DELETE FROM verification_codes WHERE create_time < $1").bind(day_ago)).await?;
    codes += db.execute(&Sql::new("DELETE FROM sms_sends WHERE last_time < $1").bind(day_ago)).await?;
    let messages_cutoff = now - ctx.config.mqtt_retention.as_millis() as i64;
    let device_messages =
        db.execute(&Sql::new("DELETE FROM device_messages WHERE receive_time < $1").bind(messages_cutoff)).await?;
    Ok(Purged { tokens, logins, failures, audit_entries, codes, device_messages })
}

/// Runs [`purge`] at start and then every hour for the life of the server.
pub async fn purge_hourly(ctx: Ctx) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let Some(_pass) = super::pass() else { return };
        let pass = purge(&ctx, now_ms()).await;
        crate::server::metrics::job_ran("retention", pass.is_ok());
        match pass {
            Ok(purged) if purged != Purged::default() => tracing::info!(?purged, "retention: removed old rows"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention pass failed"),
        }
    }
}
