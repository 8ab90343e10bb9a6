//! Which order the FROM list's items join in (left-deep: each step joins
//! one more item, hashed, to what is joined so far). Up to
//! [`EXHAUSTIVE_LIMIT`] items, dynamic programming over the sets of items
//! finds the order with the fewest rows produced along the way (each
//! step's output plus the item it hashes), never a cross product while a
//! condition can connect an item; beyond that, a greedy order: the
//! smallest item first, then the smallest one a condition connects.
//!
//! A step's output is the product of the sides times each condition's
//! selectivity, which the caller estimates as PostgreSQL does: for an
//! equality of columns 1 / the larger number of distinct values (ANALYZE's,
//! else the item's rows, as for a key), for any other condition 1/3.

use std::collections::BTreeSet;

use crate::sql::expr::{BinaryOp, Expr};

/// Most items ordered by exhaustive search (2^n sets).
pub const EXHAUSTIVE_LIMIT: usize = 8;

/// A condition of the WHERE clause: the FROM items it reads and the
/// fraction of row pairs it keeps.
pub struct Condition {
    pub items: BTreeSet<usize>,
    pub selectivity: f64,
}

/// The join order of items with these estimated row counts.
pub fn join_order(sizes: &[f64], conditions: &[Condition]) -> Vec<usize> {
    if sizes.len() <= EXHAUSTIVE_LIMIT {
        exhaustive(sizes, conditions)
    } else {
        greedy(sizes, conditions)
    }
}

/// The selectivity PostgreSQL's estimator gives a condition when it
/// knows the distinct counts of the columns an equality compares.
pub fn selectivity(expr: &Expr, distinct: impl Fn(usize) -> f64) -> f64 {
    match expr {
        Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
            ..
        } => match (&**left, &**right) {
            (Expr::Column { index: a, .. }, Expr::Column { index: b, .. }) => {
                1.0 / distinct(*a).max(distinct(*b)).max(1.0)
            }
            _ => 1.0 / 3.0,
        },
        _ => 1.0 / 3.0,
    }
}

/// Whether a condition joins `item` to the items of `joined` (it reads
/// `item`, another item, and nothing outside `joined` and `item`).
fn connects(condition: &Condition, joined: u32, item: usize) -> bool {
    let items = &condition.items;
    items.len() > 1
        && items.contains(&item)
        && items.iter().all(|i| *i == item || joined & (1 << i) != 0)
}

#[derive(Clone)]
struct Best {
    cost: f64,
    rows: f64,
    order: Vec<usize>,
}

fn exhaustive(sizes: &[f64], conditions: &[Condition]) -> Vec<usize> {
    let n = sizes.len();
    let mut best: Vec<Option<Best>> = vec![None; 1 << n];
    for (i, size) in sizes.iter().enumerate() {
        best[1 << i] = Some(Best {
            cost: 0.0,
            rows: *size,
            order: vec![i],
        });
    }
    // Sets in order of size, so every subset is done before its supersets.
    let mut sets: Vec<u32> = (1..(1u32 << n)).collect();
    sets.sort_by_key(|s| (s.count_ones(), *s));
    for set in sets {
        let Some(from) = best[set as usize].clone() else {
            continue;
        };
        let outside: Vec<usize> = (0..n).filter(|i| set & (1 << i) == 0).collect();
        let connected: Vec<usize> = outside
            .iter()
            .copied()
            .filter(|j| conditions.iter().any(|c| connects(c, set, *j)))
            .collect();
        let candidates = if connected.is_empty() {
            outside
        } else {
            connected
        };
        for j in candidates {
            let rows = conditions
                .iter()
                .filter(|c| connects(c, set, j))
                .fold(from.rows * sizes[j], |r, c| r * c.selectivity)
                .max(1.0);
            let cost = from.cost + rows + sizes[j];
            let next = set | (1 << j);
            let better = match &best[next as usize] {
                None => true,
                Some(b) => cost < b.cost,
            };
            if better {
                let mut order = from.order.clone();
                order.push(j);
                best[next as usize] = Some(Best { cost, rows, order });
            }
        }
    }
    best[(1 << n) - 1]
        .take()
        .map_or_else(|| (0..n).collect(), |b| b.order)
}

