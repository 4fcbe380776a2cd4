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
    service::{EngineersPage, InServicePage, ServiceDevicePage, ServiceOf, TicketPage, TicketsPage},
};
use leptos::server_fn::codec::Json;

use crate::{
    components::{dialog::ConfirmButton, record::RecordCard, ErrorNote, TextField},
    i18n::use_i18n,
    model::{
        dealer::NewDealer,
        error::ApiError,
        list::{ListRequest, Page},
    },
};

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

/// The dealers directly below the caller (seed 003 六: those it may remove).
#[server(prefix = "/fn", endpoint = "/agents", input = Json)]
pub async fn list_agents(request: ListRequest) -> Result<Page, ApiError> {
    use crate::{
        model::dealer::Dealer,
        server::{fns, list, service::dealer},
    };
    let (ctx, principal) = fns::caller().await?;
    let me = dealer::me(&ctx, &principal).await.map_err(fns::refuse)?;
    let request = request.with_condition("upper_dealer_code", "$eq", me.dealer_code);
    let query = list::parse(&Dealer::RESOURCE, &fns::list_body(&request)?).map_err(fns::refuse)?;
    dealer::list_below(&ctx, &principal, &query).await.map_err(fns::refuse)
}

/// A new dealer directly below the caller.
#[server(prefix = "/fn", endpoint = "/agent_add", input = Json)]
pub async fn add_agent(input: NewDealer) -> Result<(), ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::add_below(&ctx, &principal, input).await.map(|_| ()).map_err(fns::refuse)
}

/// Removes one of the caller's own sub-dealers (CONTRACT.md's delete rule).
#[server(prefix = "/fn", endpoint = "/agent_remove", input = Json)]
pub async fn remove_agent(id: i64) -> Result<(), ApiError> {
    use crate::server::{fns, service::dealer};
    let (ctx, principal) = fns::caller().await?;
    dealer::delete_below(&ctx, &principal, id).await.map_err(fns::refuse)
}

/// The dealer and every dealer below it; a new one directly below it; removing one of its own.
#[component]
pub fn SubDealers() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.t();
    dealer_page(move |_| {
        let reload = RwSignal::new(0u32);
        let below = Resource::new(move || reload.get(), |_| list_agents(ListRequest::paged(0, 500)));
        let field = || RwSignal::new(String::new());
        let (name, email, phone, password) = (field(), field(), field(), field());
        let add = ServerAction::<AddAgent>::new();
        let remove = ServerAction::<RemoveAgent>::new();
        Effect::new(move |_| {
            if let Some(Ok(())) = add.value().get() {
                for f in [name, email, phone, password] {
                    f.set(String::new());
                }
                reload.update(|n| *n += 1);
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(())) = remove.value().get() {
                reload.update(|n| *n += 1);
            }
        });
        let label = move |k: &'static str| Signal::derive(move || t().field_label("dealer", k).to_string());
        view! {
            <h1 class="mb-3 text-xl font-semibold">{move || t().my_dealers}</h1>
            <DealerTree reload=reload link=false/>
            <form class="mt-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 md:grid-cols-5" data-testid="add-agent"
                on:submit=move |ev| {
                    ev.prevent_default();
                    add.dispatch(AddAgent { input: NewDealer {
                        name: name.get(), email: email.get(), phone: phone.get(), password: password.get(),
                        ..NewDealer::default()
                    }});
                }>
                <TextField label=label("name") value=name name="name"/>
                <TextField label=label("email") value=email name="email" kind="email"/>
                <TextField label=label("phone") value=phone name="phone" kind="tel"/>
                <TextField label=Signal::derive(move || t().password.to_string()) value=password name="password" kind="password"/>
                <button type="submit" data-testid="add-agent-submit" disabled=move || add.pending().get()
                    class="self-end rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-60">{move || t().add_dealer}</button>
            </form>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
            {move || remove.value().get().and_then(Result::err).map(|e| view! { <div class="mt-2"><ErrorNote error=e/></div> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    below.await.map(|p| view! {
                        <ul class="mt-4 divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm" data-testid="agents">
                            {p.list.into_iter().map(|d| {
                                let id = d.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
                                let text = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
                                view! {
                                    <li class="flex items-center justify-between px-4 py-2" data-testid="agent">
                                        <span>{format!("{} · {} · {}", text("name"), text("dealer_code"), text("phone"))}</span>
                                        <ConfirmButton label=Signal::derive(move || t().delete.to_string())
                                            message=Signal::derive(move || t().confirm_delete_dealer.to_string())
                                            on_confirm=Callback::new(move |_| { remove.dispatch(RemoveAgent { id }); })
                                            testid="remove-agent" danger=true/>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }).ok()
                })}
            </Transition>
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

/// The work orders of the dealer's scope: board and table.
#[component]
pub fn DealerTickets() -> impl IntoView {
    dealer_page(move |_| view! { <TicketsPage of=ServiceOf::Dealer/> })
}

/// One of those work orders, with its steps.
#[component]
pub fn DealerTicket() -> impl IntoView {
    dealer_page(move |_| view! { <TicketPage of=ServiceOf::Dealer/> })
}

/// The dealer's own service engineers.
#[component]
pub fn DealerEngineers() -> impl IntoView {
    dealer_page(move |_| view! { <EngineersPage/> })
}

/// The devices in service of the dealer's scope.
#[component]
pub fn DealerInService() -> impl IntoView {
    dealer_page(move |_| view! { <InServicePage of=ServiceOf::Dealer/> })
}

/// One of those devices' service page.
#[component]
pub fn DealerServiceDevice() -> impl IntoView {
    dealer_page(move |_| view! { <ServiceDevicePage of=ServiceOf::Dealer/> })
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
