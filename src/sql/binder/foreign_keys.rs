//! Binding FOREIGN KEY constraints (CREATE TABLE's column and table
//! constraints, ALTER TABLE … ADD): the referencing and referenced
//! columns, the referenced table's PRIMARY KEY or UNIQUE constraint they
//! must match, compatible types, the name and the actions, with
//! PostgreSQL's messages. Enforcement is `sql::exec::foreign_keys`.

use sqlparser::ast::{self, ReferentialAction};

use super::scope::{normalize, table_name};
use super::Binder;
use crate::catalog::{ColumnDef, FkAction, ForeignKeyDef, IndexDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::DataType;

/// The table a foreign key is declared on, as the binder sees it.
pub(super) struct Referencing<'a> {
    pub name: &'a str,
    /// Its OID; 0 while CREATE TABLE makes it.
    pub oid: u32,
    pub columns: &'a [ColumnDef],
    /// Its PRIMARY KEY and UNIQUE constraints (for a self-reference).
    pub constraints: &'a [IndexDef],
}

impl Binder<'_> {
    /// A FOREIGN KEY of `on`; `columns` override the constraint's own
    /// (a column constraint names its column). A self-reference gets
    /// `ref_table` = `on.oid` (0 while the table is being created).
    pub(super) fn bind_foreign_key(
        &self,
        on: &Referencing,
        fk: &ast::ForeignKeyConstraint,
        taken: &[String],
    ) -> Result<ForeignKeyDef> {
        if matches!(
            fk.match_kind,
            Some(
                ast::ConstraintReferenceMatchKind::Full
                    | ast::ConstraintReferenceMatchKind::Partial
            )
        ) {
            return Err(crate::errunsupported!(
                "MATCH FULL and MATCH PARTIAL foreign keys"
            ));
        }
        if let Some(c) = &fk.characteristics {
            if c.deferrable == Some(true)
                || matches!(c.initially, Some(ast::DeferrableInitial::Deferred))
                || c.enforced == Some(false)
            {
                return Err(crate::errunsupported!(
                    "deferrable or unenforced foreign keys"
                ));
            }
        }
        let missing = |name: &str| {
            errinput!(
                sqlstate::UNDEFINED_COLUMN,
                "column \"{name}\" referenced in foreign key constraint does not exist"
            )
        };
        let columns = fk
            .columns
            .iter()
            .map(|c| {
                let name = normalize(c);
                on.columns
                    .iter()
                    .position(|d| d.name == name)
                    .ok_or_else(|| missing(&name))
            })
            .collect::<Result<Vec<_>>>()?;
        let ref_name = table_name(&fk.foreign_table)?;
        let referenced = if ref_name == on.name {
            None
        } else {
            Some(self.catalog.must_get_table(&ref_name)?)
        };
        let (ref_columns_def, ref_constraints, ref_oid) = match &referenced {
            Some(t) => (t.columns.as_slice(), t.indexes.as_slice(), t.oid),
            None => (on.columns, on.constraints, on.oid),
        };
        let ref_columns = if fk.referred_columns.is_empty() {
            let pk = ref_constraints.iter().find(|i| i.primary).ok_or_else(|| {
                errinput!(
                    sqlstate::INVALID_FOREIGN_KEY,
                    "there is no primary key for referenced table \"{ref_name}\""
                )
            })?;
            pk.ordered_keys().filter_map(|k| k.column).collect()
        } else {
            fk.referred_columns
                .iter()
                .map(|c| {
                    let name = normalize(c);
                    ref_columns_def
                        .iter()
                        .position(|d| d.name == name)
                        .ok_or_else(|| missing(&name))
                })
                .collect::<Result<Vec<_>>>()?
        };
        if ref_columns.len() != columns.len() {
            return Err(errinput!(
                sqlstate::INVALID_FOREIGN_KEY,
                "number of referencing and referenced columns for foreign key disagree"
            ));
        }
        let mut wanted = ref_columns.clone();
        wanted.sort_unstable();
        let matched = ref_constraints.iter().any(|i| {
            let mut keys: Vec<Option<usize>> = i.ordered_keys().map(|k| k.column).collect();
            keys.sort_unstable();
            i.unique
                && i.predicate.is_none()
                && keys == wanted.iter().map(|c| Some(*c)).collect::<Vec<_>>()
        });
        if !matched {
            return Err(errinput!(
                sqlstate::INVALID_FOREIGN_KEY,
                "there is no unique constraint matching given keys for referenced table \"{ref_name}\""
            ));
        }
        let names: Vec<String> = columns
            .iter()
            .map(|c| on.columns[*c].name.clone())
            .collect();
        let name = match &fk.name {
            Some(n) => normalize(n),
            None => self.choose_name("public", on.name, &names, "fkey", taken),
        };
        for (c, r) in columns.iter().zip(&ref_columns) {
            let (a, b) = (&on.columns[*c], &ref_columns_def[*r]);
            if !comparable(a.ty.data_type, b.ty.data_type) {
                return Err(errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "foreign key constraint \"{name}\" cannot be implemented"
                )
                .with_detail(format!(
                    "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                    a.name,
                    b.name,
                    a.ty.data_type.sql_name(),
                    b.ty.data_type.sql_name()
                )));
            }
        }
        Ok(ForeignKeyDef {
            oid: 0,
            name,
            columns,
            ref_table: ref_oid,
            ref_columns,
            on_delete: action(fk.on_delete),
            on_update: action(fk.on_update),
        })
    }
}

fn action(a: Option<ReferentialAction>) -> FkAction {
    match a {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

/// Whether values of the two types compare with `=` without a cast that
/// could fail (PostgreSQL needs an equality operator between them).
pub(super) fn comparable(a: DataType, b: DataType) -> bool {
    a == b
        || (a.is_numeric() && b.is_numeric())
        || (a.is_string() && b.is_string())
        || matches!(
            (a, b),
            (
                DataType::Timestamp | DataType::Timestamptz | DataType::Date,
                DataType::Timestamp | DataType::Timestamptz | DataType::Date
            )
        )
}
