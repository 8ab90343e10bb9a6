//! `flintdb_schema_dump()`: the SQL that recreates the current database's
//! objects, as `pg_dump --schema-only` would write it, split into the
//! phases a restore runs around the data: schemas, types, sequences,
//! tables and views first; indexes, constraints and foreign keys after
//! the data; sequence values, comments, owners and grants last. Every
//! name is schema-qualified and quoted as needed. `flintdb backup` puts
//! the result in its manifest.

use serde::{Deserialize, Serialize};

use crate::catalog::acl::{AclItem, AclObject, Privs, PUBLIC};
use crate::catalog::{Catalog, IndexDef, TableDef};
use crate::error::Result;
use crate::sql::binder::system_views::{is_identity_sequence, quote_ident};
use crate::types::ColumnType;

/// When a step runs in a restore.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Before the data: schemas, types, sequences, tables, views.
    PreData,
    /// After the data: indexes, then constraints, foreign keys last.
    PostData,
    /// Sequence values, comments, owners and grants.
    Finish,
}

/// One statement of the script.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Step {
    pub phase: Phase,
    /// What it makes: "schema", "type", "sequence", "table", "view",
    /// "index", "constraint", "foreign key", "sequence value", "comment",
    /// "owner", "grant".
    pub kind: String,
    /// The table it belongs to (schema-qualified), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub sql: String,
}

/// A table whose rows a backup holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableEntry {
    pub schema: String,
    pub name: String,
    /// Its columns (dropped ones left out) as (name, type).
    pub columns: Vec<(String, String)>,
}

impl TableEntry {
    /// `schema.name`, quoted as needed.
    pub fn qualified(&self) -> String {
        qualified(&self.schema, &self.name)
    }
}

/// The whole script.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SchemaScript {
    pub steps: Vec<Step>,
    pub tables: Vec<TableEntry>,
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// A string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The script of the current database, as JSON text.
pub fn schema_dump(catalog: &Catalog) -> Result<String> {
    let script = build(catalog);
    serde_json::to_string(&script).map_err(|e| crate::errinternal!("schema script: {e}"))
}

struct Script<'c> {
    catalog: &'c Catalog,
    out: SchemaScript,
}

impl Script<'_> {
    fn step(&mut self, phase: Phase, kind: &str, table: Option<&str>, sql: String) {
        self.out.steps.push(Step {
            phase,
            kind: kind.to_string(),
            table: table.map(str::to_string),
            sql,
        });
    }

    fn role(&self, oid: u32) -> String {
        if oid == PUBLIC {
            "PUBLIC".to_string()
        } else {
            quote_ident(&self.catalog.role_name(oid))
        }
    }
}

fn build(catalog: &Catalog) -> SchemaScript {
    let mut s = Script {
        catalog,
        out: SchemaScript::default(),
    };
    let tables: Vec<_> = catalog
        .tables()
        .into_iter()
        .filter(|t| {
            !is_temp(&t.schema) && t.schema != "pg_catalog" && t.schema != "information_schema"
        })
        .collect();
    schemas(&mut s);
    enum_types(&mut s, &tables);
    sequences(&mut s, &tables);
    for t in &tables {
        table(&mut s, t);
    }
    owned_sequences(&mut s, &tables);
    views(&mut s);
    for t in &tables {
        for i in t.indexes.iter().filter(|i| !i.primary && !i.constraint) {
            let sql = index_sql(t, i);
            s.step(Phase::PostData, "index", Some(&tq(t)), sql);
        }
    }
    for t in &tables {
        constraints(&mut s, t);
    }
    for t in &tables {
        foreign_keys(&mut s, t);
    }
    sequence_values(&mut s);
    comments(&mut s, &tables);
    owners_and_grants(&mut s, &tables);
    s.out
}

fn is_temp(schema: &str) -> bool {
    schema.starts_with(crate::catalog::schemas::TEMP_SCHEMA_PREFIX)
}

fn tq(t: &TableDef) -> String {
    qualified(&t.schema, &t.name)
}

fn schemas(s: &mut Script) {
    for schema in s.catalog.schemas().iter() {
        // public comes with every database.
        let made_with_database = schema.is_builtin() || schema.name == "public";
        if made_with_database || schema.is_temp() || schema.name.starts_with("pg_") {
            continue;
        }
        let sql = format!(
            "CREATE SCHEMA {} AUTHORIZATION {}",
            quote_ident(&schema.name),
            s.role(schema.owner)
        );
        s.step(Phase::PreData, "schema", None, sql);
    }
}

