//! The dealer portal: its sign-in, and a home page with the dealer's profile, its dealer code
//! and the dealers below it. Every page checks the session, so a disabled dealer lands on the
//! sign-in page at its next click.

use leptos::prelude::*;

use super::{
    corp::dealers::DealerTree,
    devices::PartnerDevices,
    partner::{dealer_page, with_partner, Portal, PortalLogin},
    sales::DealerSales,
};
use crate::{components::record::RecordCard, i18n::use_i18n};

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
