//! Merchandise (商品, seed 003 AC-01..07): what a vendor sells or rents in its mall, as `/api`,
//! the corp portal and the mobile site read it. Money is in fen (integers), percentages are
//! integers 0–100 (OPS-CONTRACT.md).

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// Whether the merchandise is sold: off the shelf (being prepared, or withdrawn for a while),
    /// on sale, or archived (kept because orders name it, never sold again until put back).
    /// Users and dealers see only what is on sale.
    pub enum MerchandiseState { Off = 0, OnSale = 1, Archived = 2 }
}

crate::number_enum! {
    /// The document's 商品类型: bought (1) or reserved (2, e.g. a rental booked ahead).
    pub enum MerchandiseType { Purchase = 1, Reservation = 2 }
}

/// The billing schemes (计费方案) as the document's bits, any combination: sold outright, rented
/// by time, rented by volume, sold by the glass (vending).
pub mod billing {
    pub const SALE: i64 = 1;
    pub const TIMED: i64 = 2;
    pub const METERED: i64 = 4;
    pub const VENDING: i64 = 8;
    pub const ALL: i64 = SALE | TIMED | METERED | VENDING;

    /// Whether the scheme rents the device out (a rent plan is chosen when ordering).
    pub fn is_rental(bits: i64) -> bool {
        bits & (TIMED | METERED) != 0
    }
}

crate::resource! {
    /// A merchandise as AC-01 lists it and AC-03 reads it. `prod_id` is the vendor code and 16
    /// hex digits; `resource`, `rent`, `commis` and `specification` are the document's objects
    /// ([`Resources`], [`Rent`], [`Commission`], [`Specification`]).
    pub struct Merchandise: "merchandise" in "merchandise" {
        prod_id: Text,
        state: MerchandiseState,
        r#type: MerchandiseType,
        name: Text,
        desc: Text as "description",
        tags: Text,
        sequence: Int as "sort_order",
        bonus: Bool,
        price: Int,
        orig_price: Int,
        freight: Int,
        install: Bool,
        maintain: Bool,
        install_cost: Int,
        maintain_cost: Int,
        billing: Int,
        resource: Json [listed_only],
        notify_url: Text [listed_only],
        rent: Json [listed_only],
        commis: Json [listed_only],
        specification: Json [listed_only],
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
        update_tms: Time as "update_time",
    }
}

/// The pictures of a merchandise (links): a preview, introduction images, a detail image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    pub prev_res: String,
    pub intro_res: Vec<String>,
    pub detail_res: String,
}

/// The rent configuration: the deposit and the plans a renter chooses from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rent {
    /// Held while the device is rented, refunded at its removal (fen).
    pub deposit: i64,
    pub config: Vec<RentPlan>,
}

/// One rent plan, as the document writes it: `{"name": "30天", "key": "30d", "value": 60}`.
/// `value` is the plan's price (fen). The key says what it buys: `{n}d` is n days (a timed
/// rental), `{n}l` n litres (a metered one); any other key is a plan without a fixed quantity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RentPlan {
    pub name: String,
    pub key: String,
    pub value: i64,
}

impl RentPlan {
    /// The days a `{n}d` plan buys.
    pub fn days(&self) -> Option<i64> {
        self.key.strip_suffix('d').and_then(|n| n.parse().ok())
    }

    /// The litres a `{n}l` plan buys.
    pub fn litres(&self) -> Option<i64> {
        self.key.strip_suffix('l').and_then(|n| n.parse().ok())
    }
}

/// The commission configuration: whether an order of it pays commission, and the percentage of
/// each of up to three referral levels (first: the buyer's referrer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Commission {
    pub enabled: bool,
    pub config: Vec<i64>,
}

/// The product's specification (AC-05/06): its filters and its flowmeter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Specification {
    pub mode: i64,
    pub filters: Vec<FilterSpec>,
    pub flowmeter: Flowmeter,
}

/// One filter: its place, name, how its life is counted and its lives in hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterSpec {
    pub order: i64,
    pub name: String,
    /// 0 both timers (whichever ends first), 1 power-on time, 2 work time.
    pub timer_mode: i64,
    /// Power-on life (hours).
    pub lifetime: i64,
    /// Work life (hours).
    pub worklife: i64,
}

/// The flowmeter: how water is measured and each outlet's flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Flowmeter {
    /// 0 reported by the device, 1 by time, 2 by volume.
    pub measure_mode: i64,
    pub config: Vec<Outlet>,
}

/// An outlet's flow (`{"name": "常温", "key": "normal", "value": 30}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outlet {
    pub name: String,
    pub key: String,
    pub value: i64,
}

/// AC-02's body, and AC-04's (absent fields stay as they are). `prod_id` in a body is ignored:
/// the server gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MerchandiseInput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orig_price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freight: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintain: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_cost: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maintain_cost: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rent: Option<Rent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commis: Option<Commission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specification: Option<Specification>,
}
