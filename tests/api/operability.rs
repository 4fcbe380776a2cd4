//! What the people who run the server rely on (issue 19): `/healthz` and `/readyz`, request ids,
//! `backoffice migrate [--status]`, and backing up a live SQLite database under write load and
//! restoring it with nothing lost up to the backup's moment (never over a database in use).

use std::{
    process::Command,
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Arc,
    },
};

use backoffice::server::{db::Sql, maintenance};
use serde_json::{json, Value};

use crate::helpers::{fresh_database, spawn, spawn_with, test_config, Backend};

crate::both_backends!(
    health_and_readiness_say_nothing_of_the_internals,
    migrate_status_lists_every_migration,
    metrics_need_their_token_and_count_what_matters,
);

fn backoffice(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_backoffice"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .expect("the backoffice binary runs")
}

async fn health_and_readiness_say_nothing_of_the_internals(backend: Backend) {
    let app = spawn(backend).await;
    for (path, status) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!(id.len(), 16, "a request without an id gets one: {id:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body, json!({ "status": status }), "{path}: no internals");
    }
    // A client's own id comes back; one that is not sensible is replaced.
    let res = app.client.get(app.url("/api/vendors")).header("X-Request-Id", "trace-42.a:b").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-42.a:b");
    let long = "x".repeat(65);
    let res = app.client.get(app.url("/healthz")).header("X-Request-Id", long.as_str()).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(id != long && id.len() == 16, "{id}");
    // Never behind a sign-in, and no cookie is set.
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
}

async fn metrics_need_their_token_and_count_what_matters(backend: Backend) {
    let config = backoffice::server::config::Config { metrics_token: Some("scrape-secret-1".into()), ..test_config() };
    let app = spawn_with(backend, config).await;
    // Some traffic: a wrong sign-in, an API call, a page.
    let wrong =
        app.post("/v2/corp_auth", &json!({ "account": "nobody@example.com", "password": "wrong-1" }), None).await;
    assert_eq!(wrong.status.as_u16(), 400, "{:?}", wrong.body);
    app.client.get(app.url("/api/vendors")).send().await.unwrap();
    app.client.get(app.url("/corp/login")).send().await.unwrap();

    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401, "no token, no metrics");
    let res = app.client.get(app.url("/metrics")).bearer_auth("another-token").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = app.client.get(app.url("/metrics")).bearer_auth("scrape-secret-1").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    for wanted in [
        "http_requests_total{surface=\"v2\",route=\"/v2/corp_auth\",method=\"POST\",status=\"400\"}",
        "http_request_duration_seconds_bucket{surface=\"api\",route=\"/api/vendors\"",
        "surface=\"page\",route=\"/corp/login\"",
        "login_attempts_total{kind=\"member\",outcome=\"wrong\"}",
        "db_pool_connections{state=\"in_use\"}",
        "db_query_duration_seconds_bucket",
        "job_runs_total{job=\"orders\",outcome=\"ok\"}",
    ] {
        assert!(text.contains(wanted), "{wanted} is missing from:\n{text}");
    }
    assert!(!text.contains("nobody@example.com") && !text.contains("wrong-1"), "no account or password in metrics");
}

