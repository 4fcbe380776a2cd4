//! The partners' sign-in entries (the original console's `entry_config`). Rules in
//! `service::entry`.

use axum::{
    extract::State,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;

use super::{
    extract::{Json, Path, Query},
    openapi::{schema::*, Op, Tag},
    Api,
};
use crate::{
    model::entry::EntryConfig,
    server::{
        auth::principal::Principal,
        error::Result,
        service::{entry, login::Partner},
        state::Ctx,
    },
};

fn entry_schema() -> Value {
    object(&[
        ("is_enable", boolean()),
        ("domain", string()),
        ("login_context", string()),
        ("logo_url", string()),
        ("product", array(object(&[("product_id", string()), ("is_visible", boolean())]))),
        ("module", array(object(&[("type", string()), ("is_visible", boolean())]))),
    ])
}

const TAG: Tag = Tag("entries");

pub(super) fn routes(api: Api) -> Api {
    let public = |path: &'static str, summary: &'static str| Op {
        method: "get",
        path,
        tag: TAG.0,
        summary,
        auth: false,
        status: 200,
        request: None,
        response: Some(entry_schema()),
    };
    api.op(
        public(
            "/v2/dealer/{dealer_id}/entry_config",
            "A dealer's sign-in entry (?corp_id=; public, for its sign-in page)",
        ),
        get(dealer_entry),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/entry_config",
            "Set a dealer's sign-in entry: logo, text, shown products and modules",
            Some(entry_schema()),
            Some(entry_schema()),
        ),
        post(set_dealer_entry),
    )
    .op(
        public(
            "/v2/heavy_buyer/{heavy_buyer_id}/entry_config",
            "A heavy buyer's sign-in entry (?corp_id=; public, for its sign-in page)",
        ),
        get(heavy_buyer_entry),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/entry_config",
            "Set a heavy buyer's sign-in entry: logo, text, shown products and modules",
            Some(entry_schema()),
            Some(entry_schema()),
        ),
        post(set_heavy_buyer_entry),
    )
}

#[derive(Deserialize)]
struct CorpOf {
    #[serde(default)]
    corp_id: String,
}

async fn dealer_entry(
    State(ctx): State<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<CorpOf>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::get(&ctx, Partner::Dealer, id, &q.corp_id).await?))
}

async fn heavy_buyer_entry(
    State(ctx): State<Ctx>,
    Path(id): Path<i64>,
    Query(q): Query<CorpOf>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::get(&ctx, Partner::HeavyBuyer, id, &q.corp_id).await?))
}

async fn set_dealer_entry(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EntryConfig>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::set(&ctx, &p, Partner::Dealer, id, body).await?))
}

async fn set_heavy_buyer_entry(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<EntryConfig>,
) -> Result<axum::Json<EntryConfig>> {
    Ok(axum::Json(entry::set(&ctx, &p, Partner::HeavyBuyer, id, body).await?))
}
