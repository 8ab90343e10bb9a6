//! FlintDB: a single-node SQL database server that speaks the PostgreSQL
//! wire protocol.
//!
//! The life of a query, in order:
//! 1. `server::serve` accepts a TCP connection and hands it to pgwire;
//!    `server::handler` answers startup and each Query / Parse / Bind /
//!    Execute message.
//! 2. `sql::parser::parse` turns the SQL text into sqlparser's AST.
//! 3. `server::run::run_statement` moves to a blocking thread and calls
//!    `sql::session::Session::execute`, which takes the statement lock of
//!    `engine::Engine`.
//! 4. `sql::binder::bind` resolves names in `catalog::Catalog`, types the
//!    expressions (`types`) and builds a `sql::plan::Plan`.
//! 5. `sql::exec::execute` runs the plan as row iterators; a scan reads
//!    heap pages (`storage::heap`) through `storage::buffer::BufferPool`,
//!    which reads files through the `storage::io::File` trait and verifies
//!    each page's checksum (`storage::page`); `txn::is_visible` decides
//!    which tuple versions count.
//! 6. Rows are encoded in text or binary (`types::text`, `types::binary`)
//!    by `server::encode` and streamed to the client; errors become
//!    ErrorResponses with their SQLSTATE in `server::errors`.
//!
//! Layers import only those below them: server → sql → engine → catalog →
//! txn → storage; `types`, `encoding`, `security` and `error` are shared
//! leaves.

#![forbid(unsafe_code)]

#[cfg(feature = "backup-tools")]
pub mod backup;
pub mod catalog;
pub mod check;
#[cfg(feature = "parquet")]
pub mod columnar;
pub mod config;
pub mod copy_files;
pub mod encoding;
pub mod engine;
pub mod error;
pub mod security;
pub mod server;
pub mod sql;
pub mod storage;
pub mod txn;
pub mod types;
