//! Which dialects the project targets, and why.

use std::fs;
use std::path::{Path, PathBuf};

use miglint_diagnostics::{Dialect, DialectSet};

use crate::alembic::{
    AlembicConfig, find_alembic_ini, is_migrations_dir_name, read_alembic_ini,
    read_alembic_pyproject,
};
use crate::options::Options;
use crate::paths::{absolute_lexical, display_relative};

/// The target dialects of a run and a short sentence saying where they came
/// from (for the run summary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub dialects: DialectSet,
    pub reason: String,
}

/// What the scheme of a `sqlalchemy.url` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlDialect {
    /// One of miglint's dialects.
    Known(Dialect),
    /// A real database miglint does not model (`mssql`, `oracle`, ...).
    Unsupported(String),
    /// Nothing usable: the alembic template placeholder
    /// (`driver://user:pass@localhost/dbname`), `%(...)s` / `${...}`
    /// interpolation, or not a URL.
    Unknown,
}

/// Classifies a `sqlalchemy.url` value by its scheme
/// (`postgresql+psycopg2://` → PostgreSQL, `mariadb://` → MySQL, ...).
pub fn dialect_from_url(url: &str) -> UrlDialect {
    let url = url.trim();
    if url.contains("%(") || url.contains("${") || url.starts_with('$') {
        return UrlDialect::Unknown;
    }
    let Some((scheme, _)) = url.split_once("://") else {
        return UrlDialect::Unknown;
    };
    let backend = scheme
        .split('+')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if backend.is_empty()
        // template placeholders: alembic's `driver://user:pass@localhost/dbname`,
        // airflow's `scheme://localhost/airflow`
        || matches!(backend.as_str(), "driver" | "scheme" | "dialect")
        || !backend
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return UrlDialect::Unknown;
    }
    match Dialect::from_sqlalchemy_name(&backend) {
        Some(d) => UrlDialect::Known(d),
        None => UrlDialect::Unsupported(backend),
    }
}

/// Decides the target dialects: explicit config wins; else the
/// `sqlalchemy.url` scheme in the nearest `alembic.ini` (searching up from
/// `root`, stopping at the repository root) plus SQLite if the `env.py` of
/// the `script_location` passes `render_as_batch=True`; else PostgreSQL.
/// The explicit dialects are described as coming "from lint.toml"; use
/// [`Options::targets`] to name the actual configuration file.
pub fn infer_targets(root: &Path, explicit: Option<&[Dialect]>) -> Targets {
    infer_targets_named(root, explicit, "lint.toml")
}

impl Options {
    /// [`infer_targets`] for this configuration, naming the file the
    /// explicit dialects came from.
    pub fn targets(&self) -> Targets {
        infer_targets_named(&self.root, self.dialects.as_deref(), &self.origin_name())
    }
}

fn infer_targets_named(root: &Path, explicit: Option<&[Dialect]>, origin: &str) -> Targets {
    if let Some(list) = explicit.filter(|l| !l.is_empty()) {
        let dialects = DialectSet::from_iter_dialects(list.iter().copied());
        let names: Vec<&str> = dialects.iter().map(Dialect::as_str).collect();
        return Targets {
            dialects,
            reason: format!("{} (from {origin})", names.join(", ")),
        };
    }

    let root = absolute_lexical(root);
    let ini = find_alembic_ini(&root).and_then(|p| read_alembic_ini(&p));
    let mut parts: Vec<String> = Vec::new();
    let mut dialects = DialectSet::EMPTY;
    let mut unsupported: Option<(String, PathBuf)> = None;

    if let Some(cfg) = &ini
        && let Some(url) = &cfg.url
    {
        match dialect_from_url(url) {
            UrlDialect::Known(d) => {
                dialects = dialects.with(d);
                let shown = display_cwd(&cfg.path, &root);
                parts.push(format!("{d} (from sqlalchemy.url in {})", shown.display()));
            }
            UrlDialect::Unsupported(name) => unsupported = Some((name, cfg.path.clone())),
            UrlDialect::Unknown => {}
        }
    }

    // No usable URL: the production database is unknown, so the default
    // (PostgreSQL) stands; `render_as_batch=True` below only adds SQLite,
    // the database it is for.
    if dialects.is_empty() {
        dialects = DialectSet::single(Dialect::Postgresql);
        parts.push(match unsupported {
            Some((name, path)) => format!(
                "postgresql (default: sqlalchemy.url scheme `{name}` in {} is not a supported dialect)",
                display_cwd(&path, &root).display()
            ),
            None => String::from("postgresql (default: no lint.toml dialects, no alembic.ini URL)"),
        });
    }

    if let Some(env) = find_env_py(&root, ini.as_ref())
        && env_renders_as_batch(&env)
        && !dialects.contains(Dialect::Sqlite)
    {
        dialects = dialects.with(Dialect::Sqlite);
        let shown = display_cwd(&env, &root);
        parts.push(format!(
            "sqlite (render_as_batch=True in {})",
            shown.display()
        ));
    }

    Targets {
        dialects,
        reason: parts.join(" + "),
    }
}

/// `path` relative to the current directory when below it (stable across
/// the directories inference starts from), else relative to `root`.
fn display_cwd(path: &Path, root: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| display_relative(path, root))
}

/// The `env.py` of the project: next to the `script_location` of
/// `alembic.ini` (or `[tool.alembic]`), else in a top-level `alembic*` /
/// `migrat*` directory of `root`.
fn find_env_py(root: &Path, ini: Option<&AlembicConfig>) -> Option<PathBuf> {
    let from_config = ini.and_then(|c| c.script_location.clone()).or_else(|| {
        read_alembic_pyproject(&root.join("pyproject.toml")).and_then(|c| c.script_location)
    });
    if let Some(loc) = from_config {
        let env = loc.join("env.py");
        if env.is_file() {
            return Some(env);
        }
    }
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_migrations_dir_name))
        .map(|e| e.path())
        .filter(|p| p.join("env.py").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter().next().map(|d| d.join("env.py"))
}

/// Whether `env.py` passes `render_as_batch=True` (outside comments).
fn env_renders_as_batch(path: &Path) -> bool {
    let Ok(text) = crate::read::read_to_string_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE)
    else {
        return false;
    };
    text.lines().any(|line| {
        let code = line.split('#').next().unwrap_or("");
        let Some(i) = code.find("render_as_batch") else {
            return false;
        };
        let rest = code[i + "render_as_batch".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            return false;
        };
        let rest = rest.trim_start();
        rest.starts_with("True")
            && !rest["True".len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
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
