//! Join methods, chosen by cost once the join order is fixed. A join
//! whose condition has equality keys may be
//! - a hash join (the executor hashes the right input on the keys): the
//!   cost of both inputs plus building and probing the table, more when
//!   the right input outgrows `work_mem`;
//! - an index nested loop: the right input is a table (maybe filtered)
//!   with an index on its join keys, probed once per left row; the cost
//!   of the left input plus one index probe per left row. For an inner
//!   join the other side may be the one probed (the columns are put back
//!   in order above it);
//! - a merge join: both inputs read in key order from indexes, paired as
//!   they stream; the cost of those ordered reads. It pays when both
//!   inputs already are such index scans, and under an ORDER BY on the
//!   key with a LIMIT (`join_for_order`).
//!
//! A join without keys stays a nested loop. `enable_hashjoin`,
//! `enable_mergejoin` and `enable_nestloop` off make a method cost
//! prohibitively, as in PostgreSQL (used when nothing else can do).

use std::sync::Arc;

use super::access::{family, strip_widening};
use super::estimate::{scan_of, CPU_ROW_COST};
use super::join_order::and;
use super::planner_settings::planner_settings;
use super::Binder;
use crate::encoding::key::KeyOrder;
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::{IndexAccess, KeyBound, MergeKey, Node};
use crate::types::DataType;

/// The depth of the outer-column stand-ins for a left row's key values
/// while the index planner looks for bounds (no real query nests so
/// deep); they become plain columns of the left row afterwards.
const PROBE_DEPTH: usize = usize::MAX;
/// PostgreSQL's cost for a disabled method.
pub(super) const DISABLED: f64 = 1.0e10;
/// Relative cost of putting one row in a hash table.
const HASH_BUILD_COST: f64 = 0.02;
/// Relative cost per row of writing and reading back a hash join's
/// inputs in batches once the table outgrows work_mem.
const BATCH_ROW_COST: f64 = 0.04;

/// One equality of a join condition: the conjunct, its left key (over a
/// left row) and its right key (over a right row).
pub(super) struct KeyPair {
    pub conjunct: Expr,
    pub left: Expr,
    pub right: Expr,
}

/// The parts of a join being planned.
#[derive(Clone, Copy)]
pub(super) struct Join<'n> {
    pub left: &'n Node,
    pub right: &'n Node,
    pub right_width: usize,
    pub predicate: Option<&'n Expr>,
    pub left_outer: bool,
}

