//! The landing page: pick a portal.

use leptos::prelude::*;

use crate::{
    components::{Brand, LangSwitch},
    i18n::use_i18n,
};

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <div class="min-h-screen">
            <header class="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-3">
                <Brand/>
                <LangSwitch/>
            </header>
            <main class="mx-auto max-w-4xl px-6 py-12">
                <h1 class="text-3xl font-bold">{move || t().app_name}</h1>
                <p class="mt-2 text-slate-600">{move || t().tagline}</p>
                <div class="mt-8 grid gap-4 sm:grid-cols-2">
                    <a href="/corp/login" data-testid="portal-corp"
                        class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-indigo-400">
                        <h2 class="font-semibold text-indigo-700">{move || t().corp_portal}</h2>
                        <p class="mt-1 text-sm text-slate-600">{move || t().corp_portal_hint}</p>
                    </a>
                    <a href="/api-docs" class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-indigo-400">
                        <h2 class="font-semibold text-indigo-700">{move || t().api_docs}</h2>
                        <p class="mt-1 text-sm text-slate-600">{move || t().api_docs_hint}</p>
                    </a>
                    <a href="/dealer/login" data-testid="portal-dealer"
                        class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-emerald-400">
                        <h2 class="font-semibold text-emerald-700">{move || t().dealer_portal}</h2>
                        <p class="mt-1 text-sm text-slate-600">{move || t().dealer_login_title}</p>
                    </a>
                    <a href="/heavy_buyer/login" data-testid="portal-heavy-buyer"
                        class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-emerald-400">
                        <h2 class="font-semibold text-emerald-700">{move || t().heavy_buyer_portal}</h2>
                        <p class="mt-1 text-sm text-slate-600">{move || t().heavy_buyer_login_title}</p>
                    </a>
                    <a href="/platform/login" data-testid="portal-platform"
                        class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-amber-400">
                        <h2 class="font-semibold text-amber-700">{move || t().platform_portal}</h2>
                        <p class="mt-1 text-sm text-slate-600">{move || t().platform_portal_hint}</p>
                    </a>
                </div>
            </main>
        </div>
    }
}
