//! HTTPS by the server itself with given certificate files: HSTS, Secure
//! cookies, the certificate's end on the health page, a new certificate
//! picked up while connections stay open, plain HTTP sent to https; and
//! behind a proxy, forwarded headers believed only from the proxy.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use nimo_core::api::{Health, LoginRequest};
use nimo_server::client::Cidr;
use nimo_server::config::Tls;
use nimo_tests::spawn_app_with;

/// A CA and a certificate for `localhost` signed by it, as PEM.
struct Pki {
    ca_pem: String,
    ca: rcgen::Issuer<'static, rcgen::KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, "nimo test CA");
        let cert = params.self_signed(&key).unwrap();
        Self { ca_pem: cert.pem(), ca: rcgen::Issuer::new(params, key) }
    }

    /// A leaf for localhost and 127.0.0.1: (chain PEM, key PEM).
    fn leaf(&self, serial: u64) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params.serial_number = Some(rcgen::SerialNumber::from(serial));
        let cert = params.signed_by(&key, &self.ca).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap())
            .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], 0)))
            .cookie_store(true)
            .no_proxy()
            .tls_info(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}

fn write(dir: &Path, (chain, key): &(String, String)) {
    std::fs::write(dir.join("cert.pem.new"), chain).unwrap();
    std::fs::rename(dir.join("cert.pem.new"), dir.join("cert.pem")).unwrap();
    std::fs::write(dir.join("key.pem.new"), key).unwrap();
    std::fs::rename(dir.join("key.pem.new"), dir.join("key.pem")).unwrap();
}

/// The serial of the certificate a response came with.
fn serial(response: &reqwest::Response) -> Vec<u8> {
    let der = response.extensions().get::<reqwest::tls::TlsInfo>().and_then(|i| i.peer_certificate()).expect("a peer certificate").to_vec();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    cert.raw_serial().to_vec()
}

#[tokio::test]
async fn serves_https_with_given_files_hsts_secure_cookies_and_says_when_the_certificate_ends() {
    let pki = Pki::new();
    let certs = tempfile::tempdir().unwrap();
    write(certs.path(), &pki.leaf(1));
    let dir = tempfile::tempdir().unwrap();
    let http_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(dir, |c| {
        c.tls = Some(Tls::Files { cert: certs.path().join("cert.pem"), key: certs.path().join("key.pem") });
        c.public_url = "https://localhost".into();
        c.http_listen = Some(SocketAddr::from(([127, 0, 0, 1], http_port)));
    })
    .await;
    let base = format!("https://localhost:{}", app.addr.port());
    let client = pki.client();
    let health = client.get(format!("{base}/api/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(serial(&health), [1]);
    assert!(health.headers().get("strict-transport-security").is_some(), "HSTS over https");
    let health: Health = health.json().await.unwrap();
    assert!(health.certificate_expires_ms.is_some_and(|ms| ms > nimo_server::clock::now_ms()), "the health page says when the certificate ends");

    // A session cookie over https is Secure.
    let (_, code) = app.create_group("証明書の会").await;
    let request = nimo_tests::phone::join_request(&base, &client, &code, "tlsuser", &nimo_tests::passphrase_of("tlsuser")).await.0;
    let joined = client.post(format!("{base}/api/join")).json(&request).send().await.unwrap();
    assert_eq!(joined.status(), 200);
    let cookie = joined.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Plain HTTP is sent to https, path and all.
    let plain = client.get(format!("http://127.0.0.1:{http_port}/api/health?x=1")).header("host", "localhost").send().await.unwrap();
    assert_eq!(plain.status(), 308);
    assert_eq!(plain.headers()["location"], format!("https://localhost:{}/api/health?x=1", app.addr.port()).as_str());

    // A renewed certificate (as certbot writes it) is used for the next
    // connection; the open one goes on.
    let keep = client.get(format!("{base}/api/health")).send().await.unwrap();
    assert_eq!(serial(&keep), [1]);
    write(certs.path(), &pki.leaf(2));
    let mut fresh = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let client = pki.client();
        fresh = serial(&client.get(format!("{base}/api/health")).send().await.unwrap());
        if fresh == [2] {
            break;
        }
    }
    assert_eq!(fresh, [2], "the new certificate is served within seconds");
    assert_eq!(client.get(format!("{base}/api/health")).send().await.unwrap().status(), 200, "the client's open connection still works");
    // A broken file keeps the certificate in use, and the health page says so.
    std::fs::write(certs.path().join("cert.pem"), "not a certificate").unwrap();
    let mut said = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let h: Health = pki.client().get(format!("{base}/api/health")).send().await.unwrap().json().await.unwrap();
        if h.certificate_failed.is_some() {
            said = h.certificate_failed;
            break;
        }
    }
    assert!(said.is_some(), "a failed reading is said");
    assert_eq!(serial(&pki.client().get(format!("{base}/api/health")).send().await.unwrap()), [2], "the good certificate stays in use");
}

async fn attempt(app: &nimo_tests::TestApp, login: &str, forwarded: &str) -> u16 {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded)
        // An auth key no account has (the server cannot tell it from a wrong one).
        .json(&LoginRequest { login: login.into(), auth: nimo_core::crypto::b64(&[7; 32]), device_name: "d".into(), bearer: false })
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_forged_x_forwarded_for_from_anyone_but_the_proxy_gets_no_fresh_throttle() {
    // The proxy is elsewhere: this client's own X-Forwarded-For is ignored,
    // and its twenty guesses per address run out whatever it claims.
    let app = spawn_app_with(tempfile::tempdir().unwrap(), |c| c.trust_proxy = vec![Cidr::parse("10.0.0.0/8").unwrap()]).await;
    let mut statuses = Vec::new();
    for i in 0..22 {
        statuses.push(attempt(&app, &format!("forger{i}"), &format!("203.0.113.{i}")).await);
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[20..], [429, 429], "the address's limit holds: {statuses:?}");

    // Behind a trusted proxy, each client is counted by the address the
    // proxy saw.
    let app = spawn_app_with(tempfile::tempdir().unwrap(), |c| c.trust_proxy = vec![Cidr::parse("127.0.0.1").unwrap()]).await;
    for i in 0..22 {
        assert_eq!(attempt(&app, &format!("behind{i}"), &format!("203.0.113.{i}")).await, 401, "attempt {i} comes from its own address");
    }
}
