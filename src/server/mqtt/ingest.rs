//! Applies what devices send to the database, in batches: one transaction for everything that
//! arrived while the previous batch was being written, so thousands of devices switching online
//! at once cost a handful of commits, not thousands. Within a batch the frequent messages cost
//! a few statements in all, not a few each: device ids are resolved many at a time, raw messages
//! go in as multi-row inserts, and telemetry is folded per device in memory (latest values,
//! hourly and daily sums) and written as multi-row upserts.
//!
//! Each message is acknowledged to its broker only after its batch commits. A batch that fails
//! is retried message by message, so one bad row never holds back the others; a message that
//! still fails is left unacknowledged (the broker or the device sends it again).

use std::collections::HashMap;

use sea_query::{Alias, Expr, LockType, OnConflict, Order, Query};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{split_name, Bus, Delivery, Kind, Up};
use crate::{
    model::telemetry::FilterCounter,
    server::{
        db::{Sql, Tx},
        list::MAX_IN,
        service::{command, telemetry::Counters},
        state::Ctx,
    },
};

/// The most deliveries one transaction takes.
const MAX_BATCH: usize = 2000;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Consumes `deliveries` for the life of the server.
/// `_running` marks the consumer up for as long as it runs.
pub async fn run(ctx: Ctx, bus: Bus, mut deliveries: mpsc::Receiver<Delivery>, _running: super::Running) {
    let mut ids = Ids::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = deliveries.recv().await {
        // A stopping server applies the batch under way and no more: what stays unacknowledged
        // the broker (or the device) sends again.
        let Some(_pass) = crate::server::jobs::pass() else { return };
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match deliveries.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        let applied = apply(&ctx, &mut ids, &batch).await;
        let mut listening = Vec::new();
        for (delivery, ok) in batch.drain(..).zip(applied) {
            if !ok {
                continue;
            }
            if let Up::Listening { name } | Up::Online { name, .. } = &delivery.up {
                if let Some(id) = ids.known(name) {
                    listening.push((name.clone(), id));
                }
            }
            delivery.receipt.acknowledge().await;
        }
        // Commands still open go (again) to the devices that now listen for them.
        if let Err(e) = command::resend_open(&ctx, &bus, &listening).await {
            tracing::warn!(error = %e, devices = listening.len(), "resending open commands failed");
        }
    }
}

/// Device ids by login name, remembered (a device's id never changes; a deleted device's
/// entry is dropped when a batch fails on it).
#[derive(Default)]
struct Ids(HashMap<String, i64>);

impl Ids {
    fn known(&self, name: &str) -> Option<i64> {
        self.0.get(name).copied()
    }

    /// Looks up the ids of the names not yet known, a product and a few hundred MACs per query.
    async fn resolve_all<'a>(&mut self, ctx: &Ctx, names: impl Iterator<Item = &'a str>) -> sqlx::Result<()> {
        let mut wanted: HashMap<&str, HashMap<String, &str>> = HashMap::new();
        for name in names {
            if self.0.contains_key(name) {
                continue;
            }
            if let Some((product_id, mac)) = split_name(name) {
                wanted.entry(product_id).or_default().insert(mac.to_ascii_uppercase(), name);
            }
        }
        for (product_id, by_mac) in wanted {
            let macs: Vec<&String> = by_mac.keys().collect();
            for chunk in macs.chunks(MAX_IN) {
                let select = Query::select()
                    .columns([Alias::new("id"), Alias::new("mac")])
                    .from(Alias::new("devices"))
                    .and_where(col("product_id").eq(product_id))
                    .and_where(col("mac").is_in(chunk.iter().map(|m| (*m).clone())))
                    .to_owned();
                let rows: Vec<(i64, String)> = ctx.db.fetch_all(&select).await?;
                for (id, mac) in rows {
                    if let Some(name) = by_mac.get(&mac) {
                        self.0.insert((*name).to_owned(), id);
                    }
                }
            }
        }
        Ok(())
    }
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// Applies a batch; for each delivery, whether it is done with (applied, or never applicable).
async fn apply(ctx: &Ctx, ids: &mut Ids, batch: &[Delivery]) -> Vec<bool> {
    match apply_together(ctx, ids, batch).await {
        Ok(()) => vec![true; batch.len()],
        Err(e) => {
            tracing::warn!(error = %e, n = batch.len(), "a batch of device messages failed; retrying one by one");
            ids.0.clear();
            let mut done = Vec::with_capacity(batch.len());
            for delivery in batch {
                let ok = apply_together(ctx, ids, std::slice::from_ref(delivery)).await;
                if let Err(e) = &ok {
                    tracing::warn!(error = %e, "a device message could not be applied");
                }
                done.push(ok.is_ok());
            }
            done
        }
    }
}

