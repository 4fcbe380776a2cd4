//! Custom member roles (seed 004, operations 12–15) and the feature catalogue they draw from.

use std::collections::BTreeSet;

use crate::{
    model::{
        error::{codes, ApiError},
        member::{Role, RoleInput},
        permission::{feature, FEATURES, READ_ROLES},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::now_ms,
        db::{unique_violation, Sql, Tx},
        error::{Error, Result},
        service::permission,
        state::Ctx,
    },
};

/// One entry of `GET /v2/member_role/features`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureEntry {
    pub id: i64,
    pub name: &'static str,
    pub name_en: &'static str,
}

/// The catalogue of grantable features; any corp member may read it.
pub fn features(principal: &Principal) -> Result<Vec<FeatureEntry>> {
    permission::member(principal)?;
    Ok(FEATURES.iter().map(|f| FeatureEntry { id: f.id, name: f.zh, name_en: f.en }).collect())
}

fn not_found() -> Error {
    ApiError::new(codes::ROLE_NOT_FOUND, "role not found").into()
}

/// A validated role body: a name, and known feature ids without repeats.
fn check_input(input: RoleInput) -> Result<(String, Vec<i64>)> {
    let name = validate::text("name", &input.name, 32)?;
    let mut features = BTreeSet::new();
    for id in input.features {
        if feature(id).is_none() {
            return Err(ApiError::invalid("features", &format!("unknown feature id {id}")).into());
        }
        features.insert(id);
    }
    Ok((name, features.into_iter().collect()))
}

async fn ensure_name_free(ctx: &Ctx, corp_id: &str, name: &str, except: Option<i64>) -> Result<()> {
    let found: Option<(i64,)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT id FROM member_roles WHERE corp_id = $1 AND name = $2 AND id <> $3")
                .bind(corp_id.to_owned())
                .bind(name.to_owned())
                .bind(except.unwrap_or(0)),
        )
        .await?;
    match found {
        Some(_) => Err(ApiError::invalid("name", "a role with this name already exists").into()),
        None => Ok(()),
    }
}

async fn write_features(tx: &mut Tx, role_id: i64, features: &[i64]) -> Result<()> {
    tx.execute(&Sql::new("DELETE FROM member_role_features WHERE role_id = $1").bind(role_id)).await?;
    for f in features {
        tx.execute(
            &Sql::new("INSERT INTO member_role_features (role_id, feature) VALUES ($1, $2)").bind(role_id).bind(*f),
        )
        .await?;
    }
    Ok(())
}

/// A role of the corp with its features, read in `tx` (two queries, one snapshot: a read-only
/// `begin_read` one when nothing is written).
async fn find(tx: &mut Tx, corp_id: &str, id: i64) -> Result<Role> {
    let row: Option<(i64, String)> = tx
        .fetch_optional(
            &Sql::new("SELECT id, name FROM member_roles WHERE id = $1 AND corp_id = $2")
                .bind(id)
                .bind(corp_id.to_owned()),
        )
        .await?;
    let (id, name) = row.ok_or_else(not_found)?;
    let features: Vec<(i64,)> = tx
        .fetch_all(&Sql::new("SELECT feature FROM member_role_features WHERE role_id = $1 ORDER BY feature").bind(id))
        .await?;
    Ok(Role { id, name, features: features.into_iter().map(|(f,)| f).collect() })
}

/// Two roles of a corp never share a name; the unique index settles a race between two
/// creations (or renames) that both passed [`ensure_name_free`].
fn name_taken(e: sqlx::Error) -> Error {
    if unique_violation(&e) {
        ApiError::invalid("name", "a role with this name already exists").into()
    } else {
        e.into()
    }
}

/// Seed 004 op 12.
pub async fn create(ctx: &Ctx, principal: &Principal, input: RoleInput) -> Result<Role> {
    let me = permission::require_admin(principal)?;
    let (name, features) = check_input(input)?;
    ensure_name_free(ctx, &me.corp_id, &name, None).await?;
    let mut tx = ctx.db.begin().await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Sql::new("INSERT INTO member_roles (corp_id, name, create_time) VALUES ($1, $2, $3) RETURNING id")
                .bind(me.corp_id.clone())
                .bind(name)
                .bind(now_ms()),
        )
        .await
        .map_err(name_taken)?;
    write_features(&mut tx, id, &features).await?;
    let role = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "role.create", "role", id, Change::created(&role)).await?;
    tx.commit().await?;
    Ok(role)
}

/// Seed 004 op 13. Members holding the role get the new features at their next request.
pub async fn update(ctx: &Ctx, principal: &Principal, id: i64, input: RoleInput) -> Result<Role> {
    let me = permission::require_admin(principal)?;
    find(&mut ctx.db.begin_read().await?, &me.corp_id, id).await?;
    let (name, features) = check_input(input)?;
    ensure_name_free(ctx, &me.corp_id, &name, Some(id)).await?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    tx.execute(&Sql::new("UPDATE member_roles SET name = $1 WHERE id = $2").bind(name).bind(id))
        .await
        .map_err(name_taken)?;
    write_features(&mut tx, id, &features).await?;
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "role.update", "role", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Seed 004 op 14: a role some member still holds is refused (4001099), naming how many.
pub async fn delete(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let me = permission::require_admin(principal)?;
    find(&mut ctx.db.begin_read().await?, &me.corp_id, id).await?;
    let (holders,): (i64,) =
        ctx.db.fetch_one(&Sql::new("SELECT COUNT(*) FROM members WHERE role_id = $1").bind(id)).await?;
    if holders > 0 {
        return Err(ApiError::new(codes::ROLE_IN_USE, format!("the role is held by {holders} member(s)")).into());
    }
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    // Only while nobody holds it: a member given the role meanwhile keeps it.
    let deleted = tx
        .execute(
            &Sql::new(
                "DELETE FROM member_roles WHERE id = $1 AND corp_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM members WHERE role_id = $1)",
            )
            .bind(id)
            .bind(me.corp_id.clone()),
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::new(codes::ROLE_IN_USE, "the role is held by a member").into());
    }
    audit::record(&mut tx, principal, "role.delete", "role", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}

/// Seed 004 op 15: the corp's custom roles.
pub async fn list(ctx: &Ctx, principal: &Principal) -> Result<Vec<Role>> {
    let me = permission::require(principal, READ_ROLES)?;
    let roles: Vec<(i64, String)> = ctx
        .db
        .fetch_all(
            &Sql::new("SELECT id, name FROM member_roles WHERE corp_id = $1 ORDER BY id").bind(me.corp_id.clone()),
        )
        .await?;
    let features: Vec<(i64, i64)> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT f.role_id, f.feature FROM member_role_features f \
                 JOIN member_roles r ON r.id = f.role_id WHERE r.corp_id = $1 ORDER BY f.feature",
            )
            .bind(me.corp_id.clone()),
        )
        .await?;
    Ok(roles
        .into_iter()
        .map(|(id, name)| Role {
            id,
            name,
            features: features.iter().filter(|(r, _)| *r == id).map(|(_, f)| *f).collect(),
        })
        .collect())
}
