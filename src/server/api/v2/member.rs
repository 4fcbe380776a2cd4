//! Corp members (seed 004, operations 4–11 and 16), plus the full list language over members
//! and a member's own password change.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::Value;

use super::{
    extract::{Json, OptionalJson, Path, Query},
    openapi::{schema::*, Tag},
    Api,
};
use crate::{
    model::{
        list::Page,
        member::{Member, MemberEdit, NewMember},
    },
    server::{auth::principal::Principal, error::Result, secret::Secret, service::member, state::Ctx},
};

/// The member object of seed 004.
pub(super) fn member_schema() -> Value {
    resource(&Member::RESOURCE)
}

/// `{count, list}` of some item.
pub(super) fn page_of(item: Value) -> Value {
    object(&[("count", integer()), ("list", array(item))])
}

/// The list query language's body (CONTRACT "Lists").
pub(super) fn list_body() -> Value {
    object(&[
        ("offset?", integer()),
        ("limit?", integer()),
        ("filter?", array(string())),
        ("query?", serde_json::json!({ "type": "object" })),
        ("order?", serde_json::json!({ "type": "object" })),
    ])
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("members");

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op("get", "/v2/corp/member/{member_id}", "A member's information", None, Some(member_schema())),
        get(get_member),
    )
    .op(
        TAG.op(
            "put",
            "/v2/corp/member/{member_id}",
            "Edit one's own information (name, is_notice, is_alert)",
            Some(object(&[("name", string()), ("is_notice", boolean()), ("is_alert", boolean())])),
            None,
        ),
        put(edit_member),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/corp/member/{member_id}",
            "Delete a member (admin; never an admin or oneself)",
            None,
            None,
        ),
        delete(delete_member),
    )
    .op(
        TAG.op("get", "/v2/corp/members", "The corp's members (?offset=&limit=)", None, Some(page_of(member_schema()))),
        get(list_members),
    )
    .op(
        TAG.op(
            "post",
            "/v2/corp/members",
            "The corp's members, with the list query language (the original console's form of member_list)",
            Some(list_body()),
            Some(page_of(member_schema())),
        ),
        post(query_members),
    )
    .op(
        TAG.op(
            "post",
            "/v2/corp/member_list",
            "The corp's members, with the full list query language",
            Some(list_body()),
            Some(page_of(member_schema())),
        ),
        post(query_members),
    )
    .op(
        TAG.op(
            "post",
            "/v2/corp/member_add",
            "Add a member (admin); type 99 needs role_id",
            Some(object(&[
                ("email", string()),
                ("phone", string()),
                ("name", string()),
                ("password", string()),
                ("type", integer()),
                ("role_id?", integer()),
            ])),
            Some(member_schema()),
        ),
        post(add_member),
    )
    .op(
        TAG.op(
            "put",
            "/v2/corp/member/{member_id}/role/{role_type}",
            "Set a member's role (admin); 99 needs role_id",
            Some(object(&[("role_id?", integer())])),
            None,
        ),
        put(set_role),
    )
    .op(
        TAG.op("put", "/v2/corp/member/{member_id}/disable", "Disable a member (admin); its logins end", None, None),
        put(disable_member),
    )
    .op(TAG.op("put", "/v2/corp/member/{member_id}/enable", "Enable a member (admin)", None, None), put(enable_member))
    .op(
        TAG.op(
            "put",
            "/v2/corp/member/{member_id}/password",
            "Set another member's password (admin; not an admin's)",
            Some(object(&[("newpassword", string())])),
            None,
        ),
        put(reset_password),
    )
    .op(
        TAG.op(
            "put",
            "/v2/corp/password",
            "Change one's own password; one's other logins end",
            Some(object(&[("password", string()), ("newpassword", string())])),
            None,
        ),
        put(change_own_password),
    )
    .op(
        TAG.op(
            "put",
            "/v2/corp/member/password/reset",
            "Change one's own password (the original console's form); one's other logins end",
            Some(object(&[("oldpassword", string()), ("newpassword", string())])),
            None,
        ),
        put(change_own_password),
    )
}

async fn get_member(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<axum::Json<Member>> {
    Ok(axum::Json(member::get(&ctx, &p, id).await?))
}

async fn edit_member(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<MemberEdit>,
) -> Result<StatusCode> {
    member::edit_own(&ctx, &p, id, body).await?;
    Ok(StatusCode::OK)
}

async fn delete_member(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    member::delete(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
struct Paging {
    offset: Option<i64>,
    limit: Option<i64>,
}

async fn list_members(State(ctx): State<Ctx>, p: Principal, Query(paging): Query<Paging>) -> Result<axum::Json<Page>> {
    let query = member::paging_query(paging.offset, paging.limit)?;
    Ok(axum::Json(member::list(&ctx, &p, &query).await?))
}

async fn query_members(State(ctx): State<Ctx>, p: Principal, Json(body): Json<Value>) -> Result<axum::Json<Page>> {
    let query = member::list_query(&body)?;
    Ok(axum::Json(member::list(&ctx, &p, &query).await?))
}

async fn add_member(State(ctx): State<Ctx>, p: Principal, Json(body): Json<NewMember>) -> Result<axum::Json<Member>> {
    Ok(axum::Json(member::add(&ctx, &p, body).await?))
}

#[derive(Deserialize)]
struct RoleChoice {
    #[serde(default, deserialize_with = "crate::model::lenient::opt_int")]
    role_id: Option<i64>,
}

async fn set_role(
    State(ctx): State<Ctx>,
    p: Principal,
    Path((id, role)): Path<(i64, i64)>,
    OptionalJson(body): OptionalJson<RoleChoice>,
) -> Result<StatusCode> {
    member::set_role(&ctx, &p, id, role, body.and_then(|b| b.role_id)).await?;
    Ok(StatusCode::OK)
}

async fn disable_member(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    member::disable(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

async fn enable_member(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    member::enable(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

#[derive(Deserialize)]
struct NewPassword {
    newpassword: Secret,
}

async fn reset_password(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<NewPassword>,
) -> Result<StatusCode> {
    member::reset_password(&ctx, &p, id, body.newpassword).await?;
    Ok(StatusCode::OK)
}

/// One's own password change: `{password, newpassword}`, or the original console's
/// `{oldpassword, newpassword}` at `…/member/password/reset`.
#[derive(Deserialize)]
struct PasswordChange {
    #[serde(alias = "oldpassword")]
    password: Secret,
    newpassword: Secret,
}

async fn change_own_password(
    State(ctx): State<Ctx>,
    p: Principal,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode> {
    member::change_own_password(&ctx, &p, body.password, body.newpassword).await?;
    Ok(StatusCode::OK)
}
