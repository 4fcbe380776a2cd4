//! Work orders (工单, tickets; seed 003 五 AE-01..03, OPS-CONTRACT.md): what a vendor, its
//! dealers and their service engineers do at a device — install it, exchange or take back goods,
//! mend a fault, replace a filter, remove a rented device — from creation to the user's rating.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// The document's ticket types: install (made when a paid order needs installation),
    /// exchange and return (the user asks), fault (the user, or the device's self-check),
    /// maintenance (a filter at its end), removal (a lease over and not renewed).
    pub enum TicketType { Install = 1, Exchange = 2, Return = 3, Fault = 4, Maintenance = 5, Removal = 6 }
}

crate::number_enum! {
    /// created → reviewed → dispatched → processing → done; processing ⇄ awaiting response (the
    /// engineer waits on the user or on parts); created, reviewed or dispatched → cancelled.
    pub enum TicketStatus {
        Cancelled = 0, Created = 1, Reviewed = 2, Dispatched = 3, Processing = 4, Awaiting = 5, Done = 6,
    }
}

impl TicketType {
    pub const ALL: [TicketType; 6] = [
        TicketType::Install,
        TicketType::Exchange,
        TicketType::Return,
        TicketType::Fault,
        TicketType::Maintenance,
        TicketType::Removal,
    ];

    /// Hours to respond (an engineer accepts it) and to resolve (done), from its creation. A
    /// fault stops the user's water: it is the most urgent.
    pub fn targets(self) -> (i64, i64) {
        match self {
            TicketType::Fault => (4, 24),
            TicketType::Install | TicketType::Maintenance => (24, 72),
            TicketType::Exchange | TicketType::Return => (24, 120),
            TicketType::Removal => (48, 168),
        }
    }

    /// The types a user may open itself (AE-03); the others are made by the system.
    pub fn user_may_open(self) -> bool {
        matches!(self, TicketType::Exchange | TicketType::Return | TicketType::Fault)
    }
}

impl TicketStatus {
    pub const BOARD: [TicketStatus; 6] = [
        TicketStatus::Created,
        TicketStatus::Reviewed,
        TicketStatus::Dispatched,
        TicketStatus::Processing,
        TicketStatus::Awaiting,
        TicketStatus::Done,
    ];

    /// Still to be done (neither done nor cancelled).
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Done | TicketStatus::Cancelled)
    }
}

crate::resource! {
    /// A ticket as AE-01 lists it. `user_id` is the user's uid, `device_id` the device's serial
    /// ('' for an install before its device is known); `dealer_id` the dealer responsible (none:
    /// the vendor itself), `engineer_id` the engineer it was dispatched to. The document's
    /// `approval` and `ratings` objects are added to every ticket answered.
    pub struct Ticket: "ticket" in "tickets" {
        ticket_id: Text,
        status: TicketStatus,
        r#type: TicketType,
        source: Text,
        detail: Text,
        user_id: Text as "uid",
        device_id: Text as "serial",
        order_id: Option<Text>,
        dealer_id: Option<Int>,
        engineer_id: Option<Int>,
        address: Text,
        appoint_tms: Option<Time> as "appoint_time",
        check_result: Option<Bool>,
        check_tms: Option<Time> as "check_time",
        check_usr: Text as "check_user",
        dispatch_tms: Option<Time> as "dispatch_time",
        accept_tms: Option<Time> as "accept_time",
        finish_tms: Option<Time> as "finish_time",
        cancel_tms: Option<Time> as "cancel_time",
        note: Text,
        respond_due: Time,
        resolve_due: Time,
        overdue: Bool,
        escalated_to: Option<Int>,
        rate_value: Option<Int>,
        rate_tms: Option<Time> as "rate_time",
        rate_detail: Text,
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
        update_tms: Time as "update_time",
    }
}

/// AE-03's body: a ticket a user (or the vendor, a dealer) opens about a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewTicket {
    #[serde(rename = "type")]
    pub kind: i64,
    pub device_id: String,
    pub detail: String,
    /// When the user would like the engineer to come (ISO 8601), if it says.
    pub appoint_tms: String,
    /// The user it is for, when the vendor or a dealer opens it (a user opens its own).
    pub user_id: String,
}

/// One step of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub time: String,
    pub action: String,
    pub actor: String,
    pub status: i64,
    pub note: String,
}

/// How a ticket is dispatched: to an engineer named, or by the hierarchy (the dealer
/// responsible, then its engineers, the least busy first), or by location (that dealer's
/// engineer nearest the installation address).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dispatch {
    pub engineer_id: Option<i64>,
    /// "hierarchy" (the default) or "location".
    pub mode: String,
}

/// AE-02: counts by status and by type, overdue, and the average rating, for the caller's scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub total: i64,
    /// Status code → count (every status, zeros included).
    pub by_status: std::collections::BTreeMap<String, i64>,
    /// Type code → count.
    pub by_type: std::collections::BTreeMap<String, i64>,
    pub open: i64,
    pub overdue: i64,
    pub rated: i64,
    /// The average of the ratings given, to two places (0 when none).
    pub rating: f64,
}

crate::resource! {
    /// A service engineer of the vendor (`dealer_id` none) or of one of its dealers.
    /// status: 1 enabled, 0 disabled. `lng`/`lat`: where it works from (decimal degrees).
    pub struct Engineer: "engineer" in "engineers" {
        id: Int,
        name: Text,
        mobile: Text,
        dealer_id: Option<Int>,
        lng: Text,
        lat: Text,
        status: Int,
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
    }
    secret { password as "password_hash" }
}

/// The body that registers an engineer, or edits one (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineerInput {
    pub name: Option<String>,
    pub mobile: Option<String>,
    pub password: Option<String>,
    /// A vendor's member may register an engineer for one of its dealers.
    pub dealer_id: Option<i64>,
    pub lng: Option<String>,
    pub lat: Option<String>,
    pub status: Option<i64>,
}
