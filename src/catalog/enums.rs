//! Enum types: CREATE TYPE … AS ENUM, ALTER TYPE … ADD VALUE / RENAME
//! TO, DROP TYPE, shown by pg_type and pg_enum.
//!
//! ```text
//! relation 12  flint_type  (oid int8, typname text, typowner int8, typarray int8)
//! relation 13  flint_enum  (oid int8, enumtypid int8, enumsortorder float4, enumlabel text)
//! ```
//!
//! The cache maps each type's OID to its shared definition
//! ([`crate::types::enums::intern`]); columns hold that definition in
//! their [`DataType::Enum`], so a new label replaces it in the tables
//! that use the type too.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{corrupt, delete_rows, insert_row, scan, Catalog, RelId};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::enums::{self, EnumLabel, EnumType};
use crate::types::{DataType, Value};

/// Relation of the enum types.
pub(super) const TYPE_REL: RelId = RelId(12);
const TYPE_WIDTH: usize = 4;
/// Relation of their labels.
pub(super) const ENUM_REL: RelId = RelId(13);
const ENUM_WIDTH: usize = 4;

/// Enum types by OID.
pub(super) type EnumTypes = HashMap<u32, &'static EnumType>;

impl Catalog {
    /// An enum type by OID.
    pub fn enum_type(&self, oid: u32) -> Option<&'static EnumType> {
        self.enums.read().get(&oid).copied()
    }

    /// An enum type by name.
    pub fn enum_type_by_name(&self, name: &str) -> Option<&'static EnumType> {
        self.enums.read().values().find(|t| t.name == name).copied()
    }

    /// Every enum type, oldest first.
    pub fn enum_types(&self) -> Vec<&'static EnumType> {
        let mut all: Vec<_> = self.enums.read().values().copied().collect();
        all.sort_by_key(|t| t.oid);
        all
    }

    /// The type an OID names: a built-in type, an enum type or an array
    /// of one.
    pub fn data_type_of(&self, oid: u32) -> Option<DataType> {
        DataType::from_oid(oid).or_else(|| enum_data_type(&self.enums.read(), oid))
    }

    /// CREATE TYPE name AS ENUM (labels).
    pub fn create_enum(
        &self,
        name: &str,
        labels: &[String],
        owner: u32,
        xid: Xid,
    ) -> Result<&'static EnumType> {
        let mut all = self.enums.write();
        if all.values().any(|t| t.name == name) || self.get_table(name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "type \"{name}\" already exists"
            ));
        }
        for (i, label) in labels.iter().enumerate() {
            enums::check_label(label)?;
            if labels[..i].contains(label) {
                return Err(errinput!(
                    sqlstate::UNIQUE_VIOLATION,
                    "duplicate key value violates unique constraint \"pg_enum_typid_label_index\""
                )
                .with_detail(format!(
                    "Key (enumtypid, enumlabel)=({}, {label}) already exists.",
                    self.next_oid.load(Ordering::Acquire)
                )));
            }
        }
        let oid = self.next_oid.fetch_add(2, Ordering::AcqRel);
        let mut def = EnumType {
            oid,
            array_oid: oid + 1,
            name: name.to_string(),
            sql_name: String::new(),
            array_sql_name: String::new(),
            array_internal_name: String::new(),
            owner,
            labels: Vec::with_capacity(labels.len()),
        };
        insert_row(&self.heap, TYPE_REL, xid, &type_row(&def))?;
        for (i, label) in labels.iter().enumerate() {
            let label = EnumLabel {
                oid: self.next_oid.fetch_add(1, Ordering::AcqRel),
                sort: (i + 1) as f32,
                name: label.clone(),
            };
            insert_row(&self.heap, ENUM_REL, xid, &label_row(oid, &label))?;
            def.labels.push(label);
        }
        let def = enums::intern(def);
        all.insert(oid, def);
        Ok(def)
    }

    /// ALTER TYPE … ADD VALUE [IF NOT EXISTS] label [BEFORE|AFTER other].
    /// Returns false when the label exists and IF NOT EXISTS was given.
    pub fn add_enum_label(
        &self,
        oid: u32,
        label: &str,
        neighbour: Option<(&str, bool)>,
        if_not_exists: bool,
        xid: Xid,
    ) -> Result<bool> {
        let mut all = self.enums.write();
        let Some(old) = all.get(&oid).copied() else {
            return Err(crate::errinternal!("enum type {oid} vanished"));
        };
        enums::check_label(label)?;
        if old.labels.iter().any(|l| l.name == label) {
            if if_not_exists {
                return Ok(false);
            }
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "enum label \"{label}\" already exists"
            ));
        }
        let (at, sort) = old.sort_for_new(neighbour)?;
        let new = EnumLabel {
            oid: self.next_oid.fetch_add(1, Ordering::AcqRel),
            sort,
            name: label.to_string(),
        };
        insert_row(&self.heap, ENUM_REL, xid, &label_row(oid, &new))?;
        let mut def = old.clone();
        def.labels.insert(at, new);
        self.replace_enum(&mut all, enums::intern(def));
        Ok(true)
    }

    /// ALTER TYPE … RENAME TO.
    pub fn rename_enum(&self, oid: u32, new_name: &str, xid: Xid) -> Result<()> {
        let mut all = self.enums.write();
        let Some(old) = all.get(&oid).copied() else {
            return Err(crate::errinternal!("enum type {oid} vanished"));
        };
        if all.values().any(|t| t.name == new_name) || self.get_table(new_name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "type \"{new_name}\" already exists"
            ));
        }
        let key = Value::Int8(oid as i64);
        delete_rows(&self.heap, &self.clog, TYPE_REL, TYPE_WIDTH, xid, |v| {
            v[0] == key
        })?;
        let mut def = old.clone();
        def.name = new_name.to_string();
        insert_row(&self.heap, TYPE_REL, xid, &type_row(&def))?;
        self.replace_enum(&mut all, enums::intern(def));
        Ok(())
    }

    /// ALTER TYPE … RENAME VALUE old TO new: the label keeps its OID and
    /// sort order, so stored values read with the new name.
    pub fn rename_enum_label(&self, oid: u32, old: &str, new: &str, xid: Xid) -> Result<()> {
        let mut all = self.enums.write();
        let Some(def) = all.get(&oid).copied() else {
            return Err(crate::errinternal!("enum type {oid} vanished"));
        };
        enums::check_label(new)?;
        let Some(at) = def.labels.iter().position(|l| l.name == old) else {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "\"{old}\" is not an existing enum label"
            ));
        };
        if def.labels.iter().any(|l| l.name == new) {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "enum label \"{new}\" already exists"
            ));
        }
        let label_oid = Value::Int8(def.labels[at].oid as i64);
        delete_rows(&self.heap, &self.clog, ENUM_REL, ENUM_WIDTH, xid, |v| {
            v[0] == label_oid
        })?;
        let mut renamed = def.clone();
        renamed.labels[at].name = new.to_string();
        insert_row(
            &self.heap,
            ENUM_REL,
            xid,
            &label_row(oid, &renamed.labels[at]),
        )?;
        self.replace_enum(&mut all, enums::intern(renamed));
        Ok(())
    }

    /// A stored enum value (or array of them) with its label as the type
    /// names it now, found by its sort order.
    pub fn relabel(&self, value: &mut Value) {
        match value {
            Value::Enum(e) => {
                if let Some(t) = self.enum_type(e.type_oid) {
                    if let Some(l) = t.labels.iter().find(|l| l.sort == e.sort) {
                        if l.name != e.label {
                            e.label = l.name.clone();
                        }
                    }
                }
            }
            Value::Array(a) => {
                if let DataType::Enum(elem) = a.elem {
                    if let Some(t) = self.enum_type(elem.oid) {
                        a.elem = DataType::Enum(t);
                    }
                    for item in &mut a.items {
                        self.relabel(item);
                    }
                }
            }
            _ => {}
        }
    }

    /// DROP TYPE: 2BP01 while a column has the type.
    pub fn drop_enum(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut all = self.enums.write();
        let Some(def) = all.get(&oid).copied() else {
            return Err(crate::errinternal!("enum type {oid} vanished"));
        };
        let users: Vec<String> = self
            .tables()
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| !c.is_dropped() && uses_enum(c.ty.data_type, oid))
                    .map(|c| {
                        format!(
                            "column {} of table {} depends on type {}",
                            c.name,
                            t.name,
                            c.ty.data_type.sql_name()
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if !users.is_empty() {
            return Err(errinput!(
                sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                "cannot drop type {} because other objects depend on it",
                def.name
            )
            .with_detail(users.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        let key = Value::Int8(oid as i64);
        delete_rows(&self.heap, &self.clog, TYPE_REL, TYPE_WIDTH, xid, |v| {
            v[0] == key
        })?;
        delete_rows(&self.heap, &self.clog, ENUM_REL, ENUM_WIDTH, xid, |v| {
            v[1] == key
        })?;
        all.remove(&oid);
        Ok(())
    }

    /// Puts a newer definition of a type in the cache and in the columns
    /// of the tables that use it.
    fn replace_enum(&self, all: &mut EnumTypes, def: &'static EnumType) {
        all.insert(def.oid, def);
        let mut tables = self.tables.write();
        for table in tables.values_mut() {
            if table
                .columns
                .iter()
                .any(|c| uses_enum(c.ty.data_type, def.oid))
            {
                let t = Arc::make_mut(table);
                for c in &mut t.columns {
                    match c.ty.data_type {
                        DataType::Enum(t) if t.oid == def.oid => {
                            c.ty.data_type = DataType::Enum(def);
                        }
                        DataType::Array(DataType::Enum(t)) if t.oid == def.oid => {
                            c.ty.data_type =
                                DataType::Array(crate::types::enums::element_type(def));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

fn type_row(t: &EnumType) -> [Value; TYPE_WIDTH] {
    [
        Value::Int8(t.oid as i64),
        Value::Text(t.name.clone()),
        Value::Int8(t.owner as i64),
        Value::Int8(t.array_oid as i64),
    ]
}

fn label_row(type_oid: u32, l: &EnumLabel) -> [Value; ENUM_WIDTH] {
    [
        Value::Int8(l.oid as i64),
        Value::Int8(type_oid as i64),
        Value::Float4(l.sort),
        Value::Text(l.name.clone()),
    ]
}

/// Every stored enum type with its labels.
/// Whether a column of type `t` holds values of enum type `oid` (or
/// arrays of them).
pub fn uses_enum(t: DataType, oid: u32) -> bool {
    match t {
        DataType::Enum(e) => e.oid == oid,
        DataType::Array(DataType::Enum(e)) => e.oid == oid,
        _ => false,
    }
}

/// The enum type, or array of one, with this OID.
pub(super) fn enum_data_type(types: &EnumTypes, oid: u32) -> Option<DataType> {
    if let Some(t) = types.get(&oid) {
        return Some(DataType::Enum(t));
    }
    let t = types.values().find(|t| t.array_oid == oid)?;
    crate::types::array::array_of(DataType::Enum(t))
}

pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<EnumTypes> {
    let mut types: HashMap<u32, EnumType> = HashMap::new();
    for v in scan(heap, clog, TYPE_REL, TYPE_WIDTH)? {
        let (Value::Int8(oid), Value::Text(name), Value::Int8(owner), Value::Int8(array)) =
            (&v[0], &v[1], &v[2], &v[3])
        else {
            return Err(corrupt("flint_type"));
        };
        types.insert(
            *oid as u32,
            EnumType {
                oid: *oid as u32,
                array_oid: *array as u32,
                name: name.clone(),
                sql_name: String::new(),
                array_sql_name: String::new(),
                array_internal_name: String::new(),
                owner: *owner as u32,
                labels: Vec::new(),
            },
        );
    }
    for v in scan(heap, clog, ENUM_REL, ENUM_WIDTH)? {
        let (Value::Int8(oid), Value::Int8(type_oid), Value::Float4(sort), Value::Text(name)) =
            (&v[0], &v[1], &v[2], &v[3])
        else {
            return Err(corrupt("flint_enum"));
        };
        let t = types
            .get_mut(&(*type_oid as u32))
            .ok_or_else(|| corrupt("flint_enum"))?;
        t.labels.push(EnumLabel {
            oid: *oid as u32,
            sort: *sort,
            name: name.clone(),
        });
    }
    Ok(types
        .into_iter()
        .map(|(oid, mut t)| {
            t.labels.sort_by(|a, b| a.sort.total_cmp(&b.sort));
            (oid, enums::intern(t))
        })
        .collect())
}

/// The OIDs the enum types use (to seed the next OID).
pub(super) fn oids(types: &EnumTypes) -> impl Iterator<Item = u32> + '_ {
    types.values().flat_map(|t| {
        [t.oid, t.array_oid]
            .into_iter()
            .chain(t.labels.iter().map(|l| l.oid))
    })
}
