//! One column definition of CREATE TABLE or ALTER TABLE … ADD COLUMN:
//! its type (SERIAL types included), NOT NULL, DEFAULT, identity, and the
//! constraints written on it (PRIMARY KEY, UNIQUE, CHECK).

use sqlparser::ast::{self, ColumnOption, TableConstraint};

use super::ddl::serial_type;
use super::scope::{normalize, Scope};
use super::Binder;
use crate::catalog::{ColumnDef, Identity, SequenceDef};
use crate::errinput;
use crate::error::{sqlstate, Result};

/// A CHECK constraint as written: the column it is declared on, its
/// name if given, its condition.
pub(super) type PendingCheck = (Option<String>, Option<String>, ast::Expr);

/// A bound column definition.
pub(super) struct BoundColumn {
    pub def: ColumnDef,
    /// PRIMARY KEY / UNIQUE written on the column, as table constraints.
    pub constraints: Vec<TableConstraint>,
    pub checks: Vec<PendingCheck>,
    /// REFERENCES written on the column, as table constraints.
    pub foreign_keys: Vec<ast::ForeignKeyConstraint>,
    /// The sequence a SERIAL or identity column needs.
    pub sequence: Option<SequenceDef>,
}

impl Binder<'_> {
    /// Binds column `col` of `table` (in `schema`), whose earlier columns
    /// are `existing`; `taken_sequences` are sequence names chosen so far.
    pub(super) fn bind_column_def(
        &mut self,
        schema: &str,
        table: &str,
        col: &ast::ColumnDef,
        existing: &[ColumnDef],
        taken_sequences: &[String],
    ) -> Result<BoundColumn> {
        let mut identity_options: Option<Vec<ast::SequenceOptions>> = None;
        super::scope::check_not_reserved(&col.name)?;
        let col_name = normalize(&col.name);
        if existing.iter().any(|d| d.name == col_name) {
            return Err(errinput!(
                sqlstate::DUPLICATE_COLUMN,
                "column \"{col_name}\" specified more than once"
            ));
        }
        let serial = serial_type(&col.data_type);
        let ty = match serial {
            Some(t) => crate::types::ColumnType::plain(t),
            None => super::types::resolve_type_in(&col.data_type, self.catalog)?,
        };
        let mut def = ColumnDef {
            name: col_name,
            ty,
            not_null: false,
            default: None,
            identity: None,
        };
        let mut constraints = Vec::new();
        let mut checks = Vec::new();
        let mut foreign_keys = Vec::new();
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
                constraint
            };
            if opt.name.is_some()
                && !matches!(
                    opt.option,
                    ColumnOption::PrimaryKey(_)
                        | ColumnOption::Unique(_)
                        | ColumnOption::Check(_)
                        | ColumnOption::ForeignKey(_)
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
                    def.default = Some(default_text(e));
                }
                ColumnOption::PrimaryKey(p) => {
                    constraints.push(named(TableConstraint::PrimaryKey(p.clone())))
                }
                ColumnOption::Unique(u) => {
                    constraints.push(named(TableConstraint::Unique(u.clone())))
                }
                ColumnOption::Check(c) => {
                    let name = opt.name.as_ref().or(c.name.as_ref()).map(normalize);
                    checks.push((Some(def.name.clone()), name, (*c.expr).clone()));
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.name = opt.name.clone().or(fk.name);
                    fk.columns = vec![col.name.clone()];
                    foreign_keys.push(fk);
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
                            "multiple identity specifications for column \"{}\" of table \"{table}\"",
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
        let mut sequence = None;
        if def.identity.is_some() || serial.is_some() {
            if def.default.is_some() {
                let what = if serial.is_some() { "" } else { "identity " };
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "multiple default values specified for column \"{}\" of table \"{table}\"",
                    def.name
                )
                .with_detail(format!(
                    "A column with {what}a sequence cannot have another default."
                )));
            }
            let options = identity_options.take().unwrap_or_default();
            let identity = def.identity.map(|i| (i, options.as_slice()));
            sequence = Some(super::sequences::column_sequence(
                self.catalog,
                schema,
                table,
                &mut def,
                identity,
                taken_sequences,
            )?);
        }
        Ok(BoundColumn {
            def,
            constraints,
            checks,
            foreign_keys,
            sequence,
        })
    }
}

/// A DEFAULT expression as stored: its SQL text, with `::regclass` as
/// PostgreSQL spells it (sqlparser prints `::REGCLASS`), so that a
/// `nextval('s'::regclass)` written out (by a restore, say) reads as the
/// one SERIAL makes.
pub(super) fn default_text(e: &sqlparser::ast::Expr) -> String {
    e.to_string().replace("::REGCLASS", "::regclass")
}
