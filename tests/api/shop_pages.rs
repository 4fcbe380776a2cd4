//! The mall, orders and commission as the portals and the mobile site reach them (issue 17): the
//! server functions behind the pages (thin adapters over the services `/api` uses), the corp
//! dashboard's money charts, a user's referral link, the pages themselves rendered on the
//! server for their signed-in reader, and where the sandbox's pay page sends the payer back.

use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, Backend, TestApp, DEALER_PASSWORD},
    operations::{
        platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, Vendor, USER_PWD, VENDOR_PWD,
    },
};

both_backends!(
    the_dashboard_charts_mall_sales_and_commission,
    a_user_shares_its_referral_link_and_reads_its_orders_on_the_site,
    the_pay_page_links_back_only_to_this_site,
    the_corp_pages_show_the_mall_orders_and_commission,
    backoffice_reconcile_checks_the_ledger,
    a_dealer_runs_its_orders_commission_and_sub_dealers_from_its_portal,
);

/// A JSON server function (`input = Json`) with the client's session; answers status and body.
async fn call(app: &TestApp, name: &str, args: Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(&format!("/fn/{name}")))
        .header("Origin", app.url(""))
        .header("Accept", "application/json")
        .json(&args)
        .send()
        .await
        .expect("server function called");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

struct Sale {
    v: Vendor,
    vendor: String,
    referrer: String,
    buyer_mobile: String,
    order_id: String,
    pay_url: String,
}

/// A vendor with a purifier on sale (10 % first-level commission), a referrer, and a user it
/// referred who ordered one; `paid`: and paid for it in the sandbox.
async fn sale(app: &TestApp, paid: bool) -> Sale {
    let platform = platform_token(app).await;
    let v = register_vendor(app, &platform, "Pages").await;
    let vendor = vendor_token(app, &v).await;
    let body = json!({ "name": "Purifier P1", "price": 1_000, "state": 1,
                       "commis": { "enabled": true, "config": [10] } });
    let prod = app.post("/api/products", &body, Some(&vendor)).await.ok_envelope(201)["prod_id"].clone();
    let (referrer, _) = sign_up(app, &v.vid, json!({})).await;
    let (_, buyer_mobile) = sign_up(app, &v.vid, json!({ "rid": referrer })).await;
    let buyer = token_of(&user_token(app, &v.vid, &buyer_mobile, USER_PWD).await);
    let receiver = json!({ "name": "Ann", "phone": "13800000001", "area": "Zhuhai", "address": "1 Road" });
    let order = json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver });
    let o = app.post("/api/orders", &order, Some(&buyer)).await.ok_envelope(201).clone();
    let order_id = o["order_id"].as_str().expect("order_id").to_owned();
    let prepaid = app.post(&format!("/api/orders/{order_id}/prepay/weixin"), &json!({}), Some(&buyer)).await;
    let pay_url = prepaid.ok_envelope(201)["pay_url"].as_str().expect("pay_url").to_owned();
    if paid {
        let res = app.client.post(app.url(&pay_url)).header("Origin", app.url("")).send().await.unwrap();
        assert!(res.text().await.unwrap().contains("Paid"));
    }
    Sale { v, vendor, referrer, buyer_mobile, order_id, pay_url }
}

async fn corp_session(app: &TestApp, v: &Vendor) {
    let res = app.server_fn("corp_login", &[("account", v.mobile.as_str()), ("password", VENDOR_PWD)]).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
}

fn sum(days: &Value) -> i64 {
    days.as_array().expect("days").iter().map(|d| d["sale_total"].as_i64().unwrap_or(0)).sum()
}

