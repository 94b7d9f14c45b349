//! Changed-only checks with a real git repository: `--diff-base REF`
//! reports only the revisions changed since the merge base, files on the
//! command line (what pre-commit passes) are reported alone, and
//! `--since-revision REV` skips REV and its ancestors, while the revision
//! graph rules see every revision in all three.

mod support;

use std::fs;

use support::{commit_all_then_branch, git, miglint};

/// A revision with one SQLite error (ML106) on a line of its own.
fn revision(id: &str, down: Option<&str>, column: &str) -> String {
    let down = down.map_or("None".to_owned(), |d| format!("\"{d}\""));
    format!(
        r#"from alembic import op

revision = "{id}"
down_revision = {down}


def upgrade():
    op.alter_column("users", "{column}", nullable=True)


def downgrade():
    op.alter_column("users", "{column}", nullable=False)
"#
    )
}

/// Concise findings as `file CODE` (sorted, deduplicated).
fn findings(out: &std::process::Output) -> Vec<String> {
    let text = String::from_utf8_lossy(&out.stdout);
    let mut list: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let (file, rest) = l.split_once(':')?;
            let code = rest.split_whitespace().find(|w| w.starts_with("ML"))?;
            Some(format!("{file} {code}"))
        })
        .collect();
    list.sort();
    list.dedup();
    list
}

/// main: `a1` <- `b2`, each with an ML106 finding.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("lint.toml"), "dialects = [\"sqlite\"]\n").unwrap();
    let versions = root.join("migrations/versions");
    fs::create_dir_all(&versions).unwrap();
    fs::write(versions.join("a1_users.py"), revision("a1", None, "a")).unwrap();
    fs::write(versions.join("b2_name.py"), revision("b2", Some("a1"), "b")).unwrap();
    commit_all_then_branch(root);
    dir
}

#[test]
fn diff_base_reports_changed_revisions_and_graph_findings_they_cause() {
    let repo = repository();
    let root = repo.path();
    // the branch adds c3 on top of a1: a second head next to b2
    fs::write(
        root.join("migrations/versions/c3_email.py"),
        revision("c3", Some("a1"), "c"),
    )
    .unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "c3"]);

    let everything = miglint(root)
        .args(["check", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(
        findings(&everything),
        [
            "migrations/versions/a1_users.py ML106",
            "migrations/versions/b2_name.py ML106",
            "migrations/versions/c3_email.py ML106",
            "migrations/versions/c3_email.py ML501",
        ]
    );

    let changed = miglint(root)
        .args(["check", "--diff-base", "main", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(changed.status.code(), Some(1));
    assert_eq!(
        findings(&changed),
        [
            "migrations/versions/c3_email.py ML106",
            "migrations/versions/c3_email.py ML501",
        ]
    );

    // from a subdirectory, with a path: the same files
    let sub = miglint(&root.join("migrations"))
        .args([
            "check",
            "versions",
            "--diff-base",
            "main",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    assert_eq!(
        findings(&sub),
        ["versions/c3_email.py ML106", "versions/c3_email.py ML501"]
    );

    // nothing changed since HEAD: nothing to report, exit 0
    let none = miglint(root)
        .args(["check", "--diff-base", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&none.stdout).contains("0 files"));
}

#[test]
fn diff_base_counts_uncommitted_and_untracked_files() {
    let repo = repository();
    let root = repo.path();
    let versions = root.join("migrations/versions");
    // modified in the working tree
    fs::write(
        versions.join("b2_name.py"),
        revision("b2", Some("a1"), "bb"),
    )
    .unwrap();
    // untracked
    fs::write(
        versions.join("c3_email.py"),
        revision("c3", Some("b2"), "c"),
    )
    .unwrap();
    let out = miglint(root)
        .args(["check", "--diff-base", "main", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(
        findings(&out),
        [
            "migrations/versions/b2_name.py ML106",
            "migrations/versions/c3_email.py ML106",
        ]
    );
}

#[test]
fn diff_base_errors_are_usage_errors() {
    let repo = repository();
    let out = miglint(repo.path())
        .args(["check", "--diff-base", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--diff-base"), "{err}");
    assert!(err.contains("no-such-branch"), "{err}");

    let plain = tempfile::tempdir().unwrap();
    let out = miglint(plain.path())
        .args(["check", "--diff-base", "main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "not a repository");
}

#[test]
fn one_file_still_sees_the_whole_revision_graph() {
    let repo = repository();
    let root = repo.path();
    let versions = root.join("migrations/versions");
    // a new head that sorts first: ML501 sits on b2 and points at it
    fs::write(versions.join("0_new.py"), revision("c3", Some("a1"), "c")).unwrap();
    let out = miglint(root)
        .args([
            "check",
            "migrations/versions/0_new.py",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        findings(&out),
        [
            "migrations/versions/0_new.py ML106",
            "migrations/versions/b2_name.py ML501",
        ]
    );
    // the same from inside the versions folder
    let out = miglint(&versions)
        .args(["check", "0_new.py", "--output-format", "concise"])
        .output()
        .unwrap();
    // (ML501 sits on the last head in path order: `./b2_name.py` sorts first)
    assert_eq!(findings(&out), ["0_new.py ML106", "0_new.py ML501"]);
}

#[test]
fn since_revision_skips_it_and_its_ancestors() {
    let repo = repository();
    let root = repo.path();
    let versions = root.join("migrations/versions");
    fs::write(
        versions.join("c3_email.py"),
        revision("c3", Some("b2"), "c"),
    )
    .unwrap();
    let run = |rev: &str| {
        miglint(root)
            .args([
                "check",
                "--since-revision",
                rev,
                "--output-format",
                "concise",
            ])
            .output()
            .unwrap()
    };
    assert_eq!(
        findings(&run("a1")),
        [
            "migrations/versions/b2_name.py ML106",
            "migrations/versions/c3_email.py ML106",
        ]
    );
    assert_eq!(
        findings(&run("b2")),
        ["migrations/versions/c3_email.py ML106"]
    );
    let unknown = run("zz");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--since-revision zz"));
}
