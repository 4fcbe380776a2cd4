//! End users (members, 会员) of a vendor (seed 003 AA-01..07, AA-10), as `/api`, the corp and
//! dealer portals and the mobile site read them.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// An end user's state (AA): a disabled user cannot sign in.
    pub enum EndUserState { Disabled = 0, Inactive = 1, Active = 2 }
}

crate::resource! {
    /// An end user as AA-01 lists it. `vid` (its vendor), `rid` (its referrer's uid) and
    /// `dealer_id` (the dealer whose link brought it) are for the vendor and its dealers only;
    /// a user reading itself gets them left out (`EndUser::for_self`). `dereg_tms` is set once
    /// the platform deregistered it.
    pub struct EndUser: "end_user" in "end_users" {
        uid: Text,
        state: EndUserState,
        r#type: Int,
        name: Text,
        avatar: Text,
        mobile: Text,
        email: Text,
        area: Text,
        address: Text,
        reg_tms: Time as "create_time",
        remark: Text,
        vip: Bool,
        bonus: Int,
        vid: Text as "corp_id",
        rid: Option<Text>,
        dealer_id: Option<Int>,
        dereg_tms: Option<Time> as "deregister_time",
    }
    secret { pwd as "password_hash" }
}

/// The fields only the vendor's side sees.
pub const ADMIN_ONLY: [&str; 3] = ["vid", "rid", "dealer_id"];

/// AA-02B: registration with the code sent to the mobile (AA-02A). `rid` is the referrer's
/// uid (a referral link); `dealer` the dealer code of a dealer's promotion link.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registration {
    pub vid: String,
    pub mobile: String,
    pub code: String,
    pub name: String,
    /// Optional: a user may set a password now, or sign in with codes.
    pub pwd: String,
    pub email: String,
    pub area: String,
    pub address: String,
    pub avatar: String,
    pub rid: String,
    pub dealer: String,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration").field("vid", &self.vid).field("mobile", &self.mobile).finish_non_exhaustive()
    }
}

/// AA-04: the profile; absent fields stay. `rid` and `remark` only the vendor may change; the
/// mobile changes with a code (AA-06).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EndUserEdit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    /// The vendor enables (2) or disables (0) a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
}
