//! Choosing how to read a table's rows for a WHERE clause: a sequential
//! scan, or an index scan bounded by the clause's conditions on the
//! index's leading keys.
//!
//! A condition `key op value` (or `value op key`, `key IN (values)`,
//! `key BETWEEN a AND b`) bounds an index when `key` is the index's key
//! expression, `value` does not depend on the table's row (constants,
//! parameters, outer columns), and both are of one type family, so the
//! key encoding orders them alike. Keys are used left to right: equality
//! or IN on each, then at most one range. A partial index is considered
//! only when each conjunct of its predicate appears in the WHERE clause.
//! The choice between index and sequential scan compares rough costs from
//! the table's size with PostgreSQL's default selectivities (0.5% for an
//! equality, a third for an open range): the full WHERE clause is always
//! re-checked above the scan, so bounds only ever narrow what is read.

use std::sync::Arc;

use super::Binder;
use crate::catalog::{ColumnStats, TableDef, TableStats};
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::{BoundIndex, IndexAccess, KeyBound, Node, SortKey};
use crate::types::DataType;

/// PostgreSQL's default selectivity of an equality.
const EQ_SELECTIVITY: f64 = 0.005;
/// PostgreSQL's default selectivity of an open range.
const RANGE_SELECTIVITY: f64 = 1.0 / 3.0;
/// Relative cost of fetching one row through an index.
const INDEX_ROW_COST: f64 = 1.5;
/// Relative cost of examining one row in a sequential scan (per page: 1).
const SEQ_ROW_COST: f64 = 0.01;

impl Binder<'_> {
    /// A WHERE clause over a table's rows: an index scan when one pays,
    /// with the whole predicate re-checked above it.
    pub(super) fn plan_filter(&mut self, input: Node, predicate: Expr) -> Result<Node> {
        let input = match input {
            Node::SeqScan { table } => match self.choose_index(&table, Some(&predicate))? {
                Some(access) => Node::IndexScan { table, access },
                None => Node::SeqScan { table },
            },
            other => other,
        };
        Ok(Node::Filter {
            input: Box::new(input),
            predicate,
        })
    }

    /// The cheapest index access for the rows of `table` that satisfy
    /// `predicate`, if any beats reading the whole table.
    pub(super) fn choose_index(
        &mut self,
        table: &Arc<TableDef>,
        predicate: Option<&Expr>,
    ) -> Result<Option<IndexAccess>> {
        let Some(predicate) = predicate else {
            return Ok(None);
        };
        let seq_cost = self.seq_scan_cost(table);
        Ok(self
            .cheapest_index(table, predicate)?
            .filter(|(cost, _)| *cost < seq_cost)
            .map(|(_, a)| a))
    }

    /// A table's row count: ANALYZE's, else a guess from its pages.
    pub(super) fn table_rows(&self, table: &TableDef) -> f64 {
        let pages = self.catalog.relation_pages(table.rel()).max(1) as f64;
        self.catalog
            .stats(table.oid)
            .map_or(pages * rows_per_page(table), |s| s.rows.max(1.0))
    }

    /// The relative cost of reading a whole table.
    pub(super) fn seq_scan_cost(&self, table: &TableDef) -> f64 {
        let pages = self.catalog.relation_pages(table.rel()).max(1) as f64;
        pages + self.table_rows(table) * SEQ_ROW_COST
    }

    /// The relative cost of an index access to a table (one probe).
    pub(super) fn index_access_cost(&self, table: &TableDef, access: &IndexAccess) -> f64 {
        2.0 + self.index_access_rows(table, access) * INDEX_ROW_COST
    }

    /// About how many rows of a table an index access reads.
    pub(super) fn index_access_rows(&self, table: &TableDef, access: &IndexAccess) -> f64 {
        access_selectivity(self, table, access) * self.table_rows(table)
    }

    /// The cheapest index access for the rows of `table` that satisfy
    /// `predicate`, with its cost, whether or not it beats a sequential
    /// scan.
    pub(super) fn cheapest_index(
        &mut self,
        table: &Arc<TableDef>,
        predicate: &Expr,
    ) -> Result<Option<(f64, IndexAccess)>> {
        if table.indexes.is_empty() {
            return Ok(None);
        }
        let conjuncts = predicate.conjuncts();
        let stats = self.catalog.stats(table.oid);
        let rows = self.table_rows(table);
        let mut best: Option<(f64, IndexAccess)> = None;
        for def in &table.indexes {
            let index = self.bind_index(table, def)?;
            // A partial index holds only the rows its predicate admits.
            let mut partial = 1.0;
            if let Some(p) = &index.predicate {
                let needed = p.conjuncts();
                if !needed
                    .iter()
                    .all(|n| conjuncts.iter().any(|c| same_expr(n, c)))
                {
                    continue;
                }
                partial = needed.iter().map(|n| conjunct_selectivity(n)).product();
            }
            let (bounds, conditions) = bounds_for(&index, &conjuncts);
            if bounds.is_empty() && index.predicate.is_none() {
                continue;
            }
            let all_eq = bounds.len() == index.keys.len()
                && bounds.iter().all(|b| matches!(b, KeyBound::Eq(_)));
            let selectivity = if index.def.unique && all_eq {
                1.0 / rows.max(1.0)
            } else {
                bounds
                    .iter()
                    .zip(&index.keys)
                    .map(|(b, k)| selectivity(b, column_stats(stats.as_deref(), k)))
                    .product::<f64>()
                    * partial
            };
            let cost = 2.0 + selectivity * rows * INDEX_ROW_COST;
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((
                    cost,
                    IndexAccess {
                        index: Arc::new(index),
                        bounds,
                        forward: true,
                        conditions,
                        index_only: false,
                    },
                ));
            }
        }
        Ok(best)
    }
}

