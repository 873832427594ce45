//! Identifiers. Each is a newtype that can only hold a well-formed value.
//!
//! Records get client-generated UUIDv7s (time-ordered, so recent records
//! cluster in indexes) or, where two devices must agree on one id without
//! talking (one attendance per member and meeting), a UUIDv8 derived from
//! the parts. Users, groups and devices get server-generated UUIDv7s.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("not a UUID in canonical lowercase form")]
    NotUuid,
    #[error("not a UUID of version 7 or 8")]
    WrongVersion,
    #[error("a client id is 16 lowercase hex digits")]
    NotClientId,
}

/// Formats 16 bytes as the 36 characters of a canonical lowercase UUID.
fn format_uuid(b: &[u8; 16]) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'-'; 36];
    let mut at = 0;
    for x in b {
        if matches!(at, 8 | 13 | 18 | 23) {
            at += 1;
        }
        out[at] = HEX[usize::from(x >> 4)];
        out[at + 1] = HEX[usize::from(x & 15)];
        at += 2;
    }
    out
}

/// A lowercase hex digit's value.
pub(crate) fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Parses a canonical lowercase UUID into its bytes. Every record on the
/// wire and in the store carries three or more, so this is one pass with
/// no allocation.
fn parse_uuid(s: &str) -> Result<[u8; 16], IdError> {
    let b: &[u8; 36] = s.as_bytes().try_into().map_err(|_| IdError::NotUuid)?;
    let mut out = [0u8; 16];
    // The groups are 8, 4, 4, 4 and 12 digits: a byte's two digits never
    // straddle a dash, and a dash anywhere else is not a digit.
    let mut at = 0;
    for byte in &mut out {
        if matches!(at, 8 | 13 | 18 | 23) {
            if b[at] != b'-' {
                return Err(IdError::NotUuid);
            }
            at += 1;
        }
        let (Some(high), Some(low)) = (hex_digit(b[at]), hex_digit(b[at + 1])) else { return Err(IdError::NotUuid) };
        *byte = high << 4 | low;
        at += 2;
    }
    Ok(out)
}

/// A UUIDv7 from a Unix time in milliseconds and 10 random bytes.
pub fn uuid_v7(unix_ms: u64, random: [u8; 10]) -> String {
    String::from_utf8_lossy(&uuid_v7_chars(unix_ms, random)).into_owned()
}

fn uuid_v7_chars(unix_ms: u64, random: [u8; 10]) -> [u8; 36] {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    b[6..].copy_from_slice(&random);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    format_uuid(&b)
}

/// 128 bits of FNV-1a over the parts (two 64-bit lanes with different
/// offsets). Not cryptographic: only used to agree on an id.
fn fnv128(parts: &[&str]) -> [u8; 16] {
    let mut lanes = [0xcbf2_9ce4_8422_2325u64, 0x6c62_272e_07bb_0142u64];
    for lane in &mut lanes {
        for part in parts {
            for &byte in part.as_bytes().iter().chain([0xffu8].iter()) {
                *lane ^= u64::from(byte);
                *lane = lane.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&lanes[0].to_be_bytes());
    out[8..].copy_from_slice(&lanes[1].to_be_bytes());
    out
}

// A UUID's 36 characters are held inline, as `ClientId`'s digits are:
// every record carries three or more ids, and a start or a pull parses and
// clones them by the thousand, each a heap allocation as a `String`.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name([u8; 36]);

        impl $name {
            pub fn as_str(&self) -> &str {
                // Only what `parse_uuid` accepted or `format_uuid` wrote is
                // held (ASCII), so this never falls back.
                std::str::from_utf8(&self.0).unwrap_or_default()
            }

            /// The characters of a string `parse_uuid` has accepted.
            fn held(s: &str) -> Result<Self, IdError> {
                s.as_bytes().try_into().map(Self).map_err(|_| IdError::NotUuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.as_str().to_owned()
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

string_id! {
    /// A record's id: a UUIDv7 made on the device, or a derived UUIDv8.
    RecordId
}

impl RecordId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let b = parse_uuid(s)?;
        let version = b[6] >> 4;
        if !(version == 7 || version == 8) || b[8] & 0xc0 != 0x80 {
            return Err(IdError::WrongVersion);
        }
        Self::held(s)
    }

    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        Self(uuid_v7_chars(unix_ms, random))
    }

    /// Whether the id was derived from its parts (anyone who knows the
    /// parts can name it before the record exists).
    pub fn is_derived(&self) -> bool {
        self.0[14] == b'8'
    }

    /// The same parts give the same id on every device.
    pub fn derived(parts: &[&str]) -> Self {
        let mut b = fnv128(parts);
        b[6] = 0x80 | (b[6] & 0x0f);
        b[8] = 0x80 | (b[8] & 0x3f);
        Self(format_uuid(&b))
    }
}

macro_rules! server_uuid {
    ($(#[$doc:meta])* $name:ident) => {
        string_id! { $(#[$doc])* $name }

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdError> {
                parse_uuid(s)?;
                Self::held(s)
            }

            pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
                Self(uuid_v7_chars(unix_ms, random))
            }
        }
    };
}

server_uuid! {
    /// A user (a person with a login).
    UserId
}
server_uuid! {
    /// A group: one peer-support team or family association.
    GroupId
}
server_uuid! {
    /// One signed-in device (a session).
    DeviceId
}

/// One installation of the app in one browser profile: the author of a
/// stream of mutations numbered 1, 2, 3… and the node of its clock.
///
/// Its 16 lowercase hex digits are held inline rather than in a `String`:
/// every clock stamp carries one, and a pull of 10,000 records parses and
/// copies well over 100,000 stamps.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId([u8; 16]);

impl ClientId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits: [u8; 16] = s.as_bytes().try_into().map_err(|_| IdError::NotClientId)?;
        if digits.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)) {
            Ok(Self(digits))
        } else {
            Err(IdError::NotClientId)
        }
    }

    pub fn from_random(random: [u8; 8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0; 16];
        for (i, x) in random.iter().enumerate() {
            digits[2 * i] = HEX[usize::from(x >> 4)];
            digits[2 * i + 1] = HEX[usize::from(x & 15)];
        }
        Self(digits)
    }

    pub fn as_str(&self) -> &str {
        // Only hex digits are ever held (`parse`, `from_random`), so this
        // never falls back.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientId({})", self.as_str())
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> String {
        id.as_str().to_owned()
    }
}

