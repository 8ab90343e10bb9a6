//! nextval, currval, setval, lastval and pg_get_serial_sequence, with
//! PostgreSQL's privilege rules and messages: nextval needs USAGE or
//! UPDATE on the sequence, currval and lastval USAGE or SELECT, setval
//! UPDATE (a sequence's ACL is its relation's).

use std::sync::Arc;

use super::Env;
use crate::catalog::acl::{AclObject, Privs};
use crate::catalog::{Catalog, SequenceDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::binder::system_views::quote_ident;
use crate::sql::expr::Function;
use crate::types::{RegKind, Value};

/// Evaluates one of this file's functions; None for any other.
pub fn call(func: Function, values: &[Value], ctx: &dyn Env) -> Result<Option<Value>> {
    if !matches!(
        func,
        Function::NextVal
            | Function::CurrVal
            | Function::SetVal
            | Function::LastVal
            | Function::PgGetSerialSequence
    ) {
        return Ok(None);
    }
    let Some(catalog) = ctx.catalog() else {
        return Err(crate::errunsupported!(
            "sequence functions outside a statement"
        ));
    };
    let role = ctx.context().role;
    let session = &ctx.context().sequences;
    let value = match func {
        Function::NextVal => {
            let def = sequence(catalog, &values[0])?;
            require(catalog, role, &def, Privs(Privs::USAGE.0 | Privs::UPDATE.0))?;
            let v = catalog.nextval(&def)?;
            session.lock().record(def.oid, v);
            Value::Int8(v)
        }
        Function::CurrVal => {
            let def = sequence(catalog, &values[0])?;
            require(catalog, role, &def, Privs(Privs::USAGE.0 | Privs::SELECT.0))?;
            let current = session.lock().current(def.oid);
            Value::Int8(current.ok_or_else(|| {
                errinput!(
                    sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "currval of sequence \"{}\" is not yet defined in this session",
                    def.name
                )
            })?)
        }
        Function::LastVal => {
            let not_yet = || {
                errinput!(
                    sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "lastval is not yet defined in this session"
                )
            };
            let oid = session.lock().last().ok_or_else(not_yet)?;
            let def = catalog.sequence_by_oid(oid).ok_or_else(not_yet)?;
            require(catalog, role, &def, Privs(Privs::USAGE.0 | Privs::SELECT.0))?;
            let current = session.lock().current(oid);
            Value::Int8(current.ok_or_else(not_yet)?)
        }
        Function::SetVal => {
            let def = sequence(catalog, &values[0])?;
            require(catalog, role, &def, Privs::UPDATE)?;
            let Value::Int8(v) = values[1] else {
                return Err(crate::errinternal!("setval of a non-bigint"));
            };
            let is_called = !matches!(values.get(2), Some(Value::Bool(false)));
            catalog.setval(&def, v, is_called)?;
            Value::Int8(v)
        }
        _ => serial_sequence(catalog, values)?,
    };
    Ok(Some(value))
}

/// The sequence a regclass names: 42809 for another kind of relation.
fn sequence(catalog: &Catalog, v: &Value) -> Result<Arc<SequenceDef>> {
    let oid = match v {
        Value::Oid(o) => *o,
        Value::Int8(o) => *o as u32,
        Value::Int4(o) => *o as u32,
        _ => 0,
    };
    if let Some(def) = catalog.sequence_by_oid(oid) {
        return Ok(def);
    }
    match super::reg_names::reg_name(RegKind::Class, oid, catalog) {
        Value::Text(name) if name.parse::<u32>().is_err() => Err(errinput!(
            sqlstate::WRONG_OBJECT_TYPE,
            "\"{name}\" is not a sequence"
        )),
        _ => Err(errinput!(
            sqlstate::UNDEFINED_TABLE,
            "could not open relation with OID {oid}"
        )),
    }
}

fn require(catalog: &Catalog, role: u32, def: &SequenceDef, any_of: Privs) -> Result<()> {
    if catalog.is_superuser(role)
        || catalog
            .privileges_of(role, AclObject::Sequence(def.oid))
            .intersects(any_of)
    {
        return Ok(());
    }
    Err(errinput!(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        "permission denied for sequence {}",
        def.name
    ))
}

/// pg_get_serial_sequence(table, column): `public.seq` of the sequence the
/// column owns, NULL if none.
fn serial_sequence(catalog: &Catalog, values: &[Value]) -> Result<Value> {
    let (Value::Text(table), Value::Text(column)) = (&values[0], &values[1]) else {
        return Ok(Value::Null);
    };
    let name = &super::catalog_functions::relation_key(catalog, table)?;
    let t = catalog.must_get_table(name)?;
    let position = t.column_index(column).ok_or_else(|| {
        errinput!(
            sqlstate::UNDEFINED_COLUMN,
            "column \"{column}\" of relation \"{name}\" does not exist"
        )
    })?;
    let owned = catalog
        .sequences_owned_by(t.oid)
        .into_iter()
        .find(|s| s.owned_by == Some((t.oid, position as i16 + 1)));
    Ok(owned.map_or(Value::Null, |s| {
        Value::Text(format!(
            "{}.{}",
            quote_ident(&s.schema),
            quote_ident(&s.name)
        ))
    }))
}
