//! Background jobs. Each claims its work in the database (a conditional write or a row lock),
//! never in memory alone, so several app servers on one PostgreSQL can run them side by side.

pub mod orders;
pub mod refunds;
pub mod retention;
pub mod service;
