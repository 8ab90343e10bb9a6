//! Binding ALTER TABLE: one or more actions on a table — ADD COLUMN,
//! RENAME COLUMN, RENAME TO, ALTER COLUMN SET/DROP DEFAULT and SET/DROP
//! NOT NULL, ADD CHECK, DROP CONSTRAINT — checked as PostgreSQL checks
//! them; `sql::exec::alter` carries them out in order. ADD PRIMARY KEY /
//! UNIQUE (alone) builds an index (see `index.rs`).

use sqlparser::ast::{self, AlterColumnOperation, AlterTableOperation, TableConstraint};

use super::scope::{normalize, table_name, Scope};
use super::Binder;
use crate::catalog::{CheckDef, ColumnDef, SequenceDef, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{AlterAction, BoundCheck, Plan};

impl Binder<'_> {
    pub(super) fn bind_alter_table(&mut self, a: &ast::AlterTable) -> Result<Plan> {
        if a.only || a.location.is_some() || a.on_cluster.is_some() || a.table_type.is_some() {
            return Err(crate::errunsupported!("ALTER TABLE syntax in {a}"));
        }
        if let [AlterTableOperation::AddConstraint {
            constraint: TableConstraint::PrimaryKey(_) | TableConstraint::Unique(_),
            not_valid: false,
        }] = a.operations.as_slice()
        {
            return self.bind_add_index_constraint(a);
        }
        let name = table_name(&a.name)?;
        let table = match self.catalog.get_table(&name) {
            Some(t) => t,
            None if a.if_exists => {
                return Ok(Plan::AlterTable {
                    table: None,
                    missing: Some(name),
                    actions: vec![],
                })
            }
            None => {
                return Err(self
                    .catalog
                    .must_get_table(&name)
                    .err()
                    .unwrap_or_else(|| crate::errinternal!("table vanished")))
            }
        };
        // Each action is bound over the table as the actions before it
        // leave it.
        let mut shape = (*table).clone();
        let mut actions = Vec::new();
        for op in &a.operations {
            let action = self.bind_alter_action(&shape, op)?;
            apply_shape(&mut shape, &action);
            actions.push(action);
        }
        Ok(Plan::AlterTable {
            table: Some(table),
            missing: None,
            actions,
        })
    }

    fn bind_alter_action(&mut self, t: &TableDef, op: &AlterTableOperation) -> Result<AlterAction> {
        let column = |name: &ast::Ident| -> Result<usize> {
            let name = normalize(name);
            t.column_index(&name).ok_or_else(|| {
                errinput!(
                    sqlstate::UNDEFINED_COLUMN,
                    "column \"{name}\" of relation \"{}\" does not exist",
                    t.name
                )
            })
        };
        Ok(match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                column_position: None,
                ..
            } => {
                let name = normalize(&column_def.name);
                if t.column_index(&name).is_some() {
                    if *if_not_exists {
                        return Ok(AlterAction::Skip {
                            notice: format!(
                                "column \"{name}\" of relation \"{}\" already exists, skipping",
                                t.name
                            ),
                        });
                    }
                    return Err(errinput!(
                        sqlstate::DUPLICATE_COLUMN,
                        "column \"{name}\" of relation \"{}\" already exists",
                        t.name
                    ));
                }
                let bound =
                    self.bind_column_def(&t.schema, &t.name, column_def, &t.columns, &[])?;
                if !bound.constraints.is_empty() {
                    return Err(crate::errunsupported!(
                        "PRIMARY KEY or UNIQUE in ALTER TABLE ... ADD COLUMN"
                    ));
                }
                let mut columns = t.columns.clone();
                columns.push(bound.def.clone());
                let mut checks = Vec::new();
                let mut taken = constraint_names(t);
                for (col, check_name, expr) in &bound.checks {
                    let def = self.new_check(
                        &t.name,
                        &columns,
                        expr,
                        check_name.clone(),
                        col.as_deref(),
                        &taken,
                    )?;
                    taken.push(def.name.clone());
                    checks.push(def);
                }
                self.bind_new_column(t, bound.def, bound.sequence, checks)?
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let from = column(old_column_name).map_err(|_| {
                    errinput!(
                        sqlstate::UNDEFINED_COLUMN,
                        "column \"{}\" does not exist",
                        normalize(old_column_name)
                    )
                })?;
                let to = normalize(new_column_name);
                super::scope::check_not_reserved(new_column_name)?;
                if t.column_index(&to).is_some() {
                    return Err(errinput!(
                        sqlstate::DUPLICATE_COLUMN,
                        "column \"{to}\" of relation \"{}\" already exists",
                        t.name
                    ));
                }
                self.check_not_mentioned(t, &t.columns[from].name)?;
                AlterAction::RenameColumn { column: from, to }
            }
            AlterTableOperation::RenameTable { table_name: new } => {
                let new = match new {
                    ast::RenameTableNameKind::To(n) | ast::RenameTableNameKind::As(n) => {
                        super::scope::qualified_name(n)?.1
                    }
                };
                if self
                    .catalog
                    .relation_exists(&crate::catalog::names::key(&t.schema, &new))
                {
                    return Err(errinput!(
                        sqlstate::DUPLICATE_TABLE,
                        "relation \"{new}\" already exists"
                    ));
                }
                if let Some(view) = super::views::views_reading(self.catalog, t.oid).first() {
                    return Err(crate::errunsupported!(
                        "renaming table {} while view {view} reads it",
                        t.name
                    ));
                }
                AlterAction::RenameTable { to: new }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let c = column(column_name)?;
                let col = &t.columns[c];
                let identity = || {
                    errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "column \"{}\" of relation \"{}\" is an identity column",
                        col.name,
                        t.name
                    )
                };
                match op {
                    AlterColumnOperation::SetDefault { value } => {
                        if col.identity.is_some() {
                            return Err(identity());
                        }
                        let bound = self.bind_expr(value, &Scope::default())?;
                        if bound.contains_aggregate() {
                            return Err(errinput!(
                                sqlstate::GROUPING_ERROR,
                                "cannot use aggregate function in DEFAULT expression"
                            ));
                        }
                        self.coerce_assign(bound, col.ty, &col.name)?;
                        AlterAction::SetDefault {
                            column: c,
                            default: Some(super::columns::default_text(value)),
                        }
                    }
                    AlterColumnOperation::DropDefault => {
                        if col.identity.is_some() {
                            return Err(identity().with_hint(
                                "Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.",
                            ));
                        }
                        AlterAction::SetDefault {
                            column: c,
                            default: None,
                        }
                    }
                    AlterColumnOperation::SetNotNull => AlterAction::SetNotNull { column: c },
                    AlterColumnOperation::SetDataType {
                        data_type, using, ..
                    } => self.bind_alter_type(t, c, data_type, using.as_ref())?,
                    AlterColumnOperation::DropNotNull => {
                        if col.identity.is_some() {
                            return Err(identity());
                        }
                        let in_pk = t
                            .indexes
                            .iter()
                            .any(|i| i.primary && i.keys.iter().any(|k| k.column == Some(c)));
                        if in_pk {
                            return Err(errinput!(
                                sqlstate::INVALID_TABLE_DEFINITION,
                                "column \"{}\" is in a primary key",
                                col.name
                            ));
                        }
                        AlterAction::DropNotNull { column: c }
                    }
                    other => {
                        return Err(crate::errunsupported!(
                            "ALTER TABLE ... ALTER COLUMN {other}"
                        ))
                    }
                }
            }
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::Check(check),
                not_valid: false,
            } => {
                let name = check.name.as_ref().map(normalize);
                if let Some(n) = &name {
                    if constraint_names(t).contains(n) {
                        return Err(errinput!(
                            sqlstate::DUPLICATE_OBJECT,
                            "constraint \"{n}\" for relation \"{}\" already exists",
                            t.name
                        ));
                    }
                }
                let def = self.new_check(
                    &t.name,
                    &t.columns,
                    &check.expr,
                    name,
                    None,
                    &constraint_names(t),
                )?;
                let expr = self.bind_check_over(t, &def)?;
                AlterAction::AddCheck { check: def, expr }
            }
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::ForeignKey(fk),
                not_valid: false,
            } => {
                let on = super::foreign_keys::Referencing {
                    name: &t.name,
                    oid: t.oid,
                    columns: &t.columns,
                    constraints: &t.indexes,
                };
                let fk = self.bind_foreign_key(&on, fk, &constraint_names(t))?;
                if constraint_names(t).contains(&fk.name) {
                    return Err(errinput!(
                        sqlstate::DUPLICATE_OBJECT,
                        "constraint \"{}\" for relation \"{}\" already exists",
                        fk.name,
                        t.name
                    ));
                }
                AlterAction::AddForeignKey { fk }
            }
            AlterTableOperation::DropConstraint {
                if_exists,
                name,
                drop_behavior: None | Some(ast::DropBehavior::Restrict),
            } => {
                let name = normalize(name);
                if !constraint_names(t).contains(&name) {
                    let message = format!(
                        "constraint \"{name}\" of relation \"{}\" does not exist",
                        t.name
                    );
                    if *if_exists {
                        return Ok(AlterAction::Skip {
                            notice: format!("{message}, skipping"),
                        });
                    }
                    return Err(errinput!(sqlstate::UNDEFINED_OBJECT, "{message}"));
                }
                AlterAction::DropConstraint { name }
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                drop_behavior,
                ..
            } => {
                let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                let [name] = column_names.as_slice() else {
                    return Err(crate::errunsupported!(
                        "DROP COLUMN of several columns in one action"
                    ));
                };
                match column(name) {
                    Ok(c) => self.bind_drop_column(t, c, cascade)?,
                    Err(_) if *if_exists => AlterAction::Skip {
                        notice: format!(
                            "column \"{}\" of relation \"{}\" does not exist, skipping",
                            normalize(name),
                            t.name
                        ),
                    },
                    Err(e) => return Err(e),
                }
            }
            other => return Err(crate::errunsupported!("ALTER TABLE {other}")),
        })
    }

    /// ALTER COLUMN … TYPE: the conversion (USING, else the assignment
    /// cast, 42804 if there is none), refused (0A000) for a column a view
    /// or a foreign key uses; the default must convert too.
    fn bind_alter_type(
        &mut self,
        t: &TableDef,
        c: usize,
        data_type: &ast::DataType,
        using: Option<&ast::Expr>,
    ) -> Result<AlterAction> {
        use crate::types::DataType;
        let col = &t.columns[c];
        let ty = super::types::resolve_type_in(data_type, self.catalog)?;
        if let Some(view) =
            super::views::views_reading_column(self.catalog, t.oid, c as i16 + 1).first()
        {
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot alter type of a column used by a view or rule"
            )
            .with_detail(format!(
                "rule _RETURN on view {view} depends on column \"{}\"",
                col.name
            )));
        }
        self.check_foreign_keys_after_retype(t, c, ty.data_type)?;
        if col.identity.is_some()
            && !matches!(
                ty.data_type,
                DataType::Int2 | DataType::Int4 | DataType::Int8
            )
        {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "identity column type must be smallint, integer, or bigint"
            ));
        }
        let scope = super::dml::table_scope(t, &t.name);
        let source = match using {
            Some(e) => self.bind_expr(e, &scope)?,
            None => {
                if !super::types::assignment_cast_ok(col.ty.data_type, ty.data_type) {
                    let name = super::types::internal_name(ty.data_type);
                    return Err(errinput!(
                        sqlstate::DATATYPE_MISMATCH,
                        "column \"{}\" cannot be cast automatically to type {}",
                        col.name,
                        ty.data_type.sql_name()
                    )
                    .with_hint(format!(
                        "You might need to specify \"USING {}::{name}\".",
                        col.name
                    )));
                }
                Expr::Column {
                    index: c,
                    ty: col.ty.data_type,
                }
            }
        };
        let convert = self.coerce_assign(source, ty, &col.name)?;
        let mut shape = t.clone();
        shape.columns[c].ty = ty;
        if let Some(default) = &col.default {
            let parsed = crate::sql::parser::parse_expr(default)?;
            let bound = self.bind_expr(&parsed, &Scope::default())?;
            let from = bound.data_type();
            if from != DataType::Unknown && !super::types::assignment_cast_ok(from, ty.data_type) {
                return Err(errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "default for column \"{}\" cannot be cast automatically to type {}",
                    col.name,
                    ty.data_type.sql_name()
                ));
            }
        }
        let (rebuild, indexes): (Vec<_>, Vec<_>) = self
            .bind_indexes(&shape)?
            .into_iter()
            .partition(|i| index_uses(&i.def, c, &col.name));
        let checks = self.bind_checks(&shape)?;
        Ok(AlterAction::AlterType {
            column: c,
            ty,
            convert,
            indexes,
            rebuild,
            checks,
        })
    }

    /// 42804 unless every foreign key through column `c` of `t` still
    /// compares its key columns once `c` has type `ty` (int to bigint on
    /// either side is fine; int against text is not).
    fn check_foreign_keys_after_retype(
        &self,
        t: &TableDef,
        c: usize,
        ty: crate::types::DataType,
    ) -> Result<()> {
        let type_of = |table: &TableDef, column: usize| {
            if table.oid == t.oid && column == c {
                ty
            } else {
                table.columns[column].ty.data_type
            }
        };
        // Referencing column `a` of `child` against referenced `b` of `parent`.
        let check = |name: &str, child: &TableDef, a: usize, parent: &TableDef, b: usize| {
            let touches = (child.oid == t.oid && a == c) || (parent.oid == t.oid && b == c);
            let (ta, tb) = (type_of(child, a), type_of(parent, b));
            if touches && !super::foreign_keys::comparable(ta, tb) {
                return Err(errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "foreign key constraint \"{name}\" cannot be implemented"
                )
                .with_detail(format!(
                    "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                    child.columns[a].name,
                    parent.columns[b].name,
                    ta.sql_name(),
                    tb.sql_name()
                )));
            }
            Ok(())
        };
        for f in &t.foreign_keys {
            if let Some(parent) = self.catalog.table_of(crate::storage::RelId(f.ref_table)) {
                for (a, b) in f.columns.iter().zip(&f.ref_columns) {
                    check(&f.name, t, *a, &parent, *b)?;
                }
            }
        }
        for (child, f) in self.catalog.referencing(t.oid) {
            for (a, b) in f.columns.iter().zip(&f.ref_columns) {
                check(&f.name, &child, *a, t, *b)?;
            }
        }
        Ok(())
    }

    /// DROP COLUMN: refused (2BP01) while a view or another table's
    /// foreign key uses the column; the table's own indexes, CHECK and
    /// FOREIGN KEY constraints on it, and the sequence it owns, go too.
    fn bind_drop_column(&mut self, t: &TableDef, c: usize, cascade: bool) -> Result<AlterAction> {
        let col = &t.columns[c];
        let depends = |what: String| {
            errinput!(
                sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                "cannot drop column {} of table {} because other objects depend on it",
                col.name,
                t.name
            )
            .with_detail(what)
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too.")
        };
        // CASCADE drops the views reading the column (views over them read
        // it too) and other tables' foreign keys to it; RESTRICT refuses.
        let views = super::views::views_reading_column(self.catalog, t.oid, c as i16 + 1);
        if let (Some(view), false) = (views.first(), cascade) {
            return Err(depends(format!(
                "view {view} depends on column {} of table {}",
                col.name, t.name
            )));
        }
        let mut foreign_keys = Vec::new();
        for (child, fk) in self.catalog.referencing(t.oid) {
            if child.oid != t.oid && fk.ref_columns.contains(&c) {
                if !cascade {
                    return Err(depends(format!(
                        "constraint {} on table {} depends on column {} of table {}",
                        fk.name, child.name, col.name, t.name
                    )));
                }
                foreign_keys.push((child.key(), fk.name.clone()));
            }
        }
        let indexes = t
            .indexes
            .iter()
            .filter(|i| index_uses(i, c, &col.name))
            .map(|i| i.name.clone())
            .collect();
        let constraints = t
            .checks
            .iter()
            .filter(|k| mentions(&k.expr, &col.name))
            .map(|k| k.name.clone())
            .chain(
                t.foreign_keys
                    .iter()
                    .filter(|f| f.columns.contains(&c))
                    .map(|f| f.name.clone()),
            )
            .collect();
        let sequences = self
            .catalog
            .sequences_owned_by(t.oid)
            .iter()
            .filter(|s| s.owned_by == Some((t.oid, c as i16 + 1)))
            .map(|s| s.key())
            .collect();
        Ok(AlterAction::DropColumn {
            column: c,
            indexes,
            constraints,
            sequences,
            views,
            foreign_keys,
        })
    }

    /// ADD COLUMN: existing rows get the DEFAULT (evaluated for each row,
    /// so a SERIAL column numbers them).
    fn bind_new_column(
        &mut self,
        t: &TableDef,
        column: ColumnDef,
        sequence: Option<SequenceDef>,
        checks: Vec<CheckDef>,
    ) -> Result<AlterAction> {
        let fill = match &column.default {
            Some(sql) => {
                let parsed = crate::sql::parser::parse_expr(sql)?;
                let bound = self.bind_expr(&parsed, &Scope::default())?;
                Some(self.coerce_assign(bound, column.ty, &column.name)?)
            }
            None => None,
        };
        let mut shape = t.clone();
        shape.columns.push(column.clone());
        let mut bound_checks = Vec::new();
        for c in &checks {
            bound_checks.push(BoundCheck {
                name: c.name.clone(),
                expr: self.bind_check_over(&shape, c)?,
            });
        }
        let indexes = self.bind_indexes(t)?;
        Ok(AlterAction::AddColumn {
            column,
            sequence,
            checks,
            bound_checks,
            fill,
            indexes,
        })
    }

    fn bind_check_over(&mut self, t: &TableDef, check: &CheckDef) -> Result<Expr> {
        let mut shape = t.clone();
        shape.checks = vec![check.clone()];
        Ok(self
            .bind_checks(&shape)?
            .pop()
            .ok_or_else(|| crate::errinternal!("no check bound"))?
            .expr)
    }

    /// RENAME COLUMN keeps expressions kept as SQL text working only if
    /// none names the column: refused (0A000) otherwise.
    fn check_not_mentioned(&self, t: &TableDef, column: &str) -> Result<()> {
        let mut texts: Vec<String> = Vec::new();
        for i in &t.indexes {
            texts.extend(i.keys.iter().filter_map(|k| k.expr.clone()));
            texts.extend(i.predicate.clone());
        }
        texts.extend(t.checks.iter().map(|c| c.expr.clone()));
        texts.extend(t.columns.iter().filter_map(|c| c.default.clone()));
        let views = super::views::views_reading(self.catalog, t.oid);
        for v in &views {
            if let Some(view) = self.catalog.get_view(v) {
                texts.push(view.definition.clone());
            }
        }
        if texts.iter().any(|text| mentions(text, column)) {
            return Err(crate::errunsupported!(
                "renaming column \"{column}\", which an index expression, a constraint, a default or a view names"
            ));
        }
        Ok(())
    }
}

