//! The operations platform's `/api`, part 1 (issue 15; seed 003 AA/AX, OPS-CONTRACT.md): the
//! envelope and its statuses, the list parameters, the platform operator, vendors and their
//! secrets, end users with SMS codes, and who may see whom.

use backoffice::server::{
    config::{AliyunSms, Sms},
    db::Sql,
    secret::Secret,
    service::{
        platform::{self, NewPlatformAdmin},
        vendor::{self, VendorSecret},
    },
};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn, spawn_with, test_config, unique_email, unique_phone, Answer, Backend, TestApp},
    stand_ins,
};

const ADMIN_PASSWORD: &str = "Platform-1x";
pub(crate) const VENDOR_PWD: &str = "vendor-pass-1";
pub(crate) const USER_PWD: &str = "user-pass-1";

/// A platform administrator, signed in: its access token.
pub(crate) async fn platform_token(app: &TestApp) -> String {
    let account = format!("ops-{}", &unique_phone()[5..]);
    platform::create_admin(
        &app.ctx,
        NewPlatformAdmin { account: account.clone(), password: Secret::new(ADMIN_PASSWORD) },
    )
    .await
    .expect("admin created");
    let a = app.post("/api/platform/auth", &json!({ "account": account, "password": ADMIN_PASSWORD }), None).await;
    a.ok_envelope(200)["access_token"].as_str().expect("access_token").to_owned()
}

/// A registered vendor: its id, code, mobile, email and account name.
pub(crate) struct Vendor {
    pub(crate) vid: String,
    pub(crate) code: String,
    pub(crate) mobile: String,
    pub(crate) email: String,
    pub(crate) user: String,
}

pub(crate) async fn register_vendor(app: &TestApp, platform: &str, name: &str) -> Vendor {
    let (mobile, email) = (unique_phone(), unique_email("vendor"));
    let user = format!("v{}", &mobile[4..]);
    let body = json!({
        "user": user, "pwd": VENDOR_PWD, "name": name, "abbv": name, "contact": "Zhou",
        "mobile": mobile, "email": email, "area": "广东省珠海市香洲区", "address": "南方软件园A123",
        "mp_gid": "gh_1", "mp_appid": "wx-app", "mp_secret": "mp-secret-value-1",
        "mch_gid": "1900000001", "mch_appid": "wx-mch", "mch_secret": "mch-secret-value-1",
    });
    let a = app.post("/api/vendors", &body, Some(platform)).await;
    let data = a.ok_envelope(201);
    Vendor {
        vid: data["vid"].as_str().expect("vid").to_owned(),
        code: data["code"].as_str().expect("code").to_owned(),
        mobile,
        email,
        user,
    }
}

/// The vendor's admin signed in over `/v2/corp_auth` (with any of its accounts).
async fn vendor_admin(app: &TestApp, account: &str, password: &str) -> Answer {
    app.post("/v2/corp_auth", &json!({ "account": account, "password": password }), None).await
}

pub(crate) async fn vendor_token(app: &TestApp, vendor: &Vendor) -> String {
    vendor_admin(app, &vendor.mobile, VENDOR_PWD).await.assert_ok()["access_token"].as_str().unwrap().to_owned()
}

/// A user signed up with the code the log provider sent; answers (uid, mobile).
pub(crate) async fn sign_up(app: &TestApp, vid: &str, extra: Value) -> (String, String) {
    let mobile = unique_phone();
    app.get(&format!("/api/users/code?vid={vid}&mobile={mobile}"), None).await.ok_envelope(200);
    let mut body =
        json!({ "vid": vid, "mobile": mobile, "code": app.sms_code(&mobile), "name": "Ann", "pwd": USER_PWD });
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let a = app.post("/api/users", &body, None).await;
    (a.ok_envelope(201)["uid"].as_str().expect("uid").to_owned(), mobile)
}

pub(crate) async fn user_token(app: &TestApp, vid: &str, mobile: &str, password: &str) -> Answer {
    app.post("/api/users/auth", &json!({ "vid": vid, "mobile": mobile, "password": password }), None).await
}

pub(crate) fn token_of(a: &Answer) -> String {
    a.ok_envelope(200)["access_token"].as_str().expect("access_token").to_owned()
}

/// Lets the next code go to `mobile` at once (the one-a-minute limit is its own test).
async fn forget_last_send(app: &TestApp, mobile: &str) {
    app.ctx
        .db
        .execute(&Sql::new("UPDATE sms_sends SET last_time = 0 WHERE mobile = $1").bind(mobile.to_owned()))
        .await
        .unwrap();
}

async fn envelope_and_conventions(backend: Backend) {
    let app = spawn(backend).await;
    // Unknown paths, wrong methods, missing and bad tokens: all in the envelope, 401 for tokens.
    app.get("/api/nowhere", None).await.assert_failure(4041001);
    app.delete("/api/platform/auth", None).await.assert_failure(4051001);
    app.get("/api/vendors", None).await.assert_failure(4011002);
    app.get("/api/vendors", Some("not-a-token")).await.assert_failure(4011003);
    // A body that is not JSON is 400; the signing records (Pending in the document) are 404.
    let a = app
        .send(app.client.post(app.url("/api/platform/auth")).header("Content-Type", "application/json").body("{nope"))
        .await;
    a.assert_failure(4001001);
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Signing").await;
    app.get(&format!("/api/vendors/{}/signing", v.vid), Some(&platform)).await.assert_failure(4041001);
    // The portal's server functions left /api for /fn.
    app.post("/api/corp_login", &json!({}), None).await.assert_failure(4041001);
    // Both documents are served; /api's lists its operations with their success statuses.
    let doc = app.get("/api/openapi.json", None).await;
    let doc = doc.assert_ok();
    assert!(doc["paths"]["/api/vendors"]["post"]["responses"]["201"].is_object(), "{}", doc["paths"]["/api/vendors"]);
    assert!(doc["paths"]["/api/vendors/{vid}"]["delete"]["responses"]["204"].is_object());
    assert!(doc["paths"]["/api/users/{uid}/rst/code"]["get"].is_object());
    assert!(app.get("/v2/openapi.json", None).await.assert_ok()["paths"]["/v2/corp_auth"].is_object());
    // A /v2 error stays in /v2's shape.
    app.get("/v2/corp", None).await.assert_error(4031002);
}

