//! Who may do what, for the partners (issue 20): every `/v2` operation of the OpenAPI document,
//! called by a dealer, a key account, an admin and a member of its root organization, first on
//! their own tenant and then on another one (a sibling dealer, another key account). A partner
//! is refused every corp operation (4031001), every operation of another kind of partner, every
//! write its role lacks (4031020), and another tenant of its own kind reads as missing (404).
//! The bodies are made from the document's request schemas, so a new operation is covered the
//! day it is documented. Every wrong cell is collected, so one failure lists them all.

use serde_json::{json, Map, Value};

use crate::{
    both_backends,
    helpers::{spawn, Answer, Backend, TestApp, DEALER_PASSWORD},
};

both_backends!(every_partner_against_every_operation);

const ORG_PASSWORD: &str = "Passw0rdOk";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Dealer,
    KeyAccount,
    OrgAdmin,
    OrgMember,
}

const PARTNERS: [Who; 4] = [Who::Dealer, Who::KeyAccount, Who::OrgAdmin, Who::OrgMember];

/// What a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything but a refusal (200, or a validation answer to the made-up body).
    Allowed,
    /// Exactly this error code.
    Code(u32),
}

const NOT_FOR_YOU: Expect = Expect::Code(4031001);
const NEEDS_ORG_ADMIN: Expect = Expect::Code(4031020);
const NO_DEALER: Expect = Expect::Code(4041030);
const NO_HEAVY_BUYER: Expect = Expect::Code(4041031);

/// Operations that take no token (a partner's public sign-in entry: `console.rs` covers it), or
/// that other tests cover in depth.
fn skipped(method: &str, path: &str) -> bool {
    path.ends_with("_auth")
        || path.ends_with("/token/refresh")
        || path == "/v2/openapi.json"
        || method == "get" && path.ends_with("/entry_config")
}

/// The dealer's own operations (its profile, its dealers, its devices).
fn dealer_op(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("get", "/v2/dealer/{dealer_id}")
            | ("get", "/v2/dealer/dealer_code/{dealer_code}")
            | ("post", "/v2/dealer_list")
            | ("post", "/v2/dealer/product/{product_id}/devices")
            // Its sales ledger (issue 14) and the statistics over it.
            | ("post", "/v2/dealer/{dealer_id}/add_client_info/upload")
            | ("get" | "put" | "delete", "/v2/dealer/client_info/{sale_id}")
            | ("post", "/v2/dealer/{dealer_id}/sale_summary")
            | ("get", "/v2/statistics/dealer/sale_trend")
            | ("get", "/v2/statistics/dealer/sale_region")
    )
}

/// The key account's own operations: reads anyone of it may make, and writes for its managers.
fn key_account_read(method: &str, path: &str) -> bool {
    matches!(
        (method, path),
        ("get", "/v2/heavy_buyer/{heavy_buyer_id}")
            | ("post", "/v2/heavy_buyer/{heavy_buyer_id}/organization_list")
            | ("post", "/v2/heavy_buyer/{heavy_buyer_id}/user_list")
            | ("post", "/v2/heavy_buyer/product/{product_id}/devices")
    )
}

fn key_account_write(method: &str, path: &str) -> bool {
    let managed = [
        "/v2/heavy_buyer/{heavy_buyer_id}/organization",
        "/v2/heavy_buyer/{heavy_buyer_id}/organization_list",
        "/v2/heavy_buyer/{heavy_buyer_id}/organization/{id}",
        "/v2/heavy_buyer/{heavy_buyer_id}/organization/{id}/grant_device",
        "/v2/heavy_buyer/{heavy_buyer_id}/user",
        "/v2/heavy_buyer/{heavy_buyer_id}/user/{id}",
    ];
    method != "get" && managed.contains(&path) && !key_account_read(method, path)
}

/// The expected answer of `who` calling `method path` on its own tenant, or on another.
fn expected(who: Who, method: &str, path: &str, own: bool) -> Expect {
    let key_account_audit = path == "/v2/heavy_buyer/{heavy_buyer_id}/audit_log";
    let key_account_side = key_account_read(method, path) || key_account_write(method, path) || key_account_audit;
    match who {
        Who::Dealer if dealer_op(method, path) => {
            // The device list names a product, not a dealer: the same for both.
            if own || !path.contains("{dealer_id}") && !path.contains("{dealer_code}") {
                Expect::Allowed
            } else {
                NO_DEALER
            }
        }
        Who::Dealer => NOT_FOR_YOU,
        _ if !key_account_side => NOT_FOR_YOU,
        _ if !own && path.contains("{heavy_buyer_id}") => NO_HEAVY_BUYER,
        Who::OrgMember if key_account_audit => NOT_FOR_YOU,
        Who::OrgMember if key_account_write(method, path) => NEEDS_ORG_ADMIN,
        _ => Expect::Allowed,
    }
}

