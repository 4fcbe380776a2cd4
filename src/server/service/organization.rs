//! A heavy buyer's organization tree (seed 001): who may act in it ([`KeyAccount`]), the tree
//! itself ([`Tree`]), its organizations, and handing the heavy buyer's devices to them.
//!
//! The heavy-buyer account sees and manages the whole tree. An organization user sees its own
//! organization and everything below it; an admin user (role 1) also manages what is strictly
//! below its organization (its own is the account's to change); a member (role 2) only reads.

use std::collections::{HashMap, HashSet};

use sea_query::{Alias, Condition, Expr, Query, SimpleExpr};
use serde_json::Value;

use crate::{
    model::{
        device::MAX_BATCH,
        error::{codes, ApiError},
        list::Page,
        organization::{
            DeletionImpact, DeviceGrant, KeyAccountSeat, NewOrganization, Organization, OrganizationChange,
            OrganizationEdit, ROLE_MEMBER, ROOT,
        },
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{iso, now_ms},
        db::{Sql, Tx},
        error::{Error, Result},
        list::{self, Field, FieldType, Resource},
        scope::Scope,
        service::org_user,
        state::Ctx,
    },
};

/// The most organizations one batch update may change.
pub const MAX_CHANGES: usize = 1000;

pub static ORGANIZATIONS: Resource = Resource {
    table: "organizations",
    fields: &[
        Field::new("id", "id", FieldType::Int),
        Field::new("parent", "parent", FieldType::Int),
        Field::new("name", "name", FieldType::Str),
        Field::new("sort", "sort", FieldType::Int),
        Field::new("create_time", "create_time", FieldType::Time),
    ],
};

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

pub fn not_found(at: &str) -> Error {
    ApiError::new(codes::ORGANIZATION_NOT_FOUND, format!("{at}organization not found")).into()
}

fn needs_admin(why: &str) -> Error {
    ApiError::new(codes::NEEDS_ORG_ADMIN, why).into()
}

/// Someone acting inside one heavy buyer: the account itself or one of its users.
#[derive(Debug, Clone)]
pub struct KeyAccount {
    pub heavy_buyer_id: i64,
    pub corp_id: String,
    /// The organization the caller sees from: 0 (the whole tree) for the account.
    pub top: i64,
    /// The user, for an organization user; `None` for the account.
    pub user_id: Option<i64>,
    /// The user's role; `None` for the account.
    pub role: Option<i64>,
}

impl KeyAccount {
    /// The caller as an actor in its own heavy buyer; corp members and dealers: 4031001.
    pub fn me(principal: &Principal) -> Result<KeyAccount, ApiError> {
        match principal {
            Principal::HeavyBuyer(h) => Ok(KeyAccount {
                heavy_buyer_id: h.heavy_buyer_id,
                corp_id: h.corp_id.clone(),
                top: ROOT,
                user_id: None,
                role: None,
            }),
            Principal::OrgUser(u) => Ok(KeyAccount {
                heavy_buyer_id: u.heavy_buyer_id,
                corp_id: u.corp_id.clone(),
                top: u.organization,
                user_id: Some(u.user_id),
                role: Some(u.role),
            }),
            _ => Err(ApiError::new(codes::FORBIDDEN, "this call is for heavy buyers and their users")),
        }
    }

