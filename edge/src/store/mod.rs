//! Every SQL statement the Worker runs, one file per owning table group:
//! `alerts` (alerts to admins inside WeCom), `audit` (reading the log), `orgs` (organisations, admins), `installs` (install history, installs and uninstalls), `events`, `contacts`
//! (members), `departments`, `directory` (which database holds an organisation), `desk` (the provider's desk), `desk_orders` (orders placed there), `orders`, `seats` (seats, transfers), `seat_list` (the seat list and export),
//! `requests` (seat requests), `seals` (permanent codes sealed again), `sessions` (sign-in), `stats` (the daily snapshot), `sync_runs` (contacts sync leases and steps) and `facts` (cross-table reads for one decision). This file
//! holds what they share: value binding, batching, and the audit row.

mod alerts;
mod audit;
mod bind;
mod contacts;
mod departments;
mod desk;
mod desk_orders;
mod directory;
mod events;
mod facts;
mod installs;
mod member_list;
mod orders;
mod orgs;
mod requests;
mod seals;
mod seat_list;
mod seats;
mod sessions;
mod stats;
mod sync_runs;

pub use alerts::*;
pub use audit::*;
pub use bind::{audit, ping, write_audited, D1_QUERIES_PER_INVOCATION};
pub use contacts::*;
pub use departments::*;
pub use desk::*;
pub use desk_orders::*;
pub use directory::*;
pub use events::*;
pub use facts::*;
pub use installs::*;
pub use member_list::*;
pub use orders::*;
pub use orgs::*;
pub use requests::*;
pub use seals::*;
pub use seat_list::*;
pub use seats::*;
pub use sessions::*;
pub use stats::*;
pub use sync_runs::*;
