//! The rows of each system view, built from FlintDB's catalog.

use super::definitions::index_definition;
use super::types::{enum_type_rows, type_row, TYPES};
use super::{all_views, BTREE_AM_OID, HEAP_AM_OID, INFORMATION_SCHEMA_OID};
use super::{constraint_rows, namespace_rows};
use crate::catalog::acl::{AclObject, CATALOG_SCHEMA_OID, PUBLIC_SCHEMA_OID};
use crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
use crate::catalog::{Catalog, IndexDef, TableDef};
use crate::types::{ColumnType, DataType, Value};

pub(super) fn oid(v: u32) -> Value {
    Value::Oid(v)
}

pub(super) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub(super) fn rows(catalog: &Catalog, view: &str) -> Vec<Vec<Value>> {
    let tables = catalog.tables();
    match view {
        "pg_namespace" => namespace_rows::namespaces(catalog),
        "pg_class" => {
            let mut out = Vec::new();
            for t in &tables {
                out.push(class_row(catalog, t));
                for i in &t.indexes {
                    out.push(index_class_row(catalog, t, i));
                }
            }
            for s in catalog.sequences() {
                out.push(sequence_class_row(catalog, &s));
            }
            for v in catalog.views() {
                out.push(view_class_row(
                    &v.name,
                    v.oid,
                    catalog.schema_oid(&v.schema),
                    v.owner,
                    v.columns.len(),
                ));
            }
            for (schema, (name, o, columns)) in all_views() {
                let namespace = if schema == "information_schema" {
                    INFORMATION_SCHEMA_OID
                } else {
                    CATALOG_SCHEMA_OID
                };
                out.push(view_class_row(
                    name,
                    *o,
                    namespace,
                    BOOTSTRAP_SUPERUSER_OID,
                    columns.len(),
                ));
            }
            // Relations in a temporary schema are temporary.
            let temp: Vec<u32> = catalog
                .schemas()
                .iter()
                .filter(|s| s.is_temp())
                .map(|s| s.oid)
                .collect();
            for row in &mut out {
                if matches!(row[RELNAMESPACE], Value::Oid(n) if temp.contains(&n)) {
                    row[RELPERSISTENCE] = text("t");
                }
            }
            out
        }
        "pg_attribute" => {
            let mut out = Vec::new();
            for t in &tables {
                for (i, c) in t.columns.iter().enumerate() {
                    let mut row = attribute_row(
                        t.oid,
                        &c.name,
                        c.ty,
                        i as i16 + 1,
                        c.not_null,
                        c.default.is_some() && c.identity.is_none(),
                    );
                    row[ATTACL] = acl_text(catalog, AclObject::Column(t.oid, i as i16 + 1));
                    if let Some(identity) = c.identity {
                        row[ATTIDENTITY] = text(identity.code());
                    }
                    if c.is_dropped() {
                        row[ATTTYPID] = oid(0);
                        row[ATTISDROPPED] = Value::Bool(true);
                    }
                    out.push(row);
                }
                for index in &t.indexes {
                    for (n, key) in index.keys.iter().enumerate() {
                        let (name, ty) = match key.column.and_then(|c| t.columns.get(c)) {
                            Some(c) => (c.name.clone(), c.ty),
                            None => ("expr".to_string(), ColumnType::plain(DataType::Text)),
                        };
                        out.push(attribute_row(
                            index.oid,
                            &name,
                            ty,
                            n as i16 + 1,
                            false,
                            false,
                        ));
                    }
                }
            }
            for s in catalog.sequences() {
                let columns = [
                    ("last_value", DataType::Int8),
                    ("log_cnt", DataType::Int8),
                    ("is_called", DataType::Bool),
                ];
                for (i, (name, ty)) in columns.into_iter().enumerate() {
                    out.push(attribute_row(
                        s.oid,
                        name,
                        ColumnType::plain(ty),
                        i as i16 + 1,
                        true,
                        false,
                    ));
                }
            }
            for v in catalog.views() {
                for (i, c) in v.columns.iter().enumerate() {
                    out.push(attribute_row(
                        v.oid,
                        &c.name,
                        c.ty,
                        i as i16 + 1,
                        false,
                        false,
                    ));
                }
            }
            for (_, (_, o, columns)) in all_views() {
                for (n, (name, ty)) in columns.iter().enumerate() {
                    out.push(attribute_row(
                        *o,
                        name,
                        ColumnType::plain(*ty),
                        n as i16 + 1,
                        false,
                        false,
                    ));
                }
            }
            out
        }
        "pg_type" => TYPES
            .iter()
            .map(type_row)
            .chain(catalog.enum_types().into_iter().flat_map(enum_type_rows))
            .collect(),
        "pg_enum" => catalog
            .enum_types()
            .into_iter()
            .flat_map(|t| {
                t.labels
                    .iter()
                    .map(|l| vec![oid(l.oid), oid(t.oid), Value::Float4(l.sort), text(&l.name)])
            })
            .collect(),
        "pg_roles" => catalog
            .roles()
            .roles
            .iter()
            .map(|r| {
                vec![
                    text(&r.name),
                    Value::Bool(r.superuser),
                    Value::Bool(r.inherit),
                    Value::Bool(r.create_role),
                    Value::Bool(r.create_db),
                    Value::Bool(r.login),
                    // The bootstrap superuser replicates and bypasses row
                    // security, as initdb's does.
                    Value::Bool(r.oid == BOOTSTRAP_SUPERUSER_OID),
                    Value::Int4(r.connection_limit),
                    text("********"),
                    r.valid_until.map_or(Value::Null, Value::Timestamptz),
                    Value::Bool(r.oid == BOOTSTRAP_SUPERUSER_OID),
                    Value::Null,
                    oid(r.oid),
                ]
            })
            .collect(),
        "pg_user" => catalog
            .roles()
            .roles
            .iter()
            .filter(|r| r.login)
            .map(|r| {
                vec![
                    text(&r.name),
                    oid(r.oid),
                    Value::Bool(r.create_db),
                    Value::Bool(r.superuser),
                    Value::Bool(false),
                    Value::Bool(false),
                    text("********"),
                    r.valid_until.map_or(Value::Null, Value::Timestamptz),
                    Value::Null,
                ]
            })
            .collect(),
        "pg_auth_members" => catalog
            .roles()
            .members
            .iter()
            .map(|m| {
                vec![
                    oid(m.role),
                    oid(m.member),
                    oid(m.grantor),
                    Value::Bool(m.admin),
                ]
            })
            .collect(),
        "pg_database" => namespace_rows::databases(catalog),
        "pg_index" => tables
            .iter()
            .flat_map(|t| t.indexes.iter().map(move |i| index_row(t, i)))
            .collect(),
        "pg_am" => vec![
            vec![
                oid(HEAP_AM_OID),
                text("heap"),
                text("heap_tableam_handler"),
                text("t"),
            ],
            vec![
                oid(BTREE_AM_OID),
                text("btree"),
                text("bthandler"),
                text("i"),
            ],
        ],
        "pg_attrdef" => tables
            .iter()
            .flat_map(|t| {
                t.columns.iter().enumerate().filter_map(move |(i, c)| {
                    let default = c.default.as_ref().filter(|_| c.identity.is_none());
                    default.map(|d| {
                        vec![
                            oid(attrdef_oid(t.oid, i)),
                            oid(t.oid),
                            Value::Int2(i as i16 + 1),
                            text(deparsed_default(catalog, d, c.ty.data_type)),
                        ]
                    })
                })
            })
            .collect(),
        "pg_constraint" => tables
            .iter()
            .flat_map(|t| {
                t.indexes
                    .iter()
                    .filter(|i| i.primary || i.constraint)
                    .map(move |i| constraint_rows::constraint_row(t, i))
                    .chain(
                        t.checks
                            .iter()
                            .map(move |c| constraint_rows::check_row(t, c)),
                    )
                    .chain(
                        t.foreign_keys
                            .iter()
                            .map(move |f| constraint_rows::foreign_key_row(catalog, t, f)),
                    )
                    .map(move |mut row| {
                        row[constraint_rows::CONNAMESPACE] = oid(catalog.schema_oid(&t.schema));
                        row
                    })
            })
            .collect(),
        "pg_stat_activity" => catalog
            .backends()
            .all()
            .into_iter()
            .map(|(pid, b)| {
                let a = b.activity.lock().clone();
                let time = |t: Option<i64>| t.map_or(Value::Null, Value::Timestamptz);
                let db = b.database.load(std::sync::atomic::Ordering::Relaxed);
                let datname = catalog
                    .database_by_oid(db)
                    .map_or(Value::Null, |d| text(d.name));
                vec![
                    oid(db),
                    datname,
                    Value::Int4(pid),
                    Value::Null,
                    oid(b.role),
                    text(catalog.role_name(b.role)),
                    text(&a.application_name),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Timestamptz(b.started),
                    Value::Null,
                    time(a.query_start),
                    time(a.query_start),
                    Value::Null,
                    Value::Null,
                    text(a.state),
                    Value::Null,
                    text(a.query.map_or(String::new(), |q| q.to_string())),
                    text("client backend"),
                ]
            })
            .collect(),
        "pg_sequence" => catalog
            .sequences()
            .iter()
            .map(|s| {
                vec![
                    oid(s.oid),
                    oid(s.data_type.oid()),
                    Value::Int8(s.start),
                    Value::Int8(s.increment),
                    Value::Int8(s.max),
                    Value::Int8(s.min),
                    Value::Int8(s.cache),
                    Value::Bool(s.cycle),
                ]
            })
            .collect(),
        // The one dependency FlintDB records: a sequence owned by a column
        // ('a'; 'i' for an identity column's).
        "pg_depend" => catalog
            .sequences()
            .iter()
            .filter_map(|s| {
                let (table, column) = s.owned_by?;
                let kind = if is_identity_sequence(catalog, s) {
                    "i"
                } else {
                    "a"
                };
                Some(vec![
                    oid(1259),
                    oid(s.oid),
                    Value::Int4(0),
                    oid(1259),
                    oid(table),
                    Value::Int4(column as i32),
                    text(kind),
                ])
            })
            .collect(),
        "pg_settings" => crate::sql::session::settings::catalog()
            .into_iter()
            .map(|s| {
                let opt = |v: Option<String>| v.map_or(Value::Null, Value::Text);
                vec![
                    text(s.name),
                    Value::Null,
                    opt(s.unit.map(str::to_string)),
                    text("Client Connection Defaults"),
                    text(s.description),
                    Value::Null,
                    text(s.context),
                    text(s.vartype),
                    text("default"),
                    opt(s.min.map(|m| m.to_string())),
                    opt(s.max.map(|m| m.to_string())),
                    if s.choices.is_empty() {
                        Value::Null
                    } else {
                        Value::Array(Box::new(crate::types::array::ArrayValue {
                            elem: DataType::Text,
                            items: s.choices.iter().map(|c| text(*c)).collect(),
                        }))
                    },
                    text(s.default),
                    text(s.default),
                    Value::Null,
                    Value::Null,
                    Value::Bool(false),
                ]
            })
            .collect(),
        "pg_description" => std::iter::once(vec![
            oid(PUBLIC_SCHEMA_OID),
            oid(2615),
            Value::Int4(0),
            text("standard public schema"),
        ])
        .chain(
            catalog
                .descriptions()
                .into_iter()
                .map(|((o, sub), d)| vec![oid(o), oid(1259), Value::Int4(sub as i32), text(d)]),
        )
        .collect(),
        "pg_sequences" => catalog
            .sequences()
            .iter()
            .map(|s| {
                let last = match catalog.sequence_value(s) {
                    Ok((v, true)) => Value::Int8(v),
                    _ => Value::Null,
                };
                vec![
                    text(&s.schema),
                    text(&s.name),
                    text(catalog.role_name(s.owner)),
                    oid(s.data_type.oid()),
                    Value::Int8(s.start),
                    Value::Int8(s.min),
                    Value::Int8(s.max),
                    Value::Int8(s.increment),
                    Value::Bool(s.cycle),
                    Value::Int8(s.cache),
                    last,
                ]
            })
            .collect(),
        "pg_views" => catalog
            .views()
            .iter()
            .map(|v| {
                vec![
                    text(&v.schema),
                    text(&v.name),
                    text(catalog.role_name(v.owner)),
                    text(view_definition(&v.definition)),
                ]
            })
            .collect(),
        "pg_tables" => tables
            .iter()
            .map(|t| {
                vec![
                    text(&t.schema),
                    text(&t.name),
                    text(catalog.role_name(t.owner)),
                    Value::Null,
                    Value::Bool(!t.indexes.is_empty()),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                ]
            })
            .collect(),
        "pg_indexes" => tables
            .iter()
            .flat_map(|t| {
                t.indexes.iter().map(move |i| {
                    vec![
                        text(&t.schema),
                        text(&t.name),
                        text(&i.name),
                        Value::Null,
                        text(index_definition(t, i, false)),
                    ]
                })
            })
            .collect(),
        "pg_collation" => vec![vec![
            oid(100),
            text("default"),
            oid(CATALOG_SCHEMA_OID),
            oid(BOOTSTRAP_SUPERUSER_OID),
            text("d"),
            Value::Bool(true),
            Value::Int4(-1),
            Value::Null,
            Value::Null,
        ]],
        "pg_tablespace" => vec![
            vec![oid(1663), text("pg_default"), oid(BOOTSTRAP_SUPERUSER_OID)],
            vec![oid(1664), text("pg_global"), oid(BOOTSTRAP_SUPERUSER_OID)],
        ],
        _ => Vec::new(),
    }
}

