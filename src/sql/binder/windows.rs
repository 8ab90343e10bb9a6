//! Binding window function calls (`f(args) OVER (PARTITION BY … ORDER BY
//! … frame)`): ranking and value functions and aggregates. Like
//! set-returning calls, each becomes a column of a node below the select
//! list's projection (here a Window node), collected while the list is
//! bound.

use sqlparser::ast;

use super::scope::Scope;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Frame, FrameBound, SortKey, WindowCall, WindowFunction};
use crate::types::DataType;

/// Window calls of a select list.
pub type WindowCalls = super::set_functions::Collected<WindowCall>;

/// A call's syntax, as bind_function parsed it.
pub(super) struct WindowSyntax<'a> {
    pub name: &'a str,
    pub function: &'a ast::Function,
    pub over: &'a ast::WindowType,
    pub args: &'a [&'a ast::Expr],
    pub distinct: bool,
    pub star: bool,
}

impl Binder<'_> {
    /// A window call in a select list: a column of the Window node.
    pub(super) fn bind_window(&mut self, w: WindowSyntax, scope: &Scope) -> Result<Expr> {
        if self.window_calls.is_none() {
            return Err(errinput!(
                sqlstate::WINDOWING_ERROR,
                "window functions are not allowed here"
            ));
        }
        let ast::WindowType::WindowSpec(spec) = w.over else {
            return Err(crate::errunsupported!("named windows (OVER {})", w.over));
        };
        if spec.window_name.is_some() {
            return Err(crate::errunsupported!("named windows (OVER ({spec}))"));
        }
        if w.function.filter.is_some() {
            return Err(crate::errunsupported!("FILTER on window functions"));
        }
        let saved = std::mem::replace(&mut self.allow_aggregates, false);
        let bound = self.window_parts(w, spec, scope);
        self.allow_aggregates = saved;
        let call = bound?;
        let ty = call.ty;
        let Some(collected) = self.window_calls.as_mut() else {
            return Err(crate::errinternal!("window calls vanished"));
        };
        Ok(collected.push(call, ty))
    }

    fn window_parts(
        &mut self,
        w: WindowSyntax,
        spec: &ast::WindowSpec,
        scope: &Scope,
    ) -> Result<WindowCall> {
        let partition_by = spec
            .partition_by
            .iter()
            .map(|e| {
                self.bind_expr(e, scope)
                    .and_then(|e| self.resolve_unknown(e))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut order_by = Vec::with_capacity(spec.order_by.len());
        for o in &spec.order_by {
            let expr = self.bind_expr(&o.expr, scope)?;
            let expr = self.resolve_unknown(expr)?;
            let descending = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
            order_by.push(SortKey {
                expr,
                descending,
                nulls_first: o.options.nulls_first.unwrap_or(descending),
            });
        }
        let frame = frame(spec.window_frame.as_ref(), !order_by.is_empty())?;
        let (func, args, ty) = self.window_function(&w, scope)?;
        Ok(WindowCall {
            func,
            args,
            partition_by,
            order_by,
            frame,
            ty,
        })
    }

    fn window_function(
        &mut self,
        w: &WindowSyntax,
        scope: &Scope,
    ) -> Result<(WindowFunction, Vec<Expr>, DataType)> {
        use WindowFunction as F;
        let name = w.name;
        if let Some(_aggregate) = super::functions::aggregate_function(name) {
            if w.distinct {
                return Err(crate::errunsupported!(
                    "DISTINCT is not implemented for window functions"
                ));
            }
            self.allow_aggregates = true;
            let bound = self.bind_function_ignoring_over(w.function, scope);
            self.allow_aggregates = false;
            return match bound? {
                Expr::Aggregate(call) => {
                    let ty = call.ty;
                    Ok((F::Aggregate(call), vec![], ty))
                }
                _ => Err(crate::errinternal!("an aggregate bound to something else")),
            };
        }
        if w.distinct || w.star {
            return Err(errinput!(
                sqlstate::WRONG_OBJECT_TYPE,
                "DISTINCT or * specified, but {name} is not an aggregate function"
            ));
        }
        let mut args = w
            .args
            .iter()
            .map(|a| {
                self.bind_expr(a, scope)
                    .and_then(|e| self.resolve_unknown(e))
            })
            .collect::<Result<Vec<_>>>()?;
        let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        let (func, ty) = match (name, types.len()) {
            ("row_number", 0) => (F::RowNumber, DataType::Int8),
            ("rank", 0) => (F::Rank, DataType::Int8),
            ("dense_rank", 0) => (F::DenseRank, DataType::Int8),
            ("percent_rank", 0) => (F::PercentRank, DataType::Float8),
            ("cume_dist", 0) => (F::CumeDist, DataType::Float8),
            ("ntile", 1) => {
                args[0] = self.coerce(args[0].clone(), DataType::Int4)?;
                (F::Ntile, DataType::Int4)
            }
            ("lag" | "lead", 1..=3) => {
                let t = types[0];
                if args.len() > 1 {
                    args[1] = self.coerce(args[1].clone(), DataType::Int4)?;
                }
                if args.len() > 2 {
                    args[2] = self.coerce(args[2].clone(), t)?;
                }
                (if name == "lag" { F::Lag } else { F::Lead }, t)
            }
            ("first_value", 1) => (F::FirstValue, types[0]),
            ("last_value", 1) => (F::LastValue, types[0]),
            ("nth_value", 2) => {
                args[1] = self.coerce(args[1].clone(), DataType::Int4)?;
                (F::NthValue, types[0])
            }
            _ => {
                return Err(errinput!(
                    sqlstate::WRONG_OBJECT_TYPE,
                    "OVER specified, but {name} is not a window function nor an aggregate function"
                ))
            }
        };
        Ok((func, args, ty))
    }
}

/// The frame a window's clause asks for (PostgreSQL's default: the whole
/// partition without ORDER BY, else from its start to the row's last peer).
fn frame(clause: Option<&ast::WindowFrame>, ordered: bool) -> Result<Frame> {
    let Some(f) = clause else {
        return Ok(Frame {
            rows: false,
            start: FrameBound::UnboundedPreceding,
            end: if ordered {
                FrameBound::CurrentRow
            } else {
                FrameBound::UnboundedFollowing
            },
        });
    };
    let rows = match f.units {
        ast::WindowFrameUnits::Rows => true,
        ast::WindowFrameUnits::Range => false,
        ast::WindowFrameUnits::Groups => return Err(crate::errunsupported!("GROUPS frames")),
    };
    let bound = |b: &ast::WindowFrameBound| -> Result<FrameBound> {
        Ok(match b {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(e))
            | ast::WindowFrameBound::Following(Some(e)) => {
                if !rows {
                    return Err(crate::errunsupported!("RANGE frames with an offset"));
                }
                let n = offset(e)?;
                if matches!(b, ast::WindowFrameBound::Preceding(_)) {
                    FrameBound::Preceding(n)
                } else {
                    FrameBound::Following(n)
                }
            }
        })
    };
    let start = bound(&f.start_bound)?;
    let end = match &f.end_bound {
        Some(b) => bound(b)?,
        None => FrameBound::CurrentRow,
    };
    if start == FrameBound::UnboundedFollowing {
        return Err(errinput!(
            sqlstate::WINDOWING_ERROR,
            "frame start cannot be UNBOUNDED FOLLOWING"
        ));
    }
    if end == FrameBound::UnboundedPreceding {
        return Err(errinput!(
            sqlstate::WINDOWING_ERROR,
            "frame end cannot be UNBOUNDED PRECEDING"
        ));
    }
    Ok(Frame { rows, start, end })
}

/// A ROWS frame offset: a non-negative integer constant.
fn offset(e: &ast::Expr) -> Result<u64> {
    let text = match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    match text.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n as u64),
        Ok(_) => Err(errinput!(
            "22013",
            "frame starting offset must not be negative"
        )),
        Err(_) => Err(crate::errunsupported!("frame offset {e}")),
    }
}
