//! The corp member login page.

use leptos::prelude::*;

use super::CorpLogin as CorpLoginFn;
use crate::{
    components::{Brand, ErrorNote, LangSwitch},
    i18n::use_i18n,
};

#[component]
pub fn CorpLogin() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let login = ServerAction::<CorpLoginFn>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        {crate::components::page_title(|t| t.login_title.to_owned())}
        <div class="flex min-h-screen flex-col">
            <header class="flex items-center justify-between px-6 py-3">
                <Brand/>
                <LangSwitch/>
            </header>
            <main class="flex flex-1 items-center justify-center px-4">
                <div class="w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
                    <p class="text-xs font-medium uppercase tracking-wide text-indigo-600">{move || t().corp_portal}</p>
                    <h1 class="mt-1 text-2xl font-bold">{move || t().login_title}</h1>
                    <p class="mt-1 text-sm text-slate-500">{move || t().login_subtitle}</p>
                    <ActionForm action=login attr:class="mt-6 space-y-4" attr:data-testid="login-form">
                        <label class="block">
                            <span class="text-sm font-medium">{move || t().account}</span>
                            <input name="account" type="text" required autocomplete="username"
                                placeholder=move || t().account_placeholder
                                class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium">{move || t().password}</span>
                            <input name="password" type="password" required autocomplete="current-password"
                                class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"/>
                        </label>
                        {move || error().map(|e| view! { <ErrorNote error=e/> })}
                        <button type="submit" disabled=move || login.pending().get()
                            class="w-full rounded-md bg-indigo-600 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
                            {move || if login.pending().get() { t().logging_in } else { t().log_in }}
                        </button>
                    </ActionForm>
                </div>
            </main>
        </div>
    }
}
