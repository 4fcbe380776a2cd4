//! Corp members (seed 004 ops 4–11 and 16, CONTRACT "Who sees what", "Lists"): reading,
//! listing, adding, editing one's own information, roles, disabling and enabling, passwords,
//! deleting.

use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, unique_email, unique_phone, Backend, TestApp, MEMBER_PASSWORD},
};

both_backends!(
    get_member_answers_every_field,
    get_member_is_scoped_and_checked,
    list_members_pages_and_stays_in_the_corp,
    member_list_takes_the_query_language,
    add_member_answers_the_new_member,
    add_member_refuses_taken_email_and_phone,
    add_member_validates_its_fields,
    add_member_needs_an_admin,
    a_member_edits_only_its_own_information,
    admin_sets_other_members_roles,
    disable_ends_logins_and_enable_restores_them,
    admin_resets_a_members_password,
    a_member_changes_its_own_password,
    admin_deletes_members,
);

const MEMBER_FIELDS: [&str; 11] = [
    "id",
    "name",
    "phone",
    "email",
    "create_time",
    "last_auth_time",
    "role",
    "is_notice",
    "is_alert",
    "status",
    "role_id",
];

fn member_path(id: i64) -> String {
    format!("/v2/corp/member/{id}")
}

/// The ids of a `{count, list}` answer.
fn ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().expect("list").iter().map(|m| m["id"].as_i64().expect("id")).collect()
}

/// A valid `member_add` body with a fresh email and phone.
fn new_member(name: &str, role: i64) -> Value {
    json!({
        "email": unique_email("new"),
        "phone": unique_phone(),
        "name": name,
        "password": MEMBER_PASSWORD,
        "type": role,
    })
}

/// The number of members the caller's corp has.
async fn member_count(app: &TestApp, token: &str) -> i64 {
    let a = app.get("/v2/corp/members?offset=0&limit=1000", Some(token)).await;
    a.assert_ok()["count"].as_i64().expect("count")
}

