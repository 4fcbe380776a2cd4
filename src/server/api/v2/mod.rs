//! `/v2`: the original platform's JSON API. Each area module lists its operations with [`Api::op`], which registers
//! the route and documents it in the OpenAPI document in one step. Handlers only parse, call the
//! service layer and render.

mod audit;
mod corp;
mod dealer;
mod device;
mod entry;
pub mod extract;
mod heavy_buyer;
mod member;
pub mod openapi;
mod organization;
mod product;
mod role;
mod sale;

use axum::{
    http::{Method, StatusCode},
    response::IntoResponse,
    routing::{get, MethodRouter},
    Router,
};
use serde_json::Value;

use crate::server::{
    error::{codes, ApiError},
    state::AppState,
};
use openapi::Op;

/// The routes of `/v2` and their documentation, built together.
pub struct Api {
    router: Router<AppState>,
    ops: Vec<Op>,
}

impl Api {
    fn new() -> Self {
        Self { router: Router::new(), ops: Vec::new() }
    }

    /// Registers one operation: the handler under its method and path, and its documentation.
    fn op(mut self, op: Op, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(op.path, handler);
        self.ops.push(op);
        self
    }
}

/// Every `/v2` route, the OpenAPI document at `/v2/openapi.json`, and contract-shaped answers
/// for unknown paths and wrong methods.
pub fn router() -> Router<AppState> {
    let api = all_routes();
    let document = openapi::document(&api.ops);
    api.router
        .route("/v2/openapi.json", get(move || async move { axum::Json(document) }))
        .route("/v2", axum::routing::any(no_such_url))
        .route("/v2/{*rest}", axum::routing::any(no_such_url))
}

/// The OpenAPI document, for the API documentation page.
pub fn document() -> Value {
    openapi::document(&all_routes().ops)
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
    let api = sale::routes(api);
    let api = entry::routes(api);
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
