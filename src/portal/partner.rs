//! What the dealer and heavy-buyer portals share: signing in with a corp id (prefilled from the
//! link the corp shares), signing out, and the frame around their pages.

use leptos::prelude::*;
use leptos_router::{
    components::{Redirect, A},
    hooks::use_query_map,
};

use crate::{
    components::{
        sign_in::{Accent, AccountField, SignInEnd, SignInFrame},
        Brand, ErrorNote, LangSwitch,
    },
    i18n::{use_i18n, Texts},
    model::{
        dealer::DealerSession,
        error::{codes, ApiError},
        heavy_buyer::HeavyBuyerSession,
    },
    portal::entry::{load_entry_branding, EntryBanner},
};

/// The two partner portals; the name is also their URL prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Portal {
    Dealer,
    HeavyBuyer,
}

impl Portal {
    pub fn prefix(self) -> &'static str {
        match self {
            Portal::Dealer => "dealer",
            Portal::HeavyBuyer => "heavy_buyer",
        }
    }

    fn title(self, t: &Texts) -> &'static str {
        match self {
            Portal::Dealer => t.dealer_login_title,
            Portal::HeavyBuyer => t.heavy_buyer_login_title,
        }
    }

    fn name(self, t: &Texts) -> &'static str {
        match self {
            Portal::Dealer => t.dealer_portal,
            Portal::HeavyBuyer => t.heavy_buyer_portal,
        }
    }
}

/// Signs a dealer or a heavy buyer in and binds the login to this browser session.
/// `entry` is the partner id of a branded sign-in link (empty for the plain page): a closed entry
/// signs no one in.
#[server(prefix = "/fn", endpoint = "/portal_login")]
pub async fn portal_login(
    portal: String,
    corp_id: String,
    account: String,
    password: String,
    #[server(default)] entry: String,
) -> Result<(), ApiError> {
    use crate::server::{
        auth::token::Channel,
        auth::web,
        fns,
        secret::Secret,
        service::{entry as entries, login},
    };
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    let client = fns::client_addr().await?;
    let password = Secret::new(password);
    let partner = match portal.as_str() {
        "dealer" => login::Partner::Dealer,
        "heavy_buyer" => login::Partner::HeavyBuyer,
        _ => return Err(fns::refuse(ApiError::invalid("portal", "unknown portal"))),
    };
    if let Ok(id) = entry.trim().parse::<i64>() {
        entries::require_open(&ctx, partner, id, &corp_id).await.map_err(fns::refuse)?;
    }
    let login = login::partner_login(&ctx, partner, Some(&corp_id), &account, &password, &client, Channel::Web)
        .await
        .map_err(fns::refuse)?;
    web::sign_in(&session, &login.login_id).await.map_err(fns::refuse)?;
    leptos_axum::redirect(&format!("/{portal}"));
    Ok(())
}

/// Ends the login and the session, back to the portal's sign-in page.
#[server(prefix = "/fn", endpoint = "/portal_logout")]
pub async fn portal_logout(portal: String) -> Result<(), ApiError> {
    use crate::server::{auth::web, fns};
    let ctx = fns::ctx()?;
    let session = fns::session().await?;
    web::sign_out(&ctx, &session).await.map_err(fns::refuse)?;
    let portal = if portal == "heavy_buyer" { "heavy_buyer" } else { "dealer" };
    leptos_axum::redirect(&format!("/{portal}/login"));
    Ok(())
}

/// What a partner portal's session tells the frame around its pages.
pub trait PartnerSession {
    /// Who is signed in, as the header shows it.
    fn user(&self) -> String;
    /// The brand owner's name.
    fn company(&self) -> String;
    /// The portal modules its entry hides.
    fn hidden_modules(&self) -> &[String];
}

/// The entry module a portal page belongs to (the original console's names), if it may be hidden.
fn module_of(href: &str) -> Option<&'static str> {
    match href.rsplit('/').next() {
        Some("devices") => Some(crate::model::entry::DEVICES),
        Some("sales") => Some(crate::model::entry::SALES),
        _ => None,
    }
}

impl PartnerSession for crate::model::dealer::DealerSession {
    fn user(&self) -> String {
        self.dealer.name.clone()
    }
    fn company(&self) -> String {
        self.company.clone()
    }
    fn hidden_modules(&self) -> &[String] {
        &self.hidden_modules
    }
}

impl PartnerSession for crate::model::heavy_buyer::HeavyBuyerSession {
    fn user(&self) -> String {
        match &self.seat.user {
            Some(u) => format!("{} · {}", u.username, self.heavy_buyer.name),
            None => self.heavy_buyer.name.clone(),
        }
    }
    fn company(&self) -> String {
        self.company.clone()
    }
    fn hidden_modules(&self) -> &[String] {
        &self.hidden_modules
    }
}

/// What every dealer-portal page loads first.
#[server(prefix = "/fn", endpoint = "/dealer_session")]
pub async fn load_dealer_session() -> Result<DealerSession, ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::session(&ctx, &principal).await.map_err(fns::refuse)
}

