//! COPY … TO STDOUT on the wire, sent by FlintDB rather than pgwire:
//! CopyOutResponse, the CopyData messages, CopyDone and `COPY n` with the
//! statement's own row count. An error part-way is an ErrorResponse (as
//! PostgreSQL sends), never the CopyFail that pgwire 0.42 would send — a
//! frontend-only message that clients reject as a protocol violation.
//! (pgwire would also count messages, not rows, for the tag: one Parquet
//! message holds many rows.)

use std::fmt::Debug;

use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::results::{CopyResponse, Response, Tag};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::copy::{CopyData, CopyDone, CopyOutResponse};
use pgwire::messages::PgWireBackendMessage;

/// Marks the last item of a COPY stream: the command tag, not data.
const TAG_MARK: &[u8] = b"\0\0flintdb-copy-tag:";

/// The item that carries the command tag at the end of a COPY stream.
pub fn tag_message(tag: &str) -> CopyData {
    let mut data = TAG_MARK.to_vec();
    data.extend_from_slice(tag.as_bytes());
    CopyData::new(data.into())
}

/// Sends a COPY TO STDOUT; returns what follows it: `COPY n` or the error.
pub async fn send_copy_out<C>(client: &mut C, mut copy: CopyResponse) -> PgWireResult<Response>
where
    C: Sink<PgWireBackendMessage> + Unpin,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let formats = copy.column_formats();
    client
        .send(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
            copy.format,
            copy.columns as i16,
            formats,
        )))
        .await?;
    let mut tag = Tag::new("COPY");
    while let Some(item) = copy.data_stream().next().await {
        match item {
            Ok(data) => {
                if let Some(t) = data.data.strip_prefix(TAG_MARK) {
                    let text = String::from_utf8_lossy(t);
                    let rows = text.rsplit(' ').next().and_then(|n| n.parse().ok());
                    tag = Tag::new("COPY").with_rows(rows.unwrap_or(0));
                    continue;
                }
                if !data.data.is_empty() {
                    client.feed(PgWireBackendMessage::CopyData(data)).await?;
                }
            }
            Err(PgWireError::UserError(info)) => {
                client.flush().await?;
                return Ok(Response::Error(info));
            }
            Err(e) => return Err(e),
        }
    }
    client
        .send(PgWireBackendMessage::CopyDone(CopyDone::new()))
        .await?;
    Ok(Response::Execution(tag))
}

/// Sends a response that would otherwise go after the query handler
/// returns (used to keep order when a COPY is sent from inside it).
pub async fn send_response<C>(client: &mut C, response: Response) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    match response {
        Response::Query(q) => pgwire::api::query::send_query_response(client, q, true).await,
        Response::Execution(tag)
        | Response::TransactionStart(tag)
        | Response::TransactionEnd(tag) => {
            pgwire::api::query::send_execution_response(client, tag).await
        }
        Response::EmptyQuery => {
            client
                .feed(PgWireBackendMessage::EmptyQueryResponse(
                    pgwire::messages::response::EmptyQueryResponse::new(),
                ))
                .await?;
            Ok(())
        }
        Response::Error(e) => {
            client
                .feed(PgWireBackendMessage::ErrorResponse((*e).into()))
                .await?;
            Ok(())
        }
        Response::CopyOut(copy) => send_copy_out(client, copy).await.map(|_| ()),
        _ => Ok(()),
    }
}
