//! Heavy buyers (key accounts) in the corp portal: the table, adding, the login link to share,
//! and a key account's page with edit, enable/disable and delete.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use super::{
    super::entry::EntryForm,
    dealers::{ShareLink, ENABLED_FILTER},
    layout::with_session,
};
use crate::{
    components::{
        dialog::{ConfirmButton, DialogFooter, Modal},
        record::{leave_after, reload_after, EnableButtons, RecordCard},
        table::{self, rendered, Column, DataTable, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        dealer::PartnerStatus,
        error::ApiError,
        heavy_buyer::{HeavyBuyer, HeavyBuyerEdit, NewHeavyBuyer},
        list::{ListRequest, Page},
        permission::MANAGE_HEAVY_BUYERS,
        validate,
    },
};

#[server(prefix = "/fn", endpoint = "/heavy_buyers", input = Json)]
pub async fn list_heavy_buyers(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    let body = fns::list_body(&request)?;
    let query = heavy_buyer::list_query(&body).map_err(fns::refuse)?;
    heavy_buyer::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/heavy_buyer", input = Json)]
pub async fn get_heavy_buyer(id: i64) -> Result<HeavyBuyer, ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::get(&ctx, &principal, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/heavy_buyer_add", input = Json)]
pub async fn add_heavy_buyer(input: NewHeavyBuyer) -> Result<HeavyBuyer, ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::add(&ctx, &principal, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/heavy_buyer_edit", input = Json)]
pub async fn edit_heavy_buyer(id: i64, input: HeavyBuyerEdit) -> Result<HeavyBuyer, ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::edit(&ctx, &principal, id, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/heavy_buyer_enabled", input = Json)]
pub async fn set_heavy_buyer_enabled(id: i64, enabled: bool) -> Result<(), ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::set_enabled(&ctx, &principal, id, enabled).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/heavy_buyer_delete", input = Json)]
pub async fn delete_heavy_buyer(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::delete(&ctx, &principal, id).await.map_err(fns::refuse)
}

fn status_cell(v: &Value, t: &Texts) -> String {
    PartnerStatus::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |x| t.enabled_status(x).into())
}

fn columns() -> Vec<Column> {
    rendered(Column::all_of(&HeavyBuyer::RESOURCE), "status", status_cell)
}

fn view_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    table::view_link(row, t, "/corp/heavy_buyers", "heavy-buyer-link")
}

#[component]
pub fn HeavyBuyersPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "name").hiding(&["contact_way", "country", "province", "city"]);
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (state.request(), reload.get()), |(req, _)| list_heavy_buyers(req));
    let adding = RwSignal::new(false);
    view! {
        {crate::components::page_title(|t| t.heavy_buyers_title.to_owned())}
        {with_session(move |session| {
            let cols = cols.clone();
            let can_manage = session.abilities.can(MANAGE_HEAVY_BUYERS);
            view! {
                <div class="mb-4 flex items-center justify-between">
                    <h1 class="text-2xl font-bold">{move || t().heavy_buyers_title}</h1>
                    <Show when=move || can_manage>
                        <button type="button" data-testid="add-heavy-buyer" on:click=move |_| adding.set(true)
                            class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                            {move || t().add_heavy_buyer}
                        </button>
                    </Show>
                </div>
                <ShareLink path="/heavy_buyer/login" corp_id=session.info.id.clone() hint=|t| t.share_buyer_link_hint/>
                <DataTable columns=cols state=state page=page actions=view_link testid="heavy-buyers-table" filters=vec![ENABLED_FILTER]/>
                <Show when=move || can_manage>
                    <AddHeavyBuyerDialog open=adding on_added=Callback::new(move |_| reload.update(|n| *n += 1))/>
                </Show>
            }
        })}
    }
}

