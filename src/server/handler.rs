//! pgwire handlers for an authenticated session: the ParameterStatus
//! values drivers read, the simple query protocol, and the extended
//! protocol (Parse, Bind, Describe, Execute, Close). Dispatch is on parsed
//! statements only; startup and authentication are `connection`'s.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use crate::sql::parser::Command;
use async_trait::async_trait;
use futures::{Sink, SinkExt};
use pgwire::api::auth::{ServerParameterProvider, StartupHandler};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{FieldInfo, Response};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, Type, METADATA_USER};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use super::encode;
use super::errors::{fatal, to_pgwire};
use super::run::{run_statement, StatementInput};
use crate::engine::Engine;
use crate::errinput;
use crate::error::{sqlstate, Error, Result};
use crate::sql::parser;
use crate::sql::plan::OutputColumn;
use crate::sql::session::Session;
use crate::types::DataType;

use crate::sql::session::settings::{SERVER_VERSION, SERVER_VERSION_NUM};

/// All of FlintDB's protocol handlers; one per server, shared by sessions.
pub struct Handlers {
    engine: Arc<Engine>,
    parser: Arc<StatementParser>,
}

impl Handlers {
    /// Handlers serving an engine.
    pub fn new(engine: Arc<Engine>) -> Arc<Self> {
        Arc::new(Handlers {
            parser: Arc::new(StatementParser {
                engine: engine.clone(),
            }),
            engine,
        })
    }
}

impl Handlers {
    /// The engine the handlers serve.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The handler of queries (simple and extended) and COPY.
    pub fn queries(&self) -> Arc<QueryHandler> {
        Arc::new(QueryHandler {
            engine: self.engine.clone(),
            parser: self.parser.clone(),
        })
    }

    /// The startup handler pgwire's processing wants (never reached).
    pub fn startup(&self) -> Arc<impl StartupHandler> {
        Arc::new(Startup)
    }
}

/// Startup is answered by `server::connection` before pgwire's message
/// processing starts; a startup-phase message reaching pgwire is a bug.
struct Startup;

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        _client: &mut C,
        _message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Err(fatal(errinput!(
            sqlstate::PROTOCOL_VIOLATION,
            "unexpected startup message"
        )))
    }
}

/// The ParameterStatus values sent after authentication.
pub struct Parameters;

