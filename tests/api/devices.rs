//! Devices (CONTRACT "Beyond the documents", "Who sees what", "Lists", "Deletes never lose data
//! silently"): adding one or a batch, the MAC rules, the quota and `device_total`, reading,
//! editing and deleting, the list language, granting to and taking back from dealers and heavy
//! buyers, the dealer's and the heavy buyer's own lists, and who may do what.

use backoffice::server::db::Sql;
use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, Backend, TestApp},
};

both_backends!(
    a_device_is_added_with_every_field,
    macs_are_validated_and_unique_per_product,
    a_device_is_read_changed_and_deleted,
    an_activated_device_cannot_be_deleted,
    devices_are_found_only_in_their_product_and_corp,
    a_batch_adds_new_devices_and_skips_known_ones,
    one_bad_entry_refuses_the_whole_batch,
    a_batch_takes_at_most_2000_entries,
    the_quota_limits_adds_and_batches,
    device_total_follows_every_change,
    the_device_list_takes_the_query_language,
    nullable_fields_are_queried_with_null,
    granting_to_a_dealer_sets_its_chain,
    granting_to_a_heavy_buyer_puts_devices_at_its_root,
    grants_are_all_or_nothing,
    a_device_of_another_heavy_buyer_is_refused,
    grants_check_the_grantee,
    taking_devices_back_from_a_dealer,
    taking_devices_back_from_a_heavy_buyer,
    device_permissions_follow_roles,
    a_refused_add_adds_nothing,
    dealer_and_heavy_buyer_tokens_cannot_use_corp_device_endpoints,
    a_dealer_lists_its_own_and_lower_devices_only,
    a_heavy_buyer_lists_only_its_devices,
    deleting_a_dealer_moves_its_devices_up,
    deleting_a_heavy_buyer_releases_its_devices,
    kept_counts_follow_every_change,
);

const DEVICE_FIELDS: [&str; 28] = [
    "id",
    "mac",
    "name",
    "is_active",
    "active_date",
    "is_online",
    "last_login",
    "last_login_ip",
    "mcu_mod",
    "mcu_version",
    "firmware_mod",
    "firmware_version",
    "product_id",
    "region_id",
    "sn",
    "domain",
    "create_time",
    "creator_id",
    "creator_type",
    "tags",
    "dealer_scope",
    "heavy_buyer",
    "dealer_id",
    "organization_id",
    // Where it is installed (the original console's device form, issue 14).
    "country",
    "province",
    "city",
    "address",
];

/// 2024-01-01T00:00:00.000Z in milliseconds.
const JAN_1_2024: i64 = 1_704_067_200_000;
const DAY: i64 = 86_400_000;

fn add_path(product: &str) -> String {
    format!("/v2/product/{product}/device")
}

fn batch_path(product: &str) -> String {
    format!("/v2/product/{product}/device_batch")
}

fn device_path(product: &str, id: i64) -> String {
    format!("/v2/product/{product}/device/{id}")
}

fn list_path(product: &str) -> String {
    format!("/v2/product/{product}/devices")
}

fn dealer_list_path(product: &str) -> String {
    format!("/v2/dealer/product/{product}/devices")
}

fn buyer_list_path(product: &str) -> String {
    format!("/v2/heavy_buyer/product/{product}/devices")
}

fn grant_dealer_path(dealer_id: i64, product: &str) -> String {
    format!("/v2/dealer/{dealer_id}/grant_device?product_id={product}")
}

fn revoke_dealer_path(dealer_id: i64, product: &str) -> String {
    format!("/v2/dealer/{dealer_id}/revoke_device?product_id={product}")
}

fn grant_buyer_path(buyer_id: i64, product: &str) -> String {
    format!("/v2/heavy_buyer/{buyer_id}/grant_device?product_id={product}")
}

fn revoke_buyer_path(buyer_id: i64, product: &str) -> String {
    format!("/v2/heavy_buyer/{buyer_id}/revoke_device?product_id={product}")
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

fn code_of(dealer: &Value) -> String {
    dealer["dealer_code"].as_str().expect("dealer_code").to_owned()
}

/// The ids of a `{count, list}` answer, in the answer's order.
fn ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().expect("list").iter().map(|d| d["id"].as_i64().expect("id")).collect()
}

/// The MACs of a `{"devices": [{id, mac}]}` answer, sorted.
fn macs(body: &Value) -> Vec<String> {
    let mut macs: Vec<String> = body["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| {
            assert!(d["id"].is_i64(), "an id: {d}");
            d["mac"].as_str().expect("mac").to_owned()
        })
        .collect();
    macs.sort();
    macs
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

/// A grant or take-back body naming devices by id.
fn by_id(devices: &[i64]) -> Value {
    Value::Array(devices.iter().map(|id| json!({ "device_id": id })).collect())
}

#[track_caller]
fn assert_all_fields(device: &Value) {
    let fields = device.as_object().expect("an object");
    for key in DEVICE_FIELDS {
        assert!(fields.contains_key(key), "{key} missing: {device}");
    }
    assert_eq!(fields.len(), DEVICE_FIELDS.len(), "only the documented fields: {device}");
}

/// Creates a product over `POST /v2/product`; answers its id.
async fn add_product(app: &TestApp, token: &str) -> String {
    let a = app.post("/v2/product", &json!({ "name": "Lamp", "link_type": 1 }), Some(token)).await;
    a.assert_ok()["id"].as_str().expect("product id").to_owned()
}

/// Adds a device with `body` over the API; asserts 200 and answers the device.
async fn add_device_with(app: &TestApp, token: &str, product: &str, body: Value) -> Value {
    let a = app.post(&add_path(product), &body, Some(token)).await;
    a.assert_ok().clone()
}

/// Adds a device with just a MAC; asserts 200 and answers the device.
async fn add_device(app: &TestApp, token: &str, product: &str, mac: &str) -> Value {
    add_device_with(app, token, product, json!({ "mac": mac })).await
}

async fn get_device(app: &TestApp, token: &str, product: &str, id: i64) -> Value {
    let a = app.get(&device_path(product, id), Some(token)).await;
    a.assert_ok().clone()
}

/// `[dealer_id, dealer_scope, heavy_buyer, organization_id]` of a device, as the corp reads it.
async fn assignment(app: &TestApp, token: &str, product: &str, id: i64) -> Value {
    let d = get_device(app, token, product, id).await;
    json!([d["dealer_id"], d["dealer_scope"], d["heavy_buyer"], d["organization_id"]])
}

/// A list call that must succeed; answers the `{count, list}` body.
async fn list(app: &TestApp, path: &str, body: Value, token: &str) -> Value {
    let a = app.post(path, &body, Some(token)).await;
    let page = a.assert_ok().clone();
    assert!(page["count"].is_i64() && page["list"].is_array(), "{{count, list}}: {page}");
    page
}

async fn grant_to_dealer(app: &TestApp, token: &str, dealer: &Value, product: &str, devices: &[i64]) {
    let a = app.post(&grant_dealer_path(id_of(dealer), product), &by_id(devices), Some(token)).await;
    assert_eq!(a.assert_ok()["devices"].as_array().expect("devices").len(), devices.len(), "{:?}", a.body);
}

async fn grant_to_buyer(app: &TestApp, token: &str, buyer: &Value, product: &str, devices: &[i64]) {
    let a = app.post(&grant_buyer_path(id_of(buyer), product), &by_id(devices), Some(token)).await;
    assert_eq!(a.assert_ok()["devices"].as_array().expect("devices").len(), devices.len(), "{:?}", a.body);
}

/// How many devices the product has, straight from the database.
async fn count_devices(app: &TestApp, product: &str) -> i64 {
    let sql = Sql::new("SELECT COUNT(*) FROM devices WHERE product_id = $1").bind(product.to_owned());
    let (n,): (i64,) = app.ctx.db.fetch_one(&sql).await.expect("count");
    n
}

/// `device_total` as `GET /v2/corp` answers it.
async fn device_total(app: &TestApp, token: &str) -> i64 {
    let a = app.get("/v2/corp", Some(token)).await;
    a.assert_ok()["device_total"].as_i64().expect("device_total")
}

async fn set_device_limit(app: &TestApp, corp_id: &str, limit: i64) {
    let sql = Sql::new("UPDATE corps SET device_limit = $1 WHERE id = $2").bind(limit).bind(corp_id.to_owned());
    app.ctx.db.execute(&sql).await.expect("limit set");
}

/// Sets what a device reports about itself (`is_active`, `is_online`), which no API call changes.
async fn set_flag(app: &TestApp, column: &'static str, id: i64, value: bool) {
    let sql = match column {
        "is_active" => "UPDATE devices SET is_active = $1 WHERE id = $2",
        "is_online" => "UPDATE devices SET is_online = $1 WHERE id = $2",
        _ => panic!("unknown column {column}"),
    };
    app.ctx.db.execute(&Sql::new(sql).bind(value).bind(id)).await.expect("device updated");
}

