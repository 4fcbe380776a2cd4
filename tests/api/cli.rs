//! `backoffice create-corp` and `--help`, run as a user would.

use std::process::Command;

use backoffice::server::db::Sql;
use serde_json::Value;

use crate::{
    both_backends,
    helpers::{spawn, Backend},
};

both_backends!(create_corp_makes_a_corp_whose_admin_can_log_in, bad_or_duplicate_input_changes_nothing);

fn backoffice(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_backoffice"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .expect("the backoffice binary runs")
}

const CORP: [&str; 11] = [
    "create-corp",
    "--company",
    "Acme",
    "--name",
    "Ann",
    "--email",
    "ann@example.com",
    "--phone",
    "13800000000",
    "--password",
    "secret-1",
];

#[test]
fn help_explains_both_commands() {
    let out = Command::new(env!("CARGO_BIN_EXE_backoffice")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("create-corp") && text.contains("--password") && text.contains("DATABASE_URL"));
}

async fn create_corp_makes_a_corp_whose_admin_can_log_in(backend: Backend) {
    let app = spawn(backend).await;
    let out = backoffice(&app.database_url, &CORP);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line of JSON: {stdout}");
    let created: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(created["corp_id"].as_str().unwrap().len() == 32);
    let a = app.corp_auth("ann@example.com", "secret-1").await;
    assert_eq!(a.assert_ok()["member_id"], created["member_id"]);
    let (role, status): (i64, i64) = app
        .ctx
        .db
        .fetch_one(
            &Sql::new("SELECT role, status FROM members WHERE id = $1").bind(created["member_id"].as_i64().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!((role, status), (1, 1), "an active admin");
}

async fn bad_or_duplicate_input_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    assert!(backoffice(&app.database_url, &CORP).status.success());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (CORP.to_vec(), "email"),
        ([&CORP[..5], &["--email", "other@example.com"], &CORP[7..]].concat(), "phone"),
        ([&CORP[..5], &["--email", "not-an-email"], &CORP[7..]].concat(), "email"),
        ([&CORP[..9], &["--password", "12345"]].concat(), "password"),
        (CORP[..9].to_vec(), "--password"),
        (vec!["create-corp", "--frobnicate", "x"], "unknown option"),
    ];
    for (args, mentions) in cases {
        let out = backoffice(&app.database_url, &args);
        assert!(!out.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(mentions), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let (corps,): (i64,) = app.ctx.db.fetch_one(&Sql::new("SELECT COUNT(*) FROM corps")).await.unwrap();
    let (members,): (i64,) = app.ctx.db.fetch_one(&Sql::new("SELECT COUNT(*) FROM members")).await.unwrap();
    assert_eq!((corps, members), (1, 1), "nothing but the first corp");
}
