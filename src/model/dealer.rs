//! Dealers (seed 002) as the API answers them.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// Dealers, heavy buyers and organization users are enabled or disabled.
    pub enum PartnerStatus { Disabled = 0, Enabled = 1 }
}

crate::resource! {
    /// A dealer. `upper_dealer_code` is empty for a top dealer.
    pub struct Dealer: "dealer" in "dealers" {
        id: Int,
        name: Text,
        email: Text,
        phone: Text,
        address: Text,
        status: PartnerStatus,
        dealer_code: Text,
        upper_dealer_code: Text,
        create_time: Time,
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
}

impl std::fmt::Debug for NewDealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDealer")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("upper_dealer_code", &self.upper_dealer_code)
            .finish_non_exhaustive()
    }
}

/// `PUT /v2/dealer/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DealerEdit {
    pub name: String,
    #[serde(default)]
    pub address: String,
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
}
