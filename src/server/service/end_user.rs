//! End users (members, 会员) of a vendor (seed 003 AA-01..07, AA-10).
//!
//! A user signs up on its vendor's mobile site (or an app) with a code sent to its mobile, and
//! signs in with its password or a code. Who sees whom: the platform every user; the vendor's
//! members holding "view users" the vendor's; a dealer the users its promotion links brought, in
//! its scope and below; a user only itself (without the vendor-only fields). Another's user reads
//! exactly as a missing one (404); a deregistered one answers 410.

use sea_query::{Alias, Expr};
use serde_json::{Map, Value};

use crate::{
    model::{
        end_user::{EndUser, EndUserEdit, EndUserState, Registration, ADMIN_ONLY},
        list::Page,
        permission::{MANAGE_END_USERS, READ_END_USERS},
        validate,
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::{
            password,
            principal::Principal,
            token::{self, Channel, PrincipalKind},
        },
        clock::now_ms,
        db::{unique_violation, Sql, Tx},
        error::{codes, ApiError, Error, Result},
        list::{self, ListQuery},
        scope::{dealer_chain, Scope},
        secret::Secret,
        service::{
            login::LoggedIn,
            permission, vendor,
            verification::{self, Delivery, Purpose},
        },
        state::Ctx,
    },
};

/// The users `principal` may read, as a scope of `end_users`.
fn readable(principal: &Principal) -> Result<Scope> {
    Ok(match principal {
        Principal::Platform(_) => Scope::every_corp(),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_END_USERS)?.corp_id),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(dealer_chain(&d.scope)),
        Principal::EndUser(u) => Scope::corp(&u.corp_id).and(Expr::col(Alias::new("id")).eq(u.user_id)),
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) | Principal::Engineer(_) => {
            return Err(ApiError::forbidden().into())
        }
    })
}

/// A row as `principal` is shown it: a user reading itself does not see the vendor-only fields.
fn shown(principal: &Principal, mut row: Map<String, Value>) -> Map<String, Value> {
    if matches!(principal, Principal::EndUser(_)) {
        for field in ADMIN_ONLY {
            row.remove(field);
        }
    }
    row
}

/// AA-01: the users `principal` may see.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    let mut page = list::run(&ctx.db, &EndUser::RESOURCE, query, scope).await?;
    page.list = page.list.into_iter().map(|row| shown(principal, row)).collect();
    Ok(page)
}

/// AA-03: one user.
pub async fn get(ctx: &Ctx, principal: &Principal, uid: &str) -> Result<Map<String, Value>> {
    let user = find(ctx, principal, uid).await?;
    let row = serde_json::to_value(&user).map_err(|e| Error::Internal(Box::new(e)))?;
    let Value::Object(row) = row else { return Err(Error::internal("an end user is an object")) };
    Ok(shown(principal, row))
}

/// The user `uid` within what `principal` may read; 404 outside it, 410 once deregistered.
async fn find(ctx: &Ctx, principal: &Principal, uid: &str) -> Result<EndUser> {
    let scope = readable(principal)?.and(Expr::col(Alias::new("uid")).eq(uid.to_owned()));
    let select = list::select_records(&EndUser::RESOURCE, scope);
    let user: EndUser = ctx.db.fetch_record(&select, &EndUser::RESOURCE).await?.ok_or_else(not_found)?;
    if user.dereg_tms.is_some() {
        return Err(ApiError::new(codes::END_USER_GONE, "this user was deregistered").into());
    }
    Ok(user)
}

fn not_found() -> Error {
    ApiError::new(codes::END_USER_NOT_FOUND, "user not found").into()
}

/// Who may change a user: the platform, the vendor's members holding "manage users" (A#), and
/// the user itself (C). `vendor_side` tells the first two from the last.
fn writable(principal: &Principal, user: &EndUser) -> Result<bool> {
    match principal {
        Principal::Platform(_) => Ok(true),
        Principal::Member(_) => {
            permission::require(principal, MANAGE_END_USERS)?;
            Ok(true)
        }
        Principal::EndUser(u) if u.uid == user.uid => Ok(false),
        _ => Err(ApiError::forbidden().into()),
    }
}

/// The user's internal id, in the change's transaction.
async fn row_id(tx: &mut Tx, uid: &str) -> Result<i64> {
    let (id,): (i64,) = tx.fetch_one(&Sql::new("SELECT id FROM end_users WHERE uid = $1").bind(uid.to_owned())).await?;
    Ok(id)
}

