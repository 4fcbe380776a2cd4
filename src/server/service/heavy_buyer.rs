//! Heavy buyers (seed 000): key-account customers the corp manages, each with its own login.
//! Deleting one is a single transaction that also removes what belongs to it (organizations,
//! their users) and releases its devices.

use serde_json::Value;

use crate::{
    model::{
        dealer::PartnerStatus,
        error::{codes, ApiError},
        heavy_buyer::{HeavyBuyer, HeavyBuyerEdit, HeavyBuyerSession, NewHeavyBuyer},
        list::Page,
        permission::{MANAGE_HEAVY_BUYERS, READ_HEAVY_BUYERS},
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
        list::{self, ListQuery, Resource},
        scope::Scope,
        secret::Secret,
        service::{corp, entry, login::Partner, org_user, permission, seat::Seat},
        state::Ctx,
    },
};

/// The heavy buyers table and its fields, declared with the wire type ([`HeavyBuyer`]).
pub static HEAVY_BUYERS: Resource = HeavyBuyer::RESOURCE;

fn not_found() -> Error {
    ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found").into()
}

/// A heavy buyer of `corp_id`; another corp's reads as missing.
async fn find(ex: impl Into<Executor<'_>>, corp_id: &str, id: i64) -> Result<HeavyBuyer> {
    list::find(ex, &HEAVY_BUYERS, Scope::corp(corp_id), id).await?.ok_or_else(not_found)
}

/// A corp member with "view key accounts" reads any of its corp's; a heavy buyer only itself.
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<HeavyBuyer> {
    match principal {
        Principal::HeavyBuyer(me) if me.heavy_buyer_id == id => find(&ctx.db, &me.corp_id, id).await,
        Principal::OrgUser(me) if me.heavy_buyer_id == id => find(&ctx.db, &me.corp_id, id).await,
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) => Err(not_found()),
        _ => {
            let me = permission::require(principal, READ_HEAVY_BUYERS)?;
            find(&ctx.db, &me.corp_id, id).await
        }
    }
}

/// What every heavy-buyer-portal page needs: the heavy buyer, its corp, and the seat (the
/// account or one of its users, and what it may do).
pub async fn session(ctx: &Ctx, principal: &Principal) -> Result<HeavyBuyerSession> {
    let heavy_buyer = me(ctx, principal).await?;
    let seat = org_user::seat(ctx, principal).await?;
    let corp_id = Seat::me(principal)?.corp_id;
    let company = corp::company(ctx, &corp_id).await?;
    let hidden_modules = entry::hidden_modules(ctx, principal).await?;
    Ok(HeavyBuyerSession { heavy_buyer, corp_id, company, seat, hidden_modules })
}

/// The profile of the heavy buyer the caller is (or is a user of).
pub async fn me(ctx: &Ctx, principal: &Principal) -> Result<HeavyBuyer> {
    let me = Seat::me(principal)?;
    find(&ctx.db, &me.corp_id, me.heavy_buyer_id).await
}

pub fn list_query(body: &Value) -> Result<ListQuery, ApiError> {
    list::parse(&HEAVY_BUYERS, body)
}

/// Seed 000 op 5.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let me = permission::require(principal, READ_HEAVY_BUYERS)?;
    list::run(&ctx.db, &HEAVY_BUYERS, query, Scope::corp(&me.corp_id)).await
}

