//! Function calls: aggregates, and scalar functions resolved by name and
//! argument types the way PostgreSQL's overload resolution would pick
//! them (integers go to the float8 variant where only float8 and numeric
//! variants exist, as float8 is the preferred numeric type).

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments};

use super::scope::{name_parts, Scope};
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{AggregateCall, AggregateFunction, Expr, Function};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn bind_function(&mut self, f: &ast::Function, scope: &Scope) -> Result<Expr> {
        self.bind_call(f, scope, true)
    }

    /// An aggregate call of a window clause, bound as a plain aggregate.
    pub(super) fn bind_function_ignoring_over(
        &mut self,
        f: &ast::Function,
        scope: &Scope,
    ) -> Result<Expr> {
        self.bind_call(f, scope, false)
    }

    fn bind_call(&mut self, f: &ast::Function, scope: &Scope, windowed: bool) -> Result<Expr> {
        let parts = name_parts(&f.name)?;
        let name = match parts.as_slice() {
            [n] => n.clone(),
            [schema, n] if schema == "pg_catalog" => n.clone(),
            // The one information_schema function clients call (pgJDBC).
            [schema, n] if schema == "information_schema" && n == "_pg_expandarray" => n.clone(),
            _ => return Err(undefined_function(&f.name.to_string(), &[])),
        };
        if f.uses_odbc_syntax || !f.within_group.is_empty() || f.null_treatment.is_some() {
            return Err(crate::errunsupported!("function call syntax in {f}"));
        }
        if !matches!(f.parameters, FunctionArguments::None) {
            return Err(crate::errunsupported!("parametric function calls"));
        }
        let mut order_by: Vec<ast::OrderByExpr> = Vec::new();
        let (distinct, arg_exprs, star) = match &f.args {
            FunctionArguments::None => (false, vec![], false),
            FunctionArguments::Subquery(_) => {
                return Err(crate::errunsupported!("subquery as function argument"))
            }
            FunctionArguments::List(list) => {
                for clause in &list.clauses {
                    match clause {
                        ast::FunctionArgumentClause::OrderBy(keys)
                            if aggregate_function(&name).is_some() =>
                        {
                            order_by = keys.clone();
                        }
                        _ => {
                            return Err(crate::errunsupported!(
                                "clauses in the argument list of {name}()"
                            ))
                        }
                    }
                }
                let distinct = matches!(
                    list.duplicate_treatment,
                    Some(ast::DuplicateTreatment::Distinct)
                );
                let mut exprs = Vec::new();
                let mut star = false;
                for arg in &list.args {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => exprs.push(e),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        _ => {
                            return Err(crate::errunsupported!(
                                "named or wildcard arguments in {name}()"
                            ))
                        }
                    }
                }
                (distinct, exprs, star)
            }
        };
        if let (true, Some(over)) = (windowed, &f.over) {
            let syntax = super::windows::WindowSyntax {
                name: &name,
                function: f,
                over,
                args: &arg_exprs,
                distinct,
                star,
            };
            return self.bind_window(syntax, scope);
        }
        if let Some(func) = super::set_functions::set_function(&name) {
            if distinct || star || !order_by.is_empty() || f.filter.is_some() {
                return Err(crate::errunsupported!("{f}"));
            }
            return self.bind_set_call(func, &name, &arg_exprs, scope);
        }
        if name == "grouping" {
            if !self.allow_aggregates {
                return Err(errinput!(
                    sqlstate::GROUPING_ERROR,
                    "grouping operations are not allowed here"
                ));
            }
            if distinct
                || star
                || !order_by.is_empty()
                || f.filter.is_some()
                || arg_exprs.is_empty()
            {
                return Err(crate::errunsupported!("{f}"));
            }
            self.allow_aggregates = false;
            let args: Result<Vec<Expr>> =
                arg_exprs.iter().map(|a| self.bind_expr(a, scope)).collect();
            self.allow_aggregates = true;
            let args = args?;
            if args.len() > 31 {
                return Err(errinput!(
                    sqlstate::TOO_MANY_ARGUMENTS,
                    "GROUPING must have fewer than 32 arguments"
                ));
            }
            let call = AggregateCall {
                func: AggregateFunction::Grouping,
                arg: Some(Expr::Call {
                    func: Function::Grouping,
                    args,
                    ty: DataType::Int4,
                }),
                separator: None,
                order_by: Vec::new(),
                distinct: false,
                filter: None,
                ty: DataType::Int4,
            };
            return Ok(Expr::Aggregate(Box::new(call)));
        }
        if let Some(func) = aggregate_function(&name) {
            let call = AggregateSyntax {
                distinct,
                star,
                args: &arg_exprs,
                order_by: &order_by,
            };
            let bound = self.bind_aggregate(&name, func, call, scope)?;
            return match (&f.filter, bound) {
                (Some(filter), Expr::Aggregate(mut call)) => {
                    // Aggregates cannot nest in FILTER either.
                    self.allow_aggregates = false;
                    let bound = self.bind_expr(filter, scope);
                    self.allow_aggregates = true;
                    call.filter = Some(self.coerce_bool(bound?, "FILTER")?);
                    Ok(Expr::Aggregate(call))
                }
                (_, bound) => Ok(bound),
            };
        }
        if f.filter.is_some() || distinct || star {
            return Err(errinput!(
                sqlstate::WRONG_OBJECT_TYPE,
                "DISTINCT, FILTER or * specified, but {name} is not an aggregate function"
            ));
        }
        let args = arg_exprs
            .iter()
            .map(|e| self.bind_expr(e, scope))
            .collect::<Result<Vec<_>>>()?;
        self.call_scalar(&name, args)
    }

    fn bind_aggregate(
        &mut self,
        name: &str,
        func: AggregateFunction,
        call: AggregateSyntax,
        scope: &Scope,
    ) -> Result<Expr> {
        let AggregateSyntax {
            distinct,
            star,
            args,
            order_by,
        } = call;
        if !self.allow_aggregates {
            return Err(errinput!(
                sqlstate::GROUPING_ERROR,
                "aggregate functions are not allowed here"
            ));
        }
        if star {
            if func != AggregateFunction::Count || !args.is_empty() || distinct {
                return Err(errinput!(
                    sqlstate::SYNTAX_ERROR,
                    "syntax error at or near \"*\""
                ));
            }
            let call = AggregateCall {
                func: AggregateFunction::CountStar,
                arg: None,
                separator: None,
                order_by: Vec::new(),
                distinct: false,
                filter: None,
                ty: DataType::Int8,
            };
            return Ok(Expr::Aggregate(Box::new(call)));
        }
        let (arg, separator) = match (func, args) {
            (AggregateFunction::StringAgg, [arg, sep]) => (arg, Some(sep)),
            (AggregateFunction::StringAgg, _) => {
                return Err(undefined_function(
                    name,
                    &vec![DataType::Unknown; args.len()],
                ))
            }
            (_, [arg]) => (arg, None),
            _ => {
                return Err(undefined_function(
                    name,
                    &vec![DataType::Unknown; args.len()],
                ))
            }
        };
        // Aggregates cannot nest.
        self.allow_aggregates = false;
        let bound = self.bind_expr(arg, scope);
        self.allow_aggregates = true;
        let arg = self.resolve_unknown(bound?)?;
        if arg.contains_aggregate() {
            return Err(errinput!(
                sqlstate::GROUPING_ERROR,
                "aggregate function calls cannot be nested"
            ));
        }
        let t = arg.data_type();
        let mut keys = Vec::new();
        for o in order_by {
            self.allow_aggregates = false;
            let bound = self.bind_expr(&o.expr, scope);
            self.allow_aggregates = true;
            let descending = match &o.options.sort {
                None | Some(ast::OrderBySort::Asc) => false,
                Some(ast::OrderBySort::Desc) => true,
                Some(_) => return Err(crate::errunsupported!("ORDER BY ... USING")),
            };
            keys.push(crate::sql::plan::SortKey {
                expr: self.resolve_unknown(bound?)?,
                descending,
                nulls_first: o.options.nulls_first.unwrap_or(descending),
            });
        }
        let separator = match separator {
            Some(sep) => {
                self.allow_aggregates = false;
                let bound = self.bind_expr(sep, scope);
                self.allow_aggregates = true;
                let target = if t == DataType::Bytea {
                    DataType::Bytea
                } else {
                    DataType::Text
                };
                Some(self.coerce(bound?, target)?)
            }
            None => None,
        };
        let (arg, t) =
            if func == AggregateFunction::StringAgg && t.is_string() && t != DataType::Text {
                (self.coerce(arg, DataType::Text)?, DataType::Text)
            } else {
                (arg, t)
            };
        let ty = match func {
            AggregateFunction::Grouping => DataType::Int4,
            AggregateFunction::ArrayAgg => super::arrays::array_type(t)?,
            AggregateFunction::JsonAgg => DataType::Json,
            AggregateFunction::JsonbAgg => DataType::Jsonb,
            AggregateFunction::StringAgg => match t {
                DataType::Text | DataType::Bytea => t,
                _ => return Err(undefined_function(name, &[t, t])),
            },
            AggregateFunction::Count | AggregateFunction::CountStar => DataType::Int8,
            AggregateFunction::Sum => match t {
                DataType::Int2 | DataType::Int4 => DataType::Int8,
                DataType::Int8 | DataType::Numeric => DataType::Numeric,
                DataType::Float4 | DataType::Float8 | DataType::Interval => t,
                _ => return Err(undefined_function(name, &[t])),
            },
            AggregateFunction::Avg if t == DataType::Interval => t,
            AggregateFunction::VarSamp
            | AggregateFunction::VarPop
            | AggregateFunction::StddevSamp
            | AggregateFunction::StddevPop
            | AggregateFunction::Avg => match t {
                DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Numeric => {
                    DataType::Numeric
                }
                DataType::Float4 | DataType::Float8 => DataType::Float8,
                _ => return Err(undefined_function(name, &[t])),
            },
            AggregateFunction::BoolAnd | AggregateFunction::BoolOr => match t {
                DataType::Bool => DataType::Bool,
                _ => return Err(undefined_function(name, &[t])),
            },
            AggregateFunction::Min | AggregateFunction::Max => {
                if t == DataType::Bool {
                    return Err(undefined_function(name, &[t]));
                }
                if t == DataType::Bpchar {
                    DataType::Bpchar
                } else {
                    t
                }
            }
        };
        Ok(Expr::Aggregate(Box::new(AggregateCall {
            func,
            arg: Some(arg),
            separator,
            order_by: keys,
            distinct,
            filter: None,
            ty,
        })))
    }

    /// Picks the scalar function and coerces its arguments.
    pub(super) fn resolve_scalar(
        &mut self,
        name: &str,
        args: Vec<Expr>,
    ) -> Result<(Function, Vec<Expr>, DataType)> {
        use DataType as T;
        let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        let n = args.len();
        let text_like = |t: &DataType| t.is_string();
        use super::types::{float_or_numeric, numeric_like};
        let all = |f: &dyn Fn(&DataType) -> bool| types.iter().all(f);
        let datetime = super::datetime_ops::signature(name, &types)
            .or_else(|| super::json_ops::signature(name, &types))
            .or_else(|| super::string_signatures::signature(name, &types))
            .or_else(|| super::math_signatures::signature(name, &types));
        let sig: Option<(Function, Vec<DataType>, DataType)> = match (name, n) {
            _ if datetime.is_some() => datetime,
            ("age", 1) => {
                let today = Expr::Call {
                    func: Function::CurrentDate,
                    args: vec![],
                    ty: T::Date,
                };
                let mut args = args;
                args.insert(0, today);
                return self.resolve_scalar(name, args);
            }
            ("length" | "char_length" | "character_length", 1)
                if types[0] == T::Bytea && name == "length" =>
            {
                Some((Function::Length, vec![T::Bytea], T::Int4))
            }
            ("length" | "char_length" | "character_length", 1) if all(&text_like) => {
                Some((Function::Length, vec![T::Text], T::Int4))
            }
            ("octet_length", 1) if types[0] == T::Bytea => {
                Some((Function::OctetLength, vec![T::Bytea], T::Int4))
            }
            ("octet_length", 1) if all(&text_like) => {
                Some((Function::OctetLength, vec![T::Text], T::Int4))
            }
            ("get_byte", 2)
                if types[0] == T::Bytea && matches!(types[1], T::Int2 | T::Int4 | T::Unknown) =>
            {
                Some((Function::GetByte, vec![T::Bytea, T::Int4], T::Int4))
            }
            ("lower", 1) if all(&text_like) => Some((Function::Lower, vec![T::Text], T::Text)),
            ("quote_ident", 1) if all(&text_like) => {
                Some((Function::QuoteIdent, vec![T::Text], T::Text))
            }
            ("quote_literal" | "quote_nullable", 1) => {
                let func = if name == "quote_literal" {
                    Function::QuoteLiteral
                } else {
                    Function::QuoteNullable
                };
                // Any type: its text form is quoted.
                let arg = args
                    .into_iter()
                    .next()
                    .unwrap_or(Expr::Literal(crate::types::Value::Null, T::Unknown));
                let arg = if arg.data_type().is_string() {
                    self.coerce(arg, T::Text)?
                } else {
                    self.explicit_cast(arg, crate::types::ColumnType::plain(T::Text))?
                };
                return Ok((func, vec![arg], T::Text));
            }
            ("upper", 1) if all(&text_like) => Some((Function::Upper, vec![T::Text], T::Text)),
            ("substr" | "substring", 2 | 3)
                if text_like(&types[0])
                    && types[1..]
                        .iter()
                        .all(|t| matches!(t, T::Int2 | T::Int4 | T::Unknown)) =>
            {
                let mut sig = vec![T::Text, T::Int4];
                if n == 3 {
                    sig.push(T::Int4);
                }
                Some((Function::Substr, sig, T::Text))
            }
            ("btrim" | "ltrim" | "rtrim", 1 | 2) if all(&text_like) => {
                let f = match name {
                    "ltrim" => Function::Ltrim,
                    "rtrim" => Function::Rtrim,
                    _ => Function::Btrim,
                };
                Some((f, vec![T::Text; n], T::Text))
            }
            ("replace", 3) if all(&text_like) => {
                Some((Function::Replace, vec![T::Text; 3], T::Text))
            }
            ("strpos", 2) if all(&text_like) => Some((Function::Strpos, vec![T::Text; 2], T::Int4)),
            ("repeat" | "left" | "right", 2)
                if text_like(&types[0]) && matches!(types[1], T::Int2 | T::Int4 | T::Unknown) =>
            {
                let f = match name {
                    "repeat" => Function::Repeat,
                    "left" => Function::Left,
                    _ => Function::Right,
                };
                Some((f, vec![T::Text, T::Int4], T::Text))
            }
            ("concat", _) if n > 0 => Some((
                Function::Concat,
                types
                    .iter()
                    .map(|t| if *t == T::Unknown { T::Text } else { *t })
                    .collect(),
                T::Text,
            )),
            ("concat_ws", _) if n > 0 && text_like(&types[0]) => {
                let mut sig = vec![T::Text];
                sig.extend(
                    types[1..]
                        .iter()
                        .map(|t| if *t == T::Unknown { T::Text } else { *t }),
                );
                Some((Function::ConcatWs, sig, T::Text))
            }
            ("abs", 1) if numeric_like(&types[0]) => {
                let t = if types[0] == T::Unknown {
                    T::Float8
                } else {
                    types[0]
                };
                Some((Function::Abs, vec![t], t))
            }
            ("round" | "trunc", 1) if numeric_like(&types[0]) => {
                let t = float_or_numeric(types[0]);
                let f = if name == "round" {
                    Function::Round
                } else {
                    Function::Trunc
                };
                Some((f, vec![t], t))
            }
            ("round" | "trunc", 2)
                if numeric_like(&types[0])
                    && matches!(types[1], T::Int2 | T::Int4 | T::Unknown) =>
            {
                let f = if name == "round" {
                    Function::Round
                } else {
                    Function::Trunc
                };
                Some((f, vec![T::Numeric, T::Int4], T::Numeric))
            }
            ("ceil" | "ceiling" | "floor" | "sign", 1) if numeric_like(&types[0]) => {
                let t = float_or_numeric(types[0]);
                let f = match name {
                    "floor" => Function::Floor,
                    "sign" => Function::Sign,
                    _ => Function::Ceil,
                };
                Some((f, vec![t], t))
            }
            ("mod", 2) if all(&numeric_like) => {
                let t = super::types::common_type(types[0], types[1]).unwrap_or(T::Int4);
                let t = if t == T::Unknown { T::Int4 } else { t };
                if matches!(t, T::Float4 | T::Float8) {
                    None
                } else {
                    Some((Function::Mod, vec![t; 2], t))
                }
            }
            ("now" | "current_timestamp" | "transaction_timestamp" | "statement_timestamp", 0) => {
                Some((Function::Now, vec![], T::Timestamptz))
            }
            ("current_date", 0) => Some((Function::CurrentDate, vec![], T::Date)),
            ("current_user" | "current_role" | "user", 0) => {
                Some((Function::CurrentUser, vec![], T::Text))
            }
            ("session_user", 0) => Some((Function::SessionUser, vec![], T::Text)),
            ("has_table_privilege", 2 | 3) => {
                Some((Function::HasTablePrivilege, vec![T::Text; n], T::Bool))
            }
            ("has_column_privilege", 3 | 4) => {
                Some((Function::HasColumnPrivilege, vec![T::Text; n], T::Bool))
            }
            ("has_schema_privilege", 2 | 3) => {
                Some((Function::HasSchemaPrivilege, vec![T::Text; n], T::Bool))
            }
            ("has_database_privilege", 2 | 3) => {
                Some((Function::HasDatabasePrivilege, vec![T::Text; n], T::Bool))
            }
            ("pg_has_role", 2 | 3) => Some((Function::PgHasRole, vec![T::Text; n], T::Bool)),
            ("version", 0) => Some((Function::Version, vec![], T::Text)),
            // PostgreSQL's result type is void, shown as an empty string.
            ("pg_sleep", 1) => Some((Function::PgSleep, vec![T::Float8], T::Text)),
            ("pg_backend_pid", 0) => Some((Function::PgBackendPid, vec![], T::Int4)),
            ("current_schemas", 1) => {
                Some((Function::CurrentSchemas, vec![T::Bool], T::Array(&T::Name)))
            }
            ("pg_cancel_backend", 1) => Some((Function::PgCancelBackend, vec![T::Int4], T::Bool)),
            ("pg_terminate_backend", 1 | 2) => Some((
                Function::PgTerminateBackend,
                vec![T::Int4, T::Int8][..n].to_vec(),
                T::Bool,
            )),
            ("current_setting", 1 | 2) => {
                self.reads.settings = true;
                Some((
                    Function::CurrentSetting,
                    vec![T::Text, T::Bool][..n].to_vec(),
                    T::Text,
                ))
            }
            ("set_config", 3) => {
                self.reads.settings = true;
                Some((
                    Function::SetConfig,
                    vec![T::Text, T::Text, T::Bool],
                    T::Text,
                ))
            }
            ("current_database" | "current_catalog", 0) => {
                Some((Function::CurrentDatabase, vec![], T::Name))
            }
            ("current_schema", 0) => Some((Function::CurrentSchema, vec![], T::Name)),
            ("pg_get_userbyid", 1) => Some((Function::PgGetUserById, vec![T::Oid], T::Name)),
            (
                "pg_table_is_visible"
                | "pg_type_is_visible"
                | "pg_function_is_visible"
                | "pg_collation_is_visible"
                | "pg_opclass_is_visible"
                | "pg_operator_is_visible",
                1,
            ) => Some((Function::IsVisible, vec![T::Oid], T::Bool)),
            ("format_type", 2) => Some((Function::FormatType, vec![T::Oid, T::Int4], T::Text)),
            ("pg_get_expr", 2) => Some((Function::PgGetExpr, vec![T::Text, T::Oid], T::Text)),
            ("pg_get_expr", 3) => {
                Some((Function::PgGetExpr, vec![T::Text, T::Oid, T::Bool], T::Text))
            }
            ("pg_export_snapshot", 0) => Some((Function::ExportSnapshot, vec![], T::Text)),
            ("flintdb_schema_dump", 0) => Some((Function::SchemaDump, vec![], T::Text)),
            ("pg_get_indexdef", 1) => Some((Function::PgGetIndexDef, vec![T::Oid], T::Text)),
            ("pg_get_viewdef", 1 | 2) => {
                let first = if types[0].is_string() {
                    T::Text
                } else {
                    T::Oid
                };
                Some((
                    Function::PgGetViewDef,
                    vec![first, T::Bool][..n].to_vec(),
                    T::Text,
                ))
            }
            ("pg_get_indexdef", 3) => Some((
                Function::PgGetIndexDef,
                vec![T::Oid, T::Int4, T::Bool],
                T::Text,
            )),
            ("pg_get_constraintdef", 1) => {
                Some((Function::PgGetConstraintDef, vec![T::Oid], T::Text))
            }
            ("pg_get_constraintdef", 2) => {
                Some((Function::PgGetConstraintDef, vec![T::Oid, T::Bool], T::Text))
            }
            ("obj_description", 1) => Some((Function::ObjDescription, vec![T::Oid], T::Text)),
            ("obj_description", 2) => {
                Some((Function::ObjDescription, vec![T::Oid, T::Name], T::Text))
            }
            ("shobj_description", 2) => {
                Some((Function::NoDescription, vec![T::Oid, T::Name], T::Text))
            }
            ("col_description", 2) => {
                Some((Function::ColDescription, vec![T::Oid, T::Int4], T::Text))
            }
            (
                "pg_get_statisticsobjdef_columns"
                | "pg_get_triggerdef"
                | "pg_get_function_result"
                | "pg_get_function_arguments"
                | "pg_get_ruledef",
                1,
            ) => Some((Function::NoDescription, vec![T::Oid], T::Text)),
            ("pg_get_triggerdef", 2) => {
                Some((Function::NoDescription, vec![T::Oid, T::Bool], T::Text))
            }
            ("pg_get_serial_sequence", 2) => Some((
                Function::PgGetSerialSequence,
                vec![T::Text, T::Text],
                T::Text,
            )),
            ("nextval" | "currval", 1) => Some((
                if name == "nextval" {
                    Function::NextVal
                } else {
                    Function::CurrVal
                },
                vec![T::Reg(crate::types::RegKind::Class)],
                T::Int8,
            )),
            ("setval", 2 | 3) => {
                let mut sig = vec![T::Reg(crate::types::RegKind::Class), T::Int8];
                if n == 3 {
                    sig.push(T::Bool);
                }
                Some((Function::SetVal, sig, T::Int8))
            }
            ("lastval", 0) => Some((Function::LastVal, vec![], T::Int8)),
            ("pg_encoding_to_char", 1) => {
                Some((Function::PgEncodingToChar, vec![T::Int4], T::Name))
            }
            ("pg_relation_is_publishable", 1) => {
                Some((Function::NotPublishable, vec![T::Oid], T::Bool))
            }
            ("pg_relation_size", 1) => Some((Function::RelationSize, vec![T::Oid], T::Int8)),
            ("pg_table_size", 1) => Some((Function::TableSize, vec![T::Oid], T::Int8)),
            ("pg_indexes_size", 1) => Some((Function::IndexesSize, vec![T::Oid], T::Int8)),
            ("pg_total_relation_size", 1) => {
                Some((Function::TotalRelationSize, vec![T::Oid], T::Int8))
            }
            ("pg_database_size", 1) => {
                let t = if types[0] == T::Unknown || types[0].is_string() {
                    T::Name
                } else {
                    T::Oid
                };
                Some((Function::DatabaseSize, vec![t], T::Int8))
            }
            ("pg_size_pretty", 1) => {
                let t = if types[0] == T::Numeric {
                    T::Numeric
                } else {
                    T::Int8
                };
                Some((Function::PgSizePretty, vec![t], T::Text))
            }
            ("to_regclass", 1) => Some((
                Function::ToRegClass,
                vec![T::Text],
                T::Reg(crate::types::RegKind::Class),
            )),
            ("to_regtype", 1) => Some((
                Function::ToRegType,
                vec![T::Text],
                T::Reg(crate::types::RegKind::Type),
            )),
            ("array_to_string", 2 | 3) if matches!(types[0], T::Array(_)) => {
                let mut sig = vec![types[0], T::Text];
                if n == 3 {
                    sig.push(T::Text);
                }
                Some((Function::ArrayToString, sig, T::Text))
            }
            ("array_upper" | "array_lower" | "array_length", 2)
                if matches!(types[0], T::Array(_)) =>
            {
                let f = match name {
                    "array_upper" => Function::ArrayUpper,
                    "array_lower" => Function::ArrayLower,
                    _ => Function::ArrayLength,
                };
                Some((f, vec![types[0], T::Int4], T::Int4))
            }
            ("cardinality", 1) if matches!(types[0], T::Array(_)) => {
                Some((Function::Cardinality, vec![types[0]], T::Int4))
            }
            ("array_position", 2) => match types[0] {
                T::Array(elem) => Some((Function::ArrayPosition, vec![types[0], *elem], T::Int4)),
                _ => None,
            },
            ("localtimestamp", 0) => Some((Function::LocalTimestamp, vec![], T::Timestamp)),
            ("coalesce" | "greatest" | "least", _) if n > 0 => {
                let what = name.to_uppercase();
                let args = self.unify(args, &what)?;
                let t = args[0].data_type();
                let f = match name {
                    "coalesce" => Function::Coalesce,
                    "greatest" => Function::Greatest,
                    _ => Function::Least,
                };
                return Ok((f, args, t));
            }
            (
                "json_build_object" | "jsonb_build_object" | "json_build_array"
                | "jsonb_build_array",
                _,
            ) => {
                if name.ends_with("_object") && !n.is_multiple_of(2) {
                    return Err(errinput!(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "argument list must have even number of elements"
                    )
                    .with_hint(format!(
                        "The arguments of {name}() must consist of alternating keys and values."
                    )));
                }
                let args = self.untyped_as_text(args)?;
                let (func, ty) = match name {
                    "json_build_object" => (Function::JsonBuildObject, T::Json),
                    "jsonb_build_object" => (Function::JsonbBuildObject, T::Jsonb),
                    "jsonb_build_array" => (Function::JsonBuildArray, T::Jsonb),
                    _ => (Function::JsonBuildArray, T::Json),
                };
                return Ok((func, args, ty));
            }
            (
                "json_extract_path"
                | "jsonb_extract_path"
                | "json_extract_path_text"
                | "jsonb_extract_path_text",
                _,
            ) if n >= 2 => {
                let doc = if name.starts_with("jsonb") {
                    T::Jsonb
                } else {
                    T::Json
                };
                let ty = if name.ends_with("_text") {
                    T::Text
                } else {
                    doc
                };
                let mut sig = vec![T::Text; n];
                sig[0] = doc;
                Some((Function::JsonExtractPath, sig, ty))
            }
            ("format", _) if n >= 1 && types[0].is_string() => {
                let args = self.untyped_as_text(args)?;
                return Ok((Function::Format, args, T::Text));
            }
            // The argument's type, known now: a constant (its value is
            // never needed).
            ("pg_typeof", 1) => {
                let ty = T::Reg(crate::types::RegKind::Type);
                let oid = Expr::Literal(crate::types::Value::Oid(types[0].oid()), ty);
                return Ok((Function::Coalesce, vec![oid], ty));
            }
            ("enum_first" | "enum_last" | "enum_range", 1 | 2) => {
                match self.bind_enum_function(name, args, &types)? {
                    Some(call) => return Ok(call),
                    None => return Err(undefined_function(name, &types)),
                }
            }
            ("nullif", 2) => {
                let args = self.unify(args, "NULLIF")?;
                let t = args[0].data_type();
                return Ok((Function::NullIf, args, t));
            }
            _ => None,
        };
        let Some((func, sig, ret)) = sig else {
            return Err(undefined_function(name, &types));
        };
        let args = args
            .into_iter()
            .zip(&sig)
            .map(|(a, t)| self.coerce(a, *t))
            .collect::<Result<Vec<_>>>()?;
        Ok((func, args, ret))
    }
}

