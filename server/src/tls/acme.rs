//! Certificates by ACME (RFC 8555: Let's Encrypt, or any such CA), with
//! `instant-acme`: the account and the certificate are kept in a cache
//! directory (files 0600, the directory 0700), the domain is proved by
//! HTTP-01 (the token answered on `--http-listen`, port 80 by default), and
//! the certificate is renewed before it ends (30 days before, or after two
//! thirds of a shorter life) while the server runs. A failed order is tried
//! again after 1 minute, then 2, 4, … up to 6 hours, and the log says so
//! each time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use instant_acme::{Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy};

use super::{Certs, TlsError, certified_key, not_after_ms, not_before_ms, renew_at_ms};
use crate::clock::now_ms;
use crate::ops::Ops;

/// What the operator configured.
#[derive(Debug, Clone)]
pub struct Settings {
    pub domains: Vec<String>,
    pub email: Option<String>,
    pub directory: String,
    /// A PEM root the directory's own HTTPS is checked against (a private
    /// or test CA) instead of the public roots.
    pub ca: Option<PathBuf>,
    pub cache: PathBuf,
}

impl Settings {
    pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
}

/// HTTP-01 tokens being proved, token → key authorization.
#[derive(Debug, Clone, Default)]
pub struct Challenges(Arc<RwLock<HashMap<String, String>>>);

impl Challenges {
    pub fn answer(&self, token: &str) -> Option<String> {
        self.0.read().ok()?.get(token).cloned()
    }

    fn set(&self, token: &str, key_authorization: &str) {
        if let Ok(mut map) = self.0.write() {
            map.insert(token.to_owned(), key_authorization.to_owned());
        }
    }

