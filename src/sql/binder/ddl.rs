//! Binding CREATE TABLE and DROP TABLE / VIEW / INDEX.

use sqlparser::ast::{self, ColumnOption, CreateTable, ObjectType, Statement, TableConstraint};

use super::scope::{normalize, table_name, Scope};
use super::types::resolve_type;
use super::Binder;
use crate::catalog::{ColumnDef, Identity};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Plan;

impl Binder<'_> {
    pub(super) fn bind_create_table(&mut self, c: &CreateTable) -> Result<Plan> {
        let unsupported = if c.or_replace {
            Some("CREATE OR REPLACE TABLE")
        } else if c.temporary {
            Some("temporary tables")
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
        } else if c.on_commit.is_some() {
            Some("ON COMMIT")
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
        let name = table_name(&c.name)?;
        let mut columns: Vec<ColumnDef> = Vec::with_capacity(c.columns.len());
        let mut column_constraints = Vec::new();
        let mut sequences = Vec::new();
        for col in &c.columns {
            let mut identity_options: Option<Vec<ast::SequenceOptions>> = None;
            super::scope::check_not_reserved(&col.name)?;
            let col_name = normalize(&col.name);
            if columns.iter().any(|d| d.name == col_name) {
                return Err(errinput!(
                    sqlstate::DUPLICATE_COLUMN,
                    "column \"{col_name}\" specified more than once"
                ));
            }
            let serial = serial_type(&col.data_type);
            let ty = match serial {
                Some(t) => crate::types::ColumnType::plain(t),
                None => resolve_type(&col.data_type)?,
            };
            let mut def = ColumnDef {
                name: col_name,
                ty,
                not_null: false,
                default: None,
                identity: None,
            };
            for opt in &col.options {
                let named = |mut constraint: TableConstraint| {
                    match &mut constraint {
                        TableConstraint::PrimaryKey(p) => {
                            p.name = opt.name.clone();
                            p.columns = vec![col.name.clone().into()];
                        }
                        TableConstraint::Unique(u) => {
                            u.name = opt.name.clone();
                            u.columns = vec![col.name.clone().into()];
                        }
                        _ => {}
                    }
                    (columns.len(), constraint)
                };
                if opt.name.is_some()
                    && !matches!(
                        opt.option,
                        ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_)
                    )
                {
                    return Err(crate::errunsupported!("named column constraints"));
                }
                match &opt.option {
                    ColumnOption::Null => def.not_null = false,
                    ColumnOption::NotNull => def.not_null = true,
                    ColumnOption::Default(e) => {
                        // Validate now: the default must bind and fit the column.
                        let bound = self.bind_expr(e, &Scope::default())?;
                        if bound.contains_aggregate() {
                            return Err(errinput!(
                                sqlstate::GROUPING_ERROR,
                                "cannot use aggregate function in DEFAULT expression"
                            ));
                        }
                        self.coerce_assign(bound, ty, &def.name)?;
                        def.default = Some(e.to_string());
                    }
                    ColumnOption::PrimaryKey(p) => {
                        column_constraints.push(named(TableConstraint::PrimaryKey(p.clone())))
                    }
                    ColumnOption::Unique(u) => {
                        column_constraints.push(named(TableConstraint::Unique(u.clone())))
                    }
                    ColumnOption::Check(_) => {
                        return Err(crate::errunsupported!("CHECK constraints"))
                    }
                    ColumnOption::ForeignKey(_) => {
                        return Err(crate::errunsupported!("FOREIGN KEY"))
                    }
                    ColumnOption::Generated {
                        generated_as,
                        sequence_options,
                        generation_expr: None,
                        ..
                    } => {
                        let identity = match generated_as {
                            ast::GeneratedAs::Always => Identity::Always,
                            ast::GeneratedAs::ByDefault => Identity::ByDefault,
                            ast::GeneratedAs::ExpStored => {
                                return Err(crate::errunsupported!("generated columns"))
                            }
                        };
                        if serial.is_some() || def.identity.is_some() {
                            return Err(errinput!(
                                sqlstate::SYNTAX_ERROR,
                                "multiple identity specifications for column \"{}\" of table \"{name}\"",
                                def.name
                            ));
                        }
                        def.identity = Some(identity);
                        identity_options = Some(sequence_options.clone().unwrap_or_default());
                    }
                    ColumnOption::Generated { .. } => {
                        return Err(crate::errunsupported!("generated columns"))
                    }
                    other => return Err(crate::errunsupported!("column option {other}")),
                }
            }
            if def.identity.is_some() || serial.is_some() {
                if def.default.is_some() {
                    let what = if serial.is_some() { "" } else { "identity " };
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "multiple default values specified for column \"{}\" of table \"{name}\"",
                        def.name
                    )
                    .with_detail(format!(
                        "A column with {what}a sequence cannot have another default."
                    )));
                }
                let taken: Vec<String> = sequences
                    .iter()
                    .map(|(_, s): &(usize, crate::catalog::SequenceDef)| s.name.clone())
                    .collect();
                let options = identity_options.take().unwrap_or_default();
                let identity = def.identity.map(|i| (i, options.as_slice()));
                let seq = super::sequences::column_sequence(
                    self.catalog,
                    &name,
                    &mut def,
                    identity,
                    &taken,
                )?;
                sequences.push((columns.len(), seq));
            }
            columns.push(def);
        }
        if !self.params.is_empty() {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_REFERENCE,
                "there is no parameter $1"
            ));
        }
        let constraints =
            self.table_constraints(&name, &mut columns, &column_constraints, &c.constraints)?;
        Ok(Plan::CreateTable {
            name,
            columns,
            constraints,
            sequences,
            if_not_exists: c.if_not_exists,
        })
    }

    pub(super) fn bind_drop(&mut self, s: &Statement) -> Result<Plan> {
        let Statement::Drop {
            object_type,
            if_exists,
            names,
            cascade: _,
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
        for name in &names {
            if self.catalog.get_view(name).is_some() {
                return Err(
                    errinput!(sqlstate::WRONG_OBJECT_TYPE, "\"{name}\" is not a table")
                        .with_hint("Use DROP VIEW to remove a view."),
                );
            }
            if let Some(t) = self.catalog.get_table(name) {
                if let Some(view) = super::views::views_reading(self.catalog, t.oid).first() {
                    return Err(errinput!(
                        "2BP01",
                        "cannot drop table {name} because other objects depend on it"
                    )
                    .with_detail(format!("view {view} depends on table {name}"))
                    .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
                }
            }
        }
        Ok(Plan::DropTable {
            names,
            if_exists: *if_exists,
        })
    }
}

/// The column type of `serial`, `bigserial`, `smallserial` and their
/// aliases.
fn serial_type(ty: &ast::DataType) -> Option<crate::types::DataType> {
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
