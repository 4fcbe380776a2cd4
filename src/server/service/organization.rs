//! A heavy buyer's organizations (seed 001) and handing the heavy buyer's devices to them. Who
//! may act where in the tree is [`seat`]'s: every call here starts from a [`Seat`].

use std::collections::{HashMap, HashSet};

use sea_query::{Alias, Condition, Expr, Query, SimpleExpr};
use serde_json::Value;

use crate::{
    model::{
        device::MAX_BATCH,
        error::{codes, ApiError},
        list::Page,
        organization::{
            DeletionImpact, DeviceGrant, NewOrganization, Organization, OrganizationChange, OrganizationEdit,
            OrganizationTree, ROOT,
        },
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::now_ms,
        db::{Sql, Tx},
        error::Result,
        list::{self, Resource},
        scope::Scope,
        service::seat::{self, lock_tree, not_found, Account, Seat},
        state::Ctx,
    },
};

/// The most organizations one batch update may change.
pub const MAX_CHANGES: usize = 1000;

/// The organizations table and its fields, declared with the wire type ([`Organization`]).
pub static ORGANIZATIONS: Resource = Organization::RESOURCE;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

async fn fetch_in(tx: &mut Tx, heavy_buyer_id: i64, ids: &[i64]) -> Result<Vec<Organization>> {
    let mut found: HashMap<i64, Organization> = HashMap::new();
    for chunk in ids.chunks(list::MAX_IN) {
        let select = list::select_records(
            &ORGANIZATIONS,
            Scope::heavy_buyer(heavy_buyer_id).and(col("id").is_in(chunk.to_vec())),
        );
        let rows: Vec<Organization> = tx.fetch_records(&select, &ORGANIZATIONS).await?;
        found.extend(rows.into_iter().map(|o| (o.id, o)));
    }
    ids.iter().map(|id| found.get(id).cloned().ok_or_else(|| not_found(""))).collect()
}

/// Seed 001 op 4: the organizations the caller sees, with the list language. The root is not
/// stored, so it is not listed.
pub async fn list(ctx: &Ctx, principal: &Principal, account: impl Into<Account>, body: &Value) -> Result<Page> {
    let query = list::parse(&ORGANIZATIONS, body)?;
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    let tree = seat::tree(&ctx.db, heavy_buyer_id).await?;
    let scope = me.scope(&tree, "id");
    let mut page = list::run(&ctx.db, &ORGANIZATIONS, &query, scope).await?;
    // The original console draws levels from `level` (the root is level 1); it is added when the
    // request asked for every field (no `filter`, or an empty one).
    if query.projection.len() == ORGANIZATIONS.visible().count() {
        for row in &mut page.list {
            if let Some(id) = row.get("id").and_then(Value::as_i64) {
                row.insert("level".into(), Value::from(tree.depth(id) + 1));
            }
        }
    }
    Ok(page)
}

/// What the portal draws its tree from: where the caller's view starts, whether it may change
/// it, and every organization in it.
pub async fn view(ctx: &Ctx, principal: &Principal) -> Result<OrganizationTree> {
    let me = Seat::me(principal)?;
    let organizations = all(ctx, principal).await?;
    Ok(OrganizationTree { top: me.top, can_manage: me.can_manage(), organizations })
}

/// Every organization the caller sees, siblings by `sort`.
pub async fn all(ctx: &Ctx, principal: &Principal) -> Result<Vec<Organization>> {
    let me = Seat::me(principal)?;
    let tree = seat::tree(&ctx.db, me.heavy_buyer_id).await?;
    let mut select = list::select_records(&ORGANIZATIONS, me.scope(&tree, "id"));
    select.order_by(Alias::new("sort"), sea_query::Order::Asc).order_by(Alias::new("id"), sea_query::Order::Asc);
    Ok(ctx.db.fetch_records(&select, &ORGANIZATIONS).await?)
}

/// Seed 001 op 3.
pub async fn create(
    ctx: &Ctx,
    principal: &Principal,
    account: impl Into<Account>,
    input: NewOrganization,
) -> Result<Organization> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    let name = validate::text("name", &input.name, 64)?;
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
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
    account: impl Into<Account>,
    id: i64,
    edit: OrganizationEdit,
) -> Result<Organization> {
    let changed = apply(ctx, principal, account.into(), vec![OrganizationChange { id, edit }], false).await?;
    Ok(changed.into_iter().next().expect("one change, one answer"))
}

/// Seed 001 op 6: every change or none. Moves are judged on the tree they leave behind, so a
/// batch may rearrange branches in any order as long as the result is a tree.
pub async fn update_batch(
    ctx: &Ctx,
    principal: &Principal,
    account: impl Into<Account>,
    changes: Vec<OrganizationChange>,
) -> Result<Vec<Organization>> {
    // Who first: someone who may not change the tree learns nothing about the body.
    let account = account.into();
    Seat::acting(ctx, principal, account).await?.require_manager()?;
    if changes.is_empty() {
        return Err(ApiError::invalid("organizations", "name at least one organization").into());
    }
    if changes.len() > MAX_CHANGES {
        return Err(ApiError::invalid("organizations", &format!("at most {MAX_CHANGES} in one call")).into());
    }
    apply(ctx, principal, account, changes, true).await
}

async fn apply(
    ctx: &Ctx,
    principal: &Principal,
    account: Account,
    changes: Vec<OrganizationChange>,
    batch: bool,
) -> Result<Vec<Organization>> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
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
    let mut tree = seat::tree(&mut tx, heavy_buyer_id).await?;
    for (i, c) in changes.iter().enumerate() {
        me.check_changeable(&tree, c.id, &at(i))?;
        if let Some(parent) = c.edit.parent {
            me.check_visible(&tree, parent, &format!("{}parent: ", at(i)))?;
        }
    }
    for c in &changes {
        if let Some(parent) = c.edit.parent {
            tree.set_parent(c.id, parent);
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
pub async fn deletion_impact(
    ctx: &Ctx,
    principal: &Principal,
    account: impl Into<Account>,
    id: i64,
) -> Result<DeletionImpact> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    let tree = seat::tree(&ctx.db, heavy_buyer_id).await?;
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
pub async fn delete(ctx: &Ctx, principal: &Principal, account: impl Into<Account>, id: i64) -> Result<()> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
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
    account: impl Into<Account>,
    id: i64,
    grants: Vec<DeviceGrant>,
) -> Result<Vec<DeviceGrant>> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    if grants.is_empty() {
        return Err(ApiError::invalid("devices", "name at least one device").into());
    }
    if grants.len() > MAX_BATCH {
        return Err(ApiError::invalid("devices", &format!("at most {MAX_BATCH} in one call")).into());
    }
    let mut tx = lock_tree(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
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