/// What every heavy-buyer-portal page loads first.
#[server(prefix = "/fn", endpoint = "/heavy_buyer_session")]
pub async fn load_heavy_buyer_session() -> Result<HeavyBuyerSession, ApiError> {
    use crate::server::{fns, service::heavy_buyer};
    let (ctx, principal) = fns::caller().await?;
    heavy_buyer::session(&ctx, &principal).await.map_err(fns::refuse)
}

const DEALER_NAV: [NavItem; 10] = [
    ("/dealer", |t| t.my_profile, "nav-profile"),
    ("/dealer/dealers", |t| t.my_dealers, "nav-sub-dealers"),
    ("/dealer/devices", |t| t.devices_title, "nav-devices"),
    ("/dealer/sales", |t| t.sales_title, "nav-sales"),
    ("/dealer/users", |t| t.users_title, "nav-users"),
    ("/dealer/orders", |t| t.shop.orders_title, "nav-orders"),
    ("/dealer/commission", |t| t.shop.commission_title, "nav-commission"),
    ("/dealer/tickets", |t| t.service.tickets_title, "nav-tickets"),
    ("/dealer/engineers", |t| t.service.engineers_title, "nav-engineers"),
    ("/dealer/service", |t| t.service.devices_title, "nav-in-service"),
];

const HEAVY_BUYER_NAV: [NavItem; 5] = [
    ("/heavy_buyer", |t| t.my_profile, "nav-profile"),
    ("/heavy_buyer/organizations", |t| t.organizations_title, "nav-organizations"),
    ("/heavy_buyer/users", |t| t.org_users_title, "nav-users"),
    ("/heavy_buyer/devices", |t| t.devices_title, "nav-devices"),
    ("/heavy_buyer/audit", |t| t.nav_audit, "nav-audit"),
];

/// A dealer-portal page: the session checked, `body` framed.
pub fn dealer_page<V: IntoView + 'static>(
    body: impl FnOnce(PartnerSessionResource<DealerSession>) -> V,
) -> impl IntoView {
    partner_page(Portal::Dealer, &DEALER_NAV, load_dealer_session, body)
}

/// A heavy-buyer-portal page: the session checked, `body` framed.
pub fn heavy_buyer_page<V: IntoView + 'static>(
    body: impl FnOnce(PartnerSessionResource<HeavyBuyerSession>) -> V,
) -> impl IntoView {
    partner_page(Portal::HeavyBuyer, &HEAVY_BUYER_NAV, load_heavy_buyer_session, body)
}

/// A partner portal's session, as its pages read it.
pub type PartnerSessionResource<S> = Resource<Result<S, ApiError>>;

/// A partner-portal page: loads the session with `load` (a signed-out or disabled partner goes
/// to the portal's sign-in page), frames the page with the portal's navigation, and builds the
/// page with `body` once, outside every Suspense. Server rendering runs a Suspense's children
/// more than once, so a page built inside one would create its resources again each time and
/// the browser would hydrate with other resource ids than the server's (issue 13): `body`
/// creates its resources and reads the session through [`with_partner`], whose view must not.
pub fn partner_page<S, Fut, V>(
    portal: Portal,
    nav: &'static [NavItem],
    load: fn() -> Fut,
    body: impl FnOnce(PartnerSessionResource<S>) -> V,
) -> impl IntoView
where
    S: PartnerSession + Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<S, ApiError>> + Send + 'static,
    V: IntoView + 'static,
{
    let session = Resource::new(|| (), move |_| load());
    let page = body(session).into_any();
    view! {
        {crate::components::page_title(move |t| portal.name(t).to_owned())}
        <PortalFrame portal=portal session=session nav=nav>{page}</PortalFrame>
    }
    // Erased here, where every partner page's view type would otherwise nest inside the frame's.
    .into_any()
}

/// Renders `view` with the partner's session once it is there (nothing before; the frame
/// handles signing in again). `view` must not make resources (see
/// [`with_loaded`](crate::components::with_loaded)).
pub fn with_partner<S, V>(
    session: PartnerSessionResource<S>,
    view: impl Fn(S) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView
where
    S: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    crate::components::with_loaded(session, false, view)
}

/// Whether a failed session load means "go to the sign-in page": not logged in, or logged in
/// as another kind of principal.
pub fn needs_sign_in(e: &ApiError) -> bool {
    e.is_unauthenticated() || e.code == codes::FORBIDDEN
}

