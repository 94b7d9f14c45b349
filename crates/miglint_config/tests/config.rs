//! Configuration loading: accepted forms and span-carrying errors.

use std::fs;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use miglint_config::{
    ConfigError, ConfigErrorKind, ConfigKind, Options, find_config, load, load_str,
};
use miglint_diagnostics::{Dialect, DialectSet, Severity};

const FULL: &str = r#"
dialects = ["postgresql", "sqlite"]
alembic-version = "1.20"
paths = ["alembic/versions"]
exclude = ["alembic/versions/legacy/**"]
select = ["ML"]
ignore = ["ML402"]
extend-select = ["ML605"]
baseline-revision = "001"

[severity]
ML301 = "error"
ML103 = "info"

[per-file-ignores]
"alembic/versions/0001_*.py" = ["ML2", "ML301"]

[[overrides]]
paths = ["**/versions/sqlite/**"]
dialects = ["sqlite"]
baseline-revision = "018"

[[overrides]]
paths = ["**/versions/sqlite/late/**"]
dialects = ["mysql"]
"#;

fn lint_err(text: &str) -> ConfigError {
    match load_str(Path::new("/proj/lint.toml"), text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn full_lint_toml() {
    let o = load_str(Path::new("/proj/lint.toml"), FULL).unwrap();
    let text = FULL;
    assert_eq!(o.root, PathBuf::from("/proj"));
    assert_eq!(o.config_kind(), Some(ConfigKind::LintToml));
    assert_eq!(
        o.dialects.as_deref(),
        Some(&[Dialect::Postgresql, Dialect::Sqlite][..])
    );
    let v = o.alembic_version.as_ref().unwrap();
    assert_eq!(
        (v.get_ref().major, v.get_ref().minor, v.get_ref().patch),
        (1, 20, 0)
    );
    assert_eq!(&text[v.span()], "\"1.20\"");
    assert_eq!(o.paths[0].get_ref(), "alembic/versions");
    let select = o.select.as_ref().unwrap();
    assert_eq!(select[0].get_ref(), "ML");
    // Rule codes keep their spans.
    assert_eq!(&text[o.ignore[0].span()], "\"ML402\"");
    assert_eq!(&text[o.extend_select[0].span()], "\"ML605\"");
    let (code, sev) = &o.severity[0];
    assert_eq!(code.get_ref(), "ML301");
    assert_eq!(&text[code.span()], "ML301");
    assert_eq!(*sev, Severity::Error);
    assert_eq!(o.severity[1].1, Severity::Info);
    assert_eq!(o.per_file_ignores.len(), 1);
    assert!(text[o.per_file_ignores[0].pattern.span()].contains("alembic/versions/0001_*.py"));
    assert_eq!(&text[o.per_file_ignores[0].codes[1].span()], "\"ML301\"");
    assert_eq!(o.overrides.len(), 2);
    assert_eq!(o.baseline_revision.as_ref().unwrap().get_ref(), "001");

    // Per-path queries.
    let sqlite_file = Path::new("/proj/alembic/versions/sqlite/0005_x.py");
    assert_eq!(
        o.dialects_for(sqlite_file),
        Some(DialectSet::single(Dialect::Sqlite))
    );
    assert_eq!(o.baseline_for(sqlite_file).unwrap().get_ref(), "018");
    let late = Path::new("/proj/alembic/versions/sqlite/late/0009_x.py");
    assert_eq!(
        o.dialects_for(late),
        Some(DialectSet::single(Dialect::Mysql)),
        "later override wins"
    );
    assert_eq!(
        o.baseline_for(late).unwrap().get_ref(),
        "018",
        "earlier baseline still applies"
    );
    let plain = Path::new("/proj/alembic/versions/0001_init.py");
    assert_eq!(o.dialects_for(plain), None);
    assert_eq!(o.baseline_for(plain).unwrap().get_ref(), "001");
    let codes: Vec<&str> = o
        .per_file_ignores_for(plain)
        .iter()
        .map(|c| c.get_ref().as_str())
        .collect();
    assert_eq!(codes, ["ML2", "ML301"]);
    assert!(
        o.per_file_ignores_for(Path::new("/proj/alembic/versions/0002_x.py"))
            .is_empty()
    );
    assert!(o.is_excluded(Path::new("/proj/alembic/versions/legacy/a.py")));
    assert!(!o.is_excluded(plain));
}

#[test]
fn error_at_points_into_the_config() {
    let o = load_str(Path::new("/proj/lint.toml"), "select = [\"ML999\"]\n").unwrap();
    let code = &o.select.as_ref().unwrap()[0];
    let e = o.error_at(
        code.span(),
        "unknown rule code `ML999`",
        Some(String::from("see `miglint rules`")),
    );
    assert_eq!(e.snippet(), Some("\"ML999\""));
    assert_eq!(e.path(), Some(Path::new("/proj/lint.toml")));
    assert!(e.source_code().is_some());
    let labels: Vec<_> = e.labels().unwrap().collect();
    assert_eq!(labels.len(), 1);
    assert_eq!(e.help().unwrap().to_string(), "see `miglint rules`");
    // Without a configuration file: no source, still an error.
    let d = Options::defaults_at("/proj");
    let e = d.error_at(0..1, "x", None);
    assert!(e.source_code().is_none() && e.labels().is_none());
}

#[test]
fn defaults() {
    let o = Options::default();
    assert_eq!(o.root, std::env::current_dir().unwrap());
    assert!(o.dialects.is_none() && o.select.is_none() && o.source().is_none());
    assert!(o.ignore.is_empty() && o.overrides.is_empty());
    assert_eq!(o.origin_name(), "defaults");
}

#[test]
fn syntax_error_has_span() {
    let e = lint_err("dialects = [\"postgresql\"\nselect = [\"ML\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
    assert!(e.span().is_some(), "{e:?}");
    assert!(e.message().starts_with("invalid TOML"), "{}", e.message());
    assert!(e.source_code().is_some());

    let e = lint_err("dialects = = 1\n");
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
    let span = e.span().unwrap();
    assert!(span.start >= "dialects ".len(), "{span:?}");
}

#[test]
fn unknown_key_with_suggestion() {
    let e = lint_err("select = [\"ML\"]\nalembic_version = \"1.13\"\n");
    assert_eq!(e.kind(), ConfigErrorKind::UnknownKey);
    assert_eq!(e.snippet(), Some("alembic_version"));
    assert_eq!(e.help_text(), Some("did you mean `alembic-version`?"));

    let e = lint_err("dialect = [\"sqlite\"]\n");
    assert_eq!(e.snippet(), Some("dialect"));
    assert_eq!(e.help_text(), Some("did you mean `dialects`?"));

    let e = lint_err("frobnicate = 1\n");
    assert!(
        e.help_text()
            .unwrap()
            .starts_with("valid keys are: dialects"),
        "{:?}",
        e.help_text()
    );

    // Unknown keys inside [[overrides]] too.
    let e = lint_err("[[overrides]]\npaths = [\"x/**\"]\ndialect = [\"sqlite\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::UnknownKey);
    assert_eq!(e.snippet(), Some("dialect"));
    assert_eq!(e.help_text(), Some("did you mean `dialects`?"));
}

#[test]
fn every_error_is_reported() {
    let e = lint_err("dialects = [\"oracle\"]\nfoo = 1\n[severity]\nML1 = \"loud\"\n");
    assert_eq!(
        e.kind(),
        ConfigErrorKind::UnknownDialect,
        "first in file order"
    );
    let kinds: Vec<_> = e.related_errors().iter().map(ConfigError::kind).collect();
    assert_eq!(
        kinds,
        [
            ConfigErrorKind::UnknownKey,
            ConfigErrorKind::InvalidSeverity
        ]
    );
    assert_eq!(e.related().unwrap().count(), 2);
}

#[test]
fn bad_dialect() {
    let e = lint_err("dialects = [\"sqlite\", \"postgress\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::UnknownDialect);
    assert_eq!(e.snippet(), Some("\"postgress\""));
    assert!(
        e.help_text()
            .unwrap()
            .starts_with("did you mean `postgresql`?"),
        "{:?}",
        e.help_text()
    );

    let e = lint_err("dialects = []\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidValue);
    assert_eq!(e.snippet(), Some("[]"));

    let e = lint_err("[[overrides]]\npaths = [\"a/**\"]\ndialects = [\"oracle\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::UnknownDialect);
    assert_eq!(e.snippet(), Some("\"oracle\""));

    // Aliases are accepted.
    let o = load_str(
        Path::new("/p/lint.toml"),
        "dialects = [\"postgres\", \"mariadb\"]\n",
    )
    .unwrap();
    assert_eq!(
        o.dialects.as_deref(),
        Some(&[Dialect::Postgresql, Dialect::Mysql][..])
    );
}

#[test]
fn bad_severity() {
    let e = lint_err("[severity]\nML301 = \"warn\"\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidSeverity);
    assert_eq!(e.snippet(), Some("\"warn\""));
    assert!(e.help_text().unwrap().contains("\"warning\""));

    let e = lint_err("[severity]\nML301 = 2\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidSeverity);
    assert_eq!(e.snippet(), Some("2"));

    let e = lint_err("severity = \"error\"\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidType);
    assert_eq!(e.snippet(), Some("\"error\""));
}

#[test]
fn bad_glob() {
    let e = lint_err("exclude = [\"ok/**\", \"alembic/[abc\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidGlob);
    assert_eq!(e.snippet(), Some("\"alembic/[abc\""));

    let text = "[per-file-ignores]\n\"versions/{a,b\" = [\"ML2\"]\n";
    let e = lint_err(text);
    assert_eq!(e.kind(), ConfigErrorKind::InvalidGlob);
    assert!(
        e.snippet().unwrap().contains("versions/{a,b"),
        "{:?}",
        e.snippet()
    );

    let e = lint_err("[[overrides]]\npaths = [\"**/[z\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidGlob);
    assert_eq!(e.snippet(), Some("\"**/[z\""));
}

#[test]
fn bad_alembic_version_and_types() {
    let e = lint_err("alembic-version = \"1.x\"\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidAlembicVersion);
    assert_eq!(e.snippet(), Some("\"1.x\""));

    let e = lint_err("alembic-version = 1.13\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidType);
    assert_eq!(e.snippet(), Some("1.13"));
    assert_eq!(e.help_text(), Some("quote it: alembic-version = \"1.13\""));

    let e = lint_err("select = \"ML\"\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidType);
    assert_eq!(e.snippet(), Some("\"ML\""));
    assert_eq!(e.help_text(), Some("write a list: select = [\"ML\"]"));

    let e = lint_err("ignore = [\"ML1\", 2]\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidType);
    assert_eq!(e.snippet(), Some("2"));

    let e = lint_err("[overrides]\npaths = [\"a\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::InvalidType);

    let e = lint_err("[[overrides]]\ndialects = [\"sqlite\"]\n");
    assert_eq!(e.kind(), ConfigErrorKind::MissingKey);
}

#[test]
fn pyproject_form() {
    let text = "[project]\nname = \"app\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.miglint]\ndialects = [\"sqlite\"]\nignore = [\"ML402\"]\n\n[tool.miglint.severity]\nML301 = \"error\"\n";
    let o = load_str(Path::new("/proj/pyproject.toml"), text).unwrap();
    assert_eq!(o.config_kind(), Some(ConfigKind::Pyproject));
    assert_eq!(o.dialects.as_deref(), Some(&[Dialect::Sqlite][..]));
    assert_eq!(
        &text[o.ignore[0].span()],
        "\"ML402\"",
        "spans are into the pyproject file"
    );
    assert_eq!(&text[o.severity[0].0.span()], "ML301");
    assert_eq!(o.origin_name(), "pyproject.toml [tool.miglint]");

    let bad = "[project]\nname = \"app\"\n[tool.miglint]\nselect = [\"ML\"]\nexclud = []\n";
    let e = load_str(Path::new("/proj/pyproject.toml"), bad).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownKey);
    let span = e.span().unwrap();
    assert_eq!(&bad[span.clone()], "exclud");
    assert!(span.start > bad.find("[tool.miglint]").unwrap());
    assert_eq!(e.help_text(), Some("did you mean `exclude`?"));
    assert!(e.message().contains("[tool.miglint]"));

    let e = load_str(
        Path::new("/proj/pyproject.toml"),
        "[tool.miglint]\ndialects = [\"db2\"]\n",
    )
    .unwrap_err();
    assert!(e.message().contains("db2"));
}

#[test]
fn config_file_discovery_nearest_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let a = root.join("a");
    let b = a.join("b");
    let c = b.join("c");
    fs::create_dir_all(&c).unwrap();

    assert_eq!(find_config(&c), None);

    fs::write(root.join("lint.toml"), "dialects = [\"mysql\"]\n").unwrap();
    // A pyproject without [tool.miglint] is skipped.
    fs::write(b.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    let found = find_config(&c).unwrap();
    assert_eq!(found.path, root.join("lint.toml"));
    assert_eq!(found.kind, ConfigKind::LintToml);

    // A pyproject with [tool.miglint] nearer wins.
    fs::write(
        a.join("pyproject.toml"),
        "[tool.miglint]\ndialects = [\"sqlite\"]\n",
    )
    .unwrap();
    let found = find_config(&c).unwrap();
    assert_eq!(found.path, a.join("pyproject.toml"));
    assert_eq!(found.kind, ConfigKind::Pyproject);
    let o = load(&found.path).unwrap();
    assert_eq!(o.root, a);
    assert_eq!(
        o.dialects.as_deref(),
        Some(&[Dialect::Sqlite][..]),
        "no merging with the outer lint.toml"
    );

    // In one directory, lint.toml wins over pyproject.toml.
    fs::write(a.join("lint.toml"), "dialects = [\"postgresql\"]\n").unwrap();
    let found = find_config(&c).unwrap();
    assert_eq!(found.path, a.join("lint.toml"));

    // Options::resolve = find + load.
    let o = Options::resolve(&c).unwrap();
    assert_eq!(o.dialects.as_deref(), Some(&[Dialect::Postgresql][..]));
    assert_eq!(o.targets().describe(), "postgresql (from lint.toml)");
}

#[test]
fn broken_pyproject_mentioning_miglint_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("pyproject.toml"),
        "[tool.miglint]\ndialects = [\n",
    )
    .unwrap();
    let found = find_config(tmp.path()).unwrap();
    assert_eq!(found.kind, ConfigKind::Pyproject);
    let e = load(&found.path).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
}

#[test]
fn unreadable_config_is_io_error() {
    let e = load(Path::new("/definitely/not/here/lint.toml")).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Io);
    assert!(e.span().is_none());
}

#[test]
fn renders_with_miette() {
    let e = lint_err("dialects = [\"postgress\"]\n");
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &e)
        .unwrap();
    assert!(out.contains("unknown dialect `postgress`"), "{out}");
    assert!(out.contains("lint.toml"), "{out}");
    assert!(out.contains("did you mean"), "{out}");
}
