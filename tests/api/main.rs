//! API tests: the real server over real HTTP, on a fresh SQLite database and on a fresh
//! PostgreSQL database (every test runs on both).

mod helpers;

mod agents;
mod auth;
mod cli;
mod commission;
mod connectivity;
mod console;
mod contract;
mod dealers;
mod devices;
mod files;
mod hardening;
mod heavy_buyers;
mod mall;
mod matrix;
mod members;
mod operability;
mod operations;
mod orders;
mod organizations;
mod partner_matrix;
mod products;
mod roles;
mod sales;
mod service;
mod shop_pages;
mod stand_ins;
mod web;
mod wechatpay;
