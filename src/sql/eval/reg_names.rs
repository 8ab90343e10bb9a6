//! OID-alias output: a `regclass`, `regtype`, `regnamespace` or `regrole`
//! value printed as the name of what it identifies, as PostgreSQL's
//! `regclassout` and friends do: `-` for 0, the bare number for an OID
//! nothing has.

use crate::catalog::acl::DATABASE_OWNER_ROLE;
use crate::catalog::Catalog;
use crate::sql::binder::system_views::{self, quote_ident};
use crate::types::{RegKind, Value};

/// The name an OID of the given kind prints as.
pub fn reg_name(kind: RegKind, o: u32, catalog: &Catalog) -> Value {
    if o == 0 {
        return Value::Text("-".to_string());
    }
    let name = match kind {
        RegKind::Class => class_name(o, catalog),
        RegKind::Type => type_name(o, catalog),
        RegKind::Namespace => catalog.schema_by_oid(o).map(|s| quote_ident(&s.name)),
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
    let (schema, name) = super::catalog_functions::relation_schema_and_name(catalog, o)?;
    Some(
        if super::catalog_functions::first_found(catalog, &schema, &name) {
            quote_ident(&name)
        } else {
            format!("{}.{}", quote_ident(&schema), quote_ident(&name))
        },
    )
}

fn type_name(o: u32, catalog: &Catalog) -> Option<String> {
    let name = super::catalog_functions::format_type(o, -1, Some(catalog));
    (name != "???").then_some(name)
}
