//! SQL type names to [`ColumnType`]s, and PostgreSQL's type coercion rules:
//! which implicit casts unify two operands, which assignment casts store an
//! expression into a column, which explicit casts exist.

use sqlparser::ast::{CharacterLength, DataType as AstType, ExactNumberInfo, TimezoneInfo};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{ColumnType, DataType};

/// Resolves a built-in type name from the AST.
pub fn resolve_type(ty: &AstType) -> Result<ColumnType> {
    resolve_type_with(ty, &|_| None)
}

/// Resolves a type name from the AST: built-in types, then the catalog's
/// user-defined (enum) types.
pub fn resolve_type_in(ty: &AstType, catalog: &crate::catalog::Catalog) -> Result<ColumnType> {
    resolve_type_with(ty, &|name| {
        // Enum types live in schema public.
        let name = name.strip_prefix("public.").unwrap_or(name);
        catalog.enum_type_by_name(name).map(DataType::Enum)
    })
}

fn resolve_type_with(ty: &AstType, user: &dyn Fn(&str) -> Option<DataType>) -> Result<ColumnType> {
    use AstType as A;
    let plain = |t| Ok(ColumnType::plain(t));
    match ty {
        A::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(elem, None)) => {
            let elem = resolve_type_with(elem, user)?;
            let array = crate::types::array::array_of(elem.data_type)
                .ok_or_else(|| crate::errunsupported!("arrays of {}", elem.data_type.sql_name()))?;
            plain(array)
        }
        A::Bool | A::Boolean => plain(DataType::Bool),
        A::SmallInt(None) | A::Int2(None) => plain(DataType::Int2),
        A::Int(None) | A::Integer(None) | A::Int4(None) => plain(DataType::Int4),
        A::BigInt(None) | A::Int8(None) => plain(DataType::Int8),
        A::Real | A::Float4 => plain(DataType::Float4),
        A::Double(ExactNumberInfo::None) | A::DoublePrecision | A::Float8 => {
            plain(DataType::Float8)
        }
        A::Float(info) => match info {
            ExactNumberInfo::None => plain(DataType::Float8),
            ExactNumberInfo::Precision(p) if (1..=24).contains(p) => plain(DataType::Float4),
            ExactNumberInfo::Precision(p) if (25..=53).contains(p) => plain(DataType::Float8),
            _ => Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "precision for type float must be between 1 and 53 bits"
            )),
        },
        A::Numeric(info) | A::Decimal(info) | A::Dec(info) => match info {
            ExactNumberInfo::None => plain(DataType::Numeric),
            ExactNumberInfo::Precision(p) => ColumnType::numeric(*p, 0),
            ExactNumberInfo::PrecisionAndScale(p, s) => ColumnType::numeric(*p, *s),
        },
        A::Text => plain(DataType::Text),
        A::Varchar(len) | A::CharacterVarying(len) | A::CharVarying(len) => match len {
            None => plain(DataType::Varchar),
            Some(CharacterLength::IntegerLength { length, unit: None }) => {
                ColumnType::with_length(DataType::Varchar, *length)
            }
            Some(_) => Err(crate::errunsupported!("length unit or MAX in type {ty}")),
        },
        A::Char(len) | A::Character(len) => match len {
            None => ColumnType::with_length(DataType::Bpchar, 1),
            Some(CharacterLength::IntegerLength { length, unit: None }) => {
                ColumnType::with_length(DataType::Bpchar, *length)
            }
            Some(_) => Err(crate::errunsupported!("length unit or MAX in type {ty}")),
        },
        A::Bytea => plain(DataType::Bytea),
        A::Date => plain(DataType::Date),
        A::Timestamp(None, tz) => match tz {
            TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => plain(DataType::Timestamptz),
            TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => plain(DataType::Timestamp),
        },
        A::Timestamp(Some(_), _) => Err(crate::errunsupported!("timestamp precision ({ty})")),
        A::Custom(name, modifiers) if modifiers.is_empty() => {
            let n = super::scope::name_parts(name)?.join(".");
            let n = n.strip_prefix("pg_catalog.").unwrap_or(&n);
            match n {
                "int2" => plain(DataType::Int2),
                "int4" | "int" => plain(DataType::Int4),
                "int8" => plain(DataType::Int8),
                "float4" => plain(DataType::Float4),
                "float8" => plain(DataType::Float8),
                "bool" => plain(DataType::Bool),
                "text" => plain(DataType::Text),
                "varchar" => plain(DataType::Varchar),
                "bpchar" => plain(DataType::Bpchar),
                "numeric" | "decimal" => plain(DataType::Numeric),
                "timestamptz" => plain(DataType::Timestamptz),
                "timestamp" => plain(DataType::Timestamp),
                "date" => plain(DataType::Date),
                "bytea" => plain(DataType::Bytea),
                "name" => plain(DataType::Name),
                "char" => plain(DataType::Char),
                "oid" => plain(DataType::Oid),
                "json" => plain(DataType::Json),
                "interval" => plain(DataType::Interval),
                "uuid" => plain(DataType::Uuid),
                "jsonb" => plain(DataType::Jsonb),
                _ => match (reg_type(ty), user(n.strip_prefix("public.").unwrap_or(n))) {
                    (Some(kind), _) => plain(DataType::Reg(kind)),
                    (None, Some(t)) => plain(t),
                    (None, None) => Err(errinput!(
                        sqlstate::UNDEFINED_OBJECT,
                        "type \"{n}\" does not exist"
                    )),
                },
            }
        }
        A::Regclass => plain(DataType::Reg(crate::types::RegKind::Class)),
        A::JSON => plain(DataType::Json),
        A::JSONB => plain(DataType::Jsonb),
        A::Uuid => plain(DataType::Uuid),
        A::Interval {
            fields: None,
            precision: None,
        } => plain(DataType::Interval),
        A::Interval { .. } => Err(crate::errunsupported!(
            "interval fields or precision ({ty})"
        )),
        other => Err(crate::errunsupported!("type {other}")),
    }
}

