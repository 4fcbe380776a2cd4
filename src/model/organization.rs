//! A heavy buyer's organizations and their users (seed 001), as the API answers them.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{lenient, resource::kind::*};

/// The organization every heavy buyer has: never stored, never deleted.
pub const ROOT: i64 = 0;

crate::number_enum! {
    /// Organization users' roles: an admin manages the users (and organizations) below its own
    /// organization; a member only reads.
    pub enum OrgRole { Admin = 1, Member = 2 }
}

crate::resource! {
    /// One organization of a heavy buyer's tree. `parent` 0 is the root.
    pub struct Organization: "organization" in "organizations" {
        id: Int,
        parent: Int,
        name: Text,
        sort: Int,
        create_time: Time,
    }
}

/// A heavy buyer's organizations as `id → parent`: the one place ancestry is decided, by the
/// services (whose rules it enforces) and the portal (which draws and filters with it). Trees
/// are small (one per key account), so this is done in memory rather than with recursive SQL.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    parents: HashMap<i64, i64>,
}

impl Tree {
    /// From `(id, parent)` pairs; the root is never among them.
    pub fn new(pairs: impl IntoIterator<Item = (i64, i64)>) -> Self {
        Tree { parents: pairs.into_iter().collect() }
    }

    /// The tree of the organizations given (a portal's view of its part of the tree).
    pub fn of(orgs: &[Organization]) -> Self {
        Self::new(orgs.iter().map(|o| (o.id, o.parent)))
    }

    pub fn exists(&self, id: i64) -> bool {
        id == ROOT || self.parents.contains_key(&id)
    }

    /// Whether `id` is `top` or below it. Walks up at most as many steps as there are
    /// organizations, so even a broken tree cannot loop.
    pub fn is_within(&self, top: i64, id: i64) -> bool {
        if !self.exists(id) {
            return false;
        }
        let mut cur = id;
        for _ in 0..=self.parents.len() {
            if cur == top {
                return true;
            }
            match self.parents.get(&cur) {
                Some(&parent) => cur = parent,
                None => return false,
            }
        }
        false
    }

    /// How many steps `id` sits below the root (0 for the root), bounded like [`Tree::is_within`].
    pub fn depth(&self, id: i64) -> usize {
        let mut cur = id;
        for depth in 0..=self.parents.len() {
            match self.parents.get(&cur) {
                Some(&parent) if cur != ROOT => cur = parent,
                _ => return depth,
            }
        }
        self.parents.len()
    }

    /// `top` and every organization below it (the root's subtree is the whole tree, root included).
    pub fn subtree(&self, top: i64) -> Vec<i64> {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (&id, &parent) in &self.parents {
            children.entry(parent).or_default().push(id);
        }
        let mut out = vec![top];
        let mut seen: HashSet<i64> = HashSet::from([top]);
        let mut i = 0;
        while i < out.len() {
            for &child in children.get(&out[i]).map(Vec::as_slice).unwrap_or_default() {
                if seen.insert(child) {
                    out.push(child);
                }
            }
            i += 1;
        }
        out
    }

    /// An organization that no longer reaches the root (it sits in a cycle), if any.
    pub fn first_cycle(&self) -> Option<i64> {
        let mut ids: Vec<i64> = self.parents.keys().copied().collect();
        ids.sort_unstable();
        ids.into_iter().find(|&id| !self.is_within(ROOT, id))
    }

    /// Moves `id` under `parent` (what an edit is about to do, to check it first).
    pub fn set_parent(&mut self, id: i64, parent: i64) {
        self.parents.insert(id, parent);
    }

    /// Forgets `ids` (what a delete is about to do).
    pub fn remove(&mut self, ids: &[i64]) {
        for id in ids {
            self.parents.remove(id);
        }
    }
}

/// An organization as a path from the top of the organizations given ("Sales / North / Shop 3").
pub fn path_label(orgs: &[Organization], id: i64) -> String {
    let mut names = Vec::new();
    let mut cur = id;
    for _ in 0..=orgs.len() {
        match orgs.iter().find(|o| o.id == cur) {
            Some(o) => {
                names.push(o.name.clone());
                cur = o.parent;
            }
            None => break,
        }
    }
    names.reverse();
    names.join(" / ")
}

/// `POST /v2/heavy_buyer/{id}/organization`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewOrganization {
    #[serde(default)]
    pub name: String,
    /// The console sends the root as the string `"0"`.
    #[serde(default, deserialize_with = "lenient::int")]
    pub parent: i64,
    #[serde(default, deserialize_with = "lenient::int")]
    pub sort: i64,
}

/// `PUT /v2/heavy_buyer/{id}/organization/{id}`: the fields given change, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub sort: Option<i64>,
}

/// One entry of `PUT /v2/heavy_buyer/{id}/organization_list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationChange {
    #[serde(deserialize_with = "lenient::int")]
    pub id: i64,
    #[serde(flatten)]
    pub edit: OrganizationEdit,
}

/// The organizations a portal seat sees, for drawing its tree: `top` is where its view starts
/// (0, the root, for the account; the user's organization otherwise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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

crate::resource! {
    /// An organization user. The password is never part of it.
    pub struct OrgUser: "org_user" in "org_users" {
        id: Int,
        username: Text,
        organization: Int,
        role: OrgRole,
        contacter: Text,
        contact_way: Text,
        create_time: Time,
    }
    secret { password as "password_hash" }
}

/// `POST /v2/heavy_buyer/{id}/user`. Its `Debug` leaves the password out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewOrgUser {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// Required (0 is the root, which the console sends as `"0"`); absent is 4001002, not a
    /// silent root.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub organization: Option<i64>,
    /// Required: 1 admin, 2 member.
    #[serde(default, deserialize_with = "lenient::opt_int")]
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
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub organization: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
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
    #[serde(deserialize_with = "lenient::int")]
    pub device_id: i64,
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

    fn tree(pairs: &[(i64, i64)]) -> Tree {
        Tree::new(pairs.iter().copied())
    }

    #[test]
    fn ancestry_and_subtrees() {
        // 1 > 2 > 3, 1 > 4, 5 under the root.
        let t = tree(&[(1, 0), (2, 1), (3, 2), (4, 1), (5, 0)]);
        assert!(t.is_within(1, 3) && t.is_within(2, 3) && t.is_within(0, 5) && t.is_within(3, 3));
        assert!(!t.is_within(2, 4) && !t.is_within(3, 2) && !t.is_within(1, 5) && !t.is_within(0, 9));
        let mut sub = t.subtree(1);
        sub.sort();
        assert_eq!(sub, vec![1, 2, 3, 4]);
        assert_eq!(t.subtree(0).len(), 6);
        assert_eq!(t.first_cycle(), None);
        assert_eq!([0, 1, 2, 3, 5].map(|id| t.depth(id)), [0, 1, 2, 3, 1]);
    }

    #[test]
    fn a_cycle_is_found_and_never_loops() {
        let t = tree(&[(1, 0), (2, 3), (3, 2)]);
        assert_eq!(t.first_cycle(), Some(2));
        assert!(t.depth(2) <= 3);
        assert!(!t.is_within(0, 3));
    }
}
