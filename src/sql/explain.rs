//! EXPLAIN: a plan as PostgreSQL prints it (text format).
//!
//! Each node is a line (`Seq Scan on t`, `Index Scan using t_pkey on t`,
//! `Sort`, …) with its details indented below it (`Index Cond:`,
//! `Filter:`, `Sort Key:`), children after `->  `. A Filter or Project
//! over another node is folded into it, as PostgreSQL shows filters on the
//! scan that applies them and has no projection nodes. With COSTS (the
//! default) each node shows a rough estimate; with ANALYZE the query runs
//! and each node shows the rows it produced and the time it took.

use std::collections::HashMap;
use std::time::Instant;

use super::exec::{execute, ExecContext};
use super::expr::Expr;
use super::plan::{Node, SetOp};
use crate::error::Result;
use crate::types::{text, DataType, Value};

/// Rows and time one node produced while running (EXPLAIN ANALYZE).
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeStats {
    pub rows: u64,
    pub first_ms: f64,
    pub total_ms: f64,
    /// Entries an index-only scan had to check in the heap.
    pub heap_fetches: u64,
    /// Times the node ran (an index nested loop's inner scan: once per
    /// outer row); 0 counts as once.
    pub loops: u64,
}

/// Node statistics by node address, filled by the executor.
pub type Stats = HashMap<usize, NodeStats>;

/// The lines of EXPLAIN for a query plan.
pub fn explain(
    root: &Node,
    ctx: &ExecContext,
    costs: bool,
    analyze: bool,
    planning_ms: f64,
) -> Result<Vec<String>> {
    let mut stats = None;
    let mut elapsed = 0.0;
    if analyze {
        let started = Instant::now();
        *ctx.stats.lock() = Some(Stats::new());
        for row in execute(root, ctx)? {
            row?;
        }
        elapsed = started.elapsed().as_secs_f64() * 1000.0;
        stats = ctx.stats.lock().take();
    }
    let mut out = Vec::new();
    let printer = Printer {
        costs,
        stats: stats.as_ref(),
        engine: ctx.engine,
    };
    printer.node(root, None, &mut Vec::new(), &mut out);
    if analyze {
        out.push(format!("Planning Time: {planning_ms:.3} ms"));
        out.push(format!("Execution Time: {elapsed:.3} ms"));
    }
    Ok(out)
}

struct Printer<'a> {
    costs: bool,
    stats: Option<&'a Stats>,
    engine: &'a crate::engine::Engine,
}

