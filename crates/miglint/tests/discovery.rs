//! Discovery through the CLI (issue 9 §5): the scope starts at the current
//! directory, an empty run is not a success, and a folder's environment
//! modules are not revisions.

mod support;

use std::fs;
use std::path::Path;

use support::{miglint, write};

fn revision(id: &str) -> String {
    format!(
        "revision = '{id}'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    )
}

/// The linted file names of a JUnit run (one `<testcase>` per file).
fn linted(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let out = miglint(dir)
        .args(["check", "--output-format", "json-lines"])
        .args(args)
        .output()
        .unwrap();
    let summary = miglint(dir).args(["check"]).args(args).output().unwrap();
    let mut files: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["filename"].as_str().unwrap_or("").to_string())
        .collect();
    files.dedup();
    (
        out.status.code(),
        files,
        String::from_utf8_lossy(&summary.stdout).into_owned()
            + &String::from_utf8_lossy(&summary.stderr),
    )
}

#[test]
fn monorepo_subproject_is_linted_alone_with_its_own_alembic_ini() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // the parent configuration re-grades ML201, so that it is visible
    write(
        root,
        "lint.toml",
        "dialects = [\"postgresql\"]\n[severity]\nML201 = \"warning\"\n",
    );
    // sub-project a: its alembic.ini points at db/versions
    write(root, "a/alembic.ini", "[alembic]\nscript_location = db\n");
    write(root, "a/db/env.py", "import alembic\n");
    write(
        root,
        "a/db/versions/a1.py",
        "revision = 'a1'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\
         def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))\n\
         def downgrade():\n    op.drop_column('t', 'c')\n",
    );
    // a sibling and a test fixture that must stay out of a's run
    write(root, "b/alembic/versions/b1.py", &revision("b1"));
    write(
        root,
        "tests/fixtures/alembic/versions/broken.py",
        "def upgrade(:\n",
    );

    let out = miglint(&root.join("a"))
        .args(["check", "--output-format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("db/versions/a1.py"), "{text}");
    assert!(
        !text.contains("b1.py") && !text.contains("broken.py"),
        "{text}"
    );
    assert!(text.contains("in 1 file"), "{text}");
    // the parent's configuration still applies (nearest config wins)
    assert!(text.contains("ML201 [warning]"), "{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn zero_files_is_exit_2_unless_allow_empty() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "README.md", "nothing here\n");
    let out = miglint(tmp.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no files to lint"), "{err}");
    let out = miglint(tmp.path())
        .args(["check", "--allow-empty"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // an explicit folder without *.py files too
    fs::create_dir(tmp.path().join("empty")).unwrap();
    let out = miglint(tmp.path())
        .args(["check", "empty"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hold no *.py file"));
}

#[test]
fn a_script_location_given_as_a_folder_lints_only_revisions() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "alembic/env.py",
        "from alembic import context\ncontext.configure(render_as_batch=True)\n",
    );
    write(root, "alembic/helpers.py", "def helper():\n    return 1\n");
    write(root, "alembic/versions/r1.py", &revision("r1"));
    write(root, "alembic/versions/__init__.py", "");
    let (code, _, summary) = linted(root, &["alembic"]);
    assert_eq!(code, Some(0), "{summary}");
    assert!(summary.contains("1 file"), "{summary}");
    let out = miglint(root)
        .args(["check", "alembic", "--output-format", "junit"])
        .output()
        .unwrap();
    let junit = String::from_utf8_lossy(&out.stdout);
    assert!(
        !junit.contains("env.py") && !junit.contains("helpers.py"),
        "{junit}"
    );
    // given explicitly, a file is linted whatever it is
    let (_, _, summary) = linted(root, &["alembic/env.py"]);
    assert!(summary.contains("1 file"), "{summary}");
}
