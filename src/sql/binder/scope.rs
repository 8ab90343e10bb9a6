//! Name scopes: the columns an expression may refer to, and how a
//! (possibly qualified) name resolves to one of them.

use crate::catalog::{names, Catalog};
use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::ColumnType;

/// One column visible to expressions.
#[derive(Clone, Debug)]
pub struct ScopeColumn {
    pub qualifier: Option<String>,
    pub name: String,
    pub ty: ColumnType,
    pub table_oid: u32,
    pub column_number: i16,
    /// A column JOIN … USING merged into one: reachable only qualified,
    /// and not part of `*`.
    pub hidden: bool,
}

/// The columns of the rows an expression is evaluated over, in row order.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// Resolves `name` or `qualifier.name` to a row position; an unknown
    /// qualifier is 42P01.
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Option<usize>> {
        if let Some(q) = qualifier {
            if !self.has_qualifier(q) {
                return Err(errinput!(
                    sqlstate::UNDEFINED_TABLE,
                    "missing FROM-clause entry for table \"{q}\""
                ));
            }
        }
        self.find(qualifier, name)
    }

    /// Like [`Scope::resolve`], but a qualifier this scope lacks is "not
    /// here" rather than an error (an enclosing query may have it).
    pub fn find(&self, qualifier: Option<&str>, name: &str) -> Result<Option<usize>> {
        if qualifier.is_some_and(|q| !self.has_qualifier(q)) {
            return Ok(None);
        }
        let mut found = None;
        for (i, c) in self.columns.iter().enumerate() {
            let visible = match qualifier {
                None => !c.hidden,
                Some(q) => c.qualifier.as_deref() == Some(q),
            };
            if c.name == name && visible {
                if found.is_some() {
                    return Err(errinput!(
                        sqlstate::AMBIGUOUS_COLUMN,
                        "column reference \"{name}\" is ambiguous"
                    ));
                }
                found = Some(i);
            }
        }
        Ok(found)
    }

    fn has_qualifier(&self, q: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.qualifier.as_deref() == Some(q))
    }

    /// Resolves a name or fails with 42703.
    pub fn must_resolve(&self, qualifier: Option<&str>, name: &str) -> Result<usize> {
        self.resolve(qualifier, name)?
            .ok_or_else(|| match qualifier {
                Some(q) => errinput!(
                    sqlstate::UNDEFINED_COLUMN,
                    "column {q}.{name} does not exist"
                ),
                None => errinput!(
                    sqlstate::UNDEFINED_COLUMN,
                    "column \"{name}\" does not exist"
                ),
            })
    }

    /// Two scopes side by side (a join's output).
    pub fn join(mut self, right: Scope) -> Scope {
        self.columns.extend(right.columns);
        self
    }
}

/// Folds an identifier like PostgreSQL: unquoted names are lower-cased.
pub fn normalize(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The parts of an object name, folded.
pub fn name_parts(name: &ObjectName) -> Result<Vec<String>> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Ok(normalize(ident)),
            ObjectNamePart::Function(_) => {
                Err(crate::errunsupported!("function-valued name parts"))
            }
        })
        .collect()
}

/// PostgreSQL's fully reserved key words, which cannot name a table or
/// column unless quoted (sqlparser is more lenient).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// Whether a (lower-case) word is one of PostgreSQL's fully reserved key words.
pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// Rejects an unquoted reserved word used as a name, like PostgreSQL's grammar.
pub fn check_not_reserved(ident: &Ident) -> Result<()> {
    if ident.quote_style.is_none() && RESERVED.contains(&ident.value.to_lowercase().as_str()) {
        return Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "syntax error at or near \"{}\"",
            ident.value
        ));
    }
    Ok(())
}

/// A relation's name as the catalog looks it up: an unqualified name
/// (found along the search path) or the key of a schema-qualified one
/// (`s.t`, `postgres.s.t`; `pg_temp` is the session's temporary schema).
pub fn table_name(name: &ObjectName) -> Result<String> {
    let (schema, table) = qualified_name(name)?;
    Ok(match schema {
        Some(schema) => names::qualified(&schema, &table),
        None => table,
    })
}

/// A name's schema, if it names one, and its last part.
pub fn qualified_name(name: &ObjectName) -> Result<(Option<String>, String)> {
    for part in &name.0 {
        if let ObjectNamePart::Identifier(ident) = part {
            check_not_reserved(ident)?;
        }
    }
    let parts = name_parts(name)?;
    let schema = |s: &str| {
        if s == "pg_temp" {
            names::search_path()
                .temp
                .clone()
                .unwrap_or_else(|| s.to_string())
        } else {
            s.to_string()
        }
    };
    match parts.as_slice() {
        [table] => Ok((None, table.clone())),
        [s, table] => Ok((Some(schema(s)), table.clone())),
        [db, s, table] if *db == names::current_database_name() => {
            Ok((Some(schema(s)), table.clone()))
        }
        [db, _, _] => Err(errinput!(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "cross-database references are not implemented: \"{db}\""
        )),
        _ => Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "improper qualified name (too many dotted names): {name}"
        )),
    }
}

/// The schema and name CREATE gives an object: the schema it names, or
/// the first existing schema of the search path.
pub fn creation_name(catalog: &Catalog, name: &ObjectName) -> Result<(String, String)> {
    let (schema, object, _) = creation_name_temp(catalog, name, false)?;
    Ok((schema, object))
}

/// As [`creation_name`], for an object that may be temporary (TEMP, or
/// named in `pg_temp`): then the schema is the session's temporary one,
/// which need not exist yet, and the third value is true.
pub fn creation_name_temp(
    catalog: &Catalog,
    name: &ObjectName,
    temporary: bool,
) -> Result<(String, String, bool)> {
    let (schema, object) = qualified_name(name)?;
    let temp = names::search_path().temp.clone();
    if temporary || (schema.is_some() && schema == temp) {
        if temporary && schema.is_some() && schema != temp {
            return Err(errinput!(
                sqlstate::INVALID_TABLE_DEFINITION,
                "cannot create temporary relation in non-temporary schema"
            ));
        }
        let temp = temp.ok_or_else(|| crate::errunsupported!("temporary tables here"))?;
        return Ok((temp, object, true));
    }
    let schema = match schema {
        Some(s) => s,
        None => names::search_path().creation.clone().ok_or_else(|| {
            errinput!(
                sqlstate::INVALID_SCHEMA_NAME,
                "no schema has been selected to create in"
            )
        })?,
    };
    if matches!(
        schema.as_str(),
        "pg_catalog" | "information_schema" | "pg_toast"
    ) {
        return Err(errinput!(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            "permission denied to create \"{schema}.{object}\""
        )
        .with_detail("System catalog modifications are currently disallowed."));
    }
    if schema == "pg_temp" {
        return Err(errinput!(
            sqlstate::INVALID_SCHEMA_NAME,
            "schema \"pg_temp\" does not exist"
        ));
    }
    catalog.must_get_schema(&schema)?;
    Ok((schema, object, false))
}
