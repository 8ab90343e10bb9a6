//! Memcomparable index keys: values encoded so that comparing the bytes
//! with `memcmp` orders them as PostgreSQL orders the values.
//!
//! Each column is a tag byte then the value's bytes:
//! ```text
//! tag  0x00 NULL (NULLS FIRST)   0x01 a value   0x02 NULL (NULLS LAST)
//! bool            1 byte, 0 or 1
//! int2/int4/int8  8 bytes big-endian, sign bit flipped (one family: 1 = 1)
//! date            the same, as days
//! timestamp[tz]   the same, as microseconds
//! interval        16 bytes big-endian, sign bit flipped: the span (a month
//!                 is 30 days), so '1 mon' and '30 days' are one key
//! uuid            its 16 bytes
//! jsonb           a rank byte (null 0, string 1, number 2, bool 3, array 4,
//!                 object 5), then: a string's or number's encoding as
//!                 above, a bool's byte, an array's length (4 bytes) and
//!                 elements, an object's pair count, then per pair the key's
//!                 length (4 bytes) and bytes and the value
//! float4/float8   8 bytes: the f64 bits, sign bit flipped for positives,
//!                 all bits flipped for negatives; -0 is 0, NaN sorts last
//! numeric         sign byte (1 negative, 2 zero, 3 positive), then for a
//!                 non-zero value the decimal exponent (4 bytes, sign bit
//!                 flipped) and the significant digits as bytes 1..=10
//!                 ended by 0; negatives have exponent and digits inverted
//!                 (so 1.0 and 1.00 are one key)
//! text/bytea      the bytes with 0x00 written 0x00 0xFF, ended by 0x00 0x01
//!                 (char(n) without trailing spaces)
//! ```
//! A DESC column has its value bytes inverted (the tag is chosen by NULLS
//! FIRST/LAST on its own). Every column encoding is prefix-free, so a key
//! of several columns compares column by column, and a key's encoding is a
//! prefix of the encoding of any longer key that starts with it.

use crate::types::{DataType, Value};

/// How one key column is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOrder {
    pub data_type: DataType,
    pub descending: bool,
    pub nulls_first: bool,
}

/// Appends one column's encoding to `out`.
pub fn encode_value(value: &Value, order: &KeyOrder, out: &mut Vec<u8>) {
    if value.is_null() {
        out.push(if order.nulls_first { 0x00 } else { 0x02 });
        return;
    }
    out.push(0x01);
    let start = out.len();
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push(*b as u8),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Oid(_) => {
            put_i64(value.as_i64().unwrap_or_default(), out)
        }
        Value::Date(d) => put_i64(*d as i64, out),
        Value::Timestamp(t) | Value::Timestamptz(t) => put_i64(*t, out),
        Value::Interval(i) => {
            out.extend_from_slice(&((i.span() as u128) ^ (1u128 << 127)).to_be_bytes())
        }
        Value::Uuid(u) => out.extend_from_slice(&u.to_be_bytes()),
        Value::Jsonb(j) => put_jsonb(j, out),
        // Labels sort by their sort order (one type per column).
        Value::Enum(e) => put_f64(e.sort as f64, out),
        // Field by field (the whole flipped after for DESC).
        Value::Record(fields) => {
            for f in fields {
                let inner = KeyOrder {
                    data_type: f.data_type(),
                    descending: false,
                    nulls_first: false,
                };
                encode_value(f, &inner, out);
            }
        }
        Value::Float4(f) => put_f64(*f as f64, out),
        Value::Float8(f) => put_f64(*f, out),
        Value::Numeric(d) => put_numeric(d, out),
        // Below every number (sign byte 1 is negative, 2 zero, 3 positive),
        // Infinity above, NaN above that, as PostgreSQL sorts them.
        Value::NumericSpecial(s) => out.push(match s {
            crate::types::numeric::Special::NegInf => 0,
            crate::types::numeric::Special::PosInf => 4,
            crate::types::numeric::Special::NaN => 5,
        }),
        Value::Text(s) => {
            let s = if order.data_type == DataType::Bpchar {
                s.trim_end_matches(' ')
            } else {
                s.as_str()
            };
            put_bytes(s.as_bytes(), out)
        }
        Value::Bytea(b) => put_bytes(b, out),
        // Equal arrays encode equally; their order is not PostgreSQL's
        // (no index is ever built on an array).
        Value::Array(a) => {
            let mut buf = Vec::new();
            crate::types::array::encode_binary(a, &mut buf);
            put_bytes(&buf, out)
        }
    }
    if order.descending {
        for b in &mut out[start..] {
            *b = !*b;
        }
    }
}

