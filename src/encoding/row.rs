//! Row codec: a row of [`Value`]s as the bytes of a heap tuple's data.
//!
//! Layout (little-endian):
//! ```text
//! u16 column count
//! per column: u8 tag, then the payload for that tag
//!   0 NULL (no payload)      1 bool (1 byte)        2 int2 (2)
//!   3 int4 (4)               4 int8 (8)             5 float4 (4)
//!   6 float8 (8)             7 numeric (u32 len + PostgreSQL binary numeric)
//!   8 text (u32 len + UTF-8) 9 bytea (u32 len + bytes)
//!   10 date (i32 days)      11 timestamp (i64 µs) 12 timestamptz (i64 µs)
//!   13 external: a text or bytea value stored out of line (TOAST): u8 the
//!      value's own tag (8 or 9), u32 its length, u32 block + u16 slot of
//!      its first chunk in the table's TOAST relation
//!   14 oid (u32)            15 array (u32 len + PostgreSQL binary array)
//!   16 interval (i32 months, i32 days, i64 µs)   17 uuid (16 bytes big-endian)
//!   18 jsonb (u32 len + its text form; out of line like text, tag 18)
//!   19 enum (u32 type OID, f32 sort order, then the label as tag 8 text,
//!      as it was when written: see `Catalog::relabel`)
//!   20 array of an enum type (u32 type OID, u32 count, then per element
//!      u8 0 for NULL, or 1, f32 sort order, u32 len + label)
//! ```
//! Tags make a row self-describing, so a row written before `ALTER TABLE
//! ADD COLUMN` still decodes (missing trailing columns read as NULL).

use crate::error::{Error, Result};
use crate::types::{numeric, DataType, Value};

/// Where an out-of-line value is (see the module doc, tag 13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct External {
    /// The value's own tag: 8 text, 9 bytea; with [`COMPRESSED`] set when
    /// the stored bytes are compressed.
    pub tag: u8,
    pub len: u32,
    pub block: u32,
    pub slot: u16,
}

/// The bit of an out-of-line value's tag that marks its stored bytes as
/// compressed (their reader decompresses them).
pub const COMPRESSED: u8 = 0x80;

/// Appends the encoding of a row to `out`.
pub fn encode(row: &[Value], out: &mut Vec<u8>) {
    encode_with(row, &[], out)
}

