//! SQL data types and values: PostgreSQL's type OIDs, names and typmods,
//! the runtime [`Value`], and the text and binary wire formats.
//!
//! Owns: what a type is and how its values look on the wire and in text.
//! Does not own: how values are stored in rows (`encoding::row`) or how
//! expressions combine them (`sql::eval`).

pub mod array;
pub mod binary;
pub mod datetime;
pub mod datetime_format;
pub mod enums;
pub mod float_format;
pub mod interval;
pub mod jsonb;
pub mod number_format;
pub mod numeric;
pub mod record;
pub mod text;
pub mod uuid;
mod value;

pub use value::Value;

use crate::errinput;
use crate::error::{sqlstate, Result};

/// Which objects an OID-alias type names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegKind {
    Class,
    Type,
    Namespace,
    Role,
}

impl RegKind {
    /// The type's OID.
    pub fn oid(self) -> u32 {
        match self {
            RegKind::Class => 2205,
            RegKind::Type => 2206,
            RegKind::Namespace => 4089,
            RegKind::Role => 4096,
        }
    }

    /// The type's name.
    pub fn name(self) -> &'static str {
        match self {
            RegKind::Class => "regclass",
            RegKind::Type => "regtype",
            RegKind::Namespace => "regnamespace",
            RegKind::Role => "regrole",
        }
    }
}

