//! The HTTP server: the site (Leptos pages and server functions), `/v2`, and the layers every
//! request passes through (panic guard, body limit, security headers, cross-site check, sessions).

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderName, HeaderValue, Method},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, ExpiredDeletion, Expiry, SessionManagerLayer};

use crate::{
    app::{shell, App},
    server::{
        api,
        auth::{client::client_address, session_store::Store},
        config::Config,
        db::Db,
        error::{error_response, ApiError},
        export, files,
        health::{self, Draining},
        jobs::retention,
        metrics, mqtt,
        providers::files::Files,
        request,
        state::{AppState, Ctx},
        watchdog::Watchdog,
    },
};

/// A server ready to serve: the router, the context it runs on, and the watchdog that its
/// requests and runtime report to (started by [`Watchdog::watch`] when configured).
pub struct Server {
    pub router: Router,
    pub ctx: Ctx,
    pub watchdog: Option<Watchdog>,
    /// Set when the server is told to stop: `/readyz` answers 503 from then on.
    pub draining: Draining,
}

/// Connects the database (applying migrations) and assembles every route and layer.
pub async fn build(mut config: Config, leptos_options: LeptosOptions) -> Result<Server, sqlx::Error> {
    config.resolve_secrets_key().map_err(|e| sqlx::Error::Configuration(e.into()))?;
    // The metrics recorder first, so the jobs' first passes are counted.
    metrics::handle();
    let db = Db::connect(&config.database_url).await?;
    let mqtt = mqtt::prepare(&config).await.map_err(sqlx::Error::Io)?;
    let files = Files::open(&config.files).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    let ctx = Ctx { db: db.clone(), config: Arc::new(config), mqtt: mqtt.bus(), files };
    mqtt.start(ctx.clone());
    let store = Store::new(&db).await?;
    tokio::spawn(store.clone().continuously_delete_expired(tokio::time::Duration::from_secs(600)));
    tokio::spawn(refresh_statistics_hourly(db.clone()));
    tokio::spawn(retention::purge_hourly(ctx.clone()));
    tokio::spawn(crate::server::jobs::orders::advance_every_minute(ctx.clone()));
    tokio::spawn(crate::server::jobs::refunds::send_every_minute(ctx.clone()));
    tokio::spawn(crate::server::jobs::service::run_every_minute(ctx.clone()));
    if let Err(e) = crate::server::service::vendor::backfill_codes(&ctx).await {
        tracing::warn!(error = ?e, "giving vendor codes to the corps without one failed");
    }

    let sessions = SessionManagerLayer::new(store)
        .with_name("backoffice_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(ctx.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(ctx.config.session_idle.as_secs() as i64)));

    let state = AppState { ctx: ctx.clone(), leptos_options: leptos_options.clone() };
    let routes = generate_route_list(App);
    let site = Router::new()
        .leptos_routes_with_context(&state, routes, || (), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .route("/export/devices.csv", axum::routing::get(export::devices_csv))
        .route("/files", axum::routing::post(files::upload))
        .route("/files/{key}", axum::routing::get(files::serve))
        .route(
            "/pay/sandbox/{payment_id}",
            axum::routing::get(crate::server::providers::pay::page).post(crate::server::providers::pay::pay),
        )
        .nest(&format!("/{}", leptos_options.site_pkg_dir), assets(&leptos_options))
        .route_layer(middleware::from_fn(metrics::track))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(cross_site_check))
        .layer(sessions);

    let api = api::router().route_layer(middleware::from_fn(metrics::track));
    let routes = cross_origin(api, &ctx.config.cors_allowed_origins).merge(site);
    let mut router = harden(routes, &ctx.config)
        .with_state(state)
        .layer(compress())
        .layer(middleware::from_fn_with_state(ctx.config.trusted_proxy_hops, request_meta));
    let draining = Draining::default();
    router = router.merge(health::router(db.clone(), ctx.mqtt.clone(), draining.clone()));
    if let Some(token) = ctx.config.metrics_token.as_deref() {
        router = router.merge(metrics::router(db.clone(), ctx.mqtt.clone(), Some(token)));
    }
    router = router.layer(middleware::from_fn(health::request_id));
    let watchdog = ctx.config.watchdog.map(Watchdog::new);
    if let Some(dog) = &watchdog {
        tokio::spawn(dog.clone().heartbeat());
        let dog = dog.clone();
        router = router.layer(middleware::from_fn(move |req: Request, next: Next| dog.clone().track(req, next)));
    }
    Ok(Server { router, ctx, watchdog, draining })
}

/// The built site's `pkg` folder (WASM, JS, CSS): the brotli or gzip file beside each one when
/// the browser takes it (`cargo leptos build --release --precompress` writes them), and, when
/// the names carry a content hash, a year in the browser's cache.
fn assets(options: &LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files { "public, max-age=31536000, immutable" } else { "no-cache" };
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
}

/// Lets the pages of the configured origins (the original console, served elsewhere) call the
/// JSON API from the browser: preflights answered, `Access-Token` and `Content-Type` allowed.
/// The site itself (pages, server functions) stays same-origin. No origins: no CORS headers.
fn cross_origin(api: Router<AppState>, origins: &[String]) -> Router<AppState> {
    if origins.is_empty() {
        return api;
    }
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    api.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([HeaderName::from_static("access-token"), header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// Compresses answers the server makes as it goes (pages, JSON, the CSV export) for browsers
/// that take brotli or gzip; answers already compressed (the precompressed assets) pass as
/// they are.
fn compress() -> CompressionLayer {
    CompressionLayer::new().br(true).gzip(true).quality(tower_http::CompressionLevel::Fastest)
}

async fn refresh_statistics_hourly(db: Db) {
    let mut every_hour = tokio::time::interval(tokio::time::Duration::from_secs(3600));
    every_hour.tick().await; // the first tick is immediate; `Db::connect` just did it
    loop {
        every_hour.tick().await;
        if let Err(e) = db.refresh_statistics().await {
            tracing::warn!(error = %e, "refreshing the query planner's statistics failed");
        }
    }
}

/// The layers every route sits behind: request tracing, the panic guard (a panic answers the
/// contract's 503 body, never a dropped connection or a stack trace), the security headers and
/// the body size limit.
pub fn harden(routes: Router<AppState>, config: &Config) -> Router<AppState> {
    routes
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(middleware::from_fn(security_headers))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| error_response(ApiError::server_fault())))
        .layer(TraceLayer::new_for_http())
}

/// Serves until the process is told to stop, with the default grace (tests, benchmarks).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    serve_until_stopped(
        listener,
        router,
        Draining::default(),
        std::time::Duration::ZERO,
        std::time::Duration::from_secs(20),
    )
    .await
}