/// The vendor's name as its messages are signed: its short name, else its name.
async fn vendor_name(ctx: &Ctx, vid: &str) -> Result<String> {
    let (abbv, name): (String, String) =
        ctx.db.fetch_one(&Sql::new("SELECT abbv, company FROM corps WHERE id = $1").bind(vid.to_owned())).await?;
    Ok(if abbv.is_empty() { name } else { abbv })
}

/// The live user of `vid` with `mobile`, if any: (id, uid, state).
async fn by_mobile(ctx: &Ctx, vid: &str, mobile: &str) -> Result<Option<(i64, String, i64)>> {
    Ok(ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT id, uid, state FROM end_users WHERE corp_id = $1 AND mobile = $2 AND deregister_time IS NULL",
            )
            .bind(vid.to_owned())
            .bind(mobile.to_owned()),
        )
        .await?)
}

/// An end user's password as its client sends it (possibly an MD5 digest): 6–64 characters.
fn check_pwd(field: &str, pwd: &str) -> Result<(), ApiError> {
    if !(6..=64).contains(&pwd.chars().count()) {
        return Err(ApiError::invalid(field, "must be 6-64 characters"));
    }
    Ok(())
}

/// AA-02A: a registration code for `mobile`. Answers the same whether or not the mobile is
/// registered (a registered one gets no code).
pub async fn send_registration_code(ctx: &Ctx, vid: &str, mobile: &str) -> Result<()> {
    let vid = vid.trim();
    let mobile = validate::phone("mobile", mobile)?;
    vendor::require_area(ctx, vid, Area::Users).await?;
    let free = by_mobile(ctx, vid, &mobile).await?.is_none();
    let name = vendor_name(ctx, vid).await?;
    let delivery = free.then_some(Delivery { vid, vendor_name: &name, purpose: Purpose::Register });
    verification::send(ctx, &mobile, delivery).await
}

/// AA-02B: registers a user with the code of AA-02A; answers its uid. `rid` must be a user of
/// the same vendor; `dealer` an enabled dealer of the vendor (its promotion link), whose scope
/// the user joins.
pub async fn register(ctx: &Ctx, input: Registration) -> Result<String> {
    Ok(insert_registered(ctx, input).await?.0)
}

/// Registers as [`register`] and starts the new user's login on `channel`: the mobile site signs
/// a new user in at once, with or without a password (without one, later sign-ins use codes).
pub async fn register_and_sign_in(ctx: &Ctx, input: Registration, channel: Channel) -> Result<LoggedIn> {
    let vid = input.vid.trim().to_owned();
    let (_, id) = insert_registered(ctx, input).await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::EndUser, id, channel).await?;
    Ok(LoggedIn { corp_id: vid, principal_id: id, login_id })
}

/// The registration itself: answers the new user's uid and row id.
async fn insert_registered(ctx: &Ctx, input: Registration) -> Result<(String, i64)> {
    let vid = input.vid.trim().to_owned();
    if vid.is_empty() {
        return Err(ApiError::missing("vid").into());
    }
    let mobile = validate::phone("mobile", &input.mobile)?;
    let name = validate::optional_text("name", &input.name, 32)?;
    let email = if input.email.trim().is_empty() { String::new() } else { validate::email("email", &input.email)? };
    let area = validate::optional_text("area", &input.area, 128)?;
    let address = validate::optional_text("address", &input.address, 256)?;
    let avatar = validate::optional_text("avatar", &input.avatar, 512)?;
    if !input.pwd.is_empty() {
        check_pwd("pwd", &input.pwd)?;
    }
    vendor::require_area(ctx, &vid, Area::Users).await?;
    let rid = match input.rid.trim() {
        "" => None,
        rid => Some(referrer(ctx, &vid, rid, None).await?),
    };
    let dealer = match input.dealer.trim() {
        "" => None,
        code => Some(promoting_dealer(ctx, &vid, code).await?),
    };
    let checked = verification::check(ctx, &vid, &mobile, &Purpose::Register, &input.code).await?;
    let hash = match input.pwd.as_str() {
        "" => String::new(),
        pwd => password::hash(&Secret::new(pwd)).await?.0,
    };

    let mut tx = ctx.db.begin().await?;
    verification::use_up(&mut tx, checked).await?;
    let (serial, code): (i64, String) = tx
        .fetch_one(
            &Sql::new(
                "UPDATE corps SET user_serial = user_serial + 1 WHERE id = $1 RETURNING user_serial, vendor_code",
            )
            .bind(vid.clone()),
        )
        .await?;
    let uid = format!("{code}{serial:016X}");
    let inserted: Result<(i64,), sqlx::Error> = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO end_users (uid, corp_id, mobile, password_hash, name, avatar, email, area, address, \
                 state, rid, dealer_id, dealer_scope, create_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(uid.clone())
            .bind(vid.clone())
            .bind(mobile)
            .bind(hash)
            .bind(name)
            .bind(avatar)
            .bind(email)
            .bind(area)
            .bind(address)
            .bind(EndUserState::Active.code())
            .bind(rid)
            .bind(dealer.as_ref().map(|d| d.0))
            .bind(dealer.map(|d| d.1))
            .bind(now_ms()),
        )
        .await;
    let (id,) = match inserted {
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::PHONE_TAKEN, "mobile: already registered").into());
        }
        other => other?,
    };
    audit::record_end_user(&mut tx, &vid, id, "end_user.register", &uid, Change::default()).await?;
    tx.commit().await?;
    Ok((uid, id))
}