async fn get_member_answers_every_field(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (id, email, password) = app.add_member(&admin, 2, None).await;

    let a = app.get(&member_path(id), Some(&admin)).await;
    let body = a.assert_ok();
    let fields = body.as_object().expect("an object");
    for key in MEMBER_FIELDS {
        assert!(fields.contains_key(key), "{key} missing: {body}");
    }
    assert_eq!(body["id"], json!(id));
    assert_eq!(body["email"], json!(email));
    assert_eq!(body["role"], json!(2));
    assert_eq!(body["status"], json!(1));
    assert!(body["role_id"].is_null(), "no custom role: {body}");
    assert!(body["is_notice"].is_boolean() && body["is_alert"].is_boolean(), "{body}");
    assert!(body["phone"].as_str().is_some_and(|p| p.starts_with("139")), "{body}");
    let created = body["create_time"].as_str().expect("create_time");
    assert!(created.len() == 24 && created.ends_with('Z'), "{created}");
    assert!(!fields.contains_key("password") && !body.to_string().contains("argon2"), "no password: {body}");

    // Once the member has logged in, its last authentication time is a time.
    app.login_as(&email, &password).await;
    let a = app.get(&member_path(id), Some(&admin)).await;
    let last = a.assert_ok()["last_auth_time"].as_str().expect("last_auth_time after a login").to_owned();
    assert!(last.len() == 24 && last.ends_with('Z'), "{last}");

    // The admin reads itself too.
    let a = app.get(&member_path(corp.member_id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(1));
    assert_eq!(a.body["email"], json!(corp.email));
}

async fn get_member_is_scoped_and_checked(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;

    app.get(&member_path(other.member_id), Some(&admin)).await.assert_error(4041003);
    app.get(&member_path(999_999), Some(&admin)).await.assert_error(4041003);
    app.get("/v2/corp/member/abc", Some(&admin)).await.assert_error(4001001);
    app.get(&member_path(corp.member_id), None).await.assert_error(4031002);

    // A developer holds "view members", so it reads the others.
    let (dev, dev_email, dev_password) = app.add_member(&admin, 3, None).await;
    let dev_token = app.login_as(&dev_email, &dev_password).await;
    let a = app.get(&member_path(corp.member_id), Some(&dev_token)).await;
    assert_eq!(a.assert_ok()["id"], json!(corp.member_id));
    app.get(&member_path(other.member_id), Some(&dev_token)).await.assert_error(4041003);

    // A member whose role grants nothing still reads itself, and nobody else.
    let nothing = app.add_role(&admin, "nothing", &[]).await;
    let (bare, bare_email, bare_password) = app.add_member(&admin, 99, Some(nothing)).await;
    let bare_token = app.login_as(&bare_email, &bare_password).await;
    let a = app.get(&member_path(bare), Some(&bare_token)).await;
    assert_eq!(a.assert_ok()["role"], json!(99));
    assert_eq!(a.body["role_id"], json!(nothing));
    app.get(&member_path(dev), Some(&bare_token)).await.assert_error(4031001);
    app.get(&member_path(corp.member_id), Some(&bare_token)).await.assert_error(4031001);
}

async fn list_members_pages_and_stays_in_the_corp(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let mut ours = vec![corp.member_id];
    for role in [2, 3, 2] {
        ours.push(app.add_member(&admin, role, None).await.0);
    }
    let (theirs, _, _) = app.add_member(&other_admin, 2, None).await;

    let a = app.get("/v2/corp/members?offset=0&limit=2", Some(&admin)).await;
    let first = a.assert_ok().clone();
    assert_eq!(first["count"], json!(4), "count is every member, not the page: {first}");
    assert_eq!(first["list"].as_array().unwrap().len(), 2);
    let a = app.get("/v2/corp/members?offset=2&limit=2", Some(&admin)).await;
    let second = a.assert_ok().clone();
    assert_eq!(second["count"], json!(4));
    let mut seen = ids(&first);
    seen.extend(ids(&second));
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "id ascending by default: {seen:?}");
    let mut expected = ours.clone();
    expected.sort();
    assert_eq!(seen, expected, "the two pages are exactly our members");
    for member in first["list"].as_array().unwrap() {
        for key in MEMBER_FIELDS {
            assert!(member.get(key).is_some(), "{key} missing: {member}");
        }
    }

    // The other corp sees only its own.
    let a = app.get("/v2/corp/members?offset=0&limit=100", Some(&other_admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2));
    let mut listed = ids(body);
    listed.sort();
    let mut theirs_all = vec![other.member_id, theirs];
    theirs_all.sort();
    assert_eq!(listed, theirs_all);

    // Without parameters: the defaults.
    let a = app.get("/v2/corp/members", Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(4));
    assert_eq!(a.body["list"].as_array().unwrap().len(), 4);

    for bad in ["limit=0", "limit=1001", "offset=-1", "limit=abc"] {
        let a = app.get(&format!("/v2/corp/members?{bad}"), Some(&admin)).await;
        a.assert_error(4001001);
    }
    app.get("/v2/corp/members?offset=0&limit=1000", Some(&admin)).await.assert_ok();
    app.get("/v2/corp/members", None).await.assert_error(4031002);
}

async fn member_list_takes_the_query_language(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let mut alices = Vec::new();
    for name in ["Alice Zhang", "alice wu"] {
        let a = app.post("/v2/corp/member_add", &new_member(name, 2), Some(&admin)).await;
        alices.push(a.assert_ok()["id"].as_i64().unwrap());
    }
    app.post("/v2/corp/member_add", &new_member("Bob", 3), Some(&admin)).await.assert_ok();
    app.post("/v2/corp/member_add", &new_member("Alice Elsewhere", 2), Some(&other_admin)).await.assert_ok();

    let query = json!({
        "query": { "name": { "$like": "alice" } },
        "order": { "id": "desc" },
        "filter": ["id", "name"],
    });
    let a = app.post("/v2/corp/member_list", &query, Some(&admin)).await;
    let body = a.assert_ok();
    assert_eq!(body["count"], json!(2), "{body}");
    alices.reverse();
    assert_eq!(ids(body), alices, "only this corp's, id descending");
    for member in body["list"].as_array().unwrap() {
        let keys: Vec<&String> = member.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 2, "only the filtered keys: {member}");
        assert!(member["id"].is_i64() && member["name"].as_str().unwrap().to_lowercase().contains("alice"));
    }

    let paged = json!({ "offset": 1, "limit": 1, "query": { "name": { "$like": "ALICE" } } });
    let a = app.post("/v2/corp/member_list", &paged, Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(2));
    assert_eq!(a.body["list"].as_array().unwrap().len(), 1);

    let a = app.post("/v2/corp/member_list", &json!({}), Some(&admin)).await;
    assert_eq!(a.assert_ok()["count"], json!(4));

    let by_password = json!({ "query": { "password": { "$eq": "x" } } });
    let secret = app.post("/v2/corp/member_list", &by_password, Some(&admin)).await;
    secret.assert_error(4001001);
    assert!(secret.body["error"]["msg"].as_str().unwrap().contains("password"), "{:?}", secret.body);
    let refused = [
        json!({ "filter": ["id", "password"] }),
        json!({ "query": { "nope": 1 } }),
        json!({ "query": { "name": { "$regex": "a" } } }),
        json!({ "limit": 0 }),
        json!({ "limit": 1001 }),
    ];
    for body in refused {
        app.post("/v2/corp/member_list", &body, Some(&admin)).await.assert_error(4001001);
    }
}

