//! Commission on `/api` (issue 17; seed 003 七, OPS-CONTRACT.md "Orders and money"): earned up
//! the referral chain to three levels when an order is paid, pending until it is done, reversed
//! by a refund; withdrawals 30 seconds apart, paid out or rejected by the vendor; the ledger
//! reconciles after every step.

use backoffice::server::{clock::now_ms, db::Sql, jobs::orders::advance, service::commission::reconcile};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, USER_PWD},
};

crate::both_backends!(
    commission_flows_up_the_chain_and_the_ledger_reconciles,
    who_sees_and_moves_which_commission,
    a_reversal_after_a_withdrawal_is_a_debt_the_next_earnings_repay,
);

async fn reconciled(app: &TestApp) {
    let problems = reconcile(&app.ctx).await.expect("the reconciliation runs");
    assert!(problems.is_empty(), "the ledger does not add up: {problems:#?}");
}

async fn user(app: &TestApp, vid: &str, extra: Value) -> (String, String) {
    let (uid, mobile) = sign_up(app, vid, extra).await;
    (uid, token_of(&user_token(app, vid, &mobile, USER_PWD).await))
}

fn receiver() -> Value {
    json!({ "name": "Ann", "phone": "13800000001", "area": "珠海", "address": "A123" })
}

/// An order of `prod` by `user`, paid in the sandbox; answers its path.
async fn paid_order(app: &TestApp, user: &str, prod: &str) -> String {
    let body = json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver() });
    let o = app.post("/api/orders", &body, Some(user)).await.ok_envelope(201).clone();
    let path = format!("/api/orders/{}", o["order_id"].as_str().unwrap());
    let prepaid = app.post(&format!("{path}/prepay/weixin"), &json!({}), Some(user)).await.ok_envelope(201).clone();
    let url = app.url(prepaid["pay_url"].as_str().unwrap());
    let res = app.client.post(&url).header("Origin", app.url("")).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("Paid"));
    path
}

async fn summary(app: &TestApp, token: &str) -> Value {
    app.get("/api/commission/summary", Some(token)).await.ok_envelope(200).clone()
}

fn balances(s: &Value) -> [i64; 5] {
    ["pending", "available", "withdrawing", "withdrawn", "debt"].map(|k| s[k].as_i64().expect(k))
}

/// Lets the account withdraw again at once (the 30-second rule is its own assertion).
async fn forget_last_withdrawal(app: &TestApp) {
    app.ctx.db.execute(&Sql::new("UPDATE commission_accounts SET last_withdraw_time = 0")).await.unwrap();
}

