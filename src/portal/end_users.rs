//! End users (members, 会员) in the corp and dealer portals: the table (search, state filter,
//! the referrer column), and, for the vendor's members, a page per user with its profile, its
//! state and remark, and the users it referred. The server functions are adapters over
//! `service::end_user`, which decides who sees whom (the vendor all its users; a dealer those
//! its promotion links brought, in its scope and below).

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{components::A, hooks::use_params_map};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::ConfirmButton,
        record::{leave_after, record_option, reload_after, EnableButtons, RecordCard},
        table::{rendered, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        end_user::{EndUser, EndUserEdit, EndUserState},
        error::ApiError,
        list::{ListRequest, Page},
    },
    portal::corp::dealers::{dealer_choices, list_dealers},
};

#[server(prefix = "/fn", endpoint = "/end_users", input = Json)]
pub async fn list_end_users(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&EndUser::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    end_user::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// One user as the vendor's side reads it (every field).
#[server(prefix = "/fn", endpoint = "/end_user", input = Json)]
pub async fn get_end_user(uid: String) -> Result<EndUser, ApiError> {
    use crate::server::{error::Error, fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let row = end_user::get(&ctx, &principal, &uid).await.map_err(fns::refuse)?;
    serde_json::from_value(Value::Object(row)).map_err(|e| fns::refuse(Error::internal(e.to_string())))
}

/// AA-10 from the platform portal: the user's logins end, its record stays.
#[server(prefix = "/fn", endpoint = "/end_user_deregister", input = Json)]
pub async fn deregister_end_user(uid: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    end_user::deregister(&ctx, &principal, &uid).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/end_user_edit", input = Json)]
pub async fn edit_end_user(uid: String, input: EndUserEdit) -> Result<(), ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    end_user::edit(&ctx, &principal, &uid, input).await.map(|_| ()).map_err(fns::refuse)
}

pub const STATE_FILTER: Filter = Filter {
    key: "state",
    label: |t| t.status,
    options: &[(2, |t| t.vendor_state_active), (1, |t| t.vendor_state_inactive), (0, |t| t.vendor_state_disabled)],
};

fn state_cell(v: &Value, t: &Texts) -> String {
    EndUserState::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |s| t.end_user_state(s).into())
}

pub fn columns() -> Vec<Column> {
    rendered(Column::all_of(&EndUser::RESOURCE), "state", state_cell)
}

/// The columns a table starts without (the column chooser shows them). The platform's table
/// also shows when a user was deregistered (its record stays listed); the others do not.
const HIDDEN: [&str; 8] = ["type", "avatar", "area", "address", "remark", "vip", "bonus", "vid"];

/// Where the users' pages are: the corp portal's, or the platform's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UsersOf {
    Corp,
    Platform,
}

type RowAction = fn(&Map<String, Value>, &Texts) -> AnyView;

impl UsersOf {
    fn base(self) -> &'static str {
        match self {
            UsersOf::Corp => "/corp/users",
            UsersOf::Platform => "/platform/users",
        }
    }

    /// The table's row action: a link to the user's page here.
    fn link(self) -> RowAction {
        match self {
            UsersOf::Corp => |row, t| user_link(UsersOf::Corp, row, t),
            UsersOf::Platform => |row, t| user_link(UsersOf::Platform, row, t),
        }
    }
}

fn user_link(of: UsersOf, row: &Map<String, Value>, t: &Texts) -> AnyView {
    let uid = row.get("uid").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.view;
    view! { <A href=format!("{}/{uid}", of.base()) attr:class="text-indigo-600 hover:underline" attr:data-testid="user-link">{label}</A> }
        .into_any()
}

/// The users table. `linked`: each row opens the user's page (the vendor's members, the
/// platform).
#[component]
pub fn EndUsersTable(
    #[prop(optional)] linked: Option<UsersOf>,
    /// Only the users this user referred (a user's page).
    #[prop(optional)]
    referred_by: Option<Signal<String>>,
    /// Only the users this dealer's promotion links brought (the corp's dealer filter).
    #[prop(optional)]
    dealer: Option<Signal<Option<i64>>>,
) -> impl IntoView {
    let cols = columns();
    let state = TableState::new(&cols, "name").keyed_by("uid").hiding(&HIDDEN);
    let state = if linked == Some(UsersOf::Platform) { state } else { state.hiding(&["dereg_tms"]) };
    let page = Resource::new(
        move || {
            let mut request = state.request();
            if let Some(uid) = referred_by {
                request = request.with_condition("rid", "$eq", uid.get());
            }
            if let Some(id) = dealer.and_then(|d| d.get()) {
                request = request.with_condition("dealer_id", "$eq", id);
            }
            request
        },
        list_end_users,
    );
    match linked.map(UsersOf::link) {
        Some(actions) => view! {
            <DataTable columns=cols state=state page=page actions=actions filters=vec![STATE_FILTER] testid="users-table"/>
        }
        .into_any(),
        None => view! { <DataTable columns=cols state=state page=page filters=vec![STATE_FILTER] testid="users-table"/> }.into_any(),
    }
}

