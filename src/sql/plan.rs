//! Plans: what the binder produces and the executor runs.
//!
//! A [`Node`] is a tree of relational operators, each producing rows of a
//! known width; a [`Plan`] is a whole statement. Plans are plain data:
//! cloning one and running it twice is fine.

use std::sync::Arc;

use super::expr::{AggregateCall, Expr};
use crate::catalog::{ColumnDef, TableDef};
use crate::types::ColumnType;

/// A relational operator.
#[derive(Clone, Debug)]
pub enum Node {
    /// Constant rows (VALUES, or the single empty row of a FROM-less SELECT).
    Values { rows: Vec<Vec<Expr>> },
    /// Every visible row of a table, all columns.
    SeqScan { table: Arc<TableDef> },
    /// Rows for which the predicate is true.
    Filter { input: Box<Node>, predicate: Expr },
    /// One output column per expression.
    Project { input: Box<Node>, exprs: Vec<Expr> },
    /// Group keys then aggregate values, one row per group (one row in all
    /// when there are no keys).
    Aggregate {
        input: Box<Node>,
        group_by: Vec<Expr>,
        aggregates: Vec<AggregateCall>,
    },
    /// Rows ordered by the keys (stable).
    Sort {
        input: Box<Node>,
        keys: Vec<SortKey>,
    },
    /// Rows with duplicates removed.
    Distinct { input: Box<Node> },
    /// OFFSET then LIMIT; both evaluated once (constants or parameters).
    Limit {
        input: Box<Node>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
    /// UNION / INTERSECT / EXCEPT of two inputs of the same shape.
    SetOp {
        left: Box<Node>,
        right: Box<Node>,
        op: SetOp,
        all: bool,
    },
    /// Pairs of rows (left columns then right columns) where the predicate
    /// holds; LEFT keeps unmatched left rows padded with NULLs.
    NestedLoopJoin {
        left: Box<Node>,
        right: Box<Node>,
        predicate: Option<Expr>,
        left_outer: bool,
        right_width: usize,
    },
}

/// A set operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

/// One ORDER BY key.
#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: bool,
}

/// A result column as described to the client.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputColumn {
    pub name: String,
    pub ty: ColumnType,
    /// The source table's OID and column number, when the column is a plain
    /// reference to a table column (0 otherwise).
    pub table_oid: u32,
    pub column_number: i16,
}

/// The RETURNING list of a write.
#[derive(Clone, Debug)]
pub struct Returning {
    pub exprs: Vec<Expr>,
    pub columns: Vec<OutputColumn>,
}

/// A bound statement.
#[derive(Clone, Debug)]
pub enum Plan {
    Query {
        root: Node,
        columns: Vec<OutputColumn>,
    },
    Insert {
        table: Arc<TableDef>,
        /// Produces rows of the target columns, in `targets` order.
        source: Node,
        /// Table column index of each source column.
        targets: Vec<usize>,
        /// Bound DEFAULT of each table column (NULL where none).
        defaults: Vec<Option<Expr>>,
        returning: Option<Returning>,
    },
    Update {
        table: Arc<TableDef>,
        predicate: Option<Expr>,
        /// Table column index and new value (over the old row).
        assignments: Vec<(usize, Expr)>,
        returning: Option<Returning>,
    },
    Delete {
        table: Arc<TableDef>,
        predicate: Option<Expr>,
        returning: Option<Returning>,
    },
    CreateTable {
        name: String,
        columns: Vec<ColumnDef>,
        if_not_exists: bool,
    },
    DropTable {
        names: Vec<String>,
        if_exists: bool,
    },
    /// DROP VIEW IF EXISTS of views that do not exist (FlintDB has none):
    /// only notices.
    DropView {
        names: Vec<String>,
    },
    /// A statement the session runs itself (transaction control, SHOW);
    /// only described, never executed as a plan.
    Utility {
        columns: Option<Vec<OutputColumn>>,
    },
}

impl Plan {
    /// The columns this statement returns, if any.
    pub fn output_columns(&self) -> Option<&[OutputColumn]> {
        match self {
            Plan::Query { columns, .. } => Some(columns),
            Plan::Insert { returning, .. }
            | Plan::Update { returning, .. }
            | Plan::Delete { returning, .. } => returning.as_ref().map(|r| r.columns.as_slice()),
            Plan::Utility { columns } => columns.as_deref(),
            Plan::CreateTable { .. } | Plan::DropTable { .. } | Plan::DropView { .. } => None,
        }
    }
}