/// The enum types the database's tables use (enum types are shared by
/// every database of a FlintDB cluster).
fn enum_types(s: &mut Script, tables: &[std::sync::Arc<TableDef>]) {
    for e in s.catalog.enum_types() {
        let used = tables.iter().any(|t| {
            t.columns
                .iter()
                .any(|c| crate::catalog::uses_enum(c.ty.data_type, e.oid))
        });
        if !used {
            continue;
        }
        let labels: Vec<String> = e.labels.iter().map(|l| literal(&l.name)).collect();
        let sql = format!("CREATE TYPE {} AS ENUM ({})", e.sql_name, labels.join(", "));
        s.step(Phase::PreData, "type", None, sql);
    }
}

fn sequence_options(seq: &crate::catalog::SequenceDef) -> String {
    format!(
        "START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{}",
        seq.start,
        seq.increment,
        seq.min,
        seq.max,
        seq.cache,
        if seq.cycle { " CYCLE" } else { " NO CYCLE" }
    )
}

/// Sequences other than identity columns' (those come with their table).
fn sequences(s: &mut Script, _tables: &[std::sync::Arc<TableDef>]) {
    for seq in s.catalog.sequences() {
        if is_temp(&seq.schema) || is_identity_sequence(s.catalog, &seq) {
            continue;
        }
        let sql = format!(
            "CREATE SEQUENCE {} AS {} {}",
            qualified(&seq.schema, &seq.name),
            seq.data_type.sql_name(),
            sequence_options(&seq)
        );
        s.step(Phase::PreData, "sequence", None, sql);
    }
}

/// A column's type as CREATE TABLE takes it.
fn type_sql(ty: ColumnType) -> String {
    ty.sql_name()
}

fn table(s: &mut Script, t: &TableDef) {
    let mut columns = Vec::new();
    let mut entries = Vec::new();
    for c in t.columns.iter().filter(|c| !c.is_dropped()) {
        let mut col = format!("{} {}", quote_ident(&c.name), type_sql(c.ty));
        match c.identity {
            Some(identity) => {
                let seq = s.catalog.sequences_owned_by(t.oid).into_iter().find(|q| {
                    q.owned_by.is_some_and(|(_, n)| {
                        t.columns.get(n as usize - 1).map(|x| &x.name) == Some(&c.name)
                    })
                });
                let kind = match identity {
                    crate::catalog::Identity::Always => "ALWAYS",
                    crate::catalog::Identity::ByDefault => "BY DEFAULT",
                };
                col.push_str(&format!(" GENERATED {kind} AS IDENTITY"));
                if let Some(seq) = seq {
                    col.push_str(&format!(" ({})", sequence_options(&seq)));
                }
            }
            None => {
                if let Some(d) = &c.default {
                    col.push_str(&format!(" DEFAULT {d}"));
                }
            }
        }
        if c.not_null {
            col.push_str(" NOT NULL");
        }
        columns.push(col);
        entries.push((c.name.clone(), type_sql(c.ty)));
    }
    let sql = format!(
        "CREATE TABLE {} (\n    {}\n)",
        tq(t),
        columns.join(",\n    ")
    );
    s.step(Phase::PreData, "table", Some(&tq(t)), sql);
    s.out.tables.push(TableEntry {
        schema: t.schema.clone(),
        name: t.name.clone(),
        columns: entries,
    });
}

/// SERIAL-style sequences belong to their column once both exist.
fn owned_sequences(s: &mut Script, tables: &[std::sync::Arc<TableDef>]) {
    for seq in s.catalog.sequences() {
        let Some((table, column)) = seq.owned_by else {
            continue;
        };
        if is_temp(&seq.schema) || is_identity_sequence(s.catalog, &seq) {
            continue;
        }
        let Some(t) = tables.iter().find(|t| t.oid == table) else {
            continue;
        };
        let Some(c) = t.columns.get(column as usize - 1) else {
            continue;
        };
        let sql = format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            qualified(&seq.schema, &seq.name),
            tq(t),
            quote_ident(&c.name)
        );
        s.step(Phase::PreData, "sequence", Some(&tq(t)), sql);
    }
}

fn views(s: &mut Script) {
    let mut views = s.catalog.views();
    views.retain(|v| !is_temp(&v.schema));
    views.sort_by_key(|v| v.oid);
    for v in views {
        let sql = format!(
            "CREATE VIEW {} AS {}",
            qualified(&v.schema, &v.name),
            v.definition.trim_end_matches(';')
        );
        s.step(Phase::PreData, "view", None, sql);
    }
}

