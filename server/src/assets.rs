//! Serving the built app from `dist/`.
//!
//! File names with a content hash (`app-0123456789abcdef.js`) never change
//! content, so browsers may keep them for a year; everything else
//! (`index.html`, `sw.js`) must be revalidated so that a new version is seen.
//! Pre-compressed `.br` and `.gz` siblings made by the xtask are served when
//! the browser accepts them.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub fn router(dist: &Path) -> Router {
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip();
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_control))
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
    use super::is_hashed;

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
