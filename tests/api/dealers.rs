//! Dealers (seed 002, CONTRACT "Who sees what", "Lists", "Tokens", "Deletes never lose data
//! silently"): adding, codes and the tree, editing, reading, listing, status, deleting, the
//! dealer's login and refresh, what a dealer sees, and who may do what.

use std::collections::HashSet;

use backoffice::server::{clock::now_ms, db::Sql};
use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{new_dealer, spawn, Backend, DEALER_PASSWORD},
};

both_backends!(
    add_dealer_answers_the_new_dealer,
    add_dealer_refuses_unknown_upper_codes,
    add_dealer_validates_its_fields,
    add_dealer_refuses_taken_accounts,
    dealer_codes_are_unique,
    modify_and_get_a_dealer,
    dealer_list_takes_the_query_language,
    disabling_a_dealer_ends_its_logins,
    delete_refuses_a_dealer_with_dealers_below,
    dealer_login_answers_tokens,
    dealer_login_failures_answer_alike,
    dealer_refresh_rotates_the_pair,
    a_dealer_sees_itself_and_those_below,
    dealers_are_isolated_between_corps,
    dealer_and_heavy_buyer_tokens_cannot_manage_dealers,
    dealer_permissions_follow_roles,
);

/// Seed 002's fields, then the original console's profile (issue 14).
const DEALER_FIELDS: [&str; 17] = [
    "id",
    "name",
    "email",
    "phone",
    "address",
    "status",
    "dealer_code",
    "upper_dealer_code",
    "create_time",
    "contacter",
    "region",
    "sale_goal",
    "saled_amount",
    "home_page",
    "country",
    "province",
    "city",
];

const DEALER_LIST: &str = "/v2/dealer_list";

fn dealer_path(id: i64) -> String {
    format!("/v2/dealer/{id}")
}

fn code_path(code: &str) -> String {
    format!("/v2/dealer/dealer_code/{code}")
}

fn status_path(id: i64, status: &str) -> String {
    format!("/v2/dealer/{id}/status/{status}")
}

fn id_of(dealer: &Value) -> i64 {
    dealer["id"].as_i64().expect("dealer id")
}

fn code_of(dealer: &Value) -> String {
    dealer["dealer_code"].as_str().expect("dealer_code").to_owned()
}

fn email_of(dealer: &Value) -> String {
    dealer["email"].as_str().expect("email").to_owned()
}

/// The ids of a `{count, list}` answer, in the answer's order.
fn ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

#[track_caller]
fn assert_dealer_code(code: &str) {
    assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "a dealer code is upper-case alphanumeric: {code:?}"
    );
}

#[track_caller]
fn assert_all_fields(dealer: &Value) {
    let fields = dealer.as_object().expect("an object");
    for key in DEALER_FIELDS {
        assert!(fields.contains_key(key), "{key} missing: {dealer}");
    }
    assert_eq!(fields.len(), DEALER_FIELDS.len(), "only the documented fields: {dealer}");
}

fn edit(name: &str, address: &str) -> Value {
    json!({ "name": name, "address": address })
}

async fn add_dealer_answers_the_new_dealer(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let input = new_dealer("North Shop", None);
    let a = app.post("/v2/dealer", &input, Some(&admin)).await;
    let top = a.assert_ok().clone();
    assert_all_fields(&top);
    assert!(top["id"].is_i64(), "{top}");
    assert_eq!(top["name"], json!("North Shop"));
    assert_eq!(top["email"], input["email"]);
    assert_eq!(top["phone"], input["phone"]);
    assert_eq!(top["address"], input["address"]);
    assert_eq!(top["status"], json!(1));
    let code = code_of(&top);
    assert_dealer_code(&code);
    assert_eq!(top["upper_dealer_code"], json!(""), "a top dealer has no upper: {top}");
    let created = top["create_time"].as_str().expect("create_time");
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");
    assert!(top.get("password").is_none() && !top.to_string().contains("argon2"), "no password: {top}");

    // A sub-dealer carries its upper dealer's code, and has its own.
    let a = app.post("/v2/dealer", &new_dealer("North Kiosk", Some(&code)), Some(&admin)).await;
    let sub = a.assert_ok().clone();
    assert_all_fields(&sub);
    assert_eq!(sub["upper_dealer_code"], json!(code));
    let sub_code = code_of(&sub);
    assert_dealer_code(&sub_code);
    assert_ne!(sub_code, code);
    assert_eq!(sub["status"], json!(1));

    // One level further down, named in lower case: the code is not case-sensitive.
    let a = app.post("/v2/dealer", &new_dealer("North Stall", Some(&sub_code.to_lowercase())), Some(&admin)).await;
    let subsub = a.assert_ok().clone();
    assert_eq!(subsub["upper_dealer_code"], json!(sub_code));

    // The address is optional: empty when left out.
    let mut bare = new_dealer("No Address", None);
    bare.as_object_mut().unwrap().remove("address");
    let a = app.post("/v2/dealer", &bare, Some(&admin)).await;
    assert_eq!(a.assert_ok()["address"], json!(""));
    assert_eq!(a.body["upper_dealer_code"], json!(""));

    // What was answered is what is stored.
    let a = app.get(&dealer_path(id_of(&sub)), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &sub);

    // Without a token: refused.
    app.post("/v2/dealer", &new_dealer("Anon", None), None).await.assert_error(4031002);
}