async fn add_member_answers_the_new_member(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;

    let input = new_member("New Developer", 3);
    let a = app.post("/v2/corp/member_add", &input, Some(&admin)).await;
    let body = a.assert_ok();
    for key in MEMBER_FIELDS {
        assert!(body.get(key).is_some(), "{key} missing: {body}");
    }
    assert!(body["id"].is_i64());
    assert_eq!(body["name"], json!("New Developer"));
    assert_eq!(body["email"], input["email"]);
    assert_eq!(body["phone"], input["phone"]);
    assert_eq!(body["role"], json!(3));
    assert_eq!(body["status"], json!(1));
    assert!(body["role_id"].is_null());
    assert!(body.get("password").is_none());
    let id = body["id"].as_i64().unwrap();

    // It can log in at once, with its email or its phone.
    let token = app.login_as(input["email"].as_str().unwrap(), MEMBER_PASSWORD).await;
    app.login_as(input["phone"].as_str().unwrap(), MEMBER_PASSWORD).await;
    let a = app.get("/v2/corp", Some(&token)).await;
    assert_eq!(a.assert_ok()["member"]["id"], json!(id));
    assert_eq!(a.body["id"], json!(corp.corp_id));

    // A custom-role member carries its role id.
    let role = app.add_role(&admin, "support", &[1001]).await;
    let mut custom = new_member("Support", 99);
    custom["role_id"] = json!(role);
    let a = app.post("/v2/corp/member_add", &custom, Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(99));
    assert_eq!(a.body["role_id"], json!(role));
}

async fn add_member_refuses_taken_email_and_phone(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let first = new_member("First", 2);
    app.post("/v2/corp/member_add", &first, Some(&admin)).await.assert_ok();

    let mut same_email = new_member("Second", 2);
    same_email["email"] = first["email"].clone();
    app.post("/v2/corp/member_add", &same_email, Some(&admin)).await.assert_error(4001006);
    same_email["email"] = json!(first["email"].as_str().unwrap().to_uppercase());
    app.post("/v2/corp/member_add", &same_email, Some(&admin)).await.assert_error(4001006);

    let mut same_phone = new_member("Second", 2);
    same_phone["phone"] = first["phone"].clone();
    app.post("/v2/corp/member_add", &same_phone, Some(&admin)).await.assert_error(4001005);

    // Members log in with the email or phone alone: unique across corps as well.
    let mut elsewhere = new_member("Elsewhere", 2);
    elsewhere["email"] = first["email"].clone();
    app.post("/v2/corp/member_add", &elsewhere, Some(&other_admin)).await.assert_error(4001006);
    let mut elsewhere = new_member("Elsewhere", 2);
    elsewhere["phone"] = json!(corp.phone);
    app.post("/v2/corp/member_add", &elsewhere, Some(&other_admin)).await.assert_error(4001005);
    let mut elsewhere = new_member("Elsewhere", 2);
    elsewhere["email"] = json!(corp.email);
    app.post("/v2/corp/member_add", &elsewhere, Some(&other_admin)).await.assert_error(4001006);

    assert_eq!(member_count(&app, &admin).await, 2);
    assert_eq!(member_count(&app, &other_admin).await, 1);
}

