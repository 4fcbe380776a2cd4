//! Merchandise (商品, seed 003 AC-01..07): what a vendor sells or rents in its mall.
//!
//! Who sees what: the platform every vendor's; the vendor's members holding "view the mall" all
//! of their vendor's, whatever the state; dealers and end users what their vendor has on sale.
//! Only members holding "manage the mall" write. A merchandise that orders name is never
//! deleted (AC-07 answers 422 and says to archive it): the orders keep their own copy of its
//! prices, so editing or archiving it never changes them.

use sea_query::{Alias, Expr};

use crate::{
    model::{
        error::codes,
        list::Page,
        merchandise::{
            billing, Commission, Merchandise, MerchandiseInput, MerchandiseState, MerchandiseType, Rent, Resources,
            Specification,
        },
        permission::{MANAGE_MALL, READ_MALL},
        validate,
        vendor::Area,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::now_ms,
        db::{Sql, Tx},
        error::{ApiError, Error, Result},
        list::{self, Dir, ListQuery},
        scope::Scope,
        service::{permission, vendor},
        state::Ctx,
    },
};

/// The most any one amount may be (fen): a hundred million yuan.
const MAX_AMOUNT: i64 = 10_000_000_000;

/// The merchandise `principal` may read, as a scope of `merchandise`.
fn readable(principal: &Principal) -> Result<Scope> {
    let on_sale = || Expr::col(Alias::new("state")).eq(MerchandiseState::OnSale.code());
    Ok(match principal {
        Principal::Platform(_) => Scope::every_corp(),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_MALL)?.corp_id),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(on_sale()),
        Principal::EndUser(u) => Scope::corp(&u.corp_id).and(on_sale()),
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) | Principal::Engineer(_) => {
            return Err(ApiError::forbidden().into())
        }
    })
}

/// AC-01: the merchandise `principal` may see, in the vendor's `sequence` (then oldest first)
/// unless the request sorts otherwise.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<Page> {
    let scope = readable(principal)?;
    vendor::require_caller_area(ctx, principal, Area::Mall).await?;
    let query = match Merchandise::RESOURCE.field("sequence") {
        Some(sequence) => query.clone().sorted_by_default(sequence, Dir::Asc),
        None => query.clone(),
    };
    Ok(list::run(&ctx.db, &Merchandise::RESOURCE, &query, scope).await?)
}

/// AC-03: one merchandise.
pub async fn get(ctx: &Ctx, principal: &Principal, prod_id: &str) -> Result<Merchandise> {
    readable(principal)?; // who may not read merchandise at all hears so first
    vendor::require_caller_area(ctx, principal, Area::Mall).await?;
    find(ctx, principal, prod_id).await
}

/// The merchandise as `principal` may read it, once the vendor's mall was found open.
async fn find(ctx: &Ctx, principal: &Principal, prod_id: &str) -> Result<Merchandise> {
    let scope = readable(principal)?.and(Expr::col(Alias::new("prod_id")).eq(prod_id.to_owned()));
    let select = list::select_records(&Merchandise::RESOURCE, scope);
    ctx.db.fetch_record(&select, &Merchandise::RESOURCE).await?.ok_or_else(not_found)
}

/// AC-05: a merchandise's specification.
pub async fn specification(ctx: &Ctx, principal: &Principal, prod_id: &str) -> Result<Specification> {
    let m = get(ctx, principal, prod_id).await?;
    Ok(serde_json::from_value(m.specification).unwrap_or_default())
}

fn not_found() -> Error {
    ApiError::new(codes::MERCHANDISE_NOT_FOUND, "merchandise not found").into()
}

/// A writer: a member of an open vendor whose role manages the mall. Answers its vendor. (Also
/// who may upload the merchandise's pictures, `service::files`.)
pub(crate) async fn writer<'p>(ctx: &Ctx, principal: &'p Principal) -> Result<&'p str> {
    let me = permission::require(principal, MANAGE_MALL)?;
    vendor::require_area(ctx, &me.corp_id, Area::Mall).await?;
    Ok(&me.corp_id)
}

