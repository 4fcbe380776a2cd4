//! The platform operator's portal (`/platform`, seed 003's A*): sign-in, the vendors table
//! (search, state filter, paging), registering a vendor, and a page per vendor to edit its
//! profile, replace its secrets (shown only as set or not), switch its areas, set its password
//! and mobile, disable or enable it, and deregister it. The server functions are adapters over
//! `service::vendor`, the same calls `/api/vendors` makes.

use leptos::{prelude::*, server_fn::codec::Json};
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::{use_location, use_params_map},
};
use serde_json::{Map, Value};

use crate::{
    components::{
        dialog::{ConfirmButton, DialogFooter, Modal},
        record::RecordCard,
        sign_in::{Accent, AccountField, SignInEnd, SignInFrame},
        table::{rendered, Column, DataTable, Filter, TableState},
        Brand, ErrorNote, LangSwitch, TextField,
    },
    i18n::{use_i18n, Texts},
    model::{
        error::ApiError,
        list::{ListRequest, Page},
        validate,
        vendor::{NewVendor, Vendor, VendorEdit, VendorOptions, VendorState},
    },
    portal::{
        partner::needs_sign_in,
        vendor::{edit_vendor, get_vendor, AccountsForm, ProfileForm, WechatPayForm},
    },
};

/// Signs a platform administrator in and binds the login to this browser session.
#[server(prefix = "/fn", endpoint = "/platform_login")]
pub async fn platform_login(account: String, password: String) -> Result<(), ApiError> {
    use crate::server::{auth::token::Channel, auth::web, fns, secret::Secret, service::login};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    let client = fns::client_addr().await?;
    let login = login::platform_login(&ctx, &account, &Secret::new(password), &client, Channel::Web)
        .await
        .map_err(fns::refuse)?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect("/platform");
    Ok(())
}

#[server(prefix = "/fn", endpoint = "/platform_logout")]
pub async fn platform_logout() -> Result<(), ApiError> {
    use crate::server::{auth::web, fns};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    web::sign_out(&ctx, &session).await.map_err(fns::refuse)?;
    leptos_axum::redirect("/platform/login");
    Ok(())
}

