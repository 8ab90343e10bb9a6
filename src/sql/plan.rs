//! Plans: what the binder produces and the executor runs.
//!
//! A [`Node`] is a tree of relational operators, each producing rows of a
//! known width; a [`Plan`] is a whole statement. Plans are plain data:
//! cloning one and running it twice is fine.

use std::sync::Arc;

use super::expr::{AggregateCall, Expr};
use crate::catalog::{ColumnDef, IndexDef, SequenceDef, TableDef};
use crate::encoding::key::KeyOrder;
use crate::types::ColumnType;

/// What a row lock does about a row another transaction holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Wait for it (UPDATE, DELETE, plain FOR UPDATE).
    Wait,
    /// Fail at once with 55P03 (NOWAIT).
    NoWait,
    /// Leave the row out (SKIP LOCKED).
    SkipLocked,
}

/// A relational operator.
#[derive(Clone, Debug)]
pub enum Node {
    /// Constant rows (VALUES, or the single empty row of a FROM-less SELECT).
    Values { rows: Vec<Vec<Expr>> },
    /// Every visible row of a table, all columns.
    SeqScan { table: Arc<TableDef> },
    /// `generate_series(start, stop, step)`: one column of type `ty`
    /// (int4, int8 or numeric); the arguments are evaluated once.
    Series {
        start: Expr,
        stop: Expr,
        step: Option<Expr>,
        ty: crate::types::DataType,
    },
    /// The visible rows of a table whose index entries fall within bounds,
    /// all columns, in index order (reversed when not `forward`).
    IndexScan {
        table: Arc<TableDef>,
        access: IndexAccess,
    },
    /// A scan (SeqScan or IndexScan) whose rows carry only the columns
    /// `keep` marks: the others are NULL, never decoded (nor fetched when
    /// stored out of line), as nothing above reads them.
    Pruned { scan: Box<Node>, keep: Arc<[bool]> },
    /// The rows of a scan (SeqScan or IndexScan) with each row's address
    /// appended as one more int8 column, for LockRows.
    WithAddress { scan: Box<Node> },
    /// SELECT … FOR UPDATE/SHARE: locks the version of `table` whose
    /// address is in column `address` of each row before passing it on.
    LockRows {
        input: Box<Node>,
        table: Arc<TableDef>,
        address: usize,
        waiting: Waiting,
    },
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
        /// GROUPING SETS / ROLLUP / CUBE: each set's group keys (positions
        /// in `group_by`; the others are NULL in its rows). Empty: one
        /// plain grouping by every key.
        sets: Vec<Vec<usize>>,
    },
    /// Rows ordered by the keys (stable).
    Sort {
        input: Box<Node>,
        keys: Vec<SortKey>,
    },
    /// Rows with duplicates removed.
    Distinct { input: Box<Node> },
    /// DISTINCT ON: the first row of each run of equal values in these
    /// columns (the input is ordered by them).
    DistinctOn {
        input: Box<Node>,
        columns: Vec<usize>,
    },
    /// OFFSET then LIMIT; both evaluated once (constants or parameters).
    Limit {
        input: Box<Node>,
        limit: Option<Expr>,
        offset: Option<Expr>,
        /// WITH TIES: the ORDER BY keys (rows equal in them to the last
        /// row within the limit come too); empty otherwise.
        ties: Vec<SortKey>,
    },
    /// UNION / INTERSECT / EXCEPT of two inputs of the same shape.
    SetOp {
        left: Box<Node>,
        right: Box<Node>,
        op: SetOp,
        all: bool,
    },
    /// Set-returning functions in a select list (or FROM): per input row,
    /// each call's values side by side, as many rows as the longest gives
    /// (shorter ones padded with NULL); the input's columns then one per
    /// call.
    ProjectSet {
        input: Box<Node>,
        calls: Vec<SetCall>,
    },
    /// Window functions: the input's rows, each with one more column per
    /// call, computed over its partition (rows come out in the order of
    /// the last call's partitioning and ordering).
    Window {
        input: Box<Node>,
        calls: Vec<WindowCall>,
    },
    /// WITH RECURSIVE: `base`'s rows, then `recursive` run again and again
    /// over the rows the previous round added (read by its WorkTable node)
    /// until a round adds none; without `all`, duplicates are dropped.
    RecursiveUnion {
        base: Box<Node>,
        recursive: Box<Node>,
        work_table: usize,
        all: bool,
    },
    /// The rows the enclosing RecursiveUnion's previous round added.
    WorkTable { id: usize, width: usize },
    /// Pairs of rows (left columns then right columns) where the predicate
    /// holds; LEFT keeps unmatched left rows padded with NULLs, RIGHT
    /// unmatched right rows, FULL both.
    /// LATERAL: `right` runs for each row of `left` (which it reads as
    /// its outer row); LEFT keeps left rows it gives nothing for.
    Lateral {
        left: Box<Node>,
        right: Box<Node>,
        right_width: usize,
        correlated: bool,
        left_outer: bool,
        predicate: Option<Expr>,
    },
    NestedLoopJoin {
        left: Box<Node>,
        right: Box<Node>,
        predicate: Option<Expr>,
        left_outer: bool,
        right_width: usize,
        /// RIGHT (or FULL) JOIN: unmatched right rows too, padded with
        /// this many NULLs for the left columns.
        right_outer: Option<usize>,
    },
    /// Index nested loop: for each left row, the rows of `right` (an
    /// IndexScan, maybe under a Filter of the table's own conditions)
    /// whose index bounds are computed from that left row (bound
    /// expressions read the left row's columns). `predicate`, over the
    /// joined row, is the whole join condition, re-checked per pair;
    /// `index_cond` are its conjuncts the index answers (for EXPLAIN).
    /// LEFT keeps left rows that find none.
    IndexNestedLoop {
        left: Box<Node>,
        right: Box<Node>,
        right_width: usize,
        predicate: Option<Expr>,
        index_cond: Vec<Expr>,
        left_outer: bool,
    },
    /// Merge join of two inputs that arrive ordered by their join keys
    /// (index scans): runs of equal keys are paired, `predicate` (the
    /// whole join condition, over the joined row) re-checked per pair.
    /// Both inputs ascend in the keys' encoding by `order` (the left
    /// scan's order, as read). LEFT keeps left rows that find none. Rows
    /// come out in the left key's order.
    MergeJoin {
        left: Box<Node>,
        right: Box<Node>,
        right_width: usize,
        key: Box<MergeKey>,
        predicate: Option<Expr>,
        left_outer: bool,
    },
}