async fn commission_flows_up_the_chain_and_the_ledger_reconciles(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Commis").await;
    let vendor = vendor_token(&app, &v).await;
    let top = app.add_dealer(&vendor, None).await;
    let below = app.add_dealer(&vendor, Some(top["dealer_code"].as_str().unwrap())).await;
    // A came through the lower dealer's link; B was referred by A, C by B, D by C.
    let (a, a_token) = user(&app, &v.vid, json!({ "dealer": below["dealer_code"] })).await;
    let (b, b_token) = user(&app, &v.vid, json!({ "rid": a })).await;
    let (c, c_token) = user(&app, &v.vid, json!({ "rid": b })).await;
    let (_, d_token) = user(&app, &v.vid, json!({ "rid": c })).await;
    let prod = json!({ "name": "Purifier", "price": 10_000, "freight": 700, "state": 1,
                       "commis": { "enabled": true, "config": [20, 10, 5] } });
    let prod =
        app.post("/api/products", &prod, Some(&vendor)).await.ok_envelope(201)["prod_id"].as_str().unwrap().to_owned();
    let plain = json!({ "name": "Cup", "price": 10_000, "state": 1 });
    let plain =
        app.post("/api/products", &plain, Some(&vendor)).await.ok_envelope(201)["prod_id"].as_str().unwrap().to_owned();
    let below_token = app.dealer_token(&v.vid, &below).await;
    let top_token = app.dealer_token(&v.vid, &top).await;

    // An unpaid order earns nothing; a paid one earns up the chain (not on freight).
    let body = json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver() });
    app.post("/api/orders", &body, Some(&d_token)).await.ok_envelope(201);
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 0, 0, 0, 0]);
    let d_order = paid_order(&app, &d_token, &prod).await;
    assert_eq!(balances(&summary(&app, &c_token).await), [2_000, 0, 0, 0, 0]);
    assert_eq!(balances(&summary(&app, &b_token).await), [1_000, 0, 0, 0, 0]);
    assert_eq!(balances(&summary(&app, &a_token).await), [500, 0, 0, 0, 0]);
    reconciled(&app).await;
    // A user without a referrer who came through a dealer: that dealer, then the one above it.
    let a_order = paid_order(&app, &a_token, &prod).await;
    assert_eq!(balances(&summary(&app, &below_token).await), [2_000, 0, 0, 0, 0]);
    assert_eq!(balances(&summary(&app, &top_token).await), [1_000, 0, 0, 0, 0]);
    // Merchandise without commission earns none.
    paid_order(&app, &d_token, &plain).await;
    assert_eq!(balances(&summary(&app, &c_token).await), [2_000, 0, 0, 0, 0]);
    reconciled(&app).await;
    let entries = app.get("/api/commission", Some(&c_token)).await;
    let first = &entries.ok_envelope(200)["commission"][0];
    assert_eq!(
        (first["kind"].as_str(), first["level"].as_i64(), first["amount"].as_i64()),
        (Some("earn"), Some(1), Some(2_000))
    );

    // A refund before it is done reverses it from pending.
    let delivery = json!({ "company": "SF", "tracking_num": "SF1" });
    app.post(&format!("{a_order}/delivery"), &delivery, Some(&vendor)).await.ok_envelope(201);
    app.post(&format!("{a_order}/status/confirm"), &json!({}), Some(&a_token)).await.ok_envelope(201);
    app.post(&format!("{a_order}/status/return"), &json!({}), Some(&a_token)).await.ok_envelope(201);
    app.post(&format!("{a_order}/status/consent"), &json!({}), Some(&vendor)).await.ok_envelope(201);
    app.put(&format!("{a_order}/status/refund"), None, Some(&vendor)).await.ok_envelope(201);
    assert_eq!(balances(&summary(&app, &below_token).await), [0, 0, 0, 0, 0]);
    assert_eq!(balances(&summary(&app, &top_token).await), [0, 0, 0, 0, 0]);
    reconciled(&app).await;

    // Done (by the clock, after the return window): available.
    app.post(&format!("{d_order}/delivery"), &delivery, Some(&vendor)).await.ok_envelope(201);
    app.post(&format!("{d_order}/status/confirm"), &json!({}), Some(&d_token)).await.ok_envelope(201);
    let moved = advance(&app.ctx, now_ms() + 8 * 24 * 3600 * 1000).await.unwrap();
    assert!(moved.done >= 1, "{moved:?}");
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 2_000, 0, 0, 0]);
    assert_eq!(balances(&summary(&app, &a_token).await), [0, 500, 0, 0, 0]);
    reconciled(&app).await;

    // Withdrawals: at least the minimum, at most what is available, 30 seconds apart.
    let card = "6222 0212 3456 7890";
    let ask = |amount: i64, key: &str| json!({ "amount": amount, "bank_card": card, "idempotency_key": key });
    app.post("/api/commission", &ask(50, "k0"), Some(&c_token)).await.assert_failure(4221001);
    app.post("/api/commission", &ask(2_001, "k0"), Some(&c_token)).await.assert_failure(4221208);
    let bad_card = json!({ "amount": 500, "bank_card": "12ab", "idempotency_key": "k0" });
    app.post("/api/commission", &bad_card, Some(&c_token)).await.assert_failure(4221001);
    let w = app.post("/api/commission", &ask(1_500, "k1"), Some(&c_token)).await.ok_envelope(201).clone();
    assert_eq!((w["status"].as_str(), w["amount"].as_i64()), (Some("requested"), Some(1_500)));
    // The same request again (a retry): the same withdrawal, nothing more.
    let again = app.post("/api/commission", &ask(1_500, "k1"), Some(&c_token)).await.ok_envelope(201).clone();
    assert_eq!(again["withdrawal_id"], w["withdrawal_id"]);
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 500, 1_500, 0, 0]);
    // A second one a second later: too soon.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    app.post("/api/commission", &ask(500, "k2"), Some(&c_token)).await.assert_failure(4221207);
    reconciled(&app).await;
    // The vendor pays it out.
    let wid = w["withdrawal_id"].as_str().unwrap();
    let paid = app.post(&format!("/api/commission/withdrawals/{wid}/pay"), &json!({}), Some(&vendor)).await;
    assert_eq!(paid.ok_envelope(201)["status"], json!("paid"));
    app.post(&format!("/api/commission/withdrawals/{wid}/reject"), &json!({}), Some(&vendor))
        .await
        .assert_failure(4221209);
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 500, 0, 1_500, 0]);
    // Another, rejected: available again.
    forget_last_withdrawal(&app).await;
    let w2 = app.post("/api/commission", &ask(500, "k3"), Some(&c_token)).await.ok_envelope(201).clone();
    let wid2 = w2["withdrawal_id"].as_str().unwrap();
    let rejected = app.post(&format!("/api/commission/withdrawals/{wid2}/reject"), &json!({}), Some(&vendor)).await;
    assert_eq!(rejected.ok_envelope(201)["status"], json!("rejected"));
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 500, 0, 1_500, 0]);
    reconciled(&app).await;

    // The vendor's view: every account's, in all.
    let all = summary(&app, &vendor).await;
    assert_eq!(balances(&all), [0, 500 + 1_000 + 500, 0, 1_500, 0]);
    let listed = app.get("/api/commission/withdrawals", Some(&vendor)).await;
    assert_eq!(listed.body["total"], json!(2));
    let kinds = app.get(&format!("/api/commission?account=u:{c}&kind=payout"), Some(&vendor)).await;
    assert_eq!(kinds.body["total"], json!(2), "out of withdrawing, into withdrawn");

    // The check can fail: an amount that comes from nowhere is caught.
    let stray = Sql::new(
        "INSERT INTO commission_entries (corp_id, account, bucket, amount, kind, create_time) \
         VALUES ($1, 'u:STRAY', 'available', 1, 'withdraw', 0)",
    );
    app.ctx.db.execute(&stray.bind(v.vid.clone())).await.unwrap();
    let problems = reconcile(&app.ctx).await.unwrap();
    assert!(problems.iter().any(|p| p.starts_with("u:STRAY")), "{problems:?}");
}

