//! Devices: a corp's devices per product, their import, and their assignment to a dealer chain
//! and to a heavy buyer.
//!
//! Who sees which devices is decided once, in [`visible`]: a corp member with "view devices"
//! sees the product's devices; a dealer those whose `dealer_scope` is its own scope or below it
//! (a key range, see [`dealer_chain`]); a heavy buyer those granted to it. Every list, read and
//! export goes through it.
//!
//! The corp's `device_total` is kept in the same transaction as every insert and delete, and the
//! quota is enforced by the very UPDATE that raises it ([`quota::reserve`]), so two imports
//! racing on two app servers cannot both slip under the limit.

use std::collections::HashMap;

use sea_query::{Alias, Condition, Expr, Func, OnConflict, Query, SimpleExpr};
use serde_json::Value;

use crate::{
    model::{
        dealer::PartnerStatus,
        device::{
            Assignment, BatchEntry, Device, DeviceEdit, DeviceKey, DeviceRef, DeviceRefs, NewDevice, CREATED_BY_MEMBER,
            MAX_BATCH,
        },
        error::{codes, ApiError},
        list::Page,
        permission::{ASSIGN_DEVICES, MANAGE_DEVICES, READ_DEVICES},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::now_ms,
        db::{Executor, Sql, Tx},
        error::{Error, Result},
        list::{self, ListQuery, Resource},
        scope::{dealer_chain, Scope},
        service::{permission, product, quota, seat},
        state::Ctx,
    },
};

/// The devices table and its fields, declared with the wire type ([`Device`]).
pub static DEVICES: Resource = Device::RESOURCE;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn not_found() -> Error {
    ApiError::new(codes::DEVICE_NOT_FOUND, "device not found").into()
}

/// The devices of `product_id` the principal may see (404 for a product of another corp).
async fn visible(ctx: &Ctx, principal: &Principal, product_id: &str) -> Result<Scope> {
    let (corp_id, within) = match principal {
        Principal::Dealer(me) => (me.corp_id.clone(), dealer_chain(&me.scope)),
        Principal::HeavyBuyer(me) => {
            (me.corp_id.clone(), Condition::all().add(col("heavy_buyer_id").eq(me.heavy_buyer_id)))
        }
        Principal::OrgUser(me) => {
            // The user's organization and those below it.
            let seat = seat::Seat::me(principal)?;
            let tree = seat::tree(&ctx.db, me.heavy_buyer_id).await?;
            (me.corp_id.clone(), seat.scope(&tree, "organization_id").into_condition())
        }
        _ => (permission::require(principal, READ_DEVICES)?.corp_id.clone(), Condition::all()),
    };
    product::find(&ctx.db, &corp_id, product_id).await?;
    // The product is the tenant key here: `product::find` just checked it is the caller's corp's.
    Ok(Scope::tenant("product_id", product_id.to_owned()).and(within))
}

/// A product's devices with the list language, within what the principal may see: what every
/// portal's device table shows. The `/v2` doors below each admit one kind of principal.
pub async fn list(ctx: &Ctx, principal: &Principal, product_id: &str, body: &Value) -> Result<Page> {
    let query = list::parse(&DEVICES, body)?;
    let scope = visible(ctx, principal, product_id).await?;
    let known = kept_count(ctx, principal, product_id, &query).await?;
    list::run_counted(&ctx.db, &DEVICES, &query, scope, known).await
}

/// The count of a corp member's list from the trigger-kept `device_counts`, when the list is
/// the whole product or only narrowed by `is_online`: the shapes a device table opens on, and
/// the ones whose matches run to hundreds of thousands (migration 0004). Any other list counts.
async fn kept_count(ctx: &Ctx, principal: &Principal, product_id: &str, query: &ListQuery) -> Result<Option<i64>> {
    if !matches!(principal, Principal::Member(_)) {
        return Ok(None);
    }
    let mut online = None;
    for clause in &query.clauses {
        match (clause.field.name, &clause.test) {
            ("is_online", list::Test::Compare(list::Cmp::Eq, list::Scalar::Bool(b))) if online.is_none() => {
                online = Some(*b)
            }
            _ => return Ok(None),
        }
    }
    let sql = Sql::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM device_counts WHERE product_id = $1")
        .bind(product_id.to_owned());
    let sql = match online {
        None => sql,
        Some(b) => Sql::new(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM device_counts WHERE product_id = $1 AND is_online = $2",
        )
        .bind(product_id.to_owned())
        .bind(b),
    };
    let (n,): (i64,) = ctx.db.fetch_one(&sql).await?;
    Ok(Some(n))
}

