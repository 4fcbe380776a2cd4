//! The end users' mobile site (`/m/{vendor code}`): sign up with an SMS code, sign in with the
//! password or a code, the profile, a new password, a new mobile, a forgotten password. Phone-
//! sized first. The server functions are adapters over `service::end_user`, the same calls
//! `/api/users…` makes; the vendor comes from the code in the address.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{
    components::{Redirect, A},
    hooks::{use_params_map, use_query_map},
};
use serde_json::{Map, Value};

use crate::{
    components::{ErrorNote, LangSwitch, TextField},
    i18n::use_i18n,
    model::{end_user::EndUserEdit, error::ApiError, vendor::Storefront},
    portal::partner::needs_sign_in,
};

/// The vendor behind a code.
#[server(prefix = "/fn", endpoint = "/m_vendor", input = Json)]
pub async fn load_storefront(code: String) -> Result<Storefront, ApiError> {
    use crate::server::{fns, service::vendor};
    let ctx = fns::ctx()?;
    vendor::storefront(&ctx, &code).await.map_err(fns::refuse)
}

/// Sends a code to `mobile`: `purpose` is `register`, `sign_in` or `reset` (anyone on the vendor's
/// site), or `mobile` (the signed-in user, moving to that mobile).
#[server(prefix = "/fn", endpoint = "/m_code", input = Json)]
pub async fn send_code(code: String, mobile: String, purpose: String) -> Result<(), ApiError> {
    use crate::server::{
        fns,
        service::{end_user, vendor},
    };
    if purpose == "mobile" {
        let (ctx, principal) = fns::caller().await?;
        let uid = own_uid(&principal)?;
        return end_user::send_mobile_code(&ctx, &principal, &uid, &mobile).await.map_err(fns::refuse);
    }
    let ctx = fns::ctx()?;
    let vid = vendor::storefront(&ctx, &code).await.map_err(fns::refuse)?.vid;
    let sent = match purpose.as_str() {
        "register" => end_user::send_registration_code(&ctx, &vid, &mobile).await,
        "sign_in" => end_user::send_sign_in_code(&ctx, &vid, &mobile).await,
        "reset" => end_user::send_reset_code(&ctx, &vid, &mobile).await,
        _ => Err(ApiError::invalid("purpose", "register, sign_in, reset or mobile").into()),
    };
    sent.map_err(fns::refuse)
}

/// Binds a user's login to the browser session and goes to its profile.
#[cfg(feature = "ssr")]
async fn signed_in(code: &str, login: crate::server::service::login::LoggedIn) -> Result<(), ApiError> {
    use crate::server::{auth::web, fns};
    let session = fns::session().await?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect(&format!("/m/{code}/me"));
    Ok(())
}

/// Registers with the code sent to the mobile, and signs the new user in.
#[server(prefix = "/fn", endpoint = "/m_register", input = Json)]
pub async fn register(
    code: String,
    mobile: String,
    sms: String,
    name: String,
    pwd: String,
    rid: String,
    dealer: String,
) -> Result<(), ApiError> {
    use crate::model::end_user::Registration;
    use crate::server::{
        auth::token::Channel,
        fns,
        service::{end_user, vendor},
    };
    let ctx = fns::ctx()?;
    let vid = vendor::storefront(&ctx, &code).await.map_err(fns::refuse)?.vid;
    let input = Registration { vid, mobile, code: sms, name, pwd, rid, dealer, ..Registration::default() };
    let login = end_user::register_and_sign_in(&ctx, input, Channel::Web).await.map_err(fns::refuse)?;
    signed_in(&code, login).await
}

/// Signs in with the password, or with a code when `sms` is given.
#[server(prefix = "/fn", endpoint = "/m_login", input = Json)]
pub async fn sign_in(code: String, mobile: String, password: String, sms: String) -> Result<(), ApiError> {
    use crate::server::{
        auth::token::Channel,
        fns,
        secret::Secret,
        service::{end_user, login, vendor},
    };
    let ctx = fns::ctx()?;
    let client = fns::client_addr().await?;
    let vid = vendor::storefront(&ctx, &code).await.map_err(fns::refuse)?.vid;
    let login = if sms.trim().is_empty() {
        login::end_user_login(&ctx, &vid, &mobile, &Secret::new(password), &client, Channel::Web).await
    } else {
        end_user::code_login(&ctx, &vid, &mobile, &sms, Channel::Web).await
    };
    signed_in(&code, login.map_err(fns::refuse)?).await
}

#[server(prefix = "/fn", endpoint = "/m_logout", input = Json)]
pub async fn sign_out(code: String) -> Result<(), ApiError> {
    use crate::server::{auth::web, fns};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    web::sign_out(&ctx, &session).await.map_err(fns::refuse)?;
    leptos_axum::redirect(&format!("/m/{code}"));
    Ok(())
}

