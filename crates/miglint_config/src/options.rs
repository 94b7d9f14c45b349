//! The loaded configuration ([`Options`]) and finding its file; the TOML
//! parsing and validation live in `load.rs`.

use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miglint_diagnostics::{Dialect, DialectSet, Severity};
use toml::Spanned;
use toml::de::DeTable;

use crate::error::{ConfigError, ConfigErrorKind, ConfigSource};
use crate::matcher::PathMatcher;
use crate::paths::{absolute_lexical, normalize_display};

/// The top-level keys of `lint.toml` / `[tool.miglint]`.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "dialects",
    "alembic-version",
    "paths",
    "exclude",
    "select",
    "ignore",
    "extend-select",
    "severity",
    "per-file-ignores",
    "overrides",
    "baseline-revision",
    "transactional-ddl",
    "max-file-size",
    "external-revisions",
    // the online-safety family (ML7xx)
    "online",
    "postgresql-version",
    // static drift (`miglint drift`, ML8xx)
    "models",
    "compare-server-default",
    // where `miglint check` keeps its cache
    "cache-dir",
];

/// The PostgreSQL major version assumed without `postgresql-version`.
pub const DEFAULT_POSTGRESQL_VERSION: u32 = 15;

/// The keys of one `[[overrides]]` entry.
pub const OVERRIDE_KEYS: &[&str] = &["paths", "dialects", "baseline-revision"];

/// Which form of configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    /// `lint.toml`: the whole file is miglint's.
    LintToml,
    /// `pyproject.toml` with a `[tool.miglint]` table.
    Pyproject,
}

/// A configuration file found by [`find_config`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub kind: ConfigKind,
}

impl ConfigFile {
    /// The kind implied by the file name (`pyproject.toml` → pyproject form,
    /// anything else → `lint.toml` form).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let kind = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            ConfigKind::Pyproject
        } else {
            ConfigKind::LintToml
        };
        ConfigFile { path, kind }
    }

    /// The directory paths in the file are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// Finds the configuration that applies to `start` (a directory; a file
/// means its directory): walking up, in each directory `lint.toml` wins over
/// a `pyproject.toml` with a `[tool.miglint]` table; a `pyproject.toml`
/// without that table is skipped. The nearest file wins; nothing is merged.
/// A relative `start` is resolved against the current directory, so the
/// returned path is absolute.
pub fn find_config(start: &Path) -> Option<ConfigFile> {
    let mut dir = absolute_lexical(start);
    if dir.is_file() {
        dir.pop();
    }
    let mut current: Option<&Path> = Some(&dir);
    while let Some(d) = current {
        let lint = d.join("lint.toml");
        if lint.is_file() {
            return Some(ConfigFile {
                path: lint,
                kind: ConfigKind::LintToml,
            });
        }
        let pyproject = d.join("pyproject.toml");
        if pyproject.is_file() && pyproject_has_miglint(&pyproject) {
            return Some(ConfigFile {
                path: pyproject,
                kind: ConfigKind::Pyproject,
            });
        }
        current = d.parent();
    }
    None
}

fn pyproject_has_miglint(path: &Path) -> bool {
    let text = match crate::read::read_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => return false,
    };
    match DeTable::parse(&text) {
        Ok(doc) => doc
            .get_ref()
            .get("tool")
            .and_then(|t| t.get_ref().as_table())
            .is_some_and(|t| t.contains_key("miglint")),
        // A broken pyproject that mentions us is ours: loading it reports the
        // syntax error instead of silently ignoring the configuration.
        Err(_) => text.contains("tool.miglint"),
    }
}

/// A `MAJOR[.MINOR[.PATCH]]` alembic version (`alembic-version = "1.13"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AlembicVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl AlembicVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        AlembicVersion {
            major,
            minor,
            patch,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let mut next = |required: bool| -> Option<u32> {
            match parts.next() {
                None if !required => Some(0),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                _ => None,
            }
        };
        let v = AlembicVersion {
            major: next(true)?,
            minor: next(false)?,
            patch: next(false)?,
        };
        if parts.next().is_some() {
            None
        } else {
            Some(v)
        }
    }
}

impl fmt::Display for AlembicVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One `[per-file-ignores]` entry.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    pub pattern: Spanned<String>,
    pub codes: Vec<Spanned<String>>,
    pub(crate) matcher: PathMatcher,
}

