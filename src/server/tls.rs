//! TLS for client connections: the server certificate and key (PEM) become
//! a rustls acceptor offering TLS 1.2 and 1.3 only, with the ALPN name
//! `postgresql` (required by PostgreSQL 17's direct TLS). The certificate
//! chain is kept for SCRAM-SHA-256-PLUS channel binding.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::error::{Error, Result};

/// A loaded certificate: the acceptor, and the PEM for channel binding.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub cert_pem: Arc<Vec<u8>>,
}

impl Tls {
    /// Loads `cert` (a PEM chain, server certificate first) and `key`.
    pub fn load(cert: &Path, key: &Path) -> Result<Tls> {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| Error::Io(format!("could not read \"{}\": {e}", p.display())))
        };
        let cert_pem = read(cert)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Io(format!("\"{}\": {e}", cert.display())))?;
        if chain.is_empty() {
            return Err(Error::Io(format!(
                "\"{}\" holds no certificate",
                cert.display()
            )));
        }
        let key_pem = read(key)?;
        let private = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| Error::Io(format!("\"{}\": {e}", key.display())))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| Error::Io(format!("TLS setup failed: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| Error::Io(format!("certificate and key do not work together: {e}")))?;
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            cert_pem: Arc::new(cert_pem),
        })
    }
}
