//! Authentication, TLS, roles, the audit log and the hardened wire front,
//! through real connections: every rejection case gets PostgreSQL's code
//! and message, hostile bytes never take the server down, and no password
//! is ever written anywhere.

mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::Duration;

use common::{sqlstate_of, Secure, TestServer};
use flintdb::security::hba::{Rule, RuleText};
use flintdb::server::FrontOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PASSWORD: &str = "Kq8zP2vL9mX4nR7tW1yB5cD3fG6hJ0sA"; // 32 characters

fn rules(lines: &[(&str, &str)]) -> Vec<Rule> {
    lines
        .iter()
        .map(|(connection, method)| {
            RuleText {
                connection: connection.to_string(),
                database: "all".into(),
                user: "all".into(),
                address: "all".into(),
                method: method.to_string(),
            }
            .parse()
            .unwrap()
        })
        .collect()
}

fn scram_everywhere() -> Secure {
    Secure {
        front: FrontOptions {
            hba: rules(&[("host", "scram-sha-256")]),
            auth_failure_delay: Duration::from_millis(50),
            ..FrontOptions::default()
        },
        password: Some(PASSWORD.to_string()),
        audit: true,
    }
}

async fn try_connect(
    port: u16,
    user: &str,
    password: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let conn =
        format!("host=127.0.0.1 port={port} user={user} password='{password}' dbname=postgres");
    let (client, connection) = tokio_postgres::connect(&conn, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn db_error(e: &tokio_postgres::Error) -> (String, String) {
    let db = e
        .as_db_error()
        .unwrap_or_else(|| panic!("not a server error: {e}"));
    (db.code().code().to_string(), db.message().to_string())
}

#[tokio::test]
async fn scram_accepts_the_password_and_refuses_everything_else_alike() {
    let server = TestServer::start_secure(scram_everywhere()).await;
    let admin = try_connect(server.port, "postgres", PASSWORD)
        .await
        .expect("right password");
    admin
        .batch_execute(
            "CREATE USER alice PASSWORD 'alice-pw'; CREATE ROLE nopass LOGIN; \
             CREATE ROLE nologin PASSWORD 'x'; CREATE USER old PASSWORD 'old-pw' VALID UNTIL '2001-01-01'",
        )
        .await
        .unwrap();
    assert_eq!(
        admin
            .query_one("SELECT 1", &[])
            .await
            .unwrap()
            .get::<_, i32>(0),
        1
    );
    try_connect(server.port, "alice", "alice-pw")
        .await
        .expect("alice logs in");

    for (user, password) in [
        ("postgres", "wrong"),
        ("nobody", "whatever"),
        ("nopass", "anything"),
        ("alice", ""),
        ("old", "old-pw"),
    ] {
        let err = try_connect(server.port, user, password)
            .await
            .err()
            .unwrap();
        assert_eq!(
            db_error(&err),
            (
                "28P01".to_string(),
                format!("password authentication failed for user \"{user}\"")
            ),
            "{user}"
        );
    }
    let err = try_connect(server.port, "nologin", "x")
        .await
        .err()
        .unwrap();
    assert_eq!(
        db_error(&err),
        (
            "28000".into(),
            "role \"nologin\" is not permitted to log in".into()
        )
    );
    let other_db = format!(
        "host=127.0.0.1 port={} user=alice password=alice-pw dbname=other",
        server.port
    );
    let err = tokio_postgres::connect(&other_db, tokio_postgres::NoTls)
        .await
        .err()
        .unwrap();
    let (code, _) = db_error(&err);
    assert_eq!(code, "3D000");
}

/// Reads the salt the server offers in a SCRAM exchange for `user`.
async fn offered_salt(port: u16, user: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.write_all(&startup_packet(&[("user", user), ("database", "postgres")]))
        .await
        .unwrap();
    let (tag, body) = read_message(&mut s).await;
    assert_eq!(
        (tag, &body[..4]),
        (b'R', &10i32.to_be_bytes()[..]),
        "AuthenticationSASL"
    );
    let first = b"n,,n=,r=abcdefghijklmnopqrstuvwx";
    let mut msg = b"SCRAM-SHA-256\0".to_vec();
    msg.extend_from_slice(&(first.len() as i32).to_be_bytes());
    msg.extend_from_slice(first);
    s.write_all(&frame(b'p', &msg)).await.unwrap();
    let (tag, body) = read_message(&mut s).await;
    assert_eq!(tag, b'R');
    let text = String::from_utf8(body[4..].to_vec()).unwrap();
    text.split(',')
        .find_map(|f| f.strip_prefix("s="))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn unknown_users_get_a_stable_mock_salt() {
    let server = TestServer::start_secure(scram_everywhere()).await;
    let a = offered_salt(server.port, "ghost").await;
    let b = offered_salt(server.port, "ghost").await;
    assert_eq!(a, b, "a real user's salt does not change either");
    assert_ne!(a, offered_salt(server.port, "phantom").await);
    assert_eq!(
        offered_salt(server.port, "postgres").await,
        offered_salt(server.port, "postgres").await
    );
}

fn certs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("certs/make-dev-certs.sh")
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("certs/make-dev-certs.sh");
    assert!(status.success());
    dir
}

#[tokio::test]
async fn tls_required_verified_and_channel_bound() {
    let dir = certs();
    let tls = flintdb::server::tls::Tls::load(
        &dir.path().join("server.crt"),
        &dir.path().join("server.key"),
    )
    .unwrap();
    let server = TestServer::start_secure(Secure {
        front: FrontOptions {
            tls: Some(tls),
            hba: rules(&[("hostnossl", "reject"), ("hostssl", "scram-sha-256")]),
            auth_failure_delay: Duration::from_millis(10),
            ..FrontOptions::default()
        },
        password: Some(PASSWORD.to_string()),
        audit: false,
    })
    .await;
    let ca = std::fs::read(dir.path().join("ca.crt")).unwrap();
    for binding in ["prefer", "require"] {
        let conn = format!(
            "host=localhost port={} user=postgres password={PASSWORD} dbname=postgres sslmode=require channel_binding={binding}",
            server.port
        );
        let (client, connection) = tokio_postgres::connect(&conn, tls::Rustls::new(&ca))
            .await
            .unwrap_or_else(|e| panic!("TLS + SCRAM ({binding}): {e}"));
        tokio::spawn(connection);
        client.simple_query("SELECT 1").await.unwrap();
    }
    // Plaintext is refused by the host rule before any password is asked.
    let conn = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres",
        server.port
    );
    let err = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
        .await
        .err()
        .unwrap();
    assert_eq!(
        db_error(&err),
        (
            "28000".into(),
            "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"postgres\", database \"postgres\", no encryption".into()
        )
    );
    // A certificate from another CA fails verification.
    let other = certs();
    let wrong_ca = std::fs::read(other.path().join("ca.crt")).unwrap();
    let conn = format!(
        "host=localhost port={} user=postgres password={PASSWORD} dbname=postgres sslmode=require",
        server.port
    );
    assert!(tokio_postgres::connect(&conn, tls::Rustls::new(&wrong_ca))
        .await
        .is_err());
}

fn startup_packet(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196608i32.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut p = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    p.extend_from_slice(&body);
    p
}

fn frame(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut f = vec![tag];
    f.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    f.extend_from_slice(body);
    f
}

async fn read_message(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).await.unwrap();
    let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body).await.unwrap();
    (head[0], body)
}

