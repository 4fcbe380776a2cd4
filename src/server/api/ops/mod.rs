//! `/api`: the operations platform's JSON API (seed 003, OPS-CONTRACT.md), over the same
//! service layer and principals as `/v2`. Every area registers its operations with
//! [`Routes::op`](super::Routes), so each is documented in `/api/openapi.json`; every answer is
//! the envelope ([`envelope`]); lists read [`params::ListParams`]; times are whole seconds.
//! Tokens from the `/v2` logins work here too, with their principal's rights.

pub mod envelope;
pub mod params;

mod agents;
mod commission;
mod devices;
mod mall;
mod orders;
mod platform;
mod tickets;
mod user;
mod vendor;

use axum::{
    http::Method,
    middleware,
    response::IntoResponse,
    routing::{any, get},
    Router,
};
use serde_json::{json, Value};
use tower_http::catch_panic::CatchPanicLayer;

use super::{
    openapi::{self, schema, Flavor},
    Routes,
};
use crate::model::resource::{FieldType, Resource};
use crate::server::{
    clock,
    error::{codes, error_response, ApiError},
    state::AppState,
};

/// `/api`'s document: the envelope around every body, and the envelope as the error.
pub const FLAVOR: Flavor = Flavor {
    title: "backoffice /api",
    description: "The operations platform's JSON API (seed 003). Every answer with a body is the envelope \
                  {\"status\", \"code\", \"message\", \"total\", \"data\"}; code is \"0\" on success, else the \
                  seven-digit code (HTTP status + four digits) as a string. Lists take \
                  ?limit=1..100&offset=&sort=&order=asc|desc and equality filters on their fields. Times are \
                  YYYY-MM-DDTHH:MM:SSZ. Access-Token (or Authorization: Bearer) carries the token of any login, \
                  /v2's included.",
    error: failure_schema,
    wrap: enveloped,
};

fn failure_schema() -> Value {
    schema::object(&[
        ("status", schema::boolean()),
        ("code", schema::string()),
        ("message", schema::string()),
        ("total", schema::integer()),
        ("data", json!({ "nullable": true })),
    ])
}

fn enveloped(data: Value) -> Value {
    schema::object(&[
        ("status", schema::boolean()),
        ("code", json!({ "type": "string", "example": "0" })),
        ("message", schema::string()),
        ("total", schema::integer()),
        ("data", if data.is_null() { json!({ "nullable": true }) } else { data }),
    ])
}

/// Every `/api` route and the document at `/api/openapi.json`; unknown paths, wrong methods and
/// panics answer the failure envelope too.
pub fn router() -> Router<AppState> {
    let api = all_routes();
    let document = openapi::document(&api.ops, &FLAVOR);
    api.router
        .route("/api/openapi.json", get(move || async move { axum::Json(document) }))
        .route("/api", any(no_such_url))
        .route("/api/{*rest}", any(no_such_url))
        .method_not_allowed_fallback(wrong_method)
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| error_response(ApiError::server_fault())))
        .layer(middleware::map_response(envelope::errors))
}

/// The OpenAPI document of `/api`, for the API documentation page.
pub fn document() -> Value {
    openapi::document(&all_routes().ops, &FLAVOR)
}

fn all_routes() -> Routes {
    let api = platform::routes(Routes::new());
    let api = vendor::routes(api);
    let api = user::routes(api);
    let api = mall::routes(api);
    let api = orders::routes(api);
    let api = commission::routes(api);
    let api = devices::routes(api);
    let api = tickets::routes(api);
    agents::routes(api)
}

async fn no_such_url() -> impl IntoResponse {
    ApiError::new(codes::NO_SUCH_URL, "no such URL")
}

async fn wrong_method(method: Method) -> impl IntoResponse {
    ApiError::new(4051001, format!("method {method} not allowed here"))
}

/// A record or list row as `/api` shows it: its times in whole seconds (seed 003 §1.3).
pub fn in_seconds(resource: &Resource, mut row: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    for field in resource.visible().filter(|f| f.ty == FieldType::Time) {
        if let Some(Value::String(t)) = row.get_mut(field.name) {
            *t = clock::seconds_only(t);
        }
    }
    row
}

/// A page of `resource` rows under `key`, in seconds.
pub fn page(key: &str, resource: &Resource, mut page: crate::model::list::Page) -> envelope::Reply {
    page.list = page.list.into_iter().map(|row| in_seconds(resource, row)).collect();
    envelope::Reply::page(key, page)
}

/// A record of `resource`, in seconds.
pub fn record(resource: &Resource, data: impl serde::Serialize) -> Value {
    match serde_json::to_value(data) {
        Ok(Value::Object(row)) => Value::Object(in_seconds(resource, row)),
        Ok(other) => other,
        Err(_) => Value::Null,
    }
}
