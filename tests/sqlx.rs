//! sqlx (0.8, Postgres driver) against FlintDB: it prepares every
//! statement, binds parameters and reads results in binary, asks
//! pg_attribute whether result columns are nullable, and looks enum types
//! up by name (`$1::regtype::oid`, then pg_type and pg_enum). Covers DDL,
//! typed round trips, row counts, transactions and savepoints, SQLSTATEs,
//! NULLs, an enum type and a 10k-row result.
//!
//! Set `FLINTDB_TEST_PG` (as for `tests/sql.rs`) to run the same checks
//! against PostgreSQL as well.

mod common;

use common::TestServer;
use sqlx::postgres::{PgArgumentBuffer, PgConnectOptions, PgTypeInfo, PgValueRef};
use sqlx::{Connection, Executor, PgConnection, Postgres, Row};

/// A Rust type for the `sqlx_mood` enum, as `#[derive(sqlx::Type)]` would
/// write it: sqlx binds it by the type's name, which it looks up.
#[derive(Debug, PartialEq)]
struct Mood(String);

impl sqlx::Type<Postgres> for Mood {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("sqlx_mood")
    }
}

impl sqlx::Encode<'_, Postgres> for Mood {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<Postgres>>::encode(self.0.as_str(), buf)
    }
}

impl sqlx::Decode<'_, Postgres> for Mood {
    fn decode(value: PgValueRef<'_>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Mood(
            <&str as sqlx::Decode<Postgres>>::decode(value)?.to_string(),
        ))
    }
}

fn options(conn_str: &str) -> PgConnectOptions {
    let mut o = PgConnectOptions::new();
    for part in conn_str.split_whitespace() {
        if let Some((k, v)) = part.split_once('=') {
            o = match k {
                "host" => o.host(v),
                "port" => o.port(v.parse().expect("port")),
                "user" => o.username(v),
                "password" => o.password(v),
                "dbname" => o.database(v),
                _ => o,
            };
        }
    }
    o
}

fn sqlstate(e: sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code().map(|c| c.to_string()))
        .unwrap_or_else(|| format!("not a database error: {e}"))
}

async fn suite(conn_str: &str) {
    let mut c = PgConnection::connect_with(&options(conn_str))
        .await
        .expect("connect");
    c.execute("DROP TABLE IF EXISTS sqlx_t")
        .await
        .expect("drop");
    c.execute("DROP TYPE IF EXISTS sqlx_mood")
        .await
        .expect("drop type");
    c.execute("CREATE TYPE sqlx_mood AS ENUM ('sad', 'ok', 'happy')")
        .await
        .expect("create type");
    c.execute(
        "CREATE TABLE sqlx_t (id int PRIMARY KEY, big bigint, f double precision, \
         t text NOT NULL, b bool, y bytea, m sqlx_mood)",
    )
    .await
    .expect("create");

    for i in 0..5 {
        let done = sqlx::query("INSERT INTO sqlx_t VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(i)
            .bind(9_000_000_000i64 + i as i64)
            .bind(i as f64 + 0.25)
            .bind(format!("row {i}"))
            .bind(i % 2 == 0)
            .bind(vec![i as u8, 0xff])
            .bind(if i == 4 {
                None
            } else {
                Some(Mood(["sad", "ok", "happy"][i as usize % 3].into()))
            })
            .execute(&mut c)
            .await
            .expect("insert");
        assert_eq!(done.rows_affected(), 1);
    }

    type Typed = (i32, i64, f64, String, bool, Vec<u8>, Option<Mood>);
    let row: Typed = sqlx::query_as("SELECT id, big, f, t, b, y, m FROM sqlx_t WHERE id = $1")
        .bind(2)
        .fetch_one(&mut c)
        .await
        .expect("select");
    assert_eq!(
        row,
        (
            2,
            9_000_000_002,
            2.25,
            "row 2".into(),
            true,
            vec![2, 0xff],
            Some(Mood("happy".into()))
        )
    );
    let moods: Vec<(i32, Option<Mood>)> =
        sqlx::query_as("SELECT id, m FROM sqlx_t WHERE m >= $1 OR m IS NULL ORDER BY m, id")
            .bind(Mood("ok".into()))
            .fetch_all(&mut c)
            .await
            .expect("enum parameter");
    assert_eq!(
        moods,
        vec![
            (1, Some(Mood("ok".into()))),
            (2, Some(Mood("happy".into()))),
            (4, None)
        ]
    );

    let updated = sqlx::query("UPDATE sqlx_t SET t = 'u' WHERE id < $1")
        .bind(3)
        .execute(&mut c)
        .await
        .expect("update");
    assert_eq!(updated.rows_affected(), 3);

    // A transaction with a savepoint rolled back inside it.
    let mut tx = c.begin().await.expect("begin");
    sqlx::query("INSERT INTO sqlx_t (id, t) VALUES (10, 'kept')")
        .execute(&mut *tx)
        .await
        .expect("insert in tx");
    let mut sp = tx.begin().await.expect("savepoint");
    sqlx::query("INSERT INTO sqlx_t (id, t) VALUES (11, 'gone')")
        .execute(&mut *sp)
        .await
        .expect("insert in savepoint");
    sp.rollback().await.expect("rollback to savepoint");
    tx.commit().await.expect("commit");
    let mut tx = c.begin().await.expect("begin");
    sqlx::query("INSERT INTO sqlx_t (id, t) VALUES (12, 'rolled back')")
        .execute(&mut *tx)
        .await
        .expect("insert");
    tx.rollback().await.expect("rollback");
    let ids: Vec<i32> = sqlx::query_scalar("SELECT id FROM sqlx_t WHERE id >= 10 ORDER BY id")
        .fetch_all(&mut c)
        .await
        .expect("ids");
    assert_eq!(ids, vec![10]);

    let dup = sqlx::query("INSERT INTO sqlx_t (id, t) VALUES (1, 'dup')")
        .execute(&mut c)
        .await
        .expect_err("duplicate key");
    assert_eq!(sqlstate(dup), "23505");
    let syntax = sqlx::query("SELEC 1")
        .execute(&mut c)
        .await
        .expect_err("syntax");
    assert_eq!(sqlstate(syntax), "42601");
    let null = sqlx::query("INSERT INTO sqlx_t (id, t) VALUES ($1, $2)")
        .bind(20)
        .bind(None::<String>)
        .execute(&mut c)
        .await
        .expect_err("NOT NULL");
    assert_eq!(sqlstate(null), "23502");

    let nulls = sqlx::query("SELECT big, y, m FROM sqlx_t WHERE id = 10")
        .fetch_one(&mut c)
        .await
        .expect("nulls");
    assert_eq!(nulls.try_get::<Option<i64>, _>(0).expect("big"), None);
    assert_eq!(nulls.try_get::<Option<Vec<u8>>, _>(1).expect("y"), None);
    assert_eq!(nulls.try_get::<Option<Mood>, _>(2).expect("m"), None);

    let many: Vec<(i32, String)> =
        sqlx::query_as("SELECT g, g::text FROM generate_series(1, 10000) g")
            .fetch_all(&mut c)
            .await
            .expect("10k rows");
    assert_eq!(many.len(), 10_000);
    assert_eq!(many[9_999], (10_000, "10000".to_string()));

    c.execute("DROP TABLE sqlx_t").await.expect("drop");
    c.execute("DROP TYPE sqlx_mood").await.expect("drop type");
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_round_trips() {
    let server = TestServer::start().await;
    suite(&server.conn_str()).await;
    if let Ok(pg) = std::env::var("FLINTDB_TEST_PG") {
        suite(&pg).await;
    }
}
