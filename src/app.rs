//! The HTML shell, the router, and one layout per portal.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy, LazyRoute, SsrMode,
};

#[cfg(feature = "split")]
use leptos_router::lazy_route;

use crate::{
    i18n::{initial_lang, I18n},
    portal::{
        api_docs::ApiDocs,
        corp, dealer, end_users,
        heavy_buyer::{self, organizations, users},
        home::Home,
        mobile, platform, NotFound,
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
                </ParentRoute>
                <Route path=path!("/m/:code") view={Lazy::<LazyMobileSignIn>::new()}/>
                <Route path=path!("/m/:code/signup") view={Lazy::<LazyMobileSignUp>::new()}/>
                <Route path=path!("/m/:code/reset") view={Lazy::<LazyMobileReset>::new()}/>
                <Route path=path!("/m/:code/me") view={Lazy::<LazyMobileMe>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/platform/login") view={Lazy::<LazyPlatformLogin>::new()}/>
                <ParentRoute path=path!("/platform") view={Lazy::<LazyPlatformLayout>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<LazyVendorsPage>::new()}/>
                    <Route path=path!("vendors/:vid") view={Lazy::<LazyVendorPage>::new()}/>
                </ParentRoute>
                <Route path=path!("/dealer/login") view={Lazy::<LazyDealerLogin>::new()}/>
                <Route path=path!("/dealer") view={Lazy::<LazyDealerHome>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/dealers") view={Lazy::<LazySubDealers>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/devices") view={Lazy::<LazyDealerDevices>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/sales") view={Lazy::<LazyDealerSales>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/dealer/users") view={Lazy::<LazyDealerUsers>::new()} ssr=SsrMode::Async/>
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

/// Declares a route whose page arrives in its own WASM chunk when the browser first needs it
/// (issue 12). The release build (`scripts/build-release`: `--split` with the `split` feature)
/// keeps the shared runtime, the router and the home page in the first download and moves each
/// portal's pages out, so a phone signing in to one portal never downloads the others. Other
/// builds (debug, `cargo leptos watch`) load the same routes from one bundle: without
/// `--split`, a split point would import a module that does not exist. The server renders
/// them the same either way.
macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {$(
        struct $route;

        #[cfg(feature = "split")]
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                $page().into_any()
            }
        }

        #[cfg(not(feature = "split"))]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    LazyApiDocs => ApiDocs,
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
    LazyMobileSignIn => mobile::MobileSignIn,
    LazyMobileSignUp => mobile::MobileSignUp,
    LazyMobileReset => mobile::MobileReset,
    LazyMobileMe => mobile::MobileMe,
    LazyPlatformLogin => platform::PlatformLogin,
    LazyPlatformLayout => platform::PlatformLayout,
    LazyVendorsPage => platform::VendorsPage,
    LazyVendorPage => platform::VendorPage,
    LazyDealerLogin => dealer::DealerLogin,
    LazyDealerHome => dealer::DealerHome,
    LazySubDealers => dealer::SubDealers,
    LazyDealerDevices => dealer::DealerDevices,
    LazyDealerSales => dealer::DealerSalesPage,
    LazyDealerUsers => dealer::DealerUsers,
    LazyHeavyBuyerLogin => heavy_buyer::HeavyBuyerLogin,
    LazyHeavyBuyerHome => heavy_buyer::HeavyBuyerHome,
    LazyHeavyBuyerDevices => heavy_buyer::HeavyBuyerDevices,
    LazyHeavyBuyerAudit => heavy_buyer::HeavyBuyerAudit,
    LazyOrganizationsPage => organizations::OrganizationsPage,
    LazyOrgUsersPage => users::OrgUsersPage,
    LazyOrgUserPage => users::OrgUserPage,
}
