//! What the server knows about the request being handled, for code deep in the services that
//! should not have it passed through every call: the client address (for the audit log) and
//! the instant the request arrived (to tell a concurrent token refresh from a replay). The
//! outermost layer of [`crate::server::http`] sets it for the life of the request.

use std::future::Future;

use crate::server::clock::now_us;

#[derive(Debug, Clone)]
pub struct Meta {
    pub client: String,
    /// Microseconds since the epoch when the request reached the server.
    pub arrived_us: i64,
}

tokio::task_local! {
    static META: Meta;
}

/// Runs `fut` (a request) with `meta` as what [`client`] and [`arrived_us`] answer.
pub async fn with<F: Future>(meta: Meta, fut: F) -> F::Output {
    META.scope(meta, fut).await
}

/// The current request's client address, or `"local"` outside a request (the command line).
pub fn client() -> String {
    META.try_with(|m| m.client.clone()).unwrap_or_else(|_| "local".to_owned())
}

/// When the current request arrived, or now outside a request.
pub fn arrived_us() -> i64 {
    META.try_with(|m| m.arrived_us).unwrap_or_else(|_| now_us())
}
