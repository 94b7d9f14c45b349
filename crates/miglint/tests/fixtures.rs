//! Every rule fixture under `tests/fixtures/<CODE>/`:
//! - `err_*.py` / `ok_*.py`: one migration file;
//! - `err_*/` / `ok_*/`: a directory linted as one project (graph rules).
//!
//! Only the rule `<CODE>` runs (plus any `select=` in the header), on
//! PostgreSQL + SQLite unless the header says otherwise. Header lines:
//! `# miglint-fixture: dialects=postgresql,sqlite select=ML901,ML904 alembic-version=1.20`
//! (in the file, or in the first `.py` of a directory case, sorted).
//! `ok_*` cases must produce nothing; every case's rendered `full` output is
//! a snapshot in `tests/snapshots/` (review with `cargo insta review`, or
//! `INSTA_UPDATE=always` then read the `.snap` diff). `MIGLINT_FIXTURES=ML101,ML2`
//! restricts a run to some codes or prefixes.

use std::path::{Path, PathBuf};

use miglint::output::{self, EmitContext, OutputFormat};
use miglint::run::rule_infos;
use miglint_config::AlembicVersion;
use miglint_diagnostics::{Dialect, DialectSet, FileReport};
use miglint_linter::{Linter, LinterSettings, RULES};
use miglint_python::PythonParser;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

struct Header {
    dialects: DialectSet,
    select: Vec<String>,
    alembic_version: Option<AlembicVersion>,
    postgresql_version: Option<u32>,
}

fn header(text: &str) -> Header {
    let mut h = Header {
        dialects: DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite),
        select: Vec::new(),
        alembic_version: None,
        postgresql_version: None,
    };
    for line in text
        .lines()
        .filter_map(|l| l.strip_prefix("# miglint-fixture:"))
    {
        for item in line.split_whitespace() {
            match item.split_once('=') {
                Some(("dialects", v)) => {
                    h.dialects =
                        DialectSet::from_iter_dialects(v.split(',').map(|d| {
                            Dialect::parse(d).unwrap_or_else(|| panic!("bad dialect {d}"))
                        }));
                }
                Some(("select", v)) => h.select = v.split(',').map(str::to_string).collect(),
                Some(("alembic-version", v)) => h.alembic_version = AlembicVersion::parse(v),
                Some(("postgresql-version", v)) => h.postgresql_version = v.parse().ok(),
                _ => panic!("unknown fixture header item `{item}`"),
            }
        }
    }
    h
}

/// An ML8xx case (models against migrations): a directory with a
/// `lint.toml` (its `models`), the model files and `migrations/versions/`;
/// for ML802, `<model>.base` holds the model file's text at the diff base.
fn lint_models_case(case: &Path, code: &str) -> Vec<FileReport> {
    let root = repo_root();
    let options = miglint_config::load(&case.join("lint.toml")).expect("the case's lint.toml");
    let mut settings = miglint::run::settings(options).expect("valid settings");
    settings.enabled = RULES.iter().map(|r| r.meta().code == code).collect();
    let mut revisions = walk(&case.join("migrations/versions"));
    revisions.retain(|f| f.extension().is_some_and(|e| e == "py"));
    revisions.sort();
    let h = header(&std::fs::read_to_string(&revisions[0]).unwrap_or_default());
    let mut found = miglint::drift_rules::model_drift(&settings, &revisions, h.dialects, None);
    let mut changed: Vec<(PathBuf, Option<String>)> = walk(case)
        .into_iter()
        .filter_map(|p| {
            let name = p.to_str()?.strip_suffix(".base")?.to_string();
            Some((PathBuf::from(name), std::fs::read_to_string(&p).ok()))
        })
        .collect();
    changed.sort();
    found.extend(miglint::drift_rules::models_changed(
        &settings, &changed, false, "main",
    ));
    miglint::drift_rules::reports(&settings, found, &root)
}

/// Lints one case and returns the reports (paths relative to the repo root).
pub fn lint_case(case: &Path, code: &str) -> Vec<FileReport> {
    if code.starts_with("ML8") {
        return lint_models_case(case, code);
    }
    let root = repo_root();
    let mut files: Vec<PathBuf> = if case.is_dir() {
        let mut v: Vec<PathBuf> = walk(case);
        v.sort();
        v
    } else {
        vec![case.to_path_buf()]
    };
    files.retain(|f| f.extension().is_some_and(|e| e == "py"));
    let first = std::fs::read_to_string(&files[0]).unwrap_or_default();
    let h = header(&first);
    let mut settings = LinterSettings::only(code, h.dialects);
    for extra in &h.select {
        let i = RULES
            .iter()
            .position(|r| r.meta().code == extra)
            .unwrap_or_else(|| panic!("unknown {extra}"));
        settings.enabled[i] = true;
    }
    settings.alembic_version = h.alembic_version;
    if let Some(v) = h.postgresql_version {
        settings.postgresql_version = v;
    }
    let linter = Linter::new(settings);
    let mut parser = PythonParser::new();
    let results = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).unwrap_or(f);
            let bytes = std::fs::read(f).expect("fixture readable");
            linter.lint_bytes(&mut parser, rel, &bytes)
        })
        .collect();
    linter.finish(results)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("case dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let rules = rule_infos();
    let ctx = EmitContext {
        rules: &rules,
        color: false,
        version: "test",
        strict: false,
    };
    let mut concise = Vec::new();
    output::emit(OutputFormat::Concise, &mut concise, reports, &ctx).expect("render");
    let mut full = Vec::new();
    output::emit(OutputFormat::Full, &mut full, reports, &ctx).expect("render");
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&concise),
        String::from_utf8_lossy(&full)
    )
}

#[test]
fn fixtures() {
    let fixtures = repo_root().join("tests/fixtures");
    let mut seen = 0;
    insta::with_settings!({
        snapshot_path => "../../../tests/snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::glob!("../../../tests/fixtures", "ML*/*", |path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !(name.starts_with("err_") || name.starts_with("ok_")) {
                return;
            }
            if !path.is_dir() && !name.ends_with(".py") {
                return;
            }
            let code = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).expect("code dir");
            // MIGLINT_FIXTURES=ML101,ML2 runs only those codes / prefixes
            if let Ok(only) = std::env::var("MIGLINT_FIXTURES")
                && !only.split(',').any(|p| code.starts_with(p.trim()))
            {
                return;
            }
            let reports = lint_case(path, code);
            let count: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
            if name.starts_with("ok_") {
                assert_eq!(count, 0, "{}: expected no findings:\n{}", path.display(), render(&reports));
            } else {
                assert!(
                    reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.code == code),
                    "{}: expected a {code} finding:\n{}", path.display(), render(&reports)
                );
            }
            seen += 1;
            insta::assert_snapshot!(render(&reports));
        });
    });
    assert!(seen > 0, "no fixtures found under {}", fixtures.display());
}
