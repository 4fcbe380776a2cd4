//! Who may do what (CONTRACT "Who sees what"): every kind of caller against every member and
//! role operation, each cell on its own freshly made target, each outcome exact. A refused call
//! must also leave its target untouched, and another corp's admin must never reach our data.
//! Every wrong cell is collected, so one failure lists them all.

use backoffice::server::secret::random_hex;
use serde_json::{json, Value};

use crate::{
    both_backends,
    helpers::{spawn, unique_email, unique_phone, Answer, Backend, TestApp, MEMBER_PASSWORD},
};

both_backends!(every_principal_against_every_operation);

/// The callers, the columns of [`TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The admin (role 1) of our corp.
    Admin,
    /// Role 2.
    Operations,
    /// Role 3.
    Developer,
    /// A custom role (99) with "view members" (1001) and "view roles" (1101).
    Reader,
    /// A custom role with no features at all.
    NoFeatures,
    /// The admin of another corp.
    OtherAdmin,
}

const PRINCIPALS: [Who; 6] =
    [Who::Admin, Who::Operations, Who::Developer, Who::Reader, Who::NoFeatures, Who::OtherAdmin];

/// The operations, the rows of [`TABLE`]. Those with a target make a fresh one for each cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// GET a member of our corp.
    GetMember,
    ListMembers,
    AddMember,
    /// PUT one's own information (one's own id: always allowed).
    EditOwn,
    /// Set a target member's role to 3.
    SetRole,
    DisableMember,
    /// Enable a target member the admin disabled.
    EnableMember,
    ResetPassword,
    DeleteMember,
    CreateRole,
    UpdateRole,
    DeleteRole,
    ListRoles,
    FeatureCatalogue,
    CorpInfo,
}

const OK: u32 = 200;
/// 4031005: needs a corp admin.
const ADMIN_ONLY: u32 = 4031005;
/// 4031001: the caller's role lacks the feature.
const NO_FEATURE: u32 = 4031001;
/// 4041003 / 4041029: another corp's member / role reads as missing.
const NO_MEMBER: u32 = 4041003;
const NO_ROLE: u32 = 4041029;

/// The expected outcome of every cell: 200, or the exact error code.
#[rustfmt::skip]
const TABLE: [(Op, [u32; 6]); 15] = [
    //                       Admin  Operations  Developer   Reader      NoFeatures  OtherAdmin
    (Op::GetMember,        [OK,    OK,         OK,         OK,         NO_FEATURE, NO_MEMBER]),
    (Op::ListMembers,      [OK,    OK,         OK,         OK,         NO_FEATURE, OK]),  // its own corp's
    (Op::AddMember,        [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, OK]),  // into its own corp
    (Op::EditOwn,          [OK,    OK,         OK,         OK,         OK,         OK]),
    (Op::SetRole,          [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_MEMBER]),
    (Op::DisableMember,    [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_MEMBER]),
    (Op::EnableMember,     [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_MEMBER]),
    (Op::ResetPassword,    [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_MEMBER]),
    (Op::DeleteMember,     [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_MEMBER]),
    (Op::CreateRole,       [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, OK]),  // in its own corp
    (Op::UpdateRole,       [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_ROLE]),
    (Op::DeleteRole,       [OK,    ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, NO_ROLE]),
    (Op::ListRoles,        [OK,    OK,         OK,         OK,         NO_FEATURE, OK]),  // its own corp's
    (Op::FeatureCatalogue, [OK,    OK,         OK,         OK,         OK,         OK]),
    (Op::CorpInfo,         [OK,    OK,         OK,         OK,         OK,         OK]),  // its own corp
];

/// A logged-in caller.
struct Caller {
    who: Who,
    member_id: i64,
    token: String,
}

/// What every cell shares: our corp's admin (to make and inspect targets) and what is ours.
struct Fixture {
    app: TestApp,
    admin: String,
    corp_id: String,
    /// A member of our corp everyone tries to read.
    bystander: i64,
    our_members: Vec<i64>,
    our_roles: Vec<i64>,
}

/// The fresh target a cell acted on, to check that a refused call left it alone.
enum Target {
    None,
    Member { id: i64, email: String },
    Role { id: i64, name: String },
}

