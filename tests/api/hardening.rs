//! Issue 20: the escalation and race paths a review and probes of the running server found, the
//! login guard, and the audit log. Each test failed on the code before the fix.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use backoffice::server::{auth::token::RACE_ALLOWANCE_US, clock::now_ms, db::Sql, jobs::retention};

use crate::{
    both_backends,
    helpers::{
        spawn, spawn_with, test_config, Backend, Corp, TestApp, BUYER_PASSWORD, DEALER_PASSWORD, MEMBER_PASSWORD,
    },
};

both_backends!(
    an_org_admin_deleting_a_branch_never_lifts_users_above_itself,
    another_admins_role_cannot_be_changed,
    release_is_one_way,
    partners_pick_products_without_the_key,
    parallel_wrong_passwords_get_at_most_the_lock_limit_of_checks,
    the_lock_is_per_account_not_per_string_typed,
    a_flood_from_one_address_does_not_lock_out_the_owner,
    the_client_address_is_counted_from_the_trusted_proxy,
    cross_site_sign_in_is_refused,
    a_rotated_pair_presented_again_revokes_the_login,
    the_refresh_endpoint_checks_the_portal_even_for_dead_tokens,
    parallel_grants_of_one_device_give_it_to_one_key_account,
    parallel_role_creation_with_one_name_makes_one_role,
    the_audit_log_records_changes_and_sign_ins_without_secrets,
    the_audit_log_is_for_admins_and_their_own_tenant,
    the_key_account_reads_its_own_audit_log,
    retention_removes_only_what_is_old,
);

