//! Bound expressions: names resolved to column positions, every node typed.
//!
//! The binder builds these from sqlparser's AST; `sql::eval` evaluates them
//! against a row. Aggregate calls appear only while the binder is still
//! working on a SELECT; the plans it hands on contain none.

use crate::types::{ColumnType, DataType, Value};

/// Arithmetic, comparison, logical and string binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
}

impl BinaryOp {
    /// The SQL spelling, for error messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Modulo => "%",
            BinaryOp::Concat => "||",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }

    /// True for the six comparison operators.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::LtEq
                | BinaryOp::Gt
                | BinaryOp::GtEq
        )
    }
}

/// The bitwise operators on integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitwiseOp {
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRight,
}

impl BitwiseOp {
    /// The SQL spelling, for error messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BitwiseOp::And => "&",
            BitwiseOp::Or => "|",
            BitwiseOp::Xor => "#",
            BitwiseOp::ShiftLeft => "<<",
            BitwiseOp::ShiftRight => ">>",
        }
    }
}

/// The functions of `eval/math_functions.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFunction {
    Ln,
    Log10,
    /// log(base, x), numeric only.
    Log,
    Exp,
    Cbrt,
    Pi,
    Degrees,
    Radians,
    Sin,
    Cos,
    Tan,
    Cot,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
}

