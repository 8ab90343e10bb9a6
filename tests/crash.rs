//! Durability tests that destroy things: the WAL cut at every byte, a torn
//! page write, a flipped bit in the middle of the WAL, a failing fsync.
//! Each runs the real engine in-process through `Session`; the kill -9
//! test of the real binary lives in `tests/kill.rs`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use flintdb::engine::{Engine, EngineOptions};
use flintdb::error::Result;
use flintdb::storage::io::{File, FileSystem, OsFileSystem};
use flintdb::types::Value;

mod common;

use common::{copy_dir, ids, run};

fn options(dir: &Path, fsync: bool) -> EngineOptions {
    EngineOptions {
        fsync,
        ..EngineOptions::new(dir, 4 * 1024 * 1024)
    }
}

fn open(dir: &Path) -> Arc<Engine> {
    open_keyed(dir, None)
}

/// Opens with a KEK file when given (an encrypted cluster).
fn open_keyed(dir: &Path, kek: Option<&Path>) -> Arc<Engine> {
    let mut options = options(dir, false);
    options.kek = kek.map(|k| flintdb::security::keys::KekSource::File(k.to_path_buf()));
    Arc::new(Engine::open(&options).expect("open"))
}

fn wal_segments(dir: &Path) -> Vec<PathBuf> {
    let mut s: Vec<PathBuf> = std::fs::read_dir(dir.join("wal"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    s.sort();
    s
}

/// Commits after a checkpoint, a crash, then the WAL cut at every byte:
/// recovery always yields exactly the commits whose record survived whole.
#[test]
fn wal_truncated_at_every_byte_recovers_a_prefix_of_commits() {
    wal_cut_recovers_a_prefix("CREATE TABLE t (id int8, body text)", 1, false);
}

/// The same on an encrypted cluster (sealed records and pages), cutting
/// every 16th byte and around every commit's end.
#[test]
fn encrypted_wal_truncated_recovers_a_prefix_of_commits() {
    wal_cut_recovers_a_prefix(
        "CREATE TABLE t (id int8 PRIMARY KEY, body text); CREATE INDEX t_body ON t (body)",
        16,
        true,
    );
}

/// The same with indexes, cutting every 16th byte and at every commit's
/// end (and one byte either side); the offline checker confirms that heap
/// and indexes agree after each recovery.
#[test]
fn wal_truncated_with_indexes_keeps_heap_and_indexes_in_step() {
    wal_cut_recovers_a_prefix(
        "CREATE TABLE t (id int8 PRIMARY KEY, body text); CREATE INDEX t_body ON t (body)",
        16,
        false,
    );
}

fn wal_cut_recovers_a_prefix(schema: &str, step: usize, encrypted: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let kek = encrypted.then(|| {
        let k = tmp.path().join("kek");
        std::fs::write(&k, [0x42u8; 32]).unwrap();
        k
    });
    let open = |dir: &Path| open_keyed(dir, kek.as_deref());
    let live = tmp.path().join("live");
    let engine = open(&live);
    run(
        &engine,
        &format!("{schema}; INSERT INTO t VALUES (0, 'before')"),
    )
    .unwrap();
    engine.checkpoint().unwrap();
    let base = tmp.path().join("base");
    copy_dir(&live, &base);
    let start = engine.wal_lsn();
    // Each statement is one transaction; note where its commit ends.
    let mut commit_ends = Vec::new();
    for i in 1..=4 {
        run(&engine, &format!("INSERT INTO t VALUES ({i}, 'row {i}')")).unwrap();
        commit_ends.push(engine.wal_lsn());
    }
    // An update of a page that existed at the checkpoint logs a full page image.
    run(&engine, "UPDATE t SET body = 'changed' WHERE id = 0").unwrap();
    commit_ends.push(engine.wal_lsn());
    drop(engine); // crash: dirty pages are lost, the WAL stays
    let segments = wal_segments(&live);
    assert_eq!(segments.len(), 1, "test assumes one segment");
    let wal = std::fs::read(&segments[0]).unwrap();
    let seg_start =
        u64::from_str_radix(segments[0].file_name().unwrap().to_str().unwrap(), 16).unwrap();
    let from = (start - seg_start) as usize;
    let to = wal.len();
    assert!(to > from + 8192, "the WAL holds a full page image");
    let trial = tmp.path().join("trial");
    let mut checked = 0;
    let near_commit = |cut: usize| {
        commit_ends
            .iter()
            .any(|end| ((*end - seg_start) as usize).abs_diff(cut) <= 1)
    };
    let cuts: Vec<usize> = (from..=to)
        .filter(|c| step == 1 || c % step == 0 || *c == to || near_commit(*c))
        .collect();
    for &cut in &cuts {
        let _ = std::fs::remove_dir_all(&trial);
        copy_dir(&base, &trial);
        for s in wal_segments(&trial) {
            std::fs::remove_file(s).unwrap();
        }
        std::fs::write(
            trial.join("wal").join(segments[0].file_name().unwrap()),
            &wal[..cut],
        )
        .unwrap();
        let engine = open(&trial);
        let got = ids(&engine, "SELECT id FROM t ORDER BY id");
        let survived = commit_ends
            .iter()
            .filter(|end| **end - seg_start <= cut as u64)
            .count();
        let expected: Vec<i64> = (0..=survived.min(4) as i64).collect();
        assert_eq!(got, expected, "cut at byte {cut}");
        let body = run(&engine, "SELECT body FROM t WHERE id = 0").unwrap();
        let want = if survived == 5 { "changed" } else { "before" };
        assert_eq!(
            body[0][0],
            Value::Text(want.to_string()),
            "cut at byte {cut}"
        );
        if step > 1 {
            let report = flintdb::check::check(&engine).unwrap();
            assert!(
                report.problems.is_empty() && report.indexes == 2,
                "cut at byte {cut}: {:?}",
                report.problems
            );
        }
        checked += 1;
        // Cutting inside the full page image is the slow part; every byte is
        // still checked, but only the first open of each run reuses nothing.
    }
    assert_eq!(checked, cuts.len());
}

/// A page half-written on disk is repaired from its full page image.
#[test]
fn torn_page_write_is_repaired_by_the_full_page_image() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let engine = open(&dir);
    run(&engine, "CREATE TABLE t (id int8, body text)").unwrap();
    let values: Vec<String> = (0..50)
        .map(|i| format!("({i}, '{}')", "x".repeat(100)))
        .collect();
    run(
        &engine,
        &format!("INSERT INTO t VALUES {}", values.join(",")),
    )
    .unwrap();
    engine.checkpoint().unwrap();
    let oid = 16384;
    // First change after the checkpoint: logged as a full page image.
    run(&engine, "UPDATE t SET body = 'new' WHERE id < 10").unwrap();
    drop(engine);
    // Tear block 0: first half garbage, rest as the checkpoint left it.
    let path = dir.join("base").join(oid.to_string());
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes[..4096].iter_mut() {
        *b = 0xAB;
    }
    std::fs::write(&path, bytes).unwrap();
    let engine = open(&dir);
    assert_eq!(ids(&engine, "SELECT count(*) FROM t"), vec![50]);
    assert_eq!(
        ids(&engine, "SELECT count(*) FROM t WHERE body = 'new'"),
        vec![10]
    );
}

/// Damage in the middle of the WAL, with valid records after it, stops
/// start-up instead of silently dropping acknowledged commits.
#[test]
fn flipped_bit_mid_wal_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let engine = open(&dir);
    run(&engine, "CREATE TABLE t (id int8)").unwrap();
    engine.checkpoint().unwrap();
    let start = engine.wal_lsn();
    for i in 0..20 {
        run(&engine, &format!("INSERT INTO t VALUES ({i})")).unwrap();
    }
    let middle = (start + engine.wal_lsn()) / 2;
    drop(engine);
    let seg = &wal_segments(&dir)[0];
    let seg_start = u64::from_str_radix(seg.file_name().unwrap().to_str().unwrap(), 16).unwrap();
    let mut bytes = std::fs::read(seg).unwrap();
    bytes[(middle - seg_start) as usize] ^= 0x04;
    std::fs::write(seg, bytes).unwrap();
    let err = Engine::open(&options(&dir, false))
        .err()
        .expect("must refuse");
    assert_eq!(err.sqlstate(), "XX001");
    assert!(
        err.message().contains("refusing to start"),
        "{}",
        err.message()
    );
}

