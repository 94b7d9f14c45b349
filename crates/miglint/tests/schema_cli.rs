//! `miglint schema`: the replayed schema in every format, at a revision and
//! per dialect, and the command's errors.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn schema(args: &[&str]) -> (bool, String, String) {
    let out = Command::cargo_bin("miglint")
        .expect("binary")
        .current_dir(repo_root())
        .arg("schema")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

const DIR: &str = "tests/schema";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../../tests/snapshots");
    s.set_prepend_module_to_snapshot(true);
    s.set_omit_expression(true);
    s
}

#[test]
fn text_at_head() {
    let (ok, out, _) = schema(&[DIR]);
    assert!(ok);
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn text_at_first_revision() {
    let (ok, out, _) = schema(&[DIR, "--at", "r1"]);
    assert!(ok);
    assert!(!out.contains("body"), "r2's column shows at r1:\n{out}");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn sqlite_skips_the_guarded_branch() {
    let (ok, out, _) = schema(&[DIR, "--dialect", "sqlite"]);
    assert!(ok);
    assert!(!out.contains("audit_seq"), "{out}");
    assert!(out.contains("table audit"), "{out}");
}

#[test]
fn json() {
    let (ok, out, _) = schema(&[DIR, "--format", "json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["revision"], "r2");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn sql() {
    let (ok, out, _) = schema(&[DIR, "--format", "sql"]);
    assert!(ok);
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn unknown_revision_and_dialect_exit_2() {
    let (ok, _, err) = schema(&[DIR, "--at", "nope"]);
    assert!(!ok);
    assert!(err.contains("no revision `nope`"), "{err}");
    let (ok, _, err) = schema(&[DIR, "--dialect", "oracle"]);
    assert!(!ok);
    assert!(err.contains("unknown dialect"), "{err}");
}
