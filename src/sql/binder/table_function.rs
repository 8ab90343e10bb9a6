//! Set-returning functions in FROM: `generate_series(start, stop [, step])`
//! over integers and numerics, `unnest(array)` and `generate_subscripts`,
//! one column named by the alias (or after the function), as in PostgreSQL.

use sqlparser::ast::{FunctionArg, FunctionArgExpr, ObjectName, TableAlias};

use super::scope::{normalize, Scope, ScopeColumn};
use super::Binder;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Node, SetCall, SetFunction};
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
        if let Some(bound) = self.bind_json_each(&function, args, alias)? {
            return Ok(bound);
        }
        if function != "generate_series" {
            let Some(func) = super::set_functions::set_function(&function) else {
                return Err(errunsupported!("set-returning function {function} in FROM"));
            };
            let mut exprs = Vec::new();
            for a in args {
                let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                    return Err(errunsupported!("argument {a} of {function}"));
                };
                exprs.push(e);
            }
            let call = self.set_call(func, &function, &exprs, &Scope::default())?;
            let ty = call.ty;
            let (qualifier, column) = function_alias(&function, alias)?;
            let node = Node::ProjectSet {
                input: Box::new(Node::Values { rows: vec![vec![]] }),
                calls: vec![call],
            };
            return Ok((node, single_column(qualifier, column, ty)));
        }
        let mut bound = Vec::new();
        for a in args {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                return Err(errunsupported!("argument {a} of {function}"));
            };
            bound.push(self.bind_expr(e, &Scope::default())?);
        }
        let types: Vec<DataType> = bound.iter().map(Expr::data_type).collect();
        let Some((sig, ty)) = super::set_functions::series_signature(&types) else {
            let names: Vec<&str> = bound.iter().map(|e| e.data_type().sql_name()).collect();
            return Err(errinput!(
                sqlstate::UNDEFINED_FUNCTION,
                "function generate_series({}) does not exist",
                names.join(", ")
            )
            .with_hint(
                "No function matches the given name and argument types. You might need to add explicit type casts.",
            ));
        };
        let mut bound = bound
            .into_iter()
            .zip(sig)
            .map(|(e, t)| self.coerce(e, t))
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        let (start, stop, step) = (bound.next(), bound.next(), bound.next());
        let (Some(start), Some(stop)) = (start, stop) else {
            return Err(crate::errinternal!("generate_series lost its arguments"));
        };
        let (qualifier, column) = function_alias(&function, alias)?;
        let scope = single_column(qualifier, column, ty);
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

impl Binder<'_> {
    /// `UNNEST(a [, b …]) [alias [(columns)]]` in FROM: the arrays side by
    /// side.
    pub(super) fn bind_unnest(
        &mut self,
        arrays: &[sqlparser::ast::Expr],
        alias: &Option<TableAlias>,
    ) -> Result<(Node, Scope)> {
        let mut calls = Vec::with_capacity(arrays.len());
        for a in arrays {
            calls.push(self.set_call(SetFunction::Unnest, "unnest", &[a], &Scope::default())?);
        }
        let qualifier = alias
            .as_ref()
            .map_or("unnest".to_string(), |a| normalize(&a.name));
        let names = alias.as_ref().map(|a| &a.columns[..]).unwrap_or(&[]);
        if names.len() > calls.len() {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "too many column aliases specified for function unnest"
            ));
        }
        let columns = calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = match names.get(i) {
                    Some(n) => normalize(&n.name),
                    None if calls.len() == 1 => qualifier.clone(),
                    None => "unnest".to_string(),
                };
                function_column(&qualifier, name, c.ty)
            })
            .collect();
        let node = Node::ProjectSet {
            input: Box::new(Node::Values { rows: vec![vec![]] }),
            calls,
        };
        Ok((node, Scope { columns }))
    }
}

