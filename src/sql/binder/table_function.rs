//! Set-returning functions in FROM: `generate_series(start, stop [, step])`
//! over integers and numerics, one column named by the alias (or after the
//! function), as in PostgreSQL.

use sqlparser::ast::{FunctionArg, FunctionArgExpr, ObjectName, TableAlias};

use super::scope::{normalize, Scope, ScopeColumn};
use super::types::common_type;
use super::Binder;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Node;
use crate::types::{ColumnType, DataType};
use crate::{errinput, errunsupported};

impl Binder<'_> {
    /// Binds `name(args) [alias [(column)]]` in FROM.
    pub(super) fn bind_table_function(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        alias: &Option<TableAlias>,
    ) -> Result<(Node, Scope)> {
        let parts = super::scope::name_parts(name)?;
        let function = match parts.as_slice() {
            [schema, f] if schema == "pg_catalog" => f.clone(),
            _ => super::scope::table_name(name)?,
        };
        if function != "generate_series" {
            return Err(errunsupported!("set-returning function {function} in FROM"));
        }
        let mut bound = Vec::new();
        for a in args {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                return Err(errunsupported!("argument {a} of {function}"));
            };
            bound.push(self.bind_expr(e, &Scope::default())?);
        }
        let mut ty = DataType::Int4;
        for e in bound.iter().filter(|e| e.data_type() != DataType::Unknown) {
            ty = common_type(ty, e.data_type()).unwrap_or(DataType::Text);
        }
        if !(2..=3).contains(&bound.len())
            || !matches!(ty, DataType::Int4 | DataType::Int8 | DataType::Numeric)
        {
            let names: Vec<&str> = bound.iter().map(|e| e.data_type().sql_name()).collect();
            return Err(errinput!(
                sqlstate::UNDEFINED_FUNCTION,
                "function generate_series({}) does not exist",
                names.join(", ")
            )
            .with_hint(
                "No function matches the given name and argument types. You might need to add explicit type casts.",
            ));
        }
        let mut bound = bound
            .into_iter()
            .map(|e| self.coerce(e, ty))
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        let (start, stop, step) = (bound.next(), bound.next(), bound.next());
        let (Some(start), Some(stop)) = (start, stop) else {
            return Err(crate::errinternal!("generate_series lost its arguments"));
        };
        let (qualifier, column) = match alias {
            None => (function.clone(), function),
            Some(a) => {
                let q = normalize(&a.name);
                match a.columns.as_slice() {
                    [] => (q.clone(), q),
                    [c] => (q, normalize(&c.name)),
                    _ => {
                        return Err(errinput!(
                            sqlstate::SYNTAX_ERROR,
                            "too many column aliases specified for function generate_series"
                        ))
                    }
                }
            }
        };
        let scope = Scope {
            columns: vec![ScopeColumn {
                qualifier: Some(qualifier),
                name: column,
                ty: ColumnType::plain(ty),
                table_oid: 0,
                column_number: 0,
            }],
        };
        Ok((
            Node::Series {
                start,
                stop,
                step,
                ty,
            },
            scope,
        ))
    }
}
