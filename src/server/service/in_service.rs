//! Devices in service (seed 003 AB-01..16): the `/v2` device named by its serial on `/api`.
//!
//! Who sees a device: the platform every one; the vendor's members who view devices (1501) the
//! vendor's; a dealer those of its scope and below; an end user those bound to it or shared
//! with it; an engineer those of the tickets dispatched to it. A device outside the caller's
//! sight answers 404; one the platform deregistered answers 410 to everyone.
//!
//! Binding (AB-11/13): a user binds a device of its vendor by its serial; the vendor or a
//! dealer in scope binds it to a user. Sharing (AB-15/16): the owner shares with another user of
//! the vendor by mobile; a guest sees and uses the device but cannot unbind, reset or re-share.

use std::collections::HashMap;

use sea_query::{Alias, Condition, Expr, Query};
use serde_json::json;

use crate::{
    model::{
        error::codes,
        in_service::{
            remaining_percent, Basic, DeviceConfig, FilterLife, Installation, Lease, Listed, Manufacture, Profile,
            Registration, RunState, Service, ServiceDevice, ServiceEdit, ServiceState, Statistics, Who,
        },
        list::Page,
        merchandise::Specification,
        permission::{MANAGE_DEVICES, READ_DEVICES},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{iso_seconds, now_ms, parse_iso},
        db::{Sql, Tx},
        error::{ApiError, Error, Result},
        list::{self, ListQuery},
        scope::{dealer_chain, Scope},
        service::{engineer, permission, quota},
        state::Ctx,
    },
};

/// The most serials one registration takes.
const MAX_REGISTER: usize = 1000;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

fn not_found() -> Error {
    ApiError::new(codes::DEVICE_NOT_FOUND, "device not found").into()
}

fn gone() -> Error {
    ApiError::new(codes::DEVICE_GONE, "this device was deregistered").into()
}

/// The devices `principal` may see, as a scope of `devices` (registered ones only).
fn readable(principal: &Principal) -> Result<Scope> {
    let registered = || Condition::all().add(col("serial").is_not_null());
    Ok(match principal {
        Principal::Platform(_) => Scope::every_corp().and(registered()),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_DEVICES)?.corp_id).and(registered()),
        Principal::Dealer(d) => Scope::corp(&d.corp_id).and(dealer_chain(&d.scope)).and(registered()),
        Principal::EndUser(u) => {
            let shared = Query::select()
                .column(Alias::new("device_id"))
                .from(Alias::new("device_shares"))
                .and_where(col("user_id").eq(u.user_id))
                .to_owned();
            let mine = Condition::any().add(col("owner_id").eq(u.user_id)).add(col("id").in_subquery(shared));
            Scope::corp(&u.corp_id).and(mine).and(registered())
        }
        Principal::Engineer(e) => {
            let serviced = Query::select()
                .column(Alias::new("device_id"))
                .from(Alias::new("tickets"))
                .and_where(col("engineer_id").eq(e.engineer_id))
                .and_where(col("status").is_in([1, 2, 3, 4, 5]))
                .to_owned();
            Scope::corp(&e.corp_id).and(col("id").in_subquery(serviced)).and(registered())
        }
        Principal::HeavyBuyer(_) | Principal::OrgUser(_) => return Err(ApiError::forbidden().into()),
    })
}

/// A device row as the services act on it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    pub id: i64,
    pub corp_id: String,
    pub serial: String,
    pub owner_id: Option<i64>,
    pub dealer_id: Option<i64>,
    pub dealer_scope: Option<String>,
    pub prod_id: Option<String>,
    pub install_address: String,
    pub install_area: String,
    pub install_lng: String,
    pub install_lat: String,
    pub deregister_time: Option<i64>,
}

const FOUND_COLUMNS: &str = "id, corp_id, serial, owner_id, dealer_id, dealer_scope, prod_id, install_address, \
                             install_area, install_lng, install_lat, deregister_time";