/// A default as `pg_get_expr` shows it: a string literal carries its
/// cast to the column's type (`'x'::character varying`), as PostgreSQL
/// stores it.
pub(super) fn deparsed_default(catalog: &Catalog, default: &str, ty: DataType) -> String {
    let d = default.trim();
    if let Some(sequence) = nextval_target(d) {
        // The sequence as regclass prints it for the current search path.
        let key = crate::sql::eval::relation_key_of(catalog, &sequence);
        if let Some(s) = key.and_then(|k| catalog.get_sequence(&k)) {
            let name = crate::sql::eval::reg_name(crate::types::RegKind::Class, s.oid, catalog);
            if let Value::Text(name) = name {
                return format!("nextval('{}'::regclass)", name.replace('\'', "''"));
            }
        }
    }
    let is_string_literal = d.len() >= 2
        && d.starts_with('\'')
        && d.ends_with('\'')
        && !d[1..d.len() - 1].replace("''", "").contains('\'');
    if is_string_literal && ty != DataType::Unknown {
        let name = match ty {
            DataType::Bpchar => "bpchar",
            other => other.sql_name(),
        };
        format!("{d}::{name}")
    } else {
        d.to_string()
    }
}

/// The sequence named by a default `nextval('name'::regclass)`.
fn nextval_target(d: &str) -> Option<String> {
    let inner = d.strip_prefix("nextval('")?.strip_suffix("'::regclass)")?;
    (!inner.replace("''", "").contains('\'')).then(|| inner.replace("''", "'"))
}