async fn set_create_time(app: &TestApp, id: i64, ms: i64) {
    let sql = Sql::new("UPDATE devices SET create_time = $1 WHERE id = $2").bind(ms).bind(id);
    app.ctx.db.execute(&sql).await.expect("device updated");
}

async fn a_device_is_added_with_every_field(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;

    let body = json!({ "mac": "aa:bb:cc:dd:ee:0f", "name": "Hall lamp", "sn": "SN-001", "domain": "eu", "tags": ["red", "hall"] });
    let a = app.post(&add_path(&product), &body, Some(&admin)).await;
    let device = a.assert_ok().clone();
    assert_all_fields(&device);
    let id = id_of(&device);
    assert!(id > 0 && id <= i64::from(i32::MAX), "a 32-bit positive id: {device}");
    assert_eq!(device["mac"], json!("AABBCCDDEE0F"), "separators dropped, upper case");
    assert_eq!(device["name"], json!("Hall lamp"));
    assert_eq!(device["sn"], json!("SN-001"));
    assert_eq!(device["domain"], json!("eu"));
    assert_eq!(device["tags"], json!(["red", "hall"]));
    assert_eq!(device["product_id"], json!(product));
    assert_eq!(device["is_active"], json!(false));
    assert_eq!(device["is_online"], json!(false));
    assert_eq!(device["creator_id"], json!(corp.member_id));
    assert_eq!(device["creator_type"], json!(1));
    for key in ["dealer_scope", "heavy_buyer", "dealer_id", "organization_id", "active_date", "last_login"] {
        assert!(device[key].is_null(), "{key} is null: {device}");
    }
    let created = device["create_time"].as_str().expect("create_time");
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");

    // What was answered is what is stored.
    assert_eq!(get_device(&app, &admin, &product, id).await, device);

    // Dashes are dropped too; a bare MAC gets empty defaults.
    let a = app.post(&add_path(&product), &json!({ "mac": "01-23-45-67-89-ab" }), Some(&admin)).await;
    let bare = a.assert_ok();
    assert_all_fields(bare);
    assert_eq!(bare["mac"], json!("0123456789AB"));
    assert_eq!(
        (bare["name"].clone(), bare["sn"].clone(), bare["domain"].clone(), bare["tags"].clone()),
        (json!(""), json!(""), json!(""), json!([]))
    );
    assert_eq!(count_devices(&app, &product).await, 2);

    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE10" }), None).await.assert_error(4031002);
    assert_eq!(count_devices(&app, &product).await, 2);
}

async fn macs_are_validated_and_unique_per_product(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let path = add_path(&product);

    for bad in ["AABBCCDDEEF", "AABBCCDDEEFF0", "GGBBCCDDEEFF", "AABB CCDDEEFF", "AA:BB:CC:DD:EE", "AA.BB.CC.DD.EE.FF"]
    {
        let a = app.post(&path, &json!({ "mac": bad }), Some(&admin)).await;
        a.assert_error(4001001);
        assert!(a.body["error"]["msg"].as_str().unwrap().contains("mac"), "{bad}: {:?}", a.body);
    }
    app.post(&path, &json!({ "mac": "" }), Some(&admin)).await.assert_error(4001002);
    app.post(&path, &json!({ "name": "no mac" }), Some(&admin)).await.assert_error(4001002);
    app.post(&path, &json!({ "mac": 123_456 }), Some(&admin)).await.assert_error(4001001);

    // The other fields are checked too.
    let too_many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    let refused = [
        json!({ "mac": "AABBCCDDEE01", "name": "x".repeat(65) }),
        json!({ "mac": "AABBCCDDEE01", "tags": ["a,b"] }),
        json!({ "mac": "AABBCCDDEE01", "tags": too_many }),
        json!({ "mac": "AABBCCDDEE01", "tags": "red" }),
    ];
    for body in refused {
        app.post(&path, &body, Some(&admin)).await.assert_error(4001001);
    }
    assert_eq!(count_devices(&app, &product).await, 0, "nothing was added");

    let device = add_device(&app, &admin, &product, "a1b2c3d4e5f6").await;
    assert_eq!(device["mac"], json!("A1B2C3D4E5F6"));
    // The same MAC, however it is spelled, is taken in this product.
    for same in ["A1B2C3D4E5F6", "a1:b2:c3:d4:e5:f6", "A1-B2-C3-D4-E5-F6"] {
        let a = app.post(&path, &json!({ "mac": same }), Some(&admin)).await;
        a.assert_error(4001021);
    }
    assert_eq!(count_devices(&app, &product).await, 1);

    // Another product may have it.
    let second = add_product(&app, &admin).await;
    let there = add_device(&app, &admin, &second, "A1B2C3D4E5F6").await;
    assert_eq!(there["product_id"], json!(second));
    assert_ne!(id_of(&there), id_of(&device));
    assert_eq!(count_devices(&app, &product).await, 1);
    assert_eq!(count_devices(&app, &second).await, 1);
}

async fn a_device_is_read_changed_and_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let body = json!({ "mac": "AABBCCDDEE01", "name": "Lamp", "sn": "SN1", "domain": "cn", "tags": ["a"] });
    let device = add_device_with(&app, &admin, &product, body).await;
    let id = id_of(&device);
    let path = device_path(&product, id);

    // Only the fields given change.
    let a = app.put(&path, Some(&json!({ "name": "Desk lamp" })), Some(&admin)).await;
    let changed = a.assert_ok().clone();
    assert_all_fields(&changed);
    assert_eq!(changed["name"], json!("Desk lamp"));
    for key in ["id", "mac", "sn", "domain", "tags", "create_time", "product_id", "creator_id"] {
        assert_eq!(changed[key], device[key], "{key} unchanged");
    }
    let a = app.put(&path, Some(&json!({ "sn": "SN2", "domain": "eu", "tags": ["b", "c"] })), Some(&admin)).await;
    let changed = a.assert_ok().clone();
    assert_eq!(changed["name"], json!("Desk lamp"));
    assert_eq!(changed["sn"], json!("SN2"));
    assert_eq!(changed["domain"], json!("eu"));
    assert_eq!(changed["tags"], json!(["b", "c"]));
    assert_eq!(get_device(&app, &admin, &product, id).await, changed);

    // Refused edits change nothing.
    app.put(&path, Some(&json!({ "name": "x".repeat(65) })), Some(&admin)).await.assert_error(4001001);
    app.put(&path, Some(&json!({ "tags": ["a,b"] })), Some(&admin)).await.assert_error(4001001);
    app.put(&path, Some(&json!({ "sn": 5 })), Some(&admin)).await.assert_error(4001001);
    assert_eq!(get_device(&app, &admin, &product, id).await, changed);

    app.delete(&path, Some(&admin)).await.assert_empty();
    app.get(&path, Some(&admin)).await.assert_error(4041008);
    app.put(&path, Some(&json!({ "name": "Gone" })), Some(&admin)).await.assert_error(4041008);
    app.delete(&path, Some(&admin)).await.assert_error(4041008);
    assert_eq!(count_devices(&app, &product).await, 0);

    // Its MAC is free again.
    let again = add_device(&app, &admin, &product, "AABBCCDDEE01").await;
    assert_ne!(id_of(&again), id);
}

async fn an_activated_device_cannot_be_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let id = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let spare = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    set_flag(&app, "is_active", id, true).await;

    app.delete(&device_path(&product, id), Some(&admin)).await.assert_error(4001022);
    let device = get_device(&app, &admin, &product, id).await;
    assert_eq!(device["is_active"], json!(true));
    assert_eq!(device_total(&app, &admin).await, 2);

    // A device that is not activated goes.
    app.delete(&device_path(&product, spare), Some(&admin)).await.assert_empty();
    assert_eq!(count_devices(&app, &product).await, 1);
    assert_eq!(device_total(&app, &admin).await, 1);
}

