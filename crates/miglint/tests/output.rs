//! Every output format over a fixed, hand-built set of reports.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use miglint::output::{
    EmitContext, OutputFormat, RuleInfo, Summary, emit, write_statistics, write_statistics_json,
    write_summary,
};
use miglint_diagnostics::{
    Applicability, Diagnostic, Edit, FileReport, Fix, Label, Severity, SourceFile, TextRange,
};

const A1: &str = r#""""add users"""
revision = "a1"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("active", sa.Boolean(), server_default=sa.text("1")))
    op.drop_index("ix_café", table_name="users")
    ümlaut = "straße"; op.execute(f"DELETE FROM {ümlaut}")
"#;

const B2: &str = r#""""second head"""
revision = "b2"
down_revision = "a1"
"#;

const C3: &str = r#""""third head, 100% clean"""
revision = "c3"
down_revision = "a1"
"#;

const RULES: &[RuleInfo] = &[
    RuleInfo {
        code: "ML101",
        name: "boolean-integer-default",
        summary: "Boolean column with an integer server default",
        default_severity: Severity::Error,
    },
    RuleInfo {
        code: "ML301",
        name: "drop-without-if-exists",
        summary: "DROP without IF EXISTS",
        default_severity: Severity::Warning,
    },
    RuleInfo {
        code: "ML501",
        name: "multiple-heads",
        summary: "More than one head on a branch",
        default_severity: Severity::Error,
    },
    RuleInfo {
        code: "ML903",
        name: "dynamic-sql",
        summary: "SQL built at run time",
        default_severity: Severity::Info,
    },
];

fn ctx() -> EmitContext<'static> {
    EmitContext {
        rules: RULES,
        color: false,
        version: "0.1.0",
        strict: false,
    }
}

/// The byte range of the `nth` (0-based) occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> TextRange {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
        .0;
    TextRange::from_usize(start..start + needle.len())
}