async fn platform_admin_signs_in_and_lists_vendors(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let wrong = app.post("/api/platform/auth", &json!({ "account": "nobody", "password": ADMIN_PASSWORD }), None).await;
    wrong.assert_failure(4011007);
    let names = ["Alpha", "Bravo", "Charlie"];
    let mut vendors = Vec::new();
    for name in names {
        vendors.push(register_vendor(&app, &platform, name).await);
    }
    let a = app.get("/api/vendors?limit=2&sort=name&order=desc", Some(&platform)).await;
    let data = a.ok_envelope(200);
    assert_eq!(a.body["total"], json!(3), "total counts every match, not the page");
    let listed: Vec<&str> = data["vendors"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(listed, ["Charlie", "Bravo"]);
    let first = &data["vendors"][0];
    // Secrets never read back; times in whole seconds.
    assert!(first.get("mp_secret").is_none() && first.get("mch_secret").is_none() && first.get("pwd").is_none());
    assert_eq!((first["mp_secret_set"].clone(), first["mch_secret_set"].clone()), (json!(true), json!(true)));
    let reg = first["reg_tms"].as_str().unwrap();
    assert!(reg.len() == 20 && reg.ends_with('Z') && !reg.contains('.'), "{reg}");
    assert_eq!(first["state"], json!(2));
    let a = app.get(&format!("/api/vendors?offset=2&name={}", "Alpha"), Some(&platform)).await;
    assert_eq!((a.body["total"].clone(), a.ok_envelope(200)["vendors"].as_array().unwrap().len()), (json!(1), 0));
    // Bad list parameters are 400 naming them.
    for (query, named) in [
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("sort=nope", "nope"),
        ("bogus=1", "bogus"),
        ("order=up", "order"),
        ("state=high", "state"),
    ] {
        let a = app.get(&format!("/api/vendors?{query}"), Some(&platform)).await;
        a.assert_failure(4001001);
        assert!(a.body["message"].as_str().unwrap().contains(named), "{query}: {:?}", a.body);
    }
    // Codes are four letters or digits, all different.
    let mut codes: Vec<&str> = vendors.iter().map(|v| v.code.as_str()).collect();
    assert!(codes.iter().all(|c| c.len() == 4 && c.chars().all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())));
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 3);
}

async fn registering_a_vendor_makes_its_corp_and_admin(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Dochen").await;
    // The admin signs in to the corp portal's API with the mobile, the email or the account name.
    for account in [&v.mobile, &v.email, &v.user] {
        let a = vendor_admin(&app, account, VENDOR_PWD).await;
        assert_eq!(a.assert_ok()["corp_id"], json!(v.vid), "{account}");
    }
    let token = vendor_token(&app, &v).await;
    let corp = app.get("/v2/corp", Some(&token)).await;
    assert_eq!(corp.assert_ok()["company"], json!("Dochen"));
    assert_eq!(corp.body["member"]["role"], json!(1));
    // The same record on /api, for the platform and for the vendor's own admin.
    let read = app.get(&format!("/api/vendors/{}", v.vid), Some(&platform)).await;
    let data = read.ok_envelope(200).clone();
    assert_eq!(
        (data["code"].clone(), data["user"].clone(), data["mobile"].clone()),
        (json!(v.code), json!(v.user), json!(v.mobile))
    );
    assert_eq!(app.get(&format!("/api/vendors/{}", v.vid), Some(&token)).await.ok_envelope(200)["vid"], json!(v.vid));
    // Secrets: sealed in the database, readable by the server, in no answer and no log entry.
    let raw: (String, String) = app
        .ctx
        .db
        .fetch_one(&Sql::new("SELECT mp_secret, mch_secret FROM corps WHERE id = $1").bind(v.vid.clone()))
        .await
        .unwrap();
    assert!(raw.0.starts_with("v1:") && !raw.0.contains("mp-secret-value-1"), "{}", raw.0);
    assert!(!raw.1.contains("mch-secret-value-1"));
    assert_eq!(vendor::secret(&app.ctx, &v.vid, VendorSecret::Mch).await.unwrap(), "mch-secret-value-1");
    assert!(!read.body.to_string().contains("secret-value"), "{}", read.body);
    let logged: Vec<(String,)> = app.ctx.db.fetch_all(&Sql::new("SELECT changes FROM audit_log")).await.unwrap();
    assert!(logged.iter().all(|(c,)| !c.contains("secret-value") && !c.contains(VENDOR_PWD)), "{logged:?}");
    // A second vendor with the same mobile, email or account name is refused (422), and so is
    // a bad field; nothing is created.
    for (field, value, code) in
        [("mobile", json!(v.mobile), 4221005), ("email", json!(v.email), 4221006), ("user", json!(v.user), 4221177)]
    {
        let mut body =
            json!({ "pwd": VENDOR_PWD, "name": "Twin", "mobile": unique_phone(), "email": unique_email("twin") });
        body[field] = value;
        app.post("/api/vendors", &body, Some(&platform)).await.assert_failure(code);
    }
    let bad = app
        .post(
            "/api/vendors",
            &json!({ "pwd": VENDOR_PWD, "name": "X", "mobile": "12", "email": unique_email("x") }),
            Some(&platform),
        )
        .await;
    bad.assert_failure(4221001);
    let missing = app
        .post(
            "/api/vendors",
            &json!({ "pwd": VENDOR_PWD, "mobile": unique_phone(), "email": unique_email("x") }),
            Some(&platform),
        )
        .await;
    missing.assert_failure(4221002);
    let listed = app.get("/api/vendors", Some(&platform)).await;
    assert_eq!(listed.body["total"], json!(1));
}

