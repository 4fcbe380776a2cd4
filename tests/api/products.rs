//! Products: the catalogue operations, their rules and who may call them.

use backoffice::server::db::Sql;
use serde_json::json;

use crate::{
    both_backends,
    helpers::{spawn, Backend},
};

both_backends!(
    a_product_is_created_listed_read_changed_and_deleted,
    product_fields_are_validated,
    a_released_product_cannot_be_deleted,
    products_belong_to_their_corp_and_roles,
);

async fn a_product_is_created_listed_read_changed_and_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (token, _) = app.login(&corp).await;
    let body =
        json!({ "name": "Purifier X1", "description": "Kitchen unit", "link_type": 1, "mode": "X1-2025", "type": 3 });
    let created = app.post("/v2/product", &body, Some(&token)).await;
    let p = created.assert_ok().clone();
    let id = p["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert_eq!(p["key"].as_str().unwrap().len(), 16);
    assert_eq!(
        (p["name"].clone(), p["link_type"].clone(), p["type"].clone()),
        (json!("Purifier X1"), json!(1), json!(3))
    );
    assert_eq!(p["is_release"], json!(false));
    assert!(p["create_time"].as_str().unwrap().ends_with('Z'));

    let list = app.get("/v2/products", Some(&token)).await;
    assert_eq!(list.assert_ok().as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/v2/product/{id}"), Some(&token)).await.assert_ok()["id"], json!(id));

    let changed = app.put(&format!("/v2/product/{id}"), Some(&json!({ "name": "Purifier X2" })), Some(&token)).await;
    let c = changed.assert_ok();
    assert_eq!((c["name"].clone(), c["description"].clone()), (json!("Purifier X2"), json!("Kitchen unit")));

    app.delete(&format!("/v2/product/{id}"), Some(&token)).await.assert_ok();
    app.get(&format!("/v2/product/{id}"), Some(&token)).await.assert_error(4041005);
    assert!(app.get("/v2/products", Some(&token)).await.assert_ok().as_array().unwrap().is_empty());
}

async fn product_fields_are_validated(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (token, _) = app.login(&corp).await;
    let post = |body: serde_json::Value| {
        let token = token.clone();
        let app = &app;
        async move { app.post("/v2/product", &body, Some(&token)).await }
    };
    post(json!({ "link_type": 1 })).await.assert_error(4001002);
    post(json!({ "name": "", "link_type": 1 })).await.assert_error(4001002);
    post(json!({ "name": "x".repeat(33), "link_type": 1 })).await.assert_error(4001001);
    post(json!({ "name": "ok", "link_type": 6 })).await.assert_error(4001001);
    post(json!({ "name": "ok", "link_type": 1, "description": "d".repeat(251) })).await.assert_error(4001001);
    post(json!({ "name": "ok", "link_type": "wifi" })).await.assert_error(4001001);
    let (n,): (i64,) = app.ctx.db.fetch_one(&Sql::new("SELECT COUNT(*) FROM products")).await.unwrap();
    assert_eq!(n, 0, "nothing was created");
}

async fn a_released_product_cannot_be_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (token, _) = app.login(&corp).await;
    let p = app.post("/v2/product", &json!({ "name": "P", "link_type": 3 }), Some(&token)).await;
    let id = p.assert_ok()["id"].as_str().unwrap().to_owned();
    let released = app.put(&format!("/v2/product/{id}"), Some(&json!({ "is_release": true })), Some(&token)).await;
    assert_eq!(released.assert_ok()["is_release"], json!(true));
    app.delete(&format!("/v2/product/{id}"), Some(&token)).await.assert_error(4001016);
    app.get(&format!("/v2/product/{id}"), Some(&token)).await.assert_ok();
}

async fn products_belong_to_their_corp_and_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (token, _) = app.login(&corp).await;
    let (other_token, _) = app.login(&other).await;
    let p = app.post("/v2/product", &json!({ "name": "P", "link_type": 2 }), Some(&token)).await;
    let id = p.assert_ok()["id"].as_str().unwrap().to_owned();
    let path = format!("/v2/product/{id}");
    app.get(&path, Some(&other_token)).await.assert_error(4041005);
    app.put(&path, Some(&json!({ "name": "Mine" })), Some(&other_token)).await.assert_error(4041005);
    app.delete(&path, Some(&other_token)).await.assert_error(4041005);
    assert!(app.get("/v2/products", Some(&other_token)).await.assert_ok().as_array().unwrap().is_empty());

    // Operations read products but do not change them; developers manage them.
    let (_, ops_email, ops_pw) = app.add_member(&token, 2, None).await;
    let ops = app.login_as(&ops_email, &ops_pw).await;
    app.get(&path, Some(&ops)).await.assert_ok();
    app.post("/v2/product", &json!({ "name": "Q", "link_type": 1 }), Some(&ops)).await.assert_error(4031001);
    app.put(&path, Some(&json!({ "name": "Q" })), Some(&ops)).await.assert_error(4031001);
    let (_, dev_email, dev_pw) = app.add_member(&token, 3, None).await;
    let dev = app.login_as(&dev_email, &dev_pw).await;
    app.put(&path, Some(&json!({ "name": "Dev" })), Some(&dev)).await.assert_ok();
    // A dealer's token is refused on the corp's catalogue.
    let dealer = app.add_dealer(&token, None).await;
    let dealer_token = app.dealer_token(&corp.corp_id, &dealer).await;
    app.get("/v2/products", Some(&dealer_token)).await.assert_error(4031001);
}
