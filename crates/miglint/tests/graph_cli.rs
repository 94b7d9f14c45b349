//! `miglint graph`: every output format on one fixture, plus the edges of
//! the command (several environments, a missing path).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// Runs `miglint graph` from the repository root (paths in the output are
/// relative to it) and returns stdout.
fn graph(args: &[&str]) -> String {
    let out = Command::cargo_bin("miglint")
        .expect("binary")
        .current_dir(repo_root())
        .arg("graph")
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "miglint graph {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

const LABELLED: &str = "tests/fixtures/ML501/ok_labelled_branches_depends_on";

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../../tests/snapshots");
    s.set_prepend_module_to_snapshot(true);
    s.set_omit_expression(true);
    s
}

#[test]
fn text() {
    settings().bind(|| insta::assert_snapshot!(graph(&[LABELLED])));
}

#[test]
fn mermaid() {
    settings().bind(|| insta::assert_snapshot!(graph(&[LABELLED, "--format", "mermaid"])));
}

#[test]
fn dot() {
    settings().bind(|| insta::assert_snapshot!(graph(&[LABELLED, "--format", "dot"])));
}

#[test]
fn json() {
    let text = graph(&[LABELLED, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let env = &v["environments"][0];
    assert_eq!(
        env["heads"],
        serde_json::json!(["99de3849d860", "b4f8b3f584e0"])
    );
    assert_eq!(env["bases"], serde_json::json!(["27e647c0fad4"]));
    settings().bind(|| insta::assert_snapshot!(text));
}

#[test]
fn merges_and_forks_in_text() {
    let text = graph(&["tests/fixtures/ML501/ok_octopus_merge"]);
    assert!(
        text.contains("b1, b2, b3 -> m1 (mergepoint), merge three heads"),
        "{text}"
    );
    assert!(
        text.contains("<base> -> a1 (base) (branchpoint), init"),
        "{text}"
    );
    assert!(text.starts_with("# tests/fixtures/ML501/ok_octopus_merge/versions: 6 revisions; head: n1; base: a1\nm1 -> n1 (head)"), "{text}");
}

#[test]
fn independent_tracks_are_separate_environments() {
    let text = graph(&["tests/fixtures/ML501/ok_independent_tracks"]);
    let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(headers.len(), 2, "{text}");
    assert!(headers[0].contains("versions/postgresql"), "{text}");
    assert!(headers[1].contains("versions/sqlite"), "{text}");
}

#[test]
fn problems_are_marked() {
    let text = graph(&["tests/fixtures/ML502/err_deleted_parent"]);
    assert!(
        text.contains("deadbeef0000? -> 9f8e7d6c5b4a (head)"),
        "{text}"
    );
    let text = graph(&["tests/fixtures/ML504/err_two_cycle"]);
    assert!(text.contains("r2 -> r1 (cycle)"), "{text}");
}

#[test]
fn missing_path_is_a_usage_error() {
    Command::cargo_bin("miglint")
        .expect("binary")
        .current_dir(repo_root())
        .args(["graph", "tests/fixtures/ML501/no_such_case"])
        .assert()
        .code(2);
}
