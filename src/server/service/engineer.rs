//! Service engineers (服务工程师): people a vendor or a dealer registers to install, mend and
//! remove devices. They sign in to the mobile site with their mobile and password and see the
//! tickets dispatched to them. The vendor's members who handle tickets (2002) manage the
//! vendor's engineers and its dealers'; a dealer manages its own.

use sea_query::{Alias, Expr};
use serde_json::json;

use crate::{
    model::{
        error::codes,
        list::Page,
        permission::{MANAGE_TICKETS, READ_TICKETS},
        ticket::{Engineer, EngineerInput},
        validate,
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::{
            password,
            principal::Principal,
            token::{self, PrincipalKind},
        },
        clock::now_ms,
        db::{unique_violation, Sql},
        error::{ApiError, Error, Result},
        list::{self, ListQuery},
        scope::Scope,
        secret::Secret,
        service::{permission, vendor},
        state::Ctx,
    },
};

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn not_found() -> Error {
    ApiError::new(codes::ENGINEER_NOT_FOUND, "engineer not found").into()
}

/// The engineers `principal` may read: the vendor's members who view tickets all of the
/// vendor's; a dealer its own; an engineer itself.
fn readable(principal: &Principal) -> Result<Scope> {
    let live = || col("remove_time").is_null();
    Ok(match principal {
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_TICKETS)?.corp_id).and(live()),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(col("dealer_id").eq(d.dealer_id)).and(live()),
        Principal::Engineer(e) => Scope::corp(&e.corp_id).and(col("id").eq(e.engineer_id)).and(live()),
        _ => return Err(ApiError::forbidden().into()),
    })
}

/// Who may register and edit engineers, and for which dealer: a member who handles tickets for
/// the vendor or any of its dealers (`asked`), a dealer for itself only.
async fn writer(ctx: &Ctx, principal: &Principal, asked: Option<i64>) -> Result<(String, Option<i64>)> {
    match principal {
        Principal::Dealer(d) => {
            if asked.is_some_and(|id| id != d.dealer_id) {
                return Err(ApiError::new(codes::FORBIDDEN, "a dealer registers its own engineers").into());
            }
            Ok((d.corp_id.clone(), Some(d.dealer_id)))
        }
        _ => {
            let me = permission::require(principal, MANAGE_TICKETS)?;
            if let Some(dealer_id) = asked {
                let found: Option<(i64,)> = ctx
                    .db
                    .fetch_optional(
                        &Sql::new("SELECT id FROM dealers WHERE id = $1 AND corp_id = $2")
                            .bind(dealer_id)
                            .bind(me.corp_id.clone()),
                    )
                    .await?;
                found.ok_or_else(|| ApiError::new(codes::DEALER_NOT_FOUND, "dealer not found"))?;
            }
            Ok((me.corp_id.clone(), asked))
        }
    }
}

/// The engineers `principal` may see.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Tickets).await?;
    list::run(&ctx.db, &Engineer::RESOURCE, query, scope).await
}

/// One engineer, as `principal` may read it (404 outside its scope).
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<Engineer> {
    let scope = readable(principal)?.and(col("id").eq(id));
    let select = list::select_records(&Engineer::RESOURCE, scope);
    ctx.db.fetch_record(&select, &Engineer::RESOURCE).await?.ok_or_else(not_found)
}

/// A coordinate: '' or a decimal number within `limit` degrees.
fn coordinate(field: &str, value: &str, limit: f64) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() <= limit => Ok(v.to_owned()),
        _ => Err(ApiError::invalid(field, &format!("a decimal number of degrees, at most {limit}"))),
    }
}

pub fn longitude(field: &str, value: &str) -> Result<String, ApiError> {
    coordinate(field, value, 180.0)
}

pub fn latitude(field: &str, value: &str) -> Result<String, ApiError> {
    coordinate(field, value, 90.0)
}

fn taken() -> Error {
    ApiError::new(codes::ENGINEER_MOBILE_TAKEN, "another engineer of the vendor has this mobile").into()
}

