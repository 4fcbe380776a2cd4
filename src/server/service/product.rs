//! Products: the catalogue a corp's devices belong to. Reading needs "view products", writing
//! "manage products"; a released product cannot be deleted (4001016).

use crate::{
    model::{
        error::{codes, ApiError},
        permission::{MANAGE_PRODUCTS, READ_DEVICES, READ_PRODUCTS},
        product::{NewProduct, Product, ProductBrief, ProductEdit},
        validate,
    },
    server::{
        audit::{self, Change},
        auth::principal::Principal,
        clock::{iso, now_ms},
        db::{Executor, Sql},
        error::{Error, Result},
        secret::random_hex,
        service::{entry, permission, quota},
        state::Ctx,
    },
};

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: String,
    name: String,
    description: String,
    link_type: i64,
    mode: String,
    #[sqlx(rename = "type")]
    kind: i64,
    key: String,
    is_release: bool,
    create_time: i64,
}

const COLUMNS: &str = "id, name, description, link_type, mode, type, key, is_release, create_time";

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Product {
            id: r.id,
            name: r.name,
            description: r.description,
            link_type: r.link_type,
            mode: r.mode,
            kind: r.kind,
            key: r.key,
            is_release: r.is_release,
            create_time: iso(r.create_time),
        }
    }
}

fn not_found() -> Error {
    ApiError::new(codes::PRODUCT_NOT_FOUND, "product not found").into()
}

fn check_link_type(link_type: i64) -> Result<i64, ApiError> {
    if (1..=5).contains(&link_type) {
        Ok(link_type)
    } else {
        Err(ApiError::invalid("link_type", "must be 1 (wifi), 2 (zigbee gateway), 3 (BLE), 4 (BLE mesh) or 5 (PC)"))
    }
}

fn find_sql(corp_id: &str, id: &str) -> Sql {
    Sql::new(format!("SELECT {COLUMNS} FROM products WHERE id = $1 AND corp_id = $2"))
        .bind(id.to_owned())
        .bind(corp_id.to_owned())
}

/// A product of `corp_id`; another corp's reads as missing (in a transaction: as its own
/// changes left it).
pub(crate) async fn find(ex: impl Into<Executor<'_>>, corp_id: &str, id: &str) -> Result<Product> {
    let row: Option<ProductRow> = ex.into().fetch_optional(&find_sql(corp_id, id)).await?;
    row.map(Product::from).ok_or_else(not_found)
}

pub async fn get(ctx: &Ctx, principal: &Principal, id: &str) -> Result<Product> {
    let me = permission::require(principal, READ_PRODUCTS)?;
    find(&ctx.db, &me.corp_id, id).await
}

/// The corp's products, oldest first.
pub async fn list(ctx: &Ctx, principal: &Principal) -> Result<Vec<Product>> {
    let me = permission::require(principal, READ_PRODUCTS)?;
    of_corp(ctx, &me.corp_id).await
}

async fn of_corp(ctx: &Ctx, corp_id: &str) -> Result<Vec<Product>> {
    let rows: Vec<ProductRow> = ctx
        .db
        .fetch_all(
            &Sql::new(format!("SELECT {COLUMNS} FROM products WHERE corp_id = $1 ORDER BY create_time, id"))
                .bind(corp_id.to_owned()),
        )
        .await?;
    Ok(rows.into_iter().map(Product::from).collect())
}

/// The catalogue as a portal shows it: a corp member's with "view products" (or "view devices",
/// to pick a product's devices), a dealer's or heavy buyer's brand owner's, so each can choose
/// which product's devices to list. Only the brief: the product key is for those who manage products.
pub async fn catalogue(ctx: &Ctx, principal: &Principal) -> Result<Vec<ProductBrief>> {
    let corp_id = match principal {
        Principal::Dealer(me) => me.corp_id.clone(),
        Principal::HeavyBuyer(me) => me.corp_id.clone(),
        Principal::OrgUser(me) => me.corp_id.clone(),
        _ => match permission::require(principal, READ_PRODUCTS) {
            Ok(me) => me.corp_id.clone(),
            Err(_) => permission::require(principal, READ_DEVICES)?.corp_id.clone(),
        },
    };
    // A partner's entry may hide products from its portal.
    let entry = entry::own(ctx, principal).await?.unwrap_or_default();
    Ok(of_corp(ctx, &corp_id)
        .await?
        .into_iter()
        .filter(|p| entry.shows_product(&p.id))
        .map(ProductBrief::from)
        .collect())
}

