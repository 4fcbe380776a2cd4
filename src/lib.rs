//! backoffice: the back office of an IoT cloud platform.
//!
//! One crate builds both sides. With `ssr` it is the server (`server/`: configuration, database,
//! auth, services, `/v2`); with `hydrate` it is the WASM that makes the server-rendered pages
//! interactive. `model/` (wire types), `i18n`, `components/` and `portal/` compile for both.

// Release builds keep Leptos's full view types (debug builds erase them), and the deepest pages
// need more than the default 128 levels to compute their layout.
#![recursion_limit = "512"]

pub mod app;
pub mod components;
pub mod i18n;
pub mod model;
pub mod portal;
#[cfg(feature = "ssr")]
pub mod server;

/// Hydrates the page: asynchronously, so a lazy route (a chunk of the split release build, see
/// `app.rs`) is fetched before its part of the page is hydrated. Only when all of it is does the
/// body get `data-hydrated`, which tells tests (and curious people) the page is interactive.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
