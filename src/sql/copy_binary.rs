//! COPY's binary format: the `PGCOPY\n\377\r\n\0` signature, flags and a
//! header extension, then per row a 16-bit field count and each field as
//! a 32-bit length (-1 for NULL) and the value in its type's binary send
//! format, and finally a field count of -1. Records here are whole rows,
//! cut off the front of the stream by their lengths.

use crate::errinput;
use crate::error::Result;
use crate::sql::copy::BAD_COPY_FILE_FORMAT;
use crate::types::{binary, Value};

/// The file signature.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// The trailer, which is also the end-of-data record.
pub const TRAILER: &[u8; 2] = b"\xff\xff";

/// The header FlintDB writes: no OIDs, no extension.
pub fn header() -> Vec<u8> {
    let mut out = SIGNATURE.to_vec();
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    out
}

/// One row as a binary record.
pub fn write_row(row: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + 8 * row.len());
    out.extend_from_slice(&(row.len() as i16).to_be_bytes());
    let mut field = Vec::new();
    for value in row {
        if value.is_null() {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        field.clear();
        binary::encode(value, &mut field);
        out.extend_from_slice(&(field.len() as i32).to_be_bytes());
        out.extend_from_slice(&field);
    }
    out
}

/// Reads past the header at the front of `buf`: Ok(None) until all of it
/// has arrived, then how many bytes it took.
pub fn header_length(buf: &[u8], at_end: bool) -> Result<Option<usize>> {
    let incomplete = || {
        if at_end {
            Err(bad("invalid COPY file header (missing length)"))
        } else {
            Ok(None)
        }
    };
    if !SIGNATURE.starts_with(&buf[..buf.len().min(SIGNATURE.len())]) {
        return Err(bad("COPY file signature not recognized"));
    }
    if buf.len() < SIGNATURE.len() + 8 {
        return incomplete();
    }
    let flags = be_i32(&buf[11..15]);
    if flags & (1 << 16) != 0 {
        return Err(bad("invalid COPY file header (WITH OIDS)"));
    }
    if flags & !0xFFFF & !(1 << 16) != 0 {
        return Err(bad("unrecognized critical flags in COPY file header"));
    }
    let extension = be_i32(&buf[15..19]);
    if extension < 0 {
        return Err(bad("invalid COPY file header (missing length)"));
    }
    let total = 19 + extension as usize;
    if buf.len() < total {
        return incomplete();
    }
    Ok(Some(total))
}

/// The length of the complete record at the front of `buf`, if all of it
/// has arrived.
pub fn record_length(buf: &[u8]) -> Result<Option<usize>> {
    if buf.len() < 2 {
        return Ok(None);
    }
    let count = i16::from_be_bytes([buf[0], buf[1]]);
    if count == -1 {
        return Ok(Some(2));
    }
    if count < 0 {
        return Err(bad(&format!(
            "row field count is {count}, expected a count"
        )));
    }
    let mut at = 2;
    for _ in 0..count {
        let Some(len) = buf.get(at..at + 4) else {
            return Ok(None);
        };
        let len = be_i32(len);
        at += 4;
        if len < -1 {
            return Err(bad("invalid field size"));
        }
        if len > 0 {
            at += len as usize;
            if buf.len() < at {
                return Ok(None);
            }
        }
    }
    Ok(Some(at))
}

/// A record's fields (None for NULL), checked against the column count.
pub fn fields(record: &[u8], width: usize) -> Result<Vec<Option<&[u8]>>> {
    let count = i16::from_be_bytes([record[0], record[1]]) as usize;
    if count != width {
        return Err(bad(&format!(
            "row field count is {count}, expected {width}"
        )));
    }
    let mut out = Vec::with_capacity(count);
    let mut at = 2;
    for _ in 0..count {
        let len = be_i32(&record[at..at + 4]);
        at += 4;
        if len < 0 {
            out.push(None);
        } else {
            out.push(Some(&record[at..at + len as usize]));
            at += len as usize;
        }
    }
    Ok(out)
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn bad(message: &str) -> crate::error::Error {
    errinput!(BAD_COPY_FILE_FORMAT, "{message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_are_cut_and_read_back() {
        let mut stream = header();
        stream.extend(write_row(&[
            Value::Int4(7),
            Value::Null,
            Value::Text("x".into()),
        ]));
        stream.extend_from_slice(TRAILER);
        let start = header_length(&stream, false).unwrap().unwrap();
        let rest = &stream[start..];
        let n = record_length(rest).unwrap().unwrap();
        let f = fields(&rest[..n], 3).unwrap();
        assert_eq!(
            f,
            vec![Some(&7i32.to_be_bytes()[..]), None, Some(&b"x"[..])]
        );
        assert_eq!(record_length(&rest[n..]).unwrap(), Some(2));
        // Every prefix of a record is incomplete, not an error.
        for cut in 0..n {
            assert_eq!(record_length(&rest[..cut]).unwrap(), None);
        }
        assert!(fields(&rest[..n], 2).is_err());
    }

    #[test]
    fn a_bad_signature_is_refused() {
        assert!(header_length(b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0", false).is_err());
        assert!(header_length(b"1\t2\n", false).is_err());
        assert_eq!(header_length(b"PGCOPY", false).unwrap(), None);
        assert!(header_length(b"PGCOPY", true).is_err());
    }
}
