//! Agents (issue 17; seed 003 六): a dealer lists, adds and removes its own sub-dealers on `/api`;
//! removal follows CONTRACT.md's delete rule (refused while dealers sit below, naming them).

use serde_json::{json, Value};

use crate::{
    helpers::{new_dealer, spawn, Backend, DEALER_PASSWORD},
    operations::{platform_token, register_vendor, vendor_token},
};

crate::both_backends!(a_dealer_runs_its_own_sub_dealers);

fn codes(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|d| d["dealer_code"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn a_dealer_runs_its_own_sub_dealers(backend: Backend) {
    let app = spawn(backend).await;
    let platform = platform_token(&app).await;
    let v = register_vendor(&app, &platform, "Agents").await;
    let other = register_vendor(&app, &platform, "Elsewhere").await;
    let vendor = vendor_token(&app, &v).await;
    let other_vendor = vendor_token(&app, &other).await;
    let top = app.add_dealer(&vendor, None).await;
    let sibling = app.add_dealer(&vendor, None).await;
    let top_token = app.dealer_token(&v.vid, &top).await;
    let sibling_token = app.dealer_token(&v.vid, &sibling).await;
    let top_code = top["dealer_code"].as_str().unwrap();

    assert_eq!(app.get("/api/agents", Some(&top_token)).await.body["total"], json!(0));
    // Adding: always directly below the caller, whatever the body says of an upper dealer.
    let mut body = new_dealer("sub one", Some(sibling["dealer_code"].as_str().unwrap()));
    let sub = app.post("/api/agents", &body, Some(&top_token)).await.ok_envelope(201).clone();
    assert_eq!(sub["upper_dealer_code"], json!(top_code));
    let sub_token = app.dealer_token(&v.vid, &sub).await;
    body = new_dealer("sub two", None);
    let below_sub = app.post("/api/agents", &body, Some(&sub_token)).await.ok_envelope(201).clone();
    // The list: every dealer below the caller (not itself, not a sibling).
    let listed = app.get("/api/agents", Some(&top_token)).await;
    assert_eq!(listed.body["total"], json!(2));
    let mut wanted =
        vec![sub["dealer_code"].as_str().unwrap().to_owned(), below_sub["dealer_code"].as_str().unwrap().to_owned()];
    wanted.sort();
    assert_eq!(codes(listed.ok_envelope(200)), wanted);
    assert_eq!(app.get("/api/agents", Some(&sibling_token)).await.body["total"], json!(0));
    // The vendor sees them among its dealers.
    let all = app.post("/v2/dealer_list", &json!({ "limit": 50 }), Some(&vendor)).await;
    assert_eq!(all.assert_ok()["count"], json!(4));
    // Bad input changes nothing; an account taken is refused.
    let bad = json!({ "name": "", "email": "x@example.com", "phone": "13800000000", "password": DEALER_PASSWORD });
    app.post("/api/agents", &bad, Some(&top_token)).await.assert_failure(4221002);
    let mut dup = new_dealer("dup", None);
    dup["email"] = sub["email"].clone();
    app.post("/api/agents", &dup, Some(&top_token)).await.assert_failure(4221006);
    assert_eq!(app.get("/api/agents", Some(&top_token)).await.body["total"], json!(2));

    // Removing: only one's own sub-dealers, and only once nothing sits below them.
    let sub_id = sub["id"].as_i64().unwrap();
    let below_id = below_sub["id"].as_i64().unwrap();
    let refused = app.delete(&format!("/api/agents/{sub_id}"), Some(&top_token)).await;
    refused.assert_failure(4221001);
    assert!(refused.body["message"].as_str().unwrap().contains(below_sub["dealer_code"].as_str().unwrap()));
    app.delete(&format!("/api/agents/{sub_id}"), Some(&sibling_token)).await.assert_failure(4041030);
    app.delete(&format!("/api/agents/{below_id}"), Some(&top_token)).await.assert_failure(4031001);
    let top_id = top["id"].as_i64().unwrap();
    app.delete(&format!("/api/agents/{top_id}"), Some(&sub_token)).await.assert_failure(4041030);
    app.delete(&format!("/api/agents/{below_id}"), Some(&other_vendor)).await.assert_failure(4031001);
    let gone = app.delete(&format!("/api/agents/{below_id}"), Some(&sub_token)).await;
    assert_eq!(gone.status.as_u16(), 204);
    // Its logins ended with it.
    let email = below_sub["email"].as_str().unwrap();
    app.dealer_auth(&v.vid, email, DEALER_PASSWORD).await.assert_error(4001007);
    let gone = app.delete(&format!("/api/agents/{sub_id}"), Some(&top_token)).await;
    assert_eq!(gone.status.as_u16(), 204);
    assert_eq!(app.get("/api/agents", Some(&top_token)).await.body["total"], json!(0));
    // Not for members or users: agents are the dealers' own.
    app.get("/api/agents", Some(&vendor)).await.assert_failure(4031001);
    app.post("/api/agents", &new_dealer("x", None), Some(&vendor)).await.assert_failure(4031001);
}
