//! OPS-CONTRACT.md's envelope: every answer with a body is
//! `{"status", "code", "message", "total", "data"}`, success or failure.
//!
//! Success: a handler answers a [`Reply`]. Failure: the one error type ([`Error`]) renders as
//! `/v2`'s body and leaves the [`ApiError`] it rendered in the answer's extensions; the layer
//! [`errors`] around every `/api` route re-renders that as the envelope. So an extractor's
//! rejection, an unknown path, a wrong method and a panic all come out in the envelope too.
//!
//! The code catalogue is CONTRACT.md's, with the statuses of seed 003 §3.1: a token or a
//! credential refused is 401 (not `/v2`'s 403/400), and a rule or a field's value refused by a
//! service is 422 (a request that cannot be parsed stays 400). The last four digits stay.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use serde_json::{json, Value};

use crate::model::list::Page;
use crate::server::error::{codes, ApiError, Error};

/// A successful answer.
pub enum Reply {
    /// 200 with a record or an action's result (`total` 1, or 0 for `null`).
    Ok(Value),
    /// 201: created or changed, with the record's id or the record.
    Created(Value),
    /// 200 with one page of a list and the count of every match.
    List { total: i64, data: Value },
    /// 204, no body: deleted.
    Deleted,
}

impl Reply {
    /// 200 with `data` serialized.
    pub fn ok(data: impl Serialize) -> Self {
        Reply::Ok(to_value(data))
    }

    /// 201 with `data` serialized.
    pub fn created(data: impl Serialize) -> Self {
        Reply::Created(to_value(data))
    }

    /// 200 with a page of rows under `key` (`{"users": [...]}`), as the document shows lists.
    pub fn page(key: &str, page: Page) -> Self {
        Reply::List { total: page.count, data: json!({ key: page.list }) }
    }
}

fn to_value(data: impl Serialize) -> Value {
    // Our own types always serialize; a failure would be a bug, shown as `null` not a panic.
    serde_json::to_value(data).unwrap_or(Value::Null)
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let (status, total, data) = match self {
            Reply::Ok(data) => (StatusCode::OK, i64::from(!data.is_null()), data),
            Reply::Created(data) => (StatusCode::CREATED, i64::from(!data.is_null()), data),
            Reply::List { total, data } => (StatusCode::OK, total, data),
            Reply::Deleted => return StatusCode::NO_CONTENT.into_response(),
        };
        let body = json!({ "status": true, "code": "0", "message": "OK", "total": total, "data": data });
        (status, Json(body)).into_response()
    }
}

/// A handler's failure. From a service's [`Error`], a refusal of a field or a rule becomes 422;
/// from [`Malformed`] (the request itself could not be read), it stays 400.
#[derive(Debug)]
pub struct Refused(Error);

pub type Result<T = Reply> = std::result::Result<T, Refused>;

impl From<Error> for Refused {
    fn from(err: Error) -> Self {
        match err {
            Error::Api(e) if e.status() == 400 && !is_credential(e.code) => {
                Refused(Error::Api(ApiError { code: e.code - 400_0000 + 422_0000, msg: e.msg }))
            }
            other => Refused(other),
        }
    }
}

impl From<ApiError> for Refused {
    fn from(err: ApiError) -> Self {
        Refused::from(Error::from(err))
    }
}

/// A request that cannot be read as the operation's input (a list parameter that is not a
/// number, a sort field that does not exist): 400.
#[derive(Debug)]
pub struct Malformed(pub ApiError);

impl From<Malformed> for Refused {
    fn from(Malformed(err): Malformed) -> Self {
        Refused(Error::Api(err))
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// The 400 codes that mean "who you say you are was not accepted": 401 on `/api`.
fn is_credential(code: u32) -> bool {
    matches!(code, codes::WRONG_PASSWORD | codes::REFRESH_TOKEN_INVALID)
}

/// `/v2`'s code as `/api` states it: a token refused is 401 with the same last four digits.
pub fn ops_code(code: u32) -> u32 {
    match code {
        codes::TOKEN_MISSING | codes::TOKEN_INVALID | codes::TOKEN_EXPIRED | codes::TOKEN_REFRESHED => {
            code - 403_0000 + 401_0000
        }
        c if is_credential(c) => c - 400_0000 + 401_0000,
        c => c,
    }
}

/// The failure envelope of an error.
pub fn failure(err: &ApiError) -> (StatusCode, Value) {
    let code = ops_code(err.code);
    let status = StatusCode::from_u16((code / 10_000) as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({ "status": false, "code": code.to_string(), "message": err.msg, "total": 0, "data": null });
    (status, body)
}

/// The layer around every `/api` route: an answer that rendered an [`ApiError`] (as `/v2`'s
/// body) is rendered again as the failure envelope; its other headers (`Retry-After`) stay.
pub async fn errors(response: Response) -> Response {
    let Some(err) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    let (parts, _) = response.into_parts();
    let (status, body) = failure(&err);
    let mut enveloped = (status, Json(body)).into_response();
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            enveloped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    enveloped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_last_four_digits() {
        let Refused(Error::Api(e)) = Refused::from(ApiError::new(codes::PHONE_TAKEN, "taken")) else { panic!() };
        assert_eq!(e.code, 4221005);
        let Refused(Error::Api(e)) = Refused::from(Malformed(ApiError::invalid("limit", "x"))) else { panic!() };
        assert_eq!(e.code, codes::INVALID_FIELD);
        assert_eq!(ops_code(codes::TOKEN_INVALID), 4011003);
        assert_eq!(ops_code(codes::WRONG_PASSWORD), 4011007);
        assert_eq!(ops_code(codes::NO_SUCH_URL), codes::NO_SUCH_URL);
        let (status, body) = failure(&ApiError::new(4101001, "gone"));
        assert_eq!((status.as_u16(), body["code"].as_str()), (410, Some("4101001")));
    }
}
