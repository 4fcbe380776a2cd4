//! Corp members (seed 004, operations 4–11 and 16): reading, listing, adding, editing one's own
//! information, roles, disabling and enabling, passwords, deleting.
//!
//! Rules: only admins administer members; an admin cannot be deleted, disabled or have its
//! password reset by anyone; a member edits only itself (4001013) and cannot delete itself
//! (4001014). Disabling, deleting or a password change ends the member's logins at once.

use serde_json::Value;

use crate::{
    model::{
        error::{codes, ApiError},
        list::Page,
        member::{Member, MemberEdit, MemberRole, MemberStatus, NewMember},
        permission::READ_MEMBERS,
        validate,
    },
    server::{
        audit::{self, Change},
        auth::{
            password,
            principal::{MemberPrincipal, Principal},
            token::{self, PrincipalKind},
        },
        clock::now_ms,
        db::{unique_violation, Executor, Sql, Tx},
        error::{Error, Result},
        list::{self, ListQuery, Resource},
        scope::Scope,
        secret::Secret,
        service::permission,
        state::Ctx,
    },
};

/// The members table and its fields, declared with the wire type ([`Member`]).
pub static MEMBERS: Resource = Member::RESOURCE;

fn not_found() -> Error {
    ApiError::new(codes::MEMBER_NOT_FOUND, "member not found").into()
}

/// A member of the caller's corp; another corp's member reads exactly as a missing one. Read in
/// a transaction, it is the member as the transaction's own changes left it.
async fn find(ex: impl Into<Executor<'_>>, corp_id: &str, id: i64) -> Result<Member> {
    list::find(ex, &MEMBERS, Scope::corp(corp_id), id).await?.ok_or_else(not_found)
}

/// Seed 004 op 4. A member may always read itself; others need the "view members" feature.
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<Member> {
    let me = permission::member(principal)?;
    if id != me.member_id {
        permission::require(principal, READ_MEMBERS)?;
    }
    find(&ctx.db, &me.corp_id, id).await
}

/// Parses a list body against the member fields.
pub fn list_query(body: &Value) -> Result<ListQuery, ApiError> {
    list::parse(&MEMBERS, body)
}

/// `GET /v2/corp/members?offset=&limit=`.
pub fn paging_query(offset: Option<i64>, limit: Option<i64>) -> Result<ListQuery, ApiError> {
    list::from_offset_limit(&MEMBERS, offset, limit)
}

/// Seed 004 op 5 (and the list language for the portal's table): the corp's members.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let me = permission::require(principal, READ_MEMBERS)?;
    list::run(&ctx.db, &MEMBERS, query, Scope::corp(&me.corp_id)).await
}

/// A role type and, for custom roles, a role of this corp (4041029 otherwise).
async fn check_role(ctx: &Ctx, corp_id: &str, role: i64, role_id: Option<i64>) -> Result<(MemberRole, Option<i64>)> {
    match MemberRole::from_code(role) {
        Some(MemberRole::Custom) => {
            let role_id = role_id.ok_or_else(|| ApiError::missing("role_id"))?;
            let found: Option<(i64,)> = ctx
                .db
                .fetch_optional(
                    &Sql::new("SELECT id FROM member_roles WHERE id = $1 AND corp_id = $2")
                        .bind(role_id)
                        .bind(corp_id.to_owned()),
                )
                .await?;
            found
                .map(|_| (MemberRole::Custom, Some(role_id)))
                .ok_or_else(|| ApiError::new(codes::ROLE_NOT_FOUND, "role not found").into())
        }
        Some(builtin) => Ok((builtin, None)),
        None => Err(ApiError::invalid("type", "must be 1, 2, 3 or 99").into()),
    }
}

/// Members log in with phone or email alone, so both must be unused by every member.
pub async fn ensure_account_free(ctx: &Ctx, email: &str, phone: &str) -> Result<()> {
    let taken: Option<(String, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT email, phone FROM members WHERE email = $1 OR phone = $2")
                .bind(email.to_owned())
                .bind(phone.to_owned()),
        )
        .await?;
    match taken {
        Some((e, _)) if e == email => Err(ApiError::new(codes::EMAIL_TAKEN, "email: already registered").into()),
        Some(_) => Err(ApiError::new(codes::PHONE_TAKEN, "phone: already registered").into()),
        None => Ok(()),
    }
}