/// Email and phone are unique among the corp's heavy buyers.
async fn ensure_account_free(ctx: &Ctx, corp_id: &str, email: &str, phone: &str) -> Result<()> {
    let taken: Option<(String, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT email, phone FROM heavy_buyers WHERE corp_id = $1 AND (email = $2 OR phone = $3)")
                .bind(corp_id.to_owned())
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

struct Profile {
    name: String,
    industry: String,
    location: String,
    contacter: String,
    contact_way: String,
}

fn check_profile(name: &str, industry: &str, location: &str, contacter: &str, contact_way: &str) -> Result<Profile> {
    Ok(Profile {
        name: validate::text("name", name, 64)?,
        industry: validate::text("industry", industry, 64)?,
        location: validate::text("location", location, 128)?,
        contacter: validate::text("contacter", contacter, 32)?,
        contact_way: validate::text("contact_way", contact_way, 64)?,
    })
}

/// The heavy buyer's own account: email, phone and a password hash.
struct Account {
    email: String,
    phone: String,
    password_hash: String,
}

/// Checks an account given in full (a part left out is 4001002) and hashes its password.
async fn check_account(ctx: &Ctx, corp_id: &str, input: &NewHeavyBuyer) -> Result<Account> {
    let email = validate::email("email", &input.email)?;
    let phone = validate::phone("phone", &input.phone)?;
    if input.password.is_empty() {
        return Err(ApiError::missing("password").into());
    }
    let secret = Secret::new(input.password.clone());
    password::check_strong_password("password", &secret)?;
    ensure_account_free(ctx, corp_id, &email, &phone).await?;
    let password_hash = password::hash(&secret).await?.0;
    Ok(Account { email, phone, password_hash })
}

/// Seed 000 op 1, with or without an account of its own.
pub async fn add(ctx: &Ctx, principal: &Principal, input: NewHeavyBuyer) -> Result<HeavyBuyer> {
    let me = permission::require(principal, MANAGE_HEAVY_BUYERS)?;
    let p = check_profile(&input.name, &input.industry, &input.location, &input.contacter, &input.contact_way)?;
    let place = input.place.checked()?;
    let account = match input.has_account() {
        true => Some(check_account(ctx, &me.corp_id, &input).await?),
        false => None,
    };
    // Without an account, unique placeholders keep the columns' uniqueness (see migration 0007);
    // they are no email or phone anyone can type, and the empty hash accepts no password.
    let (email, phone) = match &account {
        Some(a) => (a.email.clone(), a.phone.clone()),
        None => {
            let placeholder = format!("no-account:{}", crate::server::secret::random_hex(12));
            (placeholder.clone(), placeholder)
        }
    };
    let mut tx = ctx.db.begin().await?;
    let inserted: Result<(i64,), sqlx::Error> = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO heavy_buyers (corp_id, name, email, phone, password_hash, industry, location, contacter, \
                 contact_way, status, create_time, country, province, city, has_account) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(me.corp_id.clone())
            .bind(p.name)
            .bind(email)
            .bind(phone)
            .bind(account.as_ref().map(|a| a.password_hash.clone()).unwrap_or_default())
            .bind(p.industry)
            .bind(p.location)
            .bind(p.contacter)
            .bind(p.contact_way)
            .bind(PartnerStatus::Enabled.code())
            .bind(now_ms())
            .bind(place.country.unwrap_or_default())
            .bind(place.province.unwrap_or_default())
            .bind(place.city.unwrap_or_default())
            .bind(account.is_some()),
        )
        .await;
    let (id,) = match (inserted, &account) {
        (Err(e), Some(account)) if unique_violation(&e) => {
            drop(tx);
            ensure_account_free(ctx, &me.corp_id, &account.email, &account.phone).await?;
            return Err(e.into());
        }
        (other, _) => other?,
    };
    let created = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "heavy_buyer.create", "heavy_buyer", id, Change::created(&created)).await?;
    tx.commit().await?;
    Ok(created)
}

/// A heavy buyer of the caller's corp, for a change by a member with "manage key accounts".
async fn manageable(ctx: &Ctx, principal: &Principal, id: i64) -> Result<String> {
    let me = permission::require(principal, MANAGE_HEAVY_BUYERS)?;
    find(&ctx.db, &me.corp_id, id).await?;
    Ok(me.corp_id.clone())
}

