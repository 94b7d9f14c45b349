//! The project memo (`crates/miglint/src/memo.rs`, issue 15): a warm run
//! whose inputs did not change skips the project phase, and prints exactly
//! what a cold run prints; a change to any input (a file's bytes, the set
//! of files, the settings, `env.py`) is a miss; naming another file of the
//! same environment is a hit; a corrupt memo is a miss.
//!
//! A hit is told from a miss by the per-file cache: a hit never opens it,
//! so a deleted per-file cache stays deleted after a hit and is written
//! again by a miss.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{check, files_under, miglint, write};

fn is_memo(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("memo-"))
}

/// The model snapshot (`crates/miglint/src/snapshot.rs`).
fn is_snapshot(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("model-"))
}

/// The per-file cache files (not the memos, not the model snapshot, not
/// the tag files).
fn per_file_caches(root: &Path) -> Vec<PathBuf> {
    let cache = root.join(".miglint_cache");
    files_under(&cache)
        .into_iter()
        .filter(|f| f.parent() != Some(cache.as_path()) && !is_memo(f) && !is_snapshot(f))
        .collect()
}

fn memos(root: &Path) -> Vec<PathBuf> {
    files_under(&root.join(".miglint_cache"))
        .into_iter()
        .filter(|f| is_memo(f))
        .collect()
}

/// Deletes the per-file cache; returns whether the next `run` rewrote it
/// (a miss) or not (a hit).
fn missed(root: &Path, run: impl FnOnce()) -> bool {
    for f in per_file_caches(root) {
        fs::remove_file(f).unwrap();
    }
    run();
    !per_file_caches(root).is_empty()
}

const FORMATS: [&str; 2] = ["json", "full"];

/// The output of a cold run and a cached run, in both formats, must be
/// equal; returns the cold outputs.
fn same_as_cold(root: &Path, args: &[&str]) -> Vec<String> {
    FORMATS
        .iter()
        .map(|format| {
            let a = [args, &["--output-format", format]].concat();
            let cold = check(root, &[&a[..], &["--no-cache"]].concat());
            assert_eq!(cold, check(root, &a), "{format} {args:?}");
            cold
        })
        .collect()
}

/// An Alembic environment with three revisions (two heads) and findings of
/// the per-file, graph and model rules.
/// In every format, a run is a memo hit and prints `cold` (that
/// format's cold output, in [`FORMATS`]' order).
fn hits_as_cold(root: &Path, cold: &[String]) {
    for (format, cold) in FORMATS.iter().zip(cold) {
        let mut warm = String::new();
        let args = ["--output-format", format];
        assert!(
            !missed(root, || warm = check(root, &args)),
            "{format}: a hit"
        );
        assert_eq!(*cold, warm, "{format}");
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "lint.toml",
        "paths = [\"alembic\"]\nselect = [\"ALL\"]\n",
    );
    write(
        root,
        "alembic/env.py",
        "from alembic import context\n\nURL = \"postgresql://localhost/app\"\n\n\
def run_migrations_online():\n    context.configure(url=URL)\n",
    );
    write(
        root,
        "alembic/versions/a1_first.py",
        "revision = 'a1'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n    \
op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))\n\n\
def downgrade():\n    op.drop_table('t')\n",
    );
    write(
        root,
        "alembic/versions/b2_second.py",
        "revision = 'b2'\ndown_revision = 'a1'\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.alter_column('t', 'c', type_=sa.String(10))\n    op.drop_column('t', 'x')\n\n\
def downgrade():\n    pass\n",
    );
    write(
        root,
        "alembic/versions/c3_third.py",
        "revision = 'c3'\ndown_revision = 'a1'\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.create_index('ix_t_c', 't', ['c'])\n\n\
def downgrade():\n    op.drop_index('ix_t_c', table_name='t')\n",
    );
    dir
}

#[test]
fn a_warm_run_with_nothing_changed_is_served_from_the_memo() {
    let p = project();
    let root = p.path();
    let cold = same_as_cold(root, &[]);
    assert!(cold[0].contains("ML501"), "a graph finding: {}", cold[0]);
    assert_eq!(memos(root).len(), 1);
    hits_as_cold(root, &cold);
    // --no-cache neither reads nor writes it
    assert!(!missed(root, || drop(check(root, &["--no-cache"]))));
}