async fn add_member_validates_its_fields(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let theirs = app.add_role(&other_admin, "theirs", &[1001]).await;

    // (what is wrong, the fields to change in a valid body (null: leave the field out), the code)
    let cases = [
        ("bad email", json!({ "email": "not-an-email" }), 4001001),
        ("email with a space", json!({ "email": "a b@example.com" }), 4001001),
        ("5-char password", json!({ "password": "12345" }), 4001001),
        ("17-char password", json!({ "password": "a".repeat(17) }), 4001001),
        ("missing name", json!({ "name": null }), 4001002),
        ("empty name", json!({ "name": "" }), 4001002),
        ("blank name", json!({ "name": "   " }), 4001002),
        ("33-char name", json!({ "name": "n".repeat(33) }), 4001001),
        ("numeric name", json!({ "name": 5 }), 4001001),
        ("missing email", json!({ "email": null }), 4001002),
        ("missing phone", json!({ "phone": null }), 4001002),
        ("bad phone", json!({ "phone": "abc" }), 4001001),
        ("missing password", json!({ "password": null }), 4001002),
        ("missing type", json!({ "type": null }), 4001002),
        ("type as a string", json!({ "type": "2" }), 4001001),
        ("type 7", json!({ "type": 7 }), 4001001),
        ("type 99 without role_id", json!({ "type": 99 }), 4001002),
        ("type 99 with another corp's role", json!({ "type": 99, "role_id": theirs }), 4041029),
        ("type 99 with no such role", json!({ "type": 99, "role_id": 999_999 }), 4041029),
    ];
    for (what, patch, code) in cases {
        let mut body = new_member("Valid Name", 2);
        for (key, value) in patch.as_object().unwrap() {
            if value.is_null() {
                body.as_object_mut().unwrap().remove(key.as_str());
            } else {
                body[key.as_str()] = value.clone();
            }
        }
        let a = app.post("/v2/corp/member_add", &body, Some(&admin)).await;
        assert_eq!(a.body["error"]["code"], json!(code), "{what}: {:?}", a.body);
        a.assert_error(code);
    }
    assert_eq!(member_count(&app, &admin).await, 1, "nothing was added");
}

async fn add_member_needs_an_admin(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let reader = app.add_role(&admin, "reader", &[1001, 1101]).await;
    for (role, role_id) in [(2, None), (3, None), (99, Some(reader))] {
        let (_, email, password) = app.add_member(&admin, role, role_id).await;
        let token = app.login_as(&email, &password).await;
        let a = app.post("/v2/corp/member_add", &new_member("Sneaky", 2), Some(&token)).await;
        a.assert_error(4031005);
        let a = app.post("/v2/corp/member_add", &new_member("Sneaky", 1), Some(&token)).await;
        a.assert_error(4031005);
    }
    app.post("/v2/corp/member_add", &new_member("Nobody", 2), None).await.assert_error(4031002);
    assert_eq!(member_count(&app, &admin).await, 4);
}

async fn a_member_edits_only_its_own_information(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (id, email, password) = app.add_member(&admin, 2, None).await;
    let token = app.login_as(&email, &password).await;

    for (notice, alert) in [(false, true), (true, false)] {
        let name = format!("Renamed {notice}");
        let edit = json!({ "name": name, "is_notice": notice, "is_alert": alert });
        app.put(&member_path(id), Some(&edit), Some(&token)).await.assert_empty();
        let a = app.get(&member_path(id), Some(&token)).await;
        let body = a.assert_ok();
        assert_eq!(body["name"], json!(name));
        assert_eq!(body["is_notice"], json!(notice));
        assert_eq!(body["is_alert"], json!(alert));
        assert_eq!(body["role"], json!(2), "the role is not editable here");
    }
    // The admin edits itself too.
    let edit = json!({ "name": "Boss", "is_notice": true, "is_alert": true });
    app.put(&member_path(corp.member_id), Some(&edit), Some(&admin)).await.assert_empty();
    let a = app.get("/v2/corp", Some(&admin)).await;
    assert_eq!(a.assert_ok()["member"]["name"], json!("Boss"));

    // Nobody edits another member's information, not even an admin.
    let other_edit = json!({ "name": "Hacked", "is_notice": true, "is_alert": true });
    app.put(&member_path(corp.member_id), Some(&other_edit), Some(&token)).await.assert_error(4001013);
    app.put(&member_path(id), Some(&other_edit), Some(&admin)).await.assert_error(4001013);
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["name"], json!("Renamed true"));

    let missing = json!({ "name": "X", "is_notice": true });
    app.put(&member_path(id), Some(&missing), Some(&token)).await.assert_error(4001002);
    let empty_name = json!({ "name": "", "is_notice": true, "is_alert": true });
    app.put(&member_path(id), Some(&empty_name), Some(&token)).await.assert_error(4001002);
    let typed = json!({ "name": "X", "is_notice": "yes", "is_alert": true });
    app.put(&member_path(id), Some(&typed), Some(&token)).await.assert_error(4001001);
    app.put(&member_path(id), Some(&other_edit), None).await.assert_error(4031002);
}

