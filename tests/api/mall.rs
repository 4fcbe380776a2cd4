//! The mall's merchandise on `/api` (issue 17; seed 003 AC-01..07): the vendor writes it, dealers
//! and users read what is on sale, bad input changes nothing, and merchandise that orders name is
//! archived, never deleted.

use backoffice::server::{clock::now_ms, db::Sql};
use serde_json::{json, Value};

use crate::{
    helpers::{spawn, Backend, TestApp},
    operations::{platform_token, register_vendor, sign_up, token_of, user_token, vendor_token, Vendor, USER_PWD},
};

crate::both_backends!(
    the_vendor_runs_its_mall,
    bad_merchandise_is_refused_and_changes_nothing,
    who_sees_and_writes_which_merchandise,
    merchandise_that_orders_name_is_archived_not_deleted,
);

/// A purifier for rent and for sale, with every part of the document's body.
fn purifier() -> Value {
    json!({
        "type": 1, "prod_id": "ignored", "name": "智能净水机", "desc": "免安装移动水吧", "tags": "智能, 净水机, 水吧",
        "sequence": 1, "bonus": true, "price": 298_000, "orig_price": 499_900, "freight": 1_000,
        "install": true, "maintain": false, "install_cost": 5_000, "maintain_cost": 0, "billing": 3,
        "resource": { "prev_res": "https://img.example.com/p.png", "intro_res": ["https://img.example.com/1.png"],
                      "detail_res": "" },
        "notify_url": "",
        "rent": { "deposit": 50_000, "config": [
            { "name": "30天", "key": "30d", "value": 6_000 }, { "name": "90天", "key": "90d", "value": 18_000 } ] },
        "commis": { "enabled": true, "config": [21, 9, 0] },
        "specification": { "mode": 0, "filters": [
            { "order": 2, "name": "CPP复合滤芯", "timer_mode": 0, "lifetime": 4320, "worklife": 540 },
            { "order": 1, "name": "PPC复合滤芯", "timer_mode": 1, "lifetime": 4320, "worklife": 540 } ],
            "flowmeter": { "measure_mode": 0, "config": [ { "name": "常温", "key": "normal", "value": 30 } ] } }
    })
}

/// A vendor with its admin's token, and one of its users signed in: (vendor, vendor token, user token).
async fn vendor_and_user(app: &TestApp, platform: &str, name: &str) -> (Vendor, String, String) {
    let v = register_vendor(app, platform, name).await;
    let vendor = vendor_token(app, &v).await;
    let (_, mobile) = sign_up(app, &v.vid, json!({})).await;
    let user = token_of(&user_token(app, &v.vid, &mobile, USER_PWD).await);
    (v, vendor, user)
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    app.post("/api/products", body, Some(token)).await.ok_envelope(201).clone()
}

fn path(m: &Value) -> String {
    format!("/api/products/{}", m["prod_id"].as_str().expect("prod_id"))
}

