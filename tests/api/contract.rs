//! What every `/v2` answer keeps true (CONTRACT "Transport", "Errors"), and the hardening.

use axum::routing::get;
use backoffice::server::{http, state::AppState};
use serde_json::json;

use crate::{
    both_backends,
    helpers::{spawn, Backend},
};

both_backends!(
    unknown_paths_and_methods_answer_the_error_body,
    malformed_and_oversized_bodies_are_refused,
    answers_carry_security_headers,
    openapi_document_lists_the_endpoints,
    a_panic_answers_a_server_fault_without_internals,
);

async fn unknown_paths_and_methods_answer_the_error_body(backend: Backend) {
    let app = spawn(backend).await;
    app.get("/v2/no/such/thing", None).await.assert_error(4041001);
    app.post("/v2/nothing_here", &json!({}), None).await.assert_error(4041001);
    let wrong = app.get("/v2/corp_auth", None).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.body["error"]["code"], json!(4051001));
}

async fn malformed_and_oversized_bodies_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    app.post_raw("/v2/corp_auth", "{\"account\": ").await.assert_error(4001001);
    app.post_raw("/v2/corp_auth", "[1,2]").await.assert_error(4001001);
    app.post_raw("/v2/corp_auth", "").await.assert_error(4001002);
    let huge = "x".repeat(3 * 1024 * 1024);
    let big = app
        .send(
            app.client
                .post(app.url("/v2/corp_auth"))
                .header("Content-Type", "application/json")
                .body(format!("{{\"account\":\"{huge}\"}}")),
        )
        .await;
    big.assert_error(4001001);
}

async fn answers_carry_security_headers(backend: Backend) {
    let app = spawn(backend).await;
    let api = app.get("/v2/corp", None).await;
    assert_eq!(api.headers["x-content-type-options"], "nosniff");
    assert_eq!(api.headers["cache-control"], "no-store");
    assert!(api.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));

    let page = app.page("/corp/login").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("'nonce-") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
}

async fn openapi_document_lists_the_endpoints(backend: Backend) {
    let app = spawn(backend).await;
    let doc = app.get("/v2/openapi.json", None).await;
    let body = doc.assert_ok();
    assert_eq!(body["openapi"], json!("3.0.3"));
    for (path, method) in [("/v2/corp_auth", "post"), ("/v2/corp/token/refresh", "post"), ("/v2/corp", "get")] {
        assert!(body["paths"][path][method].is_object(), "{path} {method}");
    }
    assert!(body["paths"]["/v2/corp"]["get"]["security"].is_array());
    assert!(body["paths"]["/v2/corp_auth"]["post"]["security"].is_null());
}

async fn boom() -> &'static str {
    panic!("secret internal detail")
}

async fn a_panic_answers_a_server_fault_without_internals(backend: Backend) {
    let app = spawn(backend).await;
    let routes = axum::Router::<AppState>::new().route("/v2/boom", get(boom));
    let state = AppState {
        ctx: app.ctx.clone(),
        leptos_options: leptos::config::LeptosOptions::builder().output_name("backoffice").build(),
    };
    let router = http::harden(routes, &app.ctx.config).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(listener, router));
    let res = reqwest::get(format!("{base}/v2/boom")).await.unwrap();
    assert_eq!(res.status(), 503);
    let text = res.text().await.unwrap();
    assert!(!text.contains("secret internal detail"), "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["code"], json!(5031001));
}