/// The OID-alias type (`regclass`, `regtype`, …) a type name names.
pub fn reg_type(ty: &AstType) -> Option<crate::types::RegKind> {
    use crate::types::RegKind as F;
    let name = match ty {
        AstType::Regclass => return Some(F::Class),
        AstType::Custom(name, modifiers) if modifiers.is_empty() => {
            super::scope::name_parts(name).ok()?.join(".")
        }
        _ => return None,
    };
    match name.strip_prefix("pg_catalog.").unwrap_or(&name) {
        "regclass" => Some(F::Class),
        "regtype" => Some(F::Type),
        "regnamespace" => Some(F::Namespace),
        "regrole" => Some(F::Role),
        _ => None,
    }
}

/// PostgreSQL's internal type name, used to name cast result columns.
pub fn internal_name(t: DataType) -> &'static str {
    match t {
        DataType::Bool => "bool",
        DataType::Int2 => "int2",
        DataType::Int4 => "int4",
        DataType::Int8 => "int8",
        DataType::Float4 => "float4",
        DataType::Float8 => "float8",
        DataType::Numeric => "numeric",
        DataType::Text | DataType::Unknown => "text",
        DataType::Varchar => "varchar",
        DataType::Bpchar => "bpchar",
        DataType::Bytea => "bytea",
        DataType::Date => "date",
        DataType::Timestamp => "timestamp",
        DataType::Timestamptz => "timestamptz",
        DataType::Interval => "interval",
        DataType::Uuid => "uuid",
        DataType::Jsonb => "jsonb",
        DataType::Name => "name",
        DataType::Json => "json",
        DataType::Int2Vector => "int2vector",
        DataType::OidVector => "oidvector",
        DataType::Char => "char",
        DataType::Oid => "oid",
        DataType::Reg(kind) => kind.name(),
        DataType::Array(elem) => crate::types::array::internal_name(*elem),
        DataType::Enum(t) => &t.name,
        DataType::Record(_) => "record",
    }
}

/// Numbers and untyped literals: what the math functions take.
pub fn numeric_like(t: &DataType) -> bool {
    t.is_numeric() || *t == DataType::Unknown
}

/// The float8-or-numeric family of math functions: numeric stays numeric,
/// integers, floats and literals go to float8.
pub fn float_or_numeric(t: DataType) -> DataType {
    if t == DataType::Numeric {
        DataType::Numeric
    } else {
        DataType::Float8
    }
}

/// The type two operands unify to under implicit casts, if any.
pub fn common_type(a: DataType, b: DataType) -> Option<DataType> {
    use DataType as T;
    if a == b {
        return Some(if a == T::Unknown { T::Text } else { a });
    }
    match (a, b) {
        (T::Unknown, x) | (x, T::Unknown) => Some(x),
        // integers compare with OIDs as OIDs (int4 → oid is implicit).
        (T::Oid, T::Int2 | T::Int4 | T::Int8) | (T::Int2 | T::Int4 | T::Int8, T::Oid) => {
            Some(T::Oid)
        }
        // Arrays unify element-wise (varchar[] with text[] is text[]).
        (T::Array(x), T::Array(y)) => common_type(*x, *y).and_then(crate::types::array::array_of),
        // OID-alias types compare as OIDs.
        (T::Reg(_), T::Oid | T::Reg(_) | T::Int2 | T::Int4 | T::Int8)
        | (T::Oid | T::Int2 | T::Int4 | T::Int8, T::Reg(_)) => Some(T::Oid),
        // real mixed with any other number is double precision: PostgreSQL
        // picks the float8 operators (float8 is the preferred numeric type).
        (T::Float4, x) | (x, T::Float4) if x.is_numeric() => Some(T::Float8),
        _ if a.is_numeric() && b.is_numeric() => Some(if a.numeric_rank() > b.numeric_rank() {
            a
        } else {
            b
        }),
        _ if a.is_string() && b.is_string() => Some(T::Text),
        _ if a.is_datetime() && b.is_datetime() => {
            let rank = |t| match t {
                T::Date => 0,
                T::Timestamp => 1,
                _ => 2,
            };
            Some(if rank(a) > rank(b) { a } else { b })
        }
        _ => None,
    }
}

/// Whether a value of `from` may be cast to `to` implicitly.
pub fn implicit_cast_ok(from: DataType, to: DataType) -> bool {
    from == to || from == DataType::Unknown || common_type(from, to) == Some(to)
}

/// Whether a value of `from` may be stored in a column of `to`.
pub fn assignment_cast_ok(from: DataType, to: DataType) -> bool {
    implicit_cast_ok(from, to)
        || (from.is_numeric() && to.is_numeric())
        || to.is_string()
        || (from.is_datetime() && to.is_datetime())
}

/// Whether an explicit cast from `from` to `to` exists.
pub fn explicit_cast_ok(from: DataType, to: DataType) -> bool {
    use DataType as T;
    assignment_cast_ok(from, to)
        || from.is_string()
        || matches!((from, to), (T::Bool, T::Int4) | (T::Int4, T::Bool))
        || matches!((from, to), (T::Array(a), T::Array(b)) if explicit_cast_ok(*a, *b))
        || (from == T::Oid && to.numeric_rank().is_some_and(|r| r <= 2))
        || matches!((from, to), (T::Json, T::Jsonb) | (T::Jsonb, T::Json))
        || (from == T::Jsonb && (to.is_numeric() || to == T::Bool))
}