impl Binder<'_> {
    /// Variadic "any" arguments: untyped literals become text, other
    /// values keep their type.
    fn untyped_as_text(&mut self, args: Vec<Expr>) -> Result<Vec<Expr>> {
        args.into_iter()
            .map(|a| {
                if a.data_type() == DataType::Unknown {
                    self.coerce(a, DataType::Text)
                } else {
                    Ok(a)
                }
            })
            .collect()
    }
}

/// How an aggregate was called: `agg(DISTINCT a, b ORDER BY c)`, `count(*)`.
struct AggregateSyntax<'a> {
    distinct: bool,
    star: bool,
    args: &'a [&'a ast::Expr],
    order_by: &'a [ast::OrderByExpr],
}

pub(super) fn aggregate_function(name: &str) -> Option<AggregateFunction> {
    Some(match name {
        "count" => AggregateFunction::Count,
        "sum" => AggregateFunction::Sum,
        "avg" => AggregateFunction::Avg,
        "min" => AggregateFunction::Min,
        "max" => AggregateFunction::Max,
        "array_agg" => AggregateFunction::ArrayAgg,
        "json_agg" => AggregateFunction::JsonAgg,
        "jsonb_agg" => AggregateFunction::JsonbAgg,
        "bool_and" | "every" => AggregateFunction::BoolAnd,
        "bool_or" => AggregateFunction::BoolOr,
        "string_agg" => AggregateFunction::StringAgg,
        "variance" | "var_samp" => AggregateFunction::VarSamp,
        "var_pop" => AggregateFunction::VarPop,
        "stddev" | "stddev_samp" => AggregateFunction::StddevSamp,
        "stddev_pop" => AggregateFunction::StddevPop,
        _ => return None,
    })
}

/// 42883 for a function with no matching signature.
fn undefined_function(name: &str, types: &[DataType]) -> crate::error::Error {
    let args: Vec<&str> = types
        .iter()
        .map(|t| {
            if *t == DataType::Unknown {
                "unknown"
            } else {
                t.sql_name()
            }
        })
        .collect();
    errinput!(sqlstate::UNDEFINED_FUNCTION, "function {name}({}) does not exist", args.join(", "))
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
}