async fn the_vendor_runs_its_mall(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let (v, vendor, user) = vendor_and_user(&app, &platform, "Mall").await;

    let m = create(&app, &vendor, &purifier()).await;
    let id = m["prod_id"].as_str().unwrap();
    assert_eq!(id.len(), 20, "{m}");
    assert!(id.starts_with(&v.code) && id != "ignored", "{m}");
    assert_eq!(m["state"], json!(0), "off the shelf until the vendor puts it on sale");
    assert_eq!(
        (m["price"].as_i64(), m["install_cost"].as_i64(), m["billing"].as_i64()),
        (Some(298_000), Some(5_000), Some(3))
    );
    assert_eq!(m["rent"]["config"][1], json!({ "name": "90天", "key": "90d", "value": 18_000 }));
    assert_eq!(m["commis"], json!({ "enabled": true, "config": [21, 9, 0] }));
    assert_eq!(m["tags"], json!("智能, 净水机, 水吧"));
    assert_eq!(m["vid"], json!(v.vid));
    assert!(m["create_tms"].as_str().is_some_and(|t| t.len() == 20 && t.ends_with('Z')), "{m}");
    // The specification's filters come back in their order.
    let spec = app.get(&format!("{}/prof", path(&m)), Some(&vendor)).await.ok_envelope(200).clone();
    assert_eq!(spec["filters"][0]["name"], json!("PPC复合滤芯"));
    assert_eq!(spec["filters"][1]["order"], json!(2));
    assert_eq!(spec["flowmeter"]["config"][0]["key"], json!("normal"));
    // A second merchandise takes the next serial.
    let second = create(&app, &vendor, &json!({ "name": "滤芯套装", "price": 19_900 })).await;
    assert!(second["prod_id"].as_str().unwrap() > id);
    assert_eq!((second["billing"].as_i64(), second["type"].as_i64()), (Some(1), Some(1)));

    // Users see only what is on sale.
    let a = app.get("/api/products", Some(&user)).await;
    assert_eq!((a.body["total"].as_i64(), a.ok_envelope(200)["products"].as_array().map(Vec::len)), (Some(0), Some(0)));
    app.get(&path(&m), Some(&user)).await.assert_failure(4041071);
    let on_sale = app.put(&path(&m), Some(&json!({ "state": 1, "price": 288_000 })), Some(&vendor)).await;
    assert_eq!(on_sale.ok_envelope(201)["price"], json!(288_000));
    let listed = app.get("/api/products", Some(&user)).await;
    assert_eq!(listed.body["total"], json!(1));
    let row = &listed.ok_envelope(200)["products"][0];
    assert_eq!((row["prod_id"].as_str(), row["price"].as_i64()), (Some(id), Some(288_000)));
    assert_eq!(row["rent"]["deposit"], json!(50_000));
    app.get(&format!("{}/prof", path(&m)), Some(&user)).await.ok_envelope(200);
    // The vendor lists everything, filters and sorts.
    let all = app.get("/api/products?sort=sequence&order=desc", Some(&vendor)).await;
    assert_eq!(all.body["total"], json!(2));
    assert_eq!(all.ok_envelope(200)["products"][0]["prod_id"], m["prod_id"]);
    let off = app.get("/api/products?state=0", Some(&vendor)).await;
    assert_eq!(off.ok_envelope(200)["products"][0]["prod_id"], second["prod_id"]);
    app.get("/api/products?colour=red", Some(&vendor)).await.assert_failure(4001001);

    // AC-06 replaces the specification; the rest stays.
    let spec = json!({ "mode": 1, "filters": [
        { "order": 1, "name": "RO反渗透滤芯", "timer_mode": 2, "lifetime": 17280, "worklife": 2160 } ] });
    let changed = app.put(&format!("{}/prof", path(&m)), Some(&spec), Some(&vendor)).await;
    assert_eq!(changed.ok_envelope(201)["specification"]["filters"].as_array().map(Vec::len), Some(1));
    let read = app.get(&format!("{}/prof", path(&m)), Some(&vendor)).await.ok_envelope(200).clone();
    assert_eq!((read["mode"].as_i64(), read["filters"][0]["timer_mode"].as_i64()), (Some(1), Some(2)));
    assert_eq!(app.get(&path(&m), Some(&vendor)).await.ok_envelope(200)["price"], json!(288_000));

    // Deleting what no order names: 204, then gone.
    let gone = app.delete(&path(&second), Some(&vendor)).await;
    assert_eq!((gone.status.as_u16(), gone.body.clone()), (204, Value::Null));
    app.get(&path(&second), Some(&vendor)).await.assert_failure(4041071);
    // Every change is in the vendor's audit log.
    let log = app.post("/v2/corp/audit_log", &json!({ "limit": 50 }), Some(&vendor)).await;
    let actions: Vec<&str> = log.assert_ok()["list"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("merchandise."))
        .collect();
    for wanted in ["merchandise.create", "merchandise.edit", "merchandise.specification", "merchandise.delete"] {
        assert!(actions.contains(&wanted), "{wanted} not in {actions:?}");
    }
}

