//! The executor: plan nodes become pull-based row iterators.
//!
//! One operator per file. Each `Node` turns into a boxed iterator of rows
//! that pulls from its children on demand, so a scan of a table larger than
//! memory streams. Sort, aggregation and the right side of a nested-loop
//! join materialise (spilling to disk arrives with its own issue).

mod aggregate;
pub mod alter;
pub mod analyze;
mod distinct;
mod filter;
mod foreign_keys;
mod hash_buckets;
mod index_join;
mod index_scan;
mod index_write;
mod join;
pub mod join_keys;
mod limit;
mod merge_join;
mod project;
mod project_set;
mod recursive;
mod row_lock;
mod scan;
mod series;
mod setop;
mod sort;
mod toast;
mod upsert;
mod values;
mod window;
pub mod write;

pub use index_write::entry_key;
pub use scan::TableScan;
pub use toast::decode_row;

use super::eval::{Env, EvalContext};
use super::plan::Node;
use crate::engine::Engine;
use crate::error::Result;
use crate::txn::Visibility;
use crate::types::Value;

/// A row of values.
pub type Row = Vec<Value>;

/// A stream of rows.
pub type Rows<'a> = Box<dyn Iterator<Item = Result<Row>> + 'a>;

/// What operators may read: the engine, what the statement sees, and the
/// expression context.
pub struct ExecContext<'a> {
    pub engine: &'a Engine,
    pub visibility: Visibility,
    pub eval: EvalContext,
    /// When statement_timeout expires (57014).
    pub deadline: Option<std::time::Instant>,
    /// Rows of the enclosing queries, innermost last (correlated subqueries).
    pub outer: Vec<Row>,
    /// Results of uncorrelated subqueries, by plan address: run once.
    pub subquery_cache: parking_lot::Mutex<std::collections::HashMap<usize, Vec<Row>>>,
    /// Rows and time per plan node, when EXPLAIN ANALYZE asks for them.
    pub stats: parking_lot::Mutex<Option<crate::sql::explain::Stats>>,
    /// Who writes, for waits on other writers' rows.
    pub writer: RowWriter,
    /// Set by a CancelRequest (57014).
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Each running recursive union's latest round, by work-table id.
    pub work_tables: parking_lot::Mutex<std::collections::HashMap<usize, std::sync::Arc<Vec<Row>>>>,
}

/// A writing statement's transaction, as row locking needs it.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowWriter {
    /// The transaction's top xid (0 for a reader).
    pub top: crate::storage::heap::Xid,
    /// The xid this statement writes with (a subxid inside a savepoint).
    pub xid: crate::storage::heap::Xid,
    pub isolation: crate::txn::Isolation,
    pub limits: crate::txn::WaitLimits,
}

impl<'a> ExecContext<'a> {
    /// A context for one statement.
    pub fn new(
        engine: &'a Engine,
        visibility: Visibility,
        eval: EvalContext,
        deadline: Option<std::time::Instant>,
    ) -> Self {
        ExecContext {
            engine,
            visibility,
            eval,
            deadline,
            outer: Vec::new(),
            subquery_cache: Default::default(),
            stats: Default::default(),
            writer: RowWriter::default(),
            interrupt: None,
            work_tables: Default::default(),
        }
    }
}

impl<'a> ExecContext<'a> {
    /// A context for a statement run on this one's behalf (a foreign
    /// key's check or action): the same transaction, snapshot and limits,
    /// other parameters.
    pub fn with_params(&self, params: Vec<Value>) -> ExecContext<'a> {
        let mut eval = self.eval.clone();
        eval.params = params.into();
        let mut ctx = ExecContext::new(self.engine, self.visibility.clone(), eval, self.deadline);
        ctx.writer = self.writer;
        ctx.interrupt = self.interrupt.clone();
        ctx
    }
}