/// The device `serial` as `principal` may see it: 404 outside its sight, 410 once deregistered.
pub async fn find(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<Found> {
    let scope = readable(principal)?.and(col("serial").eq(serial.trim().to_owned()));
    let select = Query::select()
        .columns(FOUND_COLUMNS.split(", ").map(Alias::new))
        .from(Alias::new("devices"))
        .cond_where(scope.into_condition())
        .to_owned();
    let found: Option<Found> = ctx.db.fetch_optional(&select).await?;
    let found = found.ok_or_else(not_found)?;
    if found.deregister_time.is_some() {
        return Err(gone());
    }
    Ok(found)
}

/// The device `serial` of the vendor `vid`, whoever may see it (binding by serial: the user
/// cannot see the device before it is its own).
async fn of_vendor(tx: &mut Tx, vid: &str, serial: &str) -> Result<Found> {
    let found: Option<Found> = tx
        .fetch_optional(
            &Sql::new(format!("SELECT {FOUND_COLUMNS} FROM devices WHERE corp_id = $1 AND serial = $2"))
                .bind(vid.to_owned())
                .bind(serial.trim().to_owned()),
        )
        .await?;
    let found = found.ok_or_else(not_found)?;
    if found.deregister_time.is_some() {
        return Err(gone());
    }
    Ok(found)
}

/// AB-01: the devices the caller may see, in the document's nested shape.
pub async fn list(ctx: &Ctx, principal: &Principal, query: &ListQuery) -> Result<(i64, Vec<ServiceDevice>)> {
    let scope = readable(principal)?.and(col("deregister_time").is_null());
    let page: Page = list::run(&ctx.db, &Listed::RESOURCE, query, scope).await?;
    let ids: Vec<i64> = page.list.iter().filter_map(|r| r.get("id").and_then(|v| v.as_i64())).collect();
    let mut loaded = load(ctx, &ids).await?;
    let devices = ids.iter().filter_map(|id| loaded.remove(id)).collect();
    Ok((page.count, devices))
}

/// AB-03: one device, whole.
pub async fn get(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<ServiceDevice> {
    let found = find(ctx, principal, serial).await?;
    load(ctx, &[found.id]).await?.remove(&found.id).ok_or_else(not_found)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    corp_id: String,
    serial: String,
    is_active: bool,
    device_type: i64,
    brand: String,
    model: String,
    firmware_version: i64,
    hw_version: String,
    sw_version: String,
    manufacture_time: Option<i64>,
    product_id: String,
    name: String,
    remark: String,
    active_date: Option<i64>,
    owner_uid: Option<String>,
    prod_id: Option<String>,
    qc_id: String,
    qc_time: Option<i64>,
    installer_id: Option<i64>,
    install_time: Option<i64>,
    install_area: String,
    install_address: String,
    install_lng: String,
    install_lat: String,
    service_state: i64,
    service_expire: Option<i64>,
    mac: String,
    mcu_mod: String,
    firmware_mod: String,
    domain: String,
    is_online: bool,
    last_login: Option<i64>,
    last_logout: Option<i64>,
    lng: Option<String>,
    lat: Option<String>,
    power_on_minutes: Option<i64>,
    work_minutes: Option<i64>,
    water_ml: Option<i64>,
    tds_in: Option<i64>,
    tds_out: Option<i64>,
    telemetry_time: Option<i64>,
}

fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn with_ids(text: String, ids: &[i64]) -> Sql {
    ids.iter().fold(Sql::new(text), |sql, id| sql.bind(*id))
}

/// The devices `ids` (at most a page), whole: owner, shares, lease, counters and filters.
async fn load(ctx: &Ctx, ids: &[i64]) -> Result<HashMap<i64, ServiceDevice>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = placeholders(ids.len());
    let rows: Vec<Row> = ctx
        .db
        .fetch_all(&with_ids(
            format!(
                "SELECT d.id, d.corp_id, d.serial, d.is_active, d.device_type, d.brand, d.model, d.firmware_version, \
                 d.hw_version, d.sw_version, d.manufacture_time, d.product_id, d.name, d.remark, d.active_date, \
                 u.uid AS owner_uid, d.prod_id, d.qc_id, d.qc_time, d.installer_id, d.install_time, d.install_area, \
                 d.install_address, d.install_lng, d.install_lat, d.service_state, d.service_expire, d.mac, \
                 d.mcu_mod, d.firmware_mod, d.domain, d.is_online, d.last_login, d.last_logout, t.lng, t.lat, \
                 t.power_on_minutes, t.work_minutes, t.water_ml, t.tds_in, t.tds_out, t.telemetry_time \
                 FROM devices d LEFT JOIN end_users u ON u.id = d.owner_id \
                 LEFT JOIN device_telemetry t ON t.device_id = d.id WHERE d.id IN ({list})"
            ),
            ids,
        ))
        .await?;
    let shares: Vec<(i64, String)> = ctx
        .db
        .fetch_all(&with_ids(
            format!(
                "SELECT s.device_id, u.uid FROM device_shares s JOIN end_users u ON u.id = s.user_id \
                 WHERE s.device_id IN ({list}) ORDER BY s.create_time, u.uid"
            ),
            ids,
        ))
        .await?;
    let mut shared: HashMap<i64, Vec<String>> = HashMap::new();
    for (device, uid) in shares {
        shared.entry(device).or_default().push(uid);
    }
    let mut leases = leases_of(ctx, ids).await?;
    let mut filters = filters_of(ctx, ids).await?;
    let now = now_ms();
    let mut out = HashMap::new();
    for r in rows {
        let counters = Counters::of(&r);
        let lease = leases.remove(&r.id).map(|l| l.view(r.water_ml.unwrap_or(0)));
        let filters = filters.remove(&r.id).unwrap_or_default().into_iter().map(|f| f.life(&counters, now)).collect();
        let coord = match (&r.lng, &r.lat) {
            (Some(lng), Some(lat)) if !lng.is_empty() && !lat.is_empty() => format!("{lng},{lat}"),
            _ => String::new(),
        };
        out.insert(
            r.id,
            ServiceDevice {
                device_id: r.serial.clone(),
                status: i64::from(r.is_active),
                kind: r.device_type,
                brand: r.brand,
                model: r.model,
                fw_version: r.firmware_version.to_string(),
                hw_version: r.hw_version,
                sw_version: r.sw_version,
                asm_tms: r.manufacture_time.map(iso_seconds),
                vendor_id: r.corp_id,
                product_id: r.product_id,
                name: r.name,
                remark: r.remark,
                atv_tms: r.active_date.map(iso_seconds),
                user_id: r.owner_uid.unwrap_or_default(),
                user_share: shared.remove(&r.id).unwrap_or_default(),
                manufacture: Manufacture {
                    product_id: r.prod_id.unwrap_or_default(),
                    qc_id: r.qc_id,
                    qc_tms: r.qc_time.map(iso_seconds),
                },
                installation: Installation {
                    installer_id: r.installer_id,
                    install_tms: r.install_time.map(iso_seconds),
                    area: r.install_area,
                    address: r.install_address,
                    lng: r.install_lng,
                    lat: r.install_lat,
                },
                service: Service { state: r.service_state, expire: r.service_expire.map(iso_seconds), lease },
                basic: Basic {
                    platform: r.mcu_mod,
                    project: r.firmware_mod,
                    net_entry: r.domain,
                    net_type: String::new(),
                    dev_idcd: r.mac,
                    sim_iccid: String::new(),
                },
                state: RunState {
                    online: r.is_online,
                    online_tms: r.last_login.map(iso_seconds),
                    offline_tms: r.last_logout.map(iso_seconds),
                    lbs_coord: coord,
                },
                statistics: Statistics {
                    power_on_minutes: r.power_on_minutes.unwrap_or(0),
                    work_minutes: r.work_minutes.unwrap_or(0),
                    water_ml: r.water_ml.unwrap_or(0),
                    tds_in: r.tds_in,
                    tds_out: r.tds_out,
                    filters,
                },
            },
        );
    }
    Ok(out)
}

/// A device's counters (minutes, ml) when it reports them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counters {
    pub reported: bool,
    pub power_on_minutes: i64,
    pub work_minutes: i64,
    pub water_ml: i64,
}