/// The signed-in end user's uid; anyone else is refused (the site is for end users only).
#[cfg(feature = "ssr")]
fn own_uid(principal: &crate::server::auth::principal::Principal) -> Result<String, ApiError> {
    use crate::server::{auth::principal::Principal, fns};
    match principal {
        Principal::EndUser(u) => Ok(u.uid.clone()),
        _ => Err(fns::refuse(ApiError::forbidden())),
    }
}

/// The signed-in user's own record (without the vendor-only fields).
#[server(prefix = "/fn", endpoint = "/m_me", input = Json)]
pub async fn me() -> Result<Map<String, Value>, ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let uid = own_uid(&principal)?;
    end_user::get(&ctx, &principal, &uid).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/m_edit", input = Json)]
pub async fn edit_me(input: EndUserEdit) -> Result<(), ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let uid = own_uid(&principal)?;
    end_user::edit(&ctx, &principal, &uid, input).await.map(|_| ()).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/m_password", input = Json)]
pub async fn change_password(old: String, new: String) -> Result<(), ApiError> {
    use crate::server::{fns, secret::Secret, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let uid = own_uid(&principal)?;
    end_user::change_password(&ctx, &principal, &uid, Some(Secret::new(old)), Secret::new(new))
        .await
        .map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/m_mobile", input = Json)]
pub async fn change_mobile(mobile: String, sms: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let uid = own_uid(&principal)?;
    end_user::change_mobile(&ctx, &principal, &uid, &mobile, &sms).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/m_reset", input = Json)]
pub async fn reset_password(code: String, mobile: String, sms: String, pwd: String) -> Result<(), ApiError> {
    use crate::server::{
        fns,
        secret::Secret,
        service::{end_user, vendor},
    };
    let ctx = fns::ctx()?;
    let vid = vendor::storefront(&ctx, &code).await.map_err(fns::refuse)?.vid;
    end_user::reset_password(&ctx, &vid, &mobile, &sms, Secret::new(pwd)).await.map_err(fns::refuse)
}

pub(crate) fn vendor_code() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("code").unwrap_or_default()
}

/// The phone-sized frame: the vendor's name and logo over the page.
#[component]
pub(crate) fn Frame(store: Resource<Result<Storefront, ApiError>>, children: Children) -> impl IntoView {
    view! {
        <div class="mx-auto min-h-screen max-w-md bg-white px-5 pb-10">
            <header class="flex items-center gap-3 py-4">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        store.await.ok().map(|s| view! {
                            {(!s.logo.is_empty()).then(|| view! { <img src=s.logo.clone() alt="" class="h-9 w-9 rounded object-contain"/> })}
                            <span class="text-lg font-semibold" data-testid="m-vendor">{if s.abbv.is_empty() { s.name.clone() } else { s.abbv.clone() }}</span>
                        })
                    })}
                </Suspense>
                <div class="ml-auto"><LangSwitch/></div>
            </header>
            {children()}
        </div>
    }
}

/// The code input with its "send code" button, which sends a code for `purpose` (see
/// [`send_code`]) to the mobile typed in `mobile`; a refused send shows its error here.
#[component]
fn CodeInput(mobile: RwSignal<String>, sms: RwSignal<String>, purpose: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let send = ServerAction::<SendCode>::new();
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    view! {
        <div class="flex items-end gap-2">
            <div class="flex-1"><TextField label=Signal::derive(move || t().sms_code.to_string()) value=sms name="sms"/></div>
            <button type="button" data-testid="send-code"
                on:click=move |_| { send.dispatch(SendCode { code: code(), mobile: mobile.get(), purpose: purpose.into() }); }
                class="h-10 rounded-md border border-emerald-600 px-3 text-sm text-emerald-700">
                {move || if sent() { t().code_sent } else { t().send_code }}
            </button>
        </div>
        {move || send.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
    }
}

pub(crate) fn button_class() -> &'static str {
    "h-11 w-full rounded-md bg-emerald-600 text-base font-medium text-white hover:bg-emerald-700 disabled:opacity-60"
}