/// The encoding of a whole key.
pub fn encode(values: &[Value], orders: &[KeyOrder]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * values.len());
    for (v, o) in values.iter().zip(orders) {
        encode_value(v, o, &mut out);
    }
    out
}

/// Whether a type's key encoding gives back the very value (index-only
/// scans return key values only for such types). Floats lose the sign of
/// zero, numeric its display scale, char(n) its padding.
pub fn is_lossless(t: DataType) -> bool {
    matches!(
        t,
        DataType::Bool
            | DataType::Int2
            | DataType::Int4
            | DataType::Int8
            | DataType::Oid
            | DataType::Text
            | DataType::Varchar
            | DataType::Bytea
            | DataType::Date
            | DataType::Timestamp
            | DataType::Timestamptz
            | DataType::Uuid
    )
}

/// Reads one column's value from the start of `bytes`; returns it and the
/// bytes it took, or None if the bytes are not such an encoding.
pub fn decode_value(bytes: &[u8], order: &KeyOrder) -> Option<(Value, usize)> {
    match *bytes.first()? {
        0x00 | 0x02 => return Some((Value::Null, 1)),
        0x01 => {}
        _ => return None,
    }
    let mask = if order.descending { 0xFF } else { 0x00 };
    let mut r = Reader {
        bytes: &bytes[1..],
        at: 0,
        mask,
    };
    let value = match order.data_type {
        DataType::Bool => Value::Bool(r.byte()? != 0),
        DataType::Int2 => Value::Int2(r.i64()?.try_into().ok()?),
        DataType::Int4 => Value::Int4(r.i64()?.try_into().ok()?),
        DataType::Int8 => Value::Int8(r.i64()?),
        DataType::Oid | DataType::Reg(_) => Value::Oid(r.i64()?.try_into().ok()?),
        DataType::Date => Value::Date(r.i64()?.try_into().ok()?),
        DataType::Timestamp => Value::Timestamp(r.i64()?),
        DataType::Timestamptz => Value::Timestamptz(r.i64()?),
        DataType::Uuid => Value::Uuid(((r.u64()? as u128) << 64) | r.u64()? as u128),
        DataType::Float4 => Value::Float4(r.f64()? as f32),
        DataType::Float8 => Value::Float8(r.f64()?),
        DataType::Numeric => r.numeric()?,
        DataType::Bytea => Value::Bytea(r.bytes()?),
        DataType::Text
        | DataType::Varchar
        | DataType::Bpchar
        | DataType::Name
        | DataType::Char
        | DataType::Unknown => Value::Text(String::from_utf8(r.bytes()?).ok()?),
        DataType::Array(_)
        | DataType::Enum(_)
        | DataType::Record(_)
        | DataType::Json
        | DataType::Interval
        | DataType::Jsonb
        | DataType::Int2Vector
        | DataType::OidVector => return None,
    };
    Some((value, 1 + r.at))
}