async fn devices_are_found_only_in_their_product_and_corp(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let product = add_product(&app, &admin).await;
    let second = add_product(&app, &admin).await;
    let device = add_device(&app, &admin, &product, "AABBCCDDEE01").await;
    let id = id_of(&device);

    // Through another product of the same corp, or by an unknown id: no such device.
    let wrong = device_path(&second, id);
    app.get(&wrong, Some(&admin)).await.assert_error(4041008);
    app.put(&wrong, Some(&json!({ "name": "Moved" })), Some(&admin)).await.assert_error(4041008);
    app.delete(&wrong, Some(&admin)).await.assert_error(4041008);
    app.get(&device_path(&product, 999_999), Some(&admin)).await.assert_error(4041008);
    app.get(&format!("/v2/product/{product}/device/abc"), Some(&admin)).await.assert_error(4001001);
    let a = list(&app, &list_path(&second), json!({}), &admin).await;
    assert_eq!(a["count"], json!(0));

    // Another corp finds neither the product nor the device.
    let path = device_path(&product, id);
    app.get(&path, Some(&other_admin)).await.assert_error(4041005);
    app.put(&path, Some(&json!({ "name": "Stolen" })), Some(&other_admin)).await.assert_error(4041005);
    app.delete(&path, Some(&other_admin)).await.assert_error(4041005);
    app.post(&list_path(&product), &json!({}), Some(&other_admin)).await.assert_error(4041005);
    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE02" }), Some(&other_admin)).await.assert_error(4041005);
    app.post(&batch_path(&product), &json!(["AABBCCDDEE03"]), Some(&other_admin)).await.assert_error(4041005);
    let unknown = "0".repeat(32);
    app.post(&add_path(&unknown), &json!({ "mac": "AABBCCDDEE04" }), Some(&admin)).await.assert_error(4041005);
    app.post(&list_path(&unknown), &json!({}), Some(&admin)).await.assert_error(4041005);

    // Their own product may hold the same MAC; ours is untouched.
    let theirs = add_product(&app, &other_admin).await;
    add_device(&app, &other_admin, &theirs, "AABBCCDDEE01").await;
    assert_eq!(get_device(&app, &admin, &product, id).await, device);
    assert_eq!(count_devices(&app, &product).await, 1);
    let a = list(&app, &list_path(&product), json!({}), &admin).await;
    assert_eq!(ids(&a), vec![id]);
}

async fn a_batch_adds_new_devices_and_skips_known_ones(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let existing = add_device(&app, &admin, &product, "AABBCCDDEE01").await;

    let body = json!([
        "aa:bb:cc:dd:ee:02",
        { "mac": "AABBCCDDEE03", "name": "Porch", "sn": "SN3", "tags": ["outdoor"] },
        "AA-BB-CC-DD-EE-01",
        "AABBCCDDEE02",
        { "mac": "aabbccddee04" },
    ]);
    let a = app.post(&batch_path(&product), &body, Some(&admin)).await;
    let answer = a.assert_ok().clone();
    assert_eq!(answer.as_object().unwrap().len(), 1, "only devices: {answer}");
    assert_eq!(macs(&answer), vec!["AABBCCDDEE02", "AABBCCDDEE03", "AABBCCDDEE04"], "only the new ones");
    assert_eq!(count_devices(&app, &product).await, 4);

    // Each answered device is real, under its id.
    for entry in answer["devices"].as_array().unwrap() {
        let device = get_device(&app, &admin, &product, id_of(entry)).await;
        assert_eq!(device["mac"], entry["mac"]);
        assert_eq!(device["creator_id"], json!(corp.member_id));
    }
    // An object entry keeps its other fields.
    let porch = list(&app, &list_path(&product), json!({ "query": { "mac": "AABBCCDDEE03" } }), &admin).await;
    assert_eq!(porch["count"], json!(1));
    assert_eq!(porch["list"][0]["name"], json!("Porch"));
    assert_eq!(porch["list"][0]["sn"], json!("SN3"));
    assert_eq!(porch["list"][0]["tags"], json!(["outdoor"]));
    // The device that was already there is untouched.
    assert_eq!(get_device(&app, &admin, &product, id_of(&existing)).await, existing);

    // The same batch again adds nothing.
    let a = app.post(&batch_path(&product), &body, Some(&admin)).await;
    assert_eq!(a.assert_ok(), &json!({ "devices": [] }));
    assert_eq!(count_devices(&app, &product).await, 4);
    assert_eq!(device_total(&app, &admin).await, 4);
}

async fn one_bad_entry_refuses_the_whole_batch(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    add_device(&app, &admin, &product, "AABBCCDDEE01").await;
    let path = batch_path(&product);

    let a = app
        .post(
            &path,
            &json!(["AABBCCDDEE10", "AABBCCDDEE11", { "mac": "AABBCCDDEE12" }, "not-a-mac", "AABBCCDDEE13"]),
            Some(&admin),
        )
        .await;
    a.assert_error(4001001);
    let msg = a.body["error"]["msg"].as_str().unwrap();
    assert!(msg.starts_with("[3].mac"), "names the entry: {msg}");

    let a = app.post(&path, &json!(["AABBCCDDEE10", { "mac": "AABBCCDDEE11", "tags": ["a,b"] }]), Some(&admin)).await;
    a.assert_error(4001001);
    let msg = a.body["error"]["msg"].as_str().unwrap();
    assert!(msg.starts_with("[1].tags"), "names the entry: {msg}");

    let a = app
        .post(&path, &json!(["AABBCCDDEE10", { "mac": "AABBCCDDEE11", "name": "x".repeat(65) }]), Some(&admin))
        .await;
    a.assert_error(4001001);
    let msg = a.body["error"]["msg"].as_str().unwrap();
    assert!(msg.starts_with("[1].name"), "names the entry: {msg}");

    // Entries that are neither a MAC nor a device object.
    app.post(&path, &json!(["AABBCCDDEE10", { "name": "no mac" }]), Some(&admin)).await.assert_error(4001001);
    app.post(&path, &json!(["AABBCCDDEE10", 42]), Some(&admin)).await.assert_error(4001001);
    app.post(&path, &json!({ "mac": "AABBCCDDEE10" }), Some(&admin)).await.assert_error(4001001);

    // Nothing of any refused batch was added.
    assert_eq!(count_devices(&app, &product).await, 1);
    assert_eq!(device_total(&app, &admin).await, 1);
    let a = list(&app, &list_path(&product), json!({}), &admin).await;
    assert_eq!(a["count"], json!(1));
}

async fn a_batch_takes_at_most_2000_entries(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;

    let too_many: Vec<String> = (1..=2001).map(|i| format!("{i:012X}")).collect();
    app.post(&batch_path(&product), &json!(too_many), Some(&admin)).await.assert_error(4001001);
    assert_eq!(count_devices(&app, &product).await, 0);

    let full: Vec<String> = too_many[..2000].to_vec();
    let a = app.post(&batch_path(&product), &json!(full), Some(&admin)).await;
    assert_eq!(a.assert_ok()["devices"].as_array().unwrap().len(), 2000);
    assert_eq!(count_devices(&app, &product).await, 2000);
    assert_eq!(device_total(&app, &admin).await, 2000);
    let a = list(&app, &list_path(&product), json!({ "limit": 1 }), &admin).await;
    assert_eq!(a["count"], json!(2000));
}

async fn the_quota_limits_adds_and_batches(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let product = add_product(&app, &admin).await;
    set_device_limit(&app, &corp.corp_id, 3).await;
    let a = app.get("/v2/corp", Some(&admin)).await;
    assert_eq!(a.assert_ok()["device_limit"], json!(3));

    let first = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    add_device(&app, &admin, &product, "AABBCCDDEE02").await;

    // A batch that would pass the quota adds nothing.
    let a = app.post(&batch_path(&product), &json!(["AABBCCDDEE03", "AABBCCDDEE04"]), Some(&admin)).await;
    a.assert_error(4041033);
    assert_eq!(count_devices(&app, &product).await, 2);
    assert_eq!(device_total(&app, &admin).await, 2);

    // MACs the product already has do not count against it.
    let batch = json!(["AABBCCDDEE01", "AABBCCDDEE02", "AABBCCDDEE03"]);
    let a = app.post(&batch_path(&product), &batch, Some(&admin)).await;
    assert_eq!(macs(a.assert_ok()), vec!["AABBCCDDEE03"]);
    assert_eq!(device_total(&app, &admin).await, 3);

    // Full: a single add is refused, in any product of the corp.
    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE04" }), Some(&admin)).await.assert_error(4041033);
    let second = add_product(&app, &admin).await;
    app.post(&add_path(&second), &json!({ "mac": "AABBCCDDEE04" }), Some(&admin)).await.assert_error(4041033);
    app.post(&batch_path(&second), &json!(["AABBCCDDEE04"]), Some(&admin)).await.assert_error(4041033);
    assert_eq!(count_devices(&app, &product).await, 3);
    assert_eq!(count_devices(&app, &second).await, 0);
    assert_eq!(device_total(&app, &admin).await, 3);

    // Another corp has its own quota.
    let theirs = add_product(&app, &other_admin).await;
    add_device(&app, &other_admin, &theirs, "AABBCCDDEE04").await;

    // Deleting a device frees a place.
    app.delete(&device_path(&product, first), Some(&admin)).await.assert_empty();
    add_device(&app, &admin, &second, "AABBCCDDEE04").await;
    assert_eq!(device_total(&app, &admin).await, 3);
}

