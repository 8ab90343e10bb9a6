//! The `flintdb` binary: parses the command line, sets up logging, opens
//! the data directory and serves until SIGTERM or Ctrl-C, then flushes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's malloc: queries allocate and free rows at a
/// high rate, and glibc's free-list consolidation showed as a quarter of
/// a 6-table hash join's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use flintdb::config::{Config, LogFormat};
use flintdb::engine::{key_tools, keys, Engine, EngineOptions};
use flintdb::security::keys::KekSource;
use zeroize::Zeroizing;

#[derive(Parser, Debug)]
#[command(
    name = "flintdb",
    version,
    about = "A PostgreSQL-compatible SQL database server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the server (the default when no command is given).
    Serve(ServeArgs),
    /// Check a data directory's consistency (page checksums, B+trees, heap
    /// against indexes) with the server stopped; exit status 1 on any
    /// problem.
    Check(CheckArgs),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Encrypt a plaintext data directory in place (server stopped). Safe
    /// to interrupt: run it again to finish.
    Encrypt(KeyToolArgs),
    /// Key-encryption key (KEK) operations.
    #[command(subcommand)]
    Kek(KekCommand),
    /// Data-encryption key (DEK) operations.
    #[command(subcommand)]
    Dek(DekCommand),
    /// Back up a running server: a consistent snapshot of every table as
    /// Parquet plus a manifest, to a directory or s3://bucket/prefix;
    /// `flintdb backup verify SRC` checks one.
    #[command(args_conflicts_with_subcommands = true)]
    Backup(BackupCommand),
    /// Restore a backup into a running server.
    Restore(RestoreCommand),
}

#[derive(clap::Args, Debug)]
struct BackupCommand {
    #[command(subcommand)]
    action: Option<BackupAction>,
    #[command(flatten)]
    args: flintdb::backup::cli::BackupArgs,
    #[command(flatten)]
    kek: KekArgs,
}

#[derive(Subcommand, Debug)]
enum BackupAction {
    /// Check a backup: every checksum, every encrypted chunk, every file
    /// read with the manifest's row count; exit status 1 on any problem.
    Verify {
        /// The backup: a directory or s3://bucket/prefix
        from: String,
        #[command(flatten)]
        kek: KekArgs,
    },
}

#[derive(clap::Args, Debug)]
struct RestoreCommand {
    #[command(flatten)]
    args: flintdb::backup::cli::RestoreArgs,
    #[command(flatten)]
    kek: KekArgs,
}

#[derive(Subcommand, Debug)]
enum KekCommand {
    /// Rewrap the data keys under a new KEK (the old one given as usual).
    /// O(1) in data size, atomic, allowed while the server runs; the old
    /// KEK is refused afterwards.
    Rotate(KekRotateArgs),
}

#[derive(Subcommand, Debug)]
enum DekCommand {
    /// Re-encrypt every page and the WAL under a new data key (server
    /// stopped). Safe to interrupt: run it again to finish.
    Rotate(KeyToolArgs),
}

#[derive(clap::Args, Debug)]
struct KeyToolArgs {
    /// Data directory [default: ./flintdb-data]
    #[arg(long, env = "FLINTDB_DATA_DIR", default_value = "flintdb-data")]
    data_dir: PathBuf,
    #[command(flatten)]
    kek: KekArgs,
}

#[derive(clap::Args, Debug)]
struct KekRotateArgs {
    #[command(flatten)]
    tool: KeyToolArgs,
    /// File holding the new KEK (32 bytes raw, hex or base64)
    #[arg(long, required_unless_present = "new_kek_passphrase_file")]
    new_kek_file: Option<PathBuf>,
    /// File whose first line is the new KEK passphrase (Argon2id)
    #[arg(long, conflicts_with = "new_kek_file")]
    new_kek_passphrase_file: Option<PathBuf>,
}

