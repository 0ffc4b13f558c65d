//! Per-IP throttles for the HTTP API: failed join-code look-ups and café creation.
//!
//! (The WebSocket's per-connection token buckets live with the reader, in `ws/reader.rs`.)

use crate::errors::ApiError;
use cafe_shared::ErrorCode;
use dashmap::DashMap;
use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

/// Counts events per client IP in fixed windows; past the limit the IP gets 429 until its
/// window ends. Used for failed join-code look-ups (successful ones do not reset it, so
/// guessing cannot hide between valid codes) and for creating cafés.
#[derive(Default)]
pub struct Throttle {
    counts: DashMap<IpAddr, (Instant, u32)>,
}

impl Throttle {
    /// Refuses an IP that used up `limit` in its current window, without counting.
    pub fn check(&self, ip: IpAddr, limit: u32, window: Duration) -> Result<(), ApiError> {
        if let Some(e) = self.counts.get(&ip) {
            if e.0.elapsed() < window && e.1 >= limit {
                return Err(ApiError::new(
                    ErrorCode::RateLimited,
                    "too many attempts; wait a minute and try again",
                ));
            }
        }
        Ok(())
    }

    pub fn count(&self, ip: IpAddr, window: Duration) {
        // Bounds memory under a spray of source addresses.
        if self.counts.len() > 100_000 {
            self.counts.retain(|_, v| v.0.elapsed() < window);
        }
        let mut e = self.counts.entry(ip).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= window {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
    }

    /// Checks and counts in one step.
    pub fn take(&self, ip: IpAddr, limit: u32, window: Duration) -> Result<(), ApiError> {
        self.check(ip, limit, window)?;
        self.count(ip, window);
        Ok(())
    }
}

/// The server's throttles.
#[derive(Default)]
pub struct Throttles {
    pub join_failures: Throttle,
    pub creates: Throttle,
}
