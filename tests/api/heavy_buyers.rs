//! Heavy buyers (seed 000, CONTRACT "Who sees what", "Lists", "Tokens", "Deletes never lose
//! data silently"): adding, editing, reading, listing, disabling and enabling, deleting with
//! what belongs to them, the heavy buyer's login and refresh, and who may do what.

use backoffice::server::{clock::now_ms, db::Sql, secret::random_hex};
use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{new_dealer, new_heavy_buyer, spawn, Backend, TestApp, BUYER_PASSWORD, DEALER_PASSWORD},
};

both_backends!(
    add_heavy_buyer_answers_every_field,
    add_heavy_buyer_validates_its_fields,
    add_heavy_buyer_refuses_taken_accounts,
    modify_and_get_a_heavy_buyer,
    heavy_buyer_list_takes_the_query_language,
    disable_ends_logins_and_enable_restores_them,
    delete_releases_devices_and_removes_organizations,
    heavy_buyer_login_and_refresh,
    heavy_buyers_are_isolated,
    heavy_buyer_permissions_follow_roles,
);

/// Seed 000's fields, then the original console's (issue 14).
const BUYER_FIELDS: [&str; 14] = [
    "id",
    "name",
    "email",
    "phone",
    "industry",
    "location",
    "contacter",
    "contact_way",
    "status",
    "create_time",
    "country",
    "province",
    "city",
    "device_sum",
];

const PROFILE_FIELDS: [&str; 5] = ["name", "industry", "location", "contacter", "contact_way"];

const BUYER_LIST: &str = "/v2/heavy_buyer_list";

fn buyer_path(id: i64) -> String {
    format!("/v2/heavy_buyer/{id}")
}

fn id_of(buyer: &Value) -> i64 {
    buyer["id"].as_i64().expect("heavy buyer id")
}

fn email_of(buyer: &Value) -> String {
    buyer["email"].as_str().expect("email").to_owned()
}

/// The ids of a `{count, list}` answer, in the answer's order.
fn ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().expect("list").iter().map(|b| b["id"].as_i64().expect("id")).collect()
}

#[track_caller]
fn assert_all_fields(buyer: &Value) {
    let fields = buyer.as_object().expect("an object");
    for key in BUYER_FIELDS {
        assert!(fields.contains_key(key), "{key} missing: {buyer}");
    }
    assert_eq!(fields.len(), BUYER_FIELDS.len(), "only the documented fields: {buyer}");
}

fn profile(name: &str, industry: &str) -> Value {
    json!({
        "name": name,
        "industry": industry,
        "location": "Hangzhou",
        "contacter": "Han Meimei",
        "contact_way": "0571-5555-0199",
    })
}

/// How many rows of `table` belong to the heavy buyer `id`.
async fn rows_of(app: &TestApp, table: &'static str, id: i64) -> i64 {
    let sql = match table {
        "organizations" => "SELECT COUNT(*) FROM organizations WHERE heavy_buyer_id = $1",
        "org_users" => "SELECT COUNT(*) FROM org_users WHERE heavy_buyer_id = $1",
        _ => panic!("unknown table {table}"),
    };
    let (n,): (i64,) = app.ctx.db.fetch_one(&Sql::new(sql).bind(id)).await.expect("count");
    n
}

async fn add_heavy_buyer_answers_every_field(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let input = new_heavy_buyer("Alpha Mart");
    let a = app.post("/v2/heavy_buyer", &input, Some(&admin)).await;
    let body = a.assert_ok().clone();
    assert_all_fields(&body);
    assert!(body["id"].is_i64(), "{body}");
    for key in ["name", "email", "phone", "industry", "location", "contacter", "contact_way"] {
        assert_eq!(body[key], input[key], "{key}");
    }
    assert_eq!(body["status"], json!(1));
    let created = body["create_time"].as_str().expect("create_time");
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");
    assert!(body.get("password").is_none() && !body.to_string().contains("argon2"), "no password: {body}");

    // What was answered is what is stored, and it logs in at once.
    let a = app.get(&buyer_path(id_of(&body)), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &body);
    app.heavy_buyer_token(&corp.corp_id, &body).await;

    app.post("/v2/heavy_buyer", &new_heavy_buyer("Anon"), None).await.assert_error(4031002);
}

