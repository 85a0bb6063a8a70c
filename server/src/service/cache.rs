//! Computed answers kept per process, keyed by the question and the database's data version
//! (migration 0003 moves it on every change to the data behind the figures). A change made
//! by any process makes every older entry unreachable, so nothing stale is served and no
//! cross-process invalidation is needed.
//!
//! Each cache is bounded twice: by entries and by an estimate of the bytes its answers hold
//! (an answer carries every step of its survival curves, several megabytes at the large
//! scale). Two requests that miss on the same question at once compute it once: the second
//! waits for the first and takes its answer (single flight).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// How many answers one cache keeps at most.
pub const CAPACITY: usize = 32;

/// About how many bytes an answer holds (its own and on the heap).
pub trait Weigh {
    fn weight(&self) -> usize;
}

struct Entry<K, V> {
    key: K,
    version: i64,
    weight: usize,
    value: Arc<V>,
}

/// Answers `V` to questions `K`, each computed at one data version.
pub struct VersionedCache<K, V> {
    budget: usize,
    entries: Mutex<VecDeque<Entry<K, V>>>,
    /// The questions being computed now, each with the lock its computation holds.
    flights: Mutex<Vec<(K, Arc<tokio::sync::Mutex<()>>)>>,
}

impl<K, V> std::fmt::Debug for VersionedCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VersionedCache")
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<K: PartialEq + Clone, V: Weigh> VersionedCache<K, V> {
    /// A cache whose answers weigh at most `budget` bytes together (the newest is kept
    /// whatever it weighs).
    pub fn new(budget: usize) -> Self {
        VersionedCache {
            budget,
            entries: Mutex::new(VecDeque::new()),
            flights: Mutex::new(Vec::new()),
        }
    }

    /// The answer to `q` computed at data version `version`, if kept; moves it to the front.
    pub fn get(&self, q: &K, version: i64) -> Option<Arc<V>> {
        let mut e = lock(&self.entries);
        let i = e.iter().position(|x| x.key == *q && x.version == version)?;
        let hit = e.remove(i)?;
        let out = hit.value.clone();
        e.push_front(hit);
        Some(out)
    }

    /// Keep an answer; entries of older data versions go first, then the least recent
    /// until the rest fit the budget.
    pub fn put(&self, q: K, version: i64, value: Arc<V>) {
        let weight = value.weight();
        let mut e = lock(&self.entries);
        e.retain(|x| x.version >= version && !(x.key == q && x.version == version));
        e.push_front(Entry {
            key: q,
            version,
            weight,
            value,
        });
        e.truncate(CAPACITY);
        let mut total: usize = e.iter().map(|x| x.weight).sum();
        while total > self.budget && e.len() > 1 {
            total -= e.pop_back().map_or(0, |x| x.weight);
        }
    }

    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// About how many bytes the kept answers hold.
    pub fn weight(&self) -> usize {
        lock(&self.entries).iter().map(|x| x.weight).sum()
    }

    /// The answer to `q`: kept (and still `usable`) at the current data version, or else
    /// computed by `compute`, which returns it with the data version it read. However many
    /// ask for the same question at once, it is computed once: the others wait for it.
    pub async fn get_or_compute<E, VF, VFut, CF, CFut>(
        &self,
        q: &K,
        version: VF,
        usable: impl Fn(&V) -> bool,
        compute: CF,
    ) -> Result<(i64, Arc<V>), E>
    where
        VF: Fn() -> VFut,
        VFut: Future<Output = Result<i64, E>>,
        CF: FnOnce() -> CFut,
        CFut: Future<Output = Result<(i64, V), E>>,
    {
        let kept = |v: i64| self.get(q, v).filter(|a| usable(a)).map(|a| (v, a));
        if let Some(hit) = kept(version().await?) {
            return Ok(hit);
        }
        let flight = self.board(q).await;
        if flight.waited {
            // Someone else was computing this question: theirs is likely kept now.
            if let Some(hit) = kept(version().await?) {
                return Ok(hit);
            }
        }
        let (at, answer) = compute().await?;
        let answer = Arc::new(answer);
        self.put(q.clone(), at, answer.clone());
        drop(flight);
        Ok((at, answer))
    }

    /// Join the flight computing `q` (or start one); resolves once nobody ahead is still
    /// computing it.
    async fn board(&self, q: &K) -> Flight<'_, K, V> {
        let gate = {
            let mut f = lock(&self.flights);
            match f.iter().find(|(k, _)| k == q) {
                Some((_, g)) => g.clone(),
                None => {
                    let g = Arc::new(tokio::sync::Mutex::new(()));
                    f.push((q.clone(), g.clone()));
                    g
                }
            }
        };
        let (guard, waited) = match gate.clone().try_lock_owned() {
            Ok(g) => (g, false),
            Err(_) => (gate.clone().lock_owned().await, true),
        };
        Flight {
            cache: self,
            key: q.clone(),
            gate,
            guard: Some(guard),
            waited,
        }
    }
}

