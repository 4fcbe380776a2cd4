//! The vendor's own settings (its admins): the profile and logo the platform registered, and its
//! official-account and merchant settings, the secrets shown only as set or not.

use leptos::prelude::*;

use crate::{
    components::ErrorNote,
    i18n::use_i18n,
    portal::vendor::{own_vendor, AccountsForm, ProfileForm, WechatPayForm},
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let reload = RwSignal::new(0u32);
    let saved = RwSignal::new(false);
    let vendor = Resource::new(move || reload.get(), |_| own_vendor());
    view! {
        {crate::components::page_title(|t| t.vendor_settings.to_owned())}
        <h1 class="mb-4 text-xl font-bold">{move || t().vendor_settings}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match vendor.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(v) => view! {
                        <div class="grid gap-4 lg:grid-cols-2" data-testid="vendor-settings">
                            <div class="space-y-4">
                                <section class="flex items-center gap-4 rounded-xl border border-slate-200 bg-white p-5">
                                    {(!v.logo.is_empty()).then(|| view! { <img src=v.logo.clone() alt="" class="h-12 w-12 rounded object-contain"/> })}
                                    <div>
                                        <p class="font-semibold">{v.name.clone()}</p>
                                        <p class="text-sm text-slate-500">{t().field_label("vendor", "code")} ": "
                                            <span class="font-mono" data-testid="vendor-code">{v.code.clone()}</span></p>
                                    </div>
                                </section>
                                <ProfileForm vendor=v.clone() reload=reload saved=saved/>
                            </div>
                            <AccountsForm vendor=v.clone() reload=reload/>
                            <WechatPayForm vendor=v reload=reload/>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
