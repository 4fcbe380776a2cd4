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
        let part =
            |name: &str, v: &Option<String>| v.as_deref().map(|v| validate::optional_text(name, v, 64)).transpose();
        Ok(Place {
            country: part("country", &self.country)?,
            province: part("province", &self.province)?,
            city: part("city", &self.city)?,
        })
    }
}