async fn device_total_follows_every_change(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    assert_eq!(device_total(&app, &admin).await, 0);
    let first = add_product(&app, &admin).await;
    let second = add_product(&app, &admin).await;

    let d1 = id_of(&add_device(&app, &admin, &first, "AABBCCDDEE01").await);
    assert_eq!(device_total(&app, &admin).await, 1);
    let a = app.post(&batch_path(&first), &json!(["AABBCCDDEE02", "AABBCCDDEE03", "AABBCCDDEE01"]), Some(&admin)).await;
    assert_eq!(macs(a.assert_ok()).len(), 2);
    assert_eq!(device_total(&app, &admin).await, 3);

    // Refused adds count nothing.
    app.post(&batch_path(&first), &json!(["AABBCCDDEE09", "bad"]), Some(&admin)).await.assert_error(4001001);
    app.post(&add_path(&first), &json!({ "mac": "AABBCCDDEE01" }), Some(&admin)).await.assert_error(4001021);
    assert_eq!(device_total(&app, &admin).await, 3);

    add_device(&app, &admin, &second, "AABBCCDDEE01").await;
    add_device(&app, &admin, &second, "AABBCCDDEE02").await;
    assert_eq!(device_total(&app, &admin).await, 5);

    app.delete(&device_path(&first, d1), Some(&admin)).await.assert_empty();
    assert_eq!(device_total(&app, &admin).await, 4);
    assert_eq!(device_total(&app, &other_admin).await, 0, "another corp counts its own");

    // Deleting a product deletes its devices from the count.
    app.delete(&format!("/v2/product/{first}"), Some(&admin)).await.assert_ok();
    assert_eq!(count_devices(&app, &first).await, 0);
    assert_eq!(device_total(&app, &admin).await, 2);
    assert_eq!(count_devices(&app, &second).await, 2);
}

async fn the_device_list_takes_the_query_language(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let second = add_product(&app, &admin).await;
    let path = list_path(&product);
    let add = |mac: &str, name: &str, tags: Value| json!({ "mac": mac, "name": name, "tags": tags });
    let d1 = id_of(
        &add_device_with(&app, &admin, &product, add("AABBCCDDEE01", "Kitchen abc", json!(["red", "kitchen"]))).await,
    );
    let d2 = id_of(&add_device_with(&app, &admin, &product, add("AABBCCDDEE02", "ABC hall", json!(["blue"]))).await);
    let d3 = id_of(&add_device_with(&app, &admin, &product, add("AABBCCDDEE03", "Garage", json!(["red"]))).await);
    let d4 = id_of(&add_device_with(&app, &admin, &product, add("AABBCCDDEE04", "Attic 100%", json!([]))).await);
    add_device_with(&app, &admin, &second, add("AABBCCDDEE05", "abc elsewhere", json!(["red"]))).await;
    set_create_time(&app, d1, JAN_1_2024 + 2 * DAY).await;
    set_create_time(&app, d2, JAN_1_2024).await;
    set_create_time(&app, d3, JAN_1_2024 + DAY).await;
    set_create_time(&app, d4, JAN_1_2024 + 3 * DAY).await;
    set_flag(&app, "is_online", d3, true).await;

    // Everything: this product's only, id ascending, every field.
    let body = list(&app, &path, json!({}), &admin).await;
    assert_eq!(body["count"], json!(4), "{body}");
    assert_eq!(ids(&body), vec![d1, d2, d3, d4]);
    for device in body["list"].as_array().unwrap() {
        assert_all_fields(device);
    }
    assert_eq!(body["list"][1]["create_time"], json!("2024-01-01T00:00:00.000Z"));

    let cases = [
        (json!({ "mac": { "$in": ["AABBCCDDEE01", "AABBCCDDEE03", "AABBCCDDEE05"] } }), vec![d1, d3]),
        (json!({ "mac": "AABBCCDDEE02" }), vec![d2]),
        (json!({ "name": { "$like": "abc" } }), vec![d1, d2]),
        (json!({ "name": { "$like": "0%" } }), vec![d4]),
        (json!({ "name": { "$like": "%" } }), vec![d4]),
        (json!({ "is_online": true }), vec![d3]),
        (json!({ "is_online": { "$eq": false } }), vec![d1, d2, d4]),
        (json!({ "create_time": { "$gte": "2024-01-02T00:00:00.000Z" } }), vec![d1, d3, d4]),
        (json!({ "create_time": { "$lt": "2024-01-02T00:00:00.000Z" } }), vec![d2]),
        (json!({ "tags": { "$like": "red" } }), vec![d1, d3]),
        (json!({ "id": { "$gt": d2 }, "is_online": false }), vec![d4]),
        (json!({ "name": { "$ne": "Garage" }, "tags": { "$like": "red" } }), vec![d1]),
        (json!({ "is_active": true }), vec![]),
    ];
    for (query, expected) in cases {
        let body = list(&app, &path, json!({ "query": query, "limit": 100 }), &admin).await;
        assert_eq!(ids(&body), expected, "{query}");
        assert_eq!(body["count"], json!(expected.len()), "{query}");
    }

    // Order, then paging: the count is every match, not the page.
    let body = list(&app, &path, json!({ "order": { "create_time": "desc" } }), &admin).await;
    assert_eq!(ids(&body), vec![d4, d1, d3, d2]);
    let body = list(&app, &path, json!({ "order": { "create_time": "desc" }, "offset": 1, "limit": 2 }), &admin).await;
    assert_eq!(body["count"], json!(4));
    assert_eq!(ids(&body), vec![d1, d3]);
    let body = list(&app, &path, json!({ "order": { "is_online": "desc", "id": "desc" } }), &admin).await;
    assert_eq!(ids(&body), vec![d3, d4, d2, d1]);

    // A projection answers only the fields asked for.
    let body = list(&app, &path, json!({ "filter": ["id", "mac"], "query": { "mac": "AABBCCDDEE02" } }), &admin).await;
    assert_eq!(body["list"], json!([{ "id": d2, "mac": "AABBCCDDEE02" }]));
    let body = list(&app, &path, json!({ "filter": ["mac", "tags"], "query": { "id": d1 } }), &admin).await;
    assert_eq!(body["list"], json!([{ "mac": "AABBCCDDEE01", "tags": ["red", "kitchen"] }]));

    let refused = [
        json!({ "query": { "nope": 1 } }),
        json!({ "filter": ["id", "nope"] }),
        json!({ "order": { "nope": "asc" } }),
        json!({ "order": { "name": "up" } }),
        json!({ "query": { "name": { "$regex": "a" } } }),
        json!({ "query": { "is_online": "yes" } }),
        json!({ "query": { "mac": 5 } }),
        json!({ "query": { "create_time": { "$gte": "yesterday" } } }),
        json!({ "query": { "is_online": { "$like": "t" } } }),
        json!({ "query": { "name": null } }),
        json!({ "limit": 0 }),
        json!({ "limit": 1001 }),
        json!({ "offset": -1 }),
    ];
    for body in refused {
        app.post(&path, &body, Some(&admin)).await.assert_error(4001001);
    }
    app.post(&path, &json!({}), None).await.assert_error(4031002);
}

async fn nullable_fields_are_queried_with_null(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let dealer = app.add_dealer(&admin, None).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    grant_to_buyer(&app, &admin, &buyer, &product, &[d1]).await;
    grant_to_dealer(&app, &admin, &dealer, &product, &[d2]).await;

    let cases = [
        (json!({ "heavy_buyer": null }), vec![d2, d3]),
        (json!({ "heavy_buyer": { "$eq": null } }), vec![d2, d3]),
        (json!({ "heavy_buyer": { "$ne": null } }), vec![d1]),
        (json!({ "heavy_buyer": id_of(&buyer) }), vec![d1]),
        (json!({ "organization_id": 0 }), vec![d1]),
        (json!({ "organization_id": null }), vec![d2, d3]),
        (json!({ "dealer_scope": null }), vec![d1, d3]),
        (json!({ "dealer_scope": { "$ne": null } }), vec![d2]),
        (json!({ "dealer_scope": code_of(&dealer) }), vec![d2]),
        (json!({ "dealer_id": { "$ne": null } }), vec![d2]),
        (json!({ "dealer_id": id_of(&dealer) }), vec![d2]),
        (json!({ "active_date": null }), vec![d1, d2, d3]),
        (json!({ "heavy_buyer": null, "dealer_id": null }), vec![d3]),
    ];
    let path = list_path(&product);
    for (query, expected) in cases {
        let body = list(&app, &path, json!({ "query": query }), &admin).await;
        assert_eq!(ids(&body), expected, "{query}");
        assert_eq!(body["count"], json!(expected.len()), "{query}");
    }

    // Fields that are never null refuse it.
    for query in [json!({ "mac": null }), json!({ "mac": { "$ne": null } }), json!({ "is_online": { "$eq": null } })] {
        app.post(&path, &json!({ "query": query }), Some(&admin)).await.assert_error(4001001);
    }
}

