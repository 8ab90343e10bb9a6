//! The rows of pg_type: FlintDB's types and their array types.

use super::rows::{align, oid, text};
use crate::catalog::acl::CATALOG_SCHEMA_OID;
use crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
use crate::types::Value;

/// A row of pg_type: (oid, name, len, byval, category, array oid,
/// preferred, collation, element oid for arrays).
pub(super) struct TypeInfo(
    u32,
    &'static str,
    i16,
    bool,
    &'static str,
    u32,
    bool,
    u32,
    u32,
);

pub(super) const TYPES: &[TypeInfo] = &[
    TypeInfo(16, "bool", 1, true, "B", 1000, true, 0, 0),
    TypeInfo(17, "bytea", -1, false, "U", 1001, false, 0, 0),
    TypeInfo(18, "char", 1, true, "Z", 1002, false, 0, 0),
    TypeInfo(19, "name", 64, false, "S", 1003, false, 950, 0),
    TypeInfo(20, "int8", 8, true, "N", 1016, false, 0, 0),
    TypeInfo(21, "int2", 2, true, "N", 1005, false, 0, 0),
    TypeInfo(23, "int4", 4, true, "N", 1007, false, 0, 0),
    TypeInfo(25, "text", -1, false, "S", 1009, true, 100, 0),
    TypeInfo(26, "oid", 4, true, "N", 1028, true, 0, 0),
    TypeInfo(700, "float4", 4, true, "N", 1021, false, 0, 0),
    TypeInfo(701, "float8", 8, true, "N", 1022, true, 0, 0),
    TypeInfo(705, "unknown", -2, false, "X", 0, false, 0, 0),
    TypeInfo(1042, "bpchar", -1, false, "S", 1014, false, 100, 0),
    TypeInfo(1043, "varchar", -1, false, "S", 1015, false, 100, 0),
    TypeInfo(1082, "date", 4, true, "D", 1182, false, 0, 0),
    TypeInfo(1114, "timestamp", 8, true, "D", 1115, false, 0, 0),
    TypeInfo(1184, "timestamptz", 8, true, "D", 1185, true, 0, 0),
    TypeInfo(1700, "numeric", -1, false, "N", 1231, false, 0, 0),
    TypeInfo(1186, "interval", 16, false, "T", 1187, true, 0, 0),
    TypeInfo(2950, "uuid", 16, false, "U", 2951, false, 0, 0),
    TypeInfo(3802, "jsonb", -1, false, "U", 3807, false, 0, 0),
    TypeInfo(1000, "_bool", -1, false, "A", 0, false, 0, 16),
    TypeInfo(1001, "_bytea", -1, false, "A", 0, false, 0, 17),
    TypeInfo(1002, "_char", -1, false, "A", 0, false, 0, 18),
    TypeInfo(1003, "_name", -1, false, "A", 0, false, 950, 19),
    TypeInfo(1016, "_int8", -1, false, "A", 0, false, 0, 20),
    TypeInfo(1005, "_int2", -1, false, "A", 0, false, 0, 21),
    TypeInfo(1007, "_int4", -1, false, "A", 0, false, 0, 23),
    TypeInfo(1009, "_text", -1, false, "A", 0, false, 100, 25),
    TypeInfo(1028, "_oid", -1, false, "A", 0, false, 0, 26),
    TypeInfo(1021, "_float4", -1, false, "A", 0, false, 0, 700),
    TypeInfo(1022, "_float8", -1, false, "A", 0, false, 0, 701),
    TypeInfo(1014, "_bpchar", -1, false, "A", 0, false, 100, 1042),
    TypeInfo(1015, "_varchar", -1, false, "A", 0, false, 100, 1043),
    TypeInfo(1182, "_date", -1, false, "A", 0, false, 0, 1082),
    TypeInfo(1115, "_timestamp", -1, false, "A", 0, false, 0, 1114),
    TypeInfo(1185, "_timestamptz", -1, false, "A", 0, false, 0, 1184),
    TypeInfo(1231, "_numeric", -1, false, "A", 0, false, 0, 1700),
    TypeInfo(1187, "_interval", -1, false, "A", 0, false, 0, 1186),
    TypeInfo(2951, "_uuid", -1, false, "A", 0, false, 0, 2950),
    TypeInfo(3807, "_jsonb", -1, false, "A", 0, false, 0, 3802),
];