impl Node {
    /// How many columns the node's rows have.
    pub fn width(&self) -> usize {
        match self {
            Node::SeqScan { table } | Node::IndexScan { table, .. } => table.columns.len(),
            Node::WithAddress { scan } => scan.width() + 1,
            Node::Pruned { scan, .. } => scan.width(),
            Node::NestedLoopJoin {
                left, right_width, ..
            }
            | Node::IndexNestedLoop {
                left, right_width, ..
            }
            | Node::MergeJoin {
                left, right_width, ..
            }
            | Node::Lateral {
                left, right_width, ..
            } => left.width() + right_width,
            Node::LockRows { input, .. }
            | Node::Filter { input, .. }
            | Node::Sort { input, .. }
            | Node::Distinct { input }
            | Node::DistinctOn { input, .. }
            | Node::Limit { input, .. } => input.width(),
            Node::Project { exprs, .. } => exprs.len(),
            Node::Values { rows } => rows.first().map_or(0, Vec::len),
            Node::Series { .. } => 1,
            Node::Aggregate {
                group_by,
                aggregates,
                ..
            } => group_by.len() + aggregates.len(),
            Node::SetOp { left, .. } | Node::RecursiveUnion { base: left, .. } => left.width(),
            Node::WorkTable { width, .. } => *width,
            Node::ProjectSet { input, calls } => input.width() + calls.len(),
            Node::Window { input, calls } => input.width() + calls.len(),
        }
    }
}

/// A merge join's key: an expression over each input's rows and how its
/// values are encoded for comparison.
#[derive(Clone, Debug)]
pub struct MergeKey {
    pub left: Expr,
    pub right: Expr,
    pub order: KeyOrder,
}

