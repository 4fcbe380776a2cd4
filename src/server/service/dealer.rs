//! Dealers (seed 002): the corp's sales channel as a tree.
//!
//! Each dealer has a generated code, unique in its corp, and a `scope`: the chain of codes from
//! the top dealer down to itself ("A1B2C3,D4E5F6"). A dealer's place never changes after it is
//! created, so the scope is stored. A dealer sees itself and every dealer whose scope starts
//! with its own — never a sibling, never another corp.

use sea_query::{Alias, Condition, Expr, Order, Query};
use serde_json::Value;

use crate::{
    model::{
        dealer::{Dealer, DealerEdit, DealerNode, DealerSession, NewDealer, PartnerStatus},
        error::{codes, ApiError},
        list::Page,
        permission::{MANAGE_DEALERS, READ_DEALERS},
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
        db::{record, unique_violation, Executor, Sql},
        error::{Error, Result},
        list::{self, Field, FieldType, ListQuery, Resource},
        scope::Scope,
        secret::{random_bytes, Secret},
        service::{corp, entry, login::Partner, permission},
        state::Ctx,
    },
};

/// The dealers table and its fields, declared with the wire type ([`Dealer`]).
pub static DEALERS: Resource = Dealer::RESOURCE;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn not_found() -> Error {
    ApiError::new(codes::DEALER_NOT_FOUND, "dealer not found").into()
}

/// The dealers a principal may read: a corp member with the feature, its corp's; a dealer,
/// itself and those below it; anyone else, none (4031001).
fn readable(principal: &Principal) -> Result<Scope, ApiError> {
    match principal {
        Principal::Dealer(me) => Ok(Scope::corp(&me.corp_id)
            .and(Condition::any().add(col("id").eq(me.dealer_id)).add(col("scope").like(format!("{},%", me.scope))))),
        _ => Ok(Scope::corp(&permission::require(principal, READ_DEALERS)?.corp_id)),
    }
}

/// The one dealer matching `cond` among those the principal may read.
async fn find(ex: impl Into<Executor<'_>>, principal: &Principal, cond: Condition) -> Result<Dealer> {
    ex.into().fetch_record(&find_sql(principal, cond)?, &DEALERS).await?.ok_or_else(not_found)
}

fn find_sql(principal: &Principal, cond: Condition) -> Result<sea_query::SelectStatement> {
    Ok(list::select_records(&DEALERS, readable(principal)?.and(cond)))
}

/// Dealer `id` as the principal may read it (in a transaction: as its own changes left it).
async fn by_id(ex: impl Into<Executor<'_>>, principal: &Principal, id: i64) -> Result<Dealer> {
    find(ex, principal, Condition::all().add(col("id").eq(id))).await
}

/// Seed 002 op 9.
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<Dealer> {
    by_id(&ctx.db, principal, id).await
}

/// Seed 002 op 10.
pub async fn get_by_code(ctx: &Ctx, principal: &Principal, code: &str) -> Result<Dealer> {
    find(&ctx.db, principal, Condition::all().add(col("dealer_code").eq(code.trim().to_uppercase()))).await
}

/// Dealer `id` as the principal may read it, placed: its corp and its chain of codes (what
/// the records that follow the dealer tree, such as sales, are scoped by).
pub async fn placed(ctx: &Ctx, principal: &Principal, id: i64) -> Result<(String, String)> {
    let mut select = Query::select();
    select
        .columns([Alias::new("corp_id"), Alias::new("scope")])
        .from(Alias::new("dealers"))
        .cond_where(readable(principal)?.and(col("id").eq(id)).into_condition());
    let found: Option<(String, String)> = ctx.db.fetch_optional(&select).await?;
    found.ok_or_else(not_found)
}

/// `GET /v2/dealer/{key}`: the original console names a dealer by id or by its dealer code
/// (an upper dealer's, or one from a device's `dealer_scope`). New codes always hold a letter,
/// so digits are an id; an all-digit code from before that rule is still found when no dealer
/// has that id.
pub async fn get_by_id_or_code(ctx: &Ctx, principal: &Principal, key: &str) -> Result<Dealer> {
    let key = key.trim();
    match crate::model::lenient::parse_int(key) {
        Some(id) => match get(ctx, principal, id).await {
            Err(Error::Api(e)) if e.code == codes::DEALER_NOT_FOUND => get_by_code(ctx, principal, key).await,
            found => found,
        },
        None => get_by_code(ctx, principal, key).await,
    }
}

