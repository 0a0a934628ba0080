//! Lists read recently, kept for a moment: a busy list page is read from
//! the database a few times a second instead of on every request.
//!
//! An entry is served while it is younger than [`FRESH`] and this process
//! has changed nothing it could show since it was read (`changed`, called
//! after the commit). So this process's own changes show at once; another
//! process's (or an edit elsewhere, such as an organisation's new name)
//! within [`FRESH`] and one read. When an entry's time is up, one request
//! reads it again while the others are served the old one meanwhile: a
//! busy page's requests do not all go to the database together. No shared revision row: a counter every registration
//! raised would make PostgreSQL's registrations for different events wait
//! for each other.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a list read stands.
pub const FRESH: Duration = Duration::from_millis(250);

/// Most rows kept over all entries (keys are filters and viewers; a list
/// of events is up to 500 rows): cleared when full, so memory stays bounded
/// however many people and filters there are.
const MAX_ROWS: usize = 100_000;

pub(crate) struct Recent<T> {
    entries: Arc<Mutex<Entries<T>>>,
    generation: Arc<AtomicU64>,
}

struct Entries<T> {
    by_key: HashMap<String, Entry<T>>,
    /// Rows held by `by_key`'s entries.
    rows: usize,
}

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            rows: 0,
        }
    }
}

struct Entry<T> {
    rows: usize,
    generation: u64,
    read_at: Instant,
    value: Arc<T>,
    /// When a request set out to read it again, if one is at it.
    refreshing: Option<Instant>,
}

/// A read again that has not come back by then was given up (an error).
const GIVE_UP: Duration = Duration::from_secs(2);

impl<T> Clone for Recent<T> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            generation: self.generation.clone(),
        }
    }
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Self {
            entries: Default::default(),
            generation: Default::default(),
        }
    }
}

impl<T> std::fmt::Debug for Recent<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recent")
    }
}

impl<T> Recent<T> {
    /// Take before reading the database; give to `put` with what was read.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The value of `key` to serve, or `None`: read it and `put` it. Past
    /// [`FRESH`], the first caller gets `None` and the others the old value
    /// until it is back; after a change here, everyone reads.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<T>> {
        let current = self.generation();
        let mut entries = self.entries.lock().ok()?;
        let e = entries
            .by_key
            .get_mut(key)
            .filter(|e| e.generation == current)?;
        if e.read_at.elapsed() < FRESH {
            return Some(e.value.clone());
        }
        match e.refreshing {
            Some(since) if since.elapsed() < GIVE_UP => Some(e.value.clone()),
            _ => {
                e.refreshing = Some(Instant::now());
                None
            }
        }
    }

    /// Keeps what was read at `generation` (a read that raced a change is
    /// stale at once, as its generation is older); `rows` is its size.
    pub(crate) fn put(&self, key: String, generation: u64, value: Arc<T>, rows: usize) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.rows + rows > MAX_ROWS {
                *entries = Entries::default();
            }
            entries.rows += rows;
            let entry = Entry {
                rows,
                generation,
                read_at: Instant::now(),
                value,
                refreshing: None,
            };
            if let Some(old) = entries.by_key.insert(key, entry) {
                entries.rows -= old.rows;
            }
        }
    }

    /// This process committed a change the lists may show.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_stands_until_a_change_or_its_time_is_up() {
        let r: Recent<i32> = Recent::default();
        let g = r.generation();
        r.put("a".into(), g, Arc::new(1), 1);
        assert_eq!(r.get("a").as_deref(), Some(&1));
        assert_eq!(r.get("b"), None);
        r.changed();
        assert_eq!(r.get("a"), None, "a change here shows at once");

        // A read that began before a change is never served.
        let before = r.generation();
        r.changed();
        r.put("a".into(), before, Arc::new(2), 1);
        assert_eq!(r.get("a"), None);

        r.put("a".into(), r.generation(), Arc::new(3), 1);
        std::thread::sleep(FRESH + Duration::from_millis(20));
        assert_eq!(r.get("a"), None, "past FRESH, the first caller reads again");
        assert_eq!(
            r.get("a").as_deref(),
            Some(&3),
            "the others meanwhile get the old value"
        );
        r.put("a".into(), r.generation(), Arc::new(4), 1);
        assert_eq!(r.get("a").as_deref(), Some(&4), "then the new one");

        // After a change here nobody is served the old value.
        std::thread::sleep(FRESH + Duration::from_millis(20));
        assert_eq!(r.get("a"), None);
        r.changed();
        assert_eq!(r.get("a"), None);
        assert_eq!(r.get("a"), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let r: Recent<i32> = Recent::default();
        for i in 0..1_000 {
            r.put(format!("k{i}"), r.generation(), Arc::new(i), 500);
        }
        let held = r.entries.lock().unwrap().rows;
        assert!(held <= MAX_ROWS, "{held}");
        assert_eq!(r.get("k999").as_deref(), Some(&999), "the newest is kept");
    }
}