const ORG_PASSWORD: &str = "Passw0rdOk";

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// Sends the same JSON POST `n` times at once; answers each `(status, body)`.
async fn in_parallel(
    app: &TestApp,
    n: usize,
    path: &str,
    token: Option<&str>,
    bodies: Vec<Value>,
) -> Vec<(u16, Value)> {
    let calls: Vec<_> = (0..n)
        .map(|i| {
            let mut request = app.client.post(app.url(path)).json(&bodies[i % bodies.len()]);
            if let Some(t) = token {
                request = request.header("Access-Token", t);
            }
            tokio::spawn(async move {
                let res = request.send().await.unwrap();
                (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap());
    }
    answers
}

/// A corp, its admin's token, and a key account of it with the account's token.
struct KeyAccount {
    corp: Corp,
    admin: String,
    hb: i64,
    account: String,
}

async fn key_account(app: &TestApp) -> KeyAccount {
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let account = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    KeyAccount { hb: id_of(&buyer), corp, admin, account }
}

fn codes(answers: &[(u16, Value)]) -> Vec<i64> {
    answers.iter().map(|(_, body)| body["error"]["code"].as_i64().unwrap_or(0)).collect()
}

// ---- Escalations ----

/// An organization admin of "Branch" makes "Tmp" below it and an admin user in "Tmp", then
/// deletes "Tmp": the user lands in Branch (the top of the deleter's view), not at the root
/// from where it would administer the whole key account.
async fn an_org_admin_deleting_a_branch_never_lifts_users_above_itself(backend: Backend) {
    let app = spawn(backend).await;
    let KeyAccount { hb, account, .. } = key_account(&app).await;
    let org = |name: &str, parent: i64| json!({ "name": name, "parent": parent });
    let orgs = format!("/v2/heavy_buyer/{hb}/organization");
    let users = format!("/v2/heavy_buyer/{hb}/user");
    let user = |name: &str, organization: i64| json!({ "username": name, "password": ORG_PASSWORD, "organization": organization, "role": 1 });
    let branch = id_of(app.post(&orgs, &org("Branch", 0), Some(&account)).await.assert_ok());
    let outside = id_of(app.post(&orgs, &org("Outside", 0), Some(&account)).await.assert_ok());
    app.post(&users, &user("branchadmin", branch), Some(&account)).await.assert_ok();
    let auth = |name: &'static str| {
        let app = &app;
        async move {
            let body = json!({ "heavy_buyer_id": hb, "username": name, "password": ORG_PASSWORD });
            app.post("/v2/heavy_buyer_auth", &body, None).await.assert_ok()["access_token"].as_str().unwrap().to_owned()
        }
    };
    let branch_admin = auth("branchadmin").await;
    let tmp = id_of(app.post(&orgs, &org("Tmp", branch), Some(&branch_admin)).await.assert_ok());
    let lifted = id_of(app.post(&users, &user("tmpadmin", tmp), Some(&branch_admin)).await.assert_ok());
    app.delete(&format!("{orgs}/{tmp}"), Some(&branch_admin)).await.assert_empty();

    let listed = app.post(&format!("/v2/heavy_buyer/{hb}/user_list"), &json!({ "limit": 100 }), Some(&account)).await;
    let moved = listed.assert_ok()["list"].as_array().unwrap().iter().find(|u| id_of(u) == lifted).cloned().unwrap();
    assert_eq!(moved["organization"], json!(branch), "the user moved to the deleter's organization: {moved}");
    let tmp_admin = auth("tmpadmin").await;
    app.put(&format!("{orgs}/{outside}"), Some(&json!({ "name": "Taken" })), Some(&tmp_admin))
        .await
        .assert_error(4041046);
    app.delete(&format!("{orgs}/{outside}"), Some(&tmp_admin)).await.assert_error(4041046);
    // The key account itself still sends users to the root.
    let gone = id_of(app.post(&orgs, &org("Gone", 0), Some(&account)).await.assert_ok());
    let rooted = id_of(app.post(&users, &user("rooted", gone), Some(&account)).await.assert_ok());
    app.delete(&format!("{orgs}/{gone}"), Some(&account)).await.assert_empty();
    let listed = app.post(&format!("/v2/heavy_buyer/{hb}/user_list"), &json!({ "limit": 100 }), Some(&account)).await;
    let user = listed.assert_ok()["list"].as_array().unwrap().iter().find(|u| id_of(u) == rooted).cloned().unwrap();
    assert_eq!(user["organization"], json!(0));
}

async fn another_admins_role_cannot_be_changed(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (second, _, _) = app.add_member(&admin, 1, None).await;
    let (operator, _, _) = app.add_member(&admin, 2, None).await;
    app.put(&format!("/v2/corp/member/{second}/role/2"), None, Some(&admin)).await.assert_error(4031005);
    // Still an admin, so still protected from being disabled.
    let member = app.get(&format!("/v2/corp/member/{second}"), Some(&admin)).await;
    assert_eq!(member.assert_ok()["role"], json!(1));
    app.put(&format!("/v2/corp/member/{second}/disable"), None, Some(&admin)).await.assert_error(4031001);
    // A non-admin's role still changes.
    app.put(&format!("/v2/corp/member/{operator}/role/3"), None, Some(&admin)).await.assert_empty();
}

async fn release_is_one_way(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = app.post("/v2/product", &json!({ "name": "Lamp", "link_type": 1 }), Some(&admin)).await;
    let id = product.assert_ok()["id"].as_str().unwrap().to_owned();
    let path = format!("/v2/product/{id}");
    app.put(&path, Some(&json!({ "is_release": true })), Some(&admin)).await.assert_ok();
    let refused = app.put(&path, Some(&json!({ "is_release": false })), Some(&admin)).await;
    refused.assert_error(4001001);
    assert!(refused.body["error"]["msg"].as_str().unwrap().contains("is_release"), "{:?}", refused.body);
    // Other edits still work, and leave it released; it still cannot be deleted.
    let renamed = app.put(&path, Some(&json!({ "name": "Lamp 2" })), Some(&admin)).await;
    assert_eq!(renamed.assert_ok()["is_release"], json!(true));
    app.delete(&path, Some(&admin)).await.assert_error(4001016);
    assert_eq!(app.get(&path, Some(&admin)).await.assert_ok()["name"], json!("Lamp 2"));
}

/// The portal's product picker (a server function) answers partners and read-only members a
/// brief: no product key.
async fn partners_pick_products_without_the_key(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = app.post("/v2/product", &json!({ "name": "Lamp", "link_type": 1 }), Some(&admin)).await;
    let key = product.assert_ok()["key"].as_str().unwrap().to_owned();
    let dealer = app.add_dealer(&admin, None).await;
    let signed_in = app
        .server_fn(
            "portal_login",
            &[
                ("portal", "dealer"),
                ("corp_id", &corp.corp_id),
                ("account", dealer["email"].as_str().unwrap()),
                ("password", DEALER_PASSWORD),
            ],
        )
        .await;
    assert!(signed_in.status().is_success() || signed_in.status().is_redirection(), "{}", signed_in.status());
    let picked = app
        .client
        .post(app.url("/fn/device_products"))
        .header("Origin", app.base.clone())
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(picked.status(), StatusCode::OK);
    let body: Value = picked.json().await.unwrap();
    assert_eq!(body[0]["name"], json!("Lamp"), "{body}");
    assert!(body[0].get("key").is_none() && !body.to_string().contains(&key), "no key: {body}");
}

// ---- Login and tokens ----

async fn parallel_wrong_passwords_get_at_most_the_lock_limit_of_checks(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let body = json!({ "account": corp.email, "password": "wrong-password" });
    let answers = in_parallel(&app, 16, "/v2/corp_auth", None, vec![body]).await;
    let codes = codes(&answers);
    let checked = codes.iter().filter(|&&c| c == 4001007).count();
    let locked = codes.iter().filter(|&&c| c == 4001061).count();
    assert_eq!((checked, locked), (5, 11), "{codes:?}");
    app.corp_auth(&corp.email, &corp.password).await.assert_error(4001061);
}

async fn the_lock_is_per_account_not_per_string_typed(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    for account in [&corp.email, &corp.phone, &corp.email, &corp.phone, &corp.email] {
        app.corp_auth(account, "wrong-password").await.assert_error(4001007);
    }
    app.corp_auth(&corp.phone, &corp.password).await.assert_error(4001061);
    app.corp_auth(&corp.email.to_uppercase(), &corp.password).await.assert_error(4001061);
}

/// Posts a corp login as if from `client` behind one trusted proxy.
async fn auth_from(app: &TestApp, client: &str, account: &str, password: &str) -> crate::helpers::Answer {
    let request = app
        .client
        .post(app.url("/v2/corp_auth"))
        .header("X-Forwarded-For", client)
        .json(&json!({ "account": account, "password": password }));
    app.send(request).await
}

async fn a_flood_from_one_address_does_not_lock_out_the_owner(backend: Backend) {
    let mut config = test_config();
    config.trusted_proxy_hops = 1;
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    for _ in 0..5 {
        auth_from(&app, "198.51.100.66", &corp.email, "wrong-password").await.assert_error(4001007);
    }
    for _ in 0..5 {
        auth_from(&app, "198.51.100.66", &corp.email, &corp.password).await.assert_error(4001061);
    }
    // The owner, elsewhere, signs in: slowed by the account's failures, never shut out.
    let started = std::time::Instant::now();
    auth_from(&app, "203.0.113.5", &corp.email, &corp.password).await.assert_ok();
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    // Each further guess from anywhere waits longer, up to the cap.
    let started = std::time::Instant::now();
    auth_from(&app, "192.0.2.9", &corp.email, "wrong-password").await.assert_error(4001007);
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
}

async fn the_client_address_is_counted_from_the_trusted_proxy(backend: Backend) {
    let mut config = test_config();
    config.trusted_proxy_hops = 1;
    config.throttle_after_failures = 3;
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    // The client writes a new address each time; our proxy appends the one it saw.
    for i in 0..3 {
        let forwarded = format!("10.9.8.{i}, 198.51.100.7");
        auth_from(&app, &forwarded, &format!("nobody{i}@example.com"), "wrong").await.assert_error(4001007);
    }
    auth_from(&app, "10.9.8.200, 198.51.100.7", &corp.email, &corp.password).await.assert_error(4291001);
    // Another real address is not throttled.
    auth_from(&app, "198.51.100.8", &corp.email, &corp.password).await.assert_ok();
}

async fn cross_site_sign_in_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let form = [("account", corp.email.as_str()), ("password", corp.password.as_str())];
    for (header, value) in
        [("Origin", "https://evil.example"), ("Origin", "null"), ("Referer", "https://evil.example/x")]
    {
        let res = app
            .client
            .post(app.url("/fn/corp_login"))
            .header(header, value)
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
        assert!(res.headers().get("set-cookie").is_none(), "no session for a cross-site sign-in");
    }
    // Our own page signs in.
    let res = app.server_fn("corp_login", &form).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
}

async fn a_rotated_pair_presented_again_revokes_the_login(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, refresh) = app.login(&corp).await;
    let rotated = app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    let new_access = rotated.assert_ok()["access_token"].as_str().unwrap().to_owned();
    // A quarter of a second on, well inside the old two-second grace: a replay, not a race.
    tokio::time::sleep(Duration::from_micros(RACE_ALLOWANCE_US as u64 + 50_000)).await;
    app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await.assert_error(4031022);
    app.get("/v2/corp", Some(&new_access)).await.assert_error(4031003);
}

