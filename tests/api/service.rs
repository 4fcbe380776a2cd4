//! Devices in service, engineers and work orders on `/api` (issue 18; seed 003 AB, 五, 八,
//! OPS-CONTRACT.md): the platform registers serials, users bind and share them; engineers are
//! registered in scope and sign in; a ticket moves through its states one compare-and-set at a
//! time; a paid rental makes an install ticket whose end starts the lease, and the clock expires
//! it, makes one removal ticket and settles the deposit; filters at their end make one
//! maintenance ticket; tickets past their targets are flagged once.

use backoffice::server::{
    clock::now_ms,
    db::Sql,
    jobs::service::{run, Moved},
};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn, Answer, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, Vendor, USER_PWD},
};

crate::both_backends!(
    devices_are_registered_bound_shared_and_deregistered,
    engineers_are_managed_in_scope_and_sign_in,
    a_ticket_moves_through_its_states,
    a_rental_install_starts_a_lease_and_the_clock_removes_it,
    filters_drive_one_maintenance_ticket,
    overdue_tickets_are_flagged_once,
    dealers_see_and_dispatch_only_in_their_scope,
    a_device_reporting_a_fault_gets_one_ticket,
);

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const ENGINEER_PWD: &str = "eng-pass-1";

/// A vendor signed in, the platform operator, and a `/v2` product of the vendor's.
struct Shop {
    v: Vendor,
    vendor: String,
    platform: String,
    product: String,
}

async fn shop(app: &TestApp, name: &str) -> Shop {
    let platform = platform_token(app).await;
    let v = register_vendor(app, &platform, name).await;
    let vendor = vendor_token(app, &v).await;
    let product = app.insert_product(&v.vid).await;
    Shop { v, vendor, platform, product }
}

/// A user of the vendor, signed in: (uid, mobile, token).
async fn user(app: &TestApp, vid: &str) -> (String, String, String) {
    let (uid, mobile) = sign_up(app, vid, json!({})).await;
    let token = token_of(&user_token(app, vid, &mobile, USER_PWD).await);
    (uid, mobile, token)
}

/// The platform registers `serials` for the shop's product (AB-02).
async fn register(app: &TestApp, s: &Shop, serials: &[&str], kind: i64, prod_id: &str) -> Answer {
    let body = json!({ "device_ids": serials, "type": kind, "model": "WP-1", "vendor_id": s.v.vid,
                       "product_id": s.product, "prod_id": prod_id });
    app.post("/api/devices", &body, Some(&s.platform)).await
}

fn dev(serial: &str, rest: &str) -> String {
    format!("/api/devices/{serial}{rest}")
}

fn tk(ticket: &Value, rest: &str) -> String {
    format!("/api/tickets/{}{rest}", ticket["ticket_id"].as_str().expect("ticket_id"))
}

/// A POST without any body (a user binding a device to itself).
async fn post_bare(app: &TestApp, path: &str, token: &str) -> Answer {
    app.send(app.client.post(app.url(path)).header("Access-Token", token)).await
}

#[track_caller]
fn assert_deleted(a: &Answer) {
    assert_eq!(a.status.as_u16(), 204, "{:?}", a.body);
}

async fn merchandise(app: &TestApp, vendor: &str, body: Value) -> String {
    let a = app.post("/api/products", &body, Some(vendor)).await;
    a.ok_envelope(201)["prod_id"].as_str().expect("prod_id").to_owned()
}

/// Registers an engineer (`extra`: its other fields); answers (id, mobile).
async fn engineer(app: &TestApp, token: &str, extra: Value) -> (i64, String) {
    let mobile = crate::helpers::unique_phone();
    let mut body = json!({ "name": "Wang", "mobile": mobile, "password": ENGINEER_PWD });
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let a = app.post("/api/engineers", &body, Some(token)).await;
    (a.ok_envelope(201)["id"].as_i64().expect("engineer id"), mobile)
}

async fn engineer_auth(app: &TestApp, vid: &str, mobile: &str, password: &str) -> Answer {
    app.post("/api/engineers/auth", &json!({ "vid": vid, "mobile": mobile, "password": password }), None).await
}

async fn engineer_token(app: &TestApp, vid: &str, mobile: &str) -> String {
    token_of(&engineer_auth(app, vid, mobile, ENGINEER_PWD).await)
}

async fn tickets(app: &TestApp, token: &str, query: &str) -> (i64, Vec<Value>) {
    let a = app.get(&format!("/api/tickets{query}"), Some(token)).await;
    let list = a.ok_envelope(200)["tickets"].as_array().expect("tickets").clone();
    (a.body["total"].as_i64().unwrap(), list)
}

async fn step(app: &TestApp, ticket: &Value, action: &str, body: Value, token: &str) -> Answer {
    app.post(&tk(ticket, &format!("/{action}")), &body, Some(token)).await
}

/// Moves a ticket on and answers it, asserting 201 and the status it reaches.
async fn stepped(app: &TestApp, ticket: &Value, action: &str, body: Value, token: &str, status: i64) -> Value {
    let a = step(app, ticket, action, body, token).await;
    let t = a.ok_envelope(201).clone();
    assert_eq!(t["status"], json!(status), "{action}: {t}");
    t
}

async fn one_i64(app: &TestApp, sql: Sql) -> i64 {
    let (v,): (i64,) = app.ctx.db.fetch_one(&sql).await.expect("one value");
    v
}

async fn device_row_id(app: &TestApp, serial: &str) -> i64 {
    one_i64(app, Sql::new("SELECT id FROM devices WHERE serial = $1").bind(serial.to_owned())).await
}

/// When the device's open lease expires (ms).
async fn lease_expire(app: &TestApp, device_id: i64) -> i64 {
    one_i64(app, Sql::new("SELECT expire_time FROM leases WHERE device_id = $1 AND state <> 3").bind(device_id)).await
}

/// When the device's first filter was (last) fitted (ms).
async fn fit_time(app: &TestApp, device_id: i64) -> i64 {
    let sql = Sql::new("SELECT fit_time FROM device_filters WHERE device_id = $1 AND filter_order = 1").bind(device_id);
    one_i64(app, sql).await
}

async fn device(app: &TestApp, token: &str, serial: &str) -> Value {
    app.get(&dev(serial, ""), Some(token)).await.ok_envelope(200).clone()
}

fn receiver() -> Value {
    json!({ "name": "Ann", "phone": "13800000001", "area": "广东省珠海市香洲区", "address": "南方软件园A123",
            "zipcode": "519000" })
}

async fn ordered(app: &TestApp, user: &str, content: Value) -> Value {
    let a = app.post("/api/orders", &json!({ "content": content, "receiver": receiver() }), Some(user)).await;
    a.ok_envelope(201).clone()
}

fn order_at(order: &Value, rest: &str) -> String {
    format!("/api/orders/{}{rest}", order["order_id"].as_str().expect("order_id"))
}

/// Pays through the sandbox as a browser would: the prepay's pay page, then its button.
async fn pay(app: &TestApp, user: &str, order: &Value) {
    let prepaid = app.post(&order_at(order, "/prepay/weixin"), &json!({}), Some(user)).await.ok_envelope(201).clone();
    let url = prepaid["pay_url"].as_str().expect("pay_url").to_owned();
    let page = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let res = app.client.post(app.url(&url)).header("Origin", app.url("")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("Paid"), "{text}");
}