/// `POST /v2/product/{id}/devices`: corp members only (a partner's token is 4031001).
pub async fn corp_list(ctx: &Ctx, principal: &Principal, product_id: &str, body: &Value) -> Result<Page> {
    principal.member()?;
    list(ctx, principal, product_id, body).await
}

/// `POST /v2/dealer/product/{id}/devices`: only dealers may use it (4031001).
pub async fn dealer_list(ctx: &Ctx, principal: &Principal, product_id: &str, body: &Value) -> Result<Page> {
    principal.dealer()?;
    list(ctx, principal, product_id, body).await
}

/// `POST /v2/heavy_buyer/product/{id}/devices`: only heavy buyers and their organization users
/// may use it (a user sees its part of the organization tree).
pub async fn heavy_buyer_list(ctx: &Ctx, principal: &Principal, product_id: &str, body: &Value) -> Result<Page> {
    seat::Seat::me(principal)?;
    list(ctx, principal, product_id, body).await
}

/// Up to `limit` devices of a list request's matches with ids above `after`, in id order: the
/// CSV export walks a whole filter with this (a key range, so the millionth row costs what the
/// first does). The request's `offset`, `limit` and `order` are not used.
pub async fn export_chunk(
    ctx: &Ctx,
    principal: &Principal,
    product_id: &str,
    query: &ListQuery,
    after: i64,
    limit: u64,
) -> Result<Vec<serde_json::Map<String, Value>>> {
    let scope = visible(ctx, principal, product_id).await?;
    let mut select = list::select_records(&DEVICES, query.narrow(scope.and(col("id").gt(after))));
    select.order_by(Alias::new("id"), sea_query::Order::Asc).limit(limit);
    // Read as the JSON objects the CSV cells come from: no wire struct in between, per row.
    let fields: Vec<&list::Field> = DEVICES.visible().collect();
    Ok(ctx.db.fetch_maps(&select, &fields).await?)
}

/// The list request of an export, checked like a list's (`filter` picks the CSV columns).
pub fn parse_query(body: &Value) -> Result<ListQuery, ApiError> {
    list::parse(&DEVICES, body)
}

/// One device of the product, for a corp member with "view devices".
pub async fn get(ctx: &Ctx, principal: &Principal, product_id: &str, id: i64) -> Result<Device> {
    principal.member()?;
    let scope = visible(ctx, principal, product_id).await?;
    find(&ctx.db, scope, id).await
}

/// A device of the product, for a service that already checked the caller's rights; read in a
/// transaction, it is the device as the transaction's own changes left it.
async fn of_product(ex: impl Into<Executor<'_>>, product_id: &str, id: i64) -> Result<Device> {
    find(ex, Scope::tenant("product_id", product_id.to_owned()), id).await
}

async fn find(ex: impl Into<Executor<'_>>, scope: Scope, id: i64) -> Result<Device> {
    list::find(ex, &DEVICES, scope, id).await?.ok_or_else(not_found)
}

/// The editable fields of a new device, checked; `at` prefixes field names in errors (a batch
/// names the row: `[3].mac`).
struct Checked {
    mac: String,
    name: String,
    sn: String,
    domain: String,
    tags: String,
}

fn check(input: &NewDevice, at: &str) -> Result<Checked, ApiError> {
    Ok(Checked {
        mac: validate::mac(&format!("{at}mac"), &input.mac)?,
        name: validate::optional_text(&format!("{at}name"), &input.name, 64)?,
        sn: validate::optional_text(&format!("{at}sn"), &input.sn, 64)?,
        domain: validate::optional_text(&format!("{at}domain"), &input.domain, 64)?,
        tags: validate::tags(&format!("{at}tags"), &input.tags)?.join(","),
    })
}