/// A referrer: a live user of `vid`, never `user` itself nor one `user` referred (no cycles).
async fn referrer(ctx: &Ctx, vid: &str, rid: &str, user: Option<&str>) -> Result<String> {
    let invalid = || Error::from(ApiError::new(codes::REFERRER_INVALID, "rid: not a user of this vendor"));
    let mut at = rid.to_owned();
    // Walk up the chain from the new referrer; meeting `user` would close a loop.
    for _ in 0..10_000 {
        if Some(at.as_str()) == user {
            return Err(ApiError::new(codes::REFERRER_INVALID, "rid: would make a referral loop").into());
        }
        let found: Option<(Option<String>,)> = ctx
            .db
            .fetch_optional(
                &Sql::new("SELECT rid FROM end_users WHERE corp_id = $1 AND uid = $2")
                    .bind(vid.to_owned())
                    .bind(at.clone()),
            )
            .await?;
        match found {
            None if at == rid => return Err(invalid()),
            None => break,
            Some((None,)) => break,
            Some((Some(next),)) => at = next,
        }
    }
    Ok(rid.to_owned())
}

/// The enabled dealer of `vid` with `code`: its id and scope.
async fn promoting_dealer(ctx: &Ctx, vid: &str, code: &str) -> Result<(i64, String)> {
    let found: Option<(i64, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT id, scope FROM dealers WHERE corp_id = $1 AND dealer_code = $2 AND status = 1")
                .bind(vid.to_owned())
                .bind(code.to_owned()),
        )
        .await?;
    found.ok_or_else(|| ApiError::invalid("dealer", "no such dealer").into())
}

/// A sign-in code for `mobile` (the code way of `POST /api/users/auth`); only a registered,
/// active user gets one, and the answer is the same either way.
pub async fn send_sign_in_code(ctx: &Ctx, vid: &str, mobile: &str) -> Result<()> {
    let vid = vid.trim();
    let mobile = validate::phone("mobile", mobile)?;
    vendor::require_area(ctx, vid, Area::Users).await?;
    let active = by_mobile(ctx, vid, &mobile).await?.is_some_and(|(_, _, state)| state == EndUserState::Active.code());
    let name = vendor_name(ctx, vid).await?;
    let delivery = active.then_some(Delivery { vid, vendor_name: &name, purpose: Purpose::SignIn });
    verification::send(ctx, &mobile, delivery).await
}

/// Signs a user in with a code: an unknown mobile and a wrong code answer alike (4001007).
pub async fn code_login(ctx: &Ctx, vid: &str, mobile: &str, code: &str, channel: Channel) -> Result<LoggedIn> {
    let vid = vid.trim();
    let mobile = mobile.trim();
    vendor::require_area(ctx, vid, Area::Users).await?;
    let wrong = || Error::from(ApiError::new(codes::WRONG_PASSWORD, "mobile or code is wrong"));
    let checked = match verification::check(ctx, vid, mobile, &Purpose::SignIn, code).await {
        Err(Error::Api(e)) if e.code == codes::CODE_WRONG => return Err(wrong()),
        other => other?,
    };
    let (id, _, state) = by_mobile(ctx, vid, mobile).await?.ok_or_else(wrong)?;
    if state != EndUserState::Active.code() {
        return Err(ApiError::new(codes::END_USER_DISABLED, "this user is disabled").into());
    }
    let mut tx = ctx.db.begin().await?;
    verification::use_up(&mut tx, checked).await?;
    tx.commit().await?;
    let login_id = token::start_login(&ctx.db, PrincipalKind::EndUser, id, channel).await?;
    Ok(LoggedIn { corp_id: vid.to_owned(), principal_id: id, login_id })
}