/// A PostgreSQL base type that FlintDB supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Bpchar,
    Bytea,
    Date,
    Timestamp,
    Timestamptz,
    /// Months, days and microseconds (see `interval.rs`).
    Interval,
    /// 128-bit universally unique identifiers.
    Uuid,
    /// PostgreSQL's `name` (identifiers in the system catalogs): text.
    Name,
    /// PostgreSQL's one-byte `"char"` (relkind and friends): text.
    Char,
    /// Object identifiers: unsigned 32-bit.
    Oid,
    /// `json`: text that is valid JSON, kept as written.
    Json,
    /// `jsonb`: parsed JSON (see `jsonb.rs`).
    Jsonb,
    /// The catalogs' `int2vector` and `oidvector`: arrays that print as
    /// space-separated numbers and are subscripted from 0.
    Int2Vector,
    OidVector,
    /// An OID-alias type (`regclass`, …): an OID that prints as the name
    /// of the object it identifies.
    Reg(RegKind),
    /// A one-dimensional array of the element type (see `array.rs`).
    Array(&'static DataType),
    /// A user-defined enum type (see `enums.rs`).
    Enum(&'static enums::EnumType),
    /// An anonymous row (`record`): its fields' names and types, as the
    /// set-returning functions that make them declare (see `record.rs`).
    Record(&'static record::RecordType),
    /// The type of an untyped string literal or parameter before it is
    /// resolved; shown as `text` if it never is.
    Unknown,
}

impl DataType {
    /// A vector type's element (int2vector, oidvector).
    pub fn vector_element(self) -> Option<DataType> {
        match self {
            DataType::Int2Vector => Some(DataType::Int2),
            DataType::OidVector => Some(DataType::Oid),
            _ => None,
        }
    }

    /// The PostgreSQL type OID.
    pub fn oid(self) -> u32 {
        match self {
            DataType::Bool => 16,
            DataType::Bytea => 17,
            DataType::Int8 => 20,
            DataType::Int2 => 21,
            DataType::Int4 => 23,
            DataType::Text => 25,
            DataType::Float4 => 700,
            DataType::Float8 => 701,
            DataType::Bpchar => 1042,
            DataType::Varchar => 1043,
            DataType::Date => 1082,
            DataType::Timestamp => 1114,
            DataType::Timestamptz => 1184,
            DataType::Interval => 1186,
            DataType::Uuid => 2950,
            DataType::Numeric => 1700,
            DataType::Name => 19,
            DataType::Json => 114,
            DataType::Jsonb => 3802,
            DataType::Int2Vector => 22,
            DataType::OidVector => 30,
            DataType::Char => 18,
            DataType::Oid => 26,
            DataType::Reg(kind) => kind.oid(),
            DataType::Array(elem) => array::oid(*elem),
            DataType::Enum(t) => t.oid,
            DataType::Record(_) => 2249,
            DataType::Unknown => 705,
        }
    }

    /// The type for a PostgreSQL OID, if FlintDB supports it.
    pub fn from_oid(oid: u32) -> Option<DataType> {
        Some(match oid {
            16 => DataType::Bool,
            17 => DataType::Bytea,
            20 => DataType::Int8,
            21 => DataType::Int2,
            23 => DataType::Int4,
            25 => DataType::Text,
            700 => DataType::Float4,
            701 => DataType::Float8,
            1042 => DataType::Bpchar,
            1043 => DataType::Varchar,
            1082 => DataType::Date,
            1114 => DataType::Timestamp,
            1184 => DataType::Timestamptz,
            1186 => DataType::Interval,
            2950 => DataType::Uuid,
            1700 => DataType::Numeric,
            19 => DataType::Name,
            18 => DataType::Char,
            26 => DataType::Oid,
            114 => DataType::Json,
            3802 => DataType::Jsonb,
            22 => DataType::Int2Vector,
            30 => DataType::OidVector,
            2205 => DataType::Reg(RegKind::Class),
            2206 => DataType::Reg(RegKind::Type),
            4089 => DataType::Reg(RegKind::Namespace),
            4096 => DataType::Reg(RegKind::Role),
            705 => DataType::Unknown,
            _ => return array::from_oid(oid),
        })
    }

    /// PostgreSQL's `typlen`: fixed width in bytes, or -1 for varlena.
    pub fn type_len(self) -> i16 {
        match self {
            DataType::Bool | DataType::Char => 1,
            DataType::Int2 => 2,
            DataType::Int4
            | DataType::Float4
            | DataType::Date
            | DataType::Oid
            | DataType::Enum(_)
            | DataType::Reg(_) => 4,
            DataType::Name => 64,
            DataType::Int8 | DataType::Float8 | DataType::Timestamp | DataType::Timestamptz => 8,
            DataType::Interval | DataType::Uuid => 16,
            DataType::Unknown => -2,
            _ => -1,
        }
    }

    /// The name PostgreSQL's `format_type` prints (without typmod).
    pub fn sql_name(self) -> &'static str {
        match self {
            DataType::Bool => "boolean",
            DataType::Int2 => "smallint",
            DataType::Int4 => "integer",
            DataType::Int8 => "bigint",
            DataType::Float4 => "real",
            DataType::Float8 => "double precision",
            DataType::Numeric => "numeric",
            DataType::Text => "text",
            DataType::Varchar => "character varying",
            DataType::Bpchar => "character",
            DataType::Bytea => "bytea",
            DataType::Date => "date",
            DataType::Timestamp => "timestamp without time zone",
            DataType::Timestamptz => "timestamp with time zone",
            DataType::Interval => "interval",
            DataType::Uuid => "uuid",
            DataType::Name => "name",
            DataType::Json => "json",
            DataType::Jsonb => "jsonb",
            DataType::Int2Vector => "int2vector",
            DataType::OidVector => "oidvector",
            DataType::Char => "\"char\"",
            DataType::Oid => "oid",
            DataType::Reg(kind) => kind.name(),
            DataType::Array(elem) => array::sql_name(*elem),
            DataType::Enum(t) => &t.sql_name,
            DataType::Record(_) => "record",
            DataType::Unknown => "unknown",
        }
    }

    /// True for the string types (text, varchar, bpchar, unknown literals).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            DataType::Text
                | DataType::Varchar
                | DataType::Bpchar
                | DataType::Name
                | DataType::Char
                | DataType::Unknown
        )
    }

    /// True for int2/int4/int8/numeric/float4/float8.
    pub fn is_numeric(self) -> bool {
        self.numeric_rank().is_some()
    }

    /// Position in the implicit numeric promotion order.
    pub fn numeric_rank(self) -> Option<u8> {
        match self {
            DataType::Int2 => Some(0),
            DataType::Int4 => Some(1),
            DataType::Int8 => Some(2),
            DataType::Numeric => Some(3),
            DataType::Float4 => Some(4),
            DataType::Float8 => Some(5),
            _ => None,
        }
    }

    /// True for the date/time types.
    pub fn is_datetime(self) -> bool {
        matches!(
            self,
            DataType::Date | DataType::Timestamp | DataType::Timestamptz
        )
    }
}

