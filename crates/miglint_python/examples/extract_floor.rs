//! The parse + extraction twin of `parse_floor.rs`: reads every `*.py` file
//! under the given paths and turns it into the migration model with
//! [`miglint_python::PythonParser`] (pre-pass, parse, extraction), nothing
//! else, on one thread. Its CPU time minus `parse_floor`'s is the front
//! end's own work. Prints the file count, bytes and the number of ops (so
//! the work cannot be optimised away).
//!
//!     cargo run --release -p miglint_python --example extract_floor -- DIR...

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
    let mut parser = miglint_python::PythonParser::new();
    let (mut bytes, mut ops) = (0usize, 0usize);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        bytes += text.len();
        ops += parser.parse(&text).ops.len();
    }
    println!("{} files, {bytes} bytes, {ops} ops", files.len());
}