/// Inserts checked devices, skipping MACs the product already has; answers the created ones.
/// Rows go in chunks that stay under every backend's bound-parameter limit.
async fn insert(
    tx: &mut Tx,
    corp_id: &str,
    product_id: &str,
    creator: i64,
    rows: &[Checked],
) -> Result<Vec<DeviceRef>> {
    const CHUNK: usize = 500;
    let now = now_ms();
    let mut created = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("devices")).columns(
            [
                "corp_id",
                "product_id",
                "mac",
                "name",
                "sn",
                "domain",
                "tags",
                "create_time",
                "creator_id",
                "creator_type",
            ]
            .map(Alias::new),
        );
        for row in chunk {
            insert
                .values([
                    corp_id.into(),
                    product_id.into(),
                    row.mac.clone().into(),
                    row.name.clone().into(),
                    row.sn.clone().into(),
                    row.domain.clone().into(),
                    row.tags.clone().into(),
                    now.into(),
                    creator.into(),
                    CREATED_BY_MEMBER.into(),
                ])
                .map_err(|e| Error::internal(e.to_string()))?;
        }
        insert
            .on_conflict(OnConflict::columns([Alias::new("product_id"), Alias::new("mac")]).do_nothing().to_owned())
            .returning(Query::returning().columns([Alias::new("id"), Alias::new("mac")]));
        let rows: Vec<(i64, String)> = tx.fetch_all(&insert).await?;
        created.extend(rows.into_iter().map(|(id, mac)| DeviceRef { id, mac }));
    }
    created.sort_by_key(|d| d.id);
    Ok(created)
}

/// `POST /v2/product/{id}/device`. A MAC the product already has is 4001021.
pub async fn create(ctx: &Ctx, principal: &Principal, product_id: &str, input: NewDevice) -> Result<Device> {
    let me = permission::require(principal, MANAGE_DEVICES)?;
    product::find(&ctx.db, &me.corp_id, product_id).await?;
    let checked = check(&input, "")?;
    let mut tx = ctx.db.begin().await?;
    let created = insert(&mut tx, &me.corp_id, product_id, me.member_id, std::slice::from_ref(&checked)).await?;
    let Some(device) = created.first() else {
        return Err(
            ApiError::new(codes::MAC_TAKEN, format!("mac: {} already exists in this product", checked.mac)).into()
        );
    };
    quota::reserve(&mut tx, &me.corp_id, 1).await?;
    let device = of_product(&mut tx, product_id, device.id).await?;
    audit::record(&mut tx, principal, "device.create", "device", device.id, Change::created(&device)).await?;
    tx.commit().await?;
    Ok(device)
}

/// `POST /v2/product/{id}/device_batch`: up to 2000 devices in one transaction. MACs the product
/// already has (or that repeat within the batch) are skipped; one invalid entry refuses the whole
/// batch, naming it; the answer lists the devices created.
pub async fn create_batch(
    ctx: &Ctx,
    principal: &Principal,
    product_id: &str,
    entries: Vec<BatchEntry>,
) -> Result<DeviceRefs> {
    let me = permission::require(principal, MANAGE_DEVICES)?;
    product::find(&ctx.db, &me.corp_id, product_id).await?;
    if entries.len() > MAX_BATCH {
        return Err(ApiError::invalid("devices", &format!("at most {MAX_BATCH} in one batch")).into());
    }
    let mut rows: Vec<Checked> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let row = check(&entry.into_device(), &format!("[{i}]."))?;
        if !rows.iter().any(|r| r.mac == row.mac) {
            rows.push(row);
        }
    }
    let mut tx = ctx.db.begin().await?;
    let devices = insert(&mut tx, &me.corp_id, product_id, me.member_id, &rows).await?;
    quota::reserve(&mut tx, &me.corp_id, devices.len() as u64).await?;
    let change = Change::noted(serde_json::json!({ "created": devices.len(), "skipped": rows.len() - devices.len() }));
    audit::record(&mut tx, principal, "device.create_batch", "product", product_id, change).await?;
    tx.commit().await?;
    Ok(DeviceRefs { devices })
}

