//! The JSON APIs: thin adapters over the service layer, one folder per API. `v2` is the
//! original platform's API (CONTRACT.md's error body); the operations platform's `/api`
//! (OPS-CONTRACT.md's envelope) joins it as `ops`, over the same services and principals.

pub mod v2;

pub use v2::{document, router, wrong_method};
