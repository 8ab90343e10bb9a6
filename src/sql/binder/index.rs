//! Binding index DDL: CREATE [UNIQUE] INDEX, DROP INDEX, PRIMARY KEY and
//! UNIQUE constraints (in CREATE TABLE and ALTER TABLE … ADD), and binding
//! an index's keys and predicate over its table's rows.

use std::sync::Arc;

use sqlparser::ast::{self, CreateIndex, IndexColumn, TableConstraint};

use super::dml::table_scope;
use super::scope::{normalize, table_name};
use super::Binder;
use crate::catalog::{ColumnDef, IndexDef, IndexKey, TableDef};
use crate::encoding::key::KeyOrder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::parser::ReindexKind;
use crate::sql::plan::{BoundIndex, Plan};

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1).
const MAX_NAME: usize = 63;

/// What kind of index a constraint makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ConstraintKind {
    Primary,
    Unique,
}

/// REINDEX INDEX name (one index) or REINDEX TABLE name (all of its).
pub(super) fn bind_reindex(
    catalog: &crate::catalog::Catalog,
    kind: ReindexKind,
    name: &ast::ObjectName,
) -> Result<Plan> {
    let name = table_name(name)?;
    let missing = || {
        errinput!(
            sqlstate::UNDEFINED_TABLE,
            "relation \"{name}\" does not exist"
        )
    };
    let pairs: Vec<(Arc<TableDef>, IndexDef)> = match kind {
        ReindexKind::Index => match catalog.find_index(&name) {
            Some(pair) => vec![pair],
            None if catalog.get_table(&name).is_some() => {
                return Err(errinput!(
                    sqlstate::WRONG_OBJECT_TYPE,
                    "\"{name}\" is not an index"
                ))
            }
            None => return Err(missing()),
        },
        ReindexKind::Table => match catalog.get_table(&name) {
            Some(table) => table
                .indexes
                .iter()
                .map(|i| (table.clone(), i.clone()))
                .collect(),
            None if catalog.find_index(&name).is_some() => {
                return Err(errinput!(
                    sqlstate::WRONG_OBJECT_TYPE,
                    "\"{name}\" is not a table or materialized view"
                ))
            }
            None => return Err(missing()),
        },
    };
    let indexes = pairs
        .into_iter()
        .map(|(table, def)| Ok((table.clone(), super::bind_index(catalog, &table, &def)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Plan::Reindex { indexes })
}

impl Binder<'_> {
    /// Binds an index's keys and predicate over its table's rows.
    pub(super) fn bind_index(&mut self, table: &TableDef, def: &IndexDef) -> Result<BoundIndex> {
        let scope = table_scope(table, &table.name);
        let mut keys = Vec::new();
        let mut orders = Vec::new();
        let mut key_names = Vec::new();
        for k in def.ordered_keys() {
            let (expr, name) = match (k.column, &k.expr) {
                (Some(c), _) => {
                    let column = table
                        .columns
                        .get(c)
                        .ok_or_else(|| crate::errinternal!("index key on a missing column"))?;
                    (
                        Expr::Column {
                            index: c,
                            ty: column.ty.data_type,
                        },
                        column.name.clone(),
                    )
                }
                (None, Some(sql)) => {
                    let parsed = crate::sql::parser::parse_expr(sql)?;
                    (self.bind_expr(&parsed, &scope)?, sql.clone())
                }
                (None, None) => return Err(crate::errinternal!("index key with no column")),
            };
            orders.push(KeyOrder {
                data_type: expr.data_type(),
                descending: k.descending,
                nulls_first: k.nulls_first,
            });
            keys.push(expr);
            key_names.push(name);
        }
        let predicate = match &def.predicate {
            Some(sql) => {
                let parsed = crate::sql::parser::parse_expr(sql)?;
                let p = self.bind_expr(&parsed, &scope)?;
                Some(self.coerce_bool(p, "WHERE")?)
            }
            None => None,
        };
        let included = def
            .keys
            .iter()
            .filter(|k| k.included)
            .filter_map(|k| k.column)
            .filter_map(|c| Some((c, table.columns.get(c)?.ty.data_type)))
            .collect();
        Ok(BoundIndex {
            def: def.clone(),
            keys,
            orders,
            predicate,
            key_names,
            included,
        })
    }

    /// Every index of a table, bound (for writes to maintain them).
    pub(super) fn bind_indexes(&mut self, table: &TableDef) -> Result<Vec<Arc<BoundIndex>>> {
        table
            .indexes
            .iter()
            .map(|i| self.bind_index(table, i).map(Arc::new))
            .collect()
    }

    pub(super) fn bind_create_index(&mut self, c: &CreateIndex) -> Result<Plan> {
        if c.concurrently {
            return Err(crate::errunsupported!("CREATE INDEX CONCURRENTLY"));
        }
        if !c.with.is_empty() || !c.index_options.is_empty() || !c.alter_options.is_empty() {
            return Err(crate::errunsupported!("index storage options (WITH ...)"));
        }
        if c.nulls_distinct == Some(false) {
            return Err(crate::errunsupported!("NULLS NOT DISTINCT"));
        }
        if c.r#async {
            return Err(crate::errunsupported!("CREATE INDEX ASYNC"));
        }
        match &c.using {
            None | Some(ast::IndexType::BTree) => {}
            Some(other) => {
                return Err(crate::errunsupported!(
                    "index access method \"{}\"",
                    other.to_string().to_lowercase()
                ))
            }
        }
        let table = self.catalog.must_get_table(&table_name(&c.table_name)?)?;
        let scope = table_scope(&table, &table.name);
        let mut keys = Vec::new();
        let mut name_parts = Vec::new();
        for col in &c.columns {
            let (key, part) = self.index_key(&table, col, &scope)?;
            keys.push(key);
            name_parts.push(part);
        }
        for ident in &c.include {
            let name = normalize(ident);
            let column = must_column(&table, &name)?;
            keys.push(IndexKey {
                column: Some(column),
                expr: None,
                descending: false,
                nulls_first: false,
                included: true,
            });
            name_parts.push(name);
        }
        let predicate = match &c.predicate {
            Some(p) => {
                let bound = self.bind_expr(p, &scope)?;
                let bound = self.coerce_bool(bound, "WHERE")?;
                check_immutable(&bound, "index predicate")?;
                Some(p.to_string())
            }
            None => None,
        };
        let name = match &c.name {
            Some(n) => super::scope::qualified_name(n)?.1,
            None => self.choose_name(&table.schema, &table.name, &name_parts, "idx", &[]),
        };
        if name.len() > MAX_NAME {
            return Err(errinput!("42622", "identifier \"{name}\" is too long"));
        }
        let def = IndexDef {
            oid: 0,
            name,
            table_oid: table.oid,
            unique: c.unique,
            primary: false,
            constraint: false,
            keys,
            predicate,
        };
        let index = self.bind_index(&table, &def)?;
        Ok(Plan::CreateIndex {
            table,
            index,
            if_not_exists: c.if_not_exists,
            not_null: Vec::new(),
            tag: "CREATE INDEX",
        })
    }

    /// One key of CREATE INDEX: a column or an expression, with its order;
    /// also the word it contributes to a generated index name.
    fn index_key(
        &mut self,
        table: &TableDef,
        col: &IndexColumn,
        scope: &super::scope::Scope,
    ) -> Result<(IndexKey, String)> {
        if let Some(op) = &col.operator_class {
            return Err(crate::errunsupported!("operator class {op}"));
        }
        let options = &col.column.options;
        let descending = match options.sort {
            None | Some(ast::OrderBySort::Asc) => false,
            Some(ast::OrderBySort::Desc) => true,
            Some(ast::OrderBySort::Using(_)) => {
                return Err(crate::errunsupported!("ORDER BY ... USING in an index"))
            }
        };
        let nulls_first = options.nulls_first.unwrap_or(descending);
        let expr = strip_nested(&col.column.expr);
        if let ast::Expr::Identifier(ident) = expr {
            let name = normalize(ident);
            return Ok((
                IndexKey {
                    column: Some(must_column(table, &name)?),
                    expr: None,
                    descending,
                    nulls_first,
                    included: false,
                },
                name,
            ));
        }
        let bound = self.bind_expr(expr, scope)?;
        if bound.contains_aggregate() {
            return Err(errinput!(
                sqlstate::GROUPING_ERROR,
                "aggregate functions are not allowed in index expressions"
            ));
        }
        check_immutable(&bound, "index expression")?;
        let part = match expr {
            ast::Expr::Function(f) => f.name.to_string().to_lowercase(),
            _ => "expr".to_string(),
        };
        Ok((
            IndexKey {
                column: None,
                expr: Some(expr.to_string()),
                descending,
                nulls_first,
                included: false,
            },
            part,
        ))
    }

    /// PostgreSQL's generated name: table, key words and a suffix, cut to
    /// 63 bytes, with a number added until no relation has it.
    pub(super) fn choose_name(
        &self,
        schema: &str,
        table: &str,
        parts: &[String],
        suffix: &str,
        taken: &[String],
    ) -> String {
        let mut base = table.to_string();
        for p in parts {
            base.push('_');
            base.push_str(p);
        }
        for n in 0.. {
            let tail = if n == 0 {
                format!("_{suffix}")
            } else {
                format!("_{suffix}{n}")
            };
            let mut head = base.clone();
            while head.len() + tail.len() > MAX_NAME {
                head.pop();
            }
            let name = format!("{head}{tail}");
            if !self
                .catalog
                .relation_exists(&crate::catalog::names::key(schema, &name))
                && !taken.contains(&name)
            {
                return name;
            }
        }
        unreachable!("an unbounded loop returns")
    }

    /// The indexes of PRIMARY KEY and UNIQUE constraints in CREATE TABLE
    /// (column and table level); marks primary key columns NOT NULL.
    pub(super) fn table_constraints(
        &self,
        schema: &str,
        table: &str,
        columns: &mut [ColumnDef],
        column_constraints: &[(usize, TableConstraint)],
        table_constraints: &[TableConstraint],
    ) -> Result<Vec<IndexDef>> {
        let mut out: Vec<IndexDef> = Vec::new();
        let all = column_constraints
            .iter()
            .map(|(_, c)| c)
            .chain(table_constraints.iter());
        for constraint in all {
            let ConstraintSpec {
                kind,
                name,
                columns: cols,
                include,
            } = constraint_parts(constraint)?;
            let positions = cols
                .iter()
                .map(|c| position(columns, c))
                .collect::<Result<Vec<_>>>()?;
            if kind == ConstraintKind::Primary {
                if out.iter().any(|i| i.primary) {
                    return Err(errinput!(
                        sqlstate::INVALID_TABLE_DEFINITION,
                        "multiple primary keys for table \"{table}\" are not allowed"
                    ));
                }
                for p in &positions {
                    columns[*p].not_null = true;
                }
            }
            let taken: Vec<String> = out.iter().map(|i| i.name.clone()).collect();
            let name = match name {
                Some(n) => n,
                None if kind == ConstraintKind::Primary => {
                    self.choose_name(schema, table, &[], "pkey", &taken)
                }
                None => self.choose_name(schema, table, &cols, "key", &taken),
            };
            let mut keys: Vec<IndexKey> = positions.iter().map(|p| key_on(*p, false)).collect();
            for c in &include {
                keys.push(key_on(position(columns, c)?, true));
            }
            out.push(IndexDef {
                oid: 0,
                name,
                table_oid: 0,
                unique: true,
                primary: kind == ConstraintKind::Primary,
                constraint: true,
                keys,
                predicate: None,
            });
        }
        Ok(out)
    }

    pub(super) fn bind_add_index_constraint(&mut self, a: &ast::AlterTable) -> Result<Plan> {
        if a.only || a.location.is_some() || a.on_cluster.is_some() || a.table_type.is_some() {
            return Err(crate::errunsupported!("ALTER TABLE syntax in {a}"));
        }
        let [op] = a.operations.as_slice() else {
            return Err(crate::errunsupported!(
                "several ALTER TABLE actions at once"
            ));
        };
        let ast::AlterTableOperation::AddConstraint {
            constraint,
            not_valid: false,
        } = op
        else {
            return Err(crate::errunsupported!("ALTER TABLE {op}"));
        };
        let table = self.catalog.must_get_table(&table_name(&a.name)?)?;
        let mut columns = table.columns.clone();
        let mut defs = self.table_constraints(
            &table.schema,
            &table.name,
            &mut columns,
            &[],
            std::slice::from_ref(constraint),
        )?;
        let mut def = defs
            .pop()
            .ok_or_else(|| crate::errinternal!("no constraint"))?;
        if def.primary && table.indexes.iter().any(|i| i.primary) {
            return Err(errinput!(
                sqlstate::INVALID_TABLE_DEFINITION,
                "multiple primary keys for table \"{}\" are not allowed",
                table.name
            ));
        }
        def.table_oid = table.oid;
        let not_null = (0..columns.len())
            .filter(|i| columns[*i].not_null && !table.columns[*i].not_null)
            .collect();
        let index = self.bind_index(&table, &def)?;
        Ok(Plan::CreateIndex {
            table,
            index,
            if_not_exists: false,
            not_null,
            tag: "ALTER TABLE",
        })
    }
}

