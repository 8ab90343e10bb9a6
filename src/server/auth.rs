//! Authentication of a connection that has sent its startup packet: the
//! host rules pick a method, SCRAM-SHA-256 (or -PLUS over TLS) checks the
//! password against the stored verifier, and the role and database are
//! checked as PostgreSQL does after authentication.
//!
//! An unknown user, a user without a password and a wrong password look
//! the same from outside: the same SASL exchange with a salt that does not
//! change between attempts (a mock one for unknown users), the same error
//! (28P01), and the same fixed delay before it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::SinkExt;
use pgwire::api::auth::sasl::scram::{ScramSecret, ScramServerAuth};
use pgwire::error::PgWireError;
use pgwire::messages::startup::Authentication;
use pgwire::messages::PgWireBackendMessage;
use tokio::io::AsyncReadExt;

use super::connection::Conn;
use crate::catalog::RoleDef;
use crate::engine::Engine;
use crate::errinput;
use crate::error::{sqlstate, Error};
use crate::security::hba::{self, Method, Rule};
use crate::security::scram::Verifier;

const SCRAM: &str = "SCRAM-SHA-256";
const SCRAM_PLUS: &str = "SCRAM-SHA-256-PLUS";
/// Largest password-family message before authentication.
const MAX_AUTH_MESSAGE: usize = 10_000;

/// What every connection's authentication shares.
pub struct Authenticator {
    pub engine: Arc<Engine>,
    pub rules: Vec<Rule>,
    pub database: String,
    pub failure_delay: Duration,
    /// SCRAM for plain connections, and with channel binding for TLS ones.
    pub scram: ScramServerAuth,
    pub scram_tls: Option<ScramServerAuth>,
}

/// Why authentication failed: the error for the client, the reason for
/// the log and the audit, and whether the failure delay applies.
pub struct Failure {
    pub error: Error,
    pub reason: String,
    pub delay: bool,
}

impl Failure {
    fn new(error: Error, reason: impl Into<String>) -> Failure {
        Failure {
            error,
            reason: reason.into(),
            delay: true,
        }
    }

    /// A failure answered at once (nothing a guesser learns from).
    fn immediate(error: Error, reason: impl Into<String>) -> Failure {
        Failure {
            delay: false,
            ..Failure::new(error, reason)
        }
    }

    fn protocol(message: &str) -> Failure {
        Failure::immediate(
            errinput!(sqlstate::PROTOCOL_VIOLATION, "{message}"),
            message,
        )
    }
}

/// Who connected, once authenticated.
pub struct Login {
    pub role: RoleDef,
    pub database: String,
    pub method: &'static str,
}

/// The connection being authenticated.
pub struct Attempt<'a> {
    pub params: &'a BTreeMap<String, String>,
    pub address: IpAddr,
    pub tls: bool,
}

impl Authenticator {
    /// Authenticates the connection the startup packet describes.
    pub async fn authenticate(
        &self,
        conn: &mut Conn,
        attempt: &Attempt<'_>,
    ) -> Result<Login, Failure> {
        let user = attempt.params.get("user").map(String::as_str).unwrap_or("");
        if user.is_empty() {
            return Err(Failure::immediate(
                errinput!(
                    sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet"
                ),
                "no user name",
            ));
        }
        let database = attempt
            .params
            .get("database")
            .filter(|d| !d.is_empty())
            .map_or(user, String::as_str);
        let roles = self.engine.catalog().roles();
        let role = roles.by_name(user).cloned();
        let rule = {
            let member_of = |name: &str| match (&role, roles.by_name(name)) {
                (Some(r), Some(group)) => roles.memberships(r.oid, false).contains(&group.oid),
                _ => false,
            };
            let request = hba::Request {
                database,
                user,
                address: attempt.address,
                tls: attempt.tls,
                member_of: &member_of,
            };
            hba::find(&self.rules, &request).map(|r| r.method)
        };
        let encryption = if attempt.tls {
            "SSL encryption"
        } else {
            "no encryption"
        };
        let host = attempt.address.to_canonical();
        let method = match rule {
            None => {
                return Err(Failure::new(
                    errinput!(
                        sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                        "no pg_hba.conf entry for host \"{host}\", user \"{user}\", database \"{database}\", {encryption}"
                    ),
                    "no matching host rule",
                ))
            }
            Some(Method::Reject) => {
                return Err(Failure::new(
                    errinput!(
                        sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                        "pg_hba.conf rejects connection for host \"{host}\", user \"{user}\", database \"{database}\", {encryption}"
                    ),
                    "host rule rejects",
                ))
            }
            Some(Method::Trust) => "trust",
            Some(Method::ScramSha256) => {
                self.scram_exchange(conn, user, role.as_ref(), attempt.tls).await?;
                "scram-sha-256"
            }
        };
        let Some(role) = role else {
            return Err(Failure::new(
                errinput!(
                    sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    "role \"{user}\" does not exist"
                ),
                "no such role",
            ));
        };
        if !role.login {
            return Err(Failure::new(
                errinput!(
                    sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    "role \"{user}\" is not permitted to log in"
                ),
                "role may not log in",
            ));
        }
        if matches!(database, "template0" | "template1") {
            return Err(Failure::immediate(
                errinput!(
                    "55000",
                    "database \"{database}\" is not currently accepting connections"
                ),
                "template database",
            ));
        }
        if database != self.database && self.engine.catalog().database_by_name(database).is_none() {
            return Err(Failure::immediate(
                errinput!(
                    sqlstate::INVALID_CATALOG_NAME,
                    "database \"{database}\" does not exist"
                ),
                "no such database",
            ));
        }
        Ok(Login {
            role,
            database: database.to_string(),
            method,
        })
    }

