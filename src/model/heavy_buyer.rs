//! Heavy buyers (seed 000; "key accounts" in the English interface) as the API answers them,
//! and who is signed in to their portal.

use serde::{Deserialize, Serialize};

use crate::model::{dealer::PartnerStatus, organization::OrgUser, place::Place, resource::kind::*};

crate::resource! {
    /// A heavy buyer (key account). `email` and `phone` are empty when it has no account of its
    /// own (its people sign in as organization users); `device_sum` counts its devices
    /// (computed, in the `heavy_buyers_listed` view lists read).
    pub struct HeavyBuyer: "heavy_buyer" in "heavy_buyers_listed" {
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
        country: Text,
        province: Text,
        city: Text,
        device_sum: Int,
    }
    secret { password as "password_hash" }
}

/// `POST /v2/heavy_buyer`. Email, phone and password make its own account: all three, or none
/// (as the original console adds one). Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewHeavyBuyer {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub password: String,
    pub industry: String,
    pub location: String,
    pub contacter: String,
    pub contact_way: String,
    #[serde(flatten)]
    pub place: Place,
}

impl NewHeavyBuyer {
    /// Whether any part of an account of its own was given.
    pub fn has_account(&self) -> bool {
        [&self.email, &self.phone, &self.password].iter().any(|v| !v.trim().is_empty())
    }
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
    /// Left out, each part stays.
    #[serde(flatten)]
    pub place: Place,
}

/// What every heavy-buyer-portal page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyBuyerSession {
    pub heavy_buyer: HeavyBuyer,
    pub corp_id: String,
    pub company: String,
    /// The account itself or one of its organization users, and what it may do.
    pub seat: HeavyBuyerSeat,
    /// The portal modules its entry hides (`device_list`, …).
    pub hidden_modules: Vec<String>,
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
