//! Commands to devices (issue 16): lock, unlock, dispense a volume, reset a filter, set a
//! parameter. A command is a row first (`pending`), then handed to the device over MQTT
//! (`sent`); the device's answer on its ack topic closes it (`acked` or `failed`), and the
//! deadline job closes what got no answer (`timeout`). Every step is a conditional UPDATE on
//! the row's status, so an answer, a resend and the deadline on several app servers never
//! undo one another.
//!
//! What a device receives on `{root}/{name}/cmd`:
//! `{"id": "…", "cmd": "dispense", "params": {"volume_ml": 500}, "deadline": 1733212345000}`;
//! what it answers on `{root}/{name}/ack`: `{"id": "…", "ok": true}` or
//! `{"id": "…", "ok": false, "error": "…"}`.

use std::collections::HashMap;

use sea_query::{Alias, Expr, Order, Query};
use serde_json::{json, Value};

use crate::{
    model::{
        device::Device,
        error::{codes, ApiError},
        permission::MANAGE_DEVICES,
        telemetry::{
            Command, CommandKind, CommandStatus, NewCommand, DEFAULT_COMMAND_TIMEOUT_SECS, MAX_COMMAND_TIMEOUT_SECS,
        },
    },
    server::{
        auth::principal::Principal,
        clock::{iso, iso_opt, now_ms},
        db::{Sql, Tx},
        error::{Error, Result},
        list,
        mqtt::{device_name, Bus, Sent},
        secret::random_hex,
        service::{device, permission},
        state::Ctx,
    },
};

/// How many of a device's commands its list shows (newest first).
pub const LIST_LIMIT: i64 = 50;

#[derive(sqlx::FromRow)]
struct CommandRow {
    id: String,
    device_id: i64,
    kind: String,
    params: String,
    status: String,
    result: String,
    create_time: i64,
    deadline: i64,
    sent_time: Option<i64>,
    finish_time: Option<i64>,
}

const COLUMNS: &str = "id, device_id, kind, params, status, result, create_time, deadline, sent_time, finish_time";

impl CommandRow {
    fn into_command(self) -> Command {
        Command {
            id: self.id,
            device_id: self.device_id,
            kind: CommandKind::parse(&self.kind).unwrap_or(CommandKind::SetParam),
            params: serde_json::from_str(&self.params).unwrap_or(Value::Null),
            status: CommandStatus::parse(&self.status).unwrap_or(CommandStatus::Failed),
            result: self.result,
            create_time: iso(self.create_time),
            deadline: iso(self.deadline),
            sent_time: iso_opt(self.sent_time),
            finish_time: iso_opt(self.finish_time),
        }
    }
}

/// The params a kind takes, checked and normalised.
fn check_params(kind: CommandKind, params: &Value) -> Result<Value, ApiError> {
    let empty = params.is_null() || params.as_object().is_some_and(|o| o.is_empty());
    let int = |key: &str, range: std::ops::RangeInclusive<i64>| -> Result<i64, ApiError> {
        let field = format!("params.{key}");
        let v = params.get(key).ok_or_else(|| ApiError::missing(&field))?;
        v.as_i64().filter(|n| range.contains(n)).ok_or_else(|| {
            ApiError::invalid(&field, &format!("must be a whole number from {} to {}", range.start(), range.end()))
        })
    };
    match kind {
        CommandKind::Lock | CommandKind::Unlock if empty => Ok(json!({})),
        CommandKind::Lock | CommandKind::Unlock => Err(ApiError::invalid("params", "lock and unlock take no params")),
        CommandKind::Dispense => Ok(json!({ "volume_ml": int("volume_ml", 1..=20_000)? })),
        CommandKind::ResetFilter => Ok(json!({ "order": int("order", 1..=16)? })),
        CommandKind::SetParam => {
            let key = params.get("key").and_then(Value::as_str).ok_or_else(|| ApiError::missing("params.key"))?;
            let key_ok =
                !key.is_empty() && key.len() <= 32 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !key_ok {
                return Err(ApiError::invalid("params.key", "letters, digits and _, up to 32"));
            }
            let value = params.get("value").ok_or_else(|| ApiError::missing("params.value"))?;
            if value.is_object() || value.is_array() || value.as_str().is_some_and(|s| s.chars().count() > 256) {
                return Err(ApiError::invalid("params.value", "a number, true/false or text up to 256 characters"));
            }
            Ok(json!({ "key": key, "value": value }))
        }
    }
}

/// The device a command is for, checked: a corp member with "manage devices" of the device's
/// corp (another corp's product reads as missing).
async fn commandable(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64) -> Result<Device> {
    permission::require(principal, MANAGE_DEVICES)?;
    device::get(ctx, principal, product_id, device_id).await
}