/// The signed-in administrator's account name (refused for anyone else).
#[server(prefix = "/fn", endpoint = "/platform_session")]
pub async fn platform_session() -> Result<String, ApiError> {
    use crate::server::{fns, service::platform};
    let (ctx, principal) = fns::caller().await?;
    platform::me(&ctx, &principal).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendors", input = Json)]
pub async fn list_vendors(request: ListRequest) -> Result<Page, ApiError> {
    use crate::server::{fns, list, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    let query = list::parse(&Vendor::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    vendor::list(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// Registers a vendor; answers its code.
#[server(prefix = "/fn", endpoint = "/vendor_register", input = Json)]
pub async fn register_vendor(input: NewVendor) -> Result<String, ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::register(&ctx, &principal, input).await.map(|r| r.code).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_options", input = Json)]
pub async fn set_vendor_options(vid: String, input: VendorOptions) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::set_options(&ctx, &principal, &vid, input).await.map(|_| ()).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_password", input = Json)]
pub async fn set_vendor_password(vid: String, pwd: String) -> Result<(), ApiError> {
    use crate::server::{fns, secret::Secret, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::set_password(&ctx, &principal, &vid, Secret::new(pwd)).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_mobile", input = Json)]
pub async fn set_vendor_mobile(vid: String, mobile: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::set_mobile(&ctx, &principal, &vid, &mobile).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_deregister", input = Json)]
pub async fn deregister_vendor(vid: String) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::deregister(&ctx, &principal, &vid).await.map_err(fns::refuse)
}

/// The sign-in page.
#[component]
pub fn PlatformLogin() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let login = ServerAction::<PlatformLogin>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        {crate::components::page_title(|t| t.platform_portal.to_owned())}
        <SignInFrame>
            <p class=Accent::Amber.eyebrow()>{move || t().platform_portal}</p>
            <h1 class="mt-1 text-2xl font-bold">{move || t().login_title}</h1>
            <ActionForm action=login attr:class="mt-6 space-y-4" attr:data-testid="platform-login-form">
                <AccountField/>
                <SignInEnd pending=login.pending() error=Signal::derive(error) accent=Accent::Amber/>
            </ActionForm>
        </SignInFrame>
    }
}

/// The frame of every platform page. Like the corp layout, the page (the `Outlet`) is built
/// outside the Suspense that waits for the session (see `components::with_loaded`).
#[component]
pub fn PlatformLayout() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let location = use_location();
    let session = Resource::new(move || location.pathname.get(), |_| platform_session());
    let logout = ServerAction::<PlatformLogout>::new();
    view! {
        <div class="min-h-screen">
            <header class="flex items-center gap-6 border-b border-slate-200 bg-white px-6 py-3">
                <Brand/>
                <span class="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">{move || t().platform_portal}</span>
                <nav class="flex gap-4 text-sm">
                    <A href="/platform" attr:class="font-medium text-slate-700 hover:text-amber-700" attr:data-testid="nav-vendors">{move || t().nav_vendors}</A>
                    <A href="/platform/users" attr:class="font-medium text-slate-700 hover:text-amber-700" attr:data-testid="nav-users">{move || t().nav_users}</A>
                </nav>
                <div class="ml-auto flex items-center gap-4">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match session.await {
                                Err(e) if needs_sign_in(&e) => view! { <Redirect path="/platform/login"/> }.into_any(),
                                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                                Ok(account) => view! { <span class="text-sm font-medium" data-testid="platform-account">{account}</span> }.into_any(),
                            }
                        })}
                    </Suspense>
                    <LangSwitch/>
                    <ActionForm action=logout>
                        <button type="submit" data-testid="logout" class="rounded-md px-3 py-1 text-sm text-slate-600 hover:bg-slate-100">{move || t().log_out}</button>
                    </ActionForm>
                </div>
            </header>
            <main class="mx-auto max-w-6xl p-6"><Outlet/></main>
        </div>
    }
}

const STATE_FILTER: Filter = Filter {
    key: "state",
    label: |t| t.status,
    options: &[(2, |t| t.vendor_state_active), (1, |t| t.vendor_state_inactive), (0, |t| t.vendor_state_disabled)],
};

fn state_cell(v: &Value, t: &Texts) -> String {
    VendorState::from_code(v.as_i64().unwrap_or(-1)).map_or_else(|| "—".into(), |s| t.vendor_state(s).into())
}

fn secret_cell(v: &Value, t: &Texts) -> String {
    (if v.as_bool().unwrap_or(false) { t.secret_set } else { t.secret_not_set }).into()
}

fn columns() -> Vec<Column> {
    let cols = rendered(Column::all_of(&Vendor::RESOURCE), "state", state_cell);
    let cols = rendered(cols, "mp_secret_set", secret_cell);
    let cols = rendered(cols, "mch_secret_set", secret_cell);
    let cols = rendered(cols, "mch_key_set", secret_cell);
    rendered(cols, "wxpay_key_set", secret_cell)
}

fn vendor_link(row: &Map<String, Value>, t: &Texts) -> AnyView {
    let vid = row.get("vid").and_then(Value::as_str).unwrap_or("").to_owned();
    let label: &'static str = t.view;
    view! { <A href=format!("/platform/vendors/{vid}") attr:class="text-amber-700 hover:underline" attr:data-testid="vendor-link">{label}</A> }
        .into_any()
}

/// The vendors table, and the register dialog.
#[component]
pub fn VendorsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let cols = columns();
    let state = TableState::new(&cols, "name").keyed_by("vid").hiding(&[
        "vid",
        "type",
        "logo",
        "domain",
        "wechat",
        "area",
        "address",
        "remark",
        "mp_gid",
        "mp_appid",
        "mch_gid",
        "mch_appid",
        "mch_serial",
        "mch_key_set",
        "wxpay_key_id",
        "wxpay_key_set",
        "cfg_users",
        "cfg_mall",
        "cfg_orders",
        "cfg_tickets",
        "cfg_commission",
        "dereg_tms",
        "abbv",
    ]);
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (state.request(), reload.get()), |(req, _)| list_vendors(req));
    let adding = RwSignal::new(false);
    let registered = RwSignal::new(None::<String>);
    view! {
        {crate::components::page_title(|t| t.vendors_title.to_owned())}
        <div class="mb-4 flex items-center gap-3">
            <h1 class="text-xl font-bold">{move || t().vendors_title}</h1>
            <button type="button" data-testid="register-vendor" on:click=move |_| adding.set(true)
                class="ml-auto rounded-md bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700">
                {move || t().register_vendor}
            </button>
        </div>
        {move || registered.get().map(|code| view! {
            <p class="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="vendor-registered">
                {t().vendor_registered} " " <span class="font-mono font-bold">{code}</span>
            </p>
        })}
        <RegisterVendorDialog open=adding on_registered=Callback::new(move |code| {
            registered.set(Some(code));
            reload.update(|n| *n += 1);
        })/>
        <DataTable columns=cols state=state page=page actions=vendor_link filters=vec![STATE_FILTER] testid="vendors-table"/>
    }
}

