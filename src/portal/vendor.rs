//! What the platform's vendor page and the corp portal's settings page share: reading a vendor,
//! editing its profile, and its official-account and merchant settings. The server functions
//! are adapters over `service::vendor`, which decides who may do what (the platform everything;
//! the vendor's own admin its profile and accounts).

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    components::{ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        error::ApiError,
        vendor::{Vendor, VendorAccounts, VendorEdit, WechatPayAccounts},
    },
};

#[server(prefix = "/fn", endpoint = "/vendor", input = Json)]
pub async fn get_vendor(vid: String) -> Result<Vendor, ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::get(&ctx, &principal, &vid).await.map_err(fns::refuse)
}

/// The caller's own vendor (the corp portal's settings page: its admins only).
#[server(prefix = "/fn", endpoint = "/own_vendor", input = Json)]
pub async fn own_vendor() -> Result<Vendor, ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    let vid = principal.corp_id().unwrap_or_default().to_owned();
    vendor::get(&ctx, &principal, &vid).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_edit", input = Json)]
pub async fn edit_vendor(vid: String, input: VendorEdit) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::edit(&ctx, &principal, &vid, input).await.map(|_| ()).map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/vendor_accounts", input = Json)]
pub async fn set_vendor_accounts(vid: String, input: VendorAccounts) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::set_accounts(&ctx, &principal, &vid, input).await.map(|_| ()).map_err(fns::refuse)
}

/// The profile form. The platform also edits the remark (its own note on the vendor).
#[component]
pub fn ProfileForm(
    vendor: Vendor,
    reload: RwSignal<u32>,
    /// "Saved" after a save: the page's, so it outlives the form the reload builds again.
    saved: RwSignal<bool>,
    #[prop(optional)] platform: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let vid = StoredValue::new(vendor.vid.clone());
    let text = |v: &str| RwSignal::new(v.to_owned());
    let (name, abbv, logo, domain, contact) =
        (text(&vendor.name), text(&vendor.abbv), text(&vendor.logo), text(&vendor.domain), text(&vendor.contact));
    let (wechat, email, area, address, remark) =
        (text(&vendor.wechat), text(&vendor.email), text(&vendor.area), text(&vendor.address), text(&vendor.remark));
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |input: &VendorEdit| {
        let input = input.clone();
        async move { edit_vendor(vid.get_value(), input).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            error.set(None);
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let field_label = move |name: &'static str| Signal::derive(move || t().field_label("vendor", name).to_string());
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="edit-vendor" on:submit=move |ev| {
            ev.prevent_default();
            saved.set(false);
            let given = |s: RwSignal<String>| Some(s.get());
            save.dispatch(VendorEdit {
                name: given(name), abbv: given(abbv), logo: given(logo), domain: given(domain), contact: given(contact),
                wechat: given(wechat), email: given(email), area: given(area), address: given(address),
                remark: platform.then(|| remark.get()),
                ..VendorEdit::default()
            });
        }>
            <div class="grid gap-3 sm:grid-cols-2">
                <TextField label=field_label("name") value=name name="name"/>
                <TextField label=field_label("abbv") value=abbv name="abbv"/>
                <TextField label=field_label("logo") value=logo name="logo"/>
                <TextField label=field_label("domain") value=domain name="domain"/>
                <TextField label=field_label("contact") value=contact name="contact"/>
                <TextField label=field_label("wechat") value=wechat name="wechat"/>
                <TextField label=Signal::derive(move || t().email.to_string()) value=email name="email"/>
                <TextField label=field_label("area") value=area name="area"/>
                <TextField label=field_label("address") value=address name="address"/>
                <Show when=move || platform>
                    <TextField label=field_label("remark") value=remark name="remark"/>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="flex items-center gap-3">
                <button type="submit" data-testid="save-vendor" class="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700">{move || t().save}</button>
                <Show when=move || saved.get()><span class="text-sm text-emerald-700" data-testid="saved">{move || t().saved}</span></Show>
            </div>
        </form>
    }
}

/// WeChat Pay API v3's merchant settings beside AX-07's (absent fields stay as they are).
#[server(prefix = "/fn", endpoint = "/vendor_wechatpay", input = Json)]
pub async fn set_vendor_wechatpay(vid: String, input: WechatPayAccounts) -> Result<(), ApiError> {
    use crate::server::{fns, service::vendor};
    let (ctx, principal) = fns::caller().await?;
    vendor::set_all_accounts(&ctx, &principal, &vid, VendorAccounts::default(), input)
        .await
        .map(|_| ())
        .map_err(fns::refuse)
}

/// The official-account and merchant settings: ids as text, each secret as "set / not set"
/// with a Replace that opens an input (a secret is never shown).
#[component]
pub fn AccountsForm(vendor: Vendor, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let vid = StoredValue::new(vendor.vid.clone());
    let text = |v: &str| RwSignal::new(v.to_owned());
    let (mp_gid, mp_appid, mch_gid, mch_appid) =
        (text(&vendor.mp_gid), text(&vendor.mp_appid), text(&vendor.mch_gid), text(&vendor.mch_appid));
    let (mp_secret, mch_secret) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |input: &VendorAccounts| {
        let input = input.clone();
        async move { set_vendor_accounts(vid.get_value(), input).await }
    });
    crate::components::record::reload_after(save, error, reload);
    let field_label = move |name: &'static str| Signal::derive(move || t().field_label("vendor", name).to_string());
    let secret = move |label: &'static str, set: bool, value: RwSignal<Option<String>>, testid: &'static str| {
        view! {
            <div class="block text-sm" data-testid=testid>
                <span class="font-medium">{move || t().field_label("vendor", label)}</span>
                {move || match value.get() {
                    None => view! {
                        <div class="mt-1 flex items-center gap-2">
                            <span class=if set { "rounded bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800" } else { "rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600" }
                                data-testid="secret-state">
                                {move || if set { t().secret_set } else { t().secret_not_set }}
                            </span>
                            <button type="button" data-testid="replace-secret" class="text-xs text-amber-700 hover:underline"
                                on:click=move |_| value.set(Some(String::new()))>{move || t().replace_secret}</button>
                        </div>
                    }.into_any(),
                    Some(_) => view! {
                        <input type="password" data-testid="secret-input" autocomplete="off"
                            class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                            prop:value=move || value.get().unwrap_or_default()
                            on:input=move |ev| value.set(Some(event_target_value(&ev)))/>
                    }.into_any(),
                }}
            </div>
        }
    };
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="vendor-accounts" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(VendorAccounts {
                mp_gid: Some(mp_gid.get()), mp_appid: Some(mp_appid.get()), mp_secret: mp_secret.get(),
                mch_gid: Some(mch_gid.get()), mch_appid: Some(mch_appid.get()), mch_secret: mch_secret.get(),
            });
        }>
            <h2 class="font-semibold">{move || t().accounts_title}</h2>
            <p class="text-xs text-slate-500">{move || t().secrets_hint}</p>
            <div class="grid gap-3 sm:grid-cols-2">
                <TextField label=field_label("mp_gid") value=mp_gid name="mp_gid"/>
                <TextField label=field_label("mp_appid") value=mp_appid name="mp_appid"/>
                {secret("mp_secret_set", vendor.mp_secret_set, mp_secret, "mp-secret")}
                <TextField label=field_label("mch_gid") value=mch_gid name="mch_gid"/>
                <TextField label=field_label("mch_appid") value=mch_appid name="mch_appid"/>
                {secret("mch_secret_set", vendor.mch_secret_set, mch_secret, "mch-secret")}
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" data-testid="save-accounts" class="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700">{move || t().save}</button>
        </form>
    }
}

