//! What CI servers read: repository-relative paths in every machine format
//! (independent of the directory miglint runs in), GitLab fingerprints that
//! do not move with it, JUnit failures only for findings that fail the run,
//! and the usage errors around them.

mod support;

use std::fs;
use std::path::Path;

use support::miglint;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A warning (ML902: unparsable SQL) only.
const WARNING_ONLY: &str = r#"from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.execute("UPDATE users SET name = 'x' WHERE")


def downgrade():
    op.execute("UPDATE users SET name = 'y' WHERE")
"#;

/// An error (ML106 on SQLite) after `a1`.
const ERROR: &str = r#"from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("users", "name", nullable=True)


def downgrade():
    op.alter_column("users", "name", nullable=False)
"#;

/// `repo/.git` (a plain directory: the root is found without git) and the
/// project in `repo/app/` with `versions/{a1,b2}.py`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    let app = dir.path().join("app");
    fs::create_dir_all(app.join("versions")).unwrap();
    fs::write(
        app.join("lint.toml"),
        "dialects = [\"postgresql\", \"sqlite\"]\n",
    )
    .unwrap();
    fs::write(app.join("versions/a1.py"), WARNING_ONLY).unwrap();
    fs::write(app.join("versions/b2.py"), ERROR).unwrap();
    dir
}

const MACHINE: [&str; 6] = ["json", "json-lines", "sarif", "github", "gitlab", "junit"];

#[test]
fn machine_formats_print_repository_relative_paths_from_any_directory() {
    let repo = repo();
    let app = repo.path().join("app");
    for format in MACHINE {
        let runs = [
            (app.clone(), "versions"),
            (app.join("versions"), "."),
            (app.join("versions"), "./b2.py"),
        ];
        let mut outputs = Vec::new();
        for (cwd, arg) in runs {
            let out = miglint(&cwd)
                .args(["check", arg, "--output-format", format])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{format}: {}", stdout(&out));
            let text = stdout(&out);
            assert!(
                text.contains("app/versions/b2.py"),
                "{format} from {arg}: {text}"
            );
            assert!(!text.contains("./"), "{format} from {arg}: {text}");
            assert!(!text.contains(&*repo.path().to_string_lossy()), "{text}");
            outputs.push(text);
        }
        // the b2.py findings are the same from both directories
        let b2 = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.contains("b2.py") || l.contains("ML106"))
                .map(str::to_owned)
                .collect()
        };
        if format != "sarif" && format != "junit" && format != "gitlab" {
            assert_eq!(b2(&outputs[0]), b2(&outputs[2]), "{format}");
        }
    }
}

#[test]
fn gitlab_fingerprints_do_not_depend_on_the_working_directory() {
    let repo = repo();
    let app = repo.path().join("app");
    let issues = |cwd: &Path, arg: &str| -> Vec<(String, String)> {
        let out = miglint(cwd)
            .args(["check", arg, "--output-format", "gitlab"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut list: Vec<(String, String)> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["location"]["path"].as_str().unwrap().to_owned(),
                    i["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        list.sort();
        list
    };
    let from_app = issues(&app, "versions");
    let from_versions = issues(&app.join("versions"), ".");
    assert!(!from_app.is_empty());
    assert_eq!(from_app, from_versions);
    assert!(from_app.iter().all(|(p, _)| p.starts_with("app/versions/")));
}

#[test]
fn without_a_repository_paths_are_relative_to_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    fs::write(dir.path().join("lint.toml"), "dialects = [\"sqlite\"]\n").unwrap();
    fs::write(dir.path().join("versions/b2.py"), ERROR).unwrap();
    // (a temporary directory is not inside a git work tree)
    assert!(!dir.path().ancestors().any(|d| d.join(".git").exists()));
    let out = miglint(dir.path())
        .args(["check", "./versions/", "--output-format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["filename"], "versions/b2.py");
}

#[test]
fn junit_fails_only_on_findings_that_fail_the_run() {
    let repo = repo();
    let app = repo.path().join("app");
    let junit = |strict: bool| {
        let mut cmd = miglint(&app);
        cmd.args(["check", "versions", "--output-format", "junit"]);
        if strict {
            cmd.arg("--strict");
        }
        stdout(&cmd.output().unwrap())
    };
    let text = junit(false);
    // a1.py has a warning only: a passing test case that records it
    let a1 = text
        .split("<testcase ")
        .find(|t| t.contains("a1.py"))
        .unwrap();
    assert!(!a1.contains("<failure"), "{text}");
    assert!(a1.contains("<system-out>app/versions/a1.py:8:"), "{text}");
    assert!(a1.contains("ML902 [warning]"), "{text}");
    let b2 = text
        .split("<testcase ")
        .find(|t| t.contains("b2.py"))
        .unwrap();
    assert!(b2.contains(r#"<failure message="ML106: "#), "{text}");
    assert!(
        text.contains(r#"<testsuite name="miglint" tests="2" failures="1""#),
        "{text}"
    );

    let strict = junit(true);
    let a1 = strict
        .split("<testcase ")
        .find(|t| t.contains("a1.py"))
        .unwrap();
    assert!(a1.contains(r#"<failure message="ML902: "#), "{strict}");
    assert!(strict.contains(r#"tests="2" failures="2""#), "{strict}");
}

#[test]
fn statistics_with_a_machine_format_is_a_usage_error() {
    let repo = repo();
    let app = repo.path().join("app");
    for format in ["sarif", "github", "gitlab", "junit", "json-lines"] {
        let out = miglint(&app)
            .args([
                "check",
                "versions",
                "--statistics",
                "--output-format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(out.stdout.is_empty(), "{format}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--statistics"),
            "{format}"
        );
    }
    let out = miglint(&app)
        .args([
            "check",
            "versions",
            "--statistics",
            "--output-format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|s| s["code"] == "ML106"));
}

#[test]
fn rule_codes_and_names_are_case_insensitive() {
    let dir = tempfile::tempdir().unwrap();
    for arg in ["ml101", "Ml101", "Boolean-Integer-Default"] {
        let out = miglint(dir.path()).args(["rule", arg]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{arg}");
        assert!(
            stdout(&out).starts_with("# ML101: boolean-integer-default\n"),
            "{arg}"
        );
    }
}
