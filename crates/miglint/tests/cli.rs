//! End-to-end tests of the `miglint` binary: exit codes, output formats,
//! configuration errors and hostile inputs. Each test builds its own
//! project in a temporary directory.

mod support;

use std::fs;

use support::miglint;

const GOOD: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("users")
"#;

const UNPARSABLE_SQL: &str = r#"from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE users SET name = 'x' WHERE")


def downgrade():
    raise NotImplementedError("data migration")
"#;

/// A project with `versions/` and the given files; config `dialects = [...]`.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("lint.toml"),
        "dialects = [\"postgresql\", \"sqlite\"]\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    for (name, content) in files {
        fs::write(dir.path().join("versions").join(name), content).unwrap();
    }
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn codes(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json output");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clean_project_exits_zero() {
    let p = project(&[("a1_users.py", GOOD.as_bytes())]);
    let out = miglint(p.path())
        .args(["check", "versions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("All checks passed: 1 file"), "{text}");
    assert!(
        text.contains("targets: postgresql, sqlite (from lint.toml)"),
        "{text}"
    );
}

#[test]
fn warnings_pass_unless_strict_and_errors_fail_unless_exit_zero() {
    let p = project(&[
        ("a1.py", GOOD.as_bytes()),
        ("b2.py", UNPARSABLE_SQL.as_bytes()),
    ]);
    let out = miglint(p.path())
        .args(["check", "versions"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning alone does not fail: {}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("ML902"));
    let out = miglint(p.path())
        .args(["check", "versions", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let p = project(&[("bad.py", b"def upgrade(:\n    pass\n")]);
    let out = miglint(p.path())
        .args(["check", "versions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = miglint(p.path())
        .args(["check", "versions", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn hostile_inputs_are_findings_and_nothing_is_lost() {
    let huge = {
        let mut s = String::from(
            "from alembic import op\nrevision = 'h1'\ndown_revision = 'a1'\n\ndef upgrade():\n",
        );
        while s.len() < 5 * 1024 * 1024 {
            s.push_str("    op.execute(\"UPDATE users SET name = 'x' WHERE id = 1\")\n");
        }
        s.push_str("    op.execute(\"UPDATE users SET name = 'x' WHERE\")\n");
        s
    };
    let deep = format!(
        "revision = 'd1'\ndown_revision = 'a1'\n\ndef upgrade():\n    x = {}1{}\n    op.execute(\"DELETE FROM t WHERE\")\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let p = project(&[
        ("a1.py", GOOD.as_bytes()),
        (
            "syntax.py",
            b"revision = 's1'\ndown_revision = 'a1'\ndef upgrade(:\n    pass\n",
        ),
        ("latin1.py", b"# caf\xe9\nrevision = 'l1'\n"),
        ("binary.py", b"\x00\x01\x02\xff"),
        ("empty.py", b""),
        ("huge.py", huge.as_bytes()),
        ("deep.py", deep.as_bytes()),
    ]);
    // a file that exists but cannot be read (works as root too: EIO)
    #[cfg(target_os = "linux")]
    std::os::unix::fs::symlink("/proc/self/mem", p.path().join("versions/unreadable.py")).unwrap();
    // a directory symlink loop
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", p.path().join("versions/loop")).unwrap();

    let out = miglint(p.path())
        .args(["check", "versions", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings, not a failure of the run: {}",
        stderr(&out)
    );
    let found = codes(&stdout(&out));
    let has = |file: &str, code: &str| found.iter().any(|(f, c)| f.ends_with(file) && c == code);
    assert!(has("syntax.py", "ML901"), "{found:?}");
    assert!(has("latin1.py", "ML905"), "{found:?}");
    assert!(has("binary.py", "ML905"), "{found:?}");
    #[cfg(target_os = "linux")]
    assert!(has("unreadable.py", "ML905"), "{found:?}");
    assert!(
        has("huge.py", "ML902"),
        "the 5 MB file is linted to its end: {found:?}"
    );
    // 5,000 nested brackets: CPython refuses them (`too many nested
    // parentheses`), so does the parser guard
    assert!(has("deep.py", "ML901"), "{found:?}");
    // alembic stops on an empty revision file
    assert!(has("empty.py", "ML505"), "{found:?}");
    assert!(
        !found.iter().any(|(f, _)| f.ends_with("a1.py")),
        "{found:?}"
    );
}

#[test]
fn missing_path_is_a_usage_error_but_other_paths_are_linted() {
    let p = project(&[("bad.py", b"def upgrade(:\n    pass\n")]);
    let out = miglint(p.path())
        .args(["check", "versions", "nope.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nope.py: no such file or directory"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("ML901"),
        "the existing path was still linted"
    );
}

#[test]
fn invalid_toml_points_into_the_file() {
    let p = project(&[("a1.py", GOOD.as_bytes())]);
    fs::write(
        p.path().join("lint.toml"),
        "dialects = [\"postgresql\"\nselect = [\"ML\"]\n",
    )
    .unwrap();
    let out = miglint(p.path())
        .args(["check", "versions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("lint.toml:"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_rule_code_in_config_points_at_it() {
    let p = project(&[("a1.py", GOOD.as_bytes())]);
    fs::write(
        p.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\nignore = [\"ML9011\"]\n",
    )
    .unwrap();
    let out = miglint(p.path())
        .args(["check", "versions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown rule code or prefix `ML9011`"),
        "{err}"
    );
    assert!(err.contains("did you mean `ML901`"), "{err}");
    assert!(
        err.contains("2 │ ignore = [\"ML9011\"]"),
        "the TOML line is shown: {err}"
    );
}

#[test]
fn unknown_key_and_bad_dialect_in_pyproject() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.miglint]\ndialect = [\"postgres\"]\n",
    )
    .unwrap();
    let out = miglint(dir.path()).args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("pyproject.toml"), "{err}");
    assert!(err.contains("dialects"), "suggests the right key: {err}");
}

#[test]
fn unknown_code_in_suppression_is_reported() {
    let src = "revision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.drop_table('t')  # miglint: ignore[ML9999]\n";
    let p = project(&[("a1.py", src.as_bytes())]);
    let out = miglint(p.path())
        .args(["check", "versions", "--output-format", "concise"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("ML904 [warning] unknown rule code `ML9999`"),
        "{text}"
    );
}

#[test]
fn json_output_matches_the_contract() {
    let p = project(&[
        ("b2.py", UNPARSABLE_SQL.as_bytes()),
        ("a.py", "def upgrade(:\n".as_bytes()),
        (
            "c3.py",
            "def upgrade():\n    op.execute(\"é;\" \"UPDATE users SET WHERE\")\n".as_bytes(),
        ),
    ]);
    let out = miglint(p.path())
        .args(["check", "versions", "--output-format", "json"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // sorted by filename
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["filename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "versions/a.py",
            "versions/b2.py",
            "versions/c3.py",
            "versions/c3.py"
        ]
    );
    // keys in the documented order (checked on the text: serde_json maps sort keys)
    let first_object = &text[..text.find('}').unwrap()];
    let order = [
        "code", "name", "severity", "message", "help", "filename", "location",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| first_object.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first_object}");
    // rows and columns are 1-based and count characters, not bytes (`é` precedes UPDATE)
    assert_eq!(
        v[3]["location"],
        serde_json::json!({"row": 2, "column": 22})
    );
    assert_eq!(
        v[3]["end_location"],
        serde_json::json!({"row": 2, "column": 44})
    );
    insta::assert_json_snapshot!(v[1], @r#"
    {
      "code": "ML902",
      "end_location": {
        "column": 50,
        "row": 8
      },
      "filename": "versions/b2.py",
      "fix": null,
      "help": "this is a limit of miglint's parser, not necessarily an error in the SQL: only keyword-level checks ran on it. If it is valid, suppress with `# miglint: ignore[ML902]`",
      "location": {
        "column": 17,
        "row": 8
      },
      "message": "miglint's SQL parser cannot read this `UPDATE` statement for PostgreSQL and SQLite (PostgreSQL parser: Expected: an expression, found: EOF)",
      "name": "sql-parse-error",
      "severity": "warning",
      "url": "https://github.com/miglint/miglint/blob/main/rules/ML902.md"
    }
    "#);
}

#[test]
fn machine_formats_render() {
    let p = project(&[("b2.py", UNPARSABLE_SQL.as_bytes())]);
    for (format, needle) in [
        (
            "github",
            "::warning file=versions/b2.py,line=8,col=17,endLine=8,endColumn=50,title=ML902",
        ),
        ("sarif", "\"ruleId\": \"ML902\""),
        ("gitlab", "\"check_name\": \"ML902\""),
        ("junit", "<testsuite"),
        ("json-lines", "\"code\":\"ML902\""),
        ("concise", "versions/b2.py:8:17: ML902 [warning]"),
    ] {
        let out = miglint(p.path())
            .args(["check", "versions", "--output-format", format])
            .output()
            .unwrap();
        assert!(stdout(&out).contains(needle), "{format}: {}", stdout(&out));
    }
}

#[test]
fn default_discovery_and_inferred_targets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("migrations/versions")).unwrap();
    fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///app.db\n",
    )
    .unwrap();
    fs::write(root.join("migrations/versions/a1.py"), GOOD).unwrap();
    fs::write(
        root.join("migrations/env.py"),
        "url = config.get_main_option('sqlalchemy.url')\ncontext.configure(url=url, render_as_batch=True)\n",
    )
    .unwrap();
    let out = miglint(root).args(["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("1 file"),
        "only versions/ is discovered: {text}"
    );
    assert!(
        text.contains("sqlite (sqlalchemy.url in alembic.ini, used by env.py)"),
        "{text}"
    );
}

#[test]
fn statistics() {
    let p = project(&[
        ("b2.py", UNPARSABLE_SQL.as_bytes()),
        ("b3.py", UNPARSABLE_SQL.as_bytes()),
    ]);
    let out = miglint(p.path())
        .args(["check", "versions", "--statistics"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("2  ML902"), "{}", stdout(&out));
}

#[test]
fn rule_and_rules_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = miglint(dir.path())
        .args(["rule", "ML901"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("# ML901: python-syntax-error\n"));
    let out = miglint(dir.path())
        .args(["rule", "python-syntax-error"])
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("# ML901"));
    let out = miglint(dir.path())
        .args(["rule", "ML9011"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `ML901`"));
    let out = miglint(dir.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(v.as_array().unwrap().iter().any(|r| r["code"] == "ML905"));
    let out = miglint(dir.path())
        .args(["check", "--output-format", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[cfg(unix)]
#[test]
fn closed_stdout_pipe_is_a_normal_exit() {
    use std::io::Read;
    use std::process::Stdio;
    let files: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| {
            (
                format!("f{i:03}.py"),
                UNPARSABLE_SQL.replace("b2", &format!("r{i}")).into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let p = project(&refs);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("miglint"))
        .current_dir(p.path())
        .args(["check", "versions"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn baseline_revision_silences_old_revisions_but_not_the_graph() {
    let rev = |id: &str, down: &str| {
        format!(
            "revision = '{id}'\ndown_revision = {down}\n\ndef upgrade():\n    op.execute(\"UPDATE t SET WHERE\")\n"
        )
    };
    let (r1, r2, r3, r3b) = (
        rev("r1", "None"),
        rev("r2", "'r1'"),
        rev("r3", "'r2'"),
        rev("r3b", "'r2'"),
    );
    let p = project(&[
        ("r1.py", r1.as_bytes()),
        ("r2.py", r2.as_bytes()),
        ("r3.py", r3.as_bytes()),
        ("r3b.py", r3b.as_bytes()),
    ]);
    fs::write(
        p.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\nbaseline-revision = \"r2\"\n",
    )
    .unwrap();
    let out = miglint(p.path())
        .args(["check", "versions", "--output-format", "json"])
        .output()
        .unwrap();
    let found = codes(&stdout(&out));
    let in_file = |f: &str| -> Vec<&str> {
        found
            .iter()
            .filter(|(n, _)| n.ends_with(f))
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert!(in_file("r1.py").is_empty(), "{found:?}");
    assert!(
        in_file("r2.py").iter().all(|c| c.starts_with("ML5")),
        "{found:?}"
    );
    assert!(
        in_file("r3.py").contains(&"ML902"),
        "revisions after the baseline are linted: {found:?}"
    );
    assert!(
        found.iter().any(|(_, c)| c == "ML501"),
        "graph rules still run: {found:?}"
    );
}

#[test]
fn fix_applies_safe_fixes_and_relints() {
    let src = "import sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.add_column('t', sa.Column('flag', sa.Boolean(), nullable=False, server_default=sa.text('1')))\n";
    let p = project(&[("a1.py", src.as_bytes())]);
    fs::write(
        p.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\nselect = [\"ML101\"]\n",
    )
    .unwrap();
    let out = miglint(p.path())
        .args(["check", "versions", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("1 fixable with `--fix`"),
        "{}",
        stdout(&out)
    );
    let out = miglint(p.path())
        .args(["check", "versions", "--fix"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stderr(&out).contains("fixed 1 finding"));
    let fixed = fs::read_to_string(p.path().join("versions/a1.py")).unwrap();
    assert!(fixed.contains("server_default=sa.true()"), "{fixed}");
}

#[test]
fn per_path_dialect_overrides() {
    let rev = |id: &str| {
        format!(
            "revision = '{id}'\ndown_revision = None\n\ndef upgrade():\n    op.execute(\"INSERT OR IGNORE INTO settings (k) VALUES ('a')\")\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    for track in ["sqlite", "postgresql"] {
        fs::create_dir_all(dir.path().join(format!("migrations/versions/{track}"))).unwrap();
        fs::write(
            dir.path()
                .join(format!("migrations/versions/{track}/r_{track}.py")),
            rev(track),
        )
        .unwrap();
    }
    fs::write(
        dir.path().join("lint.toml"),
        "dialects = [\"postgresql\", \"sqlite\"]\nselect = [\"ML105\"]\n\n\
         [[overrides]]\npaths = [\"**/versions/sqlite/**\"]\ndialects = [\"sqlite\"]\n\n\
         [[overrides]]\npaths = [\"**/versions/postgresql/**\"]\ndialects = [\"postgresql\"]\n",
    )
    .unwrap();
    let out = miglint(dir.path())
        .args(["check", "migrations", "--output-format", "json"])
        .output()
        .unwrap();
    let found = codes(&stdout(&out));
    assert_eq!(
        found,
        [(
            "migrations/versions/postgresql/r_postgresql.py".to_string(),
            "ML105".to_string()
        )],
        "the SQLite track may use SQLite SQL; the PostgreSQL track may not"
    );
}

#[test]
fn per_dialect_folders_are_inferred_without_config() {
    let dir = tempfile::tempdir().unwrap();
    for track in ["sqlite", "postgresql"] {
        fs::create_dir_all(dir.path().join(format!("migrations/versions/{track}"))).unwrap();
        fs::write(
            dir.path().join(format!("migrations/versions/{track}/r_{track}.py")),
            format!(
                "revision = '{track}'\ndown_revision = None\n\ndef upgrade():\n    op.execute(\"INSERT OR IGNORE INTO settings (k) VALUES ('a')\")\n"
            ),
        )
        .unwrap();
    }
    let out = miglint(dir.path())
        .args(["check", "--output-format", "json"])
        .output()
        .unwrap();
    let found = codes(&stdout(&out));
    assert_eq!(
        found,
        [(
            "migrations/versions/postgresql/r_postgresql.py".to_string(),
            "ML105".to_string()
        )],
        "versions/sqlite/ targets SQLite only; versions/postgresql/ PostgreSQL only"
    );
}
