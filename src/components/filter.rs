//! The filter builder: a person picks a field, an operator and a value, and the condition joins
//! the table's list request (CONTRACT "Lists": `query`). Values are typed here as the server
//! types them, so a mistyped number is explained before anything is sent.

use leptos::prelude::*;
use serde_json::Value;

use crate::{
    components::table::TableState,
    i18n::{use_i18n, Label, Texts},
    model::resource::{self, FieldType},
};

/// How a field's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Bool,
    /// An ISO date (`2024-01-31`) or time.
    Time,
}

/// A field the builder offers.
#[derive(Clone, Copy)]
pub struct BuilderField {
    pub key: &'static str,
    pub label: Label,
    pub kind: Kind,
    /// Offers "is empty" / "is set".
    pub nullable: bool,
}

impl BuilderField {
    /// Every field of a resource a list may be filtered by, typed as the server types it.
    pub fn all_of(resource: &'static resource::Resource) -> Vec<BuilderField> {
        resource
            .queryable()
            .map(|field| BuilderField {
                key: field.name,
                label: Label::Field(resource.name, field.name),
                kind: match field.ty {
                    FieldType::Int => Kind::Int,
                    FieldType::Bool => Kind::Bool,
                    FieldType::Time => Kind::Time,
                    FieldType::Str | FieldType::Tags | FieldType::Json => Kind::Text,
                },
                nullable: field.nullable,
            })
            .collect()
    }
}

/// The operators a field offers, as the builder names them ("empty"/"set" are `$eq`/`$ne` null).
pub fn operators(field: &BuilderField) -> Vec<&'static str> {
    let mut ops = match field.kind {
        Kind::Text => vec!["$like", "$eq", "$ne", "$in"],
        Kind::Int => vec!["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in"],
        Kind::Bool => vec!["$eq"],
        Kind::Time => vec!["$gte", "$lte", "$gt", "$lt"],
    };
    if field.nullable {
        ops.extend(["empty", "set"]);
    }
    ops
}

fn op_label(op: &str, t: &Texts) -> &'static str {
    match op {
        "$like" => t.op_contains,
        "$eq" => "=",
        "$ne" => "≠",
        "$gt" => ">",
        "$gte" => "≥",
        "$lt" => "<",
        "$lte" => "≤",
        "$in" => t.op_in,
        "empty" => t.op_empty,
        _ => t.op_set,
    }
}

/// The list-language operator and value for what the person typed, or why it cannot be one.
pub fn condition(kind: Kind, op: &'static str, text: &str) -> Result<(&'static str, Value), String> {
    match op {
        "empty" => return Ok(("$eq", Value::Null)),
        "set" => return Ok(("$ne", Value::Null)),
        "$in" => {
            let items = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| scalar(kind, s))
                .collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err("list at least one value".into());
            }
            return Ok(("$in", Value::Array(items)));
        }
        _ => {}
    }
    Ok((op, scalar(kind, text.trim())?))
}

fn scalar(kind: Kind, text: &str) -> Result<Value, String> {
    match kind {
        Kind::Text => Ok(Value::from(text)),
        Kind::Int => text.parse::<i64>().map(Value::from).map_err(|_| format!("{text}: not a whole number")),
        Kind::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("{text}: choose yes or no")),
        },
        Kind::Time => {
            let date = text.get(..10).unwrap_or("");
            let ok = date.len() == 10
                && date.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            if ok {
                Ok(Value::from(text))
            } else {
                Err(format!("{text}: a date like 2024-01-31"))
            }
        }
    }
}

