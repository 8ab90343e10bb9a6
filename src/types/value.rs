//! [`Value`]: one SQL datum at run time.
//!
//! Date and time values use PostgreSQL's own representation (days or
//! microseconds since 2000-01-01), so the binary wire format is a copy.
//! Ordering is PostgreSQL's: NaN sorts above every other float, `-0 = 0`;
//! char(n) compares without trailing spaces. NULL ordering is the caller's
//! business (`compare` never sees a NULL on one side only in a valid plan,
//! but orders it last if it does).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use bigdecimal::BigDecimal;

use super::DataType;

/// A SQL value.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int2(i16),
    Int4(i32),
    Int8(i64),
    Float4(f32),
    Float8(f64),
    Numeric(BigDecimal),
    /// numeric's NaN, Infinity and -Infinity (see `numeric.rs`).
    NumericSpecial(super::numeric::Special),
    /// text, varchar and char(n) values (char(n) is stored padded).
    Text(String),
    Bytea(Vec<u8>),
    /// Days since 2000-01-01.
    Date(i32),
    /// Microseconds since 2000-01-01 00:00:00, no time zone.
    Timestamp(i64),
    /// Microseconds since 2000-01-01 00:00:00 UTC.
    Timestamptz(i64),
    Interval(super::interval::Interval),
    Uuid(u128),
    Jsonb(Box<super::jsonb::Jsonb>),
    /// An object identifier (type oid).
    Oid(u32),
    /// A one-dimensional array.
    Array(Box<super::array::ArrayValue>),
    /// A label of an enum type.
    Enum(Box<super::enums::EnumValue>),
    /// An anonymous row's fields (see `record.rs`).
    Record(Vec<Value>),
}