async fn add_dealer_refuses_unknown_upper_codes(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let ours = app.add_dealer(&admin, None).await;
    let theirs = app.add_dealer(&other_admin, None).await;

    let a = app.post("/v2/dealer", &new_dealer("Orphan", Some("ZZZZZZ")), Some(&admin)).await;
    a.assert_error(4041050);

    // Another corp's dealer code is no upper dealer here.
    let a = app.post("/v2/dealer", &new_dealer("Cross", Some(&code_of(&theirs))), Some(&admin)).await;
    a.assert_error(4041050);

    // Nothing was added.
    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    assert_eq!(ids(&a.body), vec![id_of(&ours)]);
    let a = app.post(DEALER_LIST, &json!({}), Some(&other_admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
}

async fn add_dealer_validates_its_fields(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    // 9–16 characters with upper case, lower case and a digit.
    for bad in ["Abcdefg1", "abcdefgh1", "Abcdefghij", "ABCDEFGH1", "Abcdefghijklmno12"] {
        let mut body = new_dealer("Shop", None);
        body["password"] = json!(bad);
        let a = app.post("/v2/dealer", &body, Some(&admin)).await;
        a.assert_error(4001001);
        assert!(a.body["error"]["msg"].as_str().unwrap().contains("password"), "{bad}: {:?}", a.body);
    }

    let mut no_name = new_dealer("Shop", None);
    no_name.as_object_mut().unwrap().remove("name");
    let a = app.post("/v2/dealer", &no_name, Some(&admin)).await;
    a.assert_error(4001002);
    assert!(a.body["error"]["msg"].as_str().unwrap().contains("name"), "{:?}", a.body);

    let mut blank_name = new_dealer("Shop", None);
    blank_name["name"] = json!("   ");
    app.post("/v2/dealer", &blank_name, Some(&admin)).await.assert_error(4001002);

    let mut no_password = new_dealer("Shop", None);
    no_password.as_object_mut().unwrap().remove("password");
    app.post("/v2/dealer", &no_password, Some(&admin)).await.assert_error(4001002);

    let mut bad_email = new_dealer("Shop", None);
    bad_email["email"] = json!("not-an-email");
    let a = app.post("/v2/dealer", &bad_email, Some(&admin)).await;
    a.assert_error(4001001);
    assert!(a.body["error"]["msg"].as_str().unwrap().contains("email"), "{:?}", a.body);

    let mut bad_phone = new_dealer("Shop", None);
    bad_phone["phone"] = json!("12ab");
    app.post("/v2/dealer", &bad_phone, Some(&admin)).await.assert_error(4001001);

    let mut long_name = new_dealer("Shop", None);
    long_name["name"] = json!("x".repeat(65));
    app.post("/v2/dealer", &long_name, Some(&admin)).await.assert_error(4001001);

    // None of them was added.
    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(0));
}

async fn add_dealer_refuses_taken_accounts(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let first = new_dealer("First", None);
    app.post("/v2/dealer", &first, Some(&admin)).await.assert_ok();

    let mut same_email = new_dealer("Second", None);
    same_email["email"] = first["email"].clone();
    app.post("/v2/dealer", &same_email, Some(&admin)).await.assert_error(4001006);
    same_email["email"] = json!(first["email"].as_str().unwrap().to_uppercase());
    app.post("/v2/dealer", &same_email, Some(&admin)).await.assert_error(4001006);

    let mut same_phone = new_dealer("Second", None);
    same_phone["phone"] = first["phone"].clone();
    app.post("/v2/dealer", &same_phone, Some(&admin)).await.assert_error(4001005);

    let mut same_account = new_dealer("Second", None);
    same_account["email"] = first["email"].clone();
    same_account["phone"] = first["phone"].clone();
    app.post("/v2/dealer", &same_account, Some(&admin)).await.assert_error(4001179);

    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1), "nothing was added");

    // Dealers log in with their corp's id: another corp may use the same email and phone.
    let mut elsewhere = new_dealer("Elsewhere", None);
    elsewhere["email"] = first["email"].clone();
    elsewhere["phone"] = first["phone"].clone();
    let a = app.post("/v2/dealer", &elsewhere, Some(&other_admin)).await;
    assert_eq!(a.assert_ok()["email"], first["email"]);
}

