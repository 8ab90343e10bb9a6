//! The network front: a TCP listener whose connections each run in their
//! own task (`connection`), so an error or panic in one session never
//! reaches another. Before a session starts, FlintDB's own code reads the
//! opening bytes (`negotiate`, TLS in `tls`), the startup packet
//! (`startup`) and authenticates (`auth`); then pgwire's message
//! processing runs FlintDB's handlers (`handler`), behind a guard on
//! message lengths (`guard`).
//!
//! Owns: sockets, TLS, authentication, the PostgreSQL protocol, encoding
//! values for the wire, mapping errors to SQLSTATEs. Knows nothing of
//! pages or plans.

pub mod auth;
pub mod connection;
pub mod copy;
pub mod copy_out;
pub mod encode;
pub mod errors;
pub mod guard;
pub mod handler;
pub mod negotiate;
pub mod portal_moves;
pub mod role_sessions;
pub mod run;
pub mod startup;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use pgwire::api::auth::sasl::scram::ScramServerAuth;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::security::hba::{self, Rule};

/// How the network front admits and authenticates connections.
#[derive(Clone)]
pub struct FrontOptions {
    pub max_connections: usize,
    pub tls: Option<tls::Tls>,
    pub hba: Vec<Rule>,
    /// The one database clients may connect to.
    pub database: String,
    pub auth_timeout: Duration,
    pub auth_failure_delay: Duration,
    pub max_authenticating: usize,
    pub max_authenticating_per_host: usize,
    /// Largest message after authentication, in bytes.
    pub max_message: usize,
}

impl Default for FrontOptions {
    fn default() -> Self {
        FrontOptions::from_config(&Config::default()).expect("the defaults load")
    }
}

impl FrontOptions {
    /// The front's settings from the server config (loads the certificate).
    pub fn from_config(config: &Config) -> Result<FrontOptions> {
        let tls = match (&config.tls_cert_file, &config.tls_key_file) {
            (Some(cert), Some(key)) => Some(tls::Tls::load(cert, key)?),
            _ => None,
        };
        Ok(FrontOptions {
            max_connections: config.max_connections,
            tls,
            hba: if config.hba.is_empty() {
                hba::default_rules()
            } else {
                config.hba.clone()
            },
            database: config.database.clone(),
            auth_timeout: Duration::from_secs(config.authentication_timeout_s.max(1)),
            auth_failure_delay: Duration::from_millis(config.auth_failure_delay_ms),
            max_authenticating: config.max_authenticating,
            max_authenticating_per_host: config.max_authenticating_per_host,
            max_message: config.max_message_mb * 1024 * 1024,
        })
    }
}

/// Serves connections until `shutdown` completes; then stops accepting,
/// ends every open session (like PostgreSQL's fast shutdown) and returns.
pub async fn serve(
    engine: Arc<Engine>,
    listener: TcpListener,
    options: FrontOptions,
    shutdown: impl Future<Output = ()>,
) {
    let front = match front(engine, options) {
        Ok(f) => Arc::new(f),
        Err(e) => {
            tracing::error!(error = %e, "could not set up the network front");
            return;
        }
    };
    let leftovers = front.handlers.engine().clone();
    let _ = tokio::task::spawn_blocking(move || {
        crate::sql::session::Session::drop_leftover_temp_schemas(leftovers)
    })
    .await;
    let mut sessions = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => continue,
        };
        let (socket, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let front = front.clone();
        sessions.spawn(async move {
            tracing::debug!(%peer, "connection opened");
            connection::run(front, socket, peer).await;
            tracing::debug!(%peer, "connection closed");
        });
    }
    sessions.shutdown().await;
}

fn front(engine: Arc<Engine>, options: FrontOptions) -> Result<connection::Front> {
    let scram = ScramServerAuth::new();
    let scram_tls = match &options.tls {
        Some(tls) => {
            let mut s = ScramServerAuth::new();
            s.configure_certificate(&tls.cert_pem)
                .map_err(|e| Error::Io(format!("channel binding setup failed: {e}")))?;
            Some(s)
        }
        None => None,
    };
    Ok(connection::Front {
        handlers: handler::Handlers::new(engine.clone()),
        cancels: engine.backends().clone(),
        auth: auth::Authenticator {
            engine,
            rules: options.hba,
            database: options.database,
            failure_delay: options.auth_failure_delay,
            scram,
            scram_tls,
        },
        tls: options.tls,
        role_sessions: Default::default(),
        admission: connection::Admission::new(
            options.max_authenticating,
            options.max_authenticating_per_host,
        ),
        sessions: Arc::new(Semaphore::new(options.max_connections)),
        auth_timeout: options.auth_timeout,
        max_message: options.max_message,
    })
}