/// One `[[overrides]]` entry.
#[derive(Debug, Clone)]
pub struct Override {
    pub paths: Vec<Spanned<String>>,
    pub dialects: Option<DialectSet>,
    pub baseline_revision: Option<Spanned<String>>,
    pub(crate) matcher: PathMatcher,
}

/// The loaded configuration. Rule codes and globs keep their spans into the
/// configuration file so that later validation can point at them with
/// [`Options::error_at`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory of the configuration file (absolute), or the current
    /// directory when there is none. Config paths are relative to it.
    pub root: PathBuf,
    /// `dialects`; `None` = infer (see [`crate::infer_targets`]).
    pub dialects: Option<Vec<Dialect>>,
    pub alembic_version: Option<Spanned<AlembicVersion>>,
    /// `paths` (files, directories or globs, relative to `root`).
    pub paths: Vec<Spanned<String>>,
    pub exclude: Vec<Spanned<String>>,
    /// `select`; `None` = the default set (every default-on rule).
    pub select: Option<Vec<Spanned<String>>>,
    pub ignore: Vec<Spanned<String>>,
    pub extend_select: Vec<Spanned<String>>,
    /// `[severity]`: rule code → severity, in file order.
    pub severity: Vec<(Spanned<String>, Severity)>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    pub overrides: Vec<Override>,
    pub baseline_revision: Option<Spanned<String>>,
    /// `transactional-ddl`: `Some(false)` says the migrations run with no
    /// transaction around them (ML601), when env.py does not show it.
    pub transactional_ddl: Option<bool>,
    /// `max-file-size`: larger files are ML905, never read.
    pub max_file_size: u64,
    /// `external-revisions`: revision ids (or branch labels) that live
    /// outside the linted version locations (another package's alembic
    /// folder joined into the same environment): a reference to one is
    /// not a missing parent (ML502).
    pub external_revisions: Vec<Spanned<String>>,
    /// `online = true`: enables every rule of the online-safety family (ML7xx).
    pub online: bool,
    /// `postgresql-version`: the PostgreSQL major version the ML7xx rules
    /// judge locks and rewrites for (default [`DEFAULT_POSTGRESQL_VERSION`]).
    pub postgresql_version: Option<Spanned<u32>>,
    /// `models`: the SQLAlchemy model files and folders (relative to
    /// `root`) that `miglint drift` and the ML8xx rules compare with the
    /// migrations; empty = the imports of `target_metadata` in env.py.
    pub models: Vec<Spanned<String>>,
    /// `compare-server-default = true`: drift compares server defaults too
    /// (alembic's `compare_server_default`).
    pub compare_server_default: bool,
    /// `cache-dir`: where `miglint check` keeps its cache (relative to
    /// `root`; default `.miglint_cache`).
    pub cache_dir: Option<Spanned<String>>,
    pub(crate) source: Option<ConfigSource>,
    pub(crate) kind: Option<ConfigKind>,
    pub(crate) exclude_matcher: PathMatcher,
    cwd: PathBuf,
}

impl Default for Options {
    /// No configuration file: everything default-on, dialects inferred,
    /// `root` = the current directory.
    fn default() -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Options::defaults_at(cwd)
    }
}

