//! The Arrow type of each PostgreSQL column type. Every field carries its
//! PostgreSQL type name in the `flintdb.type` metadata key, so a reader
//! knows what the Arrow type stands for (an enum label is Utf8, a numeric
//! without precision is Utf8 too).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType as Arrow, Field, Fields, Schema, TimeUnit};

use crate::types::{ColumnType, DataType};

/// Metadata key naming a field's PostgreSQL type.
pub const PG_TYPE_KEY: &str = "flintdb.type";

/// Largest precision Decimal128 holds.
const DECIMAL128_MAX_PRECISION: u32 = 38;

/// The Arrow schema of a row of these columns.
pub fn arrow_schema(columns: &[(String, ColumnType)]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, ty)| field(name, *ty))
            .collect::<Vec<_>>(),
    ))
}

/// One column's field: nullable, typed, with its PostgreSQL type name.
pub fn field(name: &str, ty: ColumnType) -> Field {
    let mut f = Field::new(name, arrow_type(ty), true);
    match ty.data_type {
        DataType::Uuid => f = f.with_extension_type(arrow_schema::extension::Uuid),
        DataType::Json | DataType::Jsonb => {
            f = f.with_extension_type(arrow_schema::extension::Json::default())
        }
        _ => {}
    }
    let mut metadata = f.metadata().clone();
    metadata.insert(PG_TYPE_KEY.to_string(), ty.sql_name());
    f.with_metadata(metadata)
}

/// The Arrow type of a column type.
pub fn arrow_type(ty: ColumnType) -> Arrow {
    match ty.data_type {
        DataType::Numeric => match ty.numeric_precision_scale() {
            Some((p, s)) if p <= DECIMAL128_MAX_PRECISION && s >= 0 && s as u32 <= p => {
                Arrow::Decimal128(p as u8, s as i8)
            }
            _ => Arrow::Utf8,
        },
        other => element_type(other),
    }
}

/// The Arrow type of a value of this type without modifier (array
/// elements have none).
pub fn element_type(t: DataType) -> Arrow {
    match t {
        DataType::Bool => Arrow::Boolean,
        DataType::Int2 => Arrow::Int16,
        DataType::Int4 => Arrow::Int32,
        DataType::Int8 => Arrow::Int64,
        DataType::Float4 => Arrow::Float32,
        DataType::Float8 => Arrow::Float64,
        DataType::Oid | DataType::Reg(_) => Arrow::UInt32,
        DataType::Bytea => Arrow::Binary,
        DataType::Date => Arrow::Date32,
        DataType::Timestamp => Arrow::Timestamp(TimeUnit::Microsecond, None),
        DataType::Timestamptz => Arrow::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Interval => Arrow::Struct(interval_fields()),
        DataType::Uuid => Arrow::FixedSizeBinary(16),
        DataType::Array(elem) => {
            Arrow::List(Arc::new(Field::new("element", element_type(*elem), true)))
        }
        DataType::Int2Vector => list_of(Arrow::Int16),
        DataType::OidVector => list_of(Arrow::UInt32),
        // numeric without a Decimal128 form, strings, JSON, enums, records:
        // their text.
        _ => Arrow::Utf8,
    }
}

fn list_of(t: Arrow) -> Arrow {
    Arrow::List(Arc::new(Field::new("element", t, true)))
}

/// An interval's three parts, exactly as PostgreSQL keeps them.
pub fn interval_fields() -> Fields {
    Fields::from(vec![
        Field::new("months", Arrow::Int32, false),
        Field::new("days", Arrow::Int32, false),
        Field::new("microseconds", Arrow::Int64, false),
    ])
}

/// The PostgreSQL type names a file's fields record, by field name.
pub fn recorded_types(schema: &Schema) -> HashMap<String, String> {
    schema
        .fields()
        .iter()
        .filter_map(|f| {
            f.metadata()
                .get(PG_TYPE_KEY)
                .map(|t| (f.name().clone(), t.clone()))
        })
        .collect()
}