fn key_on(column: usize, included: bool) -> IndexKey {
    IndexKey {
        column: Some(column),
        expr: None,
        descending: false,
        nulls_first: false,
        included,
    }
}

fn position(columns: &[ColumnDef], name: &str) -> Result<usize> {
    columns.iter().position(|c| c.name == name).ok_or_else(|| {
        errinput!(
            sqlstate::UNDEFINED_COLUMN,
            "column \"{name}\" named in key does not exist"
        )
    })
}

fn must_column(table: &TableDef, name: &str) -> Result<usize> {
    table.column_index(name).ok_or_else(|| {
        errinput!(
            sqlstate::UNDEFINED_COLUMN,
            "column \"{name}\" does not exist"
        )
    })
}

fn strip_nested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => strip_nested(inner),
        other => other,
    }
}

/// Index expressions and predicates may not change their value over time.
fn check_immutable(e: &Expr, what: &str) -> Result<()> {
    let mut volatile = false;
    e.walk(&mut |x| {
        if matches!(x, Expr::Call { func, .. } if func.is_volatile())
            || matches!(x, Expr::Subquery(_))
        {
            volatile = true;
        }
    });
    if volatile {
        return Err(errinput!(
            "42P17",
            "functions in {what} must be marked IMMUTABLE"
        ));
    }
    Ok(())
}

