//! Definitions as PostgreSQL prints them: `pg_get_indexdef`,
//! `pg_get_constraintdef`, `quote_ident`, and relations by OID.

use std::sync::Arc;

use crate::catalog::{Catalog, IndexDef, IndexKey, TableDef};

/// `pg_get_indexdef`: the CREATE INDEX statement of an index. Pretty
/// (the third argument true) leaves out the schema of a visible table and
/// the parentheses around the predicate, as PostgreSQL does.
pub fn index_definition(t: &TableDef, i: &IndexDef, pretty: bool) -> String {
    let key = |k: &IndexKey| {
        let name = match (k.column, &k.expr) {
            (None, Some(e)) => format!("({e})"),
            _ => column_name(t, k),
        };
        name + crate::sql::plan::order_suffix(k.descending, k.nulls_first)
    };
    let ordered: Vec<String> = i.ordered_keys().map(key).collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {}{} USING btree ({})",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(&i.name),
        if pretty { "" } else { "public." },
        quote_ident(&t.name),
        ordered.join(", ")
    );
    s.push_str(&include_clause(t, i));
    if let Some(p) = &i.predicate {
        if pretty {
            s.push_str(&format!(" WHERE {p}"));
        } else {
            s.push_str(&format!(" WHERE ({p})"));
        }
    }
    s
}

/// `pg_get_constraintdef`: `PRIMARY KEY (a, b)` / `UNIQUE (a)`.
pub fn constraint_definition(t: &TableDef, i: &IndexDef) -> String {
    let cols: Vec<String> = i.ordered_keys().map(|k| column_name(t, k)).collect();
    format!(
        "{} ({}){}",
        if i.primary { "PRIMARY KEY" } else { "UNIQUE" },
        cols.join(", "),
        include_clause(t, i)
    )
}

/// The columns (numbers from 1) a CHECK constraint's condition names.
pub fn check_columns(t: &TableDef, c: &crate::catalog::CheckDef) -> Vec<i16> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, &c.expr).tokenize() else {
        return Vec::new();
    };
    let mut found: Vec<i16> = Vec::new();
    for token in tokens {
        let Token::Word(w) = token else { continue };
        let name = match w.quote_style {
            Some(_) => w.value,
            None => w.value.to_lowercase(),
        };
        if let Some(n) = t.column_index(&name) {
            let n = n as i16 + 1;
            if !found.contains(&n) {
                found.push(n);
            }
        }
    }
    found
}

/// pg_get_constraintdef of a FOREIGN KEY: `FOREIGN KEY (a) REFERENCES
/// p(id) ON UPDATE … ON DELETE …` (actions only where not NO ACTION).
pub fn foreign_key_definition(
    catalog: &Catalog,
    t: &TableDef,
    f: &crate::catalog::ForeignKeyDef,
) -> String {
    let names = |t: &TableDef, cols: &[usize]| {
        cols.iter()
            .map(|c| {
                t.columns
                    .get(*c)
                    .map_or("?".to_string(), |c| quote_ident(&c.name))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let referenced = catalog.table_of(crate::storage::RelId(f.ref_table));
    let (ref_name, ref_cols) = match &referenced {
        Some(r) => (
            crate::sql::eval::relation_display(catalog, r.oid),
            names(r, &f.ref_columns),
        ),
        None => ("?".to_string(), "?".to_string()),
    };
    let mut out = format!(
        "FOREIGN KEY ({}) REFERENCES {ref_name}({ref_cols})",
        names(t, &f.columns)
    );
    if f.on_update != crate::catalog::FkAction::NoAction {
        out.push_str(&format!(" ON UPDATE {}", f.on_update.sql()));
    }
    if f.on_delete != crate::catalog::FkAction::NoAction {
        out.push_str(&format!(" ON DELETE {}", f.on_delete.sql()));
    }
    out
}

/// pg_get_constraintdef of a CHECK constraint: PostgreSQL wraps the
/// condition in parentheses unless `pretty`.
pub fn check_definition(c: &crate::catalog::CheckDef, pretty: bool) -> String {
    if pretty {
        format!("CHECK ({})", c.expr)
    } else {
        format!("CHECK (({}))", c.expr)
    }
}

/// A key's column, quoted as needed.
fn column_name(t: &TableDef, k: &IndexKey) -> String {
    k.column
        .and_then(|c| t.columns.get(c))
        .map_or("?".to_string(), |c| quote_ident(&c.name))
}

/// ` INCLUDE (a, b)`, or nothing.
fn include_clause(t: &TableDef, i: &IndexDef) -> String {
    let included: Vec<String> = i
        .keys
        .iter()
        .filter(|k| k.included)
        .map(|k| column_name(t, k))
        .collect();
    if included.is_empty() {
        String::new()
    } else {
        format!(" INCLUDE ({})", included.join(", "))
    }
}

/// An identifier as PostgreSQL's `quote_ident` gives it.
pub fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !super::super::scope::is_reserved(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Tables and indexes by OID, for functions over pg_class OIDs.
pub fn relation_by_oid(catalog: &Catalog, o: u32) -> Option<(Arc<TableDef>, Option<IndexDef>)> {
    for t in catalog.tables() {
        if t.oid == o {
            return Some((t, None));
        }
        if let Some(i) = t.indexes.iter().find(|i| i.oid == o).cloned() {
            return Some((t, Some(i)));
        }
    }
    None
}
