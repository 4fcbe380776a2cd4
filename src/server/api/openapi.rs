//! The OpenAPI 3 documents of `/v2` and `/api`, built from the same tables that register the
//! routes, so an endpoint cannot exist without being documented.

use serde_json::{json, Map, Value};

/// One documented operation.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Whether the call needs `Access-Token`.
    pub auth: bool,
    pub request: Option<Value>,
    /// The success body; `None` means an empty body.
    pub response: Option<Value>,
    /// The success status: 200 on `/v2`; on `/api` 201 for a create or change, 204 for a delete.
    pub status: u16,
}

impl Op {
    /// Callable without a token (a sign-in, a public read).
    pub fn public(mut self) -> Self {
        self.auth = false;
        self
    }

    /// Answers `status` on success.
    pub fn answers(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

/// The tag a module's operations are documented under; `TAG.op(…)` builds one that needs
/// `Access-Token`, so each module states its tag once.
#[derive(Clone, Copy)]
pub struct Tag(pub &'static str);

impl Tag {
    pub fn op(
        self,
        method: &'static str,
        path: &'static str,
        summary: &'static str,
        request: Option<Value>,
        response: Option<Value>,
    ) -> Op {
        Op { method, path, tag: self.0, summary, auth: true, request, response, status: 200 }
    }
}

/// JSON Schema helpers for the operation table.
pub mod schema {
    use serde_json::{json, Value};

    use crate::model::resource::{FieldType, Resource};

    pub fn string() -> Value {
        json!({ "type": "string" })
    }
    pub fn integer() -> Value {
        json!({ "type": "integer", "format": "int64" })
    }
    pub fn boolean() -> Value {
        json!({ "type": "boolean" })
    }
    pub fn time() -> Value {
        json!({ "type": "string", "format": "date-time", "example": "2015-10-09T08:15:40.843Z" })
    }
    /// A resource's wire type, from its declaration: every field it lists, typed, null allowed
    /// where the field may be absent.
    pub fn resource(resource: &Resource) -> Value {
        let fields: Vec<(&str, Value)> = resource
            .visible()
            .map(|field| {
                let mut schema = match field.ty {
                    FieldType::Int => integer(),
                    FieldType::Str => string(),
                    FieldType::Bool => boolean(),
                    FieldType::Time => time(),
                    FieldType::Tags => array(string()),
                    FieldType::Json => json!({}),
                };
                if field.nullable {
                    schema["type"] = json!([schema["type"].clone(), "null"]);
                }
                (field.name, schema)
            })
            .collect();
        object(&fields)
    }

    pub fn array(items: Value) -> Value {
        json!({ "type": "array", "items": items })
    }
    /// An object; fields whose name ends in `?` are optional.
    pub fn object(fields: &[(&str, Value)]) -> Value {
        let mut props = serde_json::Map::new();
        let mut required = Vec::new();
        for (name, schema) in fields {
            match name.strip_suffix('?') {
                Some(n) => {
                    props.insert(n.to_owned(), schema.clone());
                }
                None => {
                    props.insert((*name).to_owned(), schema.clone());
                    required.push(*name);
                }
            }
        }
        json!({ "type": "object", "properties": props, "required": required })
    }
}

/// What sets one API's document apart: its title, its description and the body of its errors.
pub struct Flavor {
    pub title: &'static str,
    pub description: &'static str,
    /// The schema every error answer has (`components/schemas/Error`).
    pub error: fn() -> Value,
    /// Wraps a success body in the API's envelope (`/api`), or leaves it (`/v2`).
    pub wrap: fn(Value) -> Value,
}

/// `/v2`: CONTRACT.md's error body, bodies as they are.
pub const V2: Flavor = Flavor {
    title: "backoffice /v2",
    description: "The original platform's JSON API. Every non-200 answer has the body {\"error\":{\"code\",\"msg\"}}.",
    error: v2_error,
    wrap: as_it_is,
};

fn v2_error() -> Value {
    schema::object(&[("error", schema::object(&[("code", schema::integer()), ("msg", schema::string())]))])
}

fn as_it_is(body: Value) -> Value {
    body
}

fn error_body() -> Value {
    json!({
        "description": "Error: the code is the HTTP status followed by four digits",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

/// The whole document.
/// A request body's `content`: JSON, unless the schema is raw bytes (`"format": "binary"`) of
/// the media types its `x-media` lists (an upload).
fn request_content(schema: &Value) -> Value {
    let media: Vec<&str> = match schema["x-media"].as_array() {
        Some(types) if schema["format"] == "binary" => types.iter().filter_map(Value::as_str).collect(),
        _ => return json!({ "application/json": { "schema": schema } }),
    };
    let raw = json!({ "schema": { "type": "string", "format": "binary" } });
    Value::Object(media.into_iter().map(|m| (m.to_owned(), raw.clone())).collect())
}

pub fn document(ops: &[Op], flavor: &Flavor) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let mut operation = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "responses": {
                "400": error_body(),
                "403": error_body(),
                "404": error_body(),
            }
        });
        operation["responses"][op.status.to_string()] = match (&op.response, op.status) {
            (_, 204) => json!({ "description": "Done, no body" }),
            (Some(schema), _) => json!({
                "description": "OK",
                "content": { "application/json": { "schema": (flavor.wrap)(schema.clone()) } }
            }),
            (None, _) => match (flavor.wrap)(Value::Null) {
                Value::Null => json!({ "description": "OK, empty body" }),
                wrapped => json!({ "description": "OK", "content": { "application/json": { "schema": wrapped } } }),
            },
        };
        if let Some(schema) = &op.request {
            operation["requestBody"] = json!({ "required": true, "content": request_content(schema) });
        }
        if op.auth {
            operation["security"] = json!([{ "AccessToken": [] }]);
        }
        let params: Vec<Value> = path_params(op.path)
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": flavor.title,
            "version": env!("CARGO_PKG_VERSION"),
            "description": flavor.description,
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "AccessToken": { "type": "apiKey", "in": "header", "name": "Access-Token" }
            },
            "schemas": { "Error": (flavor.error)() }
        }
    })
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}