/// A value of the shape `schema` asks for (required fields only), for a body that gets past
/// decoding so the rules decide.
fn sample(schema: &Value) -> Value {
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("string") if schema["format"] == json!("date-time") => json!("2020-01-01T00:00:00Z"),
        Some("string") => json!("x"),
        Some("integer") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => {
            let mut out = Map::new();
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                out.insert(name.to_owned(), sample(&schema["properties"][name]));
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

struct Tenant {
    dealer_id: i64,
    dealer_code: String,
    heavy_buyer_id: i64,
    organization: i64,
    user: i64,
}

async fn every_partner_against_every_operation(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (product, device) = app.product_with_device(&admin).await;

    let ours = tenant(&app, &admin, &corp.corp_id).await;
    let theirs = tenant(&app, &admin, &corp.corp_id).await;
    let dealer = app.get(&format!("/v2/dealer/{}", ours.dealer_id), Some(&admin)).await.assert_ok().clone();
    let dealer_email = dealer["email"].as_str().unwrap().to_owned();
    let dealer_token = app.dealer_auth(&corp.corp_id, &dealer_email, DEALER_PASSWORD).await.assert_ok()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = app.get(&format!("/v2/heavy_buyer/{}", ours.heavy_buyer_id), Some(&admin)).await.assert_ok().clone();
    let account = app.heavy_buyer_token(&corp.corp_id, &buyer).await;
    let users = format!("/v2/heavy_buyer/{}/user", ours.heavy_buyer_id);
    let mut org_tokens = Vec::new();
    for (name, role) in [("orgadmin", 1), ("orgmember", 2)] {
        let body = json!({ "username": name, "password": ORG_PASSWORD, "organization": 0, "role": role });
        app.post(&users, &body, Some(&account)).await.assert_ok();
        let auth = json!({ "heavy_buyer_id": ours.heavy_buyer_id, "username": name, "password": ORG_PASSWORD });
        let a = app.post("/v2/heavy_buyer_auth", &auth, None).await;
        org_tokens.push(a.assert_ok()["access_token"].as_str().unwrap().to_owned());
    }
    let token = |who: Who| match who {
        Who::Dealer => dealer_token.clone(),
        Who::KeyAccount => account.clone(),
        Who::OrgAdmin => org_tokens[0].clone(),
        Who::OrgMember => org_tokens[1].clone(),
    };

    let document = backoffice::server::api::document("v2").expect("the /v2 document");
    let mut wrong = Vec::new();
    let mut cells = 0;
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            if skipped(method, path) {
                continue;
            }
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            let body = sample(schema);
            for who in PARTNERS {
                for own in [true, false] {
                    let t = if own { &ours } else { &theirs };
                    let url = fill(path, t, &product, device);
                    let expect = expected(who, method, path, own);
                    let answer = call(&app, method, &url, &body, &token(who)).await;
                    cells += 1;
                    if let Some(problem) = judge(&answer, expect) {
                        let side = if own { "own" } else { "other" };
                        wrong.push(format!("{who:?} {method} {path} ({side}): expected {expect:?}, {problem}"));
                    }
                }
            }
        }
    }
    assert!(cells > 300, "the document lists every operation: {cells} cells");
    assert!(wrong.is_empty(), "{} wrong cell(s):\n{}", wrong.len(), wrong.join("\n"));
}

/// A dealer and a key account with an organization and a user, as the corp makes them.
async fn tenant(app: &TestApp, admin: &str, corp_id: &str) -> Tenant {
    let dealer = app.add_dealer(admin, None).await;
    let buyer = app.add_heavy_buyer(admin).await;
    let hb = buyer["id"].as_i64().unwrap();
    let account = app.heavy_buyer_token(corp_id, &buyer).await;
    let org = app
        .post(&format!("/v2/heavy_buyer/{hb}/organization"), &json!({ "name": "Scratch", "parent": 0 }), Some(&account))
        .await;
    let organization = org.assert_ok()["id"].as_i64().unwrap();
    let user = json!({ "username": "scratch", "password": ORG_PASSWORD, "organization": organization, "role": 2 });
    let user = app.post(&format!("/v2/heavy_buyer/{hb}/user"), &user, Some(&account)).await.assert_ok()["id"]
        .as_i64()
        .unwrap();
    Tenant {
        dealer_id: dealer["id"].as_i64().unwrap(),
        dealer_code: dealer["dealer_code"].as_str().unwrap().to_owned(),
        heavy_buyer_id: hb,
        organization,
        user,
    }
}

/// The operation's path with the tenant's ids in it (and the query a grant takes).
fn fill(path: &str, t: &Tenant, product: &str, device: i64) -> String {
    let id = if path.contains("/user/") { t.user } else { t.organization };
    let mut url = path
        .replace("{dealer_id}", &t.dealer_id.to_string())
        .replace("{dealer_code}", &t.dealer_code)
        .replace("{heavy_buyer_id}", &t.heavy_buyer_id.to_string())
        .replace("{product_id}", product)
        .replace("{device_id}", &device.to_string())
        .replace("{member_id}", "1")
        .replace("{role_id}", "1")
        .replace("{role_type}", "3")
        .replace("{status}", "1")
        .replace("{sale_id}", "1")
        .replace("{id}", &id.to_string());
    if path.ends_with("/grant_device") && !path.contains("/organization/") || path.ends_with("/revoke_device") {
        url.push_str(&format!("?product_id={product}"));
    }
    url
}

async fn call(app: &TestApp, method: &str, url: &str, body: &Value, token: &str) -> Answer {
    let request = match method {
        "get" => app.client.get(app.url(url)),
        "post" => app.client.post(app.url(url)).json(body),
        "put" => app.client.put(app.url(url)).json(body),
        _ => app.client.delete(app.url(url)),
    };
    app.send(request.header("Access-Token", token)).await
}

/// `None` when the answer is what the cell expects, else what was wrong.
fn judge(a: &Answer, expect: Expect) -> Option<String> {
    let status = u32::from(a.status.as_u16());
    let code = a.body["error"]["code"].as_u64().map(|c| c as u32);
    if status >= 500 {
        return Some(format!("got {status}: {}", a.body));
    }
    if status != 200 && code.is_none_or(|c| c / 10_000 != status) {
        return Some(format!("got {status} without a matching error body: {}", a.body));
    }
    match expect {
        Expect::Allowed => match code {
            Some(c @ (4031001..=4031099 | 4041030 | 4041031)) => Some(format!("refused with {c}: {}", a.body)),
            _ => None,
        },
        Expect::Code(want) if code == Some(want) => None,
        Expect::Code(_) => Some(format!("got {status} {:?}: {}", code, a.body)),
    }
}
