//! Members: the table, adding a member, and a member's page with the admin's actions. Each
//! action is shown only to those allowed, and the service refuses it anyway.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use super::layout::with_session;
use crate::{
    components::{
        dialog::{ConfirmButton, DialogFooter, Modal},
        record::{leave_after, reload_after, EnableButtons},
        table::{self, rendered, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Lang, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        member::{Member, MemberRole, MemberStatus, NewMember, Role},
        validate,
    },
};

#[server(prefix = "/fn", endpoint = "/members", input = Json)]
pub async fn list_members(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    let body = fns::list_body(&request)?;
    let query = member::list_query(&body).map_err(fns::refuse)?;
    member::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member", input = Json)]
pub async fn get_member(id: i64) -> Result<Member, ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::get(&ctx, &principal, id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member_add", input = Json)]
pub async fn add_member(input: NewMember) -> Result<Member, ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::add(&ctx, &principal, input).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member_role", input = Json)]
pub async fn set_member_role(id: i64, role: i64, role_id: Option<i64>) -> Result<Member, ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::set_role(&ctx, &principal, id, role, role_id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member_enabled", input = Json)]
pub async fn set_member_enabled(id: i64, enabled: bool) -> Result<(), ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    let done =
        if enabled { member::enable(&ctx, &principal, id).await } else { member::disable(&ctx, &principal, id).await };
    done.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member_password", input = Json)]
pub async fn reset_member_password(id: i64, password: String) -> Result<(), ApiError> {
    use crate::server::{fns, secret::Secret, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::reset_password(&ctx, &principal, id, Secret::new(password)).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/member_delete", input = Json)]
pub async fn delete_member(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::delete(&ctx, &principal, id).await.map_err(fns::refuse)
}

/// The custom roles, for the role picker.
#[server(prefix = "/fn", endpoint = "/roles", input = Json)]
pub async fn list_roles() -> Result<Vec<Role>, ApiError> {
    use crate::server::{fns, service::role};
    let (ctx, principal) = fns::caller().await?;
    role::list(&ctx, &principal).await.map_err(fns::refuse)
}

fn role_cell(v: &Value, t: &Texts) -> String {
    MemberRole::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |x| t.role_name(x).into())
}

fn status_cell(v: &Value, t: &Texts) -> String {
    MemberStatus::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |x| t.member_status(x).into())
}

fn columns() -> Vec<Column> {
    let columns = rendered(Column::all_of(&Member::RESOURCE), "role", role_cell);
    rendered(columns, "status", status_cell)
}

fn view_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    table::view_link(row, t, "/corp/members", "member-link")
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "name").hiding(&["role_id"]);
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (state.request(), reload.get()), |(req, _)| list_members(req));
    let roles = Resource::new(|| (), |_| list_roles());
    let adding = RwSignal::new(false);
    view! {
        {crate::components::page_title(|t| t.members_title.to_owned())}
        {with_session(move |session| {
            let cols = cols.clone();
            let is_admin = session.abilities.is_admin;
            view! {
                <div class="mb-4 flex items-center justify-between">
                    <h1 class="text-2xl font-bold">{move || t().members_title}</h1>
                    <Show when=move || is_admin>
                        <button type="button" data-testid="add-member" on:click=move |_| adding.set(true)
                            class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                            {move || t().add_member}
                        </button>
                    </Show>
                </div>
                <DataTable columns=cols state=state page=page actions=view_link testid="members-table" filters=vec![
                    Filter { key: "status", label: |t| t.status, options: &[(1, |t| t.status_active), (2, |t| t.status_disabled), (0, |t| t.status_pending)] },
                    Filter { key: "role", label: |t| t.role, options: &[(1, |t| t.roles[0]), (2, |t| t.roles[1]), (3, |t| t.roles[2]), (99, |t| t.roles[3])] },
                ]/>
                <Show when=move || is_admin>
                    <AddMemberDialog open=adding on_added=Callback::new(move |_| reload.update(|n| *n += 1)) roles=roles/>
                </Show>
            }
        })}
    }
}

/// The corp's roles for the role pickers, made by the page outside every Suspense.
type RolesResource = Resource<Result<Vec<Role>, ApiError>>;

/// The role choice of a form: a built-in type, or 99 with one of the corp's roles. The whole
/// picker waits for the roles, so the server and the browser render the same options.
#[component]
fn RolePicker(role: RwSignal<i64>, role_id: RwSignal<Option<i64>>, roles: RolesResource) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let choice = move || match (role.get(), role_id.get()) {
        (r, Some(id)) if r == MemberRole::Custom.code() => format!("99:{id}"),
        (r, _) => r.to_string(),
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let custom = roles.await.unwrap_or_default();
                view! {
                    <label class="block">
                        <span class="text-sm font-medium">{move || t().role}</span>
                        <select name="role" data-testid="role-picker" class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                match v.strip_prefix("99:").and_then(|id| id.parse().ok()) {
                                    Some(id) => { role.set(MemberRole::Custom.code()); role_id.set(Some(id)); }
                                    None => { role.set(v.parse().unwrap_or(MemberRole::Operations.code())); role_id.set(None); }
                                }
                            }>
                            {[MemberRole::Admin, MemberRole::Operations, MemberRole::Developer].into_iter().map(|r| view! {
                                <option value=r.code().to_string() selected=move || choice() == r.code().to_string()>{move || t().role_name(r)}</option>
                            }).collect_view()}
                            {custom.into_iter().map(|r| {
                                let value = format!("99:{}", r.id);
                                let selected = value.clone();
                                let name = r.name.clone();
                                view! { <option value=value selected=move || choice() == selected>{move || format!("{} · {}", t().custom_role, name)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            })}
        </Transition>
    }
}

#[component]
fn AddMemberDialog(open: RwSignal<bool>, on_added: Callback<Member>, roles: RolesResource) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (name, email, phone, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let role = RwSignal::new(MemberRole::Operations.code());
    let role_id = RwSignal::new(None::<i64>);
    let touched = RwSignal::new(false);
    let add = ServerAction::<AddMember>::new();
    // Inline validation with the same functions the server applies.
    let field_error = move |ok: bool, msg: fn(&Texts) -> &'static str| -> Option<String> {
        (touched.get() && !ok).then(|| msg(t()).to_owned())
    };
    let name_err =
        Signal::derive(move || field_error(validate::text("name", &name.get(), 32).is_ok(), |t| t.err_required));
    let email_err =
        Signal::derive(move || field_error(validate::email("email", &email.get()).is_ok(), |t| t.err_email));
    let phone_err =
        Signal::derive(move || field_error(validate::phone("phone", &phone.get()).is_ok(), |t| t.err_phone));
    let pass_err = Signal::derive(move || {
        field_error(validate::member_password("password", &password.get()).is_ok(), |t| t.err_member_password)
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if name_err.get().is_some()
            || email_err.get().is_some()
            || phone_err.get().is_some()
            || pass_err.get().is_some()
        {
            return;
        }
        add.dispatch(AddMember {
            input: NewMember {
                email: email.get(),
                phone: phone.get(),
                name: name.get(),
                password: password.get(),
                role: role.get(),
                role_id: role_id.get(),
            },
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(member)) = add.value().get() {
            open.set(false);
            touched.set(false);
            for s in [name, email, phone, password] {
                s.set(String::new());
            }
            add.clear();
            on_added.run(member);
        }
    });
    view! {
        <Modal open=open title=Signal::derive(move || t().add_member.to_string())>
            <form class="space-y-3" on:submit=submit data-testid="add-member-form" novalidate>
                <TextField label=Signal::derive(move || t().name.to_string()) value=name error=name_err name="name"/>
                <TextField label=Signal::derive(move || t().email.to_string()) value=email error=email_err name="email" kind="email"/>
                <TextField label=Signal::derive(move || t().phone.to_string()) value=phone error=phone_err name="phone"/>
                <TextField label=Signal::derive(move || t().password.to_string()) value=password error=pass_err name="password" kind="password"/>
                <RolePicker role=role role_id=role_id roles=roles/>
                <DialogFooter open=open pending=add.pending() error=Signal::derive(move || add.value().get().and_then(Result::err))/>
            </form>
        </Modal>
    }
}

#[component]
pub fn MemberPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let reload = RwSignal::new(0u32);
    let member = Resource::new(move || (id(), reload.get()), |(id, _)| get_member(id));
    let roles = Resource::new(|| (), |_| list_roles());
    view! {
        {crate::components::page_title(|t| t.member_detail.to_owned())}
        <A href="/corp/members" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().members_title}</A>
        {with_session(move |session| {
            let me = session.abilities.clone();
            view! {
                <Transition fallback=|| ()>
                    {move || {
                        let me = me.clone();
                        Suspend::new(async move {
                            match member.await {
                                Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                                Ok(m) => view! { <MemberCard member=m is_admin=me.is_admin my_id=me.member_id reload=reload roles=roles/> }.into_any(),
                            }
                        })
                    }}
                </Transition>
            }
        })}
    }
}

