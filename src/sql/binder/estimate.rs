//! Row-count and cost estimates of plan nodes, for ordering joins
//! (`join_order`) and choosing their methods (`join_method`): a table's
//! rows from ANALYZE (else its pages), the fraction a WHERE conjunct keeps
//! from the column's statistics (else PostgreSQL's defaults), and an
//! equality join l·r / max(distinct keys) when ANALYZE knows both keys,
//! else as many rows as its larger input (a foreign-key join's shape).

use super::access::{flip, row_width, strip_widening};
use super::Binder;
use crate::catalog::{ColumnStats, TableStats};
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::Node;

/// PostgreSQL's default selectivity of an equality and of anything else.
const DEFAULT_EQ: f64 = 0.005;
const DEFAULT_OTHER: f64 = 1.0 / 3.0;
/// Relative cost of producing a row in operators above the scans.
pub(super) const CPU_ROW_COST: f64 = 0.01;

impl Binder<'_> {
    /// About how many rows a node produces.
    pub(super) fn estimated_rows(&self, node: &Node) -> f64 {
        match node {
            Node::SeqScan { table } => self.table_rows(table),
            Node::IndexScan { table, access } => self.index_access_rows(table, access).max(1.0),
            Node::WithAddress { scan } => self.estimated_rows(scan),
            Node::Filter { input, predicate } => {
                let (stats, used) = match scan_of(input) {
                    Some(Node::SeqScan { table }) => (self.catalog.stats(table.oid), vec![]),
                    Some(Node::IndexScan { table, access }) => (
                        self.catalog.stats(table.oid),
                        access.conditions.iter().collect(),
                    ),
                    _ => (None, vec![]),
                };
                let fraction: f64 = predicate
                    .conjuncts()
                    .into_iter()
                    .filter(|c| !used.contains(c))
                    .map(|c| conjunct_fraction(c, stats.as_deref()))
                    .product();
                (self.estimated_rows(input) * fraction).max(1.0)
            }
            Node::Project { input, .. }
            | Node::Sort { input, .. }
            | Node::LockRows { input, .. }
            | Node::Window { input, .. }
            | Node::ProjectSet { input, .. }
            | Node::Distinct { input }
            | Node::DistinctOn { input, .. }
            | Node::Limit { input, .. } => self.estimated_rows(input),
            Node::Aggregate {
                input, group_by, ..
            } => {
                if group_by.is_empty() {
                    1.0
                } else {
                    (self.estimated_rows(input) * 0.1).max(1.0)
                }
            }
            Node::Values { rows } => rows.len().max(1) as f64,
            Node::NestedLoopJoin {
                left,
                right,
                predicate,
                left_outer,
                right_outer,
                ..
            } => {
                let (l, r) = (self.estimated_rows(left), self.estimated_rows(right));
                let keys = crate::sql::exec::join_keys::equi_keys(predicate.as_ref(), left.width());
                let mut rows = match (keys, predicate) {
                    // l·r / max(distinct keys), PostgreSQL's estimate, when
                    // ANALYZE knows both keys; else a foreign-key join.
                    (Some(k), _) => match (
                        self.key_distinct(left, &k.left[0]),
                        self.key_distinct(right, &k.right[0]),
                    ) {
                        (Some(dl), Some(dr)) => l * r / dl.max(dr).max(1.0),
                        _ => l.max(r),
                    },
                    (None, Some(_)) => l * r * DEFAULT_OTHER,
                    (None, None) => l * r,
                };
                if *left_outer {
                    rows = rows.max(l);
                }
                if right_outer.is_some() {
                    rows = rows.max(r);
                }
                rows.max(1.0)
            }
            Node::IndexNestedLoop {
                left,
                right,
                left_outer,
                ..
            }
            | Node::MergeJoin {
                left,
                right,
                left_outer,
                ..
            } => {
                let (l, r) = (self.estimated_rows(left), self.estimated_rows(right));
                let rows = l.max(r);
                if *left_outer {
                    rows.max(l)
                } else {
                    rows
                }
            }
            _ => 1000.0,
        }
    }

    /// ANALYZE's distinct count of a join key that is a column of a
    /// scanned table.
    pub(super) fn key_distinct(&self, node: &Node, key: &Expr) -> Option<f64> {
        self.key_stats(node, key).map(|s| s.distinct)
    }

    /// ANALYZE's statistics of a key that is a column of a scanned table.
    pub(super) fn key_stats(&self, node: &Node, key: &Expr) -> Option<ColumnStats> {
        let Expr::Column { index, .. } = strip_widening(key) else {
            return None;
        };
        let (Node::SeqScan { table } | Node::IndexScan { table, .. }) = scan_of(node)? else {
            return None;
        };
        self.catalog.stats(table.oid)?.columns.get(*index).cloned()
    }

    /// The relative cost of producing all of a node's rows once.
    pub(super) fn input_cost(&self, node: &Node) -> f64 {
        match node {
            Node::SeqScan { table } => self.seq_scan_cost(table),
            Node::IndexScan { table, access } => self.index_access_cost(table, access),
            Node::Filter { input, .. } => {
                self.input_cost(input) + self.estimated_rows(input) * CPU_ROW_COST * 0.25
            }
            other => self.estimated_rows(other) * CPU_ROW_COST,
        }
    }

    /// About how many bytes a node's rows take.
    pub(super) fn estimated_bytes(&self, node: &Node) -> f64 {
        let width = match scan_of(node) {
            Some(Node::SeqScan { table } | Node::IndexScan { table, .. }) => row_width(table),
            _ => 16 * node.width(),
        };
        self.estimated_rows(node) * (width + 24) as f64
    }
}

