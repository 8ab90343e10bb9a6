//! Two sessions at once: dirty reads, non-repeatable reads and lost
//! updates under READ COMMITTED and REPEATABLE READ, with the outcomes
//! PostgreSQL 15 gives (checked by hand against it with psql).

mod common;

use std::time::Duration;

use common::{sqlstate_of, TestServer};
use tokio_postgres::Client;

async fn value(c: &Client) -> i64 {
    c.query_one("SELECT v FROM x WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0)
}

async fn setup() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let a = server.connect().await;
    let b = server.connect().await;
    a.batch_execute("CREATE TABLE x (id int8, v int8); INSERT INTO x VALUES (1, 10)")
        .await
        .unwrap();
    (server, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_dirty_reads_at_either_level() {
    for level in ["READ COMMITTED", "REPEATABLE READ"] {
        let (_server, a, b) = setup().await;
        a.batch_execute(&format!(
            "BEGIN ISOLATION LEVEL {level}; UPDATE x SET v = 99"
        ))
        .await
        .unwrap();
        b.batch_execute(&format!("BEGIN ISOLATION LEVEL {level}"))
            .await
            .unwrap();
        assert_eq!(value(&b).await, 10, "{level}: uncommitted change invisible");
        a.batch_execute("ROLLBACK").await.unwrap();
        assert_eq!(value(&b).await, 10);
        b.batch_execute("COMMIT").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_repeatable_reads_only_under_read_committed() {
    for (level, second_read) in [("READ COMMITTED", 20), ("REPEATABLE READ", 10)] {
        let (_server, a, b) = setup().await;
        a.batch_execute(&format!("BEGIN ISOLATION LEVEL {level}"))
            .await
            .unwrap();
        assert_eq!(value(&a).await, 10);
        // A reader never blocks a writer.
        b.batch_execute("UPDATE x SET v = 20").await.unwrap();
        assert_eq!(value(&a).await, second_read, "{level}");
        a.batch_execute("COMMIT").await.unwrap();
        assert_eq!(value(&a).await, 20);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_update_waits_then_applies_or_fails_with_40001() {
    for level in ["READ COMMITTED", "REPEATABLE READ"] {
        let (_server, a, b) = setup().await;
        a.batch_execute(&format!(
            "BEGIN ISOLATION LEVEL {level}; UPDATE x SET v = v + 1"
        ))
        .await
        .unwrap();
        b.batch_execute(&format!("BEGIN ISOLATION LEVEL {level}"))
            .await
            .unwrap();
        let second = tokio::spawn(async move {
            let r = b.batch_execute("UPDATE x SET v = v + 1").await;
            (b, r)
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !second.is_finished(),
            "{level}: the second writer waits for the first"
        );
        a.batch_execute("COMMIT").await.unwrap();
        let (b, result) = second.await.unwrap();
        match level {
            "READ COMMITTED" => {
                result.unwrap();
                b.batch_execute("COMMIT").await.unwrap();
                assert_eq!(value(&a).await, 12, "both increments apply");
            }
            _ => {
                let err = result.unwrap_err();
                assert_eq!(sqlstate_of(&err), "40001", "{level}");
                assert_eq!(
                    err.as_db_error().unwrap().message(),
                    "could not serialize access due to concurrent update"
                );
                b.batch_execute("ROLLBACK").await.unwrap();
                assert_eq!(value(&a).await, 11);
            }
        }
    }
}

/// PostgreSQL's rule for two inserters of one key: the second waits for
/// the first; if the first commits the second fails with 23505, if it
/// rolls back the second succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_inserter_of_a_key_waits_then_fails_or_succeeds() {
    for first_commits in [true, false] {
        let server = TestServer::start().await;
        let a = server.connect().await;
        let b = server.connect().await;
        a.batch_execute("CREATE TABLE u (id int8 PRIMARY KEY)")
            .await
            .unwrap();
        a.batch_execute("BEGIN; INSERT INTO u VALUES (1)")
            .await
            .unwrap();
        let second = tokio::spawn(async move {
            let r = b.batch_execute("INSERT INTO u VALUES (1)").await;
            (r.err().map(|e| sqlstate_of(&e)), b)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the second inserter waits");
        let end = if first_commits { "COMMIT" } else { "ROLLBACK" };
        a.batch_execute(end).await.unwrap();
        let (err, _b) = second.await.unwrap();
        let want = first_commits.then(|| "23505".to_string());
        assert_eq!(err, want, "after the first inserter's {end}");
        let n: i64 = a
            .query_one("SELECT count(*) FROM u WHERE id = 1", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_session_rolls_back_and_frees_the_writer() {
    let (server, a, b) = setup().await;
    a.batch_execute("BEGIN; UPDATE x SET v = 500")
        .await
        .unwrap();
    drop(a);
    // The next writer gets the lock once the dead session is rolled back.
    let done = tokio::time::timeout(
        Duration::from_secs(10),
        b.batch_execute("UPDATE x SET v = v + 1"),
    )
    .await;
    done.expect("writer lock freed").unwrap();
    assert_eq!(value(&b).await, 11);
    drop(server);
}

/// A writer waiting longer than lock_timeout fails with 55P03 and leaves
/// its session usable.
#[test]
fn lock_timeout_gives_55p03() {
    use std::sync::Arc;

    use flintdb::engine::{Engine, EngineOptions};
    use flintdb::sql::exec::Row;
    use flintdb::sql::parser;
    use flintdb::sql::plan::OutputColumn;
    use flintdb::sql::session::{RowSink, Session};

    struct Ignore;
    impl RowSink for Ignore {
        fn columns(&mut self, _: &[OutputColumn], _: &str) -> flintdb::error::Result<()> {
            Ok(())
        }
        fn row(&mut self, _: Row) -> flintdb::error::Result<()> {
            Ok(())
        }
        fn notice(&mut self, _: &str, _: &str, _: String) {}
    }
    fn run(s: &mut Session, sql: &str) -> flintdb::error::Result<()> {
        for st in parser::parse(sql)? {
            s.execute(&st, &[], vec![], &mut Ignore)?;
        }
        Ok(())
    }

    let dir = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        lock_timeout: Some(Duration::from_millis(150)),
        fsync: false,
        ..EngineOptions::new(dir.path().join("data"), 4 << 20)
    };
    let engine = Arc::new(Engine::open(&options).unwrap());
    let mut a = Session::new(engine.clone());
    let mut b = Session::new(engine.clone());
    run(
        &mut a,
        "CREATE TABLE x (v int); INSERT INTO x VALUES (1), (2); BEGIN; UPDATE x SET v = 10 WHERE v = 1",
    )
    .unwrap();
    // Another row, and new rows, do not wait.
    run(
        &mut b,
        "UPDATE x SET v = 20 WHERE v = 2; INSERT INTO x VALUES (3)",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let err = run(&mut b, "UPDATE x SET v = 11 WHERE v = 1").unwrap_err();
    assert_eq!(err.sqlstate(), "55P03");
    assert!(started.elapsed() >= Duration::from_millis(150));
    // A DDL statement waits for the row writer's transaction too.
    let err = run(&mut b, "CREATE INDEX ON x (v)").unwrap_err();
    assert_eq!(err.sqlstate(), "55P03");
    run(&mut a, "COMMIT").unwrap();
    run(
        &mut b,
        "UPDATE x SET v = 11 WHERE v = 10; CREATE INDEX ON x (v)",
    )
    .unwrap();
}

/// A statement running longer than statement_timeout is cancelled with
/// 57014; the session goes on.
#[test]
fn statement_timeout_cancels_with_57014() {
    use std::sync::Arc;

    use flintdb::engine::{Engine, EngineOptions};

    let dir = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        statement_timeout: Some(Duration::from_millis(200)),
        fsync: false,
        ..EngineOptions::new(dir.path().join("data"), 4 << 20)
    };
    let engine = Arc::new(Engine::open(&options).unwrap());
    let rows: Vec<String> = (0..2000).map(|i| format!("({i})")).collect();
    common::run(
        &engine,
        &format!(
            "CREATE TABLE t (v int8); INSERT INTO t VALUES {}",
            rows.join(",")
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    // 8 billion joined rows: far longer than 200 ms.
    let err = common::run(&engine, "SELECT count(*) FROM t a, t b, t c").unwrap_err();
    assert_eq!(err.sqlstate(), "57014");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "cancelled promptly"
    );
    assert_eq!(common::ids(&engine, "SELECT count(*) FROM t"), vec![2000]);
}

/// Writers of different rows run at once; two that wait for each other's
/// rows are a deadlock: one fails with 40P01 and the other goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossed_updates_are_a_deadlock_for_one_of_them() {
    let server = TestServer::start().await;
    let a = server.connect().await;
    let b = server.connect().await;
    a.batch_execute(
        "CREATE TABLE d (id int8 PRIMARY KEY, v int8); INSERT INTO d VALUES (1, 0), (2, 0)",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN; UPDATE d SET v = 1 WHERE id = 1")
        .await
        .unwrap();
    // No wait: another row.
    tokio::time::timeout(
        Duration::from_secs(5),
        b.batch_execute("BEGIN; UPDATE d SET v = 2 WHERE id = 2"),
    )
    .await
    .expect("writers of different rows do not wait")
    .unwrap();
    let first = tokio::spawn(async move {
        let r = a.batch_execute("UPDATE d SET v = 1 WHERE id = 2").await;
        (a, r.err().map(|e| sqlstate_of(&e)))
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!first.is_finished(), "a waits for b's row");
    let err = b
        .batch_execute("UPDATE d SET v = 2 WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "40P01");
    assert_eq!(err.as_db_error().unwrap().message(), "deadlock detected");
    b.batch_execute("ROLLBACK").await.unwrap();
    let (a, err) = first.await.unwrap();
    assert_eq!(err, None, "a goes on once b rolled back");
    a.batch_execute("COMMIT").await.unwrap();
    let rows = a
        .query("SELECT id, v FROM d ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i64, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![(1, 1), (2, 1)]);
}

/// Many sessions incrementing one counter and inserting their own rows at
/// once: every increment applies exactly once, no key is duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_lose_nothing() {
    let server = TestServer::start().await;
    let setup = server.connect().await;
    setup
        .batch_execute(
            "CREATE TABLE c (id int8 PRIMARY KEY, n int8); INSERT INTO c VALUES (0, 0);
             CREATE TABLE log (k int8 PRIMARY KEY, who int8)",
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for who in 0..8i64 {
        let client = server.connect().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..25i64 {
                client
                    .batch_execute(&format!(
                        "BEGIN; UPDATE c SET n = n + 1 WHERE id = 0; INSERT INTO log VALUES ({}, {who}); COMMIT",
                        who * 1000 + i
                    ))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n: i64 = setup
        .query_one("SELECT n FROM c WHERE id = 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 200);
    let rows: i64 = setup
        .query_one("SELECT count(*) FROM log", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 200);
}

/// SELECT … FOR UPDATE holds rows like an UPDATE: NOWAIT fails at once
/// with 55P03, SKIP LOCKED leaves the held rows out, an UPDATE waits and
/// then works on the holder's new version, and readers never wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_for_update_locks_rows() {
    let server = TestServer::start().await;
    let a = server.connect().await;
    let b = server.connect().await;
    a.batch_execute(
        "CREATE TABLE q (id int8 PRIMARY KEY, v text);
         INSERT INTO q SELECT g, 'x' FROM generate_series(1, 5) g",
    )
    .await
    .unwrap();
    a.batch_execute("BEGIN").await.unwrap();
    let held = a
        .query("SELECT id FROM q WHERE id <= 2 FOR UPDATE", &[])
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    let ids = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get(0)).collect::<Vec<i64>>();
    let free = b
        .query(
            "SELECT id FROM q ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ids(free), vec![3, 4]);
    let err = b
        .query("SELECT id FROM q WHERE id = 1 FOR SHARE NOWAIT", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "55P03");
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "could not obtain lock on row in relation \"q\""
    );
    assert_eq!(
        ids(b
            .query("SELECT id FROM q WHERE id <= 2 ORDER BY id", &[])
            .await
            .unwrap()),
        vec![1, 2],
        "plain readers do not wait"
    );
    let waiter = tokio::spawn(async move {
        let r = b
            .query_one("UPDATE q SET v = v || '+' WHERE id = 2 RETURNING v", &[])
            .await
            .map(|r| r.get::<_, String>(0));
        (b, r)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "an UPDATE waits for the row lock");
    a.batch_execute("UPDATE q SET v = 'held' WHERE id = 2; COMMIT")
        .await
        .unwrap();
    let (b, v) = waiter.await.unwrap();
    assert_eq!(
        v.unwrap(),
        "held+",
        "the waiter updates the holder's version"
    );
    // A lock alone deletes nothing once its transaction commits.
    a.batch_execute("BEGIN; SELECT * FROM q WHERE id = 5 FOR UPDATE; COMMIT")
        .await
        .unwrap();
    let n: i64 = b
        .query_one("SELECT count(*) FROM q", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 5);
    b.batch_execute("UPDATE q SET v = 'free' WHERE id = 5")
        .await
        .unwrap();
}

/// A referencing insert locks the referenced row: a concurrent DELETE of
/// it waits, then fails with 23503 if the insert committed (and goes
/// through if it rolled back), so no committed row references nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referenced_row_cannot_go_under_a_concurrent_reference() {
    for first_commits in [true, false] {
        let server = TestServer::start().await;
        let a = server.connect().await;
        let b = server.connect().await;
        a.batch_execute(
            "CREATE TABLE p (id int PRIMARY KEY); \
             CREATE TABLE c (pid int REFERENCES p); \
             INSERT INTO p VALUES (1)",
        )
        .await
        .unwrap();
        a.batch_execute("BEGIN; INSERT INTO c VALUES (1)")
            .await
            .unwrap();
        let delete = tokio::spawn(async move {
            let r = b.batch_execute("DELETE FROM p WHERE id = 1").await;
            (r.err().map(|e| sqlstate_of(&e)), b)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!delete.is_finished(), "the delete waits for the reference");
        let end = if first_commits { "COMMIT" } else { "ROLLBACK" };
        a.batch_execute(end).await.unwrap();
        let (err, _b) = delete.await.unwrap();
        let want = first_commits.then(|| "23503".to_string());
        assert_eq!(err, want, "after the referencing insert's {end}");
        let orphans: i64 = a
            .query_one(
                "SELECT count(*) FROM c WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.id = c.pid)",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(orphans, 0);
    }
}

/// Two upserts of one new key: the second waits for the first and then
/// updates its row instead of failing with 23505 (or inserts, if the
/// first rolled back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upserts_of_a_key_wait_and_update() {
    for first_commits in [true, false] {
        let server = TestServer::start().await;
        let a = server.connect().await;
        let b = server.connect().await;
        a.batch_execute("CREATE TABLE hits (page text PRIMARY KEY, n int8 NOT NULL)")
            .await
            .unwrap();
        let upsert = "INSERT INTO hits VALUES ('home', 1) \
                      ON CONFLICT (page) DO UPDATE SET n = hits.n + excluded.n";
        a.batch_execute(&format!("BEGIN; {upsert}")).await.unwrap();
        let second = tokio::spawn(async move {
            let r = b.batch_execute(upsert).await;
            (r.err().map(|e| sqlstate_of(&e)), b)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the second upsert waits");
        let end = if first_commits { "COMMIT" } else { "ROLLBACK" };
        a.batch_execute(end).await.unwrap();
        let (err, _b) = second.await.unwrap();
        assert_eq!(err, None, "after the first upsert's {end}");
        let n: i64 = a
            .query_one("SELECT n FROM hits WHERE page = 'home'", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, if first_commits { 2 } else { 1 });
    }
}
