//! How a name finds a relation or type. The catalog's maps key an object
//! of database `postgres` in `public` by its name and one in any other
//! schema by `schema.name`; an object of another database by
//! `<database oid>:schema.name`. An unqualified name is looked up along the search path
//! (PostgreSQL's `search_path`, plus the session's temporary schema
//! first), which the session sets on its thread for the duration of a
//! statement ([`with_search_path`]); without one, the path is `public`.

use std::cell::RefCell;
use std::sync::Arc;

/// The schemas an unqualified name is looked up in, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchPath {
    /// Existing schemas to search: the session's temporary schema (when
    /// it has one) first, then those of `search_path`.
    pub schemas: Vec<String>,
    /// Where CREATE puts an unqualified name: the first existing schema
    /// of `search_path` (None: "no schema has been selected").
    pub creation: Option<String>,
    /// The name of the session's schema of temporary tables (which
    /// exists once it made one).
    pub temp: Option<String>,
    /// The database the session connected to, and its name.
    pub database: u32,
    pub database_name: String,
}

impl Default for SearchPath {
    fn default() -> Self {
        SearchPath {
            schemas: vec!["public".to_string()],
            creation: Some("public".to_string()),
            temp: None,
            database: super::acl::DATABASE_OID,
            database_name: "postgres".to_string(),
        }
    }
}

thread_local! {
    static PATH: RefCell<Option<Arc<SearchPath>>> = const { RefCell::new(None) };
}

/// Runs `f` with `path` as this thread's search path.
pub fn with_search_path<R>(path: Arc<SearchPath>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<SearchPath>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            PATH.with(|p| *p.borrow_mut() = old);
        }
    }
    let _restore = Restore(PATH.with(|p| p.borrow_mut().replace(path)));
    f()
}

/// This thread's search path.
pub fn search_path() -> Arc<SearchPath> {
    PATH.with(|p| p.borrow().clone())
        .unwrap_or_else(|| Arc::new(SearchPath::default()))
}

/// The database this thread's statement runs in.
pub fn current_database() -> u32 {
    PATH.with(|p| p.borrow().as_ref().map(|p| p.database))
        .unwrap_or(super::acl::DATABASE_OID)
}

/// The name of the database this thread's statement runs in.
pub fn current_database_name() -> String {
    PATH.with(|p| p.borrow().as_ref().map(|p| p.database_name.clone()))
        .unwrap_or_else(|| "postgres".to_string())
}

/// The catalog key of `name` in `schema` of the current database.
pub fn key(schema: &str, name: &str) -> String {
    key_in(current_database(), schema, name)
}

/// The catalog key of `name` in `schema` of `database`.
pub fn key_in(database: u32, schema: &str, name: &str) -> String {
    if database != super::acl::DATABASE_OID {
        format!("{database}:{schema}.{name}")
    } else if schema == "public" {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// How a lookup names an object of a schema the statement spelled out
/// (`public.t` stays distinct from a bare `t`, which the search path
/// resolves).
pub fn qualified(schema: &str, name: &str) -> String {
    match current_database() {
        super::acl::DATABASE_OID => format!("{schema}.{name}"),
        database => key_in(database, schema, name),
    }
}

/// The keys a name may have, in search order: an unqualified name along
/// the search path; a qualified one (or a key) as it is, `public.t` as
/// `t`.
pub fn candidates(name: &str) -> Vec<String> {
    let database = current_database();
    if database != super::acl::DATABASE_OID {
        if name.starts_with(&format!("{database}:")) {
            return vec![name.to_string()];
        }
        return search_path().schemas.iter().map(|s| key(s, name)).collect();
    }
    if name.contains('.') {
        let mut keys = Vec::with_capacity(2);
        if let Some(public) = name.strip_prefix("public.") {
            keys.push(public.to_string());
        }
        keys.push(name.to_string());
        return keys;
    }
    search_path().schemas.iter().map(|s| key(s, name)).collect()
}

/// Looks a name up in one of the catalog's maps along the search path;
/// returns the key it was found under, too.
pub fn find<T: Clone>(
    map: &std::collections::HashMap<String, T>,
    name: &str,
) -> Option<(String, T)> {
    candidates(name)
        .into_iter()
        .find_map(|k| map.get(&k).cloned().map(|v| (k, v)))
}

/// Whether a schema is on the search path (pg_table_is_visible and
/// regclass output leave its name off).
pub fn is_visible_schema(schema: &str) -> bool {
    schema == "pg_catalog" || search_path().schemas.iter().any(|s| s == schema)
}
