//! The one place that decides what a principal may do. Everything is denied unless granted:
//! a service function asks here before it reads or writes anything.

use crate::{
    model::{
        error::{codes, ApiError},
        member::Abilities,
    },
    server::auth::principal::{MemberPrincipal, Principal},
};

/// The caller as a corp member; any other kind of principal is refused (4031001).
pub fn member(principal: &Principal) -> Result<&MemberPrincipal, ApiError> {
    principal.member()
}

/// A corp member holding `feature` (admins hold every feature).
pub fn require(principal: &Principal, feature: i64) -> Result<&MemberPrincipal, ApiError> {
    let me = member(principal)?;
    if me.is_admin() || me.features.contains(&feature) {
        Ok(me)
    } else {
        Err(ApiError::new(codes::FORBIDDEN, "your role does not allow this"))
    }
}

/// A corp admin (4031005 otherwise): member administration and role writes.
pub fn require_admin(principal: &Principal) -> Result<&MemberPrincipal, ApiError> {
    let me = member(principal)?;
    if me.is_admin() {
        Ok(me)
    } else {
        Err(ApiError::new(codes::NEEDS_ADMIN, "needs a corp admin"))
    }
}

/// What the member may do, for the portal to show only the allowed actions.
pub fn abilities(principal: &Principal) -> Result<Abilities, ApiError> {
    let me = member(principal)?;
    Ok(Abilities { member_id: me.member_id, is_admin: me.is_admin(), features: me.features.clone() })
}
