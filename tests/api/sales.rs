//! A dealer's sales ledger (issue 14): recording, reading, changing, deleting and listing
//! sales as the original console does, and who may do which.

use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, Backend, TestApp},
};

both_backends!(
    a_dealer_records_its_sales_and_the_corp_sees_them,
    sales_follow_the_dealer_tree,
    only_the_seller_or_the_corp_changes_a_sale,
    a_sale_names_a_device_with_its_seller,
    a_deleted_dealers_sales_stay,
);

fn upload(dealer: &Value) -> String {
    format!("/v2/dealer/{}/add_client_info/upload", dealer["id"])
}

fn summary(dealer: &Value) -> String {
    format!("/v2/dealer/{}/sale_summary", dealer["id"])
}

fn sale_path(id: &Value) -> String {
    format!("/v2/dealer/client_info/{id}")
}

/// A corp with its admin token, a product with one device, and a top dealer holding it.
struct Shop {
    admin: String,
    product: String,
    device: i64,
    top: Value,
    top_token: String,
}

async fn shop(app: &TestApp) -> Shop {
    let corp = app.create_corp("sales").await;
    let (admin, _) = app.login(&corp).await;
    let (product, device) = app.product_with_device(&admin).await;
    let top = app.add_dealer(&admin, None).await;
    let grant = format!("/v2/dealer/{}/grant_device?product_id={product}", top["id"]);
    app.post(&grant, &json!([{ "device_id": device }]), Some(&admin)).await.assert_ok();
    let top_token = app.dealer_token(&corp.corp_id, &top).await;
    Shop { admin, product, device, top, top_token }
}

async fn a_dealer_records_its_sales_and_the_corp_sees_them(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app).await;
    // `plugin/dealer/import-devices.vue`: one call per device sold.
    let body = json!({ "name": "Zhang San", "phone": "13900000001", "sn": "", "client_type": "common_buyer",
        "product_mod": "", "mac": "AABBCCDDEE01", "product_id": s.product, "device_id": s.device,
        "province": "11", "city": "5", "address": "Road 1", "sale_time": "2026-11-03T10:00:00.000Z" });
    let a = app.post(&upload(&s.top), &body, Some(&s.top_token)).await;
    let sale = a.assert_ok().clone();
    assert_eq!(
        (sale["dealer_id"].clone(), sale["device_id"].clone(), sale["mac"].clone()),
        (s.top["id"].clone(), json!(s.device), json!("AABBCCDDEE01"))
    );
    assert_eq!(
        (sale["name"].clone(), sale["sale_time"].clone()),
        (json!("Zhang San"), json!("2026-11-03T10:00:00.000Z"))
    );
    assert_eq!((sale["x_info"].clone(), sale["pictures"].clone()), (json!([]), json!([])));
    // A sale of something not registered, recorded by the corp for the dealer.
    let body = json!({ "name": "Li Si", "sn": "LOOSE-1", "client_type": "company" });
    let loose = app.post(&upload(&s.top), &body, Some(&s.admin)).await.assert_ok().clone();
    assert!(loose["device_id"].is_null());

    // `dealer/devices.vue`: the ledger, filtered by sale time.
    let list = json!({
        "filter": ["name", "id", "email", "phone", "client_type", "province", "city", "address", "sn", "sale_time", "product_mod", "mac", "product_id", "device_id"],
        "limit": 10, "offset": 0,
        "query": { "sale_time": { "$gte": "2026-11-01T00:00:00.000Z", "$lte": "2026-11-30T00:00:00.000Z" } }
    });
    for token in [&s.admin, &s.top_token] {
        let a = app.post(&summary(&s.top), &list, Some(token)).await;
        assert_eq!(a.assert_ok()["count"], json!(1));
        assert_eq!(a.body["list"][0]["name"], json!("Zhang San"));
    }
    let all = app.post(&summary(&s.top), &json!({}), Some(&s.admin)).await;
    assert_eq!(all.assert_ok()["count"], json!(2));
    // `add-sale.vue`: one sale by its id, a string.
    let one = json!({ "filter": ["id", "name", "country"], "limit": 1, "query": { "id": { "$in": [sale["id"].to_string()] } } });
    let a = app.post(&summary(&s.top), &one, Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["list"][0]["id"], sale["id"]);
    // `sale-details.vue`: one sale.
    let a = app.get(&sale_path(&sale["id"]), Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["client_type"], json!("common_buyer"));
    // The dealer's sales so far.
    let d = app.get(&format!("/v2/dealer/{}", s.top["id"]), Some(&s.admin)).await;
    assert_eq!(d.assert_ok()["saled_amount"], json!(2));
    // Another corp sees none of it.
    let other = app.create_corp("other").await;
    let (other_admin, _) = app.login(&other).await;
    app.post(&summary(&s.top), &json!({}), Some(&other_admin)).await.assert_error(4041030);
    app.get(&sale_path(&sale["id"]), Some(&other_admin)).await.assert_error(4041060);
}