#[component]
fn MemberCard(
    member: Member,
    is_admin: bool,
    my_id: i64,
    reload: RwSignal<u32>,
    roles: RolesResource,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let m = StoredValue::new(member);
    let id = m.with_value(|m| m.id);
    let is_self = id == my_id;
    let target_admin = m.with_value(|m| m.role == MemberRole::Admin);
    // Admin actions on another member; admins themselves are protected.
    let administrable = is_admin && !is_self && !target_admin;
    let error = RwSignal::new(None::<ApiError>);
    let toggle = Action::new(move |enabled: &bool| {
        let enabled = *enabled;
        async move { set_member_enabled(id, enabled).await }
    });
    let remove = Action::new(move |_: &()| async move { delete_member(id).await });
    reload_after(toggle, error, reload);
    leave_after(remove, error, "/corp/members");
    let row = move |label: &'static str, value: String| {
        view! { <div class="flex justify-between gap-4 py-1"><dt class="text-slate-500">{label}</dt><dd class="font-medium">{value}</dd></div> }
    };
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="member-card">
                <h1 class="text-xl font-bold">{m.with_value(|m| m.name.clone())}</h1>
                {is_self.then(|| view! { <p class="text-sm text-indigo-600">{move || t().this_is_you}</p> })}
                <dl class="mt-3 text-sm">
                    {move || m.with_value(|m| {
                        let t = t();
                        view! {
                            {row(t.email, m.email.clone())}
                            {row(t.phone, m.phone.clone())}
                            {row(t.role, t.role_name(m.role).to_string())}
                            {row(t.status, t.member_status(m.status).to_string())}
                            {row(t.last_login, m.last_auth_time.clone().map(|s| s[..16.min(s.len())].replace('T', " ")).unwrap_or_else(|| t.never.into()))}
                            {row(t.created, m.create_time[..16.min(m.create_time.len())].replace('T', " "))}
                            {row(t.notify, t.yes_no(m.is_notice).to_string())}
                            {row(t.alerts, t.yes_no(m.is_alert).to_string())}
                        }
                    })}
                </dl>
            </section>
            <section class="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || is_admin && target_admin && !is_self>
                    <p class="text-sm text-slate-500">{move || t().admin_protected}</p>
                </Show>
                <Show when=move || is_admin && !is_self>
                    <SetRole id=id current=m.with_value(|m| (m.role.code(), m.role_id)) reload=reload error=error roles=roles/>
                </Show>
                <Show when=move || administrable>
                    <div class="flex flex-wrap gap-2">
                        <EnableButtons enabled=m.with_value(|m| m.status) != MemberStatus::Disabled
                            set=Callback::new(move |on| { toggle.dispatch(on); })
                            confirm=|t| t.confirm_disable_member disable_testid="disable-member" enable_testid="enable-member"/>
                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                            message=Signal::derive(move || t().confirm_delete_member.to_string())
                            on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="delete-member" danger=true/>
                    </div>
                    <ResetPassword id=id error=error/>
                </Show>
            </section>
        </div>
    }
}

