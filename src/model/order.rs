//! Orders (订单, seed 003 AD-01..15): what an end user buys or rents, as `/api`, the portals and
//! the mobile site read it. Amounts are fen, copied from the merchandise when the order is made,
//! so later catalogue edits never change an order.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::number_enum! {
    /// The document's order states, in its order (OPS-CONTRACT.md): created and awaiting payment,
    /// paid, shipped, received, return asked, return agreed, refunded, closed unpaid, done.
    pub enum OrderState {
        Obligation = 0, Paid = 1, Delivered = 2, Received = 3, Return = 4, Consent = 5, Refund = 6,
        Close = 7, Done = 8,
    }
}

crate::resource! {
    /// An order as AD-01 lists it and AD-03 reads it (with its lines as `content`). `goods` is
    /// Σ price × quantity of what was bought; `rent` Σ plan price × quantity of what was rented;
    /// `total` = goods + freight + install_fee + deposit + rent. `receiver` and `delivery` are the
    /// document's objects ([`Receiver`], [`Delivery`]).
    pub struct Order: "order" in "orders" {
        order_id: Text,
        state: OrderState,
        uid: Text,
        vid: Text as "corp_id",
        goods: Int,
        freight: Int,
        install_fee: Int,
        deposit: Int,
        rent: Int,
        total: Int,
        receiver: Json [listed_only],
        memo: Text,
        delivery: Json [listed_only],
        pay_ch: Text,
        pay_tms: Option<Time> as "pay_time",
        bill_no: Text,
        transaction_no: Text,
        delivery_tms: Option<Time> as "delivery_time",
        receive_tms: Option<Time> as "receive_time",
        return_tms: Option<Time> as "return_time",
        return_reason: Text,
        consent_tms: Option<Time> as "consent_time",
        refund_tms: Option<Time> as "refund_time",
        close_tms: Option<Time> as "close_time",
        complete_tms: Option<Time> as "complete_time",
        create_tms: Time as "create_time",
        update_tms: Time as "update_time",
    }
}

/// One line of an order, with what it cost when the order was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: String,
    pub name: String,
    pub quantity: i64,
    /// The unit price (0 for a rental: it pays `rent` and `deposit` instead).
    pub price: i64,
    pub freight: i64,
    /// Installation, for the whole line.
    pub install_cost: i64,
    /// Deposit, for the whole line.
    pub deposit: i64,
    /// The rent plan's key for a rental ('' for a purchase), and the line's rent.
    pub rent_plan: String,
    pub rent: i64,
}

/// The receiver of an order (AD-02's `receiver`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Receiver {
    pub name: String,
    pub phone: String,
    pub area: String,
    pub address: String,
    pub zipcode: String,
}

/// How an order was shipped (AD-04..06).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub company: String,
    pub tracking_num: String,
    pub delivery_clerk: String,
}

/// One wanted line of AD-02: a merchandise, how many, and for a rental the plan's key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Wanted {
    pub product_id: String,
    pub quantity: i64,
    pub plan: String,
    /// A renewal: the serial of the rented device whose lease this line extends (its plan's
    /// days or litres, no deposit, no installation, no freight).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub device_id: String,
}

/// AD-02's body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrder {
    pub content: Vec<Wanted>,
    pub receiver: Receiver,
    pub memo: String,
}

crate::resource! {
    /// A payment or a refund of an order (AD-10), as the vendor's payments table lists them:
    /// `kind` pay or refund; `status` pending, paid, processing, refunded or failed; `amount` fen.
    pub struct Payment: "payment" in "payments" {
        payment_id: Text,
        order_id: Text,
        kind: Text,
        channel: Text,
        amount: Int,
        status: Text,
        transaction_id: Option<Text>,
        note: Text,
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
        finish_tms: Option<Time> as "finish_time",
    }
}

/// Where a user pays an order, as the mobile site shows it: the provider's page to go to (the
/// sandbox's), or a code to scan in WeChat (WeChat Pay Native), drawn as a QR code (SVG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayAt {
    Page(String),
    Scan { code_url: String, qr_svg: String },
}
