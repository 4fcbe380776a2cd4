//! Products (CONTRACT "Beyond the documents"): create, list, read, change, delete.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde_json::Value;

use super::{
    extract::{Json, Path},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::product::{NewProduct, Product, ProductEdit},
    server::{auth::principal::Principal, error::Result, service::product, state::Ctx},
};

fn product_schema() -> Value {
    object(&[
        ("id", string()),
        ("name", string()),
        ("description", string()),
        ("link_type", integer()),
        ("mode", string()),
        ("type", integer()),
        ("key", string()),
        ("is_release", boolean()),
        ("create_time", time()),
    ])
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("products");

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op(
            "post",
            "/v2/product",
            "Create a product (name ≤32, description ≤250, link_type 1–5, mode ≤64, type)",
            Some(object(&[
                ("name", string()),
                ("description?", string()),
                ("link_type", integer()),
                ("mode?", string()),
                ("type?", integer()),
            ])),
            Some(product_schema()),
        ),
        post(create),
    )
    .op(TAG.op("get", "/v2/products", "The corp's products (an array)", None, Some(array(product_schema()))), get(list))
    .op(TAG.op("get", "/v2/product/{product_id}", "A product", None, Some(product_schema())), get(get_one))
    .op(
        TAG.op(
            "put",
            "/v2/product/{product_id}",
            "Change a product's fields (those given); is_release: true releases it",
            Some(object(&[
                ("name?", string()),
                ("description?", string()),
                ("link_type?", integer()),
                ("mode?", string()),
                ("type?", integer()),
                ("is_release?", boolean()),
            ])),
            Some(product_schema()),
        ),
        put(update),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/product/{product_id}",
            "Delete an unreleased product and its devices (none activated)",
            None,
            None,
        ),
        delete(remove),
    )
}

async fn create(State(ctx): State<Ctx>, p: Principal, Json(body): Json<NewProduct>) -> Result<axum::Json<Product>> {
    Ok(axum::Json(product::create(&ctx, &p, body).await?))
}

async fn list(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Vec<Product>>> {
    Ok(axum::Json(product::list(&ctx, &p).await?))
}

async fn get_one(State(ctx): State<Ctx>, p: Principal, Path(id): Path<String>) -> Result<axum::Json<Product>> {
    Ok(axum::Json(product::get(&ctx, &p, &id).await?))
}

async fn update(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<String>,
    Json(body): Json<ProductEdit>,
) -> Result<axum::Json<Product>> {
    Ok(axum::Json(product::update(&ctx, &p, &id, body).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path(id): Path<String>) -> Result<StatusCode> {
    product::delete(&ctx, &p, &id).await?;
    Ok(StatusCode::OK)
}