/// The fraction of a table's rows an index access reads.
fn access_selectivity(binder: &Binder<'_>, table: &TableDef, access: &IndexAccess) -> f64 {
    let index = &access.index;
    let rows = binder.table_rows(table);
    let all_eq = access.bounds.len() == index.keys.len()
        && access.bounds.iter().all(|b| matches!(b, KeyBound::Eq(_)));
    if index.def.unique && all_eq {
        return 1.0 / rows.max(1.0);
    }
    let stats = binder.catalog.stats(table.oid);
    access
        .bounds
        .iter()
        .zip(&index.keys)
        .map(|(b, k)| selectivity(b, column_stats(stats.as_deref(), k)))
        .product()
}

impl Binder<'_> {
    /// An input that already yields rows in the order of `keys` (sort keys
    /// over `exprs`, the projection of the input's rows) by reading an
    /// index forwards or backwards, so the sort can go. Used when the
    /// input is already an index scan whose order fits, or with a LIMIT
    /// (reading the first rows in order beats sorting them all).
    pub(super) fn order_by_index(
        &mut self,
        input: &Node,
        exprs: &[Expr],
        keys: &[SortKey],
        has_limit: bool,
    ) -> Result<Option<Node>> {
        let wanted: Option<Vec<(&Expr, bool, bool)>> = keys
            .iter()
            .map(|k| match &k.expr {
                Expr::Column { index, .. } => {
                    exprs.get(*index).map(|e| (e, k.descending, k.nulls_first))
                }
                _ => None,
            })
            .collect();
        let Some(wanted) = wanted else {
            return Ok(None);
        };
        let (filter, scan) = match input {
            Node::Filter { input, predicate } => (Some(predicate), input.as_ref()),
            other => (None, other),
        };
        let rebuild = |scan: Node| match filter {
            Some(p) => Node::Filter {
                input: Box::new(scan),
                predicate: p.clone(),
            },
            None => scan,
        };
        match scan {
            Node::IndexScan { table, access } => {
                let skip = access
                    .bounds
                    .iter()
                    .take_while(|b| matches!(b, KeyBound::Eq(_)))
                    .count();
                if access.bounds[skip..]
                    .iter()
                    .any(|b| matches!(b, KeyBound::In(_)))
                {
                    return Ok(None);
                }
                let Some(forward) = order_direction(&access.index, skip, &wanted) else {
                    return Ok(None);
                };
                let mut access = access.clone();
                access.forward = forward;
                Ok(Some(rebuild(Node::IndexScan {
                    table: table.clone(),
                    access,
                })))
            }
            Node::SeqScan { table } if has_limit => {
                for def in &table.indexes {
                    if def.predicate.is_some() {
                        continue;
                    }
                    let index = self.bind_index(table, def)?;
                    if let Some(forward) = order_direction(&index, 0, &wanted) {
                        let access = IndexAccess {
                            index: Arc::new(index),
                            bounds: Vec::new(),
                            forward,
                            conditions: Vec::new(),
                            index_only: false,
                        };
                        return Ok(Some(rebuild(Node::IndexScan {
                            table: table.clone(),
                            access,
                        })));
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }
}

impl Binder<'_> {
    /// For a lone `min(x)` or `max(x)` without GROUP BY: an input that
    /// yields just the first non-NULL `x` in the wanted order from an
    /// index, so the aggregate reads one row instead of the table.
    pub(super) fn min_max_by_index(
        &mut self,
        input: &Node,
        aggregates: &[crate::sql::expr::AggregateCall],
    ) -> Result<Option<Node>> {
        use crate::sql::expr::AggregateFunction;
        let [call] = aggregates else {
            return Ok(None);
        };
        let descending = match call.func {
            AggregateFunction::Min => false,
            AggregateFunction::Max => true,
            _ => return Ok(None),
        };
        let Some(arg) = call
            .arg
            .as_ref()
            .filter(|_| !call.distinct && call.filter.is_none())
        else {
            return Ok(None);
        };
        let not_null = Expr::IsNull {
            expr: Box::new(arg.clone()),
            negated: true,
        };
        let filtered = match input {
            Node::Filter { input, predicate } => Node::Filter {
                input: input.clone(),
                predicate: Expr::Binary {
                    op: BinaryOp::And,
                    left: Box::new(predicate.clone()),
                    right: Box::new(not_null),
                    ty: DataType::Bool,
                },
            },
            Node::SeqScan { .. } | Node::IndexScan { .. } => Node::Filter {
                input: Box::new(input.clone()),
                predicate: not_null,
            },
            _ => return Ok(None),
        };
        // NULLs are filtered out, so either NULL placement will do.
        let mut found = None;
        for nulls_first in [descending, !descending] {
            let key = SortKey {
                expr: Expr::Column {
                    index: 0,
                    ty: arg.data_type(),
                },
                descending,
                nulls_first,
            };
            found = self.order_by_index(&filtered, std::slice::from_ref(arg), &[key], true)?;
            if found.is_some() {
                break;
            }
        }
        Ok(found.map(|ordered| Node::Limit {
            input: Box::new(ordered),
            limit: Some(Expr::Literal(crate::types::Value::Int8(1), DataType::Int8)),
            offset: None,
            ties: vec![],
        }))
    }
}

/// Whether reading `index` from key `skip` on gives the wanted order:
/// Some(true) forwards, Some(false) backwards.
fn order_direction(
    index: &BoundIndex,
    skip: usize,
    wanted: &[(&Expr, bool, bool)],
) -> Option<bool> {
    if wanted.is_empty() || skip + wanted.len() > index.keys.len() {
        return None;
    }
    let mut direction = None;
    for (i, (expr, desc, nulls_first)) in wanted.iter().enumerate() {
        let k = skip + i;
        if !matches_key(&index.keys[k], expr) {
            return None;
        }
        let order = &index.orders[k];
        let forward = if order.descending == *desc && order.nulls_first == *nulls_first {
            true
        } else if order.descending != *desc && order.nulls_first != *nulls_first {
            false
        } else {
            return None;
        };
        if *direction.get_or_insert(forward) != forward {
            return None;
        }
    }
    direction
}

/// A guess at rows per page from the row's declared width.
fn rows_per_page(table: &TableDef) -> f64 {
    (8000.0 / (row_width(table) + 28 + 4) as f64).max(1.0)
}

/// A guess at a row's width in bytes from its columns' types.
pub(super) fn row_width(table: &TableDef) -> usize {
    table
        .columns
        .iter()
        .map(|c| match c.ty.data_type {
            DataType::Bool => 1,
            DataType::Int2 => 2,
            DataType::Int4 | DataType::Float4 | DataType::Date => 4,
            DataType::Int8 | DataType::Float8 | DataType::Timestamp | DataType::Timestamptz => 8,
            DataType::Interval | DataType::Uuid => 16,
            _ => 32,
        })
        .sum()
}

/// ANALYZE's statistics of the column a key is, if any.
fn column_stats<'s>(stats: Option<&'s TableStats>, key: &Expr) -> Option<&'s ColumnStats> {
    match key {
        Expr::Column { index, .. } => stats?.columns.get(*index),
        _ => None,
    }
}

