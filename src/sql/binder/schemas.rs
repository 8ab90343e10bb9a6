//! Binding CREATE SCHEMA and DROP SCHEMA, with PostgreSQL's checks: no
//! `pg_` prefix, an existing AUTHORIZATION role, and RESTRICT refusing a
//! schema that holds anything (its objects listed as PostgreSQL lists
//! them).

use sqlparser::ast::{ObjectName, SchemaName};

use super::scope::{name_parts, normalize};
use super::system_views::quote_ident;
use crate::catalog::{Catalog, SchemaDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Plan;

/// CREATE SCHEMA.
pub(super) fn bind_create_schema(
    catalog: &Catalog,
    name: &SchemaName,
    if_not_exists: bool,
) -> Result<Plan> {
    let (schema, role) = match name {
        SchemaName::Simple(n) => (one_name(n)?, None),
        SchemaName::UnnamedAuthorization(r) => (normalize(r), Some(normalize(r))),
        SchemaName::NamedAuthorization(n, r) => (one_name(n)?, Some(normalize(r))),
    };
    let owner =
        match role {
            Some(r) => Some(catalog.roles().by_name(&r).map(|r| r.oid).ok_or_else(|| {
                errinput!(sqlstate::UNDEFINED_OBJECT, "role \"{r}\" does not exist")
            })?),
            None => None,
        };
    if schema.starts_with("pg_") {
        return Err(errinput!("42939", "unacceptable schema name \"{schema}\"")
            .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    if !if_not_exists && catalog.schema_by_name(&schema).is_some() {
        return Err(errinput!(
            sqlstate::DUPLICATE_SCHEMA,
            "schema \"{schema}\" already exists"
        ));
    }
    Ok(Plan::CreateSchema {
        name: schema,
        owner,
        if_not_exists,
    })
}

/// DROP SCHEMA [IF EXISTS] names [CASCADE | RESTRICT].
pub(super) fn bind_drop_schemas(
    catalog: &Catalog,
    names: &[ObjectName],
    if_exists: bool,
    cascade: bool,
) -> Result<Plan> {
    let (mut schemas, mut missing) = (Vec::new(), Vec::new());
    for n in names {
        let name = one_name(n)?;
        match catalog.schema_by_name(&name) {
            Some(s) if s.is_builtin() => {
                return Err(if s.name == "pg_catalog" || s.name == "pg_toast" {
                    errinput!(
                        "2BP01",
                        "cannot drop schema {name} because it is required by the database system"
                    )
                } else {
                    crate::errunsupported!("DROP SCHEMA {name}")
                })
            }
            Some(s) => {
                let contents = contents(catalog, &s);
                if !contents.is_empty() && !cascade {
                    let message = if names.len() == 1 {
                        format!("cannot drop schema {name} because other objects depend on it")
                    } else {
                        "cannot drop desired object(s) because other objects depend on them"
                            .to_string()
                    };
                    return Err(errinput!("2BP01", "{message}")
                        .with_detail(
                            contents
                                .iter()
                                .map(|o| format!("{o} depends on schema {name}"))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        )
                        .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
                if cascade {
                    check_no_outside_dependents(catalog, &s)?;
                }
                schemas.push(s);
            }
            None if if_exists => missing.push(name),
            None => {
                return Err(errinput!(
                    sqlstate::INVALID_SCHEMA_NAME,
                    "schema \"{name}\" does not exist"
                ))
            }
        }
    }
    Ok(Plan::DropSchemas {
        schemas,
        missing,
        cascade,
    })
}

/// What a schema holds, as PostgreSQL names the objects in DETAIL lines
/// (`table s.t`), oldest first. Sequences owned by a column go with
/// their table and are not listed.
pub fn contents(catalog: &Catalog, schema: &SchemaDef) -> Vec<String> {
    let s = &schema.name;
    let name = |n: &str| format!("{}.{}", quote_ident(s), quote_ident(n));
    let mut found: Vec<(u32, String)> = Vec::new();
    for t in catalog.tables().iter().filter(|t| &t.schema == s) {
        found.push((t.oid, format!("table {}", name(&t.name))));
    }
    for v in catalog.views().iter().filter(|v| &v.schema == s) {
        found.push((v.oid, format!("view {}", name(&v.name))));
    }
    for q in catalog.sequences().iter().filter(|q| &q.schema == s) {
        if q.owned_by.is_none() {
            found.push((q.oid, format!("sequence {}", name(&q.name))));
        }
    }
    found.sort();
    found.into_iter().map(|(_, o)| o).collect()
}

/// CASCADE drops what the schema holds, but FlintDB does not yet drop
/// objects elsewhere that depend on them (a view or foreign key in another
/// schema): 0A000 rather than leave them broken.
fn check_no_outside_dependents(catalog: &Catalog, schema: &SchemaDef) -> Result<()> {
    for t in catalog.tables().iter().filter(|t| t.schema == schema.name) {
        for (child, fk) in catalog.referencing(t.oid) {
            if child.schema != schema.name {
                return Err(crate::errunsupported!(
                    "DROP SCHEMA … CASCADE while constraint {} on table {}.{} references table {}.{}",
                    fk.name,
                    child.schema,
                    child.name,
                    t.schema,
                    t.name
                ));
            }
        }
        for view in catalog.views().iter().filter(|v| v.schema != schema.name) {
            if super::views::bind_view_query(catalog, view)
                .is_ok_and(|b| b.reads.tables.contains_key(&t.oid))
            {
                return Err(crate::errunsupported!(
                    "DROP SCHEMA … CASCADE while view {}.{} reads table {}.{}",
                    view.schema,
                    view.name,
                    t.schema,
                    t.name
                ));
            }
        }
    }
    Ok(())
}

/// A schema's name: one part.
fn one_name(name: &ObjectName) -> Result<String> {
    match name_parts(name)?.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "improper qualified name (too many dotted names): {name}"
        )),
    }
}