/// `PUT /v2/product/{id}/device/{device_id}`: name, sn, domain and tags, those given.
pub async fn update(ctx: &Ctx, principal: &Principal, product_id: &str, id: i64, edit: DeviceEdit) -> Result<Device> {
    let me = permission::require(principal, MANAGE_DEVICES)?;
    product::find(&ctx.db, &me.corp_id, product_id).await?;
    let text = validate::given_text;
    let name = text("name", &edit.name, 64)?;
    let sn = text("sn", &edit.sn, 64)?;
    let domain = text("domain", &edit.domain, 64)?;
    let address = text("address", &edit.address, 128)?;
    let tags = edit.tags.as_ref().map(|tags| validate::tags("tags", tags).map(|t| t.join(","))).transpose()?;
    let place = edit.place.checked()?;
    let mut tx = ctx.db.begin().await?;
    let before = of_product(&mut tx, product_id, id).await?;
    // Each field left out keeps the value it has when the update lands.
    tx.execute(
        &Sql::new(
            "UPDATE devices SET name = COALESCE($1, name), sn = COALESCE($2, sn), domain = COALESCE($3, domain), \
             tags = COALESCE($4, tags), country = COALESCE($5, country), province = COALESCE($6, province), \
             city = COALESCE($7, city), address = COALESCE($8, address) WHERE id = $9",
        )
        .bind(name)
        .bind(sn)
        .bind(domain)
        .bind(tags)
        .bind(place.country)
        .bind(place.province)
        .bind(place.city)
        .bind(address)
        .bind(id),
    )
    .await?;
    let after = of_product(&mut tx, product_id, id).await?;
    audit::record(&mut tx, principal, "device.update", "device", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// `DELETE /v2/product/{id}/device/{device_id}`; an activated device is refused (4001022).
pub async fn delete(ctx: &Ctx, principal: &Principal, product_id: &str, id: i64) -> Result<()> {
    let me = permission::require(principal, MANAGE_DEVICES)?;
    product::find(&ctx.db, &me.corp_id, product_id).await?;
    let device = of_product(&ctx.db, product_id, id).await?;
    if device.is_active {
        return Err(ApiError::new(codes::DEVICE_ACTIVATED, "an activated device cannot be deleted").into());
    }
    let mut tx = ctx.db.begin().await?;
    // Only while it is still inactive: an activation that lands meanwhile keeps the device.
    let removed =
        tx.execute(&Sql::new("DELETE FROM devices WHERE id = $1 AND is_active = $2").bind(id).bind(false)).await?;
    if removed == 0 {
        return Err(ApiError::new(codes::DEVICE_ACTIVATED, "an activated device cannot be deleted").into());
    }
    quota::release(&mut tx, &me.corp_id, removed).await?;
    audit::record(&mut tx, principal, "device.delete", "device", id, Change::deleted(&device)).await?;
    tx.commit().await?;
    Ok(())
}

/// A device a grant names, with what the grant rules look at.
#[derive(sqlx::FromRow, Clone)]
struct Held {
    id: i64,
    mac: String,
    dealer_scope: Option<String>,
    heavy_buyer_id: Option<i64>,
}

/// The devices a grant body names, in body order, all of them in `product_id` (else 4041008
/// naming the entry). Each entry names a device by `mac` or by `device_id`, not both.
async fn resolve(tx: &mut Tx, product_id: &str, keys: &[DeviceKey]) -> Result<Vec<Held>> {
    if keys.is_empty() {
        return Err(ApiError::invalid("devices", "name at least one device").into());
    }
    if keys.len() > MAX_BATCH {
        return Err(ApiError::invalid("devices", &format!("at most {MAX_BATCH} in one call")).into());
    }
    enum Wanted {
        Mac(String),
        Id(i64),
    }
    let mut wanted = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        wanted.push(match (&key.mac, key.device_id) {
            (Some(mac), None) => Wanted::Mac(validate::mac(&format!("[{i}].mac"), mac)?),
            (None, Some(id)) => Wanted::Id(id),
            _ => return Err(ApiError::invalid(&format!("[{i}]"), "give either mac or device_id").into()),
        });
    }
    let mut by_mac: HashMap<String, Held> = HashMap::new();
    let mut by_id: HashMap<i64, String> = HashMap::new();
    for chunk in wanted.chunks(list::MAX_IN) {
        let macs: Vec<String> =
            chunk.iter().filter_map(|w| if let Wanted::Mac(m) = w { Some(m.clone()) } else { None }).collect();
        let ids: Vec<i64> =
            chunk.iter().filter_map(|w| if let Wanted::Id(id) = w { Some(*id) } else { None }).collect();
        let mut select = Query::select();
        select
            .columns(["id", "mac", "dealer_scope", "heavy_buyer_id"].map(Alias::new))
            .from(Alias::new("devices"))
            .cond_where(
                Condition::all().add(col("product_id").eq(product_id.to_owned())).add(
                    Condition::any()
                        .add_option((!macs.is_empty()).then(|| col("mac").is_in(macs)))
                        .add_option((!ids.is_empty()).then(|| col("id").is_in(ids))),
                ),
            );
        let rows: Vec<Held> = tx.fetch_all(&select).await?;
        for row in rows {
            by_id.insert(row.id, row.mac.clone());
            by_mac.insert(row.mac.clone(), row);
        }
    }
    let mut held: Vec<Held> = Vec::with_capacity(wanted.len());
    for (i, w) in wanted.iter().enumerate() {
        let mac = match w {
            Wanted::Mac(mac) => Some(mac.clone()),
            Wanted::Id(id) => by_id.get(id).cloned(),
        };
        let Some(row) = mac.as_ref().and_then(|m| by_mac.get(m)) else {
            let what = match w {
                Wanted::Mac(mac) => format!("mac {mac}"),
                Wanted::Id(id) => format!("device_id {id}"),
            };
            return Err(ApiError::new(
                codes::DEVICE_NOT_FOUND,
                format!("[{i}]: no device with {what} in this product"),
            )
            .into());
        };
        if !held.iter().any(|h| h.id == row.id) {
            held.push(row.clone());
        }
    }
    Ok(held)
}

/// A grant's `sn` and `name` (the original console imports a CSV file of `mac, sn, name`): set
/// on each device named, in the grant's transaction.
async fn label(tx: &mut Tx, product_id: &str, keys: &[DeviceKey]) -> Result<()> {
    for (i, key) in keys.iter().enumerate().filter(|(_, k)| k.sn.is_some() || k.name.is_some()) {
        let text = |name: &str, v: &Option<String>| validate::given_text(&format!("[{i}].{name}"), v, 64);
        let (sn, name) = (text("sn", &key.sn)?, text("name", &key.name)?);
        let device = match (&key.mac, key.device_id) {
            (Some(mac), _) => col("mac").eq(validate::mac(&format!("[{i}].mac"), mac)?),
            (None, Some(id)) => col("id").eq(id),
            (None, None) => continue,
        };
        let mut update = Query::update();
        update
            .table(Alias::new("devices"))
            .value(Alias::new("sn"), Func::coalesce([Expr::val(sn).into(), col("sn").into()]))
            .value(Alias::new("name"), Func::coalesce([Expr::val(name).into(), col("name").into()]))
            .cond_where(Condition::all().add(col("product_id").eq(product_id.to_owned())).add(device));
        tx.execute(&update).await?;
    }
    Ok(())
}

/// Take-backs name devices only: an `sn` or `name` there would be dropped, so it is refused.
fn keys_only(keys: &[DeviceKey]) -> Result<()> {
    match keys.iter().position(|k| k.sn.is_some() || k.name.is_some()) {
        Some(i) => Err(ApiError::invalid(&format!("[{i}]"), "sn and name are set by a grant, not a take-back").into()),
        None => Ok(()),
    }
}

/// Sets `assignments` on the given devices, in chunks under the bound-parameter limit. The
/// write is conditional: each device changes only while `still` (what the caller checked when it
/// read them) holds, and every one must change, so two assignments racing for one device cannot
/// both succeed: the second finds the condition false and the whole transaction is refused.
async fn assign(
    tx: &mut Tx,
    held: &[Held],
    still: Option<Condition>,
    assignments: &[(&str, sea_query::Value)],
) -> Result<()> {
    for chunk in held.chunks(list::MAX_IN) {
        let mut update = Query::update();
        update
            .table(Alias::new("devices"))
            .values(assignments.iter().map(|(c, v)| (Alias::new(*c), SimpleExpr::Value(v.clone()))))
            .cond_where(Condition::all().add(col("id").is_in(chunk.iter().map(|h| h.id))).add_option(still.clone()));
        if tx.execute(&update).await? < chunk.len() as u64 {
            return Err(ApiError::invalid("devices", "a device changed hands meanwhile; reload and try again").into());
        }
    }
    Ok(())
}

/// One audit entry for an assignment: the product, the partner, and the devices it moved.
async fn record_assignment(
    tx: &mut Tx,
    principal: &Principal,
    action: &str,
    product_id: &str,
    held: &[Held],
    partner: Option<i64>,
) -> Result<()> {
    let devices: Vec<&str> = held.iter().map(|h| h.mac.as_str()).collect();
    let change = Change::noted(serde_json::json!({ "partner": partner, "devices": devices }));
    audit::record(tx, principal, action, "product", product_id, change).await
}

fn refs(held: Vec<Held>) -> DeviceRefs {
    DeviceRefs { devices: held.into_iter().map(|h| DeviceRef { id: h.id, mac: h.mac }).collect() }
}

/// The start every assignment shares: the caller may assign devices, the product is its
/// corp's, and a transaction is open. Answers the transaction and the corp.
async fn begin_assignment(ctx: &Ctx, principal: &Principal, product_id: &str) -> Result<(Tx, String)> {
    let me = permission::require(principal, ASSIGN_DEVICES)?;
    product::find(&ctx.db, &me.corp_id, product_id).await?;
    Ok((ctx.db.begin().await?, me.corp_id.clone()))
}

/// A dealer of the corp: its scope and whether it is enabled, or 4041030.
async fn dealer_of(tx: &mut Tx, corp_id: &str, dealer_id: i64) -> Result<(String, bool)> {
    let row: Option<(String, i64)> = tx
        .fetch_optional(
            &Sql::new("SELECT scope, status FROM dealers WHERE id = $1 AND corp_id = $2")
                .bind(dealer_id)
                .bind(corp_id.to_owned()),
        )
        .await?;
    let (scope, status) = row.ok_or_else(|| ApiError::new(codes::DEALER_NOT_FOUND, "dealer not found"))?;
    Ok((scope, status == PartnerStatus::Enabled.code()))
}

/// A heavy buyer of the corp: whether it is enabled, or 4041031.
async fn heavy_buyer_of(tx: &mut Tx, corp_id: &str, heavy_buyer_id: i64) -> Result<bool> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            &Sql::new("SELECT status FROM heavy_buyers WHERE id = $1 AND corp_id = $2")
                .bind(heavy_buyer_id)
                .bind(corp_id.to_owned()),
        )
        .await?;
    let (status,) = row.ok_or_else(|| ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found"))?;
    Ok(status == PartnerStatus::Enabled.code())
}