/// Seed 004 op 10: an admin adds an active member.
pub async fn add(ctx: &Ctx, principal: &Principal, input: NewMember) -> Result<Member> {
    let me = permission::require_admin(principal)?;
    let name = validate::text("name", &input.name, 32)?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::phone("phone", &input.phone)?;
    let secret = Secret::new(input.password);
    password::check_member_password("password", &secret)?;
    let (role, role_id) = check_role(ctx, &me.corp_id, input.role, input.role_id).await?;
    ensure_account_free(ctx, &email, &phone).await?;
    let hash = password::hash(&secret).await?;
    let mut tx = ctx.db.begin().await?;
    let inserted: Result<(i64,), sqlx::Error> = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO members (corp_id, name, phone, email, password_hash, role, role_id, status, create_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(me.corp_id.clone())
            .bind(name)
            .bind(phone)
            .bind(email)
            .bind(hash.0)
            .bind(role.code())
            .bind(role_id)
            .bind(MemberStatus::Active.code())
            .bind(now_ms()),
        )
        .await;
    let (id,) = match inserted {
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::EMAIL_TAKEN, "email or phone already registered").into())
        }
        other => other?,
    };
    let member = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "member.create", "member", id, Change::created(&member)).await?;
    tx.commit().await?;
    Ok(member)
}