async fn add_heavy_buyer_validates_its_fields(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let mut no_industry = new_heavy_buyer("Shop");
    no_industry.as_object_mut().unwrap().remove("industry");
    let a = app.post("/v2/heavy_buyer", &no_industry, Some(&admin)).await;
    a.assert_error(4001002);
    assert!(a.body["error"]["msg"].as_str().unwrap().contains("industry"), "{:?}", a.body);

    // Every profile field is required, absent or blank.
    for field in PROFILE_FIELDS {
        let mut missing = new_heavy_buyer("Shop");
        missing.as_object_mut().unwrap().remove(field);
        let a = app.post("/v2/heavy_buyer", &missing, Some(&admin)).await;
        a.assert_error(4001002);
        assert!(a.body["error"]["msg"].as_str().unwrap().contains(field), "{field}: {:?}", a.body);
        let mut blank = new_heavy_buyer("Shop");
        blank[field] = json!("  ");
        app.post("/v2/heavy_buyer", &blank, Some(&admin)).await.assert_error(4001002);
    }
    for field in ["email", "phone", "password"] {
        let mut missing = new_heavy_buyer("Shop");
        missing.as_object_mut().unwrap().remove(field);
        app.post("/v2/heavy_buyer", &missing, Some(&admin)).await.assert_error(4001002);
    }

    for bad in ["Abcdefg1", "abcdefgh1", "ABCDEFGH1", "Abcdefghij", "Abcdefghijklmno12"] {
        let mut body = new_heavy_buyer("Shop");
        body["password"] = json!(bad);
        let a = app.post("/v2/heavy_buyer", &body, Some(&admin)).await;
        a.assert_error(4001001);
        assert!(a.body["error"]["msg"].as_str().unwrap().contains("password"), "{bad}: {:?}", a.body);
    }

    let mut bad_email = new_heavy_buyer("Shop");
    bad_email["email"] = json!("not-an-email");
    app.post("/v2/heavy_buyer", &bad_email, Some(&admin)).await.assert_error(4001001);
    let mut bad_phone = new_heavy_buyer("Shop");
    bad_phone["phone"] = json!("12ab");
    app.post("/v2/heavy_buyer", &bad_phone, Some(&admin)).await.assert_error(4001001);
    let mut typed = new_heavy_buyer("Shop");
    typed["industry"] = json!(5);
    app.post("/v2/heavy_buyer", &typed, Some(&admin)).await.assert_error(4001001);

    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(0), "none was added");
}

async fn add_heavy_buyer_refuses_taken_accounts(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let first = new_heavy_buyer("First");
    app.post("/v2/heavy_buyer", &first, Some(&admin)).await.assert_ok();

    let mut same_email = new_heavy_buyer("Second");
    same_email["email"] = first["email"].clone();
    app.post("/v2/heavy_buyer", &same_email, Some(&admin)).await.assert_error(4001006);
    same_email["email"] = json!(first["email"].as_str().unwrap().to_uppercase());
    app.post("/v2/heavy_buyer", &same_email, Some(&admin)).await.assert_error(4001006);

    let mut same_phone = new_heavy_buyer("Second");
    same_phone["phone"] = first["phone"].clone();
    app.post("/v2/heavy_buyer", &same_phone, Some(&admin)).await.assert_error(4001005);

    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1), "nothing was added");

    // Another corp may use the same email and phone.
    let mut elsewhere = new_heavy_buyer("Elsewhere");
    elsewhere["email"] = first["email"].clone();
    elsewhere["phone"] = first["phone"].clone();
    let a = app.post("/v2/heavy_buyer", &elsewhere, Some(&other_admin)).await;
    assert_eq!(a.assert_ok()["email"], first["email"]);
    assert_eq!(a.body["phone"], first["phone"]);
}

async fn modify_and_get_a_heavy_buyer(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let id = id_of(&buyer);

    let change = json!({
        "name": "Renamed Buyer",
        "industry": "Logistics",
        "location": "Shenzhen",
        "contacter": "Wang Wu",
        "contact_way": "wang@example.com",
    });
    let a = app.put(&buyer_path(id), Some(&change), Some(&admin)).await;
    let changed = a.assert_ok().clone();
    assert_all_fields(&changed);
    for key in PROFILE_FIELDS {
        assert_eq!(changed[key], change[key], "{key}");
    }
    for key in ["id", "email", "phone", "status", "create_time"] {
        assert_eq!(changed[key], buyer[key], "{key} unchanged");
    }
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &changed);

    // Every profile field is required in an edit too.
    let mut partial = change.clone();
    partial.as_object_mut().unwrap().remove("contact_way");
    app.put(&buyer_path(id), Some(&partial), Some(&admin)).await.assert_error(4001002);
    let mut blank = change.clone();
    blank["name"] = json!("");
    app.put(&buyer_path(id), Some(&blank), Some(&admin)).await.assert_error(4001002);
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &changed, "the refused edits changed nothing");

    app.get(&buyer_path(999_999), Some(&admin)).await.assert_error(4041031);
    app.put(&buyer_path(999_999), Some(&change), Some(&admin)).await.assert_error(4041031);
    app.get("/v2/heavy_buyer/abc", Some(&admin)).await.assert_error(4001001);
    app.get(&buyer_path(id), None).await.assert_error(4031002);
}

