//! Orders (seed 003 AD-01..06, AD-11..15): users order and follow their orders, the vendor (and a
//! dealer, for shipping) fulfils them. Payments (AD-07..10) come with the payment providers.
//! Closing an unpaid order (`POST /api/orders/{order_id}/status/close`) is an addition the
//! document's `close` state needs.

use axum::{
    extract::State,
    routing::{delete, get, post, put},
};
use serde::Deserialize;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, OptionalJson, Path},
        Routes,
    },
    envelope::{Reply, Result},
    page,
    params::ListParams,
    record,
};
use crate::{
    model::order::{Delivery, NewOrder, Order},
    server::{
        auth::principal::Principal,
        service::{order, payment},
        state::Ctx,
    },
};

const TAG: Tag = Tag("orders");

fn line_schema() -> serde_json::Value {
    object(&[
        ("product_id", string()),
        ("name", string()),
        ("quantity", integer()),
        ("price", integer()),
        ("freight", integer()),
        ("install_cost", integer()),
        ("deposit", integer()),
        ("rent_plan", string()),
        ("rent", integer()),
    ])
}

fn order_schema() -> serde_json::Value {
    let mut schema = resource(&Order::RESOURCE);
    schema["properties"]["content"] = array(line_schema());
    schema
}

fn delivery_schema() -> serde_json::Value {
    object(&[("company", string()), ("tracking_num", string()), ("delivery_clerk?", string())])
}

pub(super) fn routes(api: Routes) -> Routes {
    let status = |path: &'static str, summary: &'static str| {
        TAG.op("post", path, summary, None, Some(order_schema())).answers(201)
    };
    let new_order = object(&[
        ("content", array(object(&[("product_id", string()), ("quantity", integer()), ("plan?", string())]))),
        (
            "receiver",
            object(&[
                ("name", string()),
                ("phone", string()),
                ("area", string()),
                ("address", string()),
                ("zipcode?", string()),
            ]),
        ),
        ("memo?", string()),
    ]);
    api.op(
        TAG.op(
            "get",
            "/api/orders",
            "AD-01 Orders, newest first: the vendor's (view orders), a dealer's users' (its scope and below), a \
             user's own, the platform every vendor's. Filters: state, uid, …",
            None,
            Some(object(&[("orders", array(order_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "post",
            "/api/orders",
            "AD-02 A user orders merchandise on sale (a rent plan's key for a rental); prices are copied into the \
             order",
            Some(new_order),
            Some(order_schema()),
        )
        .answers(201),
        post(create),
    )
    .op(TAG.op("get", "/api/orders/{order_id}", "AD-03 An order with its lines", None, Some(order_schema())), get(read))
    .op(
        TAG.op(
            "get",
            "/api/orders/{order_id}/delivery",
            "AD-04 How the order was shipped",
            None,
            Some(delivery_schema()),
        ),
        get(read_delivery),
    )
    .op(
        TAG.op(
            "post",
            "/api/orders/{order_id}/delivery",
            "AD-05 Ship a paid order with its delivery information (the vendor's order handlers, or a dealer in \
             scope)",
            Some(delivery_schema()),
            Some(order_schema()),
        )
        .answers(201),
        post(ship),
    )
    .op(
        TAG.op(
            "put",
            "/api/orders/{order_id}/delivery",
            "AD-06 Correct a shipped order's delivery information (the vendor's order handlers)",
            Some(delivery_schema()),
            Some(order_schema()),
        )
        .answers(201),
        put(edit_delivery),
    )
    .op(
        TAG.op(
            "post",
            "/api/orders/{order_id}/prepay/{channel}",
            "AD-07..09 The user pays an unpaid order: channel weixin (WeChat Pay API v3 when the vendor's merchant \
             is configured: JSAPI with the optional body's openid, answering jsapi, the signed parameters of \
             wx.requestPayment, else Native, answering code_url; otherwise the sandbox, whose pay_url is its pay \
             page), credit or debit (422 until a provider is configured); 503 when WeChat Pay is unavailable",
            Some(object(&[("openid?", string())])),
            Some(object(&[
                ("payment_id", string()),
                ("channel", string()),
                ("amount", integer()),
                ("pay_url?", string()),
                ("trade_type?", string()),
                ("code_url?", string()),
                (
                    "jsapi?",
                    object(&[
                        ("appId", string()),
                        ("timeStamp", string()),
                        ("nonceStr", string()),
                        ("package", string()),
                        ("signType", string()),
                        ("paySign", string()),
                    ]),
                ),
            ])),
        )
        .answers(201),
        post(prepay),
    )
    .op(
        TAG.op(
            "get",
            "/api/orders/{order_id}/payment",
            "AD-10 Every payment and refund of the order, oldest first",
            None,
            Some(object(&[(
                "payments",
                array(object(&[
                    ("payment_id", string()),
                    ("channel", string()),
                    ("kind", string()),
                    ("amount", integer()),
                    ("status", string()),
                    ("transaction_id", string()),
                    ("note", string()),
                    ("create_tms", string()),
                    ("finish_tms", string()),
                ])),
            )])),
        ),
        get(payments),
    )
    .op(
        TAG.op(
            "post",
            "/api/pay/notify/{channel}",
            "A payment provider's notification: sandbox (X-Pay-Signature over the body) or wechatpay (WeChat Pay \
             API v3: Wechatpay-Timestamp, -Nonce, -Serial and -Signature, the resource AES-256-GCM encrypted); \
             verified, amount-checked, applied once; 422 when it fails verification (the provider sends it again)",
            None,
            Some(object(&[("result", string())])),
        ),
        post(notify),
    )
    .op(
        status("/api/orders/{order_id}/status/confirm", "AD-11 Confirm receipt (the user); 422 unless delivered"),
        post(confirm),
    )
    .op(
        TAG.op(
            "post",
            "/api/orders/{order_id}/status/return",
            "AD-12 Ask to return a received order within the return window (the user); optional reason",
            Some(object(&[("reason?", string())])),
            Some(order_schema()),
        )
        .answers(201),
        post(ask_return),
    )
    .op(
        status("/api/orders/{order_id}/status/consent", "AD-13 Agree to a return (the vendor); 422 unless asked"),
        post(consent),
    )
    .op(
        TAG.op(
            "put",
            "/api/orders/{order_id}/status/refund",
            "AD-14 The goods are back: refund the order (the vendor); 422 when its state does not allow it",
            None,
            Some(order_schema()),
        )
        .answers(201),
        put(refund),
    )
    .op(
        status("/api/orders/{order_id}/status/close", "Close an unpaid order (the user, or the vendor); 422 once paid"),
        post(close),
    )
    .op(
        TAG.op(
            "delete",
            "/api/orders/{order_id}",
            "AD-15 Delete an order that is over (the platform): hidden from the vendor, dealers and user, kept for \
             the accounts",
            None,
            None,
        )
        .answers(204),
        delete(remove),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Order::RESOURCE, &[])?;
    Ok(page("orders", &Order::RESOURCE, order::list(&ctx, &principal, &query).await?))
}

async fn create(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<NewOrder>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::create(&ctx, &principal, body).await?)))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Ok(record(&Order::RESOURCE, order::get(&ctx, &principal, &id).await?)))
}

async fn read_delivery(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Ok(order::delivery(&ctx, &principal, &id).await?))
}

