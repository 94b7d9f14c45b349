//! The model snapshot (`crates/miglint/src/snapshot.rs`, issue 15): a run
//! whose memo misses resumes the model kept by the last one, and prints
//! exactly what a `--no-cache` run prints, edit after edit (the head, the
//! middle, the root; a revision added, one deleted; the settings); a
//! corrupt or truncated snapshot is no snapshot; concurrent runs are safe.
//!
//! Whether a run resumed is read off `MIGLINT_TIMING=1`'s note (`model:
//! ...`), never off a time.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{all_rules_project, check, files_under, miglint, write};

/// A chain of `n` revisions over two tables, with findings of the model
/// rules (columns dropped that a later revision uses, NOT NULL added to
/// rows, an index on a missing column).
fn chain(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    all_rules_project(root);
    for i in 0..n {
        write(root, &rev_path(i), &revision(i, &ops(i)));
    }
    dir
}

fn rev_path(i: usize) -> String {
    format!("alembic/versions/r{i:02}.py")
}

fn revision(i: usize, ops: &str) -> String {
    let down = if i == 0 {
        "None".to_string()
    } else {
        format!("'r{:02}'", i - 1)
    };
    format!(
        "revision = 'r{i:02}'\ndown_revision = {down}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n{ops}\n\ndef downgrade():\n    pass\n"
    )
}

/// The ops of revision `i` as first written.
fn ops(i: usize) -> String {
    match i {
        0 => "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n    \
op.create_table('u', sa.Column('id', sa.Integer()), sa.Column('mood', sa.Enum('a', name='mood')))"
            .into(),
        _ => format!(
            "    op.add_column('t', sa.Column('c{i}', sa.Integer(), nullable=True))\n    \
op.create_index('ix_{i}', 't', ['c{}'])\n    op.alter_column('u', 'id', nullable=False)",
            i - 1
        ),
    }
}

/// Edits that change what the model says after them.
const EDITS: [&str; 5] = [
    "    op.drop_column('t', 'c1')",
    "    op.execute(\"DROP TABLE u\")",
    "    op.add_column('t', sa.Column('late', sa.Integer(), nullable=False))",
    "    op.drop_index('ix_2', table_name='t')",
    "    op.rename_table('t', 't2')",
];

/// The model note of a cached run (`MIGLINT_TIMING=1`), and its stdout.
fn cached_run(root: &Path, format: &str) -> (String, String) {
    let out = miglint(root)
        .env("MIGLINT_TIMING", "1")
        .args(["check", "--exit-zero", "--quiet", "--output-format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let note = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("model: "))
        .unwrap_or("")
        .to_string();
    (note, String::from_utf8(out.stdout).unwrap())
}

fn snapshots(root: &Path) -> Vec<PathBuf> {
    files_under(&root.join(".miglint_cache"))
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("model-"))
        })
        .collect()
}

/// A small deterministic generator (no time, no thread: the same steps on
/// every machine).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Asserts that a cached run prints what a `--no-cache` run prints, in
/// json; returns the cached run's model note.
fn same_as_no_cache(root: &Path, what: &str) -> String {
    let cold = check(root, &["--no-cache", "--output-format", "json"]);
    let (note, warm) = cached_run(root, "json");
    assert_eq!(cold, warm, "{what}");
    note
}

#[test]
fn edits_anywhere_in_the_chain_print_what_a_run_without_cache_prints() {
    let n = 8;
    let p = chain(n);
    let root = p.path();
    assert_eq!(same_as_no_cache(root, "first"), "Some(Built)");
    assert_eq!(snapshots(root).len(), 1);
    // the head, twice: the second resumes right before it
    let edit = |i: usize, extra: &str| {
        let f = root.join(rev_path(i));
        let text = fs::read_to_string(&f).unwrap();
        fs::write(
            &f,
            text.replace("\n\ndef downgrade", &format!("\n{extra}\n\ndef downgrade")),
        )
        .unwrap();
    };
    edit(n - 1, EDITS[0]);
    assert_eq!(
        same_as_no_cache(root, "head"),
        "Some(Resumed { replayed: 1 })"
    );
    // (the states stayed where the file keeps them: not written again)
    let file = snapshots(root).pop().expect("a snapshot");
    let written = fs::read(&file).unwrap();
    edit(n - 1, EDITS[3]);
    assert_eq!(
        same_as_no_cache(root, "head again"),
        "Some(Resumed { replayed: 1 })"
    );
    assert_eq!(fs::read(&file).unwrap(), written, "not written again");
    // the middle, twice: from the root, then from right before it
    edit(3, EDITS[1]);
    assert_eq!(
        same_as_no_cache(root, "middle"),
        format!("Some(Resumed {{ replayed: {n} }})")
    );
    assert_ne!(fs::read(&file).unwrap(), written, "written: states moved");
    edit(3, EDITS[2]);
    assert_eq!(
        same_as_no_cache(root, "middle again"),
        format!("Some(Resumed {{ replayed: {} }})", n - 3)
    );
    edit(3, EDITS[4]);
    assert_eq!(
        same_as_no_cache(root, "middle a third time"),
        format!("Some(Resumed {{ replayed: {} }})", n - 3)
    );
    // random edits of one revision at a time, revisions added and deleted,
    // the settings changed
    let mut rng = Lcg(15);
    let mut n = n;
    for step in 0..24 {
        let what = match rng.below(6) {
            0..=2 => {
                let i = rng.below(n);
                edit(i, EDITS[rng.below(EDITS.len())]);
                format!("step {step}: r{i:02} edited")
            }
            3 => {
                write(root, &rev_path(n), &revision(n, &ops(n)));
                n += 1;
                format!("step {step}: r{:02} added", n - 1)
            }
            4 if n > 2 => {
                n -= 1;
                fs::remove_file(root.join(rev_path(n))).unwrap();
                format!("step {step}: r{n:02} deleted")
            }
            _ => {
                let dialects =
                    ["\"postgresql\"", "\"sqlite\"", "\"postgresql\", \"mysql\""][rng.below(3)];
                write(
                    root,
                    "lint.toml",
                    &format!(
                        "paths = [\"alembic\"]\nselect = [\"ALL\"]\ndialects = [{dialects}]\n"
                    ),
                );
                format!("step {step}: dialects = [{dialects}]")
            }
        };
        same_as_no_cache(root, &what);
    }
}

