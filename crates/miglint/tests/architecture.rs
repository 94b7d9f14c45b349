//! Layering rules of the workspace: the Python parser and the SQL parser each
//! stay behind one crate, so either can be swapped without touching rules.

use std::path::Path;

fn manifest(krate: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("Cargo.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn crates() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("crates/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("miglint"))
        .collect();
    v.sort();
    v
}

fn depends_on(krate: &str, dep: &str) -> bool {
    manifest(krate).lines().any(|l| {
        l.trim_start().starts_with(&format!("{dep} ="))
            || l.trim_start().starts_with(&format!("{dep}."))
    })
}

#[test]
fn only_miglint_python_names_tree_sitter() {
    let users: Vec<String> = crates()
        .into_iter()
        .filter(|c| depends_on(c, "tree-sitter"))
        .collect();
    assert_eq!(users, ["miglint_python"]);
}

#[test]
fn only_miglint_sql_names_sqlparser() {
    let users: Vec<String> = crates()
        .into_iter()
        .filter(|c| depends_on(c, "sqlparser"))
        .collect();
    assert_eq!(users, ["miglint_sql"]);
}
