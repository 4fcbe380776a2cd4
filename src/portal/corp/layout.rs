//! The frame of every corp page: navigation (only the areas the member may open), the member in
//! the header, language, logout. It checks the session on every navigation, so a member whose
//! login ended lands on the login page at their next click.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
};

use super::{load_corp_session, CorpLogout};
use crate::portal::partner::needs_sign_in;
use crate::{
    components::{Brand, ErrorNote, LangSwitch},
    i18n::use_i18n,
    model::{
        corp::CorpSession,
        error::ApiError,
        permission::{
            READ_COMMISSION, READ_DEALERS, READ_DEVICES, READ_END_USERS, READ_HEAVY_BUYERS, READ_MALL, READ_MEMBERS,
            READ_ORDERS, READ_PRODUCTS, READ_ROLES, READ_TICKETS,
        },
    },
};

/// The session loaded by the layout, for the pages inside it.
pub type SessionResource = Resource<Result<CorpSession, ApiError>>;

#[component]
pub fn CorpLayout() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let location = use_location();
    let session: SessionResource = Resource::new(move || location.pathname.get(), |_| load_corp_session());
    provide_context(session);
    let logout = ServerAction::<CorpLogout>::new();

    // The page (the `Outlet`) is built once, outside every Suspense: server rendering runs a
    // Suspense's children more than once (a nondeterministic number of times), and each run
    // would build the page again with new resources, so the resource ids the browser hydrates
    // with would not match the server's (issue 13's hydration panic). Only the frame waits for
    // the session; the pages wait for it themselves (`with_session`).
    view! {
        <div class="flex min-h-screen">
            <aside class="hidden w-60 shrink-0 flex-col bg-slate-900 px-4 py-5 text-slate-300 md:flex">
                <div class="text-white"><Brand/></div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.await {
                            // Not signed in, or signed in to another portal: the corp's sign-in page.
                            Err(e) if needs_sign_in(&e) => view! { <Redirect path="/corp/login"/> }.into_any(),
                            Err(e) => view! { <div class="mt-4 text-sm"><ErrorNote error=e/></div> }.into_any(),
                            Ok(s) => {
                                let can = s.abilities.clone();
                                let (can_members, can_roles) = (can.can(READ_MEMBERS), can.can(READ_ROLES));
                                let (can_dealers, can_buyers) = (can.can(READ_DEALERS), can.can(READ_HEAVY_BUYERS));
                                let (can_products, can_devices) = (can.can(READ_PRODUCTS), can.can(READ_DEVICES));
                                let can_users = can.can(READ_END_USERS);
                                let (can_mall, can_orders) = (can.can(READ_MALL), can.can(READ_ORDERS));
                                let can_commission = can.can(READ_COMMISSION);
                                let can_tickets = can.can(READ_TICKETS);
                                let is_admin = can.is_admin;
                                view! {
                                <p class="mt-1 truncate pl-10 text-xs text-slate-400">{s.info.company.clone()}</p>
                                <nav class="mt-8 space-y-1 text-sm" data-testid="corp-nav">
                                    <A href="/corp" exact=true attr:class="nav-link" attr:data-testid="nav-dashboard">{move || t().nav_dashboard}</A>
                                    <Show when=move || can_members>
                                        <A href="/corp/members" attr:class="nav-link" attr:data-testid="nav-members">{move || t().nav_members}</A>
                                    </Show>
                                    <Show when=move || can_roles>
                                        <A href="/corp/roles" attr:class="nav-link" attr:data-testid="nav-roles">{move || t().nav_roles}</A>
                                    </Show>
                                    <Show when=move || can_dealers>
                                        <A href="/corp/dealers" attr:class="nav-link" attr:data-testid="nav-dealers">{move || t().nav_dealers}</A>
                                    </Show>
                                    <Show when=move || can_buyers>
                                        <A href="/corp/heavy_buyers" attr:class="nav-link" attr:data-testid="nav-heavy-buyers">{move || t().nav_heavy_buyers}</A>
                                    </Show>
                                    <Show when=move || can_products>
                                        <A href="/corp/products" attr:class="nav-link" attr:data-testid="nav-products">{move || t().nav_products}</A>
                                    </Show>
                                    <Show when=move || can_devices>
                                        <A href="/corp/devices" attr:class="nav-link" attr:data-testid="nav-devices">{move || t().nav_devices}</A>
                                    </Show>
                                    <Show when=move || can_users>
                                        <A href="/corp/users" attr:class="nav-link" attr:data-testid="nav-users">{move || t().nav_users}</A>
                                    </Show>
                                    <Show when=move || can_mall>
                                        <A href="/corp/mall" attr:class="nav-link" attr:data-testid="nav-mall">{move || t().shop.mall_title}</A>
                                    </Show>
                                    <Show when=move || can_orders>
                                        <A href="/corp/orders" attr:class="nav-link" attr:data-testid="nav-orders">{move || t().shop.orders_title}</A>
                                        <A href="/corp/payments" attr:class="nav-link" attr:data-testid="nav-payments">{move || t().shop.payments}</A>
                                    </Show>
                                    <Show when=move || can_tickets>
                                        <A href="/corp/tickets" attr:class="nav-link" attr:data-testid="nav-tickets">{move || t().service.tickets_title}</A>
                                        <A href="/corp/engineers" attr:class="nav-link" attr:data-testid="nav-engineers">{move || t().service.engineers_title}</A>
                                    </Show>
                                    <Show when=move || can_devices>
                                        <A href="/corp/service" attr:class="nav-link" attr:data-testid="nav-in-service">{move || t().service.devices_title}</A>
                                    </Show>
                                    <Show when=move || can_commission>
                                        <A href="/corp/commission" attr:class="nav-link" attr:data-testid="nav-commission">{move || t().shop.commission_title}</A>
                                    </Show>
                                    <Show when=move || is_admin>
                                        <A href="/corp/audit" attr:class="nav-link" attr:data-testid="nav-audit">{move || t().nav_audit}</A>
                                        <A href="/corp/settings" attr:class="nav-link" attr:data-testid="nav-settings">{move || t().vendor_settings}</A>
                                    </Show>
                                    <A href="/corp/account" attr:class="nav-link" attr:data-testid="nav-account">{move || t().my_account}</A>
                                </nav>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
                <a href="/api-docs" class="mt-auto text-xs text-slate-400 hover:text-white">{move || t().api_docs}</a>
            </aside>
            <div class="flex min-w-0 flex-1 flex-col">
                <header class="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-3">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            session.await.ok().map(|s| view! {
                                <span class="text-sm" data-testid="member-name">
                                    <span class="font-medium">{s.info.member.name.clone()}</span>
                                    <span class="ml-2 rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600">
                                        {move || t().role_name(s.info.member.role)}
                                    </span>
                                </span>
                            })
                        })}
                    </Suspense>
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
    }
}

/// Waits for the session and renders `page` with it; the pages inside the layout use this so
/// they never repeat the loading and error handling. `page` must not make resources (see
/// [`with_loaded`](crate::components::with_loaded)).
pub fn with_session<V: IntoView + 'static>(
    page: impl Fn(CorpSession) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    crate::components::with_loaded(expect_context::<SessionResource>(), true, page)
}