/// AA-04: edits a profile (absent fields stay). The referrer, the remark and the state are the
/// vendor's to change.
pub async fn edit(ctx: &Ctx, principal: &Principal, uid: &str, input: EndUserEdit) -> Result<Map<String, Value>> {
    let before = find(ctx, principal, uid).await?;
    let vendor_side = writable(principal, &before)?;
    if !vendor_side && (input.rid.is_some() || input.remark.is_some() || input.state.is_some()) {
        return Err(ApiError::forbidden().into());
    }
    let email = match input.email.as_deref().map(str::trim) {
        Some("") => Some(String::new()),
        Some(e) => Some(validate::email("email", e)?),
        None => None,
    };
    let mut sets: Vec<(&'static str, Value)> = [
        ("name", validate::given_text("name", &input.name, 32)?),
        ("avatar", validate::given_text("avatar", &input.avatar, 512)?),
        ("email", email),
        ("area", validate::given_text("area", &input.area, 128)?),
        ("address", validate::given_text("address", &input.address, 256)?),
        ("remark", validate::given_text("remark", &input.remark, 256)?),
    ]
    .into_iter()
    .filter_map(|(column, v)| v.map(|v| (column, Value::String(v))))
    .collect();
    if let Some(rid) = input.rid.as_deref().map(str::trim) {
        let rid = match rid {
            "" => Value::Null,
            rid => Value::String(referrer(ctx, &before.vid, rid, Some(uid)).await?),
        };
        sets.push(("rid", rid));
    }
    let state = input
        .state
        .map(|s| EndUserState::from_code(s).ok_or_else(|| ApiError::invalid("state", "must be 0, 1 or 2")))
        .transpose()?;
    if let Some(state) = state {
        sets.push(("state", Value::from(state.code())));
    }
    let mut tx = ctx.db.begin().await?;
    let id = row_id(&mut tx, uid).await?;
    for (column, value) in &sets {
        // `column` is one of the constants above, never request text.
        let sql = Sql::new(format!("UPDATE end_users SET {column} = $1 WHERE id = $2"));
        let sql = match value {
            Value::Null => sql.bind(None::<String>),
            Value::Number(n) => sql.bind(n.as_i64()),
            Value::String(s) => sql.bind(s.clone()),
            _ => sql,
        };
        tx.execute(&sql.bind(id)).await?;
    }
    if state == Some(EndUserState::Disabled) {
        token::revoke_principal(&mut tx, PrincipalKind::EndUser, id).await?;
    }
    let select =
        list::select_records(&EndUser::RESOURCE, Scope::corp(&before.vid).and(Expr::col(Alias::new("id")).eq(id)));
    let after: EndUser = tx.fetch_record(&select, &EndUser::RESOURCE).await?.ok_or_else(not_found)?;
    audit::record_in(
        &mut tx,
        principal,
        &before.vid,
        "end_user.edit",
        "end_user",
        uid,
        Change::updated(&before, &after),
    )
    .await?;
    tx.commit().await?;
    get(ctx, principal, uid).await
}