/// Where the key-encryption key comes from (besides FLINTDB_KEK_PASSPHRASE
/// and the config's kek_passphrase_file / kek_command).
#[derive(clap::Args, Debug, Default, Clone)]
struct KekArgs {
    /// File holding the key-encryption key (32 bytes raw, hex or base64)
    #[arg(long, env = "FLINTDB_KEK_FILE")]
    kek_file: Option<PathBuf>,
    /// Configuration file [default: config/flintdb.toml if present]
    #[arg(long = "config", env = "FLINTDB_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Verify the hash chain of audit log files, oldest first (e.g.
    /// audit.log.2 audit.log.1 audit.log); exit status 1 if any line was
    /// changed, removed, added or moved.
    Verify {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The data directory whose keys open a sealed (encrypted
        /// cluster's) log; the KEK is given as for the server
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[command(flatten)]
        kek: KekArgs,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Data directory [default: ./flintdb-data]
    #[arg(long, env = "FLINTDB_DATA_DIR", default_value = "flintdb-data")]
    data_dir: PathBuf,
    #[command(flatten)]
    kek: KekArgs,
}

#[derive(clap::Args, Debug, Default)]
struct ServeArgs {
    /// Data directory [default: ./flintdb-data]
    #[arg(long, env = "FLINTDB_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:5432]
    #[arg(long, env = "FLINTDB_LISTEN")]
    listen: Option<String>,
    /// Configuration file [default: config/flintdb.toml if present]
    #[arg(long, env = "FLINTDB_CONFIG")]
    config: Option<PathBuf>,
    /// Buffer pool size in MiB
    #[arg(long, env = "FLINTDB_BUFFER_POOL_MB")]
    buffer_pool_mb: Option<usize>,
    /// File holding the key-encryption key: encrypts a new data directory,
    /// unlocks an encrypted one (32 bytes raw, hex or base64)
    #[arg(long, env = "FLINTDB_KEK_FILE")]
    kek_file: Option<PathBuf>,
}

/// Stack size of the server's threads (see `serve`).
const THREAD_STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        Some(Command::Check(args)) => return check(&args),
        Some(Command::Audit(AuditCommand::Verify {
            files,
            data_dir,
            kek,
        })) => return audit_verify(&files, data_dir.as_deref(), &kek),
        Some(Command::Encrypt(args)) => return encrypt(&args),
        Some(Command::Kek(KekCommand::Rotate(args))) => return kek_rotate(&args),
        Some(Command::Dek(DekCommand::Rotate(args))) => return dek_rotate(&args),
        Some(Command::Backup(BackupCommand {
            action: Some(BackupAction::Verify { from, kek }),
            ..
        })) => {
            let result =
                optional_kek(&kek).and_then(|k| flintdb::backup::cli::run_verify(&from, k));
            return report_tool("backup verify", result);
        }
        Some(Command::Backup(BackupCommand { args, kek, .. })) => {
            let result =
                optional_kek(&kek).and_then(|k| flintdb::backup::cli::run_backup(&args, k));
            return report_tool("backup", result);
        }
        Some(Command::Restore(RestoreCommand { args, kek })) => {
            let result =
                optional_kek(&kek).and_then(|k| flintdb::backup::cli::run_restore(&args, k));
            return report_tool("restore", result);
        }
        None => ServeArgs {
            data_dir: std::env::var_os("FLINTDB_DATA_DIR").map(PathBuf::from),
            listen: std::env::var("FLINTDB_LISTEN").ok(),
            config: std::env::var_os("FLINTDB_CONFIG").map(PathBuf::from),
            buffer_pool_mb: std::env::var("FLINTDB_BUFFER_POOL_MB")
                .ok()
                .and_then(|v| v.parse().ok()),
            kek_file: std::env::var_os("FLINTDB_KEK_FILE").map(PathBuf::from),
        },
    };
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flintdb: {message}");
            ExitCode::FAILURE
        }
    }
}

