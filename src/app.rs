//! The HTML shell, the router, and one layout per portal.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy, LazyRoute, SsrMode,
};

use crate::{
    i18n::{initial_lang, I18n},
    portal::{
        api_docs::ApiDocs,
        commission, corp, dealer, end_users,
        heavy_buyer::{self, organizations, users},
        home::Home,
        mall, mobile, orders, platform, service, service_mobile, shop, NotFound,
    },
};

/// The document around the app. Sets the page's Content-Security-Policy with the nonce Leptos
/// gives its inline hydration script, so no other inline script can run.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp();
    let lang = initial_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="bg-slate-50 text-slate-800 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_page_csp() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; \
         frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    I18n::provide();
    view! {
        {crate::components::page_title(|_| String::new())}
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home/>
                <Route path=path!("/api-docs") view={Lazy::<LazyApiDocs>::new()}/>
                <Route path=path!("/corp/login") view={Lazy::<LazyCorpLogin>::new()}/>
                <ParentRoute path=path!("/corp") view={Lazy::<LazyCorpLayout>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<LazyDashboard>::new()}/>
                    <Route path=path!("members") view={Lazy::<LazyMembersPage>::new()}/>
                    <Route path=path!("members/:id") view={Lazy::<LazyMemberPage>::new()}/>
                    <Route path=path!("roles") view={Lazy::<LazyRolesPage>::new()}/>
                    <Route path=path!("account") view={Lazy::<LazyAccountPage>::new()}/>
                    <Route path=path!("audit") view={Lazy::<LazyAuditPage>::new()}/>
                    <Route path=path!("settings") view={Lazy::<LazySettingsPage>::new()}/>
                    <Route path=path!("users") view={Lazy::<LazyUsersPage>::new()}/>
                    <Route path=path!("users/:uid") view={Lazy::<LazyUserPage>::new()}/>
                    <Route path=path!("dealers") view={Lazy::<LazyDealersPage>::new()}/>
                    <Route path=path!("dealers/:id") view={Lazy::<LazyDealerPage>::new()}/>
                    <Route path=path!("heavy_buyers") view={Lazy::<LazyHeavyBuyersPage>::new()}/>
                    <Route path=path!("heavy_buyers/:id") view={Lazy::<LazyHeavyBuyerPage>::new()}/>
                    <Route path=path!("products") view={Lazy::<LazyProductsPage>::new()}/>
                    <Route path=path!("products/:id") view={Lazy::<LazyProductDevicesPage>::new()}/>
                    <Route path=path!("products/:pid/devices/:id") view={Lazy::<LazyDevicePage>::new()}/>
                    <Route path=path!("devices") view={Lazy::<LazyDevicesPage>::new()}/>
                    <Route path=path!("mall") view={Lazy::<LazyMallPage>::new()}/>
                    <Route path=path!("mall/:prod_id") view={Lazy::<LazyMerchandisePage>::new()}/>
                    <Route path=path!("orders") view={Lazy::<LazyCorpOrders>::new()}/>
                    <Route path=path!("orders/:id") view={Lazy::<LazyCorpOrder>::new()}/>
                    <Route path=path!("payments") view={Lazy::<LazyCorpPayments>::new()}/>
                    <Route path=path!("commission") view={Lazy::<LazyCorpCommission>::new()}/>
                    <Route path=path!("tickets") view={Lazy::<LazyCorpTickets>::new()}/>
                    <Route path=path!("tickets/:id") view={Lazy::<LazyCorpTicket>::new()}/>
                    <Route path=path!("engineers") view={Lazy::<LazyCorpEngineers>::new()}/>
                    <Route path=path!("service") view={Lazy::<LazyCorpInService>::new()}/>
                    <Route path=path!("service/:serial") view={Lazy::<LazyCorpServiceDevice>::new()}/>
                </ParentRoute>
                <Route path=path!("/m/:code") view={Lazy::<LazyMobileSignIn>::new()}/>
                <Route path=path!("/m/:code/signup") view={Lazy::<LazyMobileSignUp>::new()}/>
                <Route path=path!("/m/:code/reset") view={Lazy::<LazyMobileReset>::new()}/>
                <Route path=path!("/m/:code/me") view={Lazy::<LazyMobileMe>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/shop") view={Lazy::<LazyMobileShop>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/shop/:prod_id") view={Lazy::<LazyMobileProduct>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/orders") view={Lazy::<LazyMobileOrders>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/orders/:id") view={Lazy::<LazyMobileOrder>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/commission") view={Lazy::<LazyMobileCommission>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/devices") view={Lazy::<LazyMobileDevices>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/devices/:serial") view={Lazy::<LazyMobileDevice>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/tickets") view={Lazy::<LazyMobileTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/m/:code/engineer") view={Lazy::<LazyMobileEngineerSignIn>::new()}/>
                <Route path=path!("/m/:code/engineer/tickets") view={Lazy::<LazyMobileEngineerTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/platform/login") view={Lazy::<LazyPlatformLogin>::new()}/>
                <ParentRoute path=path!("/platform") view={Lazy::<LazyPlatformLayout>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<LazyVendorsPage>::new()}/>
                    <Route path=path!("vendors/:vid") view={Lazy::<LazyVendorPage>::new()}/>
                    <Route path=path!("users") view={Lazy::<LazyPlatformUsersPage>::new()}/>
                    <Route path=path!("users/:uid") view={Lazy::<LazyPlatformUserPage>::new()}/>
                </ParentRoute>
                <Route path=path!("/dealer/login") view={Lazy::<LazyDealerLogin>::new()}/>
                <Route path=path!("/dealer") view={Lazy::<LazyDealerHome>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/dealers") view={Lazy::<LazySubDealers>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/devices") view={Lazy::<LazyDealerDevices>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/sales") view={Lazy::<LazyDealerSales>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/users") view={Lazy::<LazyDealerUsers>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/orders") view={Lazy::<LazyDealerOrders>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/orders/:id") view={Lazy::<LazyDealerOrder>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/commission") view={Lazy::<LazyDealerCommission>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/tickets") view={Lazy::<LazyDealerTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/tickets/:id") view={Lazy::<LazyDealerTicket>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/engineers") view={Lazy::<LazyDealerEngineers>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/service") view={Lazy::<LazyDealerInService>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/service/:serial") view={Lazy::<LazyDealerServiceDevice>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/login") view={Lazy::<LazyHeavyBuyerLogin>::new()}/>
                <Route path=path!("/heavy_buyer") view={Lazy::<LazyHeavyBuyerHome>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/devices") view={Lazy::<LazyHeavyBuyerDevices>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/audit") view={Lazy::<LazyHeavyBuyerAudit>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/organizations") view={Lazy::<LazyOrganizationsPage>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/users") view={Lazy::<LazyOrgUsersPage>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/users/:id") view={Lazy::<LazyOrgUserPage>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// Declares the pages of each portal: a route type per page, and one function per portal that
/// renders any of its pages. In the release build (`scripts/build-release`: `--split` with the
/// `split` feature) that function is the split point, so each portal's code (its sign-in page
/// and every page behind it) arrives in one chunk the first time the browser opens the portal
/// (issue 12): the first download keeps the shared runtime, the router and the home page, a
/// phone signing in to one portal never downloads the others, and a page needs a handful of
/// files rather than hundreds (one split point per page made 590 chunks, which also took a
/// quarter of an hour to split and optimise). Other builds (debug, `cargo leptos watch`) render
/// the same routes from one bundle: without `--split`, a split point would import a module that
/// does not exist. The server renders them the same either way.
macro_rules! portals {
    ($($portal:ident: $pages:ident { $($route:ident => $page:path,)* })*) => {$(
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum $pages {
            $($route,)*
        }

        /// The split point: `render` and what only it reaches go to the portal's chunk. A module
        /// per portal gives every portal's preload function the same name (`__preload_render`);
        /// the chunk is named after the portal.
        mod $portal {
            use super::*;

            #[cfg_attr(feature = "split", leptos::lazy($portal))]
            pub(super) fn render(page: $pages) -> AnyView {
                match page {
                    $($pages::$route => $page().into_any(),)*
                }
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    #[cfg(feature = "split")]
                    return $portal::render($pages::$route).await;
                    #[cfg(not(feature = "split"))]
                    return $portal::render($pages::$route);
                }

                // The router fetches the chunk before it hydrates or renders the route: a
                // route whose code is still on its way would hydrate as nothing and meet the
                // server's HTML.
                async fn preload() {
                    #[cfg(feature = "split")]
                    $portal::__preload_render().await;
                }
            }
        )*
    )*};
}

portals! {
    api_docs_pages: ApiDocsPages {
        LazyApiDocs => ApiDocs,
    }
    corp_portal: CorpPages {
        LazyCorpLogin => corp::login::CorpLogin,
        LazyCorpLayout => corp::layout::CorpLayout,
        LazyDashboard => corp::dashboard::Dashboard,
        LazyMembersPage => corp::members::MembersPage,
        LazyMemberPage => corp::members::MemberPage,
        LazyRolesPage => corp::roles::RolesPage,
        LazyAccountPage => corp::account::AccountPage,
        LazyAuditPage => corp::audit::AuditPage,
        LazySettingsPage => corp::settings::SettingsPage,
        LazyUsersPage => end_users::UsersPage,
        LazyUserPage => end_users::UserPage,
        LazyDealersPage => corp::dealers::DealersPage,
        LazyDealerPage => corp::dealers::DealerPage,
        LazyHeavyBuyersPage => corp::heavy_buyers::HeavyBuyersPage,
        LazyHeavyBuyerPage => corp::heavy_buyers::HeavyBuyerPage,
        LazyProductsPage => corp::products::ProductsPage,
        LazyProductDevicesPage => corp::devices::ProductDevicesPage,
        LazyDevicePage => corp::devices::DevicePage,
        LazyDevicesPage => corp::devices::DevicesPage,
        LazyMallPage => mall::MallPage,
        LazyMerchandisePage => mall::MerchandiseEditPage,
        LazyCorpOrders => orders::CorpOrdersPage,
        LazyCorpOrder => orders::CorpOrderPage,
        LazyCorpPayments => orders::CorpPaymentsPage,
        LazyCorpCommission => commission::CorpCommissionPage,
        LazyCorpTickets => service::CorpTicketsPage,
        LazyCorpTicket => service::CorpTicketPage,
        LazyCorpEngineers => service::CorpEngineersPage,
        LazyCorpInService => service::CorpInServicePage,
        LazyCorpServiceDevice => service::CorpServiceDevicePage,
    }
    mobile_site: MobilePages {
        LazyMobileSignIn => mobile::MobileSignIn,
        LazyMobileSignUp => mobile::MobileSignUp,
        LazyMobileReset => mobile::MobileReset,
        LazyMobileMe => mobile::MobileMe,
        LazyMobileShop => shop::MobileShop,
        LazyMobileProduct => shop::MobileProduct,
        LazyMobileOrders => shop::MobileOrders,
        LazyMobileOrder => shop::MobileOrder,
        LazyMobileCommission => shop::MobileCommission,
        LazyMobileDevices => service_mobile::MobileDevices,
        LazyMobileDevice => service_mobile::MobileDevice,
        LazyMobileTickets => service_mobile::MobileTickets,
        LazyMobileEngineerSignIn => service_mobile::MobileEngineerSignIn,
        LazyMobileEngineerTickets => service_mobile::MobileEngineerTickets,
    }
    platform_portal: PlatformPages {
        LazyPlatformLogin => platform::PlatformLogin,
        LazyPlatformLayout => platform::PlatformLayout,
        LazyVendorsPage => platform::VendorsPage,
        LazyVendorPage => platform::VendorPage,
        LazyPlatformUsersPage => end_users::PlatformUsersPage,
        LazyPlatformUserPage => end_users::PlatformUserPage,
    }
    dealer_portal: DealerPages {
        LazyDealerLogin => dealer::DealerLogin,
        LazyDealerHome => dealer::DealerHome,
        LazySubDealers => dealer::SubDealers,
        LazyDealerDevices => dealer::DealerDevices,
        LazyDealerSales => dealer::DealerSalesPage,
        LazyDealerUsers => dealer::DealerUsers,
        LazyDealerOrders => dealer::DealerOrders,
        LazyDealerOrder => dealer::DealerOrder,
        LazyDealerCommission => dealer::DealerCommission,
        LazyDealerTickets => dealer::DealerTickets,
        LazyDealerTicket => dealer::DealerTicket,
        LazyDealerEngineers => dealer::DealerEngineers,
        LazyDealerInService => dealer::DealerInService,
        LazyDealerServiceDevice => dealer::DealerServiceDevice,
    }
    heavy_buyer_portal: HeavyBuyerPages {
        LazyHeavyBuyerLogin => heavy_buyer::HeavyBuyerLogin,
        LazyHeavyBuyerHome => heavy_buyer::HeavyBuyerHome,
        LazyHeavyBuyerDevices => heavy_buyer::HeavyBuyerDevices,
        LazyHeavyBuyerAudit => heavy_buyer::HeavyBuyerAudit,
        LazyOrganizationsPage => organizations::OrganizationsPage,
        LazyOrgUsersPage => users::OrgUsersPage,
        LazyOrgUserPage => users::OrgUserPage,
    }
}