/// The corp portal's Users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <UsersList of=UsersOf::Corp/> }
}

/// The platform portal's Users page: every vendor's users.
#[component]
pub fn PlatformUsersPage() -> impl IntoView {
    view! { <UsersList of=UsersOf::Platform/> }
}

#[component]
fn UsersList(of: UsersOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let dealer = RwSignal::new(None::<i64>);
    view! {
        {crate::components::page_title(|t| t.users_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().users_title}</h1>
        {(of == UsersOf::Corp).then(|| view! { <DealerFilter chosen=dealer/> })}
        <EndUsersTable linked=of dealer=Signal::from(dealer)/>
    }
}

/// The corp's dealers to filter its users by: those a dealer's promotion links brought.
#[component]
fn DealerFilter(chosen: RwSignal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let dealers = Resource::new(|| (), |_| list_dealers(dealer_choices()));
    let label = move || t().field_label("end_user", "dealer_id");
    view! {
        <select data-testid="filter-dealer" aria-label=label class="mb-3 rounded-md border border-slate-300 px-2 py-1 text-sm"
            on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
            <option value="">{move || format!("{}: {}", label(), t().all)}</option>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move { dealers.await.map(|p| p.list.iter().map(record_option).collect_view()).ok() })}
            </Transition>
        </select>
    }
}

/// One user, for the vendor's members: the profile, the state and the remark, and its referrals.
#[component]
pub fn UserPage() -> impl IntoView {
    view! { <UserView of=UsersOf::Corp/> }
}

/// One user, for the platform: the same, and deregistration (AA-10).
#[component]
pub fn PlatformUserPage() -> impl IntoView {
    view! { <UserView of=UsersOf::Platform/> }
}

#[component]
fn UserView(of: UsersOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let uid = move || params.read().get("uid").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let user = Resource::new(move || (uid(), reload.get()), |(uid, _)| get_end_user(uid));
    // Built in the body, not while rendering (the hydration rule of `components::with_loaded`).
    let referrals = view! { <EndUsersTable linked=of referred_by=Signal::derive(uid)/> };
    view! {
        {crate::components::page_title(|t| t.user_detail.to_owned())}
        <A href=of.base() attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().users_title}</A>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(u) => view! { <UserCard user=u reload=reload of=of/> }.into_any(),
                }
            })}
        </Transition>
        <h2 class="mb-2 mt-6 text-lg font-semibold">{move || t().referrals}</h2>
        {referrals}
    }
}

#[component]
fn UserCard(user: EndUser, reload: RwSignal<u32>, of: UsersOf) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let uid = StoredValue::new(user.uid.clone());
    let error = RwSignal::new(None::<ApiError>);
    let remove = Action::new(move |_: &()| async move { deregister_end_user(uid.get_value()).await });
    leave_after(remove, error, of.base());
    let remark = RwSignal::new(user.remark.clone());
    let save = Action::new(move |input: &EndUserEdit| {
        let input = input.clone();
        async move { edit_end_user(uid.get_value(), input).await }
    });
    reload_after(save, error, reload);
    let label = |f: &str| t().field_label("end_user", f);
    let rows = vec![
        (label("uid"), user.uid.clone()),
        (label("mobile"), user.mobile.clone()),
        (label("email"), user.email.clone()),
        (label("area"), format!("{} {}", user.area, user.address).trim().to_owned()),
        (label("state"), t().end_user_state(user.state).to_owned()),
        (label("rid"), user.rid.clone().unwrap_or_else(|| "—".into())),
        (label("dealer_id"), user.dealer_id.map_or_else(|| "—".into(), |d| d.to_string())),
        (label("reg_tms"), user.reg_tms.get(..16).unwrap_or("").replace('T', " ")),
    ];
    let active = user.state == EndUserState::Active;
    let name = if user.name.is_empty() { user.mobile.clone() } else { user.name.clone() };
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <RecordCard title=name rows=rows testid="user-card" main=true/>
            <section class="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <form class="flex items-end gap-2" data-testid="user-remark" on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(EndUserEdit { remark: Some(remark.get()), ..EndUserEdit::default() });
                }>
                    <div class="flex-1"><TextField label=Signal::derive(move || t().field_label("end_user", "remark").to_string()) value=remark name="remark"/></div>
                    <button type="submit" class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">{move || t().save}</button>
                </form>
                <EnableButtons enabled=active confirm=|t| t.confirm_disable_user disable_testid="disable-user" enable_testid="enable-user"
                    set=Callback::new(move |on: bool| {
                        save.dispatch(EndUserEdit { state: Some(if on { 2 } else { 0 }), ..EndUserEdit::default() });
                    })/>
                {(of == UsersOf::Platform).then(|| view! {
                    <ConfirmButton label=Signal::derive(move || t().deregister.to_string())
                        message=Signal::derive(move || t().confirm_deregister_user.to_string())
                        on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="deregister-user" danger=true/>
                })}
            </section>
        </div>
    }
}
