//! The heavy-buyer (key account) portal: its sign-in, its profile and its devices.
//! (Organizations and users come with their issue.)

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::{
    devices::PartnerDevices,
    partner::{needs_sign_in, session_error, NavItem, Portal, PortalFrame, PortalLogin, ProfileCard},
};
use crate::{
    i18n::use_i18n,
    model::{dealer::HeavyBuyerSession, error::ApiError},
};

#[server(endpoint = "/heavy_buyer_session")]
pub async fn load_heavy_buyer_session() -> Result<HeavyBuyerSession, ApiError> {
    use crate::server::{
        fns,
        service::{corp, heavy_buyer},
    };
    let (ctx, principal) = fns::caller().await?;
    let me = heavy_buyer::me(&ctx, &principal).await.map_err(fns::refuse)?;
    let corp_id = principal.heavy_buyer().map_err(fns::refuse)?.corp_id.clone();
    let company = corp::company(&ctx, &corp_id).await.map_err(fns::refuse)?;
    Ok(HeavyBuyerSession { heavy_buyer: me, corp_id, company })
}

#[component]
pub fn HeavyBuyerLogin() -> impl IntoView {
    view! { <PortalLogin portal=Portal::HeavyBuyer/> }
}

const NAV: [NavItem; 2] =
    [("/heavy_buyer", |t| t.my_profile, "nav-profile"), ("/heavy_buyer/devices", |t| t.devices_title, "nav-devices")];

/// A key-account page: loads the session (a signed-out or disabled heavy buyer goes to the
/// sign-in page) and frames `body`.
fn heavy_buyer_page<V: IntoView + 'static>(
    body: impl Fn(HeavyBuyerSession) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = Resource::new(|| (), |_| load_heavy_buyer_session());
    view! {
        <Title text=move || format!("{} · {}", i18n.t().heavy_buyer_portal, i18n.t().app_name)/>
        <Suspense fallback=|| ()>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match session.await {
                        Err(e) if needs_sign_in(&e) => view! { <Redirect path="/heavy_buyer/login"/> }.into_any(),
                        Err(e) => session_error(e),
                        Ok(s) => view! {
                            <PortalFrame portal=Portal::HeavyBuyer user=s.heavy_buyer.name.clone() company=s.company.clone() nav=NAV.to_vec()>
                                {body(s)}
                            </PortalFrame>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The heavy buyer's profile.
#[component]
pub fn HeavyBuyerHome() -> impl IntoView {
    let i18n = use_i18n();
    heavy_buyer_page(move |s| {
        let b = s.heavy_buyer;
        let t = i18n.t();
        let rows = vec![
            (t.industry, b.industry.clone()),
            (t.location, b.location.clone()),
            (t.contacter, b.contacter.clone()),
            (t.contact_way, b.contact_way.clone()),
            (t.email, b.email.clone()),
            (t.phone, b.phone.clone()),
            (t.brand_owner, s.company.clone()),
        ];
        view! { <ProfileCard title=b.name.clone() rows=rows testid="heavy-buyer-profile"/> }
    })
}

/// The devices granted to the heavy buyer.
#[component]
pub fn HeavyBuyerDevices() -> impl IntoView {
    heavy_buyer_page(move |_| view! { <PartnerDevices/> })
}
