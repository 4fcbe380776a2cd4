//! Dealers (seed 002): management by the corp, the dealer's login and refresh.

use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;
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
        dealer::{Dealer, DealerEdit, NewDealer},
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
            dealer,
            login::{self, Partner},
        },
        state::Ctx,
    },
};

fn dealer_schema() -> Value {
    resource(&Dealer::RESOURCE)
}

/// Where this module's operations are listed in the API document.
const TAG: Tag = Tag("dealers");

/// The original console's dealer profile, in an add or an edit body (all optional).
fn profile_fields() -> [(&'static str, Value); 7] {
    ["contacter?", "region?", "sale_goal?", "home_page?", "country?", "province?", "city?"]
        .map(|k| (k, if k == "sale_goal?" { integer() } else { string() }))
}

pub(super) fn routes(api: Api) -> Api {
    api.op(
        TAG.op(
            "post",
            "/v2/dealer",
            "Add a dealer (optionally under upper_dealer_code)",
            Some(object(&{
                let mut fields = vec![
                    ("name", string()),
                    ("email", string()),
                    ("phone", string()),
                    ("password", string()),
                    ("address?", string()),
                    ("upper_dealer_code?", string()),
                ];
                fields.extend(profile_fields());
                fields
            })),
            Some(dealer_schema()),
        ),
        post(add),
    )
    .op(
        TAG.op(
            "put",
            "/v2/dealer/{dealer_id}",
            "Modify a dealer's name, address and profile (fields left out stay)",
            Some(object(&{
                let mut fields = vec![("name", string()), ("address?", string())];
                fields.extend(profile_fields());
                fields
            })),
            Some(dealer_schema()),
        ),
        put(edit),
    )
    .op(
        TAG.op(
            "get",
            "/v2/dealer/{dealer_id}",
            "A dealer by id or dealer code (a corp member's, or a dealer's own or one below it)",
            None,
            Some(dealer_schema()),
        ),
        get(get_one),
    )
    .op(
        TAG.op(
            "delete",
            "/v2/dealer/{dealer_id}",
            "Delete a dealer with no dealers below it; its devices go up",
            None,
            None,
        ),
        axum::routing::delete(remove),
    )
    .op(
        TAG.op("put", "/v2/dealer/{dealer_id}/status/{status}", "Enable (1) or disable (0) a dealer", None, None),
        put(set_status),
    )
    .op(
        TAG.op(
            "post",
            "/v2/dealer_list",
            "Dealers, with the list query language",
            Some(list_body()),
            Some(page_of(dealer_schema())),
        ),
        post(list),
    )
    .op(
        TAG.op(
            "get",
            "/v2/dealer/dealer_code/{dealer_code}",
            "A dealer by its dealer code",
            None,
            Some(dealer_schema()),
        ),
        get(by_code),
    )
    .op(
        Op {
            method: "post",
            path: "/v2/dealer_auth",
            tag: "dealers",
            summary: "Dealer login (account = phone or email; corp_id when the account is in several corps)",
            auth: false,
            status: 200,
            request: Some(object(&[("corp_id?", string()), ("account", string()), ("password", string())])),
            response: Some(object(&[
                ("dealer_id", integer()),
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
            "/v2/dealer/token/refresh",
            "Rotate a dealer's token pair",
            Some(object(&[("refresh_token", string())])),
            Some(object(&[("access_token", string()), ("refresh_token", string()), ("expire_in", integer())])),
        ),
        post(refresh),
    )
}

async fn add(State(ctx): State<Ctx>, p: Principal, Json(body): Json<NewDealer>) -> Result<axum::Json<Dealer>> {
    Ok(axum::Json(dealer::add(&ctx, &p, body).await?))
}

async fn edit(
    State(ctx): State<Ctx>,
    p: Principal,
    Path(id): Path<i64>,
    Json(body): Json<DealerEdit>,
) -> Result<axum::Json<Dealer>> {
    Ok(axum::Json(dealer::edit(&ctx, &p, id, body).await?))
}

async fn get_one(State(ctx): State<Ctx>, p: Principal, Path(key): Path<String>) -> Result<axum::Json<Dealer>> {
    Ok(axum::Json(dealer::get_by_id_or_code(&ctx, &p, &key).await?))
}

async fn remove(State(ctx): State<Ctx>, p: Principal, Path(id): Path<i64>) -> Result<StatusCode> {
    dealer::delete(&ctx, &p, id).await?;
    Ok(StatusCode::OK)
}

async fn set_status(State(ctx): State<Ctx>, p: Principal, Path((id, status)): Path<(i64, i64)>) -> Result<StatusCode> {
    dealer::set_status(&ctx, &p, id, status).await?;
    Ok(StatusCode::OK)
}

async fn list(State(ctx): State<Ctx>, p: Principal, Json(body): Json<Value>) -> Result<axum::Json<Page>> {
    let query = dealer::list_query(&body)?;
    Ok(axum::Json(dealer::list(&ctx, &p, &query).await?))
}

async fn by_code(State(ctx): State<Ctx>, p: Principal, Path(code): Path<String>) -> Result<axum::Json<Dealer>> {
    Ok(axum::Json(dealer::get_by_code(&ctx, &p, &code).await?))
}

#[derive(Deserialize)]
pub(super) struct PortalAuth {
    /// The original console leaves it out (see `login::partner_login`).
    #[serde(default)]
    pub corp_id: Option<String>,
    pub account: String,
    pub password: Secret,
}

async fn auth(
    State(ctx): State<Ctx>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<PortalAuth>,
) -> Result<axum::Json<Value>> {
    let login = login::partner_login(
        &ctx,
        Partner::Dealer,
        body.corp_id.as_deref(),
        &body.account,
        &body.password,
        &client,
        Channel::Api,
    )
    .await?;
    let tokens = login::issue_tokens(&ctx, &login.login_id).await?;
    Ok(axum::Json(json!({
        "dealer_id": login.principal_id,
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
    Ok(axum::Json(login::refresh_tokens(&ctx, &[PrincipalKind::Dealer], &access, &body.refresh_token).await?))
}
