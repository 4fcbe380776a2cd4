//! Orders and payments on `/api` (issue 17; seed 003 AD, OPS-CONTRACT.md "Orders and money"):
//! a user orders at the prices of the day, pays in the sandbox, the vendor ships, the user
//! confirms or returns, the vendor refunds; every transition is one compare-and-set (others are
//! 422); notifications are verified, amount-checked and applied once; who sees which order.

use backoffice::server::{
    clock::now_ms,
    jobs::orders::{advance, Advanced},
    providers::pay,
};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn, Answer, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, Vendor, USER_PWD},
};

crate::both_backends!(
    a_user_orders_pays_and_the_vendor_fulfils_and_refunds,
    notifications_are_verified_and_applied_once,
    rentals_are_ordered_with_a_plan,
    bad_orders_are_refused_and_change_nothing,
    who_sees_and_moves_which_orders,
    the_clock_closes_receives_and_finishes_orders,
);

fn receiver() -> Value {
    json!({ "name": "Ann", "phone": "13800000001", "area": "广东省珠海市香洲区", "address": "南方软件园A123",
            "zipcode": "519000" })
}

struct Shop {
    v: Vendor,
    vendor: String,
    platform: String,
}

async fn shop(app: &TestApp, name: &str) -> Shop {
    let platform = platform_token(app).await;
    let v = register_vendor(app, &platform, name).await;
    let vendor = vendor_token(app, &v).await;
    Shop { v, vendor, platform }
}

/// A user of the vendor, signed in (`extra`: its registration's other fields, e.g. a dealer).
async fn user(app: &TestApp, vid: &str, extra: Value) -> (String, String) {
    let (uid, mobile) = sign_up(app, vid, extra).await;
    (uid, token_of(&user_token(app, vid, &mobile, USER_PWD).await))
}

async fn merchandise(app: &TestApp, vendor: &str, body: Value) -> String {
    let a = app.post("/api/products", &body, Some(vendor)).await;
    a.ok_envelope(201)["prod_id"].as_str().expect("prod_id").to_owned()
}

async fn order(app: &TestApp, user: &str, content: Value) -> Answer {
    app.post("/api/orders", &json!({ "content": content, "receiver": receiver(), "memo": "ring twice" }), Some(user))
        .await
}

async fn ordered(app: &TestApp, user: &str, content: Value) -> Value {
    order(app, user, content).await.ok_envelope(201).clone()
}

fn at(order: &Value, rest: &str) -> String {
    format!("/api/orders/{}{rest}", order["order_id"].as_str().expect("order_id"))
}

async fn state(app: &TestApp, token: &str, order: &Value) -> i64 {
    app.get(&at(order, ""), Some(token)).await.ok_envelope(200)["state"].as_i64().expect("state")
}

/// Pays through the sandbox as a browser would: the prepay's pay page, then its button.
async fn pay(app: &TestApp, user: &str, order: &Value) -> String {
    let prepaid = app.post(&at(order, "/prepay/weixin"), &json!({}), Some(user)).await.ok_envelope(201).clone();
    let url = prepaid["pay_url"].as_str().expect("pay_url").to_owned();
    press_pay(app, &url).await
}