async fn the_dashboard_charts_mall_sales_and_commission(backend: Backend) {
    let app = spawn(backend).await;
    let s = sale(&app, true).await;
    // An order not paid counts for nothing.
    let unpaid = sale(&app, false).await;
    assert_ne!(unpaid.v.vid, s.v.vid);

    corp_session(&app, &s.v).await;
    let (status, figures) = call(&app, "dashboard_figures", json!({})).await;
    assert_eq!(status, 200, "{figures}");
    let (sales, commission) = (&figures["mall_sales_by_day"], &figures["commission_by_day"]);
    assert_eq!(sales.as_array().map(Vec::len), Some(30), "{figures}");
    assert_eq!((sum(sales), sum(commission)), (1_000, 100), "{figures}");
    // Today's bar holds it.
    assert_eq!(sales[29]["sale_total"], json!(1_000), "{figures}");

    corp_session(&app, &unpaid.v).await;
    let (_, figures) = call(&app, "dashboard_figures", json!({})).await;
    assert_eq!((sum(&figures["mall_sales_by_day"]), sum(&figures["commission_by_day"])), (0, 0), "{figures}");
}

async fn a_user_shares_its_referral_link_and_reads_its_orders_on_the_site(backend: Backend) {
    let app = spawn(backend).await;
    let s = sale(&app, true).await;
    let args = json!({ "code": s.v.code, "mobile": s.buyer_mobile, "password": USER_PWD, "sms": "" });
    let (status, body) = call(&app, "m_login", args).await;
    assert!(status < 400, "{status} {body}");

    // Its referral link names it as the referrer.
    let res = app.server_fn("promotion", &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let promotion: Value = res.json().await.unwrap();
    let link = promotion["link"].as_str().expect("link");
    let (buyer_uid,): (String,) = sqlx_uid(&app, &s.buyer_mobile).await;
    assert!(link.ends_with(&format!("/m/{}/signup?rid={buyer_uid}", s.v.code)), "{link}");
    assert!(promotion["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")), "a QR code");

    // Its orders, through the same function the mobile site lists them with: its own only.
    let (status, page) = call(&app, "orders", json!({ "request": {} })).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], json!(1), "{page}");
    assert_eq!(page["list"][0]["order_id"], json!(s.order_id));
    // The page renders on the server with the order in it.
    let html = app.page(&format!("/m/{}/orders", s.v.code)).await.text().await.unwrap();
    assert!(html.contains(&s.order_id), "the order is listed");
    let html = app.page(&format!("/m/{}/shop", s.v.code)).await.text().await.unwrap();
    assert!(html.contains("Purifier P1"), "the shop lists what is on sale");

    // A user cannot ship its own order, nor read the vendor's ledger in all: the services say so.
    let ship = json!({ "order_id": s.order_id, "step": "ship", "reason": "",
                       "delivery": { "company": "SF", "tracking_num": "1", "delivery_clerk": "" } });
    let (status, _) = call(&app, "order_advance", ship).await;
    assert_eq!(status, 403);
    // Nor list the vendor's payments.
    let (status, _) = call(&app, "payments", json!({ "request": {} })).await;
    assert_eq!(status, 403);
    // The referrer's commission is its own; the buyer earned none.
    let (status, summary) = call(&app, "commission_summary", json!({})).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["pending"], json!(0));
    assert!(!s.referrer.is_empty());
}

/// The uid of the vendor's user with this mobile.
async fn sqlx_uid(app: &TestApp, mobile: &str) -> (String,) {
    app.ctx
        .db
        .fetch_one(
            &backoffice::server::db::Sql::new("SELECT uid FROM end_users WHERE mobile = $1").bind(mobile.to_owned()),
        )
        .await
        .expect("the user")
}

async fn the_pay_page_links_back_only_to_this_site(backend: Backend) {
    let app = spawn(backend).await;
    let s = sale(&app, false).await;
    let back = format!("href=\"/m/{}/orders/{}\"", s.v.code, s.order_id);
    // The way back is the order's page, made from the payment: nothing in the request changes it.
    for query in ["", "?back=//evil.example/x", "?back=/%09/evil.example", "?back=https://evil.example/"] {
        let url = app.url(&format!("{}{query}", s.pay_url));
        let html = app.client.get(url).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&back), "{query}: {html}");
        assert!(!html.contains("evil"), "{query}: {html}");
    }
    // After paying, the result page leads back too.
    let res = app.client.post(app.url(&s.pay_url)).header("Origin", app.url("")).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Paid") && html.contains(&back), "{html}");
}

