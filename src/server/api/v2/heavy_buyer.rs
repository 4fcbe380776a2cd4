//! Heavy buyers (seed 000): management by the corp, the heavy buyer's login and refresh.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post, put},
};
use serde_json::{json, Value};

use super::{
    corp::Refresh,
    extract::{Json, Path},
    member::{list_body, page_of},
    openapi::{schema::*, Op, Tag},
    Api,
};
use crate::{
    model::{
        error::ApiError,
        heavy_buyer::{HeavyBuyer, HeavyBuyerEdit, NewHeavyBuyer},
        list::Page,
    },
    server::{
        auth::{
            client::ClientAddr,
            principal::{AccessToken, Principal},
            token::{Channel, IssuedTokens, PrincipalKind},
        },
        error::Result,
        secret::Secret,
        service::{
            heavy_buyer,
            login::{self, Partner},
            org_user,
        },
        state::Ctx,
    },
};

fn buyer_schema() -> Value {
    resource(&HeavyBuyer::RESOURCE)
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("heavy buyers");

pub(super) fn routes(api: Api) -> Api {
    let profile = || {
        vec![
            ("name", string()),
            ("industry", string()),
            ("location", string()),
            ("contacter", string()),
            ("contact_way", string()),
            ("country?", string()),
            ("province?", string()),
            ("city?", string()),
        ]
    };
    let mut new_fields = profile();
    new_fields.extend([("email?", string()), ("phone?", string()), ("password?", string())]);
    api.op(
        TAG.op(
            "post",
            "/v2/heavy_buyer",
            "Add a heavy buyer; email, phone and password (all three, or none) make its own account",
            Some(object(&new_fields)),
            Some(buyer_schema()),
        ),
        post(add),
    )
    .op(
        TAG.op(
            "put",
            "/v2/heavy_buyer/{heavy_buyer_id}",
            "Modify a heavy buyer",
            Some(object(&profile())),
            Some(buyer_schema()),
        ),
        put(edit),
    )
    .op(TAG.op("get", "/v2/heavy_buyer/{heavy_buyer_id}", "A heavy buyer", None, Some(buyer_schema())), get(get_one))
    .op(
        TAG.op(
            "delete",
            "/v2/heavy_buyer/{heavy_buyer_id}",
            "Delete a heavy buyer, its organizations and users; its devices are released",
            None,
            None,
        ),
        delete(remove),
    )
    .op(
        TAG.op("put", "/v2/heavy_buyer/{heavy_buyer_id}/disable", "Disable a heavy buyer; its logins end", None, None),
        put(disable),
    )
    .op(TAG.op("put", "/v2/heavy_buyer/{heavy_buyer_id}/enable", "Enable a heavy buyer", None, None), put(enable))
    .op(
        TAG.op(
            "put",
            "/v2/heavy_buyer/{heavy_buyer_id}/status/{status}",
            "Enable (1) or disable (0) a heavy buyer (the original console's form of enable/disable)",
            None,
            None,
        ),
        put(set_status),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer_list",
            "Heavy buyers, with the list query language",
            Some(list_body()),
            Some(page_of(buyer_schema())),
        ),
        post(list),
    )
    .op(
        Op {
            method: "post",
            path: "/v2/heavy_buyer_auth",
            tag: "heavy buyers",
            summary: "Heavy buyer login: the account (corp_id + account = phone or email) or an organization user \
                      (heavy_buyer_id + username)",
            auth: false,
            status: 200,
            request: Some(object(&[
                ("corp_id?", string()),
                ("account?", string()),
                ("heavy_buyer_id?", integer()),
                ("username?", string()),
                ("password", string()),
            ])),
            response: Some(object(&[
                ("heavy_buyer_id", integer()),
                ("username?", string()),
                ("access_token", string()),
                ("refresh_token", string()),
                ("expire_in", integer()),
            ])),
        },
        post(auth),
    )
    .op(
        TAG.op(
            "post",
            "/v2/heavy_buyer/token/refresh",
            "Rotate a heavy buyer's token pair",
            Some(object(&[("refresh_token", string())])),
            Some(object(&[("access_token", string()), ("refresh_token", string()), ("expire_in", integer())])),
        ),
        post(refresh),
    )
}