/// A file system whose fsyncs start failing on demand.
struct FailingSync {
    fail: Arc<AtomicBool>,
}

struct FailingFile {
    inner: Box<dyn File>,
    fail: Arc<AtomicBool>,
}

impl File for FailingFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        self.inner.write_at(buf, offset)
    }
    fn sync(&self) -> Result<()> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(flintdb::error::Error::Io("injected fsync failure".into()));
        }
        self.inner.sync()
    }
    fn len(&self) -> Result<u64> {
        self.inner.len()
    }
    fn set_len(&self, len: u64) -> Result<()> {
        self.inner.set_len(len)
    }
}

impl FileSystem for FailingSync {
    fn open(&self, path: &Path) -> Result<Box<dyn File>> {
        Ok(Box::new(FailingFile {
            inner: OsFileSystem.open(path)?,
            fail: self.fail.clone(),
        }))
    }
    fn remove(&self, path: &Path) -> Result<()> {
        OsFileSystem.remove(path)
    }
    fn sync_dir(&self, path: &Path) -> Result<()> {
        OsFileSystem.sync_dir(path)
    }
}

/// The first failed fsync stops all writing: that commit and every later
/// one fail, nothing is acknowledged after it, and a restart recovers
/// every commit acknowledged before it.
#[test]
fn failed_fsync_is_fail_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let fail = Arc::new(AtomicBool::new(false));
    let fs = Arc::new(FailingSync { fail: fail.clone() });
    let engine = Arc::new(Engine::open_with(&options(&dir, true), fs).unwrap());
    run(&engine, "CREATE TABLE t (id int8)").unwrap();
    run(&engine, "INSERT INTO t VALUES (1)").unwrap();
    fail.store(true, Ordering::SeqCst);
    let err = run(&engine, "INSERT INTO t VALUES (2)").unwrap_err();
    assert_eq!(err.sqlstate(), "58030");
    assert!(engine.has_failed());
    fail.store(false, Ordering::SeqCst);
    // No retry pretends the log is fine now.
    assert!(run(&engine, "INSERT INTO t VALUES (3)").is_err());
    drop(engine);
    let engine = open(&dir);
    let got = ids(&engine, "SELECT id FROM t ORDER BY id");
    assert!(
        got == vec![1] || got == vec![1, 2],
        "acknowledged commits survive, got {got:?}"
    );
}

