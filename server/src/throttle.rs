//! Counting failed attempts (sign-in, invite codes) per account and per
//! address, in memory. A restart forgets the counts, which only gives an
//! attacker a handful more tries per restart.

use std::collections::HashMap;
use std::sync::Mutex;

/// Failures are counted over this window.
pub const WINDOW_MS: u64 = 15 * 60 * 1000;
/// Failed sign-ins per account in the window.
pub const PER_ACCOUNT: usize = 5;
/// Failed sign-ins and invite codes per address in the window.
pub const PER_ADDRESS: usize = 20;
/// Bound on remembered keys, so a flood of addresses cannot exhaust memory.
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<u64>>>,
}

impl Throttle {
    /// `Err(seconds)` until the key may try again.
    pub fn check(&self, key: &str, limit: usize, now: u64) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = map.get_mut(key) else { return Ok(()) };
        times.retain(|t| now.saturating_sub(*t) < WINDOW_MS);
        if times.len() >= limit {
            let oldest = times.iter().min().copied().unwrap_or(now);
            return Err((WINDOW_MS.saturating_sub(now.saturating_sub(oldest)) / 1000).max(1));
        }
        Ok(())
    }

    pub fn fail(&self, key: &str, now: u64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| times.iter().any(|t| now.saturating_sub(*t) < WINDOW_MS));
        }
        if map.len() < MAX_KEYS || map.contains_key(key) {
            map.entry(key.to_owned()).or_default().push(now);
        }
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_recovers_after_the_window() {
        let t = Throttle::default();
        for i in 0..5 {
            assert!(t.check("login:a", 5, 1000 + i).is_ok());
            t.fail("login:a", 1000 + i);
        }
        let wait = t.check("login:a", 5, 2000).unwrap_err();
        assert!(wait > 800 && wait <= 900, "{wait}");
        assert!(t.check("login:b", 5, 2000).is_ok(), "other keys are not affected");
        assert!(t.check("login:a", 5, 1005 + WINDOW_MS).is_ok());
        t.clear("login:a");
        assert!(t.check("login:a", 5, 2000).is_ok());
    }
}
