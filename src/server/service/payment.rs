//! Payments of orders (seed 003 AD-07..10; OPS-CONTRACT.md "Orders and money").
//!
//! A user asks to pay an unpaid order (prepay): a payment is recorded as pending and the
//! provider's answer tells the client how to pay. The provider then notifies us; every
//! notification goes through [`notified`]: its signature is verified, it is matched to our
//! payment and its amount checked, and it is applied at most once (the provider's transaction id
//! is unique per channel). The order becomes paid in the same transaction; a payment that finds
//! its order already paid (or closed) is recorded and refunded, never lost.
//!
//! Two providers serve the `weixin` channel: WeChat Pay API v3
//! ([`crate::server::providers::wechatpay`]) for a vendor whose merchant is configured (AX-07),
//! else the sandbox ([`crate::server::providers::pay`]), which serves a pay page and signs its
//! notification like a real provider would, so the whole flow runs on a laptop.
//!
//! A refund is decided in the transaction that changes the order (a return refunded, a second
//! payment). The sandbox refunds at once; through WeChat Pay the refund is recorded `pending`
//! there and sent once that transaction has committed ([`send_refund`]; never while a transaction
//! is open), and again by the refund job ([`send_pending_refunds`]) until WeChat Pay answers. It is
//! then `processing`, `refunded` or `failed`; WeChat Pay's refund notification finishes it.

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    model::{error::codes, order::OrderState},
    server::{
        auth::principal::Principal,
        clock::{iso_opt, now_ms},
        db::{unique_violation, Sql, Tx},
        error::{ApiError, Error, Result},
        providers::{
            pay::{self as provider, Notification},
            wechatpay::{self, JsapiParams},
        },
        secret::random_hex,
        service::{commission, order, vendor},
        state::Ctx,
    },
};

/// What a client needs to pay (AD-07's answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prepaid {
    pub payment_id: String,
    /// `sandbox` or `wechatpay`.
    pub channel: String,
    pub amount: i64,
    /// Where the user pays: the sandbox's pay page, or WeChat Pay's Native `code_url` (shown as
    /// a QR code and scanned in WeChat). None with JSAPI.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pay_url: String,
    /// WeChat Pay: `JSAPI` (in WeChat, with the payer's openid) or `NATIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    /// WeChat Pay Native: the URL to show as a QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_url: Option<String>,
    /// WeChat Pay JSAPI: what `wx.requestPayment` takes, signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsapi: Option<JsapiParams>,
}

/// AD-07's optional body: the payer's openid in the vendor's app (a client inside WeChat has it
/// from the official account's sign-in); with it WeChat Pay prepays JSAPI, without it Native.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrepayRequest {
    pub openid: String,
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
/// `credit`, `debit`). `weixin` goes to WeChat Pay when the vendor's merchant is configured, to
/// the sandbox otherwise; the card channels answer 422 until a provider is configured for them.
pub async fn prepay(ctx: &Ctx, principal: &Principal, order_id: &str, channel: &str) -> Result<Prepaid> {
    prepay_with(ctx, principal, order_id, channel, PrepayRequest::default()).await
}