/// What the table looks like after an action (for binding the next).
fn apply_shape(t: &mut TableDef, action: &AlterAction) {
    match action {
        AlterAction::AddColumn { column, checks, .. } => {
            t.columns.push(column.clone());
            t.checks.extend(checks.iter().cloned());
        }
        AlterAction::RenameColumn { column, to } => t.columns[*column].name = to.clone(),
        AlterAction::RenameTable { to } => t.name = to.clone(),
        AlterAction::SetDefault { column, default } => t.columns[*column].default = default.clone(),
        AlterAction::SetNotNull { column } => t.columns[*column].not_null = true,
        AlterAction::DropNotNull { column } => t.columns[*column].not_null = false,
        AlterAction::AddCheck { check, .. } => t.checks.push(check.clone()),
        AlterAction::AddForeignKey { fk } => t.foreign_keys.push(fk.clone()),
        AlterAction::DropConstraint { name } => {
            t.checks.retain(|c| &c.name != name);
            t.foreign_keys.retain(|f| &f.name != name);
            t.indexes
                .retain(|i| !((i.primary || i.constraint) && &i.name == name));
        }
        AlterAction::DropColumn {
            column,
            indexes,
            constraints,
            ..
        } => {
            t.indexes.retain(|i| !indexes.contains(&i.name));
            t.checks.retain(|c| !constraints.contains(&c.name));
            t.foreign_keys.retain(|f| !constraints.contains(&f.name));
            t.columns[*column] = dropped_column(*column, &t.columns[*column]);
        }
        AlterAction::AlterType { column, ty, .. } => t.columns[*column].ty = *ty,
        AlterAction::Skip { .. } => {}
    }
}

