//! End users (seed 003 AA-01..07, AA-10) and their sign-in (`POST /api/users/auth`). WeChat
//! binding (AA-08/09) is Pending in the document and not served.
//!
//! Two additions the document leaves room for: a sign-in code (`GET /api/users/auth/code`), and
//! the password reset of a signed-out user that knows its mobile but not its uid
//! (`GET /api/users/rst/code`, `PUT /api/users/rst`, naming the vendor).

use axum::{
    extract::State,
    routing::{delete, get, post, put},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::{Json, Path},
        Routes,
    },
    envelope::{Reply, Result},
    page,
    params::{ListParams, QueryOrBody},
    record,
};
use crate::{
    model::end_user::{EndUser, EndUserEdit, Registration},
    server::{
        auth::{client::ClientAddr, principal::Principal, token::Channel},
        error::ApiError,
        secret::Secret,
        service::{end_user, login},
        state::Ctx,
    },
};

const TAG: Tag = Tag("users");

fn user_schema() -> serde_json::Value {
    resource(&EndUser::RESOURCE)
}

fn uid() -> serde_json::Value {
    object(&[("uid", string())])
}

pub(super) fn routes(api: Routes) -> Routes {
    let vid_mobile = || Some(object(&[("vid", string()), ("mobile", string())]));
    api.op(
        TAG.op(
            "post",
            "/api/users/auth",
            "A user's sign-in: vid + mobile + password, or + code",
            Some(object(&[("vid", string()), ("mobile", string()), ("password?", string()), ("code?", string())])),
            Some(object(&[
                ("uid", string()),
                ("access_token", string()),
                ("refresh_token", string()),
                ("expire_in", integer()),
            ])),
        )
        .public(),
        post(auth),
    )
    .op(
        TAG.op("get", "/api/users/auth/code", "A sign-in code by SMS (?vid=&mobile=)", vid_mobile(), None).public(),
        get(sign_in_code),
    )
    .op(
        TAG.op(
            "get",
            "/api/users",
            "AA-01 The users the caller may see",
            None,
            Some(object(&[("users", array(user_schema()))])),
        ),
        get(list),
    )
    .op(
        TAG.op("get", "/api/users/code", "AA-02A A registration code by SMS (?vid=&mobile=)", vid_mobile(), None)
            .public(),
        get(registration_code),
    )
    .op(
        TAG.op(
            "post",
            "/api/users",
            "AA-02B Register with the code",
            Some(object(&[
                ("vid", string()),
                ("mobile", string()),
                ("code", string()),
                ("name?", string()),
                ("pwd?", string()),
                ("email?", string()),
                ("area?", string()),
                ("address?", string()),
                ("avatar?", string()),
                ("rid?", string()),
                ("dealer?", string()),
            ])),
            Some(uid()),
        )
        .public()
        .answers(201),
        post(register),
    )
    .op(
        TAG.op(
            "get",
            "/api/users/rst/code",
            "A password-reset code for a signed-out user (?vid=&mobile=)",
            vid_mobile(),
            None,
        )
        .public(),
        get(reset_code_by_mobile),
    )
    .op(
        TAG.op(
            "put",
            "/api/users/rst",
            "Reset a forgotten password with the code (vid, mobile, code, pwd)",
            Some(object(&[("vid", string()), ("mobile", string()), ("code", string()), ("pwd", string())])),
            None,
        )
        .public()
        .answers(201),
        put(reset_by_mobile),
    )
    .op(TAG.op("get", "/api/users/{uid}", "AA-03 A user", None, Some(user_schema())), get(read))
    .op(
        TAG.op(
            "put",
            "/api/users/{uid}",
            "AA-04 Edit a profile (rid, remark and state: the vendor only)",
            Some(object(&[
                ("name?", string()),
                ("avatar?", string()),
                ("email?", string()),
                ("area?", string()),
                ("address?", string()),
                ("remark?", string()),
                ("rid?", string()),
                ("state?", integer()),
            ])),
            Some(user_schema()),
        )
        .answers(201),
        put(edit),
    )
    .op(
        TAG.op(
            "delete",
            "/api/users/{uid}",
            "AA-10 Deregister a user (the platform): its record stays, it answers 410",
            None,
            None,
        )
        .answers(204),
        delete(deregister),
    )
    .op(
        TAG.op(
            "put",
            "/api/users/{uid}/pwd",
            "AA-05 A new password (the user gives old_pwd)",
            Some(object(&[("old_pwd?", string()), ("new_pwd", string())])),
            Some(uid()),
        )
        .answers(201),
        put(password),
    )
    .op(
        TAG.op(
            "get",
            "/api/users/{uid}/mob/code",
            "AA-06A A code to the new mobile (?mobile=)",
            Some(object(&[("mobile", string())])),
            None,
        ),
        get(mobile_code),
    )
    .op(
        TAG.op(
            "put",
            "/api/users/{uid}/mob",
            "AA-06B Move to the new mobile with its code",
            Some(object(&[("mobile", string()), ("code", string())])),
            Some(uid()),
        )
        .answers(201),
        put(mobile),
    )
    .op(
        TAG.op(
            "get",
            "/api/users/{uid}/rst/code",
            "AA-07A A password-reset code to the user's mobile (?mobile=)",
            Some(object(&[("mobile", string())])),
            None,
        )
        .public(),
        get(reset_code),
    )
    .op(
        TAG.op(
            "put",
            "/api/users/{uid}/rst",
            "AA-07B Reset the password with the code",
            Some(object(&[("pwd", string()), ("code", string())])),
            Some(uid()),
        )
        .public()
        .answers(201),
        put(reset),
    )
}

