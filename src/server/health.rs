//! What a load balancer and a supervisor ask: `GET /healthz` (the process answers) and
//! `GET /readyz` (it can serve: the database answers and every migration is applied, the MQTT
//! side works when one is configured, and it is not shutting down). Both are public, cheap enough to poll every second, and say nothing of
//! the internals — a failure is logged, the answer is only "not ready".
//!
//! Each request also gets an id: the client's `X-Request-Id` when it sends a sensible one, else a
//! fresh one; it is echoed on the answer and named in the request's log lines.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;
use tracing::Instrument;

use crate::server::{
    db::{Db, Sql},
    mqtt::Bus,
    secret::random_hex,
};

/// Whether the server is draining: set when it is told to stop, so `/readyz` answers 503 and
/// the load balancer sends new requests elsewhere while the ones in flight finish.
#[derive(Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct Probe {
    db: Db,
    mqtt: Bus,
    draining: Draining,
    /// Set once every migration was seen applied (they are never taken back): later polls only
    /// ask the database to answer.
    migrated: Arc<AtomicBool>,
}

/// `/healthz` and `/readyz`, outside sessions and the cross-site check.
pub fn router(db: Db, mqtt: Bus, draining: Draining) -> Router {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(ready))
        .with_state(Probe { db, mqtt, draining, migrated: Arc::default() })
}

async fn ready(State(p): State<Probe>) -> Response {
    let not_ready = || (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "not ready" }))).into_response();
    if p.draining.is_on() {
        return not_ready();
    }
    // Devices are part of the job: a server whose broker is down (or not reached) cannot take
    // their messages or send their commands.
    if !p.mqtt.is_ready() {
        tracing::warn!("readyz: the MQTT broker is down or not connected");
        return not_ready();
    }
    let ready = || Json(json!({ "status": "ready" })).into_response();
    if p.migrated.load(Ordering::Relaxed) {
        return match p.db.execute(&Sql::new("SELECT 1")).await {
            Ok(_) => ready(),
            Err(e) => {
                tracing::warn!(error = %e, "readyz: the database does not answer");
                not_ready()
            }
        };
    }
    match p.db.migration_status().await {
        Ok(status) if status.iter().all(|m| m.applied) => {
            p.migrated.store(true, Ordering::Relaxed);
            ready()
        }
        Ok(_) => {
            tracing::warn!("readyz: migrations are pending");
            not_ready()
        }
        Err(e) => {
            tracing::warn!(error = %e, "readyz: the database does not answer");
            not_ready()
        }
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's request id is kept when it is 1–64 letters, digits, `-`, `_`, `.` or `:`.
fn sensible(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Gives the request its id (the client's or a new one), logs under it, and echoes it.
pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sensible(v))
        .map(str::to_owned)
        .unwrap_or_else(|| random_hex(8));
    if let Ok(value) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let (mut res, noted) = crate::server::request::noting(next.run(req)).instrument(span.clone()).await;
    // The access log line: never a header, a body or a query string (tokens and codes live there).
    span.in_scope(|| {
        tracing::info!(
            route = noted.route.as_deref().unwrap_or("-"),
            status = res.status().as_u16(),
            latency_ms = started.elapsed().as_millis() as u64,
            principal = noted.who.as_deref().unwrap_or("-"),
            "request"
        )
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::sensible;

    #[test]
    fn only_sensible_request_ids_are_kept() {
        assert!(sensible("3f2a-77:b.c_d"));
        assert!(!sensible(""));
        assert!(!sensible(&"a".repeat(65)));
        assert!(!sensible("a b"));
        assert!(!sensible("a\nb"));
    }
}