async fn only_the_platform_runs_vendors(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let a = register_vendor(&app, &platform, "A").await;
    let b = register_vendor(&app, &platform, "B").await;
    let a_admin = vendor_token(&app, &a).await;
    // A vendor's admin: not the vendor list, not another vendor, not its own state or options.
    app.get("/api/vendors", Some(&a_admin)).await.assert_failure(4031001);
    app.get(&format!("/api/vendors/{}", b.vid), Some(&a_admin)).await.assert_failure(4041010);
    app.put(&format!("/api/vendors/{}", b.vid), Some(&json!({ "abbv": "x" })), Some(&a_admin))
        .await
        .assert_failure(4041010);
    app.put(&format!("/api/vendors/{}", a.vid), Some(&json!({ "state": 0 })), Some(&a_admin))
        .await
        .assert_failure(4031001);
    app.put(&format!("/api/vendors/{}/cfg", a.vid), Some(&json!({ "mall": false })), Some(&a_admin))
        .await
        .assert_failure(4031001);
    app.put(&format!("/api/vendors/{}/pwd", a.vid), Some(&json!({ "pwd": "another-1" })), Some(&a_admin))
        .await
        .assert_failure(4031001);
    app.delete(&format!("/api/vendors/{}", a.vid), Some(&a_admin)).await.assert_failure(4031001);
    app.post("/api/vendors", &json!({ "name": "Mine" }), Some(&a_admin)).await.assert_failure(4031001);
    // ...but its own profile and accounts, yes; a member who is not an admin, no.
    let own = app
        .put(
            &format!("/api/vendors/{}", a.vid),
            Some(&json!({ "abbv": "AA", "logo": "https://a.example/logo.png" })),
            Some(&a_admin),
        )
        .await;
    own.ok_envelope(201);
    let own = app
        .put(&format!("/api/vendors/{}/mxx", a.vid), Some(&json!({ "mch_secret": "replaced-1" })), Some(&a_admin))
        .await;
    own.ok_envelope(201);
    assert_eq!(vendor::secret(&app.ctx, &a.vid, VendorSecret::Mch).await.unwrap(), "replaced-1");
    assert_eq!(
        vendor::secret(&app.ctx, &a.vid, VendorSecret::Mp).await.unwrap(),
        "mp-secret-value-1",
        "an absent secret stays"
    );
    let (_, email, password) = app.add_member(&a_admin, 2, None).await;
    let ops = app.login_as(&email, &password).await;
    app.get(&format!("/api/vendors/{}", a.vid), Some(&ops)).await.assert_failure(4031005);
    // A dealer and a user are refused too.
    let dealer = app.add_dealer(&a_admin, None).await;
    let dealer = app.dealer_token(&a.vid, &dealer).await;
    app.get("/api/vendors", Some(&dealer)).await.assert_failure(4031001);
    let (_, mobile) = sign_up(&app, &a.vid, json!({})).await;
    let user = token_of(&user_token(&app, &a.vid, &mobile, USER_PWD).await);
    app.get(&format!("/api/vendors/{}", a.vid), Some(&user)).await.assert_failure(4031001);
}

async fn vendor_password_mobile_options_and_state(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Moves").await;
    let before = vendor_token(&app, &v).await;
    // AX-05: the admin's password; its logins end.
    app.put(&format!("/api/vendors/{}/pwd", v.vid), Some(&json!({ "pwd": "next-pass-2" })), Some(&platform))
        .await
        .ok_envelope(201);
    app.get("/v2/corp", Some(&before)).await.assert_error(4031003);
    vendor_admin(&app, &v.mobile, VENDOR_PWD).await.assert_error(4001007);
    vendor_admin(&app, &v.mobile, "next-pass-2").await.assert_ok();
    app.put(&format!("/api/vendors/{}/pwd", v.vid), Some(&json!({ "pwd": "short" })), Some(&platform))
        .await
        .assert_failure(4221001);
    // AX-06: the mobile moves, and the admin signs in with the new one.
    let new_mobile = unique_phone();
    app.put(&format!("/api/vendors/{}/mob", v.vid), Some(&json!({ "mobile": new_mobile })), Some(&platform))
        .await
        .ok_envelope(201);
    vendor_admin(&app, &new_mobile, "next-pass-2").await.assert_ok();
    vendor_admin(&app, &v.mobile, "next-pass-2").await.assert_error(4001007);
    // AX-08: a vendor that does not run users refuses their sign-up.
    app.put(&format!("/api/vendors/{}/cfg", v.vid), Some(&json!({ "users": false })), Some(&platform))
        .await
        .ok_envelope(201);
    let read = app.get(&format!("/api/vendors/{}", v.vid), Some(&platform)).await;
    assert_eq!(
        (read.ok_envelope(200)["cfg_users"].clone(), read.body["data"]["cfg_mall"].clone()),
        (json!(false), json!(true))
    );
    app.get(&format!("/api/users/code?vid={}&mobile={}", v.vid, unique_phone()), None).await.assert_failure(4031042);
    app.put(&format!("/api/vendors/{}/cfg", v.vid), Some(&json!({ "users": true })), Some(&platform))
        .await
        .ok_envelope(201);
    let (_, user_mobile) = sign_up(&app, &v.vid, json!({})).await;
    // AX-04 state 0: everyone of the vendor is signed out and cannot sign in; 2 lets them back.
    let member =
        vendor_admin(&app, &new_mobile, "next-pass-2").await.assert_ok()["access_token"].as_str().unwrap().to_owned();
    let user = token_of(&user_token(&app, &v.vid, &user_mobile, USER_PWD).await);
    app.put(&format!("/api/vendors/{}", v.vid), Some(&json!({ "state": 0 })), Some(&platform)).await.ok_envelope(201);
    app.get("/v2/corp", Some(&member)).await.assert_error(4031003);
    app.get("/api/users", Some(&user)).await.assert_failure(4011003);
    vendor_admin(&app, &new_mobile, "next-pass-2").await.assert_error(4031040);
    user_token(&app, &v.vid, &user_mobile, USER_PWD).await.assert_failure(4031040);
    app.put(&format!("/api/vendors/{}", v.vid), Some(&json!({ "state": 2 })), Some(&platform)).await.ok_envelope(201);
    vendor_admin(&app, &new_mobile, "next-pass-2").await.assert_ok();
    app.put(&format!("/api/vendors/{}", v.vid), Some(&json!({ "state": 7 })), Some(&platform))
        .await
        .assert_failure(4221001);
}

