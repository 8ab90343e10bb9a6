//! Binding array expressions: `ARRAY[…]`, `ARRAY(SELECT …)`,
//! `x op ANY|ALL (array)`, subscripts `a[i]`, and the element type rules
//! (elements unify like a CASE's results; an untyped `'{…}'` literal takes
//! the array type it is compared with).

use sqlparser::ast;

use super::scope::Scope;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{BinaryOp, Expr, Function, SubqueryExpr, SubqueryKind};
use crate::types::{array, DataType};

impl Binder<'_> {
    /// `ARRAY(SELECT one_column …)`.
    pub(super) fn bind_array_subquery(&mut self, q: &ast::Query, scope: &Scope) -> Result<Expr> {
        let (plan, columns, correlated) = self.bind_subquery(q, scope)?;
        if columns.len() != 1 {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "subquery must return only one column"
            ));
        }
        let elem = columns[0].ty.data_type;
        let ty = array_type(elem)?;
        Ok(Expr::Subquery(Box::new(SubqueryExpr {
            plan,
            kind: SubqueryKind::Array,
            correlated,
            ty,
        })))
    }

    /// `ARRAY[a, b, …]`: the elements unified to one type.
    pub(super) fn array_constructor(&mut self, items: Vec<Expr>) -> Result<Expr> {
        if items.is_empty() {
            return Err(
                errinput!("42P18", "cannot determine type of empty array").with_hint(
                    "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                ),
            );
        }
        let items = self.unify(items, "ARRAY")?;
        let elem = match items[0].data_type() {
            DataType::Unknown => DataType::Text,
            t => t,
        };
        let items = items
            .into_iter()
            .map(|e| self.coerce(e, elem))
            .collect::<Result<Vec<_>>>()?;
        Ok(Expr::Call {
            func: Function::ArrayConstruct,
            args: items,
            ty: array_type(elem)?,
        })
    }

    /// `left op ANY (array)` / `ALL`.
    pub(super) fn bind_any_array(
        &mut self,
        left: &ast::Expr,
        op: BinaryOp,
        all: bool,
        right: &ast::Expr,
        scope: &Scope,
    ) -> Result<Expr> {
        let l = self.bind_expr(left, scope)?;
        let r = vector_as_array(self.bind_expr(right, scope)?);
        let (l, r) = match (l.data_type(), r.data_type()) {
            (lt, DataType::Array(elem)) => {
                let target = super::subquery::comparison_type(lt, op, *elem)?;
                let r = if target == *elem {
                    r
                } else {
                    self.coerce(r, array_type(target)?)?
                };
                (self.coerce(l, target)?, r)
            }
            (lt, DataType::Unknown) => {
                // An untyped '{…}' literal is an array of the left type.
                let lt = if lt == DataType::Unknown {
                    DataType::Text
                } else {
                    lt
                };
                let l = self.coerce(l, lt)?;
                (l, self.coerce(r, array_type(lt)?)?)
            }
            (_, other) => {
                return Err(errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "op ANY/ALL (array) requires array on right side"
                )
                .with_detail(format!("The right side is of type {}.", other.sql_name())))
            }
        };
        Ok(Expr::AnyArray {
            left: Box::new(l),
            op,
            array: Box::new(r),
            all,
        })
    }

    /// `array || array`, `array || element`, `element || array`.
    pub(super) fn bind_array_concat(&mut self, l: Expr, r: Expr) -> Result<Expr> {
        let (lt, rt) = (l.data_type(), r.data_type());
        let (l, r, ty) = match (lt, rt) {
            (DataType::Array(_), DataType::Array(_)) => {
                let t = super::types::common_type(lt, rt).ok_or_else(|| {
                    super::expr::no_operator(&format!("{} || {}", lt.sql_name(), rt.sql_name()))
                })?;
                (self.coerce(l, t)?, self.coerce(r, t)?, t)
            }
            // An untyped literal beside an array is an array.
            (DataType::Array(_), DataType::Unknown) => (l, self.coerce(r, lt)?, lt),
            (DataType::Unknown, DataType::Array(_)) => (self.coerce(l, rt)?, r, rt),
            (DataType::Array(elem), _) => (l, self.coerce(r, *elem)?, lt),
            (_, DataType::Array(elem)) => (self.coerce(l, *elem)?, r, rt),
            _ => return Err(crate::errinternal!("array concatenation without an array")),
        };
        Ok(Expr::Call {
            func: Function::ArrayCat,
            args: vec![l, r],
            ty,
        })
    }

    /// `a[i]` (one subscript; PostgreSQL arrays start at 1, the catalogs'
    /// vectors at 0).
    /// `(record).field`: 42809 unless the expression is a record, 42703
    /// if it has no such field.
    pub(super) fn record_field(&mut self, record: Expr, field: &str) -> Result<Expr> {
        let DataType::Record(record_type) = record.data_type() else {
            return Err(errinput!(
                "42809",
                "column notation .{field} applied to type {}, which is not a composite type",
                record.data_type().sql_name()
            ));
        };
        let fields = record_type.fields;
        let Some(at) = fields.iter().position(|(name, _)| *name == field) else {
            return Err(errinput!(
                sqlstate::UNDEFINED_COLUMN,
                "could not identify column \"{field}\" in record data type"
            ));
        };
        Ok(Expr::Call {
            func: Function::RecordField(at),
            args: vec![record],
            ty: fields[at].1,
        })
    }

    pub(super) fn bind_subscript(&mut self, base: Expr, index: Expr) -> Result<Expr> {
        let index = if base.data_type().vector_element().is_some() {
            let index = self.coerce(index, DataType::Int4)?;
            Expr::Binary {
                op: crate::sql::expr::BinaryOp::Add,
                left: Box::new(index),
                right: Box::new(Expr::Literal(crate::types::Value::Int4(1), DataType::Int4)),
                ty: DataType::Int4,
            }
        } else {
            index
        };
        let base = vector_as_array(base);
        let DataType::Array(elem) = base.data_type() else {
            return Err(errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "cannot subscript type {} because it does not support subscripting",
                base.data_type().sql_name()
            ));
        };
        let index = self.coerce(index, DataType::Int4)?;
        Ok(Expr::Call {
            func: Function::ArraySubscript,
            args: vec![base, index],
            ty: *elem,
        })
    }
}

