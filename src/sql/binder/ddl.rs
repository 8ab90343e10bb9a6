//! Binding CREATE TABLE and DROP TABLE / VIEW / INDEX.

use sqlparser::ast::{self, CreateTable, ObjectType, Statement, TableConstraint};

use super::scope::{normalize, table_name};
use super::Binder;
use crate::catalog::ColumnDef;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Plan;

impl Binder<'_> {
    pub(super) fn bind_create_table(&mut self, c: &CreateTable) -> Result<Plan> {
        let unsupported = if c.or_replace {
            Some("CREATE OR REPLACE TABLE")
        } else if c.unlogged {
            Some("unlogged tables")
        } else if c.query.is_some() {
            Some("CREATE TABLE ... AS")
        } else if c.like.is_some() || c.clone.is_some() {
            Some("CREATE TABLE ... LIKE")
        } else if c.inherits.is_some() || c.partition_of.is_some() || c.partition_by.is_some() {
            Some("table inheritance and partitioning")
        } else if !matches!(
            c.table_options,
            ast::CreateTableOptions::None | ast::CreateTableOptions::With(_)
        ) {
            Some("table storage options")
        } else if c.external
            || c.global.is_some()
            || c.transient
            || c.volatile
            || c.iceberg
            || c.dynamic
        {
            Some("this kind of CREATE TABLE")
        } else {
            None
        };
        if let Some(what) = unsupported {
            return Err(crate::errunsupported!("{what}"));
        }
        if let ast::CreateTableOptions::With(options) = &c.table_options {
            check_storage_options(options)?;
        }
        let on_commit = match c.on_commit {
            _ if c.on_commit.is_some() && !c.temporary => {
                return Err(errinput!(
                    sqlstate::INVALID_TABLE_DEFINITION,
                    "ON COMMIT can only be used on temporary tables"
                ))
            }
            Some(ast::OnCommit::DeleteRows) => Some(crate::sql::plan::OnCommit::DeleteRows),
            Some(ast::OnCommit::Drop) => Some(crate::sql::plan::OnCommit::Drop),
            Some(ast::OnCommit::PreserveRows) | None => None,
        };
        let (schema, name, temporary) =
            super::scope::creation_name_temp(self.catalog, &c.name, c.temporary)?;
        let mut columns: Vec<ColumnDef> = Vec::with_capacity(c.columns.len());
        let mut column_constraints = Vec::new();
        let mut sequences = Vec::new();
        let mut pending_checks: Vec<(Option<String>, Option<String>, ast::Expr)> = Vec::new();
        let mut pending_fks: Vec<ast::ForeignKeyConstraint> = Vec::new();
        for col in &c.columns {
            let taken: Vec<String> = sequences
                .iter()
                .map(|(_, s): &(usize, crate::catalog::SequenceDef)| s.name.clone())
                .collect();
            let bound = self.bind_column_def(&schema, &name, col, &columns, &taken)?;
            for constraint in bound.constraints {
                column_constraints.push((columns.len(), constraint));
            }
            pending_checks.extend(bound.checks);
            pending_fks.extend(bound.foreign_keys);
            if let Some(seq) = bound.sequence {
                sequences.push((columns.len(), seq));
            }
            columns.push(bound.def);
        }
        if !self.params.is_empty() {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_REFERENCE,
                "there is no parameter $1"
            ));
        }
        let mut index_constraints = Vec::new();
        for constraint in &c.constraints {
            match constraint {
                TableConstraint::Check(check) => {
                    let name = check.name.as_ref().map(normalize);
                    pending_checks.push((None, name, (*check.expr).clone()))
                }
                TableConstraint::ForeignKey(fk) => pending_fks.push(fk.clone()),
                other => index_constraints.push(other.clone()),
            }
        }
        let constraints = self.table_constraints(
            &schema,
            &name,
            &mut columns,
            &column_constraints,
            &index_constraints,
        )?;
        let mut checks: Vec<crate::catalog::CheckDef> = Vec::new();
        for (column, check_name, expr) in pending_checks {
            let mut taken: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
            taken.extend(constraints.iter().map(|i| i.name.clone()));
            if let Some(n) = &check_name {
                if taken.contains(n) {
                    return Err(errinput!(
                        sqlstate::DUPLICATE_OBJECT,
                        "check constraint \"{n}\" already exists"
                    ));
                }
            }
            let check = self.new_check(
                &name,
                &columns,
                &expr,
                check_name,
                column.as_deref(),
                &taken,
            )?;
            checks.push(check);
        }
        let mut foreign_keys: Vec<crate::catalog::ForeignKeyDef> = Vec::new();
        for fk in &pending_fks {
            let mut taken: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
            taken.extend(constraints.iter().map(|i| i.name.clone()));
            taken.extend(foreign_keys.iter().map(|f| f.name.clone()));
            let on = super::foreign_keys::Referencing {
                name: &name,
                oid: 0,
                columns: &columns,
                constraints: &constraints,
            };
            foreign_keys.push(self.bind_foreign_key(&on, fk, &taken)?);
        }
        Ok(Plan::CreateTable {
            schema,
            name,
            temporary,
            on_commit,
            columns,
            constraints,
            sequences,
            checks,
            foreign_keys,
            if_not_exists: c.if_not_exists,
        })
    }

    pub(super) fn bind_drop(&mut self, s: &Statement) -> Result<Plan> {
        let Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            restrict: _,
            purge,
            temporary,
            table,
        } = s
        else {
            return Err(crate::errinternal!("bind_drop on {s}"));
        };
        if *object_type == ObjectType::Index {
            let names = names.iter().map(table_name).collect::<Result<Vec<_>>>()?;
            return Ok(Plan::DropIndex {
                names,
                if_exists: *if_exists,
            });
        }
        if *object_type == ObjectType::Sequence {
            return super::sequences::bind_drop_sequences(self.catalog, names, *if_exists);
        }
        if *object_type == ObjectType::Type {
            return super::enum_types::bind_drop_types(self.catalog, names, *if_exists, *cascade);
        }
        if !matches!(object_type, ObjectType::Table | ObjectType::View) {
            return Err(crate::errunsupported!("DROP {object_type}"));
        }
        if *purge || *temporary || table.is_some() {
            return Err(crate::errunsupported!("DROP TABLE syntax in {s}"));
        }
        let names = names.iter().map(table_name).collect::<Result<Vec<_>>>()?;
        if *object_type == ObjectType::View {
            let (mut views, mut missing) = (Vec::new(), Vec::new());
            for name in names {
                if self.catalog.get_table(&name).is_some() {
                    return Err(
                        errinput!(sqlstate::WRONG_OBJECT_TYPE, "\"{name}\" is not a view")
                            .with_hint("Use DROP TABLE to remove a table."),
                    );
                }
                if self.catalog.get_view(&name).is_some() {
                    views.push(name);
                } else if *if_exists {
                    missing.push(name);
                } else {
                    return Err(errinput!(
                        sqlstate::UNDEFINED_TABLE,
                        "view \"{name}\" does not exist"
                    ));
                }
            }
            return Ok(Plan::DropView {
                names: views,
                missing,
            });
        }
        let keys: Vec<String> = names
            .iter()
            .filter_map(|n| self.catalog.get_table(n).map(|t| t.key()))
            .collect();
        let (mut foreign_keys, mut views, mut cascaded) = (Vec::new(), Vec::new(), Vec::new());
        for name in &names {
            if self.catalog.get_view(name).is_some() {
                return Err(
                    errinput!(sqlstate::WRONG_OBJECT_TYPE, "\"{name}\" is not a table")
                        .with_hint("Use DROP VIEW to remove a view."),
                );
            }
            let Some(t) = self.catalog.get_table(name) else {
                continue;
            };
            let shown = crate::sql::eval::relation_display(self.catalog, t.oid);
            let mut dependents = Vec::new();
            for (child, fk) in self.catalog.referencing(t.oid) {
                if child.oid == t.oid || keys.contains(&child.key()) {
                    continue;
                }
                let child_shown = crate::sql::eval::relation_display(self.catalog, child.oid);
                dependents.push(format!("constraint {} on table {child_shown}", fk.name));
                foreign_keys.push((child.key(), fk.name.clone()));
            }
            for view in super::views::views_reading(self.catalog, t.oid) {
                if let Some(v) = self.catalog.get_view(&view) {
                    if !views.contains(&view) {
                        let v_shown = crate::sql::eval::relation_display(self.catalog, v.oid);
                        dependents.push(format!("view {v_shown}"));
                        views.push(view);
                    }
                }
            }
            if !dependents.is_empty() && !*cascade {
                return Err(errinput!(
                    "2BP01",
                    "cannot drop table {shown} because other objects depend on it"
                )
                .with_detail(
                    dependents
                        .iter()
                        .map(|d| format!("{d} depends on table {shown}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            cascaded.extend(dependents);
        }
        Ok(Plan::DropTable {
            names,
            if_exists: *if_exists,
            foreign_keys,
            views,
            cascaded,
        })
    }
}

/// The column type of `serial`, `bigserial`, `smallserial` and their
/// aliases.
pub(super) fn serial_type(ty: &ast::DataType) -> Option<crate::types::DataType> {
    let ast::DataType::Custom(name, modifiers) = ty else {
        return None;
    };
    if !modifiers.is_empty() || name.0.len() != 1 {
        return None;
    }
    use crate::types::DataType as T;
    match name.to_string().to_lowercase().as_str() {
        "serial" | "serial4" => Some(T::Int4),
        "bigserial" | "serial8" => Some(T::Int8),
        "smallserial" | "serial2" => Some(T::Int2),
        _ => None,
    }
}

/// `WITH (fillfactor = n)`: checked as PostgreSQL checks it, then ignored
/// (heap pages are filled whole; updates never stay on their page).
fn check_storage_options(options: &[ast::SqlOption]) -> Result<()> {
    for option in options {
        let ast::SqlOption::KeyValue { key, value } = option else {
            return Err(crate::errunsupported!("table storage option {option}"));
        };
        let name = normalize(key);
        let known_to_postgresql = name.starts_with("autovacuum_")
            || name.starts_with("toast.")
            || matches!(
                name.as_str(),
                "toast_tuple_target"
                    | "parallel_workers"
                    | "user_catalog_table"
                    | "vacuum_index_cleanup"
                    | "vacuum_truncate"
                    | "log_autovacuum_min_duration"
            );
        if known_to_postgresql {
            return Err(crate::errunsupported!("table storage parameter \"{name}\""));
        }
        if name != "fillfactor" {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "unrecognized parameter \"{name}\""
            ));
        }
        let text = value.to_string();
        let n: i64 = text.trim_matches('\'').parse().map_err(|_| {
            errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid value for integer option \"fillfactor\": {text}"
            )
        })?;
        if !(10..=100).contains(&n) {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "value {n} out of bounds for option \"fillfactor\""
            )
            .with_detail("Valid values are between \"10\" and \"100\".".to_string()));
        }
    }
    Ok(())
}