async fn ship(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>, Json(d): Json<Delivery>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::ship(&ctx, &principal, &id, d).await?)))
}

async fn edit_delivery(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    Json(d): Json<Delivery>,
) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::edit_delivery(&ctx, &principal, &id, d).await?)))
}

async fn confirm(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::confirm(&ctx, &principal, &id).await?)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reason {
    reason: String,
}

/// The body is optional: none, or `{"reason"}`.
async fn ask_return(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<Reason>,
) -> Result {
    let reason = body.map(|b| b.reason).unwrap_or_default();
    Ok(Reply::Created(record(&Order::RESOURCE, order::ask_return(&ctx, &principal, &id, &reason).await?)))
}

async fn consent(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::consent(&ctx, &principal, &id).await?)))
}

async fn refund(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::refund(&ctx, &principal, &id).await?)))
}

async fn close(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Order::RESOURCE, order::close(&ctx, &principal, &id).await?)))
}

async fn remove(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    order::delete(&ctx, &principal, &id).await?;
    Ok(Reply::Deleted)
}

/// The body is optional: none, or `{"openid"}`.
async fn prepay(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path((id, channel)): Path<(String, String)>,
    OptionalJson(request): OptionalJson<payment::PrepayRequest>,
) -> Result {
    let request = request.unwrap_or_default();
    Ok(Reply::created(payment::prepay_with(&ctx, &principal, &id, &channel, request).await?))
}

async fn payments(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::ok(serde_json::json!({ "payments": payment::of_order(&ctx, &principal, &id).await? })))
}

/// A provider calls this without a token: the signature is its credential.
async fn notify(
    State(ctx): State<Ctx>,
    Path(channel): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result {
    let applied = payment::notified(&ctx, &channel, &headers, &body).await?;
    let result = match applied {
        payment::Applied::Paid => "paid",
        payment::Applied::Refunded => "refunded",
        payment::Applied::Duplicate => "duplicate",
        payment::Applied::Noted => "noted",
    };
    Ok(Reply::ok(serde_json::json!({ "result": result })))
}