/// The sandbox pay page's button; answers the page's text.
async fn press_pay(app: &TestApp, url: &str) -> String {
    let page = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let res = app.client.post(app.url(url)).header("Origin", app.url("")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.text().await.unwrap()
}

async fn payments(app: &TestApp, token: &str, order: &Value) -> Vec<Value> {
    let a = app.get(&at(order, "/payment"), Some(token)).await;
    a.ok_envelope(200)["payments"].as_array().expect("payments").clone()
}

async fn a_user_orders_pays_and_the_vendor_fulfils_and_refunds(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Fulfil").await;
    let (uid, user) = user(&app, &s.v.vid, json!({})).await;
    let body = json!({ "name": "Purifier", "price": 1_000, "freight": 500, "install": true, "install_cost": 200,
                       "state": 1 });
    let prod = merchandise(&app, &s.vendor, body).await;

    let o = ordered(&app, &user, json!([{ "product_id": prod, "quantity": 2 }])).await;
    let id = o["order_id"].as_str().unwrap();
    assert_eq!(id.len(), 8 + 4 + 12, "{o}");
    assert!(id[8..12] == s.v.code && id[..8].bytes().all(|b| b.is_ascii_digit()), "{o}");
    assert_eq!((o["state"].as_i64(), o["uid"].as_str()), (Some(0), Some(uid.as_str())));
    assert_eq!(
        [&o["goods"], &o["freight"], &o["install_fee"], &o["deposit"], &o["rent"], &o["total"]],
        [&json!(2_000), &json!(500), &json!(400), &json!(0), &json!(0), &json!(2_900)]
    );
    assert_eq!(o["content"][0]["quantity"], json!(2));
    assert_eq!(o["receiver"]["address"], json!("南方软件园A123"));
    // Later catalogue edits never change the order.
    app.put(&format!("/api/products/{prod}"), Some(&json!({ "price": 9_999 })), Some(&s.vendor)).await.ok_envelope(201);
    let read = app.get(&at(&o, ""), Some(&user)).await.ok_envelope(200).clone();
    assert_eq!((read["total"].as_i64(), read["content"][0]["price"].as_i64()), (Some(2_900), Some(1_000)));
    // Not paid yet: cannot be shipped.
    let delivery = json!({ "company": "SF", "tracking_num": "SF100", "delivery_clerk": "Li" });
    app.post(&at(&o, "/delivery"), &delivery, Some(&s.vendor)).await.assert_failure(4221204);

    // Pay in the sandbox.
    let prepaid = app.post(&at(&o, "/prepay/weixin"), &json!({}), Some(&user)).await.ok_envelope(201).clone();
    assert_eq!((prepaid["amount"].as_i64(), prepaid["channel"].as_str()), (Some(2_900), Some("sandbox")));
    let page = app.client.get(app.url(prepaid["pay_url"].as_str().unwrap())).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("29.00"), "the page shows the amount");
    let paid = press_pay(&app, prepaid["pay_url"].as_str().unwrap()).await;
    assert!(paid.contains("Paid"), "{paid}");
    let read = app.get(&at(&o, ""), Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!((read["state"].as_i64(), read["pay_ch"].as_str()), (Some(1), Some("sandbox")));
    assert!(read["pay_tms"].is_string() && read["transaction_no"].as_str().is_some_and(|t| !t.is_empty()), "{read}");
    let p = payments(&app, &user, &o).await;
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0]["kind"].as_str(), p[0]["status"].as_str(), p[0]["amount"].as_i64()),
        (Some("pay"), Some("paid"), Some(2_900))
    );
    // A paid order is not paid again.
    app.post(&at(&o, "/prepay/weixin"), &json!({}), Some(&user)).await.assert_failure(4221204);
    // Card channels have no provider.
    app.post(&at(&o, "/prepay/credit"), &json!({}), Some(&user)).await.assert_failure(4221205);

    // The vendor ships; the user reads the delivery; the vendor corrects it.
    let shipped = app.post(&at(&o, "/delivery"), &delivery, Some(&s.vendor)).await;
    assert_eq!(shipped.ok_envelope(201)["state"], json!(2));
    let d = app.get(&at(&o, "/delivery"), Some(&user)).await.ok_envelope(200).clone();
    assert_eq!((d["company"].as_str(), d["tracking_num"].as_str()), (Some("SF"), Some("SF100")));
    assert!(d["delivery_tms"].is_string(), "{d}");
    let fixed = json!({ "company": "SF", "tracking_num": "SF101" });
    app.put(&at(&o, "/delivery"), Some(&fixed), Some(&s.vendor)).await.ok_envelope(201);
    assert_eq!(app.get(&at(&o, "/delivery"), Some(&user)).await.ok_envelope(200)["tracking_num"], json!("SF101"));
    app.post(&at(&o, "/delivery"), &delivery, Some(&s.vendor)).await.assert_failure(4221204);

    // The user confirms, then asks to return; the vendor agrees and refunds.
    app.post(&at(&o, "/status/consent"), &json!({}), Some(&s.vendor)).await.assert_failure(4221204);
    assert_eq!(app.post(&at(&o, "/status/confirm"), &json!({}), Some(&user)).await.ok_envelope(201)["state"], json!(3));
    app.post(&at(&o, "/status/confirm"), &json!({}), Some(&user)).await.assert_failure(4221204);
    let asked = app.post(&at(&o, "/status/return"), &json!({ "reason": "leaks" }), Some(&user)).await;
    assert_eq!(
        (asked.ok_envelope(201)["state"].as_i64(), asked.body["data"]["return_reason"].as_str()),
        (Some(4), Some("leaks"))
    );
    app.put(&at(&o, "/status/refund"), None, Some(&s.vendor)).await.assert_failure(4221204);
    assert_eq!(
        app.post(&at(&o, "/status/consent"), &json!({}), Some(&s.vendor)).await.ok_envelope(201)["state"],
        json!(5)
    );
    let refunded = app.put(&at(&o, "/status/refund"), None, Some(&s.vendor)).await;
    assert_eq!(refunded.ok_envelope(201)["state"], json!(6));
    let p = payments(&app, &s.vendor, &o).await;
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(
        (p[1]["kind"].as_str(), p[1]["status"].as_str(), p[1]["amount"].as_i64()),
        (Some("refund"), Some("refunded"), Some(2_900))
    );
    app.put(&at(&o, "/status/refund"), None, Some(&s.vendor)).await.assert_failure(4221204);

    // An unpaid order the user closes; it cannot be paid, shipped or closed again.
    let o2 = ordered(&app, &user, json!([{ "product_id": prod, "quantity": 1 }])).await;
    assert_eq!(o2["total"], json!(9_999 + 500 + 200), "today's price");
    assert_eq!(app.post(&at(&o2, "/status/close"), &json!({}), Some(&user)).await.ok_envelope(201)["state"], json!(7));
    app.post(&at(&o2, "/status/close"), &json!({}), Some(&user)).await.assert_failure(4221204);
    app.post(&at(&o2, "/prepay/weixin"), &json!({}), Some(&user)).await.assert_failure(4221204);

    // The merchandise orders name is kept: deleting it is refused.
    app.delete(&format!("/api/products/{prod}"), Some(&s.vendor)).await.assert_failure(4221203);
    // The user's list and the vendor's, newest first.
    let mine = app.get("/api/orders", Some(&user)).await;
    assert_eq!(mine.body["total"], json!(2));
    assert_eq!(mine.ok_envelope(200)["orders"][0]["order_id"], o2["order_id"]);
    assert_eq!(mine.body["data"]["orders"][1]["content"][0]["product_id"], json!(prod));
    let closed = app.get("/api/orders?state=7", Some(&s.vendor)).await;
    assert_eq!(closed.body["total"], json!(1));
}