pub async fn create(ctx: &Ctx, principal: &Principal, input: NewProduct) -> Result<Product> {
    let me = permission::require(principal, MANAGE_PRODUCTS)?;
    let name = validate::text("name", &input.name, 32)?;
    let description = validate::optional_text("description", &input.description, 250)?;
    let mode = validate::optional_text("mode", &input.mode, 64)?;
    let link_type = check_link_type(input.link_type)?;
    let id = random_hex(16);
    let mut tx = ctx.db.begin().await?;
    tx.execute(
        &Sql::new(
            "INSERT INTO products (id, corp_id, name, description, link_type, mode, type, key, is_release, create_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.clone())
        .bind(me.corp_id.clone())
        .bind(name)
        .bind(description)
        .bind(link_type)
        .bind(mode)
        .bind(input.kind)
        .bind(random_hex(8))
        .bind(false)
        .bind(now_ms()),
    )
    .await?;
    let product = find(&mut tx, &me.corp_id, &id).await?;
    audit::record(&mut tx, principal, "product.create", "product", &id, Change::created(&product)).await?;
    tx.commit().await?;
    Ok(product)
}

/// Changes the given fields; releasing is `is_release: true`.
pub async fn update(ctx: &Ctx, principal: &Principal, id: &str, input: ProductEdit) -> Result<Product> {
    let me = permission::require(principal, MANAGE_PRODUCTS)?;
    let current = find(&ctx.db, &me.corp_id, id).await?;
    let name = match input.name {
        Some(n) => validate::text("name", &n, 32)?,
        None => current.name,
    };
    let description = match input.description {
        Some(d) => validate::optional_text("description", &d, 250)?,
        None => current.description,
    };
    let mode = match input.mode {
        Some(m) => validate::optional_text("mode", &m, 64)?,
        None => current.mode,
    };
    let link_type = check_link_type(input.link_type.unwrap_or(current.link_type))?;
    // Release is one way: a released product keeps its devices' history and cannot be deleted,
    // so withdrawing it would open the way to deleting it.
    if current.is_release && input.is_release == Some(false) {
        return Err(ApiError::invalid("is_release", "a released product cannot be withdrawn").into());
    }
    // `is_release OR $6`: a release that lands between our read and this write is kept.
    let mut tx = ctx.db.begin().await?;
    let before = find(&mut tx, &me.corp_id, id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE products SET name = $1, description = $2, link_type = $3, mode = $4, type = $5, \
             is_release = (is_release OR $6) WHERE id = $7 AND corp_id = $8",
        )
        .bind(name)
        .bind(description)
        .bind(link_type)
        .bind(mode)
        .bind(input.kind.unwrap_or(current.kind))
        .bind(input.is_release.unwrap_or(false))
        .bind(id.to_owned())
        .bind(me.corp_id.clone()),
    )
    .await?;
    let after = find(&mut tx, &me.corp_id, id).await?;
    audit::record(&mut tx, principal, "product.update", "product", id, Change::updated(&before, &after)).await?;
    tx.commit().await?;
    Ok(after)
}

/// A product that is not released, with its devices (none of which may be activated).
/// One transaction that checks what it changed: the product row is claimed only while it is
/// unreleased, and only inactive devices go, so a release or an activation that lands meanwhile
/// makes the delete fail rather than lose a released product or an active device.
pub async fn delete(ctx: &Ctx, principal: &Principal, id: &str) -> Result<()> {
    let me = permission::require(principal, MANAGE_PRODUCTS)?;
    let product = find(&ctx.db, &me.corp_id, id).await?;
    if product.is_release {
        return Err(released());
    }
    let mut tx = ctx.db.begin().await?;
    let claimed = tx
        .execute(
            &Sql::new("UPDATE products SET is_release = is_release WHERE id = $1 AND corp_id = $2 AND is_release = $3")
                .bind(id.to_owned())
                .bind(me.corp_id.clone())
                .bind(false),
        )
        .await?;
    if claimed == 0 {
        return Err(released());
    }
    let removed = tx
        .execute(
            &Sql::new("DELETE FROM devices WHERE product_id = $1 AND is_active = $2").bind(id.to_owned()).bind(false),
        )
        .await?;
    let (active,): (i64,) =
        tx.fetch_one(&Sql::new("SELECT COUNT(*) FROM devices WHERE product_id = $1").bind(id.to_owned())).await?;
    if active > 0 {
        // Dropping `tx` rolls the deleted devices back.
        return Err(ApiError::invalid("product_id", &format!("{active} of its devices are activated")).into());
    }
    quota::release(&mut tx, &me.corp_id, removed).await?;
    tx.execute(&Sql::new("DELETE FROM products WHERE id = $1").bind(id.to_owned())).await?;
    let change = Change::deleted(&product).with("devices_deleted", removed);
    audit::record(&mut tx, principal, "product.delete", "product", id, change).await?;
    tx.commit().await?;
    Ok(())
}

fn released() -> Error {
    ApiError::new(codes::PRODUCT_RELEASED, "a released product cannot be deleted").into()
}