/// A window function call: `func(args) OVER (PARTITION BY … ORDER BY …
/// frame)`.
#[derive(Clone, Debug)]
pub struct WindowCall {
    pub func: WindowFunction,
    pub args: Vec<Expr>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortKey>,
    pub frame: Frame,
    pub ty: crate::types::DataType,
}

/// The window functions: ranking and value functions, and aggregates.
#[derive(Clone, Debug)]
pub enum WindowFunction {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
    Aggregate(Box<AggregateCall>),
}

/// Which rows of the partition a row's frame holds, from `start` to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// ROWS (offsets count rows) or RANGE (CURRENT ROW means its peers).
    pub rows: bool,
    pub start: FrameBound,
    pub end: FrameBound,
}

/// One end of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(u64),
    CurrentRow,
    Following(u64),
    UnboundedFollowing,
}

/// A set-returning function call.
#[derive(Clone, Debug)]
pub struct SetCall {
    pub func: SetFunction,
    pub args: Vec<Expr>,
    /// The type of the values it returns.
    pub ty: crate::types::DataType,
}

/// The set-returning functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetFunction {
    /// generate_series(start, stop [, step]).
    Series,
    /// unnest(array): the elements.
    Unnest,
    /// information_schema._pg_expandarray(array): records (x, n) of each
    /// element and its position (from 1).
    ExpandArray,
    /// generate_subscripts(array, dim [, reverse]).
    Subscripts,
    /// generate_subscripts over an int2vector or oidvector (from 0).
    VectorSubscripts,
    /// pg_partition_ancestors(regclass): no rows (FlintDB has no
    /// partitions).
    PartitionAncestors,
    /// json[b]_array_elements, json[b]_array_elements_text,
    /// json[b]_object_keys.
    JsonElements,
    JsonElementsText,
    JsonObjectKeys,
    /// json[b]_each[_text] in FROM: two calls side by side, the keys and
    /// the values (as JSON or as text).
    JsonEachKey,
    JsonEachValue,
    JsonEachValueText,
    /// json[b]_each[_text] in a select list: (key, value) records.
    JsonEach,
}

/// One action of ALTER TABLE.
#[derive(Clone, Debug)]
pub enum AlterAction {
    /// ADD COLUMN: existing rows get `fill` (the DEFAULT, per row);
    /// `indexes` are the table's, to index the rewritten rows.
    AddColumn {
        column: ColumnDef,
        sequence: Option<SequenceDef>,
        checks: Vec<crate::catalog::CheckDef>,
        bound_checks: Vec<BoundCheck>,
        fill: Option<Expr>,
        indexes: Vec<Arc<BoundIndex>>,
    },
    RenameColumn {
        column: usize,
        to: String,
    },
    RenameTable {
        to: String,
    },
    /// SET DEFAULT (Some) or DROP DEFAULT (None).
    SetDefault {
        column: usize,
        default: Option<String>,
    },
    /// SET NOT NULL: refused while a row holds NULL there.
    SetNotNull {
        column: usize,
    },
    DropNotNull {
        column: usize,
    },
    /// ADD CHECK: refused while a row violates it.
    AddCheck {
        check: crate::catalog::CheckDef,
        expr: Expr,
    },
    /// ADD FOREIGN KEY: refused while a row references nothing.
    AddForeignKey {
        fk: crate::catalog::ForeignKeyDef,
    },
    /// DROP CONSTRAINT: a CHECK, or the index of a PRIMARY KEY / UNIQUE.
    DropConstraint {
        name: String,
    },
    /// DROP COLUMN: the column keeps its slot under PostgreSQL's dropped
    /// name; the indexes and constraints on it and the sequence it owns
    /// go with it.
    DropColumn {
        column: usize,
        indexes: Vec<String>,
        constraints: Vec<String>,
        sequences: Vec<String>,
        /// CASCADE: the views reading the column, and other tables'
        /// foreign keys to it as (table, constraint).
        views: Vec<String>,
        foreign_keys: Vec<(String, String)>,
    },
    /// ALTER COLUMN … TYPE: every row rewritten with `convert` (over the
    /// row as stored), then the indexes on the column rebuilt.
    AlterType {
        column: usize,
        ty: crate::types::ColumnType,
        convert: Expr,
        /// The table's other indexes, maintained by the rewrite.
        indexes: Vec<Arc<BoundIndex>>,
        /// The indexes on the column, bound over the new type.
        rebuild: Vec<Arc<BoundIndex>>,
        checks: Vec<BoundCheck>,
    },
    /// Nothing to do (IF [NOT] EXISTS): the notice to send.
    Skip {
        notice: String,
    },
}

