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
    /// What the request turned out to be, for its log line.
    static NOTED: std::cell::RefCell<Noted>;
}

/// What a request's handling learnt about it, for its access log line.
#[derive(Debug, Clone, Default)]
pub struct Noted {
    /// Its principal's kind and id (`member:7`).
    pub who: Option<String>,
    /// The route template it matched (`/v2/product/{id}`), never the path with its ids.
    pub route: Option<String>,
}

/// Runs `fut` (a request) with a place for [`note_principal`] and [`note_route`] to fill;
/// answers what they noted.
pub async fn noting<F: Future>(fut: F) -> (F::Output, Noted) {
    NOTED
        .scope(std::cell::RefCell::new(Noted::default()), async move {
            let out = fut.await;
            let noted = NOTED.with(|n| n.borrow().clone());
            (out, noted)
        })
        .await
}

/// Records who the current request is (its principal's kind and id); nothing outside a request.
pub fn note_principal(kind: &str, id: i64) {
    let _ = NOTED.try_with(|n| n.borrow_mut().who = Some(format!("{kind}:{id}")));
}

/// Records the route template the current request matched; nothing outside a request.
pub fn note_route(route: &str) {
    let _ = NOTED.try_with(|n| n.borrow_mut().route = Some(route.to_owned()));
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
