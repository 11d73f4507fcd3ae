//! Pieces shared by several pages.

pub mod health_card;
pub mod range_card;
pub mod session;
pub mod topbar;