/// INSERT … ON CONFLICT: the arbiter indexes (positions in the plan's
/// `indexes`) and what a conflicting row gets.
#[derive(Clone, Debug)]
pub struct OnConflict {
    pub arbiters: Vec<usize>,
    pub action: ConflictAction,
}

/// DO NOTHING, or DO UPDATE with expressions over the existing row
/// followed by the proposed one (`excluded`).
#[derive(Clone, Debug)]
pub enum ConflictAction {
    Nothing,
    Update {
        assignments: Vec<(usize, Expr)>,
        predicate: Option<Expr>,
    },
}

/// A CHECK constraint bound over its table's rows.
#[derive(Clone, Debug)]
pub struct BoundCheck {
    pub name: String,
    pub expr: Expr,
}

/// An index with its keys bound over its table's rows.
#[derive(Clone, Debug)]
pub struct BoundIndex {
    pub def: IndexDef,
    /// The ordered keys, as expressions over a table row.
    pub keys: Vec<Expr>,
    pub orders: Vec<KeyOrder>,
    /// A partial index's predicate, over a table row.
    pub predicate: Option<Expr>,
    /// Each key as messages show it: a column name or expression text.
    pub key_names: Vec<String>,
    /// INCLUDE columns (table column number and type), stored after the
    /// keys.
    pub included: Vec<(usize, crate::types::DataType)>,
}

impl BoundIndex {
    /// How INCLUDE columns are encoded (they order nothing).
    pub fn included_orders(&self) -> Vec<KeyOrder> {
        self.included
            .iter()
            .map(|(_, t)| KeyOrder {
                data_type: *t,
                descending: false,
                nulls_first: false,
            })
            .collect()
    }
}

/// What a scan asks of one index key, leading keys first.
#[derive(Clone, Debug)]
pub enum KeyBound {
    Eq(Expr),
    In(Vec<Expr>),
    /// Lower and upper limits, each with whether it is included.
    Range {
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
}

/// How to reach rows through an index.
#[derive(Clone, Debug)]
pub struct IndexAccess {
    pub index: Arc<BoundIndex>,
    /// Conditions on the leading keys: equalities (or IN lists), then at
    /// most one range.
    pub bounds: Vec<KeyBound>,
    pub forward: bool,
    /// The WHERE conjuncts the bounds came from (shown by EXPLAIN).
    pub conditions: Vec<Expr>,
    /// Rows carry only the index's columns (the others are NULL), taken
    /// from the entries where the visibility map allows.
    pub index_only: bool,
}

/// A set operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

/// The ` DESC`, ` NULLS FIRST` / ` NULLS LAST` that follow a key in
/// PostgreSQL's deparsed ORDER BY and index definitions (only where they
/// differ from the default).
pub fn order_suffix(descending: bool, nulls_first: bool) -> &'static str {
    match (descending, nulls_first) {
        (true, true) => " DESC",
        (true, false) => " DESC NULLS LAST",
        (false, true) => " NULLS FIRST",
        (false, false) => "",
    }
}

/// One ORDER BY key.
#[derive(Clone, Debug, PartialEq)]
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

