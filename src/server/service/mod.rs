//! The service layer: every rule and every permission check lives here, once. The `/v2`
//! handlers and the portals' server functions are thin adapters over these functions.

pub mod command;
pub mod commission;
pub mod corp;
pub mod dealer;
pub mod device;
pub mod end_user;
pub mod engineer;
pub mod entry;
pub mod files;
pub mod heavy_buyer;
pub mod in_service;
pub mod login;
pub mod member;
pub mod merchandise;
pub mod order;
pub mod org_user;
pub mod organization;
pub mod payment;
pub mod permission;
pub mod platform;
pub mod product;
pub mod quota;
pub mod role;
pub mod sale;
pub mod seat;
pub mod statistics;
pub mod telemetry;
pub mod ticket;
pub mod vendor;
pub mod verification;
