//! Enum types (`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`): a
//! type's labels in their order, and the values of such a type.
//!
//! A type is described once per definition and shared as a `&'static`
//! (see [`intern`]), so [`super::DataType::Enum`] stays `Copy` and every
//! function that parses or names a type can do it without the catalog.
//! Types compare by OID: a newer definition of one type (after
//! `ALTER TYPE … ADD VALUE`) is the same type.
//!
//! A value carries its label's sort order and text, so rows decode,
//! compare and print without the catalog. Sort orders never change once
//! given (new labels take the midpoint of their neighbours), which is what
//! makes storing them in rows sound. A row's label text may be older than
//! a `RENAME VALUE`: the executor reads it back by sort order from the
//! catalog's definition (`Catalog::relabel`).

use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use super::Value;
use crate::errinput;
use crate::error::{sqlstate, Result};

/// An enum type's definition.
#[derive(Clone, Debug)]
pub struct EnumType {
    pub oid: u32,
    /// The array type's OID (PostgreSQL makes `_name` with every type).
    pub array_oid: u32,
    pub name: String,
    /// The name as `format_type` prints it (quoted where needed); set by
    /// [`intern`].
    pub sql_name: String,
    /// The array type's names (`mood[]`, `_mood`); set by [`intern`].
    pub array_sql_name: String,
    pub array_internal_name: String,
    pub owner: u32,
    /// Labels in sort order.
    pub labels: Vec<EnumLabel>,
}

/// One label of an enum type (a row of pg_enum).
#[derive(Clone, Debug, PartialEq)]
pub struct EnumLabel {
    pub oid: u32,
    /// pg_enum.enumsortorder: 1, 2, 3 … as created; midpoints for labels
    /// added BEFORE or AFTER another.
    pub sort: f32,
    pub name: String,
}

/// A value of an enum type.
#[derive(Clone, Debug)]
pub struct EnumValue {
    pub type_oid: u32,
    pub sort: f32,
    pub label: String,
}

impl PartialEq for EnumType {
    fn eq(&self, other: &Self) -> bool {
        self.oid == other.oid
    }
}

impl Eq for EnumType {}

impl Hash for EnumType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.oid.hash(state)
    }
}

/// Longest label PostgreSQL accepts (NAMEDATALEN - 1).
const MAX_LABEL_BYTES: usize = 63;

impl EnumType {
    /// A value from its label (enum_in), with PostgreSQL's error.
    pub fn parse(&self, text: &str) -> Result<Value> {
        match self.labels.iter().find(|l| l.name == text) {
            Some(l) => Ok(self.value(l)),
            None => Err(errinput!(
                sqlstate::INVALID_TEXT_REPRESENTATION,
                "invalid input value for enum {}: \"{text}\"",
                self.name
            )),
        }
    }

    /// The value of a label.
    pub fn value(&self, label: &EnumLabel) -> Value {
        Value::Enum(Box::new(EnumValue {
            type_oid: self.oid,
            sort: label.sort,
            label: label.name.clone(),
        }))
    }

    /// The sort order a new label takes: after the last, or between a
    /// neighbour and the label before or after it.
    pub fn sort_for_new(&self, neighbour: Option<(&str, bool)>) -> Result<(usize, f32)> {
        let Some((name, before)) = neighbour else {
            let last = self.labels.last().map_or(0.0, |l| l.sort);
            return Ok((self.labels.len(), last + 1.0));
        };
        let Some(at) = self.labels.iter().position(|l| l.name == name) else {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "\"{name}\" is not an existing enum label"
            ));
        };
        let (lo, hi, pos) = if before {
            let lo = at.checked_sub(1).map(|i| self.labels[i].sort);
            (lo, Some(self.labels[at].sort), at)
        } else {
            let hi = self.labels.get(at + 1).map(|l| l.sort);
            (Some(self.labels[at].sort), hi, at + 1)
        };
        let sort = match (lo, hi) {
            (Some(lo), Some(hi)) => (lo + hi) / 2.0,
            (None, Some(hi)) => hi - 1.0,
            (Some(lo), None) => lo + 1.0,
            (None, None) => 1.0,
        };
        if lo.is_some_and(|lo| sort <= lo) || hi.is_some_and(|hi| sort >= hi) {
            return Err(crate::errunsupported!(
                "adding another label between \"{}\" and its neighbour (their sort orders are too close)",
                name
            ));
        }
        Ok((pos, sort))
    }
}

/// Checks a label's length (42622 as in PostgreSQL).
pub fn check_label(label: &str) -> Result<()> {
    if label.len() > MAX_LABEL_BYTES {
        return Err(
            errinput!(sqlstate::INVALID_NAME, "invalid enum label \"{label}\"",)
                .with_detail("Labels must be 63 bytes or less."),
        );
    }
    Ok(())
}

/// A name as an identifier: bare if it is lower case letters, digits and
/// underscores not starting with a digit, else in double quotes.
fn quoted(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The newest interned definition of the type with this OID (every type
/// a stored row may hold: the catalog interns its types when it loads).
pub fn interned(oid: u32) -> Option<&'static EnumType> {
    let all = DEFINITIONS.lock().unwrap_or_else(|e| e.into_inner());
    all.iter().rev().find(|d| d.oid == oid).copied()
}

/// The element type of arrays of each interned definition.
static ELEMENTS: Mutex<Vec<&'static super::DataType>> = Mutex::new(Vec::new());

/// `DataType::Enum(t)` as a `&'static`, for `DataType::Array` of an
/// interned definition (one per definition).
pub fn element_type(t: &'static EnumType) -> &'static super::DataType {
    let mut all = ELEMENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = all
        .iter()
        .find(|d| matches!(d, super::DataType::Enum(e) if std::ptr::eq(*e, t)))
    {
        return found;
    }
    let leaked: &'static super::DataType = Box::leak(Box::new(super::DataType::Enum(t)));
    all.push(leaked);
    leaked
}

/// Every definition made so far in this process, to share.
static DEFINITIONS: Mutex<Vec<&'static EnumType>> = Mutex::new(Vec::new());

/// The shared copy of a definition: one per distinct definition in the
/// process, so the memory kept is bounded by the DDL ever run.
pub fn intern(mut def: EnumType) -> &'static EnumType {
    def.sql_name = quoted(&def.name);
    def.array_sql_name = format!("{}[]", def.sql_name);
    def.array_internal_name = format!("_{}", def.name);
    let mut all = DEFINITIONS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = all.iter().find(|d| {
        d.oid == def.oid
            && d.array_oid == def.array_oid
            && d.name == def.name
            && d.owner == def.owner
            && d.labels == def.labels
    }) {
        return found;
    }
    let leaked: &'static EnumType = Box::leak(Box::new(def));
    all.push(leaked);
    leaked
}
