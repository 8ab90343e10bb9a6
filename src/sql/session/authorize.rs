//! Privilege checks on a bound statement, run before each execution
//! against the current role (as PostgreSQL's executor checks its range
//! table): SELECT on the columns read, INSERT/UPDATE on the columns
//! written, DELETE and TRUNCATE on tables, UPDATE for row locks, CREATE on
//! the schema for new tables, and ownership for DDL. ANALYZE skips
//! tables the role does not own, with PostgreSQL's warning.

use super::grant::{denied, must_own};
use super::RowSink;
use crate::catalog::acl::{AclObject, Privs};
use crate::catalog::{Catalog, TableDef};
use crate::error::Result;
use crate::sql::binder::Bound;
use crate::sql::plan::Plan;
use crate::storage::RelId;

/// 42501 unless `role` owns (is a member of the owner of) an enum type.
fn owns_type(catalog: &Catalog, role: u32, oid: u32, name: &str) -> Result<()> {
    match catalog.enum_type(oid) {
        Some(t) if !catalog.has_privs_of_role(role, t.owner) => Err(must_own("type", name)),
        _ => Ok(()),
    }
}

/// COPY to or from a server file: superusers and the members of
/// pg_write_server_files / pg_read_server_files only, as in PostgreSQL.
pub(super) fn server_files_allowed(catalog: &Catalog, role: u32, plan: &Plan) -> Result<()> {
    use crate::engine::bootstrap::{PG_READ_SERVER_FILES, PG_WRITE_SERVER_FILES};
    let (needed, name, direction) = match plan {
        Plan::CopyFrom { file: Some(_), .. } => {
            (PG_READ_SERVER_FILES, "pg_read_server_files", "from")
        }
        Plan::CopyTo { file: Some(_), .. } => {
            (PG_WRITE_SERVER_FILES, "pg_write_server_files", "to")
        }
        _ => return Ok(()),
    };
    if catalog.has_privs_of_role(role, needed) {
        return Ok(());
    }
    Err(crate::errinput!(
        crate::error::sqlstate::INSUFFICIENT_PRIVILEGE,
        "must be superuser or have privileges of the {name} role to COPY {direction} a file"
    )
    .with_hint(
        "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.",
    ))
}

