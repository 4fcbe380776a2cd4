//! Dealers (seed 002) as the API answers them.

use serde::{Deserialize, Serialize};

use crate::model::{error::ApiError, lenient, place::Place, resource::kind::*, validate};

crate::number_enum! {
    /// Dealers, heavy buyers and organization users are enabled or disabled.
    pub enum PartnerStatus { Disabled = 0, Enabled = 1 }
}

crate::resource! {
    /// A dealer. `upper_dealer_code` is empty for a top dealer. The profile after `create_time`
    /// is the original console's; `saled_amount` counts the sales in its ledger (computed, in the
    /// `dealers_listed` view lists read).
    pub struct Dealer: "dealer" in "dealers_listed" {
        id: Int,
        name: Text,
        email: Text,
        phone: Text,
        address: Text,
        status: PartnerStatus,
        dealer_code: Text,
        upper_dealer_code: Text,
        create_time: Time,
        contacter: Text,
        region: Text,
        sale_goal: Int,
        saled_amount: Int,
        home_page: Text,
        country: Text,
        province: Text,
        city: Text,
    }
    secret { password as "password_hash" }
}

/// `POST /v2/dealer`. Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDealer {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    #[serde(default)]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_dealer_code: Option<String>,
    #[serde(flatten)]
    pub profile: DealerProfile,
}

/// The original console's dealer profile: on create, absent fields are empty (0 for the goal);
/// on edit, absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealerProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The console's form sends what was typed: `"5000"` as well as `5000`.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub sale_goal: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_page: Option<String>,
    #[serde(flatten)]
    pub place: Place,
}

impl std::fmt::Debug for NewDealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDealer")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("upper_dealer_code", &self.upper_dealer_code)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

/// `PUT /v2/dealer/{id}`. The console sends back the whole form (email, phone, the upper
/// dealer's code, a password it read): the account and the dealer's place never change here,
/// so those keys are ignored, as are unknown ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealerEdit {
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(flatten)]
    pub profile: DealerProfile,
}

/// A dealer in a tree listing: its depth below the first dealer shown (0 for a top dealer in
/// the corp's tree, 0 for the dealer itself in its own portal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealerNode {
    pub dealer: Dealer,
    pub depth: usize,
}

/// What every dealer-portal page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealerSession {
    pub dealer: Dealer,
    pub corp_id: String,
    pub company: String,
    /// The portal modules its entry hides (`device_list`, `analyse`, …).
    pub hidden_modules: Vec<String>,
}

impl DealerProfile {
    /// The profile with each given part trimmed and bounded; a goal is never negative.
    pub fn checked(&self) -> Result<DealerProfile, ApiError> {
        if self.sale_goal.is_some_and(|goal| goal < 0) {
            return Err(ApiError::invalid("sale_goal", "must be 0 or more"));
        }
        Ok(DealerProfile {
            contacter: validate::given_text("contacter", &self.contacter, 64)?,
            region: validate::given_text("region", &self.region, 64)?,
            sale_goal: self.sale_goal,
            home_page: validate::given_text("home_page", &self.home_page, 256)?,
            place: self.place.checked()?,
        })
    }
}
