//! Pieces shared by several pages.

pub mod alerts_card;
pub mod bulk_activate;
pub mod department_tree;
pub mod events_card;
pub mod forecast_card;
pub mod glance;
pub mod health_card;
pub mod last_ok;
pub mod member_rows;
pub mod open_data;
pub mod order_list;
pub mod paged;
pub mod picker;
pub mod range_card;
pub mod refresh;
pub mod seat_actions;
pub mod seat_requests;
pub mod seat_summary;
pub mod seat_table;
pub mod session;
pub mod sessions_card;
pub mod topbar;
pub mod trends_card;