async fn deregistered_vendors_are_gone(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Leaving").await;
    let admin = vendor_token(&app, &v).await;
    let dealer = app.add_dealer(&admin, None).await;
    let dealer_token = app.dealer_token(&v.vid, &dealer).await;
    let (uid, mobile) = sign_up(&app, &v.vid, json!({})).await;
    let user = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let a = app.delete(&format!("/api/vendors/{}", v.vid), Some(&platform)).await;
    assert_eq!((a.status.as_u16(), a.body.clone()), (204, Value::Null));
    // Its record answers 410; nobody of it is signed in or can sign in; its data stays.
    app.get(&format!("/api/vendors/{}", v.vid), Some(&platform)).await.assert_failure(4101001);
    app.put(&format!("/api/vendors/{}", v.vid), Some(&json!({ "abbv": "x" })), Some(&platform))
        .await
        .assert_failure(4101001);
    app.delete(&format!("/api/vendors/{}", v.vid), Some(&platform)).await.assert_failure(4101001);
    app.get("/v2/corp", Some(&admin)).await.assert_error(4031003);
    app.post("/v2/dealer_list", &json!({}), Some(&dealer_token)).await.assert_error(4031003);
    app.get("/api/users", Some(&user)).await.assert_failure(4011003);
    vendor_admin(&app, &v.mobile, VENDOR_PWD).await.assert_error(4101001);
    app.dealer_auth(&v.vid, dealer["email"].as_str().unwrap(), crate::helpers::DEALER_PASSWORD)
        .await
        .assert_error(4101001);
    user_token(&app, &v.vid, &mobile, USER_PWD).await.assert_failure(4101001);
    let listed = app.get("/api/vendors", Some(&platform)).await;
    assert!(listed.ok_envelope(200)["vendors"][0]["dereg_tms"].is_string(), "{:?}", listed.body);
    let kept: (i64,) =
        app.ctx.db.fetch_one(&Sql::new("SELECT COUNT(*) FROM end_users WHERE uid = $1").bind(uid)).await.unwrap();
    assert_eq!(kept.0, 1);
}

async fn users_sign_up_with_a_code_and_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Water").await;
    let (uid, mobile) = sign_up(&app, &v.vid, json!({ "email": "ann@example.com" })).await;
    assert!(uid.starts_with(&v.code) && uid.len() == 20, "{uid}");
    assert!(u64::from_str_radix(&uid[4..], 16).is_ok() && uid[4..] == uid[4..].to_uppercase(), "{uid}");
    let sms = app.sms_to(&mobile);
    assert!(sms[0]["text"].as_str().unwrap().contains("Water"), "the vendor signs the message: {sms:?}");
    // The code was used up: registering again with it fails, and the mobile is taken anyway.
    let again = json!({ "vid": v.vid, "mobile": mobile, "code": app.sms_code(&mobile) });
    app.post("/api/users", &again, None).await.assert_failure(4221201);
    // Password sign-in; the answer names the user.
    let a = user_token(&app, &v.vid, &mobile, USER_PWD).await;
    assert_eq!(a.ok_envelope(200)["uid"], json!(uid));
    let token = token_of(&a);
    user_token(&app, &v.vid, &mobile, "wrong-pass-1").await.assert_failure(4011007);
    user_token(&app, &v.vid, &unique_phone(), USER_PWD).await.assert_failure(4011007);
    // Code sign-in; an unknown mobile gets no code but the same answer.
    forget_last_send(&app, &mobile).await;
    app.get(&format!("/api/users/auth/code?vid={}&mobile={mobile}", v.vid), None).await.ok_envelope(200);
    let code = app.sms_code(&mobile);
    let a = app.post("/api/users/auth", &json!({ "vid": v.vid, "mobile": mobile, "code": code }), None).await;
    assert_eq!(a.ok_envelope(200)["uid"], json!(uid));
    app.post("/api/users/auth", &json!({ "vid": v.vid, "mobile": mobile, "code": code }), None)
        .await
        .assert_failure(4011007);
    let stranger = unique_phone();
    app.get(&format!("/api/users/auth/code?vid={}&mobile={stranger}", v.vid), None).await.ok_envelope(200);
    assert!(app.sms_to(&stranger).is_empty());
    // A user reads itself, without the vendor's fields; its list is itself.
    let me = app.get(&format!("/api/users/{uid}"), Some(&token)).await;
    let me = me.ok_envelope(200);
    assert_eq!(
        (me["mobile"].clone(), me["email"].clone(), me["state"].clone()),
        (json!(mobile), json!("ann@example.com"), json!(2))
    );
    assert!(me.get("vid").is_none() && me.get("rid").is_none() && me.get("pwd").is_none(), "{me}");
    let list = app.get("/api/users", Some(&token)).await;
    assert_eq!((list.body["total"].clone(), list.ok_envelope(200)["users"][0]["uid"].clone()), (json!(1), json!(uid)));
    // The token refreshes on /api like any other.
    let refresh = a.body["data"]["refresh_token"].as_str().unwrap().to_owned();
    let access = a.body["data"]["access_token"].as_str().unwrap().to_owned();
    let r = app.post("/api/token/refresh", &json!({ "refresh_token": refresh }), Some(&access)).await;
    assert!(r.ok_envelope(200)["access_token"].is_string());
    // Registration's own checks: a bad mobile, a missing code, a vendor that does not exist.
    app.get(&format!("/api/users/code?vid={}&mobile=12", v.vid), None).await.assert_failure(4221001);
    app.get(&format!("/api/users/code?vid=nope&mobile={}", unique_phone()), None).await.assert_failure(4041010);
    app.get(&format!("/api/users/code?vid={}", v.vid), None).await.assert_failure(4001002);
    // The document's GET with a body works too.
    let body_mobile = unique_phone();
    let req = app.client.get(app.url("/api/users/code")).json(&json!({ "vid": v.vid, "mobile": body_mobile }));
    app.send(req).await.ok_envelope(200);
    assert_eq!(app.sms_to(&body_mobile).len(), 1);
}

