//! `flintdb restore`: checks every file it will load against the
//! manifest's SHA-256 before loading any (one mismatch and nothing is
//! loaded), then rebuilds in pg_restore's order: the schema before the
//! data (schemas, types, sequences, tables, views), the data through COPY,
//! then indexes, constraints, foreign keys last, then sequence values,
//! comments, owners and grants.

use std::sync::Arc;

use bytes::Bytes;
use futures::SinkExt;
use tokio_postgres::Client;

use super::connect::{sql_error, Target};
use super::fetch::{fetch, Fetched, Scratch};
use super::location::Location;
use super::manifest::{self, DatabaseBackup};
use super::progress::Progress;
use crate::columnar::ParquetRows;
use crate::error::{Error, Result};
use crate::security::keys::KekSource;
use crate::sql::binder::system_views::quote_ident;
use crate::sql::eval::schema_dump::{Phase, Step};

/// What `flintdb restore` was asked to do.
pub struct RestoreRequest {
    pub target: Target,
    pub from: Location,
    pub create: bool,
    pub table: Option<String>,
    pub jobs: usize,
    pub quiet: bool,
    pub kek: Option<KekSource>,
}

/// What a restore loaded.
pub struct RestoreSummary {
    pub tables: usize,
    pub rows: u64,
    pub bytes: u64,
    pub warnings: usize,
}

/// Reads a backup's manifest.
pub async fn open_manifest(
    from: &Location,
    kek: Option<&KekSource>,
) -> Result<(
    manifest::Contents,
    Option<Arc<crate::storage::crypto::Keyring>>,
)> {
    let Some(bytes) = from.read_small(manifest::MANIFEST).await? else {
        return Err(Error::Corrupted(format!(
            "\"{}\" holds no manifest.json: it is not a backup, or the backup did not finish",
            from.describe()
        )));
    };
    manifest::parse(&bytes, kek)
}

/// `--list`: what the backup holds.
pub fn list(contents: &manifest::Contents, encrypted: bool) -> String {
    let mut out = format!(
        "FlintDB backup taken {} from PostgreSQL {} (FlintDB {}), snapshot {}{}\n",
        contents.created_at,
        contents.server_version,
        contents.flintdb_version,
        contents.snapshot,
        if encrypted { ", encrypted" } else { "" }
    );
    for db in &contents.databases {
        out.push_str(&format!("database {}\n", db.name));
        for f in &db.files {
            out.push_str(&format!(
                "  table {}: {} rows, {} bytes, {}\n",
                f.table, f.rows, f.bytes, f.path
            ));
        }
        let count = |p: Phase| db.schema.steps.iter().filter(|s| s.phase == p).count();
        out.push_str(&format!(
            "  {} schema statements, {} after the data, {} finishing\n",
            count(Phase::PreData),
            count(Phase::PostData),
            count(Phase::Finish)
        ));
    }
    out
}

fn matches_table(wanted: &str, qualified: &str) -> bool {
    let plain = qualified.replace('"', "");
    wanted == qualified
        || wanted == plain
        || plain.split_once('.').is_some_and(|(_, n)| n == wanted)
}

/// Restores a backup.
pub async fn restore(request: RestoreRequest) -> Result<RestoreSummary> {
    let (contents, keyring) = open_manifest(&request.from, request.kek.as_ref()).await?;
    let mut summary = RestoreSummary {
        tables: 0,
        rows: 0,
        bytes: 0,
        warnings: 0,
    };
    // A backup of several databases (--all) restores each under its own
    // name; a backup of one goes into the target database.
    let databases: Vec<&DatabaseBackup> = contents.databases.iter().collect();
    let scratch = Scratch::new("restore")?;
    // Check every file first: one bad file and nothing is loaded.
    let mut fetched: Vec<Vec<Fetched>> = Vec::new();
    let mut index = 0;
    for db in &databases {
        let mut files = Vec::new();
        for f in &db.files {
            if let Some(t) = &request.table {
                if !matches_table(t, &f.table) {
                    continue;
                }
            }
            index += 1;
            files.push(fetch(&request.from, f, keyring.as_ref(), &scratch, index).await?);
        }
        fetched.push(files);
    }
    if let Some(t) = &request.table {
        if fetched.iter().all(|f| f.is_empty()) {
            return Err(Error::Io(format!("the backup holds no table \"{t}\"")));
        }
    }
    for (db, files) in databases.iter().zip(fetched) {
        let name = if databases.len() == 1 {
            request.target.dbname.clone()
        } else {
            db.name.clone()
        };
        restore_database(&request, db, &name, files, &mut summary).await?;
    }
    Ok(summary)
}

