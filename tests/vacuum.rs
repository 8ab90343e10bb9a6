//! Dead row versions are reclaimed: a table updated in a loop stays
//! bounded, VACUUM frees space for reuse, autovacuum picks tables by their
//! deletes, and a snapshot still in use keeps the versions it can see.

mod common;

use std::sync::Arc;

use common::{ids, run};
use flintdb::engine::{Engine, EngineOptions};
use flintdb::storage::RelId;

fn open(dir: &std::path::Path) -> Arc<Engine> {
    let options = EngineOptions {
        fsync: false,
        ..EngineOptions::new(dir, 8 << 20)
    };
    Arc::new(Engine::open(&options).unwrap())
}

fn blocks(engine: &Engine, table: &str) -> u32 {
    let rel: RelId = engine.catalog().must_get_table(table).unwrap().rel();
    engine.heap().nblocks(rel).unwrap()
}

#[test]
fn a_table_updated_in_a_loop_does_not_grow_without_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = open(tmp.path());
    run(&engine, "CREATE TABLE t (id int8, payload text)").unwrap();
    let rows: Vec<String> = (0..500)
        .map(|i| format!("({i}, '{}')", "x".repeat(200)))
        .collect();
    run(&engine, &format!("INSERT INTO t VALUES {}", rows.join(","))).unwrap();
    let initial = blocks(&engine, "t");
    for _ in 0..40 {
        run(&engine, "UPDATE t SET id = id + 1").unwrap();
    }
    assert_eq!(ids(&engine, "SELECT count(*) FROM t"), vec![500]);
    assert!(
        blocks(&engine, "t") <= initial * 3,
        "{} blocks after 40 full updates of {initial}",
        blocks(&engine, "t")
    );
}

#[test]
fn vacuum_frees_space_that_inserts_reuse() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = open(tmp.path());
    run(&engine, "CREATE TABLE t (id int8, payload text)").unwrap();
    let rows: Vec<String> = (0..400)
        .map(|i| format!("({i}, '{}')", "y".repeat(300)))
        .collect();
    let insert = format!("INSERT INTO t VALUES {}", rows.join(","));
    run(&engine, &insert).unwrap();
    let full = blocks(&engine, "t");
    run(&engine, "DELETE FROM t").unwrap();
    run(&engine, "VACUUM t").unwrap();
    run(&engine, &insert).unwrap();
    assert_eq!(blocks(&engine, "t"), full, "vacuumed pages are reused");
    assert_eq!(ids(&engine, "SELECT count(*) FROM t"), vec![400]);
    // VACUUM of everything, and its errors.
    run(&engine, "VACUUM").unwrap();
    assert_eq!(
        run(&engine, "VACUUM nosuch").unwrap_err().sqlstate(),
        "42P01"
    );
    assert_eq!(
        run(&engine, "BEGIN; VACUUM t").unwrap_err().sqlstate(),
        "25001"
    );
    assert_eq!(
        run(&engine, "VACUUM FULL t").unwrap_err().sqlstate(),
        "0A000"
    );
}

#[test]
fn autovacuum_picks_tables_with_many_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = open(tmp.path());
    run(
        &engine,
        "CREATE TABLE busy (id int8); CREATE TABLE quiet (id int8)",
    )
    .unwrap();
    let rows: Vec<String> = (0..1000).map(|i| format!("({i})")).collect();
    run(
        &engine,
        &format!("INSERT INTO busy VALUES {}", rows.join(",")),
    )
    .unwrap();
    run(&engine, "INSERT INTO quiet VALUES (1)").unwrap();
    run(&engine, "DELETE FROM busy WHERE id < 900").unwrap();
    run(&engine, "DELETE FROM quiet").unwrap();
    assert_eq!(
        engine.autovacuum(500).unwrap(),
        900,
        "busy is vacuumed, quiet is not yet"
    );
    assert_eq!(
        engine.autovacuum(500).unwrap(),
        0,
        "nothing left above the threshold"
    );
    assert_eq!(
        engine.autovacuum(1).unwrap(),
        1,
        "quiet's delete is reclaimed once the threshold allows"
    );
}

#[test]
fn vacuum_keeps_versions_a_live_snapshot_can_see() {
    use flintdb::sql::parser;
    use flintdb::sql::session::Session;

    let tmp = tempfile::tempdir().unwrap();
    let engine = open(tmp.path());
    run(
        &engine,
        "CREATE TABLE t (id int8); INSERT INTO t VALUES (1), (2), (3)",
    )
    .unwrap();
    // A REPEATABLE READ reader holds its snapshot across statements.
    let mut reader = Session::new(engine.clone());
    let mut sink = common::Collect(Vec::new());
    for st in
        parser::parse("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM t").unwrap()
    {
        reader.execute(&st, &[], vec![], &mut sink).unwrap();
    }
    run(&engine, "DELETE FROM t").unwrap();
    run(&engine, "VACUUM t").unwrap();
    sink.0.clear();
    for st in parser::parse("SELECT count(*) FROM t; COMMIT").unwrap() {
        reader.execute(&st, &[], vec![], &mut sink).unwrap();
    }
    assert_eq!(
        sink.0[0][0],
        flintdb::types::Value::Int8(3),
        "the old snapshot still sees its rows"
    );
    assert_eq!(ids(&engine, "SELECT count(*) FROM t"), vec![0]);
    run(&engine, "VACUUM t").unwrap();
}
