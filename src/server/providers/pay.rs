//! Payment providers. Today the sandbox (the default): it serves a pay page
//! (`GET /pay/sandbox/{payment_id}`) whose button makes it send a notification signed like a real
//! provider's — HMAC-SHA256 of the body under a key derived from `SECRETS_KEY`, which every app
//! server shares — through the one verification path every notification takes
//! ([`crate::server::service::payment::notified`]), so the whole flow runs on a laptop. The real
//! provider, WeChat Pay API v3, is [`super::wechatpay`]; it pays for the vendors whose merchant is
//! configured, the sandbox for the others.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    model::error::codes,
    server::{
        error::{ApiError, Error, Result},
        secret::{hex, unhex},
        state::Ctx,
    },
};

pub const SANDBOX: &str = "sandbox";

/// What a provider tells us of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Ours (the out_trade_no we gave it).
    pub payment_id: String,
    /// The provider's, unique per payment.
    pub transaction_id: String,
    /// What was paid (fen).
    pub amount: i64,
}

/// The sandbox's pay page for a payment.
pub fn pay_url(payment_id: &str) -> String {
    format!("/pay/sandbox/{payment_id}")
}

fn key(ctx: &Ctx) -> Result<Hmac<Sha256>> {
    let seal = ctx.seal_key()?;
    // A key of its own, derived, so a sandbox signature says nothing of the sealing key.
    let mut derive = Hmac::<Sha256>::new_from_slice(&seal.0).expect("HMAC takes any key length");
    derive.update(b"backoffice sandbox payment notifications");
    let derived = derive.finalize().into_bytes();
    Ok(Hmac::<Sha256>::new_from_slice(&derived).expect("HMAC takes any key length"))
}

/// The sandbox's signature of a notification body (hex).
pub fn sign(ctx: &Ctx, body: &[u8]) -> Result<String> {
    let mut mac = key(ctx)?;
    mac.update(body);
    Ok(hex(&mac.finalize().into_bytes()))
}

/// The notification in `body`, if `signature` is the provider's over it.
pub fn verify(ctx: &Ctx, channel: &str, signature: &str, body: &[u8]) -> Result<Notification> {
    let refused = |why: &str| ApiError::new(codes::PAYMENT_REFUSED, why.to_owned());
    if channel != SANDBOX {
        return Err(refused("unknown payment channel").into());
    }
    let mut mac = key(ctx)?;
    mac.update(body);
    let given = unhex(signature.trim()).ok_or_else(|| refused("bad signature"))?;
    mac.verify_slice(&given).map_err(|_| refused("bad signature"))?;
    serde_json::from_slice(body).map_err(|_| refused("not a notification").into())
}

/// The body and signature the sandbox sends when its pay page's button is pressed.
pub fn sandbox_notification(ctx: &Ctx, payment_id: &str, amount: i64) -> Result<(Vec<u8>, String)> {
    let n = Notification {
        payment_id: payment_id.to_owned(),
        transaction_id: format!("SBX{}", crate::server::secret::random_hex(10).to_uppercase()),
        amount,
    };
    let body = serde_json::to_vec(&n).map_err(|e| crate::server::error::Error::Internal(Box::new(e)))?;
    let signature = sign(ctx, &body)?;
    Ok((body, signature))
}

