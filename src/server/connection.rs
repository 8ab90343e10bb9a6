//! One client connection from accept to close: admission (a bounded number
//! of connections may be authenticating, in all and per client address),
//! negotiation (TLS), the startup packet, authentication, the session's
//! cancel key, then pgwire's message processing — all before
//! `authentication_timeout` for the part before the session starts.
//!
//! Every malformed message ends the connection with FATAL 08P01; nothing
//! a client sends can panic the server or size a buffer before its bytes
//! arrive (`guard`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, SinkExt, StreamExt};
use parking_lot::Mutex;
use pgwire::api::auth::{
    finish_authentication, protocol_negotiation, save_startup_parameters_to_metadata,
};
use pgwire::api::{
    ClientInfo, DefaultClient, NoopHandler, PgWireConnectionState, METADATA_DATABASE,
};
use pgwire::error::ErrorInfo;
use pgwire::messages::startup::SecretKey;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use pgwire::tokio::server::{process_error, process_message, MaybeTls, PgWireMessageServerCodec};
use serde_json::Value as Json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::codec::Framed;

use super::auth::{Attempt, Authenticator, Login};
use super::errors::error_info;
use super::guard::{Guarded, Limit};
use super::handler::{Handlers, Parameters, Prepared};
use super::negotiate::{self, fatal_bytes, Opening};
use super::startup;
use super::tls::Tls;
use crate::catalog::backends::{Backend, Backends, Registration};
use crate::sql::session::Session;

/// A connection as pgwire's message processing sees it.
pub type Conn = Framed<Guarded<MaybeTls>, PgWireMessageServerCodec<Prepared>>;

/// Largest message before authentication (PostgreSQL's limit too).
const MAX_PREAUTH_MESSAGE: usize = 10_000;

/// What all connections share.
pub struct Front {
    pub handlers: Arc<Handlers>,
    pub auth: Authenticator,
    pub tls: Option<Tls>,
    pub cancels: Arc<Backends>,
    pub admission: Arc<Admission>,
    /// max_connections, taken once authenticated.
    pub sessions: Arc<Semaphore>,
    pub auth_timeout: Duration,
    pub max_message: usize,
    /// Open sessions per role (CONNECTION LIMIT).
    pub role_sessions: Arc<super::role_sessions::RoleSessions>,
}

/// Serves one accepted connection to its end.
pub async fn run(front: Arc<Front>, mut socket: TcpStream, peer: SocketAddr) {
    let Some(admitted) = front.admission.admit(peer.ip()) else {
        tracing::warn!(%peer, "connection refused: too many connections authenticating");
        let _ = socket
            .write_all(&fatal_bytes(
                "53300",
                "too many connections are authenticating; try again later",
            ))
            .await;
        return;
    };
    let started =
        tokio::time::timeout(front.auth_timeout, open_session(&front, socket, peer)).await;
    drop(admitted);
    let (mut conn, registration, _permit) = match started {
        Ok(Some(session)) => session,
        Ok(None) => return,
        Err(_) => {
            tracing::info!(%peer, "authentication timed out");
            audit_auth(&front, false, peer, "", "", "authentication timeout");
            return;
        }
    };
    serve_messages(&front, &mut conn, &registration.backend).await;
    // The session's temporary tables go with it (on a blocking thread:
    // dropping them commits).
    if let Some(session) = conn.session_extensions().get::<Mutex<Session>>() {
        let _ = tokio::task::spawn_blocking(move || session.lock().close()).await;
    }
}

/// An authenticated connection with what it holds until it ends: its
/// cancel key, its max_connections place and its place in its role's
/// CONNECTION LIMIT.
type Started = (
    Conn,
    Registration,
    (OwnedSemaphorePermit, Option<super::role_sessions::RoleSlot>),
);

