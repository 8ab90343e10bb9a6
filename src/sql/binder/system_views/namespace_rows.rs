//! pg_namespace's and pg_database's rows: the current database's schemas,
//! and the databases (with PostgreSQL's two templates, listed but closed
//! to connections).

use super::rows::{acl_text, oid, text};
use crate::catalog::acl::AclObject;
use crate::catalog::Catalog;
use crate::types::{DataType, Value};

pub(super) fn namespaces(catalog: &Catalog) -> Vec<Vec<Value>> {
    catalog
        .schemas()
        .iter()
        .map(|s| {
            vec![
                oid(s.oid),
                text(&s.name),
                oid(s.owner),
                acl_text(catalog, AclObject::Schema(s.oid)),
            ]
        })
        .collect()
}

pub(super) fn databases(catalog: &Catalog) -> Vec<Vec<Value>> {
    let database = |o: u32, name: &str, owner: u32, template: bool, acl: Value| {
        vec![
            oid(o),
            text(name),
            oid(owner),
            Value::Int4(6),
            text("c"),
            Value::Bool(template),
            Value::Bool(!template),
            Value::Int4(-1),
            text("C"),
            text("C"),
            Value::Null,
            Value::Null,
            acl,
        ]
    };
    let mut out: Vec<Vec<Value>> = catalog
        .databases()
        .iter()
        .map(|d| {
            let owner = catalog.owner_of(AclObject::Database(d.oid));
            let acl = acl_text(catalog, AclObject::Database(d.oid));
            database(d.oid, &d.name, owner, false, acl)
        })
        .collect();
    // The template databases CREATE DATABASE may name: listed as
    // PostgreSQL lists them, but not open to connections.
    let owner = crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
    let name = catalog.role_name(owner);
    for (o, template) in [(1, "template1"), (4, "template0")] {
        let acl = Value::Array(Box::new(crate::types::array::ArrayValue {
            elem: DataType::Text,
            items: vec![
                text(format!("=c/{name}")),
                text(format!("{name}=CTc/{name}")),
            ],
        }));
        out.push(database(o, template, owner, true, acl));
    }
    out
}