impl Counters {
    fn of(r: &Row) -> Counters {
        Counters {
            reported: r.telemetry_time.is_some(),
            power_on_minutes: r.power_on_minutes.unwrap_or(0),
            work_minutes: r.work_minutes.unwrap_or(0),
            water_ml: r.water_ml.unwrap_or(0),
        }
    }
}

/// A fitted filter as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Fitted {
    pub device_id: i64,
    pub filter_order: i64,
    pub name: String,
    pub timer_mode: i64,
    pub lifetime: i64,
    pub worklife: i64,
    pub fit_time: i64,
    pub power_on_base: i64,
    pub work_base: i64,
    pub ticket_id: Option<String>,
}

impl Fitted {
    /// Minutes used since it was fitted: by the device's counters when it reports them, by the
    /// time elapsed otherwise (as if it were on and working all the while).
    pub fn used(&self, c: &Counters, now: i64) -> (i64, i64) {
        if c.reported {
            ((c.power_on_minutes - self.power_on_base).max(0), (c.work_minutes - self.work_base).max(0))
        } else {
            let elapsed = ((now - self.fit_time) / 60_000).max(0);
            (elapsed, elapsed)
        }
    }

    pub fn remaining(&self, c: &Counters, now: i64) -> i64 {
        let (power, work) = self.used(c, now);
        remaining_percent(self.timer_mode, self.lifetime, self.worklife, power, work)
    }

    fn life(self, c: &Counters, now: i64) -> FilterLife {
        let (power, work) = self.used(c, now);
        FilterLife {
            order: self.filter_order,
            remaining: remaining_percent(self.timer_mode, self.lifetime, self.worklife, power, work),
            name: self.name,
            timer_mode: self.timer_mode,
            lifetime: self.lifetime,
            worklife: self.worklife,
            used_power_on_hours: power / 60,
            used_work_hours: work / 60,
            fit_tms: iso_seconds(self.fit_time),
            ticket_id: self.ticket_id,
        }
    }
}

pub const FITTED_COLUMNS: &str =
    "device_id, filter_order, name, timer_mode, lifetime, worklife, fit_time, power_on_base, work_base, ticket_id";

async fn filters_of(ctx: &Ctx, ids: &[i64]) -> Result<HashMap<i64, Vec<Fitted>>> {
    let rows: Vec<Fitted> = ctx
        .db
        .fetch_all(&with_ids(
            format!(
                "SELECT {FITTED_COLUMNS} FROM device_filters WHERE device_id IN ({}) ORDER BY device_id, filter_order",
                placeholders(ids.len())
            ),
            ids,
        ))
        .await?;
    let mut by_device: HashMap<i64, Vec<Fitted>> = HashMap::new();
    for f in rows {
        by_device.entry(f.device_id).or_default().push(f);
    }
    Ok(by_device)
}

/// A lease as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaseRow {
    pub id: i64,
    pub device_id: i64,
    pub order_id: String,
    pub billing: i64,
    pub deposit: i64,
    pub day_rent: i64,
    pub start_time: i64,
    pub expire_time: Option<i64>,
    pub litres: i64,
    pub water_ml_start: i64,
    pub state: i64,
    pub expired_time: Option<i64>,
    pub owed: i64,
    pub refunded: i64,
    pub end_time: Option<i64>,
}