/// `/m/{code}`: sign in with the password or a code.
#[component]
pub fn MobileSignIn() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let (mobile, password, sms) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let with_code = RwSignal::new(false);
    let login = ServerAction::<SignIn>::new();
    let (c1, c2, c3) = (code.clone(), code.clone(), code.clone());
    view! {
        {crate::components::page_title(|t| t.m_sign_in.to_owned())}
        <Frame store=store>
            <h1 class="mt-6 text-2xl font-bold">{move || t().m_sign_in}</h1>
            <form class="mt-6 space-y-4" data-testid="m-sign-in" on:submit=move |ev| {
                ev.prevent_default();
                let sms_value = if with_code.get() { sms.get() } else { String::new() };
                login.dispatch(SignIn { code: c1(), mobile: mobile.get(), password: password.get(), sms: sms_value });
            }>
                <TextField label=Signal::derive(move || t().field_label("end_user", "mobile").to_string()) value=mobile name="mobile" kind="tel"/>
                <Show when=move || !with_code.get() fallback=move || view! { <CodeInput mobile=mobile sms=sms purpose="sign_in"/> }>
                    <TextField label=Signal::derive(move || t().password.to_string()) value=password name="password" kind="password"/>
                </Show>
                {move || login.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class=button_class() disabled=move || login.pending().get()>{move || t().log_in}</button>
            </form>
            <button type="button" data-testid="toggle-code" class="mt-3 text-sm text-emerald-700" on:click=move |_| with_code.update(|w| *w = !*w)>
                {move || if with_code.get() { t().m_with_password } else { t().m_with_code }}
            </button>
            <div class="mt-6 flex justify-between text-sm">
                <A href=move || format!("/m/{}/signup", c2()) attr:class="text-emerald-700" attr:data-testid="to-signup">{move || t().m_sign_up}</A>
                <A href=move || format!("/m/{}/reset", c3()) attr:class="text-slate-500" attr:data-testid="to-reset">{move || t().m_forgot}</A>
            </div>
        </Frame>
    }
}

/// `/m/{code}/signup`: register with an SMS code (`?rid=` a referrer, `?dealer=` a dealer's link).
#[component]
pub fn MobileSignUp() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let query = use_query_map();
    let store = Resource::new(code.clone(), load_storefront);
    let field = || RwSignal::new(String::new());
    let (mobile, sms, name, pwd) = (field(), field(), field(), field());
    let register = ServerAction::<Register>::new();
    let (c1, c2) = (code.clone(), code.clone());
    view! {
        {crate::components::page_title(|t| t.m_sign_up.to_owned())}
        <Frame store=store>
            <h1 class="mt-6 text-2xl font-bold">{move || t().m_sign_up}</h1>
            <form class="mt-6 space-y-4" data-testid="m-sign-up" on:submit=move |ev| {
                ev.prevent_default();
                let q = query.read();
                register.dispatch(Register {
                    code: c1(), mobile: mobile.get(), sms: sms.get(), name: name.get(), pwd: pwd.get(),
                    rid: q.get("rid").unwrap_or_default(), dealer: q.get("dealer").unwrap_or_default(),
                });
            }>
                <TextField label=Signal::derive(move || t().field_label("end_user", "mobile").to_string()) value=mobile name="mobile" kind="tel"/>
                <CodeInput mobile=mobile sms=sms purpose="register"/>
                <TextField label=Signal::derive(move || t().field_label("end_user", "name").to_string()) value=name name="name"/>
                <TextField label=Signal::derive(move || t().password.to_string()) value=pwd name="pwd" kind="password"/>
                {move || register.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class=button_class() disabled=move || register.pending().get()>{move || t().m_sign_up}</button>
            </form>
            <A href=move || format!("/m/{}", c2()) attr:class="mt-6 inline-block text-sm text-emerald-700">{move || t().m_have_account}</A>
        </Frame>
    }
}

/// `/m/{code}/reset`: a new password with a code sent to the mobile.
#[component]
pub fn MobileReset() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let field = || RwSignal::new(String::new());
    let (mobile, sms, pwd) = (field(), field(), field());
    let reset = ServerAction::<ResetPassword>::new();
    let done = Signal::derive(move || matches!(reset.value().get(), Some(Ok(()))));
    let (c1, c2) = (code.clone(), code.clone());
    view! {
        {crate::components::page_title(|t| t.m_forgot.to_owned())}
        <Frame store=store>
            <h1 class="mt-6 text-2xl font-bold">{move || t().m_forgot}</h1>
            <form class="mt-6 space-y-4" data-testid="m-reset" on:submit=move |ev| {
                ev.prevent_default();
                reset.dispatch(ResetPassword { code: c1(), mobile: mobile.get(), sms: sms.get(), pwd: pwd.get() });
            }>
                <TextField label=Signal::derive(move || t().field_label("end_user", "mobile").to_string()) value=mobile name="mobile" kind="tel"/>
                <CodeInput mobile=mobile sms=sms purpose="reset"/>
                <TextField label=Signal::derive(move || t().m_new_password.to_string()) value=pwd name="pwd" kind="password"/>
                {move || reset.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || done.get()><p class="text-sm text-emerald-700" data-testid="m-reset-done">{move || t().m_reset_done}</p></Show>
                <button type="submit" class=button_class() disabled=move || reset.pending().get()>{move || t().save}</button>
            </form>
            <A href=move || format!("/m/{}", c2()) attr:class="mt-6 inline-block text-sm text-emerald-700">{move || t().m_sign_in}</A>
        </Frame>
    }
}

