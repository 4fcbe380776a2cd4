//! The browser side of login: server functions, the session cookie, logout, the cross-site
//! check and the pages' redirects.

use std::io::Read;

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    both_backends,
    helpers::{spawn, Backend, TestApp},
};

both_backends!(
    portal_login_starts_an_http_only_session_and_shows_the_dashboard,
    portal_login_errors_are_the_api_errors,
    logout_ends_the_session,
    a_disabled_member_loses_the_session_at_once,
    cross_site_posts_with_cookies_are_refused,
    pages_and_the_csv_export_arrive_compressed_and_whole,
);

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("backoffice_session="))
        .map(str::to_owned)
}

async fn log_in(app: &TestApp, account: &str, password: &str) -> reqwest::Response {
    app.server_fn("corp_login", &[("account", account), ("password", password)]).await
}

async fn portal_login_starts_an_http_only_session_and_shows_the_dashboard(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;

    // Before login, the portal sends the browser to the login page.
    let before = app.page("/corp").await;
    assert_eq!(before.status(), StatusCode::FOUND);
    assert_eq!(before.headers()["location"], "/corp/login");

    let res = log_in(&app, &corp.email, &corp.password).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let first = session_cookie(&res).expect("a session cookie");
    let lower = first.to_ascii_lowercase();
    assert!(lower.contains("httponly") && lower.contains("samesite=lax") && lower.contains("path=/"), "{first}");

    let page = app.page("/corp").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("acme Ltd") && html.contains(&corp.corp_id), "the dashboard shows the corp");

    // Logging in again cycles the session id: no fixation.
    let again = log_in(&app, &corp.phone, &corp.password).await;
    let second = session_cookie(&again).expect("a new session cookie");
    assert_ne!(first.split(';').next(), second.split(';').next());
}

async fn portal_login_errors_are_the_api_errors(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let res = log_in(&app, &corp.email, "wrong-password").await;
    assert!(session_cookie(&res).is_none(), "no session for a failed login");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], 4001007, "{body}");
    let page = app.page("/corp").await;
    assert_eq!(page.status(), StatusCode::FOUND);
}

async fn logout_ends_the_session(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    log_in(&app, &corp.email, &corp.password).await;
    assert_eq!(app.page("/corp").await.status(), 200);
    let out = app.server_fn("corp_logout", &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection(), "{}", out.status());
    let after = app.page("/corp").await;
    assert_eq!(after.status(), StatusCode::FOUND);
    let info = app.server_fn("corp_info", &[]).await;
    let body: serde_json::Value = info.json().await.unwrap();
    assert_eq!(body["code"], 4031002, "{body}");
}

async fn a_disabled_member_loses_the_session_at_once(backend: Backend) {
    use backoffice::server::{
        auth::token::{revoke_principal, PrincipalKind},
        db::Sql,
    };
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    log_in(&app, &corp.email, &corp.password).await;
    assert_eq!(app.page("/corp").await.status(), 200);
    // What disabling does (issue 3 adds the endpoint): status and every login revoked.
    let mut tx = app.ctx.db.begin().await.unwrap();
    tx.execute(&Sql::new("UPDATE members SET status = 2 WHERE id = $1").bind(corp.member_id)).await.unwrap();
    revoke_principal(&mut tx, PrincipalKind::Member, corp.member_id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.page("/corp").await.status(), StatusCode::FOUND);
}

async fn cross_site_posts_with_cookies_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    log_in(&app, &corp.email, &corp.password).await;
    for origin in [Some("http://evil.example"), None] {
        let mut req = app.client.post(app.url("/fn/corp_logout")).header("Accept", "application/json");
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    // Still logged in: the refused logout changed nothing.
    assert_eq!(app.page("/corp").await.status(), 200);
}

/// A browser that takes gzip gets pages and the streamed CSV export compressed, and whole: the
/// export spans two chunks (a stream polled again after its end used to kill the connection).
async fn pages_and_the_csv_export_arrive_compressed_and_whole(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("zip").await;
    let (token, _) = app.login(&corp).await;
    let created = app.post("/v2/product", &json!({ "name": "Zip", "link_type": 1 }), Some(&token)).await;
    let product = created.assert_ok()["id"].as_str().expect("product id").to_owned();
    let macs: Vec<String> = (0..1500).map(|i| format!("ABCDEF{i:06X}")).collect();
    app.post(&format!("/v2/product/{product}/device_batch"), &json!(macs), Some(&token)).await.assert_ok();
    log_in(&app, &corp.email, &corp.password).await;

    let gunzipped = |path: String| {
        let app = &app;
        async move {
            let res = app.client.get(app.url(&path)).header("Accept-Encoding", "gzip").send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-encoding"], "gzip", "{path}");
            // A corp's data: neither the page nor the export is kept by a browser or a cache.
            assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
            let bytes = res.bytes().await.expect("the whole body");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).expect("valid gzip");
            text
        }
    };
    let page = gunzipped("/corp".into()).await;
    assert!(page.contains(&corp.corp_id) && page.contains("</html>"), "the whole dashboard: {page}");
    let csv = gunzipped(format!("/export/devices.csv?product_id={product}")).await;
    assert_eq!(csv.lines().count(), 1501, "a header and every device");
    assert!(csv.contains("ABCDEF000000") && csv.contains("ABCDEF0005DB"), "the first and the last device");
}
