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