/// What every dealer-portal page needs: the dealer, its corp and the corp's name.
pub async fn session(ctx: &Ctx, principal: &Principal) -> Result<DealerSession> {
    let dealer = me(ctx, principal).await?;
    let corp_id = principal.dealer()?.corp_id.clone();
    let company = corp::company(ctx, &corp_id).await?;
    let hidden_modules = entry::hidden_modules(ctx, principal).await?;
    Ok(DealerSession { dealer, corp_id, company, hidden_modules })
}

/// A dealer's own profile.
pub async fn me(ctx: &Ctx, principal: &Principal) -> Result<Dealer> {
    let id = principal.dealer()?.dealer_id;
    get(ctx, principal, id).await
}

pub fn list_query(body: &Value) -> Result<ListQuery, ApiError> {
    list::parse(&DEALERS, body)
}

/// Seed 002 op 5: the list language over the dealers the principal may read.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    list::run(&ctx.db, &DEALERS, query, scope).await
}

/// Every dealer the principal may read, each after its upper dealer (codes have one length and
/// the separator sorts before them, so ordering by scope walks the tree depth first).
pub async fn tree(ctx: &Ctx, principal: &Principal) -> Result<Vec<DealerNode>> {
    const SCOPE: Field = Field::new("scope", "scope", FieldType::Str);
    let fields: Vec<&Field> = DEALERS.visible().chain([&SCOPE]).collect();
    let mut select = Query::select();
    select
        .columns(fields.iter().map(|f| Alias::new(f.column)))
        .from(Alias::new(DEALERS.table))
        .cond_where(readable(principal)?.into_condition())
        .order_by(Alias::new("scope"), Order::Asc);
    let mut rows = Vec::new();
    for mut map in ctx.db.fetch_maps(&select, &fields).await? {
        let depth = map.remove("scope").as_ref().and_then(Value::as_str).unwrap_or_default().matches(',').count();
        rows.push((depth, record::<Dealer>(map)?));
    }
    let top = rows.iter().map(|(depth, _)| *depth).min().unwrap_or(0);
    Ok(rows.into_iter().map(|(depth, dealer)| DealerNode { depth: depth - top, dealer }).collect())
}

/// A short code, unique within the corp (checked by the database): 6 characters from an
/// alphabet without look-alikes (no 0/O, 1/I).
fn new_code() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let code: String = random_bytes(6).into_iter().map(|b| ALPHABET[(b % 32) as usize] as char).collect();
        // An all-digit code would read as an id in `GET /v2/dealer/{key}`.
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return code;
        }
    }
}

/// Email and phone are unique among the corp's dealers.
async fn ensure_account_free(ctx: &Ctx, corp_id: &str, email: &str, phone: &str) -> Result<()> {
    let taken: Vec<(String, String)> = ctx
        .db
        .fetch_all(
            &Sql::new("SELECT email, phone FROM dealers WHERE corp_id = $1 AND (email = $2 OR phone = $3)")
                .bind(corp_id.to_owned())
                .bind(email.to_owned())
                .bind(phone.to_owned()),
        )
        .await?;
    let email_taken = taken.iter().any(|(e, _)| e == email);
    let phone_taken = taken.iter().any(|(_, p)| p == phone);
    match (email_taken, phone_taken) {
        (true, true) => Err(ApiError::new(codes::DEALER_ACCOUNT_TAKEN, "this dealer account already exists").into()),
        (true, false) => Err(ApiError::new(codes::EMAIL_TAKEN, "email: already registered").into()),
        (false, true) => Err(ApiError::new(codes::PHONE_TAKEN, "phone: already registered").into()),
        (false, false) => Ok(()),
    }
}

/// Seed 002 op 1: a corp member with "manage dealers" adds a dealer, optionally under another.
pub async fn add(ctx: &Ctx, principal: &Principal, input: NewDealer) -> Result<Dealer> {
    let corp_id = permission::require(principal, MANAGE_DEALERS)?.corp_id.clone();
    insert(ctx, principal, &corp_id, input).await
}

/// Seed 003 六: a dealer adds a dealer directly below itself (whatever the body says of an
/// upper dealer).
pub async fn add_below(ctx: &Ctx, principal: &Principal, mut input: NewDealer) -> Result<Dealer> {
    let me = principal.dealer()?;
    input.upper_dealer_code = Some(me.dealer_code.clone());
    insert(ctx, principal, &me.corp_id, input).await
}

