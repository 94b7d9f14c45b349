//! The server keeps the semantic model between evaluations and replays only
//! from the edited revision on: after every edit its diagnostics (of every
//! file, project rules included) are those of a server that builds
//! everything from scratch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miglint_diagnostics::Diagnostic;
use miglint_schema::Update;
use miglint_server::convert::normalize;
use miglint_server::project::ProjectState;

fn rev(id: &str, down: &str, body: &str) -> String {
    format!(
        "\"\"\"{id}\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\ndown_revision = {down}\n\n\n{body}"
    )
}

const ROOT: &str = "def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('mood', sa.Enum('a', 'b', name='mood')), sa.Column('name', sa.String()))\n    op.create_table('tags', sa.Column('id', sa.Integer()))\n\n\ndef downgrade():\n    op.drop_table('tags')\n    op.drop_table('users')\n";
const LEFT: &str = "def upgrade():\n    op.add_column('users', sa.Column('email', sa.String(), nullable=False))\n    op.execute(\"UPDATE users SET name = '' WHERE name IS NULL\")\n    op.alter_column('users', 'name', nullable=False)\n\n\ndef downgrade():\n    op.drop_column('users', 'email')\n";
const RIGHT: &str = "def upgrade():\n    if op.get_bind().dialect.name == 'postgresql':\n        op.execute(\"CREATE INDEX ix_name ON users (name)\")\n    else:\n        op.create_index('ix_name', 'users', ['name'])\n    with op.batch_alter_table('tags') as batch_op:\n        batch_op.add_column(sa.Column('label', sa.String(), server_default='x'))\n        batch_op.alter_column('label', nullable=False)\n\n\ndef downgrade():\n    op.drop_index('ix_name', table_name='users')\n";
const MERGE: &str = "def upgrade():\n    op.drop_column('users', 'name')\n    op.execute(\"ALTER TABLE tags ADD COLUMN weight INT\")\n\n\ndef downgrade():\n    op.add_column('users', sa.Column('name', sa.String()))\n";
const HEAD: &str = "def upgrade():\n    op.drop_index('ix_name', table_name='users')\n    op.drop_column('users', 'mood')\n    op.execute(\"DROP TYPE mood\")\n    op.create_table('notes', sa.Column('id', sa.Integer()), sa.Column('kind', sa.Enum('x', name='mood')))\n    op.drop_table('missing')\n\n\ndef downgrade():\n    op.drop_table('notes')\n";

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    versions: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = normalize(dir.path());
    let versions = root.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        root.join("lint.toml"),
        "dialects = [\"postgresql\", \"sqlite\", \"mysql\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\n",
    )
    .unwrap();
    for (name, text) in [
        ("a1_root.py", rev("a1", "None", ROOT)),
        ("b1_left.py", rev("b1", "\"a1\"", LEFT)),
        ("b2_right.py", rev("b2", "\"a1\"", RIGHT)),
        ("c1_merge.py", rev("c1", "(\"b1\", \"b2\")", MERGE)),
        ("d1_head.py", rev("d1", "\"c1\"", HEAD)),
    ] {
        std::fs::write(versions.join(name), text).unwrap();
    }
    Setup {
        _dir: dir,
        root,
        versions,
    }
}

type Reports = Vec<(PathBuf, Vec<Diagnostic>)>;

