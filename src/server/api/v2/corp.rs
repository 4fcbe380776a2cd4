//! Corp member login, token refresh and corp information (seed 004, operations 1–3).

use axum::{
    extract::State,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    extract::Json,
    openapi::{schema::*, Op},
    Api,
};
use crate::{
    model::corp::CorpInfo,
    server::{
        auth::{
            client::ClientAddr,
            principal::{AccessToken, Principal},
            token::{Channel, IssuedTokens, PrincipalKind},
        },
        error::Result,
        secret::Secret,
        service::{corp, login},
        state::Ctx,
    },
};

pub(super) fn routes(api: Api) -> Api {
    api.op(
        Op {
            method: "post",
            path: "/v2/corp_auth",
            tag: "corp",
            summary: "Corp member login (account = phone or email)",
            auth: false,
            status: 200,
            request: Some(object(&[("account", string()), ("password", string())])),
            response: Some(object(&[
                ("corp_id", string()),
                ("member_id", integer()),
                ("access_token", string()),
                ("refresh_token", string()),
                ("expire_in", integer()),
            ])),
        },
        post(corp_auth),
    )
    .op(
        Op {
            method: "post",
            path: "/v2/corp/token/refresh",
            tag: "corp",
            summary: "Rotate the token pair (Access-Token header + refresh_token)",
            auth: true,
            status: 200,
            request: Some(object(&[("refresh_token", string())])),
            response: Some(token_pair()),
        },
        post(corp_refresh),
    )
    .op(
        Op {
            method: "get",
            path: "/v2/corp",
            tag: "corp",
            summary: "The caller's corp and member information",
            auth: true,
            status: 200,
            request: None,
            response: Some(object(&[
                ("id", string()),
                ("corp_id", string()),
                ("company", string()),
                ("create_time", time()),
                ("type", integer()),
                ("logo", string()),
                (
                    "member",
                    object(&[
                        ("id", integer()),
                        ("phone", string()),
                        ("email", string()),
                        ("name", string()),
                        ("role", integer()),
                    ]),
                ),
                ("status", integer()),
                ("device_total", integer()),
                ("device_limit", integer()),
            ])),
        },
        get(corp_info),
    )
}

fn token_pair() -> Value {
    object(&[("access_token", string()), ("refresh_token", string()), ("expire_in", integer())])
}

#[derive(Deserialize)]
struct CorpAuth {
    account: String,
    password: Secret,
}

async fn corp_auth(
    State(ctx): State<Ctx>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<CorpAuth>,
) -> Result<axum::Json<Value>> {
    let login = login::member_login(&ctx, &body.account, &body.password, &client, Channel::Api).await?;
    let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
    Ok(axum::Json(json!({
        "corp_id": login.corp_id,
        "member_id": login.principal_id,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expire_in": tokens.expire_in,
    })))
}

#[derive(Deserialize)]
pub(super) struct Refresh {
    pub refresh_token: String,
}

async fn corp_refresh(
    State(ctx): State<Ctx>,
    AccessToken(access): AccessToken,
    Json(body): Json<Refresh>,
) -> Result<axum::Json<IssuedTokens>> {
    Ok(axum::Json(login::refresh_tokens(&ctx, &[PrincipalKind::Member], &access, &body.refresh_token).await?))
}

async fn corp_info(State(ctx): State<Ctx>, principal: Principal) -> Result<axum::Json<CorpInfo>> {
    Ok(axum::Json(corp::info(&ctx, &principal).await?))
}