async fn bad_merchandise_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let (_, vendor, _) = vendor_and_user(&app, &platform, "Strict").await;
    let with = |patch: Value| {
        let mut body = purifier();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    // Missing or malformed fields: 422 naming the field, nothing made.
    let mut nameless = purifier();
    nameless.as_object_mut().unwrap().remove("name");
    app.post("/api/products", &nameless, Some(&vendor)).await.assert_failure(4221002);
    for (patch, field) in [
        (json!({ "price": -1 }), "price"),
        (json!({ "freight": 10_000_000_001i64 }), "freight"),
        (json!({ "state": 5 }), "state"),
        (json!({ "type": 3 }), "type"),
        (json!({ "billing": 16 }), "billing"),
        (json!({ "commis": { "enabled": true, "config": [60, 50] } }), "commis.config"),
        (json!({ "commis": { "enabled": true, "config": [10, 5, 5, 1] } }), "commis.config"),
        (
            json!({ "rent": { "deposit": 0, "config": [{ "name": "a", "key": "30d", "value": 1 },
                                                     { "name": "b", "key": "30d", "value": 2 }] } }),
            "rent.config",
        ),
        (json!({ "state": 1, "billing": 2, "rent": { "deposit": 100, "config": [] } }), "rent.config"),
        (
            json!({ "specification": { "filters": [{ "order": 1, "name": "a" }, { "order": 1, "name": "b" }] } }),
            "specification.filters.order",
        ),
        (
            json!({ "specification": { "filters": [{ "order": 1, "name": "a", "timer_mode": 3 }] } }),
            "specification.filters.timer_mode",
        ),
    ] {
        let a = app.post("/api/products", &with(patch.clone()), Some(&vendor)).await;
        a.assert_failure(4221001);
        let msg = a.body["message"].as_str().unwrap();
        assert!(msg.starts_with(field), "{patch}: {msg}");
    }
    let listed = app.get("/api/products", Some(&vendor)).await;
    assert_eq!(listed.body["total"], json!(0), "a refused create made nothing");
    // A body that is not JSON is 400; a string where a number belongs is refused too.
    let raw = app.client.post(app.url("/api/products")).header("Access-Token", &vendor);
    app.send(raw.header("Content-Type", "application/json").body("{nope")).await.assert_failure(4001001);
    let a = app.post("/api/products", &with(json!({ "price": "free" })), Some(&vendor)).await;
    assert!(a.status.as_u16() == 400 || a.status.as_u16() == 422, "{:?}", a.body);

    // A refused edit leaves every field as it was.
    let m = create(&app, &vendor, &purifier()).await;
    let bad = json!({ "price": 1, "name": "   " });
    app.put(&path(&m), Some(&bad), Some(&vendor)).await.assert_failure(4221002);
    let bad = json!({ "price": 1, "specification": { "filters": [{ "order": 17, "name": "x" }] } });
    app.put(&path(&m), Some(&bad), Some(&vendor)).await.assert_failure(4221001);
    app.put(&format!("{}/prof", path(&m)), Some(&json!({ "flowmeter": { "measure_mode": 9 } })), Some(&vendor))
        .await
        .assert_failure(4221001);
    let now = app.get(&path(&m), Some(&vendor)).await.ok_envelope(200).clone();
    assert_eq!(now, m, "nothing changed");
    app.get("/api/products/NOPE0000000000000001", Some(&vendor)).await.assert_failure(4041071);
}

async fn who_sees_and_writes_which_merchandise(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let (a, a_vendor, a_user) = vendor_and_user(&app, &platform, "Alpha").await;
    let (b, b_vendor, b_user) = vendor_and_user(&app, &platform, "Beta").await;
    let m = create(&app, &a_vendor, &json!({ "name": "Alpha purifier", "price": 100, "state": 1 })).await;
    let hidden = create(&app, &a_vendor, &json!({ "name": "Alpha draft", "price": 100 })).await;
    create(&app, &b_vendor, &json!({ "name": "Beta purifier", "price": 100, "state": 1 })).await;

    // Another vendor, its members and its users: as if it did not exist.
    app.get(&path(&m), Some(&b_vendor)).await.assert_failure(4041071);
    app.put(&path(&m), Some(&json!({ "price": 1 })), Some(&b_vendor)).await.assert_failure(4041071);
    app.delete(&path(&m), Some(&b_vendor)).await.assert_failure(4041071);
    app.put(&format!("{}/prof", path(&m)), Some(&json!({})), Some(&b_vendor)).await.assert_failure(4041071);
    app.get(&path(&m), Some(&b_user)).await.assert_failure(4041071);
    let b_list = app.get("/api/products", Some(&b_user)).await;
    assert_eq!(b_list.ok_envelope(200)["products"][0]["name"], json!("Beta purifier"));
    assert_eq!(b_list.body["total"], json!(1));
    // A user never writes.
    app.post("/api/products", &json!({ "name": "x", "price": 1 }), Some(&a_user)).await.assert_failure(4031001);
    app.put(&path(&m), Some(&json!({ "price": 1 })), Some(&a_user)).await.assert_failure(4031001);
    app.delete(&path(&m), Some(&a_user)).await.assert_failure(4031001);

    // A member whose role views the mall reads everything, writes nothing; one without, nothing.
    let viewer_role = app.add_role(&a_vendor, "mall viewer", &[1701]).await;
    let (_, email, password) = app.add_member(&a_vendor, 99, Some(viewer_role)).await;
    let viewer = app.login_as(&email, &password).await;
    assert_eq!(app.get("/api/products", Some(&viewer)).await.body["total"], json!(2));
    app.post("/api/products", &json!({ "name": "x", "price": 1 }), Some(&viewer)).await.assert_failure(4031001);
    app.put(&path(&m), Some(&json!({ "price": 1 })), Some(&viewer)).await.assert_failure(4031001);
    app.delete(&path(&hidden), Some(&viewer)).await.assert_failure(4031001);
    let devices_role = app.add_role(&a_vendor, "devices only", &[1501]).await;
    let (_, email, password) = app.add_member(&a_vendor, 99, Some(devices_role)).await;
    let outsider = app.login_as(&email, &password).await;
    app.get("/api/products", Some(&outsider)).await.assert_failure(4031001);
    app.get(&path(&m), Some(&outsider)).await.assert_failure(4031001);
    // A member whose role manages the mall writes.
    let manager_role = app.add_role(&a_vendor, "mall manager", &[1701, 1702]).await;
    let (_, email, password) = app.add_member(&a_vendor, 99, Some(manager_role)).await;
    let manager = app.login_as(&email, &password).await;
    app.put(&path(&m), Some(&json!({ "price": 150 })), Some(&manager)).await.ok_envelope(201);

    // A dealer of the vendor reads what is on sale; writes nothing. A key account: nothing.
    let dealer = app.add_dealer(&a_vendor, None).await;
    let dealer = app.dealer_token(&a.vid, &dealer).await;
    let seen = app.get("/api/products", Some(&dealer)).await;
    assert_eq!(seen.body["total"], json!(1));
    app.get(&path(&hidden), Some(&dealer)).await.assert_failure(4041071);
    app.post("/api/products", &json!({ "name": "x", "price": 1 }), Some(&dealer)).await.assert_failure(4031001);
    let buyer = app.add_heavy_buyer(&a_vendor).await;
    let buyer = app.heavy_buyer_token(&a.vid, &buyer).await;
    app.get("/api/products", Some(&buyer)).await.assert_failure(4031001);

    // The platform sees every vendor's, but does not run a vendor's mall.
    assert_eq!(app.get("/api/products", Some(&platform)).await.body["total"], json!(3));
    app.get(&path(&hidden), Some(&platform)).await.ok_envelope(200);
    app.post("/api/products", &json!({ "name": "x", "price": 1 }), Some(&platform)).await.assert_failure(4031001);
    app.get("/api/products", None).await.assert_failure(4011002);

    // A vendor whose mall is switched off (AX-08): its side is closed to members and users alike.
    app.put(&format!("/api/vendors/{}/cfg", b.vid), Some(&json!({ "mall": false })), Some(&platform))
        .await
        .ok_envelope(201);
    app.get("/api/products", Some(&b_user)).await.assert_failure(4031042);
    app.post("/api/products", &json!({ "name": "x", "price": 1 }), Some(&b_vendor)).await.assert_failure(4031042);
}

