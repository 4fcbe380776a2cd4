//! Devices in service (设备, seed 003 AB-01..16): the `/v2` device as the operations platform
//! reads it, named by its serial (the DID) — who made it, where it is installed, who it is bound
//! to and shared with, its service (a lease), how it runs, and what it has done, with each
//! filter's remaining life. OPS-CONTRACT.md: one record whichever API reads it.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// The document's device types.
    pub enum DeviceType { Unknown = 0, Sale = 1, TimedRental = 2, MeteredRental = 3, Vending = 4, Test = 8 }
}

crate::number_enum! {
    /// A device's service: not in service, in service, expired (its lease ran out: the grace
    /// period runs, then a removal ticket), stopped (by the vendor).
    pub enum ServiceState { Idle = 0, Active = 1, Expired = 2, Stopped = 3 }
}

crate::number_enum! {
    /// A lease: running, expired (not renewed), ended (the device removed, the deposit settled).
    pub enum LeaseState { Active = 1, Expired = 2, Ended = 3 }
}

crate::resource! {
    /// The fields AB-01 filters and sorts devices in service by (the answer is the whole
    /// [`ServiceDevice`]).
    pub struct Listed: "device_in_service" in "devices" {
        id: Int,
        device_id: Text as "serial",
        r#type: Int as "device_type",
        model: Text,
        service_state: Int,
        online: Bool as "is_online",
        prod_id: Option<Text>,
        create_tms: Time as "create_time",
    }
}

/// AB-01's device, in the document's nested shape. Times are ISO 8601; `user_id` the owner's
/// uid ('' when unbound), `user_share` the uids it is shared with. The document gives `state`
/// twice (a number and the run-state object): the object keeps the name, the number is `status`
/// (0 registered, 1 activated: the device has connected).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceDevice {
    pub device_id: String,
    pub status: i64,
    #[serde(rename = "type")]
    pub kind: i64,
    pub brand: String,
    pub model: String,
    pub fw_version: String,
    pub hw_version: String,
    pub sw_version: String,
    pub asm_tms: Option<String>,
    pub vendor_id: String,
    pub product_id: String,
    pub name: String,
    pub remark: String,
    pub atv_tms: Option<String>,
    pub user_id: String,
    pub user_share: Vec<String>,
    pub manufacture: Manufacture,
    pub installation: Installation,
    pub service: Service,
    pub basic: Basic,
    pub state: RunState,
    pub statistics: Statistics,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Manufacture {
    /// The merchandise it carries ('' until it has one).
    pub product_id: String,
    pub qc_id: String,
    pub qc_tms: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Installation {
    pub installer_id: Option<i64>,
    pub install_tms: Option<String>,
    pub area: String,
    pub address: String,
    pub lng: String,
    pub lat: String,
}

/// AB-07: the service state, its expiry, and the lease when the device is rented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Service {
    pub state: i64,
    pub expire: Option<String>,
    pub lease: Option<Lease>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lease {
    pub state: i64,
    /// 2 timed, 4 metered (the merchandise's billing bits).
    pub billing: i64,
    pub order_id: String,
    pub deposit: i64,
    pub start_tms: String,
    pub expire_tms: Option<String>,
    /// Metered: litres bought and litres used.
    pub litres: i64,
    pub used_litres: i64,
    pub owed: i64,
    pub refunded: i64,
    pub end_tms: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Basic {
    pub platform: String,
    pub project: String,
    pub net_entry: String,
    pub net_type: String,
    /// The MAC (or IMEI).
    pub dev_idcd: String,
    pub sim_iccid: String,
}

/// AB-09: how it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunState {
    pub online: bool,
    pub online_tms: Option<String>,
    pub offline_tms: Option<String>,
    /// "lng,lat" as the device last reported it ('' when it has not).
    pub lbs_coord: String,
}

/// AB-10: what it has done (the device's counters) and its filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Statistics {
    pub power_on_minutes: i64,
    pub work_minutes: i64,
    pub water_ml: i64,
    pub tds_in: Option<i64>,
    pub tds_out: Option<i64>,
    pub filters: Vec<FilterLife>,
}

