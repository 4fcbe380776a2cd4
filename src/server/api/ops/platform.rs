//! The platform operator's sign-in (`POST /api/platform/auth`) and the token refresh every
//! `/api` login shares (`POST /api/token/refresh`).

use axum::{extract::State, routing::post};
use serde::Deserialize;
use serde_json::json;

use super::{
    super::{
        openapi::{schema::*, Tag},
        v2::extract::Json,
        Routes,
    },
    envelope::{Reply, Result},
};
use crate::server::{
    auth::{
        client::ClientAddr,
        principal::AccessToken,
        token::{Channel, PrincipalKind},
    },
    secret::Secret,
    service::login,
    state::Ctx,
};

const TAG: Tag = Tag("platform");

pub(super) fn tokens() -> serde_json::Value {
    object(&[("access_token", string()), ("refresh_token", string()), ("expire_in", integer())])
}

pub(super) fn routes(api: Routes) -> Routes {
    api.op(
        TAG.op(
            "post",
            "/api/platform/auth",
            "The platform operator's sign-in",
            Some(object(&[("account", string()), ("password", string())])),
            Some(tokens()),
        )
        .public(),
        post(platform_auth),
    )
    .op(
        TAG.op(
            "post",
            "/api/token/refresh",
            "Rotate a token pair of any login (Access-Token header + refresh_token)",
            Some(object(&[("refresh_token", string())])),
            Some(tokens()),
        ),
        post(refresh),
    )
}

#[derive(Deserialize)]
struct PlatformAuth {
    account: String,
    password: Secret,
}

async fn platform_auth(
    State(ctx): State<Ctx>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<PlatformAuth>,
) -> Result {
    let login = login::platform_login(&ctx, &body.account, &body.password, &client, Channel::Api).await?;
    Ok(Reply::ok(login::issue_tokens(&ctx, &login.login_id).await?))
}

#[derive(Deserialize)]
struct Refresh {
    refresh_token: String,
}

/// Every kind of login refreshes here: one token table, one rotation rule.
const EVERY_KIND: [PrincipalKind; 7] = [
    PrincipalKind::Member,
    PrincipalKind::Dealer,
    PrincipalKind::HeavyBuyer,
    PrincipalKind::OrgUser,
    PrincipalKind::PlatformAdmin,
    PrincipalKind::EndUser,
    PrincipalKind::Engineer,
];

async fn refresh(State(ctx): State<Ctx>, AccessToken(access): AccessToken, Json(body): Json<Refresh>) -> Result {
    let tokens = login::refresh_tokens(&ctx, &EVERY_KIND, &access, &body.refresh_token).await?;
    Ok(Reply::ok(json!(tokens)))
}