pub const LEASE_COLUMNS: &str = "id, device_id, order_id, billing, deposit, day_rent, start_time, expire_time, \
                                 litres, water_ml_start, state, expired_time, owed, refunded, end_time";

impl LeaseRow {
    fn view(self, water_ml: i64) -> Lease {
        Lease {
            state: self.state,
            billing: self.billing,
            order_id: self.order_id,
            deposit: self.deposit,
            start_tms: iso_seconds(self.start_time),
            expire_tms: self.expire_time.map(iso_seconds),
            litres: self.litres,
            used_litres: ((water_ml - self.water_ml_start).max(0)) / 1000,
            owed: self.owed,
            refunded: self.refunded,
            end_tms: self.end_time.map(iso_seconds),
        }
    }
}

/// The latest lease of each device (an open one, else the last that ended).
async fn leases_of(ctx: &Ctx, ids: &[i64]) -> Result<HashMap<i64, LeaseRow>> {
    let rows: Vec<LeaseRow> = ctx
        .db
        .fetch_all(&with_ids(
            format!(
                "SELECT {LEASE_COLUMNS} FROM leases WHERE device_id IN ({}) ORDER BY device_id, id",
                placeholders(ids.len())
            ),
            ids,
        ))
        .await?;
    Ok(rows.into_iter().map(|l| (l.device_id, l)).collect())
}

/// The vendor's members who manage devices (1502), or the platform.
fn vendor_side(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Platform(_) => Ok(()),
        _ => permission::require(principal, MANAGE_DEVICES).map(drop),
    }
}

fn serial_checked(field: &str, s: &str) -> Result<String, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ApiError::missing(field));
    }
    if s.len() > 64 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(ApiError::invalid(field, "a serial is 1-64 letters, digits, '-' or '_'"));
    }
    Ok(s.to_owned())
}

fn time_field(field: &str, text: &str) -> Result<Option<i64>, ApiError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    parse_iso(t).map(Some).ok_or_else(|| ApiError::invalid(field, "an ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ)"))
}

fn device_type(field: &str, n: i64) -> Result<i64, ApiError> {
    crate::model::in_service::DeviceType::from_code(n)
        .map(|t| t.code())
        .ok_or_else(|| ApiError::invalid(field, "0, 1, 2, 3, 4 or 8"))
}

