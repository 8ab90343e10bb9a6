//! Binding CREATE / ALTER / DROP SEQUENCE, and the sequences SERIAL and
//! identity columns make: options checked and defaulted as PostgreSQL's
//! `init_params` does, with its messages.

use sqlparser::ast::{self, ObjectName};

use super::scope::{name_parts, table_name};
use super::system_views::quote_ident;
use super::types::resolve_type;
use crate::catalog::{Catalog, ColumnDef, Identity, SequenceDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Plan;
use crate::sql::sequence_syntax::{SequenceOptions, SequenceStatement};
use crate::types::DataType;

/// CREATE SEQUENCE or ALTER SEQUENCE.
pub(super) fn bind_sequence_statement(catalog: &Catalog, s: &SequenceStatement) -> Result<Plan> {
    if !s.create {
        return bind_alter_sequence(catalog, s);
    }
    if s.temporary {
        return Err(crate::errunsupported!("temporary sequences"));
    }
    let (schema, name) = super::scope::creation_name(catalog, &s.name)?;
    let (mut def, _) = resolve(&schema, name, &s.options, None)?;
    def.owned_by = owner_column(catalog, s.options.owned_by.as_ref())?.flatten();
    Ok(Plan::CreateSequence {
        def,
        if_not_exists: s.if_exists,
    })
}

/// ALTER SEQUENCE.
fn bind_alter_sequence(catalog: &Catalog, a: &SequenceStatement) -> Result<Plan> {
    let name = table_name(&a.name)?;
    let Some(old) = catalog.get_sequence(&name) else {
        if catalog.relation_visible(&name) {
            return Err(not_a_sequence(&name));
        }
        if a.if_exists {
            return Ok(Plan::AlterSequence {
                def: None,
                restart: None,
                missing: Some(name),
            });
        }
        return Err(errinput!(
            sqlstate::UNDEFINED_TABLE,
            "relation \"{name}\" does not exist"
        ));
    };
    let new_name = match &a.rename {
        Some(n) if catalog.relation_exists(&crate::catalog::names::key(&old.schema, n)) => {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{n}\" already exists"
            ))
        }
        Some(n) => n.clone(),
        None => old.name.clone(),
    };
    let (mut def, restart) = resolve(&old.schema, new_name, &a.options, Some(&old))?;
    if let Some(owner) = owner_column(catalog, a.options.owned_by.as_ref())? {
        def.owned_by = owner;
    }
    Ok(Plan::AlterSequence {
        def: Some(def),
        restart,
        missing: None,
    })
}

/// DROP SEQUENCE: the sequences to drop and (IF EXISTS) the missing names.
pub(super) fn bind_drop_sequences(
    catalog: &Catalog,
    names: &[ObjectName],
    if_exists: bool,
) -> Result<Plan> {
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for name in names {
        let name = table_name(name)?;
        match catalog.get_sequence(&name) {
            Some(s) => {
                if let Some((table, column)) = default_using(catalog, &s.name) {
                    return Err(errinput!(
                        "2BP01",
                        "cannot drop sequence {name} because other objects depend on it"
                    )
                    .with_detail(format!(
                        "default value for column {column} of table {table} depends on sequence {name}"
                    ))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                found.push(name)
            }
            None if catalog.relation_visible(&name) => return Err(not_a_sequence(&name)),
            None if if_exists => missing.push(name),
            None => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_TABLE,
                    "sequence \"{name}\" does not exist"
                ))
            }
        }
    }
    Ok(Plan::DropSequence {
        names: found,
        missing,
    })
}

/// A column whose DEFAULT calls nextval of this sequence.
fn default_using(catalog: &Catalog, sequence: &str) -> Option<(String, String)> {
    let needle = format!("'{}'", quote_ident(sequence));
    catalog.tables().iter().find_map(|t| {
        t.columns
            .iter()
            .find(|c| {
                c.default
                    .as_deref()
                    .is_some_and(|d| d.contains("nextval(") && d.contains(&needle))
            })
            .map(|c| (t.name.clone(), c.name.clone()))
    })
}

fn not_a_sequence(name: &str) -> crate::error::Error {
    errinput!(sqlstate::WRONG_OBJECT_TYPE, "\"{name}\" is not a sequence")
}

