//! `flintdb backup`: one REPEATABLE READ, read-only snapshot per database,
//! exported so that `--jobs` connections read the same state; each table
//! streamed as Parquet (`COPY … TO STDOUT (FORMAT parquet)`), hashed and,
//! when encrypted, sealed on the way to the destination; every data file
//! completed durably before the manifest is written, atomically, last.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::StreamExt;
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::connect::{sql_error, Target};
use super::location::Location;
use super::manifest::{self, BackupKey, Contents, DatabaseBackup, FileEntry};
use super::progress::Progress;
use super::seal::Sealer;
use crate::error::{Error, Result};
use crate::security::keys::KekSource;
use crate::sql::binder::system_views::quote_ident;
use crate::sql::eval::schema_dump::{SchemaScript, TableEntry};

/// What `flintdb backup` was asked to do.
pub struct BackupRequest {
    pub target: Target,
    pub all: bool,
    pub to: Location,
    pub jobs: usize,
    pub quiet: bool,
    pub kek: Option<KekSource>,
}

/// What a finished backup holds.
pub struct BackupSummary {
    pub tables: usize,
    pub rows: u64,
    pub bytes: u64,
    pub encrypted: bool,
}

async fn query_one(client: &Client, sql: &str) -> Result<String> {
    let row = client
        .query_one(sql, &[])
        .await
        .map_err(|e| sql_error(e, sql))?;
    row.try_get::<_, String>(0)
        .map_err(|e| Error::Io(format!("{sql}: {e}")))
}

/// Takes a backup.
pub async fn backup(request: BackupRequest) -> Result<BackupSummary> {
    if !request.to.is_empty().await? {
        return Err(Error::Io(format!(
            "backup destination \"{}\" is not empty",
            request.to.describe()
        )));
    }
    let first = request.target.connect().await?;
    let encrypted_server = query_one(&first, "SHOW data_encryption").await? == "on";
    let key = match (&request.kek, encrypted_server) {
        (Some(kek), _) => Some(Arc::new(BackupKey::create(kek)?)),
        (None, true) => {
            return Err(crate::security::keys::key_error(
                "the server encrypts its data (data_encryption = on), so the backup must be encrypted too: give the KEK (--kek-file, FLINTDB_KEK_FILE or FLINTDB_KEK_PASSPHRASE)",
            ))
        }
        (None, false) => None,
    };
    let server_version = query_one(&first, "SHOW server_version").await?;
    let names = if request.all {
        first
            .query(
                "SELECT datname::text FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
                &[],
            )
            .await
            .map_err(|e| sql_error(e, "listing databases"))?
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    } else {
        vec![request.target.dbname.clone()]
    };
    drop(first);
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut databases = Vec::new();
    let mut snapshots = Vec::new();
    let mut summary = BackupSummary {
        tables: 0,
        rows: 0,
        bytes: 0,
        encrypted: key.is_some(),
    };
    for (n, name) in names.iter().enumerate() {
        let dir = if key.is_some() {
            format!("db{}", n + 1)
        } else {
            file_name(name)
        };
        let (db, snapshot) = backup_database(&request, name, &dir, key.clone()).await?;
        summary.tables += db.files.len();
        summary.rows += db.files.iter().map(|f| f.rows).sum::<u64>();
        summary.bytes += db.files.iter().map(|f| f.bytes).sum::<u64>();
        databases.push(db);
        snapshots.push(snapshot);
    }
    let contents = Contents {
        server_version,
        flintdb_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at,
        snapshot: snapshots.join(","),
        databases,
    };
    let bytes = manifest::render(&contents, key.as_deref())?;
    request.to.put_atomic(manifest::MANIFEST, bytes).await?;
    Ok(summary)
}

/// A name safe as one path component (table and database names may hold
/// any character).
fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c => c,
        })
        .collect()
}

type Queue = Arc<Mutex<VecDeque<(usize, TableEntry)>>>;

async fn backup_database(
    request: &BackupRequest,
    name: &str,
    dir: &str,
    key: Option<Arc<BackupKey>>,
) -> Result<(DatabaseBackup, String)> {
    let target = request.target.with_database(name);
    let main = target.connect().await?;
    main.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(|e| sql_error(e, "BEGIN"))?;
    let snapshot = query_one(&main, "SELECT pg_catalog.pg_export_snapshot()").await?;
    let script: SchemaScript =
        serde_json::from_str(&query_one(&main, "SELECT flintdb_schema_dump()").await?)
            .map_err(|e| Error::Io(format!("schema script of \"{name}\": {e}")))?;
    let progress = Arc::new(Progress::new(
        request.quiet,
        script.tables.len() as u64,
        "backed up",
    ));
    let queue: Queue = Arc::new(Mutex::new(
        script.tables.iter().cloned().enumerate().collect(),
    ));
    let mut clients = vec![main];
    for _ in 1..request.jobs.max(1).min(script.tables.len().max(1)) {
        let c = target.connect().await?;
        c.batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot}'"
        ))
        .await
        .map_err(|e| sql_error(e, "importing the snapshot"))?;
        clients.push(c);
    }
    let mut workers = Vec::new();
    for client in clients {
        let (queue, to, key, progress, dir) = (
            queue.clone(),
            request.to.clone(),
            key.clone(),
            progress.clone(),
            dir.to_string(),
        );
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().pop_front();
                let Some((i, table)) = next else { break };
                let path = if key.is_some() {
                    format!("{dir}/t{:05}.parquet.sealed", i + 1)
                } else {
                    format!(
                        "{dir}/{}.parquet",
                        file_name(&format!("{}.{}", table.schema, table.name))
                    )
                };
                let entry =
                    backup_table(&client, &table, &path, &to, key.as_deref(), &progress).await?;
                done.push((i, entry));
            }
            client
                .batch_execute("COMMIT")
                .await
                .map_err(|e| sql_error(e, "COMMIT"))?;
            Ok::<_, Error>(done)
        }));
    }
    let mut files = Vec::new();
    for w in workers {
        files.extend(
            w.await
                .map_err(|e| Error::Internal(format!("backup worker: {e}")))??,
        );
    }
    progress.finish();
    files.sort_by_key(|(i, _)| *i);
    Ok((
        DatabaseBackup {
            name: name.to_string(),
            schema: script,
            files: files.into_iter().map(|(_, f)| f).collect(),
        },
        snapshot,
    ))
}