/// The scan under a Filter (or the node itself when it is a scan).
pub(super) fn scan_of(node: &Node) -> Option<&Node> {
    match node {
        Node::Filter { input, .. } => scan_of(input),
        Node::SeqScan { .. } | Node::IndexScan { .. } => Some(node),
        _ => None,
    }
}

/// The fraction of rows a WHERE conjunct keeps.
fn conjunct_fraction(c: &Expr, stats: Option<&TableStats>) -> f64 {
    let column = |e: &Expr| match strip_widening(e) {
        Expr::Column { index, .. } => stats.and_then(|s| s.columns.get(*index)),
        _ => None,
    };
    let constant = |e: &Expr| match e {
        Expr::Literal(v, _) if !v.is_null() => Some(v.clone()),
        Expr::Cast { expr, .. } => match expr.as_ref() {
            Expr::Literal(v, _) if !v.is_null() => Some(v.clone()),
            _ => None,
        },
        _ => None,
    };
    match c {
        Expr::Binary {
            op, left, right, ..
        } if op.is_comparison() => {
            let (col, value, op) = match (column(left), column(right)) {
                (Some(s), _) => (Some(s), constant(right), *op),
                (None, Some(s)) => (Some(s), constant(left), flip(*op)),
                _ => (None, None, *op),
            };
            match (op, col) {
                (BinaryOp::Eq, Some(s)) => s.eq_selectivity(),
                (BinaryOp::Eq, None) => DEFAULT_EQ,
                (BinaryOp::NotEq, _) => 1.0 - DEFAULT_EQ,
                (BinaryOp::Lt | BinaryOp::LtEq, Some(s)) => value
                    .and_then(|v| s.range_selectivity(None, Some(&v)))
                    .unwrap_or(DEFAULT_OTHER),
                (BinaryOp::Gt | BinaryOp::GtEq, Some(s)) => value
                    .and_then(|v| s.range_selectivity(Some(&v), None))
                    .unwrap_or(DEFAULT_OTHER),
                _ => DEFAULT_OTHER,
            }
        }
        Expr::IsNull {
            expr,
            negated: false,
        } => column(expr).map_or(DEFAULT_EQ, |s| s.null_frac),
        _ => DEFAULT_OTHER,
    }
    .clamp(0.0001, 1.0)
}
