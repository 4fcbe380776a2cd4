//! WeChat Pay API v3 (issue 17, payments) against a local stand-in that speaks the published
//! protocol with generated keys: a vendor configures its merchant (AX-07), users prepay (Native
//! and JSAPI) through it, its notifications are verified, decrypted, amount-checked and applied
//! once, a second payment is refunded, and refunds go back through it — recorded on the order's
//! payments (AD-10) and retried when it was down. Without a merchant, `weixin` stays the sandbox.

use backoffice::server::{clock::now_ms, config::Config, service::payment};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn_with, test_config, Answer, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, Vendor, USER_PWD},
    stand_ins::{WechatPay, WxNotice},
};

crate::both_backends!(
    a_vendor_configures_wechat_pay_and_users_pay_through_it,
    wechat_pay_notifications_are_verified_and_applied_once,
    refunds_go_back_through_wechat_pay,
    the_vendor_sets_up_wechat_pay_on_its_settings_page,
);

const NOTIFY_URL: &str = "https://shop.example.com/api/pay/notify/wechatpay";

async fn app_with(stand_in: &WechatPay, backend: Backend) -> TestApp {
    let config = Config {
        wechatpay_base_url: stand_in.url.clone(),
        wechatpay_notify_url: Some(NOTIFY_URL.into()),
        ..test_config()
    };
    spawn_with(backend, config).await
}

struct Shop {
    v: Vendor,
    vendor: String,
    user: String,
    prod: String,
}

/// A vendor with a merchandise on sale (1 500 fen) and a signed-in user; `settings`: its
/// merchant's AX-07 settings, set by its own admin.
async fn shop(app: &TestApp, name: &str, settings: Option<Value>) -> Shop {
    let platform = platform_token(app).await;
    let v = register_vendor(app, &platform, name).await;
    let vendor = vendor_token(app, &v).await;
    if let Some(settings) = settings {
        app.put(&format!("/api/vendors/{}/mxx", v.vid), Some(&settings), Some(&vendor)).await.ok_envelope(201);
    }
    let (_, mobile) = sign_up(app, &v.vid, json!({})).await;
    let user = token_of(&user_token(app, &v.vid, &mobile, USER_PWD).await);
    let body = json!({ "name": "Filter", "price": 1_500, "state": 1 });
    let prod =
        app.post("/api/products", &body, Some(&vendor)).await.ok_envelope(201)["prod_id"].as_str().unwrap().to_owned();
    Shop { v, vendor, user, prod }
}

async fn order(app: &TestApp, s: &Shop) -> String {
    let body = json!({ "content": [{ "product_id": s.prod, "quantity": 1 }],
                       "receiver": { "name": "Ann", "phone": "13800000001", "area": "珠海", "address": "A123" } });
    app.post("/api/orders", &body, Some(&s.user)).await.ok_envelope(201)["order_id"].as_str().unwrap().to_owned()
}

async fn prepay(app: &TestApp, s: &Shop, order_id: &str, body: Option<Value>) -> Value {
    let path = format!("/api/orders/{order_id}/prepay/weixin");
    let mut req = app.client.post(app.url(&path)).header("Access-Token", &s.user);
    if let Some(body) = body {
        req = req.json(&body);
    }
    app.send(req).await.ok_envelope(201).clone()
}

async fn notify(app: &TestApp, notice: &WxNotice) -> Answer {
    let mut req = app.client.post(app.url("/api/pay/notify/wechatpay")).body(notice.body.clone());
    for (name, value) in &notice.headers {
        req = req.header(*name, value);
    }
    app.send(req).await
}

async fn state(app: &TestApp, s: &Shop, order_id: &str) -> Value {
    app.get(&format!("/api/orders/{order_id}"), Some(&s.vendor)).await.ok_envelope(200).clone()
}

async fn payments(app: &TestApp, token: &str, order_id: &str) -> Vec<Value> {
    let a = app.get(&format!("/api/orders/{order_id}/payment"), Some(token)).await;
    a.ok_envelope(200)["payments"].as_array().unwrap().clone()
}

fn kinds(p: &[Value]) -> Vec<(String, String)> {
    p.iter().map(|p| (p["kind"].as_str().unwrap().to_owned(), p["status"].as_str().unwrap().to_owned())).collect()
}