/// Whether an index has a column (position `c`, named `name`) as a key,
/// in a key expression or in its predicate.
fn index_uses(i: &crate::catalog::IndexDef, c: usize, name: &str) -> bool {
    i.keys
        .iter()
        .any(|k| k.column == Some(c) || k.expr.as_deref().is_some_and(|e| mentions(e, name)))
        || i.predicate.as_deref().is_some_and(|p| mentions(p, name))
}

/// A column as DROP COLUMN leaves it.
pub(crate) fn dropped_column(position: usize, c: &ColumnDef) -> ColumnDef {
    ColumnDef {
        name: crate::catalog::dropped_column_name(position + 1),
        ty: c.ty,
        not_null: false,
        default: None,
        identity: None,
    }
}

/// The names of a table's constraints.
fn constraint_names(t: &TableDef) -> Vec<String> {
    t.checks
        .iter()
        .map(|c| c.name.clone())
        .chain(t.foreign_keys.iter().map(|f| f.name.clone()))
        .chain(
            t.indexes
                .iter()
                .filter(|i| i.primary || i.constraint)
                .map(|i| i.name.clone()),
        )
        .collect()
}

/// Whether SQL text names an identifier (unquoted or quoted).
fn mentions(sql: &str, name: &str) -> bool {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return true;
    };
    tokens.iter().any(|t| match t {
        Token::Word(w) => match w.quote_style {
            Some(_) => w.value == name,
            None => w.value.to_lowercase() == name,
        },
        _ => false,
    })
}
