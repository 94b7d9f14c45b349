//! The cache (`.miglint_cache`, issue 15): a warm run prints exactly what a
//! cold run prints, in every output format; changed bytes, settings or
//! targets are never served from the cache; a corrupt cache is ignored;
//! concurrent runs are safe; `miglint clean` removes only a cache.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{check, files_under, miglint};

const FORMATS: &[&str] = &[
    "full",
    "concise",
    "json",
    "json-lines",
    "sarif",
    "github",
    "gitlab",
    "junit",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn warm_runs_print_what_cold_runs_print_on_every_fixture_in_every_format() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join("c");
    let dir = dir.to_str().unwrap();
    let root = repo_root();
    let config = cache.path().join("all.toml");
    fs::write(&config, "select = [\"ALL\"]\n").unwrap();
    let base = ["tests/fixtures", "--config", config.to_str().unwrap()];
    for format in FORMATS {
        let mut args = base.to_vec();
        args.extend(["--output-format", format]);
        let cold = check(&root, &[&args[..], &["--no-cache"]].concat());
        let filling = check(&root, &[&args[..], &["--cache-dir", dir]].concat());
        let warm = check(&root, &[&args[..], &["--cache-dir", dir]].concat());
        assert!(!cold.is_empty(), "{format}: the fixtures have findings");
        assert_eq!(cold, filling, "{format}: a run that fills the cache");
        assert_eq!(cold, warm, "{format}: a warm run");
    }
    let c = Path::new(dir);
    assert_eq!(
        fs::read_to_string(c.join(".gitignore")).unwrap(),
        "# Automatically created by miglint.\n*\n"
    );
    assert!(
        fs::read_to_string(c.join("CACHEDIR.TAG"))
            .unwrap()
            .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
    );
    // one file for the one (root, settings) pair, one project memo
    let (memos, files): (Vec<_>, Vec<_>) = files_under(c)
        .into_iter()
        .filter(|p| p.parent() != Some(c) && !is_snapshot(p))
        .partition(|p| is_memo(p));
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(memos.len(), 1, "{memos:?}");
}

/// The model snapshot (see `crates/miglint/src/snapshot.rs`).
fn is_snapshot(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("model-"))
}

/// A project memo (see `crates/miglint/src/memo.rs`).
fn is_memo(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("memo-"))
}

/// Removes the project memos, so that the next run reads the per-file cache.
fn drop_memos(cache: &Path) {
    for f in files_under(cache).into_iter().filter(|f| is_memo(f)) {
        fs::remove_file(f).unwrap();
    }
}

/// A project with two revisions and a configuration.
fn project(dialects: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("lint.toml"),
        format!("{dialects}paths = [\"versions\"]\nselect = [\"ALL\"]\n"),
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    fs::write(
        dir.path().join("versions/a1_first.py"),
        "revision = 'a1'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))\n\n\
def downgrade():\n    op.drop_column('t', 'c')\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("versions/b2_second.py"),
        "revision = 'b2'\ndown_revision = 'a1'\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.alter_column('t', 'c', server_default='0')  # miglint: ignore[ML999]\n\n\
def downgrade():\n    pass\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_default_cache_sits_in_the_project_root_and_no_cache_writes_nothing() {
    let p = project("dialects = [\"postgresql\"]\n");
    let cold = check(p.path(), &["--no-cache"]);
    assert!(!p.path().join(".miglint_cache").exists());
    let filling = check(p.path(), &[]);
    assert!(p.path().join(".miglint_cache/CACHEDIR.TAG").exists());
    assert!(p.path().join(".miglint_cache/.gitignore").exists());
    assert_eq!(cold, filling);
    assert_eq!(cold, check(p.path(), &[]));
    // MIGLINT_CACHE_DIR and `cache-dir` move it
    let env_dir = p.path().join("elsewhere");
    let out = miglint(p.path())
        .args(["check", "--exit-zero", "--quiet"])
        .env("MIGLINT_CACHE_DIR", &env_dir)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), cold);
    assert!(env_dir.join("CACHEDIR.TAG").exists());
    let toml = fs::read_to_string(p.path().join("lint.toml")).unwrap();
    fs::write(
        p.path().join("lint.toml"),
        format!("{toml}cache-dir = \"build/lintcache\"\n"),
    )
    .unwrap();
    assert_eq!(cold, check(p.path(), &[]));
    assert!(p.path().join("build/lintcache/CACHEDIR.TAG").exists());
}

