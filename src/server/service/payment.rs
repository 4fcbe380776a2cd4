//! Payments of orders (seed 003 AD-07..10; OPS-CONTRACT.md "Orders and money").
//!
//! A user asks to pay an unpaid order (prepay): a payment is recorded as pending and the
//! provider's answer tells the client how to pay. The provider then notifies us; every
//! notification goes through [`notified`]: its signature is verified, it is matched to our
//! payment and its amount checked, and it is applied at most once (the provider's transaction id
//! is unique per channel). The order becomes paid in the same transaction; a payment that finds
//! its order already paid (or closed) is recorded and refunded, never lost.
//!
//! The provider today is the sandbox ([`crate::server::providers::pay`]): it serves a pay page
//! and signs its notification like a real provider would, so the whole flow runs on a laptop.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    model::{error::codes, order::OrderState},
    server::{
        auth::principal::Principal,
        clock::{iso_opt, now_ms},
        db::{unique_violation, Sql, Tx},
        error::{ApiError, Error, Result},
        providers::pay::{self as provider, Notification},
        secret::random_hex,
        service::{commission, order},
        state::Ctx,
    },
};

/// What a client needs to pay (AD-07's answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prepaid {
    pub payment_id: String,
    pub channel: String,
    pub amount: i64,
    /// Where the user pays (the sandbox's pay page).
    pub pay_url: String,
}

/// One payment or refund of an order (AD-10).
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct PaymentRow {
    pub payment_id: String,
    pub channel: String,
    pub kind: String,
    pub amount: i64,
    pub status: String,
    pub transaction_id: Option<String>,
    pub note: String,
    pub create_time: i64,
    pub finish_time: Option<i64>,
}

/// AD-07..09: the user who made an unpaid order asks to pay it through `channel` (`weixin`,
/// `credit`, `debit`). `weixin` goes to the configured provider (the sandbox by default); the
/// card channels answer 422 until a provider is configured for them.
pub async fn prepay(ctx: &Ctx, principal: &Principal, order_id: &str, channel: &str) -> Result<Prepaid> {
    let Principal::EndUser(_) = principal else {
        return Err(ApiError::new(codes::FORBIDDEN, "an order is paid by the user who made it").into());
    };
    // A user reads only its own orders: another's answers 404 here.
    let order = order::find(ctx, principal, order_id).await?;
    if channel != "weixin" {
        return Err(ApiError::new(codes::PAY_CHANNEL_OFF, format!("channel not configured: {channel}")).into());
    }
    if order.state != OrderState::Obligation {
        return Err(ApiError::new(codes::ORDER_STATE, "this order is not awaiting payment").into());
    }
    let payment_id = format!("P{}", random_hex(12).to_uppercase());
    ctx.db
        .execute(
            &Sql::new(
                "INSERT INTO payments (payment_id, order_id, corp_id, channel, kind, amount, status, create_time) \
                 VALUES ($1, $2, $3, $4, 'pay', $5, 'pending', $6)",
            )
            .bind(payment_id.clone())
            .bind(order.order_id.clone())
            .bind(order.vid.clone())
            .bind(provider::SANDBOX.to_owned())
            .bind(order.total)
            .bind(now_ms()),
        )
        .await?;
    Ok(Prepaid {
        pay_url: provider::pay_url(&payment_id),
        payment_id,
        channel: provider::SANDBOX.to_owned(),
        amount: order.total,
    })
}

/// AD-10: every payment and refund of an order the caller may read, oldest first.
pub async fn of_order(ctx: &Ctx, principal: &Principal, order_id: &str) -> Result<Vec<Value>> {
    let order = order::find(ctx, principal, order_id).await?;
    let rows: Vec<PaymentRow> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT payment_id, channel, kind, amount, status, transaction_id, note, create_time, finish_time \
                 FROM payments WHERE order_id = $1 ORDER BY id",
            )
            .bind(order.order_id),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            json!({
                "payment_id": r.payment_id, "channel": r.channel, "kind": r.kind, "amount": r.amount,
                "status": r.status, "transaction_id": r.transaction_id, "note": r.note,
                "create_tms": iso_opt(Some(r.create_time)), "finish_tms": iso_opt(r.finish_time),
            })
        })
        .collect())
}

