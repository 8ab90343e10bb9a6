//! pg_constraint's rows: PRIMARY KEY and UNIQUE constraints (their
//! indexes), CHECK and FOREIGN KEY constraints, in one layout.

use super::rows::{constraint_oid, oid, text};
use crate::catalog::acl::PUBLIC_SCHEMA_OID;
use crate::catalog::{Catalog, IndexDef, TableDef};
use crate::types::{DataType, Value};

/// The position of `connamespace` in a row (the caller fills it in).
pub(super) const CONNAMESPACE: usize = 2;

pub(super) fn foreign_key_row(
    catalog: &Catalog,
    t: &TableDef,
    f: &crate::catalog::ForeignKeyDef,
) -> Vec<Value> {
    let index = catalog.referenced_index(f).map_or(0, |i| i.oid);
    constraint_values(Constraint {
        oid: f.oid,
        name: &f.name,
        kind: "f",
        table: t.oid,
        index,
        referenced: f.ref_table,
        actions: (f.on_update.code(), f.on_delete.code(), "s"),
        no_inherit: false,
        keys: f.columns.iter().map(|c| *c as i16 + 1).collect(),
        referenced_keys: Some(f.ref_columns.iter().map(|c| *c as i16 + 1).collect()),
        bin: None,
    })
}

pub(super) fn check_row(t: &TableDef, c: &crate::catalog::CheckDef) -> Vec<Value> {
    constraint_values(Constraint {
        oid: c.oid,
        name: &c.name,
        kind: "c",
        table: t.oid,
        index: 0,
        referenced: 0,
        actions: (" ", " ", " "),
        no_inherit: false,
        keys: super::definitions::check_columns(t, c),
        referenced_keys: None,
        bin: Some(&c.expr),
    })
}

pub(super) fn constraint_row(t: &TableDef, i: &IndexDef) -> Vec<Value> {
    constraint_values(Constraint {
        oid: constraint_oid(i),
        name: &i.name,
        kind: if i.primary { "p" } else { "u" },
        table: t.oid,
        index: i.oid,
        referenced: 0,
        actions: (" ", " ", " "),
        no_inherit: true,
        keys: i
            .ordered_keys()
            .map(|k| k.column.map_or(0, |c| c as i16 + 1))
            .collect(),
        referenced_keys: None,
        bin: None,
    })
}

/// What a pg_constraint row says.
struct Constraint<'a> {
    oid: u32,
    name: &'a str,
    /// contype.
    kind: &'a str,
    table: u32,
    /// conindid.
    index: u32,
    /// confrelid.
    referenced: u32,
    /// confupdtype, confdeltype, confmatchtype.
    actions: (&'a str, &'a str, &'a str),
    no_inherit: bool,
    keys: Vec<i16>,
    referenced_keys: Option<Vec<i16>>,
    /// conbin (FlintDB keeps the condition's SQL text).
    bin: Option<&'a str>,
}

fn constraint_values(c: Constraint) -> Vec<Value> {
    let numbers = |keys: Vec<i16>| {
        Value::Array(Box::new(crate::types::array::ArrayValue {
            elem: DataType::Int2,
            items: keys.into_iter().map(Value::Int2).collect(),
        }))
    };
    vec![
        oid(c.oid),
        text(c.name),
        oid(PUBLIC_SCHEMA_OID),
        text(c.kind),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(true),
        oid(c.table),
        oid(0),
        oid(c.index),
        oid(0),
        oid(c.referenced),
        text(c.actions.0),
        text(c.actions.1),
        text(c.actions.2),
        Value::Bool(true),
        Value::Int4(0),
        Value::Bool(c.no_inherit),
        numbers(c.keys),
        c.referenced_keys.map_or(Value::Null, numbers),
        c.bin.map_or(Value::Null, text),
    ]
}
