//! Serving the built app: from `dist/` (`--assets DIR`), or from the copy
//! the release binary carries (`cargo xtask dist` embeds it, see
//! `build.rs`), so that one file is the whole server.
//!
//! File names with a content hash (`app-0123456789abcdef.js`) never change
//! content, so browsers may keep them for a year; everything else
//! (`index.html`, `sw.js`) must be revalidated so that a new version is seen.
//! Pre-compressed `.br` and `.gz` siblings made by the xtask are served when
//! the browser accepts them.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, get_service};
use tower_http::services::{ServeDir, ServeFile};

use crate::headers::policy_allowing;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Where the app's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `dist/` directory on disk.
    Dir(PathBuf),
    /// The copy built into this binary.
    Embedded,
}

impl Source {
    /// Whether this binary carries the app (a `cargo xtask dist` build).
    pub fn embedded_available() -> bool {
        !embedded::FILES.is_empty()
    }

    /// Whether the source holds an app (an `index.html`).
    pub fn has_app(&self) -> bool {
        match self {
            Self::Dir(dir) => dir.join("index.html").is_file(),
            Self::Embedded => embedded_file("index.html").is_some(),
        }
    }
}

pub fn router(source: &Source) -> Router {
    match source {
        Source::Dir(dist) => {
            let files = ServeDir::new(dist).precompressed_br().precompressed_gzip();
            Router::new().route("/join", join(dist)).fallback_service(files).layer(middleware::from_fn(cache_control))
        }
        Source::Embedded => {
            let join = match embedded_file("join.html").and_then(|html| std::str::from_utf8(html).ok()).map(|html| HeaderValue::try_from(inline_policy(html))) {
                Some(Ok(policy)) => get(|headers: HeaderMap| async move { serve_embedded("join.html", &headers) }).layer(middleware::from_fn_with_state(policy, with_policy)),
                _ => get(|headers: HeaderMap| async move { serve_embedded("index.html", &headers) }),
            };
            Router::new()
                .route("/join", join)
                .fallback(get(|uri: axum::http::Uri, headers: HeaderMap| async move {
                    let path = uri.path().trim_start_matches('/');
                    let path = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
                    serve_embedded(&path, &headers)
                }))
                .layer(middleware::from_fn(cache_control))
        }
    }
}

fn embedded_file(path: &str) -> Option<&'static [u8]> {
    embedded::FILES.iter().find(|(p, _)| *p == path).map(|(_, bytes)| *bytes)
}

/// One embedded file, brotli or gzip when the browser takes it (and the
/// build made that copy), with a validator so that a revalidation of
/// `index.html` or `sw.js` costs a 304.
fn serve_embedded(path: &str, headers: &HeaderMap) -> Response {
    // A copy's own name (`x.js.br`) is not served as a file of its own.
    let Some(raw) = embedded_file(path).filter(|_| !path.ends_with(".br") && !path.ends_with(".gz")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accepts = |coding: &str| {
        headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|part| {
            let mut it = part.split(';');
            it.next().is_some_and(|c| c.trim().eq_ignore_ascii_case(coding)) && !it.any(|p| p.trim().replace(' ', "") == "q=0")
        })
    };
    let (body, encoding) = [("br", ".br"), ("gzip", ".gz")]
        .iter()
        .find_map(|(coding, ext)| accepts(coding).then(|| embedded_file(&format!("{path}{ext}")).map(|b| (b, Some(*coding)))).flatten())
        .unwrap_or((raw, None));
    let etag = format!("\"{:016x}{}\"", fnv(raw), encoding.map_or("", |e| if e == "br" { "-br" } else { "-gz" }));
    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(body))
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    response
}

/// FNV-1a: a validator, not a security measure.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "tsv" => "text/tab-separated-values; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An invite link, `/join#<code>`, opened on a device that has never loaded
/// nimo: the build's `join.html`, which is `index.html` with its join form
/// showing, the stylesheet inside and a line of script that fills in the
/// code from the address. The code is after `#`: a browser never sends it,
/// so the server never sees it. The form is there at the page's first paint
/// rather than once `boot.js` has run (issue 15: usable within 1 s on the
/// throttled profile). Its inline parts are allowed by their hashes, taken
/// from the file as it is served. A device that has the app gets its
/// service worker's page instead, and `boot.js` reads the address.
/// Without the page (a build from before it) the link gets the app's page,
/// whose `boot.js` reads the address.
fn join(dist: &Path) -> MethodRouter {
    let page = dist.join("join.html");
    match std::fs::read_to_string(&page).map(|html| HeaderValue::try_from(inline_policy(&html))) {
        Ok(Ok(policy)) => get_service(ServeFile::new(page).precompressed_br().precompressed_gzip())
            .layer(middleware::from_fn_with_state(policy, with_policy)),
        Ok(Err(_)) => {
            tracing::warn!("join.html: its policy is not a header value; invite links go to the app's form");
            get_service(ServeFile::new(dist.join("index.html")))
        }
        Err(_) => get_service(ServeFile::new(dist.join("index.html"))),
    }
}

/// The policy for a page: its inline `<style>` and `<script>` blocks (a
/// script with attributes, `src` included, is not inline here) allowed by
/// their hashes.
fn inline_policy(html: &str) -> String {
    let styles = blocks(html, "<style>", "</style>");
    let scripts = blocks(html, "<script>", "</script>");
    policy_allowing(&styles, &scripts)
}

fn blocks<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(close) else { break };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

async fn with_policy(State(policy): State<HeaderValue>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    response
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = if is_hashed(request.uri().path()) { IMMUTABLE } else { REVALIDATE };
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether the last path segment carries the xtask's content hash:
/// `-` and 16 lowercase hex digits right before the first `.`.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let stem_end = name.find('.').unwrap_or(name.len());
    let stem = &name[..stem_end];
    match stem.len().checked_sub(17).map(|i| stem.split_at(i)) {
        Some((_, tail)) => {
            tail.starts_with('-') && tail[1..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{blocks, is_hashed};

    #[test]
    fn finds_inline_blocks_but_not_scripts_with_a_source() {
        let html = "<style>a{}</style><script type=\"module\" src=\"/boot.js\"></script><p></p><script>x()</script><style>b{}</style>";
        assert_eq!(blocks(html, "<style>", "</style>"), ["a{}", "b{}"]);
        assert_eq!(blocks(html, "<script>", "</script>"), ["x()"]);
        assert!(blocks("<style>unclosed", "<style>", "</style>").is_empty());
    }

    #[test]
    fn recognises_hashed_names() {
        assert!(is_hashed("/app-0123456789abcdef.js"));
        assert!(is_hashed("/app-0123456789abcdef.wasm"));
        assert!(is_hashed("/app-0123456789abcdef.wasm.br"));
        assert!(is_hashed("/icons/icon-192-0123456789abcdef.png"));
        assert!(!is_hashed("/"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/sw.js"));
        assert!(!is_hashed("/app-0123456789ABCDEF.js"));
        assert!(!is_hashed("/app-0123456789abcde.js"));
    }
}