    /// The caller acting in `heavy_buyer_id`: another heavy buyer's id reads as missing (404).
    pub fn of(principal: &Principal, heavy_buyer_id: i64) -> Result<KeyAccount> {
        let me = Self::me(principal)?;
        if me.heavy_buyer_id != heavy_buyer_id {
            return Err(ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found").into());
        }
        Ok(me)
    }

    /// The account and admin users may change things; members are refused (4031020).
    pub fn can_manage(&self) -> bool {
        self.role != Some(ROLE_MEMBER)
    }

    pub fn require_manager(&self) -> Result<()> {
        if self.can_manage() {
            Ok(())
        } else {
            Err(needs_admin("needs an organization admin or the heavy-buyer account"))
        }
    }

    /// Whether `id` is the caller's organization or below it.
    pub fn sees(&self, tree: &Tree, id: i64) -> bool {
        tree.is_within(self.top, id)
    }

    /// An organization the caller may name as a parent or a user's organization: one it sees,
    /// else 404 (what it cannot see does not exist for it).
    pub fn check_visible(&self, tree: &Tree, id: i64, at: &str) -> Result<()> {
        if self.sees(tree, id) {
            Ok(())
        } else {
            Err(not_found(at))
        }
    }

    /// An organization the caller may change, move or delete: one it sees, other than the root
    /// and its own.
    fn check_changeable(&self, tree: &Tree, id: i64, at: &str) -> Result<()> {
        if id == ROOT {
            return Err(ApiError::invalid(&format!("{at}id"), "the root organization cannot be changed").into());
        }
        self.check_visible(tree, id, at)?;
        if id == self.top {
            return Err(needs_admin("your own organization is changed by the heavy-buyer account"));
        }
        Ok(())
    }

    /// "In the caller's part of the tree" for a query over `column`.
    pub fn scope(&self, tree: &Tree, column: &str) -> Scope {
        let mine = Scope::heavy_buyer(self.heavy_buyer_id);
        if self.top == ROOT {
            mine
        } else {
            mine.and(col(column).is_in(tree.subtree(self.top)))
        }
    }
}

/// A heavy buyer's organizations as `id → parent`. Trees are small (one per key account), so
/// rules about ancestry are decided here in memory rather than with recursive SQL.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    parents: HashMap<i64, i64>,
}

impl Tree {
    fn sql(heavy_buyer_id: i64) -> Sql {
        Sql::new("SELECT id, parent FROM organizations WHERE heavy_buyer_id = $1").bind(heavy_buyer_id)
    }

    pub async fn load(ctx: &Ctx, heavy_buyer_id: i64) -> Result<Tree> {
        let rows: Vec<(i64, i64)> = ctx.db.fetch_all(&Self::sql(heavy_buyer_id)).await?;
        Ok(Tree { parents: rows.into_iter().collect() })
    }

    pub async fn load_in(tx: &mut Tx, heavy_buyer_id: i64) -> Result<Tree> {
        let rows: Vec<(i64, i64)> = tx.fetch_all(&Self::sql(heavy_buyer_id)).await?;
        Ok(Tree { parents: rows.into_iter().collect() })
    }

    pub fn exists(&self, id: i64) -> bool {
        id == ROOT || self.parents.contains_key(&id)
    }

    /// Whether `id` is `top` or below it. Walks up at most as many steps as there are
    /// organizations, so even a broken tree cannot loop.
    pub fn is_within(&self, top: i64, id: i64) -> bool {
        if !self.exists(id) {
            return false;
        }
        let mut cur = id;
        for _ in 0..=self.parents.len() {
            if cur == top {
                return true;
            }
            match self.parents.get(&cur) {
                Some(&parent) => cur = parent,
                None => return false,
            }
        }
        false
    }

    /// `top` and every organization below it (the root's subtree is the whole tree, root included).
    pub fn subtree(&self, top: i64) -> Vec<i64> {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (&id, &parent) in &self.parents {
            children.entry(parent).or_default().push(id);
        }
        let mut out = vec![top];
        let mut seen: HashSet<i64> = HashSet::from([top]);
        let mut i = 0;
        while i < out.len() {
            for &child in children.get(&out[i]).map(Vec::as_slice).unwrap_or_default() {
                if seen.insert(child) {
                    out.push(child);
                }
            }
            i += 1;
        }
        out
    }

    /// An organization that no longer reaches the root (it sits in a cycle), if any.
    fn first_cycle(&self) -> Option<i64> {
        let mut ids: Vec<i64> = self.parents.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter().find(|&id| !self.is_within(ROOT, id))
    }
}

