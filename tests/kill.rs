//! kill -9 under load: 16 clients run transactions against the real
//! `flintdb` binary, which is SIGKILLed at a random moment and restarted.
//! Each transaction moves money between two accounts (two UPDATEs) and
//! records the transfer, tagged, in two tables; some are single-statement
//! multi-row inserts. After every restart: every acknowledged transaction
//! is there whole, none is partial, and the money total is unchanged.
//!
//! The same loop runs on an encrypted cluster (`--kek-file`): recovery
//! replays sealed WAL records over sealed pages.
//!
//! `cargo test` runs 3 cycles (2 encrypted); `FLINTDB_KILL_CYCLES=N` runs N
//! of each (see `bench/crash-loop.sh`).

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{connect, seed, Binary, Rng};
use parking_lot::Mutex;

const CLIENTS: u64 = 16;
const ACCOUNTS: i64 = 20;
const START_BALANCE: i64 = 1000;

async fn load(
    conn: String,
    client_no: u64,
    acked: Arc<Mutex<HashSet<i64>>>,
    stop: Arc<AtomicBool>,
    cycle: u64,
) {
    let client = match tokio_postgres::connect(&conn, tokio_postgres::NoTls).await {
        Ok((c, connection)) => {
            tokio::spawn(async move {
                let _ = connection.await;
            });
            c
        }
        Err(_) => return,
    };
    let mut rng = Rng(seed() ^ (client_no << 32));
    let mut n = 0i64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // Tags are unique across clients and cycles.
        let tag = (cycle as i64) << 40 | (client_no as i64) << 32 | n;
        let sql = if rng.below(3) > 0 {
            let a = rng.below(ACCOUNTS as u64) as i64;
            let b = (a + 1 + rng.below(ACCOUNTS as u64 - 1) as i64) % ACCOUNTS;
            let x = rng.below(100) as i64 + 1;
            format!(
                "BEGIN; \
                 UPDATE accounts SET balance = balance - {x} WHERE id = {a}; \
                 UPDATE accounts SET balance = balance + {x} WHERE id = {b}; \
                 INSERT INTO events VALUES ({tag}, 1), ({tag}, 2); \
                 INSERT INTO transfers VALUES ({tag}, {a}, {b}, {x}); \
                 COMMIT"
            )
        } else {
            format!("INSERT INTO events VALUES ({tag}, 1), ({tag}, 2), ({tag}, 3)")
        };
        match client.batch_execute(&sql).await {
            Ok(()) => {
                acked.lock().insert(tag);
            }
            Err(e) => {
                // Crossed transfers deadlock as in PostgreSQL: one of them
                // is rolled back, unacknowledged, and the client goes on.
                if e.as_db_error()
                    .is_some_and(|db| db.code().code() == "40P01")
                {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        return;
                    }
                    continue;
                }
                // Only a vanished server may stop a client; any other SQL
                // error is a bug.
                if let Some(db) = e.as_db_error() {
                    panic!(
                        "client {client_no}: unexpected error {}: {}",
                        db.code().code(),
                        db.message()
                    );
                }
                return;
            }
        }
    }
}