/// `POST /v2/dealer/{dealer_id}/grant_device?product_id=`: the devices join the dealer (moving
/// from any other dealer); their `dealer_scope` becomes the dealer's chain. A disabled dealer
/// takes no devices (4001117). All or nothing.
pub async fn grant_to_dealer(
    ctx: &Ctx,
    principal: &Principal,
    dealer_id: i64,
    product_id: &str,
    keys: &[DeviceKey],
) -> Result<DeviceRefs> {
    let (mut tx, corp_id) = begin_assignment(ctx, principal, product_id).await?;
    let (scope, enabled) = dealer_of(&mut tx, &corp_id, dealer_id).await?;
    if !enabled {
        return Err(ApiError::new(codes::DEALER_DISABLED, "the dealer is disabled").into());
    }
    let held = resolve(&mut tx, product_id, keys).await?;
    assign(&mut tx, &held, None, &[("dealer_id", dealer_id.into()), ("dealer_scope", scope.into())]).await?;
    label(&mut tx, product_id, keys).await?;
    record_assignment(&mut tx, principal, "device.grant_to_dealer", product_id, &held, Some(dealer_id)).await?;
    tx.commit().await?;
    Ok(refs(held))
}

/// `POST /v2/dealer/{dealer_id}/revoke_device?product_id=`: takes devices back from a dealer
/// (enabled or not). Each must sit with that dealer or a dealer below it; they leave the dealer
/// chain entirely.
pub async fn revoke_from_dealer(
    ctx: &Ctx,
    principal: &Principal,
    dealer_id: i64,
    product_id: &str,
    keys: &[DeviceKey],
) -> Result<DeviceRefs> {
    keys_only(keys)?;
    let (mut tx, corp_id) = begin_assignment(ctx, principal, product_id).await?;
    let (scope, _) = dealer_of(&mut tx, &corp_id, dealer_id).await?;
    let held = resolve(&mut tx, product_id, keys).await?;
    let below = format!("{scope},");
    if let Some(h) =
        held.iter().find(|h| h.dealer_scope.as_deref().is_none_or(|s| s != scope && !s.starts_with(&below)))
    {
        return Err(ApiError::invalid("devices", &format!("{} is not assigned to this dealer", h.mac)).into());
    }
    let still_below = dealer_chain(&scope);
    assign(&mut tx, &held, Some(still_below), &LEAVE_DEALERS).await?;
    record_assignment(&mut tx, principal, "device.revoke_from_dealer", product_id, &held, Some(dealer_id)).await?;
    tx.commit().await?;
    Ok(refs(held))
}