async fn granting_to_a_dealer_sets_its_chain(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let top = app.add_dealer(&admin, None).await;
    let sub = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let elsewhere = app.add_dealer(&admin, None).await;
    let chain = format!("{},{}", code_of(&top), code_of(&sub));
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);

    // By MAC, in any spelling: the chain runs from the top dealer down.
    let a = app
        .post(&grant_dealer_path(id_of(&sub), &product), &json!([{ "mac": "aa:bb:cc:dd:ee:01" }]), Some(&admin))
        .await;
    assert_eq!(a.assert_ok(), &json!({ "devices": [{ "id": d1, "mac": "AABBCCDDEE01" }] }));
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([id_of(&sub), chain, null, null]));

    // By id, to a top dealer: its own code.
    let a = app.post(&grant_dealer_path(id_of(&top), &product), &by_id(&[d2]), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &json!({ "devices": [{ "id": d2, "mac": "AABBCCDDEE02" }] }));
    assert_eq!(assignment(&app, &admin, &product, d2).await, json!([id_of(&top), code_of(&top), null, null]));

    // Granting again moves the device, across trees too.
    grant_to_dealer(&app, &admin, &elsewhere, &product, &[d1]).await;
    assert_eq!(
        assignment(&app, &admin, &product, d1).await,
        json!([id_of(&elsewhere), code_of(&elsewhere), null, null])
    );
    grant_to_dealer(&app, &admin, &top, &product, &[d1]).await;
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([id_of(&top), code_of(&top), null, null]));

    // Several at once, mixing both ways of naming them.
    let body = json!([{ "device_id": d1 }, { "mac": "AABBCCDDEE02" }]);
    let a = app.post(&grant_dealer_path(id_of(&sub), &product), &body, Some(&admin)).await;
    assert_eq!(macs(a.assert_ok()), vec!["AABBCCDDEE01", "AABBCCDDEE02"]);
    for id in [d1, d2] {
        assert_eq!(assignment(&app, &admin, &product, id).await, json!([id_of(&sub), chain, null, null]));
    }
    // A device not named is untouched.
    assert_eq!(assignment(&app, &admin, &product, d3).await, json!([null, null, null, null]));
}

async fn granting_to_a_heavy_buyer_puts_devices_at_its_root(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let dealer = app.add_dealer(&admin, None).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);

    let body = json!([{ "mac": "aa-bb-cc-dd-ee-01" }, { "device_id": d2 }]);
    let a = app.post(&grant_buyer_path(id_of(&buyer), &product), &body, Some(&admin)).await;
    assert_eq!(
        a.assert_ok(),
        &json!({ "devices": [{ "id": d1, "mac": "AABBCCDDEE01" }, { "id": d2, "mac": "AABBCCDDEE02" }] })
    );
    for id in [d1, d2] {
        assert_eq!(assignment(&app, &admin, &product, id).await, json!([null, null, id_of(&buyer), 0]));
    }
    assert_eq!(assignment(&app, &admin, &product, d3).await, json!([null, null, null, null]));

    // Granting what it already holds is fine and changes nothing.
    grant_to_buyer(&app, &admin, &buyer, &product, &[d1]).await;
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, id_of(&buyer), 0]));

    // A device may sit with a dealer chain and a heavy buyer at once.
    grant_to_dealer(&app, &admin, &dealer, &product, &[d1]).await;
    assert_eq!(
        assignment(&app, &admin, &product, d1).await,
        json!([id_of(&dealer), code_of(&dealer), id_of(&buyer), 0])
    );
    let token = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    let body = list(&app, &buyer_list_path(&product), json!({}), &token).await;
    assert_eq!(ids(&body), vec![d1, d2]);
}

async fn grants_are_all_or_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let dealer = id_of(&app.add_dealer(&admin, None).await);
    let buyer = id_of(&app.add_heavy_buyer(&admin).await);
    let product = add_product(&app, &admin).await;
    let second = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let other = id_of(&add_device(&app, &admin, &second, "AABBCCDDEE03").await);

    // One device that is not in the product refuses the whole call.
    let unknown = [
        json!([{ "device_id": d1 }, { "device_id": 999_999 }]),
        json!([{ "mac": "AABBCCDDEE01" }, { "mac": "AABBCCDDEE99" }]),
        json!([{ "device_id": d1 }, { "device_id": other }]),
        json!([{ "device_id": d2 }, { "mac": "AABBCCDDEE03" }]),
    ];
    for body in unknown {
        app.post(&grant_dealer_path(dealer, &product), &body, Some(&admin)).await.assert_error(4041008);
        app.post(&grant_buyer_path(buyer, &product), &body, Some(&admin)).await.assert_error(4041008);
    }

    // Each entry names its device exactly one way.
    let invalid = [
        json!([{ "device_id": d1 }, { "mac": "AABBCCDDEE02", "device_id": d2 }]),
        json!([{ "device_id": d1 }, {}]),
        json!([{ "device_id": d1 }, { "mac": "nope" }]),
        json!([{ "device_id": d1, "label": "x" }]),
        json!([{ "device_id": "one" }]),
        json!({ "device_id": d1 }),
    ];
    for body in invalid {
        app.post(&grant_dealer_path(dealer, &product), &body, Some(&admin)).await.assert_error(4001001);
        app.post(&grant_buyer_path(buyer, &product), &body, Some(&admin)).await.assert_error(4001001);
    }
    // The product is required.
    app.post(&format!("/v2/dealer/{dealer}/grant_device"), &by_id(&[d1]), Some(&admin)).await.assert_error(4001001);
    app.post(&format!("/v2/heavy_buyer/{buyer}/grant_device"), &by_id(&[d1]), Some(&admin)).await.assert_error(4001001);

    // None of it changed anything.
    for id in [d1, d2] {
        assert_eq!(assignment(&app, &admin, &product, id).await, json!([null, null, null, null]), "{id}");
    }
    assert_eq!(assignment(&app, &admin, &second, other).await, json!([null, null, null, null]));
}

async fn a_device_of_another_heavy_buyer_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let first = app.add_heavy_buyer(&admin).await;
    let second = app.add_heavy_buyer(&admin).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    grant_to_buyer(&app, &admin, &first, &product, &[d1]).await;

    // The free device in the same call is not granted either.
    let a = app.post(&grant_buyer_path(id_of(&second), &product), &by_id(&[d2, d1]), Some(&admin)).await;
    a.assert_error(4001001);
    let a =
        app.post(&grant_buyer_path(id_of(&second), &product), &json!([{ "mac": "AABBCCDDEE01" }]), Some(&admin)).await;
    a.assert_error(4001001);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, id_of(&first), 0]));
    assert_eq!(assignment(&app, &admin, &product, d2).await, json!([null, null, null, null]));
    let token = app.heavy_buyer_token(&corp.corp_id, &second).await;
    assert_eq!(list(&app, &buyer_list_path(&product), json!({}), &token).await["count"], json!(0));

    // Taken back first, it may go to the other heavy buyer.
    let a = app.post(&revoke_buyer_path(id_of(&first), &product), &by_id(&[d1]), Some(&admin)).await;
    a.assert_ok();
    grant_to_buyer(&app, &admin, &second, &product, &[d1, d2]).await;
    for id in [d1, d2] {
        assert_eq!(assignment(&app, &admin, &product, id).await, json!([null, null, id_of(&second), 0]));
    }
}

async fn grants_check_the_grantee(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let dealer = id_of(&app.add_dealer(&admin, None).await);
    let buyer = id_of(&app.add_heavy_buyer(&admin).await);
    let their_dealer = id_of(&app.add_dealer(&other_admin, None).await);
    let their_buyer = id_of(&app.add_heavy_buyer(&other_admin).await);
    let body = by_id(&[d1]);

    // Another corp's dealer or heavy buyer, or none at all, is not found here.
    for id in [their_dealer, 999_999] {
        app.post(&grant_dealer_path(id, &product), &body, Some(&admin)).await.assert_error(4041030);
        app.post(&revoke_dealer_path(id, &product), &body, Some(&admin)).await.assert_error(4041030);
    }
    for id in [their_buyer, 999_999] {
        app.post(&grant_buyer_path(id, &product), &body, Some(&admin)).await.assert_error(4041031);
        app.post(&revoke_buyer_path(id, &product), &body, Some(&admin)).await.assert_error(4041031);
    }
    // Another corp cannot hand our devices to its own partners.
    app.post(&grant_dealer_path(their_dealer, &product), &body, Some(&other_admin)).await.assert_error(4041005);
    app.post(&grant_buyer_path(their_buyer, &product), &body, Some(&other_admin)).await.assert_error(4041005);
    app.post(&revoke_dealer_path(their_dealer, &product), &body, Some(&other_admin)).await.assert_error(4041005);
    app.post(&revoke_buyer_path(their_buyer, &product), &body, Some(&other_admin)).await.assert_error(4041005);

    // A disabled dealer or heavy buyer takes no devices.
    app.put(&format!("/v2/dealer/{dealer}/status/0"), None, Some(&admin)).await.assert_empty();
    app.post(&grant_dealer_path(dealer, &product), &body, Some(&admin)).await.assert_error(4001117);
    app.put(&format!("/v2/heavy_buyer/{buyer}/disable"), None, Some(&admin)).await.assert_empty();
    app.post(&grant_buyer_path(buyer, &product), &body, Some(&admin)).await.assert_error(4001118);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));

    // Enabled again, they do.
    app.put(&format!("/v2/dealer/{dealer}/status/1"), None, Some(&admin)).await.assert_empty();
    app.put(&format!("/v2/heavy_buyer/{buyer}/enable"), None, Some(&admin)).await.assert_empty();
    app.post(&grant_dealer_path(dealer, &product), &body, Some(&admin)).await.assert_ok();
    app.post(&grant_buyer_path(buyer, &product), &body, Some(&admin)).await.assert_ok();
    let a = get_device(&app, &admin, &product, d1).await;
    assert_eq!((a["dealer_id"].clone(), a["heavy_buyer"].clone()), (json!(dealer), json!(buyer)));

    // Taking devices back works from a disabled dealer or heavy buyer too: nothing is stranded.
    app.put(&format!("/v2/dealer/{dealer}/status/0"), None, Some(&admin)).await.assert_empty();
    app.put(&format!("/v2/heavy_buyer/{buyer}/disable"), None, Some(&admin)).await.assert_empty();
    app.post(&revoke_dealer_path(dealer, &product), &body, Some(&admin)).await.assert_ok();
    app.post(&revoke_buyer_path(buyer, &product), &body, Some(&admin)).await.assert_ok();
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));
}

