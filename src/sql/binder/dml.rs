//! Binding INSERT, UPDATE and DELETE (with RETURNING).

use std::sync::Arc;

use sqlparser::ast::{self, SelectItem, SetExpr, Statement};

use super::scope::{name_parts, normalize, table_name, Scope, ScopeColumn};
use super::Binder;
use crate::catalog::{Identity, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::overriding::Overriding;
use crate::sql::plan::{Node, Plan, Returning};
use crate::types::Value;

impl Binder<'_> {
    pub(super) fn bind_insert(&mut self, ins: &ast::Insert) -> Result<Plan> {
        if ins.or.is_some()
            || ins.ignore
            || ins.overwrite
            || !ins.assignments.is_empty()
            || ins.partitioned.is_some()
            || !ins.after_columns.is_empty()
            || ins.has_table_keyword
            || ins.priority.is_some()
            || ins.insert_alias.is_some()
            || ins.settings.is_some()
            || ins.format_clause.is_some()
            || ins.replace_into
            || ins.output.is_some()
            || ins.multi_table_insert_type.is_some()
            || Overriding::other_hints(ins)
        {
            return Err(crate::errunsupported!("INSERT syntax in {ins}"));
        }
        let ast::TableObject::TableName(name) = &ins.table else {
            return Err(crate::errunsupported!("INSERT INTO a table function"));
        };
        let table = self.catalog.must_get_table(&table_name(name)?)?;
        let qualifier = match &ins.table_alias {
            Some(a) => normalize(&a.alias),
            None => table.name.clone(),
        };
        let mut targets = Vec::with_capacity(ins.columns.len());
        for c in &ins.columns {
            let parts = name_parts(c)?;
            let col = parts
                .last()
                .ok_or_else(|| crate::errinternal!("empty column name"))?;
            let i = target_column(&table, col)?;
            if targets.contains(&i) {
                return Err(errinput!(
                    sqlstate::DUPLICATE_COLUMN,
                    "column \"{col}\" specified more than once"
                ));
            }
            targets.push(i);
        }
        let defaults = self.bind_defaults(&table)?;
        let source = match &ins.source {
            None => Node::Values { rows: vec![vec![]] },
            Some(q) => {
                self.bind_insert_source(q, &table, &mut targets, &defaults, Overriding::of(ins))?
            }
        };
        let returning = self.bind_returning(ins.returning.as_deref(), &table, &qualifier)?;
        let indexes = self.bind_indexes(&table)?;
        let checks = self.bind_checks(&table)?;
        let on_conflict = match &ins.on {
            None => None,
            Some(ast::OnInsert::OnConflict(oc)) => {
                Some(self.bind_on_conflict(oc, &table, &qualifier, &indexes, &defaults)?)
            }
            Some(other) => return Err(crate::errunsupported!("INSERT {other}")),
        };
        Ok(Plan::Insert {
            table,
            source,
            targets,
            defaults,
            indexes,
            checks,
            on_conflict,
            returning,
        })
    }

    /// `COPY t [(columns)] FROM STDIN [WITH (…)]`.
    pub(super) fn bind_copy(&mut self, statement: &Statement) -> Result<Plan> {
        let Statement::Copy {
            source,
            to,
            target,
            options,
            legacy_options,
            values,
        } = statement
        else {
            return Err(crate::errinternal!("bind_copy of another statement"));
        };
        let file = match target {
            sqlparser::ast::CopyTarget::Stdin | sqlparser::ast::CopyTarget::Stdout => None,
            sqlparser::ast::CopyTarget::File { filename } => Some(filename.clone()),
            sqlparser::ast::CopyTarget::Program { .. } => {
                return Err(crate::errunsupported!(
                    "COPY to or from an external program"
                ))
            }
        };
        if *to {
            let format = crate::sql::copy::CopyFormat::from_options(options, legacy_options)?;
            let (root, columns) = match source {
                sqlparser::ast::CopySource::Query(q) => self.bind_query(q)?,
                sqlparser::ast::CopySource::Table {
                    table_name: name,
                    columns,
                } => {
                    let list = if columns.is_empty() {
                        "*".to_string()
                    } else {
                        columns
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let sql = format!("SELECT {list} FROM {name}");
                    let parsed = crate::sql::parser::parse(&sql)?;
                    let [crate::sql::parser::Command::Sql(Statement::Query(q))] = parsed.as_slice()
                    else {
                        return Err(crate::errinternal!("COPY TO did not make a query"));
                    };
                    self.bind_query(q)?
                }
            };
            return Ok(Plan::CopyTo {
                root,
                columns,
                format,
                file,
            });
        }
        let sqlparser::ast::CopySource::Table {
            table_name: name,
            columns,
        } = source
        else {
            return Err(crate::errunsupported!("COPY (query) FROM"));
        };
        if !values.is_empty() {
            return Err(crate::errunsupported!("COPY with inline data"));
        }
        let format = crate::sql::copy::CopyFormat::from_options(options, legacy_options)?;
        let table = self.catalog.must_get_table(&table_name(name)?)?;
        let mut targets = Vec::new();
        for c in columns {
            let i = target_column(&table, &normalize(c))?;
            if targets.contains(&i) {
                return Err(errinput!(
                    sqlstate::DUPLICATE_COLUMN,
                    "column \"{}\" specified more than once",
                    normalize(c)
                ));
            }
            targets.push(i);
        }
        if targets.is_empty() {
            targets = table.visible_columns().collect();
        }
        let defaults = self.bind_defaults(&table)?;
        let indexes = self.bind_indexes(&table)?;
        let checks = self.bind_checks(&table)?;
        Ok(Plan::CopyFrom {
            table,
            targets,
            defaults,
            indexes,
            checks,
            format,
            file,
        })
    }

    fn bind_insert_source(
        &mut self,
        q: &ast::Query,
        table: &TableDef,
        targets: &mut Vec<usize>,
        defaults: &[Option<Expr>],
        overriding: Option<Overriding>,
    ) -> Result<Node> {
        // OVERRIDING USER VALUE: identity columns take their default.
        let user_value = |col: usize| {
            overriding == Some(Overriding::User) && table.columns[col].identity.is_some()
        };
        let explicit_targets = !targets.is_empty();
        let simple_values = q.order_by.is_none() && q.limit_clause.is_none() && q.with.is_none();
        if let (SetExpr::Values(values), true) = (q.body.as_ref(), simple_values) {
            let width = values.rows.first().map_or(0, |r| r.content.len());
            if !explicit_targets {
                if width > table.visible_columns().count() {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "INSERT has more expressions than target columns"
                    ));
                }
                *targets = table.visible_columns().take(width).collect();
            }
            let empty = Scope::default();
            let mut rows = Vec::with_capacity(values.rows.len());
            for row in &values.rows {
                check_width(row.content.len(), targets.len())?;
                let mut bound = Vec::with_capacity(row.content.len());
                for (e, &col) in row.content.iter().zip(targets.iter()) {
                    let column = &table.columns[col];
                    if is_default_keyword(e) || user_value(col) {
                        bound.push(
                            defaults[col]
                                .clone()
                                .unwrap_or(Expr::Literal(Value::Null, column.ty.data_type)),
                        );
                        continue;
                    }
                    check_identity_insert(column, overriding)?;
                    let b = self.bind_expr(e, &empty)?;
                    bound.push(self.coerce_assign(b, column.ty, &column.name)?);
                }
                rows.push(bound);
            }
            return Ok(Node::Values { rows });
        }
        let (node, columns) = self.bind_query_with(q, true)?;
        if !explicit_targets {
            if columns.len() > table.visible_columns().count() {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "INSERT has more expressions than target columns"
                ));
            }
            *targets = table.visible_columns().take(columns.len()).collect();
        }
        check_width(columns.len(), targets.len())?;
        for &col in targets.iter() {
            check_identity_insert(&table.columns[col], overriding)?;
        }
        let mut exprs = Vec::with_capacity(columns.len());
        for (i, (c, &col)) in columns.iter().zip(targets.iter()).enumerate() {
            let column = &table.columns[col];
            if user_value(col) {
                exprs.push(
                    defaults[col]
                        .clone()
                        .unwrap_or(Expr::Literal(Value::Null, column.ty.data_type)),
                );
                continue;
            }
            let e = Expr::Column {
                index: i,
                ty: c.ty.data_type,
            };
            exprs.push(self.coerce_assign(e, column.ty, &column.name)?);
        }
        Ok(Node::Project {
            input: Box::new(node),
            exprs,
        })
    }

    /// Each column's DEFAULT, bound and coerced to the column type.
    fn bind_defaults(&mut self, table: &TableDef) -> Result<Vec<Option<Expr>>> {
        table
            .columns
            .iter()
            .map(|c| match &c.default {
                None => Ok(None),
                Some(sql) => {
                    let parsed = crate::sql::parser::parse_expr(sql)?;
                    let bound = self.bind_expr(&parsed, &Scope::default())?;
                    Ok(Some(self.coerce_assign(bound, c.ty, &c.name)?))
                }
            })
            .collect()
    }

    pub(super) fn bind_update(&mut self, u: &ast::Update) -> Result<Plan> {
        if u.or.is_some()
            || u.output.is_some()
            || !u.order_by.is_empty()
            || u.limit.is_some()
            || !u.optimizer_hints.is_empty()
        {
            return Err(crate::errunsupported!("UPDATE syntax in {u}"));
        }
        let (table, qualifier) = self.target_table(&u.table)?;
        let extra = match &u.from {
            None => None,
            Some(
                ast::UpdateTableFromKind::AfterSet(f) | ast::UpdateTableFromKind::BeforeSet(f),
            ) => Some(f.as_slice()),
        };
        let (scope, from_node) = self.target_with_from(&table, &qualifier, extra)?;
        let defaults = self.bind_defaults(&table)?;
        let assignments =
            self.bind_assignments(&u.assignments, &table, &qualifier, &scope, &defaults)?;
        let predicate = self.bind_where(u.selection.as_ref(), &scope)?;
        let returning = self.bind_returning(u.returning.as_deref(), &table, &qualifier)?;
        let (predicate, access, from) = self.joined_target(&table, from_node, predicate)?;
        let indexes = self.bind_indexes(&table)?;
        let checks = self.bind_checks(&table)?;
        Ok(Plan::Update {
            table,
            predicate,
            access,
            from,
            indexes,
            checks,
            assignments,
            returning,
        })
    }

    pub(super) fn bind_delete(&mut self, d: &ast::Delete) -> Result<Plan> {
        if !d.tables.is_empty()
            || d.output.is_some()
            || !d.order_by.is_empty()
            || d.limit.is_some()
            || !d.optimizer_hints.is_empty()
        {
            return Err(crate::errunsupported!("DELETE syntax in {d}"));
        }
        let from = match &d.from {
            ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
        };
        let [twj] = from.as_slice() else {
            return Err(crate::errunsupported!("DELETE from several tables"));
        };
        let (table, qualifier) = self.target_table(twj)?;
        let (scope, from_node) = self.target_with_from(&table, &qualifier, d.using.as_deref())?;
        let predicate = self.bind_where(d.selection.as_ref(), &scope)?;
        let returning = self.bind_returning(d.returning.as_deref(), &table, &qualifier)?;
        let (predicate, access, from) = self.joined_target(&table, from_node, predicate)?;
        Ok(Plan::Delete {
            table,
            predicate,
            access,
            from,
            returning,
        })
    }

    /// SET lists (UPDATE, ON CONFLICT DO UPDATE): each target column once,
    /// `DEFAULT` or an expression over `scope` coerced to the column; a
    /// GENERATED ALWAYS identity column only to DEFAULT (428C9).
    pub(super) fn bind_assignments(
        &mut self,
        items: &[ast::Assignment],
        table: &TableDef,
        qualifier: &str,
        scope: &Scope,
        defaults: &[Option<Expr>],
    ) -> Result<Vec<(usize, Expr)>> {
        let mut assignments: Vec<(usize, Expr)> = Vec::with_capacity(items.len());
        for a in items {
            let ast::AssignmentTarget::ColumnName(name) = &a.target else {
                return Err(crate::errunsupported!(
                    "multiple-column UPDATE SET (a, b) = ..."
                ));
            };
            let parts = name_parts(name)?;
            let col = match parts.as_slice() {
                [c] => c,
                [q, c] if q == qualifier => c,
                _ => return Err(crate::errunsupported!("UPDATE of a nested field {name}")),
            };
            let i = target_column(table, col)?;
            if assignments.iter().any(|(j, _)| *j == i) {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "multiple assignments to same column \"{col}\""
                ));
            }
            let column = &table.columns[i];
            let value = if is_default_keyword(&a.value) {
                defaults[i]
                    .clone()
                    .unwrap_or(Expr::Literal(Value::Null, column.ty.data_type))
            } else {
                if column.identity == Some(Identity::Always) {
                    return Err(errinput!(
                        sqlstate::GENERATED_ALWAYS,
                        "column \"{}\" can only be updated to DEFAULT",
                        column.name
                    )
                    .with_detail(format!(
                        "Column \"{}\" is an identity column defined as GENERATED ALWAYS.",
                        column.name
                    )));
                }
                let b = self.bind_expr(&a.value, scope)?;
                self.coerce_assign(b, column.ty, &column.name)?
            };
            assignments.push((i, value));
        }
        Ok(assignments)
    }

    /// The scope of an UPDATE's or DELETE's expressions: the target's
    /// columns, then (with UPDATE … FROM / DELETE … USING) its rows'
    /// address and the other tables' columns, whose rows come as a node.
    fn target_with_from(
        &mut self,
        table: &Arc<TableDef>,
        qualifier: &str,
        from: Option<&[ast::TableWithJoins]>,
    ) -> Result<(Scope, Option<(Node, usize)>)> {
        let mut scope = table_scope(table, qualifier);
        let Some(from) = from else {
            return Ok((scope, None));
        };
        let (node, from_scope) = self.bind_from(from)?;
        for c in &from_scope.columns {
            if c.qualifier.as_deref() == Some(qualifier) {
                return Err(errinput!(
                    "42712",
                    "table name \"{qualifier}\" specified more than once"
                ));
            }
        }
        scope.columns.push(super::scope::ScopeColumn {
            qualifier: None,
            name: String::new(),
            ty: crate::types::ColumnType::plain(crate::types::DataType::Int8),
            table_oid: 0,
            column_number: 0,
            hidden: true,
        });
        let width = from_scope.columns.len();
        scope.columns.extend(from_scope.columns);
        Ok((scope, Some((node, width))))
    }

    /// With FROM/USING: the target's rows (with addresses) joined to the
    /// other tables under the WHERE condition, in place of a predicate
    /// and an index access.
    #[allow(clippy::type_complexity)]
    fn joined_target(
        &mut self,
        table: &Arc<TableDef>,
        from: Option<(Node, usize)>,
        predicate: Option<Expr>,
    ) -> Result<(
        Option<Expr>,
        Option<crate::sql::plan::IndexAccess>,
        Option<Box<Node>>,
    )> {
        let Some((node, width)) = from else {
            let access = self.choose_index(table, predicate.as_ref())?;
            return Ok((predicate, access, None));
        };
        self.reads.table(table.oid);
        let join = Node::NestedLoopJoin {
            left: Box::new(Node::WithAddress {
                scan: Box::new(Node::SeqScan {
                    table: table.clone(),
                }),
            }),
            right: Box::new(node),
            predicate,
            left_outer: false,
            right_width: width,
            right_outer: None,
        };
        Ok((None, None, Some(Box::new(join))))
    }

    fn target_table(&mut self, twj: &ast::TableWithJoins) -> Result<(Arc<TableDef>, String)> {
        if !twj.joins.is_empty() {
            return Err(crate::errunsupported!(
                "joins in the target of UPDATE/DELETE"
            ));
        }
        let ast::TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = &twj.relation
        else {
            return Err(crate::errunsupported!(
                "UPDATE/DELETE target {}",
                twj.relation
            ));
        };
        let table = self.catalog.must_get_table(&table_name(name)?)?;
        let qualifier = alias
            .as_ref()
            .map_or(table.name.clone(), |a| normalize(&a.name));
        Ok((table, qualifier))
    }

    fn bind_where(&mut self, selection: Option<&ast::Expr>, scope: &Scope) -> Result<Option<Expr>> {
        selection
            .map(|w| {
                let p = self.bind_expr(w, scope)?;
                self.coerce_bool(p, "WHERE")
            })
            .transpose()
    }

    fn bind_returning(
        &mut self,
        items: Option<&[SelectItem]>,
        table: &TableDef,
        qualifier: &str,
    ) -> Result<Option<Returning>> {
        let Some(items) = items else { return Ok(None) };
        let scope = table_scope(table, qualifier);
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for item in self.bind_returning_items(items, &scope)? {
            exprs.push(item.0);
            columns.push(item.1);
        }
        Ok(Some(Returning { exprs, columns }))
    }

    fn bind_returning_items(
        &mut self,
        items: &[SelectItem],
        scope: &Scope,
    ) -> Result<Vec<(Expr, crate::sql::plan::OutputColumn)>> {
        // Bind the items directly over the table scope.
        let mut out = Vec::new();
        for item in items {
            let wanted = match item {
                SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => {
                    let q = table_name(name)?;
                    if !scope
                        .columns
                        .iter()
                        .any(|c| c.qualifier.as_deref() == Some(q.as_str()))
                    {
                        return Err(errinput!(
                            sqlstate::UNDEFINED_TABLE,
                            "missing FROM-clause entry for table \"{q}\""
                        ));
                    }
                    Some(q)
                }
                _ => None,
            };
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    for (i, c) in scope.columns.iter().enumerate() {
                        let left_out = match &wanted {
                            Some(q) => c.qualifier.as_ref() != Some(q),
                            None => c.hidden,
                        };
                        if left_out {
                            continue;
                        }
                        self.reads.column(c.table_oid, c.column_number);
                        out.push((
                            Expr::Column {
                                index: i,
                                ty: c.ty.data_type,
                            },
                            crate::sql::plan::OutputColumn {
                                name: c.name.clone(),
                                ty: c.ty,
                                table_oid: c.table_oid,
                                column_number: c.column_number,
                            },
                        ));
                    }
                }
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let bound = self.bind_expr(e, scope)?;
                    let bound = self.resolve_unknown(bound)?;
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => normalize(alias),
                        _ => super::column_names::column_name(e)
                            .unwrap_or_else(|| "?column?".to_string()),
                    };
                    let (table_oid, column_number, typmod) = match &bound {
                        Expr::Column { index, .. } => {
                            let c = &scope.columns[*index];
                            (c.table_oid, c.column_number, c.ty.typmod)
                        }
                        other => (0, 0, other.typmod()),
                    };
                    let ty = crate::types::ColumnType {
                        data_type: bound.data_type(),
                        typmod,
                    };
                    out.push((
                        bound,
                        crate::sql::plan::OutputColumn {
                            name,
                            ty,
                            table_oid,
                            column_number,
                        },
                    ));
                }
                other => return Err(crate::errunsupported!("RETURNING item {other}")),
            }
        }
        Ok(out)
    }
}

