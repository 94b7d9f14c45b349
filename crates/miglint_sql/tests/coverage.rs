//! Which sqlparser dialects parse each statement of `tests/sql/coverage.sql`.
//!
//! The output is compared with `tests/sql/coverage.expected`, so a sqlparser
//! upgrade that changes what parses (or a classifier change) shows up as a
//! diff. After reviewing the change, regenerate the expected file with:
//!
//! ```text
//! MIGLINT_BLESS=1 cargo test -p miglint_sql --test coverage
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

use miglint_diagnostics::{Dialect, DialectSet};
use miglint_sql::analyze;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One line per statement: `pg sl my | kind label | features | SQL`, with
/// `--` for a dialect that rejects it, and the failure category when none
/// parses it.
fn render(input: &str) -> String {
    let mut out = String::new();
    for line in input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
    {
        let stmts = analyze(line, DialectSet::ALL);
        if stmts.len() != 1 {
            writeln!(out, "!! {} statements | {line}", stmts.len()).unwrap();
            continue;
        }
        let s = &stmts[0];
        let cols: Vec<&str> = Dialect::ALL
            .iter()
            .zip(["pg", "sl", "my"])
            .map(|(d, short)| {
                if matches!(s.parse_for(*d), Some(Ok(_))) {
                    short
                } else {
                    "--"
                }
            })
            .collect();
        let mut features: Vec<&str> = s.features.iter().map(|(f, _)| f.name()).collect();
        features.dedup();
        let category = if s.parsed_by_any() {
            String::new()
        } else {
            format!(" [unparsed: {}]", s.unparsed_category())
        };
        writeln!(
            out,
            "{} | {}{} | {} | {}",
            cols.join(" "),
            s.kind.label(),
            category,
            features.join(", "),
            line
        )
        .unwrap();
    }
    out
}

#[test]
fn coverage_matches_expected() {
    let root = repo_root();
    let input = std::fs::read_to_string(root.join("tests/sql/coverage.sql"))
        .expect("read tests/sql/coverage.sql");
    let actual = render(&input);
    let expected_path = root.join("tests/sql/coverage.expected");
    if std::env::var_os("MIGLINT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&expected_path, &actual).expect("write coverage.expected");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if expected != actual {
        print!("{actual}");
        panic!(
            "tests/sql/coverage.expected differs from the output above; review it and rerun with MIGLINT_BLESS=1 to update"
        );
    }
}