async fn devices_are_registered_bound_shared_and_deregistered(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Devices").await;
    let other = shop(&app, "Elsewhere").await;
    let (uid_a, _, a) = user(&app, &s.v.vid).await;
    let (uid_b, mobile_b, b) = user(&app, &s.v.vid).await;
    let (_, mobile_c, _) = user(&app, &s.v.vid).await;
    let (_, _, stranger) = user(&app, &other.v.vid).await;

    // AB-02: the platform registers, all or none; nobody else does.
    let a1 = register(&app, &s, &["SN-A1", "SN-A2"], 1, "").await;
    assert_eq!(a1.ok_envelope(201)["device_ids"], json!(["SN-A1", "SN-A2"]));
    register(&app, &s, &["SN-NEW", "SN-A1"], 1, "").await.assert_failure(4221231);
    app.get(&dev("SN-NEW", ""), Some(&s.platform)).await.assert_failure(4041008);
    assert_eq!(app.get("/api/devices", Some(&s.platform)).await.body["total"], json!(2));
    let body = json!({ "device_ids": ["SN-X"], "type": 1, "vendor_id": s.v.vid, "product_id": s.product });
    app.post("/api/devices", &body, Some(&s.vendor)).await.assert_failure(4031001);
    app.post("/api/devices", &body, Some(&a)).await.assert_failure(4031001);

    // AB-01: the vendor lists them in the document's nested shape.
    let listed = app.get("/api/devices", Some(&s.vendor)).await;
    assert_eq!(listed.body["total"], json!(2));
    let list = listed.ok_envelope(200)["devices"].as_array().unwrap().clone();
    let d = list.iter().find(|d| d["device_id"] == json!("SN-A1")).expect("SN-A1 listed").clone();
    for key in ["manufacture", "installation", "service", "basic", "state", "statistics"] {
        assert!(d[key].is_object(), "{key}: {d}");
    }
    assert_eq!(
        [&d["vendor_id"], &d["product_id"], &d["type"], &d["model"], &d["user_id"], &d["user_share"]],
        [&json!(s.v.vid), &json!(s.product), &json!(1), &json!("WP-1"), &json!(""), &json!([])]
    );
    assert_eq!((d["service"]["state"].clone(), d["state"]["online"].clone()), (json!(0), json!(false)));
    assert_eq!(d["basic"]["dev_idcd"], json!("SN-A1"), "the serial is the device's MAC on /v2");
    app.get("/api/devices", Some(&other.vendor)).await.ok_envelope(200);
    assert_eq!(app.get("/api/devices", Some(&other.vendor)).await.body["total"], json!(0));

    // AB-11: a user binds by serial with no body; then it is the user's, and no one else's.
    assert_eq!(app.get("/api/devices", Some(&a)).await.body["total"], json!(0));
    let bound = post_bare(&app, &dev("SN-A1", "/bind"), &a).await;
    assert_eq!(bound.ok_envelope(201)["user_id"], json!(uid_a));
    let mine = app.get("/api/devices", Some(&a)).await;
    assert_eq!(mine.body["total"], json!(1));
    assert_eq!(mine.body["data"]["devices"][0]["device_id"], json!("SN-A1"));
    post_bare(&app, &dev("SN-A1", "/bind"), &a).await.ok_envelope(201);
    app.get(&dev("SN-A1", ""), Some(&b)).await.assert_failure(4041008);
    post_bare(&app, &dev("SN-A1", "/bind"), &b).await.assert_failure(4221231);
    post_bare(&app, &dev("SN-A1", "/bind"), &stranger).await.assert_failure(4041008);
    app.get(&dev("SN-A1", ""), Some(&other.vendor)).await.assert_failure(4041008);

    // AB-05/06/08: the owner edits its profile; the vendor the service; a user not the service.
    let prof = json!({ "name": "Kitchen", "address": "Room 1", "lng": "113.57", "lat": "22.27" });
    let p = app.put(&dev("SN-A1", "/prof"), Some(&prof), Some(&a)).await;
    assert_eq!(
        (p.ok_envelope(201)["name"].clone(), p.body["data"]["address"].clone()),
        (json!("Kitchen"), json!("Room 1"))
    );
    let p = app.put(&dev("SN-A1", "/prof"), Some(&json!({ "remark": "checked" })), Some(&s.vendor)).await;
    assert_eq!(
        (p.ok_envelope(201)["name"].clone(), p.body["data"]["remark"].clone()),
        (json!("Kitchen"), json!("checked"))
    );
    let p = app.get(&dev("SN-A1", "/prof"), Some(&a)).await;
    assert_eq!(p.ok_envelope(200)["remark"], json!("checked"));
    app.put(&dev("SN-A1", "/prof"), Some(&json!({ "lat": "95" })), Some(&a)).await.assert_failure(4221001);
    let svc = json!({ "state": 3, "expire": "2031-01-01T00:00:00Z" });
    let got = app.put(&dev("SN-A1", "/svc"), Some(&svc), Some(&s.vendor)).await;
    assert_eq!(
        (got.ok_envelope(201)["state"].clone(), got.body["data"]["expire"].clone()),
        (json!(3), json!("2031-01-01T00:00:00Z"))
    );
    app.put(&dev("SN-A1", "/svc"), Some(&json!({ "state": 1 })), Some(&a)).await.assert_failure(4031001);
    app.put(&dev("SN-A1", "/svc"), Some(&json!({ "state": 9 })), Some(&s.vendor)).await.assert_failure(4221001);
    assert_eq!(app.get(&dev("SN-A1", "/svc"), Some(&a)).await.ok_envelope(200)["state"], json!(3));

    // AB-15: the owner shares by mobile; the guest sees it but may not unbind, reset or share.
    let shared = app.post(&dev("SN-A1", "/share"), &json!({ "mobile": mobile_b }), Some(&a)).await;
    assert_eq!(shared.ok_envelope(201)["user_share"], json!([uid_b]));
    assert_eq!(device(&app, &b, "SN-A1").await["user_id"], json!(uid_a));
    assert_eq!(app.get("/api/devices", Some(&b)).await.body["total"], json!(1));
    app.delete(&dev("SN-A1", "/bind"), Some(&b)).await.assert_failure(4031001);
    app.delete(&dev("SN-A1", "/infos"), Some(&b)).await.assert_failure(4031001);
    app.post(&dev("SN-A1", "/share"), &json!({ "mobile": mobile_c }), Some(&b)).await.assert_failure(4031001);
    app.put(&dev("SN-A1", "/prof"), Some(&json!({ "name": "Mine" })), Some(&b)).await.assert_failure(4031001);
    // AB-16: the guest ends its own share, and sees the device no more.
    assert_deleted(&app.delete(&dev("SN-A1", "/share"), Some(&b)).await);
    app.get(&dev("SN-A1", ""), Some(&b)).await.assert_failure(4041008);
    assert_eq!(device(&app, &a, "SN-A1").await["user_share"], json!([]));

    // AB-13: the owner unbinds.
    assert_deleted(&app.delete(&dev("SN-A1", "/bind"), Some(&a)).await);
    app.get(&dev("SN-A1", ""), Some(&a)).await.assert_failure(4041008);
    app.delete(&dev("SN-A1", "/bind"), Some(&s.vendor)).await.assert_failure(4221232);
    let d = device(&app, &s.vendor, "SN-A1").await;
    assert_eq!((d["user_id"].clone(), d["name"].clone()), (json!(""), json!("Kitchen")), "unbinding keeps the profile");

    // AB-12: a factory reset clears the profile, the binding and the shares.
    post_bare(&app, &dev("SN-A1", "/bind"), &a).await.ok_envelope(201);
    app.post(&dev("SN-A1", "/share"), &json!({ "mobile": mobile_b }), Some(&a)).await.ok_envelope(201);
    assert_deleted(&app.delete(&dev("SN-A1", "/infos"), Some(&a)).await);
    let d = device(&app, &s.vendor, "SN-A1").await;
    assert_eq!(
        [&d["user_id"], &d["user_share"], &d["name"], &d["remark"], &d["installation"]["address"]],
        [&json!(""), &json!([]), &json!(""), &json!(""), &json!("")]
    );
    app.get(&dev("SN-A1", ""), Some(&b)).await.assert_failure(4041008);
    // Now free, another user may bind it.
    assert_eq!(post_bare(&app, &dev("SN-A1", "/bind"), &b).await.ok_envelope(201)["user_id"], json!(uid_b));

    // AB-14: only the platform deregisters; then the device answers 410 to everyone.
    app.delete(&dev("SN-A1", ""), Some(&s.vendor)).await.assert_failure(4031001);
    assert_deleted(&app.delete(&dev("SN-A1", ""), Some(&s.platform)).await);
    app.get(&dev("SN-A1", ""), Some(&s.vendor)).await.assert_failure(4101003);
    app.get(&dev("SN-A1", ""), Some(&s.platform)).await.assert_failure(4101003);
    post_bare(&app, &dev("SN-A1", "/bind"), &a).await.assert_failure(4101003);
    assert_eq!(app.get("/api/devices", Some(&s.vendor)).await.body["total"], json!(1));
    assert_eq!(app.get("/api/devices", Some(&b)).await.body["total"], json!(0), "released from its user");
    // Its serial stays taken.
    register(&app, &s, &["SN-A1"], 1, "").await.assert_failure(4221231);
}

