//! The partners' sign-in entries (the original console's `entry_config`) and the statistics
//! its dashboards read. Rules in `service::entry` and `service::statistics`.

use axum::{
    extract::State,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;

use super::{
    extract::{Json, Path, Query},
    openapi::{schema::*, Op, Tag},
    Api,
};
use crate::{
    model::entry::EntryConfig,
    server::{
        auth::principal::Principal,
        error::Result,
        service::{entry, login::Partner, statistics},
        state::Ctx,
    },
};

fn entry_schema() -> Value {
    object(&[
        ("is_enable", boolean()),
        ("domain", string()),
        ("login_context", string()),
        ("logo_url", string()),
        ("product", array(object(&[("product_id", string()), ("is_visible", boolean())]))),
        ("module", array(object(&[("type", string()), ("is_visible", boolean())]))),
    ])
}

const TAG: Tag = Tag("entries and statistics");

pub(super) fn routes(api: Api) -> Api {
    let public = |path: &'static str, summary: &'static str| Op {
        method: "get",
        path,
        tag: TAG.0,
        summary,
        auth: false,
        request: None,
        response: Some(entry_schema()),
    };
    api.op(
        public(
            "/v2/dealer/{dealer_id}/entry_config",
            "A dealer's sign-in entry (?corp_id=; public, for its sign-in page)",
        ),
        get(dealer_entry),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/entry_config",
            "Set a dealer's sign-in entry: logo, text, shown products and modules",
            Some(entry_schema()),
            Some(entry_schema()),
        ),
        post(set_dealer_entry),
    )
    .op(
        public(
            "/v2/heavy_buyer/{heavy_buyer_id}/entry_config",
            "A heavy buyer's sign-in entry (?corp_id=; public, for its sign-in page)",
        ),
        get(heavy_buyer_entry),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/entry_config",
            "Set a heavy buyer's sign-in entry: logo, text, shown products and modules",
            Some(entry_schema()),
            Some(entry_schema()),
        ),
        post(set_heavy_buyer_entry),
    )
    .op(
        TAG.op(
            "get",
            "/v2/statistics/dealer/sale_trend",
            "Sales per UTC day (?start_day=yyyy-MM-dd&end_day=), the corp's or a dealer's and below",
            None,
            Some(array(object(&[("day", string()), ("sale_total", integer())]))),
        ),
        get(sale_trend),
    )
    .op(
        TAG.op(
            "get",
            "/v2/statistics/dealer/sale_region",
            "Sales by country, and by province under China (\"1\")",
            None,
            Some(object(&[])),
        ),
        get(sale_region),
    )
    .op(
        TAG.op(
            "get",
            "/v2/statistics/heavy_buyer/summary",
            "Heavy buyers and their devices, in all and this month",
            None,
            Some(summary_schema()),
        ),
        get(heavy_buyer_summary),
    )
    .op(
        TAG.op(
            "get",
            "/v2/statistics/heavy_buger/summary",
            "The same, at the path the original console spells so",
            None,
            Some(summary_schema()),
        ),
        get(heavy_buyer_summary),
    )
}

fn summary_schema() -> Value {
    object(&[
        ("heavy_buyer", integer()),
        ("current_month_heavy_buyer", integer()),
        ("heavy_buger", integer()),
        ("current_month_heavy_buger", integer()),
        ("device", integer()),
        ("current_month_device", integer()),
    ])
}

#[derive(Deserialize)]
struct CorpOf {
    #[serde(default)]
    corp_id: String,
}

async fn dealer_entry(
    State(ctx): State<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<CorpOf>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::get(&ctx, Partner::Dealer, id, &q.corp_id).await?))
}

async fn heavy_buyer_entry(
    State(ctx): State<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<CorpOf>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::get(&ctx, Partner::HeavyBuyer, id, &q.corp_id).await?))
}

async fn set_dealer_entry(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EntryConfig>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::set(&ctx, &p, Partner::Dealer, id, body).await?))
}

async fn set_heavy_buyer_entry(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EntryConfig>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::set(&ctx, &p, Partner::HeavyBuyer, id, body).await?))
}

#[derive(Deserialize)]
struct Days {
    #[serde(default)]
    start_day: String,
    #[serde(default)]
    end_day: String,
}

async fn sale_trend(
    State(ctx): State<Ctx>,
    p: Principal,
    Query(q): Query<Days>,
) -> Result<axum::Json<Vec<crate::model::statistics::DayTotal>>> {
    Ok(axum::Json(statistics::sale_trend(&ctx, &p, &q.start_day, &q.end_day).await?))
}

async fn sale_region(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Value>> {
    Ok(axum::Json(statistics::sale_region(&ctx, &p).await?))
}

async fn heavy_buyer_summary(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Value>> {
    Ok(axum::Json(statistics::summary_json(&statistics::heavy_buyer_summary(&ctx, &p).await?)))
}