impl Options {
    /// The built-in defaults with `root` as the project directory.
    pub fn defaults_at(root: impl AsRef<Path>) -> Self {
        Options {
            root: absolute_lexical(root.as_ref()),
            dialects: None,
            alembic_version: None,
            paths: Vec::new(),
            exclude: Vec::new(),
            select: None,
            ignore: Vec::new(),
            extend_select: Vec::new(),
            severity: Vec::new(),
            per_file_ignores: Vec::new(),
            overrides: Vec::new(),
            baseline_revision: None,
            transactional_ddl: None,
            max_file_size: crate::read::DEFAULT_MAX_FILE_SIZE,
            external_revisions: Vec::new(),
            online: false,
            postgresql_version: None,
            models: Vec::new(),
            compare_server_default: false,
            cache_dir: None,
            source: None,
            kind: None,
            exclude_matcher: PathMatcher::default(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// The configuration file and its text, if one was loaded.
    pub fn source(&self) -> Option<&ConfigSource> {
        self.source.as_ref()
    }

    pub fn config_path(&self) -> Option<&Path> {
        self.source.as_ref().map(ConfigSource::path)
    }

    pub fn config_kind(&self) -> Option<ConfigKind> {
        self.kind
    }

    /// A short name of where the configuration came from, for messages:
    /// `lint.toml`, `pyproject.toml [tool.miglint]`, or `defaults`.
    pub fn origin_name(&self) -> String {
        match (&self.source, self.kind) {
            (Some(s), Some(ConfigKind::Pyproject)) => {
                format!("{} [tool.miglint]", file_name(s.path()))
            }
            (Some(s), _) => file_name(s.path()),
            (None, _) => String::from("defaults"),
        }
    }

    /// An error pointing at `span` in the configuration file (e.g. "unknown
    /// rule code `ML999`" at a code kept in `select`). Without a
    /// configuration file the error has no source and no label.
    pub fn error_at(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        match &self.source {
            Some(src) => src.error_at(span, message, help),
            None => ConfigError::new(ConfigErrorKind::Other, message).with_help_opt(help),
        }
    }

    /// Whether `path` matches an `exclude` glob.
    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.exclude_matcher.is_empty()
            && self
                .candidates(path)
                .iter()
                .any(|c| self.exclude_matcher.is_match(c))
    }

    /// The dialects of the last `[[overrides]]` entry (with `dialects`) whose
    /// `paths` match; `None` = no override, use the run's targets.
    pub fn dialects_for(&self, path: &Path) -> Option<DialectSet> {
        // (no path resolution, which may canonicalize, when nothing can match)
        if self.overrides.is_empty() {
            return None;
        }
        let candidates = self.candidates(path);
        self.overrides
            .iter()
            .rev()
            .filter(|o| o.dialects.is_some())
            .find(|o| candidates.iter().any(|c| o.matcher.is_match(c)))
            .and_then(|o| o.dialects)
    }

    /// The baseline revision of the last matching `[[overrides]]` entry with
    /// one, else the top-level `baseline-revision`.
    pub fn baseline_for(&self, path: &Path) -> Option<&Spanned<String>> {
        if self.overrides.is_empty() {
            return self.baseline_revision.as_ref();
        }
        let candidates = self.candidates(path);
        self.overrides
            .iter()
            .rev()
            .filter(|o| o.baseline_revision.is_some())
            .find(|o| candidates.iter().any(|c| o.matcher.is_match(c)))
            .and_then(|o| o.baseline_revision.as_ref())
            .or(self.baseline_revision.as_ref())
    }

    /// The codes of every `[per-file-ignores]` entry whose glob matches.
    pub fn per_file_ignores_for(&self, path: &Path) -> Vec<&Spanned<String>> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let candidates = self.candidates(path);
        self.per_file_ignores
            .iter()
            .filter(|p| candidates.iter().any(|c| p.matcher.is_match(c)))
            .flat_map(|p| p.codes.iter())
            .collect()
    }

    /// `path` relative to `root`, if it is below it. Relative paths are
    /// taken relative to the current directory; resolved lexically first,
    /// then through symlinks (canonical paths) as a fallback.
    pub fn relative_to_root(&self, path: &Path) -> Option<PathBuf> {
        let abs = crate::paths::normalize_lexical(&self.cwd.join(path));
        if let Ok(rel) = abs.strip_prefix(&self.root) {
            return Some(rel.to_path_buf());
        }
        let canon = fs::canonicalize(path).ok()?;
        let root = fs::canonicalize(&self.root).ok()?;
        canon.strip_prefix(root).ok().map(Path::to_path_buf)
    }

    /// The forms of `path` globs are matched against: relative to the root,
    /// and — when relative — as given. (An absolute path is not matched as
    /// is: a component pattern such as `tmp` would otherwise match a
    /// directory above the project.)
    fn candidates(&self, path: &Path) -> Vec<PathBuf> {
        let mut out = Vec::with_capacity(2);
        if let Some(rel) = self.relative_to_root(path) {
            out.push(rel);
        }
        if path.is_relative() {
            let given = normalize_display(path);
            if !out.contains(&given) {
                out.push(given);
            }
        }
        out
    }

    pub(crate) fn cwd(&self) -> &Path {
        &self.cwd
    }
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