/// Seed 000 op 2.
pub async fn edit(ctx: &Ctx, principal: &Principal, id: i64, input: HeavyBuyerEdit) -> Result<HeavyBuyer> {
    let corp_id = manageable(ctx, principal, id).await?;
    let p = check_profile(&input.name, &input.industry, &input.location, &input.contacter, &input.contact_way)?;
    let place = input.place.checked()?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &corp_id, id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE heavy_buyers SET name = $1, industry = $2, location = $3, contacter = $4, contact_way = $5, \
             country = COALESCE($6, country), province = COALESCE($7, province), city = COALESCE($8, city) \
             WHERE id = $9",
        )
        .bind(p.name)
        .bind(p.industry)
        .bind(p.location)
        .bind(p.contacter)
        .bind(p.contact_way)
        .bind(place.country)
        .bind(place.province)
        .bind(place.city)
        .bind(id),
    )
    .await?;
    let after = find(&mut tx, &corp_id, id).await?;
    audit::record(&mut tx, principal, "heavy_buyer.update", "heavy_buyer", id, Change::updated(&before, &after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// The original console's form of enable/disable: 1 enables, 0 disables (as a dealer's status).
pub async fn set_status(ctx: &Ctx, principal: &Principal, id: i64, status: i64) -> Result<()> {
    let status = PartnerStatus::from_code(status).ok_or_else(|| ApiError::invalid("status", "must be 0 or 1"))?;
    set_enabled(ctx, principal, id, status == PartnerStatus::Enabled).await
}

/// Seed 000 op 3 and its counterpart: a disabled heavy buyer's logins, and its users', end.
pub async fn set_enabled(ctx: &Ctx, principal: &Principal, id: i64, enabled: bool) -> Result<()> {
    let corp_id = manageable(ctx, principal, id).await?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &corp_id, id).await?;
    tx.execute(
        &Sql::new("UPDATE heavy_buyers SET status = $1 WHERE id = $2")
            .bind(if enabled { PartnerStatus::Enabled } else { PartnerStatus::Disabled }.code())
            .bind(id),
    )
    .await?;
    if !enabled {
        token::revoke_principal(&mut tx, PrincipalKind::HeavyBuyer, id).await?;
        revoke_users(&mut tx, id).await?;
    }
    let after = find(&mut tx, &corp_id, id).await?;
    let action = if enabled { "heavy_buyer.enable" } else { "heavy_buyer.disable" };
    audit::record(&mut tx, principal, action, "heavy_buyer", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(())
}

async fn revoke_users(tx: &mut Tx, heavy_buyer_id: i64) -> Result<()> {
    tx.execute(
        &Sql::new(
            "UPDATE auth_logins SET revoked_time = $1 WHERE principal_kind = $2 AND revoked_time IS NULL \
             AND principal_id IN (SELECT id FROM org_users WHERE heavy_buyer_id = $3)",
        )
        .bind(now_ms())
        .bind(PrincipalKind::OrgUser as i64)
        .bind(heavy_buyer_id),
    )
    .await?;
    Ok(())
}

/// Seed 000 op 4: one transaction releases its devices, removes its organizations and users,
/// ends every login under it, and removes it.
pub async fn delete(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let corp_id = manageable(ctx, principal, id).await?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &corp_id, id).await?;
    tx.execute(
        &Sql::new("UPDATE devices SET heavy_buyer_id = NULL, organization_id = NULL WHERE heavy_buyer_id = $1")
            .bind(id),
    )
    .await?;
    token::revoke_principal(&mut tx, PrincipalKind::HeavyBuyer, id).await?;
    revoke_users(&mut tx, id).await?;
    tx.execute(&Sql::new("DELETE FROM org_users WHERE heavy_buyer_id = $1").bind(id)).await?;
    tx.execute(&Sql::new("DELETE FROM organizations WHERE heavy_buyer_id = $1").bind(id)).await?;
    entry::forget(&mut tx, Partner::HeavyBuyer, id).await?;
    tx.execute(&Sql::new("DELETE FROM heavy_buyers WHERE id = $1").bind(id)).await?;
    audit::record(&mut tx, principal, "heavy_buyer.delete", "heavy_buyer", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