/// Sends `bytes`, then reads until the server closes (or 5 s pass):
/// everything it answered.
async fn answer_to(port: u16, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let _ = s.write_all(bytes).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    out
}

fn sqlstate_in(answer: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(answer);
    text.split('\0')
        .find_map(|f| f.strip_prefix('C').filter(|c| c.len() == 5))
        .map(str::to_string)
}

#[tokio::test]
async fn hostile_bytes_get_08p01_and_never_hurt_others() {
    let server = TestServer::start_secure(scram_everywhere()).await;
    let canary = try_connect(server.port, "postgres", PASSWORD)
        .await
        .unwrap();
    let mut cases: Vec<(&str, Vec<u8>, Option<&str>)> = Vec::new();
    for len in [-1i32, 0, 3, i32::MAX] {
        let mut p = len.to_be_bytes().to_vec();
        p.extend_from_slice(&196608i32.to_be_bytes());
        cases.push(("startup length", p, Some("08P01")));
    }
    let long_user = "u".repeat(10_000);
    cases.push((
        "10 KB user name",
        startup_packet(&[("user", &long_user)]),
        Some("08P01"),
    ));
    cases.push((
        "truncated startup",
        vec![0, 0, 0, 40, 0, 3, 0, 0, b'u'],
        None,
    ));
    let mut query_for_password = startup_packet(&[("user", "postgres")]);
    query_for_password.extend(frame(b'Q', b"SELECT 1\0"));
    cases.push((
        "a Query in place of a password",
        query_for_password,
        Some("08P01"),
    ));
    let mut huge_password = startup_packet(&[("user", "postgres")]);
    huge_password.extend_from_slice(&[b'p', 0x7f, 0xff, 0xff, 0xff]);
    cases.push(("a 2 GB password message", huge_password, Some("08P01")));
    let mut pipelined = 8i32.to_be_bytes().to_vec();
    pipelined.extend_from_slice(&80877103i32.to_be_bytes());
    pipelined.extend(startup_packet(&[("user", "postgres")]));
    cases.push(("bytes pipelined after SSLRequest", pipelined, None));
    for (what, bytes, code) in cases {
        let answer = answer_to(server.port, &bytes).await;
        match code {
            Some(code) => assert_eq!(
                sqlstate_in(&answer).as_deref(),
                Some(code),
                "{what}: {answer:?}"
            ),
            None => assert!(
                !answer.starts_with(b"S") && !answer.starts_with(b"R"),
                "{what}: {answer:?}"
            ),
        }
        canary
            .simple_query("SELECT 1")
            .await
            .unwrap_or_else(|e| panic!("after {what}: {e}"));
    }
    // A NUL ends the user name: "a\0b" asks to authenticate "a" (the rest
    // is a parameter named "b"), never a name containing NUL.
    let mut nul = startup_packet(&[("user", "ab")]);
    let at = nul.iter().position(|b| *b == b'b').unwrap();
    nul.insert(at, 0);
    let len = (nul.len() as i32).to_be_bytes();
    nul[..4].copy_from_slice(&len);
    let answer = answer_to(server.port, &nul).await;
    assert_eq!(answer.first(), Some(&b'R'), "{answer:?}");
    let http = answer_to(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(
        http.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&http)
    );

    // Authenticated: 10,000 pipelined Parse without Sync, then a frame
    // over the message limit, then an unknown message type.
    let mut trusted = Secure {
        front: FrontOptions {
            max_message: 1 << 20,
            ..FrontOptions::default()
        },
        ..Secure::default()
    };
    trusted.password = None;
    let local = TestServer::start_secure(trusted).await;
    let mut s = TcpStream::connect(("127.0.0.1", local.port)).await.unwrap();
    s.write_all(&startup_packet(&[("user", "postgres")]))
        .await
        .unwrap();
    loop {
        if read_message(&mut s).await.0 == b'Z' {
            break;
        }
    }
    let parse = frame(b'P', b"\0SELECT 1\0\0\0");
    let many: Vec<u8> = parse
        .iter()
        .copied()
        .cycle()
        .take(parse.len() * 10_000)
        .collect();
    s.write_all(&many).await.unwrap();
    s.write_all(&frame(b'S', b"")).await.unwrap();
    let mut parsed = 0;
    loop {
        match read_message(&mut s).await.0 {
            b'1' => parsed += 1,
            b'Z' => break,
            other => panic!("unexpected message {other}"),
        }
    }
    assert_eq!(parsed, 10_000);
    let mut over = vec![b'Q'];
    over.extend_from_slice(&(2i32 << 20).to_be_bytes());
    let answer = answer_to_stream(s, &over).await;
    assert_eq!(sqlstate_in(&answer).as_deref(), Some("08P01"));
    let answer = answer_to(
        local.port,
        &[startup_packet(&[("user", "postgres")]), frame(b'z', b"")].concat(),
    )
    .await;
    assert_eq!(
        sqlstate_in(&answer).as_deref(),
        Some("08P01"),
        "unknown type"
    );
    // Bodies too short for their type (a Describe with no body panicked
    // pgwire's decoder; found by fuzz/).
    for (tag, body) in [(b'D', &b""[..]), (b'C', b""), (b'E', b""), (b'B', b"\0")] {
        let answer = answer_to(
            local.port,
            &[startup_packet(&[("user", "postgres")]), frame(tag, body)].concat(),
        )
        .await;
        assert_eq!(
            sqlstate_in(&answer).as_deref(),
            Some("08P01"),
            "short {}: {answer:?}",
            tag as char
        );
    }
    canary.simple_query("SELECT 1").await.unwrap();
}

