//! Everything that runs only on the server. Nothing in here is compiled into the WASM bundle.

pub mod api;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod files;
pub mod fns;
pub mod health;
pub mod http;
pub mod jobs;
pub mod list;
pub mod maintenance;
pub mod metrics;
pub mod mqtt;
pub mod providers;
pub mod request;
pub mod scope;
pub mod secret;
pub mod service;
pub mod simulate;
pub mod state;
pub mod watchdog;
