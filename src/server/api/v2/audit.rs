//! The audit log over `/v2` (issue 20): a corp admin reads its corp's, a key account its own,
//! with the list query language (filter by who, action, record and a `create_time` range).

use axum::{extract::State, routing::post};
use serde_json::Value;

use super::{
    extract::{Json, Path},
    member::{list_body, page_of},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::{audit::AuditEntry, list::Page},
    server::{audit, auth::principal::Principal, error::Result, state::Ctx},
};

/// One entry of the log.
fn entry_schema() -> Value {
    resource(&AuditEntry::RESOURCE)
}

const TAG: Tag = Tag("audit log");

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op(
            "post",
            "/v2/corp/audit_log",
            "The corp's audit log (admin), newest first, with the list query language",
            Some(list_body()),
            Some(page_of(entry_schema())),
        ),
        post(corp_log),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/audit_log",
            "The key account's own audit log (the account, or an admin of its root organization)",
            Some(list_body()),
            Some(page_of(entry_schema())),
        ),
        post(heavy_buyer_log),
    )
}

async fn corp_log(State(ctx): State<Ctx>, p: Principal, Json(body): Json<Value>) -> Result<axum::Json<Page>> {
    let query = audit::list_query(&body)?;
    Ok(axum::Json(audit::corp_log(&ctx, &p, &query).await?))
}

async fn heavy_buyer_log(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(heavy_buyer_id): Path<i64>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    let query = audit::list_query(&body)?;
    Ok(axum::Json(audit::heavy_buyer_log(&ctx, &p, heavy_buyer_id, &query).await?))
}