#[derive(Deserialize)]
struct Auth {
    vid: String,
    mobile: String,
    #[serde(default)]
    password: Option<Secret>,
    #[serde(default)]
    code: Option<String>,
}

async fn auth(State(ctx): State<Ctx>, ClientAddr(client): ClientAddr, Json(body): Json<Auth>) -> Result {
    let login = match (body.password, body.code.filter(|c| !c.trim().is_empty())) {
        (_, Some(code)) => end_user::code_login(&ctx, &body.vid, &body.mobile, &code, Channel::Api).await?,
        (Some(password), None) => {
            login::end_user_login(&ctx, &body.vid, &body.mobile, &password, &client, Channel::Api).await?
        }
        (None, None) => return Err(ApiError::missing("password").into()),
    };
    let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
    let (uid,) = end_user::uid_of(&ctx, login.principal_id).await?;
    Ok(Reply::ok(json!({
        "uid": uid,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expire_in": tokens.expire_in,
    })))
}

#[derive(Deserialize)]
struct VidMobile {
    vid: String,
    mobile: String,
}

async fn sign_in_code(State(ctx): State<Ctx>, QueryOrBody(q): QueryOrBody<VidMobile>) -> Result {
    end_user::send_sign_in_code(&ctx, &q.vid, &q.mobile).await?;
    Ok(Reply::Ok(serde_json::Value::Null))
}

async fn list(State(ctx): State<Ctx>, principal: Principal, params: ListParams) -> Result {
    let query = params.query(&EndUser::RESOURCE, &[])?;
    Ok(page("users", &EndUser::RESOURCE, end_user::list(&ctx, &principal, &query).await?))
}

async fn registration_code(State(ctx): State<Ctx>, QueryOrBody(q): QueryOrBody<VidMobile>) -> Result {
    end_user::send_registration_code(&ctx, &q.vid, &q.mobile).await?;
    Ok(Reply::Ok(serde_json::Value::Null))
}

async fn register(State(ctx): State<Ctx>, Json(body): Json<Registration>) -> Result {
    let uid = end_user::register(&ctx, body).await?;
    Ok(Reply::created(json!({ "uid": uid })))
}

async fn read(State(ctx): State<Ctx>, principal: Principal, Path(uid): Path<String>) -> Result {
    Ok(Reply::Ok(record(&EndUser::RESOURCE, end_user::get(&ctx, &principal, &uid).await?)))
}

async fn edit(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(uid): Path<String>,
    Json(body): Json<EndUserEdit>,
) -> Result {
    let user = end_user::edit(&ctx, &principal, &uid, body).await?;
    Ok(Reply::Created(record(&EndUser::RESOURCE, user)))
}

async fn deregister(State(ctx): State<Ctx>, principal: Principal, Path(uid): Path<String>) -> Result {
    end_user::deregister(&ctx, &principal, &uid).await?;
    Ok(Reply::Deleted)
}

#[derive(Deserialize)]
struct Password {
    #[serde(default)]
    old_pwd: Option<Secret>,
    new_pwd: Secret,
}

async fn password(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(uid): Path<String>,
    Json(body): Json<Password>,
) -> Result {
    end_user::change_password(&ctx, &principal, &uid, body.old_pwd, body.new_pwd).await?;
    Ok(Reply::created(json!({ "uid": uid })))
}

#[derive(Deserialize)]
struct MobileOnly {
    mobile: String,
}

async fn mobile_code(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(uid): Path<String>,
    QueryOrBody(q): QueryOrBody<MobileOnly>,
) -> Result {
    end_user::send_mobile_code(&ctx, &principal, &uid, &q.mobile).await?;
    Ok(Reply::Ok(serde_json::Value::Null))
}

#[derive(Deserialize)]
struct MobileCode {
    mobile: String,
    code: String,
}

async fn mobile(
    State(ctx): State<Ctx>,
    principal: Principal,
    Path(uid): Path<String>,
    Json(body): Json<MobileCode>,
) -> Result {
    end_user::change_mobile(&ctx, &principal, &uid, &body.mobile, &body.code).await?;
    Ok(Reply::created(json!({ "uid": uid })))
}

/// AA-07A by uid: a code goes only when `mobile` is the user's; the answer is the same anyway.
async fn reset_code(
    State(ctx): State<Ctx>,
    Path(uid): Path<String>,
    QueryOrBody(q): QueryOrBody<MobileOnly>,
) -> Result {
    end_user::send_reset_code_for(&ctx, &uid, &q.mobile).await?;
    Ok(Reply::Ok(serde_json::Value::Null))
}

#[derive(Deserialize)]
struct Reset {
    pwd: Secret,
    code: String,
}

async fn reset(State(ctx): State<Ctx>, Path(uid): Path<String>, Json(body): Json<Reset>) -> Result {
    end_user::reset_password_for(&ctx, &uid, &body.code, body.pwd).await?;
    Ok(Reply::created(json!({ "uid": uid })))
}

async fn reset_code_by_mobile(State(ctx): State<Ctx>, QueryOrBody(q): QueryOrBody<VidMobile>) -> Result {
    end_user::send_reset_code(&ctx, &q.vid, &q.mobile).await?;
    Ok(Reply::Ok(serde_json::Value::Null))
}

#[derive(Deserialize)]
struct ResetByMobile {
    vid: String,
    mobile: String,
    code: String,
    pwd: Secret,
}

async fn reset_by_mobile(State(ctx): State<Ctx>, Json(body): Json<ResetByMobile>) -> Result {
    end_user::reset_password(&ctx, &body.vid, &body.mobile, &body.code, body.pwd).await?;
    Ok(Reply::Created(serde_json::Value::Null))
}
