//! Building blocks shared by every portal.

use leptos::prelude::*;

use crate::{i18n::use_i18n, model::error::ApiError};

/// Switches the interface language; the choice is kept in a cookie.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            data-testid="lang-switch"
            class="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-100"
            on:click=move |_| i18n.set(i18n.lang().other())
        >
            {move || i18n.t().switch_to}
        </button>
    }
}

/// An error told in the reader's language.
#[component]
pub fn ErrorNote(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="alert" data-testid="error" class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
            {move || i18n.t().error(&error)}
        </p>
    }
}

/// The product's mark, linking home.
#[component]
pub fn Brand() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a href="/" class="flex items-center gap-2 font-semibold">
            <span class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-white">"B"</span>
            <span>{move || i18n.t().app_name}</span>
        </a>
    }
}
