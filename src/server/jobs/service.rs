//! Devices in service, moved on by the clock: leases expire (by date, or by the litres a
//! metered lease bought) and, a grace period (`LEASE_GRACE_DAYS`) later, get one removal ticket;
//! a filter at the end of its life gets one maintenance ticket; a device whose self-check reports
//! a fault (`run_state` 2) gets one fault ticket; a ticket past its targets is flagged overdue and
//! escalated. Every step claims its work with a conditional write (a lease's
//! `state` or `removal_ticket`, a filter's `ticket_id`, a ticket's `overdue`) in the transaction
//! that makes the ticket, so several app servers may run it at once and nothing is made twice.

use crate::server::{
    clock::now_ms,
    db::Sql,
    error::Result,
    service::{
        in_service::{Counters, Fitted, FITTED_COLUMNS},
        ticket,
    },
    state::Ctx,
};

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub leases_expired: u64,
    pub removal_tickets: u64,
    pub maintenance_tickets: u64,
    pub fault_tickets: u64,
    pub overdue: u64,
}

/// How many filters one query of the filter pass reads.
const FILTER_BATCH: i64 = 500;

/// One pass at time `now` (milliseconds).
pub async fn run(ctx: &Ctx, now: i64) -> Result<Moved> {
    let leases_expired = expire_leases(ctx, now).await?;
    let removal_tickets = removals(ctx, now).await?;
    let maintenance_tickets = filters(ctx, now).await?;
    let fault_tickets = faults(ctx, now).await?;
    let mut tx = ctx.db.begin().await?;
    let overdue = ticket::flag_overdue(&mut tx, now).await?;
    tx.commit().await?;
    Ok(Moved { leases_expired, removal_tickets, maintenance_tickets, fault_tickets, overdue })
}

/// Timed leases past their expiry, and metered ones whose litres are used, expire; their
/// devices' service turns expired.
async fn expire_leases(ctx: &Ctx, now: i64) -> Result<u64> {
    let mut tx = ctx.db.begin().await?;
    let expired: Vec<(i64,)> = tx
        .fetch_all(
            &Sql::new(
                "UPDATE leases SET state = 2, expired_time = $1 WHERE state = 1 AND ((billing = 2 AND expire_time <= $1) \
                 OR (billing = 4 AND (SELECT t.water_ml FROM device_telemetry t WHERE t.device_id = leases.device_id) \
                 - water_ml_start >= litres * 1000)) RETURNING device_id",
            )
            .bind(now),
        )
        .await?;
    for (device_id,) in &expired {
        tx.execute(&Sql::new("UPDATE devices SET service_state = 2 WHERE id = $1").bind(*device_id)).await?;
    }
    tx.commit().await?;
    Ok(expired.len() as u64)
}

/// Expired leases whose grace has passed get their removal ticket, one each.
async fn removals(ctx: &Ctx, now: i64) -> Result<u64> {
    let due = now - ctx.config.lease_grace.as_millis() as i64;
    let leases: Vec<(i64, String, i64)> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT id, corp_id, device_id FROM leases WHERE state = 2 AND removal_ticket IS NULL \
                 AND expired_time <= $1 ORDER BY id LIMIT 1000",
            )
            .bind(due),
        )
        .await?;
    let mut made = 0;
    for (lease_id, corp_id, device_id) in leases {
        let mut tx = ctx.db.begin().await?;
        // Claimed by another server meanwhile: the transaction is dropped, nothing is made.
        if ticket::removal_for(&mut tx, &corp_id, lease_id, device_id, now).await?.is_some() {
            tx.commit().await?;
            made += 1;
        }
    }
    Ok(made)
}