/// WeChat Pay API v3's merchant: the certificate serial and WeChat Pay's public key id as text,
/// the merchant's private key and WeChat Pay's public key (PEM) as "set / not set" with a
/// Replace. With all of them (and AX-07's mchid, appid and APIv3 key) the vendor's payments go to
/// WeChat Pay; until then, to the sandbox.
#[component]
pub fn WechatPayForm(vendor: Vendor, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let vid = StoredValue::new(vendor.vid.clone());
    let (serial, key_id) = (RwSignal::new(vendor.mch_serial.clone()), RwSignal::new(vendor.wxpay_key_id.clone()));
    let (private_key, public_key) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let error = RwSignal::new(None::<ApiError>);
    let save = Action::new(move |input: &WechatPayAccounts| {
        let input = input.clone();
        async move { set_vendor_wechatpay(vid.get_value(), input).await }
    });
    crate::components::record::reload_after(save, error, reload);
    let field_label = move |name: &'static str| Signal::derive(move || t().field_label("vendor", name).to_string());
    let pem = move |label: &'static str, set: bool, value: RwSignal<Option<String>>, testid: &'static str| {
        view! {
            <div class="block text-sm sm:col-span-2" data-testid=testid>
                <span class="font-medium">{move || t().field_label("vendor", label)}</span>
                {move || match value.get() {
                    None => view! {
                        <div class="mt-1 flex items-center gap-2">
                            <span class=if set { "rounded bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800" } else { "rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600" }
                                data-testid="secret-state">
                                {move || if set { t().secret_set } else { t().secret_not_set }}
                            </span>
                            <button type="button" data-testid="replace-secret" class="text-xs text-amber-700 hover:underline"
                                on:click=move |_| value.set(Some(String::new()))>{move || t().replace_secret}</button>
                        </div>
                    }.into_any(),
                    Some(_) => view! {
                        <textarea rows="4" data-testid="pem-input" autocomplete="off" placeholder="-----BEGIN ...-----"
                            class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
                            prop:value=move || value.get().unwrap_or_default()
                            on:input=move |ev| value.set(Some(event_target_value(&ev)))></textarea>
                    }.into_any(),
                }}
            </div>
        }
    };
    // What `vendor::wechatpay_merchant` needs, every part of it.
    let active = vendor.mch_key_set
        && vendor.wxpay_key_set
        && vendor.mch_secret_set
        && ![&vendor.mch_serial, &vendor.wxpay_key_id, &vendor.mch_gid, &vendor.mch_appid].iter().any(|s| s.is_empty());
    view! {
        <form class="space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="vendor-wechatpay" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(WechatPayAccounts {
                mch_serial: Some(serial.get()), mch_key: private_key.get(),
                wxpay_key_id: Some(key_id.get()), wxpay_key: public_key.get(),
            });
        }>
            <div class="flex items-center gap-2">
                <h2 class="font-semibold">"WeChat Pay API v3"</h2>
                <span class="rounded bg-slate-100 px-2 py-0.5 text-xs" data-testid="wechatpay-state">
                    {move || if active { t().wechatpay_on } else { t().wechatpay_off }}
                </span>
            </div>
            <p class="text-xs text-slate-500">{move || t().wechatpay_hint}</p>
            <div class="grid gap-3 sm:grid-cols-2">
                <TextField label=field_label("mch_serial") value=serial name="mch_serial"/>
                <TextField label=field_label("wxpay_key_id") value=key_id name="wxpay_key_id"/>
                {pem("mch_key_set", vendor.mch_key_set, private_key, "mch-key")}
                {pem("wxpay_key_set", vendor.wxpay_key_set, public_key, "wxpay-key")}
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <button type="submit" data-testid="save-wechatpay" class="rounded-md bg-amber-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-amber-700">{move || t().save}</button>
        </form>
    }
}
