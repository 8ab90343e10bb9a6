//! Running a statement for a client: the session executes on a blocking
//! thread and streams encoded rows back through a bounded channel, so a
//! large result never sits in memory and a slow client slows the scan
//! rather than filling RAM.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::sql::parser::Command;
use futures::stream;
use pgwire::api::portal::Format;
use pgwire::api::results::{FieldInfo, QueryResponse, Response, Tag};
use pgwire::error::PgWireError;
use pgwire::messages::data::DataRow;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::PgWireBackendMessage;
use tokio::sync::mpsc;

use super::encode;
use super::errors::to_pgwire;
use crate::error::{Error, Result};
use crate::sql::exec::Row;
use crate::sql::plan::OutputColumn;
use crate::sql::session::{Outcome, RowSink, Session, TxnEffect};
use crate::types::{DataType, Value};

/// Rows buffered between the executor and the socket.
const CHANNEL_ROWS: usize = 256;

enum Message {
    /// A NoticeResponse or ParameterStatus, sent before the response.
    Notice(PgWireBackendMessage),
    Columns(Arc<Vec<FieldInfo>>, String),
    Row(DataRow),
    /// COPY TO STDOUT begins: its column count.
    /// COPY TO STDOUT begins: the column count, and whether it is binary.
    CopyOut(usize, bool),
    /// One COPY record.
    CopyData(Vec<u8>),
    Done(Result<Outcome>),
}

struct ChannelSink {
    tx: mpsc::Sender<Message>,
    format: Format,
    fields: Option<Arc<Vec<FieldInfo>>>,
    /// Rows are COPY records (a one-value bytea row each).
    copy: bool,
    /// Running on the connection's own task (never waits for the reader).
    inline: bool,
}

impl ChannelSink {
    fn send(&self, message: Message) -> Result<()> {
        let sent = if self.inline {
            self.tx.try_send(message).is_ok()
        } else {
            self.tx.blocking_send(message).is_ok()
        };
        if sent {
            Ok(())
        } else {
            Err(client_gone())
        }
    }
}

impl RowSink for ChannelSink {
    fn columns(&mut self, columns: &[OutputColumn], tag: &str) -> Result<()> {
        let fields = encode::fields(columns, &self.format)?;
        self.fields = Some(fields.clone());
        self.send(Message::Columns(fields, tag.to_string()))
    }

    fn row(&mut self, row: Row) -> Result<()> {
        if self.copy {
            let Some(Value::Bytea(record)) = row.into_iter().next() else {
                return Err(crate::errinternal!("a COPY record that is not bytes"));
            };
            return self.send(Message::CopyData(record));
        }
        let fields = self
            .fields
            .as_ref()
            .ok_or_else(|| crate::errinternal!("row before columns"))?;
        let row = encode::data_row(&row, fields);
        self.send(Message::Row(row))
    }

    fn notice(&mut self, severity: &str, code: &str, message: String) {
        self.notice_fields(severity, code, message, None)
    }

    fn notice_with_detail(&mut self, severity: &str, code: &str, message: String, detail: String) {
        self.notice_fields(severity, code, message, Some(detail))
    }

    fn copy_out(&mut self, columns: &[OutputColumn], binary: bool) -> Result<()> {
        self.copy = true;
        self.send(Message::CopyOut(columns.len(), binary))
    }

    fn binary_column(&self, column: usize) -> bool {
        self.fields.as_ref().is_some_and(|f| {
            f.get(column)
                .is_some_and(|f| f.format() == pgwire::api::results::FieldFormat::Binary)
        })
    }

    fn parameter_status(&mut self, name: &str, value: &str) {
        self.parameter_status_message(name, value)
    }
}

impl ChannelSink {
    fn notice_fields(
        &mut self,
        severity: &str,
        code: &str,
        message: String,
        detail: Option<String>,
    ) {
        let mut fields = vec![
            (b'S', severity.to_string()),
            (b'V', severity.to_string()),
            (b'C', code.to_string()),
            (b'M', message),
        ];
        fields.extend(detail.map(|d| (b'D', d)));
        let _ = self.send(Message::Notice(PgWireBackendMessage::NoticeResponse(
            NoticeResponse::new(fields),
        )));
    }

    fn parameter_status_message(&mut self, name: &str, value: &str) {
        let _ = self.send(Message::Notice(PgWireBackendMessage::ParameterStatus(
            pgwire::messages::startup::ParameterStatus::new(name.to_string(), value.to_string()),
        )));
    }
}

fn client_gone() -> Error {
    Error::Io("client connection closed".to_string())
}

/// What the statement needs besides its text.
pub struct StatementInput {
    pub statement: Arc<Command>,
    pub declared: Vec<Option<DataType>>,
    pub params: Vec<Value>,
    pub result_format: Format,
}

/// Executes a statement; `stream` lets rows flow while the statement runs
/// (the last statement of a query string), otherwise they are collected
/// first so the next statement sees the effects of this one. Returns the
/// notices (and ParameterStatus messages) raised before any row, and the
/// response.
pub async fn run_statement(
    session: Arc<Mutex<Session>>,
    input: StatementInput,
    stream: bool,
) -> (Vec<PgWireBackendMessage>, Response) {
    let mut notices = Vec::new();
    let response = run(session, input, stream, &mut notices).await;
    (notices, response)
}