/// Appends the encoding of a row whose columns listed in `externals` are
/// stored out of line.
pub fn encode_with(row: &[Value], externals: &[(usize, External)], out: &mut Vec<u8>) {
    out.extend_from_slice(&(row.len() as u16).to_le_bytes());
    for (i, value) in row.iter().enumerate() {
        if let Some((_, e)) = externals.iter().find(|(c, _)| *c == i) {
            out.push(13);
            out.push(e.tag);
            out.extend_from_slice(&e.len.to_le_bytes());
            out.extend_from_slice(&e.block.to_le_bytes());
            out.extend_from_slice(&e.slot.to_le_bytes());
            continue;
        }
        match value {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend_from_slice(&[1, *b as u8]),
            Value::Int2(v) => {
                out.push(2);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int4(v) => {
                out.push(3);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Int8(v) => {
                out.push(4);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Oid(v) => {
                out.push(14);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Float4(v) => {
                out.push(5);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Float8(v) => {
                out.push(6);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Numeric(d) => {
                let mut buf = Vec::with_capacity(16);
                numeric::to_binary(d, &mut buf);
                put_bytes(out, 7, &buf);
            }
            // PostgreSQL's binary form of NaN and the infinities, under the
            // numeric tag: a stored value reads back as what was written.
            Value::NumericSpecial(s) => {
                let mut buf = Vec::with_capacity(8);
                numeric::special_to_binary(*s, &mut buf);
                put_bytes(out, 7, &buf);
            }
            Value::Text(s) => put_bytes(out, 8, s.as_bytes()),
            Value::Bytea(b) => put_bytes(out, 9, b),
            Value::Array(a) if matches!(a.elem, DataType::Enum(_)) => {
                out.push(20);
                out.extend_from_slice(&a.elem.oid().to_le_bytes());
                out.extend_from_slice(&(a.items.len() as u32).to_le_bytes());
                for item in &a.items {
                    match item {
                        Value::Enum(e) => {
                            out.push(1);
                            out.extend_from_slice(&e.sort.to_le_bytes());
                            out.extend_from_slice(&(e.label.len() as u32).to_le_bytes());
                            out.extend_from_slice(e.label.as_bytes());
                        }
                        _ => out.push(0),
                    }
                }
            }
            Value::Array(a) => {
                let mut buf = Vec::new();
                crate::types::array::encode_binary(a, &mut buf);
                put_bytes(out, 15, &buf);
            }
            Value::Date(d) => {
                out.push(10);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::Timestamp(t) => {
                out.push(11);
                out.extend_from_slice(&t.to_le_bytes());
            }
            Value::Timestamptz(t) => {
                out.push(12);
                out.extend_from_slice(&t.to_le_bytes());
            }
            Value::Interval(i) => {
                out.push(16);
                out.extend_from_slice(&i.months.to_le_bytes());
                out.extend_from_slice(&i.days.to_le_bytes());
                out.extend_from_slice(&i.micros.to_le_bytes());
            }
            Value::Uuid(u) => {
                out.push(17);
                out.extend_from_slice(&u.to_be_bytes());
            }
            Value::Jsonb(j) => put_bytes(out, 18, crate::types::jsonb::format(j).as_bytes()),
            // Records are never columns of a table; kept as their text.
            Value::Record(fields) => {
                put_bytes(out, 8, crate::types::record::format(fields).as_bytes())
            }
            Value::Enum(e) => {
                out.push(19);
                out.extend_from_slice(&e.type_oid.to_le_bytes());
                out.extend_from_slice(&e.sort.to_le_bytes());
                put_bytes(out, 8, e.label.as_bytes());
            }
        }
    }
}

/// A stored jsonb value from its text form.
fn jsonb_value(bytes: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    crate::types::jsonb::parse(text)
        .ok()
        .map(|j| Value::Jsonb(Box::new(j)))
}

fn put_bytes(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Decodes a row of `width` columns; missing trailing columns are NULL.
/// Out-of-line values are an error here (see [`decode_with`]).
pub fn decode(buf: &[u8], width: usize) -> Result<Vec<Value>> {
    decode_with(buf, width, &mut |_| {
        Err(Error::Corrupted(
            "out-of-line value where none may be".to_string(),
        ))
    })
}

/// The out-of-line values a row refers to.
pub fn externals(buf: &[u8]) -> Result<Vec<External>> {
    let mut found = Vec::new();
    decode_with(buf, 0, &mut |e| {
        found.push(*e);
        Ok(Vec::new())
    })?;
    Ok(found)
}

/// Decodes a row, reading each out-of-line value's bytes through `fetch`.
pub fn decode_with(
    buf: &[u8],
    width: usize,
    fetch: &mut dyn FnMut(&External) -> Result<Vec<u8>>,
) -> Result<Vec<Value>> {
    decode_columns(buf, width, None, fetch)
}

/// Decodes a row, only the columns `keep` marks when given (the others
/// read as NULL: skipped, out-of-line ones never fetched).
pub fn decode_columns(
    mut buf: &[u8],
    width: usize,
    keep: Option<&[bool]>,
    fetch: &mut dyn FnMut(&External) -> Result<Vec<u8>>,
) -> Result<Vec<Value>> {
    let corrupt = || Error::Corrupted("malformed row data in heap tuple".to_string());
    let count = u16::from_le_bytes(take::<2>(&mut buf).ok_or_else(corrupt)?) as usize;
    let mut row = Vec::with_capacity(width.max(count));
    for i in 0..count {
        let tag = take::<1>(&mut buf).ok_or_else(corrupt)?[0];
        if keep.is_some_and(|k| k.get(i) == Some(&false)) {
            let mut rest = buf;
            if skip(tag, &mut rest).is_some() {
                buf = rest;
                row.push(Value::Null);
                continue;
            }
        }
        let value = match tag {
            0 => Value::Null,
            1 => Value::Bool(take::<1>(&mut buf).ok_or_else(corrupt)?[0] != 0),
            2 => Value::Int2(i16::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            3 => Value::Int4(i32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            4 => Value::Int8(i64::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            14 => Value::Oid(u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            5 => Value::Float4(f32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            6 => Value::Float8(f64::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            7 => {
                let bytes = take_var(&mut buf).ok_or_else(corrupt)?;
                numeric::value_from_binary(bytes).map_err(|_| corrupt())?
            }
            8 => {
                let bytes = take_var(&mut buf).ok_or_else(corrupt)?;
                Value::Text(String::from_utf8(bytes.to_vec()).map_err(|_| corrupt())?)
            }
            9 => Value::Bytea(take_var(&mut buf).ok_or_else(corrupt)?.to_vec()),
            15 => {
                let bytes = take_var(&mut buf).ok_or_else(corrupt)?;
                let elem = bytes
                    .get(8..12)
                    .and_then(|b| DataType::from_oid(u32::from_be_bytes(b.try_into().ok()?)))
                    .ok_or_else(corrupt)?;
                crate::types::array::decode_binary(bytes, elem).map_err(|_| corrupt())?
            }
            20 => {
                let type_oid = u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?);
                let t = crate::types::enums::interned(type_oid).ok_or_else(corrupt)?;
                let count = u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?) as usize;
                let mut items = Vec::with_capacity(count.min(buf.len()));
                for _ in 0..count {
                    items.push(match take::<1>(&mut buf).ok_or_else(corrupt)?[0] {
                        0 => Value::Null,
                        1 => {
                            let sort = f32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?);
                            let label = take_var(&mut buf).ok_or_else(corrupt)?;
                            enum_value(type_oid, sort, label).ok_or_else(corrupt)?
                        }
                        _ => return Err(corrupt()),
                    });
                }
                Value::Array(Box::new(crate::types::array::ArrayValue {
                    elem: DataType::Enum(t),
                    items,
                }))
            }
            10 => Value::Date(i32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            11 => Value::Timestamp(i64::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            12 => Value::Timestamptz(i64::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            16 => Value::Interval(crate::types::interval::Interval {
                months: i32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
                days: i32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
                micros: i64::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
            }),
            17 => Value::Uuid(u128::from_be_bytes(take(&mut buf).ok_or_else(corrupt)?)),
            18 => jsonb_value(take_var(&mut buf).ok_or_else(corrupt)?).ok_or_else(corrupt)?,
            19 => {
                let type_oid = u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?);
                let sort = f32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?);
                if take::<1>(&mut buf) != Some([8]) {
                    return Err(corrupt());
                }
                let label = take_var(&mut buf).ok_or_else(corrupt)?;
                enum_value(type_oid, sort, label).ok_or_else(corrupt)?
            }
            13 => {
                let tag = take::<1>(&mut buf).ok_or_else(corrupt)?[0];
                let e = External {
                    tag,
                    len: u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
                    block: u32::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
                    slot: u16::from_le_bytes(take(&mut buf).ok_or_else(corrupt)?),
                };
                let bytes = fetch(&e)?;
                match tag & !COMPRESSED {
                    8 => Value::Text(String::from_utf8(bytes).map_err(|_| corrupt())?),
                    9 => Value::Bytea(bytes),
                    // `externals` reads no bytes (and drops the values).
                    18 if bytes.is_empty() => Value::Null,
                    18 => jsonb_value(&bytes).ok_or_else(corrupt)?,
                    _ => return Err(corrupt()),
                }
            }
            _ => return Err(corrupt()),
        };
        row.push(value);
    }
    row.resize(width.max(count), Value::Null);
    Ok(row)
}

/// Passes over the payload of a value with this tag (None for the tags
/// it leaves to the decoder: enums and arrays of them).
fn skip(tag: u8, buf: &mut &[u8]) -> Option<()> {
    let fixed = match tag {
        0 => 0,
        1 => 1,
        2 => 2,
        3 | 5 | 10 | 14 => 4,
        4 | 6 | 11 | 12 => 8,
        16 | 17 => 16,
        // External: its tag, length, block and slot.
        13 => 11,
        7 | 8 | 9 | 15 | 18 => {
            take_var(buf)?;
            return Some(());
        }
        _ => return None,
    };
    *buf = buf.get(fixed..)?;
    Some(())
}

/// An enum value as stored.
fn enum_value(type_oid: u32, sort: f32, label: &[u8]) -> Option<Value> {
    Some(Value::Enum(Box::new(crate::types::enums::EnumValue {
        type_oid,
        sort,
        label: String::from_utf8(label.to_vec()).ok()?,
    })))
}

fn take<const N: usize>(buf: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = buf.split_first_chunk::<N>()?;
    *buf = rest;
    Some(*head)
}

fn take_var<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_le_bytes(take::<4>(buf)?) as usize;
    if buf.len() < len {
        return None;
    }
    let (head, rest) = buf.split_at(len);
    *buf = rest;
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int4(-7),
            Value::Int8(1 << 40),
            Value::Float8(1.5),
            Value::Numeric("12.340".parse().unwrap()),
            Value::Text("héllo".into()),
            Value::Bytea(vec![0, 1, 2]),
            Value::Date(-10),
            Value::Timestamptz(123456789),
        ];
        let mut buf = Vec::new();
        encode(&row, &mut buf);
        let back = decode(&buf, row.len() + 1).unwrap();
        assert_eq!(back.len(), row.len() + 1);
        for (a, b) in row.iter().zip(&back) {
            assert_eq!(a, b);
        }
        assert!(back[row.len()].is_null());
        assert!(decode(&buf[..buf.len() - 1], 10).is_err());
    }
}