/// [`prepay`] with AD-07's optional body.
pub async fn prepay_with(
    ctx: &Ctx,
    principal: &Principal,
    order_id: &str,
    channel: &str,
    request: PrepayRequest,
) -> Result<Prepaid> {
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
    let openid = crate::model::validate::optional_text("openid", &request.openid, 128)?;
    let merchant = vendor::wechatpay_merchant(ctx, &order.vid).await?;
    let notify_url = match (&merchant, &ctx.config.wechatpay_notify_url) {
        (Some(_), None) => {
            tracing::error!(vid = %order.vid, "WECHATPAY_NOTIFY_URL is not set: no payment can go to WeChat Pay");
            return Err(unavailable());
        }
        (_, url) => url.clone().unwrap_or_default(),
    };
    let used = if merchant.is_some() { wechatpay::CHANNEL } else { provider::SANDBOX };
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
            .bind(used.to_owned())
            .bind(order.total)
            .bind(now_ms()),
        )
        .await?;
    let prepaid = Prepaid {
        pay_url: String::new(),
        payment_id: payment_id.clone(),
        channel: used.to_owned(),
        amount: order.total,
        trade_type: None,
        code_url: None,
        jsapi: None,
    };
    let Some(merchant) = merchant else {
        return Ok(Prepaid { pay_url: provider::pay_url(&payment_id), ..prepaid });
    };
    let description = format!("Order {}", order.order_id);
    let asked = wechatpay::Order {
        out_trade_no: &payment_id,
        description: &description,
        total: order.total,
        notify_url: &notify_url,
        openid: Some(openid.as_str()).filter(|o| !o.is_empty()),
    };
    match wechatpay::prepay(&ctx.config.wechatpay_base_url, &merchant, &asked).await {
        Ok(wechatpay::Prepay::Jsapi(params)) => {
            Ok(Prepaid { trade_type: Some("JSAPI".into()), jsapi: Some(params), ..prepaid })
        }
        Ok(wechatpay::Prepay::Native { code_url }) => Ok(Prepaid {
            trade_type: Some("NATIVE".into()),
            pay_url: code_url.clone(),
            code_url: Some(code_url),
            ..prepaid
        }),
        Err(e) => {
            tracing::warn!(vid = %order.vid, %payment_id, error = %e, "WeChat Pay prepay failed");
            // Never shown to the user, so never paid; if it were, its notification still counts.
            ctx.db
                .execute(
                    &Sql::new(
                        "UPDATE payments SET status = 'failed', note = $1, finish_time = $2 \
                         WHERE payment_id = $3 AND status = 'pending'",
                    )
                    .bind("the provider did not prepay".to_owned())
                    .bind(now_ms())
                    .bind(payment_id),
                )
                .await?;
            Err(unavailable())
        }
    }
}