async fn the_refresh_endpoint_checks_the_portal_even_for_dead_tokens(backend: Backend) {
    let mut config = test_config();
    config.token_ttl = Duration::from_secs(1);
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let a = app.dealer_auth(&corp.corp_id, dealer["email"].as_str().unwrap(), DEALER_PASSWORD).await;
    let (access, refresh) =
        (a.assert_ok()["access_token"].as_str().unwrap(), a.body["refresh_token"].as_str().unwrap());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // Expired, and a dealer's: the corp's endpoint says "not yours", whatever the token's state.
    let body = json!({ "refresh_token": refresh });
    app.post("/v2/corp/token/refresh", &body, Some(access)).await.assert_error(4031001);
    app.post("/v2/dealer/token/refresh", &body, Some(access)).await.assert_error(4031021);
}

// ---- Races ----

async fn parallel_grants_of_one_device_give_it_to_one_key_account(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (product, device) = app.product_with_device(&admin).await;
    let buyers = [id_of(&app.add_heavy_buyer(&admin).await), id_of(&app.add_heavy_buyer(&admin).await)];
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let hb = buyers[i % 2];
            let request = app
                .client
                .post(app.url(&format!("/v2/heavy_buyer/{hb}/grant_device?product_id={product}")))
                .header("Access-Token", admin.clone())
                .json(&json!([{ "device_id": device }]));
            tokio::spawn(async move { (hb, request.send().await.unwrap().status().as_u16()) })
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap());
    }
    assert!(answers.iter().all(|(_, status)| *status == 200 || *status == 400), "no 5xx: {answers:?}");
    let winners: std::collections::HashSet<i64> =
        answers.iter().filter(|(_, status)| *status == 200).map(|(hb, _)| *hb).collect();
    assert_eq!(winners.len(), 1, "exactly one key account got it: {answers:?}");
    let (holder,): (Option<i64>,) =
        app.ctx.db.fetch_one(&Sql::new("SELECT heavy_buyer_id FROM devices WHERE id = $1").bind(device)).await.unwrap();
    assert_eq!(holder, winners.into_iter().next());
}

