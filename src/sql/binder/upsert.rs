//! Binding INSERT … ON CONFLICT: the arbiter unique indexes (inferred
//! from the target columns, named by ON CONSTRAINT, or every unique index
//! for a bare DO NOTHING) and DO UPDATE's SET list and WHERE, over the
//! existing row (columns by the table's name or alias) and the proposed
//! one (`excluded.col`).

use std::sync::Arc;

use sqlparser::ast;

use super::dml::{table_scope, target_column};
use super::scope::{name_parts, normalize, ScopeColumn};
use super::Binder;
use crate::catalog::TableDef;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{BoundIndex, ConflictAction, OnConflict};

impl Binder<'_> {
    pub(super) fn bind_on_conflict(
        &mut self,
        oc: &ast::OnConflict,
        table: &TableDef,
        qualifier: &str,
        indexes: &[Arc<BoundIndex>],
        defaults: &[Option<Expr>],
    ) -> Result<OnConflict> {
        let unique: Vec<usize> = (0..indexes.len())
            .filter(|i| indexes[*i].def.unique)
            .collect();
        let arbiters = match &oc.conflict_target {
            None => {
                if matches!(oc.action, ast::OnConflictAction::DoUpdate(_)) {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "ON CONFLICT DO UPDATE requires inference specification or constraint name"
                    )
                    .with_hint("For example, ON CONFLICT (column_name)."));
                }
                unique
            }
            Some(ast::ConflictTarget::Columns(columns)) => {
                let mut wanted = columns
                    .iter()
                    .map(|c| target_column(table, &normalize(c)))
                    .collect::<Result<Vec<_>>>()?;
                wanted.sort_unstable();
                wanted.dedup();
                let found: Vec<usize> = unique
                    .into_iter()
                    .filter(|i| {
                        let def = &indexes[*i].def;
                        let mut keys: Vec<Option<usize>> =
                            def.ordered_keys().map(|k| k.column).collect();
                        keys.sort_unstable();
                        def.predicate.is_none()
                            && keys == wanted.iter().map(|c| Some(*c)).collect::<Vec<_>>()
                    })
                    .collect();
                if found.is_empty() {
                    return Err(errinput!(
                        "42P10",
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification"
                    ));
                }
                found
            }
            Some(ast::ConflictTarget::OnConstraint(name)) => {
                let name = name_parts(name)?.pop().unwrap_or_default();
                let found: Vec<usize> = unique
                    .into_iter()
                    .filter(|i| {
                        let def = &indexes[*i].def;
                        (def.primary || def.constraint) && def.name == name
                    })
                    .collect();
                if found.is_empty() {
                    return Err(errinput!(
                        sqlstate::UNDEFINED_OBJECT,
                        "constraint \"{name}\" for table \"{}\" does not exist",
                        table.name
                    ));
                }
                found
            }
        };
        let action = match &oc.action {
            ast::OnConflictAction::DoNothing => ConflictAction::Nothing,
            ast::OnConflictAction::DoUpdate(u) => {
                self.bind_do_update(u, table, qualifier, defaults)?
            }
        };
        Ok(OnConflict { arbiters, action })
    }

    /// DO UPDATE SET … [WHERE …]: expressions over the existing row
    /// (columns 0..n) followed by the proposed one (`excluded`, n..2n).
    fn bind_do_update(
        &mut self,
        u: &ast::DoUpdate,
        table: &TableDef,
        qualifier: &str,
        defaults: &[Option<Expr>],
    ) -> Result<ConflictAction> {
        let mut scope = table_scope(table, qualifier);
        let excluded: Vec<ScopeColumn> = table
            .columns
            .iter()
            .map(|c| ScopeColumn {
                qualifier: Some("excluded".to_string()),
                name: c.name.clone(),
                ty: c.ty,
                table_oid: 0,
                column_number: 0,
                hidden: true,
            })
            .collect();
        scope.columns.extend(excluded);
        let assignments =
            self.bind_assignments(&u.assignments, table, qualifier, &scope, defaults)?;
        let predicate = match &u.selection {
            Some(w) => {
                let b = self.bind_expr(w, &scope)?;
                Some(self.coerce_bool(b, "WHERE")?)
            }
            None => None,
        };
        Ok(ConflictAction::Update {
            assignments,
            predicate,
        })
    }
}