/// The fraction of rows a bound keeps: from the column's statistics when
/// ANALYZE gathered them (constant limits only), else PostgreSQL's
/// defaults.
fn selectivity(b: &KeyBound, stats: Option<&ColumnStats>) -> f64 {
    let eq = stats.map_or(EQ_SELECTIVITY, |s| s.eq_selectivity());
    match b {
        KeyBound::Eq(_) => eq,
        KeyBound::In(list) => (eq * list.len() as f64).min(1.0),
        KeyBound::Range { lower, upper } => {
            let known = |limit: &Option<(Expr, bool)>| match limit {
                None => Some(None),
                Some((e, _)) => constant(e).map(Some),
            };
            if let (Some(s), Some(lo), Some(hi)) = (stats, known(lower), known(upper)) {
                if let Some(f) = s.range_selectivity(lo.as_ref(), hi.as_ref()) {
                    return f.max(eq);
                }
            }
            if lower.is_some() && upper.is_some() {
                EQ_SELECTIVITY
            } else {
                RANGE_SELECTIVITY
            }
        }
    }
}

/// The value of a constant expression (a literal, maybe cast).
fn constant(e: &Expr) -> Option<crate::types::Value> {
    match e {
        Expr::Literal(v, _) if !v.is_null() => Some(v.clone()),
        Expr::Cast { expr, .. } => constant(expr),
        _ => None,
    }
}