async fn apply_together(ctx: &Ctx, ids: &mut Ids, batch: &[Delivery]) -> sqlx::Result<()> {
    ids.resolve_all(ctx, batch.iter().map(|d| name_of(&d.up))).await?;
    let mut tx = ctx.db.begin().await?;
    let mut written = Written::default();
    for delivery in batch {
        match ids.known(name_of(&delivery.up)) {
            Some(id) => apply_one(&mut tx, &mut written, id, delivery).await?,
            None => tracing::debug!(name = name_of(&delivery.up), "a message from an unknown device was dropped"),
        }
    }
    written.flush(&mut tx).await?;
    tx.commit().await
}

/// What a batch writes at its end, many rows a statement: the raw messages and the telemetry.
#[derive(Default)]
struct Written {
    raw: Vec<(i64, Kind, String, i64)>,
    /// Each device's reports, in arrival order.
    reports: HashMap<i64, Vec<(Report, i64)>>,
}

impl Written {
    async fn flush(self, tx: &mut Tx) -> sqlx::Result<()> {
        for chunk in self.raw.chunks(MAX_IN) {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new("device_messages"))
                .columns(["device_id", "kind", "payload", "receive_time"].map(Alias::new));
            for (id, kind, text, at) in chunk {
                // As many values as columns, always: `values` cannot fail here.
                insert.values_panic([(*id).into(), kind.as_str().into(), text.clone().into(), (*at).into()]);
            }
            tx.execute(&insert).await?;
        }
        if !self.reports.is_empty() {
            telemetry(tx, self.reports).await?;
        }
        Ok(())
    }
}

fn name_of(up: &Up) -> &str {
    match up {
        Up::Online { name, .. } | Up::Offline { name, .. } | Up::Listening { name } | Up::Message { name, .. } => name,
    }
}

async fn apply_one(tx: &mut Tx, written: &mut Written, id: i64, delivery: &Delivery) -> sqlx::Result<()> {
    let at = delivery.at;
    match &delivery.up {
        Up::Online { session, ip, .. } => {
            crate::server::metrics::mqtt_message("online");
            online(tx, id, session, ip.as_deref(), at).await
        }
        Up::Offline { session, .. } => {
            crate::server::metrics::mqtt_message("offline");
            offline(tx, id, session, at).await
        }
        Up::Listening { .. } => Ok(()),
        Up::Message { kind, payload, .. } => {
            crate::server::metrics::mqtt_message(kind.as_str());
            let text = String::from_utf8_lossy(payload).into_owned();
            let json = serde_json::from_str::<Value>(&text);
            written.raw.push((id, *kind, text, at));
            let Ok(json) = json else {
                tracing::debug!(
                    device_id = id,
                    kind = kind.as_str(),
                    "a device message that is not JSON was kept, not applied"
                );
                return Ok(());
            };
            match kind {
                Kind::State => state(tx, id, &json, at).await,
                Kind::Telemetry => {
                    // A report that is not an object of counters is kept, not applied.
                    if let Ok(report) = Report::deserialize(&json) {
                        written.reports.entry(id).or_default().push((report, at));
                    }
                    Ok(())
                }
                Kind::Ack => command::record_answer(tx, id, &json, at).await,
                // Kept, not applied: the embedded broker sees connections first-hand, and the
                // external module turns status messages into online/offline before they come here.
                Kind::Status => Ok(()),
            }
        }
    }
}

/// The device connected: online, when and from where; activated on its first connection.
async fn online(tx: &mut Tx, id: i64, session: &str, ip: Option<&str>, at: i64) -> sqlx::Result<()> {
    tx.execute(
        &Sql::new(
            "UPDATE devices SET is_online = $1, mqtt_session = $2, last_login = $3, \
             last_login_ip = COALESCE($4, last_login_ip), is_active = $1, active_date = COALESCE(active_date, $3) \
             WHERE id = $5",
        )
        .bind(true)
        .bind(session.to_owned())
        .bind(at)
        .bind(ip.map(str::to_owned))
        .bind(id),
    )
    .await
    .map(drop)
}

