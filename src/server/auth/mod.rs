//! Authentication: passwords, logins and tokens, browser sessions, the login throttle, and the
//! extraction of the calling [`principal::Principal`].

pub mod client;
pub mod password;
pub mod principal;
pub mod session_store;
pub mod throttle;
pub mod token;
pub mod web;
