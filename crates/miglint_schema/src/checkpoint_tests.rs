//! The kept model equals a model built from scratch, edit after edit:
//! texts edited at the head, in the middle, at the root and at a merge;
//! edits that move the text after them; parents changed; revisions added
//! and removed; a guard that splits an environment's replay by dialect.

use miglint_diagnostics::Dialect;

use crate::tests::Project;
use crate::{KeptModel, SchemaModel, Update};

/// Every fact of every op for every dialect, the enum types' users and the
/// parents are the same.
fn assert_same(kept: &SchemaModel, fresh: &SchemaModel, files: usize, what: &str) {
    for f in 0..files {
        for op in 0..64 {
            for d in [Dialect::Postgresql, Dialect::Sqlite, Dialect::Mysql] {
                assert_eq!(
                    kept.facts(f, op, d),
                    fresh.facts(f, op, d),
                    "{what}: file {f}, op {op}, {d:?}"
                );
            }
        }
        assert_eq!(kept.parents(f), fresh.parents(f), "{what}: parents of {f}");
    }
    assert_eq!(kept.enum_users, fresh.enum_users, "{what}: enum users");
}

const ROOT: &str = "def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('mood', sa.Enum('a', 'b', name='mood')), sa.Column('name', sa.String()))\n    op.create_table('tags', sa.Column('id', sa.Integer()))\n\ndef downgrade():\n    op.drop_table('tags')\n    op.drop_table('users')\n";
const LEFT: &str = "def upgrade():\n    op.add_column('users', sa.Column('email', sa.String(), nullable=True))\n    op.execute(\"UPDATE users SET email = '' WHERE email IS NULL\")\n    op.alter_column('users', 'email', nullable=False)\n\ndef downgrade():\n    op.drop_column('users', 'email')\n";
const RIGHT: &str = "def upgrade():\n    if op.get_bind().dialect.name == 'postgresql':\n        op.execute(\"CREATE INDEX CONCURRENTLY ix_name ON users (name)\")\n    else:\n        op.create_index('ix_name', 'users', ['name'])\n    with op.batch_alter_table('tags') as batch_op:\n        batch_op.add_column(sa.Column('label', sa.String(), server_default='x'))\n        batch_op.alter_column('label', nullable=False)\n";
const MERGE: &str = "def upgrade():\n    op.drop_column('users', 'name')\n    op.execute(\"ALTER TABLE tags ADD COLUMN weight INT\")\n\ndef downgrade():\n    op.add_column('users', sa.Column('name', sa.String()))\n";
const HEAD: &str = "def upgrade():\n    op.drop_index('ix_name', table_name='users')\n    op.alter_column('users', 'email', nullable=True)\n    op.drop_column('users', 'mood')\n    op.execute(\"DROP TYPE mood\")\n    op.create_table('notes', sa.Column('id', sa.Integer()), sa.Column('kind', sa.Enum('x', name='kind')))\n";
const OTHER_ROOT: &str = "def upgrade():\n    op.create_table('events', sa.Column('id', sa.Integer()), sa.Column('at', sa.DateTime()))\n";
const OTHER_HEAD: &str = "def upgrade():\n    op.add_column('events', sa.Column('kind', sa.String(), nullable=False))\n    op.execute(\"DELETE FROM events\")\n";

/// A version of the project: files (text, parents) and each environment's
/// replay order; the files' paths, when given (else `v/r<index>.py`).
struct Version {
    files: Vec<(String, Option<Vec<usize>>)>,
    envs: Vec<Vec<usize>>,
    paths: Option<Vec<String>>,
}

fn base() -> Version {
    Version {
        files: vec![
            (ROOT.into(), Some(vec![])),
            (LEFT.into(), Some(vec![0])),
            (RIGHT.into(), Some(vec![0])),
            (MERGE.into(), Some(vec![1, 2])),
            (HEAD.into(), Some(vec![3])),
            (OTHER_ROOT.into(), Some(vec![])),
            (OTHER_HEAD.into(), Some(vec![5])),
        ],
        envs: vec![vec![0, 1, 2, 3, 4], vec![5, 6]],
        paths: None,
    }
}

