//! Custom roles: the list with each role's features, and for admins create, edit (features as
//! checkboxes grouped by area, named in the reader's language) and delete.

use leptos::{prelude::*, server_fn::codec::Json};

use super::{
    layout::with_session,
    members::{feature_name, list_roles},
};
use crate::{
    components::{dialog::ConfirmButton, ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        member::{Role, RoleInput},
        permission::{AREAS, FEATURES},
    },
};

/// Creates a role (`id` absent) or updates one.
#[server(prefix = "/fn", endpoint = "/role_save", input = Json)]
pub async fn save_role(id: Option<i64>, input: RoleInput) -> Result<Role, ApiError> {
    use crate::server::{fns, service::role};
    let (ctx, principal) = fns::caller().await?;
    let saved = match id {
        Some(id) => role::update(&ctx, &principal, id, input).await,
        None => role::create(&ctx, &principal, input).await,
    };
    saved.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/role_delete", input = Json)]
pub async fn delete_role(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::role};
    let (ctx, principal) = fns::caller().await?;
    role::delete(&ctx, &principal, id).await.map_err(fns::refuse)
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let roles = Resource::new(move || reload.get(), |_| list_roles());
    // The role being edited: None = closed, Some(None) = a new role, Some(Some(r)) = editing r.
    let editing = RwSignal::new(None::<Option<Role>>);
    let error = RwSignal::new(None::<ApiError>);
    let remove = Action::new(move |id: &i64| {
        let id = *id;
        async move { delete_role(id).await }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            error.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        {crate::components::page_title(|t| t.roles_title.to_owned())}
        {with_session(move |session| {
            let is_admin = session.abilities.is_admin;
            view! {
                <div class="mb-4 flex items-center justify-between">
                    <h1 class="text-2xl font-bold">{move || t().roles_title}</h1>
                    <Show when=move || is_admin>
                        <button type="button" data-testid="add-role" on:click=move |_| editing.set(Some(None))
                            class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                            {move || t().add_role}
                        </button>
                    </Show>
                </div>
                {move || error.get().map(|e| view! { <div class="mb-3"><ErrorNote error=e/></div> })}
                {move || editing.get().map(|role| view! {
                    <RoleForm role=role on_done=Callback::new(move |_| { editing.set(None); reload.update(|n| *n += 1); })
                        on_cancel=Callback::new(move |_| editing.set(None))/>
                })}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match roles.await {
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="text-slate-500">{move || t().no_roles}</p> }.into_any(),
                            Ok(list) => view! {
                                <div class="space-y-3" data-testid="roles">
                                    {list.into_iter().map(|r| {
                                        let edit = r.clone();
                                        let id = r.id;
                                        let features = r.features.clone();
                                        view! {
                                            <section class="rounded-xl border border-slate-200 bg-white p-4" data-testid="role">
                                                <div class="flex items-start justify-between gap-4">
                                                    <div>
                                                        <h2 class="font-semibold">{r.name.clone()}</h2>
                                                        <p class="mt-1 flex flex-wrap gap-1">
                                                            {move || features.iter().map(|f| view! {
                                                                <span class="rounded bg-indigo-50 px-2 py-0.5 text-xs text-indigo-700">{feature_name(i18n.lang(), *f)}</span>
                                                            }).collect_view()}
                                                        </p>
                                                    </div>
                                                    <Show when=move || is_admin>
                                                        <div class="flex gap-2">
                                                            <button type="button" data-testid="edit-role" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm"
                                                                on:click={let edit = edit.clone(); move |_| editing.set(Some(Some(edit.clone())))}>
                                                                {move || t().edit_role}
                                                            </button>
                                                            <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                                                                message=Signal::derive(move || t().confirm_delete_role.to_string())
                                                                on_confirm=Callback::new(move |_| { remove.dispatch(id); }) testid="delete-role" danger=true/>
                                                        </div>
                                                    </Show>
                                                </div>
                                            </section>
                                        }
                                    }).collect_view()}
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            }
        })}
    }
}

#[component]
fn RoleForm(role: Option<Role>, on_done: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let id = role.as_ref().map(|r| r.id);
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let chosen = RwSignal::new(role.map(|r| r.features).unwrap_or_default());
    let save = ServerAction::<SaveRole>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            save.clear();
            on_done.run(());
        }
    });
    view! {
        <form class="mb-4 space-y-4 rounded-xl border border-indigo-200 bg-white p-5" data-testid="role-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveRole { id, input: RoleInput { name: name.get(), features: chosen.get() } });
            }>
            <h2 class="font-semibold">{move || if id.is_some() { t().edit_role } else { t().add_role }}</h2>
            <TextField label=Signal::derive(move || t().role_name.to_string()) value=name name="role_name"/>
            <fieldset>
                <legend class="text-sm font-medium">{move || t().features}</legend>
                <div class="mt-2 grid gap-3 sm:grid-cols-3">
                    {AREAS.into_iter().map(|area| view! {
                        <div>
                            <p class="text-xs font-semibold uppercase text-slate-500">{move || t().area(area)}</p>
                            {FEATURES.iter().filter(|f| f.area == area).map(|f| {
                                let fid = f.id;
                                view! {
                                    <label class="mt-1 flex items-center gap-2 text-sm">
                                        <input type="checkbox" value=fid.to_string() data-testid=format!("feature-{fid}")
                                            prop:checked=move || chosen.get().contains(&fid)
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| { c.retain(|x| *x != fid); if on { c.push(fid); } });
                                            }/>
                                        {move || feature_name(i18n.lang(), fid)}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    }).collect_view()}
                </div>
            </fieldset>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            <div class="flex justify-end gap-2">
                <button type="button" class="rounded-md border border-slate-300 px-3 py-2 text-sm" on:click=move |_| on_cancel.run(())>
                    {move || t().cancel}
                </button>
                <button type="submit" data-testid="save-role-form" disabled=move || save.pending().get()
                    class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60">
                    {move || t().save}
                </button>
            </div>
        </form>
    }
}