/// AB-02: the platform registers serials for a vendor's product, in one transaction: all or
/// none (a serial already registered anywhere refuses the whole batch, naming it). Answers the
/// serials registered.
pub async fn register(ctx: &Ctx, principal: &Principal, input: Registration) -> Result<Vec<String>> {
    principal.platform()?;
    if input.device_ids.is_empty() {
        return Err(ApiError::missing("device_ids").into());
    }
    if input.device_ids.len() > MAX_REGISTER {
        return Err(ApiError::invalid("device_ids", "at most 1000 in one registration").into());
    }
    let mut serials: Vec<String> = Vec::with_capacity(input.device_ids.len());
    for (i, s) in input.device_ids.iter().enumerate() {
        let s = serial_checked(&format!("device_ids[{i}]"), s)?;
        if serials.contains(&s) {
            return Err(ApiError::invalid(&format!("device_ids[{i}]"), "given twice").into());
        }
        serials.push(s);
    }
    let kind = device_type("type", input.kind)?;
    let model = validate::optional_text("model", &input.model, 32)?;
    let brand = validate::optional_text("brand", &input.brand, 32)?;
    let hw = validate::optional_text("hw_version", &input.hw_version, 16)?;
    let sw = validate::optional_text("sw_version", &input.sw_version, 16)?;
    let made = time_field("manufacture_tms", &input.manufacture_tms)?;
    let vid = validate::text("vendor_id", &input.vendor_id, 64)?;
    let product_id = validate::text("product_id", &input.product_id, 64)?;
    let prod_id = validate::optional_text("prod_id", &input.prod_id, 32)?;

    let mut tx = ctx.db.begin().await?;
    let product: Option<(String,)> = tx
        .fetch_optional(
            &Sql::new("SELECT id FROM products WHERE id = $1 AND corp_id = $2")
                .bind(product_id.clone())
                .bind(vid.clone()),
        )
        .await?;
    product.ok_or_else(|| ApiError::new(codes::PRODUCT_NOT_FOUND, "the vendor has no such product"))?;
    let spec = if prod_id.is_empty() { None } else { Some(merchandise_spec(&mut tx, &vid, &prod_id).await?) };
    let now = now_ms();
    for (i, serial) in serials.iter().enumerate() {
        let taken: Option<(i64,)> = tx
            .fetch_optional(
                &Sql::new("SELECT id FROM devices WHERE serial = $1 OR (product_id = $2 AND mac = $1)")
                    .bind(serial.clone())
                    .bind(product_id.clone()),
            )
            .await?;
        if taken.is_some() {
            return Err(
                ApiError::new(codes::DEVICE_TAKEN, format!("device_ids[{i}]: {serial} is already registered")).into()
            );
        }
        let (id,): (i64,) = tx
            .fetch_one(
                &Sql::new(
                    "INSERT INTO devices (corp_id, product_id, mac, serial, device_type, brand, model, hw_version, \
                     sw_version, manufacture_time, prod_id, create_time) \
                     VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(vid.clone())
                .bind(product_id.clone())
                .bind(serial.clone())
                .bind(kind)
                .bind(brand.clone())
                .bind(model.clone())
                .bind(hw.clone())
                .bind(sw.clone())
                .bind(made)
                .bind((!prod_id.is_empty()).then(|| prod_id.clone()))
                .bind(now),
            )
            .await?;
        if let Some(spec) = &spec {
            fit_filters(&mut tx, id, spec, now).await?;
        }
    }
    quota::reserve(&mut tx, &vid, serials.len() as u64).await?;
    let facts = json!({ "device_ids": serials, "product_id": product_id, "type": kind });
    audit::record_in(&mut tx, principal, &vid, "device.register", "product", &product_id, Change::noted(facts)).await?;
    tx.commit().await?;
    Ok(serials)
}

/// The specification (filters) of the vendor's merchandise `prod_id` (422 when it has none).
pub async fn merchandise_spec(tx: &mut Tx, vid: &str, prod_id: &str) -> Result<Specification> {
    let found: Option<(String,)> = tx
        .fetch_optional(
            &Sql::new("SELECT specification FROM merchandise WHERE prod_id = $1 AND corp_id = $2")
                .bind(prod_id.to_owned())
                .bind(vid.to_owned()),
        )
        .await?;
    let (text,) = found.ok_or_else(|| ApiError::invalid("prod_id", "the vendor has no such merchandise"))?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

/// The device's power-on and work minutes as it last reported them (0 and 0 when it has not):
/// where a filter fitted now starts counting.
async fn counters_now(tx: &mut Tx, device_id: i64) -> Result<(i64, i64)> {
    let counters: Option<(i64, i64)> = tx
        .fetch_optional(
            &Sql::new("SELECT power_on_minutes, work_minutes FROM device_telemetry WHERE device_id = $1")
                .bind(device_id),
        )
        .await?;
    Ok(counters.unwrap_or((0, 0)))
}

/// Records a change to the device `found` in its vendor's audit log (`action`: `device.…`).
async fn audited(tx: &mut Tx, principal: &Principal, found: &Found, action: &str, change: Change) -> Result<()> {
    audit::record_in(tx, principal, &found.corp_id, action, "device", &found.serial, change).await
}

/// Fits the filters of `spec` to a device, as new: its life counts from now (and from the
/// device's counters now, when it reports them). Filters fitted before are replaced.
pub async fn fit_filters(tx: &mut Tx, device_id: i64, spec: &Specification, now: i64) -> Result<()> {
    let (power, work) = counters_now(tx, device_id).await?;
    tx.execute(&Sql::new("DELETE FROM device_filters WHERE device_id = $1").bind(device_id)).await?;
    for f in &spec.filters {
        tx.execute(
            &Sql::new(
                "INSERT INTO device_filters (device_id, filter_order, name, timer_mode, lifetime, worklife, fit_time, \
                 power_on_base, work_base, remaining) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 100)",
            )
            .bind(device_id)
            .bind(f.order)
            .bind(f.name.clone())
            .bind(f.timer_mode)
            .bind(f.lifetime)
            .bind(f.worklife)
            .bind(now)
            .bind(power)
            .bind(work),
        )
        .await?;
    }
    Ok(())
}

/// Marks one filter replaced: its life counts again from now.
pub async fn refit_filter(tx: &mut Tx, device_id: i64, order: i64, now: i64) -> Result<()> {
    let (power, work) = counters_now(tx, device_id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE device_filters SET fit_time = $1, power_on_base = $2, work_base = $3, remaining = 100, \
             ticket_id = NULL WHERE device_id = $4 AND filter_order = $5",
        )
        .bind(now)
        .bind(power)
        .bind(work)
        .bind(device_id)
        .bind(order),
    )
    .await?;
    Ok(())
}

/// AB-04: the vendor configures a device (the platform too). Naming a merchandise fits its
/// filters afresh.
pub async fn configure(ctx: &Ctx, principal: &Principal, serial: &str, c: DeviceConfig) -> Result<ServiceDevice> {
    vendor_side(principal)?;
    let found = find(ctx, principal, serial).await?;
    let kind = c.kind.map(|k| device_type("type", k)).transpose()?;
    let brand = validate::given_text("brand", &c.brand, 32)?;
    let model = validate::given_text("model", &c.model, 32)?;
    let hw = validate::given_text("hw_version", &c.hw_version, 16)?;
    let sw = validate::given_text("sw_version", &c.sw_version, 16)?;
    let qc_id = validate::given_text("qc_id", &c.qc_id, 32)?;
    let made = c.manufacture_tms.as_deref().map(|t| time_field("manufacture_tms", t)).transpose()?;
    let qc_time = c.qc_tms.as_deref().map(|t| time_field("qc_tms", t)).transpose()?;
    let prod_id = validate::given_text("prod_id", &c.prod_id, 32)?;
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    if let Some(p) = prod_id.as_deref().filter(|p| !p.is_empty() && Some(*p) != found.prod_id.as_deref()) {
        let spec = merchandise_spec(&mut tx, &found.corp_id, p).await?;
        fit_filters(&mut tx, found.id, &spec, now).await?;
    }
    tx.execute(
        &Sql::new(
            "UPDATE devices SET device_type = COALESCE($1, device_type), brand = COALESCE($2, brand), \
             model = COALESCE($3, model), hw_version = COALESCE($4, hw_version), sw_version = COALESCE($5, sw_version), \
             qc_id = COALESCE($6, qc_id), manufacture_time = CASE WHEN $7 THEN $8 ELSE manufacture_time END, \
             qc_time = CASE WHEN $9 THEN $10 ELSE qc_time END, prod_id = COALESCE($11, prod_id) WHERE id = $12",
        )
        .bind(kind)
        .bind(brand)
        .bind(model)
        .bind(hw)
        .bind(sw)
        .bind(qc_id)
        .bind(made.is_some())
        .bind(made.flatten())
        .bind(qc_time.is_some())
        .bind(qc_time.flatten())
        .bind(prod_id.filter(|p| !p.is_empty()))
        .bind(found.id),
    )
    .await?;
    audited(&mut tx, principal, &found, "device.configure", Change::noted(json!(c))).await?;
    tx.commit().await?;
    get(ctx, principal, serial).await
}

/// AB-05: the profile (name, remark, installation address).
pub async fn profile(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<Profile> {
    let d = get(ctx, principal, serial).await?;
    Ok(Profile {
        name: Some(d.name),
        remark: Some(d.remark),
        area: Some(d.installation.area),
        address: Some(d.installation.address),
        lng: Some(d.installation.lng),
        lat: Some(d.installation.lat),
    })
}

/// The device's owner (not a guest), or the vendor's device managers.
fn owner_or_vendor(principal: &Principal, found: &Found) -> Result<(), ApiError> {
    match principal {
        Principal::EndUser(u) if found.owner_id == Some(u.user_id) => Ok(()),
        Principal::EndUser(_) => Err(ApiError::new(codes::FORBIDDEN, "only the device's owner may do this")),
        _ => vendor_side(principal),
    }
}

/// AB-06: edits the profile (the vendor; the owner too, for its own device's name and address).
pub async fn edit_profile(ctx: &Ctx, principal: &Principal, serial: &str, p: Profile) -> Result<Profile> {
    let found = find(ctx, principal, serial).await?;
    owner_or_vendor(principal, &found)?;
    let name = validate::given_text("name", &p.name, 64)?;
    let remark = validate::given_text("remark", &p.remark, 256)?;
    let area = validate::given_text("area", &p.area, 64)?;
    let address = validate::given_text("address", &p.address, 128)?;
    let lng = p.lng.as_deref().map(|v| engineer::longitude("lng", v)).transpose()?;
    let lat = p.lat.as_deref().map(|v| engineer::latitude("lat", v)).transpose()?;
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new(
            "UPDATE devices SET name = COALESCE($1, name), remark = COALESCE($2, remark), \
             install_area = COALESCE($3, install_area), install_address = COALESCE($4, install_address), \
             install_lng = COALESCE($5, install_lng), install_lat = COALESCE($6, install_lat) WHERE id = $7",
        )
        .bind(name)
        .bind(remark)
        .bind(area)
        .bind(address)
        .bind(lng)
        .bind(lat)
        .bind(found.id),
    )
    .await?;
    audited(&mut tx, principal, &found, "device.profile", Change::noted(json!(p))).await?;
    tx.commit().await?;
    profile(ctx, principal, serial).await
}

/// AB-07: the service state, its expiry and the lease.
pub async fn service(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<Service> {
    Ok(get(ctx, principal, serial).await?.service)
}

/// AB-08: the vendor sets the service state and expiry by hand (a lease's own changes come from
/// the lease).
pub async fn edit_service(ctx: &Ctx, principal: &Principal, serial: &str, e: ServiceEdit) -> Result<Service> {
    permission::require(principal, MANAGE_DEVICES)?;
    let found = find(ctx, principal, serial).await?;
    let state = e
        .state
        .map(|s| ServiceState::from_code(s).map(|s| s.code()).ok_or_else(|| ApiError::invalid("state", "0, 1, 2 or 3")))
        .transpose()?;
    let expire = e.expire.as_deref().map(|t| time_field("expire", t)).transpose()?;
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new(
            "UPDATE devices SET service_state = COALESCE($1, service_state), \
             service_expire = CASE WHEN $2 THEN $3 ELSE service_expire END WHERE id = $4",
        )
        .bind(state)
        .bind(expire.is_some())
        .bind(expire.flatten())
        .bind(found.id),
    )
    .await?;
    audited(&mut tx, principal, &found, "device.service", Change::noted(json!(e))).await?;
    tx.commit().await?;
    service(ctx, principal, serial).await
}

/// AB-09: how the device runs.
pub async fn run_state(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<RunState> {
    Ok(get(ctx, principal, serial).await?.state)
}

/// AB-10: what it has done, and each filter's remaining life.
pub async fn statistics(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<Statistics> {
    Ok(get(ctx, principal, serial).await?.statistics)
}

/// The end user `who` names, of the vendor `vid` (by uid, or by mobile); within the dealer
/// chain `scope` when it is not empty (a dealer names only the users of its scope).
async fn user_named(tx: &mut Tx, vid: &str, who: &Who, scope: &str) -> Result<(i64, String)> {
    let (column, key) = if !who.user_id.trim().is_empty() {
        ("uid", who.user_id.trim())
    } else if !who.mobile.trim().is_empty() {
        ("mobile", who.mobile.trim())
    } else {
        return Err(ApiError::missing("user_id").into());
    };
    let sql = format!(
        "SELECT id, uid FROM end_users WHERE corp_id = $1 AND {column} = $2 AND deregister_time IS NULL \
         AND ($3 = '' OR (dealer_scope >= $3 AND dealer_scope < $4))"
    );
    let found: Option<(i64, String)> = tx
        .fetch_optional(
            &Sql::new(sql).bind(vid.to_owned()).bind(key.to_owned()).bind(scope.to_owned()).bind(format!("{scope}-")),
        )
        .await?;
    found.ok_or_else(|| ApiError::new(codes::END_USER_NOT_FOUND, "the vendor has no such user").into())
}

/// AB-11: binds a device to a user. A user binds a device of its vendor by serial (or the QR
/// code that holds it) to itself; the vendor's device managers or a dealer whose scope holds
/// the device bind it to a user named by `user_id` or `mobile`. Binding a device already bound
/// to that user changes nothing; bound to another, 422.
pub async fn bind(ctx: &Ctx, principal: &Principal, serial: &str, who: Who) -> Result<ServiceDevice> {
    let serial = serial_checked("device_id", serial)?;
    let (found, user_id, mut tx) = match principal {
        Principal::EndUser(u) => {
            let mut tx = ctx.db.begin().await?;
            (of_vendor(&mut tx, &u.corp_id, &serial).await?, u.user_id, tx)
        }
        Principal::Dealer(_) | Principal::Member(_) => {
            if let Principal::Member(_) = principal {
                vendor_side(principal)?;
            }
            let found = find(ctx, principal, &serial).await?;
            let mut tx = ctx.db.begin().await?;
            let (user_id, _) = user_named(&mut tx, &found.corp_id, &who, principal.dealer_scope()).await?;
            (found, user_id, tx)
        }
        _ => return Err(ApiError::forbidden().into()),
    };
    // A rented device is its renter's, bound or not.
    let renter: Option<(i64,)> = tx
        .fetch_optional(&Sql::new("SELECT user_id FROM leases WHERE device_id = $1 AND state <> 3").bind(found.id))
        .await?;
    if renter.is_some_and(|(r,)| r != user_id) {
        return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is rented to another user").into());
    }
    match found.owner_id {
        Some(owner) if owner == user_id => {}
        Some(_) => return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is bound to another user").into()),
        None => {
            let now = now_ms();
            let changed = tx
                .execute(
                    &Sql::new("UPDATE devices SET owner_id = $1, bind_time = $2 WHERE id = $3 AND owner_id IS NULL")
                        .bind(user_id)
                        .bind(now)
                        .bind(found.id),
                )
                .await?;
            if changed == 0 {
                return Err(ApiError::new(codes::DEVICE_TAKEN, "this device is bound to another user").into());
            }
            // A guest who becomes the owner is a guest no longer.
            tx.execute(
                &Sql::new("DELETE FROM device_shares WHERE device_id = $1 AND user_id = $2")
                    .bind(found.id)
                    .bind(user_id),
            )
            .await?;
            let facts = json!({ "user": user_id });
            audited(&mut tx, principal, &found, "device.bind", Change::noted(facts)).await?;
        }
    }
    tx.commit().await?;
    get(ctx, principal, &serial).await
}

/// For a user: the device is still its own now, in this transaction (a no-op write that also
/// holds the row), and not rented (a rented device leaves its renter only by its removal).
/// Anyone else passed the vendor's checks already.
async fn still_owner(tx: &mut Tx, principal: &Principal, found: &Found, leased_too: bool) -> Result<()> {
    let Principal::EndUser(u) = principal else { return Ok(()) };
    let held = tx
        .execute(
            &Sql::new("UPDATE devices SET owner_id = owner_id WHERE id = $1 AND owner_id = $2")
                .bind(found.id)
                .bind(u.user_id),
        )
        .await?;
    if held == 0 {
        return Err(ApiError::new(codes::FORBIDDEN, "only the device's owner may do this").into());
    }
    if leased_too {
        let leased: Option<(i64,)> = tx
            .fetch_optional(&Sql::new("SELECT id FROM leases WHERE device_id = $1 AND state <> 3").bind(found.id))
            .await?;
        if leased.is_some() {
            return Err(ApiError::new(
                codes::DEVICE_BINDING,
                "a rented device stays with its renter until its removal (the lease's end)",
            )
            .into());
        }
    }
    Ok(())
}

/// Clears a device's binding and shares in `tx`.
async fn release(tx: &mut Tx, device_id: i64) -> Result<()> {
    tx.execute(&Sql::new("UPDATE devices SET owner_id = NULL, bind_time = NULL WHERE id = $1").bind(device_id)).await?;
    tx.execute(&Sql::new("DELETE FROM device_shares WHERE device_id = $1").bind(device_id)).await?;
    Ok(())
}

/// AB-13: unbinds a device (its owner, or the vendor's device managers); its shares go with it.
/// A guest cannot.
pub async fn unbind(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<()> {
    let found = find(ctx, principal, serial).await?;
    owner_or_vendor(principal, &found)?;
    if found.owner_id.is_none() {
        return Err(ApiError::new(codes::DEVICE_BINDING, "this device is not bound").into());
    }
    let mut tx = ctx.db.begin().await?;
    still_owner(&mut tx, principal, &found, true).await?;
    release(&mut tx, found.id).await?;
    audited(&mut tx, principal, &found, "device.unbind", Change::noted(json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// AB-12: a factory reset: the user's data (name, remark, installation address), its binding
/// and shares are cleared (its owner, or the vendor's device managers).
pub async fn reset(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<()> {
    let found = find(ctx, principal, serial).await?;
    owner_or_vendor(principal, &found)?;
    let mut tx = ctx.db.begin().await?;
    still_owner(&mut tx, principal, &found, true).await?;
    release(&mut tx, found.id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE devices SET name = '', remark = '', install_area = '', install_address = '', install_lng = '', \
             install_lat = '' WHERE id = $1",
        )
        .bind(found.id),
    )
    .await?;
    audited(&mut tx, principal, &found, "device.reset", Change::noted(json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// AB-14: the platform deregisters a device: it is kept (orders, tickets and leases name it),
/// released from its user, and answers 410 from then on.
pub async fn deregister(ctx: &Ctx, principal: &Principal, serial: &str) -> Result<()> {
    principal.platform()?;
    let found = find(ctx, principal, serial).await?;
    let mut tx = ctx.db.begin().await?;
    release(&mut tx, found.id).await?;
    tx.execute(
        &Sql::new("UPDATE devices SET deregister_time = $1, service_state = 3 WHERE id = $2")
            .bind(now_ms())
            .bind(found.id),
    )
    .await?;
    audited(&mut tx, principal, &found, "device.deregister", Change::noted(json!({}))).await?;
    tx.commit().await?;
    Ok(())
}

/// AB-15: the owner shares its device with another user of the vendor, named by mobile.
pub async fn share(ctx: &Ctx, principal: &Principal, serial: &str, who: Who) -> Result<ServiceDevice> {
    let Principal::EndUser(me) = principal else {
        return Err(ApiError::new(codes::FORBIDDEN, "a device is shared by its owner").into());
    };
    let found = find(ctx, principal, serial).await?;
    if found.owner_id != Some(me.user_id) {
        return Err(ApiError::new(codes::FORBIDDEN, "only the device's owner may share it").into());
    }
    let mut tx = ctx.db.begin().await?;
    still_owner(&mut tx, principal, &found, false).await?;
    let (guest, uid) = user_named(&mut tx, &me.corp_id, &who, "").await?;
    if guest == me.user_id {
        return Err(ApiError::invalid("mobile", "the owner need not share with itself").into());
    }
    let fresh = tx
        .execute(
            &Sql::new(
                "INSERT INTO device_shares (device_id, user_id, create_time) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(found.id)
            .bind(guest)
            .bind(now_ms()),
        )
        .await?;
    if fresh == 1 {
        audit::record(
            &mut tx,
            principal,
            "device.share",
            "device",
            &found.serial,
            Change::noted(json!({ "guest": uid })),
        )
        .await?;
    }
    tx.commit().await?;
    get(ctx, principal, serial).await
}

/// AB-16: ends a share: the owner (of any guest), a guest (of itself), or the vendor's device
/// managers.
pub async fn unshare(ctx: &Ctx, principal: &Principal, serial: &str, who: Who) -> Result<()> {
    let found = find(ctx, principal, serial).await?;
    let mut tx = ctx.db.begin().await?;
    let guest = match principal {
        Principal::EndUser(u) if found.owner_id == Some(u.user_id) => {
            user_named(&mut tx, &u.corp_id, &who, "").await?.0
        }
        Principal::EndUser(u) => {
            // A guest ends its own share; naming anyone else is refused.
            let other = if !who.user_id.trim().is_empty() {
                who.user_id.trim() != u.uid
            } else if !who.mobile.trim().is_empty() {
                user_named(&mut tx, &u.corp_id, &who, "").await?.0 != u.user_id
            } else {
                false
            };
            if other {
                return Err(ApiError::new(codes::FORBIDDEN, "a guest may end only its own share").into());
            }
            u.user_id
        }
        _ => {
            vendor_side(principal)?;
            user_named(&mut tx, &found.corp_id, &who, "").await?.0
        }
    };
    let removed = tx
        .execute(
            &Sql::new("DELETE FROM device_shares WHERE device_id = $1 AND user_id = $2").bind(found.id).bind(guest),
        )
        .await?;
    if removed == 0 {
        return Err(ApiError::new(codes::DEVICE_BINDING, "the device is not shared with this user").into());
    }
    audited(&mut tx, principal, &found, "device.unshare", Change::noted(json!({ "guest": guest }))).await?;
    tx.commit().await?;
    Ok(())
}