async fn answer_to_stream(mut s: TcpStream, bytes: &[u8]) -> Vec<u8> {
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    out
}

#[tokio::test]
async fn role_statements_follow_postgresql_permissions() {
    let server = TestServer::start_secure(scram_everywhere()).await;
    let admin = try_connect(server.port, "postgres", PASSWORD)
        .await
        .unwrap();
    admin
        .batch_execute("CREATE USER plain PASSWORD 'p'; CREATE USER maker CREATEROLE PASSWORD 'm'")
        .await
        .unwrap();
    let plain = try_connect(server.port, "plain", "p").await.unwrap();
    let err = plain.batch_execute("CREATE ROLE x").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42501");
    plain
        .batch_execute("ALTER ROLE plain PASSWORD 'p2'")
        .await
        .unwrap();
    let err = plain
        .batch_execute("ALTER ROLE plain CREATEDB")
        .await
        .unwrap_err();
    assert_eq!(sqlstate_of(&err), "42501");
    try_connect(server.port, "plain", "p2")
        .await
        .expect("new password works");
    let maker = try_connect(server.port, "maker", "m").await.unwrap();
    maker.batch_execute("CREATE ROLE made").await.unwrap();
    let err = maker
        .batch_execute("CREATE ROLE boss SUPERUSER")
        .await
        .unwrap_err();
    assert_eq!(
        err.as_db_error().unwrap().message(),
        "must be superuser to create superusers"
    );
    for (sql, code) in [
        ("CREATE ROLE pg_mine", "42939"),
        ("CREATE ROLE made", "42710"),
        ("DROP ROLE nobody", "42704"),
        ("DROP ROLE postgres", "55006"),
    ] {
        let err = admin.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate_of(&err), code, "{sql}");
    }
    admin
        .batch_execute("DROP ROLE IF EXISTS nobody; DROP ROLE made")
        .await
        .unwrap();
    admin
        .batch_execute("BEGIN; CREATE ROLE temp; ROLLBACK")
        .await
        .unwrap();
    assert_eq!(
        sqlstate_of(
            &admin
                .batch_execute("ALTER ROLE temp LOGIN")
                .await
                .unwrap_err()
        ),
        "42704",
        "a rolled-back CREATE ROLE leaves nothing"
    );
}

