//! A byte-stream guard that follows the frontend's message framing (a type
//! byte and a 4-byte length) as bytes arrive, and fails the read as soon
//! as a length is impossible (shorter than its type's fixed fields) or
//! over the limit — before any buffer
//! is sized by it. Off until the startup packet has been read (that packet
//! has no type byte); the limit is small before authentication and
//! `max_message_mb` after.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Shared handle to change a guard's limit and learn if it tripped.
#[derive(Clone, Default)]
pub struct Limit {
    max: Arc<AtomicUsize>,
    tripped: Arc<AtomicBool>,
}

impl Limit {
    /// Starts checking frames, each at most `max` bytes (length field included).
    pub fn set(&self, max: usize) {
        self.max.store(max, Ordering::Release);
    }

    /// True once a frame broke the limit.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::Acquire)
    }
}

/// The guarded stream.
pub struct Guarded<S> {
    inner: S,
    limit: Limit,
    /// Bytes of the current header seen (0..5), and the header.
    header_len: usize,
    header: [u8; 5],
    /// Body bytes still to pass before the next header.
    body_left: usize,
}

impl<S> Guarded<S> {
    /// Wraps a stream; checking starts at the first [`Limit::set`].
    pub fn new(inner: S, limit: Limit) -> Self {
        Guarded {
            inner,
            limit,
            header_len: 0,
            header: [0; 5],
            body_left: 0,
        }
    }

    /// True once a frame broke the limit.
    pub fn limit_tripped(&self) -> bool {
        self.limit.tripped()
    }

    /// Follows the framing over `bytes`; false if a frame is invalid.
    fn follow(&mut self, mut bytes: &[u8]) -> bool {
        let max = self.limit.max.load(Ordering::Acquire);
        if max == 0 {
            return true;
        }
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            self.header[self.header_len] = bytes[0];
            self.header_len += 1;
            bytes = &bytes[1..];
            if self.header_len == 5 {
                self.header_len = 0;
                let len = u32::from_be_bytes([
                    self.header[1],
                    self.header[2],
                    self.header[3],
                    self.header[4],
                ]) as usize;
                if !(min_length(self.header[0])..=max).contains(&len) {
                    return false;
                }
                self.body_left = len - 4;
            }
        }
        true
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.limit.tripped() {
            return Poll::Ready(Err(invalid_length()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if this.follow(&buf.filled()[before..]) {
                    Poll::Ready(Ok(()))
                } else {
                    this.limit.tripped.store(true, Ordering::Release);
                    buf.set_filled(before);
                    Poll::Ready(Err(invalid_length()))
                }
            }
            other => other,
        }
    }
}

/// The shortest valid length field of a message type: its fixed fields
/// and empty strings (pgwire's decoders index past the end of shorter
/// bodies).
fn min_length(tag: u8) -> usize {
    4 + match tag {
        b'B' => 8,        // portal\0 statement\0 int16 int16 int16
        b'P' => 4,        // statement\0 query\0 int16
        b'E' => 5,        // portal\0 int32
        b'C' | b'D' => 2, // kind name\0
        b'Q' | b'f' => 1, // text\0
        _ => 0,
    }
}

fn invalid_length() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "invalid message length")
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(tag: u8, len: u32) -> Vec<u8> {
        let mut f = vec![tag];
        f.extend_from_slice(&len.to_be_bytes());
        f.extend(std::iter::repeat_n(b'x', len.saturating_sub(4) as usize));
        f
    }

    #[test]
    fn follows_frames_split_anywhere() {
        let limit = Limit::default();
        limit.set(100);
        let mut g = Guarded::new((), limit);
        let bytes: Vec<u8> = [frame(b'Q', 20), frame(b'S', 4), frame(b'P', 100)].concat();
        for chunk in bytes.chunks(3) {
            assert!(g.follow(chunk));
        }
        assert!(!g.follow(&frame(b'Q', 101)[..5]));
    }

    #[test]
    fn rejects_impossible_lengths() {
        for len in [0u32, 3, u32::MAX, i32::MAX as u32] {
            let limit = Limit::default();
            limit.set(1 << 20);
            let mut g = Guarded::new((), limit);
            // Only the header: a frame of u32::MAX bytes would take 4 GiB.
            let mut header = vec![b'Q'];
            header.extend_from_slice(&len.to_be_bytes());
            assert!(!g.follow(&header), "{len}");
        }
    }

    #[test]
    fn off_until_set() {
        let mut g = Guarded::new((), Limit::default());
        assert!(g.follow(&[0, 0, 0, 0, 0, 0, 0, 0]));
    }
}