async fn admin_sets_other_members_roles(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let (id, email, password) = app.add_member(&admin, 3, None).await;
    let role_path = |role: i64| format!("/v2/corp/member/{id}/role/{role}");

    app.put(&role_path(2), None, Some(&admin)).await.assert_empty();
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(2));
    assert!(a.body["role_id"].is_null());

    let custom = app.add_role(&admin, "viewers", &[1001]).await;
    app.put(&role_path(99), Some(&json!({ "role_id": custom })), Some(&admin)).await.assert_empty();
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(99));
    assert_eq!(a.body["role_id"], json!(custom));

    // Custom needs a role of this corp.
    app.put(&role_path(99), None, Some(&admin)).await.assert_error(4001002);
    let theirs = app.add_role(&other_admin, "theirs", &[1001]).await;
    app.put(&role_path(99), Some(&json!({ "role_id": theirs })), Some(&admin)).await.assert_error(4041029);
    app.put(&role_path(99), Some(&json!({ "role_id": 999_999 })), Some(&admin)).await.assert_error(4041029);
    app.put(&role_path(99), Some(&json!({ "role_id": "one" })), Some(&admin)).await.assert_error(4001001);

    // Back to a built-in role: with an empty body or an empty object; the custom role is cleared.
    app.put(&role_path(3), Some(&json!({})), Some(&admin)).await.assert_empty();
    app.put(&role_path(2), None, Some(&admin)).await.assert_empty();
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(2));
    assert!(a.body["role_id"].is_null(), "{:?}", a.body);

    for bad in [0, 4, 5, 100] {
        app.put(&role_path(bad), None, Some(&admin)).await.assert_error(4001001);
    }
    app.put(&format!("/v2/corp/member/{id}/role/abc"), None, Some(&admin)).await.assert_error(4001001);
    // Not on oneself, not on another corp's member, not by a non-admin.
    app.put(&format!("/v2/corp/member/{}/role/2", corp.member_id), None, Some(&admin)).await.assert_error(4001001);
    app.put(&format!("/v2/corp/member/{}/role/2", other.member_id), None, Some(&admin)).await.assert_error(4041003);
    app.put(&role_path(3), None, Some(&other_admin)).await.assert_error(4041003);
    let token = app.login_as(&email, &password).await;
    let (peer, _, _) = app.add_member(&admin, 3, None).await;
    app.put(&format!("/v2/corp/member/{peer}/role/2"), None, Some(&token)).await.assert_error(4031005);
    app.put(&role_path(1), None, Some(&token)).await.assert_error(4031005);
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["role"], json!(2), "unchanged by the refused calls");

    // Made an admin, the member administers at its next call.
    app.put(&role_path(1), None, Some(&admin)).await.assert_empty();
    app.put(&format!("/v2/corp/member/{peer}/role/2"), None, Some(&token)).await.assert_empty();
}