async fn run(
    session: Arc<Mutex<Session>>,
    input: StatementInput,
    stream: bool,
    notices: &mut Vec<PgWireBackendMessage>,
) -> Response {
    let (tx, mut rx) = mpsc::channel(CHANNEL_ROWS);
    let inline = never_waits(&input.statement);
    let work = move || {
        let mut session = session.lock();
        let mut sink = ChannelSink {
            tx,
            format: input.result_format,
            fields: None,
            copy: false,
            inline,
        };
        session.note_activity(Some(&input.statement));
        let result = session.execute(&input.statement, &input.declared, input.params, &mut sink);
        session.note_activity(None);
        let _ = sink.send(Message::Done(result));
    };
    // Statements that only change session state run here, saving the hop
    // to a blocking thread and back (a tenth of a millisecond each).
    let worker = if inline {
        work();
        None
    } else {
        Some(tokio::task::spawn_blocking(work))
    };
    let mut first = rx.recv().await;
    while let Some(Message::Notice(n)) = first {
        notices.push(n);
        first = rx.recv().await;
    }
    match first {
        Some(Message::CopyOut(width, binary)) => {
            let records = stream::unfold((rx, worker), |(mut rx, worker)| async move {
                match rx.recv().await {
                    Some(Message::CopyData(r)) => Some((
                        Ok(pgwire::messages::copy::CopyData::new(r.into())),
                        (rx, worker),
                    )),
                    // The command tag rides at the end, for the handler
                    // that sends the COPY (see copy_out.rs).
                    Some(Message::Done(Ok(outcome))) => {
                        Some((Ok(super::copy_out::tag_message(&outcome.tag)), (rx, None)))
                    }
                    Some(Message::Done(Err(e))) => Some((Err(to_pgwire(e)), (rx, None))),
                    Some(_) => None,
                    None => match worker {
                        Some(w) => Some((Err(panicked(w.await.err())), (rx, None))),
                        None => None,
                    },
                }
            });
            // Made as text, then marked binary: CopyResponse::new would add
            // a binary trailer of its own, and the session sends one.
            let mut response = pgwire::api::results::CopyResponse::new(0, width, records);
            response.format = i8::from(binary);
            Response::CopyOut(response)
        }
        Some(Message::Columns(fields, tag)) => {
            if stream {
                let rows = stream::unfold((rx, worker), |(mut rx, worker)| async move {
                    match rx.recv().await {
                        Some(Message::Row(r)) => Some((Ok(r), (rx, worker))),
                        Some(Message::Done(Ok(_))) => None,
                        Some(Message::Done(Err(e))) => Some((Err(to_pgwire(e)), (rx, None))),
                        Some(
                            Message::Columns(..)
                            | Message::Notice(_)
                            | Message::CopyOut(..)
                            | Message::CopyData(_),
                        ) => None,
                        None => match worker {
                            Some(w) => Some((Err(panicked(w.await.err())), (rx, None))),
                            None => None,
                        },
                    }
                });
                let mut response = QueryResponse::new(fields, rows);
                response.set_command_tag(&tag);
                return Response::Query(response);
            }
            let mut rows = Vec::new();
            loop {
                match rx.recv().await {
                    Some(Message::Row(r)) => rows.push(r),
                    Some(Message::Done(Ok(_))) => break,
                    Some(Message::Done(Err(e))) => return error_response(e),
                    Some(
                        Message::Columns(..)
                        | Message::Notice(_)
                        | Message::CopyOut(..)
                        | Message::CopyData(_),
                    ) => {}
                    None => {
                        return Response::Error(Box::new(error_info_of(panicked(
                            joined(worker).await,
                        ))))
                    }
                }
            }
            let mut response = QueryResponse::new(fields, stream::iter(rows.into_iter().map(Ok)));
            response.set_command_tag(&tag);
            Response::Query(response)
        }
        Some(Message::Done(Ok(Outcome { tag, effect }))) => match effect {
            TxnEffect::None => Response::Execution(Tag::new(&tag)),
            TxnEffect::Started => Response::TransactionStart(Tag::new(&tag)),
            TxnEffect::Ended => Response::TransactionEnd(Tag::new(&tag)),
        },
        Some(Message::Done(Err(e))) => error_response(e),
        Some(Message::Row(_) | Message::Notice(_) | Message::CopyData(_)) | None => {
            Response::Error(Box::new(error_info_of(panicked(joined(worker).await))))
        }
    }
}

fn error_response(e: Error) -> Response {
    Response::Error(Box::new(super::errors::error_info(&e, "ERROR")))
}

fn error_info_of(e: PgWireError) -> pgwire::error::ErrorInfo {
    e.into()
}

/// How the statement's worker ended, if it ran on one and failed.
async fn joined(worker: Option<tokio::task::JoinHandle<()>>) -> Option<tokio::task::JoinError> {
    worker?.await.err()
}

/// Statements that only read or change the session's own state: they
/// never wait for a lock, the disk or the client.
fn never_waits(command: &Command) -> bool {
    use sqlparser::ast::Statement;
    matches!(
        command,
        Command::Sql(
            Statement::StartTransaction { .. }
                | Statement::Savepoint { .. }
                | Statement::Set(_)
                | Statement::ShowVariable { .. }
                | Statement::ShowVariables { .. }
        )
    )
}

fn panicked(err: Option<tokio::task::JoinError>) -> PgWireError {
    let what = match err {
        Some(e) if e.is_panic() => "the statement's worker panicked",
        _ => "the statement's worker stopped unexpectedly",
    };
    tracing::error!("{what}");
    to_pgwire(crate::errinternal!("internal error: {what}"))
}
