//! What every portal's sign-in page is made of: the frame around its card, and the end of its
//! form (the password, the refusal if any, and the button), in the portal's colour.

use leptos::prelude::*;

use super::{Brand, ErrorNote, LangSwitch};
use crate::{i18n::use_i18n, model::error::ApiError};

/// A portal's colour (whole class names, so that Tailwind finds them in the source).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Accent {
    /// The corp portal.
    Indigo,
    /// The platform operator's portal.
    Amber,
    /// The partner portals (dealers, key accounts).
    Emerald,
}

impl Accent {
    /// The small caps line over the card's title.
    pub fn eyebrow(self) -> &'static str {
        match self {
            Accent::Indigo => "text-xs font-medium uppercase tracking-wide text-indigo-600",
            Accent::Amber => "text-xs font-medium uppercase tracking-wide text-amber-600",
            Accent::Emerald => "text-xs font-medium uppercase tracking-wide text-emerald-600",
        }
    }

    fn button(self) -> &'static str {
        match self {
            Accent::Indigo => {
                "w-full rounded-md bg-indigo-600 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
            }
            Accent::Amber => {
                "w-full rounded-md bg-amber-600 py-2 font-medium text-white hover:bg-amber-700 disabled:opacity-60"
            }
            Accent::Emerald => {
                "w-full rounded-md bg-emerald-600 py-2 font-medium text-white hover:bg-emerald-700 disabled:opacity-60"
            }
        }
    }
}

/// The brand and the language switch over a card in the middle of the page.
#[component]
pub fn SignInFrame(children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col">
            <header class="flex items-center justify-between px-6 py-3">
                <Brand/>
                <LangSwitch/>
            </header>
            <main class="flex flex-1 items-center justify-center px-4">
                <div class="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
                    {children()}
                </div>
            </main>
        </div>
    }
}

/// The account field of a sign-in form (`name="account"`).
#[component]
pub fn AccountField(#[prop(optional)] placeholder: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <label class="block">
            <span class="text-sm font-medium">{move || t().account}</span>
            <input name="account" type="text" required autocomplete="username"
                placeholder=move || placeholder.then(|| t().account_placeholder)
                class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"/>
        </label>
    }
}

/// What every sign-in form ends with: the password, the refusal if any, and the button.
#[component]
pub fn SignInEnd(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    accent: Accent,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <label class="block">
            <span class="text-sm font-medium">{move || t().password}</span>
            <input name="password" type="password" required autocomplete="current-password"
                class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"/>
        </label>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        <button type="submit" disabled=move || pending.get() class=accent.button()>
            {move || if pending.get() { t().logging_in } else { t().log_in }}
        </button>
    }
}