    fn clear(&self) {
        if let Ok(mut map) = self.0.write() {
            map.clear();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("the CA: {0}")]
    Acme(#[from] instant_acme::Error),
    #[error("the order ended {0:?} (the CA could not check the domain: is port 80 reachable from the internet at that name?)")]
    Order(OrderStatus),
    #[error("an authorization ended {0:?}")]
    Authorization(AuthorizationStatus),
    #[error("the CA offered no HTTP-01 challenge")]
    NoHttpChallenge,
    #[error("the cache {0}: {1}")]
    Cache(String, std::io::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Gets a certificate if there is none (or it is due), installs it, and
/// keeps renewing it; never returns.
pub async fn run(settings: Settings, certs: Arc<Certs>, challenges: Challenges, ops: Ops) {
    if let Err(e) = private_dir(&settings.cache) {
        tracing::error!(error = %e, "the ACME cache cannot be made; certificates are not kept across restarts");
    }
    // A certificate kept from before, for the same names, is used at once.
    let mut renew_at = match cached(&settings) {
        Some((key, not_before, not_after)) => {
            certs.set(key);
            ops.certificate(Some(not_after), None);
            tracing::info!(domains = ?settings.domains, expires_ms = not_after, "using the kept certificate");
            renew_at_ms(not_before, not_after)
        }
        None => 0,
    };
    let mut backoff = Duration::from_secs(60);
    loop {
        let now = now_ms();
        if now < renew_at {
            // Woken at least hourly, so that a suspended machine or a
            // changed clock does not oversleep the renewal.
            tokio::time::sleep(Duration::from_millis((renew_at - now).min(3_600_000))).await;
            continue;
        }
        tracing::info!(domains = ?settings.domains, directory = %settings.directory, "asking the CA for a certificate");
        match obtain(&settings, &challenges).await {
            Ok((key, not_before, not_after)) => {
                certs.set(key);
                ops.certificate(Some(not_after), Some(now_ms()));
                renew_at = renew_at_ms(not_before, not_after);
                backoff = Duration::from_secs(60);
                tracing::info!(domains = ?settings.domains, expires_ms = not_after, renew_at_ms = renew_at, "new certificate in use");
            }
            Err(e) => {
                ops.certificate_failed(&e.to_string());
                tracing::error!(error = %e, retry_in_minutes = backoff.as_secs() / 60, "could not get a certificate; trying again later");
                challenges.clear();
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(6 * 3600));
            }
        }
    }
}

/// The kept certificate, if it is for these names and not past its end.
fn cached(settings: &Settings) -> Option<(rustls::sign::CertifiedKey, u64, u64)> {
    let names = std::fs::read_to_string(settings.cache.join("domains")).ok()?;
    if names.split_whitespace().collect::<Vec<_>>() != settings.domains.iter().map(String::as_str).collect::<Vec<_>>() {
        return None;
    }
    let (chain, key) = (std::fs::read(settings.cache.join("cert.pem")).ok()?, std::fs::read(settings.cache.join("key.pem")).ok()?);
    let key = certified_key(&chain, &key, "cert.pem", "key.pem").ok()?;
    let (not_before, not_after) = (not_before_ms(&key).ok()?, not_after_ms(&key).ok()?);
    (not_after > now_ms()).then_some((key, not_before, not_after))
}

async fn account(settings: &Settings) -> Result<Account, AcmeError> {
    let builder = || match &settings.ca {
        Some(root) => Account::builder_with_root(root),
        None => Account::builder(),
    };
    let path = settings.cache.join("account.json");
    if let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(credentials) = serde_json::from_str::<AccountCredentials>(&text)
    {
        return Ok(builder()?.from_credentials(credentials).await?);
    }
    let contact = settings.email.as_ref().map(|e| format!("mailto:{e}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder()?
        .create(&NewAccount { contact: &contacts, terms_of_service_agreed: true, only_return_existing: false }, settings.directory.clone(), None)
        .await?;
    let text = serde_json::to_string(&credentials).map_err(|e| AcmeError::Cache("account.json".into(), std::io::Error::other(e)))?;
    write_private(&path, text.as_bytes())?;
    Ok(account)
}

async fn obtain(settings: &Settings, challenges: &Challenges) -> Result<(rustls::sign::CertifiedKey, u64, u64), AcmeError> {
    let account = account(settings).await?;
    let identifiers: Vec<Identifier> = settings.domains.iter().map(|d| Identifier::Dns(d.clone())).collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
    let mut authorizations = order.authorizations();
    while let Some(result) = authorizations.next().await {
        let mut authz = result?;
        match authz.status {
            AuthorizationStatus::Pending => {}
            AuthorizationStatus::Valid => continue,
            other => return Err(AcmeError::Authorization(other)),
        }
        let mut challenge = authz.challenge(ChallengeType::Http01).ok_or(AcmeError::NoHttpChallenge)?;
        challenges.set(&challenge.token, challenge.key_authorization().as_str());
        challenge.set_ready().await?;
    }
    let retries = RetryPolicy::new().timeout(Duration::from_secs(120));
    let status = order.poll_ready(&retries).await?;
    if status != OrderStatus::Ready {
        challenges.clear();
        return Err(AcmeError::Order(status));
    }
    let key_pem = order.finalize().await?;
    let chain_pem = order.poll_certificate(&retries).await?;
    challenges.clear();
    let key = certified_key(chain_pem.as_bytes(), key_pem.as_bytes(), "the CA's certificate", "the new key")?;
    let (not_before, not_after) = (not_before_ms(&key)?, not_after_ms(&key)?);
    write_private(&settings.cache.join("key.pem"), key_pem.as_bytes())?;
    write_private(&settings.cache.join("cert.pem"), chain_pem.as_bytes())?;
    write_private(&settings.cache.join("domains"), settings.domains.join(" ").as_bytes())?;
    Ok((key, not_before, not_after))
}

fn private_dir(dir: &Path) -> Result<(), AcmeError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| AcmeError::Cache(dir.display().to_string(), e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| AcmeError::Cache(dir.display().to_string(), e))
}

/// Writes a file readable by this user only, replacing it whole.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AcmeError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |e| AcmeError::Cache(path.display().to_string(), e);
    let staged = path.with_extension("new");
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&staged).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&staged, path).map_err(fail)
}
