//! Sends the refunds still waiting for their provider (WeChat Pay): a refund is recorded
//! `pending` in the transaction that decides it and sent once that commits; when the provider
//! could not be reached or asked to try later, this job sends it again, every minute, until the
//! provider answers. Sending twice is harmless: the same refund id names the same refund.

use crate::server::{clock::now_ms, service::payment, state::Ctx};

/// Runs [`payment::send_pending_refunds`] every minute for the life of the server.
pub async fn send_every_minute(ctx: Ctx) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let Some(_pass) = super::pass() else { return };
        let pass = payment::send_pending_refunds(&ctx, now_ms()).await;
        crate::server::metrics::job_ran("refunds", pass.is_ok());
        match pass {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "pending refunds sent to their provider"),
            Err(e) => tracing::warn!(error = %e, "sending pending refunds failed"),
        }
    }
}