/// Seed 004 op 7: a member edits its own name and notification choices, and nobody else's.
pub async fn edit_own(ctx: &Ctx, principal: &Principal, id: i64, input: MemberEdit) -> Result<Member> {
    let me = permission::member(principal)?;
    if id != me.member_id {
        return Err(ApiError::new(codes::EDIT_OTHER_MEMBER, "a member can only edit its own information").into());
    }
    let name = validate::text("name", &input.name, 32)?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    tx.execute(
        &Sql::new("UPDATE members SET name = $1, is_notice = $2, is_alert = $3 WHERE id = $4")
            .bind(name)
            .bind(input.is_notice)
            .bind(input.is_alert)
            .bind(id),
    )
    .await?;
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "member.update", "member", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// The target of an admin's action: in the caller's corp, and not an admin.
async fn administrable(ctx: &Ctx, me: &MemberPrincipal, id: i64, action: &str) -> Result<Member> {
    let target = find(&ctx.db, &me.corp_id, id).await?;
    if target.role == MemberRole::Admin {
        return Err(admin_protected(action));
    }
    Ok(target)
}

fn admin_protected(action: &str) -> Error {
    ApiError::new(codes::FORBIDDEN, format!("an admin member cannot be {action}")).into()
}

/// The write of an admin's action on another member, in `tx`: it changes the member only while
/// it is still in the caller's corp and still not an admin, so a promotion that lands between
/// the check and the write is never overridden (`administrable` gives the clear answer first).
async fn write_administrable(
    tx: &mut Tx,
    me: &MemberPrincipal,
    id: i64,
    column: &'static str,
    value: impl Into<sea_query::Value>,
    action: &str,
) -> Result<()> {
    let changed = tx
        .execute(
            &Sql::new(format!("UPDATE members SET {column} = $1 WHERE id = $2 AND corp_id = $3 AND role <> $4"))
                .bind(value)
                .bind(id)
                .bind(me.corp_id.clone())
                .bind(MemberRole::Admin.code()),
        )
        .await?;
    if changed == 0 {
        return Err(admin_protected(action));
    }
    Ok(())
}

/// Seed 004 op 8: an admin sets another member's role (its own would risk a corp with no admin).
/// Another admin's role is out of reach too (4031005): demoting it first would open the way to
/// disabling, resetting or deleting it, which the protection of admins forbids.
pub async fn set_role(ctx: &Ctx, principal: &Principal, id: i64, role: i64, role_id: Option<i64>) -> Result<Member> {
    let me = permission::require_admin(principal)?;
    if id == me.member_id {
        return Err(ApiError::invalid("member_id", "an admin cannot change its own role").into());
    }
    let demote_refused = || Error::from(ApiError::new(codes::NEEDS_ADMIN, "another admin's role cannot be changed"));
    if find(&ctx.db, &me.corp_id, id).await?.role == MemberRole::Admin {
        return Err(demote_refused());
    }
    let (role, role_id) = check_role(ctx, &me.corp_id, role, role_id).await?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    let changed = tx
        .execute(
            &Sql::new("UPDATE members SET role = $1, role_id = $2 WHERE id = $3 AND corp_id = $4 AND role <> $5")
                .bind(role.code())
                .bind(role_id)
                .bind(id)
                .bind(me.corp_id.clone())
                .bind(MemberRole::Admin.code()),
        )
        .await?;
    if changed == 0 {
        return Err(demote_refused());
    }
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "member.set_role", "member", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Seed 004 op 9: an admin disables a member; its tokens and sessions end at once.
pub async fn disable(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let me = permission::require_admin(principal)?;
    administrable(ctx, me, id, "disabled").await?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    write_administrable(&mut tx, me, id, "status", MemberStatus::Disabled.code(), "disabled").await?;
    token::revoke_principal(&mut tx, PrincipalKind::Member, id).await?;
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "member.disable", "member", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Seed 004 op 16: an admin enables a member again.
pub async fn enable(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let me = permission::require_admin(principal)?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    tx.execute(&Sql::new("UPDATE members SET status = $1 WHERE id = $2").bind(MemberStatus::Active.code()).bind(id))
        .await?;
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "member.enable", "member", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Seed 004 op 11: an admin sets another (non-admin) member's password; the member's logins end.
pub async fn reset_password(ctx: &Ctx, principal: &Principal, id: i64, new_password: Secret) -> Result<()> {
    let me = permission::require_admin(principal)?;
    let action = "given a new password by another member";
    administrable(ctx, me, id, action).await?;
    password::check_member_password("newpassword", &new_password)?;
    let hash = password::hash(&new_password).await?;
    let mut tx = ctx.db.begin().await?;
    write_administrable(&mut tx, me, id, "password_hash", hash.0, action).await?;
    token::revoke_principal(&mut tx, PrincipalKind::Member, id).await?;
    audit::record(&mut tx, principal, "member.reset_password", "member", id, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// Every member changes its own password with the current one. Its other logins end; the one
/// making the change stays, so the person is not thrown out mid-task.
pub async fn change_own_password(
    ctx: &Ctx,
    principal: &Principal,
    current: Secret,
    new_password: Secret,
) -> Result<()> {
    let me = permission::member(principal)?;
    let (stored,): (String,) =
        ctx.db.fetch_one(&Sql::new("SELECT password_hash FROM members WHERE id = $1").bind(me.member_id)).await?;
    if !password::verify(&current, Some(&stored)).await? {
        return Err(ApiError::new(codes::WRONG_PASSWORD, "password: the current password is wrong").into());
    }
    password::check_member_password("newpassword", &new_password)?;
    let hash = password::hash(&new_password).await?;
    let mut tx = ctx.db.begin().await?;
    tx.execute(&Sql::new("UPDATE members SET password_hash = $1 WHERE id = $2").bind(hash.0).bind(me.member_id))
        .await?;
    tx.execute(
        &Sql::new(
            "UPDATE auth_logins SET revoked_time = $1 \
             WHERE principal_kind = $2 AND principal_id = $3 AND revoked_time IS NULL AND id <> $4",
        )
        .bind(now_ms())
        .bind(PrincipalKind::Member as i64)
        .bind(me.member_id)
        .bind(me.login_id.clone()),
    )
    .await?;
    audit::record(&mut tx, principal, "member.change_password", "member", me.member_id, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// Seed 004 op 6: an admin deletes a member (never itself, never an admin).
pub async fn delete(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let me = permission::require_admin(principal)?;
    if id == me.member_id {
        return Err(ApiError::new(codes::DELETE_SELF, "a member cannot delete itself").into());
    }
    let before = administrable(ctx, me, id, "deleted").await?;
    let mut tx = ctx.db.begin().await?;
    token::revoke_principal(&mut tx, PrincipalKind::Member, id).await?;
    let deleted = tx
        .execute(
            &Sql::new("DELETE FROM members WHERE id = $1 AND corp_id = $2 AND role <> $3")
                .bind(id)
                .bind(me.corp_id.clone())
                .bind(MemberRole::Admin.code()),
        )
        .await?;
    if deleted == 0 {
        return Err(admin_protected("deleted"));
    }
    audit::record(&mut tx, principal, "member.delete", "member", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
