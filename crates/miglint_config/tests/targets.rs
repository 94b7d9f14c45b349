//! Target dialect inference: each kind of evidence, its rank, and what is
//! assumed.

use std::fs;
use std::path::Path;

use miglint_config::{
    MigrationEvidence, decide, dialect_folder, environment_dir, infer_targets, load_str,
    read_environment,
};
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

/// The env.py of alembic's generic template: it uses the URL of alembic.ini.
const ENV_GENERIC: &str = "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\nconfig = context.config\n\ndef run_migrations_offline():\n    url = config.get_main_option(\"sqlalchemy.url\")\n    context.configure(url=url)\n\ndef run_migrations_online():\n    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix=\"sqlalchemy.\")\n";

const ENV_BATCH: &str = "def run_migrations_online():\n    context.configure(\n        connection=connection,\n        target_metadata=target_metadata,\n        render_as_batch=True,\n    )\n";

const PG: DialectSet = DialectSet::single(Dialect::Postgresql);
const SQLITE: DialectSet = DialectSet::single(Dialect::Sqlite);
const MYSQL: DialectSet = DialectSet::single(Dialect::Mysql);

#[test]
fn declared_dialects_win() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("sqlite:///x.db"));
    write(tmp.path(), "migrations/env.py", ENV_GENERIC);
    let t = infer_targets(tmp.path(), Some(&[Dialect::Mysql, Dialect::Postgresql]));
    assert_eq!(t.dialects, MYSQL.with(Dialect::Postgresql));
    assert!(t.assumed.is_empty());
    assert_eq!(t.describe(), "postgresql, mysql (from lint.toml)");

    let o = load_str(
        &tmp.path().join("pyproject.toml"),
        "[tool.miglint]\ndialects = [\"sqlite\"]\n",
    )
    .unwrap();
    assert_eq!(
        o.targets().describe(),
        "sqlite (from pyproject.toml [tool.miglint])"
    );
    let declared = o
        .declared_targets(&tmp.path().join("migrations/versions/a.py"))
        .unwrap();
    assert_eq!(declared.dialects, SQLITE);
}

#[test]
fn declared_dialects_are_narrowed_by_a_per_dialect_folder() {
    let tmp = project();
    let o = load_str(
        &tmp.path().join("lint.toml"),
        "dialects = [\"sqlite\", \"postgresql\"]\n",
    )
    .unwrap();
    let at = |rel: &str| o.declared_targets(&tmp.path().join(rel)).unwrap();
    // the project runs on both; prefect-style tracks say which runs a file
    let sqlite = at("db/_migrations/versions/sqlite/a.py");
    assert_eq!(sqlite.dialects, SQLITE);
    assert_eq!(
        sqlite.describe(),
        "sqlite (from lint.toml, narrowed by its per-dialect folder)"
    );
    assert_eq!(
        at("db/_migrations/versions/a.py").dialects,
        SQLITE.with(Dialect::Postgresql)
    );
    // a folder for a dialect the project does not declare narrows nothing
    assert_eq!(
        at("db/_migrations/versions/mysql/a.py").dialects,
        SQLITE.with(Dialect::Postgresql)
    );
}

#[test]
fn a_url_env_py_uses_is_confirmed() {
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
        write(tmp.path(), "migrations/env.py", ENV_GENERIC);
        let t = infer_targets(tmp.path(), None);
        assert_eq!(t.dialects, DialectSet::single(dialect), "{url}");
        assert!(t.assumed.is_empty(), "{url}");
        assert_eq!(
            t.describe(),
            format!("{dialect} (sqlalchemy.url in alembic.ini, used by env.py)")
        );
    }
}

#[test]
fn a_url_without_env_py_is_assumed() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("mysql://h/db"));
    fs::create_dir_all(tmp.path().join("migrations/versions")).unwrap();
    let t = infer_targets(&tmp.path().join("migrations/versions"), None);
    assert_eq!(t.dialects, MYSQL);
    assert_eq!(t.assumed, MYSQL);
    let shown = t.describe();
    assert!(
        shown.starts_with("mysql (assumed: sqlalchemy.url in "),
        "{shown}"
    );
    assert!(
        shown.ends_with("alembic.ini; no env.py found to confirm it is used)"),
        "{shown}"
    );
}