/// Reads encoded bytes, undoing a DESC column's inversion.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    mask: u8,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)? ^ self.mask;
        self.at += 1;
        Some(b)
    }

    fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for _ in 0..8 {
            v = v << 8 | self.byte()? as u64;
        }
        Some(v)
    }

    fn i64(&mut self) -> Option<i64> {
        Some((self.u64()? ^ (1 << 63)) as i64)
    }

    fn f64(&mut self) -> Option<f64> {
        let bits = self.u64()?;
        let bits = if bits >> 63 == 1 {
            bits ^ (1 << 63)
        } else {
            !bits
        };
        Some(f64::from_bits(bits))
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            match self.byte()? {
                0x00 => match self.byte()? {
                    0xFF => out.push(0),
                    0x01 => return Some(out),
                    _ => return None,
                },
                b => out.push(b),
            }
        }
    }

    fn numeric(&mut self) -> Option<Value> {
        use crate::types::numeric::Special;
        use bigdecimal::num_bigint::BigInt;
        let sign = self.byte()?;
        match sign {
            0 => return Some(Value::NumericSpecial(Special::NegInf)),
            4 => return Some(Value::NumericSpecial(Special::PosInf)),
            5 => return Some(Value::NumericSpecial(Special::NaN)),
            2 => return Some(Value::Numeric(bigdecimal::BigDecimal::from(0))),
            _ => {}
        }
        // A negative value's exponent and digits are inverted once more.
        let flip = if sign == 1 { 0xFF } else { 0x00 };
        let mut exponent = 0u32;
        for _ in 0..4 {
            exponent = exponent << 8 | (self.byte()? ^ flip) as u32;
        }
        let exponent = (exponent ^ (1 << 31)) as i32 as i64;
        let mut digits = Vec::new();
        loop {
            match self.byte()? ^ flip {
                0 => break,
                d @ 1..=10 => digits.push(b'0' + d - 1),
                _ => return None,
            }
        }
        let magnitude = BigInt::parse_bytes(&digits, 10)?;
        let signed = if sign == 1 { -magnitude } else { magnitude };
        Some(Value::Numeric(bigdecimal::BigDecimal::new(
            signed,
            digits.len() as i64 - exponent,
        )))
    }
}

fn put_i64(v: i64, out: &mut Vec<u8>) {
    out.extend_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
}

fn put_f64(f: f64, out: &mut Vec<u8>) {
    let f = if f.is_nan() {
        f64::NAN
    } else if f == 0.0 {
        0.0
    } else {
        f
    };
    let bits = f.to_bits();
    let bits = if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    };
    out.extend_from_slice(&bits.to_be_bytes());
}

fn put_numeric(d: &bigdecimal::BigDecimal, out: &mut Vec<u8>) {
    use bigdecimal::num_bigint::Sign;
    let (int, scale) = d.normalized().as_bigint_and_exponent();
    let sign = int.sign();
    if sign == Sign::NoSign {
        out.push(2);
        return;
    }
    let digits = int.magnitude().to_string();
    // value = 0.d1d2d3… × 10^exponent
    let exponent = digits.len() as i64 - scale;
    let exponent = exponent.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    let negative = sign == Sign::Minus;
    out.push(if negative { 1 } else { 3 });
    let start = out.len();
    out.extend_from_slice(&((exponent as u32) ^ (1 << 31)).to_be_bytes());
    out.extend(digits.bytes().map(|c| c - b'0' + 1));
    out.push(0);
    if negative {
        for b in &mut out[start..] {
            *b = !*b;
        }
    }
}

fn put_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