async fn who_sees_and_moves_which_commission(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Own").await;
    let other = register_vendor(&app, &platform, "Other").await;
    let vendor = vendor_token(&app, &v).await;
    let other_vendor = vendor_token(&app, &other).await;
    let (a, a_token) = user(&app, &v.vid, json!({})).await;
    let (_, b_token) = user(&app, &v.vid, json!({ "rid": a })).await;
    let (_, stranger) = user(&app, &v.vid, json!({})).await;
    let prod =
        json!({ "name": "Purifier", "price": 10_000, "state": 1, "commis": { "enabled": true, "config": [10] } });
    let prod =
        app.post("/api/products", &prod, Some(&vendor)).await.ok_envelope(201)["prod_id"].as_str().unwrap().to_owned();
    let order = paid_order(&app, &b_token, &prod).await;
    app.post(&format!("{order}/delivery"), &json!({ "company": "SF", "tracking_num": "1" }), Some(&vendor))
        .await
        .ok_envelope(201);
    app.post(&format!("{order}/status/confirm"), &json!({}), Some(&b_token)).await.ok_envelope(201);
    advance(&app.ctx, now_ms() + 8 * 24 * 3600 * 1000).await.unwrap();
    let card = json!({ "amount": 1_000, "bank_card": "6222021234567890", "idempotency_key": "x" });
    let w = app.post("/api/commission", &card, Some(&a_token)).await.ok_envelope(201).clone();
    let wid = w["withdrawal_id"].as_str().unwrap().to_owned();

    // Another user sees none of it; nobody but its earner withdraws it.
    assert_eq!(app.get("/api/commission", Some(&stranger)).await.body["total"], json!(0));
    assert_eq!(balances(&summary(&app, &stranger).await), [0, 0, 0, 0, 0]);
    assert_eq!(app.get("/api/commission/withdrawals", Some(&stranger)).await.body["total"], json!(0));
    app.post("/api/commission", &card, Some(&vendor)).await.assert_failure(4031001);
    // Only the vendor's commission managers pay out: not the user, not a viewer, not another vendor.
    let pay = format!("/api/commission/withdrawals/{wid}/pay");
    app.post(&pay, &json!({}), Some(&a_token)).await.assert_failure(4031001);
    let viewer = app.add_role(&vendor, "commission viewer", &[1901]).await;
    let (_, email, password) = app.add_member(&vendor, 99, Some(viewer)).await;
    let viewer = app.login_as(&email, &password).await;
    assert_eq!(app.get("/api/commission/withdrawals", Some(&viewer)).await.body["total"], json!(1));
    app.post(&pay, &json!({}), Some(&viewer)).await.assert_failure(4031001);
    app.post(&pay, &json!({}), Some(&other_vendor)).await.assert_failure(4041073);
    assert_eq!(app.get("/api/commission", Some(&other_vendor)).await.body["total"], json!(0));
    let devices = app.add_role(&vendor, "devices", &[1501]).await;
    let (_, email, password) = app.add_member(&vendor, 99, Some(devices)).await;
    let outsider = app.login_as(&email, &password).await;
    app.get("/api/commission", Some(&outsider)).await.assert_failure(4031001);
    app.get("/api/commission/summary", Some(&outsider)).await.assert_failure(4031001);
    app.post(&pay, &json!({}), Some(&vendor)).await.ok_envelope(201);
    reconciled(&app).await;
}

