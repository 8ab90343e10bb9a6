//! COPY through the wire (tokio-postgres, extended protocol): FROM STDIN
//! in text and CSV formats, defaults for unlisted columns, typmods
//! applied, bad data naming its line and rolling the whole COPY back, a
//! COPY inside a transaction block rolled back with it, enough rows to
//! need many batches; TO STDOUT of a table and of a query, read back in.

mod common;

use bytes::Bytes;
use common::{sqlstate_of, TestServer};
use futures::{SinkExt, TryStreamExt};

async fn copy(
    client: &tokio_postgres::Client,
    sql: &str,
    data: &[u8],
) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in(sql).await?;
    futures::pin_mut!(sink);
    // Uneven pieces: records cross CopyData boundaries.
    for piece in data.chunks(7) {
        sink.send(Bytes::copy_from_slice(piece)).await?;
    }
    sink.finish().await
}

async fn count(client: &tokio_postgres::Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_from_stdin_in_text_and_csv() {
    let server = TestServer::start().await;
    let client = server.connect().await;
    client
        .batch_execute(
            "CREATE TABLE c (id int PRIMARY KEY, name varchar(10), v numeric(6,2), note text DEFAULT 'none')",
        )
        .await
        .unwrap();
    let n = copy(
        &client,
        "COPY c (id, name, v) FROM STDIN",
        b"1\tone\t1.5\n2\t\\N\t2\n3\tthr\\tee\t3.255\n",
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    let n = copy(
        &client,
        "COPY c FROM STDIN WITH (FORMAT csv, HEADER on, FREEZE off)",
        b"id,name,v,note\n10,\"a,b\",1,\"say \"\"hi\"\"\"\n11,,2,x\n12,\"multi\nline\",3,\"\"",
    )
    .await
    .unwrap();
    assert_eq!(n, 3);
    let rows: Vec<(i32, Option<String>, String, Option<String>)> = client
        .query("SELECT id, name, v::text, note FROM c ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let expected = vec![
        (1, Some("one".into()), "1.50".into(), Some("none".into())),
        (2, None, "2.00".into(), Some("none".into())),
        (
            3,
            Some("thr\tee".into()),
            "3.26".into(),
            Some("none".into()),
        ),
        (
            10,
            Some("a,b".into()),
            "1.00".into(),
            Some("say \"hi\"".into()),
        ),
        (11, None, "2.00".into(), Some("x".into())),
        (
            12,
            Some("multi\nline".into()),
            "3.00".into(),
            Some("".into()),
        ),
    ];
    assert_eq!(rows, expected);

    // Bad data: the error names the line; nothing of that COPY stays.
    let err = copy(
        &client,
        "COPY c (id, name) FROM STDIN",
        b"20\tok\n21\tfine\nx\tbad\n",
    )
    .await
    .unwrap_err();
    assert_eq!(sqlstate_of(&err), "22P02");
    let db = err.as_db_error().unwrap();
    assert!(
        db.detail().unwrap_or("").contains("line 3, column id"),
        "{db:?}"
    );
    let err = copy(&client, "COPY c (id, name) FROM STDIN", b"30\ta\textra\n")
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "22P04");
    let err = copy(&client, "COPY c (id) FROM STDIN", b"1\n")
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "23505");
    assert_eq!(count(&client, "c").await, 6);

    // Inside a block, a COPY rolls back with it.
    client.batch_execute("BEGIN").await.unwrap();
    copy(&client, "COPY c (id) FROM STDIN", b"100\n101\n")
        .await
        .unwrap();
    assert_eq!(count(&client, "c").await, 8);
    client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(count(&client, "c").await, 6);

    // Many batches.
    client
        .batch_execute("CREATE TABLE big (a int8, b text)")
        .await
        .unwrap();
    let mut data = Vec::new();
    for i in 0..25_000 {
        data.extend_from_slice(format!("{i}\tvalue {i}\n").as_bytes());
    }
    let sink = client.copy_in("COPY big FROM STDIN").await.unwrap();
    futures::pin_mut!(sink);
    for piece in data.chunks(64 * 1024) {
        sink.send(Bytes::copy_from_slice(piece)).await.unwrap();
    }
    assert_eq!(sink.finish().await.unwrap(), 25_000);
    let sum: i64 = client
        .query_one("SELECT sum(a)::int8 FROM big", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, (0..25_000i64).sum::<i64>());
}

async fn copy_out(client: &tokio_postgres::Client, sql: &str) -> Vec<u8> {
    let stream = client.copy_out(sql).await.unwrap();
    let chunks: Vec<Bytes> = stream.try_collect().await.unwrap();
    chunks.concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_to_stdout_round_trips() {
    let server = TestServer::start().await;
    let client = server.connect().await;
    client
        .batch_execute(
            "CREATE TABLE s (id int, t text, b bytea);
             INSERT INTO s VALUES (1, 'tab\there', '\\x00ff'), (2, NULL, NULL), (3, 'q\"uote,comma', '\\x')",
        )
        .await
        .unwrap();
    let text = copy_out(&client, "COPY s TO STDOUT").await;
    assert_eq!(
        String::from_utf8(text.clone()).unwrap(),
        "1\ttab\\there\t\\\\x00ff\n2\t\\N\t\\N\n3\tq\"uote,comma\t\\\\x\n"
    );
    let csv = copy_out(
        &client,
        "COPY (SELECT id, t FROM s WHERE id > 1 ORDER BY id) TO STDOUT WITH (FORMAT csv)",
    )
    .await;
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "2,\n3,\"q\"\"uote,comma\"\n"
    );
    client
        .batch_execute("CREATE TABLE s2 (id int, t text, b bytea)")
        .await
        .unwrap();
    assert_eq!(copy(&client, "COPY s2 FROM STDIN", &text).await.unwrap(), 3);
    let same: i64 = client
        .query_one(
            "SELECT count(*) FROM s JOIN s2 ON s.id = s2.id AND s.t IS NOT DISTINCT FROM s2.t AND s.b IS NOT DISTINCT FROM s2.b",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(same, 3);
}