impl Binder<'_> {
    /// `json[b]_each[_text](doc) [AS a [(k, v)]]` in FROM: (key, value)
    /// rows, made of two set-returning calls side by side.
    fn bind_json_each(
        &mut self,
        function: &str,
        args: &[FunctionArg],
        alias: &Option<TableAlias>,
    ) -> Result<Option<(Node, Scope)>> {
        let doc = match function {
            "json_each" | "json_each_text" => DataType::Json,
            "jsonb_each" | "jsonb_each_text" => DataType::Jsonb,
            _ => return Ok(None),
        };
        let text = function.ends_with("_text");
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] = args else {
            return Err(errinput!(
                sqlstate::UNDEFINED_FUNCTION,
                "function {function} with {} arguments does not exist",
                args.len()
            ));
        };
        let arg = self.bind_expr(e, &Scope::default())?;
        if !matches!(arg.data_type(), DataType::Unknown) && arg.data_type() != doc {
            return Err(errinput!(
                sqlstate::UNDEFINED_FUNCTION,
                "function {function}({}) does not exist",
                arg.data_type().sql_name()
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."));
        }
        let arg = self.coerce(arg, doc)?;
        let value = if text {
            (SetFunction::JsonEachValueText, DataType::Text)
        } else {
            (SetFunction::JsonEachValue, doc)
        };
        let calls = vec![
            SetCall {
                func: SetFunction::JsonEachKey,
                args: vec![arg.clone()],
                ty: DataType::Text,
            },
            SetCall {
                func: value.0,
                args: vec![arg],
                ty: value.1,
            },
        ];
        let qualifier = alias
            .as_ref()
            .map_or(function.to_string(), |a| normalize(&a.name));
        let mut names = vec!["key".to_string(), "value".to_string()];
        if let Some(a) = alias {
            if a.columns.len() > 2 {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "too many column aliases specified for function {function}"
                ));
            }
            for (slot, c) in names.iter_mut().zip(&a.columns) {
                *slot = normalize(&c.name);
            }
        }
        let columns = names
            .into_iter()
            .zip(calls.iter().map(|c| c.ty))
            .map(|(name, ty)| function_column(&qualifier, name, ty))
            .collect();
        let node = Node::ProjectSet {
            input: Box::new(Node::Values { rows: vec![vec![]] }),
            calls,
        };
        Ok(Some((node, Scope { columns })))
    }
}

/// The qualifier and column name of a one-column function in FROM.
/// `pg_partition_ancestors(rel) WITH ORDINALITY [AS a (relid, depth)]`
/// (psql's trigger listing): FlintDB has no partitions, so no rows.
pub(super) fn no_partition_ancestors(alias: &Option<TableAlias>) -> (Node, Scope) {
    let qualifier = alias
        .as_ref()
        .map_or("pg_partition_ancestors".to_string(), |a| normalize(&a.name));
    let names: Vec<String> = match alias {
        Some(a) if a.columns.len() == 2 => a.columns.iter().map(|c| normalize(&c.name)).collect(),
        _ => vec!["relid".to_string(), "ordinality".to_string()],
    };
    let types = [DataType::Reg(crate::types::RegKind::Class), DataType::Int8];
    let scope = Scope {
        columns: names
            .into_iter()
            .zip(types)
            .map(|(name, ty)| function_column(&qualifier, name, ty))
            .collect(),
    };
    (Node::Values { rows: vec![] }, scope)
}

fn function_alias(function: &str, alias: &Option<TableAlias>) -> Result<(String, String)> {
    Ok(match alias {
        None => (function.to_string(), function.to_string()),
        Some(a) => {
            let q = normalize(&a.name);
            match a.columns.as_slice() {
                [] => (q.clone(), q),
                [c] => (q, normalize(&c.name)),
                _ => {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "too many column aliases specified for function {function}"
                    ))
                }
            }
        }
    })
}

fn single_column(qualifier: String, name: String, ty: DataType) -> Scope {
    Scope {
        columns: vec![function_column(&qualifier, name, ty)],
    }
}

/// A column of a function's rows in FROM (no table behind it).
fn function_column(qualifier: &str, name: String, ty: DataType) -> ScopeColumn {
    ScopeColumn {
        qualifier: Some(qualifier.to_string()),
        name,
        ty: ColumnType::plain(ty),
        table_oid: 0,
        column_number: 0,
        hidden: false,
    }
}