/// A connection ended: offline, unless a newer connection of the device already counts.
async fn offline(tx: &mut Tx, id: i64, session: &str, at: i64) -> sqlx::Result<()> {
    tx.execute(
        &Sql::new("UPDATE devices SET is_online = $1, last_logout = $2 WHERE id = $3 AND mqtt_session = $4")
            .bind(false)
            .bind(at)
            .bind(id)
            .bind(session.to_owned()),
    )
    .await
    .map(drop)
}

/// A state report; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct State {
    firmware_mod: Option<String>,
    firmware_version: Option<i64>,
    mcu_mod: Option<String>,
    mcu_version: Option<i64>,
    run_state: Option<i64>,
    locked: Option<bool>,
    lng: Option<Value>,
    lat: Option<Value>,
}

async fn state(tx: &mut Tx, id: i64, json: &Value, at: i64) -> sqlx::Result<()> {
    let Ok(s) = State::deserialize(json) else { return Ok(()) };
    let short = |v: Option<String>| v.map(|t| t.chars().take(64).collect::<String>());
    tx.execute(
        &Sql::new(
            "UPDATE devices SET firmware_mod = COALESCE($1, firmware_mod), \
             firmware_version = COALESCE($2, firmware_version), mcu_mod = COALESCE($3, mcu_mod), \
             mcu_version = COALESCE($4, mcu_version) WHERE id = $5",
        )
        .bind(short(s.firmware_mod))
        .bind(s.firmware_version)
        .bind(short(s.mcu_mod))
        .bind(s.mcu_version)
        .bind(id),
    )
    .await?;
    let coordinate = |v: Option<Value>| {
        v.map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .filter(|s| s.len() <= 32 && s.parse::<f64>().is_ok())
    };
    ensure_telemetry_row(tx, id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE device_telemetry SET run_state = COALESCE($1, run_state), locked = COALESCE($2, locked), \
             lng = COALESCE($3, lng), lat = COALESCE($4, lat), state_time = $5 WHERE device_id = $6",
        )
        .bind(s.run_state)
        .bind(s.locked)
        .bind(coordinate(s.lng))
        .bind(coordinate(s.lat))
        .bind(at)
        .bind(id),
    )
    .await
    .map(drop)
}

/// A telemetry report: the counters' totals (every field optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Report {
    power_on_minutes: Option<i64>,
    work_minutes: Option<i64>,
    water_ml: Option<i64>,
    tds_in: Option<i64>,
    tds_out: Option<i64>,
    filters: Option<Vec<FilterCounter>>,
    /// The report's number, if the device numbers them (one more each report).
    seq: Option<i64>,
}

async fn ensure_telemetry_row(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    tx.execute(
        &Sql::new("INSERT INTO device_telemetry (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING").bind(id),
    )
    .await
    .map(drop)
}

/// What one hour's or one day's bucket of a device rose by.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Rise {
    water_ml: i64,
    work_minutes: i64,
    power_on_minutes: i64,
    reports: i64,
}

