//! Hybrid logical clock: wall-clock milliseconds, a counter for events in
//! the same millisecond (or while the wall clock lags a time already seen),
//! and the client id as a tie-breaker. Every field write carries one, and
//! the greater stamp wins, on every device, in any order of arrival.
//!
//! On the wire a stamp is 32 lowercase hex digits — 12 of milliseconds, 4
//! of counter, 16 of client id — so that string order equals clock order.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{ClientId, hex_digit};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hlc {
    ms: u64,
    counter: u16,
    node: ClientId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a clock stamp (32 lowercase hex digits)")]
pub struct HlcError;

/// Largest wall time a stamp can hold (48 bits of milliseconds: year 10889).
const MAX_MS: u64 = (1 << 48) - 1;

impl Hlc {
    pub fn new(ms: u64, counter: u16, node: ClientId) -> Self {
        Self { ms: ms.min(MAX_MS), counter, node }
    }

    pub fn ms(&self) -> u64 {
        self.ms
    }

    pub fn node(&self) -> &ClientId {
        &self.node
    }

    pub fn counter(&self) -> u16 {
        self.counter
    }

    /// One pass over the digits: a pull of 10,000 records parses well over
    /// 100,000 stamps.
    pub fn parse(s: &str) -> Result<Self, HlcError> {
        let b: &[u8; 32] = s.as_bytes().try_into().map_err(|_| HlcError)?;
        let mut ms = 0u64;
        for &c in &b[..12] {
            ms = ms << 4 | u64::from(hex_digit(c).ok_or(HlcError)?);
        }
        let mut counter = 0u16;
        for &c in &b[12..16] {
            counter = counter << 4 | u16::from(hex_digit(c).ok_or(HlcError)?);
        }
        let node = s.get(16..).and_then(|n| ClientId::parse(n).ok()).ok_or(HlcError)?;
        Ok(Self { ms, counter, node })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}{:04x}{}", self.ms, self.counter, self.node)
    }
}

impl fmt::Debug for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hlc({}.{}@{})", self.ms, self.counter, self.node)
    }
}

impl From<Hlc> for String {
    fn from(h: Hlc) -> String {
        h.to_string()
    }
}

impl TryFrom<String> for Hlc {
    type Error = HlcError;
    fn try_from(s: String) -> Result<Self, HlcError> {
        Self::parse(&s)
    }
}

/// One device's clock. Persisted between runs (`last`) so that stamps keep
/// increasing across reloads even if the wall clock is set back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    node: ClientId,
    last_ms: u64,
    last_counter: u16,
}

impl Clock {
    pub fn new(node: ClientId) -> Self {
        Self { node, last_ms: 0, last_counter: 0 }
    }

    pub fn node(&self) -> &ClientId {
        &self.node
    }

    /// A new stamp, greater than every stamp this clock issued or observed.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        let wall_ms = wall_ms.min(MAX_MS);
        if wall_ms > self.last_ms {
            self.last_ms = wall_ms;
            self.last_counter = 0;
        } else if self.last_counter == u16::MAX {
            // Counter exhausted: borrow the next millisecond.
            self.last_ms += 1;
            self.last_counter = 0;
        } else {
            self.last_counter += 1;
        }
        Hlc { ms: self.last_ms, counter: self.last_counter, node: self.node }
    }

    /// Takes note of a stamp seen from elsewhere, so that the next local
    /// stamp is greater (an edit made after seeing another wins over it).
    pub fn observe(&mut self, seen: &Hlc) {
        if (seen.ms, seen.counter) > (self.last_ms, self.last_counter) {
            self.last_ms = seen.ms;
            self.last_counter = seen.counter;
        }
    }

}

impl Clock {
    /// The last stamp issued or observed, as (ms, counter).
    pub fn last(&self) -> (u64, u16) {
        (self.last_ms, self.last_counter)
    }

    /// Moves the clock back to `(ms, counter)`: after the server said this
    /// device's stamps were ahead of real time, so that the stamps issued
    /// to replace them are not ahead too.
    pub fn rewind(&mut self, ms: u64, counter: u16) {
        self.last_ms = ms.min(MAX_MS);
        self.last_counter = counter;
    }

    /// Changes the node (a new client id after a server restore), keeping
    /// the time already reached.
    pub fn set_node(&mut self, node: ClientId) {
        self.node = node;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: u8) -> ClientId {
        ClientId::from_random([n; 8])
    }

    #[test]
    fn string_order_is_clock_order() {
        let a = Hlc::new(5, 1, node(1));
        let b = Hlc::new(5, 2, node(0));
        let c = Hlc::new(6, 0, node(0));
        assert!(a < b && b < c);
        assert!(a.to_string() < b.to_string() && b.to_string() < c.to_string());
        assert_eq!(Hlc::parse(&c.to_string()), Ok(c));
    }

    #[test]
    fn ticks_increase_even_when_the_wall_clock_goes_back() {
        let mut clock = Clock::new(node(1));
        let a = clock.tick(1000);
        let b = clock.tick(1000);
        let c = clock.tick(10);
        assert!(a < b && b < c);
        assert_eq!(c.ms(), 1000);
    }

    #[test]
    fn observing_a_later_stamp_makes_the_next_tick_later() {
        let mut clock = Clock::new(node(1));
        let remote = Hlc::new(5_000, 7, node(2));
        clock.observe(&remote);
        let next = clock.tick(1_000);
        assert!(next > remote);
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let mut clock = Clock::new(node(1));
        let mut prev = clock.tick(1);
        for _ in 0..70_000 {
            let next = clock.tick(1);
            assert!(next > prev);
            prev = next;
        }
    }

    #[test]
    fn rejects_malformed_stamps() {
        assert!(Hlc::parse("").is_err());
        assert!(Hlc::parse("00000000000100010123456789abcdeg").is_err());
        assert!(Hlc::parse("00000000000100010123456789ABCDEF").is_err());
        // 32 bytes that are not 32 digits: a multi-byte character where the
        // counter or the client id should be.
        assert!(Hlc::parse("000000000001000é0123456789abcde").is_err());
        assert!(Hlc::parse("00000000000100010123456789abcdé").is_err());
        assert!(Hlc::parse("000000000001000-0123456789abcdef").is_err());
        assert!(Hlc::parse("00000000000100010123456789abcdef0").is_err());
        let c = Hlc::new(0xffff_ffff_ffff, 0xffff, ClientId::from_random([0xff; 8]));
        assert_eq!(Hlc::parse("ffffffffffffffffffffffffffffffff"), Ok(c));
    }
}