/// AC-02: adds a merchandise (off the shelf unless `state` says otherwise); answers it.
pub async fn create(ctx: &Ctx, principal: &Principal, input: MerchandiseInput) -> Result<Merchandise> {
    let vid = writer(ctx, principal).await?;
    let mut m = Merchandise {
        prod_id: String::new(),
        state: MerchandiseState::Off,
        r#type: MerchandiseType::Purchase,
        name: String::new(),
        desc: String::new(),
        tags: String::new(),
        sequence: 0,
        bonus: false,
        price: 0,
        orig_price: 0,
        freight: 0,
        install: false,
        maintain: false,
        install_cost: 0,
        maintain_cost: 0,
        billing: billing::SALE,
        resource: to_json(&Resources::default()),
        notify_url: String::new(),
        rent: to_json(&Rent::default()),
        commis: to_json(&Commission::default()),
        specification: to_json(&Specification::default()),
        vid: vid.to_owned(),
        create_tms: String::new(),
        update_tms: String::new(),
    };
    if input.name.is_none() {
        return Err(ApiError::missing("name").into());
    }
    if input.price.is_none() {
        return Err(ApiError::missing("price").into());
    }
    apply(&mut m, input)?;
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let (serial, code): (i64, String) = tx
        .fetch_one(
            &Sql::new(
                "UPDATE corps SET merchandise_serial = merchandise_serial + 1 WHERE id = $1 \
                 RETURNING merchandise_serial, vendor_code",
            )
            .bind(vid.to_owned()),
        )
        .await?;
    m.prod_id = format!("{code}{serial:016X}");
    let insert = Sql::new(
        "INSERT INTO merchandise (state, type, name, description, tags, sort_order, bonus, price, orig_price, \
         freight, install, maintain, install_cost, maintain_cost, billing, resource, notify_url, rent, commis, \
         specification, create_time, update_time, prod_id, corp_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22, $23)",
    );
    tx.execute(&with_fields(insert, &m).bind(now).bind(m.prod_id.clone()).bind(vid.to_owned())).await?;
    audit::record(&mut tx, principal, "merchandise.create", "merchandise", &m.prod_id, Change::created(&m)).await?;
    tx.commit().await?;
    find(ctx, principal, &m.prod_id).await
}

/// AC-04: changes the fields given; answers the merchandise as it now is.
pub async fn edit(ctx: &Ctx, principal: &Principal, prod_id: &str, input: MerchandiseInput) -> Result<Merchandise> {
    writer(ctx, principal).await?;
    let before = find(ctx, principal, prod_id).await?;
    let mut after = before.clone();
    apply(&mut after, input)?;
    save(ctx, principal, before, after, "merchandise.edit").await
}

/// AC-06: replaces the specification.
pub async fn set_specification(
    ctx: &Ctx,
    principal: &Principal,
    prod_id: &str,
    spec: Specification,
) -> Result<Merchandise> {
    let input = MerchandiseInput { specification: Some(spec), ..MerchandiseInput::default() };
    writer(ctx, principal).await?;
    let before = find(ctx, principal, prod_id).await?;
    let mut after = before.clone();
    apply(&mut after, input)?;
    save(ctx, principal, before, after, "merchandise.specification").await
}

