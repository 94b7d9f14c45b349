//! The pre-commit run on a miss (issue 15): `miglint check FILE` after
//! FILE was edited or created, everything else unchanged, goes through the
//! cache (the memo misses; the files its stats vouch for are keyed by the
//! memo, not hashed; the per-file cache and the model snapshot are
//! resumed) and must print exactly what a `--no-cache` run of the same
//! command prints, with the same exit code: for a new head, an edited
//! middle revision, the root, a new branch and a removed file, in `json`
//! and `full`.
//!
//! Which path a run took is read off `MIGLINT_TIMING=1`'s notes, never off
//! a time.

mod support;

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use support::{all_rules_project, miglint, write};

const FORMATS: [&str; 2] = ["json", "full"];

fn rev_path(name: &str) -> String {
    format!("alembic/versions/{name}.py")
}

fn revision(name: &str, down: Option<&str>, ops: &str) -> String {
    let down = down.map_or_else(|| "None".to_string(), |d| format!("'{d}'"));
    format!(
        "revision = '{name}'\ndown_revision = {down}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n{ops}\n\ndef downgrade():\n    pass\n"
    )
}

/// A chain `r0` .. `r4` with findings of the per-file, graph and model
/// rules; every file an hour old (the memo's stats vouch for them).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    all_rules_project(root);
    write(
        root,
        &rev_path("r0"),
        &revision(
            "r0",
            None,
            "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))",
        ),
    );
    for i in 1..5 {
        let ops = format!(
            "    op.add_column('t', sa.Column('c{i}', sa.Integer(), nullable=False))\n    \
op.create_index('ix_{i}', 't', ['c{}'])",
            i - 1
        );
        write(
            root,
            &rev_path(&format!("r{i}")),
            &revision(&format!("r{i}"), Some(&format!("r{}", i - 1)), &ops),
        );
    }
    age(root);
    dir
}

/// Makes every file of the project an hour old.
fn age(root: &Path) {
    for f in support::files_under(root) {
        if !f.to_string_lossy().contains(".miglint_cache") {
            age_file(&f);
        }
    }
}

/// Makes `f` an hour old (its change time is now: the memo's stat record
/// of it no longer matches until a miss records it again).
fn age_file(f: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(f)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// `miglint check FILE --output-format FORMAT` (plus `extra`): exit code,
/// stdout and the timing notes.
fn run(root: &Path, file: &str, format: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = miglint(root)
        .env("MIGLINT_TIMING", "1")
        .args(["check", "--quiet", file, "--output-format", format])
        .args(extra)
        .output()
        .unwrap();
    let notes = String::from_utf8_lossy(&out.stderr).into_owned();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        notes,
    )
}

/// The cached run of `file` prints what `--no-cache` prints (stdout and
/// exit code: 1 when a finding is an error) and was a memo miss; returns
/// its timing notes.
fn miss_as_no_cache(root: &Path, file: &str, format: &str, what: &str) -> String {
    let (code, out, notes) = run(root, file, format, &[]);
    assert!(notes.contains("memo miss:"), "{what}: not a miss: {notes}");
    let (cold_code, cold, _) = run(root, file, format, &["--no-cache"]);
    assert_eq!(cold_code, code, "{what} {format}: exit code");
    assert_eq!(cold, out, "{what} {format}");
    assert!(matches!(code, Some(0 | 1)), "{what}: exit {code:?}");
    notes
}

