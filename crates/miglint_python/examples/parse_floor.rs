//! The parse-only floor for `scripts/bench`: reads every `*.py` file under
//! the given paths and parses it with tree-sitter-python, nothing else (no
//! extraction, no rules), on one thread. Prints the file count, bytes and
//! the number of syntax-error trees (so the work cannot be optimised away).
//!
//!     cargo run --release -p miglint_python --example parse_floor -- DIR...

use std::path::{Path, PathBuf};

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut children: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        children.sort();
        for child in children {
            walk(&child, out);
        }
    } else if path.extension().is_some_and(|e| e == "py") {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args_os().skip(1) {
        walk(Path::new(&arg), &mut files);
    }
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python loads");
    let (mut bytes, mut errors) = (0usize, 0usize);
    for file in &files {
        let Ok(text) = std::fs::read(file) else {
            continue;
        };
        bytes += text.len();
        if let Some(tree) = parser.parse(&text, None) {
            errors += usize::from(tree.root_node().has_error());
        }
    }
    println!(
        "{} files, {bytes} bytes, {errors} with syntax errors",
        files.len()
    );
}
