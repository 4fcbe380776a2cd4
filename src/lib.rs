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

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