#[component]
fn RegisterVendorDialog(open: RwSignal<bool>, on_registered: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let field = || RwSignal::new(String::new());
    let (name, abbv, contact, mobile, email, user, pwd) =
        (field(), field(), field(), field(), field(), field(), field());
    let (mp_gid, mp_appid, mp_secret, mch_gid, mch_appid, mch_secret) =
        (field(), field(), field(), field(), field(), field());
    let touched = RwSignal::new(false);
    let register = ServerAction::<RegisterVendor>::new();
    let err = move |ok: bool, msg: fn(&Texts) -> &'static str| (touched.get() && !ok).then(|| msg(t()).to_owned());
    let name_err = Signal::derive(move || err(!name.get().trim().is_empty(), |t| t.err_required));
    let mobile_err = Signal::derive(move || err(validate::phone("mobile", &mobile.get()).is_ok(), |t| t.err_phone));
    let email_err = Signal::derive(move || err(validate::email("email", &email.get()).is_ok(), |t| t.err_email));
    let pwd_err = Signal::derive(move || err((6..=64).contains(&pwd.get().chars().count()), |t| t.err_password));
    let all =
        [name, abbv, contact, mobile, email, user, pwd, mp_gid, mp_appid, mp_secret, mch_gid, mch_appid, mch_secret];
    Effect::new(move |_| {
        if let Some(Ok(code)) = register.value().get() {
            open.set(false);
            touched.set(false);
            for f in all {
                f.set(String::new());
            }
            register.clear();
            on_registered.run(code);
        }
    });
    let label = move |f: fn(&Texts) -> &'static str| Signal::derive(move || f(t()).to_string());
    let field_label = move |name: &'static str| Signal::derive(move || t().field_label("vendor", name).to_string());
    view! {
        <Modal open=open title=Signal::derive(move || t().register_vendor.to_string())>
            <form class="max-h-[70vh] space-y-3 overflow-y-auto" data-testid="register-vendor-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                touched.set(true);
                if [name_err, mobile_err, email_err, pwd_err].iter().any(|e| e.get().is_some()) { return; }
                register.dispatch(RegisterVendor { input: NewVendor {
                    name: name.get(), abbv: abbv.get(), contact: contact.get(), mobile: mobile.get(), email: email.get(),
                    user: user.get(), pwd: pwd.get(), mp_gid: mp_gid.get(), mp_appid: mp_appid.get(), mp_secret: mp_secret.get(),
                    mch_gid: mch_gid.get(), mch_appid: mch_appid.get(), mch_secret: mch_secret.get(),
                    ..NewVendor::default()
                }});
            }>
                <p class="text-xs text-slate-500">{move || t().vendor_admin_hint}</p>
                <div class="grid gap-3 sm:grid-cols-2">
                    <TextField label=field_label("name") value=name error=name_err name="name"/>
                    <TextField label=field_label("abbv") value=abbv name="abbv"/>
                    <TextField label=field_label("contact") value=contact name="contact"/>
                    <TextField label=field_label("mobile") value=mobile error=mobile_err name="mobile"/>
                    <TextField label=label(|t| t.email) value=email error=email_err name="email" kind="email"/>
                    <TextField label=label(|t| t.account_name) value=user name="user"/>
                    <TextField label=label(|t| t.password) value=pwd error=pwd_err name="pwd" kind="password"/>
                </div>
                <p class="pt-2 text-sm font-medium">{move || t().accounts_title}</p>
                <p class="text-xs text-slate-500">{move || t().secrets_hint}</p>
                <div class="grid gap-3 sm:grid-cols-2">
                    <TextField label=field_label("mp_gid") value=mp_gid name="mp_gid"/>
                    <TextField label=field_label("mp_appid") value=mp_appid name="mp_appid"/>
                    <TextField label=field_label("mp_secret_set") value=mp_secret name="mp_secret" kind="password"/>
                    <TextField label=field_label("mch_gid") value=mch_gid name="mch_gid"/>
                    <TextField label=field_label("mch_appid") value=mch_appid name="mch_appid"/>
                    <TextField label=field_label("mch_secret_set") value=mch_secret name="mch_secret" kind="password"/>
                </div>
                <DialogFooter open=open pending=register.pending() error=Signal::derive(move || register.value().get().and_then(Result::err)) save_testid="register-save"/>
            </form>
        </Modal>
    }
}