/// Serializes changes to one heavy buyer's tree (and its users) across app servers: the heavy
/// buyer's row is written first, so PostgreSQL holds its row lock and SQLite its write lock
/// until commit. A user is thus never put into an organization deleted at the same moment.
pub async fn lock_tree(ctx: &Ctx, heavy_buyer_id: i64) -> Result<Tx> {
    let mut tx = ctx.db.begin().await?;
    tx.execute(&Sql::new("UPDATE heavy_buyers SET status = status WHERE id = $1").bind(heavy_buyer_id)).await?;
    Ok(tx)
}

#[derive(sqlx::FromRow)]
struct OrganizationRow {
    id: i64,
    parent: i64,
    name: String,
    sort: i64,
    create_time: i64,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Organization { id: r.id, parent: r.parent, name: r.name, sort: r.sort, create_time: iso(r.create_time) }
    }
}

async fn fetch_in(tx: &mut Tx, heavy_buyer_id: i64, ids: &[i64]) -> Result<Vec<Organization>> {
    let mut found: HashMap<i64, Organization> = HashMap::new();
    for chunk in ids.chunks(list::MAX_IN) {
        let mut select = Query::select();
        select
            .columns(ORGANIZATIONS.visible().map(|f| Alias::new(f.column)))
            .from(Alias::new("organizations"))
            .cond_where(
                Condition::all().add(col("heavy_buyer_id").eq(heavy_buyer_id)).add(col("id").is_in(chunk.to_vec())),
            );
        let rows: Vec<OrganizationRow> = tx.fetch_all(&select).await?;
        found.extend(rows.into_iter().map(|r| (r.id, Organization::from(r))));
    }
    ids.iter().map(|id| found.get(id).cloned().ok_or_else(|| not_found(""))).collect()
}

/// Seed 001 op 4: the organizations the caller sees, with the list language. The root is not
/// stored, so it is not listed.
pub async fn list(ctx: &Ctx, principal: &Principal, heavy_buyer_id: i64, body: &Value) -> Result<Page> {
    let query = list::parse(&ORGANIZATIONS, body)?;
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    let tree = Tree::load(ctx, heavy_buyer_id).await?;
    let scope = me.scope(&tree, "id");
    list::run(&ctx.db, &ORGANIZATIONS, &query, scope, |row: OrganizationRow| list::to_map(Organization::from(row)))
        .await
}

/// Every organization the caller sees, parents before children and siblings by `sort`: what the
/// portal draws its tree from.
pub async fn all(ctx: &Ctx, principal: &Principal) -> Result<Vec<Organization>> {
    let me = KeyAccount::me(principal)?;
    let tree = Tree::load(ctx, me.heavy_buyer_id).await?;
    let mut select = Query::select();
    select
        .columns(ORGANIZATIONS.visible().map(|f| Alias::new(f.column)))
        .from(Alias::new("organizations"))
        .cond_where(me.scope(&tree, "id").into_condition())
        .order_by(Alias::new("sort"), sea_query::Order::Asc)
        .order_by(Alias::new("id"), sea_query::Order::Asc);
    let rows: Vec<OrganizationRow> = ctx.db.fetch_all(&select).await?;
    Ok(rows.into_iter().map(Organization::from).collect())
}

/// Seed 001 op 3.
pub async fn create(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    input: NewOrganization,
) -> Result<Organization> {
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    me.require_manager()?;
    let name = validate::text("name", &input.name, 64)?;
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = Tree::load_in(&mut tx, heavy_buyer_id).await?;
    me.check_visible(&tree, input.parent, "parent: ")?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO organizations (heavy_buyer_id, parent, name, sort, create_time) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(heavy_buyer_id)
            .bind(input.parent)
            .bind(name)
            .bind(input.sort)
            .bind(now_ms()),
        )
        .await?;
    let created = fetch_in(&mut tx, heavy_buyer_id, &[id]).await?.into_iter().next().expect("just inserted");
    audit::record(&mut tx, principal, "organization.create", "organization", id, Change::created(&created)).await?;
    tx.commit().await?;
    Ok(created)
}

