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
    /// The board's lists as HTML, each with the board revision it was
    /// rendered for (see `Store::board_list`).
    pub board_rows: RenderedLists<i64>,
    /// The event list as HTML, each with the list it was rendered from (see
    /// `Store::events`; holding the list keeps its address from being
    /// reused, so "the same list" is pointer equality).
    pub event_rows: RenderedLists<Arc<Vec<kizuna_store::events::Event>>>,
}

/// Lists rendered as HTML, by language and list key, each kept with what
/// it was rendered from (`V`): served again while that still matches.
/// Bounded: cleared when full.
pub struct RenderedLists<V>(std::sync::Mutex<std::collections::HashMap<String, (V, Arc<String>)>>);

impl<V> Default for RenderedLists<V> {
    fn default() -> Self {
        Self(Default::default())
    }
}

impl<V: Clone> RenderedLists<V> {
    const MAX: usize = 2_000;

    /// The HTML of `key` rendered from `from`, rendering it if it is not
    /// kept (or was rendered from something that no longer `matches`).
    pub fn get_or_render(
        &self,
        key: String,
        from: &V,
        matches: impl Fn(&V, &V) -> bool,
        render: impl FnOnce() -> Result<String, crate::error::AppError>,
    ) -> Result<Arc<String>, crate::error::AppError> {
        let kept = self.0.lock().ok().and_then(|m| {
            m.get(&key)
                .filter(|(v, _)| matches(v, from))
                .map(|(_, html)| html.clone())
        });
        if let Some(html) = kept {
            return Ok(html);
        }
        let html = Arc::new(render()?);
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert(key, (from.clone(), html.clone()));
        }
        Ok(html)
    }
}

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
