//! A partner's sign-in entry (issue 14, the original console's `entry_config`): the corp sets a
//! dealer's or a heavy buyer's logo, sign-in text and which products and portal modules it sees;
//! anyone may read an entry by the partner's id and its corp's (the sign-in page needs it before
//! anyone signs in), and the answer holds nothing but the entry.

use crate::{
    model::{
        entry::{EntryConfig, DEALER_MODULES, HEAVY_BUYER_MODULES},
        error::{codes, ApiError},
        permission::{MANAGE_DEALERS, MANAGE_HEAVY_BUYERS},
        validate,
    },
    server::{
        auth::principal::Principal,
        clock::now_ms,
        db::Sql,
        error::{Error, Result},
        service::{login::Partner, permission},
        state::Ctx,
    },
};

fn modules(partner: Partner) -> &'static [&'static str] {
    match partner {
        Partner::Dealer => &DEALER_MODULES,
        Partner::HeavyBuyer => &HEAVY_BUYER_MODULES,
    }
}

fn not_found(partner: Partner) -> Error {
    match partner {
        Partner::Dealer => ApiError::new(codes::DEALER_NOT_FOUND, "dealer not found"),
        Partner::HeavyBuyer => ApiError::new(codes::HEAVY_BUYER_NOT_FOUND, "heavy buyer not found"),
    }
    .into()
}

/// Whether partner `id` belongs to `corp_id`.
async fn exists(ctx: &Ctx, partner: Partner, id: i64, corp_id: &str) -> Result<bool> {
    let sql = Sql::new(format!("SELECT id FROM {} WHERE id = $1 AND corp_id = $2", partner.table()))
        .bind(id)
        .bind(corp_id.to_owned());
    Ok(ctx.db.fetch_optional::<(i64,)>(&sql).await?.is_some())
}

/// The stored entry of a partner known to exist, or the default.
async fn stored(ctx: &Ctx, partner: Partner, id: i64) -> Result<EntryConfig> {
    let sql = Sql::new("SELECT config FROM entry_configs WHERE partner_kind = $1 AND partner_id = $2")
        .bind(partner.name())
        .bind(id);
    let row: Option<(String,)> = ctx.db.fetch_optional(&sql).await?;
    Ok(row.and_then(|(json,)| serde_json::from_str(&json).ok()).unwrap_or_default())
}

