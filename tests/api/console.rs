//! The original platform's web console (`liyq1406/admin-v4`, issue 14) as a client: each test
//! replays the console's requests as its `src/http.js` builds them — JSON text under
//! `Content-Type: application/x-www-form-urlencoded`, no body at all for calls without data,
//! `Access-Token: null` before sign-in, numbers typed into forms and ids from URLs as strings,
//! the list bodies its views build — and asserts the fields the console reads. `docs/console-calls.md`
//! names the console file behind each body.

use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{new_dealer, spawn, spawn_with, test_config, Answer, Backend, TestApp, DEALER_PASSWORD},
};

both_backends!(
    sign_in_calls_ignore_the_null_token,
    members_list_and_own_password_reset,
    dealers_with_the_console_profile,
    dealer_login_without_a_corp_id_and_by_code,
    heavy_buyers_without_an_account_and_their_status,
    heavy_buyer_lists_count_devices_and_grants_set_sn_and_name,
    organizations_and_users_from_the_corp_side,
    devices_with_firmware_and_location,
    cors_preflights_for_configured_origins,
    entries_are_set_by_the_corp_and_read_by_anyone,
    an_entry_hides_products_and_modules_from_the_partners_portal,
    statistics_count_sales_and_key_accounts,
);

/// `src/http.js`: every call carries the form content type and the stored token (the string
/// `null` before sign-in); `data` is `JSON.stringify`-ed, and `undefined` sends no body.
async fn console(app: &TestApp, method: &str, path: &str, data: Option<Value>, token: Option<&str>) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Access-Token", token.unwrap_or("null"));
    if let Some(data) = data {
        req = req.body(data.to_string());
    }
    app.send(req).await
}

fn token_of(a: &Answer) -> String {
    a.assert_ok()["access_token"].as_str().expect("access_token").to_owned()
}

/// `views/login.vue`: the corp signs in with `Access-Token: null` and reads the ids and tokens.
async fn corp_token(app: &TestApp, corp: &crate::helpers::Corp) -> String {
    let body = json!({ "account": corp.email, "password": corp.password });
    let a = console(app, "POST", "/v2/corp_auth", Some(body), None).await;
    token_of(&a)
}

async fn sign_in_calls_ignore_the_null_token(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let a =
        console(&app, "POST", "/v2/corp_auth", Some(json!({ "account": corp.email, "password": corp.password })), None)
            .await;
    for key in ["member_id", "corp_id", "access_token", "refresh_token", "expire_in"] {
        assert!(!a.assert_ok()[key].is_null(), "{key} missing: {}", a.body);
    }
    let admin = token_of(&a);
    let dealer = app.add_dealer(&admin, None).await;
    // `views/dealer-login.vue`: no corp id in the body.
    let body = json!({ "account": dealer["email"], "password": DEALER_PASSWORD });
    let a = console(&app, "POST", "/v2/dealer_auth", Some(body), None).await;
    assert_eq!(a.assert_ok()["dealer_id"], dealer["id"]);
    for key in ["access_token", "refresh_token", "expire_in"] {
        assert!(!a.body[key].is_null(), "{key} missing: {}", a.body);
    }
    // But the token is still checked where it matters.
    console(&app, "GET", "/v2/corp", None, None).await.assert_error(4031003);
}

