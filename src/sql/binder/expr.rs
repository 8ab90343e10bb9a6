//! Binding expressions: names to columns, literals to values, operators
//! to typed nodes with PostgreSQL's operand coercion.

use sqlparser::ast::{self, BinaryOperator, UnaryOperator, Value as AstValue};

use super::scope::{name_parts, normalize, Scope};
use super::types::{self, common_type};
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{BinaryOp, Expr, Function, SubqueryExpr, SubqueryKind};
use crate::types::{numeric, DataType, Value};

impl Binder<'_> {
    /// Binds an expression over a scope.
    pub(super) fn bind_expr(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Expr> {
        use ast::Expr as A;
        Ok(match e {
            A::Identifier(ident) => self.bind_column(None, ident, scope)?,
            A::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.bind_column(Some(normalize(q)), c, scope)?,
                [s, q, c]
                    if matches!(
                        normalize(s).as_str(),
                        "public" | "pg_catalog" | "information_schema"
                    ) =>
                {
                    self.bind_column(Some(normalize(q)), c, scope)?
                }
                _ => return Err(crate::errunsupported!("column reference {e}")),
            },
            A::Value(v) => self.bind_literal(&v.value)?,
            A::Nested(inner) => self.bind_expr(inner, scope)?,
            A::Collate { expr, collation } => {
                // Text compares bytewise, which is what these collations are.
                let name = super::scope::name_parts(collation)?.join(".");
                let name = name.strip_prefix("pg_catalog.").unwrap_or(&name);
                if !matches!(
                    name,
                    "default" | "C" | "c" | "POSIX" | "posix" | "ucs_basic"
                ) {
                    return Err(errinput!(
                        sqlstate::UNDEFINED_OBJECT,
                        "collation \"{name}\" for encoding \"UTF8\" does not exist"
                    ));
                }
                self.bind_expr(expr, scope)?
            }
            A::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                A::Value(v) if matches!(v.value, AstValue::Number(..)) => {
                    let AstValue::Number(n, _) = &v.value else {
                        unreachable!()
                    };
                    number_literal(&format!("-{n}"))?
                }
                _ => {
                    let inner = self.bind_expr(expr, scope)?;
                    let inner = if inner.data_type() == DataType::Unknown {
                        self.coerce(inner, DataType::Numeric)?
                    } else {
                        inner
                    };
                    let ty = inner.data_type();
                    if !ty.is_numeric() && ty != DataType::Interval {
                        return Err(no_operator(&format!("- {}", ty.sql_name())));
                    }
                    Expr::Negate(Box::new(inner), ty)
                }
            },
            A::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => {
                let inner = self.bind_expr(expr, scope)?;
                if !inner.data_type().is_numeric() && inner.data_type() != DataType::Unknown {
                    return Err(no_operator(&format!("+ {}", inner.data_type().sql_name())));
                }
                inner
            }
            A::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let inner = self.bind_expr(expr, scope)?;
                Expr::Not(Box::new(self.coerce_bool(inner, "NOT")?))
            }
            A::BinaryOp { left, op, right } => self.bind_binary(left, op, right, scope)?,
            A::IsNull(x) | A::IsNotNull(x) => {
                let inner = self.bind_expr(x, scope)?;
                let inner = self.resolve_unknown(inner)?;
                Expr::IsNull {
                    expr: Box::new(inner),
                    negated: matches!(e, A::IsNotNull(_)),
                }
            }
            A::IsTrue(x) | A::IsNotTrue(x) | A::IsFalse(x) | A::IsNotFalse(x) => {
                let inner = self.bind_expr(x, scope)?;
                let inner = self.coerce_bool(inner, "IS TRUE")?;
                Expr::IsBool {
                    expr: Box::new(inner),
                    value: matches!(e, A::IsTrue(_) | A::IsNotTrue(_)),
                    negated: matches!(e, A::IsNotTrue(_) | A::IsNotFalse(_)),
                }
            }
            A::IsUnknown(x) | A::IsNotUnknown(x) => {
                let inner = self.bind_expr(x, scope)?;
                let inner = self.coerce_bool(inner, "IS UNKNOWN")?;
                Expr::IsNull {
                    expr: Box::new(inner),
                    negated: matches!(e, A::IsNotUnknown(_)),
                }
            }
            A::IsDistinctFrom(l, r) | A::IsNotDistinctFrom(l, r) => {
                let (l, r) = self.bind_pair(l, r, scope, "IS DISTINCT FROM")?;
                Expr::IsDistinct {
                    left: Box::new(l),
                    right: Box::new(r),
                    negated: matches!(e, A::IsNotDistinctFrom(..)),
                }
            }
            A::InList {
                expr,
                list,
                negated,
            } => {
                let mut items = vec![self.bind_expr(expr, scope)?];
                for item in list {
                    items.push(self.bind_expr(item, scope)?);
                }
                let items = self.unify_for_comparison(items, "IN")?;
                let mut items = items.into_iter();
                let subject = items
                    .next()
                    .ok_or_else(|| crate::errinternal!("empty IN"))?;
                Expr::InList {
                    expr: Box::new(subject),
                    list: items.collect(),
                    negated: *negated,
                }
            }
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let x = self.bind_expr(expr, scope)?;
                let lo = self.bind_expr(low, scope)?;
                let hi = self.bind_expr(high, scope)?;
                let mut v = self
                    .unify_for_comparison(vec![x, lo, hi], "BETWEEN")?
                    .into_iter();
                let (x, lo, hi) = (
                    v.next()
                        .unwrap_or(Expr::Literal(Value::Null, DataType::Text)),
                    v.next()
                        .unwrap_or(Expr::Literal(Value::Null, DataType::Text)),
                    v.next()
                        .unwrap_or(Expr::Literal(Value::Null, DataType::Text)),
                );
                let ge = comparison(BinaryOp::GtEq, x.clone(), lo);
                let le = comparison(BinaryOp::LtEq, x, hi);
                let both = Expr::Binary {
                    op: BinaryOp::And,
                    left: Box::new(ge),
                    right: Box::new(le),
                    ty: DataType::Bool,
                };
                if *negated {
                    Expr::Not(Box::new(both))
                } else {
                    both
                }
            }
            A::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            }
            | A::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                let x = self.bind_text_operand(expr, scope, "~~")?;
                let p = self.bind_text_operand(pattern, scope, "~~")?;
                let escape = match escape_char {
                    Some(esc) => Some(Box::new(self.bind_text_operand(esc, scope, "ESCAPE")?)),
                    None => None,
                };
                Expr::Like {
                    expr: Box::new(x),
                    pattern: Box::new(p),
                    escape,
                    case_insensitive: matches!(e, A::ILike { .. }),
                    negated: *negated,
                }
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.bind_case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
            )?,
            A::Cast {
                kind,
                expr,
                data_type,
                format: None,
            } => {
                if !matches!(kind, ast::CastKind::Cast | ast::CastKind::DoubleColon) {
                    return Err(crate::errunsupported!("{kind:?} casts"));
                }
                if let Some(reg) = types::reg_type(data_type) {
                    let inner = self.bind_expr(expr, scope)?;
                    return self.reg_cast(inner, reg);
                }
                let to = types::resolve_type_in(data_type, self.catalog)?;
                // `ARRAY[]::t[]`: the cast gives the empty array its type.
                if let (A::Array(a), DataType::Array(elem)) = (expr.as_ref(), to.data_type) {
                    if a.elem.is_empty() {
                        let empty = crate::types::array::ArrayValue {
                            elem: *elem,
                            items: Vec::new(),
                        };
                        return Ok(Expr::Literal(Value::Array(Box::new(empty)), to.data_type));
                    }
                }
                let inner = self.bind_expr(expr, scope)?;
                self.explicit_cast(inner, to)?
            }
            A::TypedString(ast::TypedString {
                data_type,
                value,
                uses_odbc_syntax: false,
            }) => {
                let to = types::resolve_type_in(data_type, self.catalog)?;
                let literal = self.bind_literal(&value.value)?;
                self.explicit_cast(literal, to)?
            }
            A::Extract { field, expr, .. } => {
                let unit = Expr::Literal(
                    Value::Text(super::datetime_ops::field_name(field)),
                    DataType::Text,
                );
                let inner = self.bind_expr(expr, scope)?;
                self.call_scalar("extract", vec![unit, inner])?
            }
            A::Interval(iv) => self.bind_interval_literal(iv)?,
            A::Function(f) => match (&f.args, name_parts(&f.name)?.as_slice()) {
                (ast::FunctionArguments::Subquery(q), [name]) if name == "array" => {
                    self.bind_array_subquery(q.as_ref(), scope)?
                }
                _ => self.bind_function(f, scope)?,
            },
            A::CompoundFieldAccess { root, access_chain }
                if matches!(
                    access_chain.as_slice(),
                    [ast::AccessExpr::Dot(A::Identifier(_))]
                ) =>
            {
                // `(expr).field` of a record.
                let [ast::AccessExpr::Dot(A::Identifier(field))] = access_chain.as_slice() else {
                    return Err(crate::errinternal!("field access vanished"));
                };
                let record = self.bind_expr(root, scope)?;
                self.record_field(record, &super::scope::normalize(field))?
            }
            A::CompoundFieldAccess { root, access_chain } => {
                let [dots @ .., ast::AccessExpr::Subscript(ast::Subscript::Index { index })] =
                    access_chain.as_slice()
                else {
                    return Err(crate::errunsupported!("expression {e}"));
                };
                // `t.col[i]`: the dotted part names a column.
                let base = if dots.is_empty() {
                    self.bind_expr(root, scope)?
                } else {
                    let mut parts = match root.as_ref() {
                        A::Identifier(i) => vec![i.clone()],
                        _ => return Err(crate::errunsupported!("expression {e}")),
                    };
                    for d in dots {
                        match d {
                            ast::AccessExpr::Dot(A::Identifier(i)) => parts.push(i.clone()),
                            _ => return Err(crate::errunsupported!("expression {e}")),
                        }
                    }
                    self.bind_expr(&A::CompoundIdentifier(parts), scope)?
                };
                let index = self.bind_expr(index, scope)?;
                self.bind_subscript(base, index)?
            }
            A::Array(ast::Array { elem, .. }) => {
                let items = elem
                    .iter()
                    .map(|e| self.bind_expr(e, scope))
                    .collect::<Result<Vec<_>>>()?;
                self.array_constructor(items)?
            }
            A::Subquery(q) => {
                let (plan, columns, correlated) = self.bind_subquery(q, scope)?;
                if columns.len() != 1 {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "subquery must return only one column"
                    ));
                }
                let ty = columns[0].ty.data_type;
                Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::Scalar,
                    correlated,
                    ty,
                }))
            }
            A::Exists { subquery, negated } => {
                let (plan, _, correlated) = self.bind_subquery(subquery, scope)?;
                let exists = Expr::Subquery(Box::new(SubqueryExpr {
                    plan,
                    kind: SubqueryKind::Exists,
                    correlated,
                    ty: DataType::Bool,
                }));
                if *negated {
                    Expr::Not(Box::new(exists))
                } else {
                    exists
                }
            }
            A::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                // NOT IN is "<> ALL", with the same NULL behaviour.
                let (op, all) = if *negated {
                    (BinaryOp::NotEq, true)
                } else {
                    (BinaryOp::Eq, false)
                };
                self.bind_quantified(expr, op, all, subquery, scope)?
            }
            A::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | A::AllOp {
                left,
                compare_op,
                right,
            } => {
                let op = super::subquery::comparison_op(compare_op)?;
                let all = matches!(e, A::AllOp { .. });
                match right.as_ref() {
                    A::Subquery(q) => self.bind_quantified(left, op, all, q, scope)?,
                    array => self.bind_any_array(left, op, all, array, scope)?,
                }
            }
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.bind_expr(expr, scope)?];
                args.push(match substring_from {
                    Some(f) => self.bind_expr(f, scope)?,
                    None => Expr::Literal(Value::Int4(1), DataType::Int4),
                });
                if let Some(f) = substring_for {
                    args.push(self.bind_expr(f, scope)?);
                }
                self.call_scalar("substring", args)?
            }
            A::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters: None,
            } => {
                let mut args = vec![self.bind_expr(expr, scope)?];
                if let Some(w) = trim_what {
                    args.push(self.bind_expr(w, scope)?);
                }
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                self.call_scalar(name, args)?
            }
            A::Position { expr, r#in } => {
                let needle = self.bind_expr(expr, scope)?;
                let hay = self.bind_expr(r#in, scope)?;
                self.call_scalar("strpos", vec![hay, needle])?
            }
            A::Ceil {
                expr,
                field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime),
            }
            | A::Floor {
                expr,
                field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime),
            } => {
                let arg = self.bind_expr(expr, scope)?;
                self.call_scalar(
                    if matches!(e, A::Ceil { .. }) {
                        "ceil"
                    } else {
                        "floor"
                    },
                    vec![arg],
                )?
            }
            other => return Err(crate::errunsupported!("expression {other}")),
        })
    }

    fn bind_column(
        &mut self,
        qualifier: Option<String>,
        ident: &ast::Ident,
        scope: &Scope,
    ) -> Result<Expr> {
        let name = normalize(ident);
        if qualifier.is_none() && ident.quote_style.is_none() {
            // SQL-standard niladic functions parse as identifiers in some positions.
            match name.as_str() {
                "current_date" => return self.call_scalar("current_date", vec![]),
                "current_timestamp" => return self.call_scalar("now", vec![]),
                "localtimestamp" => return self.call_scalar("localtimestamp", vec![]),
                _ => {}
            }
        }
        if let Some(index) = scope.find(qualifier.as_deref(), &name)? {
            let c = &scope.columns[index];
            self.reads.column(c.table_oid, c.column_number);
            return Ok(Expr::Column {
                index,
                ty: scope.columns[index].ty.data_type,
            });
        }
        // An enclosing query's column: the subqueries in between are correlated.
        for depth in 1..=self.outer_scopes.len() {
            let outer = &self.outer_scopes[self.outer_scopes.len() - depth];
            if let Some(index) = outer.find(qualifier.as_deref(), &name)? {
                let c = &outer.columns[index];
                self.reads.column(c.table_oid, c.column_number);
                let levels = self.correlated.len();
                for flag in &mut self.correlated[levels - depth..] {
                    *flag = true;
                }
                return Ok(Expr::OuterColumn {
                    depth,
                    index,
                    ty: outer.columns[index].ty.data_type,
                });
            }
        }
        // Not found anywhere: the error the innermost scope gives.
        let index = scope.must_resolve(qualifier.as_deref(), &name)?;
        Ok(Expr::Column {
            index,
            ty: scope.columns[index].ty.data_type,
        })
    }

    pub(super) fn bind_literal(&mut self, v: &AstValue) -> Result<Expr> {
        Ok(match v {
            AstValue::Number(n, _) => number_literal(n)?,
            AstValue::SingleQuotedString(s)
            | AstValue::EscapedStringLiteral(s)
            | AstValue::UnicodeStringLiteral(s) => {
                Expr::Literal(Value::Text(s.clone()), DataType::Unknown)
            }
            AstValue::DollarQuotedString(d) => {
                Expr::Literal(Value::Text(d.value.clone()), DataType::Unknown)
            }
            AstValue::Boolean(b) => Expr::Literal(Value::Bool(*b), DataType::Bool),
            AstValue::Null => Expr::Literal(Value::Null, DataType::Unknown),
            AstValue::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| {
                        errinput!(sqlstate::SYNTAX_ERROR, "syntax error at or near \"{p}\"")
                    })?;
                let ty = self.param_type(n)?.unwrap_or(DataType::Unknown);
                Expr::Param { index: n - 1, ty }
            }
            other => return Err(crate::errunsupported!("literal {other}")),
        })
    }

    /// Binds two operands and unifies their types.
    fn bind_pair(
        &mut self,
        l: &ast::Expr,
        r: &ast::Expr,
        scope: &Scope,
        op: &str,
    ) -> Result<(Expr, Expr)> {
        let l = self.bind_expr(l, scope)?;
        let r = self.bind_expr(r, scope)?;
        let mut v = self.unify_for_comparison(vec![l, r], op)?.into_iter();
        match (v.next(), v.next()) {
            (Some(l), Some(r)) => Ok((l, r)),
            _ => Err(crate::errinternal!("unify lost operands")),
        }
    }

    /// Coerces expressions to their common type (IN, CASE, COALESCE, …).
    /// char(n) operands compare as text, without trailing spaces.
    pub(super) fn unify(&mut self, exprs: Vec<Expr>, what: &str) -> Result<Vec<Expr>> {
        let mut target = DataType::Unknown;
        for e in exprs.iter().filter(|e| e.data_type() != DataType::Unknown) {
            target = common_type(target, e.data_type()).ok_or_else(|| {
                if what.chars().all(|c| c.is_ascii_uppercase() || c == ' ') {
                    errinput!(
                        sqlstate::DATATYPE_MISMATCH,
                        "{what} types {} and {} cannot be matched",
                        target.sql_name(),
                        e.data_type().sql_name()
                    )
                } else {
                    no_operator(&format!(
                        "{} {what} {}",
                        target.sql_name(),
                        e.data_type().sql_name()
                    ))
                }
            })?;
        }
        if target == DataType::Unknown {
            target = DataType::Text;
        }
        exprs.into_iter().map(|e| self.coerce(e, target)).collect()
    }

    /// Like [`Self::unify`], but char(n) values compare as text, ignoring
    /// trailing spaces as PostgreSQL's bpchar operators do.
    pub(super) fn unify_for_comparison(
        &mut self,
        exprs: Vec<Expr>,
        what: &str,
    ) -> Result<Vec<Expr>> {
        let unified = self.unify(exprs, what)?;
        if unified.first().map(Expr::data_type) != Some(DataType::Bpchar) {
            return Ok(unified);
        }
        Ok(unified
            .into_iter()
            .map(|e| Expr::Cast {
                expr: Box::new(e),
                to: DataType::Text.into(),
                explicit: false,
            })
            .collect())
    }

    fn bind_text_operand(&mut self, e: &ast::Expr, scope: &Scope, op: &str) -> Result<Expr> {
        let x = self.bind_expr(e, scope)?;
        match x.data_type() {
            DataType::Unknown
            | DataType::Text
            | DataType::Varchar
            | DataType::Bpchar
            | DataType::Name
            | DataType::Char => self.coerce(x, DataType::Text),
            other => Err(no_operator(&format!("{} {op} text", other.sql_name()))),
        }
    }

    /// `~`, `~*`, `!~`, `!~*`.
    fn bind_regex(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
    ) -> Result<Expr> {
        use BinaryOperator as B;
        let symbol = op.to_string();
        let x = self.bind_text_operand(left, scope, &symbol)?;
        let p = self.bind_text_operand(right, scope, &symbol)?;
        let func = match op {
            B::PGRegexIMatch | B::PGRegexNotIMatch => Function::RegexIMatch,
            _ => Function::RegexMatch,
        };
        let call = Expr::Call {
            func,
            args: vec![x, p],
            ty: DataType::Bool,
        };
        Ok(match op {
            B::PGRegexNotMatch | B::PGRegexNotIMatch => Expr::Not(Box::new(call)),
            _ => call,
        })
    }

    fn bind_binary(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
    ) -> Result<Expr> {
        use BinaryOperator as B;
        if let Some(bound) = self.bind_json_operator(left, op, right, scope)? {
            return Ok(bound);
        }
        if let Some(bit) = super::math_signatures::bitwise_op(op) {
            let l = self.bind_expr(left, scope)?;
            let r = self.bind_expr(right, scope)?;
            return self.bind_bitwise(bit, l, r);
        }
        let op = match op {
            B::Plus => BinaryOp::Add,
            B::Minus => BinaryOp::Subtract,
            B::Multiply => BinaryOp::Multiply,
            B::Divide => BinaryOp::Divide,
            B::Modulo => BinaryOp::Modulo,
            B::StringConcat => BinaryOp::Concat,
            B::Eq => BinaryOp::Eq,
            B::NotEq => BinaryOp::NotEq,
            B::Lt => BinaryOp::Lt,
            B::LtEq => BinaryOp::LtEq,
            B::Gt => BinaryOp::Gt,
            B::GtEq => BinaryOp::GtEq,
            B::And => BinaryOp::And,
            B::Or => BinaryOp::Or,
            B::PGLikeMatch | B::PGILikeMatch | B::PGNotLikeMatch | B::PGNotILikeMatch => {
                let x = self.bind_text_operand(left, scope, "~~")?;
                let p = self.bind_text_operand(right, scope, "~~")?;
                return Ok(Expr::Like {
                    expr: Box::new(x),
                    pattern: Box::new(p),
                    escape: None,
                    case_insensitive: matches!(op, B::PGILikeMatch | B::PGNotILikeMatch),
                    negated: matches!(op, B::PGNotLikeMatch | B::PGNotILikeMatch),
                });
            }
            B::PGRegexMatch | B::PGRegexIMatch | B::PGRegexNotMatch | B::PGRegexNotIMatch => {
                return self.bind_regex(left, op, right, scope);
            }
            B::PGCustomBinaryOperator(parts) => {
                // OPERATOR(pg_catalog.op): the operator itself.
                let op = match parts.as_slice() {
                    [op] => op,
                    [schema, op] if schema == "pg_catalog" => op,
                    _ => {
                        return Err(crate::errunsupported!(
                            "operator OPERATOR({})",
                            parts.join(".")
                        ))
                    }
                };
                let plain = match op.as_str() {
                    "~" => B::PGRegexMatch,
                    "~*" => B::PGRegexIMatch,
                    "!~" => B::PGRegexNotMatch,
                    "!~*" => B::PGRegexNotIMatch,
                    "~~" => B::PGLikeMatch,
                    "!~~" => B::PGNotLikeMatch,
                    "~~*" => B::PGILikeMatch,
                    "!~~*" => B::PGNotILikeMatch,
                    "=" => B::Eq,
                    "<>" => B::NotEq,
                    "<" => B::Lt,
                    "<=" => B::LtEq,
                    ">" => B::Gt,
                    ">=" => B::GtEq,
                    "+" => B::Plus,
                    "-" => B::Minus,
                    "*" => B::Multiply,
                    "/" => B::Divide,
                    "||" => B::StringConcat,
                    other => return Err(crate::errunsupported!("operator OPERATOR({other})")),
                };
                return self.bind_binary(left, &plain, right, scope);
            }
            B::PGExp => {
                let l = self.bind_expr(left, scope)?;
                let r = self.bind_expr(right, scope)?;
                return self.call_scalar("power", vec![l, r]);
            }
            other => return Err(crate::errunsupported!("operator {other}")),
        };
        let l = self.bind_expr(left, scope)?;
        let r = self.bind_expr(right, scope)?;
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = op.symbol();
                let l = self.coerce_bool(l, what)?;
                let r = self.coerce_bool(r, what)?;
                Ok(Expr::Binary {
                    op,
                    left: Box::new(l),
                    right: Box::new(r),
                    ty: DataType::Bool,
                })
            }
            // A strict operator with a NULL constant operand is NULL, folded
            // before anything runs (PostgreSQL's eval_const_expressions), so
            // `x / 0 = NULL` never divides.
            _ if is_null_literal(&l) || is_null_literal(&r) => {
                let bound = match op {
                    BinaryOp::Concat => self.bind_concat(l, r)?,
                    _ if op.is_comparison() => {
                        let mut v = self.unify_for_comparison(vec![l, r], op.symbol())?;
                        let r = v.pop().ok_or_else(|| crate::errinternal!("operand"))?;
                        let l = v.pop().ok_or_else(|| crate::errinternal!("operand"))?;
                        comparison(op, l, r)
                    }
                    _ => self.bind_arithmetic(op, l, r)?,
                };
                Ok(Expr::Literal(Value::Null, bound.data_type()))
            }
            BinaryOp::Concat => self.bind_concat(l, r),
            _ if op.is_comparison() => {
                let (lt, rt) = (l.data_type(), r.data_type());
                if common_type(lt, rt).is_none() {
                    return Err(no_operator(&format!(
                        "{} {} {}",
                        lt.sql_name(),
                        op.symbol(),
                        rt.sql_name()
                    )));
                }
                let mut v = self.unify_for_comparison(vec![l, r], op.symbol())?;
                let r = v.pop().ok_or_else(|| crate::errinternal!("operand"))?;
                let l = v.pop().ok_or_else(|| crate::errinternal!("operand"))?;
                Ok(comparison(op, l, r))
            }
            _ => self.bind_arithmetic(op, l, r),
        }
    }

    /// A call to a scalar function by name with bound arguments.
    pub(super) fn call_scalar(&mut self, name: &str, args: Vec<Expr>) -> Result<Expr> {
        let (func, args, ty) = self.resolve_scalar(name, args)?;
        Ok(Expr::Call { func, args, ty })
    }
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Value::Null, _))
}

/// A comparison node (operands already unified).
fn comparison(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(l),
        right: Box::new(r),
        ty: DataType::Bool,
    }
}

/// 42883 for an operator with no match.
pub(super) fn no_operator(signature: &str) -> crate::error::Error {
    errinput!(sqlstate::UNDEFINED_FUNCTION, "operator does not exist: {signature}")
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

/// An integer literal is int4 if it fits, else int8, else numeric; a
/// literal with a point or exponent is numeric.
fn number_literal(n: &str) -> Result<Expr> {
    let is_integer = n
        .trim_start_matches('-')
        .bytes()
        .all(|b| b.is_ascii_digit());
    if is_integer {
        if let Ok(v) = n.parse::<i32>() {
            return Ok(Expr::Literal(Value::Int4(v), DataType::Int4));
        }
        if let Ok(v) = n.parse::<i64>() {
            return Ok(Expr::Literal(Value::Int8(v), DataType::Int8));
        }
    }
    Ok(Expr::Literal(
        Value::Numeric(numeric::parse(n)?),
        DataType::Numeric,
    ))
}
