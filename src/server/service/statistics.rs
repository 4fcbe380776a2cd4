//! The original console's statistics (issue 14) and the corp dashboard's charts: sales per day
//! and by region over the dealer ledger, the key accounts and their devices, devices online.
//! Days are UTC days; every figure is counted in the database, within the caller's scope.

use sea_query::{Alias, Asterisk, Expr, Func, Order, Query};
use serde_json::{json, Map, Value};

use crate::{
    model::{
        error::ApiError,
        order::OrderState,
        permission::{READ_COMMISSION, READ_DEALERS, READ_DEVICES, READ_HEAVY_BUYERS, READ_ORDERS},
        statistics::{filled, DashboardFigures, DayTotal, HeavyBuyerSummary},
        vendor::Area,
    },
    server::{
        auth::principal::Principal,
        clock::{self, now_ms, DAY_MS},
        error::Result,
        service::{permission, sale, vendor},
        state::Ctx,
    },
};

/// The longest range one trend answers.
pub const MAX_DAYS: i64 = 366;

/// `GET /v2/statistics/dealer/sale_trend?start_day=&end_day=`: sales per day, both days
/// included; days without a sale are left out (the console fills them in).
pub async fn sale_trend(ctx: &Ctx, principal: &Principal, start_day: &str, end_day: &str) -> Result<Vec<DayTotal>> {
    let scope = sale::readable(principal)?;
    let start = clock::parse_day(start_day).ok_or_else(|| ApiError::invalid("start_day", "a day like 2016-12-01"))?;
    let end = clock::parse_day(end_day).ok_or_else(|| ApiError::invalid("end_day", "a day like 2016-12-07"))?;
    if end < start || end - start >= MAX_DAYS {
        return Err(ApiError::invalid("end_day", &format!("from start_day, within {MAX_DAYS} days")).into());
    }
    // A constant divisor (not a bound value), so SELECT and GROUP BY name the same expression.
    let day = || Expr::cust("sale_time / 86400000");
    let cond = scope
        .into_condition()
        .add(Expr::col(Alias::new("sale_time")).gte(start * DAY_MS))
        .add(Expr::col(Alias::new("sale_time")).lt((end + 1) * DAY_MS));
    let mut select = Query::select();
    select
        .expr(day())
        .expr(Func::count(Expr::col(Asterisk)))
        .from(Alias::new("dealer_sales"))
        .cond_where(cond)
        .add_group_by([day()])
        .order_by_expr(day(), Order::Asc);
    let rows: Vec<(i64, i64)> = ctx.db.fetch_all(&select).await?;
    Ok(rows.into_iter().map(|(d, n)| DayTotal { day: clock::day(d), sale_total: n }).collect())
}

/// The console's code for China, whose provinces it breaks the map down by.
const CHINA: &str = "1";

/// `GET /v2/statistics/dealer/sale_region`: `{country: {sale_total}}`, and under China (`"1"`)
/// each province too: `{"1": {"sale_total": 5, "11": {"sale_total": 3}, …}}`.
pub async fn sale_region(ctx: &Ctx, principal: &Principal) -> Result<Value> {
    let mut select = Query::select();
    select
        .columns([Alias::new("country"), Alias::new("province")])
        .expr(Func::count(Expr::col(Asterisk)))
        .from(Alias::new("dealer_sales"))
        .cond_where(sale::readable(principal)?.into_condition())
        .group_by_columns([Alias::new("country"), Alias::new("province")]);
    let rows: Vec<(String, String, i64)> = ctx.db.fetch_all(&select).await?;
    Ok(Value::Object(by_region(rows)))
}

fn by_region(rows: Vec<(String, String, i64)>) -> Map<String, Value> {
    let mut out = Map::new();
    let add = |entry: &mut Value, n: i64| {
        let total = entry["sale_total"].as_i64().unwrap_or(0) + n;
        entry["sale_total"] = json!(total);
    };
    for (country, province, n) in rows {
        let entry = out.entry(country.clone()).or_insert_with(|| json!({ "sale_total": 0 }));
        add(entry, n);
        if country == CHINA && !province.is_empty() {
            let inner =
                entry.as_object_mut().expect("an object").entry(province).or_insert_with(|| json!({ "sale_total": 0 }));
            add(inner, n);
        }
    }
    out
}

/// `GET /v2/statistics/heavy_buyer/summary`: the corp's key accounts and the devices granted to
/// them, in all and this (UTC) month.
pub async fn heavy_buyer_summary(ctx: &Ctx, principal: &Principal) -> Result<HeavyBuyerSummary> {
    let corp_id = permission::require(principal, READ_HEAVY_BUYERS)?.corp_id.clone();
    let month = clock::month_start(now_ms());
    let sql = crate::server::db::Sql::new(
        "SELECT (SELECT COUNT(*) FROM heavy_buyers WHERE corp_id = $1), \
                (SELECT COUNT(*) FROM heavy_buyers WHERE corp_id = $1 AND create_time >= $2), \
                (SELECT COUNT(*) FROM devices WHERE corp_id = $1 AND heavy_buyer_id IS NOT NULL), \
                (SELECT COUNT(*) FROM devices WHERE corp_id = $1 AND heavy_buyer_id IS NOT NULL \
                   AND heavy_buyer_granted_time >= $2)",
    )
    .bind(corp_id)
    .bind(month);
    let (heavy_buyer, current_month_heavy_buyer, device, current_month_device): (i64, i64, i64, i64) =
        ctx.db.fetch_one(&sql).await?;
    Ok(HeavyBuyerSummary { heavy_buyer, current_month_heavy_buyer, device, current_month_device })
}