/// Serves until the process is told to stop (SIGTERM, or Ctrl-C). Then `/readyz` answers 503;
/// `drain` later the listener closes; the requests in flight may finish for `grace` more.
pub async fn serve_until_stopped(
    listener: tokio::net::TcpListener,
    router: Router,
    draining: Draining,
    drain: std::time::Duration,
    grace: std::time::Duration,
) -> std::io::Result<()> {
    let stopping = Arc::new(tokio::sync::Notify::new());
    let told = stopping.clone();
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            stop_signal().await;
            draining.start();
            tracing::info!(?drain, ?grace, "stopping: not ready any more; draining, then finishing what is in flight");
            tokio::time::sleep(drain).await;
            told.notify_one();
        });
    // Requests first, then the background jobs' passes under way: both within the grace.
    let served_then_jobs = async {
        let served = server.await;
        crate::server::jobs::stop().await;
        served
    };
    tokio::select! {
        served = served_then_jobs => served,
        () = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("stopping: the grace period is over with requests or jobs still in flight");
            Ok(())
        }
    }
}

/// SIGTERM (what supervisors and orchestrators send) or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Headers every answer carries. Pages set their own Content-Security-Policy (with the nonce
/// of their inline hydration script); everything else gets a strict default.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
        );
    }
    // Pages and API answers carry personal data and tokens: never keep them in a cache (this is
    // also what keeps the back button from showing a page after logout).
    let dynamic = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    if dynamic && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Server functions authenticate with the session cookie and have no CSRF defence of their own,
/// and the sign-in forms are server functions too: a state-changing request from a browser must
/// come from our own origin. Browsers name the page's origin on every POST (`Origin`, else
/// `Referer`), so one naming another site (or `null`) is refused, with or without cookies — a
/// cross-site sign-in would put the victim in the attacker's account. A request naming no
/// origin at all is a program, not a page; it is refused only when it carries cookies.
async fn cross_site_check(req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let named = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(|v| v.to_str().ok().and_then(origin_host));
    let allowed = match named {
        Some(origin) => origin.is_some() && origin == host,
        None => !headers.contains_key(header::COOKIE),
    };
    if allowed {
        next.run(req).await
    } else {
        ApiError::new(crate::model::error::codes::FORBIDDEN, "cross-site request refused").into_response()
    }
}

/// `host[:port]` of an `Origin` or `Referer` value (`None` for `null` or anything unparsable).
fn origin_host(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Notes when the request arrived and from where, for the services ([`request`]). The
/// outermost layer, so the instant is taken before any other work on the request.
async fn request_meta(axum::extract::State(hops): axum::extract::State<usize>, req: Request, next: Next) -> Response {
    let arrived_us = crate::server::clock::now_us();
    let peer = req.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0);
    let client = client_address(req.headers(), peer, hops);
    request::with(request::Meta { client, arrived_us }, next.run(req)).await
}
