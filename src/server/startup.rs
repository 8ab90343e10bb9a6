//! The startup packet: protocol version and the client's parameters
//! (user, database, options…), read exactly and checked before anything
//! else happens.

use std::collections::BTreeMap;

use tokio::io::AsyncReadExt;

use super::negotiate::MAX_STARTUP_PACKET;

/// A parsed startup packet.
#[derive(Debug)]
pub struct StartupPacket {
    pub major: u16,
    pub minor: u16,
    pub params: BTreeMap<String, String>,
}

/// What is wrong with a startup packet (sent as FATAL 08P01, or for a
/// version PostgreSQL does not speak, 0A000).
#[derive(Debug, PartialEq, Eq)]
pub struct BadStartup {
    pub code: &'static str,
    pub message: String,
}

fn layout() -> BadStartup {
    BadStartup {
        code: "08P01",
        message: "invalid startup packet layout: expected terminator as last byte".to_string(),
    }
}

/// Reads a startup packet whose first 8 bytes may already have been read.
pub async fn read<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    head: Option<[u8; 8]>,
) -> Result<StartupPacket, Option<BadStartup>> {
    let head = match head {
        Some(h) => h,
        None => {
            let mut h = [0u8; 8];
            stream.read_exact(&mut h).await.map_err(|_| None)?;
            h
        }
    };
    let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    if !(8..=MAX_STARTUP_PACKET).contains(&len) {
        return Err(Some(BadStartup {
            code: "08P01",
            message: "invalid length of startup packet".to_string(),
        }));
    }
    let mut body = vec![0u8; len - 8];
    stream.read_exact(&mut body).await.map_err(|_| None)?;
    parse([head[4], head[5], head[6], head[7]], &body).map_err(Some)
}

/// Parses the version and the NUL-terminated name/value pairs.
pub fn parse(version: [u8; 4], body: &[u8]) -> Result<StartupPacket, BadStartup> {
    let major = u16::from_be_bytes([version[0], version[1]]);
    let minor = u16::from_be_bytes([version[2], version[3]]);
    if major != 3 {
        return Err(BadStartup {
            code: "0A000",
            message: format!(
                "unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.2"
            ),
        });
    }
    if body.last() != Some(&0) {
        return Err(layout());
    }
    let mut params = BTreeMap::new();
    let mut fields = body[..body.len() - 1].split(|b| *b == 0);
    while let Some(name) = fields.next() {
        if name.is_empty() {
            break;
        }
        let value = fields.next().ok_or_else(layout)?;
        let text = |b: &[u8]| {
            String::from_utf8(b.to_vec()).map_err(|_| BadStartup {
                code: "22021",
                message: "invalid byte sequence for encoding \"UTF8\" in startup packet"
                    .to_string(),
            })
        };
        params.insert(text(name)?, text(value)?);
    }
    if fields.next().is_some() {
        return Err(layout());
    }
    Ok(StartupPacket {
        major,
        minor,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: [u8; 4] = [0, 3, 0, 0];

    #[test]
    fn reads_pairs() {
        let p = parse(V3, b"user\0alice\0database\0db\0\0").unwrap();
        assert_eq!(p.params["user"], "alice");
        assert_eq!(p.params["database"], "db");
    }

    #[test]
    fn rejects_bad_layouts() {
        assert!(parse(V3, b"user\0alice").is_err());
        assert!(parse(V3, b"user\0\0").is_ok());
        assert!(parse(V3, b"user\0alice\0dangling\0").is_err());
        assert!(parse(V3, b"user\0a\0\0extra\0").is_err());
        assert!(parse(V3, b"user\0\xff\xfe\0\0").is_err());
        assert_eq!(parse([0, 2, 0, 0], b"\0").unwrap_err().code, "0A000");
        assert!(parse(V3, b"").is_err());
    }
}