/// One filter of a device and how much of its life is left.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterLife {
    pub order: i64,
    pub name: String,
    pub timer_mode: i64,
    /// Power-on and work lives (hours), and the hours used of each since it was fitted.
    pub lifetime: i64,
    pub worklife: i64,
    pub used_power_on_hours: i64,
    pub used_work_hours: i64,
    /// 0–100.
    pub remaining: i64,
    pub fit_tms: String,
    /// The open maintenance ticket, if one is.
    pub ticket_id: Option<String>,
}

/// What is left of a filter's life (percent, 0–100) after `power_on` and `work` minutes, by its
/// timer mode: 1 power-on time, 2 work time, 0 both (whichever ends first). A life of 0 hours
/// is not counted (a filter without that timer).
pub fn remaining_percent(timer_mode: i64, lifetime_h: i64, worklife_h: i64, power_on_min: i64, work_min: i64) -> i64 {
    let left = |life_h: i64, used_min: i64| -> Option<i64> {
        (life_h > 0).then(|| {
            let life = life_h * 60;
            ((life - used_min.max(0)).max(0) * 100 / life).clamp(0, 100)
        })
    };
    let power = || left(lifetime_h, power_on_min);
    let work = || left(worklife_h, work_min);
    let found = match timer_mode {
        1 => power(),
        2 => work(),
        _ => match (power(), work()) {
            (Some(p), Some(w)) => Some(p.min(w)),
            (p, w) => p.or(w),
        },
    };
    found.unwrap_or(100)
}

/// AB-02's body: the platform registers serials for a vendor's product, in one transaction.
/// `product_id` is the vendor's product (of `/v2`); `prod_id` the merchandise they will carry,
/// if known already.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registration {
    pub device_ids: Vec<String>,
    #[serde(rename = "type")]
    pub kind: i64,
    pub model: String,
    pub brand: String,
    pub hw_version: String,
    pub sw_version: String,
    pub manufacture_tms: String,
    pub vendor_id: String,
    pub product_id: String,
    pub prod_id: String,
}

/// AB-04's body: the vendor's configuration (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceConfig {
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub hw_version: Option<String>,
    pub sw_version: Option<String>,
    pub manufacture_tms: Option<String>,
    /// The merchandise it carries (its filters are fitted from it).
    pub prod_id: Option<String>,
    pub qc_id: Option<String>,
    pub qc_tms: Option<String>,
}

/// AB-05/06: the user's profile of the device (absent fields stay).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: Option<String>,
    pub remark: Option<String>,
    pub area: Option<String>,
    pub address: Option<String>,
    pub lng: Option<String>,
    pub lat: Option<String>,
}

/// AB-08's body: the service state and its expiry (ISO 8601; "" clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceEdit {
    pub state: Option<i64>,
    pub expire: Option<String>,
}

/// AB-11/13/15/16: who to bind to or share with. A user binds itself (no field); the vendor or
/// a dealer names the user by `user_id` (uid) or `mobile`; a share names the guest by mobile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Who {
    pub user_id: String,
    pub mobile: String,
}

#[cfg(test)]
mod tests {
    use super::remaining_percent;

    #[test]
    fn filter_life_by_timer_mode() {
        // 100 hours of power-on life, 10 of work life; 50 h on, 9 h working.
        assert_eq!(remaining_percent(1, 100, 10, 50 * 60, 9 * 60), 50);
        assert_eq!(remaining_percent(2, 100, 10, 50 * 60, 9 * 60), 10);
        assert_eq!(remaining_percent(0, 100, 10, 50 * 60, 9 * 60), 10, "both: whichever ends first");
        assert_eq!(remaining_percent(0, 100, 0, 50 * 60, 9 * 60), 50, "no work life: power-on alone");
        assert_eq!(remaining_percent(1, 100, 10, 200 * 60, 0), 0, "used up, never below 0");
        assert_eq!(remaining_percent(1, 0, 0, 200 * 60, 0), 100, "no life given: not counted");
    }
}
