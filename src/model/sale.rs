//! A dealer's sales ledger (seed 002's "client info", as the original console records it): one
//! device sold to one end customer.

use serde::{Deserialize, Serialize};

use crate::model::{lenient, place::Place, resource::kind::*};

crate::resource! {
    /// One sale. `dealer_id` is the dealer that recorded it (null once that dealer is deleted;
    /// the sale stays with the dealers above it and the corp).
    pub struct Sale: "sale" in "dealer_sales" {
        id: Int,
        dealer_id: Option<Int>,
        /// The end customer.
        name: Text,
        phone: Text,
        email: Text,
        /// `common_buyer` (a household) or another kind of customer, as the console names them.
        client_type: Text,
        country: Text,
        province: Text,
        city: Text,
        address: Text,
        region: Text,
        /// The device sold: its product, the product's model, the device's id, MAC and serial.
        product_id: Text,
        product_mod: Text,
        device_id: Option<Int>,
        mac: Text,
        sn: Text,
        sale_time: Time,
        create_time: Time,
        /// The console's extra customer details and picture addresses (JSON arrays).
        x_info: Json [listed_only],
        pictures: Json [listed_only],
    }
}

/// `POST /v2/dealer/{id}/add_client_info/upload` and `PUT /v2/dealer/client_info/{id}`. On a
/// new sale absent text is empty and `sale_time` now; on an edit absent fields stay. The device
/// is named when the sale is recorded and never changes afterwards (the console sends
/// `dealer_id` and others back on an edit: ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SaleInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_type: Option<String>,
    #[serde(flatten)]
    pub place: Place,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_info: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pictures: Option<serde_json::Value>,
    #[serde(flatten)]
    pub device: SoldDevice,
}

/// The device a new sale names: by `device_id` (with its `product_id`), or by `mac` and
/// `product_id`; or none, for a sale of something not registered (then `sn`/`product_mod` as
/// given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SoldDevice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub device_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_mod: Option<String>,
}
