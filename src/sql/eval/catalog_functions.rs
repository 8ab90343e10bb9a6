//! The system information functions clients call in their catalog
//! queries: `pg_get_userbyid`, `format_type`, `pg_get_indexdef`,
//! `pg_get_constraintdef`, `pg_get_expr`, the `*_is_visible` family,
//! `to_regclass` and the `::regclass`-style casts (which give OIDs),
//! `version()`, `current_database()` and friends — answered from the
//! catalog as PostgreSQL 15 answers them.

use super::Env;
use crate::catalog::acl::PUBLIC_SCHEMA_OID;
use crate::catalog::names;
use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::binder::system_views::{
    self, constraint_definition, constraint_oid, index_definition, quote_ident, relation_by_oid,
};
use crate::sql::expr::Function;
use crate::sql::session::settings::SERVER_VERSION;
use crate::types::{ColumnType, DataType, Value};

/// Evaluates one of this file's functions; None for any other. NULL
/// arguments were handled by the caller (these functions are strict).
pub fn call(func: Function, values: &[Value], ctx: &dyn Env) -> Result<Option<Value>> {
    let text = |s: String| Value::Text(s);
    Ok(Some(match func {
        Function::Version => text(format!(
            "PostgreSQL {SERVER_VERSION} on x86_64-pc-linux-gnu, compiled by rustc, 64-bit"
        )),
        Function::CurrentDatabase => text(names::current_database_name()),
        Function::CurrentSchema => match names::search_path().creation.clone() {
            Some(s) => text(s),
            None => Value::Null,
        },
        // The temporary schema and pg_catalog are searched first, implicitly.
        Function::CurrentSchemas => {
            let path = names::search_path();
            let listed = path
                .schemas
                .iter()
                .filter(|s| Some(*s) != path.temp.as_ref());
            let mut items: Vec<Value> = Vec::new();
            if values[0] == Value::Bool(true) {
                items.extend(
                    path.temp
                        .iter()
                        .filter(|t| path.schemas.contains(t))
                        .cloned()
                        .map(text),
                );
                if !path.schemas.iter().any(|s| s == "pg_catalog") {
                    items.push(text("pg_catalog".to_string()));
                }
            }
            items.extend(listed.cloned().map(text));
            Value::Array(Box::new(crate::types::array::ArrayValue {
                elem: DataType::Name,
                items,
            }))
        }
        Function::PgGetUserById => {
            let o = oid(&values[0]);
            let catalog = catalog(ctx)?;
            let known = catalog.roles().by_oid(o).is_some()
                || o == crate::catalog::acl::DATABASE_OWNER_ROLE;
            if known {
                text(catalog.role_name(o))
            } else {
                text(format!("unknown (OID={o})"))
            }
        }
        // Everything is in public or pg_catalog (on the search path) but
        // the information_schema views.
        Function::IsVisible => Value::Bool(is_visible(ctx.catalog(), oid(&values[0]))),
        Function::NotPublishable => Value::Bool(false),
        Function::FormatType => {
            let typmod = match values.get(1) {
                Some(Value::Int4(t)) => *t,
                _ => -1,
            };
            text(format_type(oid(&values[0]), typmod, ctx.catalog()))
        }
        Function::PgGetExpr => values[0].clone(),
        Function::PgGetViewDef => {
            let catalog = catalog(ctx)?;
            let view = match &values[0] {
                Value::Text(name) => {
                    let parts = split_name(name);
                    parts.last().and_then(|n| catalog.get_view(n))
                }
                v => catalog.views().into_iter().find(|x| x.oid == oid(v)),
            };
            view.map_or(Value::Null, |v| {
                text(system_views::view_definition(&v.definition))
            })
        }
        Function::ExportSnapshot => {
            return Err(crate::errunsupported!(
                "pg_export_snapshot() other than as SELECT pg_export_snapshot()"
            ))
        }
        Function::SchemaDump => text(super::schema_dump::schema_dump(catalog(ctx)?)?),
        Function::PgGetIndexDef => {
            let catalog = catalog(ctx)?;
            let column = match values.get(1) {
                Some(Value::Int4(c)) => *c,
                _ => 0,
            };
            let pretty = matches!(values.get(2), Some(Value::Bool(true)));
            match relation_by_oid(catalog, oid(&values[0])) {
                Some((t, Some(i))) if column == 0 => text(index_definition(&t, &i, pretty)),
                Some((t, Some(i))) => match i.keys.get(column as usize - 1) {
                    Some(k) => text(k.column.and_then(|c| t.columns.get(c)).map_or_else(
                        || k.expr.clone().unwrap_or_default(),
                        |c| system_views::quote_ident(&c.name),
                    )),
                    None => text(String::new()),
                },
                _ => Value::Null,
            }
        }
        Function::PgGetConstraintDef => {
            let catalog = catalog(ctx)?;
            let wanted = oid(&values[0]);
            catalog
                .tables()
                .iter()
                .find_map(|t| {
                    let pretty = matches!(values.get(1), Some(Value::Bool(true)));
                    t.indexes
                        .iter()
                        .find(|i| (i.primary || i.constraint) && constraint_oid(i) == wanted)
                        .map(|i| text(constraint_definition(t, i)))
                        .or_else(|| {
                            let check = t.checks.iter().find(|c| c.oid == wanted)?;
                            Some(text(system_views::check_definition(check, pretty)))
                        })
                        .or_else(|| {
                            let fk = t.foreign_keys.iter().find(|f| f.oid == wanted)?;
                            Some(text(system_views::foreign_key_definition(catalog, t, fk)))
                        })
                })
                .unwrap_or(Value::Null)
        }
        // The one comment PostgreSQL 15 ships that clients show.
        Function::ObjDescription => match (values.first(), values.get(1)) {
            (Some(Value::Oid(PUBLIC_SCHEMA_OID)), Some(Value::Text(class)))
                if class == "pg_namespace" =>
            {
                text("standard public schema".to_string())
            }
            (Some(o), class)
                if class.is_none() || matches!(class, Some(Value::Text(c)) if c == "pg_class") =>
            {
                catalog(ctx)?
                    .description(oid(o), 0)
                    .map_or(Value::Null, text)
            }
            _ => Value::Null,
        },
        Function::ColDescription => match (values.first(), values.get(1)) {
            (Some(o), Some(Value::Int4(n))) => catalog(ctx)?
                .description(oid(o), *n as i16)
                .map_or(Value::Null, text),
            _ => Value::Null,
        },
        Function::NoDescription => Value::Null,
        Function::RegName(kind) => super::reg_names::reg_name(kind, oid(&values[0]), catalog(ctx)?),
        Function::PgEncodingToChar => match values[0] {
            Value::Int4(6) => text("UTF8".to_string()),
            Value::Int4(0) => text("SQL_ASCII".to_string()),
            _ => text(String::new()),
        },
        Function::RegClass | Function::ToRegClass => {
            let name = as_text(&values[0]);
            // regclassin takes an OID written as digits.
            if func == Function::RegClass {
                if let Ok(o) = name.trim().parse::<u32>() {
                    return Ok(Some(Value::Oid(o)));
                }
            }
            let found = match relation_oid(catalog(ctx)?, name) {
                Err(_) if func == Function::ToRegClass => None,
                other => other?,
            };
            match found {
                Some(o) => Value::Oid(o),
                None if func == Function::ToRegClass => Value::Null,
                None => {
                    return Err(errinput!(
                        sqlstate::UNDEFINED_TABLE,
                        "relation \"{name}\" does not exist"
                    ))
                }
            }
        }
        Function::RegType | Function::ToRegType => match type_oid(as_text(&values[0]))
            .or_else(|| enum_type_oid(ctx.catalog()?, as_text(&values[0])))
        {
            Some(o) => Value::Oid(o),
            None if func == Function::ToRegType => Value::Null,
            None => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_OBJECT,
                    "type \"{}\" does not exist",
                    as_text(&values[0])
                ))
            }
        },
        Function::RegNamespace => {
            let name = unquote(as_text(&values[0]));
            match namespace_oid(catalog(ctx)?, &name) {
                Some(o) => Value::Oid(o),
                None => return Err(errinput!("3F000", "schema \"{name}\" does not exist")),
            }
        }
        Function::RegRole => {
            let name = unquote(as_text(&values[0]));
            Value::Oid(catalog(ctx)?.must_get_role(&name)?)
        }
        Function::RelationSize
        | Function::TableSize
        | Function::IndexesSize
        | Function::TotalRelationSize => {
            let catalog = catalog(ctx)?;
            Value::Int8(relation_size(catalog, func, oid(&values[0])))
        }
        Function::DatabaseSize => {
            let catalog = catalog(ctx)?;
            let total: i64 = catalog
                .relations()
                .iter()
                .map(|r| pages_bytes(catalog, *r))
                .sum();
            Value::Int8(total)
        }
        Function::PgSizePretty => text(size_pretty(&values[0])),
        _ => return Ok(None),
    }))
}