fn key_columns(t: &TableDef, i: &IndexDef, ordered: bool) -> Vec<String> {
    i.keys
        .iter()
        .filter(|k| k.included != ordered)
        .map(|k| {
            let name = match (k.column.and_then(|c| t.columns.get(c)), &k.expr) {
                (Some(c), _) => quote_ident(&c.name),
                (None, Some(e)) => format!("({e})"),
                (None, None) => "?".to_string(),
            };
            if ordered {
                name + crate::sql::plan::order_suffix(k.descending, k.nulls_first)
            } else {
                name
            }
        })
        .collect()
}

fn include(t: &TableDef, i: &IndexDef) -> String {
    let included = key_columns(t, i, false);
    if included.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", included.join(", "))
    }
}

fn index_sql(t: &TableDef, i: &IndexDef) -> String {
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} USING btree ({}){}",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(&i.name),
        tq(t),
        key_columns(t, i, true).join(", "),
        include(t, i)
    );
    if let Some(p) = &i.predicate {
        sql.push_str(&format!(" WHERE {p}"));
    }
    sql
}

fn constraints(s: &mut Script, t: &TableDef) {
    for i in t.indexes.iter().filter(|i| i.primary || i.constraint) {
        let cols: Vec<String> = key_columns(t, i, true)
            .into_iter()
            .map(|c| c.split(' ').next().unwrap_or_default().to_string())
            .collect();
        let sql = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {} ({}){}",
            tq(t),
            quote_ident(&i.name),
            if i.primary { "PRIMARY KEY" } else { "UNIQUE" },
            cols.join(", "),
            include(t, i)
        );
        s.step(Phase::PostData, "constraint", Some(&tq(t)), sql);
    }
    for c in &t.checks {
        let sql = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
            tq(t),
            quote_ident(&c.name),
            c.expr
        );
        s.step(Phase::PostData, "constraint", Some(&tq(t)), sql);
    }
}

