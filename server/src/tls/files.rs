//! A certificate the operator gives as files (`--tls-cert`, `--tls-key`),
//! read again when either file changes or on SIGHUP — as after certbot
//! renews it — without a restart. A file that cannot be read keeps the
//! certificate in use, and the log says why.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Certs, TlsError, certified_key, not_after_ms};
use crate::ops::Ops;

/// How often the files' times are looked at.
const POLL: Duration = Duration::from_secs(5);

pub fn load(cert: &Path, key: &Path) -> Result<rustls::sign::CertifiedKey, TlsError> {
    let chain = std::fs::read(cert).map_err(|e| TlsError::Read(cert.display().to_string(), e))?;
    let private = std::fs::read(key).map_err(|e| TlsError::Read(key.display().to_string(), e))?;
    certified_key(&chain, &private, &cert.display().to_string(), &key.display().to_string())
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Watches the files and installs each new certificate into `certs`.
pub async fn watch(cert: PathBuf, key: PathBuf, certs: Arc<Certs>, ops: Ops) {
    let mut seen = (modified(&cert), modified(&key));
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let signalled = async {
            match hup.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let signalled = std::future::pending::<()>();
        let forced = tokio::select! {
            () = tokio::time::sleep(POLL) => false,
            () = signalled => true,
        };
        let now = (modified(&cert), modified(&key));
        if !forced && now == seen {
            continue;
        }
        seen = now;
        match load(&cert, &key) {
            Ok(new) => {
                let expires = not_after_ms(&new).ok();
                certs.set(new);
                ops.certificate(expires, None);
                tracing::info!(cert = %cert.display(), "TLS certificate read again");
            }
            Err(e) => {
                tracing::error!(error = %e, "the TLS certificate could not be read again; the one in use stays");
                ops.certificate_failed(&e.to_string());
            }
        }
    }
}