/// Registers an engineer: name, mobile, password; the dealer it works for (a member may name
/// one), where it works from.
pub async fn create(ctx: &Ctx, principal: &Principal, input: EngineerInput) -> Result<Engineer> {
    let (corp_id, dealer_id) = writer(ctx, principal, input.dealer_id).await?;
    vendor::require_area(ctx, &corp_id, Area::Tickets).await?;
    let name = validate::text("name", input.name.as_deref().unwrap_or_default(), 32)?;
    let mobile = validate::phone("mobile", input.mobile.as_deref().unwrap_or_default())?;
    let secret = Secret::new(input.password.clone().unwrap_or_default());
    password::check_member_password("password", &secret)?;
    let lng = longitude("lng", input.lng.as_deref().unwrap_or_default())?;
    let lat = latitude("lat", input.lat.as_deref().unwrap_or_default())?;
    let hash = password::hash(&secret).await?;
    let mut tx = ctx.db.begin().await?;
    let inserted = tx
        .fetch_one::<(i64,)>(
            &Sql::new(
                "INSERT INTO engineers (corp_id, dealer_id, name, mobile, password_hash, lng, lat, status, create_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
            )
            .bind(corp_id.clone())
            .bind(dealer_id)
            .bind(name.clone())
            .bind(mobile.clone())
            .bind(hash.0)
            .bind(lng)
            .bind(lat)
            .bind(now_ms()),
        )
        .await;
    let (id,) = match inserted {
        Ok(row) => row,
        Err(e) if unique_violation(&e) => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    let facts = json!({ "name": name, "mobile": mobile, "dealer_id": dealer_id });
    audit::record(&mut tx, principal, "engineer.create", "engineer", id, Change::noted(facts)).await?;
    tx.commit().await?;
    get(ctx, principal, id).await
}

/// Edits an engineer (absent fields stay): name, mobile, password, where it works from, and
/// whether it is enabled (a disabled engineer is signed out at once).
pub async fn update(ctx: &Ctx, principal: &Principal, id: i64, input: EngineerInput) -> Result<Engineer> {
    let before = get(ctx, principal, id).await?;
    let (_, dealer_id) = writer(ctx, principal, input.dealer_id.or(before.dealer_id)).await?;
    if matches!(principal, Principal::Dealer(_)) && before.dealer_id != dealer_id {
        return Err(not_found());
    }
    let name = match &input.name {
        Some(n) => validate::text("name", n, 32)?,
        None => before.name.clone(),
    };
    let mobile = match &input.mobile {
        Some(m) => validate::phone("mobile", m)?,
        None => before.mobile.clone(),
    };
    let lng = longitude("lng", input.lng.as_deref().unwrap_or(&before.lng))?;
    let lat = latitude("lat", input.lat.as_deref().unwrap_or(&before.lat))?;
    let status = match input.status {
        Some(s @ (0 | 1)) => s,
        Some(_) => return Err(ApiError::invalid("status", "1 enabled or 0 disabled").into()),
        None => before.status,
    };
    let hash = match &input.password {
        Some(p) => {
            let secret = Secret::new(p.clone());
            password::check_member_password("password", &secret)?;
            Some(password::hash(&secret).await?.0)
        }
        None => None,
    };
    let mut tx = ctx.db.begin().await?;
    let changed = tx
        .execute(
            &Sql::new(
                "UPDATE engineers SET name = $1, mobile = $2, lng = $3, lat = $4, status = $5, dealer_id = $6, \
                 password_hash = COALESCE($7, password_hash) WHERE id = $8 AND remove_time IS NULL",
            )
            .bind(name)
            .bind(mobile)
            .bind(lng)
            .bind(lat)
            .bind(status)
            .bind(dealer_id)
            .bind(hash.clone())
            .bind(id),
        )
        .await;
    match changed {
        Ok(_) => {}
        Err(e) if unique_violation(&e) => return Err(taken()),
        Err(e) => return Err(e.into()),
    }
    if status == 0 || hash.is_some() {
        token::revoke_principal(&mut tx, PrincipalKind::Engineer, id).await?;
    }
    if status == 0 {
        // A disabled engineer's unfinished tickets go back to be dispatched again.
        crate::server::service::ticket::undispatch_engineer(&mut tx, id, now_ms()).await?;
    }
    let after_facts = json!({ "status": status, "password_changed": hash.is_some() });
    audit::record(&mut tx, principal, "engineer.update", "engineer", id, Change::noted(after_facts)).await?;
    tx.commit().await?;
    get(ctx, principal, id).await
}

/// Removes an engineer: signed out, kept for the tickets that name it; its open tickets go back
/// to be dispatched again.
pub async fn remove(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let before = get(ctx, principal, id).await?;
    writer(ctx, principal, before.dealer_id).await?;
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new("UPDATE engineers SET remove_time = $1, status = 0 WHERE id = $2 AND remove_time IS NULL")
            .bind(now)
            .bind(id),
    )
    .await?;
    token::revoke_principal(&mut tx, PrincipalKind::Engineer, id).await?;
    crate::server::service::ticket::undispatch_engineer(&mut tx, id, now).await?;
    audit::record(&mut tx, principal, "engineer.remove", "engineer", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