/// The OID of a column default (stable: derived from table and column).
fn attrdef_oid(table: u32, column: usize) -> u32 {
    table.wrapping_mul(1601).wrapping_add(column as u32 + 1) | 0x8000_0000
}

/// The OID of a constraint: its index's OID with the top bit set.
pub fn constraint_oid(index: &IndexDef) -> u32 {
    index.oid | 0x8000_0000
}

/// What differs between pg_class rows; the rest is the same for every
/// relation FlintDB has.
struct Class<'a> {
    oid: u32,
    name: &'a str,
    namespace: u32,
    owner: u32,
    am: u32,
    pages: i32,
    tuples: f32,
    has_index: bool,
    kind: &'static str,
    natts: usize,
    /// CHECK constraints (relchecks).
    checks: usize,
    /// relhastriggers.
    triggers: bool,
    replident: &'static str,
    acl: Value,
}

/// The positions of `relnamespace` and `relpersistence` in a pg_class row.
const RELNAMESPACE: usize = 2;
const RELPERSISTENCE: usize = 15;

fn class(c: Class) -> Vec<Value> {
    let stored = c.kind != "v";
    vec![
        oid(c.oid),
        text(c.name),
        oid(c.namespace),
        oid(0),
        oid(0),
        oid(c.owner),
        oid(c.am),
        oid(if stored { c.oid } else { 0 }),
        oid(0),
        Value::Int4(c.pages),
        Value::Float4(c.tuples),
        Value::Int4(0),
        oid(0),
        Value::Bool(c.has_index),
        Value::Bool(false),
        text("p"),
        text(c.kind),
        Value::Int2(c.natts as i16),
        Value::Int2(c.checks as i16),
        Value::Bool(false),
        Value::Bool(c.triggers),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(false),
        Value::Bool(true),
        text(c.replident),
        Value::Bool(false),
        oid(0),
        c.acl,
        Value::Null,
        Value::Null,
    ]
}