async fn add(State(ctx): State<Ctx>, p: Principal, Json(body): Json<NewHeavyBuyer>) -> Result<axum::Json<HeavyBuyer>> {
    Ok(axum::Json(heavy_buyer::add(&ctx, &p, body).await?))
}

async fn edit(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<HeavyBuyerEdit>,
) -> Result<axum::Json<HeavyBuyer>> {
    Ok(axum::Json(heavy_buyer::edit(&ctx, &p, id, body).await?))
}

async fn get_one(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<axum::Json<HeavyBuyer>> {
    Ok(axum::Json(heavy_buyer::get(&ctx, &p, id).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    heavy_buyer::delete(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

async fn disable(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    heavy_buyer::set_enabled(&ctx, &p, id, false).await?;
    Ok(StatusCode::OK)
}

async fn enable(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    heavy_buyer::set_enabled(&ctx, &p, id, true).await?;
    Ok(StatusCode::OK)
}

async fn set_status(State(ctx): State<Ctx>, p: Principal, Path((id, status)): Path<(i64, i64)>) -> Result<StatusCode> {
    heavy_buyer::set_status(&ctx, &p, id, status).await?;
    Ok(StatusCode::OK)
}

async fn list(State(ctx): State<Ctx>, p: Principal, Json(body): Json<Value>) -> Result<axum::Json<Page>> {
    let query = heavy_buyer::list_query(&body)?;
    Ok(axum::Json(heavy_buyer::list(&ctx, &p, &query).await?))
}

/// `POST /v2/heavy_buyer_auth`: the heavy-buyer account (`corp_id` + `account`) or one of its
/// organization users (`heavy_buyer_id` + `username`).
#[derive(serde::Deserialize)]
struct HeavyBuyerAuth {
    #[serde(default)]
    corp_id: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    heavy_buyer_id: Option<Value>,
    #[serde(default)]
    username: Option<String>,
    password: Secret,
}

/// The documents write every value as a string, so `"12"` is taken as well as `12`.
fn heavy_buyer_id(value: &Value) -> Result<i64, ApiError> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
    .ok_or_else(|| ApiError::invalid("heavy_buyer_id", "a positive integer"))
}

async fn auth(
    State(ctx): State<Ctx>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<HeavyBuyerAuth>,
) -> Result<axum::Json<Value>> {
    if let Some(id) = &body.heavy_buyer_id {
        let id = heavy_buyer_id(id)?;
        let username = body.username.as_deref().unwrap_or_default();
        let login = login::org_user_login(&ctx, id, username, &body.password, &client, Channel::Api).await?;
        let user = org_user::find(&ctx.db, id, login.principal_id).await?;
        let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
        return Ok(axum::Json(json!({
            "heavy_buyer_id": id,
            "username": user.username,
            "id": user.id,
            "organization": user.organization,
            "role": user.role,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expire_in": tokens.expire_in,
        })));
    }
    let login = login::partner_login(
        &ctx,
        Partner::HeavyBuyer,
        body.corp_id.as_deref(),
        body.account.as_deref().unwrap_or_default(),
        &body.password,
        &client,
        Channel::Api,
    )
    .await?;
    let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
    Ok(axum::Json(json!({
        "heavy_buyer_id": login.principal_id,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expire_in": tokens.expire_in,
    })))
}

async fn refresh(
    State(ctx): State<Ctx>,
    AccessToken(access): AccessToken,
    Json(body): Json<Refresh>,
) -> Result<axum::Json<IssuedTokens>> {
    Ok(axum::Json(
        login::refresh_tokens(&ctx, &[PrincipalKind::HeavyBuyer, PrincipalKind::OrgUser], &access, &body.refresh_token)
            .await?,
    ))
}
