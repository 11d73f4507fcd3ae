//! One module a page.

pub mod login;
pub mod members;
pub mod not_found;
pub mod overview;
pub mod seats;
