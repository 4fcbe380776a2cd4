//! The frame of every corp page: navigation, the member in the header, language, logout. It
//! checks the session on every navigation, so a member whose login ended lands on the login page
//! at their next click.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use super::{load_corp_info, CorpLogout};
use crate::{
    components::{Brand, ErrorNote, LangSwitch},
    i18n::use_i18n,
    model::{corp::CorpInfo, error::ApiError},
};

/// The corp info loaded by the layout, for the pages inside it.
pub type CorpInfoResource = Resource<Result<CorpInfo, ApiError>>;

#[component]
pub fn CorpLayout() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let location = use_location();
    let info: CorpInfoResource = Resource::new(move || location.pathname.get(), |_| load_corp_info());
    provide_context(info);
    let logout = ServerAction::<CorpLogout>::new();

    view! {
        <Suspense fallback=move || view! { <p class="p-8 text-slate-500">{move || t().loading}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Err(e) if e.is_unauthenticated() => view! { <Redirect path="/corp/login"/> }.into_any(),
                    Err(e) => view! { <div class="p-8"><ErrorNote error=e/></div> }.into_any(),
                    Ok(me) => view! {
                        <div class="flex min-h-screen">
                            <aside class="hidden w-60 shrink-0 flex-col bg-slate-900 px-4 py-5 text-slate-300 md:flex">
                                <div class="text-white"><Brand/></div>
                                <p class="mt-1 truncate pl-10 text-xs text-slate-400">{me.company.clone()}</p>
                                <nav class="mt-8 space-y-1 text-sm" data-testid="corp-nav">
                                    <A href="/corp" exact=true attr:class="nav-link">{move || t().nav_dashboard}</A>
                                    <SoonLink label=move || t().nav_members/>
                                    <SoonLink label=move || t().nav_roles/>
                                    <SoonLink label=move || t().nav_dealers/>
                                    <SoonLink label=move || t().nav_heavy_buyers/>
                                    <SoonLink label=move || t().nav_products/>
                                    <SoonLink label=move || t().nav_devices/>
                                </nav>
                                <a href="/api-docs" class="mt-auto text-xs text-slate-400 hover:text-white">{move || t().api_docs}</a>
                            </aside>
                            <div class="flex min-w-0 flex-1 flex-col">
                                <header class="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-3">
                                    <span class="text-sm" data-testid="member-name">
                                        <span class="font-medium">{me.member.name.clone()}</span>
                                        <span class="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">
                                            {move || t().role_name(me.member.role)}
                                        </span>
                                    </span>
                                    <LangSwitch/>
                                    <ActionForm action=logout>
                                        <button type="submit" data-testid="logout"
                                            class="rounded-md px-3 py-1 text-sm text-slate-600 hover:bg-slate-100">
                                            {move || t().log_out}
                                        </button>
                                    </ActionForm>
                                </header>
                                <main class="flex-1 p-6"><Outlet/></main>
                            </div>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A navigation entry for an area that is not open yet.
#[component]
fn SoonLink(label: impl Fn() -> &'static str + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="flex items-center justify-between rounded-md px-3 py-2 text-slate-500">
            {label}
            <span class="text-[10px] uppercase">{move || i18n.t().coming_soon}</span>
        </span>
    }
}