impl ServerParameterProvider for Parameters {
    fn server_parameters<C: ClientInfo>(&self, client: &C) -> Option<HashMap<String, String>> {
        let user = client
            .metadata()
            .get(METADATA_USER)
            .cloned()
            .unwrap_or_default();
        let app = client
            .metadata()
            .get("application_name")
            .cloned()
            .unwrap_or_default();
        let pairs = [
            ("server_version", SERVER_VERSION.to_string()),
            ("server_version_num", SERVER_VERSION_NUM.to_string()),
            ("server_encoding", "UTF8".to_string()),
            ("client_encoding", "UTF8".to_string()),
            ("DateStyle", "ISO, MDY".to_string()),
            ("IntervalStyle", "postgres".to_string()),
            ("integer_datetimes", "on".to_string()),
            ("standard_conforming_strings", "on".to_string()),
            ("TimeZone", "UTC".to_string()),
            (
                "is_superuser",
                client
                    .metadata()
                    .get("is_superuser")
                    .cloned()
                    .unwrap_or_else(|| "off".to_string()),
            ),
            ("session_authorization", user),
            ("application_name", app),
            ("default_transaction_read_only", "off".to_string()),
            ("in_hot_standby", "off".to_string()),
        ];
        Some(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

/// A statement prepared by Parse: its AST and bound types.
#[derive(Clone, Debug)]
pub struct Prepared {
    statement: Arc<Command>,
    param_types: Vec<DataType>,
    columns: Option<Vec<OutputColumn>>,
}

/// Parses and binds statements for the extended protocol.
pub struct StatementParser {
    engine: Arc<Engine>,
}

#[async_trait]
impl QueryParser for StatementParser {
    type Statement = Prepared;

    async fn parse_sql<C>(
        &self,
        client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Prepared>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let mut statements = parser::parse(sql).map_err(to_pgwire)?;
        if statements.len() > 1 {
            return Err(to_pgwire(errinput!(
                sqlstate::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement"
            )));
        }
        let Some(statement) = statements.pop() else {
            return Ok(None);
        };
        let declared = declared_types(self.engine.catalog(), types).map_err(to_pgwire)?;
        let statement = Arc::new(statement);
        let engine = self.engine.clone();
        let stmt = statement.clone();
        // FETCH returns its cursor's columns, which only the session knows.
        if let parser::Command::Fetch {
            cursor,
            move_only: false,
            ..
        } = statement.as_ref()
        {
            let columns = client
                .session_extensions()
                .get::<parking_lot::Mutex<Session>>()
                .and_then(|s| s.lock().cursor_columns(cursor));
            return Ok(Some(Prepared {
                statement,
                columns: Some(columns.unwrap_or_default()),
                param_types: vec![],
            }));
        }
        let path = client
            .session_extensions()
            .get::<parking_lot::Mutex<Session>>()
            .map(|s| s.lock().search_path())
            .unwrap_or_default();
        let bound = tokio::task::spawn_blocking(move || {
            crate::catalog::names::with_search_path(path, || {
                Session::describe(&engine, &stmt, &declared)
            })
        })
        .await
        .map_err(|e| to_pgwire(crate::errinternal!("describe failed: {e}")))?
        .map_err(to_pgwire)?;
        Ok(Some(Prepared {
            statement,
            columns: bound.plan.output_columns().map(<[OutputColumn]>::to_vec),
            param_types: bound.param_types,
        }))
    }

    fn get_parameter_types(&self, stmt: &Prepared) -> PgWireResult<Vec<Type>> {
        Ok(stmt
            .param_types
            .iter()
            .map(|t| encode::pg_type(*t))
            .collect())
    }

    fn get_result_schema(
        &self,
        stmt: &Prepared,
        format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        match &stmt.columns {
            None => Ok(vec![]),
            Some(columns) => {
                let fields = encode::fields(columns, format.unwrap_or(&Format::UnifiedText))
                    .map_err(to_pgwire)?;
                Ok(fields.as_ref().clone())
            }
        }
    }
}

fn declared_types(
    catalog: &crate::catalog::Catalog,
    types: &[Option<Type>],
) -> Result<Vec<Option<DataType>>> {
    types
        .iter()
        .map(|t| match t {
            None => Ok(None),
            Some(t) if t.oid() == 0 || *t == Type::UNKNOWN => Ok(None),
            Some(t) => catalog.data_type_of(t.oid()).map(Some).ok_or_else(|| {
                Error::Unsupported(format!("parameter type {} is not supported", t.name()))
            }),
        })
        .collect()
}

/// Runs queries for both protocols.
pub struct QueryHandler {
    engine: Arc<Engine>,
    parser: Arc<StatementParser>,
}

impl QueryHandler {
    /// The connection's session (its transaction and settings), created on
    /// first use and dropped, rolling back, with the connection.
    pub(super) fn session<C: ClientInfo>(&self, client: &C) -> Arc<parking_lot::Mutex<Session>> {
        client
            .session_extensions()
            .get_or_insert_with(|| parking_lot::Mutex::new(Session::new(self.engine.clone())))
    }
}

#[async_trait]
impl SimpleQueryHandler for QueryHandler {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let statements = match parser::parse(query) {
            Ok(s) => s,
            Err(e) => {
                return Ok(vec![Response::Error(Box::new(super::errors::error_info(
                    &e, "ERROR",
                )))])
            }
        };
        if statements.is_empty() {
            return Ok(vec![Response::EmptyQuery]);
        }
        if statements.iter().any(super::copy::is_copy_from_stdin) {
            let [command] = statements.as_slice() else {
                let e =
                    crate::errunsupported!("COPY FROM STDIN with other statements in one query");
                return Ok(vec![Response::Error(Box::new(super::errors::error_info(
                    &e, "ERROR",
                )))]);
            };
            return Ok(vec![self.start_copy(client, command.clone()).await]);
        }
        // Several statements in one Query form an implicit transaction
        // block, as in PostgreSQL: all commit at the end or none does. Their
        // rows are collected, so the block can end before replying; a lone
        // statement streams its rows.
        let session = self.session(client);
        let multi = statements.len() > 1;
        if multi {
            session.lock().begin_implicit_block();
        }
        let mut responses = Vec::with_capacity(statements.len());
        let mut ok = true;
        for statement in statements {
            let input = StatementInput {
                statement: Arc::new(statement),
                declared: vec![],
                params: vec![],
                result_format: Format::UnifiedText,
            };
            let (notices, response) = run_statement(session.clone(), input, !multi).await;
            if matches!(response, Response::CopyOut(_)) {
                // The COPY is sent here, so what came before goes first.
                // (pgwire then sees earlier BEGIN/COMMIT tags as plain
                // ones: the rare Query that mixes them with COPY TO STDOUT
                // reports its transaction status from the later ones.)
                for earlier in responses.drain(..) {
                    super::copy_out::send_response(client, earlier).await?;
                }
            }
            for n in notices {
                client.feed(n).await?;
            }
            let response = match response {
                Response::CopyOut(copy) => super::copy_out::send_copy_out(client, copy).await?,
                other => other,
            };
            let failed = matches!(response, Response::Error(_));
            responses.push(response);
            if failed {
                ok = false;
                break;
            }
        }
        if multi {
            let s = session.clone();
            let ended = tokio::task::spawn_blocking(move || s.lock().end_implicit_block(ok)).await;
            let failure = match ended {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(e) => Some(crate::errinternal!(
                    "ending the implicit transaction failed: {e}"
                )),
            };
            if let Some(e) = failure {
                responses.push(Response::Error(Box::new(super::errors::error_info(
                    &e, "ERROR",
                ))));
            }
        }
        Ok(responses)
    }
}

#[async_trait]
impl ExtendedQueryHandler for QueryHandler {
    type Statement = Prepared;
    type QueryParser = StatementParser;

    fn query_parser(&self) -> Arc<StatementParser> {
        self.parser.clone()
    }

    /// Describe of a statement that returns no rows is ParameterDescription
    /// then NoData, as PostgreSQL answers (pgwire 0.42 sends an empty
    /// RowDescription when there are parameters, which pgJDBC takes for a
    /// result).
    async fn on_describe<C>(
        &self,
        client: &mut C,
        message: pgwire::messages::extendedquery::Describe,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        use pgwire::api::store::Entry;
        use pgwire::messages::data::{NoData, ParameterDescription, RowDescription};
        if message.target_type == pgwire::messages::extendedquery::TARGET_TYPE_BYTE_STATEMENT {
            let name = message.name.as_deref().unwrap_or("");
            if let Some(Entry::Value(stmt)) = client.portal_store().get_statement(name) {
                let described = self.do_describe_statement(client, &stmt).await?;
                let types = described.parameters.iter().map(Type::oid).collect();
                client
                    .feed(PgWireBackendMessage::ParameterDescription(
                        ParameterDescription::new(types),
                    ))
                    .await?;
                let reply = if described.fields.is_empty() {
                    PgWireBackendMessage::NoData(NoData::new())
                } else {
                    PgWireBackendMessage::RowDescription(RowDescription::new(
                        described.fields.iter().map(Into::into).collect(),
                    ))
                };
                client.send(reply).await?;
                return Ok(());
            }
        }
        self._on_describe(client, message).await
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Prepared>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = &portal.statement.statement;
        if super::copy::is_copy_from_stdin(&prepared.statement) {
            let command = (*prepared.statement).clone();
            return match self.start_copy(client, command).await {
                Response::Error(info) => Err(PgWireError::UserError(info)),
                other => Ok(other),
            };
        }
        let params = encode::decode_params(
            &portal.parameters,
            &portal.parameter_format,
            &prepared.param_types,
        )
        .map_err(to_pgwire)?;
        let input = StatementInput {
            statement: prepared.statement.clone(),
            declared: prepared.param_types.iter().copied().map(Some).collect(),
            params,
            result_format: portal.result_column_format.clone(),
        };
        // With a row limit the portal may be suspended while other
        // statements run, so its rows are collected first: a streaming
        // statement holds the session until its last row is sent.
        let stream = max_rows == 0;
        let (notices, response) = run_statement(self.session(client), input, stream).await;
        for n in notices {
            client.feed(n).await?;
        }
        let response = match response {
            Response::CopyOut(copy) => super::copy_out::send_copy_out(client, copy).await?,
            other => other,
        };
        match response {
            Response::Error(info) => Err(PgWireError::UserError(info)),
            other => Ok(other),
        }
    }
}