async fn disable_ends_logins_and_enable_restores_them(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let (id, email, password) = app.add_member(&admin, 2, None).await;
    let token = app.login_as(&email, &password).await;
    app.get("/v2/corp", Some(&token)).await.assert_ok();

    app.put(&format!("/v2/corp/member/{id}/disable"), None, Some(&admin)).await.assert_empty();
    app.get("/v2/corp", Some(&token)).await.assert_error(4031003);
    app.get(&member_path(id), Some(&token)).await.assert_error(4031003);
    app.corp_auth(&email, &password).await.assert_error(4001009);
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(2));

    app.put(&format!("/v2/corp/member/{id}/enable"), None, Some(&admin)).await.assert_empty();
    let a = app.get(&member_path(id), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(1));
    let fresh = app.login_as(&email, &password).await;
    app.get("/v2/corp", Some(&fresh)).await.assert_ok();
    app.get("/v2/corp", Some(&token)).await.assert_error(4031003);

    // Admins cannot be disabled, not even by themselves.
    let (second_admin, admin_email, admin_password) = app.add_member(&admin, 1, None).await;
    app.put(&format!("/v2/corp/member/{second_admin}/disable"), None, Some(&admin)).await.assert_error(4031001);
    app.put(&format!("/v2/corp/member/{}/disable", corp.member_id), None, Some(&admin)).await.assert_error(4031001);
    app.login_as(&admin_email, &admin_password).await;
    app.get("/v2/corp", Some(&admin)).await.assert_ok();

    // Only admins disable or enable, and only their own corp's members.
    let (peer, _, _) = app.add_member(&admin, 3, None).await;
    app.put(&format!("/v2/corp/member/{peer}/disable"), None, Some(&fresh)).await.assert_error(4031005);
    app.put(&format!("/v2/corp/member/{peer}/enable"), None, Some(&fresh)).await.assert_error(4031005);
    app.put(&format!("/v2/corp/member/{id}/disable"), None, Some(&other_admin)).await.assert_error(4041003);
    app.put(&format!("/v2/corp/member/{id}/enable"), None, Some(&other_admin)).await.assert_error(4041003);
    app.put(&format!("/v2/corp/member/{}/disable", other.member_id), None, Some(&admin)).await.assert_error(4041003);
    app.put("/v2/corp/member/999999/disable", None, Some(&admin)).await.assert_error(4041003);
    app.put("/v2/corp/member/999999/enable", None, Some(&admin)).await.assert_error(4041003);
    app.put(&format!("/v2/corp/member/{peer}/disable"), None, None).await.assert_error(4031002);
    app.get("/v2/corp", Some(&fresh)).await.assert_ok();
    let a = app.get(&member_path(peer), Some(&admin)).await;
    assert_eq!(a.assert_ok()["status"], json!(1));
}

async fn admin_resets_a_members_password(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let (id, email, password) = app.add_member(&admin, 2, None).await;
    let token = app.login_as(&email, &password).await;
    let path = format!("/v2/corp/member/{id}/password");

    app.put(&path, Some(&json!({ "newpassword": "12345" })), Some(&admin)).await.assert_error(4001001);
    app.put(&path, Some(&json!({ "newpassword": "a".repeat(17) })), Some(&admin)).await.assert_error(4001001);
    app.put(&path, Some(&json!({})), Some(&admin)).await.assert_error(4001002);
    app.get("/v2/corp", Some(&token)).await.assert_ok();

    app.put(&path, Some(&json!({ "newpassword": "fresh-pass" })), Some(&admin)).await.assert_empty();
    app.corp_auth(&email, &password).await.assert_error(4001007);
    let fresh = app.login_as(&email, "fresh-pass").await;
    app.get("/v2/corp", Some(&token)).await.assert_error(4031003);
    app.get("/v2/corp", Some(&fresh)).await.assert_ok();

    // An admin's password is reset by nobody.
    let (second_admin, admin_email, admin_password) = app.add_member(&admin, 1, None).await;
    let body = json!({ "newpassword": "taken-over" });
    app.put(&format!("/v2/corp/member/{second_admin}/password"), Some(&body), Some(&admin)).await.assert_error(4031001);
    app.put(&format!("/v2/corp/member/{}/password", corp.member_id), Some(&body), Some(&admin))
        .await
        .assert_error(4031001);
    app.login_as(&admin_email, &admin_password).await;

    // Only admins, only their own corp's members.
    let (peer, peer_email, peer_password) = app.add_member(&admin, 3, None).await;
    app.put(&format!("/v2/corp/member/{peer}/password"), Some(&body), Some(&fresh)).await.assert_error(4031005);
    app.put(&path, Some(&body), Some(&other_admin)).await.assert_error(4041003);
    app.put(&format!("/v2/corp/member/{}/password", other.member_id), Some(&body), Some(&admin))
        .await
        .assert_error(4041003);
    app.login_as(&peer_email, &peer_password).await;
    app.login_as(&email, "fresh-pass").await;
    app.login(&other).await;
}