async fn every_principal_against_every_operation(backend: Backend) {
    let app = spawn(backend).await;
    let corp = app.create_corp("alpha").await;
    let other = app.create_corp("beta").await;
    let (admin, _) = app.login(&corp).await;
    let (other_admin, _) = app.login(&other).await;
    let reader_role = app.add_role(&admin, "reader", &[1001, 1101]).await;
    let empty_role = app.add_role(&admin, "nothing", &[]).await;

    let mut callers = Vec::new();
    for who in PRINCIPALS {
        let caller = match who {
            Who::Admin => Caller { who, member_id: corp.member_id, token: admin.clone() },
            Who::OtherAdmin => Caller { who, member_id: other.member_id, token: other_admin.clone() },
            _ => {
                let (role, role_id) = match who {
                    Who::Operations => (2, None),
                    Who::Developer => (3, None),
                    Who::Reader => (99, Some(reader_role)),
                    _ => (99, Some(empty_role)),
                };
                let (member_id, email, password) = app.add_member(&admin, role, role_id).await;
                Caller { who, member_id, token: app.login_as(&email, &password).await }
            }
        };
        callers.push(caller);
    }
    let (bystander, _, _) = app.add_member(&admin, 2, None).await;
    let mut our_members: Vec<i64> = callers.iter().filter(|c| c.who != Who::OtherAdmin).map(|c| c.member_id).collect();
    our_members.push(bystander);
    let fx = Fixture {
        app,
        admin,
        corp_id: corp.corp_id.clone(),
        bystander,
        our_members,
        our_roles: vec![reader_role, empty_role],
    };

    // (principal, operation, expected), one per cell.
    let cells: Vec<(Who, Op, u32)> = TABLE
        .into_iter()
        .flat_map(|(op, row)| PRINCIPALS.into_iter().zip(row).map(move |(who, expected)| (who, op, expected)))
        .collect();
    assert_eq!(cells.len(), 6 * 15);

    let mut wrong = Vec::new();
    for (who, op, expected) in cells {
        let caller = callers.iter().find(|c| c.who == who).expect("every principal has a caller");
        let (answer, target) = run(&fx, caller, op).await;
        let cell = format!("{who:?} × {op:?}");
        match outcome(&answer) {
            Err(problem) => wrong.push(format!("{cell}: expected {expected}, {problem}")),
            Ok(got) if got != expected => {
                wrong.push(format!("{cell}: expected {expected}, got {got}: {}", answer.body));
            }
            Ok(_) => {}
        }
        if let Some(problem) = side_effects(&fx, caller, op, &answer, &target).await {
            wrong.push(format!("{cell}: {problem}"));
        }
    }
    assert!(wrong.is_empty(), "{} wrong cell(s):\n{}", wrong.len(), wrong.join("\n"));
}

/// 200, or the error code of a well-formed error answer whose status matches the code.
fn outcome(a: &Answer) -> Result<u32, String> {
    let status = u32::from(a.status.as_u16());
    if status == 200 {
        return Ok(OK);
    }
    let code = a.body["error"]["code"]
        .as_u64()
        .ok_or_else(|| format!("got status {status} without the error body: {}", a.body))?;
    let code = u32::try_from(code).map_err(|_| format!("got code {code}"))?;
    if status != code / 10_000 {
        return Err(format!("got status {status} with code {code}"));
    }
    Ok(code)
}

/// Makes the cell's target if it needs one, and calls the operation as `caller`.
async fn run(fx: &Fixture, caller: &Caller, op: Op) -> (Answer, Target) {
    let app = &fx.app;
    let token = Some(caller.token.as_str());
    match op {
        Op::GetMember => (app.get(&format!("/v2/corp/member/{}", fx.bystander), token).await, Target::None),
        Op::ListMembers => (app.get("/v2/corp/members?offset=0&limit=100", token).await, Target::None),
        Op::AddMember => {
            let body = json!({
                "email": unique_email("matrix"),
                "phone": unique_phone(),
                "name": "Matrix member",
                "password": MEMBER_PASSWORD,
                "type": 2,
            });
            (app.post("/v2/corp/member_add", &body, token).await, Target::None)
        }
        Op::EditOwn => {
            let body = json!({ "name": format!("{:?} edited", caller.who), "is_notice": true, "is_alert": false });
            (app.put(&format!("/v2/corp/member/{}", caller.member_id), Some(&body), token).await, Target::None)
        }
        Op::SetRole | Op::DisableMember | Op::EnableMember | Op::ResetPassword | Op::DeleteMember => {
            let (id, email, _) = app.add_member(&fx.admin, 2, None).await;
            let path = format!("/v2/corp/member/{id}");
            if op == Op::EnableMember {
                app.put(&format!("{path}/disable"), None, Some(&fx.admin)).await.assert_empty();
            }
            let answer = match op {
                Op::SetRole => app.put(&format!("{path}/role/3"), None, token).await,
                Op::DisableMember => app.put(&format!("{path}/disable"), None, token).await,
                Op::EnableMember => app.put(&format!("{path}/enable"), None, token).await,
                Op::ResetPassword => {
                    let body = json!({ "newpassword": "matrix-new-1" });
                    app.put(&format!("{path}/password"), Some(&body), token).await
                }
                _ => app.delete(&path, token).await,
            };
            (answer, Target::Member { id, email })
        }
        Op::CreateRole => {
            let body = json!({ "name": format!("new {}", random_hex(3)), "features": [1001] });
            (app.post("/v2/member_role_add", &body, token).await, Target::None)
        }
        Op::UpdateRole | Op::DeleteRole => {
            let name = format!("target {}", random_hex(3));
            let id = app.add_role(&fx.admin, &name, &[1001]).await;
            let path = format!("/v2/member_role/{id}");
            let answer = if op == Op::UpdateRole {
                let body = json!({ "name": format!("updated {}", random_hex(3)), "features": [1101] });
                app.put(&path, Some(&body), token).await
            } else {
                app.delete(&path, token).await
            };
            (answer, Target::Role { id, name })
        }
        Op::ListRoles => (app.get("/v2/member_role_list", token).await, Target::None),
        Op::FeatureCatalogue => (app.get("/v2/member_role/features", token).await, Target::None),
        Op::CorpInfo => (app.get("/v2/corp", token).await, Target::None),
    }
}

