//! A dealer's sales ledger (the original console's "client info"): record, read, change,
//! delete and list sales. The rules are in `service::sale`.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde_json::Value;

use super::{
    extract::{Json, Path},
    member::{list_body, page_of},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::{
        list::Page,
        sale::{Sale, SaleInput},
    },
    server::{auth::principal::Principal, error::Result, service::sale, state::Ctx},
};

fn sale_schema() -> Value {
    resource(&Sale::RESOURCE)
}

fn sale_input() -> Value {
    object(&[
        ("name?", string()),
        ("phone?", string()),
        ("email?", string()),
        ("client_type?", string()),
        ("country?", string()),
        ("province?", string()),
        ("city?", string()),
        ("address?", string()),
        ("region?", string()),
        ("sale_time?", string()),
        ("x_info?", array(string())),
        ("pictures?", array(string())),
        ("product_id?", string()),
        ("device_id?", integer()),
        ("mac?", string()),
        ("sn?", string()),
        ("product_mod?", string()),
    ])
}

const TAG: Tag = Tag("sales");

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/add_client_info/upload",
            "Record a sale: the dealer itself, or a corp member with \"manage dealers\" for it",
            Some(sale_input()),
            Some(sale_schema()),
        ),
        post(record),
    )
    .op(
        TAG.op(
            "get",
            "/v2/dealer/client_info/{sale_id}",
            "A sale (the corp's; a dealer's own or below it)",
            None,
            Some(sale_schema()),
        ),
        get(get_one),
    )
    .op(
        TAG.op(
            "put",
            "/v2/dealer/client_info/{sale_id}",
            "Change a sale's customer details and time (fields left out stay; the device never changes)",
            Some(sale_input()),
            Some(sale_schema()),
        ),
        put(update),
    )
    .op(TAG.op("delete", "/v2/dealer/client_info/{sale_id}", "Delete a sale", None, None), delete(remove))
    .op(
        TAG.op(
            "post",
            "/v2/dealer/{dealer_id}/sale_summary",
            "The sales of a dealer and the dealers below it, with the list query language",
            Some(list_body()),
            Some(page_of(sale_schema())),
        ),
        post(list),
    )
}

async fn record(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(dealer_id): Path<i64>,
    Json(body): Json<SaleInput>,
) -> Result<axum::Json<Sale>> {
    Ok(axum::Json(sale::record(&ctx, &p, dealer_id, body).await?))
}

async fn get_one(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<axum::Json<Sale>> {
    Ok(axum::Json(sale::get(&ctx, &p, id).await?))
}

async fn update(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<SaleInput>,
) -> Result<axum::Json<Sale>> {
    Ok(axum::Json(sale::update(&ctx, &p, id, body).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    sale::delete(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

async fn list(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(dealer_id): Path<i64>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(sale::list(&ctx, &p, dealer_id, &body).await?))
}