/// A guess at how many rows a condition keeps.
fn conjunct_selectivity(e: &Expr) -> f64 {
    match e {
        Expr::Binary {
            op: BinaryOp::Eq, ..
        }
        | Expr::IsNull { negated: false, .. } => EQ_SELECTIVITY,
        _ => RANGE_SELECTIVITY,
    }
}

/// Bounds on the index's leading keys from the conjuncts, and the
/// conjuncts used.
fn bounds_for(index: &BoundIndex, conjuncts: &[&Expr]) -> (Vec<KeyBound>, Vec<Expr>) {
    let mut bounds = Vec::new();
    let mut used = Vec::new();
    for key in &index.keys {
        let mut eq = None;
        let mut list = None;
        let mut lower: Option<(Expr, bool)> = None;
        let mut upper: Option<(Expr, bool)> = None;
        let mut range_used = Vec::new();
        for c in conjuncts {
            match c {
                Expr::Binary {
                    op, left, right, ..
                } if op.is_comparison() && *op != BinaryOp::NotEq => {
                    let (op, value) = if matches_key(key, left) && is_probe(right, key) {
                        (*op, right.as_ref())
                    } else if matches_key(key, right) && is_probe(left, key) {
                        (flip(*op), left.as_ref())
                    } else {
                        continue;
                    };
                    match op {
                        BinaryOp::Eq if eq.is_none() => {
                            eq = Some(value.clone());
                            used.push((*c).clone());
                        }
                        BinaryOp::Gt | BinaryOp::GtEq if lower.is_none() => {
                            lower = Some((value.clone(), op == BinaryOp::GtEq));
                            range_used.push((*c).clone());
                        }
                        BinaryOp::Lt | BinaryOp::LtEq if upper.is_none() => {
                            upper = Some((value.clone(), op == BinaryOp::LtEq));
                            range_used.push((*c).clone());
                        }
                        _ => {}
                    }
                }
                Expr::InList {
                    expr,
                    list: items,
                    negated: false,
                } if list.is_none()
                    && matches_key(key, expr)
                    && items.iter().all(|i| is_probe(i, key)) =>
                {
                    list = Some(items.clone());
                    used.push((*c).clone());
                }
                _ => {}
            }
        }
        if let Some(v) = eq {
            bounds.push(KeyBound::Eq(v));
            continue;
        }
        if let Some(items) = list {
            bounds.push(KeyBound::In(items));
            continue;
        }
        if lower.is_some() || upper.is_some() {
            bounds.push(KeyBound::Range { lower, upper });
            used.extend(range_used);
        }
        break;
    }
    (bounds, used)
}

