//! `flintdb check` as a user runs it: clean on a healthy data directory
//! with tables, indexes and out-of-line values; a non-zero exit and a
//! report naming the damage when a page of an index is corrupted.

mod common;

use std::process::Command;
use std::sync::Arc;

use common::run;
use flintdb::engine::{Engine, EngineOptions};

fn flintdb_check(dir: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flintdb"))
        .args(["check", "--data-dir"])
        .arg(dir)
        .output()
        .expect("run flintdb check");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn check_passes_a_healthy_directory_and_reports_a_damaged_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let engine = Arc::new(Engine::open(&EngineOptions::new(&dir, 8 << 20)).unwrap());
    run(
        &engine,
        "CREATE TABLE t (id int8 PRIMARY KEY, email text, big text);
         CREATE INDEX t_lower ON t (lower(email));
         CREATE INDEX t_part ON t (id) WHERE id % 2 = 0",
    )
    .unwrap();
    let rows: Vec<String> = (0..3000)
        .map(|i| format!("({i}, 'User{i}@X', NULL)"))
        .collect();
    run(&engine, &format!("INSERT INTO t VALUES {}", rows.join(","))).unwrap();
    run(
        &engine,
        &format!("UPDATE t SET big = '{}' WHERE id < 3", "x".repeat(50_000)),
    )
    .unwrap();
    run(&engine, "DELETE FROM t WHERE id BETWEEN 100 AND 199").unwrap();
    let index_rel = engine.catalog().find_index("t_lower").unwrap().1.oid;
    drop(engine);

    let (ok, report) = flintdb_check(&dir);
    assert!(ok, "{report}");
    assert!(report.contains("3 indexes"), "{report}");
    assert!(report.contains("no problems found"), "{report}");

    // An index entry lost behind the heap's back is found.
    {
        let engine = Engine::open(&EngineOptions::new(&dir, 8 << 20)).unwrap();
        let pkey = engine.catalog().find_index("t_pkey").unwrap().1.rel();
        let order = flintdb::encoding::key::KeyOrder {
            data_type: flintdb::types::DataType::Int8,
            descending: false,
            nulls_first: false,
        };
        let key = flintdb::encoding::key::encode(&[flintdb::types::Value::Int8(1000)], &[order]);
        let first = engine
            .btree()
            .scan(
                pkey,
                flintdb::storage::btree::Bound::Included(key.clone()),
                flintdb::storage::btree::Bound::Included(key.clone()),
                true,
            )
            .next()
            .unwrap()
            .unwrap()
            .1;
        let gone = std::collections::HashSet::from([first]);
        assert_eq!(engine.btree().remove_tids(pkey, &gone).unwrap(), 1);
        let report = flintdb::check::check(&engine).unwrap();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(
            report.problems[0].contains("is missing from index t_pkey"),
            "{:?}",
            report.problems
        );
        // Put it back.
        engine.btree().insert(pkey, &key, first, 0).unwrap();
        assert!(flintdb::check::check(&engine).unwrap().problems.is_empty());
    }

    // Flip a byte in the middle of the expression index's root page.
    let path = dir.join("base").join(index_rel.to_string());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4000] ^= 0x40;
    std::fs::write(&path, bytes).unwrap();
    let (ok, report) = flintdb_check(&dir);
    assert!(!ok, "{report}");
    assert!(report.contains("checksum mismatch"), "{report}");
    assert!(
        report.contains("problems found"),
        "a report, not a crash: {report}"
    );
}