/// Negotiation, startup and authentication; the connection ready for
/// queries, or None once it was answered and closed.
async fn open_session(front: &Front, socket: TcpStream, peer: SocketAddr) -> Option<Started> {
    let (stream, tls, head) = match negotiate::negotiate(socket, peer, front.tls.as_ref()).await {
        Opening::Startup { stream, tls, head } => (stream, tls, head),
        Opening::Cancel { pid, key } => {
            front.cancels.cancel(pid, &key);
            return None;
        }
        Opening::Closed(why) => {
            tracing::debug!(%peer, why, "connection closed before startup");
            return None;
        }
    };
    let limit = Limit::default();
    let mut conn: Conn = Framed::new(
        Guarded::new(stream, limit.clone()),
        PgWireMessageServerCodec::new(DefaultClient::new(peer, tls)),
    );
    let packet = match startup::read(conn.get_mut(), head).await {
        Ok(p) => p,
        Err(Some(bad)) => {
            let _ = conn
                .get_mut()
                .write_all(&fatal_bytes(bad.code, &bad.message))
                .await;
            return None;
        }
        Err(None) => return None,
    };
    limit.set(MAX_PREAUTH_MESSAGE);
    let mut message = pgwire::messages::startup::Startup::new();
    message.protocol_number_major = packet.major;
    message.protocol_number_minor = packet.minor;
    message.parameters = packet.params.clone();
    if protocol_negotiation(&mut conn, &message).await.is_err() {
        return None;
    }
    save_startup_parameters_to_metadata(&mut conn, &message);
    conn.set_state(PgWireConnectionState::AuthenticationInProgress);

    let attempt = Attempt {
        params: &packet.params,
        address: peer.ip(),
        tls,
    };
    let user = packet.params.get("user").cloned().unwrap_or_default();
    let login = match front.auth.authenticate(&mut conn, &attempt).await {
        Ok(login) => login,
        Err(failure) => {
            tracing::info!(%peer, user, reason = failure.reason, "authentication failed");
            audit_auth(front, false, peer, &user, "", &failure.reason);
            if failure.delay {
                tokio::time::sleep(front.auth.failure_delay).await;
            }
            fatal(&mut conn, error_info(&failure.error, "FATAL")).await;
            return None;
        }
    };
    audit_auth(front, true, peer, &user, login.method, "");
    let Ok(permit) = front.sessions.clone().try_acquire_owned() else {
        tracing::warn!(%peer, "connection refused: max_connections reached");
        fatal(
            &mut conn,
            ErrorInfo::new(
                "FATAL".into(),
                "53300".into(),
                "sorry, too many clients already".into(),
            ),
        )
        .await;
        return None;
    };
    let role_slot = match admit_role(front, &login) {
        Ok(slot) => slot,
        Err(refusal) => {
            tracing::info!(%peer, user, "connection refused: {}", refusal.message);
            fatal(&mut conn, *refusal).await;
            return None;
        }
    };
    let registration = start_session(front, &mut conn, &login, packet.minor);
    if finish_authentication(&mut conn, &Parameters).await.is_err() {
        return None;
    }
    limit.set(front.max_message);
    Some((conn, registration, (permit, role_slot)))
}

/// Describe of a portal that is a DECLAREd cursor (as psycopg's server
/// cursors send): PostgreSQL's cursors are portals, pgwire's portal store
/// knows only protocol-level ones, so the session answers. True if it did.
async fn describe_cursor(conn: &mut Conn, message: &PgWireFrontendMessage) -> bool {
    let PgWireFrontendMessage::Describe(d) = message else {
        return false;
    };
    let (b'P', Some(name)) = (d.target_type, d.name.as_deref()) else {
        return false;
    };
    let Some(columns) = conn
        .session_extensions()
        .get::<Mutex<Session>>()
        .and_then(|s| s.lock().cursor_columns(name))
    else {
        return false;
    };
    let Ok(fields) = super::encode::fields(&columns, &pgwire::api::portal::Format::UnifiedText)
    else {
        return false;
    };
    let description =
        pgwire::messages::data::RowDescription::new(fields.iter().map(Into::into).collect());
    let _ = conn
        .send(PgWireBackendMessage::RowDescription(description))
        .await;
    true
}

/// The checks PostgreSQL makes once a role has authenticated: CONNECT on
/// the database and the role's CONNECTION LIMIT (superusers skip both).
fn admit_role(
    front: &Front,
    login: &Login,
) -> std::result::Result<Option<super::role_sessions::RoleSlot>, Box<ErrorInfo>> {
    if login.role.superuser {
        return Ok(None);
    }
    let catalog = front.handlers.engine().catalog();
    let database = crate::catalog::AclObject::Database(
        catalog
            .database_by_name(&login.database)
            .map_or(crate::catalog::acl::DATABASE_OID, |d| d.oid),
    );
    if !catalog
        .privileges_of(login.role.oid, database)
        .contains(crate::catalog::Privs::CONNECT)
    {
        let mut info = ErrorInfo::new(
            "FATAL".into(),
            "42501".into(),
            format!("permission denied for database \"{}\"", login.database),
        );
        info.detail = Some("User does not have CONNECT privilege.".into());
        return Err(Box::new(info));
    }
    front
        .role_sessions
        .take(login.role.oid, login.role.connection_limit)
        .map(Some)
        .ok_or_else(|| {
            Box::new(ErrorInfo::new(
                "FATAL".into(),
                "53300".into(),
                format!("too many connections for role \"{}\"", login.role.name),
            ))
        })
}

/// The session, its cancel key and what ParameterStatus reports.
fn start_session(front: &Front, conn: &mut Conn, login: &Login, minor: u16) -> Registration {
    let interrupt = Arc::new(AtomicBool::new(false));
    let registration = front.cancels.register(
        interrupt.clone(),
        if minor >= 2 { 32 } else { 4 },
        login.role.oid,
    );
    let key = match minor {
        0 | 1 => SecretKey::I32(i32::from_be_bytes(
            registration.key[..4].try_into().expect("4-byte key"),
        )),
        _ => SecretKey::Bytes(registration.key.clone().into()),
    };
    conn.set_pid_and_secret_key(registration.pid, key);
    let metadata = conn.metadata_mut();
    metadata.insert(METADATA_DATABASE.to_string(), login.database.clone());
    metadata.insert(
        "is_superuser".to_string(),
        if login.role.superuser { "on" } else { "off" }.to_string(),
    );
    let startup = conn.metadata().clone();
    let session = Session::new(front.handlers.engine().clone())
        .with_user(login.role.oid)
        .with_interrupt(interrupt)
        .with_backend(registration.pid, registration.backend.clone())
        .with_database(&login.database)
        .with_startup_settings(startup.iter());
    conn.session_extensions()
        .get_or_insert_with(|| Mutex::new(session));
    registration
}

