//! The outside services the platform reaches, one module each, chosen by configuration. Each
//! default needs nothing installed; a real provider speaks its published protocol (and is tested
//! against a local stand-in that checks it).

pub mod aliyun_sms;
pub mod files;
pub mod pay;
pub mod sms;
pub mod wechatpay;