/// Updates `kept` to `v`, checks it against a fresh build, and returns
/// what the update did.
fn check(kept: &mut KeptModel, v: &Version, what: &str) -> Update {
    let files: Vec<(&str, Option<Vec<usize>>)> = v
        .files
        .iter()
        .map(|(t, p)| (t.as_str(), p.clone()))
        .collect();
    let p = match &v.paths {
        Some(paths) => Project::at_paths(&files, paths),
        None => Project::new(&files),
    };
    let inputs = p.inputs();
    let model = kept.update(&inputs, &v.envs);
    let fresh = SchemaModel::build(&inputs, &v.envs);
    assert_same(&model, &fresh, files.len(), what);
    kept.last_update().expect("updated")
}

fn edit(v: &mut Version, file: usize, from: &str, to: &str) {
    let t = &mut v.files[file].0;
    assert!(t.contains(from), "{from:?} in file {file}");
    *t = t.replacen(from, to, 1);
}

#[test]
fn kept_model_equals_a_fresh_build_after_each_edit() {
    let mut kept = KeptModel::new();
    let mut v = base();
    assert_eq!(check(&mut kept, &v, "first build"), Update::Built);
    assert_eq!(check(&mut kept, &v, "no change"), Update::Unchanged);

    // the head: one revision replayed, from the state kept before it
    edit(
        &mut v,
        4,
        "'email', nullable=True",
        "'emails', nullable=True",
    );
    assert_eq!(
        check(&mut kept, &v, "head"),
        Update::Resumed { replayed: 1 }
    );
    edit(&mut v, 4, "DROP TYPE mood", "DROP TYPE kind");
    assert_eq!(
        check(&mut kept, &v, "head again"),
        Update::Resumed { replayed: 1 }
    );

    // the middle: first from the root (the state was kept at the head),
    // then from the state kept before it
    edit(&mut v, 1, "nullable=False", "nullable=True");
    assert_eq!(
        check(&mut kept, &v, "middle"),
        Update::Resumed { replayed: 5 }
    );
    // text inserted: every range after it moves, in this file's facts and
    // in the origins its descendants see
    edit(
        &mut v,
        1,
        "def upgrade():\n",
        "def upgrade():\n    op.create_table('audit', sa.Column('id', sa.Integer()))\n",
    );
    assert_eq!(
        check(&mut kept, &v, "middle, text moved"),
        Update::Resumed { replayed: 4 }
    );
    edit(
        &mut v,
        1,
        "'email', sa.String()",
        "'email', sa.Enum('p', name='mood')",
    );
    assert_eq!(
        check(&mut kept, &v, "middle, an enum user"),
        Update::Resumed { replayed: 4 }
    );

    // the merge revision, then the root
    edit(
        &mut v,
        3,
        "drop_column('users', 'name')",
        "drop_column('users', 'nick')",
    );
    assert!(matches!(
        check(&mut kept, &v, "merge"),
        Update::Resumed { .. }
    ));
    edit(&mut v, 3, "'nick'", "'name'");
    assert_eq!(
        check(&mut kept, &v, "merge again"),
        Update::Resumed { replayed: 2 }
    );
    edit(&mut v, 0, "name='mood'", "name='moods'");
    assert_eq!(
        check(&mut kept, &v, "root"),
        Update::Resumed { replayed: 5 }
    );
    edit(&mut v, 0, "op.drop_table('tags')\n", "");
    assert_eq!(
        check(&mut kept, &v, "root's downgrade"),
        Update::Resumed { replayed: 5 }
    );

    // the other environment alone (its head)
    edit(
        &mut v,
        6,
        "DELETE FROM events",
        "DELETE FROM events WHERE id = 1",
    );
    assert_eq!(
        check(&mut kept, &v, "other environment"),
        Update::Resumed { replayed: 1 }
    );
    // a dialect guard there: its replay is split by dialect (built again)
    edit(
        &mut v,
        6,
        "    op.execute(",
        "    if op.get_bind().dialect.name == 'sqlite':\n        op.execute(",
    );
    assert_eq!(check(&mut kept, &v, "guard added"), Update::Built);
    edit(&mut v, 6, "id = 1", "id = 2");
    assert!(matches!(
        check(&mut kept, &v, "guarded environment"),
        Update::Resumed { .. }
    ));

    // the graph: a parent changed, a revision added, then removed
    v.files[4].1 = Some(vec![1]);
    v.envs[0] = vec![0, 1, 4, 2, 3];
    assert_eq!(check(&mut kept, &v, "down_revision changed"), Update::Built);
    edit(&mut v, 4, "'emails'", "'email'");
    assert!(matches!(
        check(&mut kept, &v, "after the graph change"),
        Update::Resumed { .. }
    ));
    // a revision added after the kept ones (its path sorts last) at the
    // order's end: a grown graph, replayed from the state kept before the
    // edited revision (position 2 of [0, 1, 4, 2, 3]: its parents 3 and 4
    // lie at or after it)
    v.files.push((
        "def upgrade():\n    op.drop_table('notes')\n".into(),
        Some(vec![3, 4]),
    ));
    v.envs[0].push(7);
    assert_eq!(
        check(&mut kept, &v, "revision added"),
        Update::Resumed { replayed: 4 }
    );
    edit(&mut v, 7, "'notes'", "'tags'");
    assert_eq!(
        check(&mut kept, &v, "new head"),
        Update::Resumed { replayed: 1 }
    );
    // a new branch from the root: the state after the root is gone from
    // the state kept before the head (no child of it was left), so from
    // the root
    v.files.push((
        "def upgrade():\n    op.create_table('logs', sa.Column('id', sa.Integer()))\n".into(),
        Some(vec![0]),
    ));
    v.envs[0].push(8);
    assert_eq!(
        check(&mut kept, &v, "branch from the root added"),
        Update::Resumed { replayed: 7 }
    );
    v.files.pop();
    v.envs[0].pop();
    assert_eq!(check(&mut kept, &v, "branch removed"), Update::Built);
    // a new revision inside the order, not at its end: built
    v.files.push((
        "def upgrade():\n    op.create_table('logs', sa.Column('id', sa.Integer()))\n".into(),
        Some(vec![0]),
    ));
    v.envs[0].insert(1, 8);
    assert_eq!(
        check(&mut kept, &v, "revision inside the order"),
        Update::Built
    );
    v.files.pop();
    v.envs[0].remove(1);
    assert_eq!(check(&mut kept, &v, "removed again"), Update::Built);
    v.files.pop();
    v.envs[0].pop();
    assert_eq!(check(&mut kept, &v, "revision removed"), Update::Built);
    // a new revision whose path sorts among the kept ones (`v/r2a.py`:
    // every later index moves) on top of the merge, the last of its
    // order: the kept states and facts follow their files to their new
    // indices, and the merge and the new revision are replayed
    v.paths = Some(
        ["r0", "r1", "r2", "r2a", "r3", "r4", "r5", "r6"]
            .map(|n| format!("v/{n}.py"))
            .to_vec(),
    );
    v.files.insert(
        3,
        (
            "def upgrade():\n    op.drop_column('users', 'email')\n    op.drop_table('tags')\n"
                .into(),
            Some(vec![4]),
        ),
    );
    v.files[7].1 = Some(vec![6]);
    v.envs = vec![vec![0, 1, 5, 2, 4, 3], vec![6, 7]];
    assert_eq!(
        check(&mut kept, &v, "revision added among others"),
        Update::Resumed { replayed: 2 }
    );
    edit(&mut v, 3, "'tags'", "'users'");
    assert_eq!(
        check(&mut kept, &v, "and edited"),
        Update::Resumed { replayed: 1 }
    );
    let mut read_back = through_bytes(&kept);
    edit(&mut v, 6, "sa.DateTime()", "sa.Date()");
    assert_eq!(
        check(&mut read_back, &v, "the other environment, read back"),
        Update::Resumed { replayed: 2 }
    );
    v.paths = None;
    v.files.remove(3);
    v.files[6].1 = Some(vec![5]);
    v.envs = vec![vec![0, 1, 4, 2, 3], vec![5, 6]];
    assert_eq!(check(&mut kept, &v, "and removed"), Update::Built);
    // an unknown parent
    v.files[2].1 = None;
    assert_eq!(check(&mut kept, &v, "unknown parent"), Update::Built);
    edit(&mut v, 3, "weight INT", "weight BIGINT");
    assert!(matches!(
        check(&mut kept, &v, "after an unknown parent"),
        Update::Resumed { .. }
    ));
}