async fn engineers_are_managed_in_scope_and_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Engineers").await;
    let dealer = app.add_dealer(&s.vendor, None).await;
    let sibling = app.add_dealer(&s.vendor, None).await;
    let dealer_token = app.dealer_token(&s.v.vid, &dealer).await;
    let sibling_token = app.dealer_token(&s.v.vid, &sibling).await;

    // The vendor registers its own engineer (no dealer), and one for a dealer.
    let body = json!({ "name": "Wang", "mobile": crate::helpers::unique_phone(), "password": ENGINEER_PWD,
                       "lng": "113.57", "lat": "22.27" });
    let a = app.post("/api/engineers", &body, Some(&s.vendor)).await;
    let own = a.ok_envelope(201).clone();
    assert_eq!(
        [&own["name"], &own["mobile"], &own["dealer_id"], &own["status"], &own["lng"], &own["vid"]],
        [&body["name"], &body["mobile"], &Value::Null, &json!(1), &json!("113.57"), &json!(s.v.vid)]
    );
    assert!(own.get("password").is_none() && !a.body.to_string().contains(ENGINEER_PWD), "{own}");
    let own_id = own["id"].as_i64().unwrap();
    let own_mobile = body["mobile"].as_str().unwrap().to_owned();
    let for_sibling = app
        .post(
            "/api/engineers",
            &json!({ "name": "Zhao", "mobile": crate::helpers::unique_phone(), "password": ENGINEER_PWD,
                     "dealer_id": sibling["id"] }),
            Some(&s.vendor),
        )
        .await;
    assert_eq!(for_sibling.ok_envelope(201)["dealer_id"], sibling["id"]);

    // A dealer registers its own, never another dealer's.
    let (dealers_id, dealers_mobile) = engineer(&app, &dealer_token, json!({ "name": "Li" })).await;
    let read = app.get(&format!("/api/engineers/{dealers_id}"), Some(&dealer_token)).await;
    assert_eq!(read.ok_envelope(200)["dealer_id"], dealer["id"]);
    let named = json!({ "name": "Sun", "mobile": crate::helpers::unique_phone(), "password": ENGINEER_PWD,
                        "dealer_id": sibling["id"] });
    app.post("/api/engineers", &named, Some(&dealer_token)).await.assert_failure(4031001);

    // Bad input, a mobile taken (by the vendor's or a dealer's engineer alike).
    let mut bad = json!({ "name": "Qian", "mobile": crate::helpers::unique_phone(), "password": "12" });
    app.post("/api/engineers", &bad, Some(&s.vendor)).await.assert_failure(4221001);
    bad["password"] = json!(ENGINEER_PWD);
    bad["lng"] = json!("200");
    app.post("/api/engineers", &bad, Some(&s.vendor)).await.assert_failure(4221001);
    let twin = json!({ "name": "Twin", "mobile": own_mobile, "password": ENGINEER_PWD });
    app.post("/api/engineers", &twin, Some(&s.vendor)).await.assert_failure(4221234);
    app.post("/api/engineers", &twin, Some(&dealer_token)).await.assert_failure(4221234);

    // Who sees whom: the vendor all three, a dealer its own.
    let listed = app.get("/api/engineers", Some(&s.vendor)).await;
    assert_eq!(listed.ok_envelope(200)["engineers"].as_array().unwrap().len(), 3);
    assert_eq!(listed.body["total"], json!(3));
    let listed = app.get("/api/engineers", Some(&dealer_token)).await;
    let ids: Vec<i64> =
        listed.ok_envelope(200)["engineers"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [dealers_id]);
    assert_eq!(app.get("/api/engineers", Some(&sibling_token)).await.body["total"], json!(1));
    app.get(&format!("/api/engineers/{own_id}"), Some(&dealer_token)).await.assert_failure(4041075);
    app.put(&format!("/api/engineers/{own_id}"), Some(&json!({ "name": "X" })), Some(&dealer_token))
        .await
        .assert_failure(4041075);
    let renamed =
        app.put(&format!("/api/engineers/{dealers_id}"), Some(&json!({ "name": "Li Si" })), Some(&dealer_token)).await;
    assert_eq!(renamed.ok_envelope(201)["name"], json!("Li Si"));

    // An engineer signs in with its vendor, mobile and password.
    let signed = engineer_auth(&app, &s.v.vid, &own_mobile, ENGINEER_PWD).await;
    let data = signed.ok_envelope(200).clone();
    assert_eq!(data["engineer_id"], json!(own_id));
    assert!(data["access_token"].is_string() && data["refresh_token"].is_string(), "{data}");
    let token = data["access_token"].as_str().unwrap().to_owned();
    engineer_auth(&app, &s.v.vid, &own_mobile, "wrong-pass-1").await.assert_failure(4011007);
    let other = shop(&app, "Another").await;
    engineer_auth(&app, &other.v.vid, &own_mobile, ENGINEER_PWD).await.assert_failure(4011007);
    let dealers_token = engineer_token(&app, &s.v.vid, &dealers_mobile).await;
    // It sees itself and its tickets (none yet); it manages no one.
    let me = app.get("/api/engineers", Some(&token)).await;
    assert_eq!((me.body["total"].clone(), me.body["data"]["engineers"][0]["id"].clone()), (json!(1), json!(own_id)));
    assert_eq!(app.get("/api/tickets", Some(&token)).await.body["total"], json!(0));
    assert_eq!(app.get("/api/devices", Some(&token)).await.body["total"], json!(0));
    app.post("/api/engineers", &bad, Some(&token)).await.assert_failure(4031001);
    app.get(&format!("/api/engineers/{dealers_id}"), Some(&token)).await.assert_failure(4041075);

    // Disabled: signed out at once, and told so when it signs in again; enabled: back.
    let off = app.put(&format!("/api/engineers/{own_id}"), Some(&json!({ "status": 0 })), Some(&s.vendor)).await;
    assert_eq!(off.ok_envelope(201)["status"], json!(0));
    app.get("/api/tickets", Some(&token)).await.assert_failure(4011003);
    engineer_auth(&app, &s.v.vid, &own_mobile, ENGINEER_PWD).await.assert_failure(4221009);
    app.put(&format!("/api/engineers/{own_id}"), Some(&json!({ "status": 2 })), Some(&s.vendor))
        .await
        .assert_failure(4221001);
    app.put(&format!("/api/engineers/{own_id}"), Some(&json!({ "status": 1 })), Some(&s.vendor)).await.ok_envelope(201);
    let token = engineer_token(&app, &s.v.vid, &own_mobile).await;
    app.get("/api/tickets", Some(&token)).await.ok_envelope(200);

    // Removed by its dealer: signed out, gone from the lists, its mobile free again.
    assert_deleted(&app.delete(&format!("/api/engineers/{dealers_id}"), Some(&dealer_token)).await);
    app.get("/api/tickets", Some(&dealers_token)).await.assert_failure(4011003);
    assert_eq!(app.get("/api/engineers", Some(&dealer_token)).await.body["total"], json!(0));
    let again = json!({ "name": "Li", "mobile": dealers_mobile, "password": ENGINEER_PWD });
    app.post("/api/engineers", &again, Some(&dealer_token)).await.ok_envelope(201);
}

