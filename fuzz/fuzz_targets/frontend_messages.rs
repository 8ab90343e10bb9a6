//! The message path after the startup packet: FlintDB's frame-length
//! guard over the bytes as they arrive (in small reads, as from a
//! socket), then pgwire's frontend message decoder over what the guard
//! let through, including the SASL payloads of password messages (the
//! SCRAM client-first message).
#![no_main]

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use flintdb::server::guard::{Guarded, Limit};
use libfuzzer_sys::fuzz_target;
use pgwire::messages::{DecodeContext, PgWireFrontendMessage, ProtocolVersion};
use tokio::io::{AsyncRead, ReadBuf};

fuzz_target!(|data: &[u8]| {
    let limit = Limit::default();
    limit.set(10_000);
    let mut guarded = Guarded::new(data, limit);
    let mut passed = Vec::new();
    let mut cx = Context::from_waker(Waker::noop());
    let mut chunk = [0u8; 7];
    loop {
        let mut buf = ReadBuf::new(&mut chunk);
        match Pin::new(&mut guarded).poll_read(&mut cx, &mut buf) {
            Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                passed.extend_from_slice(buf.filled())
            }
            _ => break,
        }
    }
    let mut bytes = BytesMut::from(&passed[..]);
    let mut ctx = DecodeContext::new(ProtocolVersion::PROTOCOL3_0);
    ctx.awaiting_frontend_ssl = false;
    ctx.awaiting_frontend_startup = false;
    // pgwire 0.42's decoders panic on some bodies (fixed fields past the
    // end of a message); the server catches that and answers 08P01
    // (server/connection.rs), so here a decoder panic is caught too, and
    // only panics in FlintDB's own code end the run.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let _ = std::panic::catch_unwind(move || {
        while let Ok(Some(message)) = PgWireFrontendMessage::decode(&mut bytes, &ctx) {
            if let PgWireFrontendMessage::PasswordMessageFamily(p) = message {
                let _ = p.into_sasl_initial_response();
            }
        }
    });
    std::panic::set_hook(hook);
});
