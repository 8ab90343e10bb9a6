//! The names PostgreSQL gives output columns that have no alias
//! (FigureColname): a column's name, a function's, a cast's type, `case`,
//! `?column?` when nothing fits.

use sqlparser::ast::{self, Value as AstValue};

use super::scope::normalize;
use super::types;

/// PostgreSQL's name for an output column (FigureColname).
pub(super) fn column_name(e: &ast::Expr) -> Option<String> {
    use ast::Expr as A;
    match e {
        A::Identifier(i) => Some(normalize(i)),
        A::CompoundIdentifier(parts) => parts.last().map(normalize),
        A::Nested(inner) => column_name(inner),
        // `(record).field` is named by the field.
        A::CompoundFieldAccess { access_chain, .. } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(A::Identifier(i))) => Some(normalize(i)),
            _ => None,
        },
        A::Function(f) => match f.name.0.last() {
            Some(ast::ObjectNamePart::Identifier(i)) => Some(normalize(i)),
            _ => None,
        },
        // A name the operand gives beats the type's, unless it is itself
        // only a type name (PostgreSQL's "strength").
        A::Cast {
            expr, data_type, ..
        } => {
            let weak = matches!(
                expr.as_ref(),
                A::Cast { .. } | A::TypedString(_) | A::Value(_)
            );
            let own = || type_column_name(data_type);
            if weak {
                own().or_else(|| column_name(expr))
            } else {
                column_name(expr).or_else(own)
            }
        }
        A::TypedString(t) => type_column_name(&t.data_type),
        A::Value(v) if matches!(v.value, AstValue::Boolean(_)) => Some("bool".to_string()),
        A::Case { .. } => Some("case".to_string()),
        A::Exists { .. } => Some("exists".to_string()),
        A::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::UnnamedExpr(e)) => column_name(e),
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => Some(normalize(alias)),
                _ => None,
            },
            _ => None,
        },
        A::Substring { shorthand, .. } => {
            Some(if *shorthand { "substr" } else { "substring" }.to_string())
        }
        A::Position { .. } => Some("position".to_string()),
        A::Extract { .. } => Some("extract".to_string()),
        A::Interval(_) => Some("interval".to_string()),
        A::Trim { trim_where, .. } => Some(
            match trim_where {
                Some(ast::TrimWhereField::Leading) => "ltrim",
                Some(ast::TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            }
            .to_string(),
        ),
        A::Ceil { .. } => Some("ceil".to_string()),
        A::Floor { .. } => Some("floor".to_string()),
        _ => None,
    }
}

/// The column name a cast to a type gives: the type's internal name, or
/// a user-defined type's own name.
fn type_column_name(ty: &sqlparser::ast::DataType) -> Option<String> {
    match types::resolve_type(ty) {
        Ok(t) => Some(types::internal_name(t.data_type).to_string()),
        Err(_) => match ty {
            sqlparser::ast::DataType::Custom(name, _) => super::scope::name_parts(name)
                .ok()
                .and_then(|parts| parts.last().cloned()),
            _ => None,
        },
    }
}