async fn register_with(app: &TestApp, vid: &str, mobile: &str, code: &str) -> Answer {
    app.post("/api/users", &json!({ "vid": vid, "mobile": mobile, "code": code, "pwd": USER_PWD }), None).await
}

async fn verification_codes_keep_their_limits(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Limits").await;
    let mobile = unique_phone();
    let ask_path = format!("/api/users/code?vid={}&mobile={mobile}", v.vid);
    let ask = || app.get(&ask_path, None);
    ask().await.ok_envelope(200);
    // Once a minute: 429 with Retry-After.
    let again = ask().await;
    again.assert_failure(4291002);
    let wait: u64 = again.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let code = app.sms_code(&mobile);
    // Five wrong tries end the code: the right one fails after them.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        register_with(&app, &v.vid, &mobile, wrong).await.assert_failure(4221201);
    }
    register_with(&app, &v.vid, &mobile, &code).await.assert_failure(4221201);
    // An expired code fails.
    forget_last_send(&app, &mobile).await;
    ask().await.ok_envelope(200);
    let code = app.sms_code(&mobile);
    app.ctx
        .db
        .execute(&Sql::new("UPDATE verification_codes SET expire_time = 1 WHERE mobile = $1").bind(mobile.clone()))
        .await
        .unwrap();
    register_with(&app, &v.vid, &mobile, &code).await.assert_failure(4221201);
    // A new code replaces the old one: only the newest works.
    forget_last_send(&app, &mobile).await;
    ask().await.ok_envelope(200);
    let older = app.sms_code(&mobile);
    forget_last_send(&app, &mobile).await;
    ask().await.ok_envelope(200);
    let newest = app.sms_code(&mobile);
    if older != newest {
        register_with(&app, &v.vid, &mobile, &older).await.assert_failure(4221201);
    }
    register_with(&app, &v.vid, &mobile, &newest).await.ok_envelope(201);
    // A registered mobile asking again gets no code, with the same answer.
    forget_last_send(&app, &mobile).await;
    let sent = app.sms_to(&mobile).len();
    ask().await.ok_envelope(200);
    assert_eq!(app.sms_to(&mobile).len(), sent, "no code for a registered mobile");
    // Ten a day.
    app.ctx
        .db
        .execute(&Sql::new("UPDATE sms_sends SET last_time = 0, day_count = 10 WHERE mobile = $1").bind(mobile.clone()))
        .await
        .unwrap();
    ask().await.assert_failure(4291003);
}

async fn users_change_password_mobile_and_reset(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Changes").await;
    let (uid, mobile) = sign_up(&app, &v.vid, json!({})).await;
    let token = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let other_login = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    // AA-05 with the old password: a wrong one is refused, the other login ends, this one stays.
    let path = format!("/api/users/{uid}/pwd");
    app.put(&path, Some(&json!({ "old_pwd": "nope-nope", "new_pwd": "user-pass-2" })), Some(&token))
        .await
        .assert_failure(4011007);
    app.put(&path, Some(&json!({ "new_pwd": "user-pass-2" })), Some(&token)).await.assert_failure(4221002);
    app.put(&path, Some(&json!({ "old_pwd": USER_PWD, "new_pwd": "user-pass-2" })), Some(&token))
        .await
        .ok_envelope(201);
    app.get("/api/users", Some(&other_login)).await.assert_failure(4011003);
    app.get("/api/users", Some(&token)).await.ok_envelope(200);
    user_token(&app, &v.vid, &mobile, "user-pass-2").await.ok_envelope(200);
    // AA-06: a code to the new mobile, then the move.
    let new_mobile = unique_phone();
    app.get(&format!("/api/users/{uid}/mob/code?mobile={new_mobile}"), Some(&token)).await.ok_envelope(200);
    let code = app.sms_code(&new_mobile);
    app.put(&format!("/api/users/{uid}/mob"), Some(&json!({ "mobile": new_mobile, "code": "999999x" })), Some(&token))
        .await
        .assert_failure(4221201);
    app.put(&format!("/api/users/{uid}/mob"), Some(&json!({ "mobile": new_mobile, "code": code })), Some(&token))
        .await
        .ok_envelope(201);
    user_token(&app, &v.vid, &new_mobile, "user-pass-2").await.ok_envelope(200);
    user_token(&app, &v.vid, &mobile, "user-pass-2").await.assert_failure(4011007);
    // A mobile another user holds gets no code, so the move cannot happen.
    let (_, taken) = sign_up(&app, &v.vid, json!({})).await;
    forget_last_send(&app, &taken).await;
    let before = app.sms_to(&taken).len();
    app.get(&format!("/api/users/{uid}/mob/code?mobile={taken}"), Some(&token)).await.ok_envelope(200);
    assert_eq!(app.sms_to(&taken).len(), before);
    // AA-07 signed out, by uid: a code to its own mobile only; every login ends at the reset.
    app.get(&format!("/api/users/{uid}/rst/code?mobile={}", unique_phone()), None).await.ok_envelope(200);
    forget_last_send(&app, &new_mobile).await;
    app.get(&format!("/api/users/{uid}/rst/code?mobile={new_mobile}"), None).await.ok_envelope(200);
    let code = app.sms_code(&new_mobile);
    app.put(&format!("/api/users/{uid}/rst"), Some(&json!({ "pwd": "user-pass-3", "code": code })), None)
        .await
        .ok_envelope(201);
    app.get("/api/users", Some(&token)).await.assert_failure(4011003);
    user_token(&app, &v.vid, &new_mobile, "user-pass-3").await.ok_envelope(200);
    // ...and by vendor and mobile, for a user that does not know its uid.
    forget_last_send(&app, &new_mobile).await;
    app.get(&format!("/api/users/rst/code?vid={}&mobile={new_mobile}", v.vid), None).await.ok_envelope(200);
    let code = app.sms_code(&new_mobile);
    let reset = json!({ "vid": v.vid, "mobile": new_mobile, "code": code, "pwd": "user-pass-4" });
    app.put("/api/users/rst", Some(&reset), None).await.ok_envelope(201);
    user_token(&app, &v.vid, &new_mobile, "user-pass-4").await.ok_envelope(200);
    app.put("/api/users/rst", Some(&reset), None).await.assert_failure(4221201);
}