fn pages_bytes(catalog: &Catalog, rel: crate::storage::RelId) -> i64 {
    catalog.relation_pages(rel) as i64 * crate::storage::page::PAGE_SIZE as i64
}

/// Sizes as PostgreSQL's functions give them (NULL-free: 0 for unknown).
fn relation_size(catalog: &Catalog, func: Function, o: u32) -> i64 {
    let Some((table, index)) = relation_by_oid(catalog, o) else {
        return 0;
    };
    if let Some(i) = index {
        return pages_bytes(catalog, i.rel());
    }
    let heap = pages_bytes(catalog, table.rel());
    let toast = pages_bytes(catalog, crate::storage::toast::toast_rel(table.rel()));
    let indexes: i64 = table
        .indexes
        .iter()
        .map(|i| pages_bytes(catalog, i.rel()))
        .sum();
    match func {
        Function::RelationSize => heap,
        Function::TableSize => heap + toast,
        Function::IndexesSize => indexes,
        _ => heap + toast + indexes,
    }
}

/// `pg_size_pretty`: bytes, kB, MB, GB, TB, PB, switching unit once the
/// number reaches 10240 of the smaller one, rounding half up.
fn size_pretty(v: &Value) -> String {
    let mut size = match v {
        Value::Numeric(d) => bigdecimal::ToPrimitive::to_f64(d).unwrap_or(0.0) as i64,
        other => other.as_i64().unwrap_or(0),
    };
    if size.abs() < 10 * 1024 {
        return format!("{size} bytes");
    }
    for unit in ["kB", "MB", "GB", "TB"] {
        // Halve-and-round as PostgreSQL does (shift by 9, then round).
        let half = size / 512;
        if half.abs() < 20 * 1024 - 1 {
            return format!("{} {unit}", (half + half.signum()) / 2);
        }
        size /= 1024;
    }
    format!("{} PB", (size / 512 + (size / 512).signum()) / 2)
}