/// `OWNED BY table.column` as (table OID, column number); Some(None) for
/// `OWNED BY NONE`.
fn owner_column(
    catalog: &Catalog,
    owned_by: Option<&Option<ObjectName>>,
) -> Result<Option<Option<(u32, i16)>>> {
    let Some(owned_by) = owned_by else {
        return Ok(None);
    };
    let Some(name) = owned_by else {
        return Ok(Some(None));
    };
    let parts = name_parts(name)?;
    let (table, column) = match parts.as_slice() {
        [t, c] => (t.clone(), c),
        [s, t, c] => (crate::catalog::names::qualified(s, t), c),
        _ => {
            return Err(errinput!(sqlstate::SYNTAX_ERROR, "invalid OWNED BY option")
                .with_hint("Specify OWNED BY table.column or OWNED BY NONE."))
        }
    };
    let t = catalog.must_get_table(&table)?;
    let position = t.column_index(column).ok_or_else(|| {
        errinput!(
            sqlstate::UNDEFINED_COLUMN,
            "column \"{column}\" of relation \"{table}\" does not exist"
        )
    })?;
    Ok(Some(Some((t.oid, position as i16 + 1))))
}

/// The sequence a SERIAL column (`serial_type`) or an identity column
/// (`identity`, with its options) needs; the column gets its DEFAULT,
/// NOT NULL and identity here. `taken` holds the names chosen so far in
/// the statement.
pub(super) fn column_sequence(
    catalog: &Catalog,
    schema: &str,
    table: &str,
    column: &mut ColumnDef,
    identity: Option<(Identity, &[ast::SequenceOptions])>,
    taken: &[String],
) -> Result<SequenceDef> {
    let name = choose_name(catalog, schema, table, &column.name, taken);
    let mut options = match identity {
        Some((_, options)) => SequenceOptions::from_ast(None, options, None)?,
        None => SequenceOptions::default(),
    };
    if !matches!(
        column.ty.data_type,
        DataType::Int2 | DataType::Int4 | DataType::Int8
    ) {
        return Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "identity column type must be smallint, integer, or bigint"
        ));
    }
    if options.data_type.is_none() {
        options.data_type = Some(match column.ty.data_type {
            DataType::Int2 => ast::DataType::SmallInt(None),
            DataType::Int4 => ast::DataType::Int(None),
            _ => ast::DataType::BigInt(None),
        });
    }
    let (def, _) = resolve(schema, name, &options, None)?;
    column.not_null = true;
    column.identity = identity.map(|(i, _)| i);
    column.default = Some(nextval_default(schema, &def.name));
    Ok(def)
}

/// The DEFAULT of a column fed by a sequence, as PostgreSQL prints it
/// (qualified outside `public`).
pub(super) fn nextval_default(schema: &str, sequence: &str) -> String {
    let name = match schema {
        "public" => quote_ident(sequence),
        _ => format!("{}.{}", quote_ident(schema), quote_ident(sequence)),
    };
    format!("nextval('{}'::regclass)", name.replace('\'', "''"))
}

/// PostgreSQL's ChooseRelationName: `table_column_seq`, then with 1, 2, …
/// appended until the name is free (names cut to 63 bytes).
fn choose_name(
    catalog: &Catalog,
    schema: &str,
    table: &str,
    column: &str,
    taken: &[String],
) -> String {
    let mut n = 0;
    loop {
        let suffix = if n == 0 {
            "seq".to_string()
        } else {
            format!("seq{n}")
        };
        let name = make_object_name(table, column, &suffix);
        let key = crate::catalog::names::key(schema, &name);
        if !catalog.relation_exists(&key) && !taken.contains(&name) {
            return name;
        }
        n += 1;
    }
}

/// `a_b_suffix` within 63 bytes, trimming the longer of `a` and `b` first.
fn make_object_name(a: &str, b: &str, suffix: &str) -> String {
    const MAX: usize = 63;
    let (mut a, mut b) = (a.to_string(), b.to_string());
    while a.len() + b.len() + suffix.len() + 2 > MAX {
        let longer = if a.len() >= b.len() { &mut a } else { &mut b };
        let mut cut = longer.len() - 1;
        while !longer.is_char_boundary(cut) {
            cut -= 1;
        }
        longer.truncate(cut);
    }
    format!("{a}_{b}_{suffix}")
}