/// Writes `after` over `before`, in one step with its audit record.
async fn save(
    ctx: &Ctx,
    principal: &Principal,
    before: Merchandise,
    after: Merchandise,
    action: &str,
) -> Result<Merchandise> {
    if before == after {
        return Ok(after);
    }
    let mut tx = ctx.db.begin().await?;
    let update = Sql::new(
        "UPDATE merchandise SET state = $1, type = $2, name = $3, description = $4, tags = $5, sort_order = $6, \
         bonus = $7, price = $8, orig_price = $9, freight = $10, install = $11, maintain = $12, \
         install_cost = $13, maintain_cost = $14, billing = $15, resource = $16, notify_url = $17, rent = $18, \
         commis = $19, specification = $20, update_time = $21 WHERE prod_id = $22 AND corp_id = $23",
    );
    tx.execute(&with_fields(update, &after).bind(now_ms()).bind(after.prod_id.clone()).bind(after.vid.clone())).await?;
    audit::record(&mut tx, principal, action, "merchandise", &after.prod_id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    find(ctx, principal, &after.prod_id).await
}

/// Binds the merchandise's writable fields as `$1`…`$20`, in the order the insert and the update
/// name their columns.
fn with_fields(sql: Sql, m: &Merchandise) -> Sql {
    sql.bind(m.state.code())
        .bind(m.r#type.code())
        .bind(m.name.clone())
        .bind(m.desc.clone())
        .bind(m.tags.clone())
        .bind(m.sequence)
        .bind(m.bonus)
        .bind(m.price)
        .bind(m.orig_price)
        .bind(m.freight)
        .bind(m.install)
        .bind(m.maintain)
        .bind(m.install_cost)
        .bind(m.maintain_cost)
        .bind(m.billing)
        .bind(m.resource.to_string())
        .bind(m.notify_url.clone())
        .bind(m.rent.to_string())
        .bind(m.commis.to_string())
        .bind(m.specification.to_string())
}

/// AC-07: deletes a merchandise no order names; one that orders name is refused (422 on
/// `/api`): archive it instead (`state` 2), which keeps it for the orders and the accounts.
pub async fn delete(ctx: &Ctx, principal: &Principal, prod_id: &str) -> Result<()> {
    writer(ctx, principal).await?;
    let before = find(ctx, principal, prod_id).await?;
    let mut tx = ctx.db.begin().await?;
    if has_orders(&mut tx, &before.prod_id).await? {
        return Err(ApiError::new(
            codes::MERCHANDISE_HAS_ORDERS,
            "orders name this merchandise, so it is kept: archive it instead (state 2)",
        )
        .into());
    }
    tx.execute(
        &Sql::new("DELETE FROM merchandise WHERE prod_id = $1 AND corp_id = $2")
            .bind(before.prod_id.clone())
            .bind(before.vid.clone()),
    )
    .await?;
    audit::record(&mut tx, principal, "merchandise.delete", "merchandise", &before.prod_id, Change::deleted(&before))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether any order names the merchandise (read in the deleting transaction; `id`, not a
/// literal, which PostgreSQL would answer as a 4-byte integer).
async fn has_orders(tx: &mut Tx, prod_id: &str) -> Result<bool> {
    let found: Option<(i64,)> = tx
        .fetch_optional(&Sql::new("SELECT id FROM order_lines WHERE prod_id = $1 LIMIT 1").bind(prod_id.to_owned()))
        .await?;
    Ok(found.is_some())
}

fn to_json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Checks and applies the fields given to `m`.
fn apply(m: &mut Merchandise, input: MerchandiseInput) -> Result<(), ApiError> {
    if let Some(state) = input.state {
        m.state = MerchandiseState::from_code(state)
            .ok_or_else(|| ApiError::invalid("state", "must be 0 (off the shelf), 1 (on sale) or 2 (archived)"))?;
    }
    if let Some(kind) = input.kind {
        m.r#type = MerchandiseType::from_code(kind)
            .ok_or_else(|| ApiError::invalid("type", "must be 1 (purchase) or 2 (reservation)"))?;
    }
    if let Some(name) = &input.name {
        m.name = validate::text("name", name, 64)?;
    }
    if let Some(desc) = &input.desc {
        m.desc = validate::optional_text("desc", desc, 2000)?;
    }
    if let Some(tags) = &input.tags {
        m.tags = validate::optional_text("tags", tags, 256)?;
    }
    if let Some(sequence) = input.sequence {
        m.sequence = sequence;
    }
    if let Some(bonus) = input.bonus {
        m.bonus = bonus;
    }
    for (field, value, slot) in [
        ("price", input.price, &mut m.price),
        ("orig_price", input.orig_price, &mut m.orig_price),
        ("freight", input.freight, &mut m.freight),
        ("install_cost", input.install_cost, &mut m.install_cost),
        ("maintain_cost", input.maintain_cost, &mut m.maintain_cost),
    ] {
        if let Some(v) = value {
            *slot = amount(field, v)?;
        }
    }
    if let Some(install) = input.install {
        m.install = install;
    }
    if let Some(maintain) = input.maintain {
        m.maintain = maintain;
    }
    if let Some(bits) = input.billing {
        if bits <= 0 || bits & !billing::ALL != 0 {
            return Err(ApiError::invalid("billing", "must combine 1 (sale), 2 (timed), 4 (metered), 8 (vending)"));
        }
        m.billing = bits;
    }
    if let Some(r) = input.resource {
        m.resource = to_json(&resources(r)?);
    }
    if let Some(url) = &input.notify_url {
        m.notify_url = validate::optional_text("notify_url", url, 512)?;
    }
    if let Some(rent) = input.rent {
        m.rent = to_json(&check_rent(rent)?);
    }
    if let Some(c) = input.commis {
        m.commis = to_json(&commission(c)?);
    }
    if let Some(spec) = input.specification {
        m.specification = to_json(&specification_checked(spec)?);
    }
    // A rental needs plans to choose from (once it is for sale).
    let rent: Rent = serde_json::from_value(m.rent.clone()).unwrap_or_default();
    if billing::is_rental(m.billing) && rent.config.is_empty() && m.state == MerchandiseState::OnSale {
        return Err(ApiError::invalid("rent.config", "a rental (billing 2 or 4) on sale needs at least one plan"));
    }
    Ok(())
}

fn amount(field: &str, v: i64) -> Result<i64, ApiError> {
    if !(0..=MAX_AMOUNT).contains(&v) {
        return Err(ApiError::invalid(field, "must be a whole number of fen from 0 to 10000000000"));
    }
    Ok(v)
}

fn link(field: &str, v: &str) -> Result<String, ApiError> {
    validate::optional_text(field, v, 512)
}

fn resources(r: Resources) -> Result<Resources, ApiError> {
    if r.intro_res.len() > 20 {
        return Err(ApiError::invalid("resource.intro_res", "at most 20 images"));
    }
    Ok(Resources {
        prev_res: link("resource.prev_res", &r.prev_res)?,
        intro_res: r.intro_res.iter().map(|l| link("resource.intro_res", l)).collect::<Result<_, _>>()?,
        detail_res: link("resource.detail_res", &r.detail_res)?,
    })
}

/// A key of a plan or an outlet: letters, digits and `_`, 1–16 of them, unique in its list.
fn keys_unique<'a>(field: &str, keys: impl Iterator<Item = &'a str>) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if key.is_empty() || key.len() > 16 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(ApiError::invalid(field, "keys are 1-16 letters, digits or _"));
        }
        if !seen.insert(key) {
            return Err(ApiError::invalid(field, &format!("the key {key} is given twice")));
        }
    }
    Ok(())
}

