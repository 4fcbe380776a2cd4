//! Metrics in the Prometheus text format (`metrics` + `metrics-exporter-prometheus`): requests
//! by route template, method and status with their latency, the database pool and query
//! latency, sign-ins by outcome, background job runs and failures, MQTT connections and
//! messages, and the SQLite memory settings. `GET /metrics` serves them with `Authorization: Bearer
//! <METRICS_TOKEN>`, or without a token on a listener of its own (`METRICS_LISTEN`), never on
//! the public one without either.
//!
//! One recorder per process: several servers in one process (the tests) share it.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::server::{db::Db, mqtt::Bus, secret::token_hash};

/// Latency buckets (seconds), from a millisecond to ten seconds.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use (and its upkeep started).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    let upkeep = handle.clone();
                    if let Ok(rt) = tokio::runtime::Handle::try_current() {
                        rt.spawn(async move {
                            let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                            loop {
                                every.tick().await;
                                upkeep.run_upkeep();
                            }
                        });
                    }
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: no recorder installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Which part of the server a route template belongs to.
fn surface(route: &str) -> &'static str {
    if route.starts_with("/v2") {
        "v2"
    } else if route.starts_with("/api") {
        "api"
    } else if route.starts_with("/fn") {
        "server_fn"
    } else {
        "page"
    }
}

/// Counts and times each request by its route template (the matched path, never the raw one:
/// ids would make a series per record), method and status. A route layer: it sees the template.
pub async fn track(req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    crate::server::request::note_route(&route);
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let part = surface(&route);
    metrics::counter!("http_requests_total", "surface" => part, "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "surface" => part, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    res
}

/// A query's time, recorded by the database layer.
pub fn query_took(started: Instant) {
    metrics::histogram!("db_query_duration_seconds").record(started.elapsed().as_secs_f64());
}

/// A sign-in attempt's outcome: success, wrong, locked, throttled, disabled.
pub fn sign_in(kind: &'static str, outcome: &'static str) {
    metrics::counter!("login_attempts_total", "kind" => kind, "outcome" => outcome).increment(1);
}

/// One pass of a background job, and whether it failed.
pub fn job_ran(job: &'static str, ok: bool) {
    metrics::counter!("job_runs_total", "job" => job, "outcome" => if ok { "ok" } else { "failed" }).increment(1);
}

/// A message from a device, by kind (state, telemetry, ack, status).
pub fn mqtt_message(kind: &'static str) {
    metrics::counter!("mqtt_messages_total", "kind" => kind).increment(1);
}

#[derive(Clone)]
struct Scrape {
    db: Db,
    mqtt: Bus,
    /// The token's hash: compared, never the token itself.
    token: Option<String>,
}

/// `GET /metrics`: with `token`, a bearer of it only (the public listener); without, open (its
/// own listener).
pub fn router(db: Db, mqtt: Bus, token: Option<&str>) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(Scrape { db, mqtt, token: token.map(token_hash) })
}

async fn scrape(State(s): State<Scrape>, req: Request) -> Response {
    if let Some(want) = &s.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| token_hash(t.trim()));
        if given.as_ref() != Some(want) {
            return (StatusCode::UNAUTHORIZED, "metrics need the bearer token\n").into_response();
        }
    }
    let Some(handle) = handle() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder\n").into_response();
    };
    let (size, idle) = s.db.pool_use();
    metrics::gauge!("db_pool_connections", "state" => "open").set(size as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set((size as usize).saturating_sub(idle) as f64);
    if !s.mqtt.is_off() {
        metrics::gauge!("mqtt_up").set(if s.mqtt.is_ready() { 1.0 } else { 0.0 });
    }
    if let Some(connected) = s.mqtt.connections() {
        metrics::gauge!("mqtt_connections").set(connected as f64);
    }
    if let Some((cache_kib, mmap_bytes)) = s.db.sqlite_memory() {
        metrics::gauge!("sqlite_cache_kib_per_connection").set(cache_kib as f64);
        metrics::gauge!("sqlite_mmap_bytes").set(mmap_bytes as f64);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}

#[cfg(test)]
mod tests {
    use super::surface;

    #[test]
    fn routes_are_grouped_by_surface() {
        assert_eq!(surface("/v2/corp/{id}"), "v2");
        assert_eq!(surface("/api/tickets/{ticket_id}"), "api");
        assert_eq!(surface("/fn/tickets"), "server_fn");
        assert_eq!(surface("/corp/orders/{id}"), "page");
    }
}