#[test]
fn a_corrupt_or_truncated_snapshot_is_no_snapshot() {
    let p = chain(5);
    let root = p.path();
    same_as_no_cache(root, "first");
    let file = snapshots(root).pop().expect("a snapshot");
    let bytes = fs::read(&file).unwrap();
    let head = root.join(rev_path(4));
    for (k, broken) in [
        Vec::new(),
        b"garbage".to_vec(),
        bytes[..bytes.len() / 2].to_vec(),
        bytes[..bytes.len() - 1].to_vec(),
        // a byte of the body flipped, and one of the header
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| if i == bytes.len() - 3 { b ^ 0x01 } else { *b })
            .collect(),
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| if i == 9 { b ^ 0x01 } else { *b })
            .collect(),
    ]
    .into_iter()
    .enumerate()
    {
        fs::write(&file, &broken).unwrap();
        let text = fs::read_to_string(&head).unwrap();
        fs::write(&head, format!("{text}\n# edit {k}\n")).unwrap();
        // built from the first revision, and written whole again
        assert_eq!(
            same_as_no_cache(root, &format!("broken {k}")),
            "Some(Built)"
        );
        assert_ne!(fs::read(&file).unwrap(), broken);
    }
    // then used again
    let text = fs::read_to_string(&head).unwrap();
    fs::write(&head, format!("{text}\n# again\n")).unwrap();
    assert_eq!(
        same_as_no_cache(root, "rewritten"),
        "Some(Resumed { replayed: 1 })"
    );
}

#[test]
fn concurrent_misses_share_one_snapshot_safely() {
    let p = chain(6);
    let root = p.path();
    same_as_no_cache(root, "first");
    let head = root.join(rev_path(5));
    for (round, edit) in EDITS.iter().enumerate().take(3) {
        let text = fs::read_to_string(&head).unwrap();
        fs::write(&head, format!("{text}{edit}\n")).unwrap();
        let cold = check(root, &["--no-cache", "--output-format", "json"]);
        let runs: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_miglint"))
                    .current_dir(root)
                    .args(["check", "--exit-zero", "--quiet", "--output-format", "json"])
                    .env_remove("MIGLINT_CACHE_DIR")
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in runs {
            let out = child.wait_with_output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), cold, "round {round}");
        }
        assert_eq!(cold, check(root, &["--output-format", "json"]));
    }
    let leftovers: Vec<_> = files_under(&root.join(".miglint_cache"))
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(snapshots(root).len(), 1);
}

#[test]
fn no_cache_neither_reads_nor_writes_a_snapshot() {
    let p = chain(3);
    let root = p.path();
    check(root, &["--no-cache"]);
    assert!(snapshots(root).is_empty());
}

/// The states read back were stamped by the process that wrote them (see
/// `miglint_schema::snapshot`): a table created after the schema became
/// unknown (a dynamic table name) is certain only if its stamp comes
/// after that point, so a
/// reader that stamped from 1 again would lose ML304 here.
#[test]
fn a_resumed_replay_stamps_after_the_states_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "lint.toml",
        "paths = [\"alembic\"]\nselect = [\"ALL\"]\ndialects = [\"postgresql\"]\n",
    );
    let creates: String = (0..6)
        .map(|k| format!("    op.create_table('a{k}', sa.Column('id', sa.Integer()))\n"))
        .collect();
    write(
        root,
        &rev_path(0),
        &revision(0, &format!("{creates}    op.drop_table(tname)")),
    );
    write(root, &rev_path(1), &revision(1, "    pass"));
    write(root, &rev_path(2), &revision(2, "    pass"));
    assert_eq!(same_as_no_cache(root, "first"), "Some(Built)");
    let twice = "    op.create_table('z', sa.Column('id', sa.Integer()))\n    \
op.create_table('z', sa.Column('id', sa.Integer()))";
    write(root, &rev_path(2), &revision(2, twice));
    assert_eq!(
        same_as_no_cache(root, "head"),
        "Some(Resumed { replayed: 1 })"
    );
    let (_, out) = cached_run(root, "concise");
    assert!(out.contains("r02.py:8:5: ML304"), "{out}");
}
