//! Enforces the layer rules of docs/ARCHITECTURE.md by reading the source:
//! storage knows nothing above it, sql never touches the network or the
//! async runtime, and only server/ and main.rs speak pgwire or tokio.

use std::path::Path;

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// (folder under src/, strings its files must not contain)
const RULES: &[(&str, &[&str])] = &[
    (
        "storage",
        &[
            "crate::sql",
            "crate::catalog",
            "crate::server",
            "crate::engine",
            "crate::txn",
            "sqlparser",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "txn",
        &[
            "crate::sql",
            "crate::catalog",
            "crate::server",
            "crate::engine",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "catalog",
        &[
            "crate::sql",
            "crate::server",
            "crate::engine",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "types",
        &[
            "crate::sql",
            "crate::catalog",
            "crate::server",
            "crate::storage",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "security",
        &[
            "crate::sql",
            "crate::catalog",
            "crate::server",
            "crate::storage",
            "crate::engine",
            "crate::txn",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "encoding",
        &[
            "crate::sql",
            "crate::catalog",
            "crate::server",
            "crate::storage",
            "pgwire",
            "tokio",
        ],
    ),
    (
        "sql",
        &["crate::server", "pgwire", "tokio", "std::fs", "std::net"],
    ),
];

/// Records each non-comment line of `file` that mentions a banned path.
fn check(file: &Path, layer: &str, banned: &[&str], violations: &mut Vec<String>) {
    let text = std::fs::read_to_string(file).unwrap();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for b in banned {
            if code.contains(b) {
                violations.push(format!(
                    "{}:{}: {layer} must not use {b}",
                    file.display(),
                    n + 1
                ));
            }
        }
    }
}

#[test]
fn layers_only_import_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (folder, banned) in RULES {
        for file in rust_files(&src.join(folder)) {
            check(&file, folder, banned, &mut violations);
        }
    }
    for single in ["error.rs", "config.rs"] {
        check(
            &src.join(single),
            single,
            &["crate::sql", "crate::server", "pgwire"],
            &mut violations,
        );
    }
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations.join("\n")
    );
}