async fn who_sees_which_users(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let a = register_vendor(&app, &platform, "A").await;
    let b = register_vendor(&app, &platform, "B").await;
    let a_admin = vendor_token(&app, &a).await;
    let b_admin = vendor_token(&app, &b).await;
    let top = app.add_dealer(&a_admin, None).await;
    let top_code = top["dealer_code"].as_str().unwrap().to_owned();
    let below = app.add_dealer(&a_admin, Some(&top_code)).await;
    let sibling = app.add_dealer(&a_admin, None).await;
    let (by_top, _) = sign_up(&app, &a.vid, json!({ "dealer": top_code })).await;
    let (by_below, _) = sign_up(&app, &a.vid, json!({ "dealer": below["dealer_code"] })).await;
    let (direct, _) = sign_up(&app, &a.vid, json!({ "rid": by_top })).await;
    let (of_b, b_mobile) = sign_up(&app, &b.vid, json!({})).await;
    let uids = |a: &Answer| -> Vec<String> {
        let mut v: Vec<String> = a.ok_envelope(200)["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["uid"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<&String>| -> Vec<String> {
        v.sort();
        v.into_iter().cloned().collect()
    };
    // The vendor: its own users, with the vendor-only fields.
    let listed = app.get("/api/users?limit=100", Some(&a_admin)).await;
    assert_eq!(uids(&listed), sorted(vec![&by_top, &by_below, &direct]));
    let row =
        listed.body["data"]["users"].as_array().unwrap().iter().find(|u| u["uid"] == json!(direct)).unwrap().clone();
    assert_eq!((row["vid"].clone(), row["rid"].clone()), (json!(a.vid), json!(by_top)));
    // Filters on documented fields.
    let filtered = app.get(&format!("/api/users?rid={by_top}"), Some(&a_admin)).await;
    assert_eq!(uids(&filtered), vec![direct.clone()]);
    // Another vendor's user reads as missing.
    app.get(&format!("/api/users/{of_b}"), Some(&a_admin)).await.assert_failure(4041070);
    app.put(&format!("/api/users/{of_b}"), Some(&json!({ "remark": "x" })), Some(&a_admin))
        .await
        .assert_failure(4041070);
    assert_eq!(uids(&app.get("/api/users", Some(&b_admin)).await), vec![of_b.clone()]);
    // A dealer: its scope and below; a sibling sees none of them.
    let top_token = app.dealer_token(&a.vid, &top).await;
    assert_eq!(uids(&app.get("/api/users", Some(&top_token)).await), sorted(vec![&by_top, &by_below]));
    let below_token = app.dealer_token(&a.vid, &below).await;
    assert_eq!(uids(&app.get("/api/users", Some(&below_token)).await), vec![by_below.clone()]);
    app.get(&format!("/api/users/{by_top}"), Some(&below_token)).await.assert_failure(4041070);
    let sibling_token = app.dealer_token(&a.vid, &sibling).await;
    assert!(uids(&app.get("/api/users", Some(&sibling_token)).await).is_empty());
    // Dealers read but do not edit (A# + C).
    app.put(&format!("/api/users/{by_top}"), Some(&json!({ "name": "x" })), Some(&top_token))
        .await
        .assert_failure(4031001);
    // A member without "view users" is refused; a custom role holding it sees them.
    let (_, email, password) =
        app.add_member(&a_admin, 99, Some(app.add_role(&a_admin, "devices only", &[1501]).await)).await;
    let narrow = app.login_as(&email, &password).await;
    app.get("/api/users", Some(&narrow)).await.assert_failure(4031001);
    let (_, email, password) = app.add_member(&a_admin, 99, Some(app.add_role(&a_admin, "users", &[1601]).await)).await;
    let viewer = app.login_as(&email, &password).await;
    assert_eq!(uids(&app.get("/api/users?limit=100", Some(&viewer)).await).len(), 3);
    app.put(&format!("/api/users/{direct}"), Some(&json!({ "remark": "vip" })), Some(&viewer))
        .await
        .assert_failure(4031001);
    // A user sees only itself; another user of the same vendor is missing to it.
    let b_user = token_of(&user_token(&app, &b.vid, &b_mobile, USER_PWD).await);
    app.get(&format!("/api/users/{direct}"), Some(&b_user)).await.assert_failure(4041070);
    // The platform sees everyone.
    assert_eq!(app.get("/api/users", Some(&platform)).await.body["total"], json!(4));
}

async fn the_vendor_edits_users_and_the_platform_deregisters_them(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Edits").await;
    let admin = vendor_token(&app, &v).await;
    let (first, _) = sign_up(&app, &v.vid, json!({})).await;
    let (second, _) = sign_up(&app, &v.vid, json!({ "rid": first })).await;
    let (third, mobile) = sign_up(&app, &v.vid, json!({ "rid": second })).await;
    // The user edits its profile but not the vendor's fields.
    let token = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let edited =
        app.put(&format!("/api/users/{third}"), Some(&json!({ "name": "Bob", "area": "Zhuhai" })), Some(&token)).await;
    assert_eq!(edited.ok_envelope(201)["name"], json!("Bob"));
    app.put(&format!("/api/users/{third}"), Some(&json!({ "remark": "me" })), Some(&token))
        .await
        .assert_failure(4031001);
    app.put(&format!("/api/users/{third}"), Some(&json!({ "email": "not-an-email" })), Some(&token))
        .await
        .assert_failure(4221001);
    // The vendor changes referrers, but never into a loop or to a stranger.
    app.put(&format!("/api/users/{first}"), Some(&json!({ "rid": third })), Some(&admin)).await.assert_failure(4221202);
    app.put(&format!("/api/users/{first}"), Some(&json!({ "rid": first })), Some(&admin)).await.assert_failure(4221202);
    app.put(&format!("/api/users/{first}"), Some(&json!({ "rid": "NOPE000000000000000" })), Some(&admin))
        .await
        .assert_failure(4221202);
    let moved =
        app.put(&format!("/api/users/{third}"), Some(&json!({ "rid": first, "remark": "moved" })), Some(&admin)).await;
    assert_eq!(
        (moved.ok_envelope(201)["rid"].clone(), moved.body["data"]["remark"].clone()),
        (json!(first), json!("moved"))
    );
    // Disabling a user signs it out.
    app.put(&format!("/api/users/{third}"), Some(&json!({ "state": 0 })), Some(&admin)).await.ok_envelope(201);
    app.get("/api/users", Some(&token)).await.assert_failure(4011003);
    user_token(&app, &v.vid, &mobile, USER_PWD).await.assert_failure(4031041);
    app.put(&format!("/api/users/{third}"), Some(&json!({ "state": 2 })), Some(&admin)).await.ok_envelope(201);
    let token = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    // AA-10: only the platform deregisters; the user's logins end, it answers 410, the mobile frees.
    app.delete(&format!("/api/users/{third}"), Some(&admin)).await.assert_failure(4031001);
    let gone = app.delete(&format!("/api/users/{third}"), Some(&platform)).await;
    assert_eq!(gone.status.as_u16(), 204);
    app.get("/api/users", Some(&token)).await.assert_failure(4011003);
    app.get(&format!("/api/users/{third}"), Some(&admin)).await.assert_failure(4101002);
    user_token(&app, &v.vid, &mobile, USER_PWD).await.assert_failure(4011007);
    forget_last_send(&app, &mobile).await;
    app.get(&format!("/api/users/code?vid={}&mobile={mobile}", v.vid), None).await.ok_envelope(200);
    let again = json!({ "vid": v.vid, "mobile": mobile, "code": app.sms_code(&mobile), "pwd": USER_PWD });
    let reborn = app.post("/api/users", &again, None).await;
    assert_ne!(reborn.ok_envelope(201)["uid"], json!(third), "a new user, a new uid");
}

async fn v2_tokens_work_on_api(backend: Backend) {
    let app = spawn(backend).await;
    // A corp made by create-corp is a vendor too: it has a code, and its admin's token works here.
    let corp = app.create_corp("legacy").await;
    let (token, _) = app.login(&corp).await;
    let read = app.get(&format!("/api/vendors/{}", corp.corp_id), Some(&token)).await;
    let data = read.ok_envelope(200);
    assert_eq!(data["code"].as_str().map(str::len), Some(4));
    assert_eq!(data["name"], json!("legacy Ltd"));
    assert_eq!(app.get("/api/users", Some(&token)).await.body["total"], json!(0));
}

/// A server whose codes go out through Aliyun SMS, here the stand-in at `aliyun` (signed with
/// `secret`, which the stand-in may or may not share).
async fn spawn_with_aliyun(backend: Backend, aliyun: &stand_ins::AliyunSms, secret: &str) -> TestApp {
    let sms = Sms::Aliyun(AliyunSms {
        endpoint: aliyun.url.clone(),
        region: "cn-hangzhou".into(),
        access_key_id: "LTAI5tStandIn".into(),
        access_key_secret: Secret::new(secret),
        sign_name: "阿里云短信测试".into(),
        template_code: "SMS_154950909".into(),
    });
    spawn_with(backend, backoffice::server::config::Config { sms, ..test_config() }).await
}

/// With `SMS_PROVIDER=aliyun` a code goes out as a signed `SendSms` that the stand-in verifies,
/// and it works; a refused or unverifiable send answers 503, leaves no code behind and does not
/// count against the mobile's limits.
async fn codes_go_out_through_aliyun_sms(backend: Backend) {
    let aliyun = stand_ins::AliyunSms::start("LTAI5tStandIn", "stand-in-secret").await;
    let app = spawn_with_aliyun(backend, &aliyun, "stand-in-secret").await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Aliyun").await;
    let mobile = unique_phone();
    let ask_path = format!("/api/users/code?vid={}&mobile={mobile}", v.vid);
    app.get(&ask_path, None).await.ok_envelope(200);
    let sent = aliyun.accepted();
    assert_eq!(sent.len(), 1, "refused: {:?}", aliyun.refused());
    assert_eq!((sent[0].mobile.as_str(), sent[0].sign_name.as_str()), (mobile.as_str(), "阿里云短信测试"));
    assert_eq!(sent[0].template_code, "SMS_154950909");
    assert!(sent[0].code.len() == 6 && sent[0].code.bytes().all(|b| b.is_ascii_digit()), "{:?}", sent[0]);
    register_with(&app, &v.vid, &mobile, &sent[0].code).await.ok_envelope(201);

    // The provider refuses (its hourly limit): 503, and the user may ask again at once.
    let other = unique_phone();
    let other_path = format!("/api/users/code?vid={}&mobile={other}", v.vid);
    let ask_other = || app.get(&other_path, None);
    aliyun.fail_with(Some("isv.BUSINESS_LIMIT_CONTROL"));
    ask_other().await.assert_failure(5031002);
    let live: (i64,) = app
        .ctx
        .db
        .fetch_one(
            &Sql::new("SELECT COUNT(*) FROM verification_codes WHERE mobile = $1 AND used_time IS NULL")
                .bind(other.clone()),
        )
        .await
        .unwrap();
    assert_eq!(live.0, 0, "the code that did not go out is void");
    aliyun.fail_with(None);
    ask_other().await.ok_envelope(200);
    let code = aliyun.accepted().last().unwrap().code.clone();
    register_with(&app, &v.vid, &other, &code).await.ok_envelope(201);
    ask_other().await.assert_failure(4291002);

    // A server with the wrong secret: the stand-in refuses its signature; nothing is sent.
    let wrong = spawn_with_aliyun(backend, &aliyun, "not-the-secret").await;
    let platform = platform_token(&wrong).await;
    let w = register_vendor(&wrong, &platform, "Wrong key").await;
    let third = unique_phone();
    for _ in 0..2 {
        wrong.get(&format!("/api/users/code?vid={}&mobile={third}", w.vid), None).await.assert_failure(5031002);
    }
    assert_eq!(aliyun.refused(), ["SignatureDoesNotMatch", "SignatureDoesNotMatch"]);
    assert_eq!(aliyun.accepted().len(), 2);
}

crate::both_backends!(
    envelope_and_conventions,
    platform_admin_signs_in_and_lists_vendors,
    registering_a_vendor_makes_its_corp_and_admin,
    only_the_platform_runs_vendors,
    vendor_password_mobile_options_and_state,
    deregistered_vendors_are_gone,
    users_sign_up_with_a_code_and_sign_in,
    verification_codes_keep_their_limits,
    users_change_password_mobile_and_reset,
    who_sees_which_users,
    the_vendor_edits_users_and_the_platform_deregisters_them,
    v2_tokens_work_on_api,
    codes_go_out_through_aliyun_sms,
);

/// Every log line the server writes while a request is handled, at every level (far more than a
/// deployment logs): captured in memory by a subscriber that is the default of this test's one
/// thread, which the current-thread runtime runs the server's tasks on too.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Passwords, vendor secrets and tokens go through sign-in, registration, the secret settings
/// and password changes on both APIs; none of them appears in any log line.
async fn secrets_never_reach_the_log(backend: Backend) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    crate::helpers::keep_callsites_undecided();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Quiet").await;
    let accounts = json!({ "mp_secret": "mp-secret-value-2", "mch_secret": "mch-secret-value-2" });
    app.put(&format!("/api/vendors/{}/mxx", v.vid), Some(&accounts), Some(&platform)).await.ok_envelope(201);
    app.put(&format!("/api/vendors/{}/pwd", v.vid), Some(&json!({ "pwd": "vendor-pass-2" })), Some(&platform))
        .await
        .ok_envelope(201);
    let corp =
        vendor_admin(&app, &v.mobile, "vendor-pass-2").await.assert_ok()["access_token"].as_str().unwrap().to_owned();
    vendor_admin(&app, &v.mobile, "wrong-vendor-pass").await;
    let (uid, mobile) = sign_up(&app, &v.vid, json!({})).await;
    let user = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let change = json!({ "old_pwd": USER_PWD, "new_pwd": "user-pass-2" });
    app.put(&format!("/api/users/{uid}/pwd"), Some(&change), Some(&user)).await.ok_envelope(201);
    user_token(&app, &v.vid, &mobile, "user-pass-2").await.ok_envelope(200);
    user_token(&app, &v.vid, &mobile, "wrong-user-pass").await;

    let log = captured.text();
    // The capture works: the requests above are in it.
    assert!(log.contains("/api/vendors"), "nothing was captured");
    assert!(log.contains("/v2/corp_auth"), "nothing was captured");
    // Each request's access line names its route template (what to group by), not only its path.
    let line = log
        .lines()
        .find(|l| l.contains("route=") && l.contains("/api/vendors/{vid}/pwd") && l.contains("status="))
        .unwrap_or_else(|| panic!("no access line with the route template in:\n{log}"));
    assert!(line.contains("status=201") && line.contains("latency_ms=") && line.contains("platform_admin:"), "{line}");
    for secret in [
        ADMIN_PASSWORD,
        VENDOR_PWD,
        "vendor-pass-2",
        "wrong-vendor-pass",
        "mp-secret-value-1",
        "mch-secret-value-1",
        "mp-secret-value-2",
        "mch-secret-value-2",
        USER_PWD,
        "user-pass-2",
        "wrong-user-pass",
        platform.as_str(),
        corp.as_str(),
        user.as_str(),
    ] {
        assert!(!log.contains(secret), "a secret reached the log: {secret}");
    }
}

mod log_capture {
    #[tokio::test(flavor = "current_thread")]
    async fn sqlite_secrets_never_reach_the_log() {
        super::secrets_never_reach_the_log(crate::helpers::Backend::Sqlite).await
    }

    #[tokio::test(flavor = "current_thread")]
    async fn postgres_secrets_never_reach_the_log() {
        super::secrets_never_reach_the_log(crate::helpers::Backend::Postgres).await
    }
}