async fn heavy_buyer_list_takes_the_query_language(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let mut added = Vec::new();
    for (name, industry) in [("Alpha Mart", "Retail"), ("Beta Foods", "Catering"), ("Gamma Mart", "Retail")] {
        let mut body = new_heavy_buyer(name);
        body["industry"] = json!(industry);
        let a = app.post("/v2/heavy_buyer", &body, Some(&admin)).await;
        added.push(id_of(a.assert_ok()));
    }
    let (alpha, beta, gamma) = (added[0], added[1], added[2]);
    let a = app.post("/v2/heavy_buyer", &new_heavy_buyer("Alpha Elsewhere"), Some(&other_admin)).await;
    let theirs = id_of(a.assert_ok());

    // Everything: this corp's only, id ascending, every field.
    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(3), "{body}");
    assert_eq!(ids(body), vec![alpha, beta, gamma]);
    for buyer in body["list"].as_array().unwrap() {
        assert_all_fields(buyer);
    }

    let query = json!({
        "query": { "industry": "Retail" },
        "order": { "id": "desc" },
        "filter": ["id", "name"],
    });
    let a = app.post(BUYER_LIST, &query, Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2), "{body}");
    assert_eq!(ids(body), vec![gamma, alpha]);
    for buyer in body["list"].as_array().unwrap() {
        let keys = buyer.as_object().unwrap();
        assert_eq!(keys.len(), 2, "only the filtered keys: {buyer}");
        assert!(keys.contains_key("id") && keys.contains_key("name"), "{buyer}");
    }

    let a = app.post(BUYER_LIST, &json!({ "query": { "name": { "$like": "MART" } } }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(2));
    assert_eq!(ids(&a.body), vec![alpha, gamma]);
    let a = app.post(BUYER_LIST, &json!({ "query": { "name": { "$like": "alpha" } } }), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![alpha], "never another corp's");

    let a = app.post(BUYER_LIST, &json!({ "offset": 2, "limit": 5 }), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(3));
    assert_eq!(ids(&a.body), vec![gamma]);

    // Status follows disabling.
    app.put(&format!("/v2/heavy_buyer/{beta}/disable"), None, Some(&admin)).await.assert_empty();
    let a = app.post(BUYER_LIST, &json!({ "query": { "status": 0 } }), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![beta]);
    let a = app.post(BUYER_LIST, &json!({ "query": { "status": { "$in": [1] } } }), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![alpha, gamma]);

    let a = app.post(BUYER_LIST, &json!({ "limit": 1000 }), Some(&other_admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![theirs]);

    let refused = [
        json!({ "filter": ["id", "password"] }),
        json!({ "query": { "password": "x" } }),
        json!({ "query": { "nope": 1 } }),
        json!({ "query": { "name": { "$regex": "a" } } }),
        json!({ "limit": 0 }),
        json!({ "limit": 1001 }),
    ];
    for body in refused {
        app.post(BUYER_LIST, &body, Some(&admin)).await.assert_error(4001001);
    }
}

async fn disable_ends_logins_and_enable_restores_them(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let id = id_of(&buyer);
    let email = email_of(&buyer);
    let token = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    app.get(&buyer_path(id), Some(&token)).await.assert_ok();

    app.put(&format!("/v2/heavy_buyer/{id}/disable"), None, Some(&admin)).await.assert_empty();
    app.get(&buyer_path(id), Some(&token)).await.assert_error(4031003);
    app.heavy_buyer_auth(&corp.corp_id, &email, BUYER_PASSWORD).await.assert_error(4001118);
    // Only someone who knows the password learns that it is disabled.
    app.heavy_buyer_auth(&corp.corp_id, &email, "Wrong-pass1").await.assert_error(4001007);
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(0));

    app.put(&format!("/v2/heavy_buyer/{id}/enable"), None, Some(&admin)).await.assert_empty();
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(1));
    let fresh = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    let a = app.get(&buyer_path(id), Some(&fresh)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    app.get(&buyer_path(id), Some(&token)).await.assert_error(4031003);

    app.put("/v2/heavy_buyer/999999/disable", None, Some(&admin)).await.assert_error(4041031);
    app.put("/v2/heavy_buyer/999999/enable", None, Some(&admin)).await.assert_error(4041031);
    app.put("/v2/heavy_buyer/abc/disable", None, Some(&admin)).await.assert_error(4001001);
}

