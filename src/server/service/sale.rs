//! A dealer's sales ledger (issue 14, the original console's "client info"): a dealer records
//! the devices it sold and to whom; the corp sees every sale; a dealer sees its own and those of
//! the dealers below it. Each sale keeps the seller's dealer chain, so the dealers above it keep
//! seeing it even after the seller is deleted.
//!
//! Who records and changes a sale: the dealer itself, or a corp member with "manage dealers"
//! on the dealer's behalf (the console imports a dealer's devices and records their sales from
//! the corp's side). A dealer never records or changes another dealer's sales.

use sea_query::{Alias, Expr};
use serde_json::Value;

use crate::{
    model::{
        error::{codes, ApiError},
        list::Page,
        permission::{MANAGE_DEALERS, READ_DEALERS},
        sale::{Sale, SaleInput, SoldDevice},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{self, now_ms},
        db::{Executor, Sql},
        error::{Error, Result},
        list::{self, ListQuery, Resource},
        scope::{dealer_chain, Scope},
        service::{dealer, permission},
        state::Ctx,
    },
};

pub static SALES: Resource = Sale::RESOURCE;

/// The most extra details or pictures one sale keeps, and the longest a detail may be.
const MAX_ITEMS: usize = 20;
const MAX_ITEM_CHARS: usize = 512;

fn not_found() -> Error {
    ApiError::new(codes::SALE_NOT_FOUND, "sale not found").into()
}

/// The sales a principal may read: a corp member with "read dealers", its corp's; a dealer, its
/// own and those below it.
pub(crate) fn readable(principal: &Principal) -> Result<Scope> {
    match principal {
        Principal::Dealer(me) => Ok(Scope::corp(&me.corp_id).and(dealer_chain(&me.scope))),
        _ => Ok(Scope::corp(&permission::require(principal, READ_DEALERS)?.corp_id)),
    }
}

/// The sales a principal may change or delete: a dealer, its own; a corp member with "manage
/// dealers", its corp's.
fn changeable(principal: &Principal) -> Result<Scope> {
    match principal {
        Principal::Dealer(me) => Ok(Scope::corp(&me.corp_id).and(Expr::col(Alias::new("dealer_id")).eq(me.dealer_id))),
        _ => Ok(Scope::corp(&permission::require(principal, MANAGE_DEALERS)?.corp_id)),
    }
}

/// The dealer a new sale is recorded for, as `(corp_id, dealer chain)`: the caller itself, or
/// (for a corp member with "manage dealers") any dealer of its corp. A dealer naming another
/// dealer it can see is refused (4031001); one it cannot see is not found.
async fn seller(ctx: &Ctx, principal: &Principal, dealer_id: i64) -> Result<(String, String)> {
    if !matches!(principal, Principal::Dealer(_)) {
        permission::require(principal, MANAGE_DEALERS)?;
    }
    let placed = dealer::placed(ctx, principal, dealer_id).await?;
    if let Principal::Dealer(me) = principal {
        if me.dealer_id != dealer_id {
            return Err(ApiError::new(codes::FORBIDDEN, "a dealer records its own sales").into());
        }
    }
    Ok(placed)
}

async fn find(ex: impl Into<Executor<'_>>, scope: Scope, id: i64) -> Result<Sale> {
    list::find(ex, &SALES, scope, id).await?.ok_or_else(not_found)
}

/// `GET /v2/dealer/client_info/{id}`.
pub async fn get(ctx: &Ctx, principal: &Principal, id: i64) -> Result<Sale> {
    find(&ctx.db, readable(principal)?, id).await
}

/// `POST /v2/dealer/{id}/sale_summary`: the list language over the sales of dealer `dealer_id`
/// and the dealers below it, as far as the caller may read them.
pub async fn list(ctx: &Ctx, principal: &Principal, dealer_id: i64, body: &Value) -> Result<Page> {
    let query: ListQuery = list::parse(&SALES, body)?;
    let (_, chain) = dealer::placed(ctx, principal, dealer_id).await?;
    let scope = readable(principal)?.and(dealer_chain(&chain));
    list::run(&ctx.db, &SALES, &query, scope).await
}

