//! How the backup tools reach a server: libpq's variables (`PGHOST`,
//! `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`,
//! `PGSSLROOTCERT`) under the command-line flags, and TLS as libpq does
//! it: `prefer` (the default) and `require` encrypt without checking the
//! certificate, `verify-ca` and `verify-full` check it against the root
//! certificate.

use std::sync::Arc;

use tokio_postgres::config::SslMode;
use tokio_postgres::Client;
use tokio_rustls::rustls;

use crate::error::{Error, Result};

/// Connection flags shared by backup and restore.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectArgs {
    /// Server host [env: PGHOST; default: localhost]
    #[arg(long)]
    pub host: Option<String>,
    /// Server port [env: PGPORT; default: 5432]
    #[arg(long, short = 'p')]
    pub port: Option<u16>,
    /// User name [env: PGUSER; default: postgres]
    #[arg(long, short = 'U')]
    pub user: Option<String>,
    /// Database [env: PGDATABASE; default: the user name]
    #[arg(long, short = 'd')]
    pub dbname: Option<String>,
}

/// Where and how to connect, resolved once.
#[derive(Clone)]
pub struct Target {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    pub dbname: String,
    ssl_mode: SslMode,
    root_cert: Option<String>,
    verify_host: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn connect_error(e: tokio_postgres::Error) -> Error {
    Error::Io(format!("could not connect to the server: {}", describe(&e)))
}

/// A tokio-postgres error with the server's message, as psql shows it.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{}: {} ({d})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}

/// A server error as a FlintDB error, its SQLSTATE in the message.
pub fn sql_error(e: tokio_postgres::Error, doing: &str) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Io(format!(
            "{doing}: {} (SQLSTATE {})",
            db.message(),
            db.code().code()
        )),
        None => Error::Io(format!("{doing}: {}", describe(&e))),
    }
}

impl Target {
    /// The target the flags and environment name.
    pub fn resolve(args: &ConnectArgs) -> Result<Target> {
        let user = args
            .user
            .clone()
            .or_else(|| env("PGUSER"))
            .unwrap_or_else(|| "postgres".to_string());
        let ssl = env("PGSSLMODE").unwrap_or_else(|| "prefer".to_string());
        let (ssl_mode, verify, verify_host) = match ssl.as_str() {
            "disable" => (SslMode::Disable, false, false),
            "allow" | "prefer" => (SslMode::Prefer, false, false),
            "require" => (SslMode::Require, false, false),
            "verify-ca" => (SslMode::Require, true, false),
            "verify-full" => (SslMode::Require, true, true),
            other => {
                return Err(Error::input(
                    crate::error::sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid sslmode value: \"{other}\""),
                ))
            }
        };
        let root_cert = if verify {
            let path = env("PGSSLROOTCERT")
                .or_else(|| env("HOME").map(|h| format!("{h}/.postgresql/root.crt")));
            Some(path.ok_or_else(|| {
                Error::Io("sslmode verify-ca/verify-full needs PGSSLROOTCERT".into())
            })?)
        } else {
            None
        };
        Ok(Target {
            host: args
                .host
                .clone()
                .or_else(|| env("PGHOST"))
                .unwrap_or_else(|| "localhost".to_string()),
            port: match args.port {
                Some(p) => p,
                None => env("PGPORT")
                    .map(|p| {
                        p.parse()
                            .map_err(|_| Error::Io(format!("invalid PGPORT \"{p}\"")))
                    })
                    .transpose()?
                    .unwrap_or(5432),
            },
            dbname: args
                .dbname
                .clone()
                .or_else(|| env("PGDATABASE"))
                .unwrap_or_else(|| user.clone()),
            user,
            password: env("PGPASSWORD"),
            ssl_mode,
            root_cert,
            verify_host,
        })
    }

    /// The same server, another database.
    pub fn with_database(&self, dbname: &str) -> Target {
        Target {
            dbname: dbname.to_string(),
            ..self.clone()
        }
    }

    /// Opens a connection; its driver runs on the current runtime.
    pub async fn connect(&self) -> Result<Client> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(&self.dbname)
            .application_name("flintdb backup")
            .ssl_mode(self.ssl_mode);
        if let Some(p) = &self.password {
            config.password(p);
        }
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.tls_config()?);
        let (client, connection) = config.connect(tls).await.map_err(connect_error)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "backup connection ended");
            }
        });
        Ok(client)
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Io(format!("TLS: {e}")))?;
        let Some(path) = &self.root_cert else {
            return Ok(builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
                .with_no_client_auth());
        };
        let mut roots = rustls::RootCertStore::empty();
        use rustls_pki_types::pem::PemObject;
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path).map_err(|e| {
            Error::Io(format!(
                "could not read root certificate file \"{path}\": {e}"
            ))
        })?;
        for cert in certs {
            let cert = cert.map_err(|e| Error::Io(format!("root certificate \"{path}\": {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::Io(format!("root certificate \"{path}\": {e}")))?;
        }
        if self.verify_host {
            return Ok(builder.with_root_certificates(roots).with_no_client_auth());
        }
        // verify-ca: the chain is checked, the host name is not.
        let inner =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| Error::Io(format!("TLS: {e}")))?;
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(inner)))
            .with_no_client_auth();
        Ok(config)
    }
}

/// sslmode prefer/require: encrypted, the certificate unchecked (libpq's
/// behaviour without a root certificate).
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &rustls_pki_types::CertificateDer<'_>,
        _: &[rustls_pki_types::CertificateDer<'_>],
        _: &rustls_pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls_pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// sslmode verify-ca: the chain must lead to the root certificate; a
/// name mismatch is accepted.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl rustls::client::danger::ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &rustls_pki_types::CertificateDer<'_>,
        intermediates: &[rustls_pki_types::CertificateDer<'_>],
        server_name: &rustls_pki_types::ServerName<'_>,
        ocsp: &[u8],
        now: rustls_pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls_pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