async fn taking_devices_back_from_a_dealer(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    // T ─┬─ S
    //    └─ C
    let top = app.add_dealer(&admin, None).await;
    let sub = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let sibling = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    let free = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE04").await);
    grant_to_dealer(&app, &admin, &sub, &product, &[d1]).await;
    grant_to_dealer(&app, &admin, &top, &product, &[d2]).await;
    grant_to_dealer(&app, &admin, &sibling, &product, &[d3]).await;
    let sub_chain = format!("{},{}", code_of(&top), code_of(&sub));

    // The top dealer takes back a device sold through the dealer below it.
    let a = app.post(&revoke_dealer_path(id_of(&top), &product), &by_id(&[d1]), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &json!({ "devices": [{ "id": d1, "mac": "AABBCCDDEE01" }] }));
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));

    // From S: not its upper dealer's own device, not its sibling's, not a free one; all or nothing.
    grant_to_dealer(&app, &admin, &sub, &product, &[d1]).await;
    for body in [by_id(&[d1, d2]), by_id(&[d1, d3]), by_id(&[d1, free])] {
        let a = app.post(&revoke_dealer_path(id_of(&sub), &product), &body, Some(&admin)).await;
        a.assert_error(4001001);
    }
    let a = app.post(&revoke_dealer_path(id_of(&sub), &product), &by_id(&[d1, 999_999]), Some(&admin)).await;
    a.assert_error(4041008);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([id_of(&sub), sub_chain, null, null]));
    assert_eq!(assignment(&app, &admin, &product, d2).await, json!([id_of(&top), code_of(&top), null, null]));
    assert_eq!(
        assignment(&app, &admin, &product, d3).await,
        json!([id_of(&sibling), format!("{},{}", code_of(&top), code_of(&sibling)), null, null])
    );

    // S gives back its own, named by MAC.
    let a =
        app.post(&revoke_dealer_path(id_of(&sub), &product), &json!([{ "mac": "aabbccddee01" }]), Some(&admin)).await;
    assert_eq!(macs(a.assert_ok()), vec!["AABBCCDDEE01"]);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));
    let token = app.dealer_token(&corp.corp_id, &sub).await;
    assert_eq!(list(&app, &dealer_list_path(&product), json!({}), &token).await["count"], json!(0));
    let token = app.dealer_token(&corp.corp_id, &top).await;
    let body = list(&app, &dealer_list_path(&product), json!({}), &token).await;
    assert_eq!(ids(&body), vec![d2, d3]);
}

async fn taking_devices_back_from_a_heavy_buyer(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let first = app.add_heavy_buyer(&admin).await;
    let second = app.add_heavy_buyer(&admin).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    let free = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE04").await);
    grant_to_buyer(&app, &admin, &first, &product, &[d1, d2]).await;
    grant_to_buyer(&app, &admin, &second, &product, &[d3]).await;
    let revoke_first = revoke_buyer_path(id_of(&first), &product);

    // Only its own devices; all or nothing.
    app.post(&revoke_first, &by_id(&[d1, d3]), Some(&admin)).await.assert_error(4001001);
    app.post(&revoke_first, &by_id(&[d1, free]), Some(&admin)).await.assert_error(4001001);
    app.post(&revoke_first, &by_id(&[d1, 999_999]), Some(&admin)).await.assert_error(4041008);
    app.post(&revoke_buyer_path(id_of(&second), &product), &by_id(&[d1]), Some(&admin)).await.assert_error(4001001);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, id_of(&first), 0]));
    assert_eq!(assignment(&app, &admin, &product, d3).await, json!([null, null, id_of(&second), 0]));

    let a = app.post(&revoke_first, &json!([{ "mac": "AA:BB:CC:DD:EE:01" }]), Some(&admin)).await;
    assert_eq!(a.assert_ok(), &json!({ "devices": [{ "id": d1, "mac": "AABBCCDDEE01" }] }));
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));
    let token = app.heavy_buyer_token(&corp.corp_id, &first).await;
    let body = list(&app, &buyer_list_path(&product), json!({}), &token).await;
    assert_eq!(ids(&body), vec![d2]);
    assert_eq!(assignment(&app, &admin, &product, d3).await, json!([null, null, id_of(&second), 0]));
}

async fn device_permissions_follow_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let dealer = app.add_dealer(&admin, None).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    let path = device_path(&product, d1);

    // Operations reads devices and assigns them, but does not add, change or delete them.
    let (_, ops_email, ops_password) = app.add_member(&admin, 2, None).await;
    let ops = app.login_as(&ops_email, &ops_password).await;
    assert_eq!(ids(&list(&app, &list_path(&product), json!({}), &ops).await), vec![d1]);
    app.get(&path, Some(&ops)).await.assert_ok();
    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE02" }), Some(&ops)).await.assert_error(4031001);
    app.post(&batch_path(&product), &json!(["AABBCCDDEE02"]), Some(&ops)).await.assert_error(4031001);
    app.put(&path, Some(&json!({ "name": "Ops" })), Some(&ops)).await.assert_error(4031001);
    app.delete(&path, Some(&ops)).await.assert_error(4031001);
    grant_to_dealer(&app, &ops, &dealer, &product, &[d1]).await;
    app.post(&revoke_dealer_path(id_of(&dealer), &product), &by_id(&[d1]), Some(&ops)).await.assert_ok();
    grant_to_buyer(&app, &ops, &buyer, &product, &[d1]).await;
    app.post(&revoke_buyer_path(id_of(&buyer), &product), &by_id(&[d1]), Some(&ops)).await.assert_ok();

    // A developer adds, changes, deletes and assigns devices.
    let (_, dev_email, dev_password) = app.add_member(&admin, 3, None).await;
    let dev = app.login_as(&dev_email, &dev_password).await;
    let d2 = id_of(&add_device(&app, &dev, &product, "AABBCCDDEE02").await);
    let a = app.post(&batch_path(&product), &json!(["AABBCCDDEE03"]), Some(&dev)).await;
    assert_eq!(macs(a.assert_ok()), vec!["AABBCCDDEE03"]);
    let a = app.put(&path, Some(&json!({ "name": "Dev" })), Some(&dev)).await;
    assert_eq!(a.assert_ok()["name"], json!("Dev"));
    grant_to_dealer(&app, &dev, &dealer, &product, &[d2]).await;
    app.post(&revoke_dealer_path(id_of(&dealer), &product), &by_id(&[d2]), Some(&dev)).await.assert_ok();
    app.delete(&device_path(&product, d2), Some(&dev)).await.assert_empty();

    // "View devices" alone reads them.
    let reader_role = app.add_role(&admin, "device reader", &[1501]).await;
    let (_, reader_email, reader_password) = app.add_member(&admin, 99, Some(reader_role)).await;
    let reader = app.login_as(&reader_email, &reader_password).await;
    assert_eq!(list(&app, &list_path(&product), json!({}), &reader).await["count"], json!(2));
    app.get(&path, Some(&reader)).await.assert_ok();
    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE04" }), Some(&reader)).await.assert_error(4031001);
    app.put(&path, Some(&json!({ "name": "Reader" })), Some(&reader)).await.assert_error(4031001);
    app.delete(&path, Some(&reader)).await.assert_error(4031001);
    app.post(&grant_dealer_path(id_of(&dealer), &product), &by_id(&[d1]), Some(&reader)).await.assert_error(4031001);
    app.post(&grant_buyer_path(id_of(&buyer), &product), &by_id(&[d1]), Some(&reader)).await.assert_error(4031001);

    // No device features: nothing at all.
    let nothing = app.add_role(&admin, "nothing", &[]).await;
    let (_, bare_email, bare_password) = app.add_member(&admin, 99, Some(nothing)).await;
    let bare = app.login_as(&bare_email, &bare_password).await;
    app.post(&list_path(&product), &json!({}), Some(&bare)).await.assert_error(4031001);
    app.get(&path, Some(&bare)).await.assert_error(4031001);
    app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE05" }), Some(&bare)).await.assert_error(4031001);
    app.post(&grant_dealer_path(id_of(&dealer), &product), &by_id(&[d1]), Some(&bare)).await.assert_error(4031001);

    // Nothing the refused calls attempted happened.
    assert_eq!(count_devices(&app, &product).await, 2);
    let device = get_device(&app, &admin, &product, d1).await;
    assert_eq!(device["name"], json!("Dev"));
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));
}