/// `POST /v2/product/{product_id}/device/{device_id}/command`: records the command and hands it
/// to the device if it is connected and listening; a device that is not gets it when it
/// connects, until the deadline.
pub async fn send(
    ctx: &Ctx,
    principal: &Principal,
    product_id: &str,
    device_id: i64,
    input: NewCommand,
) -> Result<Command> {
    let device = commandable(ctx, principal, product_id, device_id).await?;
    let params = check_params(input.kind, &input.params)?;
    let timeout = input.timeout.unwrap_or(DEFAULT_COMMAND_TIMEOUT_SECS);
    if !(1..=MAX_COMMAND_TIMEOUT_SECS).contains(&timeout) {
        return Err(ApiError::invalid("timeout", &format!("seconds, from 1 to {MAX_COMMAND_TIMEOUT_SECS}")).into());
    }
    let me = principal.member()?;
    let now = now_ms();
    let id = random_hex(12);
    ctx.db
        .execute(
            &Sql::new(
                "INSERT INTO device_commands (id, device_id, kind, params, status, creator, create_time, deadline) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.clone())
            .bind(device.id)
            .bind(input.kind.as_str())
            .bind(params.to_string())
            .bind(CommandStatus::Pending.as_str())
            .bind(format!("member:{}", me.member_id))
            .bind(now)
            .bind(now + timeout * 1000),
        )
        .await?;
    // A device known to be offline gets it when it comes online (an external broker would
    // take it and drop it: its devices' sessions are clean).
    if device.is_online {
        let name = device_name(product_id, &device.mac);
        hand_over(ctx, &ctx.mqtt, &name, &message(&id, input.kind.as_str(), &params, now + timeout * 1000)).await?;
    }
    find(ctx, device.id, &id).await
}

/// The JSON a device receives.
fn message(id: &str, kind: &str, params: &Value, deadline: i64) -> Vec<u8> {
    json!({ "id": id, "cmd": kind, "params": params, "deadline": deadline }).to_string().into_bytes()
}

/// Publishes a command and, once handed over, marks it sent (unless an answer already came).
async fn hand_over(ctx: &Ctx, bus: &Bus, name: &str, message: &[u8]) -> Result<()> {
    let id = serde_json::from_slice::<Value>(message)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| Error::internal("a command message without its id"))?;
    if bus.send(name, message.to_vec()).await == Sent::Handed {
        ctx.db
            .execute(
                &Sql::new(
                    "UPDATE device_commands SET status = $1, sent_time = $2 WHERE id = $3 AND status IN ($4, $1)",
                )
                .bind(CommandStatus::Sent.as_str())
                .bind(now_ms())
                .bind(id)
                .bind(CommandStatus::Pending.as_str()),
            )
            .await?;
    }
    Ok(())
}

async fn find(ctx: &Ctx, device_id: i64, id: &str) -> Result<Command> {
    let row: Option<CommandRow> = ctx
        .db
        .fetch_optional(
            &Sql::new(format!("SELECT {COLUMNS} FROM device_commands WHERE id = $1 AND device_id = $2"))
                .bind(id.to_owned())
                .bind(device_id),
        )
        .await?;
    row.map(CommandRow::into_command).ok_or_else(|| ApiError::new(codes::COMMAND_NOT_FOUND, "command not found").into())
}

/// `GET …/device/{device_id}/command/{command_id}`: one command, for corp members who view devices.
pub async fn get(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64, id: &str) -> Result<Command> {
    let device = device::get(ctx, principal, product_id, device_id).await?;
    find(ctx, device.id, id).await
}

/// `GET …/device/{device_id}/commands`: the device's latest commands, newest first.
pub async fn list(ctx: &Ctx, principal: &Principal, product_id: &str, device_id: i64) -> Result<Vec<Command>> {
    let device = device::get(ctx, principal, product_id, device_id).await?;
    let rows: Vec<CommandRow> = ctx
        .db
        .fetch_all(
            &Sql::new(format!(
                "SELECT {COLUMNS} FROM device_commands WHERE device_id = $1 ORDER BY create_time DESC, id DESC LIMIT $2"
            ))
            .bind(device.id)
            .bind(LIST_LIMIT),
        )
        .await?;
    Ok(rows.into_iter().map(CommandRow::into_command).collect())
}