fn type_bounds(ty: DataType) -> (i64, i64) {
    match ty {
        DataType::Int2 => (i16::MIN as i64, i16::MAX as i64),
        DataType::Int4 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// A sequence definition from options over `base` (ALTER) or the
/// defaults (CREATE), with RESTART's value.
fn resolve(
    schema: &str,
    name: String,
    o: &SequenceOptions,
    base: Option<&SequenceDef>,
) -> Result<(SequenceDef, Option<i64>)> {
    let invalid = |m: String| errinput!(sqlstate::INVALID_PARAMETER_VALUE, "{m}");
    let data_type = match &o.data_type {
        Some(t) => {
            let t = resolve_type(t)?.data_type;
            if !matches!(t, DataType::Int2 | DataType::Int4 | DataType::Int8) {
                return Err(invalid(
                    "sequence type must be smallint, integer, or bigint".to_string(),
                ));
            }
            t
        }
        None => base.map_or(DataType::Int8, |b| b.data_type),
    };
    let type_name = data_type.sql_name();
    let increment = o.increment.or(base.map(|b| b.increment)).unwrap_or(1);
    if increment == 0 {
        return Err(invalid("INCREMENT must not be zero".to_string()));
    }
    let (type_min, type_max) = type_bounds(data_type);
    // A new type resets bounds that were the old type's own.
    let old_bounds = base.map(|b| type_bounds(b.data_type));
    let keep = |v: i64, old_default: i64| {
        let type_changed = base.is_some_and(|b| b.data_type != data_type);
        !(type_changed && v == old_default)
    };
    let max = match o.max {
        Some(Some(v)) => v,
        Some(None) => {
            if increment > 0 {
                type_max
            } else {
                -1
            }
        }
        None => match (base, old_bounds) {
            (Some(b), Some((_, old_max))) if keep(b.max, old_max) => b.max,
            _ => {
                if increment > 0 {
                    type_max
                } else {
                    -1
                }
            }
        },
    };
    if max < type_min || max > type_max {
        return Err(invalid(format!(
            "MAXVALUE ({max}) is out of range for sequence data type {type_name}"
        )));
    }
    let min = match o.min {
        Some(Some(v)) => v,
        Some(None) => {
            if increment > 0 {
                1
            } else {
                type_min
            }
        }
        None => match (base, old_bounds) {
            (Some(b), Some((old_min, _))) if keep(b.min, old_min) => b.min,
            _ => {
                if increment > 0 {
                    1
                } else {
                    type_min
                }
            }
        },
    };
    if min < type_min || min > type_max {
        return Err(invalid(format!(
            "MINVALUE ({min}) is out of range for sequence data type {type_name}"
        )));
    }
    if min >= max {
        return Err(invalid(format!(
            "MINVALUE ({min}) must be less than MAXVALUE ({max})"
        )));
    }
    let start = o
        .start
        .or(base.map(|b| b.start))
        .unwrap_or(if increment > 0 { min } else { max });
    check_in_range("START", start, min, max)?;
    let restart = match o.restart {
        Some(v) => {
            let v = v.unwrap_or(start);
            check_in_range("RESTART", v, min, max)?;
            Some(v)
        }
        None => None,
    };
    let cache = o.cache.or(base.map(|b| b.cache)).unwrap_or(1);
    if cache <= 0 {
        return Err(invalid(format!(
            "CACHE ({cache}) must be greater than zero"
        )));
    }
    let def = SequenceDef {
        oid: base.map_or(0, |b| b.oid),
        name,
        schema: schema.to_string(),
        database: crate::catalog::names::current_database(),
        owner: base.map_or(0, |b| b.owner),
        data_type,
        start,
        increment,
        min,
        max,
        cache,
        cycle: o.cycle.or(base.map(|b| b.cycle)).unwrap_or(false),
        owned_by: base.and_then(|b| b.owned_by),
    };
    Ok((def, restart))
}

fn check_in_range(what: &str, v: i64, min: i64, max: i64) -> Result<()> {
    if v < min {
        return Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "{what} value ({v}) cannot be less than MINVALUE ({min})"
        ));
    }
    if v > max {
        return Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "{what} value ({v}) cannot be greater than MAXVALUE ({max})"
        ));
    }
    Ok(())
}
