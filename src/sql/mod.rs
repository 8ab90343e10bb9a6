//! SQL: from text to rows.
//!
//! The life of a SQL statement:
//! 1. `parser::parse` turns text into sqlparser AST statements.
//! 2. `session::Session::execute` takes the engine's statement lock (shared
//!    for queries, exclusive for writes, with a fresh transaction id).
//! 3. `binder::bind` resolves names against the catalog, types every
//!    expression and infers `$n` parameter types, producing a `plan::Plan`.
//! 4. `exec::execute` turns the plan's nodes into pull-based row iterators
//!    (`exec::scan` reads heap pages through the buffer pool); writes go
//!    through `exec::write`, which checks every row before storing any.
//! 5. Rows flow to a `session::RowSink` (the server encodes them for the
//!    wire); the session returns the command tag (`INSERT 0 3`).

pub mod binder;
pub mod copy;
pub mod copy_binary;
pub mod database_syntax;
pub mod eval;
pub mod exec;
pub mod explain;
pub mod expr;
pub mod grant_syntax;
pub mod overriding;
pub mod parser;
pub mod plan;
mod plan_inputs;
pub mod sequence_syntax;
pub mod session;
