//! Heavy buyers (seed 000; "key accounts" in the English interface) as the API answers them,
//! and who is signed in to their portal.

use serde::{Deserialize, Serialize};

use crate::model::{dealer::PartnerStatus, organization::OrgUser, resource::kind::*};

crate::resource! {
    /// A heavy buyer (key account).
    pub struct HeavyBuyer: "heavy_buyer" in "heavy_buyers" {
        id: Int,
        name: Text,
        email: Text,
        phone: Text,
        industry: Text,
        location: Text,
        contacter: Text,
        contact_way: Text,
        status: PartnerStatus,
        create_time: Time,
    }
    secret { password as "password_hash" }
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

/// What every heavy-buyer-portal page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerSession {
    pub heavy_buyer: HeavyBuyer,
    pub corp_id: String,
    pub company: String,
    /// The account itself or one of its organization users, and what it may do.
    pub seat: HeavyBuyerSeat,
}

/// Who is signed into the heavy-buyer portal: the account itself, or one of its users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerSeat {
    pub heavy_buyer_id: i64,
    /// The user, or `None` for the heavy-buyer account itself.
    pub user: Option<OrgUser>,
    /// The organization the seat sees from (0 for the account: the whole tree).
    pub top: i64,
    /// Whether the seat may change organizations, users and grants.
    pub can_manage: bool,
}
