//! What an admin reads back and takes away: the audit log (`audit`) and
//! the CSV exports (`export`).

pub mod audit;
pub mod export;