#[component]
fn SetRole(
    id: i64,
    current: (i64, Option<i64>),
    reload: RwSignal<u32>,
    error: RwSignal<Option<ApiError>>,
    roles: RolesResource,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let role = RwSignal::new(current.0);
    let role_id = RwSignal::new(current.1);
    let save = Action::new(move |_: &()| {
        let (r, rid) = (role.get_untracked(), role_id.get_untracked());
        async move { set_member_role(id, r, rid).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <div class="flex items-end gap-2">
            <div class="flex-1"><RolePicker role=role role_id=role_id roles=roles/></div>
            <button type="button" data-testid="save-role" on:click=move |_| { save.dispatch(()); }
                class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                {move || t().set_role}
            </button>
        </div>
    }
}

#[component]
fn ResetPassword(id: i64, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let password = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let invalid = Signal::derive(move || {
        (touched.get() && validate::member_password("newpassword", &password.get()).is_err())
            .then(|| t().err_member_password.to_string())
    });
    let reset = Action::new(move |p: &String| {
        let p = p.clone();
        async move { reset_member_password(id, p).await }
    });
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(())) => {
            saved.set(true);
            password.set(String::new());
            touched.set(false);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <form class="flex items-end gap-2" data-testid="reset-password" on:submit=move |ev| {
            ev.prevent_default();
            touched.set(true);
            saved.set(false);
            if invalid.get().is_none() { reset.dispatch(password.get()); }
        }>
            <div class="flex-1">
                <TextField label=Signal::derive(move || t().new_password.to_string()) value=password error=invalid kind="password" name="newpassword"/>
            </div>
            <button type="submit" class="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50">{move || t().reset_password}</button>
        </form>
        <Show when=move || saved.get()><p class="text-sm text-emerald-700">{move || t().saved}</p></Show>
    }
}

/// Feature names in the reader's language.
pub fn feature_name(lang: Lang, id: i64) -> String {
    match crate::model::permission::feature(id) {
        Some(f) if lang == Lang::Zh => f.zh.into(),
        Some(f) => f.en.into(),
        None => id.to_string(),
    }
}
