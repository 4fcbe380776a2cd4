//! Devices over MQTT (issue 16; beyond the documents): commands to a device and their outcome,
//! what the device reported, and the credentials it connects with.

use axum::{
    extract::State,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    extract::{Json, Path, Query},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::{
        error::ApiError,
        telemetry::{Command, CommandKind, Credentials, NewCommand, StatPoint, Telemetry},
    },
    server::{
        auth::principal::Principal,
        clock::{now_ms, parse_iso},
        error::Result,
        service::{command, telemetry, telemetry::Span},
        state::Ctx,
    },
};

const TAG: Tag = Tag("devices");

fn kinds() -> Value {
    json!({ "type": "string", "enum": CommandKind::ALL.map(CommandKind::as_str) })
}

fn command_schema() -> Value {
    object(&[
        ("id", string()),
        ("device_id", integer()),
        ("kind", kinds()),
        ("params", json!({ "type": "object" })),
        ("status", json!({ "enum": ["pending", "sent", "acked", "failed", "timeout"] })),
        ("result", string()),
        ("create_time", time()),
        ("deadline", time()),
        ("sent_time", json!({ "type": ["string", "null"], "format": "date-time" })),
        ("finish_time", json!({ "type": ["string", "null"], "format": "date-time" })),
    ])
}

fn telemetry_schema() -> Value {
    let opt_int = || json!({ "type": ["integer", "null"] });
    object(&[
        ("device_id", integer()),
        ("is_online", boolean()),
        ("power_on_minutes", integer()),
        ("work_minutes", integer()),
        ("water_ml", integer()),
        ("tds_in", opt_int()),
        ("tds_out", opt_int()),
        ("filters", array(object(&[("order", integer()), ("used_minutes", integer()), ("used_ml", integer())]))),
        ("run_state", integer()),
        ("locked", boolean()),
        ("lng", string()),
        ("lat", string()),
        ("telemetry_time", json!({ "type": ["string", "null"], "format": "date-time" })),
        ("state_time", json!({ "type": ["string", "null"], "format": "date-time" })),
        ("missed_reports", integer()),
    ])
}

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op(
            "post",
            "/v2/product/{product_id}/device/{device_id}/command",
            "Send a command (lock, unlock, dispense {volume_ml}, reset_filter {order}, set_param {key, value}) with \
             a timeout in seconds (default 30); answers it as recorded: sent when the device is connected, pending \
             until it connects otherwise. Corp members who manage devices",
            Some(object(&[("kind", kinds()), ("params?", json!({ "type": "object" })), ("timeout?", integer())])),
            Some(command_schema()),
        ),
        post(send),
    )
    .op(
        TAG.op(
            "get",
            "/v2/product/{product_id}/device/{device_id}/command/{command_id}",
            "One command and its outcome (4041061 when the device has no such command). Corp members who view devices",
            None,
            Some(command_schema()),
        ),
        get(get_command),
    )
    .op(
        TAG.op(
            "get",
            "/v2/product/{product_id}/device/{device_id}/commands",
            "The device's latest 50 commands, newest first",
            None,
            Some(array(command_schema())),
        ),
        get(commands),
    )
    .op(
        TAG.op(
            "get",
            "/v2/product/{product_id}/device/{device_id}/telemetry",
            "What the device last reported: counters, water quality, filters, run and lock state, location",
            None,
            Some(telemetry_schema()),
        ),
        get(latest),
    )
    .op(
        TAG.op(
            "get",
            "/v2/product/{product_id}/device/{device_id}/stats",
            "Sums per hour or day (query span=hour|day, since=an ISO time; default the last 24 hours, or 30 days by day)",
            None,
            Some(array(object(&[
                ("bucket", time()),
                ("water_ml", integer()),
                ("work_minutes", integer()),
                ("power_on_minutes", integer()),
                ("reports", integer()),
            ]))),
        ),
        get(stats),
    )
    .op(
        TAG.op(
            "get",
            "/v2/product/{product_id}/device/{device_id}/mqtt",
            "What the device connects with: broker, client id, username, password (derived from the product key) \
             and topics. Corp members who manage devices",
            None,
            Some(object(&[
                ("broker", string()),
                ("client_id", string()),
                ("username", string()),
                ("password", string()),
                ("state_topic", string()),
                ("telemetry_topic", string()),
                ("ack_topic", string()),
                ("status_topic", string()),
                ("command_topic", string()),
            ])),
        ),
        get(credentials),
    )
}

async fn send(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id)): Path<(String, i64)>,
    Json(body): Json<NewCommand>,
) -> Result<axum::Json<Command>> {
    Ok(axum::Json(command::send(&ctx, &p, &product_id, device_id, body).await?))
}

async fn get_command(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id, command_id)): Path<(String, i64, String)>,
) -> Result<axum::Json<Command>> {
    Ok(axum::Json(command::get(&ctx, &p, &product_id, device_id, &command_id).await?))
}

async fn commands(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id)): Path<(String, i64)>,
) -> Result<axum::Json<Vec<Command>>> {
    Ok(axum::Json(command::list(&ctx, &p, &product_id, device_id).await?))
}

async fn latest(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id)): Path<(String, i64)>,
) -> Result<axum::Json<Telemetry>> {
    Ok(axum::Json(telemetry::latest(&ctx, &p, &product_id, device_id).await?))
}

#[derive(Deserialize)]
struct StatsQuery {
    span: Option<String>,
    /// An ISO time.
    since: Option<String>,
}

async fn stats(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id)): Path<(String, i64)>,
    Query(q): Query<StatsQuery>,
) -> Result<axum::Json<Vec<StatPoint>>> {
    let span = match q.span.as_deref() {
        None => Span::Hour,
        Some(s) => Span::parse(s).ok_or_else(|| ApiError::invalid("span", "hour or day"))?,
    };
    let default_back = match span {
        Span::Hour => 24 * 3_600_000,
        Span::Day => 30 * 24 * 3_600_000,
    };
    let since = match q.since.as_deref() {
        None => now_ms() - default_back,
        Some(s) => parse_iso(s).ok_or_else(|| ApiError::invalid("since", "an ISO time like 2026-12-01T00:00:00Z"))?,
    };
    Ok(axum::Json(telemetry::stats(&ctx, &p, &product_id, device_id, span, since).await?))
}

async fn credentials(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((product_id, device_id)): Path<(String, i64)>,
) -> Result<axum::Json<Credentials>> {
    Ok(axum::Json(telemetry::credentials(&ctx, &p, &product_id, device_id).await?))
}
