//! Binding CREATE TYPE … AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE,
//! RENAME TO) and
//! DROP TYPE. Other kinds of user-defined types (composite, range, base)
//! are refused with 0A000.

use sqlparser::ast::{
    AlterType, AlterTypeAddValuePosition, AlterTypeOperation, ObjectName,
    UserDefinedTypeRepresentation,
};

use super::scope::qualified_name;
use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::{EnumChange, Plan};
use crate::types::enums::EnumType;

/// A type's name: enum types live in schema public (`public.t` is `t`;
/// another schema's name is kept, so lookups find nothing).
fn type_name(name: &ObjectName) -> Result<String> {
    Ok(match qualified_name(name)? {
        (None, t) => t,
        (Some(s), t) if s == "public" => t,
        (Some(s), t) => format!("{s}.{t}"),
    })
}

/// The enum type a name names, or 42704.
fn must_get(catalog: &Catalog, name: &str) -> Result<&'static EnumType> {
    catalog
        .enum_type_by_name(name)
        .ok_or_else(|| errinput!(sqlstate::UNDEFINED_OBJECT, "type \"{name}\" does not exist"))
}

/// CREATE TYPE name AS ENUM ('a', 'b', …).
pub fn bind_create_type(
    name: &ObjectName,
    representation: Option<&UserDefinedTypeRepresentation>,
) -> Result<Plan> {
    let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
        return Err(crate::errunsupported!(
            "CREATE TYPE other than AS ENUM (composite, range and base types)"
        ));
    };
    let name = match qualified_name(name)? {
        (None, t) => t,
        (Some(s), t) if s == "public" => t,
        (Some(s), _) => {
            return Err(crate::errunsupported!(
                "types in schemas other than public (\"{s}\")"
            ))
        }
    };
    Ok(Plan::CreateEnum {
        name,
        labels: labels.iter().map(|l| l.value.clone()).collect(),
    })
}

/// ALTER TYPE name ADD VALUE … / RENAME TO ….
pub fn bind_alter_type(catalog: &Catalog, a: &AlterType) -> Result<Plan> {
    let t = must_get(catalog, &type_name(&a.name)?)?;
    let change = match &a.operation {
        AlterTypeOperation::AddValue(add) => EnumChange::AddValue {
            label: add.value.value.clone(),
            neighbour: add.position.as_ref().map(|p| match p {
                AlterTypeAddValuePosition::Before(n) => (n.value.clone(), true),
                AlterTypeAddValuePosition::After(n) => (n.value.clone(), false),
            }),
            if_not_exists: add.if_not_exists,
        },
        AlterTypeOperation::Rename(r) => EnumChange::Rename(r.new_name.value.clone()),
        AlterTypeOperation::RenameValue(r) => EnumChange::RenameValue {
            old: r.from.value.clone(),
            new: r.to.value.clone(),
        },
    };
    Ok(Plan::AlterEnum {
        oid: t.oid,
        name: t.name.clone(),
        change,
    })
}

/// DROP TYPE [IF EXISTS] name, … (CASCADE is refused where a column uses
/// the type).
pub fn bind_drop_types(
    catalog: &Catalog,
    names: &[ObjectName],
    if_exists: bool,
    cascade: bool,
) -> Result<Plan> {
    let (mut oids, mut missing) = (Vec::new(), Vec::new());
    for name in names {
        let name = type_name(name)?;
        match catalog.enum_type_by_name(&name) {
            Some(t) => {
                let used = catalog.tables().iter().any(|table| {
                    table
                        .columns
                        .iter()
                        .any(|c| crate::catalog::uses_enum(c.ty.data_type, t.oid))
                });
                if cascade && used {
                    return Err(crate::errunsupported!(
                        "DROP TYPE … CASCADE of a type that columns use"
                    ));
                }
                oids.push((t.oid, name))
            }
            None if if_exists => missing.push(name),
            None => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_OBJECT,
                    "type \"{name}\" does not exist"
                ))
            }
        }
    }
    Ok(Plan::DropTypes {
        types: oids,
        missing,
    })
}
