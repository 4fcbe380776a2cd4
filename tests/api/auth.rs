//! Corp member login, tokens, refresh, lock and throttle (seed 004 ops 1–3, CONTRACT "Tokens").

use std::time::Duration;

use backoffice::server::db::Sql;
use serde_json::json;

use crate::{
    both_backends,
    helpers::{spawn, spawn_with, test_config, Backend},
};

both_backends!(
    login_with_email_or_phone_answers_tokens,
    wrong_password_and_unknown_account_answer_alike,
    disabled_member_cannot_log_in_and_its_tokens_end,
    corp_info_needs_a_live_token,
    corp_info_answers_the_document_fields,
    refresh_rotates_the_pair,
    replayed_refresh_revokes_the_whole_login,
    wrong_refresh_token_is_refused_and_changes_nothing,
    concurrent_refreshes_give_one_success,
    expired_tokens_are_refused_and_cannot_be_refreshed,
    repeated_wrong_passwords_lock_the_account,
    a_success_resets_the_failure_count,
    many_failures_from_one_address_are_throttled,
);

async fn login_with_email_or_phone_answers_tokens(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    for account in [corp.email.clone(), corp.email.to_uppercase(), corp.phone.clone()] {
        let a = app.corp_auth(&account, &corp.password).await;
        let body = a.assert_ok();
        assert_eq!(body["corp_id"], json!(corp.corp_id));
        assert_eq!(body["member_id"], json!(corp.member_id));
        assert_eq!(body["expire_in"], json!(7200));
        let access = body["access_token"].as_str().unwrap();
        let refresh = body["refresh_token"].as_str().unwrap();
        assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh);
    }
    // Tokens are stored only as hashes.
    let (access, _) = app.login(&corp).await;
    let stored: Option<(String,)> = app
        .ctx
        .db
        .fetch_optional(&Sql::new("SELECT access_hash FROM auth_tokens WHERE access_hash = $1").bind(access))
        .await
        .unwrap();
    assert!(stored.is_none(), "the raw token must not be stored");
}

async fn wrong_password_and_unknown_account_answer_alike(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let wrong = app.corp_auth(&corp.email, "wrong-password").await;
    let unknown = app.corp_auth("nobody@example.com", "wrong-password").await;
    wrong.assert_error(4001007);
    unknown.assert_error(4001007);
    assert_eq!(wrong.body, unknown.body);

    app.post("/v2/corp_auth", &json!({ "account": corp.email }), None).await.assert_error(4001002);
    app.post("/v2/corp_auth", &json!({ "account": "", "password": "x" }), None).await.assert_error(4001002);
    let typed = app.post("/v2/corp_auth", &json!({ "account": 5, "password": "x" }), None).await;
    typed.assert_error(4001001);
    assert!(typed.body["error"]["msg"].as_str().unwrap().contains("account"));
}

async fn disabled_member_cannot_log_in_and_its_tokens_end(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, _) = app.login(&corp).await;
    app.ctx.db.execute(&Sql::new("UPDATE members SET status = 2 WHERE id = $1").bind(corp.member_id)).await.unwrap();
    app.corp_auth(&corp.email, &corp.password).await.assert_error(4001009);
    app.get("/v2/corp", Some(&access)).await.assert_error(4031003);
}

async fn corp_info_needs_a_live_token(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    app.get("/v2/corp", None).await.assert_error(4031002);
    app.get("/v2/corp", Some("not-a-token")).await.assert_error(4031003);
    let (access, _) = app.login(&corp).await;
    let bearer = app.send(app.client.get(app.url("/v2/corp")).bearer_auth(&access)).await;
    assert_eq!(bearer.assert_ok()["id"], json!(corp.corp_id));
}

async fn corp_info_answers_the_document_fields(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (access, _) = app.login(&corp).await;
    let a = app.get("/v2/corp", Some(&access)).await;
    let body = a.assert_ok();
    assert_eq!(body["id"], json!(corp.corp_id));
    assert_eq!(body["corp_id"], json!(corp.corp_id));
    assert_eq!(body["company"], json!("acme Ltd"));
    assert_eq!(body["status"], json!(0));
    assert_eq!(body["device_total"], json!(0));
    assert!(body["device_limit"].as_i64().unwrap() > 0);
    assert!(body["type"].is_i64() && body["logo"].is_string());
    let created = body["create_time"].as_str().unwrap();
    assert!(created.len() == 24 && created.ends_with('Z') && created.as_bytes()[19] == b'.', "{created}");
    assert_eq!(body["member"]["id"], json!(corp.member_id));
    assert_eq!(body["member"]["email"], json!(corp.email));
    assert_eq!(body["member"]["phone"], json!(corp.phone));
    assert_eq!(body["member"]["name"], json!("acme admin"));
    assert!(!body.to_string().contains(&other.corp_id), "nothing of another corp");
    assert!(!body.to_string().contains("argon2"), "no password hash");
}

