//! Encryption at rest, through the real `flintdb` binary:
//! - the marker scan: random markers placed in an inline column, a TOASTed
//!   value, an indexed key, a table name, a column name, a role's password
//!   verifier, in checkpointed pages and in the WAL only (kill -9 before
//!   any checkpoint); scanning every byte under the data directory finds
//!   none with TDE on, and every one with TDE off (the positive control);
//! - wrong, missing and truncated keys, and a KEK for a plaintext cluster,
//!   are refused within seconds with every file's SHA-256 unchanged;
//! - tampered pages (ciphertext, nonce, tag, swapped, copied from another
//!   relation) are XX001, never rows; a tampered WAL record before the
//!   tail refuses the start, at the tail it ends replay;
//! - KEK rotation under 8 writers with kill -9 at random moments: exactly
//!   one of old and new KEK opens the cluster, no acknowledged commit lost;
//! - `flintdb encrypt` and `flintdb dek rotate` killed at random moments
//!   finish when run again, every row intact and `flintdb check` clean.
//!
//! FlintDB writes no temporary or spill files yet (sorts and hashes stay
//! in memory), so that placement has nothing to test.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{connect, copy_dir, free_port, seed, Binary, Rng};
use parking_lot::Mutex;

const BIN: &str = env!("CARGO_BIN_EXE_flintdb");

fn write_key(dir: &Path, name: &str, byte_seed: u64) -> PathBuf {
    let mut rng = Rng(byte_seed | 1);
    let key: Vec<u8> = (0..32).map(|_| rng.next() as u8).collect();
    let path = dir.join(name);
    std::fs::write(&path, key).unwrap();
    path
}

fn kek_args(key: Option<&Path>) -> Vec<String> {
    key.map(|k| vec!["--kek-file".to_string(), k.display().to_string()])
        .unwrap_or_default()
}

fn start(data: &Path, key: Option<&Path>) -> Binary {
    let args = kek_args(key);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Binary::start_with(data, &args)
}

/// Starts the server expecting it to refuse: returns its stderr and how
/// long it took to exit (it must exit non-zero within 10 s).
fn start_refused(data: &Path, key: Option<&Path>) -> (String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(data)
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .args(kek_args(key))
        .env_remove("FLINTDB_KEK_FILE")
        .env_remove("FLINTDB_KEK_PASSPHRASE")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            assert!(!status.success(), "the server should refuse: {err}");
            return (err, started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the server did not refuse within 10 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Starts the server if it accepts the key; None if it refuses.
fn try_start(data: &Path, key: &Path) -> Option<Binary> {
    let probe = Command::new(BIN)
        .args(["check", "--data-dir"])
        .arg(data)
        .args(kek_args(Some(key)))
        .output()
        .unwrap();
    probe.status.success().then(|| start(data, Some(key)))
}

fn tool(args: &[&str], key: Option<&Path>) -> Output {
    Command::new(BIN)
        .args(args)
        .args(kek_args(key))
        .env_remove("FLINTDB_KEK_FILE")
        .output()
        .unwrap()
}

fn check_clean(data: &Path, key: Option<&Path>) {
    let out = tool(&["check", "--data-dir", data.to_str().unwrap()], key);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("no problems found"),
        "flintdb check: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Occurrences of `needle` in every file under `dir` (grep -a -r -c).
fn occurrences(dir: &Path, needle: &[u8]) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += occurrences(&path, needle);
        } else if let Ok(bytes) = std::fs::read(&path) {
            count += bytes.windows(needle.len()).filter(|w| *w == needle).count();
        }
    }
    count
}

/// SHA-256 of every file under `dir`.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(hashes(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
            out.insert(path, digest.as_ref().to_vec());
        }
    }
    out
}

/// A SCRAM verifier whose salt is `marker` (base64 of its bytes is what
/// gets stored), so the role's password has a findable form.
fn verifier_with_salt(marker: &str) -> (String, String) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let salt = b64.encode(marker.as_bytes());
    let key = b64.encode([7u8; 32]);
    (format!("SCRAM-SHA-256$4096:{salt}${key}:{key}"), salt)
}

