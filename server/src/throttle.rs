//! Per-IP throttles for the HTTP API: failed join-code look-ups, café creation, imports, and
//! joins into one café; and the server-wide cap on imports running at once. The IP is the client's as [`crate::client_ip`] sees it (behind a trusted
//! proxy, the forwarded address).
//!
//! (The WebSocket's per-connection token buckets live with the reader, in `ws/reader.rs`.)

use crate::errors::ApiError;
use cafe_shared::{CafeId, ErrorCode};
use dashmap::DashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Entries kept before expired ones are swept, so a spray of source addresses cannot grow
/// memory without bound.
const SWEEP_ABOVE: usize = 100_000;

fn rate_limited(retry_after: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "too many attempts; wait a minute and try again",
    )
    .retry_after(retry_after)
}

/// Counts events per client IP in fixed windows; past the limit the IP gets 429 until its
/// window ends. Used for failed join-code look-ups (successful ones do not count, so
/// guessing cannot hide between valid codes) and for creating cafés.
#[derive(Default)]
pub struct Throttle {
    counts: DashMap<IpAddr, (Instant, u32)>,
}

impl Throttle {
    /// Takes one from the IP's allowance, or refuses it without counting. Checking and
    /// counting happen under one entry lock: counting only after a slow look-up let
    /// hundreds of parallel guesses through a limit of 60 (issue 10, #4).
    pub fn take(&self, ip: IpAddr, limit: u32, window: Duration) -> Result<(), ApiError> {
        if self.counts.len() > SWEEP_ABOVE {
            self.counts.retain(|_, v| v.0.elapsed() < window);
        }
        let mut e = self.counts.entry(ip).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= window {
            *e = (Instant::now(), 0);
        }
        if e.1 >= limit {
            return Err(rate_limited(window.saturating_sub(e.0.elapsed())));
        }
        e.1 += 1;
        Ok(())
    }

    /// Gives back what [`Throttle::take`] took, for an attempt that turned out not to count
    /// (a join code that found its café).
    pub fn give_back(&self, ip: IpAddr) {
        if let Some(mut e) = self.counts.get_mut(&ip) {
            e.1 = e.1.saturating_sub(1);
        }
    }
}

/// A token bucket per key: `burst` at once, then `per_sec` refilling.
pub struct Buckets<K: Eq + Hash> {
    buckets: DashMap<K, (Instant, f64)>,
}

impl<K: Eq + Hash> Default for Buckets<K> {
    fn default() -> Self {
        Self {
            buckets: DashMap::new(),
        }
    }
}

impl<K: Eq + Hash> Buckets<K> {
    /// Takes a token for `key`, or refuses with 429 and the wait until the next one.
    pub fn take(&self, key: K, burst: f64, per_sec: f64) -> Result<(), ApiError> {
        if self.buckets.len() > SWEEP_ABOVE && per_sec > 0.0 {
            // A bucket that has refilled completely is the same as no bucket.
            let full_after = Duration::from_secs_f64(burst / per_sec);
            self.buckets.retain(|_, v| v.0.elapsed() < full_after);
        }
        let mut b = self.buckets.entry(key).or_insert((Instant::now(), burst));
        let now = Instant::now();
        let refilled = (b.1 + now.duration_since(b.0).as_secs_f64() * per_sec).min(burst);
        *b = (now, refilled);
        if b.1 < 1.0 {
            let wait = if per_sec > 0.0 {
                Duration::from_secs_f64((1.0 - b.1) / per_sec)
            } else {
                Duration::from_secs(3600)
            };
            return Err(rate_limited(wait));
        }
        b.1 -= 1.0;
        Ok(())
    }
}

/// The server's throttles.
#[derive(Default)]
pub struct Throttles {
    pub join_failures: Throttle,
    pub creates: Throttle,
    /// Joins per client IP and café (issue 10, #2): one IP cannot fill a café.
    pub joins: Buckets<(IpAddr, CafeId)>,
    /// Imports per client IP (issue 10, #1): far fewer than creations.
    pub imports: Throttle,
    /// Imports running server-wide (sized by `Tuning::imports_at_once` on first use).
    import_slots: OnceLock<Arc<Semaphore>>,
}

impl Throttles {
    /// A slot to run one import in, waiting at most `wait` for one; past that 429
    /// `rate_limited` with `Retry-After`. Taken before the upload is read, so waiting and
    /// refused imports hold no export in memory.
    pub async fn import_slot(
        &self,
        at_once: usize,
        wait: Duration,
    ) -> Result<OwnedSemaphorePermit, ApiError> {
        let slots = self
            .import_slots
            .get_or_init(|| Arc::new(Semaphore::new(at_once.max(1))))
            .clone();
        match tokio::time::timeout(wait, slots.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::new(
                ErrorCode::RateLimited,
                "another import is running; try again in a minute",
            )
            .retry_after(wait.max(Duration::from_secs(1)))),
        }
    }
}