async fn a_refused_add_adds_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;

    // A custom role with "manage devices" but not "view devices": whatever the answer to an add
    // is, it must be true. A refusal must leave no device behind.
    let role = app.add_role(&admin, "device manager", &[1502]).await;
    let (_, email, password) = app.add_member(&admin, 99, Some(role)).await;
    let manager = app.login_as(&email, &password).await;
    let a = app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE01" }), Some(&manager)).await;
    if a.status.is_success() {
        assert_eq!(a.body["mac"], json!("AABBCCDDEE01"));
        assert_eq!(count_devices(&app, &product).await, 1);
        assert_eq!(device_total(&app, &admin).await, 1);
    } else {
        a.assert_error(4031001);
        assert_eq!(count_devices(&app, &product).await, 0, "refused, yet the device was added");
        assert_eq!(device_total(&app, &admin).await, 0, "refused, yet the device was counted");
    }
}

async fn dealer_and_heavy_buyer_tokens_cannot_use_corp_device_endpoints(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let dealer = app.add_dealer(&admin, None).await;
    let buyer = app.add_heavy_buyer(&admin).await;
    grant_to_dealer(&app, &admin, &dealer, &product, &[d1]).await;
    grant_to_buyer(&app, &admin, &buyer, &product, &[d1]).await;
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    let buyer_token = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    let path = device_path(&product, d1);

    // Even for a device assigned to them, the corp's endpoints are not theirs.
    for token in [&dealer_token, &buyer_token] {
        app.post(&add_path(&product), &json!({ "mac": "AABBCCDDEE02" }), Some(token)).await.assert_error(4031001);
        app.post(&batch_path(&product), &json!(["AABBCCDDEE02"]), Some(token)).await.assert_error(4031001);
        app.post(&list_path(&product), &json!({}), Some(token)).await.assert_error(4031001);
        app.get(&path, Some(token)).await.assert_error(4031001);
        app.put(&path, Some(&json!({ "name": "Mine" })), Some(token)).await.assert_error(4031001);
        app.delete(&path, Some(token)).await.assert_error(4031001);
        let body = by_id(&[d1]);
        app.post(&grant_dealer_path(id_of(&dealer), &product), &body, Some(token)).await.assert_error(4031001);
        app.post(&revoke_dealer_path(id_of(&dealer), &product), &body, Some(token)).await.assert_error(4031001);
        app.post(&grant_buyer_path(id_of(&buyer), &product), &body, Some(token)).await.assert_error(4031001);
        app.post(&revoke_buyer_path(id_of(&buyer), &product), &body, Some(token)).await.assert_error(4031001);
    }

    // Each scoped list is for its own kind of principal only.
    app.post(&dealer_list_path(&product), &json!({}), Some(&admin)).await.assert_error(4031001);
    app.post(&buyer_list_path(&product), &json!({}), Some(&admin)).await.assert_error(4031001);
    app.post(&dealer_list_path(&product), &json!({}), Some(&buyer_token)).await.assert_error(4031001);
    app.post(&buyer_list_path(&product), &json!({}), Some(&dealer_token)).await.assert_error(4031001);
    app.post(&dealer_list_path(&product), &json!({}), None).await.assert_error(4031002);
    app.post(&buyer_list_path(&product), &json!({}), None).await.assert_error(4031002);

    // Nothing changed.
    assert_eq!(count_devices(&app, &product).await, 1);
    let device = get_device(&app, &admin, &product, d1).await;
    assert_eq!(device["name"], json!(""));
    assert_eq!(
        assignment(&app, &admin, &product, d1).await,
        json!([id_of(&dealer), code_of(&dealer), id_of(&buyer), 0])
    );
}

async fn a_dealer_lists_its_own_and_lower_devices_only(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    // A ─┬─ B ── D
    //    └─ C
    // E (another top dealer)
    let a = app.add_dealer(&admin, None).await;
    let b = app.add_dealer(&admin, Some(&code_of(&a))).await;
    let c = app.add_dealer(&admin, Some(&code_of(&a))).await;
    let d = app.add_dealer(&admin, Some(&code_of(&b))).await;
    let e = app.add_dealer(&admin, None).await;
    let product = add_product(&app, &admin).await;
    let second = add_product(&app, &admin).await;
    let dev_a = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE0A").await);
    let dev_b = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE0B").await);
    let dev_c = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE0C").await);
    let dev_d = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE0D").await);
    let dev_e = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE0E").await);
    add_device(&app, &admin, &product, "AABBCCDDEE0F").await;
    let dev_second = id_of(&add_device(&app, &admin, &second, "AABBCCDDEE0B").await);
    grant_to_dealer(&app, &admin, &a, &product, &[dev_a]).await;
    grant_to_dealer(&app, &admin, &b, &product, &[dev_b]).await;
    grant_to_dealer(&app, &admin, &c, &product, &[dev_c]).await;
    grant_to_dealer(&app, &admin, &d, &product, &[dev_d]).await;
    grant_to_dealer(&app, &admin, &e, &product, &[dev_e]).await;
    grant_to_dealer(&app, &admin, &b, &second, &[dev_second]).await;
    let a_token = app.dealer_token(&corp.corp_id, &a).await;
    let b_token = app.dealer_token(&corp.corp_id, &b).await;
    let c_token = app.dealer_token(&corp.corp_id, &c).await;
    let d_token = app.dealer_token(&corp.corp_id, &d).await;
    let e_token = app.dealer_token(&corp.corp_id, &e).await;
    let path = dealer_list_path(&product);

    // Each dealer: its own and those below it; never a sibling's, its upper's or another tree's.
    let seen = list(&app, &path, json!({ "limit": 100 }), &a_token).await;
    assert_eq!(seen["count"], json!(4), "{seen}");
    assert_eq!(sorted(ids(&seen)), sorted(vec![dev_a, dev_b, dev_c, dev_d]));
    for device in seen["list"].as_array().unwrap() {
        assert_all_fields(device);
    }
    let expected =
        [(&b_token, vec![dev_b, dev_d]), (&c_token, vec![dev_c]), (&d_token, vec![dev_d]), (&e_token, vec![dev_e])];
    for (token, want) in expected {
        let seen = list(&app, &path, json!({ "limit": 100 }), token).await;
        assert_eq!(seen["count"], json!(want.len()), "{seen}");
        assert_eq!(sorted(ids(&seen)), sorted(want));
    }

    // Each device shows its chain from the top dealer down.
    let seen =
        list(&app, &path, json!({ "filter": ["id", "dealer_scope"], "order": { "id": "desc" } }), &b_token).await;
    assert_eq!(
        seen["list"],
        json!([
            { "id": dev_d, "dealer_scope": format!("{},{},{}", code_of(&a), code_of(&b), code_of(&d)) },
            { "id": dev_b, "dealer_scope": format!("{},{}", code_of(&a), code_of(&b)) },
        ])
    );

    // The list language narrows within the scope, never beyond it.
    let q = json!({ "query": { "mac": { "$in": ["AABBCCDDEE0A", "AABBCCDDEE0C", "AABBCCDDEE0D", "AABBCCDDEE0F"] } } });
    let seen = list(&app, &path, q, &b_token).await;
    assert_eq!((seen["count"].clone(), ids(&seen)), (json!(1), vec![dev_d]));
    let seen = list(&app, &path, json!({ "query": { "dealer_id": id_of(&a) } }), &b_token).await;
    assert_eq!(seen["count"], json!(0));
    let seen = list(&app, &path, json!({ "query": { "dealer_scope": { "$like": code_of(&c) } } }), &b_token).await;
    assert_eq!(seen["count"], json!(0));
    let seen = list(&app, &path, json!({ "query": { "dealer_id": id_of(&b) } }), &a_token).await;
    assert_eq!(ids(&seen), vec![dev_b]);
    app.post(&path, &json!({ "query": { "nope": 1 } }), Some(&b_token)).await.assert_error(4001001);

    // Another product's devices are listed under that product only.
    let seen = list(&app, &dealer_list_path(&second), json!({}), &b_token).await;
    assert_eq!(ids(&seen), vec![dev_second]);
    let seen = list(&app, &dealer_list_path(&second), json!({}), &a_token).await;
    assert_eq!(ids(&seen), vec![dev_second]);
    let seen = list(&app, &dealer_list_path(&second), json!({}), &c_token).await;
    assert_eq!(seen["count"], json!(0));

    // Another corp's product is not found.
    let theirs = add_product(&app, &other_admin).await;
    app.post(&dealer_list_path(&theirs), &json!({}), Some(&b_token)).await.assert_error(4041005);
}

