//! What every record page shares (a dealer's, a key account's, a member's, a user's): a card of
//! label/value rows, what follows its actions (a change reloads the record, a delete leaves for
//! the list, a refusal shows), and the disable/enable pair of buttons.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    components::dialog::ConfirmButton,
    i18n::{use_i18n, Texts},
    model::error::ApiError,
};

/// A record's label/value rows under its name; the page's heading when it is the page's subject.
#[component]
pub fn RecordCard(
    title: String,
    rows: Vec<(&'static str, String)>,
    testid: &'static str,
    /// The record the page is about: its name is the page's `<h1>`.
    #[prop(optional)]
    main: bool,
) -> impl IntoView {
    let heading = if main {
        view! { <h1 class="text-xl font-bold">{title}</h1> }.into_any()
    } else {
        view! { <h2 class="text-lg font-semibold">{title}</h2> }.into_any()
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid=testid>
            {heading}
            <dl class="mt-3 text-sm">
                {rows.into_iter().map(|(label, value)| view! {
                    <div class="flex justify-between gap-4 py-1"><dt class="text-slate-500">{label}</dt><dd class="font-medium">{value}</dd></div>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// After `action` succeeds the record is read again (`reload`); a refusal lands in `error`.
pub fn reload_after<I: Send + Sync + 'static>(
    action: Action<I, Result<(), ApiError>>,
    error: RwSignal<Option<ApiError>>,
    reload: RwSignal<u32>,
) {
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => {
            error.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
}

/// After `action` (a delete) succeeds the page goes to `list`; a refusal lands in `error`.
pub fn leave_after<I: Send + Sync + 'static>(
    action: Action<I, Result<(), ApiError>>,
    error: RwSignal<Option<ApiError>>,
    list: &'static str,
) {
    let navigate = use_navigate();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => navigate(list, Default::default()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
}

/// A listed record (`id`, `name`, and `dealer_code` when it has one) as a picker's option:
/// "Name (code)".
pub fn record_option(row: &serde_json::Map<String, serde_json::Value>) -> impl IntoView {
    let id = row.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
    let name = row.get("name").and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let code = row.get("dealer_code").and_then(|v| v.as_str()).map(|c| format!(" ({c})")).unwrap_or_default();
    view! { <option value=id.to_string()>{format!("{name}{code}")}</option> }
}

/// Disable (after `confirm` is accepted) or enable; `set(true)` enables.
#[component]
pub fn EnableButtons(
    enabled: bool,
    set: Callback<bool>,
    confirm: fn(&Texts) -> &'static str,
    disable_testid: &'static str,
    enable_testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    if enabled {
        view! {
            <ConfirmButton label=Signal::derive(move || t().disable.to_string())
                message=Signal::derive(move || confirm(t()).to_string())
                on_confirm=Callback::new(move |_| set.run(false)) testid=disable_testid/>
        }
        .into_any()
    } else {
        view! {
            <button type="button" data-testid=enable_testid on:click=move |_| set.run(true)
                class="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700">{move || t().enable}</button>
        }
        .into_any()
    }
}

/// A text field of a listed row or record (`""` when absent or not text).
pub fn text(row: &serde_json::Map<String, serde_json::Value>, key: &str) -> String {
    row.get(key).and_then(serde_json::Value::as_str).unwrap_or("").to_owned()
}
