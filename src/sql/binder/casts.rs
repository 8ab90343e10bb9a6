//! Binding casts: `expr::type` and `CAST(expr AS type)` with PostgreSQL's
//! rules for untyped literals, and the OID-alias types (`::regclass` and
//! friends), whose names are looked up when the statement runs.

use super::types;
use super::Binder;
use crate::errinput;
use crate::error::Result;
use crate::sql::expr::{Expr, Function};
use crate::types::{DataType, Value};

impl Binder<'_> {
    /// `x::regclass` and friends: a name becomes its OID (looked up when
    /// the statement runs); an integer or OID stays the OID.
    pub(super) fn reg_cast(&mut self, inner: Expr, kind: crate::types::RegKind) -> Result<Expr> {
        use crate::types::RegKind;
        let from = inner.data_type();
        let to = DataType::Reg(kind);
        if matches!(from, DataType::Oid | DataType::Reg(_))
            || (from.is_numeric() && from.numeric_rank() <= Some(2))
        {
            let inner = match from {
                DataType::Oid | DataType::Reg(_) => inner,
                _ => self.explicit_cast(inner, crate::types::ColumnType::plain(DataType::Oid))?,
            };
            return Ok(Expr::Cast {
                expr: Box::new(inner),
                to: crate::types::ColumnType::plain(to),
                explicit: true,
            });
        }
        if !from.is_string() {
            return Err(errinput!(
                "42846",
                "cannot cast type {} to {}",
                from.sql_name(),
                kind.name()
            ));
        }
        let name = self.coerce(inner, DataType::Text)?;
        Ok(Expr::Call {
            func: match kind {
                RegKind::Class => Function::RegClass,
                RegKind::Type => Function::RegType,
                RegKind::Namespace => Function::RegNamespace,
                RegKind::Role => Function::RegRole,
            },
            args: vec![name],
            ty: to,
        })
    }

    /// An OID-alias value as the name of what it identifies (text).
    fn reg_name(inner: Expr) -> Expr {
        match inner.data_type() {
            DataType::Reg(kind) => Expr::Call {
                func: Function::RegName(kind),
                args: vec![inner],
                ty: DataType::Text,
            },
            _ => inner,
        }
    }

    /// `expr::type` / `CAST(expr AS type)`.
    pub(super) fn explicit_cast(
        &mut self,
        inner: Expr,
        to: crate::types::ColumnType,
    ) -> Result<Expr> {
        let from = inner.data_type();
        if matches!(from, DataType::Reg(_)) && to.data_type.is_string() {
            let name = Self::reg_name(inner);
            return self.explicit_cast(name, to);
        }
        if from == DataType::Unknown {
            let inner = match inner {
                Expr::Literal(Value::Text(s), _) if to.data_type == DataType::Bytea => {
                    Expr::Literal(
                        Value::Bytea(crate::types::text::parse_bytea(&s)?),
                        DataType::Bytea,
                    )
                }
                other => self.coerce(other, to.data_type)?,
            };
            return Ok(Expr::Cast {
                expr: Box::new(inner),
                to,
                explicit: true,
            });
        }
        if !types::explicit_cast_ok(from, to.data_type) {
            return Err(errinput!(
                "42846",
                "cannot cast type {} to {}",
                from.sql_name(),
                to.sql_name()
            ));
        }
        Ok(Expr::Cast {
            expr: Box::new(inner),
            to,
            explicit: true,
        })
    }
}