fn check_width(values: usize, targets: usize) -> Result<()> {
    if values > targets {
        Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "INSERT has more expressions than target columns"
        ))
    } else if values < targets {
        Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "INSERT has more target columns than expressions"
        ))
    } else {
        Ok(())
    }
}

/// The index of a column named as an INSERT target or SET target (42703).
pub(super) fn target_column(table: &TableDef, col: &str) -> Result<usize> {
    table.column_index(col).ok_or_else(|| {
        errinput!(
            sqlstate::UNDEFINED_COLUMN,
            "column \"{col}\" of relation \"{}\" does not exist",
            table.name
        )
    })
}

/// `DEFAULT` in VALUES or SET parses as a bare identifier.
/// 428C9 for a value given to a GENERATED ALWAYS identity column
/// without OVERRIDING.
fn check_identity_insert(
    column: &crate::catalog::ColumnDef,
    overriding: Option<Overriding>,
) -> Result<()> {
    if column.identity != Some(Identity::Always) || overriding.is_some() {
        return Ok(());
    }
    Err(errinput!(
        sqlstate::GENERATED_ALWAYS,
        "cannot insert a non-DEFAULT value into column \"{}\"",
        column.name
    )
    .with_detail(format!(
        "Column \"{}\" is an identity column defined as GENERATED ALWAYS.",
        column.name
    ))
    .with_hint("Use OVERRIDING SYSTEM VALUE to override."))
}

fn is_default_keyword(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// The columns of a table as seen by WHERE/SET/RETURNING.
/// A dropped column keeps its place but no name can reach it.
pub(super) fn table_scope(table: &TableDef, qualifier: &str) -> Scope {
    Scope {
        columns: table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ScopeColumn {
                qualifier: (!c.is_dropped()).then(|| qualifier.to_string()),
                name: c.name.clone(),
                ty: c.ty,
                table_oid: table.oid,
                column_number: i as i16 + 1,
                hidden: c.is_dropped(),
            })
            .collect(),
    }
}
