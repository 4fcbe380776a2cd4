//! Commission (佣金, seed 003 七) as `/api`, the portals and the mobile site read it: the ledger's
//! entries, an account's balances and its withdrawals. Amounts in fen.

use serde::{Deserialize, Serialize};

use crate::model::resource::kind::*;

crate::resource! {
    /// One ledger entry (AE-01). `account` is `u:{uid}` (a user) or `d:{dealer id}` (a dealer);
    /// `bucket` pending, available, withdrawing or withdrawn; `kind` earn, activate, reverse,
    /// withdraw, payout or reject; `level` 1–3 for what an order earned.
    pub struct CommissionEntry: "commission" in "commission_entries" {
        id: Int,
        account: Text,
        bucket: Text,
        amount: Int,
        kind: Text,
        order_id: Option<Text>,
        level: Option<Int>,
        withdrawal_id: Option<Text>,
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
    }
}

crate::resource! {
    /// A withdrawal: asked by an account, paid out to its bank card or rejected by the vendor.
    /// `status`: requested, paid, rejected.
    pub struct Withdrawal: "withdrawal" in "withdrawals" {
        withdrawal_id: Text,
        account: Text,
        amount: Int,
        bank_card: Text,
        status: Text,
        vid: Text as "corp_id",
        create_tms: Time as "create_time",
        decide_tms: Option<Time> as "decide_time",
        decided_by: Text,
    }
}

/// An account's balances (AE-02): what waits for its orders to be done, what may be withdrawn,
/// what is being paid out, what was paid out, and what it owes (commission reversed after it was
/// withdrawn, taken from what it earns next).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pending: i64,
    pub available: i64,
    pub withdrawing: i64,
    pub withdrawn: i64,
    pub debt: i64,
}

/// AE-03's body. The idempotency key (any text up to 64 characters) makes a retried request one
/// withdrawal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithdrawalInput {
    pub amount: i64,
    pub bank_card: String,
    pub idempotency_key: String,
}