async fn delete_releases_devices_and_removes_organizations(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let id = id_of(&buyer);
    let keep = app.add_heavy_buyer(&admin).await;
    let keep_id = id_of(&keep);
    let token = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    let keep_token = app.heavy_buyer_token(&corp.corp_id, &keep).await;

    // A product, a device granted to the heavy buyer, an organization and a user of it; and an
    // organization of the other heavy buyer, which must stay.
    let now = now_ms();
    let product_id = random_hex(16);
    let mut tx = app.ctx.db.begin().await.expect("begin");
    tx.execute(
        &Sql::new(
            "INSERT INTO products (id, corp_id, name, link_type, key, create_time) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(product_id.clone())
        .bind(corp.corp_id.clone())
        .bind("Lamp".to_owned())
        .bind(1i64)
        .bind(random_hex(8))
        .bind(now),
    )
    .await
    .expect("product inserted");
    let (device_id,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO devices (corp_id, product_id, mac, create_time, heavy_buyer_id, organization_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(corp.corp_id.clone())
            .bind(product_id.clone())
            .bind("AABBCCDDEEFF".to_owned())
            .bind(now)
            .bind(id)
            .bind(0i64),
        )
        .await
        .expect("device inserted");
    let (org_id,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO organizations (heavy_buyer_id, parent, name, create_time) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(id)
            .bind(0i64)
            .bind("Head office".to_owned())
            .bind(now),
        )
        .await
        .expect("organization inserted");
    tx.execute(
        &Sql::new(
            "INSERT INTO org_users (heavy_buyer_id, username, password_hash, organization, role, create_time) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind("clerk".to_owned())
        .bind("not-a-real-hash".to_owned())
        .bind(org_id)
        .bind(1i64)
        .bind(now),
    )
    .await
    .expect("org user inserted");
    tx.execute(
        &Sql::new("INSERT INTO organizations (heavy_buyer_id, parent, name, create_time) VALUES ($1, $2, $3, $4)")
            .bind(keep_id)
            .bind(0i64)
            .bind("Other office".to_owned())
            .bind(now),
    )
    .await
    .expect("other organization inserted");
    tx.commit().await.expect("commit");
    assert_eq!(rows_of(&app, "organizations", id).await, 1);
    assert_eq!(rows_of(&app, "org_users", id).await, 1);

    app.delete(&buyer_path(id), Some(&admin)).await.assert_empty();

    // The device stays, released; what belonged to the heavy buyer is gone.
    let device: Option<(Option<i64>, Option<i64>)> = app
        .ctx
        .db
        .fetch_optional(&Sql::new("SELECT heavy_buyer_id, organization_id FROM devices WHERE id = $1").bind(device_id))
        .await
        .expect("device read");
    assert_eq!(device, Some((None, None)), "the device still exists, with no heavy buyer or organization");
    assert_eq!(rows_of(&app, "organizations", id).await, 0);
    assert_eq!(rows_of(&app, "org_users", id).await, 0);
    assert_eq!(rows_of(&app, "organizations", keep_id).await, 1, "another heavy buyer's organizations stay");

    app.get(&buyer_path(id), Some(&token)).await.assert_error(4031003);
    app.get(&buyer_path(id), Some(&admin)).await.assert_error(4041031);
    app.delete(&buyer_path(id), Some(&admin)).await.assert_error(4041031);
    app.heavy_buyer_auth(&corp.corp_id, &email_of(&buyer), BUYER_PASSWORD).await.assert_error(4001007);

    // The other heavy buyer is untouched.
    let a = app.get(&buyer_path(keep_id), Some(&keep_token)).await;
    assert_eq!(a.assert_ok(), &keep);
    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![keep_id]);
}

async fn heavy_buyer_login_and_refresh(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let id = id_of(&buyer);
    let email = email_of(&buyer);
    let phone = buyer["phone"].as_str().unwrap().to_owned();

    for account in [email.clone(), phone] {
        let a = app.heavy_buyer_auth(&corp.corp_id, &account, BUYER_PASSWORD).await;
        let body = a.assert_ok().clone();
        assert_eq!(body.as_object().unwrap().len(), 4, "{body}");
        assert_eq!(body["heavy_buyer_id"], json!(id));
        assert_eq!(body["expire_in"], json!(7200));
        let access = body["access_token"].as_str().expect("access_token");
        let refresh = body["refresh_token"].as_str().expect("refresh_token");
        assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh, "{body}");
        let a = app.get(&buyer_path(id), Some(access)).await;
        assert_eq!(a.assert_ok()["id"], json!(id), "{account}");
    }

    let wrong = app.heavy_buyer_auth(&corp.corp_id, &email, "Wrong-pass1").await;
    let unknown = app.heavy_buyer_auth(&corp.corp_id, "nobody@example.com", "Wrong-pass1").await;
    wrong.assert_error(4001007);
    unknown.assert_error(4001007);
    assert_eq!(wrong.body, unknown.body);
    app.heavy_buyer_auth(&other.corp_id, &email, BUYER_PASSWORD).await.assert_error(4001007);
    // Without a corp id (the original console's habit), the account names one heavy buyer.
    let missing_corp = json!({ "account": email, "password": BUYER_PASSWORD });
    app.post("/v2/heavy_buyer_auth", &missing_corp, None).await.assert_ok();

    // Refresh rotates the pair.
    let a = app.heavy_buyer_auth(&corp.corp_id, &email, BUYER_PASSWORD).await;
    let access = a.assert_ok()["access_token"].as_str().unwrap().to_owned();
    let refresh = a.body["refresh_token"].as_str().unwrap().to_owned();
    let a = app.post("/v2/heavy_buyer/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    let body = a.assert_ok().clone();
    let new_access = body["access_token"].as_str().expect("access_token").to_owned();
    assert!(body["refresh_token"].is_string(), "{body}");
    assert_eq!(body["expire_in"], json!(7200));
    assert_ne!(new_access, access);
    let a = app.get(&buyer_path(id), Some(&new_access)).await;
    assert_eq!(a.assert_ok()["id"], json!(id));
    app.get(&buyer_path(id), Some(&access)).await.assert_error(4031022);

    // A dealer's pair is refused here and left working; a heavy buyer's on the dealer refresh.
    let dealer = app.add_dealer(&admin, None).await;
    let a = app.dealer_auth(&corp.corp_id, dealer["email"].as_str().unwrap(), DEALER_PASSWORD).await;
    let dealer_access = a.assert_ok()["access_token"].as_str().unwrap().to_owned();
    let dealer_refresh = a.body["refresh_token"].as_str().unwrap().to_owned();
    let a = app
        .post("/v2/heavy_buyer/token/refresh", &json!({ "refresh_token": dealer_refresh }), Some(&dealer_access))
        .await;
    a.assert_error(4031001);
    let dealer_path = format!("/v2/dealer/{}", id_of(&dealer));
    app.get(&dealer_path, Some(&dealer_access)).await.assert_ok();

    let new_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let a = app.post("/v2/dealer/token/refresh", &json!({ "refresh_token": new_refresh }), Some(&new_access)).await;
    a.assert_error(4031001);
    app.get(&buyer_path(id), Some(&new_access)).await.assert_ok();
}

async fn heavy_buyers_are_isolated(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let ours = app.add_heavy_buyer(&admin).await;
    let sibling = app.add_heavy_buyer(&admin).await;
    let theirs = app.add_heavy_buyer(&other_admin).await;
    let id = id_of(&ours);

    // Another corp's admin finds nothing.
    app.get(&buyer_path(id), Some(&other_admin)).await.assert_error(4041031);
    app.put(&buyer_path(id), Some(&profile("Stolen", "Crime")), Some(&other_admin)).await.assert_error(4041031);
    app.put(&format!("/v2/heavy_buyer/{id}/disable"), None, Some(&other_admin)).await.assert_error(4041031);
    app.put(&format!("/v2/heavy_buyer/{id}/enable"), None, Some(&other_admin)).await.assert_error(4041031);
    app.delete(&buyer_path(id), Some(&other_admin)).await.assert_error(4041031);
    let a = app.post(BUYER_LIST, &json!({ "limit": 1000 }), Some(&other_admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![id_of(&theirs)]);
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &ours, "untouched");

    // A heavy buyer's token reads itself and nothing else, and manages nothing.
    let token = app.heavy_buyer_token(&corp.corp_id, &ours).await;
    let a = app.get(&buyer_path(id), Some(&token)).await;
    assert_eq!(a.assert_ok(), &ours);
    app.get(&buyer_path(id_of(&sibling)), Some(&token)).await.assert_error(4041031);
    app.get(&buyer_path(id_of(&theirs)), Some(&token)).await.assert_error(4041031);
    app.post("/v2/heavy_buyer", &new_heavy_buyer("Mine"), Some(&token)).await.assert_error(4031001);
    app.post(BUYER_LIST, &json!({}), Some(&token)).await.assert_error(4031001);
    app.get("/v2/corp", Some(&token)).await.assert_error(4031001);
    app.post("/v2/dealer", &new_dealer("Mine", None), Some(&token)).await.assert_error(4031001);
    app.put(&buyer_path(id), Some(&profile("Self", "Self")), Some(&token)).await.assert_error(4031001);
    app.put(&format!("/v2/heavy_buyer/{id}/disable"), None, Some(&token)).await.assert_error(4031001);
    app.delete(&buyer_path(id), Some(&token)).await.assert_error(4031001);
    app.get(&buyer_path(id), Some(&token)).await.assert_ok();

    // A dealer's token reads no heavy buyers.
    let dealer = app.add_dealer(&admin, None).await;
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    app.get(&buyer_path(id), Some(&dealer_token)).await.assert_error(4031001);
    app.post(BUYER_LIST, &json!({}), Some(&dealer_token)).await.assert_error(4031001);
    app.post("/v2/heavy_buyer", &new_heavy_buyer("Dealer's"), Some(&dealer_token)).await.assert_error(4031001);

    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(ids(a.assert_ok()), vec![id, id_of(&sibling)], "nothing was added or removed");
}

async fn heavy_buyer_permissions_follow_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    // Operations manages heavy buyers.
    let (_, ops_email, ops_password) = app.add_member(&admin, 2, None).await;
    let ops = app.login_as(&ops_email, &ops_password).await;
    let added = app.add_heavy_buyer(&ops).await;
    let id = id_of(&added);
    let a = app.put(&buyer_path(id), Some(&profile("Ops Renamed", "Retail")), Some(&ops)).await;
    assert_eq!(a.assert_ok()["name"], json!("Ops Renamed"));
    app.put(&format!("/v2/heavy_buyer/{id}/disable"), None, Some(&ops)).await.assert_empty();
    app.put(&format!("/v2/heavy_buyer/{id}/enable"), None, Some(&ops)).await.assert_empty();
    let a = app.post(BUYER_LIST, &json!({}), Some(&ops)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);

    // A developer reads heavy buyers but changes none.
    let (_, dev_email, dev_password) = app.add_member(&admin, 3, None).await;
    let dev = app.login_as(&dev_email, &dev_password).await;
    app.post("/v2/heavy_buyer", &new_heavy_buyer("Dev Buyer"), Some(&dev)).await.assert_error(4031001);
    let a = app.post(BUYER_LIST, &json!({}), Some(&dev)).await;
    assert_eq!(ids(a.assert_ok()), vec![id]);
    let a = app.get(&buyer_path(id), Some(&dev)).await;
    assert_eq!(a.assert_ok()["name"], json!("Ops Renamed"));
    app.put(&buyer_path(id), Some(&profile("Dev", "Dev")), Some(&dev)).await.assert_error(4031001);
    app.put(&format!("/v2/heavy_buyer/{id}/disable"), None, Some(&dev)).await.assert_error(4031001);
    app.delete(&buyer_path(id), Some(&dev)).await.assert_error(4031001);

    // A custom role with no features sees nothing.
    let nothing = app.add_role(&admin, "nothing", &[]).await;
    let (_, bare_email, bare_password) = app.add_member(&admin, 99, Some(nothing)).await;
    let bare = app.login_as(&bare_email, &bare_password).await;
    app.post(BUYER_LIST, &json!({}), Some(&bare)).await.assert_error(4031001);
    app.get(&buyer_path(id), Some(&bare)).await.assert_error(4031001);

    // Nothing the refused calls attempted happened.
    let a = app.get(&buyer_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["name"], json!("Ops Renamed"));
    assert_eq!(a.body["status"], json!(1));
    let a = app.post(BUYER_LIST, &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
}
