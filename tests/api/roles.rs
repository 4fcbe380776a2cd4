//! Custom member roles and the feature catalogue (seed 004 ops 12–15, CONTRACT "Who sees what").

use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, Backend},
};

both_backends!(
    feature_catalogue_lists_the_grantable_features,
    create_role_answers_the_role,
    create_role_validates_its_body,
    update_role_changes_name_and_features,
    role_list_holds_only_the_corps_roles,
    a_role_in_use_cannot_be_deleted,
    a_custom_role_members_permissions_follow_the_role,
);

fn role_path(id: i64) -> String {
    format!("/v2/member_role/{id}")
}

/// A role's features, sorted (the order is not part of the contract).
fn features(role: &Value) -> Vec<i64> {
    let mut f: Vec<i64> =
        role["features"].as_array().expect("features").iter().map(|f| f.as_i64().expect("feature id")).collect();
    f.sort();
    f
}

/// The roles of a `{count, list}` answer, by id.
fn role_ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().expect("list").iter().map(|r| r["id"].as_i64().expect("id")).collect()
}

async fn feature_catalogue_lists_the_grantable_features(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let a = app.get("/v2/member_role/features", Some(&admin)).await;
    let body = a.assert_ok();
    let list = body["list"].as_array().expect("list");
    assert!(body["count"].as_i64().unwrap() > 0, "{body}");
    assert_eq!(body["count"], json!(list.len()));
    for entry in list {
        assert!(entry["id"].is_i64(), "{entry}");
        assert!(entry["name"].as_str().is_some_and(|n| !n.is_empty()), "{entry}");
        assert!(entry["name_en"].as_str().is_some_and(|n| !n.is_empty()), "{entry}");
    }
    let ids: Vec<i64> = list.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    for id in [1001, 1101] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }

    // Any member reads it, even one whose role grants nothing.
    let nothing = app.add_role(&admin, "nothing", &[]).await;
    let (_, email, password) = app.add_member(&admin, 99, Some(nothing)).await;
    let token = app.login_as(&email, &password).await;
    let a = app.get("/v2/member_role/features", Some(&token)).await;
    assert_eq!(a.assert_ok()["count"], body["count"]);
    app.get("/v2/member_role/features", None).await.assert_error(4031002);
}

async fn create_role_answers_the_role(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let input = json!({ "name": "Support", "features": [1001, 1401] });
    let a = app.post("/v2/member_role_add", &input, Some(&admin)).await;
    let body = a.assert_ok();
    assert!(body["id"].is_i64(), "{body}");
    assert_eq!(body["name"], json!("Support"));
    assert_eq!(features(body), vec![1001, 1401]);
    assert_eq!(body.as_object().unwrap().len(), 3, "id, name, features: {body}");

    // Repeats collapse; no features at all is a valid role.
    let input = json!({ "name": "Twice", "features": [1401, 1001, 1001] });
    let a = app.post("/v2/member_role_add", &input, Some(&admin)).await;
    assert_eq!(features(a.assert_ok()), vec![1001, 1401]);
    let a = app.post("/v2/member_role_add", &json!({ "name": "Empty", "features": [] }), Some(&admin)).await;
    assert_eq!(features(a.assert_ok()), Vec::<i64>::new());

    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(3));
}

async fn create_role_validates_its_body(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;

    let input = json!({ "name": "Bad", "features": [1001, 9999] });
    let unknown = app.post("/v2/member_role_add", &input, Some(&admin)).await;
    unknown.assert_error(4001001);
    assert!(unknown.body["error"]["msg"].as_str().unwrap().contains("features"), "{:?}", unknown.body);

    app.add_role(&admin, "Support", &[1001]).await;
    let dup = app.post("/v2/member_role_add", &json!({ "name": "Support", "features": [] }), Some(&admin)).await;
    dup.assert_error(4001001);
    assert!(dup.body["error"]["msg"].as_str().unwrap().contains("name"), "{:?}", dup.body);
    // The same name in another corp is another role.
    app.add_role(&other_admin, "Support", &[1001]).await;

    let refused = [
        (json!({ "name": "No features" }), 4001002),
        (json!({ "features": [1001] }), 4001002),
        (json!({ "name": "", "features": [1001] }), 4001002),
        (json!({ "name": "   ", "features": [1001] }), 4001002),
        (json!({ "name": "n".repeat(33), "features": [1001] }), 4001001),
        (json!({ "name": "Typed", "features": "1001" }), 4001001),
        (json!({ "name": "Typed", "features": ["1001"] }), 4001001),
        (json!({ "name": 5, "features": [] }), 4001001),
    ];
    for (body, code) in refused {
        let a = app.post("/v2/member_role_add", &body, Some(&admin)).await;
        assert_eq!(a.body["error"]["code"], json!(code), "{body}: {:?}", a.body);
        a.assert_error(code);
    }

    // Only admins write roles.
    let (_, email, password) = app.add_member(&admin, 2, None).await;
    let operations = app.login_as(&email, &password).await;
    let a = app.post("/v2/member_role_add", &json!({ "name": "Mine", "features": [] }), Some(&operations)).await;
    a.assert_error(4031005);
    app.post("/v2/member_role_add", &json!({ "name": "Anon", "features": [] }), None).await.assert_error(4031002);

    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(1), "only the one good role: {:?}", a.body);
}

