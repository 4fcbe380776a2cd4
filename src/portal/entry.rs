//! A partner's sign-in entry in the portals (issue 14): the corp sets a dealer's sign-in text,
//! logo and whether its page is open, and hands out the dealer's own sign-in link; the sign-in
//! page shows them. Adapters over `service::entry`.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::{
    components::{ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        entry::{EntryBranding, EntryConfig},
        error::ApiError,
    },
};

#[cfg(feature = "ssr")]
fn partner(portal: &str) -> Result<crate::server::service::login::Partner, ApiError> {
    use crate::server::service::login::Partner;
    match portal {
        "dealer" => Ok(Partner::Dealer),
        "heavy_buyer" => Ok(Partner::HeavyBuyer),
        _ => Err(ApiError::invalid("portal", "unknown portal")),
    }
}

/// What a partner's sign-in page shows: public, like `GET …/entry_config`.
#[server(prefix = "/fn", endpoint = "/entry_branding", input = Json)]
pub async fn load_entry_branding(portal: String, id: i64, corp_id: String) -> Result<EntryBranding, ApiError> {
    use crate::server::{fns, service::entry};
    let ctx = fns::ctx()?;
    let config = entry::get(&ctx, partner(&portal)?, id, &corp_id).await.map_err(fns::refuse)?;
    Ok(EntryBranding { is_enable: config.is_enable, login_context: config.login_context, logo_url: config.logo_url })
}

/// A partner's entry as the corp edits it.
#[server(prefix = "/fn", endpoint = "/entry_get", input = Json)]
pub async fn get_entry(portal: String, id: i64) -> Result<EntryConfig, ApiError> {
    use crate::server::{fns, service::entry};
    let (ctx, principal) = fns::caller().await?;
    let corp_id = principal.member().map_err(fns::refuse)?.corp_id.clone();
    entry::get(&ctx, partner(&portal)?, id, &corp_id).await.map_err(fns::refuse)
}

#[server(prefix = "/fn", endpoint = "/entry_set", input = Json)]
pub async fn set_entry(portal: String, id: i64, config: EntryConfig) -> Result<EntryConfig, ApiError> {
    use crate::server::{fns, service::entry};
    let (ctx, principal) = fns::caller().await?;
    entry::set(&ctx, &principal, partner(&portal)?, id, config).await.map_err(fns::refuse)
}

/// The corp's form for one partner's entry, with the partner's own sign-in link: for members
/// whose role holds `feature` (managing dealers or key accounts). Build it in the page's body,
/// not in a closure: it makes a resource and a Transition, whose hydration ids must come in the
/// same order on the server and in the browser (see `with_session`).
#[component]
pub fn EntryForm(portal: &'static str, #[prop(into)] id: Signal<i64>, feature: i64) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let session = expect_context::<crate::portal::corp::layout::SessionResource>();
    let entry = Resource::new(move || id.get(), move |id| get_entry(portal.to_owned(), id));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(s) = session.await else { return ().into_any() };
                if !s.abilities.can(feature) {
                    return ().into_any();
                }
                let id = id.get_untracked();
                let link = format!("/{portal}/login?corp_id={}&id={id}", s.info.id);
                let fields = match entry.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(config) => view! { <EntryFields portal=portal id=id config=config/> }.into_any(),
                };
                view! {
                    <section class="mt-4 space-y-3 rounded-xl border border-slate-200 bg-white p-5" data-testid="entry-form">
                        <h2 class="font-semibold">{move || t().entry_title}</h2>
                        <a class="inline-block break-all font-mono text-sm text-indigo-600" data-testid="entry-link" href=link.clone()>{link.clone()}</a>
                        {fields}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn EntryFields(portal: &'static str, id: i64, config: EntryConfig) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let text = RwSignal::new(config.login_context.clone());
    let logo = RwSignal::new(config.logo_url.clone());
    let open = RwSignal::new(config.is_enable);
    let base = StoredValue::new(config);
    let save = Action::new(move |_: &()| {
        let config = EntryConfig {
            login_context: text.get_untracked(),
            logo_url: logo.get_untracked(),
            is_enable: open.get_untracked(),
            ..base.get_value()
        };
        set_entry(portal.to_owned(), id, config)
    });
    view! {
        <form class="space-y-3" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
            <TextField label=Signal::derive(move || t().entry_text.to_string()) value=text name="login_context"/>
            <TextField label=Signal::derive(move || t().entry_logo.to_string()) value=logo name="logo_url" kind="url"/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="is_enable" prop:checked=move || open.get() on:change=move |ev| open.set(event_target_checked(&ev))/>
                {move || t().entry_open}
            </label>
            {move || save.value().get().map(|r| match r {
                Ok(_) => view! { <p class="text-sm text-emerald-700" data-testid="entry-saved">{move || t().saved}</p> }.into_any(),
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
            })}
            <button type="submit" data-testid="entry-save" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700">
                {move || t().save}
            </button>
        </form>
    }
}

/// The logo and text a partner's sign-in page shows above its form, and whether the page is
/// open: read from the `corp_id` and `id` of its link (none without them).
#[component]
pub fn EntryBanner(branding: Option<EntryBranding>) -> impl IntoView {
    let i18n = use_i18n();
    branding.map(|b| {
        let closed = !b.is_enable;
        view! {
            <div class="mb-4 space-y-2 text-center" data-testid="entry-banner">
                {(!b.logo_url.is_empty()).then(|| view! { <img src=b.logo_url.clone() alt="" class="mx-auto max-h-16" data-testid="entry-logo"/> })}
                {(!b.login_context.is_empty()).then(|| view! { <p class="text-sm text-slate-700" data-testid="entry-text">{b.login_context.clone()}</p> })}
                {closed.then(|| view! { <p class="text-sm font-medium text-red-600" data-testid="entry-closed">{move || i18n.t().entry_closed}</p> })}
            </div>
        }
    })
}