fn reports() -> Vec<FileReport> {
    let a1 = Arc::new(SourceFile::new(
        PathBuf::from("alembic/versions/a1_add_users.py"),
        A1,
    ));
    let b2 = Arc::new(SourceFile::new(
        PathBuf::from("alembic/versions/b2_second_head.py"),
        B2,
    ));
    let c3 = Arc::new(SourceFile::new(
        PathBuf::from("alembic/versions/c3_third_head.py"),
        C3,
    ));

    let default = find(A1, r#"sa.text("1")"#, 0);
    let boolean = Diagnostic::new(
        "ML101",
        "boolean-integer-default",
        Severity::Error,
        default,
        "PostgreSQL rejects this: column \"active\" is of type boolean but default expression is of type integer",
    )
    .with_label(find(A1, "sa.Boolean()", 0), "the column is a Boolean")
    .with_help("use `sa.true()` or `sa.false()`")
    .with_fix(Fix {
        applicability: Applicability::Safe,
        message: "Replace `sa.text(\"1\")` with `sa.true()`".to_owned(),
        edits: vec![Edit { range: default, content: "sa.true()".to_owned() }],
    });
    let drop = Diagnostic::new(
        "ML301",
        "drop-without-if-exists",
        Severity::Warning,
        find(A1, r#"table_name="users""#, 0),
        "`drop_index` without `if_exists=True` fails when re-run after a partial upgrade",
    );
    let dynamic = Diagnostic::new(
        "ML903",
        "dynamic-sql",
        Severity::Info,
        find(A1, r#"f"DELETE FROM {ümlaut}""#, 0),
        "SQL built at run time cannot be checked",
    );

    let mut heads = Diagnostic::new(
        "ML501",
        "multiple-heads",
        Severity::Error,
        find(B2, r#""b2""#, 0),
        "2 heads on one branch: b2, c3",
    )
    .with_label(find(B2, r#""a1""#, 0), "branches from a1")
    .with_help("run `alembic merge b2 c3`");
    heads.labels.push(Label {
        range: find(C3, r#""c3""#, 0),
        message: "the other head".to_owned(),
        file: Some(c3.path.clone()),
    });
    heads.labels.push(Label {
        range: TextRange::new(10, 20),
        message: "a sibling that was not linted".to_owned(),
        file: Some(PathBuf::from("alembic/versions/zz_unlinted.py")),
    });

    vec![
        FileReport {
            source: a1,
            diagnostics: vec![boolean, drop, dynamic],
        },
        FileReport {
            source: b2,
            diagnostics: vec![heads],
        },
        FileReport {
            source: c3,
            diagnostics: vec![],
        },
    ]
}

fn render(format: OutputFormat, reports: &[FileReport]) -> String {
    let mut out = Vec::new();
    emit(format, &mut out, reports, &ctx()).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn snapshots() {
    let reports = reports();
    for format in OutputFormat::ALL {
        insta::assert_snapshot!(format.as_str(), render(format, &reports));
    }
}

#[test]
fn summary_and_statistics() {
    let reports = reports();
    let mut out = Vec::new();
    let summary = Summary {
        targets: "postgresql, sqlite (from lint.toml)".to_owned(),
        elapsed: Duration::from_millis(4),
        ..Summary::from_reports(&reports)
    };
    assert_eq!(
        (
            summary.files,
            summary.errors,
            summary.warnings,
            summary.infos,
            summary.fixable
        ),
        (3, 2, 1, 1, 1)
    );
    write_summary(&mut out, &summary, false).unwrap();
    let clean = Summary {
        files: 1,
        targets: "postgresql (default)".to_owned(),
        ..Summary::default()
    };
    write_summary(&mut out, &clean, false).unwrap();
    out.extend_from_slice(b"--- statistics\n");
    write_statistics(&mut out, &reports).unwrap();
    out.extend_from_slice(b"--- statistics json\n");
    write_statistics_json(&mut out, &reports).unwrap();
    insta::assert_snapshot!("summary_statistics", String::from_utf8(out).unwrap());
}

#[test]
fn json_contract() {
    let reports = reports();
    let text = render(OutputFormat::Json, &reports);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 4);

    // Key order, as documented.
    let first = &text[text.find('{').unwrap()..];
    let keys = [
        "code",
        "name",
        "severity",
        "message",
        "help",
        "filename",
        "location",
        "end_location",
        "fix",
        "url",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.is_sorted(), "keys out of order: {positions:?}");

    // 1-based rows and columns counted in Unicode scalar values.
    let info = &items[2];
    assert_eq!(info["code"], "ML903");
    let line = A1.lines().nth(8).unwrap();
    let byte_col = line.find("f\"DELETE").unwrap();
    let char_col = line[..byte_col].chars().count();
    assert_ne!(byte_col, char_col);
    assert_eq!(info["location"]["row"], 9);
    assert_eq!(info["location"]["column"], char_col + 1);
    assert_eq!(
        info["end_location"]["column"],
        char_col + 1 + "f\"DELETE FROM {ümlaut}\"".chars().count()
    );

    let fix = &items[0]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], "sa.true()");
    assert_eq!(fix["edits"][0]["location"], items[0]["location"]);
    assert!(items[1]["fix"].is_null());
    assert!(items[2]["help"].is_null());
    assert_eq!(items[3]["filename"], "alembic/versions/b2_second_head.py");

    assert_eq!(render(OutputFormat::Json, &[]), "[]\n");
    let lines = render(OutputFormat::JsonLines, &reports);
    assert_eq!(lines.lines().count(), 4);
    for (line, item) in lines.lines().zip(items) {
        assert_eq!(
            &serde_json::from_str::<serde_json::Value>(line).unwrap(),
            item
        );
    }
}

#[test]
fn sarif_is_valid_json_with_rules() {
    let reports = reports();
    let value: serde_json::Value =
        serde_json::from_str(&render(OutputFormat::Sarif, &reports)).unwrap();
    assert_eq!(value["version"], "2.1.0");
    let run = &value["runs"][0];
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ML101", "ML301", "ML501", "ML903"]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], result["ruleId"]);
    }
    assert_eq!(results[2]["level"], "note");
    assert_eq!(
        results[3]["relatedLocations"][1]["physicalLocation"]["artifactLocation"]["uri"],
        "alembic/versions/c3_third_head.py"
    );
    assert_eq!(
        results[3]["relatedLocations"][1]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn github_escaping() {
    let source = Arc::new(SourceFile::new(PathBuf::from("odd,dir/a:b.py"), "x = 1\n"));
    let diagnostic = Diagnostic::new(
        "ML101",
        "boolean-integer-default",
        Severity::Warning,
        TextRange::new(0, 1),
        "100% broken\nsecond line\r",
    );
    let reports = [FileReport {
        source,
        diagnostics: vec![diagnostic],
    }];
    assert_eq!(
        render(OutputFormat::Github, &reports),
        "::warning file=odd%2Cdir/a%3Ab.py,line=1,col=1,endLine=1,endColumn=2,\
         title=ML101 (boolean-integer-default)::100%25 broken%0Asecond line%0D\n"
    );
}

#[test]
fn odd_ranges_do_not_panic() {
    let files = [
        ("empty.py", ""),
        ("no_newline.py", "x = 'é'"),
        ("crlf.py", "x = 1\r\ny = 2\r\n"),
        ("trailing.py", "x = 1\n"),
    ];
    let mut reports = Vec::new();
    for (name, text) in files {
        let source = Arc::new(SourceFile::new(PathBuf::from(name), text));
        let len = text.len() as u32;
        let mut diagnostics = vec![
            Diagnostic::new(
                "ML901",
                "python-syntax-error",
                Severity::Error,
                TextRange::empty(0),
                "at start",
            ),
            Diagnostic::new(
                "ML901",
                "python-syntax-error",
                Severity::Error,
                TextRange::empty(len),
                "at end",
            )
            .with_label(TextRange::new(0, len), "whole file"),
            Diagnostic::new(
                "ML901",
                "python-syntax-error",
                Severity::Error,
                TextRange::new(len, len + 10),
                "past end",
            )
            .with_label(TextRange::new(len + 5, len + 6), "beyond"),
        ];
        if text.contains('é') {
            let inside = text.find('é').unwrap() as u32 + 1;
            diagnostics.push(
                Diagnostic::new(
                    "ML901",
                    "python-syntax-error",
                    Severity::Warning,
                    TextRange::new(inside, inside + 1),
                    "mid-char",
                )
                .with_fix(Fix {
                    applicability: Applicability::Unsafe,
                    message: "m".to_owned(),
                    edits: vec![Edit {
                        range: TextRange::new(inside, 99),
                        content: String::new(),
                    }],
                }),
            );
        }
        reports.push(FileReport {
            source,
            diagnostics,
        });
    }
    for format in OutputFormat::ALL {
        for color in [false, true] {
            let mut out = Vec::new();
            let ctx = EmitContext { color, ..ctx() };
            emit(format, &mut out, &reports, &ctx).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains("Failed to read contents"),
                "{format}: {text}"
            );
        }
    }
    insta::assert_snapshot!("odd_ranges_full", render(OutputFormat::Full, &reports));
}

#[test]
fn colour_only_when_asked() {
    let reports = reports();
    assert!(!render(OutputFormat::Full, &reports).contains('\x1b'));
    assert!(!render(OutputFormat::Concise, &reports).contains('\x1b'));
    let mut out = Vec::new();
    emit(
        OutputFormat::Full,
        &mut out,
        &reports,
        &EmitContext {
            color: true,
            ..ctx()
        },
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains('\x1b'));
    // No OSC 8 hyperlinks.
    assert!(!text.contains("\x1b]8;"));
}
