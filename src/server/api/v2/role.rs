//! Custom member roles (seed 004, operations 12–15) and the feature catalogue.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde_json::{json, Value};

use super::{
    extract::{Json, Path},
    member::page_of,
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::member::{Role, RoleInput},
    server::{auth::principal::Principal, error::Result, service::role, state::Ctx},
};

fn role_schema() -> Value {
    object(&[("id", integer()), ("name", string()), ("features", array(integer()))])
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("roles");

pub(super) fn routes(api: Api) -> Api {
    let body = || Some(object(&[("name", string()), ("features", array(integer()))]));
    api.op(
        TAG.op("post", "/v2/member_role_add", "Create a custom role (admin)", body(), Some(role_schema())),
        post(create),
    )
    .op(
        TAG.op("put", "/v2/member_role/{role_id}", "Update a custom role (admin)", body(), Some(role_schema())),
        put(update),
    )
    .op(
        TAG.op("delete", "/v2/member_role/{role_id}", "Delete a custom role no member holds (admin)", None, None),
        delete(remove),
    )
    .op(TAG.op("get", "/v2/member_role_list", "The corp's custom roles", None, Some(page_of(role_schema()))), get(list))
    .op(
        TAG.op(
            "get",
            "/v2/member_role/features",
            "The catalogue of feature ids a role can grant",
            None,
            Some(page_of(object(&[("id", integer()), ("name", string()), ("name_en", string())]))),
        ),
        get(features),
    )
}

async fn create(State(ctx): State<Ctx>, p: Principal, Json(body): Json<RoleInput>) -> Result<axum::Json<Role>> {
    Ok(axum::Json(role::create(&ctx, &p, body).await?))
}

async fn update(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<RoleInput>,
) -> Result<axum::Json<Role>> {
    Ok(axum::Json(role::update(&ctx, &p, id, body).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    role::delete(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

async fn list(State(ctx): State<Ctx>, p: Principal) -> Result<axum::Json<Value>> {
    let roles = role::list(&ctx, &p).await?;
    Ok(axum::Json(json!({ "count": roles.len(), "list": roles })))
}

async fn features(p: Principal) -> Result<axum::Json<Value>> {
    let list = role::features(&p)?;
    Ok(axum::Json(json!({ "count": list.len(), "list": list })))
}
