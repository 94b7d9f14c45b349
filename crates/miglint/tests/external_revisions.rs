//! ML502 and revisions that live outside the linted version locations
//! (Invenio-style projects join several packages' alembic folders into one
//! environment): `external-revisions` in the config declares them.

use std::fs;

use assert_cmd::Command;

const BASE: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("t")
"#;

const CHILD: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"
depends_on = ("other_pkg_base",)


def upgrade():
    op.create_table("u", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("u")
"#;

const GRANDCHILD: &str = r#"from alembic import op

revision = "c3"
down_revision = "b2"
depends_on = ""


def upgrade():
    op.drop_table("u")


def downgrade():
    pass
"#;

/// Lints `versions/` under a `lint.toml` holding `config`; returns
/// (exit code, concise stdout).
fn check(config: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("lint.toml"), config).unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    fs::write(dir.path().join("versions/a1_base.py"), BASE).unwrap();
    fs::write(dir.path().join("versions/b2_child.py"), CHILD).unwrap();
    fs::write(dir.path().join("versions/c3_grandchild.py"), GRANDCHILD).unwrap();
    let out = Command::cargo_bin("miglint")
        .expect("binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "versions", "--output-format", "concise"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn external_parent_is_an_error_until_declared() {
    let (code, text) = check("dialects = [\"postgresql\"]\nselect = [\"ML502\"]\n");
    assert_eq!(code, Some(1), "{text}");
    // `depends_on = ""` is no dependency; only the external id is reported
    assert_eq!(text.matches(": ML502 [error]").count(), 1, "{text}");
    assert!(text.contains("\"other_pkg_base\""), "{text}");
    assert!(
        text.contains("declare it in `external-revisions`"),
        "the message names the config key: {text}"
    );
    assert!(!text.contains("names \"\""), "{text}");

    let (code, text) = check(
        "dialects = [\"postgresql\"]\nselect = [\"ML502\"]\nexternal-revisions = [\"other_pkg_base\"]\n",
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("All checks passed"), "{text}");
}
