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

use crate::helpers::{fresh_database, spawn, Backend};

crate::both_backends!(health_and_readiness_say_nothing_of_the_internals, migrate_status_lists_every_migration);

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