impl Binder<'_> {
    /// The plan with each join's method chosen by cost.
    pub(super) fn choose_join_methods(&mut self, node: Node) -> Result<Node> {
        let node = node.map_inputs(&mut |n| self.choose_join_methods(n))?;
        match node {
            Node::NestedLoopJoin {
                left,
                right,
                predicate,
                left_outer,
                right_width,
                right_outer: None,
            } => {
                let join = Join {
                    left: &left,
                    right: &right,
                    right_width,
                    predicate: predicate.as_ref(),
                    left_outer,
                };
                if let Some(chosen) = self.cheapest_method(&join)? {
                    return Ok(chosen);
                }
                Ok(Node::NestedLoopJoin {
                    left,
                    right,
                    predicate,
                    left_outer,
                    right_width,
                    right_outer: None,
                })
            }
            other => Ok(other),
        }
    }

    /// An index nested loop or merge join when one costs less than
    /// hashing; None to keep the hash join (or a nested loop without
    /// keys).
    fn cheapest_method(&mut self, join: &Join) -> Result<Option<Node>> {
        let pairs = key_pairs(join.predicate, join.left.width());
        if pairs.is_empty() {
            return Ok(None);
        }
        let settings = planner_settings();
        let penalty = |enabled: bool| if enabled { 0.0 } else { DISABLED };
        let (l_rows, r_rows) = (
            self.estimated_rows(join.left),
            self.estimated_rows(join.right),
        );
        let (l_cost, r_cost) = (self.input_cost(join.left), self.input_cost(join.right));
        let hash = self.hash_join_cost(join);
        let mut best: (f64, Option<Node>) = (hash + penalty(settings.enable_hashjoin), None);
        let nestloop = penalty(settings.enable_nestloop);
        if let Some((probe, node)) = self.index_loop(join, &pairs)? {
            let cost = l_cost + l_rows * probe + nestloop;
            if cost < best.0 {
                best = (cost, Some(node));
            }
        }
        if !join.left_outer {
            if let Some((probe, node)) = self.swapped_index_loop(join)? {
                let cost = r_cost + r_rows * probe + nestloop;
                if cost < best.0 {
                    best = (cost, Some(node));
                }
            }
        }
        if let Some((cost, node)) = self.merge_join(join, &pairs, None)? {
            let cost = cost + penalty(settings.enable_mergejoin);
            if cost < best.0 {
                best = (cost, Some(node));
            }
        }
        Ok(best.1)
    }

    /// What hashing the right input and probing it with the left costs:
    /// both inputs, building and probing the table, and writing and
    /// reading both inputs back in batches when the right one outgrows
    /// work_mem (as PostgreSQL's would).
    pub(super) fn hash_join_cost(&self, join: &Join) -> f64 {
        let (l_rows, r_rows) = (
            self.estimated_rows(join.left),
            self.estimated_rows(join.right),
        );
        let mut cost = self.input_cost(join.left)
            + self.input_cost(join.right)
            + r_rows * HASH_BUILD_COST
            + l_rows * CPU_ROW_COST;
        if self.estimated_bytes(join.right) > planner_settings().work_mem as f64 {
            cost += (l_rows + r_rows) * BATCH_ROW_COST;
        }
        cost
    }

    /// The join as an index nested loop probing the right input's table,
    /// with the cost of one probe.
    pub(super) fn index_loop(
        &mut self,
        join: &Join,
        pairs: &[KeyPair],
    ) -> Result<Option<(f64, Node)>> {
        let Some(Node::SeqScan { table } | Node::IndexScan { table, .. }) = scan_of(join.right)
        else {
            return Ok(None);
        };
        let own: Vec<Expr> = match join.right {
            Node::Filter { predicate, .. } => predicate.conjuncts().into_iter().cloned().collect(),
            _ => Vec::new(),
        };
        // `right key = left value`, the value standing for the left row's.
        let probes: Vec<(Expr, &KeyPair)> = pairs
            .iter()
            .map(|p| (eq(p.right.clone(), probe_value(&p.left)), p))
            .collect();
        let Some(all) = own
            .iter()
            .cloned()
            .chain(probes.iter().map(|(c, _)| c.clone()))
            .reduce(and)
        else {
            return Ok(None);
        };
        let Some((cost, access)) = self.cheapest_index(table, &all)? else {
            return Ok(None);
        };
        let index_cond: Vec<Expr> = probes
            .iter()
            .filter(|(c, _)| access.conditions.contains(c))
            .map(|(_, p)| p.conjunct.clone())
            .collect();
        if index_cond.is_empty() {
            return Ok(None);
        }
        let access = IndexAccess {
            bounds: access
                .bounds
                .into_iter()
                .map(read_left_row)
                .collect::<Result<_>>()?,
            conditions: access
                .conditions
                .into_iter()
                .filter(|c| !probes.iter().any(|(p, _)| p == c))
                .collect(),
            ..access
        };
        let scan = Node::IndexScan {
            table: table.clone(),
            access,
        };
        let right = match own.into_iter().reduce(and) {
            Some(predicate) => Node::Filter {
                input: Box::new(scan),
                predicate,
            },
            None => scan,
        };
        Ok(Some((
            cost,
            Node::IndexNestedLoop {
                left: Box::new(join.left.clone()),
                right: Box::new(right),
                right_width: join.right_width,
                predicate: join.predicate.cloned(),
                index_cond,
                left_outer: join.left_outer,
            },
        )))
    }

    /// An inner join as an index nested loop probing the left input's
    /// table for each right row, its columns put back in order above.
    pub(super) fn swapped_index_loop(&mut self, join: &Join) -> Result<Option<(f64, Node)>> {
        if scan_of(join.right).is_none() {
            return Ok(None);
        }
        let left_width = join.left.width();
        let predicate = match join.predicate {
            Some(p) => Some(swap_sides(p, left_width, join.right_width)?),
            None => None,
        };
        let swapped = Join {
            left: join.right,
            right: join.left,
            right_width: left_width,
            predicate: predicate.as_ref(),
            left_outer: false,
        };
        let pairs = key_pairs(swapped.predicate, join.right_width);
        let Some((probe, node)) = self.index_loop(&swapped, &pairs)? else {
            return Ok(None);
        };
        let exprs = (0..left_width)
            .map(|i| join.right_width + i)
            .chain(0..join.right_width)
            .map(|index| Expr::Column {
                index,
                ty: column_type(&node, index),
            })
            .collect();
        Ok(Some((
            probe,
            Node::Project {
                input: Box::new(node),
                exprs,
            },
        )))
    }

    /// The join as a merge join over inputs read in key order, with its
    /// cost: on the first key pair both of whose sides an index orders
    /// (in the direction `descending` asks, if any).
    pub(super) fn merge_join(
        &mut self,
        join: &Join,
        pairs: &[KeyPair],
        descending: Option<bool>,
    ) -> Result<Option<(f64, Node)>> {
        for pair in pairs {
            let (Expr::Column { index: l, .. }, Expr::Column { index: r, .. }) =
                (strip_widening(&pair.left), strip_widening(&pair.right))
            else {
                continue;
            };
            let (lt, rt) = (pair.left.data_type(), pair.right.data_type());
            if family(lt).is_none()
                || family(lt) != family(rt)
                || (lt == DataType::Bpchar) != (rt == DataType::Bpchar)
            {
                continue;
            }
            let Some((left, order)) = self.ordered_on(join.left, *l, descending)? else {
                continue;
            };
            let Some((right, _)) = self.ordered_on(join.right, *r, Some(order.descending))? else {
                continue;
            };
            let cost = self.input_cost(&left)
                + self.input_cost(&right)
                + (self.estimated_rows(&left) + self.estimated_rows(&right)) * CPU_ROW_COST;
            return Ok(Some((
                cost,
                Node::MergeJoin {
                    left: Box::new(left),
                    right: Box::new(right),
                    right_width: join.right_width,
                    key: Box::new(MergeKey {
                        left: pair.left.clone(),
                        right: pair.right.clone(),
                        order: KeyOrder {
                            data_type: lt,
                            descending: order.descending,
                            nulls_first: false,
                        },
                    }),
                    predicate: join.predicate.cloned(),
                    left_outer: join.left_outer,
                },
            )));
        }
        Ok(None)
    }

    /// A scan (maybe filtered) as one that reads its rows in the order of
    /// `column` (descending when asked, else as the index is), with that
    /// order as read: the scan itself when its index already leads with
    /// the column, else a full scan of such an index.
    pub(super) fn ordered_on(
        &mut self,
        node: &Node,
        column: usize,
        descending: Option<bool>,
    ) -> Result<Option<(Node, KeyOrder)>> {
        let (filter, scan) = match node {
            Node::Filter { input, predicate } => (Some(predicate), input.as_ref()),
            other => (None, other),
        };
        let leads = |keys: &[Expr]| matches!(keys.first(), Some(Expr::Column { index, .. }) if *index == column);
        let access = match scan {
            Node::IndexScan { access, .. }
                if leads(&access.index.keys)
                    && !matches!(access.bounds.first(), Some(KeyBound::In(_))) =>
            {
                access.clone()
            }
            Node::IndexScan { .. } => return Ok(None),
            Node::SeqScan { table } => {
                let mut found = None;
                for def in &table.indexes {
                    if def.predicate.is_some() {
                        continue;
                    }
                    let index = self.bind_index(table, def)?;
                    if leads(&index.keys) {
                        found = Some(IndexAccess {
                            index: Arc::new(index),
                            bounds: Vec::new(),
                            forward: true,
                            conditions: Vec::new(),
                            index_only: false,
                        });
                        break;
                    }
                }
                match found {
                    Some(a) => a,
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let Some(Node::SeqScan { table } | Node::IndexScan { table, .. }) = scan_of(scan) else {
            return Ok(None);
        };
        let index_order = access.index.orders[0];
        let mut access = access;
        if let Some(d) = descending {
            access.forward = index_order.descending == d;
        }
        let order = KeyOrder {
            descending: index_order.descending == access.forward,
            ..index_order
        };
        let scan = Node::IndexScan {
            table: table.clone(),
            access,
        };
        let node = match filter {
            Some(p) => Node::Filter {
                input: Box::new(scan),
                predicate: p.clone(),
            },
            None => scan,
        };
        Ok(Some((node, order)))
    }
}

/// The equality conjuncts of a join condition with one side over each
/// input.
pub(super) fn key_pairs(predicate: Option<&Expr>, left_width: usize) -> Vec<KeyPair> {
    let Some(predicate) = predicate else {
        return Vec::new();
    };
    predicate
        .conjuncts()
        .into_iter()
        .filter_map(|c| {
            let (left, right) = crate::sql::exec::join_keys::split(c, left_width)?;
            Some(KeyPair {
                conjunct: c.clone(),
                left,
                right,
            })
        })
        .collect()
}

/// A left key as a value independent of the right row (its columns as
/// outer columns at [`PROBE_DEPTH`]).
fn probe_value(left: &Expr) -> Expr {
    left.clone()
        .transform(&mut |x| {
            Ok(match x {
                Expr::Column { index, ty } => Some(Expr::OuterColumn {
                    depth: PROBE_DEPTH,
                    index: *index,
                    ty: *ty,
                }),
                _ => None,
            })
        })
        .unwrap_or_else(|_| left.clone())
}

/// An index bound whose probe values read the left row's columns.
fn read_left_row(bound: KeyBound) -> Result<KeyBound> {
    let fix = |e: Expr| {
        e.transform(&mut |x| {
            Ok(match x {
                Expr::OuterColumn {
                    depth: PROBE_DEPTH,
                    index,
                    ty,
                } => Some(Expr::Column {
                    index: *index,
                    ty: *ty,
                }),
                _ => None,
            })
        })
    };
    let limit = |l: Option<(Expr, bool)>| -> Result<Option<(Expr, bool)>> {
        l.map(|(e, inclusive)| Ok((fix(e)?, inclusive))).transpose()
    };
    Ok(match bound {
        KeyBound::Eq(e) => KeyBound::Eq(fix(e)?),
        KeyBound::In(list) => KeyBound::In(list.into_iter().map(fix).collect::<Result<_>>()?),
        KeyBound::Range { lower, upper } => KeyBound::Range {
            lower: limit(lower)?,
            upper: limit(upper)?,
        },
    })
}

/// A join condition over (left, right) rows rewritten over (right, left)
/// rows.
fn swap_sides(e: &Expr, left_width: usize, right_width: usize) -> Result<Expr> {
    e.clone().transform(&mut |x| {
        Ok(match x {
            Expr::Column { index, ty } => Some(Expr::Column {
                index: if *index < left_width {
                    index + right_width
                } else {
                    index - left_width
                },
                ty: *ty,
            }),
            _ => None,
        })
    })
}

/// The type of a node's column, as far as a scan below tells it.
fn column_type(node: &Node, index: usize) -> DataType {
    match node {
        Node::IndexNestedLoop { left, right, .. } => {
            let lw = left.width();
            if index < lw {
                column_type(left, index)
            } else {
                column_type(right, index - lw)
            }
        }
        Node::Filter { input, .. } => column_type(input, index),
        Node::SeqScan { table } | Node::IndexScan { table, .. } => table
            .columns
            .get(index)
            .map_or(DataType::Unknown, |c| c.ty.data_type),
        Node::Project { exprs, .. } => exprs.get(index).map_or(DataType::Unknown, Expr::data_type),
        _ => DataType::Unknown,
    }
}

fn eq(left: Expr, right: Expr) -> Expr {
    Expr::Binary {
        op: BinaryOp::Eq,
        left: Box::new(left),
        right: Box::new(right),
        ty: DataType::Bool,
    }
}
