//! The audit log (issue 20): every sign-in, and every change made through the service layer,
//! written in the transaction of the change itself, so an entry exists exactly when the change
//! does. Corp admins read their corp's entries, a key account its own; secrets never appear
//! (fields named like a password, token, hash, secret or key are left out of every entry).
//!
//! The address a change came from is the request's ([`crate::server::request::client`]), so
//! services do not pass it around.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::{
    model::{audit::AuditEntry, list::Page, organization::ROOT},
    server::{
        auth::principal::Principal,
        clock::now_ms,
        db::{Db, Sql, Tx},
        error::{ApiError, Result},
        list::{self, ListQuery, Resource},
        request,
        scope::Scope,
        service::{permission, seat::Seat},
        state::Ctx,
    },
};

/// What changed in a record, field by field.
#[derive(Debug, Clone, Default)]
pub struct Change(Map<String, Value>);

impl Change {
    /// A new record: every field it was made with.
    pub fn created(after: &impl Serialize) -> Change {
        Self::between(Value::Null, to_json(after))
    }

    /// An edited record: the fields whose values differ.
    pub fn updated(before: &impl Serialize, after: &impl Serialize) -> Change {
        Self::between(to_json(before), to_json(after))
    }

    /// A removed record: every field it had.
    pub fn deleted(before: &impl Serialize) -> Change {
        Self::between(to_json(before), Value::Null)
    }

    /// Facts that are not field values (`{"password": "changed"}`, the devices of a grant).
    pub fn noted(facts: Value) -> Change {
        match facts {
            Value::Object(map) => Change(map.into_iter().filter(|(k, _)| !is_secret(k)).collect()),
            other => Change(Map::from_iter([("note".to_owned(), other)])),
        }
    }

    fn between(before: Value, after: Value) -> Change {
        let empty = Map::new();
        let b = before.as_object().unwrap_or(&empty);
        let a = after.as_object().unwrap_or(&empty);
        let mut changes = Map::new();
        for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
            if is_secret(key) {
                continue;
            }
            let (from, to) = (b.get(key).unwrap_or(&Value::Null), a.get(key).unwrap_or(&Value::Null));
            if from != to {
                changes.insert(key.clone(), json!({ "from": from, "to": to }));
            }
        }
        Change(changes)
    }

    /// The change with one more fact (`devices_deleted: 12`).
    pub fn with(mut self, fact: &str, value: impl Serialize) -> Change {
        if !is_secret(fact) {
            self.0.insert(fact.to_owned(), to_json(&value));
        }
        self
    }
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Field names that hold or derive from a secret: never written to the log.
fn is_secret(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f == "key" || ["password", "token", "hash", "secret"].iter().any(|s| f.contains(s))
}

/// Who is acting: kind, id, tenant.
struct Actor {
    kind: &'static str,
    id: i64,
    corp_id: String,
    heavy_buyer_id: Option<i64>,
}

fn actor(principal: &Principal) -> Actor {
    match principal {
        Principal::Member(m) => {
            Actor { kind: "member", id: m.member_id, corp_id: m.corp_id.clone(), heavy_buyer_id: None }
        }
        Principal::Dealer(d) => {
            Actor { kind: "dealer", id: d.dealer_id, corp_id: d.corp_id.clone(), heavy_buyer_id: None }
        }
        Principal::HeavyBuyer(h) => Actor {
            kind: "heavy_buyer",
            id: h.heavy_buyer_id,
            corp_id: h.corp_id.clone(),
            heavy_buyer_id: Some(h.heavy_buyer_id),
        },
        Principal::OrgUser(u) => Actor {
            kind: "org_user",
            id: u.user_id,
            corp_id: u.corp_id.clone(),
            heavy_buyer_id: Some(u.heavy_buyer_id),
        },
        Principal::EndUser(u) => {
            Actor { kind: "end_user", id: u.user_id, corp_id: u.corp_id.clone(), heavy_buyer_id: None }
        }
        Principal::Engineer(e) => {
            Actor { kind: "engineer", id: e.engineer_id, corp_id: e.corp_id.clone(), heavy_buyer_id: None }
        }
        // The platform acts on a vendor: `record_in` names the vendor whose log it lands in.
        Principal::Platform(a) => {
            Actor { kind: "platform_admin", id: a.admin_id, corp_id: String::new(), heavy_buyer_id: None }
        }
    }
}