/// Fails with 42501 unless `role` may run `bound`; may narrow ANALYZE's
/// tables to those the role owns.
pub fn authorize(
    catalog: &Catalog,
    role: u32,
    bound: &mut Bound,
    sink: &mut dyn RowSink,
) -> Result<()> {
    for schema in schemas_named(catalog, bound) {
        if schema.starts_with(crate::catalog::schemas::TEMP_SCHEMA_PREFIX)
            && !is_own_temp_schema(&schema)
        {
            return Err(crate::errinput!(
                crate::error::sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot access temporary tables of other sessions"
            ));
        }
    }
    if catalog.is_superuser(role) {
        return Ok(());
    }
    server_files_allowed(catalog, role, &bound.plan)?;
    if touches_tables(&bound.plan) || !bound.reads.tables.is_empty() {
        // Naming anything in a schema needs USAGE on it.
        for schema in schemas_named(catalog, bound) {
            schema_allows(catalog, role, &schema, Privs::USAGE)?;
        }
    }
    let column_numbers = |cols: &[usize]| cols.iter().map(|c| *c as i16 + 1).collect::<Vec<_>>();
    match &mut bound.plan {
        Plan::Insert { table, targets, .. } | Plan::CopyFrom { table, targets, .. } => {
            require_columns(
                catalog,
                role,
                table,
                Privs::INSERT,
                &column_numbers(targets),
            )?
        }
        Plan::Update {
            table, assignments, ..
        } => {
            let cols: Vec<usize> = assignments.iter().map(|(c, _)| *c).collect();
            require_columns(catalog, role, table, Privs::UPDATE, &column_numbers(&cols))?
        }
        Plan::Delete { table, .. } => require(catalog, role, table, Privs::DELETE)?,
        Plan::Truncate { tables } => {
            for t in tables.iter() {
                require(catalog, role, t, Privs::TRUNCATE)?;
            }
        }
        Plan::CreateTable { schema, .. } | Plan::CreateView { schema, .. } => {
            schema_allows(catalog, role, schema, Privs::CREATE)?
        }
        Plan::CreateSequence { def, .. } => {
            schema_allows(catalog, role, &def.schema, Privs::CREATE)?
        }
        Plan::CreateEnum { .. } => schema_allows(catalog, role, "public", Privs::CREATE)?,
        Plan::CreateSchema { owner, .. } => {
            let current = crate::catalog::names::current_database();
            if !catalog
                .privileges_of(role, AclObject::Database(current))
                .contains(Privs::CREATE)
            {
                let name = catalog
                    .database_by_oid(current)
                    .map_or_else(String::new, |d| d.name);
                return Err(denied(&format!("permission denied for database {name}")));
            }
            if let Some(owner) = owner {
                if !catalog.has_privs_of_role(role, *owner) {
                    let name = catalog
                        .roles()
                        .by_oid(*owner)
                        .map_or_else(String::new, |r| r.name.clone());
                    return Err(denied(&format!("must be member of role \"{name}\"")));
                }
            }
        }
        Plan::CreateDatabase { owner, .. } => {
            if !catalog.roles().by_oid(role).is_some_and(|r| r.create_db) {
                return Err(denied("permission denied to create database"));
            }
            if let Some(owner) = owner {
                if !catalog.is_member_of_role(role, *owner) {
                    return Err(denied(&format!(
                        "must be able to SET ROLE \"{}\"",
                        catalog.role_name(*owner)
                    )));
                }
            }
        }
        Plan::DropDatabase {
            database: Some(d), ..
        } => {
            if !catalog.has_privs_of_role(role, d.owner) {
                return Err(must_own("database", &d.name));
            }
        }
        Plan::DropDatabase { database: None, .. } => {}
        Plan::DropSchemas { schemas, .. } => {
            for s in schemas.iter() {
                if !catalog.has_privs_of_role(role, s.owner) && !is_own_temp_schema(&s.name) {
                    return Err(must_own("schema", &s.name));
                }
            }
        }
        Plan::CreateIndex { table, .. } => owner(catalog, role, table)?,
        Plan::Reindex { indexes } => {
            for (table, index) in indexes.iter() {
                if !catalog.owns(role, AclObject::Table(table.oid)) {
                    return Err(if indexes.len() == 1 && table.indexes.len() != 1 {
                        must_own("index", &index.def.name)
                    } else {
                        must_own("table", &table.name)
                    });
                }
            }
        }
        Plan::DropTable { names, .. } => {
            for name in names.iter() {
                if let Some(t) = catalog.get_table(name) {
                    owner(catalog, role, &t)?;
                }
            }
        }
        Plan::DropIndex { names, .. } => {
            for name in names.iter() {
                if let Some((t, _)) = catalog.find_index(name) {
                    if !catalog.owns(role, AclObject::Table(t.oid)) {
                        return Err(must_own("index", name));
                    }
                }
            }
        }
        Plan::Analyze { tables } => tables.retain(|t| {
            let mine = may_maintain(catalog, role, t);
            if !mine {
                sink.notice(
                    "WARNING",
                    "01000",
                    format!(
                        "skipping \"{}\" --- only table or database owner can analyze it",
                        t.name
                    ),
                );
            }
            mine
        }),
        Plan::Query { .. } | Plan::CopyTo { .. } | Plan::Explain { .. } | Plan::Utility { .. } => {}
        Plan::Comment {
            oid, kind, name, ..
        } => {
            // An index's comment is its table's owner's to set.
            let owner_object = match catalog.find_index(name) {
                Some((t, _)) if *kind == "index" => AclObject::Table(t.oid),
                _ => AclObject::Table(*oid),
            };
            if !catalog.owns(role, owner_object) {
                return Err(must_own(kind, name));
            }
        }
        Plan::AlterTable { table, .. } => {
            if let Some(t) = table {
                owner(catalog, role, t)?;
            }
        }
        Plan::AlterSequence { def, .. } => {
            if let Some(def) = def {
                if !catalog.owns(role, AclObject::Table(def.oid)) {
                    let name = catalog
                        .sequence_by_oid(def.oid)
                        .map_or_else(|| def.name.clone(), |s| s.name.clone());
                    return Err(must_own("sequence", &name));
                }
            }
        }
        Plan::AlterEnum { oid, name, .. } => owns_type(catalog, role, *oid, name)?,
        Plan::DropTypes { types, .. } => {
            for (oid, name) in types {
                owns_type(catalog, role, *oid, name)?;
            }
        }
        Plan::DropSequence { names, .. } => {
            for name in names.iter() {
                if let Some(s) = catalog.get_sequence(name) {
                    if !catalog.owns(role, AclObject::Table(s.oid)) {
                        return Err(must_own("sequence", name));
                    }
                }
            }
        }
        Plan::DropView { names, .. } => {
            for name in names.iter() {
                if let Some(v) = catalog.get_view(name) {
                    if !catalog.owns(role, AclObject::Table(v.oid)) {
                        return Err(must_own("view", name));
                    }
                }
            }
        }
    }
    for (&oid, columns) in &bound.reads.tables {
        let Some(table) = catalog.table_of(RelId(oid)) else {
            continue;
        };
        let columns: Vec<i16> = columns.iter().copied().collect();
        let ok = if columns.is_empty() {
            catalog.table_or_any_column_allows(role, &table, Privs::SELECT)
        } else {
            catalog.table_allows(role, oid, Privs::SELECT, &columns)
        };
        if !ok {
            return Err(no_privilege(&table));
        }
    }
    for &oid in &bound.reads.locked {
        if let Some(table) = catalog.table_of(RelId(oid)) {
            if !catalog.table_or_any_column_allows(role, &table, Privs::UPDATE) {
                return Err(no_privilege(&table));
            }
        }
    }
    Ok(())
}

