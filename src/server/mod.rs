//! The network front: a TCP listener whose connections are served by
//! pgwire with FlintDB's handlers, each in its own task, so an error or
//! panic in one session never reaches another.
//!
//! Owns: sockets, the PostgreSQL protocol, encoding values for the wire,
//! mapping errors to SQLSTATEs. Knows nothing of pages or plans.

pub mod copy;
pub mod encode;
pub mod errors;
pub mod handler;
pub mod run;

use std::future::Future;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::engine::Engine;

/// Serves connections until `shutdown` completes; then stops accepting,
/// ends every open session (like PostgreSQL's fast shutdown) and returns.
pub async fn serve(
    engine: Arc<Engine>,
    listener: TcpListener,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    let handlers = handler::Handlers::new(engine);
    let slots = Arc::new(Semaphore::new(max_connections));
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
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection refused: max_connections reached");
            tokio::spawn(refuse_too_many(socket));
            continue;
        };
        let handlers = handlers.clone();
        sessions.spawn(async move {
            tracing::debug!(%peer, "connection opened");
            if let Err(e) = pgwire::tokio::process_socket(socket, None, handlers).await {
                tracing::debug!(%peer, error = %e, "connection ended with error");
            }
            tracing::debug!(%peer, "connection closed");
            drop(permit);
        });
    }
    sessions.shutdown().await;
}

/// Answers a connection over the limit with PostgreSQL's FATAL 53300.
async fn refuse_too_many(mut socket: TcpStream) {
    let mut head = [0u8; 8];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        socket.read_exact(&mut head),
    )
    .await;
    if !matches!(read, Ok(Ok(_))) {
        return;
    }
    // An SSLRequest (code 80877103) is declined before the startup packet.
    if u32::from_be_bytes([head[4], head[5], head[6], head[7]]) == 80_877_103 {
        if socket.write_all(b"N").await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            socket.read(&mut [0u8; 1024]),
        )
        .await;
    }
    let mut body = Vec::new();
    for (tag, text) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "53300"),
        (b'M', "sorry, too many clients already"),
    ] {
        body.push(tag);
        body.extend_from_slice(text.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    msg.extend_from_slice(&body);
    let _ = socket.write_all(&msg).await;
}