#[test]
fn a_url_env_py_overrides_is_not_taken() {
    for (env, why) in [
        (
            "config.set_main_option('sqlalchemy.url', settings.DB)\nengine = engine_from_config(config.get_section('alembic'))\n",
            "env.py sets sqlalchemy.url itself (set_main_option)",
        ),
        (
            "connectable = config.attributes.get('connection', None)\nif connectable is None:\n    connectable = engine_from_config(config.get_section(config.config_ini_section))\n",
            "env.py uses a connection the application hands in (config.attributes)",
        ),
        (
            "url = os.environ.get('DATABASE_URL') or config.get_main_option('sqlalchemy.url')\n",
            "env.py reads an environment variable",
        ),
        (
            "from oslo_db.sqlalchemy import enginefacade\nengine = enginefacade.writer.get_engine()\n",
            "env.py gets its engine from oslo.db",
        ),
        (
            "from myapp import settings\nengine = create_engine(settings.DATABASE_URL)\n",
            "env.py builds its own engine (create_engine)",
        ),
        (
            "engine = db.get_engine()\n",
            "env.py gets its engine from the application (get_engine)",
        ),
    ] {
        let tmp = project();
        write(tmp.path(), "alembic.ini", &ini("sqlite:///nova.db"));
        write(tmp.path(), "migrations/env.py", env);
        let t = infer_targets(tmp.path(), None);
        // nothing else is known: PostgreSQL is assumed, never confirmed
        assert_eq!(t.dialects, PG, "{env}");
        assert_eq!(t.assumed, PG, "{env}");
        assert_eq!(
            t.notes,
            [format!(
                "sqlalchemy.url in alembic.ini (sqlite) not taken: {why}"
            )],
            "{env}"
        );
    }
}

#[test]
fn placeholder_and_unsupported_urls_are_notes() {
    for url in [
        "driver://user:pass@localhost/dbname",
        "%(DB_URL)s",
        "postgresql://%(user)s@h/db",
    ] {
        let tmp = project();
        write(tmp.path(), "alembic.ini", &ini(url));
        write(tmp.path(), "migrations/env.py", ENV_GENERIC);
        let t = infer_targets(tmp.path(), None);
        assert_eq!(t.dialects, PG, "{url}");
        assert_eq!(t.assumed, PG, "{url}");
        assert_eq!(
            t.notes,
            ["sqlalchemy.url in alembic.ini not taken: a placeholder"]
        );
    }
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("mssql+pyodbc://h/db"));
    write(tmp.path(), "migrations/env.py", ENV_GENERIC);
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.assumed, PG);
    assert!(t.notes[0].contains("`mssql`"), "{:?}", t.notes);
}

#[test]
fn render_as_batch_only_assumes_sqlite() {
    let tmp = project();
    write(
        tmp.path(),
        "alembic.ini",
        &ini("driver://user:pass@localhost/dbname"),
    );
    write(tmp.path(), "migrations/env.py", ENV_BATCH);
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, SQLITE);
    assert_eq!(t.assumed, SQLITE);
    assert_eq!(
        t.describe(),
        "sqlite (assumed: render_as_batch=True in migrations/env.py)"
    );

    // a confirmed URL stays confirmed; render_as_batch only adds an assumption
    write(
        tmp.path(),
        "alembic.ini",
        &ini("postgresql+psycopg2://h/db"),
    );
    write(
        tmp.path(),
        "migrations/env.py",
        &format!("{ENV_GENERIC}{ENV_BATCH}"),
    );
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, PG.with(Dialect::Sqlite));
    assert_eq!(t.assumed, SQLITE);
    assert_eq!(
        t.describe(),
        "postgresql (sqlalchemy.url in alembic.ini, used by env.py) + sqlite (assumed: render_as_batch=True in migrations/env.py)"
    );
}

#[test]
fn commented_or_dynamic_render_as_batch_is_ignored() {
    let tmp = project();
    write(
        tmp.path(),
        "migrations/env.py",
        "# render_as_batch=True\ncontext.configure(render_as_batch=config.get('batch'))\ncontext.configure(render_as_batch=TrueValue)\n",
    );
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, PG);
    assert_eq!(
        t.describe(),
        "postgresql (assumed: no evidence, the most common Alembic database)"
    );
}

#[test]
fn env_py_beside_versions_without_alembic_ini() {
    let tmp = project();
    write(
        tmp.path(),
        "app/db/migrations/env.py",
        "context.configure(connection=c, render_as_batch=c.dialect.name == 'sqlite')\n",
    );
    let file = tmp
        .path()
        .join("app/db/migrations/versions/2024/abc_init.py");
    let dir = environment_dir(&file);
    assert_eq!(dir, tmp.path().join("app/db/migrations"));
    let env = read_environment(&dir);
    assert_eq!(env.env_py, Some(dir.join("env.py")));
    assert!(env.ini.is_none());
    let t = decide(&env, &[], tmp.path());
    assert_eq!(t.dialects, SQLITE);
    assert_eq!(t.assumed, SQLITE);
    assert!(
        t.describe().starts_with("sqlite (assumed: named in "),
        "{}",
        t.describe()
    );
}

