//! The command line of `flintdb backup`, `flintdb backup verify` and
//! `flintdb restore`. The KEK options are the server's (main.rs resolves
//! them); everything here runs on a runtime of its own.

use super::connect::{ConnectArgs, Target};
use super::location::Location;
use super::restore::{list, open_manifest, restore, RestoreRequest};
use super::take::{backup, BackupRequest};
use super::verify::verify;
use crate::security::keys::KekSource;

/// `flintdb backup`.
#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Destination: an empty (or new) directory, or s3://bucket/prefix
    #[arg(long)]
    pub to: Option<String>,
    /// Back up every database (each with its own snapshot)
    #[arg(long)]
    pub all: bool,
    /// Tables backed up at once, over as many connections sharing one
    /// snapshot
    #[arg(long, short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// No progress output
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `flintdb restore`.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The backup: a directory or s3://bucket/prefix
    #[arg(long)]
    pub from: String,
    /// Create the target database first
    #[arg(long)]
    pub create: bool,
    /// Restore only this table (schema.name or name)
    #[arg(long)]
    pub table: Option<String>,
    /// Print what the backup holds and stop
    #[arg(long)]
    pub list: bool,
    /// Tables loaded at once
    #[arg(long, short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// No progress output
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Runs `flintdb backup`; the line to print on success.
pub fn run_backup(args: &BackupArgs, kek: Option<KekSource>) -> Result<String, String> {
    let to = args
        .to
        .as_deref()
        .ok_or("give the destination with --to DIR or --to s3://bucket/prefix")?;
    let request = BackupRequest {
        target: Target::resolve(&args.connect).map_err(|e| e.message().to_string())?,
        all: args.all,
        to: Location::parse(to).map_err(|e| e.message().to_string())?,
        jobs: args.jobs,
        quiet: args.quiet,
        kek,
    };
    let started = std::time::Instant::now();
    let done = runtime()?
        .block_on(backup(request))
        .map_err(|e| e.message().to_string())?;
    let secs = started.elapsed().as_secs_f64();
    Ok(format!(
        "backup complete: {} tables, {} rows, {:.1} MB{} in {secs:.2} s ({:.1} MB/s) to {to}",
        done.tables,
        done.rows,
        megabytes(done.bytes),
        if done.encrypted { ", encrypted" } else { "" },
        megabytes(done.bytes) / secs.max(1e-9)
    ))
}

/// Runs `flintdb backup verify`.
pub fn run_verify(from: &str, kek: Option<KekSource>) -> Result<String, String> {
    let location = Location::parse(from).map_err(|e| e.message().to_string())?;
    let done = runtime()?
        .block_on(verify(&location, kek.as_ref()))
        .map_err(|e| e.message().to_string())?;
    Ok(format!(
        "backup verified: {} files, {} rows, {:.1} MB, every checksum matches",
        done.files,
        done.rows,
        megabytes(done.bytes)
    ))
}

/// Runs `flintdb restore`.
pub fn run_restore(args: &RestoreArgs, kek: Option<KekSource>) -> Result<String, String> {
    let from = Location::parse(&args.from).map_err(|e| e.message().to_string())?;
    let rt = runtime()?;
    if args.list {
        let (contents, keyring) = rt
            .block_on(open_manifest(&from, kek.as_ref()))
            .map_err(|e| e.message().to_string())?;
        return Ok(list(&contents, keyring.is_some()).trim_end().to_string());
    }
    let request = RestoreRequest {
        target: Target::resolve(&args.connect).map_err(|e| e.message().to_string())?,
        from,
        create: args.create,
        table: args.table.clone(),
        jobs: args.jobs,
        quiet: args.quiet,
        kek,
    };
    let started = std::time::Instant::now();
    let done = rt
        .block_on(restore(request))
        .map_err(|e| e.message().to_string())?;
    let secs = started.elapsed().as_secs_f64();
    Ok(format!(
        "restore complete: {} tables, {} rows, {:.1} MB in {secs:.2} s ({:.1} MB/s){}",
        done.tables,
        done.rows,
        megabytes(done.bytes),
        megabytes(done.bytes) / secs.max(1e-9),
        if done.warnings > 0 {
            format!(", {} warnings", done.warnings)
        } else {
            String::new()
        }
    ))
}