/// The corp dashboard's figures, each as far as the member's role reads it.
pub async fn dashboard(ctx: &Ctx, principal: &Principal) -> Result<DashboardFigures> {
    let me = permission::member(principal)?;
    let corp_id = me.corp_id.clone();
    let today = now_ms() / DAY_MS;
    let mut figures = DashboardFigures::default();
    if permission::require(principal, READ_DEALERS).is_ok() {
        let known = sale_trend(ctx, principal, &clock::day(today - 29), &clock::day(today)).await?;
        figures.sales_by_day = Some(filled(&known, (today - 29..=today).map(clock::day)));
        figures.sales_by_region = Some(region_list(sale_region(ctx, principal).await?));
    }
    if permission::require(principal, READ_HEAVY_BUYERS).is_ok() {
        figures.heavy_buyers = Some(heavy_buyer_summary(ctx, principal).await?);
    }
    if permission::require(principal, READ_DEVICES).is_ok() {
        let sql = crate::server::db::Sql::new(
            "SELECT COALESCE(SUM(CASE WHEN is_online THEN 1 ELSE 0 END), 0), COUNT(*) FROM devices WHERE corp_id = $1",
        )
        .bind(corp_id.clone());
        figures.devices_online = Some(ctx.db.fetch_one(&sql).await?);
    }
    let last_30 = || (today - 29..=today).map(clock::day);
    // Each money chart when the role reads its figures and the vendor runs the area.
    let shown = |feature, area| async move {
        Ok::<_, crate::server::error::Error>(
            permission::require(principal, feature).is_ok()
                && vendor::require_area(ctx, &me.corp_id, area).await.is_ok(),
        )
    };
    if shown(READ_ORDERS, Area::Orders).await? {
        let sql = "SELECT pay_time / 86400000, CAST(SUM(total) AS BIGINT) FROM orders \
                   WHERE corp_id = $1 AND pay_time >= $2 AND state <> $3 GROUP BY pay_time / 86400000";
        let refunded = OrderState::Refund.code();
        figures.mall_sales_by_day =
            Some(filled(&daily(ctx, sql, &corp_id, today - 29, Some(refunded)).await?, last_30()));
    }
    if shown(READ_COMMISSION, Area::Commission).await? {
        let sql = "SELECT create_time / 86400000, CAST(SUM(amount) AS BIGINT) FROM commission_entries \
                   WHERE corp_id = $1 AND create_time >= $2 AND kind = 'earn' GROUP BY create_time / 86400000";
        figures.commission_by_day = Some(filled(&daily(ctx, sql, &corp_id, today - 29, None).await?, last_30()));
    }
    Ok(figures)
}

/// Sums per UTC day from `sql`, which groups one vendor's rows (`$1`) from a day on (`$2`, as
/// epoch milliseconds), with `$3` when given.
async fn daily(
    ctx: &Ctx,
    sql: &'static str,
    corp_id: &str,
    from_day: i64,
    third: Option<i64>,
) -> Result<Vec<DayTotal>> {
    let mut query = crate::server::db::Sql::new(sql).bind(corp_id.to_owned()).bind(from_day * DAY_MS);
    if let Some(v) = third {
        query = query.bind(v);
    }
    let rows: Vec<(i64, i64)> = ctx.db.fetch_all(&query).await?;
    Ok(rows.into_iter().map(|(d, n)| DayTotal { day: clock::day(d), sale_total: n }).collect())
}

/// The region map as a list to draw: each country, China by province, most sales first.
fn region_list(map: Value) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (country, entry) in map.as_object().into_iter().flatten() {
        let provinces: Vec<(String, i64)> = entry
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k != "sale_total")
            .map(|(p, v)| (format!("{country}-{p}"), v["sale_total"].as_i64().unwrap_or(0)))
            .collect();
        let total = entry["sale_total"].as_i64().unwrap_or(0);
        let in_provinces: i64 = provinces.iter().map(|(_, n)| n).sum();
        out.extend(provinces);
        if total > in_provinces {
            out.push((if country.is_empty() { "?".into() } else { country.clone() }, total - in_provinces));
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_total_by_country_and_by_chinas_provinces() {
        let rows = vec![
            ("1".into(), "11".into(), 2),
            ("1".into(), "31".into(), 1),
            ("1".into(), "".into(), 1),
            ("USA".into(), "CA".into(), 4),
        ];
        let map = Value::Object(by_region(rows));
        assert_eq!(map["1"]["sale_total"], json!(4));
        assert_eq!(map["1"]["11"]["sale_total"], json!(2));
        assert_eq!(map["USA"], json!({ "sale_total": 4 }));
        let list = region_list(map);
        assert_eq!(list, [("USA".into(), 4), ("1-11".into(), 2), ("1".into(), 1), ("1-31".into(), 1)]);
    }
}
