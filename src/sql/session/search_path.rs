//! The session's search path: `search_path` read as PostgreSQL reads it
//! (`"$user"` is the current role's name; schemas that do not exist are
//! skipped), with the session's temporary schema searched first. The
//! session sets it on its thread for each statement it runs or binds
//! (`catalog::names`).

use std::sync::Arc;

use super::Session;
use crate::catalog::names::SearchPath;

impl Session {
    /// The search path for the next statement.
    pub fn search_path(&self) -> Arc<SearchPath> {
        let catalog = self.engine.catalog();
        let schemas = catalog.schemas();
        let role = catalog
            .roles()
            .by_oid(self.who().current)
            .map(|r| r.name.clone());
        let exists = |name: &str| schemas.iter().any(|s| s.name == name);
        let mut listed = Vec::new();
        for item in split_list(&self.settings.get("search_path")) {
            let name = match item.as_str() {
                "$user" => match &role {
                    Some(r) => r.clone(),
                    None => continue,
                },
                _ => item,
            };
            if exists(&name) && !listed.contains(&name) {
                listed.push(name);
            }
        }
        let temp = self.temp_schema_name();
        let creation = listed
            .iter()
            .find(|s| *s != "pg_catalog" && *s != "information_schema")
            .cloned();
        let mut searched: Vec<String> = Some(temp.clone())
            .filter(|t| exists(t))
            .into_iter()
            .collect();
        searched.extend(listed);
        Arc::new(SearchPath {
            schemas: searched,
            creation,
            temp: Some(temp),
            database: self.database,
            database_name: catalog
                .database_by_oid(self.database)
                .map_or_else(|| "postgres".to_string(), |d| d.name),
        })
    }
}

/// The names of a `search_path` value: comma-separated, each a quoted
/// name (kept as written) or a bare one (folded to lower case).
pub fn split_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        name.push('"');
                    } else {
                        break;
                    }
                } else {
                    name.push(c);
                }
            }
            while chars.peek().is_some_and(|c| *c != ',') {
                chars.next();
            }
        } else {
            while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                name.push(c.to_ascii_lowercase());
                chars.next();
            }
            name = name.trim().to_string();
        }
        if !name.is_empty() {
            out.push(name);
        }
        if chars.next().is_none() {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_list;

    #[test]
    fn lists_are_split_and_folded() {
        assert_eq!(split_list("\"$user\", public"), ["$user", "public"]);
        assert_eq!(split_list("A, \"B c\",d"), ["a", "B c", "d"]);
        assert_eq!(split_list("''"), ["''"]);
        assert!(split_list("").is_empty());
    }
}
