//! `miglint targets` and how assumed targets change `miglint check`: the
//! inference per environment with its evidence (text and JSON), the summary
//! line, and errors on assumed targets reported as warnings.

mod support;

use std::fs;
use std::path::Path;

use support::{miglint, write};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `alter_column` outside batch: an error on SQLite (ML106), nothing else.
const ALTER: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.alter_column("users", "name", existing_type=sa.String(50), type_=sa.String(100))


def downgrade():
    op.alter_column("users", "name", existing_type=sa.String(100), type_=sa.String(50))
"#;

/// Names MySQL (a dialect kwarg) and PostgreSQL (a guard).
const NAMES_DIALECTS: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), mysql_engine="InnoDB")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def downgrade():
    op.drop_table("t")
"#;

/// A project like nova's: a placeholder SQLite URL that env.py overrides
/// with a connection the application hands in, render_as_batch, and
/// migrations that name their dialects.
fn nova_like() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join(".git")).unwrap();
    write(
        root,
        "db/alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///nova.db\n",
    );
    write(
        root,
        "db/migrations/env.py",
        "connectable = config.attributes.get('connection', None)\nif connectable is None:\n    connectable = engine_from_config(config.get_section(config.config_ini_section))\ncontext.configure(connection=connectable, render_as_batch=True)\n",
    );
    write(root, "db/migrations/versions/a1_init.py", ALTER);
    write(root, "db/migrations/versions/b2_more.py", NAMES_DIALECTS);
    dir
}

#[test]
fn targets_text() {
    let p = nova_like();
    let out = miglint(p.path()).args(["targets"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out), @r"
    db/migrations (2 files)
      postgresql  assumed    named in the revisions: a dialect guard at db/migrations/versions/b2_more.py:10
      sqlite      assumed    render_as_batch=True in db/migrations/env.py
      mysql       assumed    named in the revisions: a dialect keyword argument at db/migrations/versions/b2_more.py:9
      note: sqlalchemy.url in db/alembic.ini (sqlite) not taken: env.py uses a connection the application hands in (config.attributes)

    An assumed target rests on weak evidence: a finding only on assumed targets is graded down (an error becomes a warning). Declare the targets with `dialects = [...]` in lint.toml or [tool.miglint].
    ");
}

#[test]
fn targets_json() {
    let p = nova_like();
    write(p.path(), "lint.toml", "transactional-ddl = false\n");
    let out = miglint(p.path())
        .args(["targets", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!(v, @r#"
    [
      {
        "environment": "db/migrations",
        "files": 2,
        "no_transaction": "transactional-ddl = false in lint.toml",
        "notes": [
          "sqlalchemy.url in db/alembic.ini (sqlite) not taken: env.py uses a connection the application hands in (config.attributes)"
        ],
        "targets": [
          {
            "assumed": true,
            "dialect": "postgresql",
            "evidence": "named in the revisions: a dialect guard at db/migrations/versions/b2_more.py:10"
          },
          {
            "assumed": true,
            "dialect": "sqlite",
            "evidence": "render_as_batch=True in db/migrations/env.py"
          },
          {
            "assumed": true,
            "dialect": "mysql",
            "evidence": "named in the revisions: a dialect keyword argument at db/migrations/versions/b2_more.py:9"
          }
        ]
      }
    ]
    "#);
}

#[test]
fn declared_targets() {
    let p = nova_like();
    write(p.path(), "lint.toml", "dialects = [\"sqlite\"]\n");
    let out = miglint(p.path()).args(["targets"]).output().unwrap();
    insta::assert_snapshot!(stdout(&out), @r"
    db/migrations (2 files)
      sqlite      declared   from lint.toml
    ");
}

#[test]
fn an_error_on_an_assumed_target_is_a_warning_that_says_so() {
    let p = nova_like();
    let out = miglint(p.path())
        .args(["check", "--output-format", "concise", "-q"])
        .output()
        .unwrap();
    // no error: SQLite is only assumed
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(stdout(&out), @r#"
    db/migrations/versions/a1_init.py:9:67: ML106 [warning] SQLite cannot change a column type with ALTER: outside `batch_alter_table` alembic emits `ALTER TABLE ... ALTER COLUMN`, which fails with `near "ALTER": syntax error` (if this project runs on SQLite: an assumed target)
    db/migrations/versions/a1_init.py:13:68: ML106 [warning] SQLite cannot change a column type with ALTER: outside `batch_alter_table` alembic emits `ALTER TABLE ... ALTER COLUMN`, which fails with `near "ALTER": syntax error` (if this project runs on SQLite: an assumed target)
    "#);

    // declared, the same finding is an error
    write(
        p.path(),
        "lint.toml",
        "dialects = [\"sqlite\", \"postgresql\"]\n",
    );
    let out = miglint(p.path())
        .args(["check", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("ML106 [error]"), "{}", stdout(&out));
}

#[test]
fn the_summary_names_the_evidence_and_how_to_declare() {
    let p = nova_like();
    let out = miglint(p.path()).args(["check"]).output().unwrap();
    let text = stdout(&out);
    let summary = text.lines().last().unwrap_or("");
    assert!(
        summary.contains(
            "targets: postgresql (assumed: named in the revisions: a dialect guard at db/migrations/versions/b2_more.py:10)"
        ),
        "{summary}"
    );
    assert!(
        summary
            .contains("declare the targets with `dialects = [...]` in lint.toml or [tool.miglint]"),
        "{summary}"
    );
}

const CONCURRENTLY: &str = r#"from alembic import op

revision = "c3"
down_revision = None


def upgrade():
    op.create_index("ix_t_a", "t", ["a"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_t_a", table_name="t")
"#;

/// ML601 is silent when the migrations run with no transaction: env.py
/// builds its engine with `isolation_level="AUTOCOMMIT"`, or the
/// configuration says `transactional-ddl = false`.
#[test]
fn concurrently_without_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join(".git")).unwrap();
    write(root, "lint.toml", "dialects = [\"postgresql\"]\n");
    write(root, "migrations/versions/c3.py", CONCURRENTLY);
    write(root, "migrations/env.py", "engine = create_engine(url)\n");
    let codes = |root: &Path| {
        let out = miglint(root)
            .args(["check", "--output-format", "concise", "-q"])
            .output()
            .unwrap();
        stdout(&out)
            .lines()
            .filter_map(|l| {
                l.split(": ")
                    .nth(1)
                    .map(|c| c.split(' ').next().unwrap_or("").to_string())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(root), ["ML601"]);

    write(
        root,
        "migrations/env.py",
        "engine = create_engine(url, isolation_level=\"AUTOCOMMIT\")\n",
    );
    assert_eq!(codes(root), Vec::<String>::new());

    // a pair that still runs each migration in a transaction (alembic begins
    // one per migration when transactional_ddl=False) changes nothing
    write(
        root,
        "migrations/env.py",
        "context.configure(connection=c, transaction_per_migration=False, transactional_ddl=False)\n",
    );
    assert_eq!(codes(root), ["ML601"]);

    write(
        root,
        "lint.toml",
        "dialects = [\"postgresql\"]\ntransactional-ddl = false\n",
    );
    assert_eq!(codes(root), Vec::<String>::new());
    let out = miglint(root).args(["targets"]).output().unwrap();
    assert!(
        stdout(&out).contains("no transaction: transactional-ddl = false in lint.toml"),
        "{}",
        stdout(&out)
    );
}
