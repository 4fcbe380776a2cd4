//! Dealers (seed 002) and heavy buyers (seed 000) as the API answers them.

use serde::{Deserialize, Serialize};

/// A dealer. `upper_dealer_code` is empty for a top dealer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dealer {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// 0 disabled, 1 enabled.
    pub status: i64,
    pub dealer_code: String,
    pub upper_dealer_code: String,
    pub create_time: String,
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

/// A heavy buyer (key account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyer {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub industry: String,
    pub location: String,
    pub contacter: String,
    pub contact_way: String,
    /// 0 disabled, 1 enabled.
    pub status: i64,
    pub create_time: String,
}

/// `POST /v2/heavy_buyer`. Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewHeavyBuyer {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub industry: String,
    pub location: String,
    pub contacter: String,
    pub contact_way: String,
}

impl std::fmt::Debug for NewHeavyBuyer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewHeavyBuyer").field("name", &self.name).field("email", &self.email).finish_non_exhaustive()
    }
}

/// `PUT /v2/heavy_buyer/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerEdit {
    pub name: String,
    pub industry: String,
    pub location: String,
    pub contacter: String,
    pub contact_way: String,
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

/// What every heavy-buyer-portal page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerSession {
    pub heavy_buyer: HeavyBuyer,
    pub corp_id: String,
    pub company: String,
    /// The account itself or one of its organization users, and what it may do.
    pub seat: crate::model::organization::KeyAccountSeat,
}