async fn update_role_changes_name_and_features(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let role = app.add_role(&admin, "Before", &[1001]).await;
    let sibling = app.add_role(&admin, "Sibling", &[]).await;

    let a = app.put(&role_path(role), Some(&json!({ "name": "After", "features": [1101, 1401] })), Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["id"], json!(role));
    assert_eq!(body["name"], json!("After"));
    assert_eq!(features(body), vec![1101, 1401]);

    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    let listed = a.assert_ok()["list"].as_array().unwrap().iter().find(|r| r["id"] == json!(role)).cloned();
    let listed = listed.expect("the updated role is listed");
    assert_eq!(listed["name"], json!("After"));
    assert_eq!(features(&listed), vec![1101, 1401]);

    // Keeping its own name is fine; taking a sibling's is not.
    let a = app.put(&role_path(role), Some(&json!({ "name": "After", "features": [] })), Some(&admin)).await;
    assert_eq!(features(a.assert_ok()), Vec::<i64>::new());
    let a = app.put(&role_path(role), Some(&json!({ "name": "Sibling", "features": [] })), Some(&admin)).await;
    a.assert_error(4001001);
    let a = app.put(&role_path(role), Some(&json!({ "name": "After", "features": [9999] })), Some(&admin)).await;
    a.assert_error(4001001);
    app.put(&role_path(role), Some(&json!({ "name": "After" })), Some(&admin)).await.assert_error(4001002);

    // Another corp's role, or none at all, reads as missing.
    let theirs = app.add_role(&other_admin, "Theirs", &[1001]).await;
    let body = json!({ "name": "Taken over", "features": [1001] });
    app.put(&role_path(theirs), Some(&body), Some(&admin)).await.assert_error(4041029);
    app.put(&role_path(role), Some(&body), Some(&other_admin)).await.assert_error(4041029);
    app.put(&role_path(999_999), Some(&body), Some(&admin)).await.assert_error(4041029);
    app.put("/v2/member_role/abc", Some(&body), Some(&admin)).await.assert_error(4001001);

    let (_, email, password) = app.add_member(&admin, 3, None).await;
    let developer = app.login_as(&email, &password).await;
    app.put(&role_path(sibling), Some(&body), Some(&developer)).await.assert_error(4031005);

    let a = app.get("/v2/member_role_list", Some(&other_admin)).await;
    assert_eq!(a.assert_ok()["list"][0]["name"], json!("Theirs"));
    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    let names: Vec<&str> =
        a.assert_ok()["list"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["After", "Sibling"]);
}

async fn role_list_holds_only_the_corps_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let empty = app.create_corp("empty").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let (empty_admin, _) = app.login(&empty).await;
    let ours = vec![app.add_role(&admin, "One", &[1001]).await, app.add_role(&admin, "Two", &[1101, 1501]).await];
    let theirs = app.add_role(&other_admin, "Three", &[1001]).await;

    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2));
    let mut listed = role_ids(body);
    listed.sort();
    assert_eq!(listed, ours);
    for role in body["list"].as_array().unwrap() {
        assert!(role["id"].is_i64() && role["name"].is_string() && role["features"].is_array(), "{role}");
    }
    let two = body["list"].as_array().unwrap().iter().find(|r| r["name"] == json!("Two")).unwrap();
    assert_eq!(features(two), vec![1101, 1501]);

    let a = app.get("/v2/member_role_list", Some(&other_admin)).await;
    assert_eq!(role_ids(a.assert_ok()), vec![theirs]);
    assert_eq!(a.body["count"], json!(1));
    let a = app.get("/v2/member_role_list", Some(&empty_admin)).await;
    assert_eq!(a.assert_ok(), &json!({ "count": 0, "list": [] }));

    // Operations and developers hold "view roles".
    for role in [2, 3] {
        let (_, email, password) = app.add_member(&admin, role, None).await;
        let token = app.login_as(&email, &password).await;
        let a = app.get("/v2/member_role_list", Some(&token)).await;
        assert_eq!(a.assert_ok()["count"], json!(2));
    }
    app.get("/v2/member_role_list", None).await.assert_error(4031002);
}

