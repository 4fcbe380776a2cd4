//! The dealer portal: its sign-in, and a home page with the dealer's profile, its dealer code
//! and the dealers below it. Every page checks the session, so a disabled dealer lands on the
//! sign-in page at its next click.

use leptos::prelude::*;

use super::{
    corp::dealers::DealerTree,
    devices::PartnerDevices,
    partner::{partner_page, NavItem, Portal, PortalLogin, ProfileCard},
};
use crate::{
    i18n::use_i18n,
    model::{dealer::DealerSession, error::ApiError},
};

#[server(endpoint = "/dealer_session")]
pub async fn load_dealer_session() -> Result<DealerSession, ApiError> {
    use crate::server::{
        fns,
        service::{corp, dealer},
    };
    let (ctx, principal) = fns::caller().await?;
    let me = dealer::me(&ctx, &principal).await.map_err(fns::refuse)?;
    let corp_id = principal.dealer().map_err(fns::refuse)?.corp_id.clone();
    let company = corp::company(&ctx, &corp_id).await.map_err(fns::refuse)?;
    Ok(DealerSession { dealer: me, corp_id, company })
}

#[component]
pub fn DealerLogin() -> impl IntoView {
    view! { <PortalLogin portal=Portal::Dealer/> }
}

const NAV: [NavItem; 3] = [
    ("/dealer", |t| t.my_profile, "nav-profile"),
    ("/dealer/dealers", |t| t.my_dealers, "nav-sub-dealers"),
    ("/dealer/devices", |t| t.devices_title, "nav-devices"),
];

/// A dealer-portal page: the session checked, `body` framed.
fn dealer_page<V: IntoView + 'static>(
    body: impl Fn(DealerSession) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    partner_page(Portal::Dealer, &NAV, load_dealer_session, body)
}

/// The dealer's profile and code.
#[component]
pub fn DealerHome() -> impl IntoView {
    let i18n = use_i18n();
    dealer_page(move |s| {
        let d = s.dealer;
        let t = i18n.t();
        let rows = vec![
            (t.dealer_code, d.dealer_code.clone()),
            (t.upper_dealer, if d.upper_dealer_code.is_empty() { "—".into() } else { d.upper_dealer_code.clone() }),
            (t.email, d.email.clone()),
            (t.phone, d.phone.clone()),
            (t.address, d.address.clone()),
            (t.brand_owner, s.company.clone()),
        ];
        view! { <ProfileCard title=d.name.clone() rows=rows testid="dealer-profile"/> }
    })
}

/// The dealer and every dealer below it.
#[component]
pub fn SubDealers() -> impl IntoView {
    let i18n = use_i18n();
    dealer_page(move |_| {
        let reload = RwSignal::new(0u32);
        view! {
            <h1 class="mb-3 text-xl font-semibold">{move || i18n.t().my_dealers}</h1>
            <DealerTree reload=reload link=false/>
        }
    })
}

/// The devices assigned to the dealer or to the dealers below it.
#[component]
pub fn DealerDevices() -> impl IntoView {
    dealer_page(move |_| view! { <PartnerDevices/> })
}
