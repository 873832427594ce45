//! Serving the built app: MIME types, caching and pre-compressed files.

use nimo_tests::spawn_app_in;

async fn app_with_dist() -> nimo_tests::TestApp {
    // The dist directory lives inside the app's own temporary directory.
    let dir = tempfile::tempdir().unwrap();
    let d = &dir.path().join("dist");
    std::fs::create_dir(d).unwrap();
    std::fs::write(d.join("index.html"), "<!doctype html><title>nimo</title>").unwrap();
    std::fs::write(d.join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::write(d.join("app-0123456789abcdef.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(d.join("app-0123456789abcdef.js"), "export default 1;").unwrap();
    std::fs::write(d.join("app-0123456789abcdef.js.br"), b"BROTLI").unwrap();
    std::fs::write(d.join("app-0123456789abcdef.js.gz"), b"GZIP").unwrap();
    std::fs::write(d.join("manifest-0123456789abcdef.webmanifest"), "{}").unwrap();
    let dist = d.to_owned();
    spawn_app_in(dir, Some(dist)).await
}

#[tokio::test]
async fn index_and_service_worker_are_revalidated() {
    let app = app_with_dist().await;
    for path in ["/", "/sw.js"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(r.headers().contains_key("content-security-policy"), "{path}");
    }
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn hashed_files_are_immutable_with_correct_types() {
    let app = app_with_dist().await;
    let cases = [
        ("/app-0123456789abcdef.wasm", "application/wasm"),
        ("/app-0123456789abcdef.js", "text/javascript"),
        ("/manifest-0123456789abcdef.webmanifest", "application/manifest+json"),
    ];
    for (path, mime) in cases {
        let r = app.client.get(app.url(path)).header("accept-encoding", "identity").send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable", "{path}");
        assert_eq!(r.headers()["content-type"], mime, "{path}");
    }
}

#[tokio::test]
async fn serves_precompressed_copies_to_clients_that_accept_them() {
    let app = app_with_dist().await;
    let get = |enc: &'static str| {
        app.client.get(app.url("/app-0123456789abcdef.js")).header("accept-encoding", enc).send()
    };
    let br = get("br, gzip").await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"BROTLI");
    let gz = get("gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get("identity").await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.text().await.unwrap(), "export default 1;");
}

#[tokio::test]
async fn missing_files_are_404_and_not_the_page() {
    let app = app_with_dist().await;
    let r = app.client.get(app.url("/app-ffffffffffffffff.js")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// The page an invite link `/join#<code>` opens (the code after `#` never
/// reaches the server): the one page the server sends with inline style
/// and script, each allowed by its hash alone.
#[tokio::test]
async fn an_invite_link_gets_the_join_page_with_its_inline_parts_allowed_by_hash() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let d = &dir.path().join("dist");
    std::fs::create_dir(d).unwrap();
    std::fs::write(d.join("index.html"), "<!doctype html><title>nimo</title>").unwrap();
    let style = "body{margin:0}";
    let script = "document.title='x';";
    let page = format!("<!doctype html><style>{style}</style><form id=\"page-join\"></form><script>{script}</script>");
    std::fs::write(d.join("join.html"), &page).unwrap();
    let dist = d.to_owned();
    let app = spawn_app_in(dir, Some(dist)).await;

    let r = app.client.get(app.url("/join")).header("accept-encoding", "identity").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let hash = |s: &str| format!("'sha256-{}'", nimo_server::headers::base64(&Sha256::digest(s.as_bytes())));
    assert!(csp.contains(&format!("style-src 'self' {};", hash(style))), "{csp}");
    assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' {};", hash(script))), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.text().await.unwrap(), page);

    // Everything else keeps the policy without any inline part.
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["content-security-policy"], nimo_server::headers::CONTENT_SECURITY_POLICY);
    // The old form of the link, with the code in the path the server sees,
    // is not served.
    let r = app.client.get(app.url("/join/ABCD-EFGH-JKMN")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// A build without the join page (an older `dist/`) answers the link with
/// the app's page, whose `boot.js` reads the code from the address.
#[tokio::test]
async fn without_a_join_page_an_invite_link_gets_the_apps_page() {
    let app = app_with_dist().await;
    let r = app.client.get(app.url("/join")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "<!doctype html><title>nimo</title>");
}