fn class_row(catalog: &Catalog, t: &TableDef) -> Vec<Value> {
    class(Class {
        oid: t.oid,
        name: &t.name,
        namespace: catalog.schema_oid(&t.schema),
        owner: t.owner,
        am: HEAP_AM_OID,
        pages: catalog.relation_pages(t.rel()) as i32,
        tuples: catalog.stats(t.oid).map_or(-1.0, |s| s.rows as f32),
        has_index: !t.indexes.is_empty(),
        kind: "r",
        checks: t.checks.len(),
        // PostgreSQL enforces foreign keys with triggers on both tables.
        triggers: !t.foreign_keys.is_empty() || !catalog.referencing(t.oid).is_empty(),
        natts: t.columns.len(),
        replident: "d",
        acl: acl_text(catalog, AclObject::Table(t.oid)),
    })
}

fn index_class_row(catalog: &Catalog, t: &TableDef, i: &IndexDef) -> Vec<Value> {
    class(Class {
        oid: i.oid,
        name: &i.name,
        namespace: catalog.schema_oid(&t.schema),
        owner: t.owner,
        am: BTREE_AM_OID,
        pages: catalog.relation_pages(crate::storage::RelId(i.oid)) as i32,
        // The table's row count from ANALYZE; before one, 0 (PostgreSQL
        // counts the entries at CREATE INDEX, which FlintDB does not keep:
        // 0 is its count for an index made with its table).
        tuples: catalog.stats(t.oid).map_or(0.0, |s| s.rows as f32),
        has_index: false,
        kind: "i",
        checks: 0,
        triggers: false,
        natts: i.keys.len(),
        replident: "n",
        acl: Value::Null,
    })
}

