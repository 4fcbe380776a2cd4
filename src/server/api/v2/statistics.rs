//! The statistics the original console's dashboards read (issue 14), over the dealers' ledger
//! and the key accounts. Rules in `service::statistics`; the console's own spellings here.

use axum::{extract::State, routing::get};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    extract::Query,
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::statistics::{DayTotal, HeavyBuyerSummary},
    server::{auth::principal::Principal, error::Result, service::statistics, state::Ctx},
};

const TAG: Tag = Tag("statistics");

pub(super) fn routes(api: Api) -> Api {
    api.op(
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

/// The key-account summary, with the original console's spelling (`heavy_buger`, also in its
/// path) beside ours.
fn summary_json(s: &HeavyBuyerSummary) -> Value {
    json!({
        "heavy_buyer": s.heavy_buyer,
        "current_month_heavy_buyer": s.current_month_heavy_buyer,
        "heavy_buger": s.heavy_buyer,
        "current_month_heavy_buger": s.current_month_heavy_buyer,
        "device": s.device,
        "current_month_device": s.current_month_device,
    })
}

#[derive(Deserialize)]
struct Days {
    #[serde(default)]
    start_day: String,
    #[serde(default)]
    end_day: String,
}

async fn sale_trend(State(ctx): State<Ctx>, p: Principal, Query(q): Query<Days>) -> Result<axum::Json<Vec<DayTotal>>> {
    Ok(axum::Json(statistics::sale_trend(&ctx, &p, &q.start_day, &q.end_day).await?))
}

async fn sale_region(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Value>> {
    Ok(axum::Json(statistics::sale_region(&ctx, &p).await?))
}

async fn heavy_buyer_summary(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Value>> {
    Ok(axum::Json(summary_json(&statistics::heavy_buyer_summary(&ctx, &p).await?)))
}