/// The five profile fields of a key account, as one form section.
#[derive(Clone, Copy)]
struct ProfileFields {
    name: RwSignal<String>,
    industry: RwSignal<String>,
    location: RwSignal<String>,
    contacter: RwSignal<String>,
    contact_way: RwSignal<String>,
}

impl ProfileFields {
    fn new(from: Option<&HeavyBuyer>) -> Self {
        let f = |v: Option<&String>| RwSignal::new(v.cloned().unwrap_or_default());
        Self {
            name: f(from.map(|b| &b.name)),
            industry: f(from.map(|b| &b.industry)),
            location: f(from.map(|b| &b.location)),
            contacter: f(from.map(|b| &b.contacter)),
            contact_way: f(from.map(|b| &b.contact_way)),
        }
    }

    fn edit(&self) -> HeavyBuyerEdit {
        HeavyBuyerEdit {
            name: self.name.get(),
            industry: self.industry.get(),
            location: self.location.get(),
            contacter: self.contacter.get(),
            contact_way: self.contact_way.get(),
            place: Default::default(),
        }
    }

    fn all(&self) -> [RwSignal<String>; 5] {
        [self.name, self.industry, self.location, self.contacter, self.contact_way]
    }
}

#[component]
fn ProfileInputs(fields: ProfileFields, touched: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let required = move |s: RwSignal<String>| {
        Signal::derive(move || (touched.get() && s.get().trim().is_empty()).then(|| t().err_required.to_string()))
    };
    view! {
        <TextField label=Signal::derive(move || t().name.to_string()) value=fields.name error=required(fields.name) name="name"/>
        <TextField label=Signal::derive(move || t().industry.to_string()) value=fields.industry error=required(fields.industry) name="industry"/>
        <TextField label=Signal::derive(move || t().location.to_string()) value=fields.location error=required(fields.location) name="location"/>
        <TextField label=Signal::derive(move || t().contacter.to_string()) value=fields.contacter error=required(fields.contacter) name="contacter"/>
        <TextField label=Signal::derive(move || t().contact_way.to_string()) value=fields.contact_way error=required(fields.contact_way) name="contact_way"/>
    }
}

#[component]
fn AddHeavyBuyerDialog(open: RwSignal<bool>, on_added: Callback<HeavyBuyer>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let profile = ProfileFields::new(None);
    let (email, phone, password) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let touched = RwSignal::new(false);
    let add = ServerAction::<AddHeavyBuyer>::new();
    let err = move |ok: bool, msg: fn(&Texts) -> &'static str| (touched.get() && !ok).then(|| msg(t()).to_owned());
    let email_err = Signal::derive(move || err(validate::email("email", &email.get()).is_ok(), |t| t.err_email));
    let phone_err = Signal::derive(move || err(validate::phone("phone", &phone.get()).is_ok(), |t| t.err_phone));
    let pass_err = Signal::derive(move || {
        err(validate::strong_password("password", &password.get()).is_ok(), |t| t.err_strong_password)
    });
    Effect::new(move |_| {
        if let Some(Ok(b)) = add.value().get() {
            open.set(false);
            touched.set(false);
            for f in profile.all().into_iter().chain([email, phone, password]) {
                f.set(String::new());
            }
            add.clear();
            on_added.run(b);
        }
    });
    view! {
        <Modal open=open title=Signal::derive(move || t().add_heavy_buyer.to_string())>
            <form class="space-y-3" data-testid="add-heavy-buyer-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                let blank = profile.all().iter().any(|f| f.get().trim().is_empty());
                if blank || [email_err, phone_err, pass_err].iter().any(|e| e.get().is_some()) { return; }
                let p = profile.edit();
                add.dispatch(AddHeavyBuyer { input: NewHeavyBuyer {
                    name: p.name, email: email.get(), phone: phone.get(), password: password.get(),
                    industry: p.industry, location: p.location, contacter: p.contacter, contact_way: p.contact_way,
                    place: Default::default(),
                }});
            }>
                <div class="grid gap-3 sm:grid-cols-2">
                    <ProfileInputs fields=profile touched=touched/>
                    <TextField label=Signal::derive(move || t().email.to_string()) value=email error=email_err name="email" kind="email"/>
                    <TextField label=Signal::derive(move || t().phone.to_string()) value=phone error=phone_err name="phone"/>
                    <TextField label=Signal::derive(move || t().password.to_string()) value=password error=pass_err name="password" kind="password"/>
                </div>
                <DialogFooter open=open pending=add.pending() error=Signal::derive(move || add.value().get().and_then(Result::err))/>
            </form>
        </Modal>
    }
}