async fn a_role_in_use_cannot_be_deleted(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let role = app.add_role(&admin, "Held", &[1001]).await;
    let (member, email, password) = app.add_member(&admin, 99, Some(role)).await;

    app.delete(&role_path(role), Some(&admin)).await.assert_error(4001099);
    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    assert!(role_ids(a.assert_ok()).contains(&role), "still listed: {:?}", a.body);

    // Not by a non-admin, not by another corp.
    let (_, ops_email, ops_password) = app.add_member(&admin, 2, None).await;
    let operations = app.login_as(&ops_email, &ops_password).await;
    let member_token = app.login_as(&email, &password).await;
    app.delete(&role_path(role), Some(&operations)).await.assert_error(4031005);
    app.delete(&role_path(role), Some(&member_token)).await.assert_error(4031005);
    app.delete(&role_path(role), Some(&other_admin)).await.assert_error(4041029);
    app.delete(&role_path(role), None).await.assert_error(4031002);
    app.delete("/v2/member_role/abc", Some(&admin)).await.assert_error(4001001);

    app.put(&format!("/v2/corp/member/{member}/role/2"), None, Some(&admin)).await.assert_empty();
    app.delete(&role_path(role), Some(&admin)).await.assert_empty();
    let a = app.get("/v2/member_role_list", Some(&admin)).await;
    assert!(!role_ids(a.assert_ok()).contains(&role), "gone: {:?}", a.body);
    app.delete(&role_path(role), Some(&admin)).await.assert_error(4041029);
    let back = json!({ "name": "Back", "features": [] });
    app.put(&role_path(role), Some(&back), Some(&admin)).await.assert_error(4041029);

    // The member keeps working under its new role.
    let a = app.get(&format!("/v2/corp/member/{member}"), Some(&member_token)).await;
    assert_eq!(a.assert_ok()["role"], json!(2));
    assert!(a.body["role_id"].is_null());
    // A deleted role cannot be given.
    let choice = json!({ "role_id": role });
    let a = app.put(&format!("/v2/corp/member/{member}/role/99"), Some(&choice), Some(&admin)).await;
    a.assert_error(4041029);
}

async fn a_custom_role_members_permissions_follow_the_role(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let role = app.add_role(&admin, "Viewer", &[1001]).await;
    let (member, email, password) = app.add_member(&admin, 99, Some(role)).await;
    let token = app.login_as(&email, &password).await;

    app.get("/v2/corp/members", Some(&token)).await.assert_ok();
    app.get(&format!("/v2/corp/member/{}", corp.member_id), Some(&token)).await.assert_ok();
    app.get("/v2/member_role_list", Some(&token)).await.assert_error(4031001);
    // Features never make a custom member an admin.
    let (target, _, _) = app.add_member(&admin, 2, None).await;
    app.put(&format!("/v2/corp/member/{target}/disable"), None, Some(&token)).await.assert_error(4031005);

    // The admin takes the feature away: the same token loses it at its next call.
    app.put(&role_path(role), Some(&json!({ "name": "Viewer", "features": [] })), Some(&admin)).await.assert_ok();
    app.get("/v2/corp/members", Some(&token)).await.assert_error(4031001);
    app.post("/v2/corp/member_list", &json!({}), Some(&token)).await.assert_error(4031001);
    app.get(&format!("/v2/corp/member/{}", corp.member_id), Some(&token)).await.assert_error(4031001);
    app.get(&format!("/v2/corp/member/{member}"), Some(&token)).await.assert_ok();
    app.get("/v2/corp", Some(&token)).await.assert_ok();

    // And gets features back the same way.
    let restored = json!({ "name": "Viewer", "features": [1001, 1101] });
    app.put(&role_path(role), Some(&restored), Some(&admin)).await.assert_ok();
    app.get("/v2/corp/members", Some(&token)).await.assert_ok();
    let a = app.get("/v2/member_role_list", Some(&token)).await;
    assert_eq!(role_ids(a.assert_ok()), vec![role]);

    // Moved to another custom role, the member holds that role's features.
    let other_role = app.add_role(&admin, "Roles only", &[1101]).await;
    let choice = json!({ "role_id": other_role });
    app.put(&format!("/v2/corp/member/{member}/role/99"), Some(&choice), Some(&admin)).await.assert_empty();
    app.get("/v2/corp/members", Some(&token)).await.assert_error(4031001);
    app.get("/v2/member_role_list", Some(&token)).await.assert_ok();
}
