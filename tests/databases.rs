//! CREATE DATABASE and DROP DATABASE through the wire: connecting to a new
//! database, its own objects (a name in one database is not in another),
//! a restart keeping it, and DROP DATABASE refusing while another session
//! is connected (55006) or it is the current one.

mod common;

use common::{connect, sqlstate_of, TestServer};

fn conn_to(server: &TestServer, database: &str) -> String {
    server
        .conn_str()
        .replace("dbname=postgres", &format!("dbname={database}"))
}

async fn one_value(client: &tokio_postgres::Client, sql: &str) -> String {
    let messages = client.simple_query(sql).await.unwrap();
    messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some(r.get(0).unwrap_or("NULL").to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no row from {sql}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn databases_hold_their_own_objects_and_survive_a_restart() {
    let mut server = TestServer::start().await;
    let main = server.connect().await;
    main.batch_execute(
        "CREATE DATABASE app;
         CREATE TABLE items (a int);
         INSERT INTO items VALUES (1), (2);",
    )
    .await
    .unwrap();

    let app = connect(&conn_to(&server, "app")).await;
    assert_eq!(one_value(&app, "SELECT current_database()").await, "app");
    let err = app.simple_query("SELECT * FROM items").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "42P01");
    app.batch_execute(
        "CREATE TABLE items (b text);
         INSERT INTO items VALUES ('in app');
         CREATE SCHEMA s;
         CREATE TABLE s.t (id serial PRIMARY KEY);
         INSERT INTO s.t DEFAULT VALUES;",
    )
    .await
    .unwrap();
    assert_eq!(one_value(&app, "SELECT b FROM items").await, "in app");
    assert_eq!(one_value(&main, "SELECT count(*) FROM items").await, "2");
    assert_eq!(
        one_value(
            &main,
            "SELECT count(*) FROM pg_namespace WHERE nspname = 's'"
        )
        .await,
        "0"
    );

    // Dropping it: not the current database, not while app is connected.
    let err = app.simple_query("DROP DATABASE app").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "55006");
    let err = main.simple_query("DROP DATABASE app").await.unwrap_err();
    assert_eq!(sqlstate_of(&err), "55006");
    drop(app);

    server.restart().await;
    let app = connect(&conn_to(&server, "app")).await;
    assert_eq!(one_value(&app, "SELECT b FROM items").await, "in app");
    assert_eq!(one_value(&app, "SELECT max(id) FROM s.t").await, "1");
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let main = server.connect().await;
    main.batch_execute("DROP DATABASE app").await.unwrap();
    assert_eq!(
        one_value(
            &main,
            "SELECT count(*) FROM pg_database WHERE datname = 'app'"
        )
        .await,
        "0"
    );
    assert_eq!(one_value(&main, "SELECT count(*) FROM items").await, "2");
    let gone = tokio_postgres::connect(&conn_to(&server, "app"), tokio_postgres::NoTls)
        .await
        .err()
        .expect("app is gone");
    assert_eq!(sqlstate_of(&gone), "3D000");
    let template = tokio_postgres::connect(&conn_to(&server, "template0"), tokio_postgres::NoTls)
        .await
        .err()
        .expect("template0 takes no connections");
    assert_eq!(sqlstate_of(&template), "55000");
    server.stop().await;
}
