//! ORDER BY one column with a LIMIT over an inner join, delivered in
//! order by the join itself, so the sort goes and reading stops at the
//! limit: one input read in the wanted order from an index, then either
//! an index nested loop probing the other input (it keeps the outer
//! order, so any indexed column of either input will do) or a merge join
//! (when the column is a join key and an index orders the other input's
//! key too). Chosen when its share of the reading costs less than joining
//! everything and sorting it.

use super::estimate::CPU_ROW_COST;
use super::join_method::{key_pairs, Join, DISABLED};
use super::planner_settings::planner_settings;
use super::Binder;
use crate::error::Result;
use crate::sql::expr::Expr;
use crate::sql::plan::{Node, SortKey};
use crate::types::Value;

impl Binder<'_> {
    /// The join (`input`, maybe under a WHERE filter) producing its rows
    /// in the order of `keys` (over `exprs`, the select list over its
    /// rows) when that pays for about `limit` rows; None otherwise.
    pub(super) fn join_for_order(
        &mut self,
        input: &Node,
        exprs: &[Expr],
        keys: &[SortKey],
        limit: Option<f64>,
    ) -> Result<Option<Node>> {
        let ([key], Some(limit)) = (keys, limit) else {
            return Ok(None);
        };
        let (filter, join) = match input {
            Node::Filter { input, predicate } => (Some(predicate), input.as_ref()),
            other => (None, other),
        };
        let Node::NestedLoopJoin {
            left,
            right,
            predicate,
            left_outer: false,
            right_width,
            right_outer: None,
        } = join
        else {
            return Ok(None);
        };
        let Some(Expr::Column { index: wanted, .. }) = (match &key.expr {
            Expr::Column { index, .. } => exprs.get(*index),
            _ => None,
        }) else {
            return Ok(None);
        };
        let plain = Join {
            left,
            right,
            right_width: *right_width,
            predicate: predicate.as_ref(),
            left_outer: false,
        };
        let settings = planner_settings();
        let penalty = |enabled: bool| if enabled { 0.0 } else { DISABLED };
        let rows = self.estimated_rows(join).max(1.0);
        // The share of the join's rows the limit takes (a filter above
        // keeps a third of them).
        let share = (limit * if filter.is_some() { 3.0 } else { 1.0 } / rows).min(1.0);
        let sort = rows * rows.log2().max(1.0) * CPU_ROW_COST * 2.0;
        let everything = self.hash_join_cost(&plain) + sort + penalty(settings.enable_hashjoin);
        let mut best: (f64, Option<Node>) = (everything, None);
        if let Some((cost, node)) = self.ordered_index_loop(&plain, *wanted, key.descending)? {
            let cost = cost * share + penalty(settings.enable_nestloop);
            if cost < best.0 {
                best = (cost, Some(node));
            }
        }
        let left_width = left.width();
        let on_wanted = |e: &Expr, offset: usize| matches!(super::access::strip_widening(e), Expr::Column { index, .. } if index + offset == *wanted);
        let pairs: Vec<_> = key_pairs(predicate.as_ref(), left_width)
            .into_iter()
            .filter(|p| on_wanted(&p.left, 0) || on_wanted(&p.right, left_width))
            .collect();
        if let Some((_, merged)) = self.merge_join(&plain, &pairs, Some(key.descending))? {
            let cost = self.merge_share_cost(&merged, share) + penalty(settings.enable_mergejoin);
            if cost < best.0 {
                best = (cost, Some(merged));
            }
        }
        Ok(best.1.map(|node| match filter {
            Some(p) => Node::Filter {
                input: Box::new(node),
                predicate: p.clone(),
            },
            None => node,
        }))
    }

    /// One input read in the order of column `wanted` of the joined row,
    /// the other probed through an index per row, with the cost of
    /// producing every row so.
    fn ordered_index_loop(
        &mut self,
        join: &Join,
        wanted: usize,
        descending: bool,
    ) -> Result<Option<(f64, Node)>> {
        let left_width = join.left.width();
        let (outer, found) = if wanted < left_width {
            let Some((ordered, _)) = self.ordered_on(join.left, wanted, Some(descending))? else {
                return Ok(None);
            };
            let ordered_join = Join {
                left: &ordered,
                ..*join
            };
            let pairs = key_pairs(ordered_join.predicate, left_width);
            let found = self.index_loop(&ordered_join, &pairs)?;
            (ordered, found)
        } else {
            let column = wanted - left_width;
            let Some((ordered, _)) = self.ordered_on(join.right, column, Some(descending))? else {
                return Ok(None);
            };
            let ordered_join = Join {
                right: &ordered,
                ..*join
            };
            let found = self.swapped_index_loop(&ordered_join)?;
            (ordered, found)
        };
        Ok(found.map(|(probe, node)| {
            (
                self.input_cost(&outer) + self.estimated_rows(&outer) * probe,
                node,
            )
        }))
    }

    /// What a merge join costs until it has produced `share` of its
    /// rows: the left input read that far, the right input read up to the
    /// same key (from ANALYZE's key ranges when known, else as far).
    fn merge_share_cost(&self, merged: &Node, share: f64) -> f64 {
        let Node::MergeJoin {
            left, right, key, ..
        } = merged
        else {
            return f64::MAX;
        };
        let right_share = match (
            self.key_stats(left, &key.left),
            self.key_stats(right, &key.right),
        ) {
            (Some(l), Some(r)) => {
                let bounds = l
                    .min
                    .as_ref()
                    .and_then(Value::as_f64)
                    .zip(l.max.as_ref().and_then(Value::as_f64));
                bounds
                    .and_then(|(lo, hi)| {
                        if key.order.descending {
                            let reached = Value::Float8(hi - share * (hi - lo));
                            r.range_selectivity(Some(&reached), None)
                        } else {
                            let reached = Value::Float8(lo + share * (hi - lo));
                            r.range_selectivity(None, Some(&reached))
                        }
                    })
                    .unwrap_or(share)
            }
            _ => share,
        };
        self.input_cost(left) * share
            + self.input_cost(right) * right_share
            + (self.estimated_rows(left) * share + self.estimated_rows(right) * right_share)
                * CPU_ROW_COST
    }
}
