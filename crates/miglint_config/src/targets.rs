//! Which dialects each migration environment targets, and the evidence.
//!
//! Evidence, strongest first: `dialects` in the configuration (or an
//! `[[overrides]]` entry); a per-dialect folder below `versions/`; a
//! `sqlalchemy.url` that `env.py` really uses; then weak evidence, which
//! makes a target only *assumed*: the dialects the migrations name
//! (collected by the front end, see `miglint_python::DialectMention`), the
//! dialects `env.py` names, `render_as_batch=True` (SQLite), a URL `env.py`
//! may not use. With no evidence at all PostgreSQL is assumed. Failures that
//! happen only on assumed targets are reported as warnings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miglint_diagnostics::{Dialect, DialectSet};

use crate::alembic::{find_alembic_ini, read_alembic_ini, read_alembic_pyproject};
use crate::env_py::{EnvPy, read_env_py};
use crate::options::Options;
use crate::paths::{absolute_lexical, display_relative};
use crate::url::{UrlDialect, dialect_from_url};

/// One piece of evidence for one target dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub dialect: Dialect,
    /// Weak evidence (or none): the target is assumed.
    pub assumed: bool,
    /// Where it comes from, for people: `sqlalchemy.url in alembic.ini, used
    /// by env.py`.
    pub source: String,
}

/// The targets of one migration environment, with their evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub dialects: DialectSet,
    /// The targets backed only by weak evidence (a subset of `dialects`).
    pub assumed: DialectSet,
    /// One entry per target, in dialect order.
    pub evidence: Vec<Evidence>,
    /// Evidence that was seen and not taken, and why.
    pub notes: Vec<String>,
    /// Why migrations of this environment run with no transaction around
    /// them, when they do (`isolation_level="AUTOCOMMIT"` in env.py, or
    /// `transactional-ddl = false` in the configuration).
    pub no_transaction: Option<String>,
}

impl Targets {
    /// Targets declared in the configuration (`origin` names it).
    pub fn declared(dialects: DialectSet, origin: &str) -> Targets {
        Targets {
            dialects,
            assumed: DialectSet::EMPTY,
            evidence: dialects
                .iter()
                .map(|dialect| Evidence {
                    dialect,
                    assumed: false,
                    source: format!("from {origin}"),
                })
                .collect(),
            notes: Vec::new(),
            no_transaction: None,
        }
    }

