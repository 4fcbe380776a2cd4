//! Devices (seed 000 op 8 lists their fields; CONTRACT "Beyond the documents" the endpoints).

use serde::{Deserialize, Serialize};

use crate::model::{lenient, place::Place, resource::kind::*};

crate::resource! {
    /// A device as every list and read answers it. Field names follow seed 000's field table.
    pub struct Device: "device" in "devices" {
        /// 32-bit positive integer.
        id: Int,
        /// 12 hexadecimal characters, upper case; unique within the product.
        mac: Text,
        name: Text,
        is_active: Bool,
        active_date: Option<Time>,
        is_online: Bool,
        last_login: Option<Time>,
        last_login_ip: Text,
        mcu_mod: Text,
        mcu_version: Int,
        firmware_mod: Text,
        firmware_version: Int,
        product_id: Text,
        region_id: Int,
        sn: Text,
        domain: Text,
        create_time: Time,
        creator_id: Int,
        /// 1: a corp member created it.
        creator_type: Int,
        tags: Tags,
        /// The dealer codes from the top dealer down to the device's dealer, comma-separated.
        dealer_scope: Option<Text>,
        /// The heavy buyer's id.
        heavy_buyer: Option<Int> as "heavy_buyer_id",
        /// Beyond seed 000: the device's direct dealer and its organization inside the heavy buyer
        /// (root 0), so a page can name them without decoding `dealer_scope`.
        dealer_id: Option<Int>,
        organization_id: Option<Int>,
        /// Where it is installed (the original console's device form).
        country: Text,
        province: Text,
        city: Text,
        address: Text,
    }
    aliases {
        /// The documents' example and the original console name the firmware version so.
        firmware: Int as "firmware_version",
    }
}

/// `creator_type` of a device created by a corp member.
pub const CREATED_BY_MEMBER: i64 = 1;

/// `POST /v2/product/{product_id}/device`, and one row of a batch given as objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDevice {
    pub mac: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sn: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One entry of `device_batch`: a bare MAC (CONTRACT: "array of up to 2000 MACs") or an object
/// carrying the other fields too (what the portal's CSV import sends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BatchEntry {
    Mac(String),
    Device(NewDevice),
}

impl BatchEntry {
    pub fn into_device(self) -> NewDevice {
        match self {
            BatchEntry::Mac(mac) => NewDevice { mac, ..NewDevice::default() },
            BatchEntry::Device(d) => d,
        }
    }
}

/// The most entries one batch (import or grant) takes.
pub const MAX_BATCH: usize = 2000;

/// `PUT /v2/product/{product_id}/device/{device_id}`: the fields given change. The MAC, the
/// state reported by the device and the assignment are not edited here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(flatten)]
    pub place: Place,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A device named by id and MAC: what a batch and a grant answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceRef {
    pub id: i64,
    pub mac: String,
}

/// `{"devices": [...]}`: the answer of `device_batch`, of a grant and of a take-back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceRefs {
    pub devices: Vec<DeviceRef>,
}

/// One entry of a grant or take-back body: `{"mac": …}` or `{"device_id": …}`. A grant may
/// also give the device's `sn` and `name` (the original console's import of a CSV file), which
/// the grant then sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub device_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl DeviceKey {
    pub fn id(device_id: i64) -> Self {
        Self { mac: None, device_id: Some(device_id), sn: None, name: None }
    }
}

/// What to do with devices: the portal's assignment actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Assignment {
    ToDealer(i64),
    ToHeavyBuyer(i64),
    /// From whichever dealer each device sits with.
    BackFromDealers,
    /// From whichever heavy buyer holds each device.
    BackFromHeavyBuyers,
}

/// One line of a device import, as the preview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    /// 1-based, as an editor numbers lines.
    pub line: usize,
    /// The line's MAC as written.
    pub raw_mac: String,
    pub device: Result<NewDevice, String>,
}

/// Reads pasted or uploaded CSV: one device per line, `mac[,name[,sn]]`. A first line whose
/// first cell says "mac" is a header; blank lines are skipped; quotes around cells are dropped.
/// Each line is checked with the rules the server applies (so the preview can show every error
/// before anything is sent); a MAC repeated in the text is an error on its later lines.
pub fn parse_import(text: &str) -> Vec<ImportLine> {
    let mut lines = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<String> = line.split(',').map(|c| c.trim().trim_matches('"').trim().to_owned()).collect();
        let raw_mac = cells.first().cloned().unwrap_or_default();
        if lines.is_empty() && i == first_content_line(text) && raw_mac.to_ascii_lowercase().contains("mac") {
            continue;
        }
        let cell = |n: usize| cells.get(n).cloned().unwrap_or_default();
        let device = crate::model::validate::mac("mac", &raw_mac)
            .and_then(|mac| {
                let name = crate::model::validate::optional_text("name", &cell(1), 64)?;
                let sn = crate::model::validate::optional_text("sn", &cell(2), 64)?;
                Ok(NewDevice { mac, name, sn, ..NewDevice::default() })
            })
            .map_err(|e| e.msg)
            .and_then(|d| {
                if seen.contains(&d.mac) {
                    Err(format!("mac: {} repeats an earlier line", d.mac))
                } else {
                    seen.push(d.mac.clone());
                    Ok(d)
                }
            });
        lines.push(ImportLine { line: i + 1, raw_mac, device });
    }
    lines
}

fn first_content_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_reads_header_cells_and_errors() {
        let text = "mac,name,sn\n\naabbccddee01,Kitchen,SN1\nAA:BB:CC:DD:EE:02\nnot-a-mac,x\naabbccddee01,again\n";
        let lines = parse_import(text);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].line, 3);
        let first = lines[0].device.as_ref().unwrap();
        assert_eq!((first.mac.as_str(), first.name.as_str(), first.sn.as_str()), ("AABBCCDDEE01", "Kitchen", "SN1"));
        assert_eq!(lines[1].device.as_ref().unwrap().mac, "AABBCCDDEE02");
        assert!(lines[2].device.as_ref().unwrap_err().starts_with("mac:"));
        assert!(lines[3].device.as_ref().unwrap_err().contains("repeats"));
    }

    #[test]
    fn import_without_header() {
        let lines = parse_import("AABBCCDDEEFF");
        assert_eq!(lines.len(), 1);
        assert!(lines[0].device.is_ok());
    }
}
