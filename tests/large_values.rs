//! Large values stored out of line (TOAST): 8 KB rows and a 64 MB value
//! round-trip byte-exact through the simple protocol (text) and the
//! extended protocol (binary), survive a restart, and their space comes
//! back after DELETE and VACUUM.

mod common;

use common::TestServer;
use tokio_postgres::SimpleQueryMessage;

fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("\\x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_values_round_trip_in_both_protocols() {
    let mut server = TestServer::start().await;
    let client = server.connect().await;
    client
        .batch_execute("CREATE TABLE blobs (id int8 PRIMARY KEY, payload bytea, note text)")
        .await
        .unwrap();

    // Rows of 1–9 KB, in binary through the extended protocol.
    let insert = client
        .prepare("INSERT INTO blobs VALUES ($1, $2, $3)")
        .await
        .unwrap();
    let sizes = [1000usize, 2100, 4096, 8192, 9000];
    for (i, size) in sizes.iter().enumerate() {
        let note = "n".repeat(*size / 2);
        client
            .execute(&insert, &[&(i as i64), &pattern(*size, i as u64), &note])
            .await
            .unwrap();
    }
    for (i, size) in sizes.iter().enumerate() {
        let row = client
            .query_one(
                "SELECT payload, note FROM blobs WHERE id = $1",
                &[&(i as i64)],
            )
            .await
            .unwrap();
        let payload: Vec<u8> = row.get(0);
        let note: String = row.get(1);
        assert_eq!(payload, pattern(*size, i as u64), "binary payload {size}");
        assert_eq!(note.len(), size / 2);
    }

    // 64 MB: in through the extended protocol (binary), out through both.
    let big = pattern(64 * 1024 * 1024, 99);
    client
        .execute(&insert, &[&100i64, &big, &"big"])
        .await
        .unwrap();
    let row = client
        .query_one("SELECT payload FROM blobs WHERE id = 100", &[])
        .await
        .unwrap();
    let back: Vec<u8> = row.get(0);
    assert!(back == big, "64 MB value came back different (binary)");
    let messages = client
        .simple_query("SELECT payload FROM blobs WHERE id = 100")
        .await
        .unwrap();
    let text = messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap();
    assert!(text == hex(&big), "64 MB value came back different (text)");

    // A text value in through the simple protocol.
    let words = "word ".repeat(400_000);
    client
        .simple_query(&format!("INSERT INTO blobs VALUES (101, NULL, '{words}')"))
        .await
        .unwrap();
    let row = client
        .query_one("SELECT length(note) FROM blobs WHERE id = 101", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), words.len() as i32);

    // Updates keep the value; deletes and VACUUM give the space back.
    client
        .execute("UPDATE blobs SET note = 'changed' WHERE id = 100", &[])
        .await
        .unwrap();
    drop(client);
    server.restart().await;
    let client = server.connect().await;
    let row = client
        .query_one("SELECT payload, note FROM blobs WHERE id = 100", &[])
        .await
        .unwrap();
    assert!(row.get::<_, Vec<u8>>(0) == big, "64 MB value after restart");
    assert_eq!(row.get::<_, String>(1), "changed");
    let size_of = |rows: Vec<tokio_postgres::Row>| rows.len();
    client
        .execute("DELETE FROM blobs WHERE id >= 100", &[])
        .await
        .unwrap();
    client.batch_execute("VACUUM blobs").await.unwrap();
    // The space is reused: storing the value again does not grow the files.
    drop(client);
    server.restart().await;
    let files_before = dir_size(&server.data_dir);
    let client = server.connect().await;
    let insert = client
        .prepare("INSERT INTO blobs VALUES ($1, $2, $3)")
        .await
        .unwrap();
    client
        .execute(&insert, &[&200i64, &big, &"again"])
        .await
        .unwrap();
    drop(client);
    server.restart().await;
    let client = server.connect().await;
    let files_after = dir_size(&server.data_dir);
    assert!(
        files_after < files_before + 8 * 1024 * 1024,
        "a second 64 MB value reused the freed space ({files_before} -> {files_after} bytes)"
    );
    let n = size_of(client.query("SELECT id FROM blobs", &[]).await.unwrap());
    assert_eq!(n, sizes.len() + 1);
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir.join("base"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

/// Bytes of every TOAST relation file in a data directory (after the
/// server flushed its pages at a checkpoint).
fn toast_bytes(data_dir: &std::path::Path) -> u64 {
    std::fs::read_dir(data_dir.join("base"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= 1 << 31)
        })
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressible_values_are_stored_compressed() {
    let mut server = TestServer::start().await;
    let client = server.connect().await;
    client
        .batch_execute(
            "CREATE TABLE z (id int, v text, b bytea);
             INSERT INTO z SELECT g, repeat('flint' || g, 200000), NULL FROM generate_series(1, 20) g;",
        )
        .await
        .unwrap();
    // Incompressible bytes are stored as they are.
    let noise = pattern(3_000_000, 9);
    client
        .execute("INSERT INTO z VALUES (21, NULL, $1)", &[&noise])
        .await
        .unwrap();
    drop(client);
    server.restart().await;
    let client = server.connect().await;
    let stored = toast_bytes(&server.data_dir);
    // 20 MB of text compress ~250x; the 3 MB of noise stay 3 MB.
    assert!(
        (3_000_000..4_500_000).contains(&stored),
        "TOAST files hold {stored} bytes"
    );
    let same: i64 = client
        .query_one(
            "SELECT count(*) FROM z WHERE v = repeat('flint' || id, 200000)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(same, 20);
    let back: Vec<u8> = client
        .query_one("SELECT b FROM z WHERE id = 21", &[])
        .await
        .unwrap()
        .get(0);
    assert!(back == noise);
}