async fn a_ticket_moves_through_its_states(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Tickets").await;
    let (uid, _, u) = user(&app, &s.v.vid).await;
    let (_, _, other_user) = user(&app, &s.v.vid).await;
    register(&app, &s, &["SN-T1"], 1, "").await.ok_envelope(201);
    post_bare(&app, &dev("SN-T1", "/bind"), &u).await.ok_envelope(201);
    let (e1, e1_mobile) = engineer(&app, &s.vendor, json!({})).await;
    let (e2, e2_mobile) = engineer(&app, &s.vendor, json!({})).await;
    let eng1 = engineer_token(&app, &s.v.vid, &e1_mobile).await;
    let eng2 = engineer_token(&app, &s.v.vid, &e2_mobile).await;

    // The user opens a fault ticket about its device; not an install, not about another's.
    let fault = json!({ "type": 4, "device_id": "SN-T1", "detail": "it leaks" });
    let t = app.post("/api/tickets", &fault, Some(&u)).await.ok_envelope(201).clone();
    assert_eq!(
        [&t["status"], &t["type"], &t["source"], &t["user_id"], &t["device_id"], &t["detail"], &t["overdue"]],
        [&json!(1), &json!(4), &json!("user"), &json!(uid), &json!("SN-T1"), &json!("it leaks"), &json!(false)]
    );
    let id = t["ticket_id"].as_str().unwrap();
    assert!(id.len() == 8 + 4 + 12 && id[8..12] == s.v.code, "{id}");
    assert!(t["approval"].is_object() && t["ratings"].is_object(), "{t}");
    let install = json!({ "type": 1, "device_id": "SN-T1", "detail": "put it in" });
    app.post("/api/tickets", &install, Some(&u)).await.assert_failure(4221001);
    app.post("/api/tickets", &fault, Some(&other_user)).await.assert_failure(4041008);
    app.get(&tk(&t, ""), Some(&other_user)).await.assert_failure(4041074);
    app.get(&tk(&t, ""), Some(&eng1)).await.assert_failure(4041074);
    assert_eq!(app.get("/api/tickets", Some(&other_user)).await.body["total"], json!(0));
    assert_eq!(app.get("/api/tickets", Some(&u)).await.body["total"], json!(1));

    // Out of order: 422; the user's steps are not the vendor's, the engineer's not the user's.
    step(&app, &t, "dispatch", json!({ "engineer_id": e1 }), &s.vendor).await.assert_failure(4221230);
    step(&app, &t, "rate", json!({ "rate_value": 5 }), &u).await.assert_failure(4221230);
    step(&app, &t, "review", json!({ "approve": true }), &u).await.assert_failure(4031001);
    let reviewed = stepped(&app, &t, "review", json!({ "approve": true, "note": "ok" }), &s.vendor, 2).await;
    assert_eq!(reviewed["approval"]["check_result"], json!(true));
    assert!(reviewed["approval"]["check_usr"].as_str().is_some_and(|u| u.starts_with("member:")), "{reviewed}");
    step(&app, &t, "review", json!({ "approve": true }), &s.vendor).await.assert_failure(4221230);
    step(&app, &t, "cancel", json!({}), &u).await.assert_failure(4221230);
    step(&app, &t, "dispatch", json!({ "engineer_id": 999_999 }), &s.vendor).await.assert_failure(4041075);
    let dispatched = stepped(&app, &t, "dispatch", json!({ "engineer_id": e1 }), &s.vendor, 3).await;
    assert_eq!(dispatched["engineer_id"], json!(e1));

    // The engineer it went to sees it (and its device); the other engineer does not.
    let (n, list) = tickets(&app, &eng1, "").await;
    assert_eq!((n, list[0]["ticket_id"].clone()), (1, t["ticket_id"].clone()));
    assert_eq!(app.get("/api/devices", Some(&eng1)).await.body["total"], json!(1));
    app.get(&tk(&t, ""), Some(&eng2)).await.assert_failure(4041074);
    step(&app, &t, "accept", json!({}), &eng2).await.assert_failure(4041074);
    step(&app, &t, "accept", json!({}), &u).await.assert_failure(4031001);
    step(&app, &t, "resume", json!({}), &eng1).await.assert_failure(4221230);

    // Work: accept, wait, resume, finish.
    stepped(&app, &t, "accept", json!({}), &eng1, 4).await;
    step(&app, &t, "accept", json!({}), &eng1).await.assert_failure(4221230);
    step(&app, &t, "cancel", json!({}), &s.vendor).await.assert_failure(4221230);
    stepped(&app, &t, "wait", json!({ "note": "waiting for parts" }), &eng1, 5).await;
    step(&app, &t, "finish", json!({}), &eng1).await.assert_failure(4221230);
    stepped(&app, &t, "resume", json!({}), &eng1, 4).await;
    step(&app, &t, "finish", json!({}), &eng2).await.assert_failure(4041074);
    step(&app, &t, "finish", json!({}), &u).await.assert_failure(4031001);
    let done = stepped(&app, &t, "finish", json!({ "note": "seal replaced" }), &eng1, 6).await;
    assert_eq!(done["note"], json!("seal replaced"));
    assert!(done["finish_tms"].is_string() && done["accept_tms"].is_string(), "{done}");

    // The user rates it once.
    step(&app, &t, "rate", json!({ "rate_value": 6 }), &u).await.assert_failure(4221001);
    step(&app, &t, "rate", json!({ "rate_value": 5 }), &s.vendor).await.assert_failure(4031001);
    let rated = stepped(&app, &t, "rate", json!({ "rate_value": 5, "rate_detail": "quick" }), &u, 6).await;
    assert_eq!(
        (rated["ratings"]["rate_value"].clone(), rated["ratings"]["rate_detail"].clone()),
        (json!(5), json!("quick"))
    );
    step(&app, &t, "rate", json!({ "rate_value": 1 }), &u).await.assert_failure(4221230);

    // The timeline: every change in order, who made it.
    let timeline = app.get(&tk(&t, "/timeline"), Some(&u)).await.ok_envelope(200)["events"].clone();
    let events: Vec<(&str, i64)> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["status"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        events,
        [
            ("create", 1),
            ("review", 2),
            ("dispatch", 3),
            ("accept", 4),
            ("wait", 5),
            ("resume", 4),
            ("finish", 6),
            ("rate", 6)
        ]
    );
    assert_eq!(timeline[0]["actor"], json!(format!("user:{uid}")));
    assert_eq!(timeline[3]["actor"], json!(format!("engineer:{e1}")));
    assert_eq!(timeline[4]["note"], json!("waiting for parts"));

    // A second ticket dispatched to the other engineer: each sees its own only.
    let exchange = json!({ "type": 2, "device_id": "SN-T1", "detail": "wrong colour" });
    let t2 = app.post("/api/tickets", &exchange, Some(&u)).await.ok_envelope(201).clone();
    stepped(&app, &t2, "review", json!({ "approve": true }), &s.vendor, 2).await;
    stepped(&app, &t2, "dispatch", json!({ "engineer_id": e2 }), &s.vendor, 3).await;
    let (n, list) = tickets(&app, &eng2, "").await;
    assert_eq!((n, list[0]["ticket_id"].clone()), (1, t2["ticket_id"].clone()));
    assert_eq!(tickets(&app, &eng1, "").await.0, 1);
    let cancelled = stepped(&app, &t2, "cancel", json!({ "note": "sorted by phone" }), &s.vendor, 0).await;
    assert!(cancelled["cancel_tms"].is_string(), "{cancelled}");

    // Refused at review: cancelled, and the result recorded.
    let t3 = app.post("/api/tickets", &fault, Some(&u)).await.ok_envelope(201).clone();
    let refused = stepped(&app, &t3, "review", json!({ "approve": false, "note": "a duplicate" }), &s.vendor, 0).await;
    assert_eq!(refused["approval"]["check_result"], json!(false));
    assert!(refused["approval"]["check_tms"].is_string() && refused["cancel_tms"].is_string(), "{refused}");
    step(&app, &t3, "dispatch", json!({ "engineer_id": e1 }), &s.vendor).await.assert_failure(4221230);
    // A user cancels its own ticket before review.
    let t4 = app.post("/api/tickets", &fault, Some(&u)).await.ok_envelope(201).clone();
    stepped(&app, &t4, "cancel", json!({}), &u, 0).await;

    // The summary, and the list's filters.
    let summary = app.get("/api/tickets/summary", Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!(
        [&summary["total"], &summary["by_status"]["6"], &summary["by_status"]["0"], &summary["by_status"]["3"]],
        [&json!(4), &json!(1), &json!(3), &json!(0)]
    );
    assert_eq!((summary["by_type"]["4"].clone(), summary["by_type"]["2"].clone()), (json!(3), json!(1)));
    assert_eq!((summary["open"].clone(), summary["rated"].clone()), (json!(0), json!(1)));
    assert_eq!(summary["rating"].as_f64(), Some(5.0));
    assert_eq!(app.get("/api/tickets/summary", Some(&eng2)).await.ok_envelope(200)["total"], json!(1));
    assert_eq!(tickets(&app, &s.vendor, "?status=0").await.0, 3);
    assert_eq!(tickets(&app, &s.vendor, "?type=2").await.0, 1);
    let (n, newest) = tickets(&app, &u, "").await;
    assert_eq!((n, newest[0]["ticket_id"].clone()), (4, t4["ticket_id"].clone()), "newest first");
}

async fn a_rental_install_starts_a_lease_and_the_clock_removes_it(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Rental").await;
    let (uid, _, u) = user(&app, &s.v.vid).await;
    let (_, _, other_user) = user(&app, &s.v.vid).await;
    let rental = json!({ "name": "Purifier to rent", "price": 298_000, "billing": 2, "install": true, "state": 1,
        "rent": { "deposit": 10_000, "config": [{ "name": "30天", "key": "30d", "value": 3_000 }] },
        "specification": { "filters": [{ "order": 1, "name": "PP", "timer_mode": 1, "lifetime": 10_000,
                                         "worklife": 0 }] } });
    let prod = merchandise(&app, &s.vendor, rental).await;
    register(&app, &s, &["SN-R1"], 2, "").await.ok_envelope(201);
    let (eng_id, eng_mobile) = engineer(&app, &s.vendor, json!({})).await;
    let eng = engineer_token(&app, &s.v.vid, &eng_mobile).await;
    // A dealer's engineer, who is not the vendor's to send to the vendor's own user.
    let dealer = app.add_dealer(&s.vendor, None).await;
    engineer(&app, &s.vendor, json!({ "dealer_id": dealer["id"] })).await;

    // Ordered with a plan and paid: exactly one install ticket.
    let o = ordered(&app, &u, json!([{ "product_id": prod, "quantity": 1, "plan": "30d" }])).await;
    assert_eq!([&o["deposit"], &o["rent"], &o["total"]], [&json!(10_000), &json!(3_000), &json!(13_000)]);
    assert_eq!(tickets(&app, &s.vendor, "").await.0, 0, "nothing before it is paid");
    pay(&app, &u, &o).await;
    let (n, list) = tickets(&app, &s.vendor, "").await;
    assert_eq!(n, 1, "{list:?}");
    let t = list[0].clone();
    assert_eq!(
        [&t["type"], &t["status"], &t["source"], &t["order_id"], &t["user_id"], &t["device_id"]],
        [&json!(1), &json!(1), &json!("system"), &o["order_id"], &json!(uid), &json!("")]
    );
    assert_eq!(tickets(&app, &u, "?type=1").await.0, 1, "the user sees its install ticket");

    // Reviewed, dispatched by the hierarchy (the vendor's own engineer), accepted, finished
    // naming the device installed.
    stepped(&app, &t, "review", json!({ "approve": true }), &s.vendor, 2).await;
    let d = stepped(&app, &t, "dispatch", json!({ "mode": "hierarchy" }), &s.vendor, 3).await;
    assert_eq!(d["engineer_id"], json!(eng_id));
    stepped(&app, &t, "accept", json!({}), &eng, 4).await;
    step(&app, &t, "finish", json!({}), &eng).await.assert_failure(4221002);
    step(&app, &t, "finish", json!({ "device_id": "SN-NOPE" }), &eng).await.assert_failure(4221001);
    let before = now_ms();
    let done = stepped(&app, &t, "finish", json!({ "device_id": "SN-R1", "note": "installed" }), &eng, 6).await;
    let after = now_ms();
    assert_eq!(done["device_id"], json!("SN-R1"));

    // The device is the user's, in service, with its lease and its filter.
    let dv = device(&app, &u, "SN-R1").await;
    assert_eq!([&dv["user_id"], &dv["service"]["state"]], [&json!(uid), &json!(1)]);
    assert_eq!(dv["manufacture"]["product_id"], json!(prod));
    assert_eq!(
        (dv["installation"]["installer_id"].clone(), dv["installation"]["address"].clone()),
        (json!(eng_id), json!("南方软件园A123"))
    );
    let lease = &dv["service"]["lease"];
    assert_eq!(
        [&lease["state"], &lease["billing"], &lease["deposit"], &lease["order_id"]],
        [&json!(1), &json!(2), &json!(10_000), &o["order_id"]]
    );
    assert_eq!(dv["service"]["expire"], lease["expire_tms"]);
    let filters = dv["statistics"]["filters"].as_array().unwrap();
    assert_eq!(filters.len(), 1, "{filters:?}");
    assert_eq!((filters[0]["name"].clone(), filters[0]["remaining"].clone()), (json!("PP"), json!(100)));
    let device_id = device_row_id(&app, "SN-R1").await;
    let expire = lease_expire(&app, device_id).await;
    assert!((before + 30 * DAY..=after + 30 * DAY).contains(&expire), "{expire} not 30 days on");
    // The device may not be installed again while leased.
    let dup = ordered(&app, &other_user, json!([{ "product_id": prod, "quantity": 1, "plan": "30d" }])).await;
    pay(&app, &other_user, &dup).await;
    let (_, list) = tickets(&app, &s.vendor, "?status=1").await;
    let t_dup = list[0].clone();
    // A system ticket is not its user's to cancel; install tickets are not made by hand.
    step(&app, &t_dup, "cancel", json!({}), &other_user).await.assert_failure(4031001);
    let by_hand = json!({ "type": 1, "device_id": "SN-R1", "detail": "install", "user_id": uid });
    app.post("/api/tickets", &by_hand, Some(&s.vendor)).await.assert_failure(4221001);
    stepped(&app, &t_dup, "review", json!({ "approve": true }), &s.vendor, 2).await;
    stepped(&app, &t_dup, "dispatch", json!({ "engineer_id": eng_id }), &s.vendor, 3).await;
    step(&app, &t_dup, "finish", json!({ "device_id": "SN-R1" }), &s.vendor).await.assert_failure(4221231);
    stepped(&app, &t_dup, "cancel", json!({}), &s.vendor, 0).await;

    // A rented device stays with its renter: the user cannot unbind or reset it; unbound by the
    // vendor, nobody else can bind it, and the renter can again.
    app.delete(&dev("SN-R1", "/bind"), Some(&u)).await.assert_failure(4221232);
    app.delete(&dev("SN-R1", "/infos"), Some(&u)).await.assert_failure(4221232);
    assert_deleted(&app.delete(&dev("SN-R1", "/bind"), Some(&s.vendor)).await);
    post_bare(&app, &dev("SN-R1", "/bind"), &other_user).await.assert_failure(4221231);
    post_bare(&app, &dev("SN-R1", "/bind"), &u).await.ok_envelope(201);
    // Returned and agreed to: the vendor cannot refund the order while its device is rented
    // (its removal returns the deposit), so money never goes back twice.
    let at = |rest: &str| format!("/api/orders/{}{rest}", o["order_id"].as_str().unwrap());
    let delivery = json!({ "company": "SF", "tracking_num": "SF9" });
    app.post(&at("/delivery"), &delivery, Some(&s.vendor)).await.ok_envelope(201);
    app.post(&at("/status/confirm"), &json!({}), Some(&u)).await.ok_envelope(201);
    app.post(&at("/status/return"), &json!({}), Some(&u)).await.ok_envelope(201);
    app.post(&at("/status/consent"), &json!({}), Some(&s.vendor)).await.ok_envelope(201);
    app.put(&at("/status/refund"), None, Some(&s.vendor)).await.assert_failure(4221204);

    // A renewal before expiry: the rent alone, and once paid 30 days more.
    let line = json!([{ "product_id": prod, "quantity": 1, "plan": "30d", "device_id": "SN-R1" }]);
    let a = app.post("/api/orders", &json!({ "content": line, "receiver": receiver() }), Some(&other_user)).await;
    a.assert_failure(4221001);
    let renewal = ordered(&app, &u, line).await;
    assert_eq!(
        [&renewal["deposit"], &renewal["rent"], &renewal["install_fee"], &renewal["total"]],
        [&json!(0), &json!(3_000), &json!(0), &json!(3_000)]
    );
    pay(&app, &u, &renewal).await;
    let expire = {
        let renewed = lease_expire(&app, device_id).await;
        assert_eq!(renewed, expire + 30 * DAY, "extended from the old expiry");
        renewed
    };
    assert_eq!(tickets(&app, &s.vendor, "?type=1").await.0, 2, "a renewal needs no install");
    let dv = device(&app, &u, "SN-R1").await;
    assert_eq!(dv["service"]["expire"], dv["service"]["lease"]["expire_tms"]);

    // The clock: nothing before the expiry; after it the lease expires; a grace later, one
    // removal ticket, and only one.
    assert_eq!(run(&app.ctx, expire - 1).await.unwrap(), Moved::default());
    let moved = run(&app.ctx, expire + 1).await.unwrap();
    assert_eq!(moved, Moved { leases_expired: 1, ..Moved::default() });
    let dv = device(&app, &u, "SN-R1").await;
    assert_eq!((dv["service"]["state"].clone(), dv["service"]["lease"]["state"].clone()), (json!(2), json!(2)));
    let grace = app.ctx.config.lease_grace.as_millis() as i64;
    assert_eq!(run(&app.ctx, expire + grace).await.unwrap(), Moved::default(), "the grace has not passed");
    let moved = run(&app.ctx, expire + 1 + grace + 1).await.unwrap();
    assert_eq!(moved, Moved { removal_tickets: 1, ..Moved::default() });
    assert_eq!(run(&app.ctx, expire + 1 + grace + 1).await.unwrap(), Moved::default());
    assert_eq!(run(&app.ctx, expire + 1 + grace + HOUR).await.unwrap(), Moved::default());
    let (n, list) = tickets(&app, &s.vendor, "?type=6").await;
    assert_eq!(n, 1, "{list:?}");
    let removal = list[0].clone();
    assert_eq!(
        [&removal["status"], &removal["source"], &removal["device_id"], &removal["user_id"]],
        [&json!(1), &json!("system"), &json!("SN-R1"), &json!(uid)]
    );

    // The removal done (the vendor closes it): the lease ends owing a day's rent (100) for
    // each day begun past its expiry, the rest of the deposit goes back.
    stepped(&app, &removal, "review", json!({ "approve": true }), &s.vendor, 2).await;
    stepped(&app, &removal, "dispatch", json!({ "engineer_id": eng_id }), &s.vendor, 3).await;
    let overstayed = now_ms() - DAY - DAY / 2;
    app.ctx
        .db
        .execute(&Sql::new("UPDATE leases SET expire_time = $1 WHERE device_id = $2").bind(overstayed).bind(device_id))
        .await
        .unwrap();
    stepped(&app, &removal, "finish", json!({ "note": "taken back" }), &s.vendor, 6).await;
    app.get(&dev("SN-R1", ""), Some(&u)).await.assert_failure(4041008);
    let dv = device(&app, &s.vendor, "SN-R1").await;
    assert_eq!(
        [&dv["user_id"], &dv["service"]["state"], &dv["service"]["expire"]],
        [&json!(""), &json!(0), &Value::Null]
    );
    let lease = &dv["service"]["lease"];
    assert_eq!([&lease["state"], &lease["owed"], &lease["refunded"]], [&json!(3), &json!(200), &json!(9_800)]);
    assert!(lease["end_tms"].is_string(), "{lease}");
    let payments = app.get(&order_at(&o, "/payment"), Some(&u)).await.ok_envelope(200)["payments"].clone();
    let kinds: Vec<(&str, i64)> = payments
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(kinds, [("pay", 13_000), ("refund", 9_800)]);
    // Finishing again changes nothing; nothing more is made by the clock.
    step(&app, &removal, "finish", json!({}), &s.vendor).await.assert_failure(4221230);
    assert_eq!(run(&app.ctx, expire + 1 + grace + 2 * HOUR).await.unwrap(), Moved::default());
    let payments = app.get(&order_at(&o, "/payment"), Some(&u)).await;
    assert_eq!(payments.ok_envelope(200)["payments"].as_array().unwrap().len(), 2);
}

async fn filters_drive_one_maintenance_ticket(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Filters").await;
    let (uid, _, u) = user(&app, &s.v.vid).await;
    let spec = json!({ "filters": [{ "order": 1, "name": "RO", "timer_mode": 1, "lifetime": 1, "worklife": 0 }] });
    let prod =
        merchandise(&app, &s.vendor, json!({ "name": "Purifier", "price": 100, "state": 1, "specification": spec }))
            .await;
    register(&app, &s, &["SN-F1", "SN-F2"], 1, &prod).await.ok_envelope(201);
    post_bare(&app, &dev("SN-F1", "/bind"), &u).await.ok_envelope(201);
    // Only devices in someone's hands count their filters: the second is bound to another user.
    let (_, _, u2) = user(&app, &s.v.vid).await;
    post_bare(&app, &dev("SN-F2", "/bind"), &u2).await.ok_envelope(201);
    let (eng_id, eng_mobile) = engineer(&app, &s.vendor, json!({})).await;
    let eng = engineer_token(&app, &s.v.vid, &eng_mobile).await;
    let f1 = device_row_id(&app, "SN-F1").await;
    let f2 = device_row_id(&app, "SN-F2").await;

    // Fitted at registration, by the merchandise's specification.
    let dv = device(&app, &u, "SN-F1").await;
    let filters = dv["statistics"]["filters"].as_array().unwrap().clone();
    assert_eq!(filters.len(), 1);
    assert_eq!(
        [&filters[0]["name"], &filters[0]["remaining"], &filters[0]["lifetime"]],
        [&json!("RO"), &json!(100), &json!(1)]
    );
    let fitted = fit_time(&app, f1).await;
    let fitted_2 = fit_time(&app, f2).await;

    // No counters: the time elapsed counts. Half its life: nothing; past it: one ticket each.
    let last = fitted.max(fitted_2);
    assert_eq!(run(&app.ctx, last + 30 * 60_000).await.unwrap(), Moved::default());
    // The second device reports its counters from now on: its life counts by them.
    app.ctx
        .db
        .execute(
            &Sql::new(
                "INSERT INTO device_telemetry (device_id, power_on_minutes, work_minutes, water_ml, telemetry_time) \
                 VALUES ($1, 30, 30, 0, $2)",
            )
            .bind(f2)
            .bind(now_ms()),
        )
        .await
        .unwrap();
    let moved = run(&app.ctx, last + 2 * HOUR).await.unwrap();
    assert_eq!(moved, Moved { maintenance_tickets: 1, ..Moved::default() }, "SN-F2 has used 30 minutes only");
    assert_eq!(run(&app.ctx, last + 2 * HOUR).await.unwrap(), Moved::default());
    assert_eq!(run(&app.ctx, last + 3 * HOUR).await.unwrap(), Moved::default(), "one open ticket per filter");
    let (n, list) = tickets(&app, &s.vendor, "?type=5").await;
    assert_eq!(n, 1, "{list:?}");
    let t = list[0].clone();
    assert_eq!(
        [&t["device_id"], &t["user_id"], &t["source"], &t["status"]],
        [&json!("SN-F1"), &json!(uid), &json!("system"), &json!(1)]
    );
    assert_eq!(tickets(&app, &u, "?type=5").await.0, 1, "the device's user sees it");
    let dv = device(&app, &u, "SN-F1").await;
    assert_eq!(dv["statistics"]["filters"][0]["ticket_id"], t["ticket_id"]);

    // Under telemetry: past its life by the counters, whatever the clock says.
    app.ctx
        .db
        .execute(&Sql::new("UPDATE device_telemetry SET power_on_minutes = 90 WHERE device_id = $1").bind(f2))
        .await
        .unwrap();
    let moved = run(&app.ctx, last + 3 * HOUR).await.unwrap();
    assert_eq!(moved, Moved { maintenance_tickets: 1, ..Moved::default() });
    let (n, list) = tickets(&app, &s.vendor, "?type=5&device_id=SN-F2").await;
    assert_eq!(n, 1, "{list:?}");
    assert_eq!(run(&app.ctx, last + 3 * HOUR).await.unwrap(), Moved::default());
    assert_eq!(tickets(&app, &s.vendor, "?type=5").await.0, 2);

    // The filter replaced: its life starts again, the ticket no longer holds it.
    stepped(&app, &t, "review", json!({ "approve": true }), &s.vendor, 2).await;
    stepped(&app, &t, "dispatch", json!({ "engineer_id": eng_id }), &s.vendor, 3).await;
    stepped(&app, &t, "accept", json!({}), &eng, 4).await;
    let before = now_ms();
    stepped(&app, &t, "finish", json!({ "note": "RO replaced" }), &eng, 6).await;
    let dv = device(&app, &u, "SN-F1").await;
    let filter = &dv["statistics"]["filters"][0];
    assert_eq!((filter["remaining"].clone(), filter["ticket_id"].clone()), (json!(100), Value::Null), "{filter}");
    let refitted = fit_time(&app, f1).await;
    assert!(refitted >= before, "refitted when the ticket was finished");
    // Half its new life: nothing; past it again: a new ticket (the done one holds nothing).
    assert_eq!(run(&app.ctx, refitted + 30 * 60_000).await.unwrap(), Moved::default());
    let moved = run(&app.ctx, refitted + 2 * HOUR).await.unwrap();
    assert_eq!(moved, Moved { maintenance_tickets: 1, ..Moved::default() });
    assert_eq!(tickets(&app, &s.vendor, "?type=5&device_id=SN-F1").await.0, 2);
    assert_eq!(tickets(&app, &s.vendor, "?type=5&status=1").await.0, 2);
}

async fn overdue_tickets_are_flagged_once(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Overdue").await;
    let (_, _, u) = user(&app, &s.v.vid).await;
    register(&app, &s, &["SN-O1"], 1, "").await.ok_envelope(201);
    post_bare(&app, &dev("SN-O1", "/bind"), &u).await.ok_envelope(201);
    let fault = json!({ "type": 4, "device_id": "SN-O1", "detail": "no water" });
    let t = app.post("/api/tickets", &fault, Some(&u)).await.ok_envelope(201).clone();
    let created = one_i64(
        &app,
        Sql::new("SELECT create_time FROM tickets WHERE ticket_id = $1")
            .bind(t["ticket_id"].as_str().unwrap().to_owned()),
    )
    .await;

    // A fault is to be accepted within 4 hours.
    assert_eq!(run(&app.ctx, created + 3 * HOUR).await.unwrap(), Moved::default());
    assert_eq!(tickets(&app, &s.vendor, "?overdue=true").await.0, 0);
    assert_eq!(run(&app.ctx, created + 5 * HOUR).await.unwrap(), Moved { overdue: 1, ..Moved::default() });
    let (n, list) = tickets(&app, &s.vendor, "?overdue=true").await;
    assert_eq!((n, list[0]["ticket_id"].clone(), list[0]["overdue"].clone()), (1, t["ticket_id"].clone(), json!(true)));
    assert_eq!(tickets(&app, &s.vendor, "?overdue=false").await.0, 0);
    // Flagged once: later passes (past the resolve target too) add nothing.
    assert_eq!(run(&app.ctx, created + 5 * HOUR).await.unwrap(), Moved::default());
    assert_eq!(run(&app.ctx, created + 25 * HOUR).await.unwrap(), Moved::default());
    let timeline = app.get(&tk(&t, "/timeline"), Some(&s.vendor)).await.ok_envelope(200)["events"].clone();
    let overdue: Vec<&Value> =
        timeline.as_array().unwrap().iter().filter(|e| e["action"] == json!("overdue")).collect();
    assert_eq!(overdue.len(), 1, "{timeline}");
    assert_eq!((overdue[0]["actor"].clone(), overdue[0]["status"].clone()), (json!("system"), json!(1)));
    let summary = app.get("/api/tickets/summary", Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!((summary["open"].clone(), summary["overdue"].clone()), (json!(1), json!(1)));
    // Still the user's to see, overdue as it is.
    assert_eq!(app.get(&tk(&t, ""), Some(&u)).await.ok_envelope(200)["overdue"], json!(true));
}

/// A ticket about a device of a user a dealer brought: that dealer and the one above it see it,
/// a sibling dealer and another vendor do not; dispatching by the hierarchy goes to the nearest
/// dealer up the chain that has engineers; a dealer dispatches only to its own engineers.
async fn dealers_see_and_dispatch_only_in_their_scope(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Chain").await;
    let other = shop(&app, "Other").await;
    let top = app.add_dealer(&s.vendor, None).await;
    let top_code = top["dealer_code"].as_str().unwrap().to_owned();
    let below = app.add_dealer(&s.vendor, Some(&top_code)).await;
    let sibling = app.add_dealer(&s.vendor, None).await;
    let (top_t, below_t, sibling_t) = (
        app.dealer_token(&s.v.vid, &top).await,
        app.dealer_token(&s.v.vid, &below).await,
        app.dealer_token(&s.v.vid, &sibling).await,
    );
    let (_, mobile) = sign_up(&app, &s.v.vid, json!({ "dealer": below["dealer_code"] })).await;
    let u = token_of(&user_token(&app, &s.v.vid, &mobile, USER_PWD).await);
    register(&app, &s, &["SN-D1"], 1, "").await.ok_envelope(201);
    post_bare(&app, &dev("SN-D1", "/bind"), &u).await.ok_envelope(201);
    let t = app
        .post("/api/tickets", &json!({ "type": 4, "device_id": "SN-D1", "detail": "no water" }), Some(&u))
        .await
        .ok_envelope(201)
        .clone();
    assert_eq!(t["dealer_id"], below["id"], "the dealer whose link brought the user is responsible");

    // Who sees it.
    assert_eq!(tickets(&app, &below_t, "").await.0, 1);
    assert_eq!(tickets(&app, &top_t, "").await.0, 1, "the upper dealer sees its scope");
    assert_eq!(tickets(&app, &sibling_t, "").await.0, 0);
    assert_eq!(tickets(&app, &other.vendor, "").await.0, 0);
    app.get(&tk(&t, ""), Some(&sibling_t)).await.assert_failure(4041074);
    app.get(&tk(&t, ""), Some(&other.vendor)).await.assert_failure(4041074);
    step(&app, &t, "review", json!({ "approve": true }), &sibling_t).await.assert_failure(4041074);
    step(&app, &t, "review", json!({ "approve": true }), &other.vendor).await.assert_failure(4041074);
    // A member whose role does not handle tickets is refused.
    let (_, dev_account, dev_pwd) = app.add_member(&s.vendor, 3, None).await;
    let developer = app.login_as(&dev_account, &dev_pwd).await;
    app.get("/api/tickets", Some(&developer)).await.assert_failure(4031001);
    step(&app, &t, "review", json!({ "approve": true }), &developer).await.assert_failure(4031001);

    // The dealer reviews; dispatch by the hierarchy: the dealer below has no engineer, the one
    // above has: its engineer gets it.
    stepped(&app, &t, "review", json!({ "approve": true }), &below_t, 2).await;
    let (vendor_eng, _) = engineer(&app, &s.vendor, json!({})).await;
    let (top_eng, _) = engineer(&app, &top_t, json!({})).await;
    let (sibling_eng, _) = engineer(&app, &sibling_t, json!({})).await;
    // A dealer names only its own engineers.
    step(&app, &t, "dispatch", json!({ "engineer_id": sibling_eng }), &below_t).await.assert_failure(4041075);
    step(&app, &t, "dispatch", json!({ "engineer_id": vendor_eng }), &below_t).await.assert_failure(4041075);
    let d = stepped(&app, &t, "dispatch", json!({ "mode": "hierarchy" }), &below_t, 3).await;
    assert_eq!(d["engineer_id"], json!(top_eng), "{d}");
    // The sibling's engineer cannot see or accept it.
    let sib_eng_token = {
        let list = app.get("/api/engineers", Some(&sibling_t)).await.ok_envelope(200)["engineers"].clone();
        let mobile = list[0]["mobile"].as_str().unwrap().to_owned();
        engineer_token(&app, &s.v.vid, &mobile).await
    };
    step(&app, &t, "accept", json!({}), &sib_eng_token).await.assert_failure(4041074);
    app.get(&dev("SN-D1", ""), Some(&sib_eng_token)).await.assert_failure(4041008);
}

/// A device whose self-check reports a fault (`run_state` 2) gets one fault ticket, and no
/// second while it is open or for the same report once it is done; a new report makes a new one.
async fn a_device_reporting_a_fault_gets_one_ticket(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Faulty").await;
    let (uid, _, u) = user(&app, &s.v.vid).await;
    register(&app, &s, &["SN-X1"], 1, "").await.ok_envelope(201);
    post_bare(&app, &dev("SN-X1", "/bind"), &u).await.ok_envelope(201);
    let id = device_row_id(&app, "SN-X1").await;
    let report = |at: i64| {
        Sql::new(
            "INSERT INTO device_telemetry (device_id, run_state, state_time) VALUES ($1, 2, $2) \
             ON CONFLICT (device_id) DO UPDATE SET run_state = 2, state_time = $2",
        )
        .bind(id)
        .bind(at)
    };
    app.ctx.db.execute(&report(now_ms())).await.unwrap();
    let now = now_ms();
    assert_eq!(run(&app.ctx, now).await.unwrap(), Moved { fault_tickets: 1, ..Moved::default() });
    assert_eq!(run(&app.ctx, now).await.unwrap(), Moved::default(), "one open at a time");
    let (n, list) = tickets(&app, &u, "?type=4").await;
    assert_eq!(n, 1);
    let t = list[0].clone();
    assert_eq!([&t["source"], &t["user_id"], &t["device_id"]], [&json!("device"), &json!(uid), &json!("SN-X1")]);

    // Mended and closed: the old report makes no new ticket; a new fault report does.
    stepped(&app, &t, "review", json!({ "approve": true }), &s.vendor, 2).await;
    engineer(&app, &s.vendor, json!({})).await;
    stepped(&app, &t, "dispatch", json!({}), &s.vendor, 3).await;
    stepped(&app, &t, "finish", json!({ "note": "pump replaced" }), &s.vendor, 6).await;
    assert_eq!(run(&app.ctx, now_ms()).await.unwrap(), Moved::default());
    app.ctx.db.execute(&report(now_ms() + 60_000)).await.unwrap();
    assert_eq!(run(&app.ctx, now_ms()).await.unwrap(), Moved { fault_tickets: 1, ..Moved::default() });
}
