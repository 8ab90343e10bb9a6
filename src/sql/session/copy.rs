//! COPY … FROM STDIN in a session: the statement is bound when it starts,
//! records are inserted in batches as the client streams them, and the
//! whole COPY commits or rolls back as one statement (in its own implicit
//! transaction, or as part of the open block).

use super::{Command, Outcome, RowSink, Session};
use crate::error::{Error, Result};
use crate::sql::binder::{bind_command, Bound};
use crate::sql::copy::{CopyFormat, BAD_COPY_FILE_FORMAT};
use crate::sql::expr::Expr;
use crate::sql::plan::{Node, Plan};
use crate::types::{text, Value};

/// A COPY FROM STDIN in progress.
pub struct CopyIn {
    plan: Plan,
    table: String,
    format: CopyFormat,
    /// Column names and types of the fields, in order.
    columns: Vec<(String, crate::types::ColumnType)>,
    /// Lines read so far (for error messages).
    line: u64,
    /// Rows inserted so far.
    pub rows: u64,
    /// The `\.` end marker was seen: later data is ignored.
    ended: bool,
}

impl CopyIn {
    /// The data format (the server cuts records with it).
    pub fn format(&self) -> &CopyFormat {
        &self.format
    }

    /// The bound COPY.
    pub(super) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Fields per record.
    pub fn width(&self) -> usize {
        self.columns.len()
    }
}

/// Discards the rows an INSERT would send (it has no RETURNING).
pub(super) struct NoRows;

impl RowSink for NoRows {
    fn columns(&mut self, _: &[crate::sql::plan::OutputColumn], _: &str) -> Result<()> {
        Ok(())
    }
    fn row(&mut self, _: Vec<Value>) -> Result<()> {
        Ok(())
    }
    fn notice(&mut self, _: &str, _: &str, _: String) {}
}

impl Session {
    /// Starts a COPY FROM STDIN: binds it and opens its transaction.
    pub fn begin_copy(&mut self, command: &Command) -> Result<CopyIn> {
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(super::aborted());
        }
        let path = self.search_path();
        let bound = crate::catalog::names::with_search_path(path, || {
            bind_command(command, self.engine.catalog(), &[])
        })?;
        let Plan::CopyFrom {
            table,
            targets,
            format,
            ..
        } = &bound.plan
        else {
            return Err(crate::errinternal!("begin_copy of another statement"));
        };
        let columns = targets
            .iter()
            .map(|i| {
                let c = &table.columns[*i];
                (c.name.clone(), c.ty)
            })
            .collect();
        let (table, format) = (table.name.clone(), format.clone());
        self.begin_implicit_block();
        Ok(CopyIn {
            plan: bound.plan,
            table,
            format,
            columns,
            line: 0,
            rows: 0,
            ended: false,
        })
    }

    /// Inserts a batch of records. On error the COPY is over: the caller
    /// ends it with [`Session::end_copy`] and `false`.
    pub fn copy_records(&mut self, copy: &mut CopyIn, records: Vec<Vec<u8>>) -> Result<()> {
        let path = self.search_path();
        let result =
            crate::catalog::names::with_search_path(path, || self.insert_records(copy, records));
        if result.is_err() {
            if let Some(t) = self.txn.as_mut() {
                t.failed = true;
            }
        }
        result
    }

    fn insert_records(&mut self, copy: &mut CopyIn, records: Vec<Vec<u8>>) -> Result<()> {
        let mut rows = Vec::with_capacity(records.len());
        for record in records {
            if copy.ended {
                break;
            }
            copy.line += 1;
            if copy.line == 1 && copy.format.header {
                continue;
            }
            if copy.format.is_end_marker(&record) {
                copy.ended = true;
                break;
            }
            rows.push(parse_row(copy, &record)?);
        }
        self.insert_rows(copy, rows)
    }

    /// Inserts rows of values read from a Parquet file: a value of its
    /// column's type goes in as it is; any other (an enum label, JSON, a
    /// number kept as text) through the column type's text input, as a
    /// text-format record's field would.
    pub fn copy_value_rows(&mut self, copy: &mut CopyIn, rows: Vec<Vec<Value>>) -> Result<()> {
        let path = self.search_path();
        let result = crate::catalog::names::with_search_path(path, || {
            let mut typed_rows = Vec::with_capacity(rows.len());
            for values in rows {
                copy.line += 1;
                typed_rows.push(typed_values(copy, values)?);
            }
            self.insert_rows(copy, typed_rows)
        });
        if result.is_err() {
            if let Some(t) = self.txn.as_mut() {
                t.failed = true;
            }
        }
        result
    }

    fn insert_rows(&mut self, copy: &mut CopyIn, rows: Vec<Vec<Expr>>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let Plan::CopyFrom {
            table,
            targets,
            defaults,
            indexes,
            checks,
            ..
        } = &copy.plan
        else {
            return Err(crate::errinternal!("COPY lost its plan"));
        };
        let count = rows.len() as u64;
        let insert = Plan::Insert {
            table: table.clone(),
            source: Node::Values { rows },
            targets: targets.clone(),
            defaults: defaults.clone(),
            indexes: indexes.clone(),
            checks: checks.clone(),
            on_conflict: None,
            returning: None,
        };
        let mut bound = Some(Bound {
            plan: insert,
            param_types: vec![],
            locks_rows: false,
            reads: Default::default(),
        });
        self.run_with(
            Some(crate::txn::SchemaMode::Shared),
            |_| {
                bound
                    .take()
                    .ok_or_else(|| crate::errinternal!("COPY batch bound twice"))
            },
            vec![],
            &mut NoRows,
        )?;
        copy.rows += count;
        Ok(())
    }

    /// Ends a COPY: commits its implicit transaction (or leaves the open
    /// block to its COMMIT), or rolls it back. Returns the command tag.
    pub fn end_copy(&mut self, copy: &CopyIn, ok: bool) -> Result<Outcome> {
        self.end_implicit_block(ok)?;
        Ok(Outcome::tag(format!("COPY {}", copy.rows)))
    }
}

