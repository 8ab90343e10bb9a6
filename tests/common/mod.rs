//! Test support: a FlintDB server started in-process on a random loopback
//! port over a temporary data directory, which can be stopped and started
//! again on the same directory.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flintdb::engine::{Engine, EngineOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running (or stopped) in-process server.
pub struct TestServer {
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    pub port: u16,
    buffer_pool_bytes: usize,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    secure: Secure,
}

/// How a test server authenticates and audits.
#[derive(Clone, Default)]
pub struct Secure {
    pub front: flintdb::server::FrontOptions,
    /// The bootstrap superuser's password.
    pub password: Option<String>,
    /// Write the audit log to `<data_dir>/audit/audit.log`.
    pub audit: bool,
}

impl TestServer {
    /// Starts a server over a fresh temporary data directory.
    pub async fn start() -> TestServer {
        Self::start_with_pool(16 * 1024 * 1024).await
    }

    /// Starts a server with a given buffer pool size.
    pub async fn start_with_pool(buffer_pool_bytes: usize) -> TestServer {
        Self::start_with(buffer_pool_bytes, Secure::default()).await
    }

    /// Starts a server with given authentication settings.
    pub async fn start_secure(secure: Secure) -> TestServer {
        Self::start_with(16 * 1024 * 1024, secure).await
    }

    async fn start_with(buffer_pool_bytes: usize, secure: Secure) -> TestServer {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut server = TestServer {
            data_dir: temp.path().join("data"),
            _temp: Some(temp),
            port: 0,
            buffer_pool_bytes,
            stop: None,
            task: None,
            secure,
        };
        server.run().await;
        server
    }

    async fn run(&mut self) {
        let options = EngineOptions::new(self.data_dir.clone(), self.buffer_pool_bytes);
        // The previous engine may still be released by a finishing worker.
        let mut engine = None;
        for _ in 0..100 {
            match Engine::open(&options) {
                Ok(e) => {
                    engine = Some(e);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let engine =
            Arc::new(engine.unwrap_or_else(|| Engine::open(&options).expect("open engine")));
        engine
            .bootstrap_superuser("postgres", self.secure.password.as_deref())
            .expect("bootstrap superuser");
        if self.secure.audit {
            let log = flintdb::security::audit::AuditLog::open(
                &self.data_dir.join("audit/audit.log"),
                1 << 20,
                2,
            )
            .expect("audit log");
            engine.set_audit(Arc::new(log));
        }
        let front = self.secure.front.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        self.port = listener.local_addr().expect("addr").port();
        let (tx, rx) = oneshot::channel();
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(async move {
            flintdb::server::serve(engine.clone(), listener, front, async {
                let _ = rx.await;
            })
            .await;
            let e = engine.clone();
            tokio::task::spawn_blocking(move || e.checkpoint())
                .await
                .expect("join")
                .expect("checkpoint");
        }));
    }

    /// Stops the server cleanly (flushing every page) and starts it again
    /// on the same data directory, on a new port.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.run().await;
    }

    /// Stops the server cleanly.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task");
        }
    }

    /// A tokio-postgres connection string.
    pub fn conn_str(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    /// Connects a tokio-postgres client.
    pub async fn connect(&self) -> tokio_postgres::Client {
        connect(&self.conn_str()).await
    }
}

/// Connects and drives the connection in the background.
pub async fn connect(conn_str: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(conn_str, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// Connects if the server is there (it may have been killed).
pub async fn try_connect(conn_str: &str) -> Option<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(conn_str, tokio_postgres::NoTls)
        .await
        .ok()?;
    tokio::spawn(connection);
    Some(client)
}

/// `CODE: message` of a database error, for assertions.
pub fn sqlstate_of(err: &tokio_postgres::Error) -> String {
    err.as_db_error()
        .map(|e| e.code().code().to_string())
        .unwrap_or_else(|| format!("not a db error: {err}"))
}

/// A `flintdb` child process on a free loopback port.
pub struct Binary {
    pub child: Child,
    pub port: u16,
}

impl Binary {
    pub fn start(data_dir: &std::path::Path) -> Binary {
        Self::start_with(data_dir, &[])
    }

    /// Starts with extra command-line arguments. A port picked free can be
    /// taken before the server binds it (by any ephemeral client port), so
    /// "address already in use" retries on a new port.
    pub fn start_with(data_dir: &std::path::Path, extra: &[&str]) -> Binary {
        for attempt in 0..5 {
            let port = free_port();
            let child = Command::new(env!("CARGO_BIN_EXE_flintdb"))
                .args(["serve", "--data-dir"])
                .arg(data_dir)
                .args([
                    "--listen",
                    &format!("127.0.0.1:{port}"),
                    "--buffer-pool-mb",
                    "4",
                ])
                .args(extra)
                .env("RUST_LOG", "info")
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn flintdb");
            let mut b = Binary { child, port };
            match b.wait_ready() {
                Ok(()) => return b,
                Err(output) if output.contains("address already in use") && attempt < 4 => continue,
                Err(output) => panic!("flintdb did not become ready:\n{output}"),
            }
        }
        unreachable!("the loop returns or panics")
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let stderr = self.child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) if line.contains("ready to accept connections") => {
                    // Keep draining stderr so the child never blocks on it.
                    std::thread::spawn(move || for _ in lines {});
                    return Ok(());
                }
                Some(Ok(line)) => seen.push(line),
                _ => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err(seen.join("\n"))
    }

    pub fn conn_str(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    /// Sends SIGKILL and waits for the process to be gone.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and returns the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "flintdb did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A seed from the clock (odd, as xorshift needs).
pub fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos() as u64
        | 1
}

/// xorshift64*: enough randomness for choosing rows, markers and kill
/// moments in tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `n` random lower-case letters and digits.
    pub fn alnum(&mut self, n: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char)
            .collect()
    }
}

/// Copies a data directory (not its lock file).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "flintdb.lock" {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

use flintdb::sql::exec::Row;
use flintdb::sql::parser;
use flintdb::sql::plan::OutputColumn;
use flintdb::sql::session::{RowSink, Session};
use flintdb::types::Value;

/// A row sink that keeps the rows.
pub struct Collect(pub Vec<Row>);

impl RowSink for Collect {
    fn columns(&mut self, _: &[OutputColumn], _: &str) -> flintdb::error::Result<()> {
        Ok(())
    }
    fn row(&mut self, row: Row) -> flintdb::error::Result<()> {
        self.0.push(row);
        Ok(())
    }
    fn notice(&mut self, _: &str, _: &str, _: String) {}
}

/// Runs SQL through a fresh in-process session; returns the last statement's rows.
pub fn run(engine: &Arc<Engine>, sql: &str) -> flintdb::error::Result<Vec<Row>> {
    let mut session = Session::new(engine.clone());
    let mut out = Collect(Vec::new());
    for statement in parser::parse(sql)? {
        out.0.clear();
        session.execute(&statement, &[], vec![], &mut out)?;
    }
    Ok(out.0)
}

/// The first column of each row, as integers.
pub fn ids(engine: &Arc<Engine>, sql: &str) -> Vec<i64> {
    run(engine, sql)
        .unwrap()
        .into_iter()
        .map(|r| match r[0] {
            Value::Int8(v) => v,
            Value::Int4(v) => v as i64,
            ref other => panic!("unexpected {other:?}"),
        })
        .collect()
}