/// Scalar functions FlintDB implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Length,
    OctetLength,
    GetByte,
    Lower,
    Upper,
    /// quote_literal, quote_nullable (NULL becomes `NULL`), quote_ident.
    QuoteLiteral,
    QuoteNullable,
    QuoteIdent,
    Substr,
    Btrim,
    Ltrim,
    Rtrim,
    Concat,
    ConcatWs,
    Replace,
    Strpos,
    Repeat,
    Left,
    Right,
    Abs,
    Round,
    Trunc,
    Ceil,
    Floor,
    Sign,
    Mod,
    Power,
    Sqrt,
    /// Logarithms, exponentials, trigonometry (see `eval/math_functions.rs`).
    Math(MathFunction),
    /// `(record).field`: the field at this position.
    RecordField(usize),
    /// `& | # << >>` on integers.
    Bitwise(BitwiseOp),
    Now,
    CurrentDate,
    LocalTimestamp,
    Coalesce,
    NullIf,
    Greatest,
    Least,
    /// current_user / current_role / user.
    CurrentUser,
    SessionUser,
    HasTablePrivilege,
    HasColumnPrivilege,
    HasSchemaPrivilege,
    HasDatabasePrivilege,
    PgHasRole,
    /// `text ~ pattern` (POSIX regular expression), and `~*`.
    RegexMatch,
    RegexIMatch,
    Version,
    CurrentDatabase,
    CurrentSchema,
    PgGetUserById,
    /// pg_table_is_visible and the other `*_is_visible`.
    IsVisible,
    FormatType,
    PgGetExpr,
    PgGetIndexDef,
    PgGetConstraintDef,
    /// flintdb_schema_dump(): the SQL that recreates the database, as JSON.
    SchemaDump,
    /// pg_export_snapshot(): answered by the session when it is the whole
    /// statement (`SELECT pg_export_snapshot()`); bound here so that
    /// Describe knows its type.
    ExportSnapshot,
    /// obj_description, col_description, shobj_description,
    /// pg_get_serial_sequence: FlintDB stores none of these.
    NoDescription,
    PgEncodingToChar,
    /// `text::regclass` (42P01 if missing) and to_regclass (NULL).
    RegClass,
    ToRegClass,
    RegType,
    ToRegType,
    RegNamespace,
    RegRole,
    /// An OID-alias value (`regclass`, …) as the object's name (text).
    RegName(crate::types::RegKind),
    /// pg_sleep(seconds): waits, stopping at a cancel or statement_timeout.
    PgSleep,
    /// json_build_object(key, value, …).
    JsonBuildObject,
    /// `||` with an array on either side (not strict: NULL is empty).
    ArrayCat,
    /// pg_get_viewdef(view [, pretty]): the view's query.
    PgGetViewDef,
    /// current_schemas(include_implicit): the search path's schemas.
    CurrentSchemas,
    /// pg_backend_pid(), pg_cancel_backend(pid), pg_terminate_backend(pid).
    PgBackendPid,
    PgCancelBackend,
    PgTerminateBackend,
    /// obj_description(oid [, catalog]), col_description(table, column).
    ObjDescription,
    ColDescription,
    /// nextval, currval, setval(seq, v [, is_called]), lastval().
    NextVal,
    CurrVal,
    SetVal,
    LastVal,
    /// pg_get_serial_sequence(table, column).
    PgGetSerialSequence,
    /// current_setting(name [, missing_ok]).
    CurrentSetting,
    /// pg_settings.setting: a setting's value in its base unit (kB, ms).
    SettingValue,
    /// set_config(name, value, is_local): applied when the statement ends.
    SetConfig,
    /// pg_relation_is_publishable: FlintDB has no publications.
    NotPublishable,
    /// pg_relation_size, pg_table_size, pg_indexes_size,
    /// pg_total_relation_size, pg_database_size: bytes on disk.
    RelationSize,
    TableSize,
    IndexesSize,
    TotalRelationSize,
    DatabaseSize,
    PgSizePretty,
    /// `ARRAY[…]` (not strict: elements may be NULL).
    ArrayConstruct,
    /// `a[i]`.
    ArraySubscript,
    ArrayToString,
    ArrayUpper,
    ArrayLower,
    ArrayLength,
    Cardinality,
    ArrayPosition,
    /// enum_range(a, b, labels): the labels from a to b (NULL: open).
    EnumRange,
    /// `a @> b`: every element of b is in a (NULL elements are in none).
    ArrayContains,
    /// `a && b`: some element is in both.
    ArrayOverlaps,
    /// extract (numeric) and date_part (float8) of a timestamp, date or
    /// interval; date_trunc; age; justify_*; make_interval.
    Extract,
    DatePart,
    DateTrunc,
    Age,
    JustifyDays,
    JustifyHours,
    JustifyInterval,
    MakeInterval,
    GenRandomUuid,
    /// random(): a float8 in [0, 1).
    Random,
    /// to_char of timestamps, dates and intervals; to_date and
    /// to_timestamp (by a template, or of Unix seconds).
    ToChar,
    ToDate,
    ToTimestamp,
    /// `->`/`->>` by key and by index, `#>`/`#>>` (the result type says
    /// json, jsonb or text), `@>` (and `<@` swapped), `?`, `?|`, `?&`,
    /// jsonb `||` and `-`.
    JsonField,
    JsonIndex,
    JsonPath,
    JsonContains,
    JsonHasKey,
    JsonHasAnyKey,
    JsonHasAllKeys,
    JsonConcat,
    JsonDeleteKey,
    JsonDeleteIndex,
    JsonDeleteKeys,
    /// json[b]_typeof, json[b]_array_length, jsonb_build_object,
    /// json[b]_build_array, to_json[b], jsonb_set, jsonb_pretty,
    /// jsonb_strip_nulls, json[b]_extract_path[_text].
    JsonTypeof,
    JsonArrayLength,
    JsonbBuildObject,
    JsonBuildArray,
    ToJson,
    JsonbSet,
    JsonbPretty,
    JsonbStripNulls,
    JsonExtractPath,
    /// split_part, lpad, rpad, starts_with, md5, encode, decode, chr,
    /// ascii, initcap, reverse, translate, format, regexp_replace,
    /// regexp_match.
    SplitPart,
    Lpad,
    Rpad,
    StartsWith,
    Md5,
    Encode,
    Decode,
    Chr,
    Ascii,
    Initcap,
    Reverse,
    Translate,
    Format,
    RegexpReplace,
    RegexpMatch,
    /// The arguments of GROUPING(…) before they are matched to group keys
    /// (never evaluated).
    Grouping,
}