/// A device's answer on its ack topic, applied inside the consumer's transaction: closes the
/// command if it is still open and is this device's.
pub async fn record_answer(tx: &mut Tx, device_id: i64, answer: &Value, at: i64) -> sqlx::Result<()> {
    let Some(id) = answer.get("id").and_then(Value::as_str) else { return Ok(()) };
    let ok = answer.get("ok").and_then(Value::as_bool).unwrap_or(false);
    let result = match answer.get("error").or_else(|| answer.get("result")) {
        Some(Value::String(s)) => s.chars().take(256).collect(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string().chars().take(256).collect(),
    };
    let status = if ok { CommandStatus::Acked } else { CommandStatus::Failed };
    tx.execute(
        &Sql::new(
            "UPDATE device_commands SET status = $1, result = $2, finish_time = $3 \
             WHERE id = $4 AND device_id = $5 AND status IN ($6, $7)",
        )
        .bind(status.as_str())
        .bind(result)
        .bind(at)
        .bind(id.to_owned())
        .bind(device_id)
        .bind(CommandStatus::Pending.as_str())
        .bind(CommandStatus::Sent.as_str()),
    )
    .await
    .map(drop)
}

/// Sends the open commands of devices that just connected or subscribed (`(login name, id)`)
/// again: a device that lost its connection before answering gets them once more and answers
/// by id. A few hundred devices a query, so a reconnection storm costs a handful of reads.
pub async fn resend_open(ctx: &Ctx, bus: &Bus, devices: &[(String, i64)]) -> Result<()> {
    let names: HashMap<i64, &str> = devices.iter().map(|(name, id)| (*id, name.as_str())).collect();
    for chunk in devices.chunks(list::MAX_IN) {
        let select = Query::select()
            .expr(Expr::cust(COLUMNS))
            .from(Alias::new("device_commands"))
            .and_where(col("status").is_in([CommandStatus::Pending.as_str(), CommandStatus::Sent.as_str()]))
            .and_where(col("deadline").gt(now_ms()))
            .and_where(col("device_id").is_in(chunk.iter().map(|(_, id)| *id)))
            .order_by(Alias::new("create_time"), Order::Asc)
            .to_owned();
        let rows: Vec<CommandRow> = ctx.db.fetch_all(&select).await?;
        for row in rows {
            let params = serde_json::from_str(&row.params).unwrap_or(Value::Null);
            hand_over(ctx, bus, names[&row.device_id], &message(&row.id, &row.kind, &params, row.deadline)).await?;
        }
    }
    Ok(())
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// Closes the commands whose deadline passed without an answer. A plain conditional UPDATE, so
/// every app server may run it: whichever comes first closes them. It looks first (a read, which
/// on SQLite never waits for the write lock the device ingest holds most of the time) and writes
/// only when something is due.
pub async fn expire(ctx: &Ctx, now: i64) -> Result<u64> {
    let due: Option<(String,)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT id FROM device_commands WHERE status IN ($1, $2) AND deadline <= $3 LIMIT 1")
                .bind(CommandStatus::Pending.as_str())
                .bind(CommandStatus::Sent.as_str())
                .bind(now),
        )
        .await?;
    if due.is_none() {
        return Ok(0);
    }
    let mut n = 0;
    for (status, why) in [
        (CommandStatus::Pending, "the device was not connected before the deadline"),
        (CommandStatus::Sent, "the device did not answer before the deadline"),
    ] {
        n += ctx
            .db
            .execute(
                &Sql::new(
                    "UPDATE device_commands SET status = $1, result = $2, finish_time = $3 \
                     WHERE status = $4 AND deadline <= $3",
                )
                .bind(CommandStatus::Timeout.as_str())
                .bind(why)
                .bind(now)
                .bind(status.as_str()),
            )
            .await?;
    }
    Ok(n)
}

/// Runs [`expire`] every second for the life of the server.
pub async fn expire_continuously(ctx: Ctx) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(_pass) = crate::server::jobs::pass() else { return };
        if let Err(e) = expire(&ctx, now_ms()).await {
            tracing::warn!(error = %e, "closing timed-out device commands failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked_per_kind() {
        assert_eq!(check_params(CommandKind::Lock, &Value::Null).unwrap(), json!({}));
        assert!(check_params(CommandKind::Lock, &json!({"x": 1})).is_err());
        assert_eq!(check_params(CommandKind::Dispense, &json!({"volume_ml": 500})).unwrap(), json!({"volume_ml": 500}));
        assert!(check_params(CommandKind::Dispense, &json!({"volume_ml": 0})).is_err());
        assert!(check_params(CommandKind::Dispense, &json!({"volume_ml": "500"})).is_err());
        assert!(check_params(CommandKind::Dispense, &json!({})).is_err());
        assert!(check_params(CommandKind::ResetFilter, &json!({"order": 17})).is_err());
        assert_eq!(
            check_params(CommandKind::SetParam, &json!({"key": "max_temp", "value": 40})).unwrap(),
            json!({"key": "max_temp", "value": 40})
        );
        assert!(check_params(CommandKind::SetParam, &json!({"key": "a b", "value": 1})).is_err());
        assert!(check_params(CommandKind::SetParam, &json!({"key": "a", "value": [1]})).is_err());
    }
}