    /// The SASL exchange. Fails the same way whatever is wrong.
    async fn scram_exchange(
        &self,
        conn: &mut Conn,
        user: &str,
        role: Option<&RoleDef>,
        tls: bool,
    ) -> Result<(), Failure> {
        let now = crate::types::datetime::now_micros();
        let stored = role
            .filter(|r| r.valid_until.is_none_or(|t| t > now))
            .and_then(|r| r.password.as_deref())
            .and_then(Verifier::parse);
        let real = stored.is_some();
        let verifier = stored.unwrap_or_else(|| Verifier::mock(user, self.engine.auth_secret()));
        let scram = match (&self.scram_tls, tls) {
            (Some(with_binding), true) => with_binding,
            _ => &self.scram,
        };
        let mut mechanisms = vec![SCRAM.to_string()];
        if tls && self.scram_tls.is_some() {
            mechanisms.insert(0, SCRAM_PLUS.to_string());
        }
        send(conn, Authentication::SASL(mechanisms.clone())).await?;

        let initial = read_password_message(conn).await?;
        let (mechanism, data) = parse_initial_response(&initial)
            .ok_or_else(|| Failure::protocol("invalid SASLInitialResponse message"))?;
        if !mechanisms.iter().any(|m| m == mechanism) {
            return Err(Failure::protocol(
                "client selected an invalid SASL authentication mechanism",
            ));
        }
        let secret = ScramSecret::Verifier {
            salt: verifier.salt.clone(),
            iterations: verifier.iterations as usize,
            stored_key: verifier.stored_key.to_vec(),
            server_key: verifier.server_key.to_vec(),
        };
        let (server_first, waiting) = scram
            .on_client_first_message_with_secret(data, secret)
            .map_err(scram_failure)?;
        send(
            conn,
            Authentication::SASLContinue(Bytes::from(server_first)),
        )
        .await?;

        let final_message = read_password_message(conn).await?;
        match waiting.on_client_final_message(&final_message) {
            Ok(server_final) if real => {
                send(conn, Authentication::SASLFinal(Bytes::from(server_final))).await
            }
            Ok(_) | Err(PgWireError::InvalidPassword(_)) => Err(Failure::new(
                errinput!(
                    sqlstate::INVALID_PASSWORD,
                    "password authentication failed for user \"{user}\""
                ),
                match role {
                    None => "no such role",
                    Some(r) if r.password.is_none() => "role has no password",
                    Some(_) if !real => "password expired (VALID UNTIL)",
                    Some(_) => "wrong password",
                },
            )),
            Err(e) => Err(scram_failure(e)),
        }
    }
}

fn scram_failure(e: PgWireError) -> Failure {
    let text = e.to_string();
    if text.contains("hannel binding") {
        Failure::protocol("SCRAM channel binding check failed")
    } else {
        let mut f = Failure::protocol("malformed SCRAM message");
        f.reason = format!("malformed SCRAM message: {text}");
        f
    }
}

async fn send(conn: &mut Conn, message: Authentication) -> Result<(), Failure> {
    conn.send(PgWireBackendMessage::Authentication(message))
        .await
        .map_err(|_| Failure::protocol("connection lost during authentication"))
}

/// Reads one PasswordMessage-family message ('p'), exactly; anything else
/// (a Query in place of a password, say) is a protocol violation.
async fn read_password_message(conn: &mut Conn) -> Result<Vec<u8>, Failure> {
    let stream = conn.get_mut();
    let mut header = [0u8; 5];
    stream
        .read_exact(&mut header)
        .await
        .map_err(|_| Failure::protocol("connection lost during authentication"))?;
    if header[0] != b'p' {
        return Err(Failure::protocol(&format!(
            "expected SASL response, got message type {}",
            header[0]
        )));
    }
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if !(4..=MAX_AUTH_MESSAGE).contains(&len) {
        return Err(Failure::protocol("invalid message length"));
    }
    let mut body = vec![0u8; len - 4];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|_| Failure::protocol("connection lost during authentication"))?;
    Ok(body)
}

/// SASLInitialResponse: mechanism name, then the length-prefixed data.
fn parse_initial_response(body: &[u8]) -> Option<(&str, &[u8])> {
    let nul = body.iter().position(|b| *b == 0)?;
    let mechanism = std::str::from_utf8(&body[..nul]).ok()?;
    let rest = &body[nul + 1..];
    let len = i32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    let data = &rest[4..];
    match len {
        -1 => Some((mechanism, &[])),
        n if n >= 0 && n as usize == data.len() => Some((mechanism, data)),
        _ => None,
    }
}