impl Env for ExecContext<'_> {
    fn context(&self) -> &EvalContext {
        &self.eval
    }

    fn catalog(&self) -> Option<&crate::catalog::Catalog> {
        Some(self.engine.catalog())
    }

    fn check_interrupts(&self) -> Result<()> {
        self.check_deadline()
    }

    fn outer_value(&self, depth: usize, index: usize) -> Value {
        self.outer
            .len()
            .checked_sub(depth)
            .and_then(|i| self.outer.get(i))
            .and_then(|r| r.get(index))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn run_subquery(
        &self,
        plan: &Node,
        row: &[Value],
        correlated: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Row>> {
        self.check_deadline()?;
        let key = plan as *const Node as usize;
        if !correlated {
            if let Some(rows) = self.subquery_cache.lock().get(&key) {
                return Ok(rows
                    .iter()
                    .take(limit.unwrap_or(usize::MAX))
                    .cloned()
                    .collect());
            }
        }
        let mut outer = self.outer.clone();
        outer.push(row.to_vec());
        let inner = ExecContext {
            engine: self.engine,
            visibility: self.visibility.clone(),
            eval: self.eval.clone(),
            deadline: self.deadline,
            outer,
            subquery_cache: Default::default(),
            stats: Default::default(),
            writer: self.writer,
            interrupt: self.interrupt.clone(),
            work_tables: Default::default(),
        };
        let rows = execute(plan, &inner)?;
        let rows: Vec<Row> = match (limit, correlated) {
            (Some(n), true) => rows.take(n).collect::<Result<_>>()?,
            _ => rows.collect::<Result<_>>()?,
        };
        if !correlated {
            self.subquery_cache.lock().insert(key, rows.clone());
            return Ok(rows.into_iter().take(limit.unwrap_or(usize::MAX)).collect());
        }
        Ok(rows)
    }
}

impl ExecContext<'_> {
    /// Fails with 57014 once statement_timeout has passed; operators call
    /// it once per page or per outer row.
    pub fn check_deadline(&self) -> Result<()> {
        if self
            .interrupt
            .as_ref()
            .is_some_and(|i| i.load(std::sync::atomic::Ordering::Acquire))
        {
            return Err(crate::errinput!(
                "57014",
                "canceling statement due to user request"
            ));
        }
        if self
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            return Err(crate::errinput!(
                "57014",
                "canceling statement due to statement timeout"
            ));
        }
        Ok(())
    }
}

/// Builds the iterator tree for a plan node (counting each node's rows
/// and time when EXPLAIN ANALYZE asks).
pub fn execute<'a>(node: &'a Node, ctx: &'a ExecContext<'a>) -> Result<Rows<'a>> {
    let started = std::time::Instant::now();
    let rows = build(node, ctx)?;
    if matches!(node, Node::Pruned { .. }) {
        // Counted as its scan's (EXPLAIN shows the scan).
        return Ok(rows);
    }
    Ok(counted(node, rows, started, ctx))
}

/// `rows` counted as `node`'s (timed from `started`) when EXPLAIN ANALYZE
/// asks.
fn counted<'a>(
    node: &Node,
    rows: Rows<'a>,
    started: std::time::Instant,
    ctx: &'a ExecContext<'a>,
) -> Rows<'a> {
    if ctx.stats.lock().is_none() {
        return rows;
    }
    let key = node as *const Node as usize;
    let mut rows = rows;
    let mut first = true;
    Box::new(std::iter::from_fn(move || {
        let next = rows.next();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Some(stats) = ctx.stats.lock().as_mut() {
            let s = stats.entry(key).or_default();
            if first {
                s.first_ms = ms;
                first = false;
            }
            s.total_ms = ms;
            if matches!(next, Some(Ok(_))) {
                s.rows += 1;
            }
        }
        next
    }))
}

/// Rows with their heap addresses.
type AddressedRows<'a> = Box<dyn Iterator<Item = Result<(crate::storage::Tid, Row)>> + 'a>;

/// The rows of a table scan node with their addresses (only the columns
/// `keep` marks decoded, when given).
fn addressed_scan<'a>(
    node: &'a Node,
    keep: Option<&std::sync::Arc<[bool]>>,
    ctx: &'a ExecContext<'a>,
) -> Result<AddressedRows<'a>> {
    Ok(match node {
        Node::SeqScan { table } => {
            let scan = TableScan::new(ctx, table.rel(), table.columns.len())?;
            match keep {
                Some(keep) => Box::new(scan.keeping(keep.clone())),
                None => Box::new(scan),
            }
        }
        Node::IndexScan { table, access } => {
            let scan = index_scan::IndexScan::new(
                ctx,
                table.rel(),
                table.columns.len(),
                access,
                node as *const Node as usize,
            )?;
            match keep {
                Some(keep) => Box::new(scan.keeping(keep.clone())),
                None => Box::new(scan),
            }
        }
        other => return Err(crate::errinternal!("row addresses of {other:?}")),
    })
}

