//! Kizuna through its real interfaces: HTTP against a running server on a
//! real database, the `kizuna` binary itself, and pages in headless Chromium.

mod access;
mod accounts;
mod api;
mod board;
mod browser;
mod durability;
mod event_pages;
mod events;
mod fans;
mod open311;
mod ops;
mod registry;
mod rosters;
mod support;