/// The display name of an actor, read in the change's transaction.
async fn actor_name(tx: &mut Tx, kind: &str, id: i64) -> Result<String> {
    let sql = match kind {
        "member" => "SELECT name FROM members WHERE id = $1",
        "dealer" => "SELECT name FROM dealers WHERE id = $1",
        "heavy_buyer" => "SELECT name FROM heavy_buyers WHERE id = $1",
        "end_user" => "SELECT name FROM end_users WHERE id = $1",
        "platform_admin" => "SELECT account FROM platform_admins WHERE id = $1",
        _ => "SELECT username FROM org_users WHERE id = $1",
    };
    let row: Option<(String,)> = tx.fetch_optional(&Sql::new(sql).bind(id)).await?;
    Ok(row.map(|(name,)| name).unwrap_or_default())
}

/// Records that `principal` did `action` to the record `record_type`/`record_id`, in `tx`.
pub async fn record(
    tx: &mut Tx,
    principal: &Principal,
    action: &str,
    record_type: &str,
    record_id: impl ToString,
    change: Change,
) -> Result<()> {
    write(tx, actor(principal), action, record_type, &record_id.to_string(), change).await
}

/// [`record`] in the log of the vendor `corp_id`: how the platform operator's changes to a
/// vendor land in that vendor's own log.
pub async fn record_in(
    tx: &mut Tx,
    principal: &Principal,
    corp_id: &str,
    action: &str,
    record_type: &str,
    record_id: impl ToString,
    change: Change,
) -> Result<()> {
    let who = Actor { corp_id: corp_id.to_owned(), ..actor(principal) };
    write(tx, who, action, record_type, &record_id.to_string(), change).await
}

/// Records what an end user did while signed out (registering, resetting its password with a
/// code): the user is the actor, in its vendor's log.
pub async fn record_end_user(
    tx: &mut Tx,
    corp_id: &str,
    user_id: i64,
    action: &str,
    uid: &str,
    change: Change,
) -> Result<()> {
    let who = Actor { kind: "end_user", id: user_id, corp_id: corp_id.to_owned(), heavy_buyer_id: None };
    write(tx, who, action, "end_user", uid, change).await
}

/// Records a corp's registration, made by nobody yet signed in: its first admin is the actor.
pub async fn record_registration(tx: &mut Tx, corp_id: &str, admin_id: i64, change: Change) -> Result<()> {
    let who = Actor { kind: "member", id: admin_id, corp_id: corp_id.to_owned(), heavy_buyer_id: None };
    write(tx, who, "corp.create", "corp", corp_id, change).await
}

async fn write(
    tx: &mut Tx,
    who: Actor,
    action: &str,
    record_type: &str,
    record_id: &str,
    change: Change,
) -> Result<()> {
    let name = actor_name(tx, who.kind, who.id).await?;
    tx.execute(
        &insert()
            .bind(Some(who.corp_id))
            .bind(who.heavy_buyer_id)
            .bind(who.kind)
            .bind(Some(who.id))
            .bind(name)
            .bind(action.to_owned())
            .bind(record_type.to_owned())
            .bind(record_id.to_owned())
            .bind(Value::Object(change.0).to_string())
            .bind(request::client())
            .bind(now_ms()),
    )
    .await?;
    Ok(())
}

fn insert() -> Sql {
    Sql::new(
        "INSERT INTO audit_log (corp_id, heavy_buyer_id, actor_kind, actor_id, actor, action, record_type, \
         record_id, changes, client, create_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
}

/// The account a sign-in found, when it found one.
pub struct SignInAccount<'a> {
    pub kind: &'static str,
    pub id: i64,
    pub corp_id: &'a str,
    pub heavy_buyer_id: Option<i64>,
}

