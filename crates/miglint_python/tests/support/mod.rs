//! Helpers shared by the model-equivalence tests (`data_regions`,
//! `incremental`, `split`): the model as text, the files they compare, and
//! random edits of them.
#![allow(dead_code)]

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
pub fn truth_revisions() -> Vec<PathBuf> {
    let mut files = Vec::new();
    python_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/truth/cases"),
        &mut files,
    );
    files
}

/// A small deterministic generator (xorshift), seeded per file.
pub struct Rng(u64);

impl Rng {
    /// Seeded by `file`'s path below the repository (the same edits in
    /// every clone).
    pub fn for_file(file: &Path) -> Self {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let below = file.strip_prefix(&repo).unwrap_or(file);
        Rng::new(&below.display().to_string())
    }

    pub fn new(seed: &str) -> Self {
        Rng(seed.bytes().fold(0x9E37_79B9_7F4A_7C15, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        }) | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// A char boundary at or after `at`.
fn boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The starts of the lines of `s` (and its end).
fn line_starts(s: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(s.match_indices('\n').map(|(i, _)| i + 1));
    if *v.last().unwrap_or(&0) != s.len() {
        v.push(s.len());
    }
    v
}

/// Lines that change what follows them in a function body.
const LINES: &[&str] = &[
    "    is_pg = op.get_bind().dialect.name == \"postgresql\"\n",
    "    if op.get_bind().dialect.name == \"sqlite\":\n        return\n",
    "    if not has_table(\"t\"):\n        return\n",
    "    op.execute(\"UPDATE t SET a = 1\")\n",
    "    name = \"mysql\"\n",
    "    # a comment\n",
    "\n",
];

/// One random edit of `s`.
pub fn random_edit(s: &str, rng: &mut Rng) -> String {
    let at = boundary(s, rng.below(s.len() + 1));
    let lines = line_starts(s);
    let line = lines[rng.below(lines.len())];
    match rng.below(7) {
        // a character typed
        0 => {
            let c = ["x", " ", "\n", "'", "(", ")", ":", "#", "0", "é"][rng.below(10)];
            format!("{}{c}{}", &s[..at], &s[at..])
        }
        // one replaced
        1 if at < s.len() => {
            let end = boundary(s, at + 1);
            let c = ["a", "_", "1", "\""][rng.below(4)];
            format!("{}{c}{}", &s[..at], &s[end..])
        }
        // one deleted
        2 if at < s.len() => {
            let end = boundary(s, at + 1);
            format!("{}{}", &s[..at], &s[end..])
        }
        // a line that changes the scope of what follows
        3 => format!(
            "{}{}{}",
            &s[..line],
            LINES[rng.below(LINES.len())],
            &s[line..]
        ),
        // a few lines copied elsewhere (a multi-line paste)
        4 => {
            let i = rng.below(lines.len());
            let j = (i + 1 + rng.below(4)).min(lines.len() - 1);
            let chunk = &s[lines[i]..lines[j]];
            format!("{}{chunk}{}", &s[..line], &s[line..])
        }
        // a few lines deleted
        5 => {
            let i = rng.below(lines.len());
            let j = (i + 1 + rng.below(4)).min(lines.len() - 1);
            format!("{}{}", &s[..lines[i]], &s[lines[j]..])
        }
        // a span deleted across lines
        _ => {
            let end = boundary(s, at + rng.below(200));
            format!("{}{}", &s[..at], &s[end..])
        }
    }
}