/// The sandbox's pay page: the amount and a button (`GET /pay/sandbox/{payment_id}`).
pub async fn page(
    axum::extract::State(ctx): axum::extract::State<Ctx>,
    axum::extract::Path(payment_id): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let back = back_link(&ctx, &payment_id).await;
    let found = crate::server::service::payment::pay_of(&ctx, &payment_id).await;
    let (status, body) = match found {
        Ok(Some((order_id, amount, status))) if status == "pending" => (
            axum::http::StatusCode::OK,
            format!(
                "<h1>Sandbox payment</h1><p>Order <b data-testid=\"order\">{}</b></p>\
                 <p>Amount <b data-testid=\"amount\">{}</b> yuan</p>\
                 <form method=\"post\"><button type=\"submit\" data-testid=\"pay\">Pay</button></form>\
                 <p>No money moves: this is the sandbox provider.</p>{back}",
                escape(&order_id),
                crate::model::money::yuan(amount),
            ),
        ),
        Ok(Some((order_id, _, status))) => (
            axum::http::StatusCode::OK,
            format!(
                "<h1>Sandbox payment</h1><p data-testid=\"status\">Order {}: {}</p>{back}",
                escape(&order_id),
                escape(&status),
            ),
        ),
        Ok(None) => (axum::http::StatusCode::NOT_FOUND, "<h1>No such payment</h1>".to_owned()),
        Err(e) => {
            tracing::error!(error = %e, "the sandbox pay page failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "<h1>Please try again</h1>".to_owned())
        }
    };
    (status, axum::response::Html(shell(&body))).into_response()
}

/// The sandbox's button: it pays, sending its signed notification through the same path a real
/// provider's takes (`POST /pay/sandbox/{payment_id}`).
pub async fn pay(
    axum::extract::State(ctx): axum::extract::State<Ctx>,
    axum::extract::Path(payment_id): axum::extract::Path<String>,
) -> axum::response::Response {
    use crate::server::service::payment;
    use axum::response::IntoResponse;
    let outcome = async {
        let Some((_, amount, _)) = payment::pay_of(&ctx, &payment_id).await? else {
            return Ok(None);
        };
        let (body, signature) = sandbox_notification(&ctx, &payment_id, amount)?;
        let mut headers = axum::http::HeaderMap::new();
        let signature = axum::http::HeaderValue::from_str(&signature).map_err(|e| Error::Internal(Box::new(e)))?;
        headers.insert("X-Pay-Signature", signature);
        payment::notified(&ctx, SANDBOX, &headers, &body).await.map(Some)
    }
    .await;
    let (status, text) = match outcome {
        Ok(Some(payment::Applied::Paid)) => (axum::http::StatusCode::OK, "Paid"),
        Ok(Some(payment::Applied::Refunded)) => {
            (axum::http::StatusCode::OK, "This order was already paid or closed: the payment was refunded")
        }
        Ok(Some(payment::Applied::Duplicate | payment::Applied::Noted)) => (axum::http::StatusCode::OK, "Already paid"),
        Ok(None) => (axum::http::StatusCode::NOT_FOUND, "No such payment"),
        Err(e) => {
            tracing::warn!(error = %e, "the sandbox payment failed");
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, "The payment failed")
        }
    };
    let back = back_link(&ctx, &payment_id).await;
    let body = format!("<h1>Sandbox payment</h1><p data-testid=\"result\">{text}</p>{back}");
    (status, axum::response::Html(shell(&body))).into_response()
}

/// The way back from the pay page: the order's page on its vendor's mobile site, made here from
/// the payment (never from the request, so the page cannot be made to send anyone elsewhere).
async fn back_link(ctx: &Ctx, payment_id: &str) -> String {
    let sql = crate::server::db::Sql::new(
        "SELECT c.vendor_code, p.order_id FROM payments p JOIN corps c ON c.id = p.corp_id WHERE p.payment_id = $1",
    )
    .bind(payment_id.to_owned());
    match ctx.db.fetch_optional::<(String, String)>(&sql).await {
        Ok(Some((code, order_id))) => format!(
            "<p><a href=\"/m/{}/orders/{}\" data-testid=\"back\">Back to the order</a></p>",
            escape(&code),
            escape(&order_id)
        ),
        Ok(None) => String::new(),
        Err(e) => {
            tracing::warn!(error = %e, "the sandbox pay page could not find its way back");
            String::new()
        }
    }
}

fn shell(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width\"><title>Sandbox payment</title></head>\
         <body style=\"font-family:sans-serif;max-width:30rem;margin:2rem auto\">{body}</body></html>"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