async fn migrate_status_lists_every_migration(backend: Backend) {
    // A database never migrated: everything pending; `migrate` applies it all; then none.
    let url = fresh_database(backend).await;
    let before = backoffice(&url, &["migrate", "--status"]);
    assert!(before.status.success(), "{}", String::from_utf8_lossy(&before.stderr));
    let text = String::from_utf8_lossy(&before.stdout).to_string();
    assert!(text.contains("pending") && text.contains("0 applied"), "{text}");
    let run = backoffice(&url, &["migrate"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let after = String::from_utf8_lossy(&backoffice(&url, &["migrate", "--status"]).stdout).to_string();
    assert!(after.ends_with("0 pending\n"), "{after}");
    assert!(after.contains("applied  service"), "the latest migration is listed: {after}");
    // A mistaken option changes nothing and says why.
    let bad = backoffice(&url, &["migrate", "--force"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--status"));
}

/// Rows in the test table, counted on `url`.
async fn rows(url: &str) -> i64 {
    let db = backoffice::server::db::Db::open(url).await.unwrap();
    let (n,): (i64,) =
        db.fetch_one(&Sql::new("SELECT COUNT(*) FROM sms_sends WHERE mobile LIKE 'load-%'")).await.unwrap();
    db.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_sqlite_database_is_backed_up_under_load_and_restored() {
    let app = spawn(Backend::Sqlite).await;
    let url = app.database_url.clone();
    let live = maintenance::sqlite_path(&url).unwrap();

    // A steady writer: each row it counts as written has been committed.
    let written = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, written, stop) = (app.ctx.db.clone(), written.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                db.execute(
                    &Sql::new("INSERT INTO sms_sends (mobile, last_time, day_start, day_count) VALUES ($1, 0, 0, 1)")
                        .bind(format!("load-{i}")),
                )
                .await
                .unwrap();
                written.store(i, Ordering::SeqCst);
            }
        })
    };
    while written.load(Ordering::SeqCst) < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let dir = std::env::temp_dir().join(format!("bo_backup_{}", backoffice::server::secret::random_hex(4)));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("copy.db");
    let before = written.load(Ordering::SeqCst);
    let out = tokio::task::spawn_blocking({
        let (url, file) = (url.clone(), file.clone());
        move || backoffice(&url, &["backup", "--to", file.to_str().unwrap()])
    })
    .await
    .unwrap();
    let after = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(after > before, "the writer went on during the backup ({before} → {after})");
    // Never over an existing file.
    let again = backoffice(&url, &["backup", "--to", file.to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists"));

    // Restored to a new place: everything committed before the backup began, nothing after it ended.
    let restored_url = format!("sqlite:{}", dir.join("restored.db").display());
    let out = backoffice(&restored_url, &["restore", "--from", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n = rows(&restored_url).await;
    assert!(before <= n && n <= after, "restored {n} rows; {before} were written before the backup, {after} after");
    let status = String::from_utf8_lossy(&backoffice(&restored_url, &["migrate", "--status"]).stdout).to_string();
    assert!(status.ends_with("0 pending\n"), "{status}");

    // A database in use is never overwritten; a file that is not a backup changes nothing.
    let held = maintenance::hold_in_use(&live).unwrap();
    let refused = backoffice(&url, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("in use"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    drop(held);
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let refused = backoffice(&restored_url, &["restore", "--from", junk.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert_eq!(rows(&restored_url).await, n, "the restored database is untouched");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_postgres_backup_points_to_pg_dump() {
    let out = backoffice("postgres://app@127.0.0.1:1/none", &["backup", "--to", "/tmp/never.dump"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("pg_dump --format=custom --file /tmp/never.dump"), "{err}");
    assert!(!std::path::Path::new("/tmp/never.dump").exists());
}

/// One app server of the pair, run as a user would run it.
fn start_server(url: &str, port: u16, files: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_backoffice"))
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SECRETS_KEY", "0".repeat(64))
        .env("FILES_DIR", files)
        .env("MQTT_LISTEN", "off")
        .env("WATCHDOG_SECONDS", "0")
        .env("SHUTDOWN_DRAIN_SECONDS", "2")
        .env("SHUTDOWN_GRACE_SECONDS", "10")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn ready(client: &reqwest::Client, port: u16) -> bool {
    client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status().as_u16() == 200)
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    for _ in 0..300 {
        if ready(client, port).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server on {port} did not become ready");
}

/// Two app servers on one PostgreSQL behind a stand-in load balancer that sends requests only
/// to servers whose `/readyz` answered 200 at its last poll (every 100 ms, as a balancer's
/// health check would). One of them is stopped with SIGTERM and started again while a steady
/// load runs: it exits 0 and not one request fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_drops_no_request() {
    let url = fresh_database(Backend::Postgres).await;
    assert!(backoffice(&url, &["migrate"]).status.success());
    let made = backoffice(&url, &["create-platform-admin", "--account", "ops-roll", "--password", "Platform-1x"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let files = std::env::temp_dir().join(format!("bo_files_{}", backoffice::server::secret::random_hex(4)));
    let ports = [free_port(), free_port()];
    let mut a = start_server(&url, ports[0], &files);
    let mut b = start_server(&url, ports[1], &files);
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(15)).build().unwrap();
    wait_ready(&client, ports[0]).await;
    wait_ready(&client, ports[1]).await;
    let auth = client
        .post(format!("http://127.0.0.1:{}/api/platform/auth", ports[1]))
        .json(&json!({ "account": "ops-roll", "password": "Platform-1x" }))
        .send()
        .await
        .unwrap();
    let token = auth.json::<Value>().await.unwrap()["data"]["access_token"].as_str().unwrap().to_owned();

    // The balancer's view, and the load.
    let up: Arc<[AtomicBool; 2]> = Arc::new([AtomicBool::new(true), AtomicBool::new(true)]);
    let stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let (client, up, stop) = (client.clone(), up.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                for (i, port) in ports.iter().enumerate() {
                    up[i].store(ready(&client, *port).await, Ordering::SeqCst);
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    };
    let (sent, failed) = (Arc::new(AtomicI64::new(0)), Arc::new(AtomicI64::new(0)));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (client, up, stop, sent, failed, token) =
            (client.clone(), up.clone(), stop.clone(), sent.clone(), failed.clone(), token.clone());
        load.push(tokio::spawn(async move {
            let mut n = worker;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let Some(i) = [n % 2, (n + 1) % 2].into_iter().find(|i| up[*i].load(Ordering::SeqCst)) else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let res = client
                    .get(format!("http://127.0.0.1:{}/api/vendors?limit=5", ports[i]))
                    .header("Access-Token", &token)
                    .send()
                    .await;
                sent.fetch_add(1, Ordering::SeqCst);
                if !res.is_ok_and(|r| r.status().as_u16() == 200) {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;

    // The rolling restart of the first server.
    let term = Command::new("kill").args(["-TERM", &a.id().to_string()]).status().unwrap();
    assert!(term.success());
    let exited = tokio::task::spawn_blocking(move || a.wait().unwrap()).await.unwrap();
    assert!(exited.success(), "stopped with SIGTERM, the server exits 0: {exited:?}");
    let during = sent.load(Ordering::SeqCst);
    a = start_server(&url, ports[0], &files);
    wait_ready(&client, ports[0]).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    for l in load {
        l.await.unwrap();
    }
    poller.await.unwrap();
    for child in [&mut a, &mut b] {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let _ = child.wait();
    }
    let _ = std::fs::remove_dir_all(&files);
    let (sent, failed) = (sent.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    assert!(
        during > 20 && sent > during,
        "a steady load ran throughout: {sent} requests ({during} before the restart)"
    );
    assert_eq!(failed, 0, "no request failed of {sent}");
}
