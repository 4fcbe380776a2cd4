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
    /// Who the request turned out to be (`member:7`), for its log line.
    static WHO: std::cell::RefCell<Option<String>>;
}

/// Runs `fut` (a request) with a place for [`note_principal`] to fill; answers what it held.
pub async fn noting_principal<F: Future>(fut: F) -> (F::Output, Option<String>) {
    WHO.scope(std::cell::RefCell::new(None), async move {
        let out = fut.await;
        let who = WHO.with(|w| w.borrow().clone());
        (out, who)
    })
    .await
}

/// Records who the current request is (its principal's kind and id); nothing outside a request.
pub fn note_principal(kind: &str, id: i64) {
    let _ = WHO.try_with(|w| *w.borrow_mut() = Some(format!("{kind}:{id}")));
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