/// `POST /v2/heavy_buyer/{heavy_buyer_id}/grant_device?product_id=`: the devices go to the heavy
/// buyer's root organization (0). A device another heavy buyer holds is refused (take it back
/// first) rather than silently moved; granting one it already holds changes nothing. A disabled
/// heavy buyer takes no devices (4001118).
pub async fn grant_to_heavy_buyer(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    product_id: &str,
    keys: &[DeviceKey],
) -> Result<DeviceRefs> {
    let (mut tx, corp_id) = begin_assignment(ctx, principal, product_id).await?;
    if !heavy_buyer_of(&mut tx, &corp_id, heavy_buyer_id).await? {
        return Err(ApiError::new(codes::HEAVY_BUYER_DISABLED, "the heavy buyer is disabled").into());
    }
    let held = resolve(&mut tx, product_id, keys).await?;
    if let Some(h) = held.iter().find(|h| h.heavy_buyer_id.is_some_and(|other| other != heavy_buyer_id)) {
        return Err(ApiError::invalid(
            "devices",
            &format!("{} is granted to another key account; take it back first", h.mac),
        )
        .into());
    }
    let new: Vec<Held> = held.iter().filter(|h| h.heavy_buyer_id.is_none()).cloned().collect();
    let still_free = Condition::all().add(col("heavy_buyer_id").is_null());
    assign(
        &mut tx,
        &new,
        Some(still_free),
        &[
            ("heavy_buyer_id", heavy_buyer_id.into()),
            ("organization_id", 0_i64.into()),
            ("heavy_buyer_granted_time", now_ms().into()),
        ],
    )
    .await?;
    label(&mut tx, product_id, keys).await?;
    record_assignment(&mut tx, principal, "device.grant_to_heavy_buyer", product_id, &new, Some(heavy_buyer_id))
        .await?;
    tx.commit().await?;
    Ok(refs(held))
}

