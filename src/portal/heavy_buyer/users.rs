//! The key account's users: the table (with their organizations by name), adding one, and a
//! user's page to change organization, role and contact, reset the password, or delete. Only the
//! account and admin users see the forms; members get the table read-only.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use super::organizations::{list_organizations, OrgSelect};
use crate::portal::{
    organization_paths::organization_cell,
    partner::{heavy_buyer_page, with_partner},
};
use crate::{
    components::{
        dialog::{ConfirmButton, DialogFooter, Modal},
        record::{leave_after, RecordCard},
        table::{self, rendered, Column, DataTable, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        organization::{check_username, NewOrgUser, OrgRole, OrgUser, OrgUserEdit, OrganizationTree},
        validate,
    },
};

/// The users the caller sees; each row's `organization` comes as a readable path (the root stays
/// 0, which the table names in the reader's language). Sorting still goes by the id.
#[server(prefix = "/fn", endpoint = "/org_users", input = Json)]
pub async fn list_org_users(request: ListRequest) -> Result<Page, ApiError> {
    use crate::{
        portal::organization_paths::name_organizations,
        server::{
            fns,
            service::{org_user, seat::Account},
        },
    };
    let (ctx, principal) = fns::caller().await?;
    let body = fns::list_body(&request)?;
    let mut page = org_user::list(&ctx, &principal, Account::Own, &body).await.map_err(fns::refuse)?;
    name_organizations(&ctx, &principal, &mut page, "organization").await.map_err(fns::refuse)?;
    Ok(page)
}

#[server(prefix = "/fn", endpoint = "/org_user_add", input = Json)]
pub async fn add_org_user(input: NewOrgUser) -> Result<OrgUser, ApiError> {
    use crate::server::{
        fns,
        service::{org_user, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    org_user::create(&ctx, &principal, Account::Own, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/org_user_get", input = Json)]
pub async fn get_org_user(id: i64) -> Result<OrgUser, ApiError> {
    use crate::server::{fns, service::org_user};
    let (ctx, principal) = fns::caller().await?;
    org_user::get(&ctx, &principal, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/org_user_edit", input = Json)]
pub async fn edit_org_user(id: i64, edit: OrgUserEdit) -> Result<OrgUser, ApiError> {
    use crate::server::{
        fns,
        service::{org_user, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    org_user::update(&ctx, &principal, Account::Own, id, edit).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/org_user_delete", input = Json)]
pub async fn delete_org_user(id: i64) -> Result<(), ApiError> {
    use crate::server::{
        fns,
        service::{org_user, seat::Account},
    };
    let (ctx, principal) = fns::caller().await?;
    org_user::delete(&ctx, &principal, Account::Own, id).await.map_err(fns::refuse)
}

fn role_cell(v: &Value, t: &Texts) -> String {
    OrgRole::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |x| t.org_role_name(x).into())
}

fn columns() -> Vec<Column> {
    let columns = rendered(Column::all_of(&OrgUser::RESOURCE), "organization", organization_cell);
    rendered(columns, "role", role_cell)
}

fn user_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    table::view_link(row, t, "/heavy_buyer/users", "user-link")
}

#[component]
pub fn OrgUsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    heavy_buyer_page(move |session| {
        let cols = columns();
        let state = TableState::new(&cols, "username");
        let reload = RwSignal::new(0u32);
        let page = Resource::new(move || (state.request(), reload.get()), |(req, _)| list_org_users(req));
        let adding = RwSignal::new(false);
        view! {
            <div class="mb-4 flex items-center justify-between">
                <h1 class="text-2xl font-bold">{move || t().org_users_title}</h1>
                {with_partner(session, move |s| s.seat.can_manage.then(|| view! {
                    <button type="button" data-testid="add-user" on:click=move |_| adding.set(true)
                        class="rounded-md bg-emerald-600 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-700">
                        {move || t().add_user}
                    </button>
                }))}
            </div>
            <p class="mb-3 text-sm text-slate-500">{move || t().org_users_hint}</p>
            <DataTable columns=cols state=state page=page actions=user_link testid="users-table"/>
            // Built here, outside every Suspense (its organization picker loads a resource); only
            // a seat that manages can open it.
            <AddUserDialog open=adding on_added=Callback::new(move |_| reload.update(|n| *n += 1))/>
        }
    })
}

/// The organizations a form may put a user in (`tree`, made by the page outside every Suspense).
fn with_tree<V: IntoView + 'static>(
    tree: Resource<Result<OrganizationTree, ApiError>>,
    body: impl Fn(OrganizationTree) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match tree.await {
                        Ok(tree) => body(tree).into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}

#[component]
fn RoleSelect(value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <select data-testid="user-role" class="w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            on:change=move |ev| value.set(event_target_value(&ev))>
            {[OrgRole::Member, OrgRole::Admin].into_iter().map(|role| {
                let code = role.code().to_string();
                let selected = code.clone();
                view! { <option value=code selected=move || value.get() == selected>{move || t().org_role_name(role)}</option> }
            }).collect_view()}
        </select>
    }
}

/// Where a user sits and how to reach them: the fields adding and editing share.
#[component]
fn PlacementFields(
    organization: RwSignal<String>,
    role: RwSignal<String>,
    contacter: RwSignal<String>,
    contact_way: RwSignal<String>,
    tree: Resource<Result<OrganizationTree, ApiError>>,
    #[prop(optional)] org_error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        <label class="block">
            <span class="text-sm font-medium">{move || t().organization}</span>
            {with_tree(tree, move |tree| view! { <OrgSelect tree=tree value=organization testid="user-organization"/> })}
            {move || org_error.and_then(|e| e.get()).map(|e| view! { <span class="mt-1 block text-xs text-red-600" data-testid="field-error">{e}</span> })}
        </label>
        <label class="block">
            <span class="text-sm font-medium">{move || t().org_role}</span>
            <RoleSelect value=role/>
        </label>
        <TextField label=Signal::derive(move || t().contacter.to_string()) value=contacter name="contacter"/>
        <TextField label=Signal::derive(move || t().contact_way.to_string()) value=contact_way name="contact_way"/>
    }
}

#[component]
fn AddUserDialog(open: RwSignal<bool>, on_added: Callback<OrgUser>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let [username, password, organization, contacter, contact_way] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let role = RwSignal::new(OrgRole::Member.code().to_string());
    let touched = RwSignal::new(false);
    let tree = Resource::new(|| (), |_| list_organizations());
    let add = ServerAction::<AddOrgUser>::new();
    let err = move |ok: bool, msg: fn(&Texts) -> &'static str| (touched.get() && !ok).then(|| msg(t()).to_owned());
    let name_err = Signal::derive(move || err(check_username(&username.get()).is_ok(), |t| t.err_username));
    let pass_err = Signal::derive(move || {
        err(validate::strong_password("password", &password.get()).is_ok(), |t| t.err_strong_password)
    });
    let org_err = Signal::derive(move || err(!organization.get().is_empty(), |t| t.err_required));
    Effect::new(move |_| {
        if let Some(Ok(u)) = add.value().get() {
            open.set(false);
            touched.set(false);
            for f in [username, password, organization, contacter, contact_way] {
                f.set(String::new());
            }
            add.clear();
            on_added.run(u);
        }
    });
    view! {
        <Modal open=open title=Signal::derive(move || t().add_user.to_string())>
            <form class="space-y-3" data-testid="add-user-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if [name_err, pass_err, org_err].iter().any(|e| e.get().is_some()) { return; }
                add.dispatch(AddOrgUser { input: NewOrgUser {
                    username: username.get(), password: password.get(),
                    organization: organization.get().parse().ok(),
                    role: role.get().parse().ok(),
                    contacter: contacter.get(), contact_way: contact_way.get(),
                }});
            }>
                <div class="grid gap-3 sm:grid-cols-2">
                    <TextField label=Signal::derive(move || t().username.to_string()) value=username error=name_err name="username"/>
                    <TextField label=Signal::derive(move || t().password.to_string()) value=password error=pass_err name="password" kind="password"/>
                    <PlacementFields organization=organization role=role contacter=contacter contact_way=contact_way tree=tree org_error=org_err/>
                </div>
                <DialogFooter open=open pending=add.pending() error=Signal::derive(move || add.value().get().and_then(Result::err)) save_testid="add-user-save" partner=true/>
            </form>
        </Modal>
    }
}

#[component]
pub fn OrgUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    heavy_buyer_page(move |session| {
        let reload = RwSignal::new(0u32);
        // Outside the card: the card is drawn again after each save, the note must outlive that.
        let saved = RwSignal::new(false);
        let user = Resource::new(move || (id(), reload.get()), |(id, _)| get_org_user(id));
        let tree = Resource::new(|| (), |_| list_organizations());
        view! {
            <A href="/heavy_buyer/users" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().org_users_title}</A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let Ok(s) = session.await else { return ().into_any() };
                    let can_manage = s.seat.can_manage;
                    let me = s.seat.user.as_ref().map(|u| u.id);
                    match user.await {
                        Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                        Ok(u) => view! { <UserCard user=u can_manage=can_manage is_me=me == Some(id()) reload=reload saved=saved tree=tree/> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn UserCard(
    user: OrgUser,
    can_manage: bool,
    is_me: bool,
    reload: RwSignal<u32>,
    saved: RwSignal<bool>,
    tree: Resource<Result<OrganizationTree, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = user.id;
    let organization = RwSignal::new(user.organization.to_string());
    let role = RwSignal::new(user.role.code().to_string());
    let contacter = RwSignal::new(user.contacter.clone());
    let contact_way = RwSignal::new(user.contact_way.clone());
    let new_password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |edit: &OrgUserEdit| edit_org_user(id, edit.clone()));
    let remove = Action::new(move |_: &()| delete_org_user(id));
    let pass_err = Signal::derive(move || {
        let p = new_password.get();
        (!p.is_empty() && validate::strong_password("password", &p).is_err())
            .then(|| t().err_strong_password.to_owned())
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            saved.set(true);
            new_password.set(String::new());
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    leave_after(remove, error, "/heavy_buyer/users");
    let rows = [
        (t().org_role, t().org_role_name(user.role).to_owned()),
        (t().contacter, user.contacter.clone()),
        (t().contact_way, user.contact_way.clone()),
        (t().created, user.create_time.get(..16).unwrap_or("").replace('T', " ")),
    ];
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <RecordCard title=user.username.clone() rows=rows.to_vec() testid="user-card"/>
            <Show when=move || can_manage>
                <section class="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
                    {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                    {move || saved.get().then(|| view! { <p class="text-sm text-emerald-700" data-testid="user-saved">{t().saved}</p> })}
                    <form class="space-y-3" data-testid="edit-user" on:submit=move |ev| {
                        ev.prevent_default();
                        saved.set(false);
                        save.dispatch(OrgUserEdit {
                            organization: organization.get().parse().ok(),
                            role: role.get().parse().ok(),
                            contacter: Some(contacter.get()),
                            contact_way: Some(contact_way.get()),
                            ..Default::default()
                        });
                    }>
                        <PlacementFields organization=organization role=role contacter=contacter contact_way=contact_way tree=tree/>
                        <button type="submit" data-testid="edit-user-save" class="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700">{move || t().save}</button>
                    </form>
                    <form class="space-y-3 border-t border-slate-100 pt-4" data-testid="reset-password" on:submit=move |ev| {
                        ev.prevent_default();
                        saved.set(false);
                        if new_password.get().is_empty() || pass_err.get().is_some() { return; }
                        save.dispatch(OrgUserEdit { password: Some(new_password.get()), ..Default::default() });
                    }>
                        <TextField label=Signal::derive(move || t().new_password.to_string()) value=new_password error=pass_err name="new_password" kind="password"/>
                        <p class="text-xs text-slate-500">{move || t().reset_password_hint}</p>
                        <button type="submit" data-testid="reset-password-save" class="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-900">{move || t().reset_password}</button>
                    </form>
                    <Show when=move || !is_me>
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().confirm_delete_user.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-user" danger=true/>
                    </Show>
                </section>
            </Show>
        </div>
    }
}