/// What a PRIMARY KEY or UNIQUE constraint says.
struct ConstraintSpec {
    kind: ConstraintKind,
    name: Option<String>,
    columns: Vec<String>,
    include: Vec<String>,
}

/// The kind, name, key columns and INCLUDE columns of a PRIMARY KEY or
/// UNIQUE constraint.
fn constraint_parts(c: &TableConstraint) -> Result<ConstraintSpec> {
    let (kind, name, columns, include, index_type, options, characteristics) = match c {
        TableConstraint::PrimaryKey(p) => (
            ConstraintKind::Primary,
            &p.name,
            &p.columns,
            &p.include,
            &p.index_type,
            &p.index_options,
            &p.characteristics,
        ),
        TableConstraint::Unique(u) => {
            if u.nulls_distinct == ast::NullsDistinctOption::NotDistinct {
                return Err(crate::errunsupported!("NULLS NOT DISTINCT"));
            }
            if u.index_name.is_some() {
                return Err(crate::errunsupported!("UNIQUE syntax in {c}"));
            }
            (
                ConstraintKind::Unique,
                &u.name,
                &u.columns,
                &u.include,
                &u.index_type,
                &u.index_options,
                &u.characteristics,
            )
        }
        TableConstraint::Check(_) => return Err(crate::errunsupported!("CHECK constraints")),
        TableConstraint::ForeignKey(_) => return Err(crate::errunsupported!("FOREIGN KEY")),
        other => return Err(crate::errunsupported!("constraint {other}")),
    };
    if index_type.is_some() || !options.is_empty() {
        return Err(crate::errunsupported!("index options in {c}"));
    }
    if characteristics.is_some() {
        return Err(crate::errunsupported!("DEFERRABLE constraints"));
    }
    let mut cols = Vec::new();
    for col in columns {
        match (
            &col.column.expr,
            &col.operator_class,
            &col.column.options.sort,
        ) {
            (ast::Expr::Identifier(i), None, None) => cols.push(normalize(i)),
            _ => return Err(crate::errunsupported!("expressions in constraint {c}")),
        }
    }
    Ok(ConstraintSpec {
        kind,
        name: name.as_ref().map(normalize),
        columns: cols,
        include: include.iter().map(normalize).collect(),
    })
}