async fn dealer_codes_are_unique(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let top = app.add_dealer(&admin, None).await;
    let top_code = code_of(&top);
    let mut codes = HashSet::new();
    codes.insert(top_code.clone());
    for i in 0..10 {
        let upper = if i % 2 == 0 { None } else { Some(top_code.as_str()) };
        let dealer = app.add_dealer(&admin, upper).await;
        let code = code_of(&dealer);
        assert_dealer_code(&code);
        assert!(codes.insert(code.clone()), "code {code} given twice");
    }
    assert_eq!(codes.len(), 11);

    let a = app.post(DEALER_LIST, &json!({ "limit": 100, "filter": ["dealer_code"] }), Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(11));
    let listed: HashSet<String> = body["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dealer_code"].as_str().expect("dealer_code").to_owned())
        .collect();
    assert_eq!(listed, codes);
}

async fn modify_and_get_a_dealer(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let top = app.add_dealer(&admin, None).await;
    let dealer = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let id = id_of(&dealer);

    let a = app.put(&dealer_path(id), Some(&edit("Renamed Shop", "New Street 9")), Some(&admin)).await;
    let changed = a.assert_ok().clone();
    assert_all_fields(&changed);
    assert_eq!(changed["name"], json!("Renamed Shop"));
    assert_eq!(changed["address"], json!("New Street 9"));
    for key in ["id", "email", "phone", "status", "dealer_code", "upper_dealer_code", "create_time"] {
        assert_eq!(changed[key], dealer[key], "{key} unchanged");
    }

    // Get by id and by code answer the changed dealer.
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &changed);
    let a = app.get(&code_path(&code_of(&dealer)), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &changed);

    // An edit needs a name; the address may be cleared.
    app.put(&dealer_path(id), Some(&json!({ "address": "x" })), Some(&admin)).await.assert_error(4001002);
    app.put(&dealer_path(id), Some(&edit("  ", "x")), Some(&admin)).await.assert_error(4001002);
    app.put(&dealer_path(id), Some(&edit(&"x".repeat(65), "x")), Some(&admin)).await.assert_error(4001001);
    let a = app.put(&dealer_path(id), Some(&edit("Renamed Shop", "")), Some(&admin)).await;
    assert_eq!(a.assert_ok()["address"], json!(""));

    // Unknown and malformed ids.
    app.get(&dealer_path(999_999), Some(&admin)).await.assert_error(4041030);
    app.put(&dealer_path(999_999), Some(&edit("X", "Y")), Some(&admin)).await.assert_error(4041030);
    app.get(&code_path("ZZZZZZ"), Some(&admin)).await.assert_error(4041030);
    // A key that is not a number names a dealer by code (the original console's habit).
    app.get("/v2/dealer/abc", Some(&admin)).await.assert_error(4041030);
    app.put("/v2/dealer/abc", Some(&edit("X", "Y")), Some(&admin)).await.assert_error(4001001);
    app.get(&dealer_path(id), None).await.assert_error(4031002);
}

