//! Corp members and custom roles as the API answers them (seed 004) and the portal shows them.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// A member's role (seed 004 appendix); custom roles name their features in `role_id`.
    pub enum MemberRole { Admin = 1, Operations = 2, Developer = 3, Custom = 99 }
}

crate::number_enum! {
    pub enum MemberStatus { Pending = 0, Active = 1, Disabled = 2 }
}

crate::resource! {
    /// A member (seed 004, operation 4).
    pub struct Member: "member" in "members" {
        id: Int,
        name: Text,
        role: MemberRole,
        phone: Text,
        email: Text,
        create_time: Time,
        last_auth_time: Option<Time>,
        is_notice: Bool,
        is_alert: Bool,
        status: MemberStatus,
        /// The custom role, when `role` is 99.
        role_id: Option<Int>,
    }
    secret { password as "password_hash" }
}

/// `POST /v2/corp/member_add`. Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewMember {
    pub email: String,
    pub phone: String,
    pub name: String,
    pub password: String,
    #[serde(rename = "type")]
    pub role: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<i64>,
}

impl std::fmt::Debug for NewMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMember")
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("name", &self.name)
            .field("type", &self.role)
            .field("role_id", &self.role_id)
            .finish_non_exhaustive()
    }
}

/// `PUT /v2/corp/member/{id}`: a member edits its own information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberEdit {
    pub name: String,
    pub is_notice: bool,
    pub is_alert: bool,
}

/// A custom role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub features: Vec<i64>,
}

/// The body of role create and update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleInput {
    pub name: String,
    pub features: Vec<i64>,
}

/// What the logged-in member may do, for the portal to show only what is allowed (the server
/// refuses the rest anyway).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Abilities {
    pub member_id: i64,
    pub is_admin: bool,
    pub features: Vec<i64>,
}

impl Abilities {
    pub fn can(&self, feature: i64) -> bool {
        self.is_admin || self.features.contains(&feature)
    }
}
