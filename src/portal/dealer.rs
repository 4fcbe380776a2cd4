//! The dealer portal: its sign-in, and a home page with the dealer's profile, its dealer code
//! and the dealers below it. Every page checks the session, so a disabled dealer lands on the
//! sign-in page at its next click.

use leptos::prelude::*;

use super::{
    commission::OwnCommission,
    corp::dealers::DealerTree,
    devices::PartnerDevices,
    end_users::EndUsersTable,
    orders::{OrderPage, OrdersList, OrdersOf},
    partner::{dealer_page, with_partner, Portal, PortalLogin},
    sales::DealerSales,
};
use crate::{components::record::RecordCard, i18n::use_i18n, model::error::ApiError};

#[component]
pub fn DealerLogin() -> impl IntoView {
    view! { <PortalLogin portal=Portal::Dealer/> }
}

/// The dealer's profile and code.
#[component]
pub fn DealerHome() -> impl IntoView {
    let i18n = use_i18n();
    dealer_page(move |session| {
        with_partner(session, move |s| {
            let d = s.dealer;
            let t = i18n.t();
            let rows = vec![
                (t.dealer_code, d.dealer_code.clone()),
                (t.upper_dealer, if d.upper_dealer_code.is_empty() { "—".into() } else { d.upper_dealer_code.clone() }),
                (t.email, d.email.clone()),
                (t.phone, d.phone.clone()),
                (t.address, d.address.clone()),
                (t.field_label("dealer", "contacter"), d.contacter.clone()),
                (t.field_label("dealer", "sale_goal"), d.sale_goal.to_string()),
                (t.field_label("dealer", "saled_amount"), d.saled_amount.to_string()),
                (t.brand_owner, s.company.clone()),
            ];
            view! { <RecordCard title=d.name.clone() rows=rows testid="dealer-profile"/> }
        })
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
    dealer_page(move |_| view! { <PartnerDevices href=|product| format!("/dealer/devices?product={product}")/> })
}

/// The dealer's sales ledger and its sub-dealers'.
#[component]
pub fn DealerSalesPage() -> impl IntoView {
    dealer_page(move |_| view! { <DealerSales/> })
}

/// The orders of the dealer's users (and of the users of the dealers below it).
#[component]
pub fn DealerOrders() -> impl IntoView {
    dealer_page(move |_| view! { <OrdersList of=OrdersOf::Dealer/> })
}

/// One of those orders, to read.
#[component]
pub fn DealerOrder() -> impl IntoView {
    dealer_page(move |_| view! { <OrderPage of=OrdersOf::Dealer/> })
}

/// The dealer's commission: balances, withdraw, withdrawals, ledger.
#[component]
pub fn DealerCommission() -> impl IntoView {
    dealer_page(move |_| view! { <OwnCommission/> })
}

/// A promotion link (a dealer's, or a user's referral link) and its QR code (an SVG drawn on the server).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Promotion {
    pub link: String,
    pub qr_svg: String,
}

#[server(prefix = "/fn", endpoint = "/promotion")]
pub async fn load_promotion() -> Result<Promotion, ApiError> {
    use crate::server::{fns, service::end_user};
    let (ctx, principal) = fns::caller().await?;
    let headers: axum::http::HeaderMap =
        leptos_axum::extract().await.map_err(|e| fns::refuse(crate::server::error::Error::internal(e.to_string())))?;
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if ctx.config.cookie_secure { "https" } else { "http" };
    let link = end_user::promotion_link(&ctx, &principal, &format!("{scheme}://{host}")).await.map_err(fns::refuse)?;
    let qr = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| fns::refuse(crate::server::error::Error::internal(e.to_string())))?;
    let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    Ok(Promotion { link, qr_svg })
}

/// The users the dealer's links brought (and those of the dealers below it), and its link.
#[component]
pub fn DealerUsers() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    dealer_page(move |_| {
        let promotion = Resource::new(|| (), |_| load_promotion());
        view! {
            <h1 class="mb-3 text-xl font-semibold">{move || t().users_title}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    promotion.await.ok().map(|p| view! {
                        <section class="mb-4 flex flex-wrap items-center gap-4 rounded-xl border border-slate-200 bg-white p-4" data-testid="promotion">
                            <div class="h-40 w-40" data-testid="promotion-qr" inner_html=p.qr_svg.clone()></div>
                            <div class="min-w-0 flex-1 text-sm">
                                <p class="font-medium">{t().promotion_link}</p>
                                <p class="text-slate-500">{t().promotion_hint}</p>
                                <a class="mt-1 inline-block break-all font-mono text-emerald-700" data-testid="promotion-link" href=p.link.clone()>{p.link.clone()}</a>
                            </div>
                        </section>
                    })
                })}
            </Suspense>
            <EndUsersTable/>
        }
    })
}