async fn notifications_are_verified_and_applied_once(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Notify").await;
    let (_, user) = user(&app, &s.v.vid, json!({})).await;
    let prod = merchandise(&app, &s.vendor, json!({ "name": "Filter", "price": 1_500, "state": 1 })).await;
    let o = ordered(&app, &user, json!([{ "product_id": prod, "quantity": 1 }])).await;
    let first = app.post(&at(&o, "/prepay/weixin"), &json!({}), Some(&user)).await.ok_envelope(201).clone();
    let second = app.post(&at(&o, "/prepay/weixin"), &json!({}), Some(&user)).await.ok_envelope(201).clone();
    let notify = |body: Value, signature: Option<String>| {
        let bytes = serde_json::to_vec(&body).unwrap();
        let signature = signature.unwrap_or_else(|| pay::sign(&app.ctx, &bytes).unwrap());
        let req = app.client.post(app.url("/api/pay/notify/sandbox")).header("X-Pay-Signature", signature).body(bytes);
        app.send(req)
    };
    let pid = first["payment_id"].as_str().unwrap();

    // A bad signature, or another amount: refused, nothing changes.
    notify(json!({ "payment_id": pid, "transaction_id": "T1", "amount": 1_500 }), Some("00".repeat(32)))
        .await
        .assert_failure(4221206);
    notify(json!({ "payment_id": pid, "transaction_id": "T1", "amount": 1 }), None).await.assert_failure(4221206);
    notify(json!({ "payment_id": "PNOPE", "transaction_id": "T1", "amount": 1_500 }), None)
        .await
        .assert_failure(4221206);
    assert_eq!(state(&app, &user, &o).await, 0);

    // The real one, then the same again (the provider retries): applied once.
    let good = json!({ "payment_id": pid, "transaction_id": "T1", "amount": 1_500 });
    assert_eq!(notify(good.clone(), None).await.ok_envelope(200)["result"], json!("paid"));
    assert_eq!(notify(good, None).await.ok_envelope(200)["result"], json!("duplicate"));
    // The same transaction replayed for the other payment: not applied twice.
    let replay = json!({ "payment_id": second["payment_id"], "transaction_id": "T1", "amount": 1_500 });
    assert_eq!(notify(replay, None).await.ok_envelope(200)["result"], json!("duplicate"));
    assert_eq!(state(&app, &user, &o).await, 1);
    let p = payments(&app, &user, &o).await;
    assert_eq!(p.iter().filter(|p| p["status"] == json!("paid")).count(), 1, "{p:?}");

    // The second payment really goes through too: recorded and refunded, the order paid once.
    let text = press_pay(&app, second["pay_url"].as_str().unwrap()).await;
    assert!(text.contains("refunded"), "{text}");
    let p = payments(&app, &user, &o).await;
    let kinds: Vec<(&str, &str)> =
        p.iter().map(|p| (p["kind"].as_str().unwrap(), p["status"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("pay", "paid"), ("pay", "paid"), ("refund", "refunded")]);
    assert_eq!(p[2]["amount"], json!(1_500));
    assert_eq!(state(&app, &user, &o).await, 1);
    // And the page again: nothing more.
    let again = press_pay(&app, second["pay_url"].as_str().unwrap()).await;
    assert!(!again.contains("Paid") || again.contains("Already"), "{again}");
    assert_eq!(payments(&app, &user, &o).await.len(), 3);
}

async fn rentals_are_ordered_with_a_plan(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Rent").await;
    let (_, user) = user(&app, &s.v.vid, json!({})).await;
    let rental = json!({ "name": "Purifier to rent", "price": 298_000, "billing": 2, "state": 1,
        "rent": { "deposit": 50_000, "config": [{ "name": "30天", "key": "30d", "value": 6_000 },
                                                { "name": "90天", "key": "90d", "value": 15_000 }] } });
    let prod = merchandise(&app, &s.vendor, rental).await;
    let o = ordered(&app, &user, json!([{ "product_id": prod, "quantity": 1, "plan": "90d" }])).await;
    assert_eq!(
        [&o["goods"], &o["deposit"], &o["rent"], &o["total"]],
        [&json!(0), &json!(50_000), &json!(15_000), &json!(65_000)]
    );
    assert_eq!((o["content"][0]["rent_plan"].as_str(), o["content"][0]["price"].as_i64()), (Some("90d"), Some(0)));
    // A rental needs a plan, one it has; a plan on what is only sold is refused.
    order(&app, &user, json!([{ "product_id": prod, "quantity": 1 }])).await.assert_failure(4221001);
    order(&app, &user, json!([{ "product_id": prod, "quantity": 1, "plan": "7d" }])).await.assert_failure(4221001);
    let sold = merchandise(&app, &s.vendor, json!({ "name": "Cup", "price": 100, "state": 1 })).await;
    let a = order(&app, &user, json!([{ "product_id": sold, "quantity": 1, "plan": "30d" }])).await;
    a.assert_failure(4221001);
    assert!(a.body["message"].as_str().unwrap().starts_with("content.plan"), "{:?}", a.body);
}

async fn bad_orders_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Strict").await;
    let other = shop(&app, "Other").await;
    let (_, user) = user(&app, &s.v.vid, json!({})).await;
    let prod = merchandise(&app, &s.vendor, json!({ "name": "Cup", "price": 100, "state": 1 })).await;
    let draft = merchandise(&app, &s.vendor, json!({ "name": "Draft", "price": 100 })).await;
    let foreign = merchandise(&app, &other.vendor, json!({ "name": "Theirs", "price": 100, "state": 1 })).await;
    for (content, code) in [
        (json!([]), 4221002),
        (json!([{ "product_id": prod, "quantity": 0 }]), 4221001),
        (json!([{ "product_id": prod, "quantity": 100 }]), 4221001),
        (json!([{ "product_id": prod, "quantity": 1 }, { "product_id": prod, "quantity": 2 }]), 4221001),
        (json!([{ "product_id": draft, "quantity": 1 }]), 4221001),
        (json!([{ "product_id": foreign, "quantity": 1 }]), 4221001),
        (json!([{ "product_id": "NOPE", "quantity": 1 }]), 4221001),
    ] {
        order(&app, &user, content.clone()).await.assert_failure(code);
    }
    let mut body = json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver() });
    body["receiver"]["phone"] = json!("not a phone");
    app.post("/api/orders", &body, Some(&user)).await.assert_failure(4221001);
    body["receiver"] = json!({ "name": "Ann" });
    app.post("/api/orders", &body, Some(&user)).await.assert_failure(4221002);
    // Nothing was made, and no serial was spent on the refusals.
    assert_eq!(app.get("/api/orders", Some(&user)).await.body["total"], json!(0));
    let o = ordered(&app, &user, json!([{ "product_id": prod, "quantity": 1 }])).await;
    assert!(o["order_id"].as_str().unwrap().ends_with("000000000001"), "{o}");
    // Only users order.
    let a = app
        .post(
            "/api/orders",
            &json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver() }),
            Some(&s.vendor),
        )
        .await;
    a.assert_failure(4031001);
}

