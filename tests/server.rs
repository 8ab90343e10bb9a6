//! The `flintdb` binary and the wire front, tested as a user meets them:
//! start, connect, stop with SIGTERM, start again; a port in use; a wrong
//! database; multi-statement queries; eviction under a tiny buffer pool.

mod common;

use std::process::Command;

use common::{connect, free_port, sqlstate_of, Binary, TestServer};
use tokio_postgres::SimpleQueryMessage;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_then_restart_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Binary::start(&data);
    let client = connect(&server.conn_str()).await;
    client
        .batch_execute(
            "CREATE TABLE kept (id int8 NOT NULL, payload text);
             INSERT INTO kept SELECT 1, 'x';
             CREATE TABLE gone (a int);",
        )
        .await
        .unwrap();
    // ~12 MB of rows through a 4 MB buffer pool: pages are evicted and read back.
    let payload = "p".repeat(1000);
    for batch in 0..12 {
        let values: Vec<String> = (0..1000)
            .map(|i| format!("({}, '{payload}')", 2 + batch * 1000 + i))
            .collect();
        client
            .batch_execute(&format!("INSERT INTO kept VALUES {}", values.join(",")))
            .await
            .unwrap();
    }
    client
        .batch_execute("DROP TABLE gone; DELETE FROM kept WHERE id = 5")
        .await
        .unwrap();
    drop(client);
    let status = server.terminate();
    assert!(status.success(), "clean exit on SIGTERM, got {status}");

    let server = Binary::start(&data);
    let client = connect(&server.conn_str()).await;
    let row = client
        .query_one(
            "SELECT count(*), sum(id), sum(length(payload)) FROM kept",
            &[],
        )
        .await
        .unwrap();
    let expected_ids: i64 = (1..=12001).sum::<i64>() - 5;
    assert_eq!(row.get::<_, i64>(0), 12000);
    assert_eq!(
        row.get::<_, numeric_text::Num>(1).0,
        expected_ids.to_string()
    );
    assert_eq!(row.get::<_, i64>(2), 1 + 11999 * 1000);
    let err = client.query("SELECT * FROM gone", &[]).await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42P01");
    drop(client);
    assert!(server.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_in_use_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_flintdb"))
        .args(["serve", "--data-dir"])
        .arg(dir.path().join("data"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("address already in use") && stderr.contains("--listen"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_server_on_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _first = Binary::start(&data);
    let out = Command::new(env!("CARGO_BIN_EXE_flintdb"))
        .args(["serve", "--data-dir"])
        .arg(&data)
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another FlintDB server"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_database_is_3d000() {
    let server = TestServer::start().await;
    let conn = format!(
        "host=127.0.0.1 port={} user=postgres dbname=nosuchdb",
        server.port
    );
    let err = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
        .await
        .err()
        .expect("refused");
    assert_eq!(sqlstate_of(&err), "3D000");
    let db = err.as_db_error().unwrap();
    assert_eq!(db.message(), "database \"nosuchdb\" does not exist");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_statement_query_is_one_implicit_transaction() {
    let server = TestServer::start().await;
    let client = server.connect().await;
    // As in PostgreSQL: the failing statement rolls back the whole Query,
    // the CREATE TABLE included.
    let err = client
        .simple_query("CREATE TABLE m (a int); INSERT INTO m VALUES (1); SELECT 1/0; INSERT INTO m VALUES (2)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "22012");
    let err = client.simple_query("SELECT * FROM m").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42P01");
    // A Query that succeeds commits every statement, and later statements
    // see earlier ones.
    let rows = client
        .simple_query("CREATE TABLE m (a int); INSERT INTO m VALUES (1); SELECT count(*) FROM m")
        .await
        .unwrap();
    let values: Vec<String> = rows
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .collect();
    assert_eq!(values, vec!["1"]);
    // COMMIT inside the block commits what came before it (with a warning).
    let _ = client
        .simple_query("INSERT INTO m VALUES (2); COMMIT; SELECT 1/0")
        .await
        .unwrap_err();
    let n = client
        .query_one("SELECT count(*) FROM m", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(n, 2);
    // BEGIN inside it opens a real block that outlives the Query.
    client
        .simple_query("INSERT INTO m VALUES (3); BEGIN; INSERT INTO m VALUES (4)")
        .await
        .unwrap();
    client.simple_query("ROLLBACK").await.unwrap();
    let n = client
        .query_one("SELECT count(*) FROM m", &[])
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(
        n, 2,
        "the BEGIN made the whole Query part of the rolled-back block"
    );
    // Empty queries are fine too.
    client.simple_query("").await.unwrap();
    client.simple_query(";").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_infers_parameter_types_and_round_trips_binary() {
    let server = TestServer::start().await;
    let client = server.connect().await;
    client
        .batch_execute(
            "CREATE TABLE x (i int4, l int8, f float8, t text, b bool, y bytea, n numeric(10,2))",
        )
        .await
        .unwrap();
    let insert = client
        .prepare("INSERT INTO x VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric)")
        .await
        .unwrap();
    let types: Vec<String> = insert
        .params()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    assert_eq!(
        types,
        ["int4", "int8", "float8", "text", "bool", "bytea", "text"]
    );
    for i in 0..3 {
        client
            .execute(
                &insert,
                &[
                    &i,
                    &(i as i64 * 1_000_000_000_000),
                    &(i as f64 / 4.0),
                    &format!("row {i}"),
                    &(i % 2 == 0),
                    &vec![i as u8; 3],
                    &"1.5",
                ],
            )
            .await
            .unwrap();
    }
    let select = client
        .prepare("SELECT i, l, f, t, b, y FROM x WHERE i >= $1 AND t <> $2 ORDER BY i")
        .await
        .unwrap();
    let types: Vec<String> = select
        .params()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    assert_eq!(types, ["int4", "text"]);
    let rows = client.query(&select, &[&1i32, &"row 2"]).await.unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.get::<_, i32>(0), 1);
    assert_eq!(r.get::<_, i64>(1), 1_000_000_000_000);
    assert_eq!(r.get::<_, f64>(2), 0.25);
    assert_eq!(r.get::<_, String>(3), "row 1");
    assert!(!r.get::<_, bool>(4));
    assert_eq!(r.get::<_, Vec<u8>>(5), vec![1u8; 3]);
    // A parse-time error names the problem; the connection stays usable.
    let err = client.prepare("SELECT nosuch FROM x").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42703");
    let err = client
        .query("SELECT i FROM x WHERE i = $1", &[&"not an int"])
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("error serializing parameter") || sqlstate_of(&err) == "22P02"
    );
    assert_eq!(
        client
            .query_one("SELECT count(*) FROM x", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        3
    );
}

/// Reads a binary numeric column as its PostgreSQL text form,
/// through FlintDB's own numeric decoder.
mod numeric_text {
    use tokio_postgres::types::{FromSql, Type};

    pub struct Num(pub String);

    impl<'a> FromSql<'a> for Num {
        fn from_sql(
            _: &Type,
            raw: &'a [u8],
        ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
            let v = flintdb::types::numeric::from_binary(raw).map_err(|e| e.to_string())?;
            Ok(Num(flintdb::types::numeric::format(&v)))
        }

        fn accepts(ty: &Type) -> bool {
            *ty == Type::NUMERIC
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backends_are_listed_cancelled_and_terminated() {
    let server = TestServer::start().await;
    let admin = server.connect().await;
    let other = server.connect().await;
    let other_pid: i32 = other
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let rows = admin
        .query(
            "SELECT pid, usename::text, state, backend_type FROM pg_stat_activity ORDER BY pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let first: (i32, String, String, String) = (
        rows[0].get(0),
        rows[0].get(1),
        rows[0].get(2),
        rows[0].get(3),
    );
    assert_eq!(
        first,
        (
            other_pid,
            "postgres".into(),
            "idle".into(),
            "client backend".into()
        )
    );

    // pg_cancel_backend stops the running statement (57014), nothing else.
    let sleeper = tokio::spawn(async move {
        let r = other.simple_query("SELECT pg_sleep(30)").await;
        (other, r)
    });
    let started = std::time::Instant::now();
    loop {
        let active: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if active == 1 {
            break;
        }
        assert!(started.elapsed().as_secs() < 10, "the sleeper never showed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let cancelled: bool = admin
        .query_one("SELECT pg_cancel_backend($1)", &[&other_pid])
        .await
        .unwrap()
        .get(0);
    assert!(cancelled);
    let (other, result) = sleeper.await.unwrap();
    assert_eq!(sqlstate_of(&result.unwrap_err()), "57014");
    assert!(started.elapsed().as_secs() < 10);
    other
        .simple_query("SELECT 1")
        .await
        .expect("the session lives on");

    // A role without the privileges of the superuser may not signal it.
    admin
        .batch_execute("CREATE ROLE sig_user LOGIN")
        .await
        .unwrap();
    let plain = common::connect(&format!(
        "host=127.0.0.1 port={} user=sig_user dbname=postgres",
        server.port
    ))
    .await;
    let err = plain
        .query_one("SELECT pg_cancel_backend($1)", &[&other_pid])
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "42501");
    let unknown: bool = admin
        .query_one("SELECT pg_terminate_backend(1)", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!unknown, "no such backend");

    // pg_terminate_backend ends an idle session with FATAL 57P01.
    let terminated: bool = admin
        .query_one("SELECT pg_terminate_backend($1)", &[&other_pid])
        .await
        .unwrap()
        .get(0);
    assert!(terminated);
    let started = std::time::Instant::now();
    while !other.is_closed() {
        assert!(started.elapsed().as_secs() < 10, "the session stayed open");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(other.simple_query("SELECT 1").await.is_err());
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
            &[&other_pid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}