impl Value {
    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The natural type of this value (text for strings; the binder knows
    /// better whether it is varchar or char).
    pub fn data_type(&self) -> DataType {
        match self {
            Value::Null => DataType::Unknown,
            Value::Bool(_) => DataType::Bool,
            Value::Int2(_) => DataType::Int2,
            Value::Int4(_) => DataType::Int4,
            Value::Int8(_) => DataType::Int8,
            Value::Float4(_) => DataType::Float4,
            Value::Float8(_) => DataType::Float8,
            Value::Numeric(_) | Value::NumericSpecial(_) => DataType::Numeric,
            Value::Text(_) => DataType::Text,
            Value::Bytea(_) => DataType::Bytea,
            Value::Date(_) => DataType::Date,
            Value::Timestamp(_) => DataType::Timestamp,
            Value::Timestamptz(_) => DataType::Timestamptz,
            Value::Interval(_) => DataType::Interval,
            Value::Uuid(_) => DataType::Uuid,
            Value::Jsonb(_) => DataType::Jsonb,
            Value::Oid(_) => DataType::Oid,
            Value::Array(a) => super::array::array_of(a.elem).unwrap_or(DataType::Unknown),
            // The type's definition is the catalog's; expressions carry it.
            Value::Enum(_) | Value::Record(_) => DataType::Unknown,
        }
    }

    /// The value as a f64, for numeric values.
    pub fn as_f64(&self) -> Option<f64> {
        use bigdecimal::ToPrimitive;
        match self {
            Value::Int2(v) => Some(*v as f64),
            Value::Int4(v) => Some(*v as f64),
            Value::Int8(v) => Some(*v as f64),
            Value::Float4(v) => Some(*v as f64),
            Value::Float8(v) => Some(*v),
            Value::Numeric(v) => v.to_f64(),
            Value::NumericSpecial(s) => Some(s.to_f64()),
            _ => None,
        }
    }

    /// The value as i64, for integer values.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int2(v) => Some(*v as i64),
            Value::Int4(v) => Some(*v as i64),
            Value::Int8(v) => Some(*v),
            Value::Oid(v) => Some(*v as i64),
            _ => None,
        }
    }

    /// The value as a BigDecimal, for integer and numeric values.
    pub fn as_decimal(&self) -> Option<BigDecimal> {
        match self {
            Value::Int2(v) => Some(BigDecimal::from(*v)),
            Value::Int4(v) => Some(BigDecimal::from(*v)),
            Value::Int8(v) => Some(BigDecimal::from(*v)),
            Value::Numeric(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// PostgreSQL's total order on two non-NULL values of one type.
    pub fn compare(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int2(a), Int2(b)) => a.cmp(b),
            (Int4(a), Int4(b)) => a.cmp(b),
            (Int8(a), Int8(b)) => a.cmp(b),
            (Oid(a), Oid(b)) => a.cmp(b),
            (Record(a), Record(b)) => super::record::compare(a, b),
            (Array(a), Array(b)) => {
                // Element by element (NULLs last), then the shorter first.
                for (x, y) in a.items.iter().zip(&b.items) {
                    let o = x.compare(y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.items.len().cmp(&b.items.len())
            }
            (Float4(a), Float4(b)) => compare_floats(*a as f64, *b as f64),
            (Float8(a), Float8(b)) => compare_floats(*a, *b),
            (Numeric(a), Numeric(b)) => a.cmp(b),
            (NumericSpecial(a), NumericSpecial(b)) => a.cmp(b),
            // -Infinity sorts below every number, Infinity and NaN above.
            (NumericSpecial(s), b) if b.as_f64().is_some() => {
                if *s == super::numeric::Special::NegInf {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (a, NumericSpecial(s)) if a.as_f64().is_some() => {
                if *s == super::numeric::Special::NegInf {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Bytea(a), Bytea(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (Timestamp(a), Timestamp(b)) | (Timestamptz(a), Timestamptz(b)) => a.cmp(b),
            (Interval(a), Interval(b)) => a.span().cmp(&b.span()),
            (Uuid(a), Uuid(b)) => a.cmp(b),
            (Jsonb(a), Jsonb(b)) => a.compare(b),
            (Enum(a), Enum(b)) => a.type_oid.cmp(&b.type_oid).then(a.sort.total_cmp(&b.sort)),
            (a, b) => compare_mixed(a, b),
        }
    }
}

/// Compares values of different types that the binder left uncast: numeric
/// mixes compare exactly where possible, else as floats.
fn compare_mixed(a: &Value, b: &Value) -> Ordering {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_decimal(), b.as_decimal()) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
        return compare_floats(x, y);
    }
    // Different non-numeric types: order by type OID, so sorting stays total.
    a.data_type().oid().cmp(&b.data_type().oid())
}

/// Floats in PostgreSQL order: NaN equals NaN and sorts above everything.
pub fn compare_floats(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        // Same-type keys (hash joins, grouping) without the full compare.
        match (self, other) {
            (Value::Int4(a), Value::Int4(b)) => a == b,
            (Value::Int8(a), Value::Int8(b)) => a == b,
            (Value::Text(a), Value::Text(b)) => a == b,
            _ => self.compare(other) == Ordering::Equal,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Values equal under `compare` must hash alike: numbers hash by a
        // normalised form so 1 (int4), 1 (int8) and 1.0 (numeric) collide.
        match self {
            Value::Null => 0u8.hash(state),
            Value::Bool(b) => b.hash(state),
            Value::Int2(_)
            | Value::Int4(_)
            | Value::Int8(_)
            | Value::Oid(_)
            | Value::Numeric(_) => match self.as_i64() {
                Some(i) => i.hash(state),
                None => {
                    let d = self.as_decimal().unwrap_or_default().normalized();
                    match bigdecimal::ToPrimitive::to_i64(&d) {
                        Some(i) if d.is_integer() => i.hash(state),
                        _ => d.to_string().hash(state),
                    }
                }
            },
            Value::NumericSpecial(s) => float_hash_bits(s.to_f64()).hash(state),
            Value::Float4(f) => float_hash_bits(*f as f64).hash(state),
            Value::Float8(f) => float_hash_bits(*f).hash(state),
            Value::Text(s) => s.hash(state),
            Value::Bytea(b) => b.hash(state),
            Value::Date(d) => d.hash(state),
            Value::Timestamp(t) | Value::Timestamptz(t) => t.hash(state),
            // Equal spans are equal intervals ('1 mon' = '30 days').
            Value::Interval(i) => i.span().hash(state),
            Value::Uuid(u) => u.hash(state),
            Value::Jsonb(j) => j.hash(state),
            Value::Enum(e) => (e.type_oid, e.sort.to_bits()).hash(state),
            Value::Record(fields) => fields.hash(state),
            Value::Array(a) => {
                a.items.len().hash(state);
                for v in &a.items {
                    v.hash(state);
                }
            }
        }
    }
}

fn float_hash_bits(f: f64) -> u64 {
    if f.is_nan() {
        u64::MAX
    } else if f == 0.0 {
        0
    } else {
        f.to_bits()
    }
}