fn with_address((tid, mut row): (crate::storage::Tid, Row)) -> Row {
    row.push(row_lock::address_value(tid));
    row
}

fn build<'a>(node: &'a Node, ctx: &'a ExecContext<'a>) -> Result<Rows<'a>> {
    Ok(match node {
        Node::Values { rows } => values::values(rows, ctx),
        Node::Series {
            start,
            stop,
            step,
            ty,
        } => series::series(start, stop, step.as_ref(), *ty, ctx)?,
        Node::SeqScan { .. } | Node::IndexScan { .. } => {
            Box::new(addressed_scan(node, None, ctx)?.map(|r| r.map(|(_, row)| row)))
        }
        Node::WithAddress { scan } => {
            Box::new(addressed_scan(scan, None, ctx)?.map(|r| r.map(with_address)))
        }
        Node::Pruned { scan, keep } => {
            let started = std::time::Instant::now();
            let rows = addressed_scan(scan, Some(keep), ctx)?;
            // EXPLAIN ANALYZE shows the scan's line: count there.
            counted(
                scan,
                Box::new(rows.map(|r| r.map(|(_, row)| row))),
                started,
                ctx,
            )
        }
        Node::LockRows {
            input,
            table,
            address,
            waiting,
        } => row_lock::lock_rows(execute(input, ctx)?, ctx, table, *address, *waiting),
        Node::Filter { input, predicate } => filter::filter(execute(input, ctx)?, predicate, ctx),
        Node::Project { input, exprs } => project::project(execute(input, ctx)?, exprs, ctx),
        Node::ProjectSet { input, calls } => {
            project_set::project_set(execute(input, ctx)?, calls, ctx)
        }
        Node::Window { input, calls } => window::window(execute(input, ctx)?, calls, ctx)?,
        Node::Aggregate {
            input,
            group_by,
            aggregates,
            sets,
        } => aggregate::aggregate(execute(input, ctx)?, group_by, aggregates, sets, ctx)?,
        Node::Sort { input, keys } => sort::sort(execute(input, ctx)?, keys, ctx)?,
        Node::Distinct { input } => distinct::distinct(execute(input, ctx)?),
        Node::DistinctOn { input, columns } => distinct::distinct_on(execute(input, ctx)?, columns),
        Node::SetOp {
            left,
            right,
            op,
            all,
        } => setop::set_op(execute(left, ctx)?, execute(right, ctx)?, *op, *all)?,
        Node::Limit {
            input,
            limit,
            offset,
            ties,
        } => limit::limit(
            execute(input, ctx)?,
            limit.as_ref(),
            offset.as_ref(),
            ties,
            ctx,
        )?,
        Node::RecursiveUnion {
            base,
            recursive,
            work_table,
            all,
        } => recursive::recursive_union(base, recursive, *work_table, *all, ctx)?,
        Node::WorkTable { id, .. } => recursive::work_table(*id, ctx),
        Node::Lateral {
            left,
            right,
            right_width,
            correlated,
            left_outer,
            predicate,
        } => join::lateral(
            execute(left, ctx)?,
            right,
            *right_width,
            *correlated,
            *left_outer,
            predicate.as_ref(),
            ctx,
        )?,
        Node::IndexNestedLoop {
            left,
            right,
            right_width,
            predicate,
            left_outer,
            ..
        } => index_join::index_nested_loop(
            execute(left, ctx)?,
            right,
            *right_width,
            predicate.as_ref(),
            *left_outer,
            ctx,
        )?,
        Node::MergeJoin { left, right, .. } => {
            merge_join::merge_join(node, execute(left, ctx)?, execute(right, ctx)?, ctx)?
        }
        Node::NestedLoopJoin {
            left,
            right,
            predicate,
            left_outer,
            right_width,
            right_outer,
        } => join::nested_loop(
            execute(left, ctx)?,
            execute(right, ctx)?,
            predicate.as_ref(),
            join::Outer {
                left: *left_outer,
                right_width: *right_width,
                right: *right_outer,
                left_width: left.width(),
            },
            ctx,
        )?,
    })
}