async fn who_sees_and_moves_which_orders(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Scope").await;
    let b = shop(&app, "Beta").await;
    let top = app.add_dealer(&s.vendor, None).await;
    let top_code = top["dealer_code"].as_str().unwrap().to_owned();
    let below = app.add_dealer(&s.vendor, Some(&top_code)).await;
    let sibling = app.add_dealer(&s.vendor, None).await;
    let (_, by_below) = user(&app, &s.v.vid, json!({ "dealer": below["dealer_code"] })).await;
    let (_, direct) = user(&app, &s.v.vid, json!({})).await;
    let (_, of_b) = user(&app, &b.v.vid, json!({})).await;
    let prod = merchandise(&app, &s.vendor, json!({ "name": "Cup", "price": 100, "state": 1 })).await;
    let b_prod = merchandise(&app, &b.vendor, json!({ "name": "Mug", "price": 100, "state": 1 })).await;
    let o = ordered(&app, &by_below, json!([{ "product_id": prod, "quantity": 1 }])).await;
    let mine = ordered(&app, &direct, json!([{ "product_id": prod, "quantity": 1 }])).await;
    ordered(&app, &of_b, json!([{ "product_id": b_prod, "quantity": 1 }])).await;
    pay(&app, &by_below, &o).await;

    // Another user, another vendor: as if the order did not exist.
    app.get(&at(&o, ""), Some(&direct)).await.assert_failure(4041072);
    app.post(&at(&o, "/prepay/weixin"), &json!({}), Some(&direct)).await.assert_failure(4041072);
    app.get(&at(&o, ""), Some(&b.vendor)).await.assert_failure(4041072);
    app.get(&at(&o, ""), Some(&of_b)).await.assert_failure(4041072);
    assert_eq!(app.get("/api/orders", Some(&direct)).await.body["total"], json!(1));
    assert_eq!(app.get("/api/orders", Some(&s.vendor)).await.body["total"], json!(2));
    assert_eq!(app.get("/api/orders", Some(&b.vendor)).await.body["total"], json!(1));
    assert_eq!(app.get("/api/orders", Some(&s.platform)).await.body["total"], json!(3));

    // Dealers: the dealer whose link brought the user, and the one above it, see and ship it;
    // a sibling dealer does not.
    let top_token = app.dealer_token(&s.v.vid, &top).await;
    let below_token = app.dealer_token(&s.v.vid, &below).await;
    let sibling_token = app.dealer_token(&s.v.vid, &sibling).await;
    assert_eq!(app.get("/api/orders", Some(&top_token)).await.body["total"], json!(1));
    assert_eq!(app.get("/api/orders", Some(&sibling_token)).await.body["total"], json!(0));
    app.get(&at(&o, ""), Some(&sibling_token)).await.assert_failure(4041072);
    app.get(&at(&mine, ""), Some(&top_token)).await.assert_failure(4041072);
    let delivery = json!({ "company": "SF", "tracking_num": "SF1" });
    app.post(&at(&o, "/delivery"), &delivery, Some(&sibling_token)).await.assert_failure(4041072);
    // …but a dealer is not the vendor: no corrections, consents or refunds.
    app.post(&at(&o, "/delivery"), &delivery, Some(&below_token)).await.ok_envelope(201);
    app.put(&at(&o, "/delivery"), Some(&delivery), Some(&below_token)).await.assert_failure(4031001);

    // Members: without "view orders" nothing; with it, reading only; with "handle orders", more.
    let viewer = app.add_role(&s.vendor, "order viewer", &[1801]).await;
    let (_, email, password) = app.add_member(&s.vendor, 99, Some(viewer)).await;
    let viewer = app.login_as(&email, &password).await;
    app.get(&at(&o, ""), Some(&viewer)).await.ok_envelope(200);
    app.put(&at(&o, "/delivery"), Some(&delivery), Some(&viewer)).await.assert_failure(4031001);
    let devices = app.add_role(&s.vendor, "devices", &[1501]).await;
    let (_, email, password) = app.add_member(&s.vendor, 99, Some(devices)).await;
    let outsider = app.login_as(&email, &password).await;
    app.get("/api/orders", Some(&outsider)).await.assert_failure(4031001);

    // The user's steps are the user's; the vendor's are the vendor's.
    app.post(&at(&o, "/status/confirm"), &json!({}), Some(&s.vendor)).await.assert_failure(4031001);
    app.post(&at(&o, "/status/confirm"), &json!({}), Some(&by_below)).await.ok_envelope(201);
    app.post(&at(&o, "/status/return"), &json!({}), Some(&by_below)).await.ok_envelope(201);
    app.post(&at(&o, "/status/consent"), &json!({}), Some(&by_below)).await.assert_failure(4031001);
    app.post(&at(&o, "/status/consent"), &json!({}), Some(&top_token)).await.assert_failure(4031001);

    // AD-15: only the platform deletes, only an order that is over; then only it sees it.
    app.post(&at(&mine, "/status/close"), &json!({}), Some(&direct)).await.ok_envelope(201);
    app.delete(&at(&mine, ""), Some(&s.vendor)).await.assert_failure(4031001);
    app.delete(&at(&o, ""), Some(&s.platform)).await.assert_failure(4221204);
    let gone = app.delete(&at(&mine, ""), Some(&s.platform)).await;
    assert_eq!(gone.status.as_u16(), 204);
    app.get(&at(&mine, ""), Some(&direct)).await.assert_failure(4041072);
    app.get(&at(&mine, ""), Some(&s.vendor)).await.assert_failure(4041072);
    app.get(&at(&mine, ""), Some(&s.platform)).await.ok_envelope(200);

    // A vendor whose orders are switched off (AX-08).
    app.put(&format!("/api/vendors/{}/cfg", b.v.vid), Some(&json!({ "orders": false })), Some(&s.platform))
        .await
        .ok_envelope(201);
    app.get("/api/orders", Some(&of_b)).await.assert_failure(4031042);
    order(&app, &of_b, json!([{ "product_id": b_prod, "quantity": 1 }])).await.assert_failure(4031042);
}