fn view_class_row(name: &str, o: u32, namespace: u32, owner: u32, natts: usize) -> Vec<Value> {
    class(Class {
        oid: o,
        name,
        namespace,
        owner,
        am: 0,
        pages: 0,
        tuples: -1.0,
        has_index: false,
        kind: "v",
        checks: 0,
        triggers: false,
        natts,
        replident: "n",
        acl: Value::Null,
    })
}

/// An ACL as an array of `aclitem` texts (FlintDB types it text[]), NULL
/// while it is the default.
pub fn acl_text(catalog: &Catalog, object: AclObject) -> Value {
    match catalog.acl_of(object) {
        None => Value::Null,
        Some(items) => {
            let name = |o: u32| catalog.role_name(o);
            Value::Array(Box::new(crate::types::array::ArrayValue {
                elem: DataType::Text,
                items: items.iter().map(|i| text(i.render(&name))).collect(),
            }))
        }
    }
}

/// The position of `attacl` in a pg_attribute row.
const ATTACL: usize = 22;
/// The position of `attidentity` in a pg_attribute row.
const ATTIDENTITY: usize = 16;
/// The positions of `atttypid` and `attisdropped` in a pg_attribute row.
const ATTTYPID: usize = 2;
const ATTISDROPPED: usize = 18;

/// Whether a sequence is an identity column's (owned by it, internally).
pub fn is_identity_sequence(catalog: &Catalog, s: &crate::catalog::SequenceDef) -> bool {
    let Some((table, column)) = s.owned_by else {
        return false;
    };
    catalog
        .table_of(crate::storage::RelId(table))
        .and_then(|t| {
            t.columns
                .get(column as usize - 1)
                .map(|c| c.identity.is_some())
        })
        .unwrap_or(false)
}

fn sequence_class_row(catalog: &Catalog, s: &crate::catalog::SequenceDef) -> Vec<Value> {
    class(Class {
        oid: s.oid,
        name: &s.name,
        namespace: catalog.schema_oid(&s.schema),
        owner: s.owner,
        am: HEAP_AM_OID,
        pages: 1,
        tuples: 1.0,
        has_index: false,
        kind: "S",
        checks: 0,
        triggers: false,
        natts: 3,
        replident: "n",
        acl: acl_text(catalog, AclObject::Table(s.oid)),
    })
}

