//! The audit log in the corp portal (issue 20): every sign-in and change in the corp, newest
//! first, with the table's search, column chooser and filter builder (who, action, record, a
//! time range). Admins only; the service refuses anyone else as well.

use leptos::{prelude::*, server_fn::codec::Json};
use serde_json::Value;

use crate::{
    components::{
        filter::{BuilderField, FilterBuilder},
        table::{rendered, Column, DataTable, TableState},
    },
    i18n::{use_i18n, Texts},
    model::{
        audit::AuditEntry,
        error::ApiError,
        list::{ListRequest, Page},
    },
};

#[server(prefix = "/fn", endpoint = "/audit_log", input = Json)]
pub async fn list_audit_log(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{audit, fns};
    let (ctx, principal) = fns::caller().await?;
    let body = fns::list_body(&request)?;
    let query = audit::list_query(&body).map_err(fns::refuse)?;
    audit::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// `{"name": {"from": "a", "to": "b"}}` as `name: a → b`, one field after another.
fn changes_cell(v: &Value, _: &Texts) -> String {
    let Some(map) = v.as_object() else { return String::new() };
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    map.iter()
        .map(|(field, change)| match change.as_object() {
            Some(c) if c.contains_key("from") || c.contains_key("to") => {
                format!("{field}: {} → {}", show(c.get("from")), show(c.get("to")))
            }
            _ => format!("{field}: {}", show(Some(change))),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn columns() -> Vec<Column> {
    rendered(Column::all_of(&AuditEntry::RESOURCE), "changes", changes_cell)
}

pub fn builder_fields() -> Vec<BuilderField> {
    BuilderField::all_of(&AuditEntry::RESOURCE)
}

/// The log's title, filter builder and table: what both portals' audit pages show.
#[component]
pub fn AuditLog() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "actor").hiding(&["id", "actor_id"]);
    let page = Resource::new(move || state.request(), list_audit_log);
    view! {
        <h1 class="mb-2 text-2xl font-bold">{move || t().audit_title}</h1>
        <p class="mb-4 text-sm text-slate-500">{move || t().audit_intro}</p>
        <FilterBuilder fields=builder_fields() state=state/>
        <DataTable columns=cols state=state page=page testid="audit-table"/>
    }
}

/// The corp's audit log, for its admins.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        {crate::components::page_title(|t| t.audit_title.to_owned())}
        <AuditLog/>
    }
}