impl Binder<'_> {
    /// `a @> b`, `a <@ b`, `a && b` on arrays of one element type (an
    /// untyped literal takes the other side's type).
    pub(super) fn bind_array_operator(
        &mut self,
        left: Expr,
        op: &sqlparser::ast::BinaryOperator,
        right: Expr,
    ) -> Result<Expr> {
        use sqlparser::ast::BinaryOperator as B;
        let (lt, rt) = (left.data_type(), right.data_type());
        let ty = if lt == DataType::Unknown { rt } else { lt };
        let same = |t: DataType| t == ty || t == DataType::Unknown;
        if !matches!(ty, DataType::Array(_)) || !same(lt) || !same(rt) {
            let name = |t: DataType| {
                if t == DataType::Unknown {
                    "unknown"
                } else {
                    t.sql_name()
                }
            };
            return Err(super::expr::no_operator(&format!(
                "{} {op} {}",
                name(lt),
                name(rt)
            )));
        }
        let left = self.coerce(left, ty)?;
        let right = self.coerce(right, ty)?;
        let (func, args) = match op {
            B::AtArrow => (Function::ArrayContains, vec![left, right]),
            B::ArrowAt => (Function::ArrayContains, vec![right, left]),
            _ => (Function::ArrayOverlaps, vec![left, right]),
        };
        Ok(Expr::Call {
            func,
            args,
            ty: DataType::Bool,
        })
    }
}

/// An int2vector or oidvector as the array it is (other values as they
/// are).
pub fn vector_as_array(e: Expr) -> Expr {
    match e.data_type().vector_element().and_then(array::array_of) {
        Some(array) => Expr::Cast {
            expr: Box::new(e),
            to: crate::types::ColumnType::plain(array),
            explicit: false,
        },
        None => e,
    }
}

/// The array type of an element type, or 0A000.
pub fn array_type(elem: DataType) -> Result<DataType> {
    array::array_of(elem).ok_or_else(|| crate::errunsupported!("arrays of {}", elem.sql_name()))
}