    /// `postgresql (sqlalchemy.url in alembic.ini, used by env.py) + sqlite
    /// (assumed: ...)`; targets with the same evidence are listed together.
    pub fn describe(&self) -> String {
        let mut groups: Vec<(Vec<&str>, bool, &str)> = Vec::new();
        for e in &self.evidence {
            match groups
                .iter_mut()
                .find(|(_, a, s)| *a == e.assumed && *s == e.source)
            {
                Some((names, _, _)) => names.push(e.dialect.as_str()),
                None => groups.push((vec![e.dialect.as_str()], e.assumed, &e.source)),
            }
        }
        groups
            .iter()
            .map(|(names, assumed, source)| {
                let names = names.join(", ");
                if *assumed {
                    format!("{names} (assumed: {source})")
                } else {
                    format!("{names} ({source})")
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// Whether every target is declared in the configuration.
    pub fn is_declared(&self) -> bool {
        self.assumed.is_empty() && self.evidence.iter().all(|e| e.source.starts_with("from "))
    }
}

/// What the migrations of one environment say: a dialect they name, in how
/// many files, and the first place (`versions/x.py:12`, `a dialect guard`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationEvidence {
    pub dialect: Dialect,
    pub files: usize,
    /// `a dialect guard at versions/x.py:12`.
    pub first: String,
}

/// What the files of one migration environment say on disk.
#[derive(Debug, Clone, Default)]
pub struct EnvConfig {
    /// The environment folder (the one holding `env.py` and `versions/`).
    pub dir: PathBuf,
    /// The revisions live in a per-dialect folder (`versions/sqlite/`).
    pub folder: Option<(Dialect, PathBuf)>,
    pub env_py: Option<PathBuf>,
    pub env: Option<EnvPy>,
    /// The `alembic.ini` that configures this environment.
    pub ini: Option<PathBuf>,
    /// Its `sqlalchemy.url`, raw.
    pub url: Option<String>,
}

/// The environment folder of a revision file: the folder above its nearest
/// enclosing `versions*` folder (`alembic/versions/2023.1/x.py` → `alembic`),
/// else the file's own folder.
pub fn environment_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    for d in dir.ancestors() {
        if d.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("versions"))
        {
            return d.parent().unwrap_or(d).to_path_buf();
        }
    }
    dir.to_path_buf()
}

/// A per-dialect track: a folder named after a dialect (`sqlite`,
/// `postgresql`, `postgres`, `mysql`, `mariadb`) below a `versions*` folder,
/// as in `versions/sqlite/` and `versions/postgresql/` layouts. Its revisions
/// run on that dialect only. Returns the dialect and the folder.
pub fn dialect_folder(file: &Path) -> Option<(Dialect, PathBuf)> {
    let dir = file.parent()?;
    let names: Vec<&std::ffi::OsStr> = dir.components().map(|c| c.as_os_str()).collect();
    let versions = names
        .iter()
        .position(|n| n.to_str().is_some_and(|n| n.starts_with("versions")))?;
    names
        .iter()
        .enumerate()
        .skip(versions + 1)
        .find_map(|(i, name)| {
            let d = Dialect::from_sqlalchemy_name(name.to_str()?)?;
            let folder: PathBuf = names[..=i].iter().collect();
            Some((d, folder))
        })
}

/// Reads the configuration of the environment in `dir` (see
/// [`environment_dir`]): its `env.py`, and the `alembic.ini` found upwards
/// from it (not the one of another environment).
pub fn read_environment(dir: &Path) -> EnvConfig {
    let abs = absolute_lexical(dir);
    let mut env = EnvConfig {
        dir: dir.to_path_buf(),
        ..EnvConfig::default()
    };
    let own_env_py = abs.join("env.py");
    let ini = find_alembic_ini(&abs).and_then(|p| read_alembic_ini(&p));
    if let Some(cfg) = &ini {
        let other_env = cfg
            .script_location
            .as_ref()
            .map(|l| absolute_lexical(l))
            .is_some_and(|l| l != abs && own_env_py.is_file() && l.join("env.py").is_file());
        if !other_env {
            env.ini = Some(cfg.path.clone());
            env.url = cfg.url.clone().filter(|u| !u.trim().is_empty());
            if !own_env_py.is_file()
                && let Some(l) = &cfg.script_location
                && l.join("env.py").is_file()
            {
                env.env_py = Some(l.join("env.py"));
            }
        }
    }
    if own_env_py.is_file() {
        env.env_py = Some(own_env_py);
    }
    env.env = env.env_py.as_deref().and_then(read_env_py);
    env
}

/// Decides the targets of an environment from its configuration and what
/// its migrations name (see the module docs). Paths are shown relative to
/// the current directory when below it, else to `root`.
pub fn decide(env: &EnvConfig, migrations: &[MigrationEvidence], root: &Path) -> Targets {
    let shown = |p: &Path| {
        display_cwd(&absolute_lexical(p), root)
            .display()
            .to_string()
    };
    let mut t = Targets {
        dialects: DialectSet::EMPTY,
        assumed: DialectSet::EMPTY,
        evidence: Vec::new(),
        notes: Vec::new(),
        no_transaction: env
            .env
            .as_ref()
            .and_then(|e| e.no_transaction)
            .map(str::to_string),
    };
    let add = |t: &mut Targets, dialect: Dialect, assumed: bool, source: String| {
        if t.dialects.contains(dialect) {
            return;
        }
        t.dialects = t.dialects.with(dialect);
        if assumed {
            t.assumed = t.assumed.with(dialect);
        }
        t.evidence.push(Evidence {
            dialect,
            assumed,
            source,
        });
    };

    if let Some((d, folder)) = &env.folder {
        add(
            &mut t,
            *d,
            false,
            format!("per-dialect folder {}", shown(folder)),
        );
        return finish(t);
    }

    // the URL of alembic.ini, when env.py really uses it
    let mut weak_url: Option<(Dialect, String)> = None;
    if let (Some(url), Some(ini)) = (&env.url, &env.ini) {
        let where_ = format!("sqlalchemy.url in {}", shown(ini));
        match (dialect_from_url(url), &env.env) {
            (UrlDialect::Known(d), Some(py)) if py.reads_ini_url && py.overrides.is_empty() => {
                add(&mut t, d, false, format!("{where_}, used by env.py"));
            }
            (UrlDialect::Known(d), Some(py)) => {
                let why = if py.overrides.is_empty() {
                    String::from("env.py does not read it")
                } else {
                    format!("env.py {}", py.overrides.join(", "))
                };
                t.notes.push(format!("{where_} ({d}) not taken: {why}"));
            }
            (UrlDialect::Known(d), None) => {
                weak_url = Some((
                    d,
                    format!("{where_}; no env.py found to confirm it is used"),
                ));
            }
            (UrlDialect::Unsupported(name), _) => t.notes.push(format!(
                "{where_} not taken: `{name}` is not a dialect miglint checks"
            )),
            (UrlDialect::Unknown, _) => {
                t.notes.push(format!("{where_} not taken: a placeholder"));
            }
        }
    }

    // weak evidence: assumed targets
    for m in migrations {
        let source = if m.files > 1 {
            format!("named in {} revisions, first {}", m.files, m.first)
        } else {
            format!("named in the revisions: {}", m.first)
        };
        add(&mut t, m.dialect, true, source);
    }
    if let (Some(py), Some(path)) = (&env.env, &env.env_py) {
        for d in py.named.iter() {
            add(&mut t, d, true, format!("named in {}", shown(path)));
        }
        if py.render_as_batch {
            add(
                &mut t,
                Dialect::Sqlite,
                true,
                format!("render_as_batch=True in {}", shown(path)),
            );
        }
    }
    if let Some((d, source)) = weak_url {
        add(&mut t, d, true, source);
    }
    if t.dialects.is_empty() {
        add(
            &mut t,
            Dialect::Postgresql,
            true,
            String::from("no evidence, the most common Alembic database"),
        );
    }
    finish(t)
}

/// Sorts the evidence in dialect order.
fn finish(mut t: Targets) -> Targets {
    t.evidence.sort_by_key(|e| e.dialect);
    t
}

/// Decides the targets from the configuration alone (no migrations read),
/// for the environment at or below `root`: explicit dialects win; else the
/// environment of `root` (an `env.py` in it, else the `script_location` of the
/// nearest `alembic.ini` or `[tool.alembic]`, else a top-level `alembic*` /
/// `migrat*` folder holding an `env.py`). The explicit dialects are described
/// as coming "from lint.toml"; use [`Options::targets`] to name the file.
pub fn infer_targets(root: &Path, explicit: Option<&[Dialect]>) -> Targets {
    infer_targets_named(root, explicit, "lint.toml", &fresh)
}

impl Options {
    /// [`infer_targets`] for this configuration, naming the file the
    /// explicit dialects came from.
    /// (See also `Options::targets_in`: the environment read once.)
    pub fn targets(&self) -> Targets {
        infer_targets_named(
            &self.root,
            self.dialects.as_deref(),
            &self.origin_name(),
            &fresh,
        )
    }