pub(super) fn type_row(t: &TypeInfo) -> Vec<Value> {
    let TypeInfo(o, name, len, byval, category, array, preferred, collation, elem) = *t;
    let base = name.trim_start_matches('_');
    let io = |suffix: &str| {
        if elem != 0 {
            text(format!("array_{suffix}"))
        } else {
            text(format!(
                "{}{suffix}",
                if base == "char" { "char" } else { base }
            ))
        }
    };
    vec![
        oid(o),
        text(name),
        oid(CATALOG_SCHEMA_OID),
        oid(BOOTSTRAP_SUPERUSER_OID),
        Value::Int2(len),
        Value::Bool(byval),
        text(if o == 705 { "p" } else { "b" }),
        text(category),
        Value::Bool(preferred),
        Value::Bool(true),
        text(","),
        oid(0),
        if elem != 0 {
            text("array_subscript_handler")
        } else {
            text("-")
        },
        oid(elem),
        oid(array),
        io("in"),
        io("out"),
        io("recv"),
        io("send"),
        text(match (base, elem) {
            // Sixteen bytes, but aligned as their parts are.
            ("interval", _) => "d",
            ("uuid", 0) => "c",
            _ => align(len),
        }),
        text(if len < 0 { "x" } else { "p" }),
        Value::Bool(false),
        oid(0),
        Value::Int4(-1),
        Value::Int4(0),
        oid(collation),
        Value::Null,
    ]
}

/// The pg_type name of a type OID, for format_type and regtype.
pub fn type_name_of(o: u32) -> Option<&'static str> {
    TYPES.iter().find(|t| t.0 == o).map(|t| t.1)
}

/// The array type of an element type.
pub fn array_type_of(o: u32) -> Option<u32> {
    TYPES
        .iter()
        .find(|t| t.0 == o)
        .map(|t| t.5)
        .filter(|a| *a != 0)
}

/// The element type of an array type.
pub fn element_type_of(o: u32) -> Option<u32> {
    TYPES
        .iter()
        .find(|t| t.0 == o)
        .map(|t| t.8)
        .filter(|e| *e != 0)
}

/// The pg_type rows of an enum type and of its array type.
pub(super) fn enum_type_rows(t: &crate::types::enums::EnumType) -> [Vec<Value>; 2] {
    use crate::catalog::acl::PUBLIC_SCHEMA_OID;
    let row = |o: u32, name: String, array: bool| {
        let io = |f: &str| text(format!("{}_{f}", if array { "array" } else { "enum" }));
        vec![
            oid(o),
            text(name),
            oid(PUBLIC_SCHEMA_OID),
            oid(t.owner),
            Value::Int2(if array { -1 } else { 4 }),
            Value::Bool(!array),
            text(if array { "b" } else { "e" }),
            text(if array { "A" } else { "E" }),
            Value::Bool(false),
            Value::Bool(true),
            text(","),
            oid(0),
            text(if array {
                "array_subscript_handler"
            } else {
                "-"
            }),
            oid(if array { t.oid } else { 0 }),
            oid(if array { 0 } else { t.array_oid }),
            io("in"),
            io("out"),
            io("recv"),
            io("send"),
            text("i"),
            text(if array { "x" } else { "p" }),
            Value::Bool(false),
            oid(0),
            Value::Int4(-1),
            Value::Int4(0),
            oid(0),
            Value::Null,
        ]
    };
    [
        row(t.oid, t.name.clone(), false),
        row(t.array_oid, format!("_{}", t.name), true),
    ]
}