/// How many files the memo vouched for on a miss (`memo miss: N ...`).
fn keyed_by_stat(notes: &str) -> usize {
    notes
        .lines()
        .find_map(|l| l.trim().strip_prefix("memo miss: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Appends `line` to the function `upgrade` of `rel` (a new edit each
/// call: the file changes length).
fn edit(root: &Path, rel: &str, line: &str) {
    let f = root.join(rel);
    let text = fs::read_to_string(&f).unwrap();
    fs::write(
        &f,
        text.replace("\n\ndef downgrade", &format!("\n{line}\n\ndef downgrade")),
    )
    .unwrap();
}

const EDITS: [&str; 4] = [
    "    op.drop_column('t', 'c1')",
    "    op.add_column('t', sa.Column('late', sa.Integer(), nullable=False))",
    "    op.drop_index('ix_2', table_name='t')",
    "    op.execute(\"DROP TABLE t\")",
];

#[test]
fn a_single_file_miss_prints_what_a_run_without_cache_prints() {
    let p = project();
    let root = p.path();
    // the memo, the per-file cache and the model snapshot of this set of
    // files (a hit: nothing changed yet)
    let head = rev_path("r4");
    for format in FORMATS {
        run(root, &head, format, &[]);
    }
    let mut k = 0;
    let mut next_edit = || {
        k += 1;
        EDITS[k % EDITS.len()]
    };
    // the head, the middle revision and the root edited, a file at a time;
    // the four others are known by their stat and keyed without a hash
    // (but the file edited the round before: it is aged after its round,
    // so its stat is recorded again by the first miss of the next)
    for (round, name) in ["r4", "r2", "r0"].into_iter().enumerate() {
        let rel = rev_path(name);
        for (n, format) in FORMATS.into_iter().enumerate() {
            edit(root, &rel, next_edit());
            let notes = miss_as_no_cache(root, &rel, format, &format!("{name} edited"));
            let expected = if round > 0 && n == 0 { 3 } else { 4 };
            assert_eq!(keyed_by_stat(&notes), expected, "{name} {format}: {notes}");
        }
        age_file(&root.join(&rel));
    }
    // a new head: a new set of files (no memo of it yet), then edited
    // again. Its path sorts after the others', so the kept model grows
    // instead of being built again. The snapshot still holds an older key
    // of the root (the root's last edits resumed right at the state kept
    // before it, so it was not written again): the first run replays from
    // the root and keeps its state there, the second from the root and
    // keeps it before the new head, the later ones replay the new head
    // alone
    let new_head = rev_path("r5");
    write(
        root,
        &new_head,
        &revision("r5", Some("r4"), "    op.drop_column('t', 'c3')"),
    );
    for n in 0..4 {
        let format = FORMATS[n % FORMATS.len()];
        let notes = miss_as_no_cache(root, &new_head, format, "new head");
        let model = if n < 2 {
            "Resumed { replayed: 6 }"
        } else {
            "Resumed { replayed: 1 }"
        };
        assert!(
            notes.contains(&format!("model: Some({model})")),
            "new head {format}: {notes}"
        );
        edit(root, &new_head, next_edit());
    }
    age_file(&root.join(&new_head));
    // a new branch from the middle (two heads)
    let branch = rev_path("b1");
    write(
        root,
        &branch,
        &revision("b1", Some("r2"), "    op.drop_column('t', 'c2')"),
    );
    for (n, format) in FORMATS.into_iter().enumerate() {
        let notes = miss_as_no_cache(root, &branch, format, "new branch");
        // (the replay order puts it right after its parent, inside the
        // kept order, not after it: built)
        if n == 0 {
            assert!(notes.contains("model: Some(Built)"), "new branch: {notes}");
        }
        edit(root, &branch, next_edit());
    }
    for format in FORMATS {
        edit(root, &branch, next_edit());
        let notes = miss_as_no_cache(root, &branch, format, "branch edited");
        assert_eq!(keyed_by_stat(&notes), 6, "branch {format}: {notes}");
    }
    // a removed file (the head r5): the set of files of an older memo
    fs::remove_file(root.join(&new_head)).unwrap();
    for format in FORMATS {
        miss_as_no_cache(root, &head, format, "r5 removed");
        edit(root, &head, next_edit());
    }
}

/// A file the memo vouched for by its stat but edited since (a new length,
/// its modification time set back to the recorded one) is read and hashed:
/// the change time tells, and the output is the `--no-cache` one.
#[test]
fn a_file_edited_behind_the_stat_is_hashed_on_a_miss() {
    let p = project();
    let root = p.path();
    let head = rev_path("r4");
    run(root, &head, "json", &[]);
    let middle = root.join(rev_path("r2"));
    let mtime = fs::metadata(&middle).unwrap().modified().unwrap();
    edit(root, &rev_path("r2"), EDITS[0]);
    fs::File::options()
        .write(true)
        .open(&middle)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    edit(root, &head, EDITS[1]);
    let notes = miss_as_no_cache(root, &head, "json", "r2 behind the stat");
    // r0, r1 and r3 only: r2's stat differs (its change time), r4 was edited
    assert!(notes.contains("memo key: 3 files known by stat"), "{notes}");
    assert_eq!(keyed_by_stat(&notes), 3, "{notes}");
}

/// How many times the run read an environment's files
/// (`environments: N folder reads`).
fn environment_reads(notes: &str) -> Option<usize> {
    notes
        .lines()
        .find_map(|l| l.trim().strip_prefix("environments: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
}

/// A pre-commit miss reads `env.py` and `alembic.ini` once: for the memo
/// key, the targets and the memo written alike; with the targets declared
/// and inferred (the root's targets then read the same folder, spelt
/// otherwise); and the edited `env.py` of the next run is read again (a
/// miss that prints what `--no-cache` prints).
#[test]
fn a_miss_reads_the_environment_once() {
    for declared in [true, false] {
        let dir = project();
        let root = dir.path();
        if !declared {
            write(
                root,
                "lint.toml",
                "paths = [\"alembic\"]\nselect = [\"ALL\"]\n",
            );
            write(
                root,
                "alembic.ini",
                "[alembic]\nscript_location = alembic\n",
            );
            age(root);
        }
        let what = if declared { "declared" } else { "inferred" };
        let file = rev_path("r2");
        let _ = run(root, &file, "json", &[]);
        edit(root, &file, EDITS[0]);
        let notes = miss_as_no_cache(root, &file, "json", what);
        assert_eq!(environment_reads(&notes), Some(1), "{what}: {notes}");
        let (_, hit, notes) = run(root, &file, "json", &[]);
        assert!(!notes.contains("memo miss:"), "{what}: a hit: {notes}");
        assert_eq!(environment_reads(&notes), Some(1), "{what}: {notes}");
        // env.py sets a lock timeout now: the memo misses, ML702 sees it
        assert!(hit.contains("ML702"), "{what}: {hit}");
        let env = root.join("alembic/env.py");
        let text = fs::read_to_string(&env).unwrap();
        fs::write(
            &env,
            text.replace(
                "url='postgresql://x/y'",
                "url='postgresql://x/y', connect_args={'options': '-c lock_timeout=5s'}",
            ),
        )
        .unwrap();
        let notes = miss_as_no_cache(root, &file, "json", what);
        assert_eq!(environment_reads(&notes), Some(1), "{what}: {notes}");
        let (_, after, _) = run(root, &file, "json", &[]);
        assert_ne!(after, hit, "{what}: the env.py edit changes the findings");
    }
}