/// 42501 unless `role` holds `privs` on the schema.
fn schema_allows(catalog: &Catalog, role: u32, schema: &str, privs: Privs) -> Result<()> {
    let Some(s) = catalog.schema_by_name(schema) else {
        return Ok(());
    };
    if is_own_temp_schema(schema) {
        return Ok(());
    }
    if catalog
        .privileges_of(role, AclObject::Schema(s.oid))
        .contains(privs)
    {
        Ok(())
    } else {
        Err(denied(&format!("permission denied for schema {schema}")))
    }
}

/// Whether a schema is the running session's temporary one (which it
/// may always use, as PostgreSQL's TEMP privilege is PUBLIC's).
fn is_own_temp_schema(schema: &str) -> bool {
    crate::catalog::names::search_path().temp.as_deref() == Some(schema)
}

/// The schemas of the tables a statement names or reads (`public` when it
/// names none that exist).
fn schemas_named(catalog: &Catalog, bound: &Bound) -> Vec<String> {
    let mut oids: Vec<u32> = bound.reads.tables.keys().copied().collect();
    oids.extend(bound.reads.locked.iter().copied());
    let mut schemas: Vec<String> = oids
        .into_iter()
        .filter_map(|oid| catalog.table_of(RelId(oid)).map(|t| t.schema.clone()))
        .collect();
    match &bound.plan {
        Plan::Insert { table, .. }
        | Plan::CopyFrom { table, .. }
        | Plan::Update { table, .. }
        | Plan::Delete { table, .. }
        | Plan::CreateIndex { table, .. } => schemas.push(table.schema.clone()),
        Plan::Truncate { tables } => schemas.extend(tables.iter().map(|t| t.schema.clone())),
        Plan::AlterTable { table: Some(t), .. } => schemas.push(t.schema.clone()),
        Plan::DropTable { names, .. } => schemas.extend(
            names
                .iter()
                .filter_map(|n| catalog.get_table(n).map(|t| t.schema.clone())),
        ),
        _ => {}
    }
    if schemas.is_empty() {
        schemas.push("public".to_string());
    }
    schemas.sort();
    schemas.dedup();
    schemas
}

/// Whether `role` may VACUUM or ANALYZE a table: its owner's or the
/// database owner's privileges.
pub fn may_maintain(catalog: &Catalog, role: u32, table: &TableDef) -> bool {
    catalog.owns(role, AclObject::Table(table.oid))
        || catalog.owns(
            role,
            AclObject::Database(crate::catalog::names::current_database()),
        )
}

/// Whether a plan names a table itself (besides what it reads).
fn touches_tables(plan: &Plan) -> bool {
    !matches!(
        plan,
        Plan::Query { .. }
            | Plan::CopyTo { .. }
            | Plan::Explain { .. }
            | Plan::Utility { .. }
            | Plan::DropView { .. }
            | Plan::CreateView { .. }
            | Plan::CreateTable { .. }
            | Plan::Analyze { .. }
            | Plan::CreateSchema { .. }
            | Plan::DropSchemas { .. }
            | Plan::CreateDatabase { .. }
            | Plan::DropDatabase { .. }
    )
}

fn require(catalog: &Catalog, role: u32, table: &TableDef, privs: Privs) -> Result<()> {
    if catalog.table_allows(role, table.oid, privs, &[]) {
        Ok(())
    } else {
        Err(no_privilege(table))
    }
}

fn require_columns(
    catalog: &Catalog,
    role: u32,
    table: &TableDef,
    privs: Privs,
    columns: &[i16],
) -> Result<()> {
    let ok = if columns.is_empty() {
        catalog.table_or_any_column_allows(role, table, privs)
    } else {
        catalog.table_allows(role, table.oid, privs, columns)
    };
    if ok {
        Ok(())
    } else {
        Err(no_privilege(table))
    }
}

fn owner(catalog: &Catalog, role: u32, table: &TableDef) -> Result<()> {
    if catalog.owns(role, AclObject::Table(table.oid)) {
        Ok(())
    } else {
        Err(must_own("table", &table.name))
    }
}

fn no_privilege(table: &TableDef) -> crate::error::Error {
    denied(&format!("permission denied for table {}", table.name))
}