async fn members_list_and_own_password_reset(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let other_login = corp_token(&app, &corp).await;
    // `views/account/members/index.vue`: the list language over POST /v2/corp/members.
    let body = json!({
        "filter": ["id", "name", "role", "phone", "email", "create_time", "last_auth_time", "is_notice", "is_alert", "status", "role_id"],
        "limit": 10,
        "offset": 0,
        "query": { "name": { "$like": "admin" } }
    });
    let a = console(&app, "POST", "/v2/corp/members", Some(body), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    let me = &a.body["list"][0];
    assert_eq!(me["email"], json!(corp.email));
    assert_eq!(me["role"], json!(1), "roles are JSON numbers (the console compares with ===)");
    assert_eq!(me["status"], json!(1));
    assert!(me.get("password").is_none());

    // `views/account/info/index.vue`: one's own password.
    let wrong = json!({ "oldpassword": "not-it-1", "newpassword": "changed-1" });
    console(&app, "PUT", "/v2/corp/member/password/reset", Some(wrong), Some(&admin)).await.assert_error(4001007);
    let body = json!({ "oldpassword": corp.password, "newpassword": "changed-1" });
    console(&app, "PUT", "/v2/corp/member/password/reset", Some(body), Some(&admin)).await.assert_ok();
    // The other login ends; this one goes on; the new password signs in.
    console(&app, "GET", "/v2/corp", None, Some(&other_login)).await.assert_error(4031003);
    console(&app, "GET", "/v2/corp", None, Some(&admin)).await.assert_ok();
    let body = json!({ "account": corp.email, "password": "changed-1" });
    console(&app, "POST", "/v2/corp_auth", Some(body), None).await.assert_ok();
}

async fn dealers_with_the_console_profile(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    // `views/operation/plugin/dealer/add.vue`: the goal as typed, a location picked.
    let mut body = new_dealer("East Shop", None);
    for (k, v) in [
        ("contacter", "Han Meimei"),
        ("region", "East"),
        ("sale_goal", "5000"),
        ("home_page", "https://east.example.com"),
        ("country", "1"),
        ("province", "11"),
        ("city", "5"),
    ] {
        body[k] = json!(v);
    }
    let a = console(&app, "POST", "/v2/dealer", Some(body.clone()), Some(&admin)).await;
    let id = a.assert_ok()["id"].as_i64().unwrap();
    assert_eq!((a.body["sale_goal"].clone(), a.body["saled_amount"].clone()), (json!(5000), json!(0)));
    // A goal that is not a number is still refused.
    let mut bad = new_dealer("Bad Goal", None);
    bad["sale_goal"] = json!("lots");
    console(&app, "POST", "/v2/dealer", Some(bad), Some(&admin)).await.assert_error(4001001);

    // `dealer/list.vue` and, by id from the URL, `add.vue`.
    let list = json!({
        "filter": ["id", "name", "email", "phone", "address", "status", "dealer_code", "upper_dealer_code", "region", "contacter", "sale_goal", "saled_amount", "create_time"],
        "query": { "create_time": { "$gte": "2000-01-01T00:00:00.000Z", "$lte": "2999-01-01T00:00:00.000Z" }, "contacter": { "$in": ["Han Meimei"] } },
        "order": { "create_time": "desc" },
        "limit": 10,
        "offset": 0
    });
    let a = console(&app, "POST", "/v2/dealer_list", Some(list), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    let row = &a.body["list"][0];
    for (k, v) in [
        ("region", json!("East")),
        ("contacter", json!("Han Meimei")),
        ("sale_goal", json!(5000)),
        ("saled_amount", json!(0)),
        ("status", json!(1)),
    ] {
        assert_eq!(row[k], v, "{k}");
    }
    let by_id = json!({
        "filter": ["id", "name", "province", "country", "city", "home_page", "sale_goal"],
        "query": { "id": { "$in": [id.to_string()] } }
    });
    let a = console(&app, "POST", "/v2/dealer_list", Some(by_id), Some(&admin)).await;
    let row = &a.assert_ok()["list"][0];
    assert_eq!(
        (row["country"].clone(), row["province"].clone(), row["city"].clone()),
        (json!("1"), json!("11"), json!("5"))
    );
    assert_eq!(row["home_page"], json!("https://east.example.com"));

    // `add.vue` saving an edit sends the whole form back: the account and the place stay.
    let mut edit = body;
    edit["name"] = json!("East Shop 2");
    edit["sale_goal"] = json!("6000");
    edit["email"] = json!("someone-else@example.com");
    edit["upper_dealer_code"] = json!("ZZZZZZ");
    console(&app, "PUT", &format!("/v2/dealer/{id}"), Some(edit), Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &format!("/v2/dealer/{id}"), None, Some(&admin)).await;
    let d = a.assert_ok();
    assert_eq!(
        (d["name"].clone(), d["sale_goal"].clone(), d["region"].clone()),
        (json!("East Shop 2"), json!(6000), json!("East"))
    );
    assert_ne!(d["email"], json!("someone-else@example.com"));
    assert_eq!(d["upper_dealer_code"], json!(""));

    // `dealer/details.vue`: status by path, no body.
    console(&app, "PUT", &format!("/v2/dealer/{id}/status/0"), None, Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &format!("/v2/dealer/{id}"), None, Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(0));
}

async fn dealer_login_without_a_corp_id_and_by_code(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let top = app.add_dealer(&admin, None).await;
    let code = top["dealer_code"].as_str().unwrap().to_owned();
    let sub = app.add_dealer(&admin, Some(&code)).await;
    // `dealer/details.vue` reads the upper dealer by its code, and a dealer by id.
    let a = console(&app, "GET", &format!("/v2/dealer/{code}"), None, Some(&admin)).await;
    assert_eq!(a.assert_ok()["id"], top["id"]);
    let a = console(&app, "GET", &format!("/v2/dealer/{}", sub["id"]), None, Some(&admin)).await;
    assert_eq!(a.assert_ok()["upper_dealer_code"], json!(code));
    console(&app, "GET", "/v2/dealer/NOSUCH", None, Some(&admin)).await.assert_error(4041030);
    // A dealer reads itself and those below by code, never the dealer above it.
    let body = json!({ "account": sub["email"], "password": DEALER_PASSWORD });
    let sub_token = token_of(&console(&app, "POST", "/v2/dealer_auth", Some(body), None).await);
    console(&app, "GET", &format!("/v2/dealer/{code}"), None, Some(&sub_token)).await.assert_error(4041030);
    let a =
        console(&app, "GET", &format!("/v2/dealer/{}", sub["dealer_code"].as_str().unwrap()), None, Some(&sub_token))
            .await;
    assert_eq!(a.assert_ok()["id"], sub["id"]);
    // Another corp's admin finds neither.
    let other = app.create_corp("other").await;
    let other_admin = corp_token(&app, &other).await;
    console(&app, "GET", &format!("/v2/dealer/{code}"), None, Some(&other_admin)).await.assert_error(4041030);
}

async fn heavy_buyers_without_an_account_and_their_status(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    // `major-clients/form.vue`: no email, phone or password; a place.
    let body = json!({
        "name": "Hotel Group", "contacter": "Wang", "contact_way": "021-1234", "industry": "Hotels",
        "location": "Pudong", "country": "1", "province": "31", "city": "1"
    });
    let a = console(&app, "POST", "/v2/heavy_buyer", Some(body.clone()), Some(&admin)).await;
    let id = a.assert_ok()["id"].as_i64().unwrap();
    assert_eq!(
        (a.body["email"].clone(), a.body["province"].clone(), a.body["device_sum"].clone()),
        (json!(""), json!("31"), json!(0))
    );
    // A second one without an account does not collide with the first.
    console(&app, "POST", "/v2/heavy_buyer", Some(body), Some(&admin)).await.assert_ok();
    // Half an account is refused.
    let half = json!({ "name": "Half", "contacter": "W", "contact_way": "1", "industry": "I", "location": "L", "email": "half@example.com" });
    console(&app, "POST", "/v2/heavy_buyer", Some(half), Some(&admin)).await.assert_error(4001002);

    // `major-clients/details/index.vue`: status by path, no body.
    console(&app, "PUT", &format!("/v2/heavy_buyer/{id}/status/0"), None, Some(&admin)).await.assert_ok();
    let one = json!({ "filter": ["id", "name", "status", "country", "province", "city"], "query": { "id": { "$in": [id.to_string()] } } });
    let a = console(&app, "POST", "/v2/heavy_buyer_list", Some(one.clone()), Some(&admin)).await;
    assert_eq!(a.assert_ok()["list"][0]["status"], json!(0));
    console(&app, "PUT", &format!("/v2/heavy_buyer/{id}/status/1"), None, Some(&admin)).await.assert_ok();
    let a = console(&app, "POST", "/v2/heavy_buyer_list", Some(one), Some(&admin)).await;
    assert_eq!(a.assert_ok()["list"][0]["status"], json!(1));
    console(&app, "PUT", &format!("/v2/heavy_buyer/{id}/status/2"), None, Some(&admin)).await.assert_error(4001001);
    // Another corp cannot.
    let other = app.create_corp("other").await;
    let other_admin = corp_token(&app, &other).await;
    console(&app, "PUT", &format!("/v2/heavy_buyer/{id}/status/0"), None, Some(&other_admin))
        .await
        .assert_error(4041031);
    // The account-less heavy buyer has no account to sign in with.
    let login = json!({ "account": "", "password": "Whatever-1" });
    console(&app, "POST", "/v2/heavy_buyer_auth", Some(login), None).await.assert_error(4001002);
}

async fn heavy_buyer_lists_count_devices_and_grants_set_sn_and_name(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let (product, _) = app.product_with_device(&admin).await;
    for mac in ["AABBCCDDEE02", "AABBCCDDEE03"] {
        console(&app, "POST", &format!("/v2/product/{product}/device"), Some(json!({ "mac": mac })), Some(&admin))
            .await
            .assert_ok();
    }
    let big = app.add_heavy_buyer(&admin).await;
    let small = app.add_heavy_buyer(&admin).await;
    // `major-clients/details/device.vue`: a CSV of mac, sn, name.
    let grant = json!([{ "mac": "AABBCCDDEE01", "sn": "SN-1", "name": "Lobby" }, { "mac": "AABBCCDDEE02" }]);
    let path = format!("/v2/heavy_buyer/{}/grant_device?product_id={product}", big["id"]);
    console(&app, "POST", &path, Some(grant), Some(&admin)).await.assert_ok();
    let path = format!("/v2/heavy_buyer/{}/grant_device?product_id={product}", small["id"]);
    console(&app, "POST", &path, Some(json!([{ "mac": "AABBCCDDEE03" }])), Some(&admin)).await.assert_ok();

    // `major-clients/index.vue`: sorted by the device count.
    let list = json!({
        "filter": ["id", "name", "industry", "location", "contacter", "contact_way", "status", "create_time", "device_sum"],
        "order": { "device_sum": "desc" },
        "query": { "industry": { "$in": ["Retail"] } },
        "limit": 10,
        "offset": 0
    });
    let a = console(&app, "POST", "/v2/heavy_buyer_list", Some(list), Some(&admin)).await;
    let sums: Vec<(Value, Value)> =
        a.assert_ok()["list"].as_array().unwrap().iter().map(|r| (r["id"].clone(), r["device_sum"].clone())).collect();
    assert_eq!(sums, [(big["id"].clone(), json!(2)), (small["id"].clone(), json!(1))]);

    // The grant set the serial number and name it carried, and left the other device's alone.
    let devices = json!({
        "filter": ["id", "mac", "name", "sn", "heavy_buyer"],
        "query": { "heavy_buyer": { "$in": [big["id"].to_string()] } },
        "order": { "mac": "asc" }
    });
    let a = console(&app, "POST", &format!("/v2/product/{product}/devices"), Some(devices), Some(&admin)).await;
    let rows = a.assert_ok()["list"].as_array().unwrap().clone();
    assert_eq!((rows[0]["sn"].clone(), rows[0]["name"].clone()), (json!("SN-1"), json!("Lobby")));
    assert_eq!((rows[1]["sn"].clone(), rows[1]["name"].clone()), (json!(""), json!("")));
    // A take-back names devices only: a name there would be dropped, so it is refused.
    let path = format!("/v2/heavy_buyer/{}/revoke_device?product_id={product}", big["id"]);
    console(&app, "POST", &path, Some(json!([{ "mac": "AABBCCDDEE02", "name": "x" }])), Some(&admin))
        .await
        .assert_error(4001001);
}

async fn organizations_and_users_from_the_corp_side(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let hb = buyer["id"].as_i64().unwrap();
    // `major-clients/details/organization.vue`: the corp builds the tree with its own token;
    // the root is the string "0".
    let body = json!({ "name": "Sales", "parent": "0", "sort": 1 });
    let a = console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/organization"), Some(body), Some(&admin)).await;
    let sales = a.assert_ok()["id"].as_i64().unwrap();
    let body = json!({ "name": "North", "parent": sales, "sort": 1 });
    let north = console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/organization"), Some(body), Some(&admin)).await;
    let north = north.assert_ok()["id"].as_i64().unwrap();
    let a = console(
        &app,
        "POST",
        &format!("/v2/heavy_buyer/{hb}/organization_list"),
        Some(json!({ "offset": 0 })),
        Some(&admin),
    )
    .await;
    let levels: Vec<(Value, Value)> =
        a.assert_ok()["list"].as_array().unwrap().iter().map(|o| (o["id"].clone(), o["level"].clone())).collect();
    assert!(levels.contains(&(json!(sales), json!(2))) && levels.contains(&(json!(north), json!(3))), "{levels:?}");

    // `major-clients/details/account-form.vue`: a user at the root, sent as "0".
    let user = json!({ "username": "frontdesk", "contacter": "Zhao", "contact_way": "1", "role": 1, "organization": "0", "password": "Desk-pass11" });
    console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/user"), Some(user), Some(&admin)).await.assert_ok();
    let user = json!({ "username": "north1", "contacter": "Qian", "contact_way": "2", "role": 2, "organization": north.to_string(), "password": "North-pass11" });
    console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/user"), Some(user), Some(&admin)).await.assert_ok();
    // `organization.vue` lists an organization's users with its id as a string.
    let body = json!({ "query": { "organization": { "$in": [north.to_string()] } } });
    let a = console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/user_list"), Some(body), Some(&admin)).await;
    let names: Vec<&str> =
        a.assert_ok()["list"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["north1"]);
    // The user signs in with the id from the console's URL, a string.
    let login = json!({ "username": "north1", "password": "North-pass11", "heavy_buyer_id": hb.to_string() });
    console(&app, "POST", "/v2/heavy_buyer_auth", Some(login), None).await.assert_ok();

    // Who may: another corp reads it as missing; a corp member whose role only reads may list
    // but not change; dealers and the heavy buyer's own users keep their rules.
    let other = app.create_corp("other").await;
    let other_admin = corp_token(&app, &other).await;
    let path = format!("/v2/heavy_buyer/{hb}/organization_list");
    console(&app, "POST", &path, Some(json!({})), Some(&other_admin)).await.assert_error(4041031);
    let (_, email, password) = app.add_member(&admin, 3, None).await;
    let reader = app.login_as(&email, &password).await;
    console(&app, "POST", &path, Some(json!({})), Some(&reader)).await.assert_ok();
    let body = json!({ "name": "Nope", "parent": 0 });
    console(&app, "POST", &format!("/v2/heavy_buyer/{hb}/organization"), Some(body), Some(&reader))
        .await
        .assert_error(4031001);
    let dealer = app.add_dealer(&admin, None).await;
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    console(&app, "POST", &path, Some(json!({})), Some(&dealer_token)).await.assert_error(4031001);
}

async fn devices_with_firmware_and_location(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let (product, device) = app.product_with_device(&admin).await;
    // `product/device/edit.vue`: location and address.
    let edit =
        json!({ "name": "Kitchen", "country": "1", "province": "11", "city": "5", "address": "Road 9", "sn": "SN-9" });
    let path = format!("/v2/product/{product}/device/{device}");
    console(&app, "PUT", &path, Some(edit), Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &path, None, Some(&admin)).await;
    let d = a.assert_ok();
    for (k, v) in [
        ("name", "Kitchen"),
        ("country", "1"),
        ("province", "11"),
        ("city", "5"),
        ("address", "Road 9"),
        ("sn", "SN-9"),
    ] {
        assert_eq!(d[k], json!(v), "{k}");
    }
    // An edit of one field keeps the others.
    console(&app, "PUT", &path, Some(json!({ "sn": "SN-10" })), Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &path, None, Some(&admin)).await;
    assert_eq!((a.assert_ok()["address"].clone(), a.body["sn"].clone()), (json!("Road 9"), json!("SN-10")));

    // `plugin/dealer/import-devices.vue`: `firmware` is the version's other name.
    let list = json!({
        "filter": ["id", "mac", "is_active", "active_date", "is_online", "sn", "firmware", "last_login", "dealer_scope"],
        "limit": 10, "offset": 0, "order": {},
        "query": { "firmware": { "$gte": 0 }, "id": { "$in": [device] }, "is_online": { "$in": [false] } }
    });
    let a = console(&app, "POST", &format!("/v2/product/{product}/devices"), Some(list), Some(&admin)).await;
    let row = &a.assert_ok()["list"][0];
    assert_eq!(row["firmware"], json!(0));
    assert!(row.get("firmware_version").is_none());
    let sorted = json!({ "filter": ["id", "firmware_version"], "order": { "firmware": "desc" } });
    let a = console(&app, "POST", &format!("/v2/product/{product}/devices"), Some(sorted), Some(&admin)).await;
    assert_eq!(a.assert_ok()["list"][0]["firmware_version"], json!(0));
}

async fn cors_preflights_for_configured_origins(backend: Backend) {
    let mut config = test_config();
    config.cors_allowed_origins = vec!["https://console.example.com".into()];
    let app = spawn_with(backend, config).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v2/corp/member/7/enable"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PUT")
            .header("Access-Control-Request-Headers", "access-token,content-type")
    };
    let allowed = preflight("https://console.example.com").send().await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    let h = allowed.headers();
    assert_eq!(h["access-control-allow-origin"], "https://console.example.com");
    let methods = h["access-control-allow-methods"].to_str().unwrap().to_ascii_uppercase();
    assert!(methods.contains("PUT") && methods.contains("DELETE"), "{methods}");
    let headers = h["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(headers.contains("access-token") && headers.contains("content-type"), "{headers}");
    let elsewhere = preflight("https://evil.example.com").send().await.unwrap();
    assert!(elsewhere.headers().get("access-control-allow-origin").is_none());
    // An actual call from the console's origin carries the header too.
    let res = app.client.get(app.url("/v2/corp")).header("Origin", "https://console.example.com").send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://console.example.com");

    // None configured (the default): no CORS headers at all.
    let plain = spawn(backend).await;
    let res = plain
        .client
        .request(reqwest::Method::OPTIONS, plain.url("/v2/corp"))
        .header("Origin", "https://console.example.com")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

async fn entries_are_set_by_the_corp_and_read_by_anyone(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let (product, _) = app.product_with_device(&admin).await;
    let dealer = app.add_dealer(&admin, None).await;
    let path = format!("/v2/dealer/{}/entry_config", dealer["id"]);
    // Before any is set: open, every product and module shown (`dealer-login.vue` needs one of each).
    let a = console(&app, "GET", &format!("{path}?corp_id={}", corp.corp_id), None, None).await;
    let e = a.assert_ok();
    assert_eq!(e["is_enable"], json!(true));
    assert_eq!(e["product"], json!([{ "product_id": product, "is_visible": true }]));
    assert_eq!(e["module"].as_array().unwrap().len(), 7);

    // `plugin/dealer/config.vue` posts the whole form, with what the GET answered.
    let mut body = e.clone();
    body["login_context"] = json!("Welcome, East Shop");
    body["logo_url"] = json!("https://img.example.com/east.png");
    body["domain"] = json!("https://console.example.com/#!/dealer/x/y");
    body["module"] = json!([{ "type": "device_list", "is_visible": false }, { "type": "summary", "is_visible": true }]);
    body["extra"] = json!("ignored");
    console(&app, "POST", &path, Some(body.clone()), Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &format!("{path}?corp_id={}", corp.corp_id), None, Some("null")).await;
    let e = a.assert_ok();
    assert_eq!(
        (e["login_context"].clone(), e["logo_url"].clone()),
        (json!("Welcome, East Shop"), json!("https://img.example.com/east.png"))
    );
    let hidden: Vec<&Value> =
        e["module"].as_array().unwrap().iter().filter(|m| m["is_visible"] == json!(false)).collect();
    assert_eq!(hidden, [&json!({ "type": "device_list", "is_visible": false })]);
    assert!(e.get("extra").is_none());

    // Read with another corp's id, or none: not found / required. Set by others: refused.
    let other = app.create_corp("other").await;
    console(&app, "GET", &format!("{path}?corp_id={}", other.corp_id), None, None).await.assert_error(4041030);
    console(&app, "GET", &path, None, None).await.assert_error(4001002);
    let other_admin = corp_token(&app, &other).await;
    console(&app, "POST", &path, Some(body.clone()), Some(&other_admin)).await.assert_error(4041030);
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    console(&app, "POST", &path, Some(body.clone()), Some(&dealer_token)).await.assert_error(4031001);
    // A logo must be a web address; products must be the corp's.
    let mut bad = body.clone();
    bad["logo_url"] = json!("javascript:alert(1)");
    console(&app, "POST", &path, Some(bad), Some(&admin)).await.assert_error(4001001);
    let mut bad = body;
    bad["product"] = json!([{ "product_id": "not-ours", "is_visible": true }]);
    console(&app, "POST", &path, Some(bad), Some(&admin)).await.assert_error(4041005);

    // The heavy buyer's entry works the same way.
    let buyer = app.add_heavy_buyer(&admin).await;
    let path = format!("/v2/heavy_buyer/{}/entry_config", buyer["id"]);
    let body =
        json!({ "is_enable": false, "login_context": "Hotel staff only", "logo_url": "", "product": [], "module": [] });
    console(&app, "POST", &path, Some(body), Some(&admin)).await.assert_ok();
    let a = console(&app, "GET", &format!("{path}?corp_id={}", corp.corp_id), None, None).await;
    assert_eq!((a.assert_ok()["is_enable"].clone(), a.body["module"].as_array().unwrap().len()), (json!(false), 5));
}

async fn statistics_count_sales_and_key_accounts(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let top = app.add_dealer(&admin, None).await;
    let sub = app.add_dealer(&admin, Some(top["dealer_code"].as_str().unwrap())).await;
    let record = |dealer: &Value, day: &str, country: &str, province: &str| {
        let path = format!("/v2/dealer/{}/add_client_info/upload", dealer["id"]);
        let body = json!({ "name": "c", "sale_time": format!("{day}T09:00:00.000Z"), "country": country, "province": province });
        (path, body)
    };
    for (dealer, day, country, province) in [
        (&top, "2016-12-01", "1", "11"),
        (&top, "2016-12-01", "1", "31"),
        (&sub, "2016-12-03", "1", "11"),
        (&sub, "2016-12-09", "USA", ""),
    ] {
        let (path, body) = record(dealer, day, country, province);
        console(&app, "POST", &path, Some(body), Some(&admin)).await.assert_ok();
    }
    // `analysis/components/sales-info.vue`: a week, days without sales left out.
    let trend = "/v2/statistics/dealer/sale_trend?start_day=2016-12-01&end_day=2016-12-07";
    let a = console(&app, "GET", trend, None, Some(&admin)).await;
    assert_eq!(
        a.assert_ok(),
        &json!([{ "day": "2016-12-01", "sale_total": 2 }, { "day": "2016-12-03", "sale_total": 1 }])
    );
    let sub_token = app.dealer_token(&corp.corp_id, &sub).await;
    let a = console(&app, "GET", trend, None, Some(&sub_token)).await;
    assert_eq!(a.assert_ok(), &json!([{ "day": "2016-12-03", "sale_total": 1 }]));
    console(
        &app,
        "GET",
        "/v2/statistics/dealer/sale_trend?start_day=2016-12-07&end_day=2016-12-01",
        None,
        Some(&admin),
    )
    .await
    .assert_error(4001001);
    console(&app, "GET", "/v2/statistics/dealer/sale_trend?start_day=yesterday&end_day=2016-12-01", None, Some(&admin))
        .await
        .assert_error(4001001);
    // `distributing.vue`: by country, and China by province.
    let a = console(&app, "GET", "/v2/statistics/dealer/sale_region", None, Some(&admin)).await;
    let r = a.assert_ok();
    assert_eq!(
        (r["1"]["sale_total"].clone(), r["1"]["11"]["sale_total"].clone(), r["USA"]["sale_total"].clone()),
        (json!(3), json!(2), json!(1))
    );

    // `major-clients/index.vue` reads the summary at its own spelling.
    let (product, _) = app.product_with_device(&admin).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    app.add_heavy_buyer(&admin).await;
    let grant = format!("/v2/heavy_buyer/{}/grant_device?product_id={product}", buyer["id"]);
    console(&app, "POST", &grant, Some(json!([{ "mac": "AABBCCDDEE01" }])), Some(&admin)).await.assert_ok();
    for path in ["/v2/statistics/heavy_buger/summary", "/v2/statistics/heavy_buyer/summary"] {
        let a = console(&app, "GET", path, None, Some(&admin)).await;
        let s = a.assert_ok();
        assert_eq!((s["heavy_buger"].clone(), s["current_month_heavy_buger"].clone()), (json!(2), json!(2)));
        assert_eq!(
            (s["heavy_buyer"].clone(), s["device"].clone(), s["current_month_device"].clone()),
            (json!(2), json!(1), json!(1))
        );
    }
    // A dealer reads no key-account figures; another corp's figures are its own.
    console(&app, "GET", "/v2/statistics/heavy_buyer/summary", None, Some(&sub_token)).await.assert_error(4031001);
    let other = app.create_corp("other").await;
    let other_admin = corp_token(&app, &other).await;
    let a = console(&app, "GET", "/v2/statistics/heavy_buyer/summary", None, Some(&other_admin)).await;
    assert_eq!(a.assert_ok()["heavy_buyer"], json!(0));
    let a = console(&app, "GET", trend, None, Some(&other_admin)).await;
    assert_eq!(a.assert_ok(), &json!([]));
}

/// Calls a portal server function with a JSON body as the signed-in browser does.
async fn portal_json(app: &TestApp, name: &str, body: Value) -> reqwest::StatusCode {
    let req = app.client.post(app.url(&format!("/fn/{name}"))).header("Origin", app.base.clone()).json(&body);
    req.send().await.expect("server function called").status()
}

async fn an_entry_hides_products_and_modules_from_the_partners_portal(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("console").await;
    let admin = corp_token(&app, &corp).await;
    let (shown, _) = app.product_with_device(&admin).await;
    let hidden = app.post("/v2/product", &json!({ "name": "Secret", "link_type": 1 }), Some(&admin)).await;
    let hidden = hidden.assert_ok()["id"].as_str().unwrap().to_owned();
    let dealer = app.add_dealer(&admin, None).await;
    let login = [
        ("portal", "dealer"),
        ("corp_id", corp.corp_id.as_str()),
        ("account", dealer["email"].as_str().unwrap()),
        ("password", DEALER_PASSWORD),
    ];
    let signed_in = app.server_fn("portal_login", &login).await.status();
    assert!(signed_in.is_success() || signed_in.is_redirection(), "portal_login: {signed_in}");
    let list = json!({ "product_id": shown, "request": {} });
    assert_eq!(portal_json(&app, "devices", list.clone()).await, reqwest::StatusCode::OK);
    assert_eq!(portal_json(&app, "sales", json!({ "dealer_id": null, "request": {} })).await, reqwest::StatusCode::OK);

    let entry = json!({
        "product": [{ "product_id": hidden, "is_visible": false }],
        "module": [{ "type": "device_list", "is_visible": false }, { "type": "analyse", "is_visible": false }]
    });
    console(&app, "POST", &format!("/v2/dealer/{}/entry_config", dealer["id"]), Some(entry), Some(&admin))
        .await
        .assert_ok();
    // The hidden product leaves its product list, the hidden modules refuse.
    let res = app
        .client
        .post(app.url("/fn/device_products"))
        .header("Origin", app.base.clone())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let products: Value = res.json().await.unwrap();
    let ids: Vec<&str> = products.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [shown.as_str()]);
    assert_eq!(portal_json(&app, "devices", list).await, reqwest::StatusCode::FORBIDDEN);
    assert_eq!(
        portal_json(&app, "sales", json!({ "dealer_id": null, "request": {} })).await,
        reqwest::StatusCode::FORBIDDEN
    );
    // The /v2 API (the console's own reads) is not the portal's: unchanged.
    let token = app.dealer_token(&corp.corp_id, &dealer).await;
    console(&app, "POST", &format!("/v2/dealer/product/{shown}/devices"), Some(json!({})), Some(&token))
        .await
        .assert_ok();
}