impl Printer<'_> {
    /// Prints `node` with its arrow at column `arrow` (None: the root),
    /// adding `extra` details (filters folded into it from above).
    fn node(
        &self,
        node: &Node,
        arrow: Option<usize>,
        extra: &mut Vec<String>,
        out: &mut Vec<String>,
    ) {
        match node {
            Node::Project { input, .. } => return self.node(input, arrow, extra, out),
            Node::WithAddress { scan } | Node::Pruned { scan, .. } => {
                return self.node(scan, arrow, extra, out)
            }
            Node::Filter { input, predicate } => {
                let names = column_names(input);
                let scan = match input.as_ref() {
                    Node::WithAddress { scan } | Node::Pruned { scan, .. } => scan.as_ref(),
                    other => other,
                };
                let shown = match scan {
                    Node::IndexScan { access, .. } => {
                        let mut rest = predicate.conjuncts();
                        rest.retain(|c| !access.conditions.contains(c));
                        rest.iter().map(|c| deparse(c, &names)).collect::<Vec<_>>()
                    }
                    _ => vec![deparse(predicate, &names)],
                };
                if !shown.is_empty() {
                    extra.push(format!("Filter: {}", join_and(&shown)));
                }
                return self.node(input, arrow, extra, out);
            }
            _ => {}
        }
        // Details for the last child's line (an index nested loop's
        // Index Cond, computed from the join's row).
        let mut inner_details: Vec<String> = Vec::new();
        let (title, mut details, children): (String, Vec<String>, Vec<&Node>) = match node {
            Node::Values { rows } if rows.len() == 1 && rows[0].is_empty() => {
                ("Result".into(), vec![], vec![])
            }
            Node::Values { .. } => ("Values Scan on \"*VALUES*\"".into(), vec![], vec![]),
            Node::Series { .. } => ("Function Scan on generate_series".into(), vec![], vec![]),
            Node::SeqScan { table } => (format!("Seq Scan on {}", table.name), vec![], vec![]),
            Node::IndexScan { table, access } => {
                let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
                let dir = if access.forward { "" } else { " Backward" };
                let cond: Vec<String> = access
                    .conditions
                    .iter()
                    .map(|c| deparse(c, &names))
                    .collect();
                let mut d = Vec::new();
                // An index nested loop shows its inner scan's conditions
                // with the join's (passed in `extra`).
                let from_join = extra.iter().any(|e| e.starts_with("Index Cond:"));
                if !cond.is_empty() && !from_join {
                    d.push(format!("Index Cond: {}", join_and(&cond)));
                }
                let only = if access.index_only { " Only" } else { "" };
                if let (true, Some(stats)) = (access.index_only, self.stats) {
                    let fetches = stats
                        .get(&(node as *const Node as usize))
                        .map_or(0, |s| s.heap_fetches);
                    d.push(format!("Heap Fetches: {fetches}"));
                }
                (
                    format!(
                        "Index{only} Scan{dir} using {} on {}",
                        access.index.def.name, table.name
                    ),
                    d,
                    vec![],
                )
            }
            Node::Aggregate {
                input, group_by, ..
            } => {
                let names = column_names(input);
                if group_by.is_empty() {
                    ("Aggregate".into(), vec![], vec![input.as_ref()])
                } else {
                    let keys: Vec<String> =
                        group_by.iter().map(|g| deparse_bare(g, &names)).collect();
                    (
                        "HashAggregate".into(),
                        vec![format!("Group Key: {}", keys.join(", "))],
                        vec![input.as_ref()],
                    )
                }
            }
            Node::Sort { input, keys } => {
                let names = column_names(input);
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        let s = deparse_bare(&k.expr, &names);
                        s + crate::sql::plan::order_suffix(k.descending, k.nulls_first)
                    })
                    .collect();
                (
                    "Sort".into(),
                    vec![format!("Sort Key: {}", keys.join(", "))],
                    vec![input.as_ref()],
                )
            }
            Node::Distinct { input } | Node::DistinctOn { input, .. } => {
                ("Unique".into(), vec![], vec![input.as_ref()])
            }
            Node::LockRows { input, .. } => ("LockRows".into(), vec![], vec![input.as_ref()]),
            Node::WithAddress { scan } | Node::Pruned { scan, .. } => {
                return self.node(scan, arrow, extra, out)
            }
            Node::Limit { input, .. } => ("Limit".into(), vec![], vec![input.as_ref()]),
            Node::SetOp {
                left,
                right,
                op,
                all,
            } => {
                let title = match (op, all) {
                    (SetOp::Union, true) => "Append",
                    (SetOp::Union, false) => "HashAggregate",
                    (SetOp::Intersect, true) => "HashSetOp Intersect All",
                    (SetOp::Intersect, false) => "HashSetOp Intersect",
                    (SetOp::Except, true) => "HashSetOp Except All",
                    (SetOp::Except, false) => "HashSetOp Except",
                };
                (title.into(), vec![], vec![left.as_ref(), right.as_ref()])
            }
            Node::RecursiveUnion {
                base, recursive, ..
            } => (
                "Recursive Union".into(),
                vec![],
                vec![base.as_ref(), recursive.as_ref()],
            ),
            Node::WorkTable { .. } => ("WorkTable Scan".into(), vec![], vec![]),
            Node::Lateral {
                left,
                right,
                left_outer,
                ..
            } => {
                let title = if *left_outer {
                    "Nested Loop Left Join"
                } else {
                    "Nested Loop"
                };
                (title.into(), vec![], vec![left.as_ref(), right.as_ref()])
            }
            Node::ProjectSet { input, .. } => ("ProjectSet".into(), vec![], vec![input.as_ref()]),
            Node::Window { input, .. } => ("WindowAgg".into(), vec![], vec![input.as_ref()]),
            Node::NestedLoopJoin {
                left,
                right,
                predicate,
                left_outer,
                right_outer,
                ..
            } => {
                let left_names = column_names(left);
                let right_names = column_names(right);
                let mut names = left_names.clone();
                names.extend(right_names.iter().cloned());
                let kind = match (*left_outer, right_outer.is_some()) {
                    (true, true) => " Full Join",
                    (true, false) => " Left Join",
                    (false, true) => " Right Join",
                    (false, false) => "",
                };
                let keys = crate::sql::exec::join_keys::equi_keys(predicate.as_ref(), left.width());
                let (title, filter, mut d) = match &keys {
                    Some(k) => {
                        let conds: Vec<String> = k
                            .left
                            .iter()
                            .zip(&k.right)
                            .map(|(l, r)| {
                                format!(
                                    "({} = {})",
                                    deparse_bare(l, &left_names),
                                    deparse_bare(r, &right_names)
                                )
                            })
                            .collect();
                        let title = if kind.is_empty() {
                            "Hash Join".to_string()
                        } else {
                            format!("Hash{kind}")
                        };
                        let cond = format!("Hash Cond: {}", join_and(&conds));
                        (title, k.residual.clone(), vec![cond])
                    }
                    None => {
                        let title = if kind.is_empty() {
                            "Nested Loop".to_string()
                        } else {
                            format!("Nested Loop{kind}")
                        };
                        (title, predicate.clone(), vec![])
                    }
                };
                d.extend(
                    filter
                        .iter()
                        .map(|p| format!("Join Filter: {}", deparse(p, &names))),
                );
                (title, d, vec![left.as_ref(), right.as_ref()])
            }
            Node::IndexNestedLoop {
                left,
                right,
                predicate,
                index_cond,
                left_outer,
                ..
            } => {
                let right_names = column_names(right);
                let mut names = column_names(left);
                names.extend(right_names.iter().cloned());
                let mut shown: Vec<String> =
                    index_cond.iter().map(|c| deparse(c, &names)).collect();
                let inner = match right.as_ref() {
                    Node::Filter { input, .. } => input.as_ref(),
                    other => other,
                };
                let inner = match inner {
                    Node::Pruned { scan, .. } => scan.as_ref(),
                    other => other,
                };
                if let Node::IndexScan { access, .. } = inner {
                    shown.extend(access.conditions.iter().map(|c| deparse(c, &right_names)));
                }
                inner_details.push(format!("Index Cond: {}", join_and(&shown)));
                let rest: Vec<String> = predicate
                    .iter()
                    .flat_map(|p| p.conjuncts())
                    .filter(|c| !index_cond.contains(c))
                    .map(|c| deparse(c, &names))
                    .collect();
                let d = if rest.is_empty() {
                    vec![]
                } else {
                    vec![format!("Join Filter: {}", join_and(&rest))]
                };
                let title = if *left_outer {
                    "Nested Loop Left Join"
                } else {
                    "Nested Loop"
                };
                (title.into(), d, vec![left.as_ref(), right.as_ref()])
            }
            Node::MergeJoin {
                left,
                right,
                key,
                predicate,
                left_outer,
                ..
            } => {
                let (left_names, right_names) = (column_names(left), column_names(right));
                let cond = format!(
                    "Merge Cond: ({} = {})",
                    deparse_bare(&key.left, &left_names),
                    deparse_bare(&key.right, &right_names)
                );
                let mut names = left_names;
                names.extend(right_names);
                let left_width = left.width();
                let rest: Vec<String> = predicate
                    .iter()
                    .flat_map(|p| p.conjuncts())
                    .filter(|c| {
                        crate::sql::exec::join_keys::split(c, left_width)
                            .is_none_or(|(l, r)| l != key.left || r != key.right)
                    })
                    .map(|c| deparse(c, &names))
                    .collect();
                let mut d = vec![cond];
                if !rest.is_empty() {
                    d.push(format!("Join Filter: {}", join_and(&rest)));
                }
                let title = if *left_outer {
                    "Merge Left Join"
                } else {
                    "Merge Join"
                };
                (title.into(), d, vec![left.as_ref(), right.as_ref()])
            }
            Node::Project { .. } | Node::Filter { .. } => unreachable!("folded above"),
        };
        details.append(extra);
        let mut line = match arrow {
            None => title,
            Some(col) => format!("{}->  {title}", " ".repeat(col)),
        };
        if self.costs {
            let (rows, width) = self.estimate(node);
            line.push_str(&format!(
                "  (cost=0.00..{:.2} rows={rows} width={width})",
                rows as f64 * 0.01 + 1.0
            ));
        }
        if let Some(stats) = self.stats {
            let s = stats
                .get(&(node as *const Node as usize))
                .copied()
                .unwrap_or_default();
            let loops = s.loops.max(1);
            line.push_str(&format!(
                " (actual time={:.3}..{:.3} rows={} loops={loops})",
                s.first_ms,
                s.total_ms,
                (s.rows as f64 / loops as f64).round() as u64
            ));
        }
        out.push(line);
        let detail_col = arrow.map_or(2, |c| c + 6);
        for d in details {
            out.push(format!("{}{d}", " ".repeat(detail_col)));
        }
        let last = children.len().saturating_sub(1);
        for (i, child) in children.into_iter().enumerate() {
            let mut extra = if i == last {
                std::mem::take(&mut inner_details)
            } else {
                Vec::new()
            };
            self.node(child, Some(detail_col), &mut extra, out);
        }
    }

    /// A rough row count and width for COSTS.
    fn estimate(&self, node: &Node) -> (u64, usize) {
        match node {
            Node::SeqScan { table } | Node::IndexScan { table, .. } => {
                let pages = self.engine.catalog().relation_pages(table.rel()).max(1) as u64;
                let rows = if matches!(node, Node::IndexScan { .. }) {
                    1
                } else {
                    pages * 100
                };
                (rows, 8 * table.columns.len().max(1))
            }
            Node::Values { rows } => (rows.len() as u64, 4),
            Node::Series { .. } => (1000, 4),
            Node::Aggregate { group_by, .. } if group_by.is_empty() => (1, 8),
            Node::Limit { input, .. }
            | Node::Sort { input, .. }
            | Node::Distinct { input }
            | Node::DistinctOn { input, .. }
            | Node::LockRows { input, .. }
            | Node::WithAddress { scan: input }
            | Node::Pruned { scan: input, .. }
            | Node::Aggregate { input, .. }
            | Node::Filter { input, .. }
            | Node::ProjectSet { input, .. }
            | Node::Window { input, .. }
            | Node::Project { input, .. } => self.estimate(input),
            Node::SetOp { left, .. }
            | Node::RecursiveUnion { base: left, .. }
            | Node::Lateral { left, .. }
            | Node::IndexNestedLoop { left, .. }
            | Node::MergeJoin { left, .. }
            | Node::NestedLoopJoin { left, .. } => self.estimate(left),
            Node::WorkTable { width, .. } => (100, 8 * width),
        }
    }
}