/// AA-05: a new password. The user gives its current one; the vendor's side sets one without it
/// (a reset). The user's other logins end (all of them, when the vendor set it).
pub async fn change_password(
    ctx: &Ctx,
    principal: &Principal,
    uid: &str,
    old: Option<Secret>,
    new: Secret,
) -> Result<()> {
    let user = find(ctx, principal, uid).await?;
    let vendor_side = writable(principal, &user)?;
    check_pwd("new_pwd", new.expose())?;
    let mut tx = ctx.db.begin().await?;
    let id = row_id(&mut tx, uid).await?;
    if !vendor_side {
        let old = old.ok_or_else(|| ApiError::missing("old_pwd"))?;
        let (stored,): (String,) =
            tx.fetch_one(&Sql::new("SELECT password_hash FROM end_users WHERE id = $1").bind(id)).await?;
        // A user that signs in with codes has no password yet: any old one is wrong.
        let stored = Some(stored.as_str()).filter(|s| !s.is_empty());
        if !password::verify(&old, stored).await? || stored.is_none() {
            return Err(ApiError::new(codes::WRONG_PASSWORD, "old_pwd: the current password is wrong").into());
        }
    }
    let hash = password::hash(&new).await?;
    tx.execute(&Sql::new("UPDATE end_users SET password_hash = $1 WHERE id = $2").bind(hash.0).bind(id)).await?;
    end_other_logins(&mut tx, principal, id).await?;
    audit::record_in(&mut tx, principal, &user.vid, "end_user.password", "end_user", uid, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the user's logins but the one making the change (when it is the user's own).
async fn end_other_logins(tx: &mut Tx, principal: &Principal, id: i64) -> Result<()> {
    let keep = match principal {
        Principal::EndUser(u) => u.login_id.clone(),
        _ => String::new(),
    };
    tx.execute(
        &Sql::new(
            "UPDATE auth_logins SET revoked_time = $1 \
             WHERE principal_kind = $2 AND principal_id = $3 AND revoked_time IS NULL AND id <> $4",
        )
        .bind(now_ms())
        .bind(PrincipalKind::EndUser as i64)
        .bind(id)
        .bind(keep),
    )
    .await?;
    Ok(())
}

/// AA-06A: a code to the new mobile. A mobile another user of the vendor holds gets none (and
/// the answer is the same), so AA-06B then fails on the code.
pub async fn send_mobile_code(ctx: &Ctx, principal: &Principal, uid: &str, mobile: &str) -> Result<()> {
    let user = find(ctx, principal, uid).await?;
    writable(principal, &user)?;
    let mobile = validate::phone("mobile", mobile)?;
    let free = by_mobile(ctx, &user.vid, &mobile).await?.is_none();
    let name = vendor_name(ctx, &user.vid).await?;
    let delivery =
        free.then(|| Delivery { vid: &user.vid, vendor_name: &name, purpose: Purpose::Mobile(uid.to_owned()) });
    verification::send(ctx, &mobile, delivery).await
}

/// AA-06B: moves the user to the mobile the code of AA-06A was sent to.
pub async fn change_mobile(ctx: &Ctx, principal: &Principal, uid: &str, mobile: &str, code: &str) -> Result<()> {
    let user = find(ctx, principal, uid).await?;
    writable(principal, &user)?;
    let mobile = validate::phone("mobile", mobile)?;
    let checked = verification::check(ctx, &user.vid, &mobile, &Purpose::Mobile(uid.to_owned()), code).await?;
    let mut tx = ctx.db.begin().await?;
    verification::use_up(&mut tx, checked).await?;
    let id = row_id(&mut tx, uid).await?;
    let done =
        tx.execute(&Sql::new("UPDATE end_users SET mobile = $1 WHERE id = $2").bind(mobile.clone()).bind(id)).await;
    match done {
        Err(e) if unique_violation(&e) => {
            return Err(ApiError::new(codes::PHONE_TAKEN, "mobile: already registered").into())
        }
        other => other?,
    };
    let change = Change::noted(serde_json::json!({ "mobile": { "from": user.mobile, "to": mobile } }));
    audit::record_in(&mut tx, principal, &user.vid, "end_user.mobile", "end_user", uid, change).await?;
    tx.commit().await?;
    Ok(())
}

/// AA-07A: a password-reset code to the user's mobile; an unknown mobile gets none, with the
/// same answer. Signed out (a forgotten password), the user names its vendor and mobile.
pub async fn send_reset_code(ctx: &Ctx, vid: &str, mobile: &str) -> Result<()> {
    let vid = vid.trim();
    let mobile = validate::phone("mobile", mobile)?;
    vendor::require_area(ctx, vid, Area::Users).await?;
    let known = by_mobile(ctx, vid, &mobile).await?.is_some();
    let name = vendor_name(ctx, vid).await?;
    let delivery = known.then_some(Delivery { vid, vendor_name: &name, purpose: Purpose::Reset });
    verification::send(ctx, &mobile, delivery).await
}

/// AA-07A by uid (`/api/users/{uid}/rst/code`): a code goes only when `mobile` is the user's;
/// an unknown uid or another mobile is counted like a send and gets nothing, with the same answer.
pub async fn send_reset_code_for(ctx: &Ctx, uid: &str, mobile: &str) -> Result<()> {
    let mobile = validate::phone("mobile", mobile)?;
    match vendor_and_mobile(ctx, uid).await? {
        Some((vid, own)) if own == mobile => send_reset_code(ctx, &vid, &mobile).await,
        _ => verification::send(ctx, &mobile, None).await,
    }
}

/// AA-07B by uid: the reset of [`reset_password`] for the user `uid`'s vendor and mobile.
pub async fn reset_password_for(ctx: &Ctx, uid: &str, code: &str, pwd: Secret) -> Result<()> {
    let Some((vid, mobile)) = vendor_and_mobile(ctx, uid).await? else {
        return Err(ApiError::new(codes::CODE_WRONG, "code: wrong or expired").into());
    };
    reset_password(ctx, &vid, &mobile, code, pwd).await
}

/// A signed-in user's uid, for the sign-in's answer.
pub async fn uid_of(ctx: &Ctx, id: i64) -> Result<(String,)> {
    Ok(ctx.db.fetch_one(&Sql::new("SELECT uid FROM end_users WHERE id = $1").bind(id)).await?)
}

/// AA-07B: a new password with the code of AA-07A; every login of the user ends.
pub async fn reset_password(ctx: &Ctx, vid: &str, mobile: &str, code: &str, pwd: Secret) -> Result<()> {
    let vid = vid.trim();
    let mobile = validate::phone("mobile", mobile)?;
    check_pwd("pwd", pwd.expose())?;
    vendor::require_area(ctx, vid, Area::Users).await?;
    let checked = verification::check(ctx, vid, &mobile, &Purpose::Reset, code).await?;
    let Some((id, uid, _)) = by_mobile(ctx, vid, &mobile).await? else {
        return Err(ApiError::new(codes::CODE_WRONG, "code: wrong or expired").into());
    };
    let hash = password::hash(&pwd).await?;
    let mut tx = ctx.db.begin().await?;
    verification::use_up(&mut tx, checked).await?;
    tx.execute(&Sql::new("UPDATE end_users SET password_hash = $1 WHERE id = $2").bind(hash.0).bind(id)).await?;
    token::revoke_principal(&mut tx, PrincipalKind::EndUser, id).await?;
    let change = Change::noted(serde_json::json!({ "with": "code" }));
    audit::record_end_user(&mut tx, vid, id, "end_user.reset_password", &uid, change).await?;
    tx.commit().await?;
    Ok(())
}

/// The user `uid` of whatever vendor, for the AA-07A/B paths that name a user: its vendor and
/// mobile (`None` when there is no such live user).
pub async fn vendor_and_mobile(ctx: &Ctx, uid: &str) -> Result<Option<(String, String)>> {
    Ok(ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT corp_id, mobile FROM end_users WHERE uid = $1 AND deregister_time IS NULL")
                .bind(uid.to_owned()),
        )
        .await?)
}

