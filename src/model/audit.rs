//! The audit log as `/v2` answers it and the portals show it (issue 20).

use crate::model::resource::kind::*;

crate::resource! {
    /// One sign-in or one change: who (which kind of principal, which one), did what to which
    /// record, what changed (`{field: {"from", "to"}}`, never a secret), when and from where.
    pub struct AuditEntry: "audit" in "audit_log" {
        id: Int,
        /// `member`, `dealer`, `heavy_buyer`, `org_user`, or `anonymous` for a failed sign-in.
        actor_kind: Text,
        actor_id: Option<Int>,
        /// The actor's name, or the account typed at a sign-in.
        actor: Text,
        /// `member.update`, `device.grant_to_dealer`, `sign_in.failure`, …
        action: Text,
        record_type: Text,
        record_id: Text,
        changes: Json,
        client: Text,
        create_time: Time,
    }
}