/// Commission reversed after it was withdrawn becomes a debt, shown as such (never a negative
/// balance), and what the account earns next repays it first. OPS-CONTRACT.md's state machine
/// refunds only orders not yet done (whose commission is still pending), so the reversal of a
/// done order is made here the way a refund makes it: `commission::reverse` in the transaction
/// that moves the order to `refund`.
async fn a_reversal_after_a_withdrawal_is_a_debt_the_next_earnings_repay(backend: Backend) {
    use backoffice::server::service::commission::reverse;
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Debt").await;
    let vendor = vendor_token(&app, &v).await;
    let (c, c_token) = user(&app, &v.vid, json!({})).await;
    let (_, d_token) = user(&app, &v.vid, json!({ "rid": c })).await;
    let prod =
        json!({ "name": "Purifier", "price": 10_000, "state": 1, "commis": { "enabled": true, "config": [20] } });
    let prod =
        app.post("/api/products", &prod, Some(&vendor)).await.ok_envelope(201)["prod_id"].as_str().unwrap().to_owned();
    let delivery = json!({ "company": "SF", "tracking_num": "SF1" });
    let done_order = |path: String| {
        let (app, vendor, d_token, delivery) = (&app, &vendor, &d_token, &delivery);
        async move {
            app.post(&format!("{path}/delivery"), delivery, Some(vendor)).await.ok_envelope(201);
            app.post(&format!("{path}/status/confirm"), &json!({}), Some(d_token)).await.ok_envelope(201);
            advance(&app.ctx, now_ms() + 8 * 24 * 3600 * 1000).await.unwrap();
            path
        }
    };
    let first = done_order(paid_order(&app, &d_token, &prod).await).await;
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 2_000, 0, 0, 0]);
    let ask = json!({ "amount": 1_500, "bank_card": "6222 0212 3456 7890", "idempotency_key": "debt-1" });
    let w = app.post("/api/commission", &ask, Some(&c_token)).await.ok_envelope(201).clone();
    let wid = w["withdrawal_id"].as_str().unwrap();
    app.post(&format!("/api/commission/withdrawals/{wid}/pay"), &json!({}), Some(&vendor)).await.ok_envelope(201);
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 500, 0, 1_500, 0]);

    // The first order's 2,000 is reversed: 500 was left, so 1,500 is owed.
    let order_id = first.rsplit('/').next().unwrap().to_owned();
    let mut tx = app.ctx.db.begin().await.unwrap();
    tx.execute(&Sql::new("UPDATE orders SET state = 6 WHERE order_id = $1").bind(order_id.clone())).await.unwrap();
    reverse(&mut tx, &order_id, now_ms()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 0, 0, 1_500, 1_500]);
    // Nothing can be withdrawn while in debt.
    forget_last_withdrawal(&app).await;
    let more = json!({ "amount": 100, "bank_card": "6222 0212 3456 7890", "idempotency_key": "debt-2" });
    app.post("/api/commission", &more, Some(&c_token)).await.assert_failure(4221208);
    reconciled(&app).await;

    // The next order's 2,000 repays the 1,500 first.
    done_order(paid_order(&app, &d_token, &prod).await).await;
    assert_eq!(balances(&summary(&app, &c_token).await), [0, 500, 0, 1_500, 0]);
    reconciled(&app).await;
}
