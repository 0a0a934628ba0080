//! What every request handler can reach: the store, the configuration, and
//! output rendered once per process from data that never changes at run time.

use crate::Config;
use axum::body::Bytes;
use kizuna_store::Store;
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub rendered: Arc<Rendered>,
}

/// Renderings of the municipality seed data (see `Store::municipalities`
/// for why it is immutable while a process runs): the region tables per
/// language and the API's JSON. They are the busiest read-only responses.
#[derive(Default)]
pub struct Rendered {
    pub municipality_regions: [OnceLock<String>; 2],
    pub municipalities_json: OnceLock<Bytes>,
    /// The board's lists as HTML by language and page key, each with the
    /// board revision it was rendered for (see `Store::board_list`).
    pub board_rows: std::sync::Mutex<std::collections::HashMap<String, (i64, Arc<String>)>>,
    /// The event list as HTML by language and filters, each with the list
    /// it was rendered from (see `Store::events`): served while the store
    /// hands out that same list.
    pub event_rows: std::sync::Mutex<std::collections::HashMap<String, RenderedList>>,
}

/// HTML rendered from a list, kept with the list (holding it keeps its
/// address from being reused, so "the same list" is pointer equality).
pub type RenderedList = (Arc<Vec<kizuna_store::events::Event>>, Arc<String>);

impl AppState {
    /// Writes the e-mails of event registrations with links to this server.
    pub fn event_mails(&self) -> crate::event_mail::EventMails {
        crate::event_mail::EventMails {
            public_url: self.config.public_url.trim_end_matches('/').to_string(),
        }
    }

    /// Writes the board's digests with links to this server.
    pub fn board_mails(&self) -> crate::board_mail::BoardMails {
        crate::board_mail::BoardMails {
            public_url: self.config.public_url.trim_end_matches('/').to_string(),
        }
    }

    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            rendered: Arc::default(),
        }
    }
}
