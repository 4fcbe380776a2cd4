//! The pages, one module per portal. Each page calls server functions that are thin adapters
//! over the service layer.

pub mod api_docs;
pub mod commission;
pub mod corp;
pub mod dealer;
pub mod device_live;
pub mod devices;
pub mod end_users;
pub mod entry;
pub mod heavy_buyer;
pub mod home;
pub mod mall;
pub mod mobile;
pub mod orders;
pub mod organization_paths;
pub mod partner;
pub mod platform;
pub mod sales;
pub mod service;
pub mod service_mobile;
pub mod shop;
pub mod vendor;

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="grid min-h-screen place-items-center">
            <div class="text-center">
                <p class="text-5xl font-bold text-slate-300">"404"</p>
                <a href="/" class="mt-4 inline-block text-indigo-600 hover:underline">"←"</a>
            </div>
        </main>
    }
}