async fn the_clock_closes_receives_and_finishes_orders(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app, "Clock").await;
    let (_, user) = user(&app, &s.v.vid, json!({})).await;
    let prod = merchandise(&app, &s.vendor, json!({ "name": "Cup", "price": 100, "state": 1 })).await;
    let line = json!([{ "product_id": prod, "quantity": 1 }]);
    let delivery = json!({ "company": "SF", "tracking_num": "SF1" });
    let unpaid = ordered(&app, &user, line.clone()).await;
    let late = app.post(&at(&unpaid, "/prepay/weixin"), &json!({}), Some(&user)).await.ok_envelope(201).clone();
    let shipped = ordered(&app, &user, line.clone()).await;
    pay(&app, &user, &shipped).await;
    app.post(&at(&shipped, "/delivery"), &delivery, Some(&s.vendor)).await.ok_envelope(201);
    let received = ordered(&app, &user, line.clone()).await;
    pay(&app, &user, &received).await;
    app.post(&at(&received, "/delivery"), &delivery, Some(&s.vendor)).await.ok_envelope(201);
    app.post(&at(&received, "/status/confirm"), &json!({}), Some(&user)).await.ok_envelope(201);

    let now = now_ms();
    let minute = 60_000;
    let day = 24 * 60 * minute;
    assert_eq!(advance(&app.ctx, now).await.unwrap(), Advanced::default(), "nothing is due yet");
    // Half an hour on: the unpaid order closes; a payment that comes after is refunded.
    let moved = advance(&app.ctx, now + 31 * minute).await.unwrap();
    assert_eq!(moved, Advanced { closed: 1, received: 0, done: 0 });
    assert_eq!(state(&app, &user, &unpaid).await, 7);
    let text = press_pay(&app, late["pay_url"].as_str().unwrap()).await;
    assert!(text.contains("refunded"), "{text}");
    assert_eq!(state(&app, &user, &unpaid).await, 7);
    // Eight days on: the received order's return window (7 days) has passed: done.
    let moved = advance(&app.ctx, now + 8 * day).await.unwrap();
    assert_eq!(moved, Advanced { closed: 0, received: 0, done: 1 });
    assert_eq!(state(&app, &user, &received).await, 8);
    app.post(&at(&received, "/status/return"), &json!({}), Some(&user)).await.assert_failure(4221204);
    // Eleven days on: the shipped order counts as received (its own window starts then).
    let moved = advance(&app.ctx, now + 11 * day).await.unwrap();
    assert_eq!(moved, Advanced { closed: 0, received: 1, done: 0 });
    assert_eq!(state(&app, &user, &shipped).await, 3);
    // Again at the same moment (another app server): nothing more.
    assert_eq!(advance(&app.ctx, now + 11 * day).await.unwrap(), Advanced::default());
}
