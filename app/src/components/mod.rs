//! Pieces shared by several pages.

pub mod health_card;
pub mod topbar;