/// Text fields of a sale as given (trimmed, bounded); absent stays absent.
struct Fields {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    client_type: Option<String>,
    country: Option<String>,
    province: Option<String>,
    city: Option<String>,
    address: Option<String>,
    region: Option<String>,
    sale_time: Option<i64>,
    x_info: Option<String>,
    pictures: Option<String>,
}

fn check(input: &SaleInput) -> Result<Fields, ApiError> {
    let text = validate::given_text;
    let place = input.place.checked()?;
    let sale_time = match input.sale_time.as_deref() {
        None => None,
        Some(t) => Some(clock::parse_iso(t).ok_or_else(|| ApiError::invalid("sale_time", "must be an ISO 8601 time"))?),
    };
    Ok(Fields {
        name: text("name", &input.name, 64)?,
        phone: text("phone", &input.phone, 32)?,
        email: text("email", &input.email, 64)?,
        client_type: text("client_type", &input.client_type, 32)?,
        country: place.country,
        province: place.province,
        city: place.city,
        address: text("address", &input.address, 128)?,
        region: text("region", &input.region, 64)?,
        sale_time,
        x_info: items("x_info", &input.x_info)?,
        pictures: items("pictures", &input.pictures)?,
    })
}

/// An array of at most [`MAX_ITEMS`] entries, each at most [`MAX_ITEM_CHARS`] as JSON; kept as
/// JSON text.
fn items(name: &str, v: &Option<Value>) -> Result<Option<String>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    let list = v.as_array().ok_or_else(|| ApiError::invalid(name, "must be an array"))?;
    if list.len() > MAX_ITEMS {
        return Err(ApiError::invalid(name, &format!("at most {MAX_ITEMS} entries")));
    }
    if list.iter().any(|item| item.to_string().chars().count() > MAX_ITEM_CHARS) {
        return Err(ApiError::invalid(name, &format!("each entry at most {MAX_ITEM_CHARS} characters")));
    }
    Ok(Some(v.to_string()))
}

/// The device a sale names, as stored: from the device itself when it is named by id or MAC
/// (it must be with the selling dealer or one below it), else the serial and model as given.
struct Sold {
    product_id: String,
    product_mod: String,
    device_id: Option<i64>,
    mac: String,
    sn: String,
}

async fn sold(ctx: &Ctx, corp_id: &str, chain: &str, d: &SoldDevice) -> Result<Sold> {
    let text = |name: &str, v: &Option<String>| validate::given_text(name, v, 64);
    let (sn, product_mod) = (text("sn", &d.sn)?, text("product_mod", &d.product_mod)?);
    if d.device_id.is_none() && d.mac.as_deref().is_none_or(|m| m.trim().is_empty()) {
        return Ok(Sold {
            product_id: text("product_id", &d.product_id)?.unwrap_or_default(),
            product_mod: product_mod.unwrap_or_default(),
            device_id: None,
            mac: String::new(),
            sn: sn.unwrap_or_default(),
        });
    }
    let product_id = d
        .product_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::missing("product_id"))?;
    const SELECT: &str = "SELECT d.id, d.mac, d.sn, p.mode, d.dealer_scope FROM devices d \
                          JOIN products p ON p.id = d.product_id WHERE d.corp_id = $1 AND d.product_id = $2";
    let sql = match d.device_id {
        Some(id) => {
            Sql::new(format!("{SELECT} AND d.id = $3")).bind(corp_id.to_owned()).bind(product_id.to_owned()).bind(id)
        }
        None => Sql::new(format!("{SELECT} AND d.mac = $3"))
            .bind(corp_id.to_owned())
            .bind(product_id.to_owned())
            .bind(validate::mac("mac", d.mac.as_deref().unwrap_or_default())?),
    };
    let found: Option<(i64, String, String, String, Option<String>)> = ctx.db.fetch_optional(&sql).await?;
    let (id, mac, stored_sn, mode, scope) =
        found.ok_or_else(|| ApiError::new(codes::DEVICE_NOT_FOUND, "device not found in this product"))?;
    let with_seller = scope.as_deref().is_some_and(|s| s == chain || s.starts_with(&format!("{chain},")));
    if !with_seller {
        return Err(ApiError::invalid("device_id", "the device is not with this dealer").into());
    }
    Ok(Sold {
        product_id: product_id.to_owned(),
        product_mod: product_mod.filter(|m| !m.is_empty()).unwrap_or(mode),
        device_id: Some(id),
        mac,
        sn: sn.filter(|s| !s.is_empty()).unwrap_or(stored_sn),
    })
}