impl TryFrom<String> for ClientId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl std::str::FromStr for ClientId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_has_version_variant_and_time_order() {
        let a = RecordId::new_v7(1_700_000_000_000, [0xff; 10]);
        let b = RecordId::new_v7(1_700_000_000_001, [0x00; 10]);
        assert_eq!(RecordId::parse(a.as_str()), Ok(a.clone()));
        assert_eq!(&a.as_str()[14..15], "7");
        assert!(matches!(&a.as_str()[19..20], "8" | "9" | "a" | "b"));
        assert!(a < b, "ids sort by creation time");
    }

    #[test]
    fn derived_ids_agree_and_differ_by_parts() {
        let a = RecordId::derived(&["attendance", "m1", "u1"]);
        assert_eq!(a, RecordId::derived(&["attendance", "m1", "u1"]));
        assert_ne!(a, RecordId::derived(&["attendance", "m1u", "1"]));
        assert!(a.is_derived());
        assert!(!RecordId::new_v7(1, [0; 10]).is_derived());
        assert_eq!(RecordId::parse(a.as_str()), Ok(a));
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in ["", "not-a-uuid", "0190F3E5-0000-7000-8000-000000000000", "0190f3e5-0000-4000-8000-000000000000", "0190f3e5-0000-7000-c000-000000000000", "0190f3e5-0000-7000-8000-00000000000g"] {
            assert!(RecordId::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<RecordId>("\"nope\"").is_err());
        // The right length and dashes in the right places, with one more
        // dash among the digits: refused, not read past the end.
        for bad in ["0190f3e5-0000-7000-8000-0000000000-0", "0190f3e5-0000-7000-8000--00000000000", "0190f3e5-0000-7000-8000-00000000000-"] {
            assert_eq!(RecordId::parse(bad), Err(IdError::NotUuid), "{bad}");
            assert_eq!(UserId::parse(bad), Err(IdError::NotUuid), "{bad}");
        }
        assert!(ClientId::parse("0123456789abcdef").is_ok());
        assert!(ClientId::parse("0123456789ABCDEF").is_err());
        assert!(ClientId::parse("0123456789abcde").is_err());
        assert!(ClientId::parse("0123456789abcdef0").is_err());
        assert!(ClientId::parse("0123456789abcdeé").is_err());
        // 36 bytes, not 36 characters.
        for bad in ["0190f3e5-0000-7000-8000-0000000000é", "0190f3e5-0000-7000-8000-é0000000000"] {
            assert_eq!(bad.len(), 36);
            assert_eq!(RecordId::parse(bad), Err(IdError::NotUuid), "{bad}");
        }
    }

    /// Held inline, an id still reads, prints, converts and orders as the
    /// string it was read from.
    #[test]
    fn ids_are_their_characters() {
        let s = "0190f3e5-0a1b-7c2d-8e3f-456789abcdef";
        let id = RecordId::parse(s).expect("a UUIDv7");
        assert_eq!(id.as_str(), s);
        assert_eq!(id.to_string(), s);
        assert_eq!(String::from(id.clone()), s);
        assert_eq!(format!("{id:?}"), format!("RecordId({s})"));
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some(format!("\"{s}\"").as_str()));
        let later = RecordId::parse("0190f3e5-0a1b-7c2d-8e3f-456789abcdf0").expect("a UUIDv7");
        assert!(id < later);
        let v7 = UserId::new_v7(0x0190_f3e5_0a1b, [0x5a; 10]);
        assert_eq!(v7.as_str(), "0190f3e5-0a1b-7a5a-9a5a-5a5a5a5a5a5a");
        assert_eq!(v7.as_str(), uuid_v7(0x0190_f3e5_0a1b, [0x5a; 10]));
    }

    /// A client id is its digits: printed, stored and ordered as the
    /// string it was read from (clock stamps break ties by it).
    #[test]
    fn client_ids_are_their_digits() {
        let id = ClientId::from_random([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
        assert_eq!(id.as_str(), "0123456789abcdef");
        assert_eq!(id.to_string(), "0123456789abcdef");
        assert_eq!(ClientId::parse("0123456789abcdef"), Ok(id));
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("\"0123456789abcdef\""));
        assert_eq!(serde_json::from_str::<ClientId>("\"0123456789abcdef\"").ok(), Some(id));
        let (a, b) = ("00ff000000000000", "0f00000000000000");
        assert_eq!(ClientId::parse(a).ok().cmp(&ClientId::parse(b).ok()), a.cmp(b));
    }
}
