//! What server functions need from the request: the context, the session, the caller. Kept
//! here so each server function stays a thin adapter over a service call.

use leptos::prelude::use_context;
use tower_sessions::Session;

use crate::server::{
    auth::{client::ClientAddr, principal::Principal, web},
    error::{ApiError, Error},
    state::{AppState, Ctx},
};

/// The client-facing error of a server function, with the HTTP status its code implies (so a
/// refused login is a 400 in the logs and the browser's network panel, not a 500).
pub fn refuse(err: impl Into<Error>) -> ApiError {
    let api = err.into().into_api();
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), axum::http::StatusCode::from_u16(api.status()))
    {
        // A redirect the page decided already (a signed-out member sent to the sign-in page)
        // stands: another part of the page refused for the same reason after it, and turning
        // the 302 into a 403 would leave the browser on an error instead of the sign-in page.
        let redirecting = response.0.read().map(|parts| parts.headers.contains_key(axum::http::header::LOCATION));
        if !redirecting.unwrap_or(false) {
            response.set_status(status);
        }
    }
    api
}

pub fn ctx() -> Result<Ctx, ApiError> {
    use_context::<AppState>().map(|s| s.ctx).ok_or_else(|| Error::internal("AppState missing from context").into_api())
}

pub async fn session() -> Result<Session, ApiError> {
    leptos_axum::extract::<Session>().await.map_err(|e| Error::internal(format!("session: {e}")).into_api())
}

pub async fn client_addr() -> Result<String, ApiError> {
    let state = use_context::<AppState>().ok_or_else(|| Error::internal("AppState missing").into_api())?;
    leptos_axum::extract_with_state::<ClientAddr, AppState>(&state)
        .await
        .map(|ClientAddr(a)| a)
        .map_err(|e| Error::internal(format!("client address: {e}")).into_api())
}

/// The logged-in caller of a server function, with the context to serve it.
pub async fn caller() -> Result<(Ctx, Principal), ApiError> {
    let ctx = ctx()?;
    let session = session().await?;
    let principal = web::principal(&ctx, &session).await.map_err(refuse)?;
    Ok((ctx, principal))
}

/// A portal table's list request as the list language's JSON body, the one `/v2` lists read.
pub fn list_body(request: &crate::model::list::ListRequest) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(request).map_err(|e| refuse(ApiError::invalid("body", &e.to_string())))
}