/// Names for the columns a node produces, for showing expressions.
fn column_names(node: &Node) -> Vec<String> {
    match node {
        Node::SeqScan { table } | Node::IndexScan { table, .. } => {
            table.columns.iter().map(|c| c.name.clone()).collect()
        }
        Node::Filter { input, .. }
        | Node::Sort { input, .. }
        | Node::Distinct { input }
        | Node::DistinctOn { input, .. }
        | Node::LockRows { input, .. }
        | Node::Pruned { scan: input, .. }
        | Node::Limit { input, .. } => column_names(input),
        Node::WithAddress { scan } => {
            let mut names = column_names(scan);
            names.push("ctid".to_string());
            names
        }
        Node::Project { input, exprs } => {
            let inner = column_names(input);
            exprs.iter().map(|e| deparse_bare(e, &inner)).collect()
        }
        Node::Aggregate {
            input,
            group_by,
            aggregates,
            ..
        } => {
            let inner = column_names(input);
            let mut names: Vec<String> = group_by.iter().map(|g| deparse_bare(g, &inner)).collect();
            names.extend(aggregates.iter().map(|a| {
                let arg = a
                    .arg
                    .as_ref()
                    .map_or("*".to_string(), |e| deparse_bare(e, &inner));
                format!("{}({arg})", format!("{:?}", a.func).to_lowercase())
            }));
            names
        }
        Node::NestedLoopJoin { left, right, .. }
        | Node::Lateral { left, right, .. }
        | Node::IndexNestedLoop { left, right, .. }
        | Node::MergeJoin { left, right, .. } => {
            let mut names = column_names(left);
            names.extend(column_names(right));
            names
        }
        Node::SetOp { left, .. } | Node::RecursiveUnion { base: left, .. } => column_names(left),
        Node::WorkTable { width, .. } => (1..=*width).map(|i| format!("column{i}")).collect(),
        Node::ProjectSet { input, calls } => {
            let mut names = column_names(input);
            names.extend(calls.iter().map(|c| format!("{:?}", c.func).to_lowercase()));
            names
        }
        Node::Window { input, calls } => {
            let mut names = column_names(input);
            names.extend((1..=calls.len()).map(|i| format!("window{i}")));
            names
        }
        Node::Series { .. } => vec!["generate_series".to_string()],
        Node::Values { rows } => (1..=rows.first().map_or(0, |r| r.len()))
            .map(|i| format!("\"*VALUES*\".column{i}"))
            .collect(),
    }
}