fn unavailable() -> Error {
    ApiError::new(codes::PAY_UNAVAILABLE, "the payment provider is unavailable; please try again in a moment").into()
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

/// A sandbox payment (not a refund) by our id: (order id, amount, status), for its pay page.
pub async fn pay_of(ctx: &Ctx, payment_id: &str) -> Result<Option<(String, i64, String)>> {
    Ok(ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT order_id, amount, status FROM payments WHERE payment_id = $1 AND kind = 'pay' \
                 AND channel = $2",
            )
            .bind(payment_id.to_owned())
            .bind(provider::SANDBOX.to_owned()),
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
    /// A refund's outcome was recorded, or an event with nothing to do was acknowledged.
    Noted,
}

fn refused(why: &str) -> Error {
    ApiError::new(codes::PAYMENT_REFUSED, why.to_owned()).into()
}

/// A provider's notification (`POST /api/pay/notify/{channel}`), from its signed body: verified,
/// matched, amount-checked and applied at most once. A notification that fails verification or
/// names another amount changes nothing (and is answered as a failure, so the provider shows it
/// and sends it again). The sandbox signs with `X-Pay-Signature`; WeChat Pay with its
/// `Wechatpay-*` headers, under the key of the vendor the notification is for.
pub async fn notified(ctx: &Ctx, channel: &str, headers: &HeaderMap, body: &[u8]) -> Result<Applied> {
    match channel {
        provider::SANDBOX => {
            let signature = headers.get("X-Pay-Signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let n = provider::verify(ctx, channel, signature, body)?;
            apply(ctx, channel, None, n).await
        }
        wechatpay::CHANNEL => {
            let serial = headers.get("Wechatpay-Serial").and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
            let merchants = vendor::wechatpay_merchants_by_key(ctx, serial).await?;
            let now = now_ms() / 1000;
            let mut why = "signed with an unknown key".to_owned();
            for (vid, merchant) in merchants {
                match merchant.open_notification(headers, body, now) {
                    Ok(event) => return wechatpay_event(ctx, &vid, &merchant, event).await,
                    Err(wechatpay::Refusal(w)) => why = w,
                }
            }
            tracing::warn!(why, "a WeChat Pay notification was refused");
            Err(refused(&why))
        }
        _ => Err(refused("unknown payment channel")),
    }
}

/// A verified WeChat Pay notification of vendor `vid`.
async fn wechatpay_event(
    ctx: &Ctx,
    vid: &str,
    merchant: &wechatpay::Merchant,
    event: wechatpay::Event,
) -> Result<Applied> {
    match event {
        wechatpay::Event::Paid(t) => {
            if t.mchid != merchant.mchid || t.appid != merchant.appid {
                return Err(refused("another merchant's payment"));
            }
            if t.trade_state != "SUCCESS" || !(t.amount.currency.is_empty() || t.amount.currency == "CNY") {
                return Err(refused("not a successful payment in CNY"));
            }
            let n =
                Notification { payment_id: t.out_trade_no, transaction_id: t.transaction_id, amount: t.amount.total };
            apply(ctx, wechatpay::CHANNEL, Some(vid), n).await
        }
        wechatpay::Event::Refund(r) => {
            if r.mchid != merchant.mchid {
                return Err(refused("another merchant's refund"));
            }
            let status = match r.refund_status.as_str() {
                "SUCCESS" => "refunded",
                "CLOSED" | "ABNORMAL" => "failed",
                _ => return Ok(Applied::Noted),
            };
            if status == "failed" {
                tracing::warn!(vid, refund = %r.out_refund_no, state = %r.refund_status, "a WeChat Pay refund did not go through");
            }
            finish_refund(ctx, vid, &r.out_refund_no, status, &r.refund_id).await?;
            Ok(Applied::Noted)
        }
        wechatpay::Event::Other(kind) => {
            tracing::info!(vid, kind, "a WeChat Pay notification with nothing to do");
            Ok(Applied::Noted)
        }
    }
}

/// Applies a verified payment notification of `channel` (for vendor `vid`, when the provider
/// says whose it is): matched to our payment of that channel, amount-checked, applied once.
async fn apply(ctx: &Ctx, channel: &str, vid: Option<&str>, n: Notification) -> Result<Applied> {
    let found: Option<(String, i64, String, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new("SELECT order_id, amount, channel, corp_id FROM payments WHERE payment_id = $1 AND kind = 'pay'")
                .bind(n.payment_id.clone()),
        )
        .await?;
    // A payment of another channel or vendor is no payment of this notification's: a sandbox
    // signature never pays what WeChat Pay was asked for, one vendor's key never another's.
    let Some((order_id, amount, _, _)) =
        found.filter(|(_, _, ch, corp)| ch == channel && vid.is_none_or(|v| v == corp))
    else {
        return Err(refused("no such payment"));
    };
    if n.amount != amount {
        tracing::warn!(payment_id = %n.payment_id, expected = amount, got = n.amount, "a payment notification named another amount");
        return Err(refused("the amount does not match the payment"));
    }
    let now = now_ms();
    let mut tx = ctx.db.begin().await?;
    // `failed`: a prepay whose answer never reached the user; if it is paid after all, it counts.
    let claimed = tx
        .execute(
            &Sql::new(
                "UPDATE payments SET status = 'paid', transaction_id = $1, finish_time = $2 \
                 WHERE payment_id = $3 AND status IN ('pending', 'failed')",
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
    let (applied, refund) = if paid == 1 {
        commission::earn(&mut tx, &order_id, now).await?;
        // Install tickets, lease renewals: what the payment sets going, in the same step.
        let refunds = crate::server::service::ticket::on_paid(&mut tx, &order_id, now).await?;
        (Applied::Paid, refunds)
    } else {
        // Paid twice, or paid after it closed: the money goes back.
        let paid = Paid { payment_id: n.payment_id.clone(), amount, channel: channel.to_owned() };
        let refund = refund_in(&mut tx, &order_id, &paid, "the order was already paid or closed").await?;
        (Applied::Refunded, vec![refund])
    };
    tx.commit().await?;
    for refund in refund {
        // Not awaited: the provider's notification is answered at once.
        let ctx = ctx.clone();
        tokio::spawn(async move { refund.send(&ctx).await });
    }
    Ok(applied)
}

/// A payment that went through, as a refund needs it.
#[derive(Debug, Clone)]
pub struct Paid {
    pub payment_id: String,
    pub amount: i64,
    pub channel: String,
}

/// A refund recorded in a transaction; [`Refund::send`] it once that has committed.
#[derive(Debug, Clone)]
#[must_use = "a refund through a provider is sent after the transaction commits"]
pub struct Refund {
    pub refund_id: String,
    /// Recorded `pending`: the provider is still to be asked.
    pub to_send: bool,
}

impl Refund {
    /// Asks the provider, when it is to be asked; a failure is logged and left to the refund job.
    pub async fn send(&self, ctx: &Ctx) {
        if !self.to_send {
            return;
        }
        if let Err(e) = send_refund(ctx, &self.refund_id).await {
            tracing::warn!(refund = %self.refund_id, error = %e, "sending a refund failed; the refund job tries again");
        }
    }
}

/// Records a refund of `paid` for `order_id` in `tx`. The sandbox refunds at once; through
/// WeChat Pay the refund is `pending` until [`Refund::send`] (after commit) or the refund job
/// has asked WeChat Pay.
pub async fn refund_in(tx: &mut Tx, order_id: &str, paid: &Paid, note: &str) -> Result<Refund> {
    // Never more back than the payment brought in, whatever asks (a return, a deposit, a
    // renewal that found nothing to extend).
    let (refunded,): (i64,) = tx
        .fetch_one(
            &Sql::new(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments WHERE refund_of = $1 \
                 AND kind = 'refund' AND status <> 'failed'",
            )
            .bind(paid.payment_id.clone()),
        )
        .await?;
    let (brought,): (i64,) = tx
        .fetch_one(&Sql::new("SELECT amount FROM payments WHERE payment_id = $1").bind(paid.payment_id.clone()))
        .await?;
    if paid.amount <= 0 || refunded + paid.amount > brought {
        return Err(ApiError::new(
            codes::ORDER_STATE,
            format!(
                "a refund of {} would return more than the {brought} paid ({refunded} returned already)",
                paid.amount
            ),
        )
        .into());
    }
    let (corp_id,): (String,) =
        tx.fetch_one(&Sql::new("SELECT corp_id FROM orders WHERE order_id = $1").bind(order_id.to_owned())).await?;
    let refund_id = format!("R{}", random_hex(12).to_uppercase());
    let now = now_ms();
    let to_send = paid.channel == wechatpay::CHANNEL;
    let (status, transaction_id, finish_time) = if to_send {
        ("pending", None, None)
    } else {
        ("refunded", Some(format!("{refund_id}-{}", provider::SANDBOX)), Some(now))
    };
    tx.execute(
        &Sql::new(
            "INSERT INTO payments (payment_id, order_id, corp_id, channel, kind, amount, status, transaction_id, note, \
             create_time, finish_time, refund_of) VALUES ($1, $2, $3, $4, 'refund', $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(refund_id.clone())
        .bind(order_id.to_owned())
        .bind(corp_id)
        .bind(paid.channel.clone())
        .bind(paid.amount)
        .bind(status.to_owned())
        .bind(transaction_id)
        .bind(note.to_owned())
        .bind(now)
        .bind(finish_time)
        .bind(paid.payment_id.clone()),
    )
    .await?;
    Ok(Refund { refund_id, to_send })
}

/// The payment of an order that went through, for its refund.
pub async fn paid_total(tx: &mut Tx, order_id: &str) -> Result<Paid> {
    let row: Option<(String, i64, String)> = tx
        .fetch_optional(
            &Sql::new(
                "SELECT payment_id, amount, channel FROM payments WHERE order_id = $1 AND kind = 'pay' \
                 AND status = 'paid' ORDER BY id LIMIT 1",
            )
            .bind(order_id.to_owned()),
        )
        .await?;
    let (payment_id, amount, channel) = row.ok_or_else(|| Error::internal("a paid order without its payment"))?;
    Ok(Paid { payment_id, amount, channel })
}

/// Asks WeChat Pay for a `pending` refund (`POST /v3/refund/domestic/refunds`; sent again, the
/// same `out_refund_no` names the same refund, so a second app server or a retry is harmless).
/// Its answer makes the refund `processing`, `refunded` or `failed`; no answer, or a refusal
/// worth retrying, leaves it `pending` for the refund job.
pub async fn send_refund(ctx: &Ctx, refund_id: &str) -> Result<()> {
    let found: Option<(String, i64, String, Option<String>, String)> = ctx
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT corp_id, amount, note, refund_of, status FROM payments \
                 WHERE payment_id = $1 AND kind = 'refund' AND channel = $2",
            )
            .bind(refund_id.to_owned())
            .bind(wechatpay::CHANNEL.to_owned()),
        )
        .await?;
    let Some((vid, amount, note, Some(of), status)) = found else { return Ok(()) };
    if status != "pending" {
        return Ok(());
    }
    let (total,): (i64,) =
        ctx.db.fetch_one(&Sql::new("SELECT amount FROM payments WHERE payment_id = $1").bind(of.clone())).await?;
    let Some(merchant) = vendor::wechatpay_merchant(ctx, &vid).await? else {
        return Err(Error::internal("the vendor's WeChat Pay merchant is no longer configured"));
    };
    ctx.db
        .execute(&Sql::new("UPDATE payments SET tries = tries + 1 WHERE payment_id = $1").bind(refund_id.to_owned()))
        .await?;
    let asked = wechatpay::RefundRequest {
        out_trade_no: &of,
        out_refund_no: refund_id,
        reason: &note,
        notify_url: ctx.config.wechatpay_notify_url.as_deref(),
        refund: amount,
        total,
    };
    let (status, provider_id) = match wechatpay::refund(&ctx.config.wechatpay_base_url, &merchant, &asked).await {
        Ok(answer) => {
            let status = match answer.status.as_str() {
                "SUCCESS" => "refunded",
                "CLOSED" | "ABNORMAL" => "failed",
                _ => "processing",
            };
            (status, Some(answer.refund_id))
        }
        Err(e) if e.retryable() => return Err(Error::internal(e.to_string())),
        Err(e) => {
            tracing::error!(vid, refund = refund_id, error = %e, "WeChat Pay refused a refund: it needs a person");
            ("failed", None)
        }
    };
    finish_refund(ctx, &vid, refund_id, status, provider_id.as_deref().unwrap_or_default()).await
}

/// Moves a refund of `vid` on to `status` with the provider's refund id (kept when it had one).
async fn finish_refund(ctx: &Ctx, vid: &str, refund_id: &str, status: &str, provider_id: &str) -> Result<()> {
    let finished = (status != "processing").then(now_ms);
    let updated = ctx
        .db
        .execute(
            &Sql::new(
                "UPDATE payments SET status = $1, transaction_id = COALESCE(transaction_id, $2), finish_time = $3 \
                 WHERE payment_id = $4 AND corp_id = $5 AND kind = 'refund' AND status IN ('pending', 'processing')",
            )
            .bind(status.to_owned())
            .bind(Some(provider_id.to_owned()).filter(|p| !p.is_empty()))
            .bind(finished)
            .bind(refund_id.to_owned())
            .bind(vid.to_owned()),
        )
        .await;
    match updated {
        // The provider's refund id already names another refund: not ours to finish.
        Err(e) if unique_violation(&e) => Err(refused("that refund id belongs to another refund")),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// The refund job's pass: asks WeChat Pay for every refund still `pending` a minute after it was
/// recorded (the first try is made at once, after its transaction commits). Answers how many
/// were sent.
pub async fn send_pending_refunds(ctx: &Ctx, now: i64) -> Result<usize> {
    let pending: Vec<(String,)> = ctx
        .db
        .fetch_all(
            &Sql::new(
                "SELECT payment_id FROM payments WHERE kind = 'refund' AND status = 'pending' AND create_time <= $1 \
                 ORDER BY id LIMIT 100",
            )
            .bind(now - 60_000),
        )
        .await?;
    for (refund_id,) in &pending {
        if let Err(e) = send_refund(ctx, refund_id).await {
            tracing::warn!(refund = %refund_id, error = %e, "a refund is still not through to the provider");
        }
    }
    Ok(pending.len())
}

/// Every payment and refund of the vendor's orders, newest first unless sorted: the vendor's
/// members who read orders (1801), or the platform.
pub async fn list(
    ctx: &Ctx,
    principal: &Principal,
    query: &crate::server::list::ListQuery,
) -> Result<crate::model::list::Page> {
    use crate::{
        model::{order::Payment, permission::READ_ORDERS, vendor::Area},
        server::{
            list::{self, Dir},
            scope::Scope,
            service::{permission, vendor},
        },
    };
    let scope = match principal {
        Principal::Platform(_) => Scope::every_corp(),
        Principal::Member(_) => Scope::corp(&permission::require(principal, READ_ORDERS)?.corp_id),
        _ => return Err(ApiError::forbidden().into()),
    };
    vendor::require_caller_area(ctx, principal, Area::Orders).await?;
    let query = query.clone().sorted_by_default(&list::ROW_ID, Dir::Desc);
    Ok(list::run(&ctx.db, &Payment::RESOURCE, &query, scope).await?)
}
