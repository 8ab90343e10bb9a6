//! Runs every `sql-tests/**/*.slt` file over a real connection to a fresh
//! in-process FlintDB, once with the simple query protocol and once with
//! the extended protocol (Parse/Bind/Execute with binary results).
//!
//! Errors read `SQLSTATE: message`, so files can say `statement error 42P01`;
//! records marked `onlyif flintdb` (FlintDB's 0A000 rejections) are skipped
//! on PostgreSQL, and `onlyif simple` / `onlyif extended` run over one
//! protocol only (where text and binary results differ, as for regclass).
//! A statement consisting of `-- flintdb:restart` stops the server cleanly
//! and starts it again on the same data directory (PostgreSQL sees an
//! empty query). Set `FLINTDB_TEST_PG` to a libpq-style connection string
//! (e.g. `host=127.0.0.1 port=5432 user=postgres password=postgres`) to run
//! the same files against PostgreSQL too, in a scratch schema, and
//! `FLINTDB_SLT_POSTGRES_ONLY=1` to skip FlintDB then (CI has just run it).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use common::TestServer;
use flintdb::types::{binary, float_format, text, DataType};
use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType, Runner};
use tokio::sync::Mutex;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

const RESTART: &str = "-- flintdb:restart";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Protocol {
    Simple,
    Extended,
}

impl Protocol {
    /// The sqllogictest label records can name with `onlyif`.
    fn label(self) -> &'static str {
        match self {
            Protocol::Simple => "simple",
            Protocol::Extended => "extended",
        }
    }
}

#[derive(Debug)]
struct DbError(String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

fn db_error(e: tokio_postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(d) => DbError(format!("{}: {}", d.code().code(), d.message())),
        None => DbError(e.to_string()),
    }
}

struct Db {
    client: Client,
    protocol: Protocol,
    server: Option<Arc<Mutex<TestServer>>>,
}

#[async_trait]
impl AsyncDB for Db {
    type Error = DbError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DbError> {
        if sql.trim() == RESTART {
            if let Some(server) = &self.server {
                let mut s = server.lock().await;
                s.restart().await;
                self.client = s.connect().await;
            }
            return Ok(DBOutput::StatementComplete(0));
        }
        match self.protocol {
            Protocol::Simple => self.run_simple(sql).await,
            Protocol::Extended => self.run_extended(sql).await,
        }
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        if self.server.is_some() {
            "flintdb"
        } else {
            "postgres"
        }
    }
}

impl Db {
    async fn run_simple(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DbError> {
        let messages = self.client.simple_query(sql).await.map_err(db_error)?;
        let mut rows = Vec::new();
        let mut width = None;
        let mut count = 0;
        for m in messages {
            match m {
                SimpleQueryMessage::Row(r) => {
                    rows.push(
                        (0..r.len())
                            .map(|i| show(r.get(i).map(str::to_string)))
                            .collect::<Vec<_>>(),
                    );
                }
                SimpleQueryMessage::RowDescription(d) => width = Some(d.len()),
                SimpleQueryMessage::CommandComplete(n) => count = n,
                _ => {}
            }
        }
        Ok(match width {
            Some(w) => DBOutput::Rows {
                types: vec![DefaultColumnType::Any; w],
                rows,
            },
            None => DBOutput::StatementComplete(count),
        })
    }

    async fn run_extended(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, DbError> {
        let statement = self.client.prepare(sql).await.map_err(db_error)?;
        if statement.columns().is_empty() {
            let n = self
                .client
                .execute(&statement, &[])
                .await
                .map_err(db_error)?;
            return Ok(DBOutput::StatementComplete(n));
        }
        let rows = self.client.query(&statement, &[]).await.map_err(db_error)?;
        let types = vec![DefaultColumnType::Any; statement.columns().len()];
        let rows = rows
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| show(binary_as_text(row, i)))
                    .collect()
            })
            .collect();
        Ok(DBOutput::Rows { types, rows })
    }
}

fn show(v: Option<String>) -> String {
    match v {
        None => "NULL".to_string(),
        Some(s) if s.is_empty() => "(empty)".to_string(),
        Some(s) => s,
    }
}

