//! Response headers applied to everything the server sends.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// No inline script, no third-party origin, no framing. `'wasm-unsafe-eval'`
/// lets the page compile its own WebAssembly and nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy with inline `<style>` and `<script>` blocks allowed by their
/// SHA-256 hashes and nothing else inline: for the one page that needs
/// them, an invite link's join page (see `assets::join`).
pub fn policy_allowing(styles: &[&str], scripts: &[&str]) -> String {
    let hashes = |blocks: &[&str]| -> String {
        blocks.iter().map(|b| format!(" 'sha256-{}'", base64(&Sha256::digest(b.as_bytes())))).collect()
    };
    CONTENT_SECURITY_POLICY
        .replacen("style-src 'self'", &format!("style-src 'self'{}", hashes(styles)), 1)
        .replacen("script-src 'self' 'wasm-unsafe-eval'", &format!("script-src 'self' 'wasm-unsafe-eval'{}", hashes(scripts)), 1)
}

/// Standard base64 with padding, as CSP hash sources are written.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// Two years, as the HSTS preload list asks.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

const STATIC: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// `https`: the public URL is https, so browsers are told to keep to it.
pub async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in STATIC {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    // Documents and scripts (the service worker takes its CSP from its own
    // response) get the policy; JSON answers don't need the bytes.
    if !is_api {
        // Kept when a route set its own: only the join page does, this
        // policy with the hashes of its inline style and script added.
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        }
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        );
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_vectors() {
        for (input, expected) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64(&Sha256::digest(b"")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn a_policy_allowing_nothing_inline_is_the_strict_one() {
        assert_eq!(policy_allowing(&[], &[]), CONTENT_SECURITY_POLICY);
        let p = policy_allowing(&[""], &[]);
        assert!(p.contains("style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';"), "{p}");
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval';"), "{p}");
    }
}