fn attribute_row(
    rel: u32,
    name: &str,
    ty: ColumnType,
    num: i16,
    not_null: bool,
    has_default: bool,
) -> Vec<Value> {
    let t = ty.data_type;
    let len = t.type_len();
    let collation = if t.is_string() && t != DataType::Char {
        100
    } else {
        0
    };
    vec![
        oid(rel),
        text(name),
        oid(t.oid()),
        Value::Int4(-1),
        Value::Int2(len),
        Value::Int2(num),
        Value::Int4(0),
        Value::Int4(-1),
        Value::Int4(ty.typmod),
        Value::Bool(len > 0 && len <= 8),
        text(align(len)),
        text(if len == -1 { "x" } else { "p" }),
        text(""),
        Value::Bool(not_null),
        Value::Bool(has_default),
        Value::Bool(false),
        text(""),
        text(""),
        Value::Bool(false),
        Value::Bool(true),
        Value::Int4(0),
        oid(collation),
        Value::Null,
        Value::Null,
    ]
}

pub(super) fn align(len: i16) -> &'static str {
    match len {
        1 | 64 => "c",
        2 => "s",
        8 => "d",
        _ => "i",
    }
}

fn index_row(t: &TableDef, i: &IndexDef) -> Vec<Value> {
    let vector = |elem: DataType, items: Vec<Value>| {
        Value::Array(Box::new(crate::types::array::ArrayValue { elem, items }))
    };
    let keys = i
        .keys
        .iter()
        .map(|k| Value::Int2(k.column.map_or(0, |c| c as i16 + 1)))
        .collect();
    let ordered = i.keys.iter().filter(|k| !k.included);
    let options = ordered
        .clone()
        .map(|k| Value::Int2((k.descending as i16) | ((k.nulls_first as i16) << 1)))
        .collect();
    // Each key column's collation and operator class (PostgreSQL's OIDs).
    let key_type = |k: &crate::catalog::IndexKey| {
        k.column
            .and_then(|c| t.columns.get(c))
            .map_or(DataType::Text, |c| c.ty.data_type)
    };
    let collations = ordered
        .clone()
        .map(|k| oid(if key_type(k).is_string() { 100 } else { 0 }))
        .collect();
    let classes = ordered.map(|k| oid(default_opclass(key_type(k)))).collect();
    vec![
        oid(i.oid),
        oid(t.oid),
        Value::Int2(i.keys.len() as i16),
        Value::Int2(i.ordered_keys().count() as i16),
        Value::Bool(i.unique),
        Value::Bool(false),
        Value::Bool(i.primary),
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(false),
        Value::Bool(true),
        Value::Bool(true),
        Value::Bool(false),
        vector(DataType::Int2, keys),
        vector(DataType::Oid, collations),
        vector(DataType::Oid, classes),
        vector(DataType::Int2, options),
        if i.keys.iter().any(|k| k.expr.is_some()) {
            text("(expressions)")
        } else {
            Value::Null
        },
        // pg_get_expr shows the stored predicate parenthesised, as
        // PostgreSQL's non-pretty deparse does at the top.
        i.predicate
            .as_ref()
            .map_or(Value::Null, |p| text(format!("({p})"))),
    ]
}

/// The btree operator class PostgreSQL 15 uses by default for a type.
pub(super) fn default_opclass(t: DataType) -> u32 {
    match t {
        DataType::Bool => 424,
        DataType::Bytea => 428,
        DataType::Char => 429,
        DataType::Name => 1986,
        DataType::Int8 => 3124,
        DataType::Int2 => 1979,
        DataType::Int4 => 1978,
        DataType::Oid | DataType::Reg(_) => 1981,
        DataType::Float4 => 1970,
        DataType::Float8 => 1971,
        DataType::Bpchar => 426,
        DataType::Date => 3122,
        DataType::Timestamp => 3128,
        DataType::Timestamptz => 3127,
        DataType::Numeric => 3125,
        DataType::Interval => 10022,
        DataType::Uuid => 10065,
        _ => 3126,
    }
}

/// A view's query as pg_get_viewdef gives it: FlintDB keeps the text it
/// was created with (PostgreSQL prints its own deparse).
pub fn view_definition(sql: &str) -> String {
    format!(" {sql};")
}