/// `POST /v2/heavy_buyer/{heavy_buyer_id}/revoke_device?product_id=`: takes devices back from a
/// heavy buyer (out of whatever organization they sit in). Each must be that heavy buyer's.
pub async fn revoke_from_heavy_buyer(
    ctx: &Ctx,
    principal: &Principal,
    heavy_buyer_id: i64,
    product_id: &str,
    keys: &[DeviceKey],
) -> Result<DeviceRefs> {
    keys_only(keys)?;
    let (mut tx, corp_id) = begin_assignment(ctx, principal, product_id).await?;
    heavy_buyer_of(&mut tx, &corp_id, heavy_buyer_id).await?;
    let held = resolve(&mut tx, product_id, keys).await?;
    if let Some(h) = held.iter().find(|h| h.heavy_buyer_id != Some(heavy_buyer_id)) {
        return Err(ApiError::invalid("devices", &format!("{} is not granted to this key account", h.mac)).into());
    }
    let still_theirs = Condition::all().add(col("heavy_buyer_id").eq(heavy_buyer_id));
    assign(&mut tx, &held, Some(still_theirs), &LEAVE_HEAVY_BUYERS).await?;
    let action = "device.revoke_from_heavy_buyer";
    record_assignment(&mut tx, principal, action, product_id, &held, Some(heavy_buyer_id)).await?;
    tx.commit().await?;
    Ok(refs(held))
}