/// Seed 001 op 5: the fields given change.
pub async fn update(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    id: i64,
    edit: OrganizationEdit,
) -> Result<Organization> {
    let changed = apply(ctx, principal, heavy_buyer_id, vec![OrganizationChange { id, edit }], false).await?;
    Ok(changed.into_iter().next().expect("one change, one answer"))
}

/// Seed 001 op 6: every change or none. Moves are judged on the tree they leave behind, so a
/// batch may rearrange branches in any order as long as the result is a tree.
pub async fn update_batch(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    changes: Vec<OrganizationChange>,
) -> Result<Vec<Organization>> {
    // Who first: someone who may not change the tree learns nothing about the body.
    KeyAccount::of(principal, heavy_buyer_id)?.require_manager()?;
    if changes.is_empty() {
        return Err(ApiError::invalid("organizations", "name at least one organization").into());
    }
    if changes.len() > MAX_CHANGES {
        return Err(ApiError::invalid("organizations", &format!("at most {MAX_CHANGES} in one call")).into());
    }
    apply(ctx, principal, heavy_buyer_id, changes, true).await
}

async fn apply(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    changes: Vec<OrganizationChange>,
    batch: bool,
) -> Result<Vec<Organization>> {
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    me.require_manager()?;
    let at = |i: usize| if batch { format!("[{i}].") } else { String::new() };
    // Shape first, so a bad entry refuses the batch before any lock is taken.
    let mut names: Vec<Option<String>> = Vec::with_capacity(changes.len());
    let mut seen = HashSet::new();
    for (i, c) in changes.iter().enumerate() {
        if !seen.insert(c.id) {
            return Err(ApiError::invalid(&format!("{}id", at(i)), "named twice").into());
        }
        names.push(c.edit.name.as_deref().map(|n| validate::text(&format!("{}name", at(i)), n, 64)).transpose()?);
    }
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let mut tree = Tree::load_in(&mut tx, heavy_buyer_id).await?;
    for (i, c) in changes.iter().enumerate() {
        me.check_changeable(&tree, c.id, &at(i))?;
        if let Some(parent) = c.edit.parent {
            me.check_visible(&tree, parent, &format!("{}parent: ", at(i)))?;
        }
    }
    for c in &changes {
        if let Some(parent) = c.edit.parent {
            tree.parents.insert(c.id, parent);
        }
    }
    if let Some(looped) = tree.first_cycle() {
        let i = changes.iter().position(|c| c.id == looped && c.edit.parent.is_some()).unwrap_or(0);
        return Err(ApiError::invalid(
            &format!("{}parent", at(i)),
            &format!("organization {looped} would end up below itself"),
        )
        .into());
    }
    let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
    let before = fetch_in(&mut tx, heavy_buyer_id, &ids).await?;
    for (c, name) in changes.iter().zip(names) {
        let mut update = Query::update();
        let mut values: Vec<(Alias, SimpleExpr)> = Vec::new();
        if let Some(name) = name {
            values.push((Alias::new("name"), name.into()));
        }
        if let Some(parent) = c.edit.parent {
            values.push((Alias::new("parent"), parent.into()));
        }
        if let Some(sort) = c.edit.sort {
            values.push((Alias::new("sort"), sort.into()));
        }
        if values.is_empty() {
            continue;
        }
        update
            .table(Alias::new("organizations"))
            .values(values)
            .cond_where(Condition::all().add(col("id").eq(c.id)).add(col("heavy_buyer_id").eq(heavy_buyer_id)));
        tx.execute(&update).await?;
    }
    let changed = fetch_in(&mut tx, heavy_buyer_id, &ids).await?;
    for after in &changed {
        if let Some(before) = before.iter().find(|b| b.id == after.id) {
            let change = Change::updated(before, after);
            audit::record(&mut tx, principal, "organization.update", "organization", after.id, change).await?;
        }
    }
    tx.commit().await?;
    Ok(changed)
}

