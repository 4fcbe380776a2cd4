//! Products (CONTRACT "Beyond the documents"): what a corp's devices are made as.

use serde::{Deserialize, Serialize};

use crate::model::lenient;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// 32 characters.
    pub id: String,
    pub name: String,
    pub description: String,
    /// 1 wifi, 2 zigbee gateway, 3 BLE, 4 BLE mesh, 5 PC.
    pub link_type: i64,
    pub mode: String,
    #[serde(rename = "type")]
    pub kind: i64,
    /// 16 characters, generated.
    pub key: String,
    pub is_release: bool,
    pub create_time: String,
}

/// A product as a picker shows it to everyone who may list its devices (dealers, key accounts,
/// organization users, members who may only view devices): no key, nothing else secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductBrief {
    pub id: String,
    pub name: String,
    pub mode: String,
}

impl From<Product> for ProductBrief {
    fn from(p: Product) -> Self {
        ProductBrief { id: p.id, name: p.name, mode: p.mode }
    }
}

/// `POST /v2/product`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(deserialize_with = "lenient::int")]
    pub link_type: i64,
    #[serde(default)]
    pub mode: String,
    #[serde(rename = "type", default, deserialize_with = "lenient::int")]
    pub kind: i64,
}

/// `PUT /v2/product/{id}`: the fields given change, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub link_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub kind: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_release: Option<bool>,
}
