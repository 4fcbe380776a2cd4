//! The list parameters of seed 003 §3.3: `?limit=&offset=&sort=&order=asc|desc` and equality
//! filters on a resource's documented fields (`?state=1&type=2`), read into the one list
//! language of `server::list`. `limit` is 1–100 (10 by default); a parameter naming no field is
//! 400 naming it.

use axum::{extract::FromRequestParts, http::request::Parts};
use serde_json::{json, Map, Value};

use super::envelope::{Malformed, Refused};
use crate::model::resource::{FieldType, Resource};
use crate::server::{
    error::ApiError,
    list::{self, ListQuery},
};

/// Largest page `/api` serves.
pub const MAX_LIMIT: i64 = 100;

/// The query string's pairs, in order, decoded.
pub struct ListParams(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for ListParams {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|e| Malformed(ApiError::invalid("query", &e.body_text())))?;
        Ok(ListParams(pairs))
    }
}

impl ListParams {
    /// The list query over `resource`; `fixed` names parameters the handler reads itself.
    pub fn query(&self, resource: &Resource, fixed: &[&str]) -> Result<ListQuery, Malformed> {
        let mut body = Map::new();
        let mut conditions = Map::new();
        let (mut sort, mut order) = (None, None);
        for (key, value) in &self.0 {
            match key.as_str() {
                "limit" | "offset" => {
                    let n: i64 = value.trim().parse().map_err(|_| invalid(key, "must be an integer"))?;
                    if key == "limit" && !(1..=MAX_LIMIT).contains(&n) {
                        return Err(invalid(key, &format!("must be an integer from 1 to {MAX_LIMIT}")));
                    }
                    body.insert(key.clone(), json!(n));
                }
                "sort" => sort = Some(value.clone()),
                "order" => {
                    order = Some(match value.as_str() {
                        "asc" | "desc" => value.clone(),
                        _ => return Err(invalid("order", "must be asc or desc")),
                    })
                }
                k if fixed.contains(&k) => {}
                field => {
                    conditions.insert(field.to_owned(), typed(resource, field, value)?);
                }
            }
        }
        match (sort, order) {
            (Some(field), order) => {
                body.insert("order".into(), json!({ field: order.unwrap_or_else(|| "asc".into()) }));
            }
            (None, Some(_)) => return Err(invalid("order", "needs sort")),
            (None, None) => {}
        }
        if !conditions.is_empty() {
            body.insert("query".into(), Value::Object(conditions));
        }
        list::parse(resource, &Value::Object(body)).map_err(Malformed)
    }
}

/// A filter's value as its field's type (the query string only carries text).
fn typed(resource: &Resource, field: &str, value: &str) -> Result<Value, Malformed> {
    let ty = resource.visible().find(|f| f.name == field && f.queryable).map(|f| f.ty);
    match ty {
        None => Err(invalid(field, "unknown parameter")),
        Some(FieldType::Int) => {
            value.trim().parse::<i64>().map(Value::from).map_err(|_| invalid(field, "must be an integer"))
        }
        Some(FieldType::Bool) => match value {
            "true" | "1" => Ok(json!(true)),
            "false" | "0" => Ok(json!(false)),
            _ => Err(invalid(field, "must be true or false")),
        },
        Some(_) => Ok(json!(value)),
    }
}

fn invalid(field: &str, why: &str) -> Malformed {
    Malformed(ApiError::invalid(&field.chars().take(64).collect::<String>(), why))
}

/// The input of a GET the document gives a body (AA-02A, AA-06A, AA-07A): query parameters, or
/// a JSON body when there are none (OPS-CONTRACT.md).
pub struct QueryOrBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for QueryOrBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Refused;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.uri().query().is_some_and(|q| !q.is_empty()) {
            let (mut parts, _) = req.into_parts();
            let axum::extract::Query(value) =
                axum::extract::Query::<T>::from_request_parts(&mut parts, state).await.map_err(|e| {
                    // serde says "missing field `mobile`": name the field as a body's would be.
                    let text = e.body_text();
                    match text.split("missing field `").nth(1).and_then(|rest| rest.split('`').next()) {
                        Some(field) => Malformed(ApiError::missing(field)),
                        None => Malformed(ApiError::invalid("query", &text)),
                    }
                })?;
            return Ok(QueryOrBody(value));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| Malformed(ApiError::invalid("body", "too large or unreadable")))?;
        // Neither: read an empty object, so the answer names the first missing field.
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        crate::server::api::v2::extract::parse(bytes).map(QueryOrBody).map_err(|e| Malformed(e).into())
    }
}