/// Queries until the client leaves or breaks the protocol.
async fn serve_messages(front: &Front, conn: &mut Conn, backend: &Backend) {
    let handlers = &front.handlers;
    let startup = handlers.startup();
    let queries = handlers.queries();
    // CancelRequests are answered in `negotiate`, never in a session.
    let cancel = Arc::new(NoopHandler);
    let wake = Arc::new(tokio::sync::Notify::new());
    let waker = wake.clone();
    backend.set_waker(Box::new(move || waker.notify_one()));
    loop {
        // pgwire's decoders can panic on some malformed bodies (a Describe
        // with no body indexes past its end: found by fuzz/); that is a
        // protocol violation like any other.
        // pg_terminate_backend wakes an idle session, too.
        let next = tokio::select! {
            next = std::panic::AssertUnwindSafe(conn.next()).catch_unwind() => next,
            _ = wake.notified() => {
                terminated(conn).await;
                break;
            }
        };
        let message = match next {
            Err(_) => {
                tracing::warn!("a malformed message panicked the decoder");
                fatal(
                    conn,
                    ErrorInfo::new(
                        "FATAL".into(),
                        "08P01".into(),
                        "invalid message format".into(),
                    ),
                )
                .await;
                break;
            }
            Ok(next) => next,
        };
        let message = match message {
            Some(Ok(PgWireFrontendMessage::Terminate(_))) | None => break,
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                let text = if conn.get_ref().limit_tripped() {
                    "invalid message length".to_string()
                } else {
                    e.to_string()
                };
                fatal(conn, ErrorInfo::new("FATAL".into(), "08P01".into(), text)).await;
                break;
            }
        };
        if describe_cursor(conn, &message).await
            || super::portal_moves::move_portal(conn, &message, &queries).await
        {
            continue;
        }
        let extended_query = match conn.state() {
            PgWireConnectionState::CopyInProgress(extended) => extended,
            _ => message.is_extended_query(),
        };
        let result = process_message(
            message,
            conn,
            startup.clone(),
            queries.clone(),
            queries.clone(),
            queries.clone(),
            cancel.clone(),
        )
        .await;
        if let Err(e) = result {
            let is_fatal = e.is_fatal();
            if process_error(conn, e, extended_query).await.is_err() || is_fatal {
                break;
            }
        }
        if backend.terminating() {
            terminated(conn).await;
            break;
        }
    }
}

/// FATAL 57P01, as a session ended by pg_terminate_backend is told.
async fn terminated(conn: &mut Conn) {
    let info = ErrorInfo::new(
        "FATAL".into(),
        "57P01".into(),
        "terminating connection due to administrator command".into(),
    );
    fatal(conn, info).await;
}

/// Sends a FATAL error; the caller then closes.
async fn fatal(conn: &mut Conn, info: ErrorInfo) {
    let _ = conn
        .send(PgWireBackendMessage::ErrorResponse(info.into()))
        .await;
}

fn audit_auth(front: &Front, ok: bool, peer: SocketAddr, user: &str, method: &str, reason: &str) {
    let Some(audit) = front.handlers.engine().audit() else {
        return;
    };
    let mut fields = vec![
        ("user", Json::from(user)),
        ("address", Json::from(peer.ip().to_canonical().to_string())),
    ];
    if ok {
        fields.push(("method", Json::from(method)));
        audit.record("auth.success", &fields);
    } else {
        fields.push(("reason", Json::from(reason)));
        audit.record("auth.failure", &fields);
    }
}

/// Admission of connections that have not authenticated yet.
pub struct Admission {
    total: Arc<Semaphore>,
    per_host: Mutex<HashMap<IpAddr, usize>>,
    per_host_max: usize,
}

/// A connection's place among those authenticating; freed when dropped.
pub struct Admitted {
    admission: Arc<Admission>,
    ip: IpAddr,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut hosts = self.admission.per_host.lock();
        if let Some(n) = hosts.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                hosts.remove(&self.ip);
            }
        }
    }
}

impl Admission {
    /// Room for `total` connections authenticating, `per_host` from one address.
    pub fn new(total: usize, per_host: usize) -> Arc<Admission> {
        Arc::new(Admission {
            total: Arc::new(Semaphore::new(total)),
            per_host: Mutex::new(HashMap::new()),
            per_host_max: per_host,
        })
    }

    /// A place for a connection from `ip`, if there is one.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admitted> {
        let ip = ip.to_canonical();
        let permit = self.total.clone().try_acquire_owned().ok()?;
        let mut hosts = self.per_host.lock();
        let n = hosts.entry(ip).or_insert(0);
        if *n >= self.per_host_max {
            return None;
        }
        *n += 1;
        Some(Admitted {
            admission: self.clone(),
            ip,
            _permit: permit,
        })
    }
}
