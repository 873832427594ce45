//! Ways to reach a window or a person: a phone or fax number, an email
//! address, a website. Checked strictly, because a link is built from each
//! (`tel:`, `mailto:`, `href`) and a stored value must only ever open what
//! it says.

/// A dialable number: digits with optional hyphens, spaces, parentheses, a
/// leading `+` or a leading `#` (short codes like #8008).
pub fn check_phone_number(number: &str) -> Result<(), String> {
    let n = number.trim();
    let digits = n.bytes().filter(u8::is_ascii_digit).count();
    let allowed = n.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_digit() || matches!(b, b'-' | b' ' | b'(' | b')') || (i == 0 && matches!(b, b'+' | b'#'))
    });
    if !allowed || !(3..=15).contains(&digits) || n.len() > 24 {
        return Err(format!("{number:?} is not a phone number (digits, -, (), leading + or #)"));
    }
    Ok(())
}

/// A website address as nimo stores it: `http://` or `https://` (any
/// case) and a host, with nothing a URL may not hold. Anything else — a
/// `javascript:` or `data:` address, a relative path — is refused, so that
/// a link built from it can only open a web page.
pub fn check_web_url(url: &str) -> Result<(), String> {
    let refuse = || Err("a website address starts with https:// or http:// and has no spaces".to_owned());
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`' | '\\' | '^' | '{' | '}' | '|')) {
        return refuse();
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else { return refuse() };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() || host.starts_with(['.', '-', ':']) || !host.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']')) {
        return refuse();
    }
    Ok(())
}

/// An email address: one `@` with something on both sides, no spaces.
pub fn check_email(email: &str) -> Result<(), String> {
    match email.split_once('@') {
        Some((user, domain))
            if !user.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '?' | '&')) =>
        {
            Ok(())
        }
        _ => Err("not an email address".into()),
    }
}

