//! Binding queries: SELECT (FROM, WHERE, GROUP BY, HAVING, DISTINCT,
//! ORDER BY, LIMIT/OFFSET), VALUES and parenthesised queries.
//!
//! The shape of a bound SELECT, bottom up: FROM (scans and joins) → Filter
//! (WHERE) → Aggregate (group keys, then aggregate values) → Filter
//! (HAVING) → Project (select list, then hidden ORDER BY keys) → Distinct
//! → Sort → Limit → Project (drops the hidden keys).

use sqlparser::ast::{self, SelectItem, SetExpr};

use super::column_names::column_name;
use super::grouping::{lift_aggregates, Grouping};
use super::lock::{check_lock_target, lock_of, with_address};
use super::query_tail::Tail;
use super::scope::{normalize, table_name, Scope, ScopeColumn};
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Node, OutputColumn, SortKey};
use crate::types::{ColumnType, DataType, Value};

/// How a select list's rows are finished: DISTINCT, DISTINCT ON, and
/// whether the query is grouped.
struct Output<'q> {
    distinct: bool,
    distinct_on: &'q [ast::Expr],
    grouped: bool,
}

/// The select list as items again (for resolving output names).
fn items_of(exprs: &[Expr], columns: &[OutputColumn]) -> Vec<Item> {
    columns
        .iter()
        .zip(exprs)
        .map(|(c, e)| Item {
            expr: e.clone(),
            column: c.clone(),
        })
        .collect()
}

/// One select-list entry while binding.
struct Item {
    expr: Expr,
    column: OutputColumn,
}