#[component]
pub fn HeavyBuyerPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let reload = RwSignal::new(0u32);
    let buyer = Resource::new(move || (id(), reload.get()), |(id, _)| get_heavy_buyer(id));
    // Built in the body, not while rendering (see `with_session`).
    let entry = view! { <EntryForm portal="heavy_buyer" id=Signal::derive(id) feature=MANAGE_HEAVY_BUYERS/> };
    view! {
        {crate::components::page_title(|t| t.heavy_buyer_detail.to_owned())}
        <A href="/corp/heavy_buyers" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().heavy_buyers_title}</A>
        {with_session(move |session| {
            let can_manage = session.abilities.can(MANAGE_HEAVY_BUYERS);
            view! {
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match buyer.await {
                            Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                            Ok(b) => view! { <HeavyBuyerCard buyer=b can_manage=can_manage reload=reload/> }.into_any(),
                        }
                    })}
                </Transition>
            }
        })}
        {entry}
    }
}

#[component]
fn HeavyBuyerCard(buyer: HeavyBuyer, can_manage: bool, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = buyer.id;
    let enabled = buyer.status == PartnerStatus::Enabled;
    let profile = ProfileFields::new(Some(&buyer));
    let touched = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |input: &HeavyBuyerEdit| {
        let input = input.clone();
        async move { edit_heavy_buyer(id, input).await.map(|_| ()) }
    });
    let toggle = Action::new(move |on: &bool| {
        let on = *on;
        async move { set_heavy_buyer_enabled(id, on).await }
    });
    let remove = Action::new(move |_: &()| async move { delete_heavy_buyer(id).await });
    reload_after(save, error, reload);
    reload_after(toggle, error, reload);
    leave_after(remove, error, "/corp/heavy_buyers");
    let rows = [
        (t().industry, buyer.industry.clone()),
        (t().location, buyer.location.clone()),
        (t().contacter, buyer.contacter.clone()),
        (t().contact_way, buyer.contact_way.clone()),
        (t().email, buyer.email.clone()),
        (t().phone, buyer.phone.clone()),
        (t().status, t().enabled_status(buyer.status).into()),
        (t().created, buyer.create_time.get(..16).unwrap_or("").replace('T', " ")),
    ];
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <RecordCard title=buyer.name.clone() rows=rows.to_vec() testid="heavy-buyer-card" main=true/>
            <Show when=move || can_manage>
                <section class="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
                    {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                    <form class="space-y-3" data-testid="edit-heavy-buyer" on:submit=move |ev| {
                        ev.prevent_default();
                        touched.set(true);
                        if profile.all().iter().all(|f| !f.get().trim().is_empty()) { save.dispatch(profile.edit()); }
                    }>
                        <ProfileInputs fields=profile touched=touched/>
                        <button type="submit" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">{move || t().save}</button>
                    </form>
                    <div class="flex flex-wrap gap-2">
                        <EnableButtons enabled=enabled set=Callback::new(move |on| { toggle.dispatch(on); })
                            confirm=|t| t.confirm_disable_heavy_buyer disable_testid="disable-heavy-buyer" enable_testid="enable-heavy-buyer"/>
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().confirm_delete_heavy_buyer.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-heavy-buyer" danger=true/>
                    </div>
                </section>
            </Show>
        </div>
    }
}
