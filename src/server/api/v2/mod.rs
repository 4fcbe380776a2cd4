//! `/v2`: the original platform's JSON API. Each area module lists its operations with
//! [`Api::op`], which registers the route and documents it in the OpenAPI document in one step.
//! Handlers only parse, call the service layer and render.

mod audit;
mod connectivity;
mod corp;
mod dealer;
mod device;
mod entry;
pub mod extract;
mod heavy_buyer;
mod member;
mod organization;
mod product;
mod role;
mod sale;
mod statistics;

use axum::{
    http::{Method, StatusCode},
    response::IntoResponse,
    routing::get,
    Router,
};
use serde_json::Value;

pub use super::openapi;
use super::Routes as Api;
use crate::server::{
    error::{codes, ApiError},
    state::AppState,
};

/// Every `/v2` route, the OpenAPI document at `/v2/openapi.json`, and contract-shaped answers
/// for unknown paths and wrong methods.
pub fn router() -> Router<AppState> {
    let api = all_routes();
    let document = openapi::document(&api.ops, &openapi::V2);
    api.router
        .route("/v2/openapi.json", get(move || async move { axum::Json(document) }))
        .route("/v2", axum::routing::any(no_such_url))
        .route("/v2/{*rest}", axum::routing::any(no_such_url))
        .method_not_allowed_fallback(wrong_method)
}

/// The OpenAPI document, for the API documentation page.
pub fn document() -> Value {
    openapi::document(&all_routes().ops, &openapi::V2)
}

fn all_routes() -> Api {
    let api = corp::routes(Api::new());
    let api = member::routes(api);
    let api = role::routes(api);
    let api = dealer::routes(api);
    let api = heavy_buyer::routes(api);
    let api = organization::routes(api);
    let api = product::routes(api);
    let api = device::routes(api);
    let api = connectivity::routes(api);
    let api = sale::routes(api);
    let api = entry::routes(api);
    let api = statistics::routes(api);
    audit::routes(api)
}

async fn no_such_url() -> impl IntoResponse {
    ApiError::new(codes::NO_SUCH_URL, "no such URL")
}

/// A known path called with a method it does not have.
pub async fn wrong_method(method: Method) -> impl IntoResponse {
    let err = ApiError::new(4051001, format!("method {method} not allowed here"));
    (StatusCode::METHOD_NOT_ALLOWED, crate::server::error::error_response(err))
}