/// Places every marker, checkpoints some and leaves others in the WAL
/// only (kill -9), then counts each under the data directory. Also checks
/// that recovery brings every row back.
async fn marker_counts(tde: bool) -> Vec<(&'static str, usize)> {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = tde.then(|| write_key(tmp.path(), "kek", seed()));
    let mut rng = Rng(seed());
    let tag = rng.alnum(10);
    let m = |what: &str| format!("mk{tag}{what}");
    let (inline, toasted, indexed) = (m("inline"), m("toasted"), m("indexed"));
    let (table, column) = (m("table"), m("column"));
    let (wal_inline, wal_indexed) = (m("walinline"), m("walindexed"));
    let (verifier, password_salt) = verifier_with_salt(&m("password"));
    // Incompressible text around the TOAST marker, so it stays a value of
    // several KB stored out of line.
    let noise = rng.alnum(6000);
    let big = format!("{}{toasted}{}", &noise[..100], &noise[100..]);

    let server = start(&data, key.as_deref());
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute(&format!(
            "CREATE TABLE {table} (id int PRIMARY KEY, {column} text, big text, k text); \
             CREATE INDEX ON {table} (k); \
             CREATE ROLE markerrole LOGIN PASSWORD '{verifier}'; \
             INSERT INTO {table} VALUES (1, '{inline}', '{big}', '{indexed}')"
        ))
        .await
        .unwrap();
    drop(client);
    // A clean stop checkpoints: these markers are in the relation files.
    assert!(server.terminate().success());
    let server = start(&data, key.as_deref());
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute(&format!(
            "INSERT INTO {table} VALUES (2, '{wal_inline}', 'x', '{wal_indexed}')"
        ))
        .await
        .unwrap();
    drop(client);
    // Acknowledged, then killed before any checkpoint: in the WAL only.
    server.kill9();
    let placements = [
        ("inline column", inline.as_str()),
        ("TOASTed value", toasted.as_str()),
        ("indexed key", indexed.as_str()),
        ("table name", table.as_str()),
        ("column name", column.as_str()),
        ("role password verifier", password_salt.as_str()),
        ("WAL only (inline)", wal_inline.as_str()),
        ("WAL only (indexed)", wal_indexed.as_str()),
    ];
    let counts: Vec<(&str, usize)> = placements
        .iter()
        .map(|(what, marker)| (*what, occurrences(&data, marker.as_bytes())))
        .collect();
    // Recovery replays the WAL (sealed or not) and every row is back.
    let server = start(&data, key.as_deref());
    let client = connect(&server.conn_str()).await;
    let rows = client
        .query(
            &format!("SELECT {column}, k, length(big) FROM {table} ORDER BY id"),
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        vec![
            (inline.clone(), indexed.clone(), big.len() as i32),
            (wal_inline.clone(), wal_indexed.clone(), 1)
        ]
    );
    let n: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM {table} WHERE k = $1"),
            &[&wal_indexed],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the index entry replayed from the WAL");
    let shown: String = client
        .query_one("SHOW data_encryption", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(shown, if tde { "on" } else { "off" });
    drop(client);
    assert!(server.terminate().success());
    if tde {
        // After recovery and a checkpoint, still nothing in the clear.
        for (what, marker) in placements {
            assert_eq!(occurrences(&data, marker.as_bytes()), 0, "{what}");
        }
    }
    check_clean(&data, key.as_deref());
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markers_are_nowhere_on_disk_with_tde_and_everywhere_without() {
    let plain = marker_counts(false).await;
    let sealed = marker_counts(true).await;
    println!("marker scan (placement: TDE off / TDE on):");
    for ((what, off), (_, on)) in plain.iter().zip(&sealed) {
        println!("  {what}: {off} / {on}");
        assert!(
            *off > 0,
            "TDE off must find the {what} marker, or it tests nothing"
        );
        assert_eq!(*on, 0, "TDE on found the {what} marker");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_missing_or_truncated_keys_and_a_kek_for_plaintext_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write_key(tmp.path(), "kek", 11);
    let wrong = write_key(tmp.path(), "wrong", 12);
    let truncated = tmp.path().join("truncated");
    std::fs::write(&truncated, &std::fs::read(&key).unwrap()[..20]).unwrap();
    let data = tmp.path().join("data");
    let server = start(&data, Some(&key));
    connect(&server.conn_str())
        .await
        .batch_execute("CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')")
        .await
        .unwrap();
    server.kill9();
    let before = hashes(&data);
    for (key, expect) in [
        (Some(&wrong), "key check failed"),
        (None, "no key given"),
        (Some(&truncated), "does not hold a key"),
    ] {
        let (err, took) = start_refused(&data, key.map(PathBuf::as_path));
        assert!(err.contains(expect), "{expect}: {err}");
        assert!(took < Duration::from_secs(5), "refused in {took:?}");
        assert_eq!(
            hashes(&data),
            before,
            "{expect}: the data directory changed"
        );
    }
    // The right key recovers (after the kill) and reads everything.
    let server = start(&data, Some(&key));
    let v: String = connect(&server.conn_str())
        .await
        .query_one("SELECT v FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "kept");
    assert!(server.terminate().success());
    check_clean(&data, Some(&key));

    // A KEK for a plaintext cluster is an error, never ignored.
    let plain = tmp.path().join("plain");
    let server = start(&plain, None);
    server.kill9();
    let before = hashes(&plain);
    let (err, _) = start_refused(&plain, Some(&key));
    assert!(err.contains("not encrypted"), "{err}");
    assert_eq!(hashes(&plain), before);
}

/// An encrypted cluster with tables `a` and `b` of several pages each,
/// cleanly stopped; returns their relation file numbers.
async fn two_tables(data: &Path, key: &Path) -> (u32, u32) {
    let server = start(data, Some(key));
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute(
            "CREATE TABLE a (id int, v text); CREATE TABLE b (id int, v text); \
             INSERT INTO a SELECT g, repeat('a', 200) FROM generate_series(1, 500) g; \
             INSERT INTO b SELECT g, repeat('b', 200) FROM generate_series(1, 500) g",
        )
        .await
        .unwrap();
    let mut rels = Vec::new();
    for name in ["a", "b"] {
        let rel: u32 = client
            .query_one(
                "SELECT relfilenode FROM pg_class WHERE relname = $1",
                &[&name],
            )
            .await
            .unwrap()
            .get(0);
        rels.push(rel);
    }
    let (ra, rb) = (rels[0], rels[1]);
    drop(client);
    assert!(server.terminate().success());
    (ra, rb)
}

const PAGE: usize = 8192;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_pages_are_xx001_never_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write_key(tmp.path(), "kek", 21);
    let pristine = tmp.path().join("pristine");
    let (ra, rb) = two_tables(&pristine, &key).await;
    type Tamper = Box<dyn Fn(&mut Vec<u8>, &[u8])>;
    let flip =
        |at: usize| -> Tamper { Box::new(move |a: &mut Vec<u8>, _: &[u8]| a[PAGE + at] ^= 0x04) };
    let cases: Vec<(&str, Tamper)> = vec![
        ("a flipped ciphertext bit", flip(1000)),
        ("a flipped nonce bit", flip(8152 + 10)),
        ("a flipped tag bit", flip(8192 - 3)),
        (
            "two pages swapped",
            Box::new(|a: &mut Vec<u8>, _: &[u8]| {
                let one = a[PAGE..2 * PAGE].to_vec();
                a.copy_within(2 * PAGE..3 * PAGE, PAGE);
                a[2 * PAGE..3 * PAGE].copy_from_slice(&one);
            }),
        ),
        (
            "a page copied from another relation",
            Box::new(|a: &mut Vec<u8>, b: &[u8]| {
                a[PAGE..2 * PAGE].copy_from_slice(&b[PAGE..2 * PAGE])
            }),
        ),
    ];
    for (what, tamper) in cases {
        let data = tmp.path().join(what.replace(' ', "_"));
        copy_dir(&pristine, &data);
        let file_a = data.join("base").join(ra.to_string());
        let mut a = std::fs::read(&file_a).unwrap();
        let b = std::fs::read(data.join("base").join(rb.to_string())).unwrap();
        assert!(a.len() >= 3 * PAGE, "table a spans at least 3 pages");
        tamper(&mut a, &b);
        std::fs::write(&file_a, a).unwrap();
        let server = start(&data, Some(&key));
        let client = connect(&server.conn_str()).await;
        for _ in 0..2 {
            let err = client
                .query("SELECT id, v FROM a", &[])
                .await
                .expect_err(what);
            let db = err.as_db_error().expect("a database error");
            assert_eq!(db.code().code(), "XX001", "{what}: {}", db.message());
            assert!(db.message().contains("block"), "{what}: {}", db.message());
        }
        // Confined to the query: the other table still reads.
        let n: i64 = client
            .query_one("SELECT count(*) FROM b", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 500, "{what}");
        server.kill9();
    }
}

/// Record boundaries of a WAL segment: (offset, length) from the first
/// record (LSN 16) on.
fn wal_records(segment: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 16;
    while at + 4 <= segment.len() {
        let len = u32::from_le_bytes(segment[at..at + 4].try_into().unwrap()) as usize;
        if len == 0 || at + len > segment.len() {
            break;
        }
        out.push((at, len));
        at += len;
    }
    out
}

/// Flips a ciphertext bit of a record and recomputes its CRC, so only the
/// authentication tag can notice.
fn tamper_record(segment: &mut [u8], (at, len): (usize, usize)) {
    segment[at + len - 20] ^= 0x01;
    let crc = crc32c::crc32c(&segment[at + 8..at + len]);
    segment[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_wal_record_refuses_the_start_or_ends_replay_at_the_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write_key(tmp.path(), "kek", 31);
    let pristine = tmp.path().join("pristine");
    let server = start(&pristine, Some(&key));
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute("CREATE TABLE w (id int)")
        .await
        .unwrap();
    for i in 0..40 {
        client
            .batch_execute(&format!("INSERT INTO w VALUES ({i})"))
            .await
            .unwrap();
    }
    drop(client);
    server.kill9();
    let segment_path = |dir: &Path| dir.join("wal").join(format!("{:016X}", 0));
    let segment = std::fs::read(segment_path(&pristine)).unwrap();
    let records = wal_records(&segment);
    assert!(records.len() > 80, "{} records", records.len());

    // Before the tail: refuse to start rather than drop commits.
    let mid = tmp.path().join("mid");
    copy_dir(&pristine, &mid);
    let mut bytes = segment.clone();
    tamper_record(&mut bytes, records[records.len() - 30]);
    std::fs::write(segment_path(&mid), &bytes).unwrap();
    let (err, _) = start_refused(&mid, Some(&key));
    assert!(err.contains("WAL is damaged"), "{err}");

    // At the tail: replay ends there, as for a torn write.
    let tail = tmp.path().join("tail");
    copy_dir(&pristine, &tail);
    let mut bytes = segment.clone();
    tamper_record(&mut bytes, *records.last().unwrap());
    std::fs::write(segment_path(&tail), &bytes).unwrap();
    let server = start(&tail, Some(&key));
    let n: i64 = connect(&server.conn_str())
        .await
        .query_one("SELECT count(*) FROM w", &[])
        .await
        .unwrap()
        .get(0);
    assert!((39..=40).contains(&n), "{n} rows after a torn tail");
}

/// 8 writers inserting numbered rows; returns the acknowledged numbers.
fn writers(
    conn: String,
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<HashSet<i64>>>, Vec<tokio::task::JoinHandle<()>>) {
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let tasks = (0..8i64)
        .map(|c| {
            let (conn, stop, acked) = (conn.clone(), stop.clone(), acked.clone());
            tokio::spawn(async move {
                let Some(client) = common::try_connect(&conn).await else {
                    return;
                };
                let mut n = 0i64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let id = (seed() as i64 & 0xffff) << 40 | c << 32 | n;
                    match client
                        .execute("INSERT INTO acked VALUES ($1)", &[&id])
                        .await
                    {
                        Ok(_) => {
                            acked.lock().insert(id);
                        }
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    (acked, tasks)
}

async fn assert_all_present(conn: &str, acked: &HashSet<i64>) {
    let present: HashSet<i64> = connect(conn)
        .await
        .query("SELECT id FROM acked", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let lost = acked.difference(&present).count();
    assert_eq!(lost, 0, "{lost} acknowledged commits lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kek_rotation_under_load_and_kill_9_leaves_exactly_one_key() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut rng = Rng(seed());
    let mut current = write_key(tmp.path(), "kek0", rng.next());
    let server = start(&data, Some(&current));
    connect(&server.conn_str())
        .await
        .batch_execute("CREATE TABLE acked (id int8 PRIMARY KEY)")
        .await
        .unwrap();
    let mut server = Some(server);
    let mut all_acked = HashSet::new();
    let (mut rotated, mut kept) = (0, 0);
    for cycle in 1..=4 {
        let running = server.take().unwrap();
        let next = write_key(tmp.path(), &format!("kek{cycle}"), rng.next());
        let stop = Arc::new(AtomicBool::new(false));
        let (acked, tasks) = writers(running.conn_str(), stop.clone());
        tokio::time::sleep(Duration::from_millis(100 + rng.below(200))).await;
        let mut rotate = Command::new(BIN)
            .args(["kek", "rotate", "--data-dir"])
            .arg(&data)
            .arg("--kek-file")
            .arg(&current)
            .arg("--new-kek-file")
            .arg(&next)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        let _ = rotate.kill();
        let _ = rotate.wait();
        running.kill9();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        all_acked.extend(acked.lock().iter().copied());
        let old = try_start(&data, &current);
        let new = try_start(&data, &next);
        assert!(
            old.is_some() != new.is_some(),
            "cycle {cycle}: exactly one of the old and new KEK must open the cluster (old {}, new {})",
            old.is_some(),
            new.is_some()
        );
        let up = match (old, new) {
            (Some(s), None) => {
                kept += 1;
                s
            }
            (None, Some(s)) => {
                rotated += 1;
                current = next;
                s
            }
            _ => unreachable!(),
        };
        assert_all_present(&up.conn_str(), &all_acked).await;
        server = Some(up);
    }
    println!(
        "KEK rotation under load with kill -9: {rotated} rotated, {kept} interrupted before the rename; {} acknowledged commits, 0 lost",
        all_acked.len()
    );
    let up = server.take().unwrap();
    assert!(up.terminate().success());
    check_clean(&data, Some(&current));
}

/// Runs a key tool, killing it at random moments until a run finishes.
fn run_until_done(args: &[&str], key: &Path, rng: &mut Rng, max_kill_ms: u64) -> usize {
    let mut kills = 0;
    loop {
        let mut child = Command::new(BIN)
            .args(args)
            .args(kek_args(Some(key)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if kills < 6 {
            std::thread::sleep(Duration::from_millis(rng.below(max_kill_ms)));
            if child.try_wait().unwrap().is_none() {
                let _ = child.kill();
                let _ = child.wait();
                kills += 1;
                continue;
            }
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return kills;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypt_and_dek_rotate_finish_after_kill_9_at_random_moments() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = write_key(tmp.path(), "kek", 41);
    let mut rng = Rng(seed());
    let server = start(&data, None);
    let client = connect(&server.conn_str()).await;
    for t in 0..4 {
        client
            .batch_execute(&format!(
                "CREATE TABLE t{t} (id int PRIMARY KEY, v text); \
                 INSERT INTO t{t} SELECT g, 'plainrow' || g FROM generate_series(1, 4000) g"
            ))
            .await
            .unwrap();
    }
    drop(client);
    assert!(server.terminate().success());
    assert!(occurrences(&data, b"plainrow3999") > 0);
    let d = data.to_str().unwrap();

    let encrypt_kills = run_until_done(&["encrypt", "--data-dir", d], &key, &mut rng, 250);
    assert_eq!(occurrences(&data, b"plainrow3999"), 0);
    verify_tables(&data, &key).await;

    let rotate_kills = run_until_done(&["dek", "rotate", "--data-dir", d], &key, &mut rng, 250);
    let keys = std::fs::read_to_string(data.join("flintdb.keys")).unwrap();
    assert!(
        keys.contains("current 2") && !keys.contains("dek 1 "),
        "{keys}"
    );
    verify_tables(&data, &key).await;
    println!("flintdb encrypt killed {encrypt_kills} times, dek rotate {rotate_kills} times; both finished");
}

async fn verify_tables(data: &Path, key: &Path) {
    let server = start(data, Some(key));
    let client = connect(&server.conn_str()).await;
    for t in 0..4 {
        let (n, max): (i64, String) = {
            let r = client
                .query_one(&format!("SELECT count(*), max(v) FROM t{t}"), &[])
                .await
                .unwrap();
            (r.get(0), r.get(1))
        };
        assert_eq!((n, max.as_str()), (4000, "plainrow999"));
        let one: String = client
            .query_one(&format!("SELECT v FROM t{t} WHERE id = 1234"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(one, "plainrow1234");
    }
    drop(client);
    assert!(server.terminate().success());
    check_clean(data, Some(key));
}