async fn backup_table(
    client: &Client,
    table: &TableEntry,
    path: &str,
    to: &Location,
    key: Option<&BackupKey>,
    progress: &Progress,
) -> Result<FileEntry> {
    let savepoint = |sql: &'static str| async move {
        client
            .batch_execute(sql)
            .await
            .map_err(|e| sql_error(e, sql))
    };
    // A failed COPY aborts the transaction; the savepoint keeps the
    // snapshot for the second attempt.
    savepoint("SAVEPOINT flintdb_table").await?;
    let entry = match backup_table_as(client, table, path, to, key, progress, false).await {
        Err(e) if e.sqlstate() == OVERFLOW || e.sqlstate() == NO_DECIMAL => {
            savepoint("ROLLBACK TO SAVEPOINT flintdb_table").await?;
            backup_table_as(client, table, path, to, key, progress, true).await
        }
        other => other,
    }?;
    savepoint("RELEASE SAVEPOINT flintdb_table").await?;
    Ok(entry)
}

/// The SQLSTATE of a timestamp Parquet's Timestamp(µs) cannot hold.
const OVERFLOW: &str = "22008";
/// The SQLSTATE of a numeric NaN in a numeric(p,s) column (Decimal128
/// has no NaN).
const NO_DECIMAL: &str = "22003";

/// Backs up a table; with `timestamps_as_text`, its timestamp and
/// numeric(p,s) columns as their text (the rare table with timestamps
/// after 294247-01-10 or NaN in a numeric(p,s) column).
async fn backup_table_as(
    client: &Client,
    table: &TableEntry,
    path: &str,
    to: &Location,
    key: Option<&BackupKey>,
    progress: &Progress,
    timestamps_as_text: bool,
) -> Result<FileEntry> {
    let mut shown = progress.table(&table.qualified());
    let is_timestamp = |ty: &str| {
        timestamps_as_text && (ty.starts_with("timestamp") || ty.starts_with("numeric("))
    };
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|(c, ty)| match is_timestamp(ty) {
            true => format!("{0}::text AS {0}", quote_ident(c)),
            false => quote_ident(c),
        })
        .collect();
    let text_columns: Vec<String> = table
        .columns
        .iter()
        .filter(|(_, ty)| is_timestamp(ty))
        .map(|(c, _)| c.clone())
        .collect();
    let sql = format!(
        "COPY (SELECT {} FROM {}) TO STDOUT (FORMAT parquet)",
        columns.join(", "),
        table.qualified()
    );
    let stream = client
        .copy_out(sql.as_str())
        .await
        .map_err(|e| sql_error(e, &format!("backing up {}", table.qualified())))?;
    futures::pin_mut!(stream);
    let mut out = to.create(path).await?;
    let mut sealer = key.map(|k| Sealer::new(k.keyring.clone(), path));
    let mut hasher = Sha256::new();
    let mut stored = 0u64;
    let mut last = bytes::Bytes::new();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e)
                if !timestamps_as_text
                    && e.code()
                        .is_some_and(|c| [OVERFLOW, NO_DECIMAL].contains(&c.code())) =>
            {
                return Err(Error::input(OVERFLOW, "a value beyond its Arrow type"));
            }
            Err(e) => return Err(sql_error(e, &format!("backing up {}", table.qualified()))),
        };
        let bytes = match sealer.as_mut() {
            Some(s) => s.push(&chunk),
            None => chunk.to_vec(),
        };
        hasher.update(&bytes);
        out.write(&bytes).await?;
        stored += bytes.len() as u64;
        shown.add(0, chunk.len() as u64);
        last = chunk;
    }
    if let Some(s) = sealer {
        let tail = s.finish();
        hasher.update(&tail);
        out.write(&tail).await?;
        stored += tail.len() as u64;
    }
    out.finish().await?;
    let rows = footer_rows(&last)?;
    shown.done(rows, stored);
    Ok(FileEntry {
        table: table.qualified(),
        path: path.to_string(),
        rows,
        bytes: stored,
        sha256: hex::encode(hasher.finalize()),
        text_columns,
    })
}

/// The row count in a Parquet footer (the server sends the footer as the
/// last message of COPY … (FORMAT parquet)).
fn footer_rows(footer: &[u8]) -> Result<u64> {
    let bad = || Error::Io("the server's Parquet stream did not end with its footer".into());
    if footer.len() < 8 || &footer[footer.len() - 4..] != b"PAR1" {
        return Err(bad());
    }
    let len = u32::from_le_bytes(
        footer[footer.len() - 8..footer.len() - 4]
            .try_into()
            .map_err(|_| bad())?,
    ) as usize;
    if len + 8 > footer.len() {
        return Err(bad());
    }
    let meta = parquet::file::metadata::ParquetMetaDataReader::decode_metadata(
        &footer[footer.len() - 8 - len..footer.len() - 8],
    )
    .map_err(|e| Error::Io(format!("Parquet footer: {e}")))?;
    Ok(meta.file_metadata().num_rows().max(0) as u64)
}