/// Records a sign-in, successful or not, with the account as typed and the address. A failure
/// on an account that does not exist has no tenant: no corp's log shows it.
pub async fn sign_in(
    db: &Db,
    found: Option<SignInAccount<'_>>,
    typed: &str,
    client: &str,
    success: bool,
) -> Result<()> {
    let action = if success { "sign_in.success" } else { "sign_in.failure" };
    let (corp_id, heavy_buyer_id, kind, id) = match &found {
        // The platform's administrators have no vendor: their sign-ins are in no vendor's log.
        Some(a) => (Some(a.corp_id.to_owned()).filter(|c| !c.is_empty()), a.heavy_buyer_id, a.kind, Some(a.id)),
        None => (None, None, "anonymous", None),
    };
    db.execute(
        &insert()
            .bind(corp_id)
            .bind(heavy_buyer_id)
            .bind(kind)
            .bind(id)
            .bind(typed.trim().chars().take(64).collect::<String>())
            .bind(action)
            .bind(kind)
            .bind(id.map(|i| i.to_string()).unwrap_or_default())
            .bind("{}")
            .bind(client.to_owned())
            .bind(now_ms()),
    )
    .await?;
    Ok(())
}

/// The audit log and its fields, declared with the wire type ([`AuditEntry`]).
pub static AUDIT_LOG: Resource = AuditEntry::RESOURCE;

/// Parses a list body against the audit log's fields; newest first unless it says otherwise.
pub fn list_query(body: &Value) -> Result<ListQuery, ApiError> {
    let mut body = body.clone();
    if let Value::Object(map) = &mut body {
        map.entry("order").or_insert_with(|| json!({ "id": "desc" }));
    }
    list::parse(&AUDIT_LOG, &body)
}

/// The log of the portal the principal is signed in to (what the portals' audit pages show): a
/// corp admin its corp's, a key account's manager at the root its key account's.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = match principal {
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) => heavy_buyer_scope(principal)?,
        _ => corp_scope(principal)?,
    };
    run(ctx, scope, query).await
}

/// `POST /v2/corp/audit_log`: the corp's log, for its admins (4031005), and corp members only.
pub async fn corp_log(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    run(ctx, corp_scope(principal)?, query).await
}

/// `POST /v2/heavy_buyer/{id}/audit_log`: the heavy buyer's own log (another's reads as missing).
pub async fn heavy_buyer_log(ctx: &Ctx, principal: &Principal, heavy_buyer_id: i64, query: &ListQuery) -> Result<Page> {
    Seat::own(principal, heavy_buyer_id)?;
    run(ctx, heavy_buyer_scope(principal)?, query).await
}

fn corp_scope(principal: &Principal) -> Result<Scope> {
    Ok(Scope::corp(&permission::require_admin(principal)?.corp_id))
}

/// The account itself, or a manager whose view is the whole tree; anyone else in it: 4031001.
fn heavy_buyer_scope(principal: &Principal) -> Result<Scope> {
    let me = Seat::me(principal)?;
    if !me.can_manage() || me.top != ROOT {
        return Err(ApiError::forbidden().into());
    }
    Ok(Scope::heavy_buyer(me.heavy_buyer_id))
}

async fn run(ctx: &Ctx, scope: Scope, query: &ListQuery) -> Result<Page> {
    list::run(&ctx.db, &AUDIT_LOG, query, scope).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_list_what_differs_and_never_a_secret() {
        let before = json!({"name": "a", "role": 2, "key": "k1", "password_hash": "x", "same": 1});
        let after = json!({"name": "b", "role": 2, "key": "k2", "password_hash": "y", "same": 1, "new": true});
        let Change(map) = Change::updated(&before, &after);
        assert_eq!(Value::Object(map), json!({"name": {"from": "a", "to": "b"}, "new": {"from": null, "to": true}}));
        let Change(map) = Change::created(&json!({"email": "e", "password": "secret!"}));
        assert_eq!(Value::Object(map), json!({"email": {"from": null, "to": "e"}}));
        let Change(map) = Change::noted(json!({"newpassword": "p", "password": "changed"}));
        assert!(map.is_empty());
    }
}