/// A column's declared type: base type plus PostgreSQL typmod (-1 = none).
/// For varchar(n)/char(n) the typmod is n + 4; for numeric(p,s) it is
/// ((p << 16) | s) + 4, exactly as PostgreSQL stores `atttypmod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ColumnType {
    pub data_type: DataType,
    pub typmod: i32,
}

/// Largest length accepted for varchar(n) and char(n), as in PostgreSQL.
pub const MAX_CHAR_LENGTH: u64 = 10_485_760;
/// Largest precision accepted for numeric(p,s), as in PostgreSQL.
pub const MAX_NUMERIC_PRECISION: u64 = 1000;

impl ColumnType {
    /// A type without modifier.
    pub fn plain(data_type: DataType) -> Self {
        ColumnType {
            data_type,
            typmod: -1,
        }
    }

    /// varchar(n) / char(n).
    pub fn with_length(data_type: DataType, length: u64) -> Result<Self> {
        if length == 0 || length > MAX_CHAR_LENGTH {
            let name = if data_type == DataType::Bpchar {
                "char"
            } else {
                "varchar"
            };
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "length for type {name} must be between 1 and {MAX_CHAR_LENGTH}"
            ));
        }
        Ok(ColumnType {
            data_type,
            typmod: length as i32 + 4,
        })
    }

    /// numeric(p,s); PostgreSQL 15 allows -1000 <= s <= 1000.
    pub fn numeric(precision: u64, scale: i64) -> Result<Self> {
        if precision == 0 || precision > MAX_NUMERIC_PRECISION {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "NUMERIC precision {precision} must be between 1 and {MAX_NUMERIC_PRECISION}"
            ));
        }
        if !(-1000..=1000).contains(&scale) {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "NUMERIC scale {scale} must be between -1000 and 1000"
            ));
        }
        Ok(ColumnType {
            data_type: DataType::Numeric,
            typmod: (((precision as i32) << 16) | (scale as i32 & 0x7ff)) + 4,
        })
    }

    /// The declared length of varchar(n)/char(n).
    pub fn char_length(self) -> Option<usize> {
        (self.typmod >= 4).then(|| (self.typmod - 4) as usize)
    }

    /// The declared (precision, scale) of numeric(p,s); the scale is an
    /// 11-bit signed field, as in PostgreSQL 15.
    pub fn numeric_precision_scale(self) -> Option<(u32, i32)> {
        (self.data_type == DataType::Numeric && self.typmod >= 4).then(|| {
            let t = self.typmod - 4;
            let scale = ((t & 0x7ff) ^ 0x400) - 0x400;
            (((t >> 16) & 0xffff) as u32, scale)
        })
    }

    /// The name PostgreSQL's `format_type(oid, typmod)` prints.
    pub fn sql_name(self) -> String {
        let base = self.data_type.sql_name();
        match self.data_type {
            DataType::Varchar | DataType::Bpchar => match self.char_length() {
                Some(n) => format!("{base}({n})"),
                None if self.data_type == DataType::Bpchar => "bpchar".to_string(),
                None => base.to_string(),
            },
            DataType::Numeric => match self.numeric_precision_scale() {
                Some((p, s)) => format!("numeric({p},{s})"),
                None => base.to_string(),
            },
            _ => base.to_string(),
        }
    }
}

impl From<DataType> for ColumnType {
    fn from(data_type: DataType) -> Self {
        ColumnType::plain(data_type)
    }
}
