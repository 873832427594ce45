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

/// Formats 16 bytes as a canonical lowercase UUID.
fn format_uuid(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Parses a canonical lowercase UUID into its bytes.
fn parse_uuid(s: &str) -> Result<[u8; 16], IdError> {
    let b = s.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return Err(IdError::NotUuid);
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(IdError::NotUuid),
    };
    // The 32 digits around the four dashes: any other dash is not a digit.
    let mut digits = b.iter().enumerate().filter(|(i, _)| ![8, 13, 18, 23].contains(i)).map(|(_, &c)| nib(c));
    let mut out = [0u8; 16];
    for byte in &mut out {
        let (Some(high), Some(low)) = (digits.next(), digits.next()) else { return Err(IdError::NotUuid) };
        *byte = high? << 4 | low?;
    }
    Ok(out)
}

/// A UUIDv7 from a Unix time in milliseconds and 10 random bytes.
pub fn uuid_v7(unix_ms: u64, random: [u8; 10]) -> String {
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

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
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
        Ok(Self(s.to_owned()))
    }

    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        Self(uuid_v7(unix_ms, random))
    }

    /// Whether the id was derived from its parts (anyone who knows the
    /// parts can name it before the record exists).
    pub fn is_derived(&self) -> bool {
        self.0.as_bytes().get(14) == Some(&b'8')
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
                Ok(Self(s.to_owned()))
            }

            pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
                Self(uuid_v7(unix_ms, random))
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
