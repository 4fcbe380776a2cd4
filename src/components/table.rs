//! A data table over the list query language: server-side paging, sorting by a column header,
//! a search on a chosen field (`$like`), and a column chooser (the `filter` projection). The
//! page's resource refetches whenever the table's state changes.

use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Map, Value};

use crate::{
    components::ErrorNote,
    i18n::{use_i18n, Label, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        resource::{self, Field, FieldType},
    },
};

/// One column: the API field, its label, and how a value reads.
#[derive(Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub label: Label,
    pub sortable: bool,
    pub searchable: bool,
    pub render: fn(&Value, &Texts) -> String,
}

impl Column {
    /// A column for one field of a resource: labelled by name, rendered, sorted and searched as
    /// its type allows.
    pub fn of(resource: &'static resource::Resource, field: &'static Field) -> Column {
        let render = match field.ty {
            FieldType::Bool => yes_no,
            FieldType::Time => time,
            FieldType::Tags => tags,
            FieldType::Int | FieldType::Str | FieldType::Json => plain,
        };
        Column {
            key: field.name,
            label: Label::Field(resource.name, field.name),
            sortable: field.sortable && !matches!(field.ty, FieldType::Tags | FieldType::Json),
            searchable: field.ty.is_text(),
            render,
        }
    }

    /// Every field a resource lists, in declaration order: the table's columns, all of them in
    /// its column chooser.
    pub fn all_of(resource: &'static resource::Resource) -> Vec<Column> {
        resource.visible().map(|field| Column::of(resource, field)).collect()
    }

    pub fn label(&self, t: &Texts) -> &'static str {
        self.label.get(t)
    }
}

/// `columns` with `key`'s cells read by `render` (a status by name, an organization by path).
pub fn rendered(mut columns: Vec<Column>, key: &str, render: fn(&Value, &Texts) -> String) -> Vec<Column> {
    for column in columns.iter_mut().filter(|c| c.key == key) {
        column.render = render;
    }
    columns
}

/// A value as plain text (strings without quotes, null as a dash).
pub fn plain(v: &Value, _: &Texts) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An ISO time as `YYYY-MM-DD HH:MM`, null as "never".
pub fn time(v: &Value, t: &Texts) -> String {
    match v.as_str() {
        Some(s) if s.len() >= 16 => s[..16].replace('T', " "),
        _ => t.never.into(),
    }
}

pub fn yes_no(v: &Value, t: &Texts) -> String {
    t.yes_no(v.as_bool().unwrap_or(false)).into()
}

/// A row's "View" link to its record's page, `{base}/{id}`.
pub fn view_link(row: &Map<String, Value>, t: &Texts, base: &str, testid: &'static str) -> AnyView {
    let id = row.get("id").and_then(Value::as_i64).unwrap_or(0);
    let label: &'static str = t.view;
    view! { <A href=format!("{base}/{id}") attr:class="text-indigo-600 hover:underline" attr:data-testid=testid>{label}</A> }
        .into_any()
}

/// A list of tags, comma-separated.
pub fn tags(v: &Value, _: &Texts) -> String {
    match v {
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

/// A filter offered above the table: a field and the values it can be narrowed to (`$eq`).
#[derive(Clone, Copy)]
pub struct Filter {
    pub key: &'static str,
    pub label: fn(&Texts) -> &'static str,
    pub options: &'static [(i64, fn(&Texts) -> &'static str)],
}