async fn restore_database(
    request: &RestoreRequest,
    db: &DatabaseBackup,
    name: &str,
    files: Vec<Fetched>,
    summary: &mut RestoreSummary,
) -> Result<()> {
    let target = request.target.with_database(name);
    if request.create {
        let admin = request.target.with_database("postgres").connect().await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(name)))
            .await
            .map_err(|e| sql_error(e, &format!("creating database \"{name}\"")))?;
    }
    let client = target.connect().await?;
    let progress = Progress::new(request.quiet, files.len() as u64, "restored");
    let only = request.table.as_deref();
    let wanted = |s: &Step| match only {
        None => true,
        Some(t) => s.table.as_deref().is_some_and(|q| matches_table(t, q)),
    };
    if only.is_none() {
        ensure_empty(&client, name).await?;
    }
    for step in db
        .schema
        .steps
        .iter()
        .filter(|s| s.phase == Phase::PreData && wanted(s))
    {
        if only.is_some() && step.kind == "table" && table_exists(&client, step).await? {
            continue;
        }
        run_step(&client, step, &progress, summary).await?;
    }
    // Data, `jobs` tables at a time.
    let queue = Arc::new(parking_lot::Mutex::new(std::collections::VecDeque::from(
        files,
    )));
    let progress = Arc::new(progress);
    let width = request.jobs.max(1).min(queue.lock().len().max(1));
    let mut workers = Vec::new();
    for _ in 0..width {
        let worker = target.connect().await?;
        let (queue, progress) = (queue.clone(), progress.clone());
        let tables = db.schema.tables.clone();
        workers.push(tokio::spawn(async move {
            let mut loaded = Vec::new();
            loop {
                let next = queue.lock().pop_front();
                let Some(file) = next else { break };
                let types = tables
                    .iter()
                    .find(|t| t.qualified() == file.entry.table)
                    .map(|t| t.columns.as_slice());
                loaded.push(load_table(&worker, &file, types, &progress).await?);
            }
            Ok::<_, Error>(loaded)
        }));
    }
    for w in workers {
        for (rows, bytes) in w
            .await
            .map_err(|e| Error::Internal(format!("restore worker: {e}")))??
        {
            summary.tables += 1;
            summary.rows += rows;
            summary.bytes += bytes;
        }
    }
    for phase in [Phase::PostData, Phase::Finish] {
        for step in db
            .schema
            .steps
            .iter()
            .filter(|s| s.phase == phase && wanted(s))
        {
            run_step(&client, step, &progress, summary).await?;
        }
    }
    progress.finish();
    Ok(())
}

async fn ensure_empty(client: &Client, name: &str) -> Result<()> {
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'v', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
            &[],
        )
        .await
        .map_err(|e| sql_error(e, "checking the target database"))?;
    let n: i64 = row.get(0);
    if n > 0 {
        return Err(Error::Io(format!(
            "database \"{name}\" is not empty ({n} relations): restore into an empty database, use --create, or --table for one table"
        )));
    }
    Ok(())
}

async fn table_exists(client: &Client, step: &Step) -> Result<bool> {
    let Some(table) = &step.table else {
        return Ok(false);
    };
    let row = client
        .query_one("SELECT pg_catalog.to_regclass($1) IS NOT NULL", &[table])
        .await
        .map_err(|e| sql_error(e, "looking up the table"))?;
    Ok(row.get(0))
}

/// Runs one statement of the script. Owners and grants that name roles
/// the server lacks, and enum types another database already made (enum
/// types are cluster-wide in FlintDB), warn and go on, as pg_restore does.
async fn run_step(
    client: &Client,
    step: &Step,
    progress: &Progress,
    summary: &mut RestoreSummary,
) -> Result<()> {
    match client.batch_execute(&step.sql).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let code = e.code().map(|c| c.code().to_string()).unwrap_or_default();
            let tolerated = matches!(step.kind.as_str(), "owner" | "grant" | "comment")
                || (step.kind == "type" && code == "42710");
            let message = sql_error(e, &step.kind).message().to_string();
            if tolerated {
                summary.warnings += 1;
                progress.say(&format!("warning: {message}\n  statement: {}", step.sql));
                Ok(())
            } else {
                Err(Error::Io(format!("{message}\n  statement: {}", step.sql)))
            }
        }
    }
}

/// Loads one table's file through COPY; checks the row count against
/// the manifest. Returns rows and bytes.
async fn load_table(
    client: &Client,
    file: &Fetched,
    types: Option<&[(String, String)]>,
    progress: &Progress,
) -> Result<(u64, u64)> {
    let entry = &file.entry;
    let shown = progress.table(&entry.table);
    let columns = ParquetRows::open(std::fs::File::open(&file.path)?)?
        .schema()
        .fields()
        .iter()
        .map(|f| quote_ident(f.name()))
        .collect::<Vec<_>>();
    let binary = types.and_then(super::load::binary_types);
    let sql = format!(
        "COPY {} ({}) FROM STDIN{}",
        entry.table,
        columns.join(", "),
        if binary.is_some() {
            " (FORMAT binary)"
        } else {
            ""
        }
    );
    let rows = send_copy(client, &sql, file.path.clone(), binary).await?;
    if rows != entry.rows {
        return Err(Error::Corrupted(format!(
            "table {}: {rows} rows loaded, the manifest says {}",
            entry.table, entry.rows
        )));
    }
    shown.done(rows, entry.bytes);
    Ok((rows, entry.bytes))
}

async fn send_copy(
    client: &Client,
    sql: &str,
    path: std::path::PathBuf,
    binary: Option<Vec<crate::types::DataType>>,
) -> Result<u64> {
    let sink = client
        .copy_in::<_, Bytes>(sql)
        .await
        .map_err(|e| sql_error(e, sql))?;
    futures::pin_mut!(sink);
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let producer = tokio::task::spawn_blocking(move || super::load::copy_chunks(path, binary, tx));
    while let Some(chunk) = rx.recv().await {
        sink.send(chunk?).await.map_err(|e| sql_error(e, sql))?;
    }
    producer
        .await
        .map_err(|e| Error::Internal(format!("COPY producer: {e}")))?;
    sink.as_mut().finish().await.map_err(|e| sql_error(e, sql))
}
