//! HTML pages for people, one module per resource, thin over the store.

pub mod admin;
pub mod auth;
pub mod board;
pub mod board_forms;
pub mod board_triage;
pub mod corps;
pub mod entries;
pub mod event_admin;
pub mod events;
pub mod fan_access;
pub mod fans;
pub mod forms;
pub mod home;
pub mod layout;
pub mod me;
pub mod municipalities;
pub mod organisations;
pub mod partnerships;
pub mod registry;
pub mod rosters;