/// A transaction still running at a checkpoint wrote rows that reach disk
/// with it; if it never commits before a crash, recovery aborts it (the
/// control file lists the xids running at the checkpoint), while a later
/// commit of another transaction survives.
#[test]
fn a_transaction_open_across_a_checkpoint_and_a_crash_is_aborted() {
    use flintdb::sql::parser;
    use flintdb::sql::session::Session;

    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    let engine = open(&live);
    run(&engine, "CREATE TABLE t (id int8 PRIMARY KEY, body text)").unwrap();
    let mut open_txn = Session::new(engine.clone());
    let mut sink = common::Collect(Vec::new());
    for st in parser::parse(
        "BEGIN; INSERT INTO t SELECT g, 'uncommitted' FROM generate_series(100, 199) g",
    )
    .unwrap()
    {
        open_txn.execute(&st, &[], vec![], &mut sink).unwrap();
    }
    engine.checkpoint().unwrap();
    run(&engine, "INSERT INTO t VALUES (1, 'committed')").unwrap();
    // Crash: the data directory as it is now, the open transaction neither
    // committed nor aborted.
    let crashed = tmp.path().join("crashed");
    copy_dir(&live, &crashed);
    let recovered = open(&crashed);
    assert_eq!(ids(&recovered, "SELECT id FROM t ORDER BY id"), vec![1]);
    // Its keys are free again.
    run(&recovered, "INSERT INTO t VALUES (100, 'again')").unwrap();
    let report = flintdb::check::check(&recovered).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    drop(open_txn);
}

/// Concurrent inserts that each allocate pages at the end of one table,
/// then a crash: another insert can find a just-allocated page (as the
/// relation's last) before its allocator logs it, so the allocator must
/// not log the page as new afterwards (recovery would wipe the other
/// insert and then refuse to start: "insert does not land in slot 1").
#[test]
fn concurrent_page_allocation_recovers_every_row() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    let engine = open(&live);
    run(&engine, "CREATE TABLE t (id int8, body text)").unwrap();
    engine.checkpoint().unwrap();
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for i in 0..1000i64 {
                    let id = t * 10_000 + i;
                    run(
                        &engine,
                        &format!("INSERT INTO t VALUES ({id}, repeat('x', 1900))"),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Crash: the directory as it is, dirty pages lost, the WAL complete.
    let crashed = tmp.path().join("crashed");
    copy_dir(&live, &crashed);
    let recovered = open(&crashed);
    assert_eq!(ids(&recovered, "SELECT count(*) FROM t"), vec![8000]);
}