#[test]
fn migrations_name_their_dialects() {
    let tmp = project();
    write(tmp.path(), "migrations/env.py", "x = 1\n");
    let env = read_environment(&tmp.path().join("migrations"));
    let named = [
        MigrationEvidence {
            dialect: Dialect::Mysql,
            files: 3,
            first: String::from("a dialect keyword argument at versions/a.py:12"),
        },
        MigrationEvidence {
            dialect: Dialect::Postgresql,
            files: 1,
            first: String::from("a dialect guard at versions/b.py:4"),
        },
    ];
    let t = decide(&env, &named, tmp.path());
    assert_eq!(t.dialects, MYSQL.with(Dialect::Postgresql));
    assert_eq!(t.assumed, t.dialects);
    assert_eq!(
        t.describe(),
        "postgresql (assumed: named in the revisions: a dialect guard at versions/b.py:4) + mysql (assumed: named in 3 revisions, first a dialect keyword argument at versions/a.py:12)"
    );

    // below a URL env.py uses, they only add assumed targets
    write(tmp.path(), "alembic.ini", &ini("postgresql://h/db"));
    write(tmp.path(), "migrations/env.py", ENV_GENERIC);
    let env = read_environment(&tmp.path().join("migrations"));
    let t = decide(&env, &named, tmp.path());
    assert_eq!(t.dialects, MYSQL.with(Dialect::Postgresql));
    assert_eq!(t.assumed, MYSQL);
}

#[test]
fn per_dialect_folders() {
    let tmp = project();
    let file = tmp
        .path()
        .join("migrations/versions/sqlite/2024_01_01_x.py");
    let (d, folder) = dialect_folder(&file).unwrap();
    assert_eq!(d, Dialect::Sqlite);
    assert_eq!(folder, tmp.path().join("migrations/versions/sqlite"));
    assert_eq!(
        dialect_folder(&tmp.path().join("migrations/versions/x.py")),
        None
    );
    let mut env = read_environment(&environment_dir(&file));
    env.folder = Some((d, folder));
    let t = decide(
        &env,
        &[MigrationEvidence {
            dialect: Dialect::Postgresql,
            files: 1,
            first: String::from("x"),
        }],
        tmp.path(),
    );
    assert_eq!(t.dialects, SQLITE);
    assert!(t.assumed.is_empty());
}

#[test]
fn the_alembic_ini_of_another_environment_is_not_used() {
    let tmp = project();
    write(tmp.path(), "alembic.ini", &ini("mysql://h/db"));
    write(tmp.path(), "migrations/env.py", ENV_GENERIC);
    write(tmp.path(), "plugin/migrations/env.py", ENV_GENERIC);
    let env = read_environment(&tmp.path().join("plugin/migrations"));
    assert!(env.ini.is_none());
    let t = decide(&env, &[], tmp.path());
    assert_eq!(t.assumed, PG);
    let env = read_environment(&tmp.path().join("migrations"));
    assert_eq!(decide(&env, &[], tmp.path()).dialects, MYSQL);
}

#[test]
fn no_transaction_from_env_py_or_config() {
    let tmp = project();
    write(
        tmp.path(),
        "migrations/env.py",
        "engine = create_engine(url, isolation_level='AUTOCOMMIT')\n",
    );
    let t = infer_targets(tmp.path(), None);
    assert_eq!(
        t.no_transaction.as_deref(),
        Some("isolation_level=\"AUTOCOMMIT\" in env.py")
    );
    write(tmp.path(), "migrations/env.py", ENV_GENERIC);
    assert_eq!(infer_targets(tmp.path(), None).no_transaction, None);

    let o = load_str(
        &tmp.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\ntransactional-ddl = false\n",
    )
    .unwrap();
    assert_eq!(
        o.no_transaction().as_deref(),
        Some("transactional-ddl = false in lint.toml")
    );
    let err = load_str(
        &tmp.path().join("lint.toml"),
        "transactional-ddl = \"no\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("transactional-ddl"), "{err}");
}

#[test]
fn no_evidence_assumes_postgresql() {
    let tmp = project();
    let t = infer_targets(tmp.path(), None);
    assert_eq!(t.dialects, PG);
    assert_eq!(t.assumed, PG);
    // An empty explicit list is no choice.
    assert_eq!(infer_targets(tmp.path(), Some(&[])).assumed, PG);
}