fn check_rent(rent: Rent) -> Result<Rent, ApiError> {
    amount("rent.deposit", rent.deposit)?;
    if rent.config.len() > 20 {
        return Err(ApiError::invalid("rent.config", "at most 20 plans"));
    }
    keys_unique("rent.config", rent.config.iter().map(|p| p.key.as_str()))?;
    let mut plans = Vec::with_capacity(rent.config.len());
    for p in rent.config {
        let name = validate::text("rent.config.name", &p.name, 32)?;
        amount("rent.config.value", p.value)?;
        if p.days().is_some_and(|d| !(1..=3660).contains(&d)) || p.litres().is_some_and(|l| l < 1) {
            return Err(ApiError::invalid(
                "rent.config.key",
                "a plan buys 1-3660 days ({n}d) or at least 1 litre ({n}l)",
            ));
        }
        plans.push(crate::model::merchandise::RentPlan { name, ..p });
    }
    Ok(Rent { deposit: rent.deposit, config: plans })
}

fn commission(c: Commission) -> Result<Commission, ApiError> {
    if c.config.len() > 3 {
        return Err(ApiError::invalid("commis.config", "at most three levels"));
    }
    if c.config.iter().any(|p| !(0..=100).contains(p)) {
        return Err(ApiError::invalid("commis.config", "each level is a percentage from 0 to 100"));
    }
    if c.config.iter().sum::<i64>() > 100 {
        return Err(ApiError::invalid("commis.config", "the levels add up to more than 100 percent"));
    }
    Ok(c)
}

fn specification_checked(spec: Specification) -> Result<Specification, ApiError> {
    if spec.filters.len() > 16 {
        return Err(ApiError::invalid("specification.filters", "at most 16 filters"));
    }
    let mut orders = std::collections::HashSet::new();
    let mut filters = Vec::with_capacity(spec.filters.len());
    for f in spec.filters {
        if !(1..=16).contains(&f.order) || !orders.insert(f.order) {
            return Err(ApiError::invalid("specification.filters.order", "1-16, each filter its own"));
        }
        let name = validate::text("specification.filters.name", &f.name, 32)?;
        if !(0..=2).contains(&f.timer_mode) {
            return Err(ApiError::invalid("specification.filters.timer_mode", "0 (both), 1 (power-on) or 2 (work)"));
        }
        if !(0..=1_000_000).contains(&f.lifetime) || !(0..=1_000_000).contains(&f.worklife) {
            return Err(ApiError::invalid("specification.filters", "lives are 0-1000000 hours"));
        }
        filters.push(crate::model::merchandise::FilterSpec { name, ..f });
    }
    filters.sort_by_key(|f| f.order);
    let meter = spec.flowmeter;
    if !(0..=2).contains(&meter.measure_mode) {
        return Err(ApiError::invalid("specification.flowmeter.measure_mode", "0 (device), 1 (time) or 2 (volume)"));
    }
    if meter.config.len() > 8 {
        return Err(ApiError::invalid("specification.flowmeter.config", "at most 8 outlets"));
    }
    keys_unique("specification.flowmeter.config", meter.config.iter().map(|o| o.key.as_str()))?;
    for o in &meter.config {
        validate::text("specification.flowmeter.config.name", &o.name, 32)?;
        if !(0..=100_000).contains(&o.value) {
            return Err(ApiError::invalid("specification.flowmeter.config.value", "0-100000"));
        }
    }
    Ok(Specification { mode: spec.mode, filters, flowmeter: meter })
}
