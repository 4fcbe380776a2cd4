//! The OpenAPI 3 document of `/v2`, built from the same table that registers the routes, so an
//! endpoint cannot exist without being documented.

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
    /// The 200 body; `None` means an empty body.
    pub response: Option<Value>,
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
        Op { method, path, tag: self.0, summary, auth: true, request, response }
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

fn error_body() -> Value {
    json!({
        "description": "Error: the code is the HTTP status followed by four digits",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

/// The whole document.
pub fn document(ops: &[Op]) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let mut operation = json!({
            "tags": [op.tag],
            "summary": op.summary,
            "responses": {
                "200": match &op.response {
                    Some(schema) => json!({ "description": "OK", "content": { "application/json": { "schema": schema } } }),
                    None => json!({ "description": "OK, empty body" }),
                },
                "400": error_body(),
                "403": error_body(),
                "404": error_body(),
            }
        });
        if let Some(schema) = &op.request {
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": schema } } });
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
            "title": "backoffice /v2",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JSON API of the IoT back office. Every non-200 answer has the body {\"error\":{\"code\",\"msg\"}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "AccessToken": { "type": "apiKey", "in": "header", "name": "Access-Token" }
            },
            "schemas": {
                "Error": schema::object(&[(
                    "error",
                    schema::object(&[("code", schema::integer()), ("msg", schema::string())]),
                )])
            }
        }
    })
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}
