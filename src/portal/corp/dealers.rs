//! Dealers in the corp portal: the table or the hierarchy, adding (with an upper-dealer picker),
//! looking up by code, the login link to share, and a dealer's page with edit, enable/disable
//! and delete.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};
use serde_json::{Map, Value};

use super::layout::with_session;
use crate::{
    components::{
        dialog::{ConfirmButton, DialogFooter, Modal},
        record::{leave_after, reload_after, EnableButtons, RecordCard},
        table::{self, rendered, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        dealer::{Dealer, DealerEdit, DealerNode, DealerProfile, NewDealer, PartnerStatus},
        error::ApiError,
        list::{ListRequest, Page},
        permission::MANAGE_DEALERS,
        validate,
    },
    portal::{entry::EntryForm, sales::SalesTable},
};

#[server(prefix = "/fn", endpoint = "/dealers", input = Json)]
pub async fn list_dealers(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    let body = fns::list_body(&request)?;
    let query = dealer::list_query(&body).map_err(fns::refuse)?;
    dealer::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// The dealers the caller may see, as a tree (also used by the dealer portal).
/// Every dealer of the corp, by name, with what a picker shows (`components::record::record_option`).
pub fn dealer_choices() -> ListRequest {
    ListRequest::paged(0, 1000).with_filter(["id", "name", "dealer_code"]).with_order("name", false)
}

#[server(prefix = "/fn", endpoint = "/dealer_tree", input = Json)]
pub async fn dealer_tree() -> Result<Vec<DealerNode>, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::tree(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer", input = Json)]
pub async fn get_dealer(id: i64) -> Result<Dealer, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::get(&ctx, &principal, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer_by_code", input = Json)]
pub async fn find_dealer(code: String) -> Result<Dealer, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::get_by_code(&ctx, &principal, &code).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer_add", input = Json)]
pub async fn add_dealer(input: NewDealer) -> Result<Dealer, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::add(&ctx, &principal, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer_edit", input = Json)]
pub async fn edit_dealer(id: i64, input: DealerEdit) -> Result<Dealer, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::edit(&ctx, &principal, id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer_status", input = Json)]
pub async fn set_dealer_status(id: i64, status: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::set_status(&ctx, &principal, id, status).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/dealer_delete", input = Json)]
pub async fn delete_dealer(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::delete(&ctx, &principal, id).await.map_err(fns::refuse)
}

/// Dealers and key accounts: enabled or disabled.
pub const ENABLED_FILTER: Filter = Filter {
    key: "status",
    label: |t| t.status,
    options: &[(1, |t| t.status_enabled), (0, |t| t.status_disabled_short)],
};

fn status_cell(v: &Value, t: &Texts) -> String {
    PartnerStatus::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |x| t.enabled_status(x).into())
}

fn columns() -> Vec<Column> {
    rendered(Column::all_of(&Dealer::RESOURCE), "status", status_cell)
}

fn view_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    table::view_link(row, t, "/corp/dealers", "dealer-link")
}

/// A login link with the corp id filled in, to hand to dealers or key accounts.
#[component]
pub fn ShareLink(path: &'static str, corp_id: String, hint: fn(&Texts) -> &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let link = format!("{path}?corp_id={corp_id}");
    view! {
        <div class="mb-4 rounded-xl border border-slate-200 bg-white p-4 text-sm">
            <p class="font-medium">{move || t().share_login_link}</p>
            <p class="text-slate-500">{move || hint(t())}</p>
            <a class="mt-1 inline-block break-all font-mono text-indigo-600" data-testid="share-link" href=link.clone()>{link.clone()}</a>
        </div>
    }
}

#[component]
pub fn DealersPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "name").hiding(&["home_page", "country", "province", "city"]);
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (state.request(), reload.get()), |(req, _)| list_dealers(req));
    let tree_mode = RwSignal::new(false);
    let adding = RwSignal::new(false);
    view! {
        {crate::components::page_title(|t| t.dealers_title.to_owned())}
        {with_session(move |session| {
            let cols = cols.clone();
            let can_manage = session.abilities.can(MANAGE_DEALERS);
            view! {
                <div class="mb-4 flex flex-wrap items-center gap-3">
                    <h1 class="text-2xl font-bold">{move || t().dealers_title}</h1>
                    <div class="ml-4 inline-flex rounded-md border border-slate-300 text-sm">
                        <button type="button" data-testid="table-mode" class=move || if tree_mode.get() { "px-3 py-1" } else { "bg-slate-800 px-3 py-1 text-white" }
                            on:click=move |_| tree_mode.set(false)>{move || t().table_view}</button>
                        <button type="button" data-testid="tree-mode" class=move || if tree_mode.get() { "bg-slate-800 px-3 py-1 text-white" } else { "px-3 py-1" }
                            on:click=move |_| tree_mode.set(true)>{move || t().tree_view}</button>
                    </div>
                    <FindByCode/>
                    <Show when=move || can_manage>
                        <button type="button" data-testid="add-dealer" on:click=move |_| adding.set(true)
                            class="ml-auto rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                            {move || t().add_dealer}
                        </button>
                    </Show>
                </div>
                <ShareLink path="/dealer/login" corp_id=session.info.id.clone() hint=|t| t.share_login_hint/>
                <Show when=move || tree_mode.get() fallback=move || view! {
                    <DataTable columns=cols.clone() state=state page=page actions=view_link testid="dealers-table" filters=vec![ENABLED_FILTER]/>
                }>
                    <DealerTree reload=reload link=true/>
                </Show>
                <Show when=move || can_manage>
                    <AddDealerDialog open=adding on_added=Callback::new(move |_| reload.update(|n| *n += 1))/>
                </Show>
            }
        })}
    }
}

/// The dealer hierarchy, indented by depth.
#[component]
pub fn DealerTree(reload: RwSignal<u32>, link: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let tree = Resource::new(move || reload.get(), |_| dealer_tree());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match tree.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(nodes) if nodes.is_empty() => view! { <p class="text-slate-500">{move || t().no_rows}</p> }.into_any(),
                    Ok(nodes) => view! {
                        <ul class="rounded-xl border border-slate-200 bg-white p-3 text-sm" data-testid="dealer-tree">
                            {nodes.into_iter().map(|n| {
                                let d = n.dealer;
                                let indent = format!("padding-left: {}rem", n.depth as f32 * 1.5);
                                let label = format!("{} · {}", d.name, d.dealer_code);
                                view! {
                                    <li class="py-1" style=indent data-testid="tree-node">
                                        <span class="mr-2 text-slate-400">{if n.depth == 0 { "●" } else { "└" }}</span>
                                        {if link {
                                            view! { <A href=format!("/corp/dealers/{}", d.id) attr:class="text-indigo-700 hover:underline">{label}</A> }.into_any()
                                        } else {
                                            view! { <span>{label}</span> }.into_any()
                                        }}
                                        {(d.status == PartnerStatus::Disabled).then(|| view! { <span class="ml-2 text-xs text-red-600">{move || t().status_disabled_short}</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn FindByCode() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = RwSignal::new(String::new());
    let find = ServerAction::<FindDealer>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(d)) = find.value().get() {
            navigate(&format!("/corp/dealers/{}", d.id), Default::default());
        }
    });
    view! {
        <form class="flex items-center gap-2" data-testid="find-by-code"
            on:submit=move |ev| { ev.prevent_default(); find.dispatch(FindDealer { code: code.get() }); }>
            <input type="text" placeholder=move || t().lookup_code class="w-44 rounded-md border border-slate-300 px-3 py-1 text-sm"
                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1 text-sm">{move || t().find}</button>
            {move || find.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
        </form>
    }
}

#[component]
fn AddDealerDialog(open: RwSignal<bool>, on_added: Callback<Dealer>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let fields = [(); 8].map(|_| RwSignal::new(String::new()));
    let [name, email, phone, password, address, contacter, region, sale_goal] = fields;
    let upper = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    // Loaded in the browser when the dialog opens (it is built inside the page's Suspense, where
    // a resource would be made again on every server-side run).
    let uppers = LocalResource::new(move || {
        open.get();
        dealer_tree()
    });
    let add = ServerAction::<AddDealer>::new();
    let err = move |ok: bool, msg: fn(&Texts) -> &'static str| (touched.get() && !ok).then(|| msg(t()).to_owned());
    let name_err = Signal::derive(move || err(validate::text("name", &name.get(), 64).is_ok(), |t| t.err_required));
    let email_err = Signal::derive(move || err(validate::email("email", &email.get()).is_ok(), |t| t.err_email));
    let phone_err = Signal::derive(move || err(validate::phone("phone", &phone.get()).is_ok(), |t| t.err_phone));
    let pass_err = Signal::derive(move || {
        err(validate::strong_password("password", &password.get()).is_ok(), |t| t.err_strong_password)
    });
    // A goal is a whole number of devices; left empty, it is 0.
    let goal = move || match sale_goal.get().trim() {
        "" => Ok(None),
        typed => typed.parse::<i64>().ok().filter(|g| *g >= 0).map(Some).ok_or(()),
    };
    let goal_err = Signal::derive(move || err(goal().is_ok(), |t| t.err_whole_number));
    Effect::new(move |_| {
        if let Some(Ok(d)) = add.value().get() {
            open.set(false);
            touched.set(false);
            for f in fields {
                f.set(String::new());
            }
            add.clear();
            on_added.run(d);
        }
    });
    view! {
        <Modal open=open title=Signal::derive(move || t().add_dealer.to_string())>
            <form class="space-y-3" data-testid="add-dealer-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if [name_err, email_err, phone_err, pass_err, goal_err].iter().any(|e| e.get().is_some()) { return; }
                let upper_code = Some(upper.get()).filter(|c| !c.is_empty());
                let profile = DealerProfile {
                    contacter: Some(contacter.get()),
                    region: Some(region.get()),
                    sale_goal: goal().ok().flatten(),
                    ..DealerProfile::default()
                };
                add.dispatch(AddDealer { input: NewDealer {
                    name: name.get(), email: email.get(), phone: phone.get(), password: password.get(),
                    address: address.get(), upper_dealer_code: upper_code, profile,
                }});
            }>
                <TextField label=Signal::derive(move || t().name.to_string()) value=name error=name_err name="name"/>
                <TextField label=Signal::derive(move || t().email.to_string()) value=email error=email_err name="email" kind="email"/>
                <TextField label=Signal::derive(move || t().phone.to_string()) value=phone error=phone_err name="phone"/>
                <TextField label=Signal::derive(move || t().password.to_string()) value=password error=pass_err name="password" kind="password"/>
                <TextField label=Signal::derive(move || t().address.to_string()) value=address name="address"/>
                <TextField label=Signal::derive(move || t().field_label("dealer", "contacter").to_string()) value=contacter name="contacter"/>
                <TextField label=Signal::derive(move || t().field_label("dealer", "region").to_string()) value=region name="region"/>
                <TextField label=Signal::derive(move || t().field_label("dealer", "sale_goal").to_string()) value=sale_goal error=goal_err name="sale_goal" kind="number"/>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let nodes = uppers.await.unwrap_or_default();
                        view! {
                            <label class="block">
                                <span class="text-sm font-medium">{move || t().upper_dealer}</span>
                                <select name="upper_dealer_code" data-testid="upper-dealer" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                                    on:change=move |ev| upper.set(event_target_value(&ev))>
                                    <option value="">{move || t().no_upper_dealer}</option>
                                    {nodes.into_iter().map(|n| {
                                        let label = format!("{}{} · {}", "— ".repeat(n.depth), n.dealer.name, n.dealer.dealer_code);
                                        view! { <option value=n.dealer.dealer_code.clone()>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }
                    })}
                </Transition>
                <DialogFooter open=open pending=add.pending() error=Signal::derive(move || add.value().get().and_then(Result::err))/>
            </form>
        </Modal>
    }
}

#[component]
pub fn DealerPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let reload = RwSignal::new(0u32);
    let dealer = Resource::new(move || (id(), reload.get()), |(id, _)| get_dealer(id));
    // Built here, in the body (not in a closure that runs while rendering): they make resources
    // and Transitions, whose hydration ids must come in one order on both sides (`with_session`).
    let entry = view! { <EntryForm portal="dealer" id=Signal::derive(id) feature=MANAGE_DEALERS/> };
    let sales = view! { <SalesTable dealer_id=Signal::derive(move || Some(id())) reload=reload/> };
    view! {
        {crate::components::page_title(|t| t.dealer_detail.to_owned())}
        <A href="/corp/dealers" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().dealers_title}</A>
        {with_session(move |session| {
            let can_manage = session.abilities.can(MANAGE_DEALERS);
            view! {
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match dealer.await {
                            Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                            Ok(d) => view! { <DealerCard dealer=d can_manage=can_manage reload=reload/> }.into_any(),
                        }
                    })}
                </Transition>
            }
        })}
        {entry}
        <h2 class="mb-2 mt-6 text-lg font-semibold">{move || t().sales_title}</h2>
        {sales}
    }
}

#[component]
fn DealerCard(dealer: Dealer, can_manage: bool, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = dealer.id;
    let enabled = dealer.status == PartnerStatus::Enabled;
    let name = RwSignal::new(dealer.name.clone());
    let address = RwSignal::new(dealer.address.clone());
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |_: &()| {
        let input =
            DealerEdit { name: name.get_untracked(), address: address.get_untracked(), profile: Default::default() };
        async move { edit_dealer(id, input).await.map(|_| ()) }
    });
    let toggle = Action::new(move |on: &bool| {
        let status = if *on { PartnerStatus::Enabled } else { PartnerStatus::Disabled };
        async move { set_dealer_status(id, status.code()).await }
    });
    let remove = Action::new(move |_: &()| async move { delete_dealer(id).await });
    reload_after(save, error, reload);
    reload_after(toggle, error, reload);
    leave_after(remove, error, "/corp/dealers");
    let rows = [
        (t().dealer_code, dealer.dealer_code.clone()),
        (
            t().upper_dealer,
            if dealer.upper_dealer_code.is_empty() { "—".into() } else { dealer.upper_dealer_code.clone() },
        ),
        (t().email, dealer.email.clone()),
        (t().phone, dealer.phone.clone()),
        (t().address, dealer.address.clone()),
        (t().field_label("dealer", "contacter"), dealer.contacter.clone()),
        (t().field_label("dealer", "region"), dealer.region.clone()),
        (t().field_label("dealer", "sale_goal"), dealer.sale_goal.to_string()),
        (t().field_label("dealer", "saled_amount"), dealer.saled_amount.to_string()),
        (t().status, t().enabled_status(dealer.status).into()),
        (t().created, dealer.create_time.get(..16).unwrap_or("").replace('T', " ")),
    ];
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <RecordCard title=dealer.name.clone() rows=rows.to_vec() testid="dealer-card" main=true/>
            <Show when=move || can_manage>
                <section class="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
                    {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                    <form class="space-y-3" data-testid="edit-dealer" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                        <TextField label=Signal::derive(move || t().name.to_string()) value=name name="name"/>
                        <TextField label=Signal::derive(move || t().address.to_string()) value=address name="address"/>
                        <button type="submit" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">{move || t().save}</button>
                    </form>
                    <div class="flex flex-wrap gap-2">
                        <EnableButtons enabled=enabled set=Callback::new(move |on| { toggle.dispatch(on); })
                            confirm=|t| t.confirm_disable_dealer disable_testid="disable-dealer" enable_testid="enable-dealer"/>
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().confirm_delete_dealer.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-dealer" danger=true/>
                    </div>
                </section>
            </Show>
        </div>
    }
}