impl Binder<'_> {
    /// Binds a query to a plan node and its output columns.
    pub(super) fn bind_query(&mut self, q: &ast::Query) -> Result<(Node, Vec<OutputColumn>)> {
        self.bind_query_with(q, false)
    }

    /// Binds a query; with `keep_unknown`, untyped literals in its select
    /// list stay untyped so INSERT ... SELECT can give them the target
    /// column's type, as PostgreSQL does.
    pub(super) fn bind_query_with(
        &mut self,
        q: &ast::Query,
        keep_unknown: bool,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        let Some(with) = &q.with else {
            return self.bind_query_body(q, keep_unknown);
        };
        // push_ctes opens a name scope even when it fails; always close it.
        let result = self
            .push_ctes(with)
            .and_then(|()| self.bind_query_body(q, keep_unknown));
        self.ctes.pop();
        result
    }

    /// A SELECT that is one branch of a set operation: no ORDER BY or
    /// LIMIT of its own, untyped literals left for the other branch to type.
    pub(super) fn bind_select_alone(
        &mut self,
        s: &ast::Select,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        self.bind_select(s, Tail::none(), true)
    }

    fn bind_query_body(
        &mut self,
        q: &ast::Query,
        keep_unknown: bool,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        if q.for_clause.is_some()
            || q.settings.is_some()
            || q.format_clause.is_some()
            || !q.pipe_operators.is_empty()
        {
            return Err(crate::errunsupported!("query clause in {q}"));
        }
        let order_by = match &q.order_by {
            None => vec![],
            Some(ob) => {
                if ob.interpolate.is_some() {
                    return Err(crate::errunsupported!("ORDER BY ... INTERPOLATE"));
                }
                match &ob.kind {
                    ast::OrderByKind::Expressions(exprs) => exprs.iter().collect(),
                    ast::OrderByKind::All(_) => return Err(crate::errunsupported!("ORDER BY ALL")),
                }
            }
        };
        let (limit, offset) = match &q.limit_clause {
            None => (None, None),
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(crate::errunsupported!("LIMIT BY"));
                }
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(ast::LimitClause::OffsetCommaLimit { .. }) => {
                return Err(
                    errinput!(sqlstate::SYNTAX_ERROR, "LIMIT #,# syntax is not supported")
                        .with_hint("Use separate LIMIT and OFFSET clauses."),
                )
            }
        };
        // FETCH FIRST [n] ROWS {ONLY | WITH TIES}: the standard's LIMIT.
        let one = ast::Expr::value(ast::Value::Number("1".to_string(), false));
        let (limit, with_ties) = match &q.fetch {
            None => (limit, false),
            Some(f) => {
                if f.percent {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at or near \"PERCENT\""
                    ));
                }
                if limit.is_some() {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at or near \"FETCH\""
                    ));
                }
                if f.with_ties && order_by.is_empty() {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "WITH TIES cannot be specified without ORDER BY clause"
                    ));
                }
                (Some(f.quantity.as_ref().unwrap_or(&one)), f.with_ties)
            }
        };
        let tail = Tail {
            order_by,
            limit,
            offset,
            with_ties,
            lock: lock_of(q),
        };
        match q.body.as_ref() {
            SetExpr::Select(select) => self.bind_select(select, tail, keep_unknown),
            body => {
                if let Some(lock) = &tail.lock {
                    return Err(crate::errunsupported!(
                        "{} with UNION/INTERSECT/EXCEPT or VALUES",
                        lock.clause
                    ));
                }
                let (node, columns) = match body {
                    SetExpr::Values(values) => self.bind_values(values)?,
                    SetExpr::Query(inner) => self.bind_query(inner)?,
                    SetExpr::SetOperation { .. } => self.bind_set_expr(body)?,
                    other => return Err(crate::errunsupported!("query body {other}")),
                };
                // ORDER BY over the body's own output columns.
                let scope = output_scope(&columns);
                let items = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| Item {
                        expr: Expr::Column {
                            index: i,
                            ty: c.ty.data_type,
                        },
                        column: c.clone(),
                    })
                    .collect();
                let how = Output {
                    distinct: false,
                    distinct_on: &[],
                    grouped: false,
                };
                self.finish_select(node, items, &scope, how, tail, None)
            }
        }
    }

    /// VALUES (...), (...): every row the same width, columns unified.
    pub(super) fn bind_values(
        &mut self,
        values: &ast::Values,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        let empty = Scope::default();
        let width = values.rows.first().map_or(0, |r| r.content.len());
        let mut rows: Vec<Vec<Expr>> = Vec::with_capacity(values.rows.len());
        for row in &values.rows {
            if row.content.len() != width {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "VALUES lists must all be the same length"
                ));
            }
            rows.push(
                row.content
                    .iter()
                    .map(|e| self.bind_expr(e, &empty))
                    .collect::<Result<_>>()?,
            );
        }
        let mut columns = Vec::with_capacity(width);
        for col in 0..width {
            let unified = self.unify(rows.iter().map(|r| r[col].clone()).collect(), "VALUES")?;
            let ty = unified.first().map_or(DataType::Text, Expr::data_type);
            for (row, e) in rows.iter_mut().zip(unified) {
                row[col] = e;
            }
            columns.push(OutputColumn {
                name: format!("column{}", col + 1),
                ty: ColumnType::plain(ty),
                table_oid: 0,
                column_number: 0,
            });
        }
        Ok((Node::Values { rows }, columns))
    }

    fn bind_select(
        &mut self,
        s: &ast::Select,
        tail: Tail,
        keep_unknown: bool,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        // An enclosing select list's set-returning calls are not this
        // query's (nor its WHERE's).
        let outer_calls = self.set_calls.take();
        let outer_windows = self.window_calls.take();
        let bound = self.bind_select_inner(s, tail, keep_unknown);
        self.set_calls = outer_calls;
        self.window_calls = outer_windows;
        bound
    }

    fn bind_select_inner(
        &mut self,
        s: &ast::Select,
        tail: Tail,
        keep_unknown: bool,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        check_select_clauses(s)?;
        if let Some(lock) = &tail.lock {
            check_lock_target(s, lock)?;
        }
        // FOR UPDATE locks rows of the tables as FROM lists them.
        let reorder = tail.lock.is_none();
        let (mut node, scope) = self.bind_from_where(&s.from, s.selection.as_ref(), reorder)?;
        let (group_exprs, grouping_sets) = match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
                super::grouping::grouping_sets(exprs)?
            }
            _ => return Err(crate::errunsupported!("GROUP BY ALL and WITH ROLLUP/CUBE")),
        };
        let group_exprs = &group_exprs;
        self.allow_aggregates = true;
        let width = scope.columns.len();
        let saved_calls = self
            .set_calls
            .replace(super::set_functions::SetCalls::new(width));
        let saved_windows = self
            .window_calls
            .replace(super::windows::WindowCalls::new(width));
        let items = self.bind_select_list(&s.projection, &scope, keep_unknown);
        let set_calls = std::mem::replace(&mut self.set_calls, saved_calls)
            .map(|c| c.calls)
            .unwrap_or_default();
        let window_calls = std::mem::replace(&mut self.window_calls, saved_windows)
            .map(|c| c.calls)
            .unwrap_or_default();
        let having = match (&s.having, &items) {
            (Some(h), Ok(_)) => Some(
                self.bind_expr(h, &scope)
                    .and_then(|h| self.coerce_bool(h, "HAVING")),
            ),
            _ => None,
        };
        self.allow_aggregates = false;
        let mut items = items?;
        let having = having.transpose()?;
        let grouped = !group_exprs.is_empty()
            || having.is_some()
            || items.iter().any(|i| i.expr.contains_aggregate())
            || self.order_by_has_aggregate(&tail, &scope);
        let (distinct, distinct_on) = match &s.distinct {
            None | Some(ast::Distinct::All) => (false, &[][..]),
            Some(ast::Distinct::Distinct) => (true, &[][..]),
            Some(ast::Distinct::On(exprs)) => (false, &exprs[..]),
        };
        if let Some(lock) = &tail.lock {
            let what = if !group_exprs.is_empty() {
                "GROUP BY clause"
            } else if grouped {
                "aggregate functions"
            } else if distinct {
                "DISTINCT clause"
            } else {
                ""
            };
            if !what.is_empty() {
                return Err(errinput!(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "{} is not allowed with {what}",
                    lock.clause
                ));
            }
        }
        if !window_calls.is_empty() {
            if grouped || !set_calls.is_empty() {
                return Err(crate::errunsupported!(
                    "window functions with GROUP BY, aggregates or set-returning functions"
                ));
            }
            node = Node::Window {
                input: Box::new(node),
                calls: window_calls,
            };
        }
        if !set_calls.is_empty() {
            if grouped {
                return Err(crate::errunsupported!(
                    "set-returning functions in a select list with GROUP BY or aggregates"
                ));
            }
            node = Node::ProjectSet {
                input: Box::new(node),
                calls: set_calls,
            };
        }
        if !grouped {
            let how = Output {
                distinct,
                distinct_on,
                grouped: false,
            };
            return self.finish_select(node, items, &scope, how, tail, None);
        }
        // Group keys: input expressions, select-list ordinals or aliases.
        let mut groups = Vec::with_capacity(group_exprs.len());
        for g in group_exprs {
            let bound = match self.resolve_output_ref(g, &items, &scope)? {
                Some(i) => items[i].expr.clone(),
                None => self.bind_expr(g, &scope)?,
            };
            if bound.contains_aggregate() {
                return Err(errinput!(
                    sqlstate::GROUPING_ERROR,
                    "aggregate functions are not allowed in GROUP BY"
                ));
            }
            groups.push(self.resolve_unknown(bound)?);
        }
        let mut aggregates = Vec::new();
        for item in &mut items {
            let e = std::mem::replace(&mut item.expr, Expr::Literal(Value::Null, DataType::Text));
            item.expr = lift_aggregates(e, &groups, &mut aggregates, &scope)?;
        }
        let having = having
            .map(|h| lift_aggregates(h, &groups, &mut aggregates, &scope))
            .transpose()?;
        if groups.is_empty() {
            if let Some(first) = self.min_max_by_index(&node, &aggregates)? {
                node = first;
            }
        }
        node = Node::Aggregate {
            input: Box::new(node),
            group_by: groups.clone(),
            aggregates: aggregates.clone(),
            sets: grouping_sets,
        };
        if let Some(h) = having {
            node = Node::Filter {
                input: Box::new(node),
                predicate: h,
            };
        }
        let grouping = Grouping { groups, aggregates };
        let how = Output {
            distinct,
            distinct_on,
            grouped: true,
        };
        self.finish_select(node, items, &scope, how, tail, Some(grouping))
    }

    fn order_by_has_aggregate(&mut self, tail: &Tail, scope: &Scope) -> bool {
        let saved = self.allow_aggregates;
        self.allow_aggregates = true;
        let found = tail.order_by.iter().any(|o| {
            self.bind_expr(&o.expr, scope)
                .map(|e| e.contains_aggregate())
                .unwrap_or(false)
        });
        self.allow_aggregates = saved;
        found
    }

    fn bind_select_list(
        &mut self,
        projection: &[SelectItem],
        scope: &Scope,
        keep_unknown: bool,
    ) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let bound = self.bind_expr(e, scope)?;
                    let bound = if keep_unknown {
                        bound
                    } else {
                        self.resolve_unknown(bound)?
                    };
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => normalize(alias),
                        _ => column_name(e).unwrap_or_else(|| "?column?".to_string()),
                    };
                    // A set-returning call's column lies past the scope.
                    let (table_oid, column_number) = match &bound {
                        Expr::Column { index, .. } => scope
                            .columns
                            .get(*index)
                            .map_or((0, 0), |c| (c.table_oid, c.column_number)),
                        _ => (0, 0),
                    };
                    let ty = ColumnType {
                        data_type: bound.data_type(),
                        typmod: column_typmod(&bound, scope),
                    };
                    items.push(Item {
                        expr: bound,
                        column: OutputColumn {
                            name,
                            ty,
                            table_oid,
                            column_number,
                        },
                    });
                }
                SelectItem::Wildcard(opts) => {
                    check_wildcard(opts)?;
                    if scope.columns.is_empty() {
                        return Err(errinput!(
                            sqlstate::SYNTAX_ERROR,
                            "SELECT * with no tables specified is not valid"
                        ));
                    }
                    let expanded = expand(scope, None);
                    self.note_items(&expanded);
                    items.extend(expanded);
                }
                SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name),
                    opts,
                ) => {
                    check_wildcard(opts)?;
                    let q = table_name(name)?;
                    if !scope
                        .columns
                        .iter()
                        .any(|c| c.qualifier.as_deref() == Some(&q))
                    {
                        return Err(errinput!(
                            sqlstate::UNDEFINED_TABLE,
                            "missing FROM-clause entry for table \"{q}\""
                        ));
                    }
                    let expanded = expand(scope, Some(&q));
                    self.note_items(&expanded);
                    items.extend(expanded);
                }
                other => return Err(crate::errunsupported!("select item {other}")),
            }
        }
        Ok(items)
    }

    /// A select-list position named by an ORDER BY / GROUP BY item: an
    /// ordinal, or (when it is not an input column) an output alias.
    fn resolve_output_ref(
        &mut self,
        e: &ast::Expr,
        items: &[Item],
        scope: &Scope,
    ) -> Result<Option<usize>> {
        match e {
            ast::Expr::Value(v) => {
                if let ast::Value::Number(n, _) = &v.value {
                    let pos: usize = n.parse().unwrap_or(0);
                    if pos == 0 || pos > items.len() {
                        return Err(errinput!(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            "position {n} is not in select list"
                        ));
                    }
                    return Ok(Some(pos - 1));
                }
                Ok(None)
            }
            ast::Expr::Identifier(ident) => {
                let name = normalize(ident);
                if scope.resolve(None, &name).ok().flatten().is_some() {
                    return Ok(None);
                }
                Ok(items.iter().position(|i| i.column.name == name))
            }
            _ => Ok(None),
        }
    }

    /// Projection, DISTINCT, ORDER BY and LIMIT over a bound input.
    fn finish_select(
        &mut self,
        input: Node,
        items: Vec<Item>,
        scope: &Scope,
        how: Output,
        tail: Tail,
        grouping: Option<Grouping>,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        let Output {
            distinct,
            distinct_on,
            grouped,
        } = how;
        let width = items.len();
        let mut exprs: Vec<Expr> = items.iter().map(|i| i.expr.clone()).collect();
        let columns: Vec<OutputColumn> = items.iter().map(|i| i.column.clone()).collect();
        let mut keys = Vec::with_capacity(tail.order_by.len());
        for o in &tail.order_by {
            if o.with_fill.is_some() {
                return Err(crate::errunsupported!("ORDER BY ... WITH FILL"));
            }
            // An output alias or ordinal wins over an input column of the same
            // name (PostgreSQL's rule for ORDER BY, unlike GROUP BY).
            let by_output = match &o.expr {
                ast::Expr::Identifier(ident) => {
                    let name = normalize(ident);
                    let hits: Vec<usize> =
                        (0..width).filter(|i| columns[*i].name == name).collect();
                    match hits.as_slice() {
                        [] => None,
                        [one] => Some(*one),
                        [first, rest @ ..] if rest.iter().all(|r| exprs[*r] == exprs[*first]) => {
                            Some(*first)
                        }
                        _ => {
                            return Err(errinput!(
                                sqlstate::AMBIGUOUS_COLUMN,
                                "ORDER BY \"{name}\" is ambiguous"
                            ))
                        }
                    }
                }
                ast::Expr::Value(_) => {
                    let items_view = items_of(&exprs, &columns);
                    self.resolve_output_ref(&o.expr, &items_view, &Scope::default())?
                }
                _ => None,
            };
            let index = match by_output {
                Some(i) => i,
                None => {
                    self.allow_aggregates = grouped;
                    let bound = self.bind_expr(&o.expr, scope);
                    self.allow_aggregates = false;
                    let mut bound = self.resolve_unknown(bound?)?;
                    if let Some(g) = &grouping {
                        let mut aggs = g.aggregates.clone();
                        bound = lift_aggregates(bound, &g.groups, &mut aggs, scope)?;
                        if aggs.len() != g.aggregates.len() {
                            return Err(crate::errunsupported!(
                                "ORDER BY an aggregate that is not in the select list"
                            ));
                        }
                    }
                    match exprs.iter().position(|e| *e == bound) {
                        Some(i) => i,
                        None if distinct => {
                            return Err(errinput!(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            "for SELECT DISTINCT, ORDER BY expressions must appear in select list"
                        ))
                        }
                        None => {
                            exprs.push(bound);
                            exprs.len() - 1
                        }
                    }
                }
            };
            let descending = match &o.options.sort {
                None | Some(ast::OrderBySort::Asc) => false,
                Some(ast::OrderBySort::Desc) => true,
                Some(_) => return Err(crate::errunsupported!("ORDER BY ... USING")),
            };
            let nulls_first = o.options.nulls_first.unwrap_or(descending);
            keys.push(SortKey {
                expr: Expr::Column {
                    index,
                    ty: exprs[index].data_type(),
                },
                descending,
                nulls_first,
            });
        }
        // DISTINCT ON: its keys as (hidden) output columns; ORDER BY must
        // start with them.
        let mut on_columns = Vec::with_capacity(distinct_on.len());
        for e in distinct_on {
            let by_output = self.resolve_output_ref(e, &items_of(&exprs, &columns), scope)?;
            let index = match by_output {
                Some(i) => i,
                None => {
                    self.allow_aggregates = grouped;
                    let bound = self.bind_expr(e, scope);
                    self.allow_aggregates = false;
                    let bound = self.resolve_unknown(bound?)?;
                    match exprs.iter().position(|x| *x == bound) {
                        Some(i) => i,
                        None => {
                            exprs.push(bound);
                            exprs.len() - 1
                        }
                    }
                }
            };
            on_columns.push(index);
        }
        if !on_columns.is_empty() && !keys.is_empty() {
            let leading: Vec<usize> = keys
                .iter()
                .take(on_columns.len())
                .filter_map(|k| match k.expr {
                    Expr::Column { index, .. } => Some(index),
                    _ => None,
                })
                .collect();
            let covered =
                keys.len() >= on_columns.len() && on_columns.iter().all(|c| leading.contains(c));
            if !covered {
                return Err(errinput!(
                    sqlstate::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions"
                ));
            }
        }
        // An index that yields the rows in order makes the sort unneeded.
        let mut input = input;
        if !keys.is_empty() && !distinct {
            let has_limit = tail.limit.is_some();
            if let Some(ordered) = self.order_by_index(&input, &exprs, &keys, has_limit)? {
                input = ordered;
                keys.clear();
            } else if let Some(merged) =
                self.join_for_order(&input, &exprs, &keys, tail.rows_wanted())?
            {
                input = merged;
                keys.clear();
            }
        }
        // FOR UPDATE: the scan adds each row's address, carried as a hidden
        // column up to LockRows (below LIMIT, so only returned rows lock).
        let mut lock_rows = None;
        if let Some(lock) = &tail.lock {
            self.locks_rows = true;
            let (scan, table) = with_address(input)?;
            self.reads.locked.push(table.oid);
            input = scan;
            exprs.push(Expr::Column {
                index: table.columns.len(),
                ty: DataType::Int8,
            });
            lock_rows = Some((table, exprs.len() - 1, lock.waiting));
        }
        let hidden = exprs.len() > width;
        let project_types: Vec<DataType> = exprs.iter().map(Expr::data_type).collect();
        let mut node = Node::Project {
            input: Box::new(input),
            exprs,
        };
        if distinct {
            node = Node::Distinct {
                input: Box::new(node),
            };
        }
        let ties = if tail.with_ties { keys.clone() } else { vec![] };
        if !keys.is_empty() {
            node = Node::Sort {
                input: Box::new(node),
                keys,
            };
        }
        if !on_columns.is_empty() {
            node = Node::DistinctOn {
                input: Box::new(node),
                columns: on_columns,
            };
        }
        if let Some((table, address, waiting)) = lock_rows {
            node = Node::LockRows {
                input: Box::new(node),
                table,
                address,
                waiting,
            };
        }
        let limit = tail.limit.map(|l| self.bind_row_count(l)).transpose()?;
        let offset = tail.offset.map(|o| self.bind_row_count(o)).transpose()?;
        if limit.is_some() || offset.is_some() {
            node = Node::Limit {
                input: Box::new(node),
                limit,
                offset,
                ties,
            };
        }
        if hidden {
            let strip = (0..width)
                .map(|i| Expr::Column {
                    index: i,
                    ty: project_types[i],
                })
                .collect();
            node = Node::Project {
                input: Box::new(node),
                exprs: strip,
            };
        }
        Ok((node, columns))
    }

    fn bind_row_count(&mut self, e: &ast::Expr) -> Result<Expr> {
        let bound = self.bind_expr(e, &Scope::default())?;
        match bound.data_type() {
            DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Unknown => {
                self.coerce(bound, DataType::Int8)
            }
            DataType::Numeric | DataType::Float4 | DataType::Float8 => Ok(Expr::Cast {
                expr: Box::new(bound),
                to: DataType::Int8.into(),
                explicit: false,
            }),
            other => Err(errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "argument of LIMIT must be type bigint, not type {}",
                other.sql_name()
            )),
        }
    }
}

