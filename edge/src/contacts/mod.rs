//! Contacts: the members and departments of an organisation's visible
//! range. `sync` mirrors WeCom's whole view, `change` patches one
//! `change_contact` event, `routes` answers the console.

pub mod change;
pub mod routes;
pub mod sync;
