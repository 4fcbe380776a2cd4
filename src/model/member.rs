//! Corp members and custom roles as the API answers them (seed 004) and the portal shows them.

use serde::{Deserialize, Serialize};

/// A member (seed 004, operation 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub create_time: String,
    pub last_auth_time: Option<String>,
    /// 1 admin, 2 operations, 3 developer, 99 custom.
    pub role: i64,
    pub is_notice: bool,
    pub is_alert: bool,
    /// 0 pending, 1 active, 2 disabled.
    pub status: i64,
    /// The custom role, when `role` is 99.
    pub role_id: Option<i64>,
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