async fn the_corp_pages_show_the_mall_orders_and_commission(backend: Backend) {
    let app = spawn(backend).await;
    let s = sale(&app, true).await;
    corp_session(&app, &s.v).await;
    let html = app.page("/corp/mall").await.text().await.unwrap();
    assert!(html.contains("Purifier P1"), "the merchandise table");
    let html = app.page(&format!("/corp/orders/{}", s.order_id)).await.text().await.unwrap();
    assert!(html.contains(&s.order_id) && html.contains("ship-form"), "a paid order offers shipping");
    let (status, payments) = call(&app, "payments", json!({ "request": {} })).await;
    assert_eq!(status, 200, "{payments}");
    assert_eq!(payments["count"], json!(1), "{payments}");
    let p = &payments["list"][0];
    assert_eq!(
        (&p["order_id"], &p["kind"], &p["status"], &p["amount"]),
        (&json!(s.order_id), &json!("pay"), &json!("paid"), &json!(1_000))
    );
    let html = app.page("/corp/payments").await.text().await.unwrap();
    assert!(html.contains(&s.order_id), "the payments table");
    let html = app.page("/corp/commission").await.text().await.unwrap();
    assert!(html.contains("ledger-table") && html.contains("withdrawals-table"), "the ledger and withdrawals");

    // Saving through the editor's function: a new merchandise, then an edit; a bad amount
    // (negative price) is refused and changes nothing.
    let input = json!({ "name": "Kettle", "price": 2_500, "state": 0 });
    let (status, made) = call(&app, "merchandise_save", json!({ "prod_id": "", "input": input })).await;
    assert_eq!(status, 200, "{made}");
    let prod_id = made["prod_id"].as_str().expect("prod_id").to_owned();
    let (status, _) = call(&app, "merchandise_save", json!({ "prod_id": prod_id, "input": { "price": -1 } })).await;
    assert_eq!(status, 400);
    let read = app.get(&format!("/api/products/{prod_id}"), Some(&s.vendor)).await.ok_envelope(200).clone();
    assert_eq!(read["price"], json!(2_500));
    // A merchandise that an order names is archived, not deleted.
    let (status, listed) = call(&app, "merchandise", json!({ "request": {} })).await;
    assert_eq!(status, 200);
    let sold = listed["list"].as_array().unwrap().iter().find(|m| m["name"] == json!("Purifier P1")).unwrap().clone();
    let (status, refused) = call(&app, "merchandise_delete", json!({ "prod_id": sold["prod_id"] })).await;
    assert_eq!((status, &refused["code"]), (400, &json!(4001203)), "{refused}");
    let (status, _) = call(&app, "merchandise_delete", json!({ "prod_id": prod_id })).await;
    assert_eq!(status, 200);
}

/// `backoffice reconcile`, run as an operator would: silent success on a ledger that adds up,
/// exit 1 naming the account when an entry was slipped in.
async fn backoffice_reconcile_checks_the_ledger(backend: Backend) {
    let app = spawn(backend).await;
    let s = sale(&app, true).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_backoffice"))
            .arg("reconcile")
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "error")
            .output()
            .expect("the backoffice binary runs")
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "the ledger reconciles");

    // Money that came from nowhere: made available without being earned.
    let stray = backoffice::server::db::Sql::new(
        "INSERT INTO commission_entries (corp_id, account, bucket, amount, kind, create_time) \
         VALUES ($1, 'u:stray', 'available', 5, 'activate', 0)",
    )
    .bind(s.v.vid.clone());
    app.ctx.db.execute(&stray).await.expect("inserted");
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("u:stray"), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not reconcile"));
}