/// One record's values, typed for their columns; errors name the line
/// and column as PostgreSQL's CONTEXT does.
fn parse_row(copy: &CopyIn, record: &[u8]) -> Result<Vec<Expr>> {
    let context = |column: Option<&str>| match column {
        Some(c) => format!("COPY {}, line {}, column {c}", copy.table, copy.line),
        None => format!("COPY {}, line {}", copy.table, copy.line),
    };
    if copy.format.binary {
        return binary_row(copy, record, context);
    }
    let fields = copy
        .format
        .fields(record)
        .map_err(|e| with_context(e, context(None)))?;
    typed_fields(copy, fields)
}

/// A record's text fields typed for their columns.
fn typed_fields(copy: &CopyIn, fields: Vec<Option<String>>) -> Result<Vec<Expr>> {
    let context = |column: Option<&str>| match column {
        Some(c) => format!("COPY {}, line {}, column {c}", copy.table, copy.line),
        None => format!("COPY {}, line {}", copy.table, copy.line),
    };
    if fields.len() > copy.columns.len() {
        return Err(crate::errinput!(
            BAD_COPY_FILE_FORMAT,
            "extra data after last expected column"
        )
        .with_detail(context(None)));
    }
    if fields.len() < copy.columns.len() {
        let missing = &copy.columns[fields.len()].0;
        return Err(crate::errinput!(
            BAD_COPY_FILE_FORMAT,
            "missing data for column \"{missing}\""
        )
        .with_detail(context(None)));
    }
    fields
        .into_iter()
        .zip(&copy.columns)
        .map(|(field, (name, ty))| {
            let value = match field {
                None => Value::Null,
                Some(f) => text::parse(&f, ty.data_type)
                    .map_err(|e| with_context(e, format!("{}: \"{f}\"", context(Some(name)))))?,
            };
            Ok(typed(value, *ty))
        })
        .collect()
}

/// A Parquet row's values typed for their columns (see
/// [`Session::copy_value_rows`]).
fn typed_values(copy: &CopyIn, values: Vec<Value>) -> Result<Vec<Expr>> {
    values
        .into_iter()
        .zip(&copy.columns)
        .map(|(value, (name, ty))| {
            let natural = value.data_type();
            let fits = value.is_null()
                || natural == ty.data_type
                || (natural == crate::types::DataType::Text && ty.data_type.is_string());
            if fits {
                return Ok(typed(value, *ty));
            }
            let text = text::format(&value).unwrap_or_default();
            let parsed = text::parse(&text, ty.data_type).map_err(|e| {
                with_context(
                    e,
                    format!(
                        "COPY {}, line {}, column {name}: \"{text}\"",
                        copy.table, copy.line
                    ),
                )
            })?;
            Ok(typed(parsed, *ty))
        })
        .collect()
}

/// A binary record's values, as [`parse_row`] gives a text one's.
fn binary_row(
    copy: &CopyIn,
    record: &[u8],
    context: impl Fn(Option<&str>) -> String,
) -> Result<Vec<Expr>> {
    let fields = crate::sql::copy_binary::fields(record, copy.columns.len())
        .map_err(|e| with_context(e, context(None)))?;
    fields
        .into_iter()
        .zip(&copy.columns)
        .map(|(field, (name, ty))| {
            let value = match field {
                None => Value::Null,
                Some(bytes) => crate::types::binary::decode(bytes, ty.data_type)
                    .map_err(|e| with_context(e, context(Some(name))))?,
            };
            Ok(typed(value, *ty))
        })
        .collect()
}

/// A value as an expression of its column's type; a typmod (varchar(n),
/// char(n), numeric(p,s)) applies as on INSERT.
fn typed(value: Value, ty: crate::types::ColumnType) -> Expr {
    let literal = Expr::Literal(value, ty.data_type);
    if ty == crate::types::ColumnType::plain(ty.data_type) {
        literal
    } else {
        Expr::Cast {
            expr: Box::new(literal),
            to: ty,
            explicit: false,
        }
    }
}

fn with_context(e: Error, context: String) -> Error {
    match e {
        Error::Input {
            code,
            message,
            detail: None,
            hint,
        } => Error::Input {
            code,
            message,
            detail: Some(context),
            hint,
        },
        other => other,
    }
}