#[test]
fn every_changed_input_is_a_miss_and_prints_what_a_cold_run_prints() {
    let p = project();
    let root = p.path();
    same_as_cold(root, &[]);
    // the cold outputs before the change (with no arguments) must differ
    // from those after it, so that a stale memo would be seen
    let step = |what: &str, change: &dyn Fn(), args: &[&str]| {
        let before: Vec<String> = FORMATS
            .iter()
            .map(|f| check(root, &["--no-cache", "--output-format", f]))
            .collect();
        change();
        let mut after = Vec::new();
        assert!(
            missed(root, || after = same_as_cold(root, args)),
            "{what}: a miss"
        );
        assert_ne!(before, after, "{what}: changes the findings");
        // and the memo of the new inputs is then a hit
        let mut warm = String::new();
        let a = [args, &["--output-format", "json"]].concat();
        assert!(
            !missed(root, || warm = check(root, &a)),
            "{what}: then a hit"
        );
        assert_eq!(after[0], warm, "{what}");
    };
    let versions = root.join("alembic/versions");
    step(
        "one file edited",
        &|| {
            let f = versions.join("c3_third.py");
            let text = fs::read_to_string(&f).unwrap();
            fs::write(&f, text.replace("['c']", "['c'], unique=True")).unwrap();
        },
        &[],
    );
    step("--since-revision", &|| {}, &["--since-revision", "b2"]);
    step(
        "env.py names another database",
        &|| {
            let f = root.join("alembic/env.py");
            let text = fs::read_to_string(&f).unwrap();
            fs::write(
                &f,
                text.replace("postgresql://localhost/app", "sqlite:///app.db"),
            )
            .unwrap();
        },
        &[],
    );
    step(
        "a file added (a merge of the two heads)",
        &|| {
            write(
                root,
                "alembic/versions/d4_merge.py",
                "revision = 'd4'\ndown_revision = ('b2', 'c3')\n\n\
def upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
            );
        },
        &[],
    );
    step(
        "a file removed",
        &|| fs::remove_file(versions.join("b2_second.py")).unwrap(),
        &[],
    );
    step(
        "settings that apply after the per-file phase",
        &|| {
            write(
                root,
                "lint.toml",
                "paths = [\"alembic\"]\nselect = [\"ALL\"]\n\
[severity]\nML502 = \"warning\"\n[per-file-ignores]\n\"*c3_third.py\" = [\"ML7\"]\n",
            );
        },
        &[],
    );
}

/// The environments' part of the key: an `alembic.ini` that only target
/// inference reads (not a linted file, and not found from the project root,
/// so the settings do not see it) names another database.
#[test]
fn an_environment_file_only_inference_reads_is_in_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "lint.toml",
        "paths = [\"app/alembic\"]\nselect = [\"ALL\"]\n",
    );
    write(
        root,
        "app/alembic/env.py",
        "from alembic import context\n\n\
def run_migrations_online():\n    \
context.configure(url=context.config.get_main_option('sqlalchemy.url'))\n",
    );
    write(
        root,
        "app/alembic/versions/b2_alter.py",
        "revision = 'b2'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.alter_column('t', 'c', type_=sa.String(10))\n\n\
def downgrade():\n    pass\n",
    );
    let ini = |url: &str| {
        write(
            root,
            "app/alembic.ini",
            &format!("[alembic]\nscript_location = alembic\nsqlalchemy.url = {url}\n"),
        );
    };
    ini("sqlite:///app.db");
    let before = same_as_cold(root, &[]);
    assert!(before[0].contains("ML106"), "{}", before[0]);
    ini("postgresql://localhost/app");
    let mut after = Vec::new();
    assert!(missed(root, || after = same_as_cold(root, &[])), "a miss");
    assert!(!after[0].contains("ML106"), "{}", after[0]);
}

#[test]
fn naming_another_file_of_the_environment_is_a_hit() {
    let p = project();
    let root = p.path();
    same_as_cold(root, &[]);
    let mut colds = Vec::new();
    for name in [
        "alembic/versions/a1_first.py",
        "alembic/versions/b2_second.py",
        "alembic/versions/c3_third.py",
    ] {
        let args = [name, "--output-format", "json"];
        let cold = check(root, &[&args[..], &["--no-cache"]].concat());
        colds.push(cold.clone());
        let mut warm = String::new();
        assert!(!missed(root, || warm = check(root, &args)), "{name}: a hit");
        assert_eq!(cold, warm, "{name}");
        // full output too, and the context's findings stay out
        let args = [name, "--output-format", "full"];
        let cold = check(root, &[&args[..], &["--no-cache"]].concat());
        assert_eq!(cold, check(root, &args), "{name}");
    }
    assert!(colds[0] != colds[1] && colds[1] != colds[2], "{colds:?}");
    // a hit decodes another file's findings only when one has a label in
    // the named file: a1 shows b2's ML303 (labelled in a1), b2 shows c3's
    // ML501 (labelled in b2)
    assert!(
        colds[0].contains("b2_second.py") && colds[0].contains("ML303"),
        "{}",
        colds[0]
    );
    assert!(
        colds[1].contains("c3_third.py") && colds[1].contains("ML501"),
        "{}",
        colds[1]
    );
}

