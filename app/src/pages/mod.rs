//! One module a page.

pub mod login;
pub mod not_found;
pub mod overview;
