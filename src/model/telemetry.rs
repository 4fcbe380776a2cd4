//! What devices report over MQTT and the commands they are sent (issue 16): the wire types the
//! device page and the API share. The MQTT payloads themselves are described in
//! `docs/devices.md`.

use serde::{Deserialize, Serialize};

/// A device's latest values, as the device page and `GET …/device/{id}/telemetry` show them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Telemetry {
    pub device_id: i64,
    pub is_online: bool,
    /// Totals since the device was made.
    pub power_on_minutes: i64,
    pub work_minutes: i64,
    pub water_ml: i64,
    /// Water quality (TDS, ppm) before and after the filters, when the device reports it.
    pub tds_in: Option<i64>,
    pub tds_out: Option<i64>,
    pub filters: Vec<FilterCounter>,
    /// 0 idle, 1 working, 2 fault (the device's own run state).
    pub run_state: i64,
    pub locked: bool,
    pub lng: String,
    pub lat: String,
    /// When the last telemetry and state reports arrived, if ever.
    pub telemetry_time: Option<String>,
    pub state_time: Option<String>,
    /// Telemetry reports that never arrived, as the device's report numbers (`seq`) show.
    #[serde(default)]
    pub missed_reports: i64,
}

/// One filter's counters as the device reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCounter {
    /// The filter's position (1 first).
    pub order: i64,
    #[serde(default)]
    pub used_minutes: i64,
    #[serde(default)]
    pub used_ml: i64,
}

/// One hour's (or day's) sums of a device's counters, for its chart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatPoint {
    /// The period's start.
    pub bucket: String,
    pub water_ml: i64,
    pub work_minutes: i64,
    pub power_on_minutes: i64,
    pub reports: i64,
}

/// One bar of the device page's chart: an hour of the last day (`HH`, UTC) and the water
/// dispensed in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourBar {
    pub hour: String,
    pub water_ml: i64,
}

/// What a command tells a device to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Lock,
    Unlock,
    /// `params.volume_ml`: how much water to let out (1..=20000 ml).
    Dispense,
    /// `params.order`: which filter was replaced (1..=16).
    ResetFilter,
    /// `params.key` (letters, digits, `_`, up to 32) and `params.value` (any JSON scalar).
    SetParam,
}

impl CommandKind {
    pub const ALL: [CommandKind; 5] = [
        CommandKind::Lock,
        CommandKind::Unlock,
        CommandKind::Dispense,
        CommandKind::ResetFilter,
        CommandKind::SetParam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Lock => "lock",
            CommandKind::Unlock => "unlock",
            CommandKind::Dispense => "dispense",
            CommandKind::ResetFilter => "reset_filter",
            CommandKind::SetParam => "set_param",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a command stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Recorded; the device is not connected yet (it gets it when it connects, until the deadline).
    Pending,
    /// Handed to the device; no answer yet.
    Sent,
    /// The device did it.
    Acked,
    /// The device refused or could not (see `result`).
    Failed,
    /// No answer by the deadline.
    Timeout,
}

impl CommandStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommandStatus::Pending => "pending",
            CommandStatus::Sent => "sent",
            CommandStatus::Acked => "acked",
            CommandStatus::Failed => "failed",
            CommandStatus::Timeout => "timeout",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Acked, Self::Failed, Self::Timeout].into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the command can still change.
    pub fn is_open(self) -> bool {
        matches!(self, CommandStatus::Pending | CommandStatus::Sent)
    }
}

/// A command and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub id: String,
    pub device_id: i64,
    pub kind: CommandKind,
    pub params: serde_json::Value,
    pub status: CommandStatus,
    /// The device's answer (on acked or failed), or why it timed out.
    pub result: String,
    pub create_time: String,
    pub deadline: String,
    pub sent_time: Option<String>,
    pub finish_time: Option<String>,
}

/// `POST /v2/product/{product_id}/device/{device_id}/command`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCommand {
    pub kind: CommandKind,
    #[serde(default)]
    pub params: serde_json::Value,
    /// Seconds to wait for the device's answer (1..=3600, default 30).
    #[serde(default)]
    pub timeout: Option<i64>,
}

pub const DEFAULT_COMMAND_TIMEOUT_SECS: i64 = 30;
pub const MAX_COMMAND_TIMEOUT_SECS: i64 = 3600;

/// What a device connects with (`GET …/device/{id}/mqtt`): the broker's address as the server
/// knows it, the login and the topics. The password is the device's secret: corp members who
/// manage devices may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `host:port` of the embedded broker, or the external broker's as configured ('' when off).
    pub broker: String,
    pub client_id: String,
    pub username: String,
    pub password: String,
    /// Topic the device publishes its state, telemetry, answers and status on, and the one it
    /// subscribes to for commands.
    pub state_topic: String,
    pub telemetry_topic: String,
    pub ack_topic: String,
    pub status_topic: String,
    pub command_topic: String,
}