#[test]
fn changed_bytes_settings_and_targets_are_never_served_from_the_cache() {
    let p = project("");
    let cache = p.path().join(".miglint_cache");
    check(p.path(), &["--output-format", "json"]);
    assert!(cache.exists());
    // the file changes: its findings follow
    let second = p.path().join("versions/b2_second.py");
    let text = fs::read_to_string(&second).unwrap();
    fs::write(
        &second,
        text.replace(
            "pass",
            "op.drop_column('t', 'd')\n    op.execute('DROP TABLE x')",
        ),
    )
    .unwrap();
    let cold = check(p.path(), &["--output-format", "json", "--no-cache"]);
    assert_eq!(cold, check(p.path(), &["--output-format", "json"]));
    // a file that names a dialect changes the inferred targets of the others
    fs::write(
        p.path().join("versions/c3_mysql.py"),
        "revision = 'c3'\ndown_revision = 'b2'\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.create_table('m', sa.Column('id', sa.Integer()), mysql_engine='InnoDB')\n    \
op.alter_column('t', 'c', type_=sa.String(10))\n\n\
def downgrade():\n    op.drop_table('m')\n",
    )
    .unwrap();
    let cold = check(p.path(), &["--output-format", "json", "--no-cache"]);
    assert_eq!(cold, check(p.path(), &["--output-format", "json"]));
    // other settings: another rule selection and targets
    fs::write(
        p.path().join("other.toml"),
        "paths = [\"versions\"]\nselect = [\"ML2\"]\ndialects = [\"sqlite\"]\n",
    )
    .unwrap();
    let args = ["--output-format", "json", "--config", "other.toml"];
    let cold = check(p.path(), &[&args[..], &["--no-cache"]].concat());
    assert_eq!(cold, check(p.path(), &args));
    assert_eq!(cold, check(p.path(), &args));
}

#[test]
fn a_corrupt_or_truncated_cache_is_ignored_and_rewritten() {
    let p = project("dialects = [\"postgresql\"]\n");
    let cold = check(p.path(), &["--no-cache", "--output-format", "concise"]);
    check(p.path(), &[]);
    let cache = p.path().join(".miglint_cache");
    let data: Vec<PathBuf> = files_under(&cache)
        .into_iter()
        .filter(|f| f.parent() != Some(cache.as_path()) && !is_memo(f) && !is_snapshot(f))
        .collect();
    assert_eq!(data.len(), 1);
    let bytes = fs::read(&data[0]).unwrap();
    for broken in [
        b"garbage".to_vec(),
        Vec::new(),
        bytes[..bytes.len() / 2].to_vec(),
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| if i > 60 { b ^ 0x5a } else { *b })
            .collect(),
    ] {
        fs::write(&data[0], &broken).unwrap();
        drop_memos(&cache);
        assert_eq!(cold, check(p.path(), &["--output-format", "concise"]));
        drop_memos(&cache);
        assert_eq!(cold, check(p.path(), &["--output-format", "concise"]));
    }
}

#[test]
fn concurrent_runs_share_one_cache_safely() {
    let p = project("dialects = [\"postgresql\", \"sqlite\"]\n");
    let cold = check(p.path(), &["--no-cache", "--output-format", "json"]);
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_miglint"));
            cmd.current_dir(p.path())
                .args(["check", "--exit-zero", "--quiet", "--output-format", "json"])
                .env_remove("MIGLINT_CACHE_DIR")
                .stdout(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in runs {
        let out = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), cold);
    }
    assert_eq!(cold, check(p.path(), &["--output-format", "json"]));
    // no temporary file is left behind
    let leftovers: Vec<_> = files_under(&p.path().join(".miglint_cache"))
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn fix_rewrites_files_and_the_next_run_sees_the_new_bytes() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    fs::write(
        dir.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\npaths = [\"versions\"]\n",
    )
    .unwrap();
    let fixture = repo_root().join("tests/fixtures/ML101");
    let err = fs::read_dir(&fixture)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("err_"))
        .unwrap();
    fs::copy(&err, dir.path().join("versions/a1.py")).unwrap();
    let before = check(dir.path(), &["--output-format", "concise"]);
    assert!(before.contains("ML101"), "{before}");
    miglint(dir.path())
        .args(["check", "--fix", "--exit-zero", "--quiet"])
        .output()
        .unwrap();
    let cold = check(dir.path(), &["--no-cache", "--output-format", "concise"]);
    assert_eq!(cold, check(dir.path(), &["--output-format", "concise"]));
    assert_ne!(before, cold, "the fix changed the findings");
}

