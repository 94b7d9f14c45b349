//! `miglint drift` (text, the JSON contract, exit codes, model files from
//! env.py or the configuration) and ML802 through `check --diff-base` with
//! a real git repository.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::commit_all_then_branch;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn miglint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = support::miglint(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(out.stderr).expect("utf-8"),
    )
}

fn case(name: &str) -> PathBuf {
    repo_root().join("tests/drift/cases").join(name)
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../../tests/snapshots");
    s.set_prepend_module_to_snapshot(true);
    s.set_omit_expression(true);
    s
}

#[test]
fn text_lists_items_and_exits_1() {
    let (code, out, err) = miglint(
        &case("drift_nullable_timestamps"),
        &["drift", "--dialect", "postgresql"],
    );
    assert_eq!(code, 1, "{err}");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn json_contract() {
    let (code, out, err) = miglint(
        &case("drift_tables"),
        &["drift", "--format", "json", "--dialect", "sqlite"],
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let obj = v.as_object().expect("object");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["items", "skipped"]);
    assert_eq!(v["skipped"], serde_json::json!([]));
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    for it in items {
        let mut keys: Vec<&String> = it.as_object().expect("item").keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "column", "dialect", "model", "name", "op", "revision", "table"
            ]
        );
        assert_eq!(it["dialect"], "sqlite");
    }
    assert_eq!(items[0]["op"], "add_table");
    assert_eq!(items[0]["table"], "tag");
    assert_eq!(items[0]["model"]["path"], "models.py");
    assert_eq!(items[0]["model"]["line"], 14);
    assert_eq!(items[0]["revision"], serde_json::Value::Null);
    assert_eq!(items[1]["op"], "remove_table");
    assert_eq!(items[1]["model"], serde_json::Value::Null);
    assert_eq!(items[1]["revision"], "f1");
}

#[test]
fn no_drift_exits_0() {
    let (code, out, err) = miglint(&case("drift_clean"), &["drift"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no drift in 3 model table(s)"), "{out}");
    let (code, out, _) = miglint(&case("drift_clean"), &["drift", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "{\n  \"items\": [],\n  \"skipped\": []\n}");
}

#[test]
fn uncertain_tables_are_skipped_and_said() {
    let dir = repo_root().join("tests/fixtures/ML801/ok_uncertain_tables");
    let (code, out, err) = miglint(&dir, &["drift", "migrations/versions"]);
    assert_eq!(code, 0, "{err}");
    settings().bind(|| insta::assert_snapshot!(out));
}

#[test]
fn json_lists_skipped_tables() {
    let dir = repo_root().join("tests/fixtures/ML801/ok_uncertain_tables");
    let (code, out, err) = miglint(&dir, &["drift", "migrations/versions", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["items"], serde_json::json!([]));
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(!skipped.is_empty(), "{out}");
    for s in skipped {
        let mut keys: Vec<&String> = s.as_object().expect("skip").keys().collect();
        keys.sort();
        assert_eq!(keys, ["model", "reason", "table"]);
        assert!(s["reason"].as_str().is_some_and(|r| !r.is_empty()), "{out}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    fs::create_dir_all(dir.path().join("migrations/versions")).unwrap();
    fs::write(
        dir.path().join("migrations/versions/r1.py"),
        "revision = 'r1'\ndown_revision = None\n\ndef upgrade():\n    pass\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("migrations/env.py"),
        "target_metadata = None\n",
    )
    .unwrap();
    let (code, _, err) = miglint(dir.path(), &["drift", "migrations/versions"]);
    assert_eq!(code, 2);
    assert!(err.contains("no model files"), "{err}");
    let (code, _, err) = miglint(dir.path(), &["drift", "--dialect", "oracle"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown dialect"), "{err}");
    fs::write(
        dir.path().join("lint.toml"),
        "models = [\"app/models.py\"]\n",
    )
    .unwrap();
    let (code, _, err) = miglint(dir.path(), &["drift", "migrations/versions"]);
    assert_eq!(code, 2);
    assert!(err.contains("app/models.py"), "{err}");
}

/// A repository with the clean project committed on `main`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let src = case("drift_clean");
    let copy = |rel: &str| {
        let to = dir.path().join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(src.join(rel), to).unwrap();
    };
    copy("models.py");
    copy("migrations/env.py");
    copy("migrations/versions/g1_initial.py");
    copy("migrations/versions/g2_total_not_null.py");
    fs::write(
        dir.path().join("lint.toml"),
        "models = [\"models.py\"]\ndialects = [\"postgresql\", \"sqlite\"]\n",
    )
    .unwrap();
    commit_all_then_branch(dir.path());
    dir
}

fn codes(out: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(out).expect("json");
    v.as_array()
        .expect("list")
        .iter()
        .map(|d| format!("{}:{}", d["code"].as_str().unwrap(), d["location"]["row"]))
        .collect()
}

#[test]
fn diff_base_model_change_without_revision() {
    let dir = repo();
    let p = dir.path();
    // a comment and a Python-side edit: nothing
    let models = fs::read_to_string(p.join("models.py")).unwrap();
    fs::write(
        p.join("models.py"),
        models.replace(
            "class Customer(TimestampMixin, Entity):",
            "# customers\nclass Customer(TimestampMixin, Entity):",
        ),
    )
    .unwrap();
    let (code, out, err) = miglint(
        p,
        &["check", "--diff-base", "main", "--output-format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(codes(&out), Vec::<String>::new());
    // a new column: ML802 at its line (and ML801, the drift it makes)
    fs::write(
        p.join("models.py"),
        models.replace(
            "    note: Mapped[Optional[str]] = mapped_column(sa.Text)\n",
            "    note: Mapped[Optional[str]] = mapped_column(sa.Text)\n    phone: Mapped[Optional[str]]\n",
        ),
    )
    .unwrap();
    let (code, out, err) = miglint(
        p,
        &["check", "--diff-base", "main", "--output-format", "json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(codes(&out), ["ML801:36", "ML802:36"]);
    // with the revision that adds the column: nothing
    fs::write(
        p.join("migrations/versions/g3_phone.py"),
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'g3'\ndown_revision = 'g2'\n\n\n\
         def upgrade():\n    op.add_column('customer', sa.Column('phone', sa.String(), nullable=True))\n\n\n\
         def downgrade():\n    op.drop_column('customer', 'phone')\n",
    )
    .unwrap();
    let (code, out, err) = miglint(
        p,
        &["check", "--diff-base", "main", "--output-format", "json"],
    );
    assert_eq!(codes(&out), Vec::<String>::new(), "{err}");
    assert_eq!(code, 0);
}