    /// The declared targets of `path`: the last matching `[[overrides]]`
    /// entry with `dialects`, else the top-level `dialects`; `None` when
    /// they are to be inferred.
    pub fn declared_targets(&self, path: &Path) -> Option<Targets> {
        let origin = self.origin_name();
        let mut t = match self.dialects_for(path) {
            Some(d) => Targets::declared(d, &format!("{origin} [[overrides]]")),
            None => {
                let list = self.dialects.as_deref().filter(|l| !l.is_empty())?;
                let declared = DialectSet::from_iter_dialects(list.iter().copied());
                // the project runs on these; a per-dialect folder
                // (`versions/sqlite/`) says which one runs this file
                match dialect_folder(path) {
                    Some((d, _)) if declared.contains(d) => Targets::declared(
                        DialectSet::single(d),
                        &format!("{origin}, narrowed by its per-dialect folder"),
                    ),
                    _ => Targets::declared(declared, &origin),
                }
            }
        };
        t.no_transaction = self.no_transaction();
        Some(t)
    }

    /// `transactional-ddl = false`: migrations run with no transaction.
    pub fn no_transaction(&self) -> Option<String> {
        (self.transactional_ddl == Some(false))
            .then(|| format!("transactional-ddl = false in {}", self.origin_name()))
    }
}

/// [`read_environment`] of `dir`, for [`infer_targets_named`].
fn fresh(dir: &Path) -> Arc<EnvConfig> {
    Arc::new(read_environment(dir))
}

/// `read` gives the environment folder's [`EnvConfig`] (see
/// [`read_environment`]).
pub(crate) fn infer_targets_named(
    root: &Path,
    explicit: Option<&[Dialect]>,
    origin: &str,
    read: &dyn Fn(&Path) -> Arc<EnvConfig>,
) -> Targets {
    if let Some(list) = explicit.filter(|l| !l.is_empty()) {
        return Targets::declared(DialectSet::from_iter_dialects(list.iter().copied()), origin);
    }
    let root = absolute_lexical(root);
    let dir = find_env_dir(&root).unwrap_or_else(|| root.clone());
    decide(&read(&dir), &[], &root)
}

/// `path` relative to the current directory when below it (stable across
/// the directories inference starts from), else relative to `root`.
pub fn display_cwd(path: &Path, root: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| display_relative(path, root))
}

