//! Binding CREATE DATABASE and DROP DATABASE: the options FlintDB can
//! honour (an owner; template0 or template1, both empty; UTF8 and the C
//! locale, which every database has), 0A000 for the others.

use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::database_syntax::DatabaseStatement;
use crate::sql::plan::Plan;

pub(super) fn bind_database_statement(catalog: &Catalog, d: &DatabaseStatement) -> Result<Plan> {
    match d {
        DatabaseStatement::Create { name, options } => bind_create(catalog, name, options),
        DatabaseStatement::Drop {
            name,
            if_exists,
            force,
        } => {
            if *force {
                return Err(crate::errunsupported!("DROP DATABASE … WITH (FORCE)"));
            }
            if matches!(name.as_str(), "postgres" | "template0" | "template1") {
                return Err(crate::errunsupported!("dropping database {name}"));
            }
            let database = catalog.database_by_name(name);
            if database.is_none() && !if_exists {
                return Err(errinput!(
                    sqlstate::INVALID_CATALOG_NAME,
                    "database \"{name}\" does not exist"
                ));
            }
            Ok(Plan::DropDatabase {
                database,
                name: name.clone(),
            })
        }
    }
}

fn bind_create(catalog: &Catalog, name: &str, options: &[(String, String)]) -> Result<Plan> {
    let mut owner = None;
    for (option, value) in options {
        let default = value == "default";
        match option.as_str() {
            "owner" if !default => {
                owner = Some(
                    catalog
                        .roles()
                        .by_name(value)
                        .map(|r| r.oid)
                        .ok_or_else(|| {
                            errinput!(
                                sqlstate::UNDEFINED_OBJECT,
                                "role \"{value}\" does not exist"
                            )
                        })?,
                );
            }
            "template" if !default && !matches!(value.as_str(), "template0" | "template1") => {
                return Err(if catalog.database_by_name(value).is_some() {
                    crate::errunsupported!(
                        "CREATE DATABASE … TEMPLATE {value} (copying a database)"
                    )
                } else {
                    errinput!(
                        sqlstate::INVALID_CATALOG_NAME,
                        "template database \"{value}\" does not exist"
                    )
                });
            }
            "encoding"
                if !default && !matches!(value.to_uppercase().as_str(), "UTF8" | "UTF-8" | "6") =>
            {
                return Err(crate::errunsupported!(
                    "database encoding {value} (FlintDB stores UTF8)"
                ));
            }
            "locale" | "lc_collate" | "lc_ctype"
                if !default && !matches!(value.as_str(), "C" | "c" | "POSIX" | "posix") =>
            {
                return Err(crate::errunsupported!(
                    "database locale {value} (FlintDB sorts as C)"
                ));
            }
            "connection limit" if value != "-1" => {
                return Err(crate::errunsupported!("CONNECTION LIMIT of a database"));
            }
            "tablespace" if !default && value != "pg_default" => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_OBJECT,
                    "tablespace \"{value}\" does not exist"
                ));
            }
            "owner" | "template" | "encoding" | "locale" | "lc_collate" | "lc_ctype"
            | "connection limit" | "tablespace" => {}
            other => return Err(crate::errunsupported!("CREATE DATABASE option {other}")),
        }
    }
    if catalog.database_by_name(name).is_some() || matches!(name, "template0" | "template1") {
        return Err(errinput!("42P04", "database \"{name}\" already exists"));
    }
    Ok(Plan::CreateDatabase {
        name: name.to_string(),
        owner,
    })
}
