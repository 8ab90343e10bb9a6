//! Index-only scans through the wire: the planner picks them when the
//! index holds every column the query reads; they read the heap only for
//! pages VACUUM has not marked all-visible; a change to a page sends its
//! rows back to the heap, also after a restart and after kill -9.

mod common;

use common::{connect, Binary};

async fn explain(client: &tokio_postgres::Client, sql: &str) -> String {
    let rows = client
        .simple_query(&format!("EXPLAIN ANALYZE {sql}"))
        .await
        .unwrap();
    rows.iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn heap_fetches(plan: &str) -> u64 {
    plan.lines()
        .find_map(|l| l.trim().strip_prefix("Heap Fetches: "))
        .unwrap_or_else(|| panic!("no Heap Fetches in\n{plan}"))
        .parse()
        .unwrap()
}

async fn names(client: &tokio_postgres::Client, sql: &str) -> Vec<(String, bool)> {
    client
        .query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_only_scans_trust_only_all_visible_pages() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Binary::start(&data);
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, name text, flag bool, pad text);
             INSERT INTO t SELECT g, 'n' || g, g % 2 = 0, repeat('x', 200)
               FROM generate_series(1, 2000) g;
             CREATE INDEX t_name ON t (name DESC) INCLUDE (flag);
             ANALYZE t;",
        )
        .await
        .unwrap();
    let query = "SELECT name, flag FROM t WHERE name BETWEEN 'n150' AND 'n1509' ORDER BY name DESC";
    let expected: Vec<(String, bool)> = [
        1509, 1508, 1507, 1506, 1505, 1504, 1503, 1502, 1501, 1500, 150,
    ]
    .iter()
    .map(|g| (format!("n{g}"), g % 2 == 0))
    .collect();

    let plan = explain(&client, query).await;
    assert!(plan.contains("Index Only Scan using t_name on t"), "{plan}");
    assert_eq!(heap_fetches(&plan), 11, "no page is all-visible yet");
    assert_eq!(names(&client, query).await, expected);

    client.batch_execute("VACUUM t").await.unwrap();
    let plan = explain(&client, query).await;
    assert_eq!(heap_fetches(&plan), 0, "{plan}");
    assert_eq!(names(&client, query).await, expected);
    let count = client
        .query_one("SELECT count(*) FROM t WHERE id BETWEEN 100 AND 1999", &[])
        .await
        .unwrap();
    assert_eq!(count.get::<_, i64>(0), 1900);

    // A column outside the index: a plain index scan.
    let plan = explain(&client, "SELECT pad FROM t WHERE id = 5").await;
    assert!(plan.contains("Index Scan using t_pkey"), "{plan}");

    // The map and ANALYZE's statistics survive a clean restart (without
    // statistics an open range is a third of the table: a sequential scan).
    drop(client);
    assert!(server.terminate().success());
    let server = Binary::start(&data);
    let client = connect(&server.conn_str()).await;
    assert_eq!(heap_fetches(&explain(&client, query).await), 0);
    let plan = explain(&client, "SELECT id FROM t WHERE id < 50").await;
    assert!(plan.contains("Index Only Scan using t_pkey"), "{plan}");

    // A change clears its page's bit: the new value is read from the heap,
    // and recovery after kill -9 clears it again.
    client
        .batch_execute("UPDATE t SET flag = NOT flag WHERE id = 1505")
        .await
        .unwrap();
    let mut changed = expected.clone();
    changed[4].1 = !changed[4].1;
    assert_eq!(names(&client, query).await, changed);
    assert!(heap_fetches(&explain(&client, query).await) > 0);
    drop(client);
    server.kill9();
    let server = Binary::start(&data);
    let client = connect(&server.conn_str()).await;
    assert_eq!(names(&client, query).await, changed);
    let uncommitted = client.simple_query("BEGIN").await.map(|_| ());
    uncommitted.unwrap();
    client
        .batch_execute("DELETE FROM t WHERE id = 1501")
        .await
        .unwrap();
    let mut deleted = changed.clone();
    deleted.remove(8);
    assert_eq!(names(&client, query).await, deleted);
    client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(names(&client, query).await, changed);
    drop(client);
    server.terminate();
}