/// What ALTER TYPE changes in an enum type.
#[derive(Clone, Debug)]
pub enum EnumChange {
    /// ADD VALUE [IF NOT EXISTS] label [BEFORE|AFTER neighbour] (true:
    /// before).
    AddValue {
        label: String,
        neighbour: Option<(String, bool)>,
        if_not_exists: bool,
    },
    /// RENAME TO.
    Rename(String),
    /// RENAME VALUE old TO new.
    RenameValue { old: String, new: String },
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
        /// Every index of the table, to maintain.
        indexes: Vec<Arc<BoundIndex>>,
        /// Its CHECK constraints, to enforce.
        checks: Vec<BoundCheck>,
        on_conflict: Option<OnConflict>,
        returning: Option<Returning>,
    },
    Update {
        table: Arc<TableDef>,
        predicate: Option<Expr>,
        /// An index to find the rows by, instead of reading them all.
        access: Option<IndexAccess>,
        /// UPDATE … FROM: the target's rows, their addresses and the
        /// other tables' columns, joined under the WHERE condition (the
        /// assignments read these rows).
        from: Option<Box<Node>>,
        indexes: Vec<Arc<BoundIndex>>,
        checks: Vec<BoundCheck>,
        /// Table column index and new value (over the old row).
        assignments: Vec<(usize, Expr)>,
        returning: Option<Returning>,
    },
    Delete {
        table: Arc<TableDef>,
        predicate: Option<Expr>,
        access: Option<IndexAccess>,
        /// DELETE … USING, as UPDATE's `from`.
        from: Option<Box<Node>>,
        returning: Option<Returning>,
    },
    CreateTable {
        schema: String,
        name: String,
        /// CREATE TEMP TABLE: `schema` is the session's temporary schema,
        /// made by the first one.
        temporary: bool,
        on_commit: Option<OnCommit>,
        columns: Vec<ColumnDef>,
        /// PRIMARY KEY and UNIQUE constraints: their indexes (table and
        /// index OIDs are filled in when created).
        constraints: Vec<IndexDef>,
        /// The sequences of SERIAL and identity columns, by column
        /// position (owned by their column once the table exists).
        sequences: Vec<(usize, SequenceDef)>,
        /// CHECK constraints (OIDs filled in when created).
        checks: Vec<crate::catalog::CheckDef>,
        /// FOREIGN KEYs (a self-reference has `ref_table` 0 until created).
        foreign_keys: Vec<crate::catalog::ForeignKeyDef>,
        if_not_exists: bool,
    },
    /// ALTER TABLE: its actions in order, or (IF EXISTS) the missing name.
    AlterTable {
        table: Option<Arc<TableDef>>,
        missing: Option<String>,
        actions: Vec<AlterAction>,
    },
    /// COMMENT ON: the object (`oid`, and a column's number or 0), its
    /// kind and name for the ownership check, and the text (None: IS NULL).
    Comment {
        oid: u32,
        sub: i16,
        kind: &'static str,
        name: String,
        text: Option<String>,
    },
    /// CREATE TYPE name AS ENUM (labels) (owned by the session's role).
    CreateEnum {
        name: String,
        labels: Vec<String>,
    },
    /// ALTER TYPE on an enum type.
    AlterEnum {
        oid: u32,
        name: String,
        change: EnumChange,
    },
    /// DROP TYPE: (OID, name) of each type found, and the names IF EXISTS
    /// skipped.
    DropTypes {
        types: Vec<(u32, String)>,
        missing: Vec<String>,
    },
    /// CREATE SEQUENCE (the OID and owner are filled in when created).
    CreateSequence {
        def: SequenceDef,
        if_not_exists: bool,
    },
    /// ALTER SEQUENCE: the new definition and RESTART's value, or (IF
    /// EXISTS) the missing name.
    AlterSequence {
        def: Option<SequenceDef>,
        restart: Option<i64>,
        missing: Option<String>,
    },
    /// DROP SEQUENCE: the sequences, and (IF EXISTS) the missing names.
    DropSequence {
        names: Vec<String>,
        missing: Vec<String>,
    },
    /// CREATE INDEX, and ALTER TABLE … ADD PRIMARY KEY / UNIQUE.
    CreateIndex {
        table: Arc<TableDef>,
        index: BoundIndex,
        if_not_exists: bool,
        /// Columns a primary key makes NOT NULL.
        not_null: Vec<usize>,
        /// The command tag (CREATE INDEX or ALTER TABLE).
        tag: &'static str,
    },
    DropIndex {
        names: Vec<String>,
        if_exists: bool,
    },
    /// REINDEX: each index rebuilt from its table's rows.
    Reindex {
        indexes: Vec<(Arc<TableDef>, BoundIndex)>,
    },
    /// COPY … FROM STDIN: the rows arrive from the client afterwards, in
    /// `format`, for the `targets` columns (the others get defaults).
    CopyFrom {
        table: Arc<TableDef>,
        targets: Vec<usize>,
        defaults: Vec<Option<Expr>>,
        indexes: Vec<Arc<BoundIndex>>,
        checks: Vec<BoundCheck>,
        format: crate::sql::copy::CopyFormat,
        /// COPY … FROM 'file': the server file the rows come from.
        file: Option<String>,
    },
    /// COPY table or query TO STDOUT (or to a server file): each row of
    /// `root` as one record.
    CopyTo {
        root: Node,
        columns: Vec<OutputColumn>,
        format: crate::sql::copy::CopyFormat,
        file: Option<String>,
    },
    /// TRUNCATE of these tables.
    Truncate {
        tables: Vec<Arc<TableDef>>,
    },
    /// ANALYZE of these tables.
    Analyze {
        tables: Vec<Arc<TableDef>>,
    },
    /// EXPLAIN: the plan of a query as text.
    Explain {
        root: Node,
        costs: bool,
        analyze: bool,
        /// How long binding and planning the query took, in ms.
        planning_ms: f64,
        /// One text column, "QUERY PLAN".
        columns: Vec<OutputColumn>,
    },
    DropTable {
        names: Vec<String>,
        if_exists: bool,
        /// CASCADE: other tables' foreign keys to drop first (table key,
        /// constraint name) and the views reading the tables (keys).
        foreign_keys: Vec<(String, String)>,
        views: Vec<String>,
        /// The NOTICE lines of what CASCADE drops.
        cascaded: Vec<String>,
    },
    /// CREATE [OR REPLACE] VIEW: the view's columns and its query's text.
    CreateView {
        schema: String,
        name: String,
        columns: Vec<ColumnDef>,
        definition: String,
        replace: bool,
    },
    /// DROP VIEW: the views to drop, and (IF EXISTS) the names that were
    /// not views, for notices.
    DropView {
        names: Vec<String>,
        missing: Vec<String>,
    },
    /// CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role].
    CreateSchema {
        name: String,
        /// The AUTHORIZATION role (else the current role owns it).
        owner: Option<u32>,
        if_not_exists: bool,
    },
    /// DROP SCHEMA: the schemas to drop (each with what it holds, when
    /// CASCADE drops that too), and (IF EXISTS) the missing names.
    DropSchemas {
        schemas: Vec<crate::catalog::SchemaDef>,
        missing: Vec<String>,
        cascade: bool,
    },
    /// CREATE DATABASE name [OWNER role].
    CreateDatabase {
        name: String,
        owner: Option<u32>,
    },
    /// DROP DATABASE: the database (None: IF EXISTS and missing).
    DropDatabase {
        database: Option<crate::catalog::databases::DatabaseDef>,
        name: String,
    },
    /// A statement the session runs itself (transaction control, SHOW);
    /// only described, never executed as a plan.
    Utility {
        columns: Option<Vec<OutputColumn>>,
    },
}

/// What a temporary table's ON COMMIT does at each commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnCommit {
    DeleteRows,
    Drop,
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
            Plan::Explain { columns, .. } => Some(columns),
            Plan::CreateTable { .. }
            | Plan::DropTable { .. }
            | Plan::DropView { .. }
            | Plan::CreateView { .. }
            | Plan::CreateSequence { .. }
            | Plan::Comment { .. }
            | Plan::CreateEnum { .. }
            | Plan::AlterEnum { .. }
            | Plan::DropTypes { .. }
            | Plan::AlterTable { .. }
            | Plan::AlterSequence { .. }
            | Plan::DropSequence { .. }
            | Plan::CreateIndex { .. }
            | Plan::Analyze { .. }
            | Plan::Reindex { .. }
            | Plan::Truncate { .. }
            | Plan::CopyFrom { .. }
            | Plan::CopyTo { .. }
            | Plan::CreateSchema { .. }
            | Plan::DropSchemas { .. }
            | Plan::CreateDatabase { .. }
            | Plan::DropDatabase { .. }
            | Plan::DropIndex { .. } => None,
        }
    }
}