#[test]
fn clean_removes_the_cache_and_nothing_else() {
    let p = project("dialects = [\"postgresql\"]\n");
    check(p.path(), &[]);
    assert!(p.path().join(".miglint_cache").exists());
    let out = miglint(p.path()).arg("clean").output().unwrap();
    assert!(out.status.success());
    assert!(!p.path().join(".miglint_cache").exists());
    assert!(p.path().join("versions/a1_first.py").exists());
    // nothing to clean is fine
    assert!(
        miglint(p.path())
            .arg("clean")
            .output()
            .unwrap()
            .status
            .success()
    );
    // a folder that is not a miglint cache is never removed
    let out = miglint(p.path())
        .args(["clean", "--cache-dir", "versions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(p.path().join("versions/a1_first.py").exists());
}

#[test]
fn a_warm_run_reuses_every_entry_and_re_checks_only_what_changed() {
    use miglint::cache::Cache;
    let p = project("");
    let options = miglint::run::load_options(p.path(), Some(&p.path().join("lint.toml"))).unwrap();
    let linter = miglint_linter::Linter::new(miglint::run::settings(options).unwrap());
    let files = vec![
        p.path().join("versions/a1_first.py"),
        p.path().join("versions/b2_second.py"),
    ];
    let dir = p.path().join("cache");
    let root = &linter.settings.options.root;
    let open = || Cache::open(&dir, root, &linter.cache_fingerprint());
    let read = || miglint::run::read_all(&linter, &files);
    // the reports, and the updates the run gives to `save`
    let run = |cache: &Cache| {
        let mut updates = Vec::new();
        let reports = miglint::run::lint_and_finish_cached(
            &linter,
            &files,
            read(),
            cache,
            Vec::new(),
            |_| {},
            |u| updates = u,
        );
        (format!("{reports:#?}"), updates)
    };
    // (the cache a run wrote its new entries to saves them)
    let cache = open();
    let (cold, updates) = run(&cache);
    assert!(
        updates.iter().all(|u| u.blob.is_some()),
        "a cold run writes every entry"
    );
    assert_eq!(updates.len(), 2);
    // the new entries go to the file the save renames (through a small
    // buffer), not held by the run until the save
    let temporary = || -> Vec<PathBuf> {
        files_under(&dir)
            .into_iter()
            .filter(|f| f.to_string_lossy().contains(".tmp-"))
            .collect()
    };
    let written = temporary();
    assert_eq!(written.len(), 1, "{written:?}");
    cache.save(updates);
    assert!(temporary().is_empty(), "the save renamed it");
    assert_eq!(
        cold,
        format!(
            "{:#?}",
            miglint::run::lint_and_finish(&linter, &files, Vec::new(), |_| {})
        ),
        "the reports are those of a run without the cache"
    );
    let (warm, updates) = run(&open());
    assert_eq!(updates.len(), 2);
    assert!(
        updates.iter().all(|u| u.blob.is_none()),
        "a warm run reuses every entry"
    );
    assert_eq!(cold, warm);
    // one file changes: only its entry is new
    fs::write(
        &files[1],
        fs::read_to_string(&files[1]).unwrap() + "\n# changed\n",
    )
    .unwrap();
    let (_, updates) = run(&open());
    let fresh: Vec<_> = updates.iter().map(|u| u.blob.is_some()).collect();
    assert_eq!(fresh, [false, true]);
    // another fingerprint (another rule selection) sees no entry
    let other = Cache::open(&dir, root, "another fingerprint");
    let (_, updates) = run(&other);
    assert!(updates.iter().all(|u| u.blob.is_some()));
    // a cache dropped without its save leaves nothing behind
    assert_eq!(temporary().len(), 1);
    drop(other);
    assert!(temporary().is_empty());
}