/// `POST /v2/dealer/{id}/add_client_info/upload`: records one sale for dealer `dealer_id`.
pub async fn record(ctx: &Ctx, principal: &Principal, dealer_id: i64, input: SaleInput) -> Result<Sale> {
    let (corp_id, chain) = seller(ctx, principal, dealer_id).await?;
    let f = check(&input)?;
    let device = sold(ctx, &corp_id, &chain, &input.device).await?;
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "INSERT INTO dealer_sales (corp_id, dealer_id, dealer_scope, name, phone, email, client_type, country, \
                 province, city, address, region, x_info, pictures, product_id, product_mod, device_id, mac, sn, \
                 sale_time, create_time) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
                 RETURNING id",
            )
            .bind(corp_id.clone())
            .bind(dealer_id)
            .bind(chain)
            .bind(f.name.unwrap_or_default())
            .bind(f.phone.unwrap_or_default())
            .bind(f.email.unwrap_or_default())
            .bind(f.client_type.filter(|c| !c.is_empty()).unwrap_or_else(|| "common_buyer".into()))
            .bind(f.country.unwrap_or_default())
            .bind(f.province.unwrap_or_default())
            .bind(f.city.unwrap_or_default())
            .bind(f.address.unwrap_or_default())
            .bind(f.region.unwrap_or_default())
            .bind(f.x_info.unwrap_or_else(|| "[]".into()))
            .bind(f.pictures.unwrap_or_else(|| "[]".into()))
            .bind(device.product_id)
            .bind(device.product_mod)
            .bind(device.device_id)
            .bind(device.mac)
            .bind(device.sn)
            .bind(f.sale_time.unwrap_or(now))
            .bind(now),
        )
        .await?;
    let sale = find(&mut tx, Scope::corp(&corp_id), id).await?;
    audit::record(&mut tx, principal, "sale.create", "sale", id, Change::created(&sale)).await?;
    tx.commit().await?;
    Ok(sale)
}

/// `PUT /v2/dealer/client_info/{id}`: the fields given change; the device sold does not.
pub async fn update(ctx: &Ctx, principal: &Principal, id: i64, input: SaleInput) -> Result<Sale> {
    let scope = changeable(principal)?;
    let f = check(&input)?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, scope.clone(), id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE dealer_sales SET name = COALESCE($1, name), phone = COALESCE($2, phone), \
             email = COALESCE($3, email), client_type = COALESCE($4, client_type), \
             country = COALESCE($5, country), province = COALESCE($6, province), city = COALESCE($7, city), \
             address = COALESCE($8, address), region = COALESCE($9, region), \
             sale_time = COALESCE($10, sale_time), x_info = COALESCE($11, x_info), \
             pictures = COALESCE($12, pictures) WHERE id = $13",
        )
        .bind(f.name)
        .bind(f.phone)
        .bind(f.email)
        .bind(f.client_type)
        .bind(f.country)
        .bind(f.province)
        .bind(f.city)
        .bind(f.address)
        .bind(f.region)
        .bind(f.sale_time)
        .bind(f.x_info)
        .bind(f.pictures)
        .bind(id),
    )
    .await?;
    let after = find(&mut tx, scope, id).await?;
    audit::record(&mut tx, principal, "sale.update", "sale", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// `DELETE /v2/dealer/client_info/{id}`.
pub async fn delete(ctx: &Ctx, principal: &Principal, id: i64) -> Result<()> {
    let scope = changeable(principal)?;
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, scope, id).await?;
    tx.execute(&Sql::new("DELETE FROM dealer_sales WHERE id = $1").bind(id)).await?;
    audit::record(&mut tx, principal, "sale.delete", "sale", id, Change::deleted(&before)).await?;
    tx.commit().await?;
    Ok(())
}
