//! The heavy-buyer (key account) portal: one sign-in page for the account and its organization
//! users, the frame and profile, and the devices page with "grant to organization". The
//! organization tree and the users have their own modules.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::hooks::use_query_map;

pub mod organizations;
pub mod users;

use organizations::{list_organizations, subtree_ids, OrgSelect};

use super::{
    devices::{device_table_state, product_from_query, start_over_on_another_product, DeviceTable, ProductPicker},
    partner::{heavy_buyer_page, with_partner, Portal, PortalLogin},
};
use crate::{
    components::{
        record::RecordCard,
        sign_in::{Accent, SignInEnd},
        table::TableState,
        ErrorNote,
    },
    i18n::use_i18n,
    model::{
        error::ApiError,
        organization::{path_label, DeviceGrant, ROOT},
    },
};

/// Signs an organization user in (heavy buyer id + username) and binds the login to this
/// browser session.
#[server(prefix = "/fn", endpoint = "/org_user_login")]
pub async fn org_user_login(heavy_buyer_id: String, username: String, password: String) -> Result<(), ApiError> {
    use crate::server::{auth::token::Channel, auth::web, fns, secret::Secret, service::login};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    let client = fns::client_addr().await?;
    let id: i64 = heavy_buyer_id
        .trim()
        .parse()
        .map_err(|_| fns::refuse(ApiError::invalid("heavy_buyer_id", "a positive integer")))?;
    let login = login::org_user_login(&ctx, id, &username, &Secret::new(password), &client, Channel::Web)
        .await
        .map_err(fns::refuse)?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect("/heavy_buyer");
    Ok(())
}

#[server(prefix = "/fn", endpoint = "/organization_grant", input = Json)]
pub async fn grant_to_organization(organization: i64, device_ids: Vec<i64>) -> Result<Vec<DeviceGrant>, ApiError> {
    use crate::server::{
        fns,
        service::{organization, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    let grants = device_ids.into_iter().map(|device_id| DeviceGrant { device_id }).collect();
    organization::grant_devices(&ctx, &principal, Account::Own, organization, grants).await.map_err(fns::refuse)
}

/// The one sign-in page: the key account itself, or one of its organization users. A link with
/// `?heavy_buyer_id=` (the account shares it) opens on the users' form.
#[component]
pub fn HeavyBuyerLogin() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let query = use_query_map();
    let shared_id = query.read_untracked().get("heavy_buyer_id").unwrap_or_default();
    let as_user = RwSignal::new(!shared_id.is_empty());
    let login = ServerAction::<OrgUserLogin>::new();
    let error = move || login.value().get().and_then(Result::err);
    let tab = move |user: bool| {
        move || {
            format!(
                "flex-1 rounded-md px-3 py-1.5 text-sm {}",
                if as_user.get() == user { "bg-white font-medium shadow-sm" } else { "text-slate-500" }
            )
        }
    };
    let user_form = move || {
        let shared_id = shared_id.clone();
        view! {
            <ActionForm action=login attr:class="mt-6 space-y-4" attr:data-testid="user-login-form">
                <label class="block">
                    <span class="text-sm font-medium">{move || t().heavy_buyer_id_label}</span>
                    <input name="heavy_buyer_id" type="text" inputmode="numeric" required prop:value=shared_id
                        class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"/>
                </label>
                <label class="block">
                    <span class="text-sm font-medium">{move || t().username}</span>
                    <input name="username" type="text" required autocomplete="username"
                        class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"/>
                </label>
                <SignInEnd pending=login.pending() error=Signal::derive(error) accent=Accent::Emerald/>
            </ActionForm>
        }
    };
    let tabs = view! {
        <div class="mt-4 flex gap-1 rounded-lg bg-slate-100 p-1" role="tablist">
            <button type="button" role="tab" data-testid="login-as-account" class=tab(false) on:click=move |_| as_user.set(false)>
                {move || t().heavy_buyer_login}
            </button>
            <button type="button" role="tab" data-testid="login-as-user" class=tab(true) on:click=move |_| as_user.set(true)>
                {move || t().org_user_login}
            </button>
        </div>
    };
    view! { <PortalLogin portal=Portal::HeavyBuyer tabs=tabs.into_any() alternate=as_user alternate_form=user_form/> }
}

/// The heavy buyer's profile; the account also sees the id and the link its users sign in with.
#[component]
pub fn HeavyBuyerHome() -> impl IntoView {
    let i18n = use_i18n();
    heavy_buyer_page(move |session| {
        with_partner(session, move |s| {
            let b = s.heavy_buyer;
            let t = i18n.t();
            let mut rows = vec![
                (t.heavy_buyer_id_label, b.id.to_string()),
                (t.industry, b.industry.clone()),
                (t.location, b.location.clone()),
                (t.contacter, b.contacter.clone()),
                (t.contact_way, b.contact_way.clone()),
                (t.email, b.email.clone()),
                (t.phone, b.phone.clone()),
                (t.brand_owner, s.company.clone()),
            ];
            if let Some(u) = &s.seat.user {
                rows.insert(0, (t.username, u.username.clone()));
                rows.insert(1, (t.org_role, t.org_role_name(u.role).to_owned()));
            }
            let link = format!("/heavy_buyer/login?heavy_buyer_id={}", b.id);
            view! {
                <RecordCard title=b.name.clone() rows=rows testid="heavy-buyer-profile"/>
                <Show when=move || s.seat.user.is_none()>
                    <p class="mt-4 text-sm text-slate-600" data-testid="user-login-link">
                        {move || i18n.t().user_login_link_hint} " "
                        <a class="font-mono text-indigo-600 hover:underline" href=link.clone()>{link.clone()}</a>
                    </p>
                </Show>
            }
        })
    })
}

/// The devices the account (or the user's part of the tree) holds; managers pick rows and
/// hand them to an organization.
#[component]
pub fn HeavyBuyerDevices() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    heavy_buyer_page(move |session| {
        // Everything is built here, once, outside the session's Suspense (see `partner_page`).
        let product = product_from_query();
        let state = device_table_state();
        state.visible.set(vec!["id", "mac", "name", "is_online", "is_active", "organization_id", "create_time"]);
        let reload = RwSignal::new(0u32);
        start_over_on_another_product(product, state);
        let can_manage = Signal::derive(move || session.get().and_then(Result::ok).is_some_and(|s| s.seat.can_manage));
        view! {
            <h1 class="mb-3 text-xl font-semibold">{move || t().devices_title}</h1>
            <ProductPicker current=product href=devices_href/>
            <OrgFilter state=state/>
            <GrantBar selected=state.selected reload=reload/>
            <DeviceTable product_id=product state=state reload=reload selectable=can_manage/>
        }
    })
}

