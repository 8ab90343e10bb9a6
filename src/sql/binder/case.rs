//! Binding CASE: simple (`CASE x WHEN v …`) and searched (`CASE WHEN
//! cond …`), the results unified to one type as PostgreSQL does.

use sqlparser::ast;

use super::scope::Scope;
use super::Binder;
use crate::error::Result;
use crate::sql::expr::Expr;
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn bind_case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        scope: &Scope,
    ) -> Result<Expr> {
        let operand = match operand {
            Some(o) => Some(self.bind_expr(o, scope)?),
            None => None,
        };
        let mut whens = Vec::with_capacity(conditions.len());
        let mut results = Vec::with_capacity(conditions.len() + 1);
        for c in conditions {
            whens.push(self.bind_expr(&c.condition, scope)?);
            results.push(self.bind_expr(&c.result, scope)?);
        }
        let has_else = else_result.is_some();
        if let Some(e) = else_result {
            results.push(self.bind_expr(e, scope)?);
        }
        let mut results = self.unify(results, "CASE")?;
        let ty = results
            .first()
            .map(|r| r.data_type())
            .unwrap_or(DataType::Text);
        let otherwise = if has_else {
            results.pop().map(Box::new)
        } else {
            None
        };
        let (operand, whens) = match operand {
            Some(op) => {
                let mut all = vec![op];
                all.extend(whens);
                let mut all = self.unify_for_comparison(all, "CASE/WHEN")?.into_iter();
                let op = all
                    .next()
                    .ok_or_else(|| crate::errinternal!("case operand"))?;
                (Some(Box::new(op)), all.collect::<Vec<_>>())
            }
            None => {
                let whens = whens
                    .into_iter()
                    .map(|w| self.coerce_bool(w, "CASE/WHEN"))
                    .collect::<Result<Vec<_>>>()?;
                (None, whens)
            }
        };
        Ok(Expr::Case {
            operand,
            whens: whens.into_iter().zip(results).collect(),
            otherwise,
            ty,
        })
    }
}
