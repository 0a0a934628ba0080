//! The Kizuna web application: pages for people, a JSON API for programs,
//! the background jobs, and the `kizuna` command that runs them.
#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod attachments;
pub mod auth;
pub mod board_mail;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod emails;
pub mod error;
pub mod event_mail;
pub mod exports;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod map;
pub mod open311;
pub mod pages;
pub mod photos;
pub mod qr;
pub mod roster;
pub mod routes;
pub mod security;
pub mod serve;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use state::AppState;
