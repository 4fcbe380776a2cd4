//! The HTML shell, the router, and one layout per portal.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    i18n::{initial_lang, I18n},
    portal::{api_docs::ApiDocs, corp, dealer, heavy_buyer, home::Home, org_users, organizations, NotFound},
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
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
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
    // Effects run only in the browser, after hydration: the mark tells tests (and curious
    // people) that the page is interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        {crate::components::page_title(|_| String::new())}
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home/>
                <Route path=path!("/api-docs") view=ApiDocs/>
                <Route path=path!("/corp/login") view=corp::login::CorpLogin/>
                <ParentRoute path=path!("/corp") view=corp::layout::CorpLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=corp::dashboard::Dashboard/>
                    <Route path=path!("members") view=corp::members::MembersPage/>
                    <Route path=path!("members/:id") view=corp::members::MemberPage/>
                    <Route path=path!("roles") view=corp::roles::RolesPage/>
                    <Route path=path!("account") view=corp::account::AccountPage/>
                    <Route path=path!("dealers") view=corp::dealers::DealersPage/>
                    <Route path=path!("dealers/:id") view=corp::dealers::DealerPage/>
                    <Route path=path!("heavy_buyers") view=corp::heavy_buyers::HeavyBuyersPage/>
                    <Route path=path!("heavy_buyers/:id") view=corp::heavy_buyers::HeavyBuyerPage/>
                    <Route path=path!("products") view=corp::products::ProductsPage/>
                    <Route path=path!("products/:id") view=corp::devices::ProductDevicesPage/>
                    <Route path=path!("products/:pid/devices/:id") view=corp::devices::DevicePage/>
                    <Route path=path!("devices") view=corp::devices::DevicesPage/>
                </ParentRoute>
                <Route path=path!("/dealer/login") view=dealer::DealerLogin/>
                <Route path=path!("/dealer") view=dealer::DealerHome ssr=SsrMode::Async/>
                <Route path=path!("/dealer/dealers") view=dealer::SubDealers ssr=SsrMode::Async/>
                <Route path=path!("/dealer/devices") view=dealer::DealerDevices ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/login") view=heavy_buyer::HeavyBuyerLogin/>
                <Route path=path!("/heavy_buyer") view=heavy_buyer::HeavyBuyerHome ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/devices") view=heavy_buyer::HeavyBuyerDevices ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/organizations") view=organizations::OrganizationsPage ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/users") view=org_users::OrgUsersPage ssr=SsrMode::Async/>
                <Route path=path!("/heavy_buyer/users/:id") view=org_users::OrgUserPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
