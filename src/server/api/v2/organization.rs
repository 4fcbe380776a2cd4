//! A heavy buyer's organizations, its users and their devices (seed 001 ops 3–11).

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, post, put},
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
        organization::{
            DeviceGrant, NewOrgUser, NewOrganization, OrgUser, OrgUserEdit, Organization, OrganizationChange,
            OrganizationEdit,
        },
    },
    server::{
        auth::principal::Principal,
        error::Result,
        service::{org_user, organization},
        state::Ctx,
    },
};

fn organization_schema() -> Value {
    resource(&Organization::RESOURCE)
}

fn organization_edit() -> Value {
    object(&[("name?", string()), ("parent?", integer()), ("sort?", integer())])
}

fn user_schema() -> Value {
    resource(&OrgUser::RESOURCE)
}

fn grants() -> Value {
    array(object(&[("device_id", integer())]))
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("organizations");

pub(super) fn routes(api: Api) -> Api {
    let mut edit_with_id = vec![("id", integer())];
    edit_with_id.extend([("name?", string()), ("parent?", integer()), ("sort?", integer())]);
    api.op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization",
            "Create an organization (parent 0 is the root)",
            Some(object(&[("name", string()), ("parent?", integer()), ("sort?", integer())])),
            Some(organization_schema()),
        ),
        post(create),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization_list",
            "Organizations the caller sees, with the list query language",
            Some(list_body()),
            Some(page_of(organization_schema())),
        ),
        post(list),
    )
    .op(
        TAG.op(
            "put",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization_list",
            "Change several organizations in one transaction: all or nothing",
            Some(array(object(&edit_with_id))),
            Some(array(organization_schema())),
        ),
        put(update_batch),
    )
    .op(
        TAG.op(
            "put",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization/{id}",
            "Rename, move or reorder an organization",
            Some(organization_edit()),
            Some(organization_schema()),
        ),
        put(update),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization/{id}",
            "Delete an organization and its sub-organizations; their users and devices move to the root",
            None,
            None,
        ),
        delete(remove),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/organization/{id}/grant_device",
            "Move devices of the heavy buyer to an organization: all or nothing",
            Some(grants()),
            Some(grants()),
        ),
        post(grant_devices),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/user",
            "Create an organization user (role 1 admin, 2 member)",
            Some(object(&[
                ("username", string()),
                ("password", string()),
                ("organization", integer()),
                ("role", integer()),
                ("contacter?", string()),
                ("contact_way?", string()),
            ])),
            Some(user_schema()),
        ),
        post(create_user),
    )
    .op(
        TAG.op(
            "put",
            "/v2/heavy_buyer/{heavy_buyer_id}/user/{id}",
            "Change an organization user; a new password ends its logins",
            Some(object(&[
                ("username?", string()),
                ("password?", string()),
                ("organization?", integer()),
                ("role?", integer()),
                ("contacter?", string()),
                ("contact_way?", string()),
            ])),
            Some(user_schema()),
        ),
        put(update_user),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/heavy_buyer/{heavy_buyer_id}/user/{id}",
            "Delete an organization user; its logins end",
            None,
            None,
        ),
        delete(remove_user),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/{heavy_buyer_id}/user_list",
            "Organization users the caller sees, with the list query language",
            Some(list_body()),
            Some(page_of(user_schema())),
        ),
        post(list_users),
    )
}

async fn create(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb,)): Path<(i64,)>,
    Json(body): Json<NewOrganization>,
) -> Result<axum::Json<Organization>> {
    Ok(axum::Json(organization::create(&ctx, &p, hb, body).await?))
}

async fn list(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb,)): Path<(i64,)>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(organization::list(&ctx, &p, hb, &body).await?))
}

async fn update(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb, id)): Path<(i64, i64)>,
    Json(body): Json<OrganizationEdit>,
) -> Result<axum::Json<Organization>> {
    Ok(axum::Json(organization::update(&ctx, &p, hb, id, body).await?))
}

async fn update_batch(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb,)): Path<(i64,)>,
    Json(body): Json<Vec<OrganizationChange>>,
) -> Result<axum::Json<Vec<Organization>>> {
    Ok(axum::Json(organization::update_batch(&ctx, &p, hb, body).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path((hb, id)): Path<(i64, i64)>) -> Result<StatusCode> {
    organization::delete(&ctx, &p, hb, id).await?;
    Ok(StatusCode::OK)
}

async fn grant_devices(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb, id)): Path<(i64, i64)>,
    Json(body): Json<Vec<DeviceGrant>>,
) -> Result<axum::Json<Vec<DeviceGrant>>> {
    Ok(axum::Json(organization::grant_devices(&ctx, &p, hb, id, body).await?))
}

async fn create_user(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb,)): Path<(i64,)>,
    Json(body): Json<NewOrgUser>,
) -> Result<axum::Json<OrgUser>> {
    Ok(axum::Json(org_user::create(&ctx, &p, hb, body).await?))
}

async fn update_user(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb, id)): Path<(i64, i64)>,
    Json(body): Json<OrgUserEdit>,
) -> Result<axum::Json<OrgUser>> {
    Ok(axum::Json(org_user::update(&ctx, &p, hb, id, body).await?))
}

async fn remove_user(State(ctx): State<Ctx>, p: Principal, Path((hb, id)): Path<(i64, i64)>) -> Result<StatusCode> {
    org_user::delete(&ctx, &p, hb, id).await?;
    Ok(StatusCode::OK)
}

async fn list_users(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((hb,)): Path<(i64,)>,
    Json(body): Json<Value>,
) -> Result<axum::Json<Page>> {
    Ok(axum::Json(org_user::list(&ctx, &p, hb, &body).await?))
}