/// The dealer portal's pages over the same services: the orders of the users its link brought,
/// its commission (first level, as they have no referrer), and its own sub-dealers.
async fn a_dealer_runs_its_orders_commission_and_sub_dealers_from_its_portal(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Dealers").await;
    let vendor = vendor_token(&app, &v).await;
    let dealer = app.add_dealer(&vendor, None).await;
    let other = app.add_dealer(&vendor, None).await;
    let body =
        json!({ "name": "Purifier D1", "price": 1_000, "state": 1, "commis": { "enabled": true, "config": [10] } });
    let prod = app.post("/api/products", &body, Some(&vendor)).await.ok_envelope(201)["prod_id"].clone();
    let (_, mobile) = sign_up(&app, &v.vid, json!({ "dealer": dealer["dealer_code"] })).await;
    let buyer = token_of(&user_token(&app, &v.vid, &mobile, USER_PWD).await);
    let receiver = json!({ "name": "Ann", "phone": "13800000001", "area": "Zhuhai", "address": "1 Road" });
    let o = app
        .post(
            "/api/orders",
            &json!({ "content": [{ "product_id": prod, "quantity": 1 }], "receiver": receiver }),
            Some(&buyer),
        )
        .await
        .ok_envelope(201)
        .clone();
    let order_id = o["order_id"].as_str().unwrap().to_owned();
    let prepaid = app.post(&format!("/api/orders/{order_id}/prepay/weixin"), &json!({}), Some(&buyer)).await;
    let pay_url = prepaid.ok_envelope(201)["pay_url"].as_str().unwrap().to_owned();
    app.client.post(app.url(&pay_url)).header("Origin", app.url("")).send().await.unwrap();

    let sign_in = |d: &Value| {
        let email = d["email"].as_str().unwrap().to_owned();
        let vid = v.vid.clone();
        let app = &app;
        async move {
            let form = [
                ("portal", "dealer"),
                ("corp_id", vid.as_str()),
                ("account", email.as_str()),
                ("password", DEALER_PASSWORD),
            ];
            let res = app.server_fn("portal_login", &form).await;
            assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
        }
    };
    // Another dealer sees neither the order nor any commission.
    sign_in(&other).await;
    let (_, page) = call(&app, "orders", json!({ "request": {} })).await;
    assert_eq!(page["count"], json!(0), "{page}");
    let (_, summary) = call(&app, "commission_summary", json!({})).await;
    assert_eq!(summary["pending"], json!(0), "{summary}");

    sign_in(&dealer).await;
    let (status, page) = call(&app, "orders", json!({ "request": {} })).await;
    assert_eq!((status, &page["count"]), (200, &json!(1)), "{page}");
    let (_, summary) = call(&app, "commission_summary", json!({})).await;
    assert_eq!(summary["pending"], json!(100), "{summary}");
    let html = app.page("/dealer/orders").await.text().await.unwrap();
    assert!(html.contains("orders-table"), "the orders page");
    let html = app.page(&format!("/dealer/orders/{order_id}")).await.text().await.unwrap();
    assert!(html.contains(&order_id) && !html.contains("ship-form"), "the dealer reads, the vendor ships");
    let html = app.page("/dealer/commission").await.text().await.unwrap();
    assert!(html.contains("withdraw-form") && html.contains("ledger-table"), "balances, withdraw, ledger");

    // A sub-dealer, added and removed from the portal.
    let agent =
        json!({ "name": "Sub One", "email": "sub-one@example.com", "phone": "13911112222", "password": "Sub-pass-12" });
    let (status, body) = call(&app, "agent_add", json!({ "input": agent })).await;
    assert_eq!(status, 200, "{body}");
    let (_, below) = call(&app, "agents", json!({ "request": {} })).await;
    assert_eq!(below["count"], json!(1), "{below}");
    let sub = below["list"][0]["id"].clone();
    assert_eq!(below["list"][0]["upper_dealer_code"], dealer["dealer_code"], "{below}");
    // Not another dealer's.
    let (status, _) = call(&app, "agent_remove", json!({ "id": other["id"] })).await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, _) = call(&app, "agent_remove", json!({ "id": sub })).await;
    assert_eq!(status, 200);
    let (_, below) = call(&app, "agents", json!({ "request": {} })).await;
    assert_eq!(below["count"], json!(0), "{below}");
}