/// One computation in progress; dropping it lets the next waiter in, and forgets the
/// question once nobody waits for it.
struct Flight<'a, K: PartialEq, V> {
    cache: &'a VersionedCache<K, V>,
    key: K,
    gate: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    waited: bool,
}

impl<K: PartialEq, V> Drop for Flight<'_, K, V> {
    fn drop(&mut self) {
        self.guard.take();
        let mut f = lock(&self.cache.flights);
        // Ours and the list's are the only handles left: nobody else is waiting.
        if Arc::strong_count(&self.gate) <= 2 {
            f.retain(|(k, g)| !(*k == self.key && Arc::ptr_eq(g, &self.gate)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Blob(usize);
    impl Weigh for Blob {
        fn weight(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn older_versions_and_the_least_recent_go_first() {
        let c = VersionedCache::<&str, Blob>::new(100);
        c.put("a", 1, Arc::new(Blob(10)));
        c.put("b", 2, Arc::new(Blob(10)));
        assert!(c.get(&"a", 1).is_none(), "an older version is dropped");
        c.put("c", 2, Arc::new(Blob(50)));
        c.put("d", 2, Arc::new(Blob(50)));
        // 10 + 50 + 50 is over budget: the least recent goes.
        assert!(c.get(&"b", 2).is_none());
        assert!(c.get(&"c", 2).is_some() && c.get(&"d", 2).is_some());
        c.put("e", 2, Arc::new(Blob(500)));
        assert_eq!(c.len(), 1, "the newest stays whatever it weighs");
        assert!(c.get(&"e", 2).is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_concurrent_misses_compute_once() {
        let c = Arc::new(VersionedCache::<&str, Blob>::new(1 << 20));
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = |c: Arc<VersionedCache<&'static str, Blob>>, runs: Arc<AtomicUsize>| async move {
            c.get_or_compute(
                &"q",
                || async { Ok::<_, ()>(7) },
                |_| true,
                || async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    Ok((7, Blob(1)))
                },
            )
            .await
        };
        let (a, b) = tokio::join!(
            tokio::spawn(ask(c.clone(), runs.clone())),
            tokio::spawn(ask(c.clone(), runs.clone()))
        );
        let (a, b) = (a.unwrap().unwrap().1, b.unwrap().unwrap().1);
        assert!(Arc::ptr_eq(&a, &b), "both get the one answer");
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(
            lock(&c.flights).is_empty(),
            "finished flights are forgotten"
        );
        // A different question is not held up by, nor shares, another's answer.
        let other = c
            .get_or_compute(
                &"r",
                || async { Ok::<_, ()>(7) },
                |_| true,
                || async { Ok((7, Blob(2))) },
            )
            .await
            .unwrap();
        assert_eq!(other.1 .0, 2);
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept_and_the_next_asker_retries() {
        let c = VersionedCache::<&str, Blob>::new(1 << 20);
        let failed: Result<_, &str> = c
            .get_or_compute(&"q", || async { Ok(1) }, |_| true, || async { Err("down") })
            .await;
        assert!(failed.is_err());
        let ok: Result<_, &str> = c
            .get_or_compute(
                &"q",
                || async { Ok(1) },
                |_| true,
                || async { Ok((1, Blob(3))) },
            )
            .await;
        assert_eq!(ok.unwrap().1 .0, 3);
    }
}