impl Function {
    /// Functions whose value depends on the session or the catalog, not
    /// only on their arguments (never in an index).
    pub fn is_volatile(self) -> bool {
        matches!(
            self,
            Function::Now
                | Function::CurrentDate
                | Function::LocalTimestamp
                | Function::CurrentUser
                | Function::SessionUser
                | Function::HasTablePrivilege
                | Function::HasColumnPrivilege
                | Function::HasSchemaPrivilege
                | Function::HasDatabasePrivilege
                | Function::PgHasRole
                | Function::CurrentDatabase
                | Function::CurrentSchema
                | Function::PgGetUserById
                | Function::IsVisible
                | Function::FormatType
                | Function::PgGetIndexDef
                | Function::PgGetViewDef
                | Function::PgGetConstraintDef
                | Function::SchemaDump
                | Function::ExportSnapshot
                | Function::RegClass
                | Function::ToRegClass
                | Function::RegNamespace
                | Function::RegRole
                | Function::RegName(_)
                | Function::PgSleep
                | Function::CurrentSetting
                | Function::SettingValue
                | Function::SetConfig
                | Function::PgBackendPid
                | Function::PgCancelBackend
                | Function::PgTerminateBackend
                | Function::NextVal
                | Function::CurrVal
                | Function::SetVal
                | Function::LastVal
                | Function::PgGetSerialSequence
                | Function::ObjDescription
                | Function::ColDescription
                | Function::GenRandomUuid
                | Function::Random
        )
    }
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggregateFunction {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// array_agg: every value, NULLs too.
    ArrayAgg,
    /// json_agg, jsonb_agg: every value as JSON, NULLs as null.
    JsonAgg,
    JsonbAgg,
    /// GROUPING(a, b, …): bound with its arguments as the arguments of a
    /// `Function::Grouping` call; once the group keys are known, with the
    /// arguments' positions among them (an int4[] literal). Its value in a
    /// group is a bit per argument, set where the group's grouping set
    /// leaves that key out.
    Grouping,
    /// bool_and (and `every`), bool_or: the least and greatest boolean.
    BoolAnd,
    BoolOr,
    StringAgg,
    /// var_samp (variance), var_pop, stddev_samp (stddev), stddev_pop.
    VarSamp,
    VarPop,
    StddevSamp,
    StddevPop,
}

/// What a subquery expression asks of its rows.
#[derive(Clone, Debug)]
pub enum SubqueryKind {
    /// `(SELECT …)`: the single value of at most one row (NULL if none).
    Scalar,
    /// `EXISTS (SELECT …)`.
    Exists,
    /// `left op ANY|ALL (SELECT …)`; `IN` is `= ANY`, `NOT IN` is `<> ALL`.
    Quantified { left: Expr, op: BinaryOp, all: bool },
    /// `ARRAY(SELECT …)`: the one column of every row, as an array.
    Array,
}

/// A subquery used as an expression.
#[derive(Clone, Debug)]
pub struct SubqueryExpr {
    pub plan: super::plan::Node,
    pub kind: SubqueryKind,
    /// Reads columns of an enclosing query (re-run per row) or not (run once).
    pub correlated: bool,
    pub ty: DataType,
}

/// Two subqueries are never "the same expression" (for GROUP BY matching).
impl PartialEq for SubqueryExpr {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// One aggregate call of a grouped SELECT.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateCall {
    pub func: AggregateFunction,
    pub arg: Option<Expr>,
    /// string_agg's delimiter (evaluated per row, as in PostgreSQL).
    pub separator: Option<Expr>,
    /// `agg(x ORDER BY …)`: the order the values are taken in.
    pub order_by: Vec<super::plan::SortKey>,
    pub distinct: bool,
    /// `FILTER (WHERE …)`: only rows where it is true count.
    pub filter: Option<Expr>,
    pub ty: DataType,
}

/// A typed expression over the columns of an input row.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Value, DataType),
    Column {
        index: usize,
        ty: DataType,
    },
    /// A column of an enclosing query's row (correlated subqueries).
    OuterColumn {
        depth: usize,
        index: usize,
        ty: DataType,
    },
    Subquery(Box<SubqueryExpr>),
    Param {
        index: usize,
        ty: DataType,
    },
    Negate(Box<Expr>, DataType),
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
        ty: DataType,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `IS [NOT] TRUE/FALSE`: never NULL.
    IsBool {
        expr: Box<Expr>,
        value: bool,
        negated: bool,
    },
    IsDistinct {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `left op ANY (array)` / `left op ALL (array)`.
    AnyArray {
        left: Box<Expr>,
        op: BinaryOp,
        array: Box<Expr>,
        all: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        case_insensitive: bool,
        negated: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
        ty: DataType,
    },
    /// A cast; `explicit` casts truncate strings where assignment raises.
    Cast {
        expr: Box<Expr>,
        to: ColumnType,
        explicit: bool,
    },
    Call {
        func: Function,
        args: Vec<Expr>,
        ty: DataType,
    },
    Aggregate(Box<AggregateCall>),
}

impl Expr {
    /// The result type.
    pub fn data_type(&self) -> DataType {
        match self {
            Expr::Literal(_, ty)
            | Expr::Column { ty, .. }
            | Expr::OuterColumn { ty, .. }
            | Expr::Param { ty, .. }
            | Expr::Negate(_, ty)
            | Expr::Binary { ty, .. }
            | Expr::Case { ty, .. }
            | Expr::Call { ty, .. } => *ty,
            Expr::Not(_)
            | Expr::IsNull { .. }
            | Expr::IsBool { .. }
            | Expr::IsDistinct { .. }
            | Expr::InList { .. }
            | Expr::AnyArray { .. }
            | Expr::Like { .. } => DataType::Bool,
            Expr::Cast { to, .. } => to.data_type,
            Expr::Aggregate(call) => call.ty,
            Expr::Subquery(sub) => sub.ty,
        }
    }

