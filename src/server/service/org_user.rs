//! A heavy buyer's organization users (seed 001 ops 8–10): accounts the key account hands to
//! its people. The account and admin users create and edit them within their part of the tree;
//! members are refused (4031020). A username is unique within the heavy buyer, whatever its case.

use sea_query::{Alias, Expr, Query, SimpleExpr};
use serde_json::Value;

use crate::{
    model::{
        dealer::PartnerStatus,
        error::{codes, ApiError},
        heavy_buyer::HeavyBuyerSeat,
        list::Page,
        organization::{check_username, NewOrgUser, OrgRole, OrgUser, OrgUserEdit},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::{
            password,
            principal::Principal,
            token::{self, PrincipalKind},
        },
        clock::now_ms,
        db::{unique_violation, Executor, Sql, Tx},
        error::{Error, Result},
        list::{self, Resource},
        scope::Scope,
        secret::Secret,
        service::seat::{self, lock_tree as lock, Account, Seat, Tree},
        state::Ctx,
    },
};

/// The organization users table and its fields, declared with the wire type ([`OrgUser`]).
pub static ORG_USERS: Resource = OrgUser::RESOURCE;

fn not_found() -> Error {
    ApiError::new(codes::ORG_USER_NOT_FOUND, "user not found").into()
}

fn taken() -> Error {
    ApiError::new(codes::USERNAME_TAKEN, "username: already exists").into()
}

fn check_role(role: i64) -> Result<OrgRole> {
    OrgRole::from_code(role).ok_or_else(|| ApiError::invalid("role", "1 (admin) or 2 (member)").into())
}

/// A user of the heavy buyer, whatever part of the tree it is in (in a transaction: as its own
/// changes left it).
pub async fn find(ex: impl Into<Executor<'_>>, heavy_buyer_id: i64, id: i64) -> Result<OrgUser> {
    list::find(ex, &ORG_USERS, Scope::heavy_buyer(heavy_buyer_id), id).await?.ok_or_else(not_found)
}

/// Who is signed in to the key-account portal, and what they may do there.
pub async fn seat(ctx: &Ctx, principal: &Principal) -> Result<HeavyBuyerSeat> {
    let me = Seat::me(principal)?;
    let user = match me.user_id {
        Some(id) => Some(find(&ctx.db, me.heavy_buyer_id, id).await?),
        None => None,
    };
    Ok(HeavyBuyerSeat { heavy_buyer_id: me.heavy_buyer_id, user, top: me.top, can_manage: me.can_manage() })
}

/// One user, for the portal's user page: one the caller sees (else 4041045).
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<OrgUser> {
    let me = Seat::me(principal)?;
    let user = find(&ctx.db, me.heavy_buyer_id, id).await?;
    let tree = seat::tree(&ctx.db, me.heavy_buyer_id).await?;
    if !me.sees(&tree, user.organization) {
        return Err(not_found());
    }
    Ok(user)
}

/// 4001177 when another user of the heavy buyer has `username` in any case.
async fn ensure_free(tx: &mut Tx, heavy_buyer_id: i64, username: &str, except: i64) -> Result<()> {
    let other: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM org_users WHERE heavy_buyer_id = $1 AND lower(username) = $2 AND id <> $3")
                .bind(heavy_buyer_id)
                .bind(username.to_lowercase())
                .bind(except),
        )
        .await?;
    match other {
        Some(_) => Err(taken()),
        None => Ok(()),
    }
}

/// Seed 001 op 10: the users of the caller's part of the tree, with the list language.
pub async fn list(ctx: &Ctx, principal: &Principal, account: impl Into<Account>, body: &Value) -> Result<Page> {
    let query = list::parse(&ORG_USERS, body)?;
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    let tree = seat::tree(&ctx.db, heavy_buyer_id).await?;
    let scope = me.scope(&tree, "organization");
    list::run(&ctx.db, &ORG_USERS, &query, scope).await
}