fn column_typmod(e: &Expr, scope: &Scope) -> i32 {
    match e {
        Expr::Column { index, .. } => scope.columns.get(*index).map_or(-1, |c| c.ty.typmod),
        other => other.typmod(),
    }
}

impl Binder<'_> {
    /// Notes the table columns a `*` expanded to as read.
    fn note_items(&mut self, items: &[Item]) {
        for item in items {
            self.reads
                .column(item.column.table_oid, item.column.column_number);
        }
    }
}

fn expand(scope: &Scope, qualifier: Option<&str>) -> Vec<Item> {
    scope
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| match qualifier {
            None => !c.hidden,
            Some(q) => c.qualifier.as_deref() == Some(q),
        })
        .map(|(i, c)| Item {
            expr: Expr::Column {
                index: i,
                ty: c.ty.data_type,
            },
            column: OutputColumn {
                name: c.name.clone(),
                ty: c.ty,
                table_oid: c.table_oid,
                column_number: c.column_number,
            },
        })
        .collect()
}

pub(super) fn output_scope(columns: &[OutputColumn]) -> Scope {
    Scope {
        columns: columns
            .iter()
            .map(|c| ScopeColumn {
                qualifier: None,
                name: c.name.clone(),
                ty: c.ty,
                table_oid: c.table_oid,
                column_number: c.column_number,
                hidden: false,
            })
            .collect(),
    }
}