#[tokio::test]
async fn a_role_reads_another_roles_table_only_once_granted() {
    let server = TestServer::start_secure(scram_everywhere()).await;
    let admin = try_connect(server.port, "postgres", PASSWORD)
        .await
        .unwrap();
    admin
        .batch_execute(
            "CREATE USER owner_u PASSWORD 'o'; CREATE USER other PASSWORD 'x'; \
             GRANT CREATE ON SCHEMA public TO owner_u",
        )
        .await
        .unwrap();
    let owner = try_connect(server.port, "owner_u", "o").await.unwrap();
    owner
        .batch_execute("CREATE TABLE notes (id int, body text); INSERT INTO notes VALUES (1, 'hi')")
        .await
        .unwrap();
    let other = try_connect(server.port, "other", "x")
        .await
        .expect("a role without privileges can connect");
    for sql in [
        "SELECT * FROM notes",
        "INSERT INTO notes VALUES (2, 'no')",
        "UPDATE notes SET body = 'no'",
        "DELETE FROM notes",
        "COPY notes TO STDOUT",
    ] {
        let err = other.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate_of(&err), "42501", "{sql}");
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "permission denied for table notes"
        );
    }
    // The same check on every execution of a prepared statement.
    let select = other.prepare("SELECT body FROM notes").await.unwrap();
    assert_eq!(
        sqlstate_of(&other.query(&select, &[]).await.unwrap_err()),
        "42501"
    );
    owner
        .batch_execute("GRANT SELECT, UPDATE ON notes TO other")
        .await
        .unwrap();
    let rows = other.query(&select, &[]).await.unwrap();
    assert_eq!(rows[0].get::<_, String>(0), "hi");
    other
        .batch_execute("UPDATE notes SET body = 'edited'")
        .await
        .unwrap();
    let err = other.batch_execute("DELETE FROM notes").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42501");
    owner
        .batch_execute("REVOKE ALL ON notes FROM other")
        .await
        .unwrap();
    assert_eq!(
        sqlstate_of(&other.query(&select, &[]).await.unwrap_err()),
        "42501"
    );

    // CONNECT on the database, and each role's CONNECTION LIMIT.
    admin
        .batch_execute("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC")
        .await
        .unwrap();
    let err = try_connect(server.port, "other", "x").await.unwrap_err();
    let (code, message) = db_error(&err);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("42501", "permission denied for database \"postgres\"")
    );
    admin
        .batch_execute(
            "GRANT CONNECT ON DATABASE postgres TO other; ALTER ROLE other CONNECTION LIMIT 1",
        )
        .await
        .unwrap();
    drop(other);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _first = try_connect(server.port, "other", "x").await.unwrap();
    let err = try_connect(server.port, "other", "x").await.unwrap_err();
    let (code, message) = db_error(&err);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("53300", "too many connections for role \"other\"")
    );
    try_connect(server.port, "postgres", PASSWORD)
        .await
        .expect("superusers skip both checks");
}