async fn refresh_rotates_the_pair(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, refresh) = app.login(&corp).await;
    let a = app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    let body = a.assert_ok().clone();
    let new_access = body["access_token"].as_str().unwrap();
    assert_ne!(new_access, access);
    assert_eq!(body["expire_in"], json!(7200));
    app.get("/v2/corp", Some(new_access)).await.assert_ok();
    app.get("/v2/corp", Some(&access)).await.assert_error(4031022);
    app.post("/v2/corp/token/refresh", &json!({}), Some(new_access)).await.assert_error(4001002);
    app.post("/v2/corp/token/refresh", &json!({ "refresh_token": "x" }), None).await.assert_error(4031002);
}

async fn replayed_refresh_revokes_the_whole_login(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, refresh) = app.login(&corp).await;
    let (other_access, _) = app.login(&corp).await;
    let b = app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    let new_access = b.assert_ok()["access_token"].as_str().unwrap().to_owned();
    // Past the race allowance, the old pair comes back: a stolen copy.
    tokio::time::sleep(Duration::from_micros(backoffice::server::auth::token::RACE_ALLOWANCE_US as u64 + 50_000)).await;
    app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await.assert_error(4031022);
    app.get("/v2/corp", Some(&new_access)).await.assert_error(4031003);
    // Another login of the same member is untouched.
    app.get("/v2/corp", Some(&other_access)).await.assert_ok();
}

async fn wrong_refresh_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, refresh) = app.login(&corp).await;
    let (_, other_refresh) = app.login(&corp).await;
    for bad in ["garbage", other_refresh.as_str()] {
        app.post("/v2/corp/token/refresh", &json!({ "refresh_token": bad }), Some(&access)).await.assert_error(4001010);
    }
    app.get("/v2/corp", Some(&access)).await.assert_ok();
    app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await.assert_ok();
}

async fn concurrent_refreshes_give_one_success(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (access, refresh) = app.login(&corp).await;
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let request = app
                .client
                .post(app.url("/v2/corp/token/refresh"))
                .header("Access-Token", access.clone())
                .json(&json!({ "refresh_token": refresh }));
            tokio::spawn(async move {
                let res = request.send().await.unwrap();
                (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap());
    }
    let winners: Vec<_> = answers.iter().filter(|(status, _)| *status == 200).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_eq!((*status, &body["error"]["code"]), (403, &json!(4031022)), "{body}");
    }
    let new_access = winners[0].1["access_token"].as_str().unwrap();
    app.get("/v2/corp", Some(new_access)).await.assert_ok();
}

async fn expired_tokens_are_refused_and_cannot_be_refreshed(backend: Backend) {
    let mut config = test_config();
    config.token_ttl = Duration::from_secs(1);
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    let a = app.corp_auth(&corp.email, &corp.password).await;
    assert_eq!(a.assert_ok()["expire_in"], json!(1));
    let (access, refresh) = app.login(&corp).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.get("/v2/corp", Some(&access)).await.assert_error(4031021);
    app.post("/v2/corp/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await.assert_error(4031021);
}

async fn repeated_wrong_passwords_lock_the_account(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    for _ in 0..5 {
        app.corp_auth(&corp.email, "wrong-password").await.assert_error(4001007);
    }
    // Locked, even with the right password, and under the phone as well.
    app.corp_auth(&corp.email, &corp.password).await.assert_error(4001061);
    let other = app.create_corp("other").await;
    app.login(&other).await;
}

async fn a_success_resets_the_failure_count(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    for _ in 0..4 {
        app.corp_auth(&corp.email, "wrong-password").await.assert_error(4001007);
    }
    app.login(&corp).await;
    for _ in 0..4 {
        app.corp_auth(&corp.email, "wrong-password").await.assert_error(4001007);
    }
    app.login(&corp).await;
}

async fn many_failures_from_one_address_are_throttled(backend: Backend) {
    let mut config = test_config();
    config.throttle_after_failures = 3;
    let app = spawn_with(backend, config).await;
    let corp = app.create_corp("acme").await;
    for i in 0..3 {
        app.corp_auth(&format!("nobody{i}@example.com"), "wrong-password").await.assert_error(4001007);
    }
    let throttled = app.corp_auth(&corp.email, &corp.password).await;
    throttled.assert_error(4291001);
    let retry: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
}