/// jsonb in PostgreSQL's btree order (see the module doc).
fn put_jsonb(j: &crate::types::jsonb::Jsonb, out: &mut Vec<u8>) {
    use crate::types::jsonb::Jsonb;
    match j {
        Jsonb::Null => out.push(0),
        Jsonb::String(s) => {
            out.push(1);
            put_bytes(s.as_bytes(), out);
        }
        Jsonb::Number(n) => {
            out.push(2);
            put_numeric(n, out);
        }
        Jsonb::Bool(b) => out.extend_from_slice(&[3, *b as u8]),
        Jsonb::Array(items) => {
            out.push(4);
            out.extend_from_slice(&(items.len() as u32).to_be_bytes());
            items.iter().for_each(|i| put_jsonb(i, out));
        }
        Jsonb::Object(pairs) => {
            out.push(5);
            out.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
            for (k, v) in pairs {
                out.extend_from_slice(&(k.len() as u32).to_be_bytes());
                put_bytes(k.as_bytes(), out);
                put_jsonb(v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::numeric;

    fn order(data_type: DataType, descending: bool, nulls_first: bool) -> KeyOrder {
        KeyOrder {
            data_type,
            descending,
            nulls_first,
        }
    }

    /// Sorting by encoded bytes must agree with `Value::compare`.
    fn check(ty: DataType, mut values: Vec<Value>) {
        for desc in [false, true] {
            let o = order(ty, desc, false);
            let mut by_bytes = values.clone();
            by_bytes.sort_by_key(|v| encode(std::slice::from_ref(v), &[o]));
            values.sort_by(|a, b| if desc { b.compare(a) } else { a.compare(b) });
            for (a, b) in by_bytes.iter().zip(&values) {
                assert_eq!(
                    a.compare(b),
                    std::cmp::Ordering::Equal,
                    "{ty:?} desc={desc}"
                );
            }
        }
    }

    #[test]
    fn orders_like_values() {
        check(
            DataType::Int8,
            [i64::MIN, -5, -1, 0, 1, 7, i64::MAX]
                .map(Value::Int8)
                .to_vec(),
        );
        check(
            DataType::Float8,
            [
                f64::NEG_INFINITY,
                -2.5,
                -0.0,
                0.0,
                1e-300,
                3.0,
                f64::INFINITY,
                f64::NAN,
            ]
            .map(Value::Float8)
            .to_vec(),
        );
        let nums = [
            "-1000", "-99.5", "-1", "-0.001", "0", "0.001", "0.5", "1", "1.5", "10", "99.99", "100",
        ];
        check(
            DataType::Numeric,
            nums.iter()
                .map(|s| Value::Numeric(numeric::parse(s).unwrap()))
                .collect(),
        );
        check(
            DataType::Text,
            ["", "a", "a\0", "a\0b", "ab", "b", "ba"]
                .map(|s| Value::Text(s.into()))
                .to_vec(),
        );
    }

    #[test]
    fn decoding_gives_back_the_values() {
        let values = [
            (DataType::Int4, Value::Int4(-7)),
            (DataType::Int8, Value::Int8(i64::MAX)),
            (DataType::Bool, Value::Bool(true)),
            (DataType::Text, Value::Text("a\0b".into())),
            (DataType::Bytea, Value::Bytea(vec![0, 1, 0xFF, 0])),
            (DataType::Timestamptz, Value::Timestamptz(-5)),
            (DataType::Float8, Value::Float8(-2.5)),
            (
                DataType::Numeric,
                Value::Numeric(numeric::parse("-12.0345").unwrap()),
            ),
            (
                DataType::Numeric,
                Value::Numeric(numeric::parse("0.001").unwrap()),
            ),
            (DataType::Int2, Value::Null),
        ];
        for desc in [false, true] {
            let orders: Vec<KeyOrder> = values.iter().map(|(t, _)| order(*t, desc, desc)).collect();
            let row: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
            let bytes = encode(&row, &orders);
            let mut at = 0;
            for (o, v) in orders.iter().zip(&row) {
                let (got, used) = decode_value(&bytes[at..], o).unwrap();
                assert_eq!(
                    got.compare(v),
                    std::cmp::Ordering::Equal,
                    "{v:?} desc={desc}"
                );
                at += used;
            }
            assert_eq!(at, bytes.len());
        }
    }

    #[test]
    fn equal_values_encode_alike_and_nulls_go_where_asked() {
        let o = order(DataType::Numeric, false, false);
        let a = encode(&[Value::Numeric(numeric::parse("1.0").unwrap())], &[o]);
        let b = encode(&[Value::Numeric(numeric::parse("1.00").unwrap())], &[o]);
        assert_eq!(a, b);
        let i = order(DataType::Int4, false, false);
        assert_eq!(
            encode(&[Value::Int4(3)], &[i]),
            encode(&[Value::Int8(3)], &[i])
        );
        let null_last = encode(&[Value::Null], &[i]);
        assert!(null_last > encode(&[Value::Int4(i32::MAX)], &[i]));
        let f = order(DataType::Int4, true, true);
        assert!(encode(&[Value::Null], &[f]) < encode(&[Value::Int4(i32::MAX)], &[f]));
        let c = order(DataType::Bpchar, false, false);
        assert_eq!(
            encode(&[Value::Text("ab  ".into())], &[c]),
            encode(&[Value::Text("ab".into())], &[c])
        );
    }
}