/// A partner portal's sign-in page. A portal with a second kind of sign-in (the key account's
/// organization users) passes `tabs` to switch and `alternate_form`, shown while `alternate`.
#[component]
pub fn PortalLogin(
    portal: Portal,
    #[prop(optional)] tabs: Option<AnyView>,
    #[prop(optional)] alternate: Option<RwSignal<bool>>,
    #[prop(optional, into)] alternate_form: Option<ViewFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let query = use_query_map();
    let corp_id = move || query.read().get("corp_id").unwrap_or_default();
    // A branded link (`?corp_id=…&id=…`) shows its partner's logo and text.
    let entry_id = move || query.read().get("id").unwrap_or_default();
    let branding = Resource::new(
        move || (corp_id(), entry_id()),
        move |(corp, id)| async move {
            match id.parse::<i64>() {
                Ok(id) if !corp.is_empty() => load_entry_branding(portal.prefix().to_owned(), id, corp).await.ok(),
                _ => None,
            }
        },
    );
    let login = ServerAction::<PortalLogin>::new();
    let error = move || login.value().get().and_then(Result::err);
    view! {
        {crate::components::page_title(move |t| portal.title(t).to_owned())}
        <SignInFrame>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    view! { <EntryBanner branding=branding.await/> }
                })}
            </Transition>
            <p class=Accent::Emerald.eyebrow()>{move || portal.name(t())}</p>
            <h1 class="mt-1 text-2xl font-bold">{move || portal.title(t())}</h1>
            <p class="mt-1 text-sm text-slate-500">{move || t().portal_login_hint}</p>
            {tabs}
            <Show when=move || !alternate.is_some_and(|a| a.get())
                fallback=move || alternate_form.as_ref().map(ViewFn::run)>
                <ActionForm action=login attr:class="mt-6 space-y-4" attr:data-testid="login-form">
                    <input type="hidden" name="portal" value=portal.prefix()/>
                    <input type="hidden" name="entry" prop:value=entry_id/>
                    <label class="block">
                        <span class="text-sm font-medium">{move || t().corp_id_label}</span>
                        <input name="corp_id" type="text" required prop:value=corp_id
                            class="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"/>
                    </label>
                    <AccountField placeholder=true/>
                    <SignInEnd pending=login.pending() error=Signal::derive(error) accent=Accent::Emerald/>
                </ActionForm>
            </Show>
        </SignInFrame>
    }
}

/// One entry of a partner portal's navigation: where, its label, its test id.
pub type NavItem = (&'static str, fn(&Texts) -> &'static str, &'static str);

/// The frame of a partner portal's pages: its navigation (less the modules the partner's entry
/// hides), who is signed in, for which brand owner, and out. Only the header waits for the
/// session; the page (`children`) is drawn once, outside it.
#[component]
pub fn PortalFrame<S>(
    portal: Portal,
    session: PartnerSessionResource<S>,
    nav: &'static [NavItem],
    children: Children,
) -> impl IntoView
where
    S: PartnerSession + Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let i18n = use_i18n();
    let t = move || i18n.t();
    let logout = ServerAction::<PortalLogout>::new();
    let login = format!("/{}/login", portal.prefix());
    view! {
        <div class="min-h-screen">
            <header class="flex items-center gap-4 border-b border-slate-200 bg-white px-6 py-3">
                <Brand/>
                <span class="rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-700">{move || portal.name(t())}</span>
                <Suspense fallback=|| ()>
                    {move || {
                        let login = login.clone();
                        Suspend::new(async move {
                            match session.await {
                                Err(e) if needs_sign_in(&e) => view! { <Redirect path=login/> }.into_any(),
                                Err(e) => session_error(e),
                                Ok(s) => {
                                    let hidden = |href: &str| module_of(href).is_some_and(|m| s.hidden_modules().iter().any(|h| h == m));
                                    let shown: Vec<NavItem> = nav.iter().copied().filter(|(href, _, _)| !hidden(href)).collect();
                                    view! {
                                        <nav class="ml-4 flex gap-1 text-sm">
                                            {shown.into_iter().map(|(href, label, testid)| view! {
                                                <A href=href exact=true attr:data-testid=testid
                                                    attr:class="rounded-md px-3 py-1 text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-slate-800 aria-[current=page]:text-white">
                                                    {move || label(t())}
                                                </A>
                                            }).collect_view()}
                                        </nav>
                                        <span class="ml-auto text-sm" data-testid="portal-user">
                                            <span class="font-medium">{s.user()}</span>
                                            <span class="ml-2 text-slate-500">{move || t().brand_owner} ": " {s.company()}</span>
                                        </span>
                                    }.into_any()
                                }
                            }
                        })
                    }}
                </Suspense>
                <LangSwitch/>
                <ActionForm action=logout>
                    <input type="hidden" name="portal" value=portal.prefix()/>
                    <button type="submit" data-testid="logout" class="rounded-md px-3 py-1 text-sm text-slate-600 hover:bg-slate-100">
                        {move || t().log_out}
                    </button>
                </ActionForm>
            </header>
            <main class="mx-auto max-w-5xl p-6">{children()}</main>
        </div>
    }
}

/// Shown while a portal's session loads, or when it failed for another reason than sign-in.
pub fn session_error(e: ApiError) -> AnyView {
    view! { <div class="p-8"><ErrorNote error=e/></div> }.into_any()
}