async fn a_heavy_buyer_lists_only_its_devices(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let first = app.add_heavy_buyer(&admin).await;
    let second = app.add_heavy_buyer(&admin).await;
    let product = add_product(&app, &admin).await;
    let another = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    add_device(&app, &admin, &product, "AABBCCDDEE04").await;
    let d5 = id_of(&add_device(&app, &admin, &another, "AABBCCDDEE01").await);
    grant_to_buyer(&app, &admin, &first, &product, &[d1, d2]).await;
    grant_to_buyer(&app, &admin, &second, &product, &[d3]).await;
    grant_to_buyer(&app, &admin, &first, &another, &[d5]).await;
    let first_token = app.heavy_buyer_token(&corp.corp_id, &first).await;
    let second_token = app.heavy_buyer_token(&corp.corp_id, &second).await;
    let path = buyer_list_path(&product);

    let seen = list(&app, &path, json!({}), &first_token).await;
    assert_eq!(seen["count"], json!(2), "{seen}");
    assert_eq!(ids(&seen), vec![d1, d2]);
    for device in seen["list"].as_array().unwrap() {
        assert_all_fields(device);
        assert_eq!(device["heavy_buyer"], json!(id_of(&first)));
    }
    let seen = list(&app, &path, json!({}), &second_token).await;
    assert_eq!(ids(&seen), vec![d3]);

    // The list language narrows within its own devices, never beyond them.
    let seen =
        list(&app, &path, json!({ "query": { "mac": { "$in": ["AABBCCDDEE03", "AABBCCDDEE04"] } } }), &first_token)
            .await;
    assert_eq!(seen["count"], json!(0));
    let seen = list(&app, &path, json!({ "query": { "heavy_buyer": id_of(&second) } }), &first_token).await;
    assert_eq!(seen["count"], json!(0));
    let seen =
        list(&app, &path, json!({ "query": { "organization_id": 0 }, "order": { "id": "desc" } }), &first_token).await;
    assert_eq!(ids(&seen), vec![d2, d1]);
    let seen = list(&app, &path, json!({ "filter": ["mac"], "query": { "id": d2 } }), &first_token).await;
    assert_eq!(seen["list"], json!([{ "mac": "AABBCCDDEE02" }]));
    app.post(&path, &json!({ "filter": ["nope"] }), Some(&first_token)).await.assert_error(4001001);

    // Per product.
    let seen = list(&app, &buyer_list_path(&another), json!({}), &first_token).await;
    assert_eq!(ids(&seen), vec![d5]);
    let seen = list(&app, &buyer_list_path(&another), json!({}), &second_token).await;
    assert_eq!(seen["count"], json!(0));

    let theirs = add_product(&app, &other_admin).await;
    app.post(&buyer_list_path(&theirs), &json!({}), Some(&first_token)).await.assert_error(4041005);
}

async fn deleting_a_dealer_moves_its_devices_up(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let top = app.add_dealer(&admin, None).await;
    let sub = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let sibling = app.add_dealer(&admin, Some(&code_of(&top))).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    grant_to_dealer(&app, &admin, &sub, &product, &[d1]).await;
    grant_to_dealer(&app, &admin, &top, &product, &[d2]).await;
    grant_to_dealer(&app, &admin, &sibling, &product, &[d3]).await;
    let top_token = app.dealer_token(&corp.corp_id, &top).await;
    let sibling_token = app.dealer_token(&corp.corp_id, &sibling).await;

    app.delete(&format!("/v2/dealer/{}", id_of(&sub)), Some(&admin)).await.assert_empty();

    // The upper dealer still sees the device, now as its own.
    let seen = list(&app, &dealer_list_path(&product), json!({ "query": { "id": d1 } }), &top_token).await;
    assert_eq!(seen["count"], json!(1), "{seen}");
    assert_eq!(seen["list"][0]["dealer_scope"], json!(code_of(&top)));
    assert_eq!(seen["list"][0]["dealer_id"], json!(id_of(&top)));
    let seen = list(&app, &dealer_list_path(&product), json!({}), &top_token).await;
    assert_eq!(ids(&seen), vec![d1, d2, d3]);
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([id_of(&top), code_of(&top), null, null]));
    // The sibling gains nothing.
    let seen = list(&app, &dealer_list_path(&product), json!({}), &sibling_token).await;
    assert_eq!(ids(&seen), vec![d3]);
    assert_eq!(count_devices(&app, &product).await, 3, "no device lost");

    // It can be taken back from the upper dealer now.
    let a = app.post(&revoke_dealer_path(id_of(&top), &product), &by_id(&[d1]), Some(&admin)).await;
    a.assert_ok();
    assert_eq!(assignment(&app, &admin, &product, d1).await, json!([null, null, null, null]));
}

async fn deleting_a_heavy_buyer_releases_its_devices(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let first = app.add_heavy_buyer(&admin).await;
    let second = app.add_heavy_buyer(&admin).await;
    let product = add_product(&app, &admin).await;
    let d1 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE01").await);
    let d2 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE02").await);
    let d3 = id_of(&add_device(&app, &admin, &product, "AABBCCDDEE03").await);
    grant_to_buyer(&app, &admin, &first, &product, &[d1, d2]).await;
    grant_to_buyer(&app, &admin, &second, &product, &[d3]).await;

    app.delete(&format!("/v2/heavy_buyer/{}", id_of(&first)), Some(&admin)).await.assert_empty();

    for id in [d1, d2] {
        assert_eq!(assignment(&app, &admin, &product, id).await, json!([null, null, null, null]), "{id}");
    }
    assert_eq!(assignment(&app, &admin, &product, d3).await, json!([null, null, id_of(&second), 0]));
    assert_eq!(count_devices(&app, &product).await, 3, "no device lost");
    let seen = list(&app, &list_path(&product), json!({ "query": { "heavy_buyer": null } }), &admin).await;
    assert_eq!(ids(&seen), vec![d1, d2]);

    // The released devices may go to another heavy buyer.
    grant_to_buyer(&app, &admin, &second, &product, &[d1]).await;
    let token = app.heavy_buyer_token(&corp.corp_id, &second).await;
    let seen = list(&app, &buyer_list_path(&product), json!({}), &token).await;
    assert_eq!(ids(&seen), vec![d1, d3]);
}

/// The whole-product and online/offline counts come from trigger-kept counters: they must
/// follow adds, batches, the device side switching `is_online` (plain SQL, as it would), and
/// deletes, exactly as counting the rows would.
async fn kept_counts_follow_every_change(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (token, _) = app.login(&corp).await;
    let product = add_product(&app, &token).await;
    let other = add_product(&app, &token).await;
    let counts = |online: Option<bool>| {
        let body = match online {
            None => json!({}),
            Some(b) => json!({ "query": { "is_online": b } }),
        };
        let (app, token, path) = (&app, token.clone(), list_path(&product));
        async move { list(app, &path, body, &token).await["count"].as_i64().expect("count") }
    };
    let a = add_device(&app, &token, &product, "AABBCCDDEE01").await;
    let batch =
        app.post(&batch_path(&product), &json!(["AABBCCDDEE02", "AABBCCDDEE03", "AABBCCDDEE01"]), Some(&token)).await;
    batch.assert_ok();
    add_device(&app, &token, &other, "AABBCCDDEE09").await;
    assert_eq!((counts(None).await, counts(Some(true)).await, counts(Some(false)).await), (3, 0, 3));

    set_flag(&app, "is_online", id_of(&a), true).await;
    let all_online =
        Sql::new("UPDATE devices SET is_online = $1 WHERE product_id = $2").bind(true).bind(product.clone());
    app.ctx.db.execute(&all_online).await.expect("devices online");
    assert_eq!((counts(None).await, counts(Some(true)).await, counts(Some(false)).await), (3, 3, 0));
    set_flag(&app, "is_online", id_of(&a), false).await;
    assert_eq!((counts(None).await, counts(Some(true)).await, counts(Some(false)).await), (3, 2, 1));

    let a = app.delete(&device_path(&product, id_of(&a)), Some(&token)).await;
    a.assert_ok();
    assert_eq!((counts(None).await, counts(Some(true)).await, counts(Some(false)).await), (2, 2, 0));
    // A narrower filter still counts its rows.
    let page =
        list(&app, &list_path(&product), json!({ "query": { "is_online": true, "mac": { "$like": "02" } } }), &token)
            .await;
    assert_eq!(page["count"], 1);
    // The other product's counter is its own.
    let page = list(&app, &list_path(&other), json!({}), &token).await;
    assert_eq!(page["count"], 1);
}
