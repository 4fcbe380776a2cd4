//! The wire types of CONTRACT.md's list query language, shared by the server and the pages.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One page of a list: `count` is every matching row, not the page size.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Page {
    pub count: i64,
    pub list: Vec<Map<String, Value>>,
}

/// A list request as a page builds it; absent parts take the server's defaults
/// (offset 0, limit 10, every documented field, no condition, `id` ascending).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ListRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Map<String, Value>>,
}

impl ListRequest {
    /// The page starting at `offset` with at most `limit` rows.
    pub fn paged(offset: i64, limit: i64) -> Self {
        Self { offset: Some(offset), limit: Some(limit), ..Self::default() }
    }

    /// Returns only these fields, in this order.
    pub fn with_filter<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.filter = Some(fields.into_iter().map(Into::into).collect());
        self
    }

    /// Adds `field: {op: value}` (e.g. `"$like"`, `"$in"`); a second operator on the same
    /// field joins the first (conditions are ANDed).
    pub fn with_condition(mut self, field: &str, op: &str, value: impl Into<Value>) -> Self {
        let query = self.query.get_or_insert_with(Map::new);
        let entry = query.entry(field.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        match entry {
            Value::Object(ops) => {
                ops.insert(op.to_owned(), value.into());
            }
            // A bare value (`$eq`) was put here directly: keep it as an explicit operator.
            bare => {
                let mut ops = Map::new();
                ops.insert("$eq".to_owned(), bare.take());
                ops.insert(op.to_owned(), value.into());
                *bare = Value::Object(ops);
            }
        }
        self
    }

    /// Sorts by `field` after the keys already given (the server keeps their order).
    pub fn with_order(mut self, field: &str, descending: bool) -> Self {
        let dir = if descending { "desc" } else { "asc" };
        self.order.get_or_insert_with(Map::new).insert(field.to_owned(), Value::from(dir));
        self
    }
}
