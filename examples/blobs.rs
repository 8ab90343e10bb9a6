//! The blobs benchmark client (run by `bench/blobs.sh`): against one
//! server, loads ROWS rows `(id bigint primary key, payload bytea)` with
//! payloads of random length 1–8 KB (binary multi-row INSERTs of 100 rows
//! per statement, 10 statements per transaction), then runs random point
//! lookups by id from 8 connections for SECONDS, then a full scan that
//! reads every payload byte, then streams every row to the client. Prints
//! one line of figures (`key=value`) for the script to compare.
//!
//! Usage: blobs HOST PORT ROWS SECONDS

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio_postgres::types::ToSql;
use tokio_postgres::NoTls;

const BATCH: usize = 100;
const CLIENTS: usize = 8;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

async fn connect(host: &str, port: u16) -> tokio_postgres::Client {
    let conn = format!("host={host} port={port} user=postgres password=postgres dbname=postgres");
    let (client, connection) = tokio_postgres::connect(&conn, NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let host = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = args.get(2).and_then(|p| p.parse().ok()).expect("PORT");
    let rows: i64 = args
        .get(3)
        .and_then(|p| p.parse().ok())
        .unwrap_or(1_000_000);
    let seconds: u64 = args.get(4).and_then(|p| p.parse().ok()).unwrap_or(30);

    let client = connect(&host, port).await;
    client
        .batch_execute(
            "DROP TABLE IF EXISTS blobs; CREATE TABLE blobs (id bigint PRIMARY KEY, payload bytea)",
        )
        .await
        .expect("create");

    // Load.
    let placeholders: Vec<String> = (0..BATCH)
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let insert = client
        .prepare(&format!(
            "INSERT INTO blobs VALUES {}",
            placeholders.join(",")
        ))
        .await
        .expect("prepare");
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut id = 0i64;
    while id < rows {
        client.batch_execute("BEGIN").await.expect("begin");
        for _ in 0..10 {
            if id >= rows {
                break;
            }
            let n = BATCH.min((rows - id) as usize);
            let mut ids = Vec::with_capacity(n);
            let mut payloads = Vec::with_capacity(n);
            for _ in 0..n {
                let len = 1024 + (rng.next() % (7 * 1024 + 1)) as usize;
                let mut p = vec![0u8; len];
                for chunk in p.chunks_mut(8) {
                    let r = rng.next().to_le_bytes();
                    chunk.copy_from_slice(&r[..chunk.len()]);
                }
                bytes += len as u64;
                ids.push(id);
                payloads.push(p);
                id += 1;
            }
            let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(2 * n);
            for (i, p) in ids.iter().zip(&payloads) {
                params.push(i);
                params.push(p);
            }
            if n == BATCH {
                client.execute(&insert, &params).await.expect("insert");
            } else {
                let ph: Vec<String> = (0..n)
                    .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                    .collect();
                let sql = format!("INSERT INTO blobs VALUES {}", ph.join(","));
                client.execute(sql.as_str(), &params).await.expect("insert");
            }
        }
        client.batch_execute("COMMIT").await.expect("commit");
    }
    let load = started.elapsed().as_secs_f64();

    // One client alone: latency of a lookup over the wire.
    let lookup = client
        .prepare("SELECT payload FROM blobs WHERE id = $1")
        .await
        .expect("prepare");
    let t = Instant::now();
    for _ in 0..2000 {
        let id = (rng.next() % rows as u64) as i64;
        client.query_one(&lookup, &[&id]).await.expect("lookup");
    }
    let single_ms = t.elapsed().as_secs_f64() * 1000.0 / 2000.0;

    // Point lookups.
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (host, stop) = (host.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let client = connect(&host, port).await;
            let lookup = client
                .prepare("SELECT payload FROM blobs WHERE id = $1")
                .await
                .expect("prepare");
            let mut rng = Rng(0xDEADBEEF + c as u64);
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let id = (rng.next() % rows as u64) as i64;
                let t = Instant::now();
                let row = client.query_one(&lookup, &[&id]).await.expect("lookup");
                let p: &[u8] = row.get(0);
                assert!(p.len() >= 1024);
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("lookup task"));
    }
    latencies.sort();
    let lookups = latencies.len() as f64 / seconds as f64;
    let p99 = latencies
        .get(latencies.len() * 99 / 100)
        .copied()
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0;

    // Full scan reading every byte.
    let t = Instant::now();
    client
        .query_one(
            "SELECT sum(get_byte(payload, length(payload) - 1)) FROM blobs",
            &[],
        )
        .await
        .expect("scan");
    let scan = t.elapsed().as_secs_f64();

    // Stream every row (binary results).
    let t = Instant::now();
    let stream = client
        .query_raw("SELECT id, payload FROM blobs", std::iter::empty::<i64>())
        .await
        .expect("stream");
    futures::pin_mut!(stream);
    let mut streamed = 0u64;
    let mut count = 0i64;
    while let Some(row) = stream.next().await {
        let row = row.expect("row");
        let p: &[u8] = row.get(1);
        streamed += p.len() as u64;
        count += 1;
    }
    assert_eq!(count, rows, "every row streamed");
    assert_eq!(streamed, bytes, "every byte streamed");
    let stream_s = t.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1048576.0;
    println!(
        "rows={rows} mb={mb:.0} load_s={load:.1} load_rows_s={:.0} load_mb_s={:.1} single_lookup_ms={single_ms:.3} lookups_s={lookups:.0} p99_ms={p99:.3} scan_s={scan:.2} scan_mb_s={:.1} stream_s={stream_s:.2} stream_mb_s={:.1}",
        rows as f64 / load,
        mb / load,
        mb / scan,
        mb / stream_s
    );
}