/// What deleting `id` takes with it: its sub-organizations, and the users and devices that
/// move to the root. Same checks as the delete, so the portal's confirmation never promises
/// what the delete would refuse.
pub async fn deletion_impact(ctx: &Ctx, principal: &Principal, heavy_buyer_id: i64, id: i64) -> Result<DeletionImpact> {
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    me.require_manager()?;
    let tree = Tree::load(ctx, heavy_buyer_id).await?;
    me.check_changeable(&tree, id, "")?;
    let gone = tree.subtree(id);
    let mut impact = DeletionImpact { organizations: gone.len() as i64 - 1, ..Default::default() };
    for chunk in gone.chunks(list::MAX_IN) {
        let in_users = Condition::all()
            .add(col("heavy_buyer_id").eq(heavy_buyer_id))
            .add(col("organization").is_in(chunk.to_vec()));
        let in_devices = Condition::all()
            .add(col("heavy_buyer_id").eq(heavy_buyer_id))
            .add(col("organization_id").is_in(chunk.to_vec()));
        impact.users += count(ctx, "org_users", in_users).await?;
        impact.devices += count(ctx, "devices", in_devices).await?;
    }
    Ok(impact)
}

async fn count(ctx: &Ctx, table: &str, cond: Condition) -> Result<i64> {
    let mut select = Query::select();
    select.expr(Expr::cust("CAST(COUNT(*) AS BIGINT)")).from(Alias::new(table)).cond_where(cond);
    let (n,): (i64,) = ctx.db.fetch_one(&select).await?;
    Ok(n)
}

