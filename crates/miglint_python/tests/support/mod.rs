//! Helpers shared by the model-equivalence tests (`data_regions`,
//! `incremental`): the model as text, and the files they compare.

use std::path::{Path, PathBuf};

use miglint_python::PythonParser;

/// The model of `src` as text (or the refusal), for comparisons.
pub fn model(parser: &mut PythonParser, src: &str) -> String {
    match parser.parse_checked(src) {
        Ok(m) => format!("{m:#?}"),
        Err(r) => format!("refused: {r:?}"),
    }
}

/// Every `*.py` below the repository's `tests/fixtures`, and below
/// `$MIGLINT_EQUIV_DIR` when set (e.g. the real-world corpus).
pub fn equivalence_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    python_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures"),
        &mut files,
    );
    if let Some(dir) = std::env::var_os("MIGLINT_EQUIV_DIR") {
        python_files(Path::new(&dir), &mut files);
    }
    files
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

/// The revisions of the truth cases (`tests/truth/cases/*/versions/*.py`).
#[allow(dead_code)]
pub fn truth_revisions() -> Vec<PathBuf> {
    let mut files = Vec::new();
    python_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/truth/cases"),
        &mut files,
    );
    files
}