fn devices_href(product: &str) -> String {
    format!("/heavy_buyer/devices?product={product}")
}

/// Narrows the device table to one organization and those below it (a condition on
/// `organization_id` the filter builder shows as a chip, so it can be removed there too).
#[component]
fn OrgFilter(state: TableState) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let orgs = Resource::new(|| (), |_| list_organizations());
    let chosen = RwSignal::new(String::new());
    view! {
        <label class="mb-3 flex items-center gap-2 text-sm" data-testid="org-filter">
            {move || t().organization}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let tree = orgs.await.unwrap_or_default();
                    let organizations = tree.organizations.clone();
                    Effect::new(move |previous: Option<String>| {
                        let value = chosen.get();
                        let changed = match &previous {
                            Some(p) => *p != value,
                            None => !value.is_empty(),
                        };
                        if changed {
                            let within: Option<Vec<i64>> = value
                                .parse::<i64>()
                                .ok()
                                .filter(|id| *id != ROOT)
                                .map(|id| subtree_ids(&organizations, id));
                            state.conditions.update(|all| {
                                all.retain(|(k, _, _)| *k != "organization_id");
                                if let Some(ids) = within {
                                    all.push(("organization_id", "$in", serde_json::json!(ids)));
                                }
                            });
                            state.offset.set(0);
                        }
                        value
                    });
                    view! { <div class="w-72"><OrgSelect tree=tree value=chosen testid="org-filter-select"/></div> }
                })}
            </Transition>
        </label>
    }
}

/// "Grant the selected devices to organization …", with the organizations the seat sees.
#[component]
fn GrantBar(selected: RwSignal<Vec<i64>>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let orgs = Resource::new(|| (), |_| list_organizations());
    let target = RwSignal::new(String::new());
    let grant = Action::new(move |(org, ids): &(i64, Vec<i64>)| grant_to_organization(*org, ids.clone()));
    let done = RwSignal::new(None::<usize>);
    Effect::new(move |_| {
        if let Some(Ok(granted)) = grant.value().get() {
            done.set(Some(granted.len()));
            selected.set(Vec::new());
            reload.update(|n| *n += 1);
        }
    });
    // Only a seat that manages sees the bar (the tree says whether it does).
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = orgs.await.unwrap_or_default();
                let top = list.top;
                list.can_manage.then(|| view! {
                    <div class="mb-3 flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="grant-bar">
                        <span data-testid="grant-selected-count">{move || format!("{} {}", selected.get().len(), t().selected_devices)}</span>
                        <select data-testid="grant-organization" class="rounded-md border border-slate-300 px-2 py-1"
                            on:change=move |ev| target.set(event_target_value(&ev))>
                            <option value="">{move || t().choose_organization}</option>
                            {(top == ROOT).then(|| view! { <option value="0">{move || t().root_organization}</option> })}
                            {list.organizations.iter().map(|o| view! {
                                <option value=o.id.to_string()>{path_label(&list.organizations, o.id)}</option>
                            }).collect_view()}
                        </select>
                        <button type="button" data-testid="grant-to-organization"
                            disabled=move || selected.get().is_empty() || target.get().is_empty() || grant.pending().get()
                            class="rounded-md bg-emerald-600 px-3 py-1.5 font-medium text-white hover:bg-emerald-700 disabled:opacity-50"
                            on:click=move |_| {
                                if let Ok(org) = target.get().parse::<i64>() {
                                    done.set(None);
                                    grant.dispatch((org, selected.get()));
                                }
                            }>
                            {move || t().grant_to_organization}
                        </button>
                        {move || done.get().map(|n| view! { <span class="text-emerald-700" data-testid="grant-result">{format!("{} {}", n, t().devices_granted)}</span> })}
                        {move || grant.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                    </div>
                })
            })}
        </Transition>
    }
}

/// The key account's own audit log: for the account and the admins of its root organization
/// (anyone else sees the service's refusal).
#[component]
pub fn HeavyBuyerAudit() -> impl IntoView {
    view! {
        {crate::components::page_title(|t| t.audit_title.to_owned())}
        {heavy_buyer_page(|_| view! { <crate::portal::corp::audit::AuditLog/> })}
    }
}