/// Everything the table lets a person change, as signals.
#[derive(Clone, Copy)]
pub struct TableState {
    pub offset: RwSignal<i64>,
    pub limit: RwSignal<i64>,
    /// The sorted column and whether descending.
    pub sort: RwSignal<Option<(&'static str, bool)>>,
    pub search_field: RwSignal<&'static str>,
    pub search: RwSignal<String>,
    pub visible: RwSignal<Vec<&'static str>>,
    /// The chosen filter values, by field.
    pub filters: RwSignal<Vec<(&'static str, i64)>>,
    /// The filter builder's conditions: field, operator, value (the list language).
    pub conditions: RwSignal<Vec<(&'static str, &'static str, Value)>>,
    /// Rows whose checkbox is ticked, by id (tables with selection only).
    pub selected: RwSignal<Vec<i64>>,
    /// The field that names a row, always fetched (its link, its checkbox): `id`, or a
    /// resource's own key (`vid`, `uid`).
    pub key: &'static str,
}

impl TableState {
    pub fn new(columns: &[Column], search_field: &'static str) -> Self {
        Self {
            offset: RwSignal::new(0),
            limit: RwSignal::new(10),
            sort: RwSignal::new(None),
            search_field: RwSignal::new(search_field),
            search: RwSignal::new(String::new()),
            visible: RwSignal::new(columns.iter().map(|c| c.key).collect()),
            filters: RwSignal::new(Vec::new()),
            conditions: RwSignal::new(Vec::new()),
            selected: RwSignal::new(Vec::new()),
            key: "id",
        }
    }

    /// Rows are named by `key` rather than `id`.
    pub fn keyed_by(self, key: &'static str) -> Self {
        Self { key, ..self }
    }

    /// Hides `keys` at first (the column chooser still offers them).
    pub fn hiding(self, keys: &[&str]) -> Self {
        self.visible.update(|v| v.retain(|k| !keys.contains(k)));
        self
    }

    /// The list request without paging: what an export of "the current filter" asks for.
    pub fn filter_request(&self) -> ListRequest {
        ListRequest { offset: None, limit: None, ..self.request() }
    }

    /// The list request the table shows (reactive: read inside a resource's source).
    pub fn request(&self) -> ListRequest {
        let mut fields = self.visible.get();
        if !fields.contains(&self.key) {
            fields.insert(0, self.key);
        }
        let mut req = ListRequest::paged(self.offset.get(), self.limit.get()).with_filter(fields);
        let search = self.search.get();
        if !search.trim().is_empty() {
            req = req.with_condition(self.search_field.get(), "$like", search.trim());
        }
        for (key, value) in self.filters.get() {
            req = req.with_condition(key, "$eq", value);
        }
        for (key, op, value) in self.conditions.get() {
            req = req.with_condition(key, op, value);
        }
        if let Some((key, desc)) = self.sort.get() {
            req = req.with_order(key, desc);
        }
        req
    }
}

/// The table. `actions` renders the last cell of a row (e.g. a link to its page).
#[component]
pub fn DataTable(
    columns: Vec<Column>,
    state: TableState,
    page: Resource<Result<Page, ApiError>>,
    #[prop(optional)] actions: Option<fn(&Map<String, Value>, &Texts) -> AnyView>,
    #[prop(optional)] filters: Vec<Filter>,
    #[prop(optional)] testid: &'static str,
    /// Offer a checkbox per row (ticked ids land in `state.selected`). Read inside the table's
    /// Suspense, with the page: a signal derived from a session resource is waited for there.
    #[prop(into, default = Signal::stored(false))]
    selectable: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let columns = StoredValue::new(columns);
    let shown = move || {
        let visible = state.visible.get();
        columns.get_value().into_iter().filter(|c| visible.contains(&c.key)).collect::<Vec<_>>()
    };
    let toggle_sort = move |key: &'static str| {
        state.sort.update(|s| {
            *s = match *s {
                Some((k, false)) if k == key => Some((key, true)),
                Some((k, true)) if k == key => None,
                _ => Some((key, false)),
            }
        });
        state.offset.set(0);
    };

    view! {
        <div class="rounded-xl border border-slate-200 bg-white" data-testid=testid>
            <div class="flex flex-wrap items-center gap-2 border-b border-slate-100 p-3">
                <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="search-field" aria-label=move || t().search_by
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(c) = columns.get_value().into_iter().find(|c| c.key == value) {
                            state.search_field.set(c.key);
                            state.offset.set(0);
                        }
                    }>
                    {move || columns.get_value().into_iter().filter(|c| c.searchable).map(|c| view! {
                        <option value=c.key selected=move || state.search_field.get() == c.key>{c.label(t())}</option>
                    }).collect_view()}
                </select>
                <input type="search" data-testid="table-search" placeholder=move || t().search aria-label=move || t().search
                    class="w-56 rounded-md border border-slate-300 px-3 py-1 text-sm"
                    prop:value=move || state.search.get()
                    on:input=move |ev| { state.search.set(event_target_value(&ev)); state.offset.set(0); }/>
                {filters.into_iter().map(|f| view! {
                    <select class="rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid=format!("filter-{}", f.key)
                        aria-label=move || (f.label)(t())
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev).parse::<i64>().ok();
                            state.filters.update(|all| {
                                all.retain(|(k, _)| *k != f.key);
                                if let Some(v) = chosen { all.push((f.key, v)); }
                            });
                            state.offset.set(0);
                        }>
                        <option value="">{move || format!("{}: {}", (f.label)(t()), t().all)}</option>
                        {f.options.iter().map(|(value, label)| {
                            let label = *label;
                            view! { <option value=value.to_string()>{move || label(t())}</option> }
                        }).collect_view()}
                    </select>
                }).collect_view()}
                <details class="relative ml-auto text-sm">
                    <summary class="cursor-pointer rounded-md border border-slate-300 px-3 py-1" data-testid="column-chooser">{move || t().columns}</summary>
                    <div class="absolute right-0 z-10 mt-1 w-48 space-y-1 rounded-md border border-slate-200 bg-white p-2 shadow">
                        {move || columns.get_value().into_iter().map(|c| view! {
                            <label class="flex items-center gap-2">
                                <input type="checkbox" prop:checked=move || state.visible.get().contains(&c.key)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        state.visible.update(|v| {
                                            v.retain(|k| *k != c.key);
                                            if on { v.push(c.key); }
                                        });
                                    }/>
                                {c.label(t())}
                            </label>
                        }).collect_view()}
                    </div>
                </details>
            </div>
            // The page is read once, here: the header's "select page" box, the rows and the
            // pager are drawn from the one awaited answer (several reads of one resource across
            // boundaries are what exposed the server-rendering deadlock of issue 11).
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let selectable = selectable.get();
                    let (rows, count, error) = match page.await {
                        Ok(p) => (p.list, p.count, None),
                        Err(e) => (Vec::new(), 0, Some(e)),
                    };
                    let ids: Vec<i64> = rows.iter().filter_map(|row| row.get("id").and_then(Value::as_i64)).collect();
                    view! {
                        <div class="overflow-x-auto">
                            <table class="min-w-full text-sm">
                                <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                                    <tr>
                                        {selectable.then(|| select_page(state, ids))}
                                        {move || shown().into_iter().map(|c| header(c, state, toggle_sort)).collect_view()}
                                        {actions.map(|_| view! { <th class="px-4 py-2"><span class="sr-only">{move || t().row_actions}</span></th> })}
                                    </tr>
                                </thead>
                                {match error {
                                    Some(e) => view! { <tbody><tr><td class="p-4" colspan="20"><ErrorNote error=e/></td></tr></tbody> }.into_any(),
                                    None if rows.is_empty() => view! {
                                        <tbody><tr><td class="p-6 text-center text-slate-400" colspan="20">{move || t().no_rows}</td></tr></tbody>
                                    }.into_any(),
                                    None => view! {
                                        <tbody class="divide-y divide-slate-100">
                                            {rows.into_iter().map(|row| table_row(row, state, shown, actions, selectable)).collect_view()}
                                        </tbody>
                                    }.into_any(),
                                }}
                            </table>
                        </div>
                        <Pager state=state count=count/>
                    }
                })}
            </Transition>
        </div>
    }
    .into_any()
}