/// Folds a device's reports (in arrival order) into its latest values and the rise of each
/// hour and day. The first report ever only sets the baseline (when its totals accrued is
/// unknown); a counter that went down was reset on the device, so all of its new value is new;
/// a report older than the latest applied one (another app server took a later one first) is
/// skipped: the later totals already hold it.
///
/// Report numbers (`seq`) that jump count the reports between as missed; one of those arriving
/// late after all (skipped as stale) is taken back off. A number that does not rise is a new
/// boot (or a resent report): a new baseline, nothing missed.
fn fold(latest: &mut Counters, reports: &[(Report, i64)], rises: &mut HashMap<(&'static str, i64), Rise>) {
    for (r, at) in reports {
        if latest.telemetry_time.is_some_and(|t| *at < t) {
            if let (Some(s), Some(last)) = (r.seq, latest.report_seq) {
                if s < last && latest.missed_reports > 0 {
                    latest.missed_reports -= 1;
                }
            }
            continue;
        }
        if let Some(s) = r.seq {
            if let Some(last) = latest.report_seq.filter(|last| s > last + 1) {
                latest.missed_reports += s - last - 1;
            }
            latest.report_seq = Some(s);
        }
        let first = latest.telemetry_time.is_none();
        let rise = |now: Option<i64>, then: i64| match now {
            Some(_) if first => 0,
            Some(n) if n >= then => n - then,
            Some(n) => n.max(0),
            None => 0,
        };
        let (dp, dw, dv) = (
            rise(r.power_on_minutes, latest.power_on_minutes),
            rise(r.work_minutes, latest.work_minutes),
            rise(r.water_ml, latest.water_ml),
        );
        for key in [("h", at - at.rem_euclid(HOUR_MS)), ("d", at - at.rem_euclid(DAY_MS))] {
            let b = rises.entry(key).or_default();
            b.water_ml += dv;
            b.work_minutes += dw;
            b.power_on_minutes += dp;
            b.reports += 1;
        }
        let set = |slot: &mut i64, v: Option<i64>| {
            if let Some(v) = v {
                *slot = v.max(0);
            }
        };
        set(&mut latest.power_on_minutes, r.power_on_minutes);
        set(&mut latest.work_minutes, r.work_minutes);
        set(&mut latest.water_ml, r.water_ml);
        latest.tds_in = r.tds_in.or(latest.tds_in);
        latest.tds_out = r.tds_out.or(latest.tds_out);
        if let Some(f) = &r.filters {
            latest.filters = serde_json::to_string(f).unwrap_or_else(|_| "[]".into());
        }
        latest.telemetry_time = Some(*at);
    }
}

/// Applies a batch's telemetry: reads the devices' latest values (locked on PostgreSQL, so two
/// app servers given reports of one device take turns; SQLite's writer holds the whole file),
/// folds the reports in, and writes the latest values and the statistics back, a few hundred
/// devices a statement.
async fn telemetry(tx: &mut Tx, reports: HashMap<i64, Vec<(Report, i64)>>) -> sqlx::Result<()> {
    #[derive(sqlx::FromRow)]
    struct Stored {
        device_id: i64,
        #[sqlx(flatten)]
        counters: Counters,
    }
    const LATEST: [&str; 10] = [
        "device_id",
        "power_on_minutes",
        "work_minutes",
        "water_ml",
        "tds_in",
        "tds_out",
        "filters",
        "telemetry_time",
        "report_seq",
        "missed_reports",
    ];
    let mut ids: Vec<i64> = reports.keys().copied().collect();
    ids.sort_unstable();
    let mut latest: HashMap<i64, Counters> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_IN) {
        let select = Query::select()
            .columns(LATEST.map(Alias::new))
            .from(Alias::new("device_telemetry"))
            .and_where(col("device_id").is_in(chunk.to_vec()))
            .order_by(Alias::new("device_id"), Order::Asc)
            .lock(LockType::Update)
            .to_owned();
        let rows: Vec<Stored> = tx.fetch_all(&select).await?;
        latest.extend(rows.into_iter().map(|r| (r.device_id, r.counters)));
    }
    let mut rises: HashMap<(i64, &'static str, i64), Rise> = HashMap::new();
    let mut updated = Vec::with_capacity(ids.len());
    let (mut missed, mut missing_from) = (0, 0);
    for id in ids {
        let mut row = latest.remove(&id).unwrap_or_default();
        let before = row.clone();
        let mut mine = HashMap::new();
        fold(&mut row, &reports[&id], &mut mine);
        rises.extend(mine.into_iter().map(|((span, bucket), rise)| ((id, span, bucket), rise)));
        if row.missed_reports > before.missed_reports {
            missed += row.missed_reports - before.missed_reports;
            missing_from += 1;
        }
        if row != before {
            updated.push((id, row));
        }
    }
    if missed > 0 {
        // The totals stay right (the next report covers a lost one), but something on the way
        // drops messages: with an external broker, usually its queue limit (docs/devices.md).
        tracing::warn!(
            missed,
            devices = missing_from,
            "device reports went missing on their way here (their numbers jump); is the MQTT broker dropping messages?"
        );
    }
    for chunk in updated.chunks(MAX_IN) {
        let mut upsert = Query::insert();
        upsert.into_table(Alias::new("device_telemetry")).columns(LATEST.map(Alias::new)).on_conflict(
            OnConflict::column(Alias::new("device_id"))
                .update_columns(LATEST[1..].iter().map(|c| Alias::new(*c)))
                .to_owned(),
        );
        for (id, c) in chunk {
            upsert.values_panic([
                (*id).into(),
                c.power_on_minutes.into(),
                c.work_minutes.into(),
                c.water_ml.into(),
                c.tds_in.into(),
                c.tds_out.into(),
                c.filters.clone().into(),
                c.telemetry_time.into(),
                c.report_seq.into(),
                c.missed_reports.into(),
            ]);
        }
        tx.execute(&upsert).await?;
    }
    // The sums add up: what this batch adds goes on top of what the bucket holds.
    const SUMS: [&str; 4] = ["water_ml", "work_minutes", "power_on_minutes", "reports"];
    let add = SUMS.map(|c| (Alias::new(c), Expr::cust(format!("device_stats.{c} + excluded.{c}"))));
    let rises: Vec<_> = rises.into_iter().collect();
    for chunk in rises.chunks(MAX_IN) {
        let mut upsert = Query::insert();
        upsert
            .into_table(Alias::new("device_stats"))
            .columns(["device_id", "span", "bucket"].into_iter().chain(SUMS).map(Alias::new))
            .on_conflict(
                OnConflict::columns(["device_id", "span", "bucket"].map(Alias::new)).values(add.clone()).to_owned(),
            );
        for ((id, span, bucket), r) in chunk {
            upsert.values_panic([
                (*id).into(),
                (*span).into(),
                (*bucket).into(),
                r.water_ml.into(),
                r.work_minutes.into(),
                r.power_on_minutes.into(),
                r.reports.into(),
            ]);
        }
        tx.execute(&upsert).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(water_ml: i64, work_minutes: i64) -> Report {
        Report { water_ml: Some(water_ml), work_minutes: Some(work_minutes), ..Report::default() }
    }

    #[test]
    fn the_first_report_sets_the_baseline_and_later_ones_add_their_rise() {
        let mut latest = Counters::default();
        let mut rises = HashMap::new();
        let at = 10 * HOUR_MS + 5;
        fold(
            &mut latest,
            &[(report(1000, 50), at), (report(1300, 52), at + 1), (report(1450, 53), at + 2)],
            &mut rises,
        );
        assert_eq!(latest.water_ml, 1450);
        assert_eq!(latest.telemetry_time, Some(at + 2));
        let hour = rises[&("h", 10 * HOUR_MS)];
        assert_eq!((hour.water_ml, hour.work_minutes, hour.reports), (450, 3, 3));
        assert_eq!(rises[&("d", 0)], hour);
    }

    #[test]
    fn jumps_in_report_numbers_count_as_missed_and_late_arrivals_are_taken_back() {
        let numbered = |seq: i64, water_ml: i64| Report { seq: Some(seq), ..report(water_ml, 0) };
        let mut latest = Counters::default();
        let mut rises = HashMap::new();
        // 1, 2, then 5: 3 and 4 missed; then 4 arrives late (stale by time): one taken back.
        fold(&mut latest, &[(numbered(1, 10), 10), (numbered(2, 20), 20), (numbered(5, 50), 50)], &mut rises);
        assert_eq!((latest.report_seq, latest.missed_reports), (Some(5), 2));
        fold(&mut latest, &[(numbered(4, 40), 45)], &mut rises);
        assert_eq!((latest.report_seq, latest.missed_reports, latest.water_ml), (Some(5), 1, 50));
        // A reboot starts the numbers again: a new baseline, nothing missed.
        fold(&mut latest, &[(numbered(1, 60), 60), (numbered(2, 70), 70)], &mut rises);
        assert_eq!((latest.report_seq, latest.missed_reports), (Some(2), 1));
        // A device that does not number its reports never counts any as missed.
        fold(&mut latest, &[(report(80, 0), 80)], &mut rises);
        assert_eq!((latest.report_seq, latest.missed_reports), (Some(2), 1));
    }

    #[test]
    fn a_counter_that_went_down_was_reset_and_a_stale_report_is_skipped() {
        let mut latest =
            Counters { water_ml: 5000, work_minutes: 10, telemetry_time: Some(100), ..Counters::default() };
        let mut rises = HashMap::new();
        // Older than what is stored: another server applied a later report first.
        fold(&mut latest, &[(report(4000, 9), 99), (report(200, 11), 150)], &mut rises);
        assert_eq!((latest.water_ml, latest.work_minutes, latest.telemetry_time), (200, 11, Some(150)));
        let hour = rises[&("h", 0)];
        assert_eq!((hour.water_ml, hour.work_minutes, hour.reports), (200, 1, 1));
    }
}
