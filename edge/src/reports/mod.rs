//! What an admin reads back and takes away: the audit log (`audit`), the
//! CSV exports (`export`) and the overview's trends (`trends`).

pub mod audit;
pub mod export;
pub mod trends;