async fn sales_follow_the_dealer_tree(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app).await;
    let corp_id = app.get("/v2/corp", Some(&s.admin)).await.assert_ok()["id"].as_str().unwrap().to_owned();
    let code = s.top["dealer_code"].as_str().unwrap().to_owned();
    let sub = app.add_dealer(&s.admin, Some(&code)).await;
    let sibling = app.add_dealer(&s.admin, None).await;
    let sub_token = app.dealer_token(&corp_id, &sub).await;
    let sibling_token = app.dealer_token(&corp_id, &sibling).await;
    let own = app.post(&upload(&sub), &json!({ "name": "Sub's customer" }), Some(&sub_token)).await.assert_ok().clone();
    app.post(&upload(&s.top), &json!({ "name": "Top's customer" }), Some(&s.top_token)).await.assert_ok();

    // The top dealer sees its own and the sub-dealer's; the sub-dealer only its own.
    let a = app.post(&summary(&s.top), &json!({}), Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["count"], json!(2));
    let a = app.post(&summary(&sub), &json!({}), Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    app.post(&summary(&s.top), &json!({}), Some(&sub_token)).await.assert_error(4041030);
    let a = app.post(&summary(&sub), &json!({}), Some(&sub_token)).await;
    assert_eq!(a.assert_ok()["list"][0]["name"], json!("Sub's customer"));
    // A sibling sees neither, and cannot record for another dealer.
    app.post(&summary(&s.top), &json!({}), Some(&sibling_token)).await.assert_error(4041030);
    app.get(&sale_path(&own["id"]), Some(&sibling_token)).await.assert_error(4041060);
    app.post(&upload(&s.top), &json!({ "name": "x" }), Some(&sibling_token)).await.assert_error(4041030);
    // A dealer does not record for the dealer below it either.
    app.post(&upload(&sub), &json!({ "name": "x" }), Some(&s.top_token)).await.assert_error(4031001);
}