#[test]
fn a_model_still_held_is_built_again() {
    let mut kept = KeptModel::new();
    let mut v = base();
    let held = {
        let files: Vec<(&str, Option<Vec<usize>>)> = v
            .files
            .iter()
            .map(|(t, p)| (t.as_str(), p.clone()))
            .collect();
        let p = Project::new(&files);
        kept.update(&p.inputs(), &v.envs)
    };
    edit(&mut v, 4, "'email'", "'emails'");
    assert_eq!(check(&mut kept, &v, "held"), Update::Built);
    drop(held);
    edit(&mut v, 4, "'emails'", "'email'");
    assert_eq!(
        check(&mut kept, &v, "released"),
        Update::Resumed { replayed: 1 }
    );
}

/// `kept` written to bytes and read back (as the CLI keeps it between
/// runs).
fn through_bytes(kept: &KeptModel) -> KeptModel {
    let bytes = kept.to_bytes().expect("a model to write");
    KeptModel::from_bytes(&bytes).expect("the bytes read back")
}

#[test]
fn a_kept_model_read_back_from_bytes_equals_a_fresh_build() {
    assert!(KeptModel::new().to_bytes().is_none(), "nothing to write");
    let mut kept = KeptModel::new();
    let mut v = base();
    assert_eq!(check(&mut kept, &v, "first build"), Update::Built);
    let mut kept = through_bytes(&kept);
    assert_eq!(check(&mut kept, &v, "read back"), Update::Unchanged);
    // unchanged and read back: the model is assembled, and written again
    let mut kept = through_bytes(&through_bytes(&kept));
    edit(&mut v, 4, "DROP TYPE mood", "DROP TYPE kind");
    assert_eq!(
        check(&mut kept, &v, "head"),
        Update::Resumed { replayed: 1 }
    );
    let mut kept = through_bytes(&kept);
    edit(&mut v, 1, "nullable=False", "nullable=True");
    assert_eq!(
        check(&mut kept, &v, "middle"),
        Update::Resumed { replayed: 5 }
    );
    let mut kept = through_bytes(&kept);
    edit(
        &mut v,
        1,
        "def upgrade():\n",
        "def upgrade():\n    op.create_table('audit', sa.Column('id', sa.Integer()))\n",
    );
    assert_eq!(
        check(&mut kept, &v, "middle again, text moved"),
        Update::Resumed { replayed: 4 }
    );
    let mut kept = through_bytes(&kept);
    edit(&mut v, 0, "name='mood'", "name='moods'");
    assert_eq!(
        check(&mut kept, &v, "root"),
        Update::Resumed { replayed: 5 }
    );
    let mut kept = through_bytes(&kept);
    edit(
        &mut v,
        6,
        "    op.execute(",
        "    if op.get_bind().dialect.name == 'sqlite':\n        op.execute(",
    );
    assert_eq!(check(&mut kept, &v, "guard added"), Update::Built);
    let mut kept = through_bytes(&kept);
    edit(
        &mut v,
        6,
        "DELETE FROM events",
        "DELETE FROM events WHERE id = 2",
    );
    assert!(matches!(
        check(&mut kept, &v, "guarded environment"),
        Update::Resumed { .. }
    ));
    let mut kept = through_bytes(&kept);
    v.files.push((
        "def upgrade():\n    op.drop_table('notes')\n".into(),
        Some(vec![3, 4]),
    ));
    v.envs[0].push(7);
    // (the state kept before the head still holds the one after revision
    // 3, whose child the head is: the new revision's parents are served)
    assert_eq!(
        check(&mut kept, &v, "revision added"),
        Update::Resumed { replayed: 2 }
    );
    let mut kept = through_bytes(&kept);
    v.files.pop();
    v.envs[0].pop();
    assert_eq!(check(&mut kept, &v, "revision removed"), Update::Built);
    let mut kept = through_bytes(&kept);
    // (the state was kept before the head: from the root)
    v.files[2].0.push_str("\n# a comment\n");
    assert_eq!(
        check(&mut kept, &v, "a comment added"),
        Update::Resumed { replayed: 5 }
    );
}

