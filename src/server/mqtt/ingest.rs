//! Applies what devices send to the database, in batches: one transaction for everything that
//! arrived while the previous batch was being written, so thousands of devices switching online
//! at once cost a handful of commits, not thousands.
//!
//! Each message is acknowledged to its broker only after its batch commits. A batch that fails
//! is retried message by message, so one bad row never holds back the others; a message that
//! still fails is left unacknowledged (the broker or the device sends it again).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{split_name, Bus, Delivery, Kind, Up};
use crate::{
    model::telemetry::FilterCounter,
    server::{db::Sql, db::Tx, service::command, state::Ctx},
};

/// The most deliveries one transaction takes.
const MAX_BATCH: usize = 2000;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Consumes `deliveries` for the life of the server.
pub async fn run(ctx: Ctx, bus: Bus, mut deliveries: mpsc::Receiver<Delivery>) {
    let mut ids = Ids::default();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = deliveries.recv().await {
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
        for (name, id) in listening {
            if let Err(e) = command::resend_open(&ctx, &bus, id, &name).await {
                tracing::warn!(error = %e, device_id = id, "resending open commands failed");
            }
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

    async fn resolve(&mut self, ctx: &Ctx, name: &str) -> sqlx::Result<Option<i64>> {
        if let Some(id) = self.known(name) {
            return Ok(Some(id));
        }
        let Some((product_id, mac)) = split_name(name) else { return Ok(None) };
        let row: Option<(i64,)> = ctx
            .db
            .fetch_optional(
                &Sql::new("SELECT id FROM devices WHERE product_id = $1 AND mac = $2")
                    .bind(product_id.to_owned())
                    .bind(mac.to_ascii_uppercase()),
            )
            .await?;
        if let Some((id,)) = row {
            self.0.insert(name.to_owned(), id);
        }
        Ok(row.map(|r| r.0))
    }
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
    let mut resolved = Vec::with_capacity(batch.len());
    for delivery in batch {
        let id = ids.resolve(ctx, name_of(&delivery.up)).await?;
        if id.is_none() {
            tracing::debug!(name = name_of(&delivery.up), "a message from an unknown device was dropped");
        }
        resolved.push(id);
    }
    let mut tx = ctx.db.begin().await?;
    for (delivery, id) in batch.iter().zip(resolved) {
        if let Some(id) = id {
            apply_one(&mut tx, id, delivery).await?;
        }
    }
    tx.commit().await
}

fn name_of(up: &Up) -> &str {
    match up {
        Up::Online { name, .. } | Up::Offline { name, .. } | Up::Listening { name } | Up::Message { name, .. } => name,
    }
}

async fn apply_one(tx: &mut Tx, id: i64, delivery: &Delivery) -> sqlx::Result<()> {
    let at = delivery.at;
    match &delivery.up {
        Up::Online { session, ip, .. } => online(tx, id, session, ip.as_deref(), at).await,
        Up::Offline { session, .. } => offline(tx, id, session, at).await,
        Up::Listening { .. } => Ok(()),
        Up::Message { kind, payload, .. } => {
            let text = String::from_utf8_lossy(payload);
            tx.execute(
                &Sql::new(
                    "INSERT INTO device_messages (device_id, kind, payload, receive_time) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(kind.as_str())
                .bind(text.to_string())
                .bind(at),
            )
            .await?;
            let Ok(json) = serde_json::from_str::<Value>(&text) else {
                tracing::debug!(
                    device_id = id,
                    kind = kind.as_str(),
                    "a device message that is not JSON was kept, not applied"
                );
                return Ok(());
            };
            match kind {
                Kind::State => state(tx, id, &json, at).await,
                Kind::Telemetry => telemetry(tx, id, &json, at).await,
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
}

async fn ensure_telemetry_row(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    tx.execute(
        &Sql::new("INSERT INTO device_telemetry (device_id) VALUES ($1) ON CONFLICT (device_id) DO NOTHING").bind(id),
    )
    .await
    .map(drop)
}

async fn telemetry(tx: &mut Tx, id: i64, json: &Value, at: i64) -> sqlx::Result<()> {
    let Ok(r) = Report::deserialize(json) else { return Ok(()) };
    let before: Option<(i64, i64, i64, Option<i64>)> = tx
        .fetch_optional(
            &Sql::new(
                "SELECT power_on_minutes, work_minutes, water_ml, telemetry_time FROM device_telemetry WHERE device_id = $1",
            )
            .bind(id),
        )
        .await?;
    // What each counter rose by since the last report. The first report only sets the
    // baseline (when its totals accrued is unknown); a counter that went down was reset on
    // the device, so all of its new value is new.
    let first = before.as_ref().is_none_or(|b| b.3.is_none());
    let (p0, w0, v0) = before.map(|b| (b.0, b.1, b.2)).unwrap_or_default();
    let rise = |now: Option<i64>, then: i64| match now {
        Some(_) if first => 0,
        Some(n) if n >= then => n - then,
        Some(n) => n.max(0),
        None => 0,
    };
    let (dp, dw, dv) = (rise(r.power_on_minutes, p0), rise(r.work_minutes, w0), rise(r.water_ml, v0));
    let filters = r.filters.map(|f| serde_json::to_string(&f).unwrap_or_else(|_| "[]".into()));
    ensure_telemetry_row(tx, id).await?;
    tx.execute(
        &Sql::new(
            "UPDATE device_telemetry SET power_on_minutes = COALESCE($1, power_on_minutes), \
             work_minutes = COALESCE($2, work_minutes), water_ml = COALESCE($3, water_ml), \
             tds_in = COALESCE($4, tds_in), tds_out = COALESCE($5, tds_out), filters = COALESCE($6, filters), \
             telemetry_time = $7 WHERE device_id = $8",
        )
        .bind(r.power_on_minutes.map(|v| v.max(0)))
        .bind(r.work_minutes.map(|v| v.max(0)))
        .bind(r.water_ml.map(|v| v.max(0)))
        .bind(r.tds_in)
        .bind(r.tds_out)
        .bind(filters)
        .bind(at)
        .bind(id),
    )
    .await?;
    for (span, bucket) in [("h", at - at.rem_euclid(HOUR_MS)), ("d", at - at.rem_euclid(DAY_MS))] {
        tx.execute(
            &Sql::new(
                "INSERT INTO device_stats (device_id, span, bucket, water_ml, work_minutes, power_on_minutes, reports) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (device_id, span, bucket) DO UPDATE SET \
                 water_ml = device_stats.water_ml + excluded.water_ml, \
                 work_minutes = device_stats.work_minutes + excluded.work_minutes, \
                 power_on_minutes = device_stats.power_on_minutes + excluded.power_on_minutes, \
                 reports = device_stats.reports + 1",
            )
            .bind(id)
            .bind(span)
            .bind(bucket)
            .bind(dv)
            .bind(dw)
            .bind(dp),
        )
        .await?;
    }
    Ok(())
}
