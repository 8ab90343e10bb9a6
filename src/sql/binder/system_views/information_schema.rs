//! The SQL-standard `information_schema` views ORMs and tools read:
//! tables, columns, schemata, table_constraints, key_column_usage, and
//! empty views, sequences and routines. Values follow PostgreSQL 15's
//! (`data_type` spellings, numeric precision and radix, `YES`/`NO`).
//! Unlike PostgreSQL they list every table, not only those the current
//! role holds a privilege on.

use super::columns::Columns;
use super::rows::text;
use crate::catalog::acl::AclObject;
use crate::catalog::{Catalog, TableDef};
use crate::types::{ColumnType, DataType, Value};

use DataType::{Int4, Name, Varchar};

/// The views: (name, OID, columns).
pub const VIEWS: &[(&str, u32, Columns)] = &[
    ("tables", 13_100, TABLES),
    ("columns", 13_101, COLUMNS),
    ("schemata", 13_102, SCHEMATA),
    ("table_constraints", 13_103, TABLE_CONSTRAINTS),
    ("key_column_usage", 13_104, KEY_COLUMN_USAGE),
    ("views", 13_105, VIEWS_COLUMNS),
    ("sequences", 13_106, SEQUENCES),
    ("routines", 13_107, ROUTINES),
    ("check_constraints", 13_108, CHECK_CONSTRAINTS),
    ("referential_constraints", 13_109, REFERENTIAL_CONSTRAINTS),
];

const REFERENTIAL_CONSTRAINTS: Columns = &[
    ("constraint_catalog", Name),
    ("constraint_schema", Name),
    ("constraint_name", Name),
    ("unique_constraint_catalog", Name),
    ("unique_constraint_schema", Name),
    ("unique_constraint_name", Name),
    ("match_option", Varchar),
    ("update_rule", Varchar),
    ("delete_rule", Varchar),
];

const CHECK_CONSTRAINTS: Columns = &[
    ("constraint_catalog", Name),
    ("constraint_schema", Name),
    ("constraint_name", Name),
    ("check_clause", Varchar),
];

const TABLES: Columns = &[
    ("table_catalog", Name),
    ("table_schema", Name),
    ("table_name", Name),
    ("table_type", Varchar),
    ("self_referencing_column_name", Name),
    ("reference_generation", Varchar),
    ("user_defined_type_catalog", Name),
    ("user_defined_type_schema", Name),
    ("user_defined_type_name", Name),
    ("is_insertable_into", Varchar),
    ("is_typed", Varchar),
    ("commit_action", Varchar),
];
const COLUMNS: Columns = &[
    ("table_catalog", Name),
    ("table_schema", Name),
    ("table_name", Name),
    ("column_name", Name),
    ("ordinal_position", Int4),
    ("column_default", Varchar),
    ("is_nullable", Varchar),
    ("data_type", Varchar),
    ("character_maximum_length", Int4),
    ("character_octet_length", Int4),
    ("numeric_precision", Int4),
    ("numeric_precision_radix", Int4),
    ("numeric_scale", Int4),
    ("datetime_precision", Int4),
    ("interval_type", Varchar),
    ("interval_precision", Int4),
    ("collation_name", Name),
    ("domain_name", Name),
    ("udt_catalog", Name),
    ("udt_schema", Name),
    ("udt_name", Name),
    ("dtd_identifier", Name),
    ("is_self_referencing", Varchar),
    ("is_identity", Varchar),
    ("identity_generation", Varchar),
    ("is_generated", Varchar),
    ("generation_expression", Varchar),
    ("is_updatable", Varchar),
];
const SCHEMATA: Columns = &[
    ("catalog_name", Name),
    ("schema_name", Name),
    ("schema_owner", Name),
    ("default_character_set_catalog", Name),
    ("default_character_set_schema", Name),
    ("default_character_set_name", Name),
    ("sql_path", Varchar),
];
const TABLE_CONSTRAINTS: Columns = &[
    ("constraint_catalog", Name),
    ("constraint_schema", Name),
    ("constraint_name", Name),
    ("table_catalog", Name),
    ("table_schema", Name),
    ("table_name", Name),
    ("constraint_type", Varchar),
    ("is_deferrable", Varchar),
    ("initially_deferred", Varchar),
    ("enforced", Varchar),
    ("nulls_distinct", Varchar),
];
const KEY_COLUMN_USAGE: Columns = &[
    ("constraint_catalog", Name),
    ("constraint_schema", Name),
    ("constraint_name", Name),
    ("table_catalog", Name),
    ("table_schema", Name),
    ("table_name", Name),
    ("column_name", Name),
    ("ordinal_position", Int4),
    ("position_in_unique_constraint", Int4),
];
const VIEWS_COLUMNS: Columns = &[
    ("table_catalog", Name),
    ("table_schema", Name),
    ("table_name", Name),
    ("view_definition", Varchar),
    ("check_option", Varchar),
    ("is_updatable", Varchar),
    ("is_insertable_into", Varchar),
];
const SEQUENCES: Columns = &[
    ("sequence_catalog", Name),
    ("sequence_schema", Name),
    ("sequence_name", Name),
    ("data_type", Varchar),
    ("numeric_precision", Int4),
    ("numeric_precision_radix", Int4),
    ("numeric_scale", Int4),
    ("start_value", Varchar),
    ("minimum_value", Varchar),
    ("maximum_value", Varchar),
    ("increment", Varchar),
    ("cycle_option", Varchar),
];
const ROUTINES: Columns = &[
    ("specific_catalog", Name),
    ("specific_schema", Name),
    ("specific_name", Name),
    ("routine_name", Name),
    ("routine_type", Varchar),
    ("data_type", Varchar),
];