/// A run as the CLI makes it: the kept model read from `file` (none when
/// empty), updated to `v`, and written back when it is worth writing.
fn run_on_file(file: &mut Vec<u8>, v: &Version, what: &str) -> (Update, bool) {
    let mut kept = KeptModel::from_bytes(file).unwrap_or_default();
    let update = check(&mut kept, v, what);
    let write = kept.worth_writing();
    if write {
        *file = kept.to_bytes().expect("a model to write");
    }
    (update, write)
}

#[test]
fn a_file_not_rewritten_after_a_resume_never_holds_later_runs_back() {
    let mut file = Vec::new();
    let mut v = base();
    let (update, _) = run_on_file(&mut file, &v, "first build");
    assert_eq!(update, Update::Built);
    let resumed = |replayed| (Update::Resumed { replayed }, true);
    // the middle revision (position 1 of 5): from the root, the state
    // moves before it, written
    edit(&mut v, 1, "nullable=False", "nullable=True");
    assert_eq!(run_on_file(&mut file, &v, "middle"), resumed(5));
    // again: from its kept state, which stays, not written (the file's
    // older key of it only says again that it changed)
    edit(&mut v, 1, "'email', sa.String()", "'mail', sa.String()");
    let (update, write) = run_on_file(&mut file, &v, "middle again");
    assert_eq!((update, write), (Update::Resumed { replayed: 4 }, false));
    // the head, and the file still holds the middle's older key: both
    // changed, from the middle's state, and written, since the next run
    // would otherwise start from the middle for ever
    edit(&mut v, 4, "DROP TYPE mood", "DROP TYPE kind");
    assert_eq!(run_on_file(&mut file, &v, "head"), resumed(4));
    // the state moves before the head (written) ...
    edit(
        &mut v,
        4,
        "'email', nullable=True",
        "'emails', nullable=True",
    );
    assert_eq!(run_on_file(&mut file, &v, "head again"), resumed(4));
    // ... and each later edit of it replays it alone, with nothing written
    for (from, to) in [("'emails'", "'mails'"), ("'mails'", "'email'")] {
        edit(&mut v, 4, from, to);
        assert_eq!(
            run_on_file(&mut file, &v, "head once more"),
            (Update::Resumed { replayed: 1 }, false)
        );
    }
    // a file in no environment's order added (a helper module): only the
    // head replayed (the file's key of it is the older one), and the file
    // written although that head lies right at its kept state (else every
    // later run would find the graph grown again)
    v.files.push(("X = 1\n".into(), None));
    assert_eq!(run_on_file(&mut file, &v, "helper added"), resumed(1));
    assert_eq!(
        run_on_file(&mut file, &v, "helper known"),
        (Update::Unchanged, false)
    );
}

#[test]
fn truncated_bytes_are_no_kept_model() {
    let mut kept = KeptModel::new();
    let v = base();
    check(&mut kept, &v, "first build");
    let bytes = kept.to_bytes().expect("a model to write");
    for len in 0..bytes.len() {
        assert!(
            KeptModel::from_bytes(&bytes[..len]).is_none(),
            "{len} of {} bytes read as a model",
            bytes.len()
        );
    }
    assert!(KeptModel::from_bytes(&bytes).is_some());
}