/// One vendor: its record, and everything the platform may change about it.
#[component]
pub fn VendorPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let params = use_params_map();
    let vid = move || params.read().get("vid").unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let vendor = Resource::new(move || (vid(), reload.get()), |(vid, _)| get_vendor(vid));
    let saved = RwSignal::new(false);
    view! {
        {crate::components::page_title(|t| t.vendor_detail.to_owned())}
        <A href="/platform" attr:class="text-sm text-amber-700 hover:underline">"← " {move || t().vendors_title}</A>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match vendor.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(v) => view! { <VendorPanels vendor=v reload=reload saved=saved/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn VendorPanels(vendor: Vendor, reload: RwSignal<u32>, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let vid = StoredValue::new(vendor.vid.clone());
    let error = RwSignal::new(None::<ApiError>);
    let set_state = Action::new(move |state: &i64| {
        let input = VendorEdit { state: Some(*state), ..VendorEdit::default() };
        async move { edit_vendor(vid.get_value(), input).await }
    });
    let remove = Action::new(move |_: &()| async move { deregister_vendor(vid.get_value()).await });
    crate::components::record::leave_after(remove, error, "/platform");
    crate::components::record::reload_after(set_state, error, reload);
    let rows = vec![
        (t().field_label("vendor", "code"), vendor.code.clone()),
        (t().field_label("vendor", "user"), vendor.user.clone().unwrap_or_default()),
        (t().field_label("vendor", "mobile"), vendor.mobile.clone()),
        (t().email, vendor.email.clone()),
        (t().status, t().vendor_state(vendor.state).to_owned()),
        (t().field_label("vendor", "reg_tms"), vendor.reg_tms.get(..16).unwrap_or("").replace('T', " ")),
    ];
    let state = vendor.state;
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <div class="space-y-4">
                <RecordCard title=vendor.name.clone() rows=rows testid="vendor-card" main=true/>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <section class="flex flex-wrap gap-2 rounded-xl border border-slate-200 bg-white p-5">
                    {match state {
                        VendorState::Active => view! {
                            <ConfirmButton label=Signal::derive(move || t().disable.to_string())
                                message=Signal::derive(move || t().confirm_disable_vendor.to_string())
                                on_confirm=Callback::new(move |_| { set_state.dispatch(0); }) testid="disable-vendor"/>
                        }.into_any(),
                        VendorState::Inactive => view! {
                            <button type="button" data-testid="activate-vendor" on:click=move |_| { set_state.dispatch(2); }
                                class="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700">{move || t().activate}</button>
                        }.into_any(),
                        VendorState::Disabled => view! {
                            <button type="button" data-testid="enable-vendor" on:click=move |_| { set_state.dispatch(2); }
                                class="rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-700">{move || t().enable}</button>
                        }.into_any(),
                    }}
                    <ConfirmButton label=Signal::derive(move || t().deregister.to_string())
                        message=Signal::derive(move || t().confirm_deregister_vendor.to_string())
                        on_confirm=Callback::new(move |_| { remove.dispatch(()); }) testid="deregister-vendor" danger=true/>
                </section>
                <PasswordAndMobile vid=vid reload=reload/>
            </div>
            <div class="space-y-4">
                <ProfileForm vendor=vendor.clone() reload=reload saved=saved platform=true/>
                <AccountsForm vendor=vendor.clone() reload=reload/>
                <WechatPayForm vendor=vendor.clone() reload=reload/>
                <OptionsForm vendor=vendor reload=reload/>
            </div>
        </div>
    }
}

#[component]
fn OptionsForm(vendor: Vendor, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let vid = StoredValue::new(vendor.vid.clone());
    let switches = [
        ("cfg_users", RwSignal::new(vendor.cfg_users)),
        ("cfg_mall", RwSignal::new(vendor.cfg_mall)),
        ("cfg_orders", RwSignal::new(vendor.cfg_orders)),
        ("cfg_tickets", RwSignal::new(vendor.cfg_tickets)),
        ("cfg_commission", RwSignal::new(vendor.cfg_commission)),
    ];
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |input: &VendorOptions| {
        let input = input.clone();
        async move { set_vendor_options(vid.get_value(), input).await }
    });
    crate::components::record::reload_after(save, error, reload);
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="vendor-options" on:submit=move |ev| {
            ev.prevent_default();
            let on = |i: usize| Some(switches[i].1.get());
            save.dispatch(VendorOptions { users: on(0), mall: on(1), orders: on(2), tickets: on(3), commission: on(4) });
        }>
            <h2 class="font-semibold">{move || t().options_title}</h2>
            <div class="flex flex-wrap gap-4 text-sm">
                {switches.into_iter().map(|(key, on)| view! {
                    <label class="flex items-center gap-2">
                        <input type="checkbox" data-testid=format!("option-{key}") prop:checked=move || on.get()
                            on:change=move |ev| on.set(event_target_checked(&ev))/>
                        {move || t().field_label("vendor", key)}
                    </label>
                }).collect_view()}
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" data-testid="save-options" class="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700">{move || t().save}</button>
        </form>
    }
}

