//! The server's error: either a client-facing [`ApiError`] or an internal fault whose cause is
//! logged and never sent. `/v2` handlers and server functions both return it.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

pub use crate::model::error::{codes, ApiError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Too many failed logins from one client address: 429 with `Retry-After` in seconds.
    #[error("throttled for {0} s")]
    Throttled(u64),
    /// A request over a limit (a verification code asked for too soon): its error, and the
    /// seconds after which it may come again (`Retry-After`).
    #[error("{0} (retry after {1} s)")]
    Limited(ApiError, u64),
    #[error("internal: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Internal(Box::new(err))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(err: tokio::task::JoinError) -> Self {
        Error::Internal(Box::new(err))
    }
}

impl Error {
    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into().into())
    }

    /// The client-facing form; an internal cause is logged here, at the boundary, and replaced.
    pub fn into_api(self) -> ApiError {
        match self {
            Error::Api(e) => e,
            Error::Throttled(_) => ApiError::new(codes::TOO_MANY_REQUESTS, "too many failed logins, retry later"),
            Error::Limited(e, _) => e,
            Error::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                ApiError::server_fault()
            }
        }
    }
}

/// Renders CONTRACT.md's error body with the status taken from the code.
pub fn error_response(err: ApiError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::json!({ "error": { "code": err.code, "msg": err.msg } });
    let mut response = (status, axum::Json(body)).into_response();
    // `/api` renders the same error as its envelope (api::ops::envelope::errors).
    response.extensions_mut().insert(err);
    response
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            Error::Throttled(secs) | Error::Limited(_, secs) => Some(*secs),
            _ => None,
        };
        let mut response = error_response(self.into_api());
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self)
    }
}
