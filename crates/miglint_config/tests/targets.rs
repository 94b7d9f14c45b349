//! Target dialect inference.

use std::fs;
use std::path::Path;

use miglint_config::{infer_targets, load_str};
use miglint_diagnostics::{Dialect, DialectSet};

/// A project directory bounded by `.git`, so the alembic.ini search does not
/// leave it.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join(".git")).unwrap();
    tmp
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn ini(url: &str) -> String {
    format!(
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n\n[loggers]\nkeys = root\n"
    )
}

const ENV_BATCH: &str = "def run_migrations_online():\n    context.configure(\n        connection=connection,\n        target_metadata=target_metadata,\n        render_as_batch=True,\n    )\n";

#[test]
fn explicit_wins() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("sqlite:///x.db"));
    let t = infer_targets(tmp.path(), Some(&[Dialect::Mysql, Dialect::Postgresql]));
    assert_eq!(
        t.dialects,
        DialectSet::single(Dialect::Mysql).with(Dialect::Postgresql)
    );
    assert_eq!(t.reason, "postgresql, mysql (from lint.toml)");

    let o = load_str(
        &tmp.path().join("pyproject.toml"),
        "[tool.miglint]\ndialects = [\"sqlite\"]\n",
    )
    .unwrap();
    assert_eq!(
        o.targets().reason,
        "sqlite (from pyproject.toml [tool.miglint])"
    );
}

#[test]
fn from_alembic_ini_url() {
    for (url, dialect) in [
        (
            "postgresql+psycopg2://scott:tiger@localhost/test",
            Dialect::Postgresql,
        ),
        ("sqlite:///app.db", Dialect::Sqlite),
        ("mysql+pymysql://u:p@h/db", Dialect::Mysql),
        ("mariadb://u:p@h/db", Dialect::Mysql),
    ] {
        let tmp = project();
        write(tmp.path(), "alembic.ini", &ini(url));
        let t = infer_targets(tmp.path(), None);
        assert_eq!(t.dialects, DialectSet::single(dialect), "{url}");
        assert_eq!(
            t.reason,
            format!("{dialect} (from sqlalchemy.url in alembic.ini)")
        );
    }
}

#[test]
fn nearest_alembic_ini_from_a_subdirectory() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("mysql://h/db"));
    fs::create_dir_all(tmp.path().join("migrations/versions")).unwrap();
    let t = infer_targets(&tmp.path().join("migrations/versions"), None);
    assert_eq!(t.dialects, DialectSet::single(Dialect::Mysql));
}

#[test]
fn placeholder_and_interpolated_urls_are_ignored() {
    for url in [
        "driver://user:pass@localhost/dbname",
        "%(DB_URL)s",
        "postgresql://%(user)s@h/db",
        "",
    ] {
        let tmp = project();
        write(tmp.path(), "alembic.ini", &ini(url));
        let t = infer_targets(tmp.path(), None);
        assert_eq!(t.dialects, DialectSet::single(Dialect::Postgresql), "{url}");
        assert_eq!(
            t.reason,
            "postgresql (default: no lint.toml dialects, no alembic.ini URL)"
        );
    }
}

#[test]
fn unsupported_url_falls_back_with_a_reason() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("mssql+pyodbc://h/db"));
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, DialectSet::single(Dialect::Postgresql));
    assert!(t.reason.contains("`mssql`"), "{}", t.reason);
}

#[test]
fn render_as_batch_implies_sqlite() {
    let tmp = project();
    write(
        tmp.path(),
        "alembic.ini",
        &ini("driver://user:pass@localhost/dbname"),
    );
    write(tmp.path(), "migrations/env.py", ENV_BATCH);
    let t = infer_targets(tmp.path(), None);
    // the template URL names no database: the PostgreSQL default stands
    assert_eq!(
        t.dialects,
        DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite)
    );
    assert_eq!(
        t.reason,
        "postgresql (default: no lint.toml dialects, no alembic.ini URL) + sqlite (render_as_batch=True in migrations/env.py)"
    );

    write(
        tmp.path(),
        "alembic.ini",
        &ini("postgresql+psycopg2://h/db"),
    );
    let t = infer_targets(tmp.path(), None);
    assert_eq!(
        t.dialects,
        DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite)
    );
    assert_eq!(
        t.reason,
        "postgresql (from sqlalchemy.url in alembic.ini) + sqlite (render_as_batch=True in migrations/env.py)"
    );
}

#[test]
fn render_as_batch_without_alembic_ini() {
    let tmp = project();
    write(tmp.path(), "alembic/env.py", ENV_BATCH);
    let t = infer_targets(tmp.path(), None);
    // the production database is unknown: the PostgreSQL default stands,
    // render_as_batch adds SQLite
    assert_eq!(
        t.dialects,
        DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite)
    );
    assert_eq!(
        t.reason,
        "postgresql (default: no lint.toml dialects, no alembic.ini URL) + sqlite (render_as_batch=True in alembic/env.py)"
    );
}

#[test]
fn commented_or_dynamic_render_as_batch_is_ignored() {
    let tmp = project();
    write(
        tmp.path(),
        "alembic.ini",
        &ini("driver://user:pass@localhost/dbname"),
    );
    write(
        tmp.path(),
        "migrations/env.py",
        "# render_as_batch=True\ncontext.configure(render_as_batch=config.get('batch'))\ncontext.configure(render_as_batch=TrueValue)\n",
    );
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, DialectSet::single(Dialect::Postgresql));
}

#[test]
fn default_is_postgresql() {
    let tmp = project();
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, DialectSet::single(Dialect::Postgresql));
    assert_eq!(
        t.reason,
        "postgresql (default: no lint.toml dialects, no alembic.ini URL)"
    );
    // An empty explicit list is no choice.
    assert_eq!(
        infer_targets(tmp.path(), Some(&[])).dialects,
        DialectSet::single(Dialect::Postgresql)
    );
}