fn check_wildcard(opts: &ast::WildcardAdditionalOptions) -> Result<()> {
    if opts.opt_ilike.is_some()
        || opts.opt_exclude.is_some()
        || opts.opt_except.is_some()
        || opts.opt_replace.is_some()
        || opts.opt_rename.is_some()
        || opts.opt_alias.is_some()
    {
        return Err(crate::errunsupported!("wildcard options"));
    }
    Ok(())
}

fn check_select_clauses(s: &ast::Select) -> Result<()> {
    let unsupported = if s.top.is_some() {
        Some("TOP")
    } else if s.into.is_some() {
        Some("SELECT INTO")
    } else if !s.lateral_views.is_empty() {
        Some("LATERAL VIEW")
    } else if s.prewhere.is_some() {
        Some("PREWHERE")
    } else if !s.connect_by.is_empty() {
        Some("CONNECT BY")
    } else if !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty() {
        Some("CLUSTER/DISTRIBUTE/SORT BY")
    } else if !s.named_window.is_empty() {
        Some("WINDOW")
    } else if s.qualify.is_some() {
        Some("QUALIFY")
    } else if s.value_table_mode.is_some()
        || s.exclude.is_some()
        || s.select_modifiers.is_some()
        || !s.optimizer_hints.is_empty()
    {
        Some("SELECT modifiers")
    } else if !matches!(s.flavor, ast::SelectFlavor::Standard) {
        Some("FROM-first SELECT")
    } else {
        None
    };
    match unsupported {
        Some(what) => Err(crate::errunsupported!("{what}")),
        None => Ok(()),
    }
}
