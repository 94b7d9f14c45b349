//! Every error-level rule must be proven against real databases: the truth
//! suite (`scripts/truth`, cases in `tests/truth/cases/`) needs, for each
//! such rule, at least one case where miglint must report it and one
//! counterpart case (`rule = "MLxxx"`, `miglint = []`) where the alternative
//! the rule suggests passes and miglint stays silent. This test needs no
//! database: it only reads the registry and the case files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miglint_diagnostics::Severity;
use miglint_linter::RULES;

struct Case {
    name: String,
    rule: String,
    miglint: Vec<String>,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/truth/cases")
}

/// The drift cases (`tests/drift/cases/`, run by `tests/drift/run.py`):
/// projects with models, where real `alembic check` and `miglint drift`
/// must agree, and `miglint check` reports ML801 exactly when they differ.
fn drift_cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/drift/cases")
}

fn load_cases() -> Vec<Case> {
    let mut cases = load_cases_in(&cases_dir(), "versions");
    cases.extend(load_cases_in(&drift_cases_dir(), "migrations/versions"));
    cases
}

fn load_cases_in(dir: &Path, versions: &str) -> Vec<Case> {
    let dir = dir.to_path_buf();
    let mut cases = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path.join("case.toml"))
            .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        let table: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        let rule = table
            .get("rule")
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{name}/case.toml: `rule = \"MLxxx\"` is required"))
            .to_owned();
        let miglint = table
            .get("miglint")
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("{name}/case.toml: `miglint = [...]` is required"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{name}/case.toml: miglint lists a non-string"))
                    .to_owned()
            })
            .collect();
        assert!(
            path.join(versions).is_dir(),
            "{name}: the case has no {versions}/ folder"
        );
        cases.push(Case {
            name,
            rule,
            miglint,
        });
    }
    cases
}

#[test]
fn every_error_rule_has_truth_cases() {
    let cases = load_cases();
    assert!(!cases.is_empty(), "no cases in tests/truth/cases");
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for rule in RULES {
        let meta = rule.meta();
        if meta.severity != Severity::Error {
            continue;
        }
        let reported = cases
            .iter()
            .any(|c| c.miglint.iter().any(|m| m == meta.code));
        let silent = cases
            .iter()
            .any(|c| c.rule == meta.code && c.miglint.is_empty());
        if !reported {
            missing.entry(meta.code).or_default().push(
                "a case where miglint must report it (`miglint = [\"CODE\"]`) and the database fails",
            );
        }
        if !silent {
            missing.entry(meta.code).or_default().push(
                "a counterpart case (`rule = \"CODE\"`, `miglint = []`) with the alternative the rule suggests",
            );
        }
    }
    let report: Vec<String> = missing
        .iter()
        .map(|(code, what)| format!("{code}: needs {}", what.join("; and ")))
        .collect();
    assert!(
        report.is_empty(),
        "error-level rules without truth cases in tests/truth/cases/ (run them with scripts/truth):\n{}",
        report.join("\n")
    );
}

#[test]
fn case_codes_are_well_formed() {
    let well_formed =
        |c: &str| c.len() == 5 && c.starts_with("ML") && c[2..].bytes().all(|b| b.is_ascii_digit());
    for case in load_cases() {
        assert!(
            well_formed(&case.rule),
            "{}: rule = {:?} is not a code",
            case.name,
            case.rule
        );
        for code in &case.miglint {
            assert!(
                well_formed(code),
                "{}: miglint lists {code:?}, not a code",
                case.name
            );
        }
    }
}
