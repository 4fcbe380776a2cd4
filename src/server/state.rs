//! What every request handler and server function can reach: the database and the settings.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::server::{
    config::Config,
    db::Db,
    error::{Error, Result},
    mqtt::Bus,
    providers::files::Files,
    secret::SealKey,
};

/// The service layer's context: the database, the settings, the devices' broker and the file
/// store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub db: Db,
    pub config: Arc<Config>,
    pub mqtt: Bus,
    pub files: Files,
}

impl Ctx {
    /// The key vendors' secrets are sealed with (resolved when the server is built).
    pub fn seal_key(&self) -> Result<&SealKey> {
        self.config.secrets_key.as_ref().ok_or_else(|| Error::internal("no secrets key configured"))
    }
}

/// The axum router state. Leptos puts it into context for pages and server functions.
#[derive(Clone, Debug)]
pub struct AppState {
    pub ctx: Ctx,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Ctx {
    fn from_ref(state: &AppState) -> Self {
        state.ctx.clone()
    }
}
