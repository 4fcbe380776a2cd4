//! Wire types shared by the pages (WASM) and the server: everything here compiles for both
//! sides and carries no secret.

pub mod audit;
pub mod commission;
pub mod corp;
pub mod dealer;
pub mod device;
pub mod end_user;
pub mod entry;
pub mod error;
pub mod heavy_buyer;
pub mod in_service;
pub mod lenient;
pub mod list;
pub mod member;
pub mod merchandise;
pub mod money;
pub mod order;
pub mod organization;
pub mod permission;
pub mod place;
pub mod product;
pub mod resource;
pub mod sale;
pub mod statistics;
pub mod telemetry;
pub mod ticket;
pub mod url;
pub mod validate;
pub mod vendor;
