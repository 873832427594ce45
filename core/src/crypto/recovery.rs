//! The recovery key as a person writes it down and types it again: 256
//! random bits in Crockford's base32 (no I, L, O, U: nothing to misread),
//! 13 groups of four, and a fourteenth group that checks the rest, so that
//! a typing mistake is said at once rather than as a wrong key.
//!
//! The check group is one character of a weighted sum and three of a hash.
//! The sum (Σ (2i+1)·vᵢ mod 32) catches every single wrong character for
//! certain: a change d ≠ 0 at i changes it by (2i+1)·d, and an odd weight
//! times a non-zero d is never 0 mod 32. A hash alone let one in 2²⁰ such
//! typos through (a generated test found one). The hash catches most of
//! the rest (two characters wrong, swapped neighbours).

use super::kdf::sha256;
use super::{CryptoError, Key, Random};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How many groups the key is shown in.
pub const GROUPS: usize = 14;

pub fn generate(rng: &dyn Random) -> Key {
    Key::random(rng)
}

/// 「ABCD-EFGH-…」: 52 characters of key and 4 of check.
pub fn encode(key: &Key) -> String {
    let mut chars = Vec::with_capacity(56);
    let mut acc = 0u32;
    let mut bits = 0;
    for &b in key.bytes().iter() {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            chars.push(ALPHABET[((acc >> bits) & 31) as usize]);
        }
    }
    if bits > 0 {
        chars.push(ALPHABET[((acc << (5 - bits)) & 31) as usize]);
    }
    chars.push(ALPHABET[weighted_sum(chars.iter().map(|&c| value(c)))]);
    let check = sha256(key.bytes());
    let c = u32::from_be_bytes([check[0], check[1], check[2], check[3]]);
    for i in 0..3 {
        chars.push(ALPHABET[((c >> (5 * (2 - i))) & 31) as usize]);
    }
    chars.chunks(4).map(|g| String::from_utf8_lossy(g).into_owned()).collect::<Vec<_>>().join("-")
}

/// A base32 character's value (only ever called on `ALPHABET`'s).
fn value(c: u8) -> u32 {
    ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u32
}

/// Σ (2i+1)·vᵢ mod 32 over the key's characters.
fn weighted_sum(values: impl Iterator<Item = u32>) -> usize {
    (values.enumerate().map(|(i, v)| (2 * i as u32 + 1) * v).sum::<u32>() % 32) as usize
}

/// Reads a typed key: spaces, dashes and case ignored, O read as 0 and I
/// or L as 1, as Crockford's base32 reads them.
pub fn decode(typed: &str) -> Result<Key, CryptoError> {
    let mut values = Vec::with_capacity(56);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{3000}' | 'ー' | '－' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            // Full-width letters and digits, as a Japanese keyboard may type them.
            w if ('\u{FF10}'..='\u{FF5A}').contains(&w) => char::from_u32(w as u32 - 0xFEE0).unwrap_or(w).to_ascii_uppercase(),
            other => other,
        };
        let v = ALPHABET.iter().position(|&a| a as char == c).ok_or(CryptoError::Malformed("a recovery key has letters and digits only"))?;
        values.push(v as u32);
    }
    if values.len() != 56 {
        return Err(CryptoError::Malformed("a recovery key has 56 letters and digits"));
    }
    let mut bytes = Vec::with_capacity(33);
    let mut acc = 0u32;
    let mut bits = 0;
    for &v in &values[..52] {
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
        }
    }
    let key = Key::from_slice(&bytes[..32])?;
    if encode(&key).replace('-', "") != values.iter().map(|&v| ALPHABET[v as usize] as char).collect::<String>() {
        return Err(CryptoError::Malformed("the recovery key has a typing mistake"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::secret::test_rng;

    #[test]
    fn every_single_wrong_character_is_caught() {
        let rng = test_rng();
        for _ in 0..20 {
            let shown = encode(&generate(&rng));
            let chars: Vec<char> = shown.chars().collect();
            for i in (0..chars.len()).filter(|&i| chars[i] != '-') {
                for &b in ALPHABET.iter().filter(|&&b| b as char != chars[i]) {
                    let mut typo = chars.clone();
                    typo[i] = b as char;
                    assert!(decode(&typo.iter().collect::<String>()).is_err(), "{i}: {}", typo.iter().collect::<String>());
                }
            }
        }
    }

    #[test]
    fn a_key_reads_back_from_its_groups_and_a_typo_is_caught() {
        let rng = test_rng();
        for _ in 0..50 {
            let k = generate(&rng);
            let shown = encode(&k);
            assert_eq!(shown.split('-').count(), GROUPS);
            assert_eq!(decode(&shown).unwrap(), k);
            assert_eq!(decode(&shown.to_lowercase().replace('-', " ")).unwrap(), k, "lower case, spaces");
            let mut typo: Vec<char> = shown.chars().collect();
            typo[7] = if typo[7] == 'X' { 'Y' } else { 'X' };
            assert!(decode(&typo.into_iter().collect::<String>()).is_err(), "a changed character is caught");
        }
        assert!(decode("ABCD").is_err());
    }
}