#[test]
fn a_corrupt_memo_is_a_miss() {
    let p = project();
    let root = p.path();
    let cold = same_as_cold(root, &[]);
    let memo = memos(root).pop().expect("one memo");
    let bytes = fs::read(&memo).unwrap();
    for broken in [
        b"garbage".to_vec(),
        Vec::new(),
        bytes[..bytes.len() / 2].to_vec(),
        bytes[..bytes.len() - 1].to_vec(),
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| if i > 40 { b ^ 0x5a } else { *b })
            .collect(),
    ] {
        fs::write(&memo, &broken).unwrap();
        let mut warm = String::new();
        let args = ["--output-format", "json"];
        assert!(missed(root, || warm = check(root, &args)), "a miss");
        assert_eq!(cold[0], warm);
        // rewritten: the next run is a hit
        assert!(!missed(root, || warm = check(root, &args)), "then a hit");
        assert_eq!(cold[0], warm);
    }
}

// The stat fast path of the memo's key: a file recorded with the same stat
// fields, modified more than 2 s before the recording run, is not read.

/// stdout of a cached `miglint check ARGS --output-format json` and how
/// many files were known by their stat and read for the memo's key
/// (`MIGLINT_TIMING`).
fn check_counted(root: &Path, args: &[&str]) -> (String, usize, usize) {
    let out = miglint(root)
        .arg("check")
        .args(args)
        .args(["--exit-zero", "--quiet", "--output-format", "json"])
        .env("MIGLINT_TIMING", "1")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("memo key: "))
        .unwrap_or_else(|| panic!("a memo key line: {stderr}"));
    let numbers: Vec<usize> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert_eq!(numbers.len(), 2, "{line}");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    (stdout, numbers[0], numbers[1])
}

fn cold_json(root: &Path, args: &[&str]) -> String {
    check(
        root,
        &[args, &["--no-cache", "--output-format", "json"]].concat(),
    )
}

const VERSIONS: [&str; 3] = [
    "alembic/versions/a1_first.py",
    "alembic/versions/b2_second.py",
    "alembic/versions/c3_third.py",
];

fn mtime(path: &Path) -> std::time::SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

fn set_mtime(path: &Path, t: std::time::SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// Makes every revision file an hour old.
fn age(root: &Path) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in VERSIONS {
        set_mtime(&root.join(f), old);
    }
}

/// Rewrites `rel` with `from` replaced by `to` (the same length), keeps or
/// sets its modification time, and returns it.
fn edit_same_length(root: &Path, rel: &str, from: &str, to: &str) -> std::path::PathBuf {
    assert_eq!(from.len(), to.len());
    let f = root.join(rel);
    let text = fs::read_to_string(&f).unwrap();
    assert!(text.contains(from), "{text}");
    fs::write(&f, text.replace(from, to)).unwrap();
    f
}

#[test]
fn old_unchanged_files_are_known_by_their_stat() {
    let p = project();
    let root = p.path();
    age(root);
    same_as_cold(root, &[]);
    let (warm, known, read) = check_counted(root, &[]);
    assert_eq!((known, read), (3, 0));
    assert_eq!(warm, cold_json(root, &[]));
    // a file named: still a hit, its text read for the report
    for name in VERSIONS {
        let mut warm = String::new();
        assert!(!missed(root, || warm = check_counted(root, &[name]).0));
        assert_eq!(warm, cold_json(root, &[name]), "{name}");
        let full = ["--output-format", "full", name];
        assert_eq!(
            check(root, &full),
            check(root, &[&full[..], &["--no-cache"]].concat())
        );
    }
}