fn pair(kind: &str, status: &str) -> (String, String) {
    (kind.to_owned(), status.to_owned())
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually<F: std::future::Future<Output = bool>>(mut done: impl FnMut() -> F) {
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("not reached within 10 s");
}

async fn a_vendor_configures_wechat_pay_and_users_pay_through_it(backend: Backend) {
    let wx = WechatPay::start("1900009191", "wxd678efh567hg6787").await;
    let app = app_with(&wx, backend).await;
    let s = shop(&app, "Wx", None).await;
    let accounts = format!("/api/vendors/{}/mxx", s.v.vid);

    // Nothing configured: `weixin` is the sandbox.
    let a = app.get(&accounts, Some(&s.vendor)).await;
    assert_eq!(a.ok_envelope(200)["wechatpay_v3"], json!(false), "{:?}", a.body);
    let o = order(&app, &s).await;
    let sandbox = prepay(&app, &s, &o, None).await;
    assert_eq!(sandbox["channel"], json!("sandbox"), "{sandbox}");
    assert!(sandbox["pay_url"].as_str().unwrap().starts_with("/pay/sandbox/"), "{sandbox}");

    // Settings that do not hold are refused and change nothing: a key that is no key, an APIv3
    // key that is not 32 characters.
    let mut bad = wx.merchant_settings();
    bad["mch_key"] = json!("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
    app.put(&accounts, Some(&bad), Some(&s.vendor)).await.assert_failure(4221001);
    let mut bad = wx.merchant_settings();
    bad["mch_secret"] = json!("too-short");
    app.put(&accounts, Some(&bad), Some(&s.vendor)).await.assert_failure(4221001);
    let mut bad = wx.merchant_settings();
    bad["wxpay_key"] = json!("not a key");
    app.put(&accounts, Some(&bad), Some(&s.vendor)).await.assert_failure(4221001);
    assert_eq!(app.get(&accounts, Some(&s.vendor)).await.ok_envelope(200)["wechatpay_v3"], json!(false));

    // The vendor's admin configures its merchant; the keys are never read back.
    app.put(&accounts, Some(&wx.merchant_settings()), Some(&s.vendor)).await.ok_envelope(201);
    let read = app.get(&accounts, Some(&s.vendor)).await;
    let data = read.ok_envelope(200);
    assert_eq!(
        (&data["wechatpay_v3"], &data["mch_key_set"], &data["mch_secret_set"], &data["mch_gid"]),
        (&json!(true), &json!(true), &json!(true), &json!("1900009191")),
        "{data}"
    );
    let text = read.body.to_string();
    assert!(!text.contains("PRIVATE KEY") && !text.contains(&wx.apiv3_key()), "secrets stay sealed: {text}");
    let vendor_read = app.get(&format!("/api/vendors/{}", s.v.vid), Some(&s.vendor)).await.body.to_string();
    assert!(!vendor_read.contains("PRIVATE KEY") && !vendor_read.contains(&wx.apiv3_key()), "{vendor_read}");
    // Another vendor's admin neither reads nor writes them.
    let other = shop(&app, "Other", None).await;
    app.get(&accounts, Some(&other.vendor)).await.assert_failure(4041010);
    app.put(&accounts, Some(&json!({ "mch_serial": "X" })), Some(&other.vendor)).await.assert_failure(4041010);

    // Native: no openid. The stand-in checked the request's signature; the answer carries the
    // code_url to show as a QR code.
    let o1 = order(&app, &s).await;
    let native = prepay(&app, &s, &o1, None).await;
    assert_eq!((native["channel"].as_str(), native["trade_type"].as_str()), (Some("wechatpay"), Some("NATIVE")));
    let code_url = native["code_url"].as_str().expect("code_url");
    assert!(code_url.starts_with("weixin://wxpay/bizpayurl?pr="), "{native}");
    assert_eq!(native["pay_url"].as_str(), Some(code_url));
    let pid1 = native["payment_id"].as_str().unwrap();
    let t = wx.transaction(pid1).expect("the stand-in was asked");
    assert_eq!((t.trade_type.as_str(), t.total, t.notify_url.as_str()), ("NATIVE", 1_500, NOTIFY_URL));
    assert!(t.out_trade_no == pid1 && t.description.contains(&o1) && t.openid.is_none(), "{t:?}");

    // JSAPI: with the payer's openid; the answer is what wx.requestPayment takes, signed.
    let o2 = order(&app, &s).await;
    let jsapi = prepay(&app, &s, &o2, Some(json!({ "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }))).await;
    assert_eq!(jsapi["trade_type"], json!("JSAPI"), "{jsapi}");
    assert!(wx.accepts_jsapi(&jsapi["jsapi"]), "{jsapi}");
    assert!(jsapi.get("pay_url").is_none() && jsapi.get("code_url").is_none(), "{jsapi}");
    let pid2 = jsapi["payment_id"].as_str().unwrap();
    assert_eq!(wx.transaction(pid2).unwrap().openid.as_deref(), Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));
    // The sandbox's page does not pay what WeChat Pay was asked for.
    let page = app.client.get(app.url(&format!("/pay/sandbox/{pid2}"))).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 404);

    // WeChat Pay notifies: the order is paid, through wechatpay, with WeChat Pay's transaction id.
    let (notice, transaction_id) = wx.paid(pid1, 1_500);
    assert_eq!(notify(&app, &notice).await.ok_envelope(200)["result"], json!("paid"));
    let read = state(&app, &s, &o1).await;
    assert_eq!(
        (read["state"].as_i64(), read["pay_ch"].as_str(), read["transaction_no"].as_str()),
        (Some(1), Some("wechatpay"), Some(transaction_id.as_str())),
        "{read}"
    );
    let p = payments(&app, &s.user, &o1).await;
    assert_eq!(kinds(&p), [pair("pay", "paid")]);
    assert_eq!(
        (p[0]["channel"].as_str(), p[0]["transaction_id"].as_str()),
        (Some("wechatpay"), Some(transaction_id.as_str()))
    );
    let (notice, _) = wx.paid(pid2, 1_500);
    assert_eq!(notify(&app, &notice).await.ok_envelope(200)["result"], json!("paid"));
    assert_eq!(state(&app, &s, &o2).await["state"], json!(1));

    // The other vendor, with no merchant, still pays in the sandbox.
    let o3 = order(&app, &other).await;
    assert_eq!(prepay(&app, &other, &o3, None).await["channel"], json!("sandbox"));
    assert!(wx.refused().is_empty(), "every request was well signed: {:?}", wx.refused());
}

async fn wechat_pay_notifications_are_verified_and_applied_once(backend: Backend) {
    let wx = WechatPay::start("1900009192", "wxd678efh567hg6788").await;
    let app = app_with(&wx, backend).await;
    let s = shop(&app, "WxNotify", Some(wx.merchant_settings())).await;
    let o = order(&app, &s).await;
    let first = prepay(&app, &s, &o, None).await;
    let second = prepay(&app, &s, &o, None).await;
    let (pid, pid2) = (first["payment_id"].as_str().unwrap(), second["payment_id"].as_str().unwrap());
    let (good, transaction_id) = wx.paid(pid, 1_500);

    // A signature that is not WeChat Pay's, a body changed after signing, another amount, an
    // old timestamp, another APIv3 key, an unknown key id: refused (422), nothing changes.
    let mut forged = good.clone();
    for (name, value) in forged.headers.iter_mut() {
        if *name == "Wechatpay-Signature" {
            let flipped = if value.starts_with('A') { "B" } else { "A" };
            value.replace_range(0..1, flipped);
        }
    }
    notify(&app, &forged).await.assert_failure(4221206);
    let mut changed = good.clone();
    changed.body = changed.body.replace("\"summary\":\"支付成功\"", "\"summary\":\"支付失败\"");
    assert_ne!(changed.body, good.body);
    notify(&app, &changed).await.assert_failure(4221206);
    let resource = |total: i64, out_trade_no: &str| {
        json!({ "mchid": "1900009192", "appid": "wxd678efh567hg6788", "out_trade_no": out_trade_no,
                "transaction_id": "4200000000000000000000000001", "trade_state": "SUCCESS",
                "amount": { "total": total, "payer_total": total, "currency": "CNY" } })
    };
    let now = now_ms() / 1000;
    let other_amount = wx.notice("TRANSACTION.SUCCESS", "transaction", &resource(1, pid), &wx.apiv3_key(), now);
    notify(&app, &other_amount).await.assert_failure(4221206);
    let stale = wx.notice("TRANSACTION.SUCCESS", "transaction", &resource(1_500, pid), &wx.apiv3_key(), now - 600);
    notify(&app, &stale).await.assert_failure(4221206);
    let other_key = "0123456789abcdef0123456789abcdef";
    let wrong_key = wx.notice("TRANSACTION.SUCCESS", "transaction", &resource(1_500, pid), other_key, now);
    notify(&app, &wrong_key).await.assert_failure(4221206);
    let mut unknown = good.clone();
    for (name, value) in unknown.headers.iter_mut() {
        if *name == "Wechatpay-Serial" {
            *value = "PUB_KEY_ID_UNKNOWN".into();
        }
    }
    notify(&app, &unknown).await.assert_failure(4221206);
    let unknown_payment =
        wx.notice("TRANSACTION.SUCCESS", "transaction", &resource(1_500, "PNOSUCHPAYMENT"), &wx.apiv3_key(), now);
    notify(&app, &unknown_payment).await.assert_failure(4221206);
    // Another vendor's merchant cannot pay this vendor's payment, whatever it signs.
    let wx_b = WechatPay::start("1900009193", "wxd678efh567hg6789").await;
    shop(&app, "WxOther", Some(wx_b.merchant_settings())).await;
    let mut theirs = resource(1_500, pid);
    theirs["mchid"] = json!("1900009193");
    theirs["appid"] = json!("wxd678efh567hg6789");
    let foreign = wx_b.notice("TRANSACTION.SUCCESS", "transaction", &theirs, &wx_b.apiv3_key(), now);
    notify(&app, &foreign).await.assert_failure(4221206);
    let read = state(&app, &s, &o).await;
    assert_eq!(read["state"], json!(0), "{read}");
    assert_eq!(kinds(&payments(&app, &s.user, &o).await), [pair("pay", "pending"), pair("pay", "pending")]);

    // The real one, then the same again (WeChat Pay retries): applied once.
    assert_eq!(notify(&app, &good).await.ok_envelope(200)["result"], json!("paid"));
    assert_eq!(notify(&app, &good).await.ok_envelope(200)["result"], json!("duplicate"));
    // The same transaction replayed for the other payment: not applied twice.
    let replay = wx.notice(
        "TRANSACTION.SUCCESS",
        "transaction",
        &json!({ "mchid": "1900009192", "appid": "wxd678efh567hg6788", "out_trade_no": pid2,
                 "transaction_id": transaction_id, "trade_state": "SUCCESS",
                 "amount": { "total": 1_500, "payer_total": 1_500, "currency": "CNY" } }),
        &wx.apiv3_key(),
        now,
    );
    assert_eq!(notify(&app, &replay).await.ok_envelope(200)["result"], json!("duplicate"));
    assert_eq!(kinds(&payments(&app, &s.user, &o).await), [pair("pay", "paid"), pair("pay", "pending")]);

    // The second payment really goes through too: recorded, and refunded through WeChat Pay.
    let (second_paid, _) = wx.paid(pid2, 1_500);
    assert_eq!(notify(&app, &second_paid).await.ok_envelope(200)["result"], json!("refunded"));
    eventually(|| async { wx.refunds().len() == 1 }).await;
    let r = wx.refunds().remove(0);
    assert_eq!((r.out_trade_no.as_str(), r.refund, r.total), (pid2, 1_500, 1_500), "{r:?}");
    eventually(|| async {
        kinds(&payments(&app, &s.user, &o).await)
            == [pair("pay", "paid"), pair("pay", "paid"), pair("refund", "refunded")]
    })
    .await;
    let p = payments(&app, &s.vendor, &o).await;
    assert_eq!((p[2]["amount"].as_i64(), p[2]["transaction_id"].as_str()), (Some(1_500), Some(r.refund_id.as_str())));
    assert_eq!(p[2]["payment_id"].as_str(), Some(r.out_refund_no.as_str()));
    assert_eq!(state(&app, &s, &o).await["state"], json!(1), "paid once");
    assert!(wx.refused().is_empty(), "{:?}", wx.refused());
}

async fn refunds_go_back_through_wechat_pay(backend: Backend) {
    let wx = WechatPay::start("1900009194", "wxd678efh567hg6790").await;
    let app = app_with(&wx, backend).await;
    let s = shop(&app, "WxRefund", Some(wx.merchant_settings())).await;

    // A paid order, shipped, received, returned: the vendor refunds it.
    let returned = |order_id: String| {
        let (app, s, wx) = (&app, &s, &wx);
        async move {
            let pid = prepay(app, s, &order_id, None).await["payment_id"].as_str().unwrap().to_owned();
            let (notice, _) = wx.paid(&pid, 1_500);
            notify(app, &notice).await.ok_envelope(200);
            let at = |rest: &str| format!("/api/orders/{order_id}{rest}");
            let delivery = json!({ "company": "SF", "tracking_num": "SF100" });
            app.post(&at("/delivery"), &delivery, Some(&s.vendor)).await.ok_envelope(201);
            app.post(&at("/status/confirm"), &json!({}), Some(&s.user)).await.ok_envelope(201);
            app.post(&at("/status/return"), &json!({ "reason": "leaks" }), Some(&s.user)).await.ok_envelope(201);
            app.post(&at("/status/consent"), &json!({}), Some(&s.vendor)).await.ok_envelope(201);
            pid
        }
    };
    let o = order(&app, &s).await;
    let pid = returned(o.clone()).await;
    // WeChat Pay takes the refund and is still processing it.
    wx.answer_refunds_with("PROCESSING");
    let refunded = app.put(&format!("/api/orders/{o}/status/refund"), None, Some(&s.vendor)).await;
    assert_eq!(refunded.ok_envelope(201)["state"], json!(6));
    let sent = wx.refunds();
    assert_eq!(sent.len(), 1, "sent once the refund was committed");
    let r = sent[0].clone();
    assert_eq!(
        (r.out_trade_no.as_str(), r.refund, r.total, r.reason.as_str()),
        (pid.as_str(), 1_500, 1_500, "returned")
    );
    let p = payments(&app, &s.vendor, &o).await;
    assert_eq!(kinds(&p), [pair("pay", "paid"), pair("refund", "processing")]);
    assert_eq!(
        (p[1]["payment_id"].as_str(), p[1]["transaction_id"].as_str(), p[1]["channel"].as_str()),
        (Some(r.out_refund_no.as_str()), Some(r.refund_id.as_str()), Some("wechatpay"))
    );
    // Its notification finishes it; sent again, nothing more.
    let done = wx.refund_finished(&r, "SUCCESS");
    assert_eq!(notify(&app, &done).await.ok_envelope(200)["result"], json!("noted"));
    assert_eq!(notify(&app, &done).await.ok_envelope(200)["result"], json!("noted"));
    let p = payments(&app, &s.user, &o).await;
    assert_eq!(kinds(&p), [pair("pay", "paid"), pair("refund", "refunded")]);
    assert!(p[1]["finish_tms"].is_string(), "{p:?}");

    // WeChat Pay is down when the vendor refunds: the order is refunded, the refund waits
    // (pending), and the refund job sends it once WeChat Pay is back.
    wx.answer_refunds_with("SUCCESS");
    let o2 = order(&app, &s).await;
    let pid2 = returned(o2.clone()).await;
    wx.set_down(true);
    let refunded = app.put(&format!("/api/orders/{o2}/status/refund"), None, Some(&s.vendor)).await;
    assert_eq!(refunded.ok_envelope(201)["state"], json!(6));
    assert_eq!(kinds(&payments(&app, &s.vendor, &o2).await), [pair("pay", "paid"), pair("refund", "pending")]);
    assert_eq!(wx.refunds().len(), 1);
    // Too soon for the job (the first try was just made), then a minute on, WeChat Pay still down.
    assert_eq!(payment::send_pending_refunds(&app.ctx, now_ms()).await.unwrap(), 0);
    assert_eq!(payment::send_pending_refunds(&app.ctx, now_ms() + 61_000).await.unwrap(), 1);
    assert_eq!(kinds(&payments(&app, &s.vendor, &o2).await)[1], pair("refund", "pending"));
    wx.set_down(false);
    assert_eq!(payment::send_pending_refunds(&app.ctx, now_ms() + 122_000).await.unwrap(), 1);
    assert_eq!(kinds(&payments(&app, &s.vendor, &o2).await), [pair("pay", "paid"), pair("refund", "refunded")]);
    let r2 = wx.refunds().into_iter().find(|r| r.out_trade_no == pid2).expect("the refund reached WeChat Pay");
    assert_eq!((r2.refund, r2.asked), (1_500, 1));
    // Nothing is left to send.
    assert_eq!(payment::send_pending_refunds(&app.ctx, now_ms() + 183_000).await.unwrap(), 0);
    assert!(wx.refused().is_empty(), "{:?}", wx.refused());
}

/// The settings page's two forms (AX-07's merchant, then API v3's keys) reach the same service
/// as `PUT /api/vendors/{vid}/mxx`: a key that does not parse changes nothing; the vendor record
/// shows the serial and key id and only whether each key is set; another vendor's admin is
/// refused; once complete, the vendor's payments go to WeChat Pay.
async fn the_vendor_sets_up_wechat_pay_on_its_settings_page(backend: Backend) {
    let stand_in = WechatPay::start("1900000109", "wxd678efh567hg6787").await;
    let app = app_with(&stand_in, backend).await;
    let s = shop(&app, "Settings", None).await;
    let other = register_vendor(&app, &platform_token(&app).await, "Other").await;
    let settings = stand_in.merchant_settings();
    let call = |name: &'static str, args: Value| {
        let req = app.client.post(app.url(&format!("/fn/{name}"))).header("Origin", app.url("")).json(&args);
        async move {
            let res = req.send().await.expect("server function called");
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let login = [("account", s.v.mobile.as_str()), ("password", crate::operations::VENDOR_PWD)];
    assert!(app.server_fn("corp_login", &login).await.status().as_u16() < 400);

    let accounts = json!({ "mch_gid": settings["mch_gid"], "mch_appid": settings["mch_appid"], "mch_secret": settings["mch_secret"] });
    let (status, body) = call("vendor_accounts", json!({ "vid": s.v.vid, "input": accounts })).await;
    assert_eq!(status, 200, "{body}");
    let bad =
        json!({ "mch_serial": "ABC", "mch_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----" });
    let (status, body) = call("vendor_wechatpay", json!({ "vid": s.v.vid, "input": bad })).await;
    assert_eq!((status, &body["code"]), (400, &json!(4001001)), "{body}");
    let read = app.get(&format!("/api/vendors/{}", s.v.vid), Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!((&read["mch_serial"], &read["mch_key_set"]), (&json!(""), &json!(false)), "nothing changed: {read}");

    let v3 = json!({ "mch_serial": settings["mch_serial"], "mch_key": settings["mch_key"],
                     "wxpay_key_id": settings["wxpay_key_id"], "wxpay_key": settings["wxpay_key"] });
    // Not another vendor's.
    let (status, _) = call("vendor_wechatpay", json!({ "vid": other.vid, "input": v3.clone() })).await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, body) = call("vendor_wechatpay", json!({ "vid": s.v.vid, "input": v3 })).await;
    assert_eq!(status, 200, "{body}");
    let read = app.get(&format!("/api/vendors/{}", s.v.vid), Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!(read["mch_serial"], settings["mch_serial"], "{read}");
    assert_eq!((&read["mch_key_set"], &read["wxpay_key_set"]), (&json!(true), &json!(true)), "{read}");
    assert!(!read.to_string().contains("PRIVATE KEY"), "the private key is never read back");
    let mxx = app.get(&format!("/api/vendors/{}/mxx", s.v.vid), Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!(mxx["wechatpay_v3"], json!(true), "{mxx}");
    // The settings page renders with the merchant on.
    let html = app.page("/corp/settings").await.text().await.unwrap();
    assert!(html.contains("vendor-wechatpay") && html.contains("WeChat Pay"), "the v3 form");
}