/// A payment (not a refund) by our id: (order id, amount, status).
pub async fn pay_of(ctx: &Ctx, payment_id: &str) -> Result<Option<(String, i64, String)>> {
    Ok(ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT order_id, amount, status FROM payments WHERE payment_id = $1 AND kind = 'pay'")
                .bind(payment_id.to_owned()),
        )
        .await?)
}

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The order is paid.
    Paid,
    /// The payment came for an order already paid or closed: recorded and refunded.
    Refunded,
    /// This transaction was applied before: nothing done.
    Duplicate,
}

/// A provider's notification, from its signed body: verified, matched, amount-checked and
/// applied at most once. A notification that fails verification or names another amount
/// changes nothing (and is answered as a failure, so the provider shows it).
pub async fn notified(ctx: &Ctx, channel: &str, signature: &str, body: &[u8]) -> Result<Applied> {
    let n: Notification = provider::verify(ctx, channel, signature, body)?;
    let Some((order_id, amount, _)) = pay_of(ctx, &n.payment_id).await? else {
        return Err(ApiError::new(codes::PAYMENT_REFUSED, "no such payment").into());
    };
    if n.amount != amount {
        tracing::warn!(payment_id = %n.payment_id, expected = amount, got = n.amount, "a payment notification named another amount");
        return Err(ApiError::new(codes::PAYMENT_REFUSED, "the amount does not match the payment").into());
    }
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    let claimed = tx
        .execute(
            &Sql::new(
                "UPDATE payments SET status = 'paid', transaction_id = $1, finish_time = $2 \
                 WHERE payment_id = $3 AND status = 'pending'",
            )
            .bind(n.transaction_id.clone())
            .bind(now)
            .bind(n.payment_id.clone()),
        )
        .await;
    match claimed {
        Ok(1) => {}
        // Already applied (a resend), or this transaction id already paid another payment.
        Ok(_) => return Ok(Applied::Duplicate),
        Err(e) if unique_violation(&e) => return Ok(Applied::Duplicate),
        Err(e) => return Err(e.into()),
    }
    let paid = tx
        .execute(
            &Sql::new(
                "UPDATE orders SET state = $1, pay_ch = $2, pay_time = $3, bill_no = $4, transaction_no = $5, \
                 update_time = $3 WHERE order_id = $6 AND state = $7",
            )
            .bind(OrderState::Paid.code())
            .bind(channel.to_owned())
            .bind(now)
            .bind(n.payment_id.clone())
            .bind(n.transaction_id.clone())
            .bind(order_id.clone())
            .bind(OrderState::Obligation.code()),
        )
        .await?;
    let applied = if paid == 1 {
        commission::earn(&mut tx, &order_id, now).await?;
        Applied::Paid
    } else {
        // Paid twice, or paid after it closed: the money goes back.
        refund_in(&mut tx, &order_id, channel, amount, "the order was already paid or closed").await?;
        Applied::Refunded
    };
    tx.commit().await?;
    Ok(applied)
}

/// Records a refund of `amount` for `order_id` through `channel`, in `tx`. The sandbox refunds
/// at once; a real provider's refund is confirmed by its own notification.
pub async fn refund_in(tx: &mut Tx, order_id: &str, channel: &str, amount: i64, note: &str) -> Result<String> {
    let (corp_id,): (String,) =
        tx.fetch_one(&Sql::new("SELECT corp_id FROM orders WHERE order_id = $1").bind(order_id.to_owned())).await?;
    let refund_id = format!("R{}", random_hex(12).to_uppercase());
    let now = now_ms();
    tx.execute(
        &Sql::new(
            "INSERT INTO payments (payment_id, order_id, corp_id, channel, kind, amount, status, transaction_id, note, \
             create_time, finish_time) VALUES ($1, $2, $3, $4, 'refund', $5, 'refunded', $6, $7, $8, $8)",
        )
        .bind(refund_id.clone())
        .bind(order_id.to_owned())
        .bind(corp_id)
        .bind(channel.to_owned())
        .bind(amount)
        .bind(format!("{refund_id}-{}", provider::SANDBOX))
        .bind(note.to_owned())
        .bind(now),
    )
    .await?;
    Ok(refund_id)
}

/// The total paid for an order (payments that went through), for its refund.
pub async fn paid_total(tx: &mut Tx, order_id: &str) -> Result<(i64, String)> {
    let row: Option<(i64, String)> = tx
        .fetch_optional(
            &Sql::new(
                "SELECT amount, channel FROM payments WHERE order_id = $1 AND kind = 'pay' AND status = 'paid' \
                 ORDER BY id LIMIT 1",
            )
            .bind(order_id.to_owned()),
        )
        .await?;
    row.ok_or_else(|| Error::internal("a paid order without its payment"))
}