/// The columns a device leaves when it is taken back from the dealers or the heavy buyers.
const LEAVE_DEALERS: [(&str, sea_query::Value); 2] =
    [("dealer_id", sea_query::Value::BigInt(None)), ("dealer_scope", sea_query::Value::String(None))];
const LEAVE_HEAVY_BUYERS: [(&str, sea_query::Value); 2] =
    [("heavy_buyer_id", sea_query::Value::BigInt(None)), ("organization_id", sea_query::Value::BigInt(None))];

/// The portal's assignment actions on selected rows. Granting is the `/v2` grant; taking back
/// clears the devices' dealer chain (or heavy buyer) whoever holds them — one transaction.
pub async fn assign_selected(
    ctx: &Ctx,
    principal: &Principal,
    product_id: &str,
    ids: &[i64],
    action: Assignment,
) -> Result<DeviceRefs> {
    let keys: Vec<DeviceKey> = ids.iter().copied().map(DeviceKey::id).collect();
    match action {
        Assignment::ToDealer(dealer_id) => grant_to_dealer(ctx, principal, dealer_id, product_id, &keys).await,
        Assignment::ToHeavyBuyer(id) => grant_to_heavy_buyer(ctx, principal, id, product_id, &keys).await,
        Assignment::BackFromDealers | Assignment::BackFromHeavyBuyers => {
            let (mut tx, _) = begin_assignment(ctx, principal, product_id).await?;
            let held = resolve(&mut tx, product_id, &keys).await?;
            let cleared = if action == Assignment::BackFromDealers { &LEAVE_DEALERS } else { &LEAVE_HEAVY_BUYERS };
            assign(&mut tx, &held, None, cleared).await?;
            let action = if action == Assignment::BackFromDealers {
                "device.back_from_dealers"
            } else {
                "device.back_from_heavy_buyers"
            };
            record_assignment(&mut tx, principal, action, product_id, &held, None).await?;
            tx.commit().await?;
            Ok(refs(held))
        }
    }
}

/// For `backoffice simulate`: the product's key and the MACs of its first `n` devices (by id).
/// With `create`, the missing ones are added first (MACs `5E…`, creator 0: the command line),
/// within the corp's device quota, in one transaction.
pub async fn for_simulation(ctx: &Ctx, product_id: &str, n: usize, create: bool) -> Result<(String, Vec<String>)> {
    let product: Option<(String, String)> = ctx
        .db
        .fetch_optional(&Sql::new("SELECT corp_id, key FROM products WHERE id = $1").bind(product_id.to_owned()))
        .await?;
    let (corp_id, key) =
        product.ok_or_else(|| Error::from(ApiError::new(codes::PRODUCT_NOT_FOUND, "product not found")))?;
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let macs = |db: &crate::server::db::Db| {
        let sql = Sql::new("SELECT mac FROM devices WHERE product_id = $1 ORDER BY id LIMIT $2")
            .bind(product_id.to_owned())
            .bind(limit);
        let db = db.clone();
        async move { db.fetch_all::<(String,)>(&sql).await }
    };
    let have = macs(&ctx.db).await?;
    if have.len() < n && create {
        let mut tx = ctx.db.begin().await?;
        let taken: std::collections::HashSet<String> = have.iter().map(|(m,)| m.clone()).collect();
        let rows: Vec<Checked> = (1u64..)
            .map(|i| format!("5E{i:010X}"))
            .filter(|mac| !taken.contains(mac))
            .take(n - have.len())
            .map(|mac| Checked {
                mac,
                name: String::new(),
                sn: String::new(),
                domain: String::new(),
                tags: String::new(),
            })
            .collect();
        let created = insert(&mut tx, &corp_id, product_id, 0, &rows).await?;
        quota::reserve(&mut tx, &corp_id, created.len() as u64).await?;
        tx.commit().await?;
    }
    let have = macs(&ctx.db).await?;
    Ok((key, have.into_iter().map(|(m,)| m).collect()))
}