/// The header's box that ticks or clears every row of the page shown.
fn select_page(state: TableState, ids: Vec<i64>) -> AnyView {
    let on_page = ids.clone();
    view! {
        <th class="w-8 px-3 py-2">
            <input type="checkbox" data-testid="select-page" aria-label="select page"
                prop:checked=move || {
                    let selected = state.selected.get();
                    !on_page.is_empty() && on_page.iter().all(|id| selected.contains(id))
                }
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    state.selected.update(|sel| {
                        sel.retain(|id| !ids.contains(id));
                        if on { sel.extend(ids.iter().copied()); }
                    });
                }/>
        </th>
    }
    .into_any()
}

/// A column's header: a sort button with the direction shown, or a plain label.
fn header(c: Column, state: TableState, toggle_sort: impl Fn(&'static str) + Copy + Send + Sync + 'static) -> AnyView {
    let arrow = move || match state.sort.get() {
        Some((k, false)) if k == c.key => " ▲",
        Some((k, true)) if k == c.key => " ▼",
        _ => "",
    };
    let label = c.label;
    let i18n = use_i18n();
    let text = move || label.get(i18n.t());
    view! {
        <th class="px-4 py-2 font-medium">
            {if c.sortable {
                view! { <button type="button" class="uppercase hover:text-slate-800" on:click=move |_| toggle_sort(c.key)>
                    {text}{arrow}
                </button> }.into_any()
            } else {
                view! { <span>{text}</span> }.into_any()
            }}
        </th>
    }
    .into_any()
}

/// One row: the selection box, the visible cells, the actions cell.
fn table_row(
    row: Map<String, Value>,
    state: TableState,
    shown: impl Fn() -> Vec<Column> + Copy + Send + Sync + 'static,
    actions: Option<fn(&Map<String, Value>, &Texts) -> AnyView>,
    selectable: bool,
) -> AnyView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cells = row.clone();
    view! {
        <tr class="hover:bg-slate-50" data-testid="table-row">
            {selectable.then(|| {
                let id = row.get("id").and_then(Value::as_i64).unwrap_or(0);
                view! {
                    <td class="px-3 py-2">
                        <input type="checkbox" data-testid="row-select" aria-label=move || t().select_row
                            prop:checked=move || state.selected.get().contains(&id)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                state.selected.update(|sel| {
                                    sel.retain(|x| *x != id);
                                    if on { sel.push(id); }
                                });
                            }/>
                    </td>
                }
            })}
            {move || shown().into_iter().map(|c| {
                let v = cells.get(c.key).cloned().unwrap_or(Value::Null);
                view! { <td class="whitespace-nowrap px-4 py-2">{move || (c.render)(&v, t())}</td> }
            }).collect_view()}
            {actions.map(|render| view! { <td class="px-4 py-2 text-right">{render(&row, t())}</td> })}
        </tr>
    }
    .into_any()
}

