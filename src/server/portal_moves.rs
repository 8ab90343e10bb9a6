//! MOVE and FETCH naming a protocol-level portal (asyncpg's
//! `cursor.forward(n)` sends `MOVE FORWARD n <portal>` as a simple query):
//! in PostgreSQL portals and cursors are one thing, but pgwire keeps
//! protocol portals in its own store, so these are answered here from it.
//! Portals read forward only, as non-SCROLL cursors do.

use futures::{SinkExt, StreamExt};
use pgwire::api::portal::PortalExecutionState;
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{Response, Tag};
use pgwire::api::store::{Entry, PortalStore};
use pgwire::api::{ClientInfo, ClientPortalStore};
use pgwire::messages::data::RowDescription;
use pgwire::messages::response::ReadyForQuery;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use super::connection::Conn;
use super::errors::error_info;
use super::handler::QueryHandler;
use crate::sql::parser::{self, Command, Direction};
use crate::sql::session::Session;

/// Answers a Query that moves or fetches through a protocol portal; true
/// if it did.
pub async fn move_portal(
    conn: &mut Conn,
    message: &PgWireFrontendMessage,
    queries: &QueryHandler,
) -> bool {
    let PgWireFrontendMessage::Query(query) = message else {
        return false;
    };
    // Cheap test before parsing: only MOVE and FETCH qualify.
    let head = query
        .query
        .trim_start()
        .get(..5)
        .unwrap_or("")
        .to_ascii_lowercase();
    if head != "move " && head != "fetch" {
        return false;
    }
    let Ok(commands) = parser::parse(&query.query) else {
        return false;
    };
    let [Command::Fetch {
        cursor,
        direction,
        move_only,
    }] = commands.as_slice()
    else {
        return false;
    };
    let is_cursor = conn
        .session_extensions()
        .get::<parking_lot::Mutex<Session>>()
        .is_some_and(|s| s.lock().cursor_columns(cursor).is_some());
    if is_cursor {
        return false;
    }
    let Some(Entry::Value(portal)) = conn.portal_store().get_portal(cursor) else {
        return false;
    };
    // How many rows to take (pgwire's 0 is all); None for none.
    let count = match direction {
        Direction::Next => Some(1),
        Direction::Forward(0) => None,
        Direction::Forward(n) if *n > 0 => Some(*n as usize),
        Direction::ForwardAll => Some(0),
        _ => {
            let mut info = error_info(
                &crate::errinput!("55000", "cursor can only scan forward"),
                "ERROR",
            );
            info.hint = Some("Declare it with SCROLL option to enable backward scan.".into());
            failed(conn, info).await;
            return true;
        }
    };
    let initial = matches!(*portal.state().lock().await, PortalExecutionState::Initial);
    if initial {
        match queries.do_query(conn, portal.as_ref(), 0).await {
            Ok(Response::Query(rows)) => portal.start(rows).await,
            Ok(_) => {}
            Err(e) => {
                failed(conn, e.into()).await;
                return true;
            }
        }
    }
    let mut n = 0usize;
    let suspended = matches!(
        *portal.state().lock().await,
        PortalExecutionState::Suspended(_)
    );
    if let (true, Some(count)) = (suspended, count) {
        match portal.fetch(count).await {
            Ok(mut fetched) => {
                if !*move_only {
                    let fields = fetched.response.row_schema();
                    let description = RowDescription::new(fields.iter().map(Into::into).collect());
                    let _ = conn
                        .feed(PgWireBackendMessage::RowDescription(description))
                        .await;
                }
                let rows = fetched.response.data_rows();
                while let Some(row) = rows.next().await {
                    n += 1;
                    if let (false, Ok(row)) = (*move_only, row) {
                        let _ = conn.feed(PgWireBackendMessage::DataRow(row)).await;
                    }
                }
            }
            Err(e) => {
                failed(conn, e.into()).await;
                return true;
            }
        }
    }
    let tag = Tag::new(if *move_only { "MOVE" } else { "FETCH" }).with_rows(n);
    let _ = conn
        .feed(PgWireBackendMessage::CommandComplete(tag.into()))
        .await;
    ready(conn).await;
    true
}

/// The error, then ReadyForQuery.
async fn failed(conn: &mut Conn, info: pgwire::error::ErrorInfo) {
    let _ = conn
        .feed(PgWireBackendMessage::ErrorResponse(info.into()))
        .await;
    ready(conn).await;
}

async fn ready(conn: &mut Conn) {
    let status = conn.transaction_status();
    let _ = conn
        .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
            status,
        )))
        .await;
}