fn audit_verify(files: &[PathBuf], data_dir: Option<&std::path::Path>, kek: &KekArgs) -> ExitCode {
    let keyring = match data_dir {
        None => None,
        Some(dir) => match tool_config(kek).and_then(|c| kek_of(&c)).and_then(|k| {
            keys::unlock_keyring(dir, k.as_ref()).map_err(|e| e.message().to_string())
        }) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("flintdb audit verify: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let sealer = keyring.map(keys::AuditSealer);
    let sealer = sealer
        .as_ref()
        .map(|s| s as &dyn flintdb::security::audit::LineSealer);
    match flintdb::security::audit::verify_with(files, sealer) {
        Ok(v) => {
            println!("audit log intact: {} lines", v.lines);
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("audit log broken: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Takes the KEK passphrase out of the environment, so no child process
/// (a kek_command, say) inherits it.
fn take_passphrase() -> Option<Zeroizing<String>> {
    let p = std::env::var("FLINTDB_KEK_PASSPHRASE")
        .ok()
        .map(Zeroizing::new);
    std::env::remove_var("FLINTDB_KEK_PASSPHRASE");
    p
}

/// The configuration an offline tool works with: the file, the
/// environment, then `--kek-file`.
fn tool_config(args: &KekArgs) -> Result<Config, String> {
    let mut config = Config::load(args.config.as_deref()).map_err(|e| e.message().to_string())?;
    config
        .apply_env(|k| std::env::var(k).ok())
        .map_err(|e| e.message().to_string())?;
    if let Some(f) = &args.kek_file {
        config.kek_file = Some(f.clone());
    }
    Ok(config)
}

/// The KEK source a configuration names (and FLINTDB_KEK_PASSPHRASE);
/// with one, key material is kept out of core dumps.
fn kek_of(config: &Config) -> Result<Option<KekSource>, String> {
    let source = config
        .kek_source(take_passphrase())
        .map_err(|e| e.message().to_string())?;
    if source.is_some() {
        flintdb::security::keys::protect_process_memory();
    }
    Ok(source)
}

/// The KEK the backup tools were given, if any.
fn optional_kek(args: &KekArgs) -> Result<Option<KekSource>, String> {
    tool_config(args).and_then(|c| kek_of(&c))
}

fn require_kek(config: &Config) -> Result<KekSource, String> {
    kek_of(config)?.ok_or_else(|| {
        "no key given: give the key-encryption key with --kek-file, FLINTDB_KEK_FILE, \
         FLINTDB_KEK_PASSPHRASE, or kek_passphrase_file / kek_command in the config"
            .to_string()
    })
}

fn report_tool(name: &str, result: Result<String, String>) -> ExitCode {
    match result {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("flintdb {name}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn encrypt(args: &KeyToolArgs) -> ExitCode {
    rewrite_tool("encrypt", args, key_tools::encrypt_cluster, "encrypted")
}

fn dek_rotate(args: &KeyToolArgs) -> ExitCode {
    rewrite_tool(
        "dek rotate",
        args,
        key_tools::rotate_dek,
        "re-encrypted under a new data key",
    )
}

/// Runs a tool that rewrites every relation file (`encrypt`, `dek rotate`).
fn rewrite_tool(
    name: &str,
    args: &KeyToolArgs,
    run: fn(
        &std::path::Path,
        &KekSource,
        Option<&std::path::Path>,
    ) -> flintdb::error::Result<key_tools::RewriteReport>,
    done: &str,
) -> ExitCode {
    let result = tool_config(&args.kek).and_then(|mut config| {
        config.data_dir = args.data_dir.clone();
        let kek = require_kek(&config)?;
        run(&args.data_dir, &kek, config.audit_path().as_deref())
            .map(|r| {
                format!(
                    "{done} \"{}\": {} relation files ({} rewritten), {} pages",
                    args.data_dir.display(),
                    r.files,
                    r.files_rewritten,
                    r.pages
                )
            })
            .map_err(|e| e.message().to_string())
    });
    report_tool(name, result)
}

fn kek_rotate(args: &KekRotateArgs) -> ExitCode {
    let result = tool_config(&args.tool.kek).and_then(|config| {
        let old = require_kek(&config)?;
        let new = match (&args.new_kek_file, &args.new_kek_passphrase_file) {
            (Some(f), _) => KekSource::File(f.clone()),
            (None, Some(p)) => KekSource::Passphrase(
                flintdb::security::keys::read_passphrase_file(p)
                    .map_err(|e| e.message().to_string())?,
            ),
            (None, None) => return Err("give --new-kek-file or --new-kek-passphrase-file".into()),
        };
        key_tools::rotate_kek(&args.tool.data_dir, &old, &new)
            .map(|()| {
                "the data keys are wrapped by the new KEK; the old KEK no longer opens this data directory"
                    .to_string()
            })
            .map_err(|e| e.message().to_string())
    });
    report_tool("kek rotate", result)
}

fn check(args: &CheckArgs) -> ExitCode {
    let kek = match tool_config(&args.kek).and_then(|c| kek_of(&c)) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("flintdb check: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut options = EngineOptions::new(args.data_dir.clone(), 64 * 1024 * 1024);
    options.kek = kek;
    let result = Engine::open(&options).and_then(|engine| flintdb::check::check(&engine));
    match result {
        Err(e) => {
            eprintln!("flintdb check: {}", e.message());
            ExitCode::FAILURE
        }
        Ok(report) => {
            println!(
                "checked {} pages, {} tables, {} indexes ({} entries), {} row versions",
                report.pages, report.tables, report.indexes, report.entries, report.rows
            );
            if report.problems.is_empty() {
                println!("no problems found");
                return ExitCode::SUCCESS;
            }
            for p in &report.problems {
                println!("problem: {p}");
            }
            println!("{} problems found", report.problems.len());
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let mut config = Config::load(args.config.as_deref()).map_err(|e| e.message().to_string())?;
    if let Some(d) = args.data_dir {
        config.data_dir = d;
    }
    if let Some(l) = args.listen {
        config.listen = l;
    }
    if let Some(b) = args.buffer_pool_mb {
        config.buffer_pool_mb = b;
    }
    config
        .apply_env(|k| std::env::var(k).ok())
        .map_err(|e| e.message().to_string())?;
    if let Some(f) = args.kek_file {
        config.kek_file = Some(f);
    }
    config.validate().map_err(|e| e.message().to_string())?;
    init_logging(&config);
    let kek = kek_of(&config)?;
    let front =
        flintdb::server::FrontOptions::from_config(&config).map_err(|e| e.message().to_string())?;

    // Parsing, binding and evaluating recurse with the depth of the SQL
    // (sqlparser allows 200 levels); 2 MiB stacks overflow on deep but
    // legal expressions in debug builds, killing the whole server.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.listen).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => format!(
                "could not listen on {}: address already in use (is another server running? choose another with --listen HOST:PORT)",
                config.listen
            ),
            _ => format!("could not listen on {}: {e}", config.listen),
        })?;
        if !config.fsync {
            tracing::warn!("fsync is off: a power loss or OS crash can corrupt this database; never use this for data you keep");
        }
        let options = EngineOptions {
            fsync: config.fsync,
            synchronous_commit: config.synchronous_commit,
            checkpoint_wal_bytes: config.checkpoint_wal_mb * 1024 * 1024,
            lock_timeout: (config.lock_timeout_ms > 0).then(|| std::time::Duration::from_millis(config.lock_timeout_ms)),
            statement_timeout: (config.statement_timeout_ms > 0)
                .then(|| std::time::Duration::from_millis(config.statement_timeout_ms)),
            kek,
            ..EngineOptions::new(config.data_dir.clone(), config.buffer_pool_mb * 1024 * 1024)
        };
        let engine = tokio::task::spawn_blocking(move || Engine::open(&options))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.message().to_string())?;
        let engine = Arc::new(engine);
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        secure_start(&engine, &config, addr).await?;
        tracing::info!(%addr, data_dir = %config.data_dir.display(), "FlintDB is ready to accept connections");
        let checkpointer = tokio::spawn(checkpoint_periodically(engine.clone(), config.checkpoint_timeout_s));
        let autovacuum = tokio::spawn(autovacuum(engine.clone(), config.autovacuum_naptime_s, config.autovacuum_threshold));
        let stop = async {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = wait_for_failure(engine.clone()) => {}
            }
        };
        flintdb::server::serve(engine.clone(), listener, front, stop).await;
        checkpointer.abort();
        autovacuum.abort();
        if engine.has_failed() {
            // Fail-stop: write nothing more; the next start recovers from the WAL.
            return Err("stopped after a write-ahead log failure; restart to recover".to_string());
        }
        tracing::info!("shutting down: writing dirty pages");
        let flushed = tokio::task::spawn_blocking(move || engine.checkpoint()).await.map_err(|e| e.to_string())?;
        flushed.map_err(|e| format!("shutdown checkpoint failed: {}", e.message()))?;
        tracing::info!("shutdown complete");
        Ok(())
    })
}

/// Creates the bootstrap superuser in a new data directory, opens the
/// audit log, and refuses to listen beyond loopback while the superuser
/// has no password.
async fn secure_start(
    engine: &Arc<Engine>,
    config: &Config,
    addr: std::net::SocketAddr,
) -> Result<(), String> {
    let e = engine.clone();
    let (name, password) = (config.superuser.clone(), config.superuser_password.clone());
    let created =
        tokio::task::spawn_blocking(move || e.bootstrap_superuser(&name, password.as_deref()))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("could not create the superuser: {}", e.message()))?;
    if created {
        tracing::info!(user = %config.superuser, password = config.superuser_password.is_some(), "created the bootstrap superuser");
    }
    if let Some(path) = config.audit_path() {
        let sealer = engine.keyring().map(|k| {
            Arc::new(keys::AuditSealer(k.clone())) as Arc<dyn flintdb::security::audit::LineSealer>
        });
        let log = flintdb::security::audit::AuditLog::open_sealed(
            &path,
            config.audit_max_file_mb.max(1) * 1024 * 1024,
            config.audit_keep_files,
            sealer,
        )
        .map_err(|e| format!("could not open the audit log \"{}\": {e}", path.display()))?;
        engine.set_audit(Arc::new(log));
        engine.set_audited_tables(config.audit_dml_tables.clone());
    }
    if !addr.ip().is_loopback() && !engine.superuser_has_password() {
        return Err(format!(
            "refusing to listen on {addr}: the superuser has no password, so only loopback is safe. \
             Set FLINTDB_SUPERUSER_PASSWORD (or POSTGRES_PASSWORD, or superuser_password in the config) \
             before the first start, or ALTER ROLE ... PASSWORD over a loopback connection"
        ));
    }
    Ok(())
}

/// Checkpoints every `seconds` so recovery time stays bounded.
async fn checkpoint_periodically(engine: Arc<Engine>, seconds: u64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(seconds));
    tick.tick().await;
    loop {
        tick.tick().await;
        let e = engine.clone();
        match tokio::task::spawn_blocking(move || e.checkpoint()).await {
            Ok(Ok(())) => tracing::debug!("periodic checkpoint done"),
            Ok(Err(err)) => tracing::error!(error = %err, "periodic checkpoint failed"),
            Err(err) => tracing::error!(error = %err, "periodic checkpoint panicked"),
        }
    }
}

/// Vacuums tables with many dead rows every `naptime` seconds (0: never).
async fn autovacuum(engine: Arc<Engine>, naptime: u64, threshold: u64) {
    if naptime == 0 {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(naptime));
    tick.tick().await;
    loop {
        tick.tick().await;
        let e = engine.clone();
        match tokio::task::spawn_blocking(move || e.autovacuum(threshold)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(removed = n, "autovacuum"),
            Ok(Err(err)) => tracing::error!(error = %err, "autovacuum failed"),
            Err(err) => tracing::error!(error = %err, "autovacuum panicked"),
        }
    }
}

/// Resolves once the WAL has failed (a failed write or fsync).
async fn wait_for_failure(engine: Arc<Engine>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    while !engine.has_failed() {
        tick.tick().await;
    }
    tracing::error!("write-ahead log failure: stopping the server");
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = ctrl_c.await;
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