async fn dealer_list_takes_the_query_language(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let a = app.post("/v2/dealer", &new_dealer("North Shop", None), Some(&admin)).await;
    let north = a.assert_ok().clone();
    let a = app.post("/v2/dealer", &new_dealer("North Kiosk", Some(&code_of(&north))), Some(&admin)).await;
    let kiosk = a.assert_ok().clone();
    let a = app.post("/v2/dealer", &new_dealer("South Shop", None), Some(&admin)).await;
    let south = a.assert_ok().clone();
    app.post("/v2/dealer", &new_dealer("North Elsewhere", None), Some(&other_admin)).await.assert_ok();
    let (n, k, s) = (id_of(&north), id_of(&kiosk), id_of(&south));

    // Everything: this corp's only, id ascending, every field.
    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(3), "{body}");
    assert_eq!(ids(body), vec![n, k, s]);
    for dealer in body["list"].as_array().unwrap() {
        assert_all_fields(dealer);
    }

    // The dealers under one upper dealer.
    let a = app.post(DEALER_LIST, &json!({ "query": { "upper_dealer_code": code_of(&north) } }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    assert_eq!(ids(&a.body), vec![k]);

    // The top dealers, id descending, projected.
    let query = json!({
        "query": { "upper_dealer_code": { "$eq": "" } },
        "order": { "id": "desc" },
        "filter": ["id", "dealer_code"],
    });
    let a = app.post(DEALER_LIST, &query, Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2), "{body}");
    assert_eq!(ids(body), vec![s, n]);
    for dealer in body["list"].as_array().unwrap() {
        let keys = dealer.as_object().unwrap();
        assert_eq!(keys.len(), 2, "only the filtered keys: {dealer}");
        assert!(keys.contains_key("id") && keys.contains_key("dealer_code"), "{dealer}");
    }

    // Substring match, case-insensitive, never another corp's.
    let a = app.post(DEALER_LIST, &json!({ "query": { "name": { "$like": "NORTH" } } }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(2));
    assert_eq!(ids(&a.body), vec![n, k]);

    // Order by name.
    let a = app.post(DEALER_LIST, &json!({ "order": { "name": "asc" } }), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![k, n, s]);

    // Paging: the count is every match, not the page.
    let a = app.post(DEALER_LIST, &json!({ "offset": 1, "limit": 1 }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(3));
    assert_eq!(ids(&a.body), vec![k]);

    let a = app.post(DEALER_LIST, &json!({ "query": { "status": { "$in": [0] } } }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(0));

    // The other corp sees its own only.
    let a = app.post(DEALER_LIST, &json!({ "limit": 100 }), Some(&other_admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(1));
    let theirs = ids(body);
    assert!(!theirs.contains(&n) && !theirs.contains(&k) && !theirs.contains(&s), "{body}");

    let refused = [
        json!({ "filter": ["id", "password"] }),
        json!({ "query": { "password": { "$eq": "x" } } }),
        json!({ "query": { "nope": 1 } }),
        json!({ "query": { "name": { "$regex": "a" } } }),
        json!({ "query": { "status": "one" } }),
        json!({ "order": { "name": "up" } }),
        json!({ "limit": 0 }),
        json!({ "limit": 1001 }),
    ];
    for body in refused {
        app.post(DEALER_LIST, &body, Some(&admin)).await.assert_error(4001001);
    }
    app.post(DEALER_LIST, &json!({}), None).await.assert_error(4031002);
}

async fn disabling_a_dealer_ends_its_logins(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let id = id_of(&dealer);
    let email = email_of(&dealer);
    let token = app.dealer_token(&corp.corp_id, &dealer).await;
    app.get(&dealer_path(id), Some(&token)).await.assert_ok();

    app.put(&status_path(id, "0"), None, Some(&admin)).await.assert_empty();
    app.get(&dealer_path(id), Some(&token)).await.assert_error(4031003);
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(0));
    app.dealer_auth(&corp.corp_id, &email, DEALER_PASSWORD).await.assert_error(4001117);
    // Only someone who knows the password learns that the dealer is disabled.
    app.dealer_auth(&corp.corp_id, &email, "Wrong-pass1").await.assert_error(4001007);
    let a = app.post(DEALER_LIST, &json!({ "query": { "status": 0 } }), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);

    app.put(&status_path(id, "1"), None, Some(&admin)).await.assert_empty();
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(1));
    let fresh = app.dealer_token(&corp.corp_id, &dealer).await;
    let a = app.get(&dealer_path(id), Some(&fresh)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    // The token from before stays dead.
    app.get(&dealer_path(id), Some(&token)).await.assert_error(4031003);

    for bad in ["2", "-1", "abc"] {
        app.put(&status_path(id, bad), None, Some(&admin)).await.assert_error(4001001);
    }
    app.put(&status_path(999_999, "0"), None, Some(&admin)).await.assert_error(4041030);
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(1), "the refused calls changed nothing");
}

async fn delete_refuses_a_dealer_with_dealers_below(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let top = app.add_dealer(&admin, None).await;
    let top_code = code_of(&top);
    let sub = app.add_dealer(&admin, Some(&top_code)).await;
    let sub_code = code_of(&sub);
    let (top_id, sub_id) = (id_of(&top), id_of(&sub));
    let top_token = app.dealer_token(&corp.corp_id, &top).await;
    let sub_token = app.dealer_token(&corp.corp_id, &sub).await;

    // A device sold through the sub-dealer.
    let product = app.insert_product(&corp.corp_id).await;
    let (device,): (i64,) = app
        .ctx
        .db
        .fetch_one(
            &Sql::new(
                "INSERT INTO devices (corp_id, product_id, mac, create_time, dealer_id, dealer_scope) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(corp.corp_id.clone())
            .bind(product)
            .bind("A1B2C3D4E5F6".to_owned())
            .bind(now_ms())
            .bind(sub_id)
            .bind(format!("{top_code},{sub_code}")),
        )
        .await
        .expect("device inserted");

    let a = app.delete(&dealer_path(top_id), Some(&admin)).await;
    a.assert_error(4001001);
    assert!(a.body["error"]["msg"].as_str().unwrap().contains(&sub_code), "names the dealer below: {:?}", a.body);

    // Nothing changed.
    let a = app.get(&dealer_path(top_id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &top);
    let a = app.get(&dealer_path(sub_id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &sub);
    app.get(&dealer_path(top_id), Some(&top_token)).await.assert_ok();
    app.get(&dealer_path(sub_id), Some(&sub_token)).await.assert_ok();

    // The sub-dealer goes first; its device returns to the upper dealer's scope.
    app.delete(&dealer_path(sub_id), Some(&admin)).await.assert_empty();
    app.get(&dealer_path(sub_id), Some(&admin)).await.assert_error(4041030);
    app.get(&code_path(&sub_code), Some(&admin)).await.assert_error(4041030);
    app.get(&dealer_path(sub_id), Some(&sub_token)).await.assert_error(4031003);
    app.dealer_auth(&corp.corp_id, &email_of(&sub), DEALER_PASSWORD).await.assert_error(4001007);
    let row: Option<(Option<i64>, Option<String>)> = app
        .ctx
        .db
        .fetch_optional(&Sql::new("SELECT dealer_id, dealer_scope FROM devices WHERE id = $1").bind(device))
        .await
        .unwrap();
    assert_eq!(row, Some((Some(top_id), Some(top_code.clone()))), "the device moved up, not lost");
    app.get(&dealer_path(top_id), Some(&top_token)).await.assert_ok();

    // Now the top dealer can go.
    app.delete(&dealer_path(top_id), Some(&admin)).await.assert_empty();
    app.get(&dealer_path(top_id), Some(&top_token)).await.assert_error(4031003);
    app.get(&dealer_path(top_id), Some(&admin)).await.assert_error(4041030);
    app.delete(&dealer_path(top_id), Some(&admin)).await.assert_error(4041030);
    let row: Option<(Option<i64>, Option<String>)> = app
        .ctx
        .db
        .fetch_optional(&Sql::new("SELECT dealer_id, dealer_scope FROM devices WHERE id = $1").bind(device))
        .await
        .unwrap();
    assert_eq!(row, Some((None, None)), "the device stays, with no dealer");
    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(0));
    app.delete("/v2/dealer/abc", Some(&admin)).await.assert_error(4001001);
}

async fn dealer_login_answers_tokens(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let id = id_of(&dealer);
    let email = email_of(&dealer);
    let phone = dealer["phone"].as_str().unwrap().to_owned();

    for account in [email.clone(), email.to_uppercase(), phone] {
        let a = app.dealer_auth(&corp.corp_id, &account, DEALER_PASSWORD).await;
        let body = a.assert_ok().clone();
        assert_eq!(body.as_object().unwrap().len(), 4, "{body}");
        assert_eq!(body["dealer_id"], json!(id));
        assert_eq!(body["expire_in"], json!(7200));
        let access = body["access_token"].as_str().expect("access_token");
        let refresh = body["refresh_token"].as_str().expect("refresh_token");
        assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh, "{body}");
        let a = app.get(&dealer_path(id), Some(access)).await;
        assert_eq!(a.assert_ok()["id"], json!(id), "{account}");
    }
}

async fn dealer_login_failures_answer_alike(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let email = email_of(&dealer);

    let wrong = app.dealer_auth(&corp.corp_id, &email, "Wrong-pass1").await;
    let unknown = app.dealer_auth(&corp.corp_id, "nobody@example.com", "Wrong-pass1").await;
    wrong.assert_error(4001007);
    unknown.assert_error(4001007);
    assert_eq!(wrong.body, unknown.body, "an unknown account answers as a wrong password");

    // The right password with another corp's id, or a corp that does not exist.
    app.dealer_auth(&other.corp_id, &email, DEALER_PASSWORD).await.assert_error(4001007);
    app.dealer_auth("no-such-corp", &email, DEALER_PASSWORD).await.assert_error(4001007);
    // A corp member's credentials are not a dealer's.
    app.dealer_auth(&corp.corp_id, &corp.email, &corp.password).await.assert_error(4001007);

    app.dealer_auth(&corp.corp_id, "", DEALER_PASSWORD).await.assert_error(4001002);

    // Without a corp id (as the original console signs in), an account of one dealer is enough
    // — the wrong password is still refused alike — and an account that several corps' dealers
    // use is asked for its corp id.
    let missing_corp = json!({ "account": email, "password": DEALER_PASSWORD });
    let a = app.post("/v2/dealer_auth", &missing_corp, None).await;
    assert_eq!(a.assert_ok()["dealer_id"], dealer["id"]);
    let blank_corp = json!({ "corp_id": "", "account": email, "password": "Wrong-pass1" });
    assert_eq!(app.post("/v2/dealer_auth", &blank_corp, None).await.body, wrong.body);
    let unknown = json!({ "account": "nobody@example.com", "password": "Wrong-pass1" });
    assert_eq!(app.post("/v2/dealer_auth", &unknown, None).await.body, wrong.body);
    let (other_admin, _) = app.login(&other).await;
    let mut twin = new_dealer("twin", None);
    twin["email"] = json!(email);
    app.post("/v2/dealer", &twin, Some(&other_admin)).await.assert_ok();
    let a = app.post("/v2/dealer_auth", &missing_corp, None).await;
    a.assert_error(4001002);
    assert!(a.body["error"]["msg"].as_str().unwrap().starts_with("corp_id"), "{}", a.body);

    // After all that, the right password still works.
    app.dealer_auth(&corp.corp_id, &email, DEALER_PASSWORD).await.assert_ok();
}

async fn dealer_refresh_rotates_the_pair(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let id = id_of(&dealer);
    let a = app.dealer_auth(&corp.corp_id, &email_of(&dealer), DEALER_PASSWORD).await;
    let access = a.assert_ok()["access_token"].as_str().unwrap().to_owned();
    let refresh = a.body["refresh_token"].as_str().unwrap().to_owned();

    let a = app.post("/v2/dealer/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    let body = a.assert_ok().clone();
    let new_access = body["access_token"].as_str().expect("access_token").to_owned();
    let new_refresh = body["refresh_token"].as_str().expect("refresh_token").to_owned();
    assert_eq!(body["expire_in"], json!(7200));
    assert!(new_access != access && new_refresh != refresh, "{body}");

    let a = app.get(&dealer_path(id), Some(&new_access)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    app.get(&dealer_path(id), Some(&access)).await.assert_error(4031022);

    // The new pair rotates in turn.
    let a = app.post("/v2/dealer/token/refresh", &json!({ "refresh_token": new_refresh }), Some(&new_access)).await;
    let newest = a.assert_ok()["access_token"].as_str().unwrap().to_owned();
    app.get(&dealer_path(id), Some(&newest)).await.assert_ok();
    app.post("/v2/dealer/token/refresh", &json!({ "refresh_token": "" }), Some(&newest)).await.assert_error(4001002);

    // A corp member's pair is refused here and left working.
    let (member_access, member_refresh) = app.login(&corp).await;
    let body = json!({ "refresh_token": member_refresh });
    app.post("/v2/dealer/token/refresh", &body, Some(&member_access)).await.assert_error(4031001);
    app.get("/v2/corp", Some(&member_access)).await.assert_ok();

    app.post("/v2/dealer/token/refresh", &json!({ "refresh_token": "x" }), None).await.assert_error(4031002);
}

async fn a_dealer_sees_itself_and_those_below(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    // A ─┬─ B ── D
    //    └─ C
    // E (another top dealer)
    let a = app.add_dealer(&admin, None).await;
    let b = app.add_dealer(&admin, Some(&code_of(&a))).await;
    let c = app.add_dealer(&admin, Some(&code_of(&a))).await;
    let d = app.add_dealer(&admin, Some(&code_of(&b))).await;
    let e = app.add_dealer(&admin, None).await;
    assert_eq!(d["upper_dealer_code"], json!(code_of(&b)));
    let a_token = app.dealer_token(&corp.corp_id, &a).await;
    let b_token = app.dealer_token(&corp.corp_id, &b).await;
    let d_token = app.dealer_token(&corp.corp_id, &d).await;

    let all = json!({ "limit": 100 });
    let r = app.post(DEALER_LIST, &all, Some(&a_token)).await;
    let body = r.assert_ok();
    assert_eq!(body["count"], json!(4), "{body}");
    assert_eq!(sorted(ids(body)), sorted(vec![id_of(&a), id_of(&b), id_of(&c), id_of(&d)]));

    let r = app.post(DEALER_LIST, &all, Some(&b_token)).await;
    let body = r.assert_ok();
    assert_eq!(body["count"], json!(2), "{body}");
    assert_eq!(sorted(ids(body)), sorted(vec![id_of(&b), id_of(&d)]));

    let r = app.post(DEALER_LIST, &all, Some(&d_token)).await;
    assert_eq!(ids(r.assert_ok()), vec![id_of(&d)]);

    // The list language narrows within the scope, never beyond it.
    let q = json!({ "query": { "upper_dealer_code": code_of(&a) } });
    let r = app.post(DEALER_LIST, &q, Some(&b_token)).await;
    assert_eq!(r.assert_ok()["count"], json!(1));
    assert_eq!(ids(&r.body), vec![id_of(&b)]);

    // B reads itself and D; not its sibling, its upper, nor another tree.
    let r = app.get(&dealer_path(id_of(&b)), Some(&b_token)).await;
    assert_eq!(r.assert_ok(), &b);
    let r = app.get(&dealer_path(id_of(&d)), Some(&b_token)).await;
    assert_eq!(r.assert_ok(), &d);
    app.get(&dealer_path(id_of(&c)), Some(&b_token)).await.assert_error(4041030);
    app.get(&dealer_path(id_of(&a)), Some(&b_token)).await.assert_error(4041030);
    app.get(&dealer_path(id_of(&e)), Some(&b_token)).await.assert_error(4041030);
    app.get(&code_path(&code_of(&c)), Some(&b_token)).await.assert_error(4041030);
    app.get(&code_path(&code_of(&a)), Some(&b_token)).await.assert_error(4041030);
    let r = app.get(&code_path(&code_of(&d)), Some(&b_token)).await;
    assert_eq!(r.assert_ok()["id"], json!(id_of(&d)));

    // A reads any depth below it, but not E.
    app.get(&dealer_path(id_of(&d)), Some(&a_token)).await.assert_ok();
    app.get(&dealer_path(id_of(&c)), Some(&a_token)).await.assert_ok();
    app.get(&dealer_path(id_of(&e)), Some(&a_token)).await.assert_error(4041030);
    // D reads nobody above it.
    app.get(&dealer_path(id_of(&b)), Some(&d_token)).await.assert_error(4041030);
}

async fn dealers_are_isolated_between_corps(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let ours = app.add_dealer(&admin, None).await;
    let id = id_of(&ours);
    let theirs = app.add_dealer(&other_admin, None).await;

    app.get(&dealer_path(id), Some(&other_admin)).await.assert_error(4041030);
    app.get(&code_path(&code_of(&ours)), Some(&other_admin)).await.assert_error(4041030);
    app.put(&dealer_path(id), Some(&edit("Stolen", "Nowhere")), Some(&other_admin)).await.assert_error(4041030);
    app.put(&status_path(id, "0"), None, Some(&other_admin)).await.assert_error(4041030);
    app.put(&status_path(id, "1"), None, Some(&other_admin)).await.assert_error(4041030);
    app.delete(&dealer_path(id), Some(&other_admin)).await.assert_error(4041030);

    let a = app.post(DEALER_LIST, &json!({ "limit": 1000 }), Some(&other_admin)).await;
    let listed = ids(a.assert_ok());
    assert_eq!(listed, vec![id_of(&theirs)], "only their own");

    // Our dealer is untouched and still logs in.
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &ours);
    app.dealer_token(&corp.corp_id, &ours).await;

    // Their dealer's token does not reach ours.
    let their_token = app.dealer_token(&other.corp_id, &theirs).await;
    app.get(&dealer_path(id), Some(&their_token)).await.assert_error(4041030);
    let a = app.post(DEALER_LIST, &json!({}), Some(&their_token)).await;
    assert_eq!(ids(a.assert_ok()), vec![id_of(&theirs)]);
}

async fn dealer_and_heavy_buyer_tokens_cannot_manage_dealers(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = app.add_dealer(&admin, None).await;
    let sub = app.add_dealer(&admin, Some(&code_of(&dealer))).await;
    let (id, sub_id) = (id_of(&dealer), id_of(&sub));
    let token = app.dealer_token(&corp.corp_id, &dealer).await;

    let a = app.post("/v2/dealer", &new_dealer("Mine", Some(&code_of(&dealer))), Some(&token)).await;
    a.assert_error(4031001);
    app.put(&dealer_path(sub_id), Some(&edit("Renamed", "x")), Some(&token)).await.assert_error(4031001);
    app.put(&dealer_path(id), Some(&edit("Renamed", "x")), Some(&token)).await.assert_error(4031001);
    app.put(&status_path(sub_id, "0"), None, Some(&token)).await.assert_error(4031001);
    app.delete(&dealer_path(sub_id), Some(&token)).await.assert_error(4031001);
    app.get("/v2/corp", Some(&token)).await.assert_error(4031001);

    // A heavy buyer's token reads no dealers.
    let buyer = app.add_heavy_buyer(&admin).await;
    let buyer_token = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    app.post(DEALER_LIST, &json!({}), Some(&buyer_token)).await.assert_error(4031001);
    app.get(&dealer_path(id), Some(&buyer_token)).await.assert_error(4031001);
    app.get(&code_path(&code_of(&dealer)), Some(&buyer_token)).await.assert_error(4031001);

    // Nothing changed.
    let a = app.post(DEALER_LIST, &json!({}), Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2));
    assert_eq!(body["list"][0], dealer);
    assert_eq!(body["list"][1], sub);
}

async fn dealer_permissions_follow_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    // Operations manages dealers.
    let (_, ops_email, ops_password) = app.add_member(&admin, 2, None).await;
    let ops = app.login_as(&ops_email, &ops_password).await;
    let a = app.post("/v2/dealer", &new_dealer("Ops Shop", None), Some(&ops)).await;
    let added = a.assert_ok().clone();
    let id = id_of(&added);
    let a = app.put(&dealer_path(id), Some(&edit("Ops Renamed", "Ops Road")), Some(&ops)).await;
    assert_eq!(a.assert_ok()["name"], json!("Ops Renamed"));
    app.put(&status_path(id, "0"), None, Some(&ops)).await.assert_empty();
    let a = app.get(&dealer_path(id), Some(&ops)).await;
    assert_eq!(a.assert_ok()["status"], json!(0));
    app.put(&status_path(id, "1"), None, Some(&ops)).await.assert_empty();
    let spare = app.add_dealer(&ops, None).await;
    app.delete(&dealer_path(id_of(&spare)), Some(&ops)).await.assert_empty();
    let a = app.post(DEALER_LIST, &json!({}), Some(&ops)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);

    // A developer reads dealers but changes none.
    let (_, dev_email, dev_password) = app.add_member(&admin, 3, None).await;
    let dev = app.login_as(&dev_email, &dev_password).await;
    let a = app.post(DEALER_LIST, &json!({}), Some(&dev)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);
    let a = app.get(&dealer_path(id), Some(&dev)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    let a = app.get(&code_path(&code_of(&added)), Some(&dev)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    app.post("/v2/dealer", &new_dealer("Dev Shop", None), Some(&dev)).await.assert_error(4031001);
    app.put(&dealer_path(id), Some(&edit("Dev", "x")), Some(&dev)).await.assert_error(4031001);
    app.put(&status_path(id, "0"), None, Some(&dev)).await.assert_error(4031001);
    app.delete(&dealer_path(id), Some(&dev)).await.assert_error(4031001);

    // A custom role with no features sees nothing.
    let nothing = app.add_role(&admin, "nothing", &[]).await;
    let (_, bare_email, bare_password) = app.add_member(&admin, 99, Some(nothing)).await;
    let bare = app.login_as(&bare_email, &bare_password).await;
    app.post(DEALER_LIST, &json!({}), Some(&bare)).await.assert_error(4031001);
    app.get(&dealer_path(id), Some(&bare)).await.assert_error(4031001);
    app.post("/v2/dealer", &new_dealer("Bare Shop", None), Some(&bare)).await.assert_error(4031001);

    // A custom role with "view dealers" reads them.
    let reader = app.add_role(&admin, "dealer reader", &[1201]).await;
    let (_, reader_email, reader_password) = app.add_member(&admin, 99, Some(reader)).await;
    let reader_token = app.login_as(&reader_email, &reader_password).await;
    let a = app.post(DEALER_LIST, &json!({}), Some(&reader_token)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);
    app.put(&status_path(id, "0"), None, Some(&reader_token)).await.assert_error(4031001);

    // Nothing the refused calls attempted happened.
    let a = app.get(&dealer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["name"], json!("Ops Renamed"));
    assert_eq!(a.body["status"], json!(1));
}
