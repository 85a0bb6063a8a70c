//! Computed answers (analytics, weekly reports), kept per process and keyed by the question
//! and the database's data version (migration 0003 moves it on every change to the data
//! behind the figures). A change made by any process makes every older entry unreachable,
//! so nothing stale is served; no cross-process invalidation is needed.

use app::domain::analytics::{Analytics, AnalyticsQuery};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many answers one process keeps of each kind (each is a few hundred kilobytes at most).
pub const CAPACITY: usize = 32;

/// Answers `V` to questions `K`, each computed at one data version.
#[derive(Debug)]
pub struct VersionedCache<K, V> {
    entries: Mutex<VecDeque<(K, i64, Arc<V>)>>,
}

pub type AnalyticsCache = VersionedCache<AnalyticsQuery, Analytics>;

impl<K, V> Default for VersionedCache<K, V> {
    fn default() -> Self {
        VersionedCache {
            entries: Mutex::new(VecDeque::new()),
        }
    }
}

impl<K: PartialEq, V> VersionedCache<K, V> {
    /// The answer to `q` computed at data version `version`, if kept; moves it to the front.
    pub fn get(&self, q: &K, version: i64) -> Option<Arc<V>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let i = e.iter().position(|(k, v, _)| k == q && *v == version)?;
        let hit = e.remove(i)?;
        let out = hit.2.clone();
        e.push_front(hit);
        Some(out)
    }

    /// Keep an answer; entries of older data versions go first, then the least recent.
    pub fn put(&self, q: K, version: i64, a: Arc<V>) {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        e.retain(|(_, v, _)| *v >= version);
        e.retain(|(k, v, _)| !(k == &q && *v == version));
        e.push_front((q, version, a));
        e.truncate(CAPACITY);
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
