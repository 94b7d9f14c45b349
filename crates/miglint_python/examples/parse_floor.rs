//! The parse-only floor for `scripts/bench`: reads every `*.py` file under
//! the given paths and parses it with tree-sitter-python, nothing else (no
//! extraction, no rules), on one thread. Prints the file count, bytes and
//! the number of syntax-error trees (so the work cannot be optimised away).
//!
//! With `--walk` first, each parsed tree is also visited once, every node
//! in source order with a `TreeCursor` (reading each node's kind): the least
//! any reader of a tree-sitter tree does. Prints the node count.
//!
//! With `--extract` first, each file goes through
//! [`miglint_python::PythonParser`] instead (pre-pass, parse, extraction
//! into the migration model) and the op count is printed: that run's CPU
//! time minus the floor's is the front end's own work.
//!
//!     cargo run --release -p miglint_python --example parse_floor -- [--walk|--extract] DIR...

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
    let mut args: Vec<_> = std::env::args_os().skip(1).collect();
    let extract = args.first().is_some_and(|a| a == "--extract");
    let visit_tree = args.first().is_some_and(|a| a == "--walk");
    if extract || visit_tree {
        args.remove(0);
    }
    let mut files = Vec::new();
    for arg in &args {
        walk(Path::new(arg), &mut files);
    }
    if extract {
        // on this thread alone: no huge function is parsed in pieces
        let mut parser = miglint_python::PythonParser::new().with_split(usize::MAX, usize::MAX, 1);
        let (mut bytes, mut ops) = (0usize, 0usize);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            bytes += text.len();
            ops += parser.parse(&text).ops.len();
        }
        println!("{} files, {bytes} bytes, {ops} ops", files.len());
        return;
    }
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("tree-sitter-python loads");
    let (mut bytes, mut errors, mut nodes, mut kinds) = (0usize, 0usize, 0usize, 0usize);
    for file in &files {
        let Ok(text) = std::fs::read(file) else {
            continue;
        };
        bytes += text.len();
        if let Some(tree) = parser.parse(&text, None) {
            errors += usize::from(tree.root_node().has_error());
            if visit_tree {
                let (n, k) = visit(&tree);
                nodes += n;
                kinds = kinds.wrapping_add(k);
            }
        }
    }
    if visit_tree {
        // the kind sum is printed so that the visit cannot be optimised away
        println!(
            "{} files, {bytes} bytes, {errors} with syntax errors, {nodes} nodes (kind sum {kinds})",
            files.len()
        );
        return;
    }
    println!(
        "{} files, {bytes} bytes, {errors} with syntax errors",
        files.len()
    );
}

/// Every node of `tree` once, in source order: (node count, sum of kind ids).
fn visit(tree: &tree_sitter::Tree) -> (usize, usize) {
    let mut cursor = tree.walk();
    let (mut nodes, mut kinds) = (0usize, 0usize);
    loop {
        nodes += 1;
        kinds = kinds.wrapping_add(usize::from(cursor.node().kind_id()));
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return (nodes, kinds);
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}
