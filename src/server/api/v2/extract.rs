//! The `/v2` extractors: a JSON body, path parameters and query parameters. Whatever is wrong
//! with them (malformed JSON, a wrong type, a missing field, an oversized body, a path id that
//! is not a number) becomes the contract's error body, naming the field where there is one.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::server::error::{ApiError, Error};

pub struct Json<T>(pub T);

/// A body that may be absent (empty), such as the `role_id` of set-role for a built-in role.
pub struct OptionalJson<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        parse(&bytes).map(|v| OptionalJson(Some(v))).map_err(Error::from)
    }
}

/// Path parameters, e.g. `Path((member_id,)): Path<(i64,)>`.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| ApiError::invalid("path", &e.body_text()).into())
    }
}

/// Query-string parameters.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| ApiError::invalid("query", &e.body_text()).into())
    }
}

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body(req, state).await?;
        parse(&bytes).map(Json).map_err(Error::from)
    }
}

/// The raw body, within the size limit.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Error> {
    Bytes::from_request(req, state).await.map_err(|_| ApiError::invalid("body", "too large or unreadable").into())
}

/// Parses a body, mapping serde's complaints to 4001001 / 4001002 with the field's path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::missing("body"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::invalid("body", "malformed JSON");
        }
        let msg = inner.to_string();
        // serde reports a missing field as "missing field `name` at line …".
        if let Some(rest) = msg.strip_prefix("missing field `") {
            let field = rest.split('`').next().unwrap_or("?");
            let field = if path == "." { field.to_owned() } else { format!("{path}.{field}") };
            return ApiError::missing(&field);
        }
        let why = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        ApiError::invalid(if path == "." { "body" } else { &path }, &why)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::error::codes;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Login {
        account: String,
        password: String,
    }

    #[test]
    fn maps_each_failure_to_a_named_field() {
        assert_eq!(parse::<Login>(b"{nope").unwrap_err().code, codes::INVALID_FIELD);
        assert_eq!(parse::<Login>(b"").unwrap_err().code, codes::MISSING_FIELD);
        let missing = parse::<Login>(br#"{"account":"a"}"#).unwrap_err();
        assert_eq!((missing.code, missing.msg.as_str()), (codes::MISSING_FIELD, "password: required"));
        let wrong = parse::<Login>(br#"{"account":1,"password":"x"}"#).unwrap_err();
        assert_eq!(wrong.code, codes::INVALID_FIELD);
        assert!(wrong.msg.starts_with("account:"), "{}", wrong.msg);
    }
}