fn shown_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown_value).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[component]
pub fn FilterBuilder(fields: Vec<BuilderField>, state: TableState) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let fields = StoredValue::new(fields);
    let chosen = RwSignal::new(0usize);
    let field = move || fields.with_value(|f| f[chosen.get().min(f.len() - 1)]);
    let op = RwSignal::new(operators(&field())[0]);
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move || {
        let f = field();
        let text = if f.kind == Kind::Bool && value.get().is_empty() { "true".to_owned() } else { value.get() };
        match condition(f.kind, op.get(), &text) {
            Ok((op, v)) => {
                state.conditions.update(|all| {
                    all.retain(|(k, o, _)| !(*k == f.key && *o == op));
                    all.push((f.key, op, v));
                });
                state.offset.set(0);
                value.set(String::new());
                error.set(None);
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let needs_value = move || !matches!(op.get(), "empty" | "set");
    view! {
        <div class="mb-3 rounded-xl border border-slate-200 bg-white p-3 text-sm" data-testid="filter-builder">
            <form class="flex flex-wrap items-center gap-2" on:submit=move |ev| { ev.prevent_default(); add(); }>
                <select data-testid="fb-field" class="rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().filter_field
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(i) = fields.with_value(|f| f.iter().position(|x| x.key == key)) {
                            chosen.set(i);
                            op.set(operators(&field())[0]);
                            value.set(String::new());
                        }
                    }>
                    {move || fields.get_value().into_iter().enumerate().map(|(i, f)| view! {
                        <option value=f.key selected=move || chosen.get() == i>{f.label.get(t())}</option>
                    }).collect_view()}
                </select>
                <select data-testid="fb-op" class="rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().filter_op
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(o) = operators(&field()).into_iter().find(|o| *o == picked) { op.set(o); }
                    }>
                    {move || operators(&field()).into_iter().map(|o| view! {
                        <option value=o selected=move || op.get() == o>{op_label(o, t())}</option>
                    }).collect_view()}
                </select>
                {move || match (needs_value(), field().kind) {
                    (false, _) => ().into_any(),
                    (true, Kind::Bool) => view! {
                        <select data-testid="fb-value" class="rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().filter_value
                            on:change=move |ev| value.set(event_target_value(&ev))>
                            <option value="true">{t().yes}</option>
                            <option value="false">{t().no}</option>
                        </select>
                    }.into_any(),
                    (true, kind) => view! {
                        <input data-testid="fb-value" class="w-48 rounded-md border border-slate-300 px-2 py-1" aria-label=move || t().filter_value
                            type=if kind == Kind::Time { "date" } else { "text" }
                            placeholder=move || t().filter_value
                            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                    }.into_any(),
                }}
                <button type="submit" data-testid="fb-add" class="rounded-md border border-indigo-300 px-3 py-1 text-indigo-700 hover:bg-indigo-50">
                    {move || t().filter_add}
                </button>
                {move || error.get().map(|e| view! { <span class="text-red-600" data-testid="fb-error">{e}</span> })}
            </form>
            <div class="mt-2 flex flex-wrap gap-2">
                {move || state.conditions.get().into_iter().map(|(key, op, v)| {
                    let label = fields.with_value(|f| f.iter().find(|x| x.key == key).map(|x| x.label));
                    let shown_op = if v.is_null() { if op == "$eq" { "empty" } else { "set" } } else { op };
                    view! {
                        <span class="inline-flex items-center gap-1 rounded-full bg-indigo-50 px-3 py-0.5 text-indigo-800" data-testid="fb-chip">
                            {move || label.map(|l| l.get(t())).unwrap_or(key)} " " {move || op_label(shown_op, t())} " " {shown_value(&v)}
                            <button type="button" class="ml-1 text-indigo-500 hover:text-indigo-900" aria-label="remove"
                                on:click=move |_| {
                                    state.conditions.update(|all| all.retain(|(k, o, _)| !(*k == key && *o == op)));
                                    state.offset.set(0);
                                }>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        assert_eq!(condition(Kind::Int, "$gte", " 42 ").unwrap(), ("$gte", Value::from(42)));
        assert!(condition(Kind::Int, "$eq", "4x").is_err());
        assert_eq!(condition(Kind::Text, "$in", "a, b,,").unwrap().1, serde_json::json!(["a", "b"]));
        assert!(condition(Kind::Text, "$in", " , ").is_err());
        assert_eq!(condition(Kind::Bool, "$eq", "false").unwrap().1, Value::Bool(false));
        assert_eq!(condition(Kind::Time, "$gte", "2024-01-31").unwrap().1, Value::from("2024-01-31"));
        assert!(condition(Kind::Time, "$gte", "31/01/2024").is_err());
        assert_eq!(condition(Kind::Int, "empty", "").unwrap(), ("$eq", Value::Null));
    }
}
