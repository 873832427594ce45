//! Rules for a new passphrase, applied on the device (the passphrase never
//! reaches the server): the quick rules as it is typed, then, before it is
//! used, a full strength estimate (`zxcvbn`, feature `strength`: its
//! dictionaries are too large for the app itself, so the key module the
//! app loads to make keys carries it).

/// Fewer characters than this are refused.
pub const MIN_CHARS: usize = 8;
/// More characters than this are refused (hashing cost is bounded).
pub const MAX_CHARS: usize = 256;

/// Why a passphrase is refused (`code` names it to the app's messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    TooShort,
    TooLong,
    /// The same as the login name.
    SameAsLogin,
    /// On the list of passwords everyone tries first.
    Common,
    /// One or two characters repeated, or a run like 12345678 or qwerty.
    Repetitive,
    /// Guessable by a strength estimate.
    Weak,
}

impl Problem {
    pub const ALL: [Problem; 6] = [Self::TooShort, Self::TooLong, Self::SameAsLogin, Self::Common, Self::Repetitive, Self::Weak];

    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::SameAsLogin => "same_as_login",
            Self::Common => "common",
            Self::Repetitive => "repetitive",
            Self::Weak => "weak",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Passwords tried first by anyone guessing (from the published lists of
/// the most common leaked passwords), lower case.
const COMMON: &[&str] = &[
    "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "12345678", "123456789", "1234567890",
    "0123456789", "87654321", "11111111", "00000000", "88888888", "12341234", "11223344", "qwertyuiop", "qwertyui", "qwerty123",
    "qwerty12", "1qaz2wsx", "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "zaq12wsx", "asdfghjkl", "asdfasdf", "zxcvbnm1", "abcd1234",
    "abc12345", "abcdefgh", "iloveyou", "iloveyou1", "sunshine", "princess", "football", "baseball", "welcome1", "welcome123",
    "letmein1", "trustno1", "superman", "starwars", "dragon12", "monkey123", "master12", "shadow12", "michael1", "computer",
    "internet", "whatever", "freedom1", "qazwsxedc", "aaaaaaaa", "passpass", "testtest", "changeme", "administrator", "admin123",
    "doraemon", "pokemon1", "sakura123", "nihon123", "tokyo123", "japan123", "arigatou", "daisuki1", "ganbaru1", "aishiteru",
];

/// Keyboard rows and runs people type as "passwords".
const RUNS: &[&str] = &["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "0987654321", "abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc4rfv5tgb"];

/// The checks that need no dictionary: length, the login name, the common
/// list, repetitions and runs.
pub fn quick_check(passphrase: &str, login: &str) -> Result<(), Problem> {
    let n = passphrase.chars().count();
    if n < MIN_CHARS {
        return Err(Problem::TooShort);
    }
    if n > MAX_CHARS {
        return Err(Problem::TooLong);
    }
    let lower = passphrase.trim().to_lowercase();
    if !login.trim().is_empty() && lower == login.trim().to_lowercase() {
        return Err(Problem::SameAsLogin);
    }
    if COMMON.contains(&lower.as_str()) {
        return Err(Problem::Common);
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    crate::base::order::sort_dedup(&mut distinct);
    let chars: Vec<u32> = lower.chars().map(u32::from).collect();
    let steps: Vec<i64> = chars.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    let one_step = !steps.is_empty() && steps.iter().all(|s| *s == steps[0]) && steps[0].abs() <= 1;
    let on_a_run = RUNS.iter().any(|run| run.contains(lower.as_str()));
    if distinct.len() <= 2 || one_step || on_a_run {
        return Err(Problem::Repetitive);
    }
    Ok(())
}

/// The quick rules, then a strength estimate (zxcvbn, score 3 of 4: about
/// 10^8 guesses, weeks of Argon2id on a copy of the server's database)
/// that knows the login and the display name.
#[cfg(feature = "strength")]
pub fn check(passphrase: &str, login: &str, display_name: &str) -> Result<(), Problem> {
    quick_check(passphrase, login)?;
    // zxcvbn's dictionaries are English; a passphrase of eight or more
    // kana or kanji draws from thousands of characters and is not guessed
    // by them. Its cost grows with length: the first 100 characters decide.
    let non_ascii = passphrase.chars().filter(|c| !c.is_ascii()).count();
    if non_ascii >= MIN_CHARS {
        return Ok(());
    }
    let head: String = passphrase.chars().take(100).collect();
    let estimate = zxcvbn::zxcvbn(&head, &[login, display_name]);
    if (estimate.score() as u8) < 3 {
        return Err(Problem::Weak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attacks_passphrases_are_refused() {
        assert_eq!(quick_check("password", "x"), Err(Problem::Common));
        assert_eq!(quick_check("12345678", "x"), Err(Problem::Common));
        assert_eq!(quick_check("qwertyuiop", "x"), Err(Problem::Common));
        assert_eq!(quick_check("short", "x"), Err(Problem::TooShort));
        assert_eq!(quick_check("tanaka.k", "Tanaka.K"), Err(Problem::SameAsLogin));
        assert_eq!(quick_check("abababab", "x"), Err(Problem::Repetitive));
        assert_eq!(quick_check("98765432", "x"), Err(Problem::Repetitive));
        assert_eq!(quick_check("asdfghjk", "x"), Err(Problem::Repetitive));
        assert_eq!(quick_check(&"a".repeat(257), "x"), Err(Problem::TooLong));
    }

    #[test]
    fn ordinary_passphrases_pass() {
        for ok in ["correct horse battery", "ひまわりが咲く坂道", "tanaka passphrase", "Kobe-2026-umi!"] {
            assert_eq!(quick_check(ok, "tanaka"), Ok(()), "{ok}");
        }
        for p in Problem::ALL {
            assert_eq!(Problem::from_code(p.code()), Some(p));
        }
    }

    #[cfg(feature = "strength")]
    #[test]
    fn common_and_weak_passphrases_are_refused_with_a_reason() {
        let code = |p: &str, login: &str| check(p, login, "さくら").err().map(Problem::code);
        assert_eq!(code("password", "x"), Some("common"));
        assert_eq!(code("12345678", "x"), Some("common"));
        assert_eq!(code("sakura2024", "x"), Some("weak"));
        assert_eq!(code("tanaka1234", "tanaka"), Some("weak"));
        assert_eq!(code("short", "x"), Some("too_short"));
        for ok in ["correct horse battery", "coord5 rides the blue ferry at dawn", "ひまわりが咲く坂道です", "Kobe-umi-2026-kaze!"] {
            assert_eq!(code(ok, "coord5"), None, "{ok}");
        }
    }
}