/// The ids of a `{count, list}` answer.
fn listed_ids(body: &Value) -> Vec<i64> {
    body["list"].as_array().map(|l| l.iter().filter_map(|x| x["id"].as_i64()).collect()).unwrap_or_default()
}

/// What a call must not have done: another corp's admin reaching our data when it succeeded,
/// or a refused call changing its target.
async fn side_effects(fx: &Fixture, caller: &Caller, op: Op, answer: &Answer, target: &Target) -> Option<String> {
    let app = &fx.app;
    if answer.status.as_u16() == 200 {
        if caller.who != Who::OtherAdmin {
            return None;
        }
        return match op {
            Op::ListMembers | Op::ListRoles => {
                let ours = if op == Op::ListMembers { &fx.our_members } else { &fx.our_roles };
                let leaked: Vec<i64> = listed_ids(&answer.body).into_iter().filter(|id| ours.contains(id)).collect();
                (!leaked.is_empty()).then(|| format!("lists our ids {leaked:?}"))
            }
            Op::CorpInfo => (answer.body["id"] == json!(fx.corp_id)).then(|| "answers our corp".to_owned()),
            Op::AddMember => {
                let Some(id) = answer.body["id"].as_i64() else {
                    return Some(format!("no member id: {}", answer.body));
                };
                let a = app.get(&format!("/v2/corp/member/{id}"), Some(&fx.admin)).await;
                (a.status.as_u16() != 404).then(|| format!("the member it added is in our corp: {}", a.body))
            }
            Op::CreateRole => {
                let Some(id) = answer.body["id"].as_i64() else {
                    return Some(format!("no role id: {}", answer.body));
                };
                let a = app.get("/v2/member_role_list", Some(&fx.admin)).await;
                listed_ids(&a.body).contains(&id).then(|| "the role it created is in our corp".to_owned())
            }
            _ => None,
        };
    }
    match target {
        Target::None => None,
        Target::Member { id, email } => {
            let a = app.get(&format!("/v2/corp/member/{id}"), Some(&fx.admin)).await;
            if a.status.as_u16() != 200 {
                return Some(format!("refused, yet the target member is gone: {}", a.body));
            }
            let status = if op == Op::EnableMember { 2 } else { 1 };
            if a.body["status"] != json!(status) || a.body["role"] != json!(2) {
                return Some(format!("refused, yet the target member changed: {}", a.body));
            }
            if op == Op::ResetPassword && app.corp_auth(email, MEMBER_PASSWORD).await.status.as_u16() != 200 {
                return Some("refused, yet the target's password changed".to_owned());
            }
            None
        }
        Target::Role { id, name } => {
            let a = app.get("/v2/member_role_list", Some(&fx.admin)).await;
            let list = a.body["list"].as_array().cloned().unwrap_or_default();
            match list.iter().find(|r| r["id"] == json!(id)) {
                None => Some("refused, yet the target role is gone".to_owned()),
                Some(role) if role["name"] != json!(name) || role["features"] != json!([1001]) => {
                    Some(format!("refused, yet the target role changed: {role}"))
                }
                Some(_) => None,
            }
        }
    }
}