fn catalog(ctx: &dyn Env) -> Result<&Catalog> {
    ctx.catalog()
        .ok_or_else(|| crate::errinternal!("no catalog for a catalog function"))
}

fn oid(v: &Value) -> u32 {
    match v {
        Value::Oid(o) => *o,
        other => other.as_i64().unwrap_or(0) as u32,
    }
}

fn as_text(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        _ => "",
    }
}

/// A possibly quoted identifier, folded as SQL folds it.
fn unquote(name: &str) -> String {
    let name = name.trim();
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_lowercase(),
    }
}

/// The OID of a relation named like `t`, `public.t`, `pg_catalog.pg_class`.
fn relation_oid(catalog: &Catalog, name: &str) -> Result<Option<u32>> {
    let parts: Vec<String> = split_name(name);
    if let Some((_, (_, o, _))) = system_views::lookup(&parts) {
        return Ok(Some(*o));
    }
    let base = match parts.as_slice() {
        [t] => t.clone(),
        [s, t] if s == "pg_temp" => match names::search_path().temp.clone() {
            Some(temp) => names::qualified(&temp, t),
            None => return Ok(None),
        },
        [s, t] if catalog.schema_by_name(s).is_some() => names::qualified(s, t),
        [s, _] => return Err(errinput!("3F000", "schema \"{s}\" does not exist")),
        _ => return Err(errinput!(sqlstate::INVALID_NAME, "invalid name syntax")),
    };
    let base = base.as_str();
    if let Some(v) = catalog.get_view(base) {
        return Ok(Some(v.oid));
    }
    if let Some(s) = catalog.get_sequence(base) {
        return Ok(Some(s.oid));
    }
    if let Some(t) = catalog.get_table(base) {
        return Ok(Some(t.oid));
    }
    Ok(catalog.find_index(base).map(|(_, i)| i.oid))
}

/// The catalog key of a relation named in text (`t`, `s.t`, `"T"`):
/// 3F000 for a schema that does not exist.
pub fn relation_key(catalog: &Catalog, text: &str) -> Result<String> {
    match split_name(text).as_slice() {
        [t] => Ok(t.clone()),
        [s, t] if catalog.schema_by_name(s).is_some() => Ok(names::qualified(s, t)),
        [s, _] => Err(errinput!("3F000", "schema \"{s}\" does not exist")),
        _ => Err(errinput!(sqlstate::INVALID_NAME, "invalid name syntax")),
    }
}

/// Splits `a."B".c` into parts folded as SQL folds identifiers.
pub(super) fn split_name(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = name.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            c if quoted => current.push(c),
            c => current.push(c.to_ascii_lowercase()),
        }
    }
    parts.push(current);
    parts
}

fn namespace_oid(catalog: &Catalog, name: &str) -> Option<u32> {
    catalog.schema_by_name(name).map(|s| s.oid)
}

/// pg_table_is_visible and friends: whether an object is found by its
/// bare name (a relation in a schema on the search path, first of its
/// name; the types and functions FlintDB has are all in visible schemas).
fn is_visible(catalog: Option<&Catalog>, o: u32) -> bool {
    if system_views::in_information_schema(o) {
        return names::is_visible_schema("information_schema");
    }
    let Some(catalog) = catalog else {
        return true;
    };
    match relation_schema_and_name(catalog, o) {
        Some((schema, name)) => first_found(catalog, &schema, &name),
        None => true,
    }
}

