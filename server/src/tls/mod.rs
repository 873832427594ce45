//! HTTPS by the server itself: a certificate from files the operator
//! gives (`--tls-cert`, `--tls-key`; [`files`]) or one obtained and
//! renewed by ACME (`--acme-domain`; [`acme`]). Either way the certificate
//! in use lives in [`Certs`], which rustls asks at every handshake, so a
//! new one takes effect for the next connection without a restart and
//! without dropping the connections already open.

pub mod acme;
pub mod files;

use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Why a certificate could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0} holds no PEM certificate")]
    NoCertificate(String),
    #[error("{0} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)")]
    NoKey(String),
    #[error("the private key cannot be used: {0}")]
    BadKey(String),
    #[error("the certificate cannot be read: {0}")]
    BadCertificate(String),
}

/// The certificate served now; swapped whole when a new one arrives.
#[derive(Debug, Default)]
pub struct Certs {
    current: RwLock<Option<Arc<CertifiedKey>>>,
}

impl Certs {
    pub fn set(&self, key: CertifiedKey) {
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(Arc::new(key));
        }
    }

    pub fn has_one(&self) -> bool {
        self.current.read().is_ok_and(|c| c.is_some())
    }
}

impl ResolvesServerCert for Certs {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().and_then(|c| c.clone())
    }
}

/// The provider every TLS part of the server uses: ring, which builds with
/// the C compiler SQLite already needs (aws-lc, rustls's default, needs
/// cmake and clang too) and which instant-acme shares. rustls marks it
/// deprecated for lacking post-quantum key exchange; the classical
/// exchanges it offers are what browsers negotiate with it today.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// rustls's configuration for the server, HTTP/1.1 only (what hyper serves).
pub fn server_config(certs: Arc<Certs>) -> Result<Arc<ServerConfig>, TlsError> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::BadKey(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(certs);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A certificate chain and its key, from PEM text, ready to serve.
pub fn certified_key(chain_pem: &[u8], key_pem: &[u8], chain_name: &str, key_name: &str) -> Result<CertifiedKey, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem).filter_map(Result::ok).collect();
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(chain_name.to_owned()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| TlsError::NoKey(key_name.to_owned()))?;
    let signing = provider().key_provider.load_private_key(key).map_err(|e| TlsError::BadKey(e.to_string()))?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match().map_err(|e| TlsError::BadKey(format!("it does not belong to the certificate ({e})")))?;
    Ok(certified)
}

/// When the first certificate of a chain stops being valid, in Unix ms.
pub fn not_after_ms(key: &CertifiedKey) -> Result<u64, TlsError> {
    let leaf = key.end_entity_cert().map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    Ok((cert.validity().not_after.timestamp().max(0) as u64) * 1000)
}

/// When to renew a certificate valid from `not_before` to `not_after`
/// (Unix ms): 30 days before it ends, or once two thirds of its life are
/// over if it is shorter than 90 days (as ACME clients commonly do).
pub fn renew_at_ms(not_before: u64, not_after: u64) -> u64 {
    const THIRTY_DAYS: u64 = 30 * 24 * 3600 * 1000;
    let life = not_after.saturating_sub(not_before);
    not_after.saturating_sub(THIRTY_DAYS.min(life / 3))
}

/// When a certificate's life began, in Unix ms.
pub fn not_before_ms(key: &CertifiedKey) -> Result<u64, TlsError> {
    let leaf = key.end_entity_cert().map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| TlsError::BadCertificate(e.to_string()))?;
    Ok((cert.validity().not_before.timestamp().max(0) as u64) * 1000)
}

#[cfg(test)]
mod tests {
    use super::renew_at_ms;

    #[test]
    fn renews_thirty_days_ahead_or_after_two_thirds_of_a_short_life() {
        let day = 24 * 3600 * 1000;
        assert_eq!(renew_at_ms(0, 90 * day), 60 * day, "Let's Encrypt's 90 days: at day 60");
        assert_eq!(renew_at_ms(0, 365 * day), 335 * day, "a year: 30 days before");
        assert_eq!(renew_at_ms(0, 60_000), 40_000, "a test CA's minute: after 40 s");
    }
}
