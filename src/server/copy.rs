//! COPY … FROM STDIN on the wire: the Query (or Execute) that starts it
//! answers CopyInResponse; CopyData messages are cut into records and
//! inserted in batches on a blocking thread; CopyDone commits and answers
//! `COPY n`, CopyFail or bad data rolls the whole COPY back. After an
//! error the remaining CopyData is read and dropped, as PostgreSQL does,
//! and the error is reported at CopyDone.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::Sink;
use pgwire::api::copy::CopyHandler;
use pgwire::api::results::{CopyResponse, Response, Tag};
use pgwire::api::ClientInfo;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail};
use pgwire::messages::PgWireBackendMessage;

use super::errors::{error_info, to_pgwire};
use super::handler::QueryHandler;
use crate::error::{Error, Result};
use crate::sql::copy::RecordCutter;
use crate::sql::parser::Command;
use crate::sql::session::{CopyIn, Session};

/// Records inserted per batch.
const BATCH_RECORDS: usize = 1000;
/// Bytes of records held before a batch is inserted anyway.
const BATCH_BYTES: usize = 4 << 20;

/// A connection's COPY in progress.
struct CopyState {
    copy: CopyIn,
    /// Bytes of a record not yet complete.
    partial: Vec<u8>,
    cutter: RecordCutter,
    /// Complete records not yet inserted.
    pending: Vec<Vec<u8>>,
    pending_bytes: usize,
    /// The first error; later data is dropped.
    error: Option<Error>,
}

type Slot = parking_lot::Mutex<Option<CopyState>>;

/// Whether a command is COPY … FROM STDIN.
pub fn is_copy_from_stdin(command: &Command) -> bool {
    matches!(
        command,
        Command::Sql(sqlparser::ast::Statement::Copy {
            to: false,
            target: sqlparser::ast::CopyTarget::Stdin,
            ..
        })
    )
}

impl QueryHandler {
    fn copy_slot<C: ClientInfo>(&self, client: &C) -> Arc<Slot> {
        client
            .session_extensions()
            .get_or_insert_with(|| parking_lot::Mutex::new(None::<CopyState>))
    }

    /// Starts a COPY FROM STDIN: CopyInResponse, or the error.
    pub(super) async fn start_copy<C: ClientInfo>(&self, client: &C, command: Command) -> Response {
        let session = self.session(client);
        let started = blocking(move || session.lock().begin_copy(&command)).await;
        match started {
            Ok(copy) => {
                let width = copy.width();
                let format = i8::from(copy.format().binary);
                *self.copy_slot(client).lock() = Some(CopyState {
                    copy,
                    partial: Vec::new(),
                    cutter: RecordCutter::default(),
                    pending: Vec::new(),
                    pending_bytes: 0,
                    error: None,
                });
                Response::CopyIn(CopyResponse::new(format, width, futures::stream::empty()))
            }
            Err(e) => Response::Error(Box::new(error_info(&e, "ERROR"))),
        }
    }

    /// Inserts the pending records (recording the first error).
    async fn flush(
        &self,
        session: Arc<parking_lot::Mutex<Session>>,
        mut state: CopyState,
    ) -> CopyState {
        if state.error.is_some() || state.pending.is_empty() {
            return state;
        }
        let records = std::mem::take(&mut state.pending);
        state.pending_bytes = 0;
        let result = tokio::task::spawn_blocking(move || {
            let r = session.lock().copy_records(&mut state.copy, records);
            (state, r)
        })
        .await;
        match result {
            Ok((mut state, r)) => {
                state.error = r.err();
                state
            }
            Err(e) => panic_state(e),
        }
    }
}

/// A batch's worker died with the state inside it: nothing can continue.
fn panic_state(e: tokio::task::JoinError) -> CopyState {
    std::panic::resume_unwind(e.into_panic())
}

/// Runs session work on a blocking thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::errinternal!("the COPY worker stopped: {e}"))?
}

#[async_trait]
impl CopyHandler for QueryHandler {
    async fn on_copy_data<C>(&self, client: &mut C, data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let slot = self.copy_slot(client);
        let Some(mut state) = slot.lock().take() else {
            return Ok(());
        };
        if state.error.is_none() {
            state.partial.extend_from_slice(&data.data);
            match state
                .cutter
                .take(state.copy.format(), &mut state.partial, false)
            {
                Ok(records) => {
                    state.pending_bytes += records.iter().map(Vec::len).sum::<usize>();
                    state.pending.extend(records);
                    if state.pending.len() >= BATCH_RECORDS || state.pending_bytes >= BATCH_BYTES {
                        state = self.flush(self.session(client), state).await;
                    }
                }
                Err(e) => state.error = Some(e),
            }
        }
        *slot.lock() = Some(state);
        Ok(())
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let Some(mut state) = self.copy_slot(client).lock().take() else {
            return Ok(());
        };
        if state.error.is_none() {
            match state
                .cutter
                .take(state.copy.format(), &mut state.partial, true)
            {
                Ok(rest) => {
                    state.pending.extend(rest);
                    state = self.flush(self.session(client), state).await;
                }
                Err(e) => state.error = Some(e),
            }
        }
        let session = self.session(client);
        let ok = state.error.is_none();
        let ended =
            blocking(move || session.lock().end_copy(&state.copy, ok).map(|o| (o, state))).await;
        let (outcome, state) = ended.map_err(to_pgwire)?;
        if let Some(e) = state.error {
            return Err(to_pgwire(e));
        }
        use futures::SinkExt;
        client
            .send(PgWireBackendMessage::CommandComplete(
                Tag::new(&outcome.tag).into(),
            ))
            .await?;
        Ok(())
    }

    async fn on_copy_fail<C>(&self, client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let taken = self.copy_slot(client).lock().take();
        if let Some(state) = taken {
            let session = self.session(client);
            if let Err(e) = blocking(move || session.lock().end_copy(&state.copy, false)).await {
                return to_pgwire(e);
            }
        }
        to_pgwire(crate::errinput!(
            "57014",
            "COPY from stdin failed: {}",
            fail.message
        ))
    }
}