fn evaluate(project: &mut ProjectState, open: &HashMap<PathBuf, (u64, Arc<str>)>) -> Reports {
    let mut out: Reports = project
        .evaluate(open, &|_, _| true)
        .reports
        .into_iter()
        .map(|r| (r.source.path.clone(), r.diagnostics))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The kept project's reports equal a new project's; returns what the
/// kept model's update did.
fn check(
    kept: &mut ProjectState,
    root: &Path,
    open: &HashMap<PathBuf, (u64, Arc<str>)>,
    what: &str,
) -> Option<Update> {
    let got = evaluate(kept, open);
    let fresh = evaluate(&mut ProjectState::new(root.to_path_buf()), open);
    assert_eq!(got, fresh, "{what}");
    assert!(
        got.iter()
            .any(|(_, d)| d.iter().any(|d| d.code.starts_with("ML3"))),
        "{what}: the project has model findings: {got:?}"
    );
    kept.linter.kept_model_update()
}

struct Editor {
    open: HashMap<PathBuf, (u64, Arc<str>)>,
    generation: u64,
}

impl Editor {
    fn edit(&mut self, path: &Path, from: &str, to: &str) {
        let text = match self.open.get(path) {
            Some((_, t)) => t.to_string(),
            None => std::fs::read_to_string(path).unwrap(),
        };
        assert!(text.contains(from), "{from:?} in {}", path.display());
        self.generation += 1;
        self.open.insert(
            path.to_path_buf(),
            (self.generation, text.replacen(from, to, 1).into()),
        );
    }
}

#[test]
fn kept_model_diagnostics_equal_a_fresh_build_after_each_edit() {
    let s = setup();
    let file = |n: &str| s.versions.join(n);
    let mut kept = ProjectState::new(s.root.clone());
    let mut ed = Editor {
        open: HashMap::new(),
        generation: 0,
    };
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "first"),
        Some(Update::Built)
    );

    // the head, twice: the second replays it alone
    ed.edit(&file("d1_head.py"), "'missing'", "'gone'");
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "head"),
        Some(Update::Resumed { replayed: 1 })
    );
    ed.edit(&file("d1_head.py"), "DROP TYPE mood", "DROP TYPE kind");
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "head again"),
        Some(Update::Resumed { replayed: 1 })
    );

    // the middle, with text moved; the merge; the root
    ed.edit(&file("b1_left.py"), "nullable=False)", "nullable=True)");
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "middle"),
        Some(Update::Resumed { .. })
    ));
    ed.edit(
        &file("b1_left.py"),
        "def upgrade():\n",
        "def upgrade():\n    op.drop_table('tags')\n",
    );
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "middle, text moved"),
        Some(Update::Resumed { .. })
    ));
    ed.edit(&file("c1_merge.py"), "'name')\n    op", "'nick')\n    op");
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "merge"),
        Some(Update::Resumed { .. })
    ));
    ed.edit(&file("a1_root.py"), "name='mood'", "name='moods'");
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "root"),
        Some(Update::Resumed { .. })
    ));

    // down_revision changed: the head now follows the left branch
    ed.edit(
        &file("d1_head.py"),
        "down_revision = \"c1\"",
        "down_revision = \"b1\"",
    );
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "down_revision"),
        Some(Update::Built)
    );
    ed.edit(&file("d1_head.py"), "'gone'", "'users'");
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "after the graph change"),
        Some(Update::Resumed { .. })
    ));

    // a revision added on disk, edited, then removed
    let new = file("e1_new.py");
    std::fs::write(
        &new,
        rev(
            "e1",
            "(\"c1\", \"d1\")",
            "def upgrade():\n    op.drop_table('tags')\n",
        ),
    )
    .unwrap();
    kept.rediscover();
    // (its name sorts last: the kept model grows, but one of its parents,
    // c1, had no child left, so that no state after it was kept: every
    // revision of the environment is replayed)
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "revision added"),
        Some(Update::Resumed { replayed: 6 })
    );
    ed.edit(&new, "'tags'", "'nowhere'");
    assert!(matches!(
        check(&mut kept, &s.root, &ed.open, "new revision edited"),
        Some(Update::Resumed { .. })
    ));
    ed.open.remove(&new);
    std::fs::remove_file(&new).unwrap();
    kept.rediscover();
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "revision removed"),
        Some(Update::Built)
    );
    // nothing changed
    assert_eq!(
        check(&mut kept, &s.root, &ed.open, "unchanged"),
        Some(Update::Unchanged)
    );
}