fn foreign_keys(s: &mut Script, t: &TableDef) {
    for f in &t.foreign_keys {
        let Some(r) = s.catalog.table_of(crate::storage::RelId(f.ref_table)) else {
            continue;
        };
        let names = |t: &TableDef, cols: &[usize]| {
            cols.iter()
                .filter_map(|c| t.columns.get(*c).map(|c| quote_ident(&c.name)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut sql = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}({})",
            tq(t),
            quote_ident(&f.name),
            names(t, &f.columns),
            tq(&r),
            names(&r, &f.ref_columns)
        );
        if f.on_update != crate::catalog::FkAction::NoAction {
            sql.push_str(&format!(" ON UPDATE {}", f.on_update.sql()));
        }
        if f.on_delete != crate::catalog::FkAction::NoAction {
            sql.push_str(&format!(" ON DELETE {}", f.on_delete.sql()));
        }
        s.step(Phase::PostData, "foreign key", Some(&tq(t)), sql);
    }
}

/// Every sequence's value: identity sequences through
/// pg_get_serial_sequence, since the restore names them afresh.
fn sequence_values(s: &mut Script) {
    for seq in s.catalog.sequences() {
        if is_temp(&seq.schema) {
            continue;
        }
        let Ok((value, called)) = s.catalog.sequence_value(&seq) else {
            continue;
        };
        let target = match seq.owned_by {
            Some((table, column)) if is_identity_sequence(s.catalog, &seq) => {
                let Some(t) = s.catalog.table_of(crate::storage::RelId(table)) else {
                    continue;
                };
                let Some(c) = t.columns.get(column as usize - 1) else {
                    continue;
                };
                format!(
                    "pg_catalog.pg_get_serial_sequence({}, {})",
                    literal(&tq(&t)),
                    literal(&c.name)
                )
            }
            _ => literal(&qualified(&seq.schema, &seq.name)),
        };
        let table = seq
            .owned_by
            .and_then(|(t, _)| s.catalog.table_of(crate::storage::RelId(t)))
            .map(|t| tq(&t));
        let sql = format!("SELECT pg_catalog.setval({target}, {value}, {called})");
        s.step(Phase::Finish, "sequence value", table.as_deref(), sql);
    }
}

/// Comments, in the order of what they are on (not of OIDs, which a
/// restore assigns afresh).
fn comments(s: &mut Script, tables: &[std::sync::Arc<TableDef>]) {
    let first = s.out.steps.len();
    comments_unordered(s, tables);
    s.out.steps[first..].sort_by(|a, b| a.sql.cmp(&b.sql));
}

fn comments_unordered(s: &mut Script, tables: &[std::sync::Arc<TableDef>]) {
    let views = s.catalog.views();
    let sequences = s.catalog.sequences();
    for ((oid, sub), text) in s.catalog.descriptions() {
        let (target, table) = if let Some(t) = tables.iter().find(|t| t.oid == oid) {
            match sub {
                0 => (format!("TABLE {}", tq(t)), Some(tq(t))),
                n => match t.columns.get(n as usize - 1) {
                    Some(c) => (
                        format!("COLUMN {}.{}", tq(t), quote_ident(&c.name)),
                        Some(tq(t)),
                    ),
                    None => continue,
                },
            }
        } else if let Some(v) = views.iter().find(|v| v.oid == oid) {
            match sub {
                0 => (format!("VIEW {}", qualified(&v.schema, &v.name)), None),
                n => match v.columns.get(n as usize - 1) {
                    Some(c) => (
                        format!(
                            "COLUMN {}.{}",
                            qualified(&v.schema, &v.name),
                            quote_ident(&c.name)
                        ),
                        None,
                    ),
                    None => continue,
                },
            }
        } else if let Some(q) = sequences.iter().find(|q| q.oid == oid) {
            (format!("SEQUENCE {}", qualified(&q.schema, &q.name)), None)
        } else if let Some((t, i)) = tables
            .iter()
            .find_map(|t| t.indexes.iter().find(|i| i.oid == oid).map(|i| (t, i)))
        {
            if i.primary || i.constraint {
                continue;
            }
            (
                format!("INDEX {}", qualified(&t.schema, &i.name)),
                Some(tq(t)),
            )
        } else if let Some(schema) = s.catalog.schema_by_oid(oid).filter(|x| !x.is_builtin()) {
            (format!("SCHEMA {}", quote_ident(&schema.name)), None)
        } else {
            continue;
        };
        let sql = format!("COMMENT ON {target} IS {}", literal(&text));
        s.step(Phase::Finish, "comment", table.as_deref(), sql);
    }
}

fn grants(s: &mut Script, object: AclObject, on: &str, owner: u32, table: Option<&str>) {
    let Some(items) = s.catalog.acl_of(object) else {
        return;
    };
    let defaults = object.default_acl(owner);
    for item in items {
        if item.grantee == owner || defaults.contains(&item) {
            continue;
        }
        grant_item(s, &item, on, table);
    }
}

fn grant_item(s: &mut Script, item: &AclItem, on: &str, table: Option<&str>) {
    let plain = item.privs.minus(item.grantable);
    for (privs, option) in [(plain, ""), (item.grantable, " WITH GRANT OPTION")] {
        if privs.is_empty() {
            continue;
        }
        let names: Vec<&str> = privs.each().map(Privs::name).collect();
        let sql = format!(
            "GRANT {} ON {on} TO {}{option}",
            names.join(", "),
            s.role(item.grantee)
        );
        s.step(Phase::Finish, "grant", table, sql);
    }
}

fn owners_and_grants(s: &mut Script, tables: &[std::sync::Arc<TableDef>]) {
    let bootstrap = crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
    for t in tables {
        if t.owner != bootstrap {
            let sql = format!("ALTER TABLE {} OWNER TO {}", tq(t), s.role(t.owner));
            s.step(Phase::Finish, "owner", Some(&tq(t)), sql);
        }
        let on = format!("TABLE {}", tq(t));
        grants(s, AclObject::Table(t.oid), &on, t.owner, Some(&tq(t)));
    }
    for v in s.catalog.views() {
        if is_temp(&v.schema) {
            continue;
        }
        let on = format!("TABLE {}", qualified(&v.schema, &v.name));
        grants(s, AclObject::Table(v.oid), &on, v.owner, None);
    }
    for q in s.catalog.sequences() {
        if is_temp(&q.schema) {
            continue;
        }
        let on = format!("SEQUENCE {}", qualified(&q.schema, &q.name));
        grants(s, AclObject::Sequence(q.oid), &on, q.owner, None);
    }
    for schema in s.catalog.schemas().iter() {
        if schema.is_temp() || schema.name.starts_with("pg_") || schema.name == "information_schema"
        {
            continue;
        }
        let on = format!("SCHEMA {}", quote_ident(&schema.name));
        grants(s, AclObject::Schema(schema.oid), &on, schema.owner, None);
    }
}