async fn only_the_seller_or_the_corp_changes_a_sale(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app).await;
    let corp_id = app.get("/v2/corp", Some(&s.admin)).await.assert_ok()["id"].as_str().unwrap().to_owned();
    let code = s.top["dealer_code"].as_str().unwrap().to_owned();
    let sub = app.add_dealer(&s.admin, Some(&code)).await;
    let sub_token = app.dealer_token(&corp_id, &sub).await;
    let sale =
        app.post(&upload(&sub), &json!({ "name": "Wang", "phone": "1" }), Some(&sub_token)).await.assert_ok().clone();
    let path = sale_path(&sale["id"]);

    // `add-sale.vue` sends the dealer id from its URL as a string, and a shifted time: the one is
    // ignored, the other applied; fields left out stay.
    let edit = json!({ "address": "New Road", "name": "Wang Wu", "sale_time": "2026-10-01T08:00:00.000Z",
        "client_type": "common_buyer", "dealer_id": "999", "country": "1", "pictures": ["https://img.example.com/1.jpg"] });
    let a = app.put(&path, Some(&edit), Some(&sub_token)).await;
    let after = a.assert_ok();
    assert_eq!(
        (after["name"].clone(), after["phone"].clone(), after["dealer_id"].clone()),
        (json!("Wang Wu"), json!("1"), sub["id"].clone())
    );
    assert_eq!(
        (after["sale_time"].clone(), after["pictures"].clone()),
        (json!("2026-10-01T08:00:00.000Z"), json!(["https://img.example.com/1.jpg"]))
    );
    app.put(&path, Some(&json!({ "sale_time": "last week" })), Some(&sub_token)).await.assert_error(4001001);
    app.put(&path, Some(&json!({ "pictures": "one" })), Some(&sub_token)).await.assert_error(4001001);

    // The dealer above reads it but does not change or delete it; the corp does.
    app.put(&path, Some(&json!({ "name": "x" })), Some(&s.top_token)).await.assert_error(4041060);
    app.delete(&path, Some(&s.top_token)).await.assert_error(4041060);
    let (_, email, password) = app.add_member(&s.admin, 3, None).await;
    let developer = app.login_as(&email, &password).await;
    app.get(&path, Some(&developer)).await.assert_ok();
    app.put(&path, Some(&json!({ "name": "x" })), Some(&developer)).await.assert_error(4031001);
    app.put(&path, Some(&json!({ "name": "By the corp" })), Some(&s.admin)).await.assert_ok();
    app.delete(&path, Some(&sub_token)).await.assert_ok();
    app.get(&path, Some(&s.admin)).await.assert_error(4041060);
}

async fn a_sale_names_a_device_with_its_seller(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app).await;
    let corp_id = app.get("/v2/corp", Some(&s.admin)).await.assert_ok()["id"].as_str().unwrap().to_owned();
    let other = app.add_dealer(&s.admin, None).await;
    let other_token = app.dealer_token(&corp_id, &other).await;
    // The device sits with the top dealer: another dealer cannot sell it.
    let body = json!({ "product_id": s.product, "device_id": s.device });
    app.post(&upload(&other), &body, Some(&other_token)).await.assert_error(4001001);
    // By MAC, with the product; a device that does not exist is not found; a MAC needs its product.
    let by_mac = json!({ "product_id": s.product, "mac": "aa:bb:cc:dd:ee:01" });
    let a = app.post(&upload(&s.top), &by_mac, Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["device_id"], json!(s.device));
    let missing = json!({ "product_id": s.product, "mac": "AABBCCDDEE99" });
    app.post(&upload(&s.top), &missing, Some(&s.top_token)).await.assert_error(4041008);
    app.post(&upload(&s.top), &json!({ "mac": "AABBCCDDEE01" }), Some(&s.top_token)).await.assert_error(4001002);
}

async fn a_deleted_dealers_sales_stay(backend: Backend) {
    let app = spawn(backend).await;
    let s = shop(&app).await;
    let corp_id = app.get("/v2/corp", Some(&s.admin)).await.assert_ok()["id"].as_str().unwrap().to_owned();
    let code = s.top["dealer_code"].as_str().unwrap().to_owned();
    let sub = app.add_dealer(&s.admin, Some(&code)).await;
    let sub_token = app.dealer_token(&corp_id, &sub).await;
    let sale = app.post(&upload(&sub), &json!({ "name": "Kept" }), Some(&sub_token)).await.assert_ok().clone();
    app.delete(&format!("/v2/dealer/{}", sub["id"]), Some(&s.admin)).await.assert_ok();
    // The dealer above and the corp still see it.
    let a = app.post(&summary(&s.top), &json!({}), Some(&s.top_token)).await;
    assert_eq!(a.assert_ok()["count"], json!(1));
    let a = app.get(&sale_path(&sale["id"]), Some(&s.admin)).await;
    assert!(a.assert_ok()["dealer_id"].is_null());
    assert_eq!(a.body["name"], json!("Kept"));
}