fn join_and(parts: &[String]) -> String {
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("({})", parts.join(" AND "))
    }
}

/// An expression as PostgreSQL's EXPLAIN shows it: operators in
/// parentheses, constants with their type.
fn deparse(e: &Expr, names: &[String]) -> String {
    match e {
        Expr::Binary {
            op: crate::sql::expr::BinaryOp::And,
            ..
        } => {
            let parts: Vec<String> = e.conjuncts().iter().map(|c| deparse(c, names)).collect();
            format!("({})", parts.join(" AND "))
        }
        Expr::Binary {
            op, left, right, ..
        } => format!(
            "({} {} {})",
            deparse(left, names),
            op.symbol(),
            deparse(right, names)
        ),
        Expr::IsNull { expr, negated } => format!(
            "({} IS {}NULL)",
            deparse(expr, names),
            if *negated { "NOT " } else { "" }
        ),
        Expr::Not(inner) => format!("(NOT {})", deparse(inner, names)),
        Expr::AnyArray {
            left,
            op,
            array,
            all,
        } => format!(
            "({} {} {} ({}))",
            deparse(left, names),
            op.symbol(),
            if *all { "ALL" } else { "ANY" },
            deparse(array, names)
        ),
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let items: Vec<String> = list
                .iter()
                .map(|i| match i {
                    Expr::Literal(v, _) => text::format(v).unwrap_or_else(|| "NULL".into()),
                    other => deparse(other, names),
                })
                .collect();
            let ty = expr.data_type();
            format!(
                "({} {} ('{{{}}}'::{}[]))",
                deparse(expr, names),
                if *negated { "<> ALL" } else { "= ANY" },
                items.join(","),
                type_name(ty)
            )
        }
        other => deparse_bare(other, names),
    }
}