async fn a_member_changes_its_own_password(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let (admin, _) = app.login(&corp).await;
    let (_, email, password) = app.add_member(&admin, 3, None).await;
    let current = app.login_as(&email, &password).await;
    let second = app.login_as(&email, &password).await;

    let wrong = json!({ "password": "not-my-password", "newpassword": "better-1" });
    app.put("/v2/corp/password", Some(&wrong), Some(&current)).await.assert_error(4001007);
    app.get("/v2/corp", Some(&second)).await.assert_ok();
    let short = json!({ "password": password, "newpassword": "12345" });
    app.put("/v2/corp/password", Some(&short), Some(&current)).await.assert_error(4001001);
    let missing = json!({ "password": password });
    app.put("/v2/corp/password", Some(&missing), Some(&current)).await.assert_error(4001002);
    app.put("/v2/corp/password", Some(&wrong), None).await.assert_error(4031002);
    app.get("/v2/corp", Some(&second)).await.assert_ok();

    let change = json!({ "password": password, "newpassword": "better-1" });
    app.put("/v2/corp/password", Some(&change), Some(&current)).await.assert_empty();
    app.get("/v2/corp", Some(&current)).await.assert_ok();
    app.get("/v2/corp", Some(&second)).await.assert_error(4031003);
    app.corp_auth(&email, &password).await.assert_error(4001007);
    let again = app.login_as(&email, "better-1").await;
    app.get("/v2/corp", Some(&again)).await.assert_ok();

    // Admins change their own password the same way.
    let change = json!({ "password": corp.password, "newpassword": "admin-pass-2" });
    app.put("/v2/corp/password", Some(&change), Some(&admin)).await.assert_empty();
    app.get("/v2/corp", Some(&admin)).await.assert_ok();
    app.login_as(&corp.email, "admin-pass-2").await;
}

async fn admin_deletes_members(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("acme").await;
    let other = app.create_corp("other").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let (id, email, password) = app.add_member(&admin, 2, None).await;
    let token = app.login_as(&email, &password).await;

    app.delete(&member_path(id), Some(&admin)).await.assert_empty();
    app.get(&member_path(id), Some(&admin)).await.assert_error(4041003);
    app.get("/v2/corp", Some(&token)).await.assert_error(4031003);
    app.corp_auth(&email, &password).await.assert_error(4001007);
    app.delete(&member_path(id), Some(&admin)).await.assert_error(4041003);
    // Its email is free again.
    let mut reuse = new_member("Again", 2);
    reuse["email"] = json!(email);
    app.post("/v2/corp/member_add", &reuse, Some(&admin)).await.assert_ok();

    app.delete(&member_path(corp.member_id), Some(&admin)).await.assert_error(4001014);
    let (second_admin, _, _) = app.add_member(&admin, 1, None).await;
    app.delete(&member_path(second_admin), Some(&admin)).await.assert_error(4031001);

    let (peer, peer_email, peer_password) = app.add_member(&admin, 3, None).await;
    let (victim, _, _) = app.add_member(&admin, 2, None).await;
    let peer_token = app.login_as(&peer_email, &peer_password).await;
    app.delete(&member_path(victim), Some(&peer_token)).await.assert_error(4031005);
    app.delete(&member_path(peer), Some(&peer_token)).await.assert_error(4031005);
    app.delete(&member_path(victim), Some(&other_admin)).await.assert_error(4041003);
    app.delete(&member_path(other.member_id), Some(&admin)).await.assert_error(4041003);
    app.delete(&member_path(victim), None).await.assert_error(4031002);
    app.delete("/v2/corp/member/abc", Some(&admin)).await.assert_error(4001001);

    for survivor in [corp.member_id, second_admin, peer, victim] {
        app.get(&member_path(survivor), Some(&admin)).await.assert_ok();
    }
    app.login(&other).await;
}