async fn verify(conn: &str, acked: &HashSet<i64>) -> (usize, usize) {
    let client = connect(conn).await;
    let total: i64 = client
        .query_one("SELECT sum(balance)::int8 FROM accounts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        total,
        ACCOUNTS * START_BALANCE,
        "money was created or destroyed"
    );
    let transfers: HashSet<i64> = client
        .query("SELECT tag FROM transfers", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let rows = client
        .query("SELECT tag, count(*) FROM events GROUP BY tag", &[])
        .await
        .unwrap();
    let mut partial = 0;
    let mut present = HashSet::new();
    for r in rows {
        let (tag, count): (i64, i64) = (r.get(0), r.get(1));
        // A transfer has two events and a transfers row; a batch three events.
        let whole = if transfers.contains(&tag) {
            count == 2
        } else {
            count == 3
        };
        if !whole {
            partial += 1;
        }
        present.insert(tag);
    }
    partial += transfers.iter().filter(|t| !present.contains(t)).count();
    let lost = acked.difference(&present).count();
    verify_indexes(&client, &transfers, &present).await;
    (lost, partial)
}

/// The indexes survived with the heap: every account is found by its
/// key, a sample of tags is found through the events index with the
/// right count, and the primary key of transfers still rejects them.
async fn verify_indexes(
    client: &tokio_postgres::Client,
    transfers: &HashSet<i64>,
    present: &HashSet<i64>,
) {
    for id in 0..ACCOUNTS {
        let n: i64 = client
            .query_one("SELECT count(*) FROM accounts WHERE id = $1", &[&id])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "account {id} through its primary key");
    }
    for tag in present.iter().take(40) {
        let n: i64 = client
            .query_one("SELECT count(*) FROM events WHERE tag = $1", &[tag])
            .await
            .unwrap()
            .get(0);
        let want = if transfers.contains(tag) { 2 } else { 3 };
        assert_eq!(n, want, "events of tag {tag} through events_tag");
    }
    for tag in transfers.iter().take(20) {
        let err = client
            .execute("INSERT INTO transfers VALUES ($1, 0, 0, 0)", &[tag])
            .await
            .expect_err("a committed key is still in the primary key index");
        assert_eq!(err.code().map(|c| c.code()), Some("23505"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_commit() {
    kill_loop(None, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_commit_encrypted() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("kek");
    std::fs::write(&key, [0x5au8; 32]).unwrap();
    kill_loop(Some(&key), 2).await;
}

/// The kill -9 loop, on an encrypted cluster when `kek` is given.
async fn kill_loop(kek: Option<&std::path::Path>, default_cycles: u64) {
    let cycles: u64 = std::env::var("FLINTDB_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cycles);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let kek_args: Vec<&str> = match kek {
        Some(k) => vec!["--kek-file", k.to_str().unwrap()],
        None => vec![],
    };
    let start = |data: &std::path::Path| Binary::start_with(data, &kek_args);
    let server = start(&data);
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute("CREATE TABLE accounts (id int8 PRIMARY KEY, balance int8 NOT NULL)")
        .await
        .unwrap();
    client
        .batch_execute(
            "CREATE TABLE events (tag int8 NOT NULL, part int4 NOT NULL); \
             CREATE INDEX events_tag ON events (tag)",
        )
        .await
        .unwrap();
    client
        .batch_execute(
            "CREATE TABLE transfers (tag int8 PRIMARY KEY, src int8, dst int8, amount int8)",
        )
        .await
        .unwrap();
    let values: Vec<String> = (0..ACCOUNTS)
        .map(|i| format!("({i}, {START_BALANCE})"))
        .collect();
    client
        .batch_execute(&format!("INSERT INTO accounts VALUES {}", values.join(",")))
        .await
        .unwrap();
    drop(client);
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let mut rng = Rng(seed());
    let mut server = server;
    let (mut lost_total, mut partial_total) = (0, 0);
    let mut slowest_recovery = Duration::ZERO;
    for cycle in 0..cycles {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                tokio::spawn(load(
                    server.conn_str(),
                    c,
                    acked.clone(),
                    stop.clone(),
                    cycle,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200 + rng.below(800))).await;
        server.kill9();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            if let Err(e) = t.await {
                if e.is_panic() {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        }
        let started = Instant::now();
        server = start(&data);
        slowest_recovery = slowest_recovery.max(started.elapsed());
        let snapshot = acked.lock().clone();
        let (lost, partial) = verify(&server.conn_str(), &snapshot).await;
        // The offline checker over what recovery left (heap, indexes,
        // checksums), between a clean stop and the next cycle's start.
        assert!(server.terminate().success());
        offline_check(&data, kek);
        server = start(&data);
        lost_total += lost;
        partial_total += partial;
        assert_eq!(
            (lost, partial),
            (0, 0),
            "cycle {cycle}: lost or partial transactions"
        );
    }
    let acknowledged = acked.lock().len();
    println!(
        "{}{cycles} cycles, {lost_total} lost, {partial_total} partial; {acknowledged} acknowledged transactions; slowest restart {:.2}s",
        if kek.is_some() { "encrypted: " } else { "" },
        slowest_recovery.as_secs_f64()
    );
    assert!(acknowledged > 0, "the load made progress");
    // One last crash, and the checker recovers and checks on its own.
    server.kill9();
    offline_check(&data, kek);
}

/// Runs `flintdb check` on a stopped server's data directory.
fn offline_check(data: &std::path::Path, kek: Option<&std::path::Path>) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_flintdb"));
    command.args(["check", "--data-dir"]).arg(data);
    if let Some(k) = kek {
        command.arg("--kek-file").arg(k);
    }
    let check = command.output().expect("run flintdb check");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "flintdb check found problems:\n{out}"
    );
    assert!(out.contains("3 indexes"), "{out}");
}

/// Sequence values survive kill -9: after each crash, nextval and a
/// SERIAL column go on beyond every value a client was given (from
/// `SELECT nextval` alone, which writes nothing else, and from INSERTs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_never_hands_out_a_sequence_value_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut server = Binary::start(&data);
    connect(&server.conn_str())
        .await
        .batch_execute("CREATE SEQUENCE s; CREATE TABLE t (id serial PRIMARY KEY, v int)")
        .await
        .unwrap();
    let mut rng = Rng(seed());
    let (given_s, given_t) = (Arc::new(Mutex::new(0i64)), Arc::new(Mutex::new(0i64)));
    // Cycle 0 only calls nextval (nothing else would flush the log),
    // cycle 1 only inserts, cycle 2 does both.
    for cycle in 0..3u64 {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..4)
            .map(|c| {
                let (conn, stop) = (server.conn_str(), stop.clone());
                let (given_s, given_t) = (given_s.clone(), given_t.clone());
                tokio::spawn(async move {
                    let Some(client) = common::try_connect(&conn).await else {
                        return;
                    };
                    while !stop.load(Ordering::Relaxed) {
                        let nextval = match cycle {
                            0 => true,
                            1 => false,
                            _ => c % 2 == 0,
                        };
                        let (sql, given) = if nextval {
                            ("SELECT nextval('s')", &given_s)
                        } else {
                            ("INSERT INTO t (v) VALUES (1) RETURNING id::int8", &given_t)
                        };
                        match client.query_one(sql, &[]).await {
                            Ok(row) => {
                                let v: i64 = row.get(0);
                                let mut max = given.lock();
                                *max = (*max).max(v);
                            }
                            Err(_) => return,
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300 + rng.below(500))).await;
        server.kill9();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        server = Binary::start(&data);
        let client = connect(&server.conn_str()).await;
        let s: i64 = client
            .query_one("SELECT nextval('s')", &[])
            .await
            .unwrap()
            .get(0);
        let id: i32 = client
            .query_one("INSERT INTO t (v) VALUES (2) RETURNING id", &[])
            .await
            .unwrap()
            .get(0);
        let (max_s, max_t) = (*given_s.lock(), *given_t.lock());
        assert!(
            s > max_s,
            "nextval gave {s} again after a crash (given up to {max_s})"
        );
        assert!(
            i64::from(id) > max_t,
            "serial gave {id} again (given up to {max_t})"
        );
    }
    assert!(
        *given_s.lock() > 0 && *given_t.lock() > 0,
        "the load made progress"
    );
}
