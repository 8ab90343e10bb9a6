//! PostgreSQL's system catalogs (`pg_catalog.pg_class` and friends) as
//! read-only relations, built from FlintDB's catalog when a statement is
//! bound, so psql's `\d` family and drivers' introspection queries find
//! what they look for. Each view has PostgreSQL 15's column names and
//! types for the columns clients read; catalogs FlintDB has nothing for
//! (policies, triggers, inheritance, …) are there and empty. Names
//! resolve like PostgreSQL's: `pg_catalog.x`, or plain `x` (pg_catalog
//! is first on the search path).

mod columns;
mod constraint_rows;
mod definitions;
mod information_schema;
mod namespace_rows;
mod rows;
mod types;

use super::scope::{Scope, ScopeColumn};
use crate::catalog::Catalog;
use crate::sql::expr::Expr;
use crate::sql::plan::Node;
use crate::types::ColumnType;

use columns::*;
pub use definitions::{
    check_definition, constraint_definition, foreign_key_definition, index_definition, quote_ident,
    relation_by_oid,
};
pub use rows::constraint_oid;
pub use rows::{acl_text, is_identity_sequence, view_definition};
pub use types::{array_type_of, element_type_of, type_name_of};

pub use crate::catalog::schemas::{INFORMATION_SCHEMA_OID, TOAST_SCHEMA_OID};
/// The heap table access method.
pub const HEAP_AM_OID: u32 = 2;
/// The btree index access method.
pub const BTREE_AM_OID: u32 = 403;

/// Every system view: name, PostgreSQL's OID, columns.
pub const VIEWS: &[(&str, u32, Columns)] = &[
    ("pg_namespace", 2615, NAMESPACE),
    ("pg_class", 1259, CLASS),
    ("pg_attribute", 1249, ATTRIBUTE),
    ("pg_type", 1247, TYPE),
    ("pg_roles", 11_000, ROLES),
    ("pg_user", 11_001, USER),
    ("pg_auth_members", 1261, AUTH_MEMBERS),
    ("pg_database", 1262, DATABASE),
    ("pg_index", 2610, INDEX),
    ("pg_am", 2601, AM),
    ("pg_attrdef", 2604, ATTRDEF),
    ("pg_constraint", 2606, CONSTRAINT),
    ("pg_description", 2609, DESCRIPTION),
    ("pg_inherits", 2611, INHERITS),
    ("pg_policy", 3256, POLICY),
    ("pg_trigger", 2620, TRIGGER),
    ("pg_statistic_ext", 3381, STATISTIC_EXT),
    ("pg_publication", 6104, PUBLICATION),
    ("pg_publication_rel", 6106, PUBLICATION_REL),
    ("pg_publication_namespace", 6237, PUBLICATION_NAMESPACE),
    ("pg_extension", 3079, EXTENSION),
    ("pg_collation", 3456, COLLATION),
    ("pg_enum", 3501, ENUM),
    ("pg_range", 3541, RANGE),
    ("pg_proc", 1255, PROC),
    ("pg_tablespace", 1213, TABLESPACE),
    ("pg_sequence", 2224, SEQUENCE),
    ("pg_partitioned_table", 3350, PARTITIONED_TABLE),
    ("pg_opclass", 2616, OPCLASS),
    ("pg_tables", 11_002, TABLES),
    ("pg_indexes", 11_003, INDEXES),
    ("pg_stat_activity", 12_000, STAT_ACTIVITY),
    ("pg_views", 11_004, PG_VIEWS),
    ("pg_sequences", 11_005, PG_SEQUENCES),
    ("pg_depend", 2608, DEPEND),
    ("pg_settings", 11_006, SETTINGS),
];

/// A system view: its schema's name, and (name, OID, columns).
pub type View = (&'static str, &'static (&'static str, u32, Columns));

/// The view a (folded) relation name refers to, if it is one.
pub fn lookup(parts: &[String]) -> Option<View> {
    match parts {
        [n] => VIEWS
            .iter()
            .find(|(view, ..)| view == n)
            .map(|v| ("pg_catalog", v)),
        [schema, n] if schema == "pg_catalog" => VIEWS
            .iter()
            .find(|(view, ..)| view == n)
            .map(|v| ("pg_catalog", v)),
        [schema, n] if schema == "information_schema" => information_schema::VIEWS
            .iter()
            .find(|(view, ..)| view == n)
            .map(|v| ("information_schema", v)),
        _ => None,
    }
}

/// Whether an OID is one of the information_schema views (not on the
/// search path, so not "visible").
pub fn in_information_schema(o: u32) -> bool {
    information_schema::VIEWS.iter().any(|(_, v, _)| *v == o)
}

/// Every system view (for pg_class and pg_attribute).
pub fn all_views() -> impl Iterator<Item = View> {
    VIEWS.iter().map(|v| ("pg_catalog", v)).chain(
        information_schema::VIEWS
            .iter()
            .map(|v| ("information_schema", v)),
    )
}

/// A view's rows as a VALUES node, and its columns as a scope.
pub fn bind(catalog: &Catalog, view: View, qualifier: &str) -> (Node, Scope) {
    let (schema, &(name, _, columns)) = view;
    let rows = if schema == "information_schema" {
        information_schema::rows(catalog, name)
    } else {
        rows::rows(catalog, name)
    };
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut exprs: Vec<Expr> = row
                .into_iter()
                .zip(columns.iter())
                .map(|(v, (_, ty))| Expr::Literal(v, *ty))
                .collect();
            // pg_settings.setting is the session's value when it runs.
            if name == "pg_settings" {
                exprs[1] = Expr::Call {
                    func: crate::sql::expr::Function::SettingValue,
                    args: vec![exprs[0].clone()],
                    ty: crate::types::DataType::Text,
                };
            }
            exprs
        })
        .collect();
    let scope = Scope {
        columns: columns
            .iter()
            .map(|(column, ty)| ScopeColumn {
                qualifier: Some(qualifier.to_string()),
                name: column.to_string(),
                ty: ColumnType::plain(*ty),
                table_oid: 0,
                column_number: 0,
                hidden: false,
            })
            .collect(),
    };
    (Node::Values { rows }, scope)
}