/// AA-10: the platform deregisters a user: its logins end, it answers 410, its record stays
/// (orders and accounting name it) and its mobile is free for a new registration.
pub async fn deregister(ctx: &Ctx, principal: &Principal, uid: &str) -> Result<()> {
    principal.platform()?;
    let user = find(ctx, principal, uid).await?;
    let mut tx = ctx.db.begin().await?;
    let id = row_id(&mut tx, uid).await?;
    tx.execute(
        &Sql::new("UPDATE end_users SET deregister_time = $1 WHERE id = $2 AND deregister_time IS NULL")
            .bind(now_ms())
            .bind(id),
    )
    .await?;
    token::revoke_principal(&mut tx, PrincipalKind::EndUser, id).await?;
    audit::record_in(&mut tx, principal, &user.vid, "end_user.deregister", "end_user", uid, Change::default()).await?;
    tx.commit().await?;
    Ok(())
}

/// A promotion link: the mobile site's sign-up page of the vendor, naming who shares it — a
/// dealer (the users it brings join its scope and earn it commission where they have no
/// referrer) or a user (its referral link: it becomes their referrer). `origin` is the site's
/// own (`https://host`).
pub async fn promotion_link(ctx: &Ctx, principal: &Principal, origin: &str) -> Result<String> {
    let (corp_id, param) = match principal {
        Principal::EndUser(u) => (u.corp_id.clone(), format!("rid={}", u.uid)),
        _ => {
            let dealer = principal.dealer()?;
            (dealer.corp_id.clone(), format!("dealer={}", dealer.dealer_code))
        }
    };
    let (code,): (String,) =
        ctx.db.fetch_one(&Sql::new("SELECT vendor_code FROM corps WHERE id = $1").bind(corp_id)).await?;
    Ok(format!("{origin}/m/{code}/signup?{param}"))
}