/// Every fitted filter of a device in someone's hands (bound) without an open ticket, in batches: its remaining life is recorded, and
/// one at its end gets a maintenance ticket.
async fn filters(ctx: &Ctx, now: i64) -> Result<u64> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        fitted: Fitted,
        remaining: i64,
        corp_id: String,
        telemetry_time: Option<i64>,
        power_on_minutes: Option<i64>,
        work_minutes: Option<i64>,
    }
    let columns: String = FITTED_COLUMNS.split(", ").map(|c| format!("f.{c}")).collect::<Vec<_>>().join(", ");
    let (mut after_device, mut after_order) = (-1_i64, -1_i64);
    let mut made = 0;
    loop {
        let rows: Vec<Row> = ctx
            .db
            .fetch_all(
                &Sql::new(format!(
                    "SELECT {columns}, f.remaining, d.corp_id, t.telemetry_time, t.power_on_minutes, t.work_minutes \
                     FROM device_filters f JOIN devices d ON d.id = f.device_id \
                     LEFT JOIN device_telemetry t ON t.device_id = f.device_id \
                     WHERE f.ticket_id IS NULL AND d.deregister_time IS NULL AND d.owner_id IS NOT NULL \
                     AND (f.device_id > $1 OR (f.device_id = $1 AND f.filter_order > $2)) \
                     ORDER BY f.device_id, f.filter_order LIMIT $3"
                ))
                .bind(after_device)
                .bind(after_order)
                .bind(FILTER_BATCH),
            )
            .await?;
        let Some(last) = rows.last() else { break };
        (after_device, after_order) = (last.fitted.device_id, last.fitted.filter_order);
        let full = rows.len() as i64 == FILTER_BATCH;
        for r in rows {
            let counters = Counters {
                reported: r.telemetry_time.is_some(),
                power_on_minutes: r.power_on_minutes.unwrap_or(0),
                work_minutes: r.work_minutes.unwrap_or(0),
                water_ml: 0,
            };
            let left = r.fitted.remaining(&counters, now);
            let f = &r.fitted;
            if left > 0 {
                if left != r.remaining {
                    ctx.db
                        .execute(
                            &Sql::new(
                                "UPDATE device_filters SET remaining = $1 WHERE device_id = $2 AND filter_order = $3",
                            )
                            .bind(left)
                            .bind(f.device_id)
                            .bind(f.filter_order),
                        )
                        .await?;
                }
                continue;
            }
            let mut tx = ctx.db.begin().await?;
            if ticket::maintenance_for(&mut tx, &r.corp_id, f.device_id, f.filter_order, &f.name, now).await?.is_some()
            {
                tx.commit().await?;
                made += 1;
            }
        }
        if !full {
            break;
        }
    }
    Ok(made)
}

/// Devices whose last state report says fault, of vendors that run tickets, without a fault
/// ticket of their own open or finished since that report: one fault ticket each (a unique
/// index keeps it to one open, whichever server makes it).
async fn faults(ctx: &Ctx, now: i64) -> Result<u64> {
    let faulty: Vec<(i64, String)> = ctx
        .db
        .fetch_all(&Sql::new(
            "SELECT t.device_id, d.corp_id FROM device_telemetry t JOIN devices d ON d.id = t.device_id \
             JOIN corps c ON c.id = d.corp_id AND c.opt_tickets \
             WHERE t.run_state = 2 AND d.serial IS NOT NULL AND d.deregister_time IS NULL AND d.owner_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM tickets k WHERE k.device_id = t.device_id AND k.type = 4 \
             AND k.source = 'device' AND (k.status NOT IN (0, 6) OR k.update_time >= t.state_time)) \
             ORDER BY t.device_id LIMIT 1000",
        ))
        .await?;
    let mut made = 0;
    for (device_id, corp_id) in faulty {
        let mut tx = ctx.db.begin().await?;
        if ticket::device_fault_for(&mut tx, &corp_id, device_id, now).await?.is_some() {
            tx.commit().await?;
            made += 1;
        }
    }
    Ok(made)
}

/// Runs [`run`] every minute for the life of the server.
pub async fn run_every_minute(ctx: Ctx) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let Some(_pass) = super::pass() else { return };
        let pass = run(&ctx, now_ms()).await;
        crate::server::metrics::job_ran("service", pass.is_ok());
        match pass {
            Ok(moved) if moved != Moved::default() => {
                tracing::info!(?moved, "devices in service moved on by the clock")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the service pass failed"),
        }
    }
}