/// Seed 001 op 7: the organization and everything below it go; their users and devices move
/// to the root of the deleter's view, in the same transaction: the key account's root for the
/// account itself, the deleting user's own organization for an organization user. Moving them
/// any higher would hand a user made below the deleter rights over the whole key account.
pub async fn delete(ctx: &Ctx, principal: &Principal, heavy_buyer_id: i64, id: i64) -> Result<()> {
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    me.require_manager()?;
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = Tree::load_in(&mut tx, heavy_buyer_id).await?;
    me.check_changeable(&tree, id, "")?;
    let before = fetch_in(&mut tx, heavy_buyer_id, &[id]).await?;
    let gone = tree.subtree(id);
    let change = Change::deleted(&before.first()).with("organizations", &gone).with("moved_to", me.top);
    audit::record(&mut tx, principal, "organization.delete", "organization", id, change).await?;
    for chunk in gone.chunks(list::MAX_IN) {
        let ids = || chunk.to_vec();
        let mine = || Condition::all().add(col("heavy_buyer_id").eq(heavy_buyer_id));
        let mut users = Query::update();
        users
            .table(Alias::new("org_users"))
            .value(Alias::new("organization"), me.top)
            .cond_where(mine().add(col("organization").is_in(ids())));
        tx.execute(&users).await?;
        let mut devices = Query::update();
        devices
            .table(Alias::new("devices"))
            .value(Alias::new("organization_id"), me.top)
            .cond_where(mine().add(col("organization_id").is_in(ids())));
        tx.execute(&devices).await?;
        let mut orgs = Query::delete();
        orgs.from_table(Alias::new("organizations")).cond_where(mine().add(col("id").is_in(ids())));
        tx.execute(&orgs).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Seed 001 op 11: the devices move to organization `id`. Each must be granted to the heavy
/// buyer and, for a user, sit in its part of the tree (else 4041008 naming it). All or nothing.
pub async fn grant_devices(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    id: i64,
    grants: Vec<DeviceGrant>,
) -> Result<Vec<DeviceGrant>> {
    let me = KeyAccount::of(principal, heavy_buyer_id)?;
    me.require_manager()?;
    if grants.is_empty() {
        return Err(ApiError::invalid("devices", "name at least one device").into());
    }
    if grants.len() > MAX_BATCH {
        return Err(ApiError::invalid("devices", &format!("at most {MAX_BATCH} in one call")).into());
    }
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = Tree::load_in(&mut tx, heavy_buyer_id).await?;
    me.check_visible(&tree, id, "")?;
    let ids: Vec<i64> = grants.iter().map(|g| g.device_id).collect();
    let mut held: HashMap<i64, i64> = HashMap::new();
    for chunk in ids.chunks(list::MAX_IN) {
        let mut select = Query::select();
        select.columns(["id", "organization_id"].map(Alias::new)).from(Alias::new("devices")).cond_where(
            Condition::all().add(col("heavy_buyer_id").eq(heavy_buyer_id)).add(col("id").is_in(chunk.to_vec())),
        );
        let rows: Vec<(i64, Option<i64>)> = tx.fetch_all(&select).await?;
        held.extend(rows.into_iter().map(|(d, org)| (d, org.unwrap_or(ROOT))));
    }
    for (i, device) in ids.iter().enumerate() {
        if !held.get(device).is_some_and(|&org| me.sees(&tree, org)) {
            return Err(ApiError::new(
                codes::DEVICE_NOT_FOUND,
                format!("[{i}]: device {device} is not granted to this heavy buyer"),
            )
            .into());
        }
    }
    for chunk in ids.chunks(list::MAX_IN) {
        let mut update = Query::update();
        update.table(Alias::new("devices")).value(Alias::new("organization_id"), id).cond_where(
            Condition::all().add(col("heavy_buyer_id").eq(heavy_buyer_id)).add(col("id").is_in(chunk.to_vec())),
        );
        tx.execute(&update).await?;
    }
    let moved: Vec<serde_json::Value> =
        ids.iter().map(|d| serde_json::json!({ "device_id": d, "from": held.get(d), "to": id })).collect();
    let change = Change::noted(serde_json::json!({ "devices": moved }));
    audit::record(&mut tx, principal, "organization.grant_devices", "organization", id, change).await?;
    tx.commit().await?;
    Ok(grants)
}

/// Who is signed in to the key-account portal, and what they may do there.
pub async fn seat(ctx: &Ctx, principal: &Principal) -> Result<KeyAccountSeat> {
    let me = KeyAccount::me(principal)?;
    let user = match me.user_id {
        Some(id) => Some(org_user::find(ctx, me.heavy_buyer_id, id).await?),
        None => None,
    };
    Ok(KeyAccountSeat { heavy_buyer_id: me.heavy_buyer_id, user, top: me.top, can_manage: me.can_manage() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(pairs: &[(i64, i64)]) -> Tree {
        Tree { parents: pairs.iter().copied().collect() }
    }

    #[test]
    fn ancestry_and_subtrees() {
        // 1 > 2 > 3, 1 > 4, 5 under the root.
        let t = tree(&[(1, 0), (2, 1), (3, 2), (4, 1), (5, 0)]);
        assert!(t.is_within(1, 3) && t.is_within(2, 3) && t.is_within(0, 5) && t.is_within(3, 3));
        assert!(!t.is_within(2, 4) && !t.is_within(3, 2) && !t.is_within(1, 5) && !t.is_within(0, 9));
        let mut sub = t.subtree(1);
        sub.sort();
        assert_eq!(sub, vec![1, 2, 3, 4]);
        assert_eq!(t.subtree(0).len(), 6);
        assert_eq!(t.first_cycle(), None);
    }

    #[test]
    fn a_cycle_is_found_and_never_loops() {
        let t = tree(&[(1, 0), (2, 3), (3, 2)]);
        assert_eq!(t.first_cycle(), Some(2));
        assert!(!t.is_within(0, 3));
    }
}
