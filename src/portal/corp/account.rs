//! My account: one's own profile and password.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    components::{ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        member::{Member, MemberEdit},
        validate,
    },
};

#[server(prefix = "/fn", endpoint = "/profile", input = Json)]
pub async fn edit_profile(input: MemberEdit) -> Result<Member, ApiError> {
    use crate::server::{
        fns,
        service::{member, permission},
    };
    let (ctx, principal) = fns::caller().await?;
    let me = permission::member(&principal).map_err(fns::refuse)?.member_id;
    member::edit_own(&ctx, &principal, me, input).await.map_err(fns::refuse)
}

/// The signed-in member's own record.
#[server(prefix = "/fn", endpoint = "/me", input = Json)]
pub async fn get_me() -> Result<Member, ApiError> {
    use crate::server::{
        fns,
        service::{member, permission},
    };
    let (ctx, principal) = fns::caller().await?;
    let me = permission::member(&principal).map_err(fns::refuse)?.member_id;
    member::get(&ctx, &principal, me).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/password", input = Json)]
pub async fn change_password(current: String, new_password: String) -> Result<(), ApiError> {
    use crate::server::{fns, secret::Secret, service::member};
    let (ctx, principal) = fns::caller().await?;
    member::change_own_password(&ctx, &principal, Secret::new(current), Secret::new(new_password))
        .await
        .map_err(fns::refuse)
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let me = Resource::new(|| (), |_| get_me());
    view! {
        {crate::components::page_title(|t| t.my_account.to_owned())}
        <h1 class="mb-4 text-2xl font-bold">{move || t().my_account}</h1>
                <div class="grid gap-4 lg:grid-cols-2">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match me.await {
                                Ok(m) => view! { <Profile member=m/> }.into_any(),
                                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                            }
                        })}
                    </Transition>
                    <PasswordChange/>
                </div>
    }
}

#[component]
fn Profile(member: Member) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let name = RwSignal::new(member.name.clone());
    let notice = RwSignal::new(member.is_notice);
    let alert = RwSignal::new(member.is_alert);
    let save = ServerAction::<EditProfile>::new();
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="profile-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(EditProfile { input: MemberEdit { name: name.get(), is_notice: notice.get(), is_alert: alert.get() } });
            }>
            <h2 class="font-semibold">{move || t().profile}</h2>
            <p class="text-sm text-slate-500">{member.email.clone()} " · " {member.phone.clone()}</p>
            <TextField label=Signal::derive(move || t().name.to_string()) value=name name="name"/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || notice.get() on:change=move |ev| notice.set(event_target_checked(&ev))/>
                {move || t().notify}
            </label>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || alert.get() on:change=move |ev| alert.set(event_target_checked(&ev))/>
                {move || t().alerts}
            </label>
            {move || match save.value().get() {
                Some(Ok(_)) => view! { <p class="text-sm text-emerald-700" data-testid="profile-saved">{move || t().saved}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                None => ().into_any(),
            }}
            <button type="submit" class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                {move || t().save}
            </button>
        </form>
    }
}

#[component]
fn PasswordChange() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (current, new, repeat) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let touched = RwSignal::new(false);
    let new_err = Signal::derive(move || {
        (touched.get() && validate::member_password("newpassword", &new.get()).is_err())
            .then(|| t().err_member_password.to_string())
    });
    let repeat_err =
        Signal::derive(move || (touched.get() && repeat.get() != new.get()).then(|| t().passwords_differ.to_string()));
    let change = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            for s in [current, new, repeat] {
                s.set(String::new());
            }
            touched.set(false);
        }
    });
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="password-form"
            on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if new_err.get().is_none() && repeat_err.get().is_none() {
                    change.dispatch(ChangePassword { current: current.get(), new_password: new.get() });
                }
            }>
            <h2 class="font-semibold">{move || t().change_password}</h2>
            <TextField label=Signal::derive(move || t().current_password.to_string()) value=current kind="password" name="current"/>
            <TextField label=Signal::derive(move || t().new_password.to_string()) value=new error=new_err kind="password" name="new_password"/>
            <TextField label=Signal::derive(move || t().repeat_password.to_string()) value=repeat error=repeat_err kind="password" name="repeat"/>
            {move || match change.value().get() {
                Some(Ok(())) => view! { <p class="text-sm text-emerald-700" data-testid="password-changed">{move || t().password_changed}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                None => ().into_any(),
            }}
            <button type="submit" class="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700">
                {move || t().change_password}
            </button>
        </form>
    }
}