/// The rows of one of these views.
pub fn rows(catalog: &Catalog, view: &str) -> Vec<Vec<Value>> {
    let tables = catalog.tables();
    match view {
        "tables" => tables
            .iter()
            .map(|t| {
                let kind = if t
                    .schema
                    .starts_with(crate::catalog::schemas::TEMP_SCHEMA_PREFIX)
                {
                    "LOCAL TEMPORARY"
                } else {
                    "BASE TABLE"
                };
                (t.schema.clone(), t.name.clone(), kind, "YES")
            })
            .chain(
                catalog
                    .views()
                    .iter()
                    .map(|v| (v.schema.clone(), v.name.clone(), "VIEW", "NO")),
            )
            .map(|(schema, name, kind, insertable)| {
                vec![
                    text(crate::catalog::names::current_database_name()),
                    text(schema),
                    text(name),
                    text(kind),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    text(insertable),
                    text("NO"),
                    Value::Null,
                ]
            })
            .collect(),
        "columns" => tables
            .iter()
            .cloned()
            .chain(catalog.views().iter().map(|v| as_table(v)))
            .flat_map(|t| column_rows(catalog, &t))
            .collect(),
        "views" => catalog
            .views()
            .iter()
            .map(|v| {
                vec![
                    text(crate::catalog::names::current_database_name()),
                    text(&v.schema),
                    text(&v.name),
                    text(super::rows::view_definition(&v.definition)),
                    text("NONE"),
                    text("NO"),
                    text("NO"),
                ]
            })
            .collect(),
        "schemata" => ["information_schema", "pg_catalog", "pg_toast", "public"]
            .into_iter()
            .filter_map(|n| catalog.schema_by_name(n))
            .chain(
                catalog
                    .schemas()
                    .iter()
                    .filter(|s| !s.is_builtin())
                    .cloned(),
            )
            .map(|s| {
                (
                    s.name.clone(),
                    catalog.role_name(catalog.owner_of(AclObject::Schema(s.oid))),
                )
            })
            .map(|(name, owner)| {
                vec![
                    text(crate::catalog::names::current_database_name()),
                    text(name),
                    text(owner),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect(),
        "table_constraints" => tables
            .iter()
            .flat_map(|t| {
                let keys = t
                    .indexes
                    .iter()
                    .filter(|i| i.primary || i.constraint)
                    .map(move |i| {
                        constraint_row(
                            &i.name,
                            t,
                            if i.primary { "PRIMARY KEY" } else { "UNIQUE" },
                            if i.primary { Value::Null } else { text("YES") },
                        )
                    });
                let not_null = t
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.not_null)
                    .map(move |(n, _)| {
                        let name = format!(
                            "{}_{}_{}_not_null",
                            catalog.schema_oid(&t.schema),
                            t.oid,
                            n + 1
                        );
                        constraint_row(&name, t, "CHECK", Value::Null)
                    });
                let checks = t
                    .checks
                    .iter()
                    .map(move |c| constraint_row(&c.name, t, "CHECK", Value::Null));
                let fks = t
                    .foreign_keys
                    .iter()
                    .map(move |f| constraint_row(&f.name, t, "FOREIGN KEY", Value::Null));
                keys.chain(fks)
                    .chain(checks)
                    .chain(not_null)
                    .collect::<Vec<_>>()
            })
            .collect(),
        "key_column_usage" => tables
            .iter()
            .flat_map(|t| {
                t.indexes
                    .iter()
                    .filter(|i| i.primary || i.constraint)
                    .flat_map(move |i| {
                        i.ordered_keys().enumerate().filter_map(move |(n, k)| {
                            let column = t.columns.get(k.column?)?;
                            Some(vec![
                                text(crate::catalog::names::current_database_name()),
                                text(&t.schema),
                                text(&i.name),
                                text(crate::catalog::names::current_database_name()),
                                text(&t.schema),
                                text(&t.name),
                                text(&column.name),
                                Value::Int4(n as i32 + 1),
                                Value::Null,
                            ])
                        })
                    })
                    .chain(t.foreign_keys.iter().flat_map(move |f| {
                        let key = catalog.referenced_index(f);
                        f.columns.iter().enumerate().map(move |(n, c)| {
                            // Where the referenced column sits in its key.
                            let position = key.as_ref().and_then(|key| {
                                key.ordered_keys()
                                    .position(|k| k.column == Some(f.ref_columns[n]))
                                    .map(|p| p as i32 + 1)
                            });
                            vec![
                                text(crate::catalog::names::current_database_name()),
                                text(&t.schema),
                                text(&f.name),
                                text(crate::catalog::names::current_database_name()),
                                text(&t.schema),
                                text(&t.name),
                                text(&t.columns[*c].name),
                                Value::Int4(n as i32 + 1),
                                position.map_or(Value::Null, Value::Int4),
                            ]
                        })
                    }))
            })
            .collect(),
        "referential_constraints" => tables
            .iter()
            .flat_map(|t| {
                t.foreign_keys.iter().map(move |f| {
                    let unique = catalog.referenced_index(f).map(|i| i.name);
                    let unique_schema = catalog
                        .table_of(crate::storage::RelId(f.ref_table))
                        .map_or_else(|| t.schema.clone(), |r| r.schema.clone());
                    vec![
                        text(crate::catalog::names::current_database_name()),
                        text(&t.schema),
                        text(&f.name),
                        text(crate::catalog::names::current_database_name()),
                        text(unique_schema),
                        unique.map_or(Value::Null, text),
                        text("NONE"),
                        text(f.on_update.sql()),
                        text(f.on_delete.sql()),
                    ]
                })
            })
            .collect(),
        "check_constraints" => tables
            .iter()
            .flat_map(|t| {
                let checks = t.checks.iter().map(|c| {
                    vec![
                        text(crate::catalog::names::current_database_name()),
                        text(&t.schema),
                        text(&c.name),
                        text(format!("(({}))", c.expr)),
                    ]
                });
                let not_null = t
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.not_null)
                    .map(|(n, c)| {
                        vec![
                            text(crate::catalog::names::current_database_name()),
                            text(&t.schema),
                            text(format!(
                                "{}_{}_{}_not_null",
                                catalog.schema_oid(&t.schema),
                                t.oid,
                                n + 1
                            )),
                            text(format!("{} IS NOT NULL", super::quote_ident(&c.name))),
                        ]
                    });
                checks.chain(not_null).collect::<Vec<_>>()
            })
            .collect(),
        "sequences" => catalog
            .sequences()
            .iter()
            .filter(|s| !super::rows::is_identity_sequence(catalog, s))
            .map(|s| {
                let bits = match s.data_type {
                    DataType::Int2 => 16,
                    DataType::Int4 => 32,
                    _ => 64,
                };
                let text = |v: String| Value::Text(v);
                vec![
                    text(crate::catalog::names::current_database_name()),
                    text(s.schema.clone()),
                    text(s.name.clone()),
                    text(s.data_type.sql_name().to_string()),
                    Value::Int4(bits),
                    Value::Int4(2),
                    Value::Int4(0),
                    text(s.start.to_string()),
                    text(s.min.to_string()),
                    text(s.max.to_string()),
                    text(s.increment.to_string()),
                    text(if s.cycle { "YES" } else { "NO" }.to_string()),
                ]
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn constraint_row(name: &str, t: &TableDef, kind: &str, nulls_distinct: Value) -> Vec<Value> {
    vec![
        text(crate::catalog::names::current_database_name()),
        text(&t.schema),
        text(name),
        text(crate::catalog::names::current_database_name()),
        text(&t.schema),
        text(&t.name),
        text(kind),
        text("NO"),
        text("NO"),
        text("YES"),
        nulls_distinct,
    ]
}

fn column_rows(catalog: &Catalog, t: &TableDef) -> Vec<Vec<Value>> {
    t.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_dropped())
        .map(|(i, c)| {
            let ty = c.ty;
            let (precision, radix, scale) = numeric_shape(ty);
            let length = match ty.data_type {
                DataType::Varchar | DataType::Bpchar => ty.char_length().map(|n| n as i32),
                _ => None,
            };
            let octets = match ty.data_type {
                DataType::Varchar | DataType::Bpchar => length.map(|n| n * 4),
                DataType::Text => Some(1_073_741_824),
                _ => None,
            };
            let datetime = match ty.data_type {
                DataType::Date => Some(0),
                DataType::Timestamp | DataType::Timestamptz => Some(6),
                _ => None,
            };
            let int = |v: Option<i32>| v.map_or(Value::Null, Value::Int4);
            vec![
                text(crate::catalog::names::current_database_name()),
                text(&t.schema),
                text(&t.name),
                text(&c.name),
                Value::Int4(i as i32 + 1),
                c.default.as_ref().map_or(Value::Null, |d| {
                    text(super::rows::deparsed_default(catalog, d, ty.data_type))
                }),
                text(if c.not_null { "NO" } else { "YES" }),
                text(data_type_name(ty)),
                int(length),
                int(octets),
                int(precision),
                int(radix),
                int(scale),
                int(datetime),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                text(crate::catalog::names::current_database_name()),
                text(if matches!(ty.data_type, DataType::Enum(_)) {
                    "public"
                } else {
                    "pg_catalog"
                }),
                text(super::super::types::internal_name(ty.data_type)),
                text((i + 1).to_string()),
                text("NO"),
                text("NO"),
                Value::Null,
                text("NEVER"),
                Value::Null,
                text("YES"),
            ]
        })
        .collect()
}

/// `data_type` as information_schema spells it.
fn data_type_name(ty: ColumnType) -> &'static str {
    match ty.data_type {
        DataType::Array(_) => "ARRAY",
        DataType::Enum(_) => "USER-DEFINED",
        DataType::Bpchar => "character",
        t => t.sql_name(),
    }
}

/// (numeric_precision, numeric_precision_radix, numeric_scale).
fn numeric_shape(ty: ColumnType) -> (Option<i32>, Option<i32>, Option<i32>) {
    match ty.data_type {
        DataType::Int2 => (Some(16), Some(2), Some(0)),
        DataType::Int4 => (Some(32), Some(2), Some(0)),
        DataType::Int8 => (Some(64), Some(2), Some(0)),
        DataType::Float4 => (Some(24), Some(2), None),
        DataType::Float8 => (Some(53), Some(2), None),
        DataType::Numeric => match ty.numeric_precision_scale() {
            Some((p, s)) => (Some(p as i32), Some(10), Some(s)),
            None => (None, Some(10), None),
        },
        _ => (None, None, None),
    }
}

/// A view's columns as a table's, for the column listings.
fn as_table(v: &crate::catalog::ViewDef) -> std::sync::Arc<TableDef> {
    std::sync::Arc::new(TableDef {
        oid: v.oid,
        name: v.name.clone(),
        schema: v.schema.clone(),
        database: v.database,
        columns: v.columns.clone(),
        indexes: Vec::new(),
        owner: v.owner,
        checks: Vec::new(),
        foreign_keys: Vec::new(),
    })
}