    /// The declared typmod, where it survives (casts to varchar(n) etc.).
    pub fn typmod(&self) -> i32 {
        match self {
            Expr::Cast { to, .. } => to.typmod,
            _ => -1,
        }
    }

    /// The conjuncts of an AND tree (the expression itself if it is no AND).
    pub fn conjuncts(&self) -> Vec<&Expr> {
        match self {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => {
                let mut all = left.conjuncts();
                all.extend(right.conjuncts());
                all
            }
            other => vec![other],
        }
    }

    /// True if the tree holds an aggregate call.
    pub fn contains_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Aggregate(_)));
        found
    }

    /// Visits every node, parents first.
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        for child in self.children() {
            child.walk(visit);
        }
    }

    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Literal(..) | Expr::Column { .. } | Expr::Param { .. } => vec![],
            Expr::Negate(e, _)
            | Expr::Not(e)
            | Expr::IsNull { expr: e, .. }
            | Expr::IsBool { expr: e, .. } => {
                vec![e]
            }
            Expr::Cast { expr, .. } => vec![expr],
            Expr::Binary { left, right, .. } | Expr::IsDistinct { left, right, .. } => {
                vec![left, right]
            }
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::AnyArray { left, array, .. } => vec![left, array],
            Expr::Like {
                expr,
                pattern,
                escape,
                ..
            } => {
                let mut v: Vec<&Expr> = vec![expr, pattern];
                v.extend(escape.as_deref());
                v
            }
            Expr::Case {
                operand,
                whens,
                otherwise,
                ..
            } => {
                let mut v: Vec<&Expr> = operand.iter().map(|b| &**b).collect();
                for (w, t) in whens {
                    v.push(w);
                    v.push(t);
                }
                v.extend(otherwise.as_deref());
                v
            }
            Expr::Call { args, .. } => args.iter().collect(),
            Expr::Aggregate(call) => call
                .arg
                .iter()
                .chain(&call.separator)
                .chain(call.order_by.iter().map(|k| &k.expr))
                .collect(),
            Expr::OuterColumn { .. } => vec![],
            Expr::Subquery(sub) => match &sub.kind {
                SubqueryKind::Quantified { left, .. } => vec![left],
                _ => vec![],
            },
        }
    }

    /// Rebuilds the tree bottom-up through `f`, which may replace a node
    /// (returning `Some`) before its children are visited.
    pub fn transform(
        self,
        f: &mut dyn FnMut(&Expr) -> crate::error::Result<Option<Expr>>,
    ) -> crate::error::Result<Expr> {
        if let Some(replaced) = f(&self)? {
            return Ok(replaced);
        }
        type F<'a> = &'a mut dyn FnMut(&Expr) -> crate::error::Result<Option<Expr>>;
        // Reuses the box's allocation for the transformed child.
        #[allow(clippy::boxed_local)]
        fn tb(mut e: Box<Expr>, f: F<'_>) -> crate::error::Result<Box<Expr>> {
            let inner = std::mem::replace(&mut *e, Expr::Literal(Value::Null, DataType::Unknown));
            *e = inner.transform(f)?;
            Ok(e)
        }
        Ok(match self {
            e @ (Expr::Literal(..)
            | Expr::Column { .. }
            | Expr::OuterColumn { .. }
            | Expr::Param { .. }
            | Expr::Aggregate(_)) => e,
            Expr::Subquery(mut sub) => {
                if let SubqueryKind::Quantified { left, .. } = &mut sub.kind {
                    let l = std::mem::replace(left, Expr::Literal(Value::Null, DataType::Unknown));
                    *left = l.transform(f)?;
                }
                Expr::Subquery(sub)
            }
            Expr::Negate(e, ty) => Expr::Negate(tb(e, f)?, ty),
            Expr::Not(e) => Expr::Not(tb(e, f)?),
            Expr::Binary {
                op,
                left,
                right,
                ty,
            } => Expr::Binary {
                op,
                left: tb(left, f)?,
                right: tb(right, f)?,
                ty,
            },
            Expr::IsNull { expr, negated } => Expr::IsNull {
                expr: tb(expr, f)?,
                negated,
            },
            Expr::IsBool {
                expr,
                value,
                negated,
            } => Expr::IsBool {
                expr: tb(expr, f)?,
                value,
                negated,
            },
            Expr::IsDistinct {
                left,
                right,
                negated,
            } => Expr::IsDistinct {
                left: tb(left, f)?,
                right: tb(right, f)?,
                negated,
            },
            Expr::AnyArray {
                left,
                op,
                array,
                all,
            } => Expr::AnyArray {
                left: tb(left, f)?,
                op,
                array: tb(array, f)?,
                all,
            },
            Expr::InList {
                expr,
                list,
                negated,
            } => Expr::InList {
                expr: tb(expr, f)?,
                list: list
                    .into_iter()
                    .map(|e| e.transform(f))
                    .collect::<crate::error::Result<_>>()?,
                negated,
            },
            Expr::Like {
                expr,
                pattern,
                escape,
                case_insensitive,
                negated,
            } => Expr::Like {
                expr: tb(expr, f)?,
                pattern: tb(pattern, f)?,
                escape: escape.map(|e| tb(e, f)).transpose()?,
                case_insensitive,
                negated,
            },
            Expr::Case {
                operand,
                whens,
                otherwise,
                ty,
            } => Expr::Case {
                operand: operand.map(|e| tb(e, f)).transpose()?,
                whens: whens
                    .into_iter()
                    .map(|(w, r)| Ok((w.transform(f)?, r.transform(f)?)))
                    .collect::<crate::error::Result<_>>()?,
                otherwise: otherwise.map(|e| tb(e, f)).transpose()?,
                ty,
            },
            Expr::Cast { expr, to, explicit } => Expr::Cast {
                expr: tb(expr, f)?,
                to,
                explicit,
            },
            Expr::Call { func, args, ty } => Expr::Call {
                func,
                args: args
                    .into_iter()
                    .map(|e| e.transform(f))
                    .collect::<crate::error::Result<_>>()?,
                ty,
            },
        })
    }
}
