//! The heavy-buyer (key account) portal: its sign-in and a home page with its profile.
//! (Organizations, users and devices come with their issues.)

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::partner::{needs_sign_in, session_error, Portal, PortalFrame, PortalLogin, ProfileCard};
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

#[component]
pub fn HeavyBuyerHome() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    let session = Resource::new(|| (), |_| load_heavy_buyer_session());
    view! {
        <Title text=move || format!("{} · {}", t().heavy_buyer_portal, t().app_name)/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Err(e) if needs_sign_in(&e) => view! { <Redirect path="/heavy_buyer/login"/> }.into_any(),
                    Err(e) => session_error(e),
                    Ok(s) => {
                        let b = s.heavy_buyer;
                        let t = t();
                        let rows = vec![
                            (t.industry, b.industry.clone()),
                            (t.location, b.location.clone()),
                            (t.contacter, b.contacter.clone()),
                            (t.contact_way, b.contact_way.clone()),
                            (t.email, b.email.clone()),
                            (t.phone, b.phone.clone()),
                            (t.brand_owner, s.company.clone()),
                        ];
                        view! {
                            <PortalFrame portal=Portal::HeavyBuyer user=b.name.clone() company=s.company.clone()
                                nav=vec![("/heavy_buyer", |t| t.my_profile, "nav-profile")]>
                                <ProfileCard title=b.name.clone() rows=rows testid="heavy-buyer-profile"/>
                            </PortalFrame>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