/// `/m/{code}/me`: the signed-in user's profile, password and mobile.
#[component]
pub fn MobileMe() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let code = vendor_code();
    let store = Resource::new(code.clone(), load_storefront);
    let reload = RwSignal::new(0u32);
    let user = Resource::new(move || reload.get(), |_| me());
    let logout = ServerAction::<SignOut>::new();
    let c = code.clone();
    view! {
        {crate::components::page_title(|t| t.m_me.to_owned())}
        <Frame store=store>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Err(e) if needs_sign_in(&e) => view! { <Redirect path=format!("/m/{}", vendor_code()())/> }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(u) => view! { <Profile user=u reload=reload/> }.into_any(),
                    }
                })}
            </Transition>
            <button type="button" data-testid="m-logout" class="mt-8 h-11 w-full rounded-md border border-slate-300 text-sm"
                on:click=move |_| { logout.dispatch(SignOut { code: c() }); }>{move || t().log_out}</button>
            <crate::portal::shop::MobileTabs/>
        </Frame>
    }
}

#[component]
fn Profile(user: Map<String, Value>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let text = |key: &str| RwSignal::new(user.get(key).and_then(Value::as_str).unwrap_or("").to_owned());
    let (name, email, area, address) = (text("name"), text("email"), text("area"), text("address"));
    let current_mobile = user.get("mobile").and_then(Value::as_str).unwrap_or("").to_owned();
    let uid = user.get("uid").and_then(Value::as_str).unwrap_or("").to_owned();
    let save = ServerAction::<EditMe>::new();
    let (old, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let password = ServerAction::<ChangePassword>::new();
    let (new_mobile, sms) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let move_mobile = ServerAction::<ChangeMobile>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = move_mobile.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let ok = move |done: bool| {
        done.then(|| view! { <p class="text-sm text-emerald-700" data-testid="m-saved">{move || i18n.t().saved}</p> })
    };
    let label = move |key: &'static str| Signal::derive(move || t().field_label("end_user", key).to_string());
    view! {
        <h1 class="mt-4 text-2xl font-bold" data-testid="m-me">{move || t().m_me}</h1>
        <p class="text-sm text-slate-500"><span data-testid="m-mobile">{current_mobile}</span> " · " <span class="font-mono text-xs" data-testid="m-uid">{uid}</span></p>
        <form class="mt-4 space-y-3" data-testid="m-profile" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(EditMe { input: EndUserEdit {
                name: Some(name.get()), email: Some(email.get()), area: Some(area.get()), address: Some(address.get()),
                ..EndUserEdit::default()
            }});
        }>
            <TextField label=label("name") value=name name="name"/>
            <TextField label=label("email") value=email name="email" kind="email"/>
            <TextField label=label("area") value=area name="area"/>
            <TextField label=label("address") value=address name="address"/>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            {move || ok(matches!(save.value().get(), Some(Ok(()))))}
            <button type="submit" class=button_class()>{move || t().save}</button>
        </form>
        <form class="mt-8 space-y-3" data-testid="m-password" on:submit=move |ev| {
            ev.prevent_default();
            password.dispatch(ChangePassword { old: old.get(), new: new.get() });
        }>
            <h2 class="font-semibold">{move || t().m_change_password}</h2>
            <TextField label=Signal::derive(move || t().m_old_password.to_string()) value=old name="old" kind="password"/>
            <TextField label=Signal::derive(move || t().m_new_password.to_string()) value=new name="new" kind="password"/>
            {move || password.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            {move || ok(matches!(password.value().get(), Some(Ok(()))))}
            <button type="submit" class=button_class()>{move || t().save}</button>
        </form>
        <form class="mt-8 space-y-3" data-testid="m-change-mobile" on:submit=move |ev| {
            ev.prevent_default();
            move_mobile.dispatch(ChangeMobile { mobile: new_mobile.get(), sms: sms.get() });
        }>
            <h2 class="font-semibold">{move || t().change_mobile}</h2>
            <TextField label=Signal::derive(move || t().m_new_mobile.to_string()) value=new_mobile name="new_mobile" kind="tel"/>
            <CodeInput mobile=new_mobile sms=sms purpose="mobile"/>
            {move || move_mobile.value().get().and_then(Result::err).map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" class=button_class()>{move || t().save}</button>
        </form>
    }
}