/// Seed 001 op 8.
pub async fn create(
    ctx: &Ctx,
    principal: &Principal,
    account: impl Into<Account>,
    input: NewOrgUser,
) -> Result<OrgUser> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    let username = check_username(&input.username)?;
    let secret = Secret::new(input.password);
    if secret.expose().is_empty() {
        return Err(ApiError::missing("password").into());
    }
    password::check_strong_password("password", &secret)?;
    let role = check_role(input.role.ok_or_else(|| ApiError::missing("role"))?)?;
    let organization = input.organization.ok_or_else(|| ApiError::missing("organization"))?;
    let contacter = validate::optional_text("contacter", &input.contacter, 32)?;
    let contact_way = validate::optional_text("contact_way", &input.contact_way, 64)?;
    // Hashing takes a while: before the lock, not under it.
    let hash = password::hash(&secret).await?;
    let mut tx = lock(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
    me.check_visible(&tree, organization, "organization: ")?;
    ensure_free(&mut tx, heavy_buyer_id, &username, 0).await?;
    let inserted: Result<(i64,), sqlx::Error> = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO org_users (heavy_buyer_id, username, password_hash, organization, role, contacter, \
                 contact_way, status, create_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(heavy_buyer_id)
            .bind(username)
            .bind(hash.0)
            .bind(organization)
            .bind(role.code())
            .bind(contacter)
            .bind(contact_way)
            .bind(PartnerStatus::Enabled.code())
            .bind(now_ms()),
        )
        .await;
    let (id,) = match inserted {
        Err(e) if unique_violation(&e) => return Err(taken()),
        other => other?,
    };
    let user = find(&mut tx, heavy_buyer_id, id).await?;
    audit::record(&mut tx, principal, "org_user.create", "org_user", id, Change::created(&user)).await?;
    tx.commit().await?;
    Ok(user)
}

/// A user the caller may change: one in its part of the tree (else it does not exist for it).
async fn changeable(tx: &mut Tx, me: &Seat, tree: &Tree, id: i64) -> Result<OrgUser> {
    let user = find(&mut *tx, me.heavy_buyer_id, id).await?;
    if !me.sees(tree, user.organization) {
        return Err(not_found());
    }
    Ok(user)
}

/// Seed 001 op 9: the fields given change. A new password ends the user's logins.
pub async fn update(
    ctx: &Ctx,
    principal: &Principal,
    account: impl Into<Account>,
    id: i64,
    edit: OrgUserEdit,
) -> Result<OrgUser> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    let mut values: Vec<(Alias, SimpleExpr)> = Vec::new();
    let username = edit.username.as_deref().map(check_username).transpose()?;
    if let Some(u) = &username {
        values.push((Alias::new("username"), u.clone().into()));
    }
    if let Some(role) = edit.role {
        values.push((Alias::new("role"), check_role(role)?.code().into()));
    }
    if let Some(c) = &edit.contacter {
        values.push((Alias::new("contacter"), validate::optional_text("contacter", c, 32)?.into()));
    }
    if let Some(c) = &edit.contact_way {
        values.push((Alias::new("contact_way"), validate::optional_text("contact_way", c, 64)?.into()));
    }
    let new_password = match edit.password {
        Some(p) => {
            let secret = Secret::new(p);
            password::check_strong_password("password", &secret)?;
            values.push((Alias::new("password_hash"), password::hash(&secret).await?.0.into()));
            true
        }
        None => false,
    };
    let mut tx = lock(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
    let before = changeable(&mut tx, &me, &tree, id).await?;
    if let Some(org) = edit.organization {
        me.check_visible(&tree, org, "organization: ")?;
        values.push((Alias::new("organization"), org.into()));
    }
    if let Some(u) = &username {
        ensure_free(&mut tx, heavy_buyer_id, u, id).await?;
    }
    if !values.is_empty() {
        let mut update = Query::update();
        update
            .table(Alias::new("org_users"))
            .values(values)
            .and_where(Expr::col(Alias::new("id")).eq(id))
            .and_where(Expr::col(Alias::new("heavy_buyer_id")).eq(heavy_buyer_id));
        match tx.execute(&update).await {
            Err(e) if unique_violation(&e) => return Err(taken()),
            other => other?,
        };
    }
    if new_password {
        token::revoke_principal(&mut tx, PrincipalKind::OrgUser, id).await?;
    }
    let user = find(&mut tx, heavy_buyer_id, id).await?;
    let change = Change::updated(&before, &user).with("new_password", new_password);
    audit::record(&mut tx, principal, "org_user.update", "org_user", id, change).await?;
    tx.commit().await?;
    Ok(user)
}

/// Beyond the seed: someone leaves. The user's logins end with it; nobody deletes themself.
pub async fn delete(ctx: &Ctx, principal: &Principal, account: impl Into<Account>, id: i64) -> Result<()> {
    let me = Seat::acting(ctx, principal, account).await?;
    let heavy_buyer_id = me.heavy_buyer_id;
    me.require_manager()?;
    if me.user_id == Some(id) {
        return Err(ApiError::new(codes::DELETE_SELF, "you cannot delete yourself").into());
    }
    let mut tx = lock(ctx, heavy_buyer_id).await?;
    let tree = seat::tree(&mut tx, heavy_buyer_id).await?;
    let before = changeable(&mut tx, &me, &tree, id).await?;
    token::revoke_principal(&mut tx, PrincipalKind::OrgUser, id).await?;
    tx.execute(&Sql::new("DELETE FROM org_users WHERE id = $1 AND heavy_buyer_id = $2").bind(id).bind(heavy_buyer_id))
        .await?;
    audit::record(&mut tx, principal, "org_user.delete", "org_user", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