/// Like [`deparse`] without the outer parentheses of a top-level operator
/// where PostgreSQL omits them (sort and group keys).
fn deparse_bare(e: &Expr, names: &[String]) -> String {
    match e {
        Expr::Column { index, .. } => names.get(*index).cloned().unwrap_or_else(|| "?".into()),
        Expr::OuterColumn { index, .. } => format!("outer.{index}"),
        Expr::Param { index, .. } => format!("${}", index + 1),
        Expr::Literal(v, ty) => literal(v, *ty),
        Expr::Cast { expr, to, .. } => format!("({})::{}", deparse(expr, names), to.sql_name()),
        Expr::Call { func, args, .. } => {
            let args: Vec<String> = args.iter().map(|a| deparse(a, names)).collect();
            format!(
                "{}({})",
                format!("{func:?}").to_lowercase(),
                args.join(", ")
            )
        }
        Expr::Negate(inner, _) => format!("(- {})", deparse(inner, names)),
        Expr::Binary { .. } | Expr::IsNull { .. } | Expr::Not(_) | Expr::InList { .. } => {
            deparse(e, names)
        }
        Expr::Subquery(_) => "(SubPlan 1)".into(),
        other => format!("{other:?}"),
    }
}

fn literal(v: &Value, ty: DataType) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) => {
            let s = text::format(v).unwrap_or_default();
            if s.starts_with('-') {
                format!("'{s}'::{}", type_name(ty))
            } else {
                s
            }
        }
        Value::Bool(b) => b.to_string(),
        other => format!(
            "'{}'::{}",
            text::format(other).unwrap_or_default().replace('\'', "''"),
            type_name(ty)
        ),
    }
}

fn type_name(ty: DataType) -> &'static str {
    match ty {
        DataType::Unknown => "text",
        DataType::Bpchar => "bpchar",
        DataType::Varchar => "character varying",
        t => t.sql_name(),
    }
}