#[component]
fn PasswordAndMobile(vid: StoredValue<String>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let (pwd, mobile) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<ApiError>);
    let set_pwd = Action::new(move |pwd: &String| {
        let pwd = pwd.clone();
        async move { set_vendor_password(vid.get_value(), pwd).await }
    });
    let set_mobile = Action::new(move |mobile: &String| {
        let mobile = mobile.clone();
        async move { set_vendor_mobile(vid.get_value(), mobile).await }
    });
    crate::components::record::reload_after(set_pwd, error, reload);
    crate::components::record::reload_after(set_mobile, error, reload);
    view! {
        <section class="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
            <form class="flex items-end gap-2" data-testid="vendor-password" on:submit=move |ev| { ev.prevent_default(); set_pwd.dispatch(pwd.get()); pwd.set(String::new()); }>
                <div class="flex-1"><TextField label=Signal::derive(move || t().password.to_string()) value=pwd name="pwd" kind="password"/></div>
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-2 text-sm">{move || t().set_password}</button>
            </form>
            <form class="flex items-end gap-2" data-testid="vendor-mobile" on:submit=move |ev| { ev.prevent_default(); set_mobile.dispatch(mobile.get()); }>
                <div class="flex-1"><TextField label=Signal::derive(move || t().field_label("vendor", "mobile").to_string()) value=mobile name="mobile"/></div>
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-2 text-sm">{move || t().change_mobile}</button>
            </form>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </section>
    }
}