#[component]
fn Pager(state: TableState, count: i64) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let count = move || count;
    view! {
        <div class="flex items-center gap-3 border-t border-slate-100 px-4 py-2 text-sm text-slate-600">
            <span data-testid="table-count">{move || t().showing} " " {count}</span>
            <label class="ml-auto flex items-center gap-1">
                {move || t().per_page}
                <select class="rounded-md border border-slate-300 px-1 py-0.5"
                    on:change=move |ev| { state.limit.set(event_target_value(&ev).parse().unwrap_or(10)); state.offset.set(0); }>
                    {[10, 20, 50, 100].into_iter().map(|n| view! {
                        <option value=n selected=move || state.limit.get() == n>{n}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="button" class="rounded-md border border-slate-300 px-2 py-0.5 disabled:opacity-40"
                disabled=move || state.offset.get() == 0
                on:click=move |_| state.offset.update(|o| *o = (*o - state.limit.get_untracked()).max(0))>
                {move || t().prev_page}
            </button>
            <span>{move || state.offset.get() / state.limit.get().max(1) + 1} " / " {move || (count() + state.limit.get() - 1).max(1) / state.limit.get().max(1)}</span>
            <button type="button" data-testid="next-page" class="rounded-md border border-slate-300 px-2 py-0.5 disabled:opacity-40"
                disabled=move || { state.offset.get() + state.limit.get() >= count() }
                on:click=move |_| state.offset.update(|o| *o += state.limit.get_untracked())>
                {move || t().next_page}
            </button>
        </div>
    }
}
