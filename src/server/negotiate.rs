//! The first bytes of a connection, before any startup packet: SSLRequest
//! and GSSENCRequest (answered S or N), PostgreSQL 17's direct TLS (a
//! ClientHello first), CancelRequest, and things that are not PostgreSQL
//! at all (an HTTP request gets an HTTP 400; anything else a FATAL 08P01).
//!
//! Reads are exact — never a byte beyond the packet being read — so no
//! plaintext can be buffered across the switch to TLS; bytes a client
//! pipelines after an SSLRequest, before the handshake, are a protocol
//! violation (CVE-2021-23214) and close the connection.

use std::net::SocketAddr;

use pgwire::tokio::server::MaybeTls;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::tls::Tls;

const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;
const CANCEL_REQUEST: u32 = 80_877_102;
/// The TLS record type of a handshake (a ClientHello starts with it).
const TLS_HANDSHAKE: u8 = 0x16;
/// Largest packet accepted before authentication, as in PostgreSQL.
pub const MAX_STARTUP_PACKET: usize = 10_000;

/// What the connection turned out to be.
pub enum Opening {
    /// A startup packet follows (or, over TLS, is still to be read): its
    /// first 8 bytes when already read from the plain socket.
    Startup {
        stream: MaybeTls,
        tls: bool,
        head: Option<[u8; 8]>,
    },
    /// A CancelRequest: process id and secret key bytes.
    Cancel { pid: i32, key: Vec<u8> },
    /// Nothing more to do (refused or hung up); the reason, for the log.
    Closed(&'static str),
}

/// Reads what the client opens with.
pub async fn negotiate(mut socket: TcpStream, peer: SocketAddr, tls: Option<&Tls>) -> Opening {
    let mut ssl_answered = false;
    let mut gss_answered = false;
    loop {
        let mut first = [0u8; 1];
        match socket.peek(&mut first).await {
            Ok(1) => {}
            _ => return Opening::Closed("closed before the startup packet"),
        }
        if first[0] == TLS_HANDSHAKE && !ssl_answered {
            return direct_tls(socket, tls).await;
        }
        let mut head = [0u8; 8];
        if socket.read_exact(&mut head).await.is_err() {
            return Opening::Closed("closed before the startup packet");
        }
        if looks_like_http(&head) {
            let _ = socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 45\r\n\r\nThis port speaks the PostgreSQL protocol.\r\n\r\n")
                .await;
            return Opening::Closed("an HTTP request");
        }
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let code = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
        if !(8..=MAX_STARTUP_PACKET).contains(&len) {
            refuse(&mut socket, "invalid length of startup packet").await;
            return Opening::Closed("invalid startup packet length");
        }
        match code {
            SSL_REQUEST if len == 8 && !ssl_answered => {
                ssl_answered = true;
                if has_pending_bytes(&socket) {
                    return Opening::Closed("bytes pipelined after SSLRequest");
                }
                let Some(tls) = tls else {
                    if socket.write_all(b"N").await.is_err() {
                        return Opening::Closed("hung up");
                    }
                    continue;
                };
                if socket.write_all(b"S").await.is_err() {
                    return Opening::Closed("hung up");
                }
                return match tls.acceptor.accept(socket).await {
                    Ok(stream) => Opening::Startup {
                        stream: MaybeTls::Tls(Box::new(stream)),
                        tls: true,
                        head: None,
                    },
                    Err(e) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                        Opening::Closed("TLS handshake failed")
                    }
                };
            }
            GSSENC_REQUEST if len == 8 && !gss_answered => {
                gss_answered = true;
                if socket.write_all(b"N").await.is_err() {
                    return Opening::Closed("hung up");
                }
            }
            CANCEL_REQUEST if len >= 16 => {
                let mut rest = vec![0u8; len - 8];
                if socket.read_exact(&mut rest).await.is_err() {
                    return Opening::Closed("short CancelRequest");
                }
                let pid = i32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
                return Opening::Cancel {
                    pid,
                    key: rest[4..].to_vec(),
                };
            }
            SSL_REQUEST | GSSENC_REQUEST | CANCEL_REQUEST => {
                refuse(&mut socket, "invalid startup packet layout").await;
                return Opening::Closed("repeated or malformed negotiation request");
            }
            _ => {
                return Opening::Startup {
                    stream: MaybeTls::Plain(socket),
                    tls: false,
                    head: Some(head),
                }
            }
        }
    }
}

/// A TLS ClientHello without an SSLRequest: PostgreSQL 17's direct TLS.
/// Only when TLS is configured, and only with ALPN `postgresql`.
async fn direct_tls(mut socket: TcpStream, tls: Option<&Tls>) -> Opening {
    let Some(tls) = tls else {
        refuse(
            &mut socket,
            "direct TLS connection requested, but TLS is not configured on this server",
        )
        .await;
        return Opening::Closed("direct TLS without TLS configured");
    };
    match tls.acceptor.accept(socket).await {
        Ok(stream) if stream.get_ref().1.alpn_protocol() == Some(b"postgresql") => {
            Opening::Startup {
                stream: MaybeTls::Tls(Box::new(stream)),
                tls: true,
                head: None,
            }
        }
        Ok(_) => Opening::Closed("direct TLS without ALPN postgresql"),
        Err(_) => Opening::Closed("TLS handshake failed"),
    }
}

fn looks_like_http(head: &[u8; 8]) -> bool {
    [
        &b"GET "[..],
        b"POST",
        b"HEAD",
        b"PUT ",
        b"DELE",
        b"OPTI",
        b"PATC",
        b"CONN",
        b"PRI ",
    ]
    .iter()
    .any(|m| head.starts_with(m))
}

/// True if the client sent more bytes than the packet just read.
fn has_pending_bytes(socket: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(socket.try_read(&mut probe), Ok(n) if n > 0)
}

/// Sends a FATAL 08P01 ErrorResponse (plain) and gives up.
async fn refuse(socket: &mut TcpStream, message: &str) {
    let _ = socket.write_all(&fatal_bytes("08P01", message)).await;
}

/// A FATAL ErrorResponse's bytes (for moments with no codec yet).
pub fn fatal_bytes(code: &str, message: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, text) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', code),
        (b'M', message),
    ] {
        body.push(tag);
        body.extend_from_slice(text.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    msg.extend_from_slice(&body);
    msg
}
