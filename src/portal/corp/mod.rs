//! The corp (brand owner) portal: login, the layout every corp page sits in, and its pages.
//! The server functions here are adapters: session → principal → service call.

pub mod account;
pub mod audit;
pub mod dashboard;
pub mod dealers;
pub mod devices;
pub mod heavy_buyers;
pub mod layout;
pub mod login;
pub mod members;
pub mod products;
pub mod roles;
pub mod settings;

use leptos::prelude::*;

use crate::model::{corp::CorpSession, error::ApiError};

/// Logs a corp member in and binds the login to this browser session.
#[server(prefix = "/fn", endpoint = "/corp_login")]
pub async fn corp_login(account: String, password: String) -> Result<(), ApiError> {
    use crate::server::{auth::token::Channel, auth::web, fns, secret::Secret, service::login};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    let client = fns::client_addr().await?;
    let login = login::member_login(&ctx, &account, &Secret::new(password), &client, Channel::Web)
        .await
        .map_err(fns::refuse)?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect("/corp");
    Ok(())
}

/// Ends the login and the session.
#[server(prefix = "/fn", endpoint = "/corp_logout")]
pub async fn corp_logout() -> Result<(), ApiError> {
    use crate::server::{auth::web, fns};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    web::sign_out(&ctx, &session).await.map_err(fns::refuse)?;
    leptos_axum::redirect("/corp/login");
    Ok(())
}

/// The same answer as `GET /v2/corp`, and what the member may do, for the logged-in member.
#[server(prefix = "/fn", endpoint = "/corp_info")]
pub async fn load_corp_session() -> Result<CorpSession, ApiError> {
    use crate::server::{
        fns,
        service::{corp, permission},
    };
    let (ctx, principal) = fns::caller().await?;
    let info = corp::info(&ctx, &principal).await.map_err(fns::refuse)?;
    let abilities = permission::abilities(&principal).map_err(fns::refuse)?;
    Ok(CorpSession { info, abilities })
}
