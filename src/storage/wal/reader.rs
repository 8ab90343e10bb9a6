//! Reading the log back for recovery.
//!
//! Records are read in order from a start LSN. The first position that
//! holds no valid record ends the log. If it is followed only by nothing
//! (zeros, end of file, no later segment) it is a torn or empty tail and
//! replay ends cleanly there. If a valid record exists anywhere after it,
//! the log was damaged in the middle: replay refuses, because skipping
//! would silently drop records that were acknowledged.

use std::path::Path;
use std::sync::Arc;

use super::record::{decode, DecodeFailure, Lsn, Record};
use super::{list_segments, segment_path, segment_start, SEGMENT_SIZE};
use crate::error::{Error, Result};
use crate::storage::crypto::Keyring;
use crate::storage::io::FileSystem;

/// Where replay stopped: the LSN just past the last valid record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayEnd {
    pub end: Lsn,
}

fn read_segment(fs: &Arc<dyn FileSystem>, dir: &Path, start: Lsn) -> Result<Vec<u8>> {
    let file = fs.open(&segment_path(dir, start))?;
    let len = file.len()?.min(SEGMENT_SIZE) as usize;
    let mut buf = vec![0u8; len];
    file.read_at(&mut buf, 0)?;
    Ok(buf)
}

/// Calls `apply(start, end, xid, record)` for every valid record from
/// `from` on, in order; `keyring` opens an encrypted cluster's records.
pub fn replay(
    fs: &Arc<dyn FileSystem>,
    dir: &Path,
    from: Lsn,
    keyring: Option<&Keyring>,
    apply: &mut dyn FnMut(Lsn, Lsn, u64, Record) -> Result<()>,
) -> Result<ReplayEnd> {
    let segments = list_segments(dir)?;
    let mut seg = segment_start(from);
    let mut pos = from;
    if !segments.contains(&seg) {
        if segments.iter().any(|s| *s > seg) {
            return Err(Error::Corrupted(format!(
                "WAL segment {seg:016X} needed for recovery from LSN {from} is missing"
            )));
        }
        return Ok(ReplayEnd { end: from });
    }
    let mut buf = read_segment(fs, dir, seg)?;
    loop {
        let offset = (pos - seg) as usize;
        match decode(buf.get(offset..).unwrap_or(&[]), pos, keyring) {
            Ok((record, xid, len)) => {
                let end = pos + len as u64;
                apply(pos, end, xid, record)?;
                pos = end;
            }
            Err(failure) => {
                // The rest of this segment was never written: go on to the next.
                let next = seg + SEGMENT_SIZE;
                let rest_empty = buf.get(offset..).is_none_or(|r| r.iter().all(|b| *b == 0));
                if failure == DecodeFailure::Empty && rest_empty && segments.contains(&next) {
                    seg = next;
                    pos = next;
                    buf = read_segment(fs, dir, seg)?;
                    continue;
                }
                if let Some(later) =
                    find_valid_after(fs, dir, &segments, seg, &buf, offset, keyring)?
                {
                    let why = match failure {
                        DecodeFailure::Empty => "no record".to_string(),
                        DecodeFailure::Invalid(w) => w,
                    };
                    return Err(Error::Corrupted(format!(
                        "WAL is damaged at LSN {pos} ({why}) but a valid record follows at LSN {later}; \
                         refusing to start rather than drop acknowledged commits"
                    )));
                }
                return Ok(ReplayEnd { end: pos });
            }
        }
    }
}

/// The first valid record after a bad position, in this segment or a
/// later one.
fn find_valid_after(
    fs: &Arc<dyn FileSystem>,
    dir: &Path,
    segments: &[Lsn],
    seg: Lsn,
    buf: &[u8],
    bad_offset: usize,
    keyring: Option<&Keyring>,
) -> Result<Option<Lsn>> {
    for offset in bad_offset + 1..buf.len().saturating_sub(super::record::HEADER_SIZE) {
        // Cheap filter: a record stores its own LSN at +8.
        let claimed =
            u64::from_le_bytes(buf[offset + 8..offset + 16].try_into().unwrap_or_default());
        if claimed == seg + offset as u64 && decode(&buf[offset..], claimed, keyring).is_ok() {
            return Ok(Some(claimed));
        }
    }
    for later in segments.iter().filter(|s| **s > seg) {
        let data = read_segment(fs, dir, *later)?;
        if decode(&data, *later, keyring).is_ok() {
            return Ok(Some(*later));
        }
    }
    Ok(None)
}