/// Raw bytes of any column.
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A binary result value in PostgreSQL's text format. Scalars decode with
/// tokio-postgres's own decoders; numeric and date/time go through
/// FlintDB's binary decoder.
fn binary_as_text(row: &tokio_postgres::Row, i: usize) -> Option<String> {
    let ty = row.columns()[i].type_().clone();
    match ty {
        Type::BOOL => row
            .get::<_, Option<bool>>(i)
            .map(|b| if b { "t" } else { "f" }.to_string()),
        Type::INT2 => row.get::<_, Option<i16>>(i).map(|v| v.to_string()),
        Type::INT4 => row.get::<_, Option<i32>>(i).map(|v| v.to_string()),
        Type::INT8 => row.get::<_, Option<i64>>(i).map(|v| v.to_string()),
        Type::FLOAT4 => row.get::<_, Option<f32>>(i).map(float_format::format_f32),
        Type::FLOAT8 => row.get::<_, Option<f64>>(i).map(float_format::format_f64),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => row.get::<_, Option<String>>(i),
        Type::BYTEA => row
            .get::<_, Option<Vec<u8>>>(i)
            .map(|b| text::format_bytea(&b)),
        // Enum types (found by tokio-postgres's pg_type lookup) send their
        // label.
        other if matches!(other.kind(), tokio_postgres::types::Kind::Enum(_)) => {
            let raw = row.get::<_, Option<Raw>>(i)?;
            Some(String::from_utf8(raw.0).expect("an enum label is UTF-8"))
        }
        // Arrays of an enum type: their elements are labels, as text's.
        other if matches!(other.kind(), tokio_postgres::types::Kind::Array(e) if matches!(e.kind(), tokio_postgres::types::Kind::Enum(_))) =>
        {
            let mut raw = row.get::<_, Option<Raw>>(i)?.0;
            // Read as text[]: the header names text as the element type.
            if let Some(elem) = raw.get_mut(8..12) {
                elem.copy_from_slice(&25u32.to_be_bytes());
            }
            let value =
                binary::decode(&raw, DataType::Array(&DataType::Text)).expect("valid binary array");
            text::format(&value)
        }
        other => {
            let raw = row.get::<_, Option<Raw>>(i)?;
            let data_type = DataType::from_oid(other.oid())
                .unwrap_or_else(|| panic!("unsupported result type {other:?}"));
            let value = binary::decode(&raw.0, data_type).expect("valid binary value");
            text::format(&value)
        }
    }
}

fn slt_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("sql-tests")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "slt") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sql-tests"),
        &mut files,
    );
    assert!(!files.is_empty(), "no .slt files found");
    files
}

async fn run_file_on_flintdb(path: &Path, protocol: Protocol) -> Result<(), String> {
    let server = Arc::new(Mutex::new(TestServer::start().await));
    let conn = server.lock().await.conn_str();
    let srv = server.clone();
    let mut runner = Runner::new(move || {
        let conn = conn.clone();
        let srv = srv.clone();
        async move {
            let client = common::connect(&conn).await;
            Ok(Db {
                client,
                protocol,
                server: Some(srv),
            })
        }
    });
    runner.add_label("flintdb");
    runner.add_label(protocol.label());
    let result = runner
        .run_file_async(path)
        .await
        .map_err(|e| format!("{}", e.display(true)));
    server.lock().await.stop().await;
    result
}

async fn run_file_on_postgres(path: &Path, conn: &str, protocol: Protocol) -> Result<(), String> {
    let admin = common::connect(conn).await;
    admin
        .batch_execute(
            "DROP SCHEMA IF EXISTS public CASCADE; \
             CREATE SCHEMA public AUTHORIZATION pg_database_owner; \
             GRANT USAGE ON SCHEMA public TO PUBLIC;",
        )
        .await
        .map_err(|e| e.to_string())?;
    let conn = conn.to_string();
    let mut runner = Runner::new(move || {
        let conn = conn.clone();
        async move {
            Ok(Db {
                client: common::connect(&conn).await,
                protocol,
                server: None,
            })
        }
    });
    runner.add_label("postgres");
    runner.add_label(protocol.label());
    runner
        .run_file_async(path)
        .await
        .map_err(|e| format!("{}", e.display(true)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_tests_over_the_wire() {
    let postgres = std::env::var("FLINTDB_TEST_PG").ok();
    let flintdb = postgres.is_none() || std::env::var_os("FLINTDB_SLT_POSTGRES_ONLY").is_none();
    let mut failures = Vec::new();
    // FLINTDB_SLT_FILTER=interval runs only the files whose path has it.
    let filter = std::env::var("FLINTDB_SLT_FILTER").unwrap_or_default();
    let files: Vec<PathBuf> = slt_files()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    for path in &files {
        for protocol in [Protocol::Simple, Protocol::Extended] {
            if flintdb {
                if let Err(e) = run_file_on_flintdb(path, protocol).await {
                    failures.push(format!("FlintDB {protocol:?} {}:\n{e}", path.display()));
                }
            }
            if let Some(pg) = &postgres {
                if let Err(e) = run_file_on_postgres(path, pg, protocol).await {
                    failures.push(format!("PostgreSQL {protocol:?} {}:\n{e}", path.display()));
                }
            }
        }
    }
    println!(
        "{} sql-test files, 2 protocols each, on {}",
        files.len(),
        match (flintdb, postgres.is_some()) {
            (true, true) => "FlintDB and PostgreSQL",
            (true, false) => "FlintDB",
            _ => "PostgreSQL",
        }
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