pub(super) fn flip(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::LtEq => BinaryOp::GtEq,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::GtEq => BinaryOp::LtEq,
        other => other,
    }
}

/// Whether `e` is the index key (a column may be widened within its type
/// family by the binder's casts: int2 → int4 → int8, float4 → float8).
fn matches_key(key: &Expr, e: &Expr) -> bool {
    match (key, strip_widening(e)) {
        (Expr::Column { index: a, .. }, Expr::Column { index: b, .. }) => a == b,
        (Expr::Column { .. }, _) => false,
        (k, e) => same_expr(k, e),
    }
}

pub(super) fn strip_widening(e: &Expr) -> &Expr {
    match e {
        Expr::Cast { expr, to, .. }
            if family(expr.data_type()).is_some()
                && family(expr.data_type()) == family(to.data_type)
                && !matches!(expr.data_type(), DataType::Bpchar)
                && !matches!(to.data_type, DataType::Bpchar) =>
        {
            strip_widening(expr)
        }
        other => other,
    }
}

/// Whether `e` can bound a scan of `key`: it does not read the scanned
/// row, and its type sorts like the key's.
fn is_probe(e: &Expr, key: &Expr) -> bool {
    let mut independent = true;
    e.walk(&mut |x| {
        if matches!(
            x,
            Expr::Column { .. } | Expr::Subquery(_) | Expr::Aggregate(_)
        ) {
            independent = false;
        }
    });
    let (kt, vt) = (key.data_type(), e.data_type());
    independent
        && family(kt).is_some()
        && family(kt) == family(vt)
        && (kt == DataType::Bpchar) == (vt == DataType::Bpchar)
}

/// Types whose key encodings order together.
pub(super) fn family(t: DataType) -> Option<u8> {
    Some(match t {
        DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Oid | DataType::Reg(_) => 1,
        DataType::Float4 | DataType::Float8 => 2,
        DataType::Numeric => 3,
        DataType::Text | DataType::Varchar | DataType::Bpchar | DataType::Name | DataType::Char => {
            4
        }
        DataType::Bytea => 5,
        DataType::Date => 6,
        DataType::Timestamp => 7,
        DataType::Timestamptz => 8,
        DataType::Bool => 9,
        DataType::Interval => 10,
        DataType::Uuid => 11,
        DataType::Jsonb => 12,
        DataType::Enum(_) => 13,
        DataType::Record(_) => return None,
        DataType::Unknown
        | DataType::Array(_)
        | DataType::Json
        | DataType::Int2Vector
        | DataType::OidVector => return None,
    })
}

/// Structural equality of bound expressions.
pub(super) fn same_expr(a: &Expr, b: &Expr) -> bool {
    a == b
}
