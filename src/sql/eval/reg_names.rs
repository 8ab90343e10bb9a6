//! OID-alias output: a `regclass`, `regtype`, `regnamespace` or `regrole`
//! value printed as the name of what it identifies, as PostgreSQL's
//! `regclassout` and friends do: `-` for 0, the bare number for an OID
//! nothing has.

use crate::catalog::acl::{CATALOG_SCHEMA_OID, DATABASE_OWNER_ROLE, PUBLIC_SCHEMA_OID};
use crate::catalog::Catalog;
use crate::sql::binder::system_views::{
    self, quote_ident, relation_by_oid, INFORMATION_SCHEMA_OID, TOAST_SCHEMA_OID,
};
use crate::types::{RegKind, Value};

/// The name an OID of the given kind prints as.
pub fn reg_name(kind: RegKind, o: u32, catalog: &Catalog) -> Value {
    if o == 0 {
        return Value::Text("-".to_string());
    }
    let name = match kind {
        RegKind::Class => class_name(o, catalog),
        RegKind::Type => type_name(o, catalog),
        RegKind::Namespace => namespace_name(o).map(quote_ident),
        RegKind::Role => (catalog.roles().by_oid(o).is_some() || o == DATABASE_OWNER_ROLE)
            .then(|| quote_ident(&catalog.role_name(o))),
    };
    Value::Text(name.unwrap_or_else(|| o.to_string()))
}

fn class_name(o: u32, catalog: &Catalog) -> Option<String> {
    if let Some((schema, (name, ..))) = system_views::all_views().find(|(_, (_, v, _))| *v == o) {
        return Some(if schema == "information_schema" {
            format!("information_schema.{name}")
        } else {
            name.to_string()
        });
    }
    if let Some(v) = catalog.views().iter().find(|v| v.oid == o) {
        return Some(quote_ident(&v.name));
    }
    if let Some(s) = catalog.sequence_by_oid(o) {
        return Some(quote_ident(&s.name));
    }
    relation_by_oid(catalog, o).map(|(t, i)| match i {
        Some(i) => quote_ident(&i.name),
        None => quote_ident(&t.name),
    })
}

fn type_name(o: u32, catalog: &Catalog) -> Option<String> {
    let name = super::catalog_functions::format_type(o, -1, Some(catalog));
    (name != "???").then_some(name)
}

fn namespace_name(o: u32) -> Option<&'static str> {
    Some(match o {
        CATALOG_SCHEMA_OID => "pg_catalog",
        PUBLIC_SCHEMA_OID => "public",
        TOAST_SCHEMA_OID => "pg_toast",
        INFORMATION_SCHEMA_OID => "information_schema",
        _ => return None,
    })
}