async fn parallel_role_creation_with_one_name_makes_one_role(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let body = json!({ "name": "Auditors", "features": [1001] });
    let answers = in_parallel(&app, 8, "/v2/member_role_add", Some(&admin), vec![body]).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 1, "{answers:?}");
    assert!(codes(&answers).iter().filter(|&&c| c != 0).all(|&c| c == 4001001), "{answers:?}");
    let roles = app.get("/v2/member_role_list", Some(&admin)).await;
    let named = roles.assert_ok()["list"].as_array().unwrap().iter().filter(|r| r["name"] == json!("Auditors")).count();
    assert_eq!(named, 1);
}

// ---- The audit log ----

async fn audit(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/v2/corp/audit_log", &body, Some(token)).await.assert_ok().clone()
}

async fn the_audit_log_records_changes_and_sign_ins_without_secrets(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    app.corp_auth(&corp.email, "wrong-password").await.assert_error(4001007);
    let (admin, _) = app.login(&corp).await;
    let member = app
        .put(
            &format!("/v2/corp/member/{}", corp.member_id),
            Some(&json!({ "name": "Renamed", "is_notice": true, "is_alert": false })),
            Some(&admin),
        )
        .await;
    member.assert_ok();
    let (added, _, _) = app.add_member(&admin, 2, None).await;

    let log = audit(&app, &admin, json!({ "limit": 50 })).await;
    let list = log["list"].as_array().unwrap();
    let actions: Vec<&str> = list.iter().map(|e| e["action"].as_str().unwrap()).collect();
    // Newest first.
    assert_eq!(actions[..4], ["member.create", "member.update", "sign_in.success", "sign_in.failure"], "{actions:?}");
    let update = &list[1];
    assert_eq!(update["actor"], json!("Renamed"));
    assert_eq!(update["actor_kind"], json!("member"));
    assert_eq!(update["record_id"], json!(corp.member_id.to_string()));
    assert_eq!(update["changes"]["name"], json!({ "from": "acme admin", "to": "Renamed" }));
    assert_eq!(update["client"], json!("127.0.0.1"));
    assert_eq!(list[0]["record_id"], json!(added.to_string()));
    assert_eq!(list[3]["client"], json!("127.0.0.1"));
    let text = log.to_string();
    // No password (the admin's is "secret-1"; the added member's, MEMBER_PASSWORD, is also a
    // prefix of generated emails, so its field name is what is checked), no hash.
    for secret in ["\"password", "password_hash", "argon2", &corp.password] {
        assert!(!text.contains(secret), "{secret} in the log: {text}");
    }
    assert!(!text.contains(&format!("\"{MEMBER_PASSWORD}\"")), "{text}");
    // The list language: one action, and a time range that excludes everything.
    let updates = audit(&app, &admin, json!({ "query": { "action": { "$eq": "member.update" } } })).await;
    assert_eq!(updates["count"], json!(1));
    let future = audit(&app, &admin, json!({ "query": { "create_time": { "$gte": "2999-01-01T00:00:00Z" } } })).await;
    assert_eq!(future["count"], json!(0));
}