/// The environment folder for a project root (see [`infer_targets`]).
fn find_env_dir(root: &Path) -> Option<PathBuf> {
    if root.join("env.py").is_file() {
        return Some(root.to_path_buf());
    }
    if root
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("versions"))
        && let Some(p) = root.parent()
        && p.join("env.py").is_file()
    {
        return Some(p.to_path_buf());
    }
    let from_config = find_alembic_ini(root)
        .and_then(|p| read_alembic_ini(&p))
        .and_then(|c| c.script_location)
        .or_else(|| {
            read_alembic_pyproject(&root.join("pyproject.toml")).and_then(|c| c.script_location)
        });
    if let Some(loc) = from_config
        && loc.join("env.py").is_file()
    {
        return Some(loc);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(crate::alembic::is_migrations_dir_name)
        })
        .map(|e| e.path())
        .filter(|p| p.join("env.py").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_schemes_are_unknown() {
        assert_eq!(
            dialect_from_url("scheme://localhost/airflow"),
            UrlDialect::Unknown
        );
        assert_eq!(
            dialect_from_url("driver://user:pass@localhost/dbname"),
            UrlDialect::Unknown
        );
    }

    #[test]
    fn url_schemes() {
        assert_eq!(
            dialect_from_url("postgresql+psycopg2://u:p@h/db"),
            UrlDialect::Known(Dialect::Postgresql)
        );
        assert_eq!(
            dialect_from_url("postgres://h/db"),
            UrlDialect::Known(Dialect::Postgresql)
        );
        assert_eq!(
            dialect_from_url("sqlite:///app.db"),
            UrlDialect::Known(Dialect::Sqlite)
        );
        assert_eq!(
            dialect_from_url("mysql+pymysql://h/db"),
            UrlDialect::Known(Dialect::Mysql)
        );
        assert_eq!(
            dialect_from_url("mariadb://h/db"),
            UrlDialect::Known(Dialect::Mysql)
        );
        assert_eq!(
            dialect_from_url("driver://user:pass@localhost/dbname"),
            UrlDialect::Unknown
        );
        assert_eq!(dialect_from_url("%(DB_URL)s"), UrlDialect::Unknown);
        assert_eq!(
            dialect_from_url("postgresql://%(user)s@h/db"),
            UrlDialect::Unknown
        );
        assert_eq!(dialect_from_url(""), UrlDialect::Unknown);
        assert_eq!(
            dialect_from_url("mssql+pyodbc://h/db"),
            UrlDialect::Unsupported(String::from("mssql"))
        );
    }
}
