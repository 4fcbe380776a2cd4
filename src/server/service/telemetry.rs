//! What devices reported (issue 16): a device's latest values, its hourly and daily sums, and
//! the credentials it connects with. The writing side is `mqtt::ingest`.

use crate::{
    model::{
        permission::MANAGE_DEVICES,
        telemetry::{Credentials, FilterCounter, HourBar, StatPoint, Telemetry},
    },
    server::{
        auth::principal::Principal,
        clock::{iso, iso_opt, now_ms},
        db::Sql,
        error::Result,
        service::{device, permission, product},
        state::Ctx,
    },
};

/// A device's counters as `device_telemetry` stores them: read here, written by `mqtt::ingest`
/// (which folds reports into them).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Counters {
    pub power_on_minutes: i64,
    pub work_minutes: i64,
    pub water_ml: i64,
    pub tds_in: Option<i64>,
    pub tds_out: Option<i64>,
    /// The filters' counters, JSON (`[FilterCounter]`).
    pub filters: String,
    /// When the last applied report arrived; `None` before the first.
    pub telemetry_time: Option<i64>,
    /// The last applied report's number (`seq`), when the device numbers its reports.
    pub report_seq: Option<i64>,
    /// Reports the numbers show went missing on their way here (a broker that dropped them).
    pub missed_reports: i64,
}

impl Default for Counters {
    /// A device that never reported (the table's defaults).
    fn default() -> Self {
        Self {
            power_on_minutes: 0,
            work_minutes: 0,
            water_ml: 0,
            tds_in: None,
            tds_out: None,
            filters: "[]".into(),
            telemetry_time: None,
            report_seq: None,
            missed_reports: 0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TelemetryRow {
    #[sqlx(flatten)]
    counters: Counters,
    run_state: i64,
    locked: bool,
    lng: String,
    lat: String,
    state_time: Option<i64>,
}

/// `GET …/device/{device_id}/telemetry`: the latest values, for corp members who view devices
/// (all zero until the device reports).
pub async fn latest(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64) -> Result<Telemetry> {
    let device = device::get(ctx, principal, product_id, device_id).await?;
    let row: Option<TelemetryRow> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT power_on_minutes, work_minutes, water_ml, tds_in, tds_out, filters, run_state, locked, lng, lat, \
                 telemetry_time, report_seq, missed_reports, state_time FROM device_telemetry WHERE device_id = $1",
            )
            .bind(device.id),
        )
        .await?;
    let mut t = Telemetry { device_id: device.id, is_online: device.is_online, ..Telemetry::default() };
    if let Some(r) = row {
        let c = r.counters;
        t.power_on_minutes = c.power_on_minutes;
        t.work_minutes = c.work_minutes;
        t.water_ml = c.water_ml;
        t.tds_in = c.tds_in;
        t.tds_out = c.tds_out;
        t.filters = serde_json::from_str::<Vec<FilterCounter>>(&c.filters).unwrap_or_default();
        t.run_state = r.run_state;
        t.locked = r.locked;
        t.lng = r.lng;
        t.lat = r.lat;
        t.telemetry_time = iso_opt(c.telemetry_time);
        t.missed_reports = c.missed_reports;
        t.state_time = iso_opt(r.state_time);
    }
    Ok(t)
}

/// Which sums a chart asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Hour,
    Day,
}

impl Span {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hour" | "h" => Some(Span::Hour),
            "day" | "d" => Some(Span::Day),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Span::Hour => "h",
            Span::Day => "d",
        }
    }
}

/// `GET …/device/{device_id}/stats?span=hour|day&since=ms`: the sums of each period from
/// `since` on, oldest first (periods without reports are left out).
pub async fn stats(
    ctx: &Ctx,
    principal: &Principal,
    product_id: &str,
    device_id: i64,
    span: Span,
    since: i64,
) -> Result<Vec<StatPoint>> {
    let device = device::get(ctx, principal, product_id, device_id).await?;
    let rows: Vec<(i64, i64, i64, i64, i64)> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT bucket, water_ml, work_minutes, power_on_minutes, reports FROM device_stats \
                 WHERE device_id = $1 AND span = $2 AND bucket >= $3 ORDER BY bucket LIMIT 1000",
            )
            .bind(device.id)
            .bind(span.code())
            .bind(since),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(bucket, water_ml, work_minutes, power_on_minutes, reports)| StatPoint {
            bucket: iso(bucket),
            water_ml,
            work_minutes,
            power_on_minutes,
            reports,
        })
        .collect())
}

/// The device page's chart: the water of each of the last 24 hours (the current one last),
/// zero where nothing was reported.
pub async fn last_day(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64) -> Result<Vec<HourBar>> {
    const HOUR: i64 = 3_600_000;
    let now = now_ms();
    let current = now - now.rem_euclid(HOUR);
    let first = current - 23 * HOUR;
    let device = device::get(ctx, principal, product_id, device_id).await?;
    let rows: Vec<(i64, i64)> = ctx
        .db
        .fetch_all(
            &Sql::new("SELECT bucket, water_ml FROM device_stats WHERE device_id = $1 AND span = $2 AND bucket >= $3")
                .bind(device.id)
                .bind("h")
                .bind(first),
        )
        .await?;
    Ok((0..24)
        .map(|i| {
            let bucket = first + i * HOUR;
            HourBar {
                hour: iso(bucket)[11..13].to_owned(),
                water_ml: rows.iter().find(|r| r.0 == bucket).map_or(0, |r| r.1),
            }
        })
        .collect())
}

/// `GET …/device/{device_id}/mqtt`: what the device connects with. Its password is a secret:
/// corp members who manage devices only.
pub async fn credentials(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64) -> Result<Credentials> {
    let me = permission::require(principal, MANAGE_DEVICES)?;
    let device = device::get(ctx, principal, product_id, device_id).await?;
    let product = product::find(&ctx.db, &me.corp_id, product_id).await?;
    Ok(ctx.mqtt.credentials(&product.key, product_id, &device.mac))
}
