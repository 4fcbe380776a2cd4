//! Where a dealer, a heavy buyer, a device or a sale is: the original console's location fields.

use serde::{Deserialize, Serialize};

use crate::model::error::ApiError;
use crate::model::{lenient, validate};

/// Where someone or something is, as the console's location picker gives it: codes or names
/// of a country, a province and a city (the console sends `-1` where a country has no states).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    #[serde(default, deserialize_with = "lenient::opt_text", skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text", skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_text", skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

impl Place {
    /// Each given part trimmed and at most 64 characters (codes or names, as the picker gives).
    pub fn checked(&self) -> Result<Place, ApiError> {
        Ok(Place {
            country: validate::given_text("country", &self.country, 64)?,
            province: validate::given_text("province", &self.province, 64)?,
            city: validate::given_text("city", &self.city, 64)?,
        })
    }
}