#[test]
fn a_recent_file_is_read_even_when_its_length_and_mtime_are_kept() {
    let p = project();
    let root = p.path();
    same_as_cold(root, &[]);
    // modified within the margin of the memo's run: read every time
    let (_, known, read) = check_counted(root, &[]);
    assert_eq!((known, read), (0, 3));
    let before = cold_json(root, &[]);
    let rel = VERSIONS[1];
    let was = mtime(&root.join(rel));
    let f = edit_same_length(root, rel, "('t', 'x')", "('t', 'c')");
    set_mtime(&f, was);
    let mut warm = String::new();
    assert!(missed(root, || warm = check_counted(root, &[]).0), "a miss");
    let after = cold_json(root, &[]);
    assert_ne!(before, after, "the edit changes the findings");
    assert_eq!(warm, after);
}

#[test]
fn an_old_file_edited_is_read_whatever_its_mtime() {
    let p = project();
    let root = p.path();
    age(root);
    same_as_cold(root, &[]);
    let rel = VERSIONS[1];
    let before = cold_json(root, &[]);
    // another (old) modification time
    let was = mtime(&root.join(rel));
    let f = edit_same_length(root, rel, "('t', 'x')", "('t', 'c')");
    set_mtime(&f, was + std::time::Duration::from_secs(1));
    let mut counted = (String::new(), 0, 0);
    assert!(
        missed(root, || counted = check_counted(root, &[])),
        "a miss"
    );
    assert_eq!((counted.1, counted.2), (2, 1));
    assert_eq!(counted.0, cold_json(root, &[]));
    assert_ne!(counted.0, before, "the edit changes the findings");
    // the same length and modification time as recorded: the change time
    // tells
    let was = mtime(&f);
    let f = edit_same_length(root, rel, "('t', 'c')", "('t', 'x')");
    set_mtime(&f, was);
    assert!(
        missed(root, || counted = check_counted(root, &[])),
        "a miss"
    );
    assert_eq!((counted.1, counted.2), (2, 1));
    assert_eq!(counted.0, before);
    // and then known by stat again
    let (warm, known, read) = check_counted(root, &[]);
    assert_eq!((known, read), (3, 0));
    assert_eq!(warm, counted.0);
}

/// A hit takes a file's text from its bytes when they decoded and hold no
/// `\r`, and decodes the others again: files with CRLF and lone CR line
/// ends, a BOM, a declared encoding, invalid UTF-8 and a NUL byte print
/// what a cold run prints, whole and named.
#[test]
fn texts_that_decode_otherwise_print_as_a_cold_run_does() {
    let p = project();
    let root = p.path();
    let rev = |id: &str, down: &str, nl: &str| {
        format!(
            "revision = '{id}'{nl}down_revision = '{down}'{nl}from alembic import op{nl}{nl}\
def upgrade():{nl}    op.drop_column('t', 'c{id}'){nl}{nl}def downgrade():{nl}    pass{nl}"
        )
    };
    let versions = root.join("alembic/versions");
    fs::write(versions.join("d4_crlf.py"), rev("d4", "b2", "\r\n")).unwrap();
    fs::write(versions.join("e5_cr.py"), rev("e5", "c3", "\r")).unwrap();
    let bom = [&b"\xef\xbb\xbf"[..], rev("f6", "d4", "\n").as_bytes()].concat();
    fs::write(versions.join("f6_bom.py"), bom).unwrap();
    let latin = [
        &b"# -*- coding: latin-1 -*-\n# caf\xe9\n"[..],
        rev("g7", "e5", "\n").as_bytes(),
    ]
    .concat();
    fs::write(versions.join("g7_latin.py"), latin).unwrap();
    fs::write(versions.join("h8_invalid.py"), b"revision = 'h8'\n# \xff\n").unwrap();
    fs::write(versions.join("i9_nul.py"), b"revision = 'i9'\n\0\n").unwrap();
    let cold = same_as_cold(root, &[]);
    // findings in the files with other line ends, and the undecodable ones
    for what in ["d4_crlf.py", "e5_cr.py", "f6_bom.py", "ML905"] {
        assert!(cold[0].contains(what), "{what}: {}", cold[0]);
    }
    hits_as_cold(root, &cold);
    for name in [
        "d4_crlf.py",
        "e5_cr.py",
        "f6_bom.py",
        "g7_latin.py",
        "h8_invalid.py",
        "i9_nul.py",
    ] {
        let path = format!("alembic/versions/{name}");
        for format in FORMATS {
            let args = [path.as_str(), "--output-format", format];
            let cold = check(root, &[&args[..], &["--no-cache"]].concat());
            let mut warm = String::new();
            assert!(!missed(root, || warm = check(root, &args)), "{name}: a hit");
            assert_eq!(cold, warm, "{name} {format}");
        }
    }
}
