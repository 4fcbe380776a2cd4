//! Corp (brand owner) wire types, as `GET /v2/corp` answers them and the dashboard shows them.

use serde::{Deserialize, Serialize};

/// `GET /v2/corp`: the corp and the calling member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpInfo {
    pub id: String,
    /// The document's field table names the id `corp_id` while its example says `id`; both are
    /// sent so clients written against either keep working.
    pub corp_id: String,
    pub company: String,
    pub create_time: String,
    #[serde(rename = "type")]
    pub kind: i64,
    pub logo: String,
    pub member: MemberBrief,
    /// 0 uncertified, 1 certified, 2 VIP.
    pub status: i64,
    pub device_total: i64,
    pub device_limit: i64,
}

/// What every corp page needs: the corp and member, and what the member may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorpSession {
    pub info: CorpInfo,
    pub abilities: crate::model::member::Abilities,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberBrief {
    pub id: i64,
    pub phone: String,
    pub email: String,
    pub name: String,
    /// Not in the document's `member` object; added so the portal can show the role.
    pub role: crate::model::member::MemberRole,
}