async fn merchandise_that_orders_name_is_archived_not_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let (v, vendor, user) = vendor_and_user(&app, &platform, "Kept").await;
    let m = create(&app, &vendor, &json!({ "name": "Sold purifier", "price": 100, "state": 1 })).await;
    let prod_id = m["prod_id"].as_str().unwrap().to_owned();
    // An order names it (written as the order service writes one).
    let (user_id,): (i64,) = app
        .ctx
        .db
        .fetch_one(&Sql::new("SELECT MIN(id) FROM end_users WHERE corp_id = $1").bind(v.vid.clone()))
        .await
        .unwrap();
    let order_id = format!("20261206{}000000000001", v.code);
    let now = now_ms();
    app.ctx
        .db
        .execute(
            &Sql::new(
                "INSERT INTO orders (order_id, corp_id, user_id, uid, state, goods, freight, install_fee, deposit, rent, \
                 total, create_time, update_time) VALUES ($1, $2, $3, 'u', 0, 100, 0, 0, 0, 0, 100, $4, $4)",
            )
            .bind(order_id.clone())
            .bind(v.vid.clone())
            .bind(user_id)
            .bind(now),
        )
        .await
        .unwrap();
    app.ctx
        .db
        .execute(
            &Sql::new(
                "INSERT INTO order_lines (order_id, line, prod_id, name, quantity, price, freight, install_cost, \
                 deposit, billing) VALUES ($1, 1, $2, 'Sold purifier', 1, 100, 0, 0, 0, 1)",
            )
            .bind(order_id)
            .bind(prod_id.clone()),
        )
        .await
        .unwrap();

    let refused = app.delete(&path(&m), Some(&vendor)).await;
    refused.assert_failure(4221203);
    assert!(refused.body["message"].as_str().unwrap().contains("archive"), "{:?}", refused.body);
    app.get(&path(&m), Some(&vendor)).await.ok_envelope(200);
    // Archived: kept for the vendor, no longer sold.
    let archived = app.put(&path(&m), Some(&json!({ "state": 2 })), Some(&vendor)).await;
    assert_eq!(archived.ok_envelope(201)["state"], json!(2));
    assert_eq!(app.get("/api/products", Some(&user)).await.body["total"], json!(0));
    assert_eq!(app.get("/api/products?state=2", Some(&vendor)).await.body["total"], json!(1));
}