#[tokio::test]
async fn passwords_are_nowhere_on_disk_and_the_audit_chain_holds() {
    let mut server = TestServer::start_secure(scram_everywhere()).await;
    let admin = try_connect(server.port, "postgres", PASSWORD)
        .await
        .unwrap();
    let fresh = "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lm";
    admin
        .batch_execute(&format!(
            "CREATE USER carol PASSWORD '{fresh}'; CREATE TABLE t (a int)"
        ))
        .await
        .unwrap();
    admin
        .batch_execute(&format!("ALTER ROLE carol PASSWORD '{fresh}'"))
        .await
        .unwrap();
    try_connect(server.port, "carol", fresh).await.unwrap();
    let _ = try_connect(server.port, "carol", "wrong").await;
    drop(admin);
    server.stop().await;
    let mut hits = Vec::new();
    for entry in walk(&server.data_dir) {
        let bytes = std::fs::read(&entry).unwrap();
        for secret in [PASSWORD, fresh] {
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                hits.push(entry.display().to_string());
            }
        }
    }
    assert!(hits.is_empty(), "password found in {hits:?}");

    let log = server.data_dir.join("audit/audit.log");
    let text = std::fs::read_to_string(&log).unwrap();
    for event in [
        "\"auth.success\"",
        "\"auth.failure\"",
        "\"role\"",
        "\"ddl\"",
        "'********'",
    ] {
        assert!(text.contains(event), "{event} missing from {text}");
    }
    flintdb::security::audit::verify(std::slice::from_ref(&log)).unwrap();
    let tampered = text.replacen("carol", "carla", 1);
    std::fs::write(&log, tampered).unwrap();
    assert!(flintdb::security::audit::verify(&[log]).is_err());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
