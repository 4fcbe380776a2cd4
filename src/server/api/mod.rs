//! The JSON APIs: thin adapters over the service layer, one folder per API. `v2` is the
//! original platform's API (CONTRACT.md's error body); `ops` is the operations platform's `/api`
//! (OPS-CONTRACT.md's envelope), over the same services and principals. Both list their
//! operations with [`Routes::op`], which registers a route and documents it in one step.

pub mod openapi;
pub mod ops;
pub mod v2;

use axum::{routing::MethodRouter, Router};
use serde_json::Value;

use crate::server::state::AppState;
use openapi::Op;

/// An API's routes and their documentation, built together.
pub struct Routes {
    router: Router<AppState>,
    ops: Vec<Op>,
}

impl Routes {
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

/// Both APIs, each with its document (`/v2/openapi.json`, `/api/openapi.json`) and answers in
/// its own shape for unknown paths and wrong methods.
pub fn router() -> Router<AppState> {
    v2::router().merge(ops::router())
}

/// The OpenAPI document of one API (`"v2"` or `"api"`), for the API documentation page.
pub fn document(which: &str) -> Option<Value> {
    match which {
        "v2" => Some(v2::document()),
        "api" => Some(ops::document()),
        _ => None,
    }
}
