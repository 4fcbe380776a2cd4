//! A heavy buyer's organizations and their users (seed 001), as the API answers them.

use serde::{Deserialize, Serialize};

/// The organization every heavy buyer has: never stored, never deleted.
pub const ROOT: i64 = 0;

/// Organization users' roles: an admin manages the users (and organizations) below its own
/// organization; a member only reads.
pub const ROLE_ADMIN: i64 = 1;
pub const ROLE_MEMBER: i64 = 2;

/// One organization of a heavy buyer's tree. `parent` 0 is the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: i64,
    pub parent: i64,
    pub name: String,
    pub sort: i64,
    pub create_time: String,
}

/// `POST /v2/heavy_buyer/{id}/organization`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewOrganization {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent: i64,
    #[serde(default)]
    pub sort: i64,
}

/// `PUT /v2/heavy_buyer/{id}/organization/{id}`: the fields given change, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<i64>,
}

/// One entry of `PUT /v2/heavy_buyer/{id}/organization_list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationChange {
    pub id: i64,
    #[serde(flatten)]
    pub edit: OrganizationEdit,
}

/// The organizations a portal seat sees, for drawing its tree: `top` is where its view starts
/// (0, the root, for the account; the user's organization otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationTree {
    pub top: i64,
    pub can_manage: bool,
    /// Parents before children is not promised; siblings come by `sort`, then id.
    pub organizations: Vec<Organization>,
}

/// What deleting an organization will do, for the confirmation a portal shows first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionImpact {
    /// The sub-organizations deleted with it.
    pub organizations: i64,
    /// The users of it and of its sub-organizations, who move to the root of the deleter's view
    /// (the key account's root, or an organization user's own organization).
    pub users: i64,
    /// Their devices, which move with them.
    pub devices: i64,
}

/// An organization user. The password is never part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUser {
    pub id: i64,
    pub username: String,
    pub organization: i64,
    pub role: i64,
    pub contacter: String,
    pub contact_way: String,
    pub create_time: String,
}

/// `POST /v2/heavy_buyer/{id}/user`. Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewOrgUser {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// Required (0 is the root); absent is 4001002, not a silent root.
    #[serde(default)]
    pub organization: Option<i64>,
    /// Required: 1 admin, 2 member.
    #[serde(default)]
    pub role: Option<i64>,
    #[serde(default)]
    pub contacter: String,
    #[serde(default)]
    pub contact_way: String,
}

impl std::fmt::Debug for NewOrgUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewOrgUser")
            .field("username", &self.username)
            .field("organization", &self.organization)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `PUT /v2/heavy_buyer/{id}/user/{id}`: the fields given change. A new password ends the
/// user's logins.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgUserEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_way: Option<String>,
}

impl std::fmt::Debug for OrgUserEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgUserEdit")
            .field("username", &self.username)
            .field("organization", &self.organization)
            .field("role", &self.role)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// One entry of `POST /v2/heavy_buyer/{id}/organization/{id}/grant_device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceGrant {
    pub device_id: i64,
}

/// Who is signed into the key-account portal: the account itself, or one of its users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyAccountSeat {
    pub heavy_buyer_id: i64,
    /// The user, or `None` for the heavy-buyer account itself.
    pub user: Option<OrgUser>,
    /// The organization the seat sees from (0 for the account: the whole tree).
    pub top: i64,
    /// Whether the seat may change organizations, users and grants.
    pub can_manage: bool,
}

/// Usernames: letters (any script), digits, `_`, `-` and `.`, 2 to 32 of them.
pub fn check_username(value: &str) -> Result<String, super::error::ApiError> {
    use super::error::ApiError;
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::missing("username"));
    }
    let n = v.chars().count();
    if !(2..=32).contains(&n) {
        return Err(ApiError::invalid("username", "2 to 32 characters"));
    }
    if !v.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return Err(ApiError::invalid("username", "only letters, digits, _ - and ."));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_allow_letters_digits_and_three_marks() {
        assert_eq!(check_username(" li.wei_2 ").unwrap(), "li.wei_2");
        assert!(check_username("王伟").is_ok());
        assert_eq!(check_username("").unwrap_err().code, 4001002);
        for bad in ["a", "a b", "x@y", "<script>", "a/b", &"x".repeat(33)] {
            assert_eq!(check_username(bad).unwrap_err().code, 4001001, "{bad}");
        }
    }
}