/// A user relation's (table, index, view, sequence) schema and name.
pub(super) fn relation_schema_and_name(catalog: &Catalog, o: u32) -> Option<(String, String)> {
    if let Some(v) = catalog.views().iter().find(|v| v.oid == o) {
        return Some((v.schema.clone(), v.name.clone()));
    }
    if let Some(s) = catalog.sequence_by_oid(o) {
        return Some((s.schema.clone(), s.name.clone()));
    }
    system_views::relation_by_oid(catalog, o).map(|(t, i)| match i {
        Some(i) => (t.schema.clone(), i.name),
        None => (t.schema.clone(), t.name.clone()),
    })
}

/// Whether looking `name` up along the search path finds the relation
/// in `schema` (and not one of the same name earlier on the path).
pub(super) fn first_found(catalog: &Catalog, schema: &str, name: &str) -> bool {
    names::is_visible_schema(schema)
        && names::candidates(name)
            .into_iter()
            .find(|k| catalog.relation_exists(k))
            == Some(names::key(schema, name))
}

/// The OID of a type by any of its SQL names (`integer`, `int4`,
/// `character varying`, `pg_catalog.text`, `text[]`).
fn type_oid(name: &str) -> Option<u32> {
    let lower = name.trim().to_lowercase();
    let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    let (base, array) = match lower.strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (lower, false),
    };
    let base = base.split('(').next().unwrap_or(base).trim();
    let t = match base {
        "bool" | "boolean" => DataType::Bool,
        "bytea" => DataType::Bytea,
        "\"char\"" => DataType::Char,
        "name" => DataType::Name,
        "int8" | "bigint" => DataType::Int8,
        "int2" | "smallint" => DataType::Int2,
        "int4" | "int" | "integer" => DataType::Int4,
        "text" => DataType::Text,
        "oid" => DataType::Oid,
        "float4" | "real" => DataType::Float4,
        "float8" | "double precision" => DataType::Float8,
        "bpchar" | "char" | "character" => DataType::Bpchar,
        "varchar" | "character varying" => DataType::Varchar,
        "date" => DataType::Date,
        "timestamp" | "timestamp without time zone" => DataType::Timestamp,
        "timestamptz" | "timestamp with time zone" => DataType::Timestamptz,
        "numeric" | "decimal" => DataType::Numeric,
        "unknown" => DataType::Unknown,
        _ => return None,
    };
    let o = t.oid();
    if !array {
        return Some(o);
    }
    system_views::array_type_of(o)
}

/// The OID of an enum type (or its array type) by name.
fn enum_type_oid(catalog: &Catalog, name: &str) -> Option<u32> {
    let (base, array) = match name.trim().strip_suffix("[]") {
        Some(b) => (b.trim(), true),
        None => (name.trim(), false),
    };
    let parts = split_name(base);
    let t = match parts.as_slice() {
        [n] => catalog.enum_type_by_name(n)?,
        [s, n] if s == "public" => catalog.enum_type_by_name(n)?,
        _ => return None,
    };
    Some(if array { t.array_oid } else { t.oid })
}

/// PostgreSQL's `format_type(oid, typmod)`; enum types need the catalog.
pub fn format_type(o: u32, typmod: i32, catalog: Option<&Catalog>) -> String {
    if let Some(catalog) = catalog {
        for t in catalog.enum_types() {
            if t.oid == o {
                return quote_ident(&t.name);
            }
            if t.array_oid == o {
                return format!("{}[]", quote_ident(&t.name));
            }
        }
    }
    match DataType::from_oid(o) {
        Some(t) => {
            let ty = ColumnType {
                data_type: t,
                typmod,
            };
            match (t, ty.char_length(), ty.numeric_precision_scale()) {
                (DataType::Varchar, Some(n), _) => format!("character varying({n})"),
                (DataType::Bpchar, Some(n), _) => format!("character({n})"),
                (DataType::Bpchar, None, _) => "bpchar".to_string(),
                (DataType::Numeric, _, Some((p, s))) => format!("numeric({p},{s})"),
                (DataType::Unknown, ..) => "unknown".to_string(),
                _ => t.sql_name().to_string(),
            }
        }
        None => match system_views::type_name_of(o) {
            Some(name) if name.starts_with('_') => {
                let elem = system_views::element_type_of(o).unwrap_or(0);
                format!("{}[]", format_type(elem, -1, None))
            }
            Some(name) => name.to_string(),
            None => "???".to_string(),
        },
    }
}