/// Seed 003 六: the dealers below the calling dealer (every level, not itself).
pub async fn list_below(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let me = principal.dealer()?;
    let scope = Scope::corp(&me.corp_id).and(col("scope").like(format!("{},%", me.scope)));
    Ok(list::run(&ctx.db, &DEALERS, query, scope).await?)
}

/// Seed 003 六: a dealer removes one of its own sub-dealers (directly below it), by the rule of
/// [`delete`].
pub async fn delete_below(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let me = principal.dealer()?;
    let target = get(ctx, principal, id).await?;
    if target.upper_dealer_code != me.dealer_code || target.id == me.dealer_id {
        return Err(ApiError::new(codes::FORBIDDEN, "only the dealers directly below you").into());
    }
    remove(ctx, principal, target).await
}

/// Adds a dealer to `corp_id` for `principal` (who was checked), under `upper_dealer_code`.
async fn insert(ctx: &Ctx, principal: &Principal, corp_id: &str, input: NewDealer) -> Result<Dealer> {
    let name = validate::text("name", &input.name, 64)?;
    let email = validate::email("email", &input.email)?;
    let phone = validate::phone("phone", &input.phone)?;
    let secret = Secret::new(input.password);
    password::check_strong_password("password", &secret)?;
    let address = validate::optional_text("address", &input.address, 128)?;
    let profile = input.profile.checked()?;
    // The upper dealer: in the same corp (4041050). The tree can never loop: a new dealer has
    // no dealers below it yet, and nobody's place changes afterwards.
    let upper = match input.upper_dealer_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => {
            let found: Option<(i64, String, String)> = ctx
                .db
                .fetch_optional(
                    &Sql::new("SELECT id, dealer_code, scope FROM dealers WHERE corp_id = $1 AND dealer_code = $2")
                        .bind(corp_id.to_owned())
                        .bind(code.to_uppercase()),
                )
                .await?;
            Some(
                found
                    .ok_or_else(|| ApiError::new(codes::UPPER_DEALER_NOT_FOUND, "upper_dealer_code: no such dealer"))?,
            )
        }
    };
    ensure_account_free(ctx, corp_id, &email, &phone).await?;
    let hash = password::hash(&secret).await?;

    // A fresh code collides with an existing one about once in a billion: try again then.
    for _ in 0..5 {
        let code = new_code();
        let scope = match &upper {
            Some((_, _, upper_scope)) => format!("{upper_scope},{code}"),
            None => code.clone(),
        };
        let mut tx = ctx.db.begin().await?;
        let inserted: Result<(i64,), sqlx::Error> = tx
            .fetch_one(
                &Sql::new(
                    "INSERT INTO dealers (corp_id, name, email, phone, password_hash, address, status, dealer_code, \
                     upper_dealer_id, upper_dealer_code, scope, create_time, contacter, region, sale_goal, home_page, \
                     country, province, city) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
                     RETURNING id",
                )
                .bind(corp_id.to_owned())
                .bind(name.clone())
                .bind(email.clone())
                .bind(phone.clone())
                .bind(hash.0.clone())
                .bind(address.clone())
                .bind(PartnerStatus::Enabled.code())
                .bind(code)
                .bind(upper.as_ref().map(|u| u.0))
                .bind(upper.as_ref().map(|u| u.1.clone()).unwrap_or_default())
                .bind(scope)
                .bind(now_ms())
                .bind(profile.contacter.clone().unwrap_or_default())
                .bind(profile.region.clone().unwrap_or_default())
                .bind(profile.sale_goal.unwrap_or(0))
                .bind(profile.home_page.clone().unwrap_or_default())
                .bind(profile.place.country.clone().unwrap_or_default())
                .bind(profile.place.province.clone().unwrap_or_default())
                .bind(profile.place.city.clone().unwrap_or_default()),
            )
            .await;
        match inserted {
            Ok((id,)) => {
                let dealer = by_id(&mut tx, principal, id).await?;
                audit::record(&mut tx, principal, "dealer.create", "dealer", id, Change::created(&dealer)).await?;
                tx.commit().await?;
                return Ok(dealer);
            }
            Err(e) if unique_violation(&e) => {
                drop(tx);
                // Either the code collided (retry) or a concurrent add took the email or phone.
                ensure_account_free(ctx, corp_id, &email, &phone).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::internal("could not find a free dealer code"))
}

/// The dealer `id` of the caller's corp, for a change by a member with "manage dealers".
async fn manageable(ctx: &Ctx, principal: &Principal, id: i64) -> Result<Dealer> {
    permission::require(principal, MANAGE_DEALERS)?;
    get(ctx, principal, id).await
}

/// Seed 002 op 2: name and address, and the profile fields given (the others stay).
pub async fn edit(ctx: &Ctx, principal: &Principal, id: i64, input: DealerEdit) -> Result<Dealer> {
    manageable(ctx, principal, id).await?;
    let name = validate::text("name", &input.name, 64)?;
    let address = validate::optional_text("address", &input.address, 128)?;
    let p = input.profile.checked()?;
    let mut tx = ctx.db.begin().await?;
    let before = by_id(&mut tx, principal, id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE dealers SET name = $1, address = $2, contacter = COALESCE($3, contacter), \
             region = COALESCE($4, region), sale_goal = COALESCE($5, sale_goal), \
             home_page = COALESCE($6, home_page), country = COALESCE($7, country), \
             province = COALESCE($8, province), city = COALESCE($9, city) WHERE id = $10",
        )
        .bind(name)
        .bind(address)
        .bind(p.contacter)
        .bind(p.region)
        .bind(p.sale_goal)
        .bind(p.home_page)
        .bind(p.place.country)
        .bind(p.place.province)
        .bind(p.place.city)
        .bind(id),
    )
    .await?;
    let after = by_id(&mut tx, principal, id).await?;
    audit::record(&mut tx, principal, "dealer.update", "dealer", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Seed 002 op 3: 1 enables, 0 disables; a disabled dealer's logins end at once.
pub async fn set_status(ctx: &Ctx, principal: &Principal, id: i64, status: i64) -> Result<()> {
    let status = PartnerStatus::from_code(status).ok_or_else(|| ApiError::invalid("status", "must be 0 or 1"))?;
    manageable(ctx, principal, id).await?;
    let mut tx = ctx.db.begin().await?;
    let before = by_id(&mut tx, principal, id).await?;
    tx.execute(&Sql::new("UPDATE dealers SET status = $1 WHERE id = $2").bind(status.code()).bind(id)).await?;
    if status == PartnerStatus::Disabled {
        token::revoke_principal(&mut tx, PrincipalKind::Dealer, id).await?;
    }
    let after = by_id(&mut tx, principal, id).await?;
    audit::record(&mut tx, principal, "dealer.set_status", "dealer", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Seed 002 op 4. Refused while dealers sit below it (naming them); its devices go back to its
/// upper dealer's scope, and its logins end.
pub async fn delete(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let before = manageable(ctx, principal, id).await?;
    remove(ctx, principal, before).await
}

/// Deletes the dealer `before` (the caller was checked), by the rule of [`delete`].
async fn remove(ctx: &Ctx, principal: &Principal, before: Dealer) -> Result<()> {
    let id = before.id;
    let below: Vec<(String,)> = ctx
        .db
        .fetch_all(&Sql::new("SELECT dealer_code FROM dealers WHERE upper_dealer_id = $1 ORDER BY id").bind(id))
        .await?;
    if !below.is_empty() {
        let codes_below: Vec<String> = below.into_iter().map(|(c,)| c).collect();
        return Err(ApiError::invalid(
            "dealer_id",
            &format!("dealers below it must go first: {}", codes_below.join(", ")),
        )
        .into());
    }
    let (upper_id, upper_scope): (Option<i64>, Option<String>) = ctx
        .db
        .fetch_one(
            &Sql::new(
                "SELECT d.upper_dealer_id, u.scope FROM dealers d LEFT JOIN dealers u ON u.id = d.upper_dealer_id \
                 WHERE d.id = $1",
            )
            .bind(id),
        )
        .await?;
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new("UPDATE devices SET dealer_id = $1, dealer_scope = $2 WHERE dealer_id = $3")
            .bind(upper_id)
            .bind(upper_scope)
            .bind(id),
    )
    .await?;
    token::revoke_principal(&mut tx, PrincipalKind::Dealer, id).await?;
    entry::forget(&mut tx, Partner::Dealer, id).await?;
    // Only while nothing sits below it: a sub-dealer added meanwhile keeps its upper dealer.
    let deleted = tx
        .execute(
            &Sql::new(
                "DELETE FROM dealers WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM dealers below WHERE below.upper_dealer_id = $1)",
            )
            .bind(id),
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::invalid("dealer_id", "a dealer was added below it meanwhile; it must go first").into());
    }
    audit::record(&mut tx, principal, "dealer.delete", "dealer", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