async fn product_ids(ctx: &Ctx, corp_id: &str) -> Result<Vec<String>> {
    let sql = Sql::new("SELECT id FROM products WHERE corp_id = $1 ORDER BY create_time, id").bind(corp_id.to_owned());
    let rows: Vec<(String,)> = ctx.db.fetch_all(&sql).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// `GET /v2/{dealer|heavy_buyer}/{id}/entry_config?corp_id=`: public; a partner of another corp
/// (or none) is not found. Every product and module is listed, unlisted ones as shown.
pub async fn get(ctx: &Ctx, partner: Partner, id: i64, corp_id: &str) -> Result<EntryConfig> {
    let corp_id = corp_id.trim();
    if corp_id.is_empty() {
        return Err(ApiError::missing("corp_id").into());
    }
    if !exists(ctx, partner, id, corp_id).await? {
        return Err(not_found(partner));
    }
    Ok(stored(ctx, partner, id).await?.completed(product_ids(ctx, corp_id).await?, modules(partner)))
}

/// The entry of the signed-in partner, for its own portal to leave out what it hides.
pub async fn own(ctx: &Ctx, principal: &Principal) -> Result<Option<EntryConfig>> {
    let (partner, id) = match principal {
        Principal::Dealer(d) => (Partner::Dealer, d.dealer_id),
        Principal::HeavyBuyer(h) => (Partner::HeavyBuyer, h.heavy_buyer_id),
        Principal::OrgUser(u) => (Partner::HeavyBuyer, u.heavy_buyer_id),
        _ => return Ok(None),
    };
    Ok(Some(stored(ctx, partner, id).await?))
}

/// Refuses (4031001) a partner whose entry hides `module` (the original console's names:
/// `device_list` = Devices, `analyse` = Sales), for the portal's pages of that module; `/v2`, the
/// console's own door, does not ask.
pub async fn require_module(ctx: &Ctx, principal: &Principal, module: &str) -> Result<()> {
    if hidden_modules(ctx, principal).await?.iter().any(|m| m == module) {
        return Err(ApiError::new(codes::FORBIDDEN, "this page is not open to you").into());
    }
    Ok(())
}

/// Refuses (4031001) a sign-in through partner `id`'s branded page (`?corp_id=…&id=…`) while its
/// entry is closed. A link naming no partner of that corp is the plain sign-in page.
pub async fn require_open(ctx: &Ctx, partner: Partner, id: i64, corp_id: &str) -> Result<()> {
    if exists(ctx, partner, id, corp_id.trim()).await? && !stored(ctx, partner, id).await?.is_enable {
        return Err(ApiError::new(codes::FORBIDDEN, "this sign-in page is closed").into());
    }
    Ok(())
}

/// The portal modules the signed-in partner's entry hides.
pub async fn hidden_modules(ctx: &Ctx, principal: &Principal) -> Result<Vec<String>> {
    Ok(own(ctx, principal)
        .await?
        .map(|e| e.module.into_iter().filter(|m| !m.is_visible).map(|m| m.kind).collect())
        .unwrap_or_default())
}

/// `POST /v2/{dealer|heavy_buyer}/{id}/entry_config`: the corp (with "manage dealers" or "manage
/// key accounts") replaces the entry. Products must be the corp's; the logo an `http(s)`
/// address; unknown keys the console sends back are dropped.
pub async fn set(
    ctx: &Ctx,
    principal: &Principal,
    partner: Partner,
    id: i64,
    input: EntryConfig,
) -> Result<EntryConfig> {
    let feature = match partner {
        Partner::Dealer => MANAGE_DEALERS,
        Partner::HeavyBuyer => MANAGE_HEAVY_BUYERS,
    };
    let corp_id = permission::require(principal, feature)?.corp_id.clone();
    if !exists(ctx, partner, id, &corp_id).await? {
        return Err(not_found(partner));
    }
    let products = product_ids(ctx, &corp_id).await?;
    let config = check(input, &products)?;
    let json = serde_json::to_string(&config).map_err(|e| Error::internal(e.to_string()))?;
    let mut tx = ctx.db.begin().await?;
    forget(&mut tx, partner, id).await?;
    tx.execute(
        &Sql::new(
            "INSERT INTO entry_configs (partner_kind, partner_id, corp_id, config, update_time) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(partner.name())
        .bind(id)
        .bind(corp_id.clone())
        .bind(json)
        .bind(now_ms()),
    )
    .await?;
    crate::server::audit::record(
        &mut tx,
        principal,
        "entry_config.set",
        partner.name(),
        id,
        crate::server::audit::Change::noted(serde_json::to_value(&config).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(config.completed(products, modules(partner)))
}

fn check(input: EntryConfig, products: &[String]) -> Result<EntryConfig, ApiError> {
    let logo_url = validate::optional_text("logo_url", &input.logo_url, 512)?;
    let lower = logo_url.to_ascii_lowercase();
    if !logo_url.is_empty() && !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(ApiError::invalid("logo_url", "must be an http or https address"));
    }
    if let Some((i, p)) = input.product.iter().enumerate().find(|(_, p)| !products.contains(&p.product_id)) {
        return Err(ApiError::new(codes::PRODUCT_NOT_FOUND, format!("product[{i}]: no product {} here", p.product_id)));
    }
    if input.product.len() > 500 || input.module.len() > 50 {
        return Err(ApiError::invalid("product", "too many entries"));
    }
    for (i, m) in input.module.iter().enumerate() {
        validate::text(&format!("module[{i}].type"), &m.kind, 32)?;
    }
    Ok(EntryConfig {
        is_enable: input.is_enable,
        domain: validate::optional_text("domain", &input.domain, 256)?,
        login_context: validate::optional_text("login_context", &input.login_context, 500)?,
        logo_url,
        product: input.product,
        module: input.module,
    })
}

/// Forgets a deleted partner's entry (in the deletion's transaction).
pub async fn forget(tx: &mut crate::server::db::Tx, partner: Partner, id: i64) -> Result<()> {
    tx.execute(
        &Sql::new("DELETE FROM entry_configs WHERE partner_kind = $1 AND partner_id = $2")
            .bind(partner.name())
            .bind(id),
    )
    .await?;
    Ok(())
}
