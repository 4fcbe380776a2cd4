//! The audit log as `/v2` answers it and the portals show it (issue 20).

use serde::{Deserialize, Serialize};

/// One sign-in or one change: who (which kind of principal, which one), did what to which
/// record, what changed (`{field: {"from", "to"}}`, never a secret), when and from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// `member`, `dealer`, `heavy_buyer`, `org_user`, or `anonymous` for a failed sign-in.
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    /// The actor's name, or the account typed at a sign-in.
    pub actor: String,
    /// `member.update`, `device.grant_to_dealer`, `sign_in.failure`, …
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub changes: serde_json::Value,
    pub client: String,
    pub create_time: String,
}