async fn the_audit_log_is_for_admins_and_their_own_tenant(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    app.add_member(&admin, 2, None).await;
    let (_, email, password) = app.add_member(&admin, 2, None).await;
    let operator = app.login_as(&email, &password).await;
    app.post("/v2/corp/audit_log", &json!({}), Some(&operator)).await.assert_error(4031005);
    let theirs = audit(&app, &other_admin, json!({ "limit": 100 })).await;
    assert!(!theirs.to_string().contains("member.create"), "another corp's changes: {theirs}");
    let dealer = app.add_dealer(&admin, None).await;
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    app.post("/v2/corp/audit_log", &json!({}), Some(&dealer_token)).await.assert_error(4031001);
}

async fn the_key_account_reads_its_own_audit_log(backend: Backend) {
    let app = spawn(backend).await;
    let KeyAccount { corp, admin, hb, account } = key_account(&app).await;
    let other = app.add_heavy_buyer(&admin).await;
    let other_account = app.heavy_buyer_token(&corp.corp_id, &other).await;
    app.post(&format!("/v2/heavy_buyer/{hb}/organization"), &json!({ "name": "North", "parent": 0 }), Some(&account))
        .await
        .assert_ok();
    let path = format!("/v2/heavy_buyer/{hb}/audit_log");
    let own = app.post(&path, &json!({}), Some(&account)).await;
    let actions: Vec<Value> = own.assert_ok()["list"].as_array().unwrap().iter().map(|e| e["action"].clone()).collect();
    assert_eq!(actions, [json!("organization.create"), json!("sign_in.success")], "{:?}", own.body);
    assert!(!own.body.to_string().contains(BUYER_PASSWORD));
    app.post(&path, &json!({}), Some(&other_account)).await.assert_error(4041031);
    // The corp's admins see it in the corp's log too.
    let corp_log = audit(&app, &admin, json!({ "query": { "action": { "$eq": "organization.create" } } })).await;
    assert_eq!(corp_log["count"], json!(1));
}

async fn retention_removes_only_what_is_old(backend: Backend) {
    let mut config = test_config();
    config.retention = Duration::from_secs(24 * 3600);
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let two_days = 2 * 24 * 3600 * 1000;
    let old = now_ms() - two_days;
    let db = &app.ctx.db;
    db.execute(&Sql::new("UPDATE audit_log SET create_time = $1 WHERE action = $2").bind(old).bind("corp.create"))
        .await
        .unwrap();
    db.execute(
        &Sql::new("INSERT INTO client_failures (client, window_start, failures) VALUES ($1, $2, 3)")
            .bind("198.51.100.1")
            .bind(old),
    )
    .await
    .unwrap();
    let (stale, _) = app.login(&corp).await;
    db.execute(&Sql::new("UPDATE auth_tokens SET expire_time = $1, create_time = $1").bind(old)).await.unwrap();
    db.execute(&Sql::new("UPDATE auth_logins SET create_time = $1").bind(old)).await.unwrap();
    let (fresh, _) = app.login(&corp).await;

    let purged = retention::purge(&app.ctx, now_ms()).await.unwrap();
    assert_eq!(purged.audit_entries, 1, "{purged:?}");
    assert_eq!(purged.failures, 1, "{purged:?}");
    assert!(purged.tokens >= 2 && purged.logins >= 2, "{purged:?}");
    app.get("/v2/corp", Some(&fresh)).await.assert_ok();
    for token in [&admin, &stale] {
        app.get("/v2/corp", Some(token)).await.assert_error(4031003);
    }
    // The fresh sign-ins are still in the log.
    let log = audit(&app, &fresh, json!({})).await;
    assert!(log["count"].as_i64().unwrap() >= 3, "{log}");
    assert_eq!(retention::purge(&app.ctx, now_ms()).await.unwrap(), retention::Purged::default());
}
