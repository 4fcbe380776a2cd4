//! Commission (seed 003 七 AE-01..03) and withdrawals: users and dealers see and withdraw their
//! own, the vendor sees all of its vendor's and pays withdrawals out or rejects them.

use axum::{
    extract::State,
    routing::{get, post},
};

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, Path},
        Routes,
    },
    envelope::{Reply, Result},
    page,
    params::ListParams,
    record,
};
use crate::{
    model::commission::{CommissionEntry, Withdrawal, WithdrawalInput},
    server::{auth::principal::Principal, service::commission, state::Ctx},
};

const TAG: Tag = Tag("commission");

fn summary_schema() -> serde_json::Value {
    object(&[
        ("pending", integer()),
        ("available", integer()),
        ("withdrawing", integer()),
        ("withdrawn", integer()),
        ("debt", integer()),
    ])
}

pub(super) fn routes(api: Routes) -> Routes {
    api.op(
        TAG.op(
            "get",
            "/api/commission",
            "AE-01 Commission ledger entries, newest first: a user's or a dealer's own, the vendor's all (view \
             commission). Filters: account, bucket, kind, order_id, …",
            None,
            Some(object(&[("commission", array(resource(&CommissionEntry::RESOURCE)))])),
        ),
        get(list),
    )
    .op(
        TAG.op(
            "get",
            "/api/commission/summary",
            "AE-02 Balances: pending, available, withdrawing, withdrawn, debt (the caller's own; the vendor's in all)",
            None,
            Some(summary_schema()),
        ),
        get(summary),
    )
    .op(
        TAG.op(
            "post",
            "/api/commission",
            "AE-03 Withdraw from what is available (a user or a dealer): {amount, bank_card, idempotency_key}; \
             at least the minimum, 30 seconds after the last (422 otherwise)",
            Some(object(&[("amount", integer()), ("bank_card", string()), ("idempotency_key", string())])),
            Some(resource(&Withdrawal::RESOURCE)),
        )
        .answers(201),
        post(withdraw),
    )
    .op(
        TAG.op(
            "get",
            "/api/commission/withdrawals",
            "Withdrawals: the caller's own, or the vendor's all (view commission). Filters: status, account",
            None,
            Some(object(&[("withdrawals", array(resource(&Withdrawal::RESOURCE)))])),
        ),
        get(withdrawals),
    )
    .op(
        TAG.op(
            "post",
            "/api/commission/withdrawals/{withdrawal_id}/pay",
            "Pay a requested withdrawal out to its bank card (the vendor's commission managers)",
            None,
            Some(resource(&Withdrawal::RESOURCE)),
        )
        .answers(201),
        post(pay),
    )
    .op(
        TAG.op(
            "post",
            "/api/commission/withdrawals/{withdrawal_id}/reject",
            "Reject a requested withdrawal: its amount is available again (the vendor's commission managers)",
            None,
            Some(resource(&Withdrawal::RESOURCE)),
        )
        .answers(201),
        post(reject),
    )
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&CommissionEntry::RESOURCE, &[])?;
    Ok(page("commission", &CommissionEntry::RESOURCE, commission::list(&ctx, &principal, &query).await?))
}

async fn summary(State(ctx): State<Ctx>, principal: Principal) -> Result {
    Ok(Reply::ok(commission::summary(&ctx, &principal).await?))
}

async fn withdraw(State(ctx): State<Ctx>, principal: Principal, Json(body): Json<WithdrawalInput>) -> Result {
    Ok(Reply::Created(record(&Withdrawal::RESOURCE, commission::withdraw(&ctx, &principal, body).await?)))
}

async fn withdrawals(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&Withdrawal::RESOURCE, &[])?;
    Ok(page("withdrawals", &Withdrawal::RESOURCE, commission::withdrawals(&ctx, &principal, &query).await?))
}

async fn pay(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Withdrawal::RESOURCE, commission::decide(&ctx, &principal, &id, true).await?)))
}

async fn reject(State(ctx): State<Ctx>, principal: Principal, Path(id): Path<String>) -> Result {
    Ok(Reply::Created(record(&Withdrawal::RESOURCE, commission::decide(&ctx, &principal, &id, false).await?)))
}