/// The smallest item first, then the smallest item a condition connects
/// to those joined (any smallest one if none does).
fn greedy(sizes: &[f64], conditions: &[Condition]) -> Vec<usize> {
    let n = sizes.len();
    let smallest = |candidates: &mut dyn Iterator<Item = usize>| {
        candidates.min_by(|a, b| sizes[*a].total_cmp(&sizes[*b]).then(a.cmp(b)))
    };
    let mut joined: BTreeSet<usize> = BTreeSet::new();
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let connected = smallest(&mut (0..n).filter(|i| {
            !joined.contains(i)
                && conditions.iter().any(|c| {
                    let t = &c.items;
                    t.len() > 1 && t.contains(i) && t.iter().all(|x| x == i || joined.contains(x))
                })
        }));
        let pick = match connected {
            Some(i) => i,
            None => match smallest(&mut (0..n).filter(|i| !joined.contains(i))) {
                Some(i) => i,
                None => break,
            },
        };
        joined.insert(pick);
        order.push(pick);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DataType;

    /// Items a and b joined on a key of the larger one.
    fn eq(a: usize, b: usize, sizes: &[f64]) -> Condition {
        Condition {
            items: [a, b].into_iter().collect(),
            selectivity: 1.0 / sizes[a].max(sizes[b]),
        }
    }

    #[test]
    fn equality_selectivity_uses_the_larger_distinct_count() {
        let col = |index| {
            Box::new(Expr::Column {
                index,
                ty: DataType::Int4,
            })
        };
        let e = Expr::Binary {
            op: BinaryOp::Eq,
            left: col(0),
            right: col(1),
            ty: DataType::Bool,
        };
        assert_eq!(selectivity(&e, |c| [10.0, 40.0][c]), 1.0 / 40.0);
    }

    #[test]
    fn search_avoids_the_large_intermediate_greedy_makes() {
        // Item 0 (10 rows) joins 1 (1,000) on a non-key column: every row of
        // 1 matches; 1 joins 2 (100,000) and 2 joins 3 (5 rows) on keys.
        // Greedy starts with the smallest item, 3, then 2 and 1; the search
        // ends with the same rows either way and picks the cheaper path.
        let sizes = [10.0, 1_000.0, 100_000.0, 5.0];
        let c = [eq(0, 1, &sizes), eq(1, 2, &sizes), eq(2, 3, &sizes)];
        let order = join_order(&sizes, &c);
        assert_eq!(order.len(), 4);
        let cost = |order: &[usize]| {
            let mut set = 1u32 << order[0];
            let mut rows = sizes[order[0]];
            let mut cost = 0.0;
            for &j in &order[1..] {
                rows = c
                    .iter()
                    .filter(|k| connects(k, set, j))
                    .fold(rows * sizes[j], |r, k| r * k.selectivity)
                    .max(1.0);
                cost += rows + sizes[j];
                set |= 1 << j;
            }
            cost
        };
        assert!(cost(&order) <= cost(&greedy(&sizes, &c)));
        // No cross product: every item after the first is connected.
        for k in 1..order.len() {
            let set = order[..k].iter().fold(0u32, |s, i| s | (1 << i));
            assert!(
                c.iter().any(|cond| connects(cond, set, order[k])),
                "{order:?}"
            );
        }
    }

    #[test]
    fn unconnected_items_still_all_join() {
        let order = join_order(&[3.0, 2.0, 1.0], &[]);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2]);
    }

    #[test]
    fn many_items_fall_back_to_greedy() {
        let sizes: Vec<f64> = (0..12).map(|i| (i + 1) as f64).collect();
        let c: Vec<Condition> = (0..11).map(|i| eq(i, i + 1, &sizes)).collect();
        assert_eq!(join_order(&sizes, &c), greedy(&sizes, &c));
    }
}
