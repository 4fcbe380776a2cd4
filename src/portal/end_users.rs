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
        record::{reload_after, RecordCard},
        table::{rendered, Column, DataTable, Filter, TableState},
        ErrorNote, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        end_user::{EndUser, EndUserEdit, EndUserState},
        error::ApiError,
        list::{ListRequest, Page},
    },
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

/// The columns a table starts without (the column chooser shows them).
const HIDDEN: [&str; 9] = ["type", "avatar", "area", "address", "remark", "vip", "bonus", "vid", "dereg_tms"];

fn user_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    let uid = row.get("uid").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.view;
    view! { <A href=format!("/corp/users/{uid}") attr:class="text-indigo-600 hover:underline" attr:data-testid="user-link">{label}</A> }
        .into_any()
}

/// The users table. `linked`: each row opens the user's page (the vendor's members).
#[component]
pub fn EndUsersTable(
    #[prop(optional)] linked: bool,
    /// Only the users this user referred (a user's page).
    #[prop(optional)]
    referred_by: Option<Signal<String>>,
) -> impl IntoView {
    let cols = columns();
    let state = TableState::new(&cols, "name").keyed_by("uid").hiding(&HIDDEN);
    let page = Resource::new(
        move || {
            let request = state.request();
            match referred_by {
                Some(uid) => request.with_condition("rid", "$eq", uid.get()),
                None => request,
            }
        },
        list_end_users,
    );
    let actions: Option<fn(&Map<String, Value>, &Texts) -> AnyView> = linked.then_some(user_link);
    match actions {
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
    let i18n = use_i18n();
    let t = move || i18n.t();
    view! {
        {crate::components::page_title(|t| t.users_title.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().users_title}</h1>
        <EndUsersTable linked=true/>
    }
}

/// One user, for the vendor's members: the profile, the state and the remark, and its referrals.
#[component]
pub fn UserPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let uid = move || params.read().get("uid").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let user = Resource::new(move || (uid(), reload.get()), |(uid, _)| get_end_user(uid));
    // Built in the body, not while rendering (the hydration rule of `components::with_loaded`).
    let referrals = view! { <EndUsersTable linked=true referred_by=Signal::derive(uid)/> };
    view! {
        {crate::components::page_title(|t| t.user_detail.to_owned())}
        <A href="/corp/users" attr:class="text-sm text-indigo-600 hover:underline">"← " {move || t().users_title}</A>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(u) => view! { <UserCard user=u reload=reload/> }.into_any(),
                }
            })}
        </Transition>
        <h2 class="mb-2 mt-6 text-lg font-semibold">{move || t().referrals}</h2>
        {referrals}
    }
}

#[component]
fn UserCard(user: EndUser, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let uid = StoredValue::new(user.uid.clone());
    let error = RwSignal::new(None::<ApiError>);
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
                {if active {
                    view! {
                        <ConfirmButton label=Signal::derive(move || t().disable.to_string())
                            message=Signal::derive(move || t().confirm_disable_user.to_string())
                            on_confirm=Callback::new(move |_| { save.dispatch(EndUserEdit { state: Some(0), ..EndUserEdit::default() }); })
                            testid="disable-user"/>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" data-testid="enable-user"
                            on:click=move |_| { save.dispatch(EndUserEdit { state: Some(2), ..EndUserEdit::default() }); }
                            class="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700">{move || t().enable}</button>
                    }.into_any()
                }}
            </section>
        </div>
    }
}
