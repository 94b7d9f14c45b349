//! `lint.toml` / `[tool.miglint]` loading and validation.

use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miglint_diagnostics::{Dialect, DialectSet, Severity};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{ConfigError, ConfigErrorKind, ConfigSource};
use crate::matcher::{PathMatcher, compile_glob};
use crate::paths::{absolute_lexical, normalize_display};
use crate::suggest::closest;

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
    // the online-safety family (ML7xx)
    "online",
    "postgresql-version",
];

/// The PostgreSQL major version assumed without `postgresql-version`.
pub const DEFAULT_POSTGRESQL_VERSION: u32 = 15;

/// The keys of one `[[overrides]]` entry.
pub const OVERRIDE_KEYS: &[&str] = &["paths", "dialects", "baseline-revision"];

const DIALECT_SPELLINGS: &[&str] = &["postgresql", "postgres", "sqlite", "mysql", "mariadb"];
const SEVERITIES: &[&str] = &["error", "warning", "info"];

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
    let Ok(text) = fs::read_to_string(path) else {
        return false;
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
    matcher: PathMatcher,
}

/// One `[[overrides]]` entry.
#[derive(Debug, Clone)]
pub struct Override {
    pub paths: Vec<Spanned<String>>,
    pub dialects: Option<DialectSet>,
    pub baseline_revision: Option<Spanned<String>>,
    matcher: PathMatcher,
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
    /// `online = true`: enables every rule of the online-safety family (ML7xx).
    pub online: bool,
    /// `postgresql-version`: the PostgreSQL major version the ML7xx rules
    /// judge locks and rewrites for (default [`DEFAULT_POSTGRESQL_VERSION`]).
    pub postgresql_version: Option<Spanned<u32>>,
    source: Option<ConfigSource>,
    kind: Option<ConfigKind>,
    exclude_matcher: PathMatcher,
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
            online: false,
            postgresql_version: None,
            source: None,
            kind: None,
            exclude_matcher: PathMatcher::default(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// [`find_config`] from `start`, then [`load`]; without a configuration
    /// file, the defaults with `start` as root.
    pub fn resolve(start: &Path) -> Result<Options, ConfigError> {
        match find_config(start) {
            Some(file) => load(&file.path),
            None => Ok(Options::defaults_at(start)),
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

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Loads `lint.toml` or the `[tool.miglint]` table of a `pyproject.toml`
/// (decided by the file name).
pub fn load(path: &Path) -> Result<Options, ConfigError> {
    let text = fs::read_to_string(path).map_err(|e| ConfigError::io(path, e))?;
    load_str(path, &text)
}

/// [`load`] for text already in memory (an editor buffer, tests).
pub fn load_str(path: &Path, text: &str) -> Result<Options, ConfigError> {
    let file = ConfigFile::from_path(path);
    let source = ConfigSource::new(path, text);
    let doc = DeTable::parse(text).map_err(|e| syntax_error(&source, &e))?;

    let mut cx = Cx {
        source: &source,
        errors: Vec::new(),
        in_pyproject: file.kind == ConfigKind::Pyproject,
    };
    let root_dir = absolute_lexical(file.dir());
    let mut options = Options::defaults_at(&root_dir);
    options.kind = Some(file.kind);

    match file.kind {
        ConfigKind::LintToml => cx.top_level(doc.get_ref(), &mut options),
        ConfigKind::Pyproject => {
            let table = doc.get_ref().get("tool").and_then(|t| match t.get_ref() {
                DeValue::Table(t) => t.get_key_value("miglint"),
                _ => None,
            });
            match table {
                Some((_, v)) => match v.get_ref() {
                    DeValue::Table(t) => cx.top_level(t, &mut options),
                    other => cx.err(
                        ConfigErrorKind::InvalidType,
                        v.span(),
                        format!("`tool.miglint` must be a table, found {}", other.type_str()),
                        Some(String::from(
                            "write the settings under a `[tool.miglint]` header",
                        )),
                    ),
                },
                None => cx.err(
                    ConfigErrorKind::MissingKey,
                    0..0,
                    "pyproject.toml has no `[tool.miglint]` table",
                    Some(String::from(
                        "add a `[tool.miglint]` table, or use a lint.toml",
                    )),
                ),
            }
        }
    }

    let mut errors = cx.errors;
    if errors.is_empty() {
        options.exclude_matcher =
            PathMatcher::new(options.exclude.iter().map(|s| s.get_ref().as_str()));
        options.source = Some(source);
        return Ok(options);
    }
    errors.sort_by_key(|e| e.span().map_or(0, |s| s.start));
    let first = errors.remove(0);
    Err(first.with_related(errors))
}

fn syntax_error(source: &ConfigSource, e: &toml::de::Error) -> ConfigError {
    let mut msg = e.message().trim().to_string();
    if let Some(first) = msg.get(..1) {
        let lower = first.to_lowercase();
        msg.replace_range(..1, &lower);
    }
    let err = ConfigError::new(
        ConfigErrorKind::Syntax,
        format!("invalid TOML in {}: {msg}", file_name(source.path())),
    )
    .with_source(source)
    .with_label(msg);
    match e.span() {
        Some(span) => err.with_span(span),
        None => err,
    }
}

type Table<'i> = DeTable<'i>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Validation context: collects every error of the file.
struct Cx<'a> {
    source: &'a ConfigSource,
    errors: Vec<ConfigError>,
    in_pyproject: bool,
}

impl Cx<'_> {
    fn err(
        &mut self,
        kind: ConfigErrorKind,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let e = ConfigError::new(kind, message)
            .with_source(self.source)
            .with_span(span)
            .with_help_opt(help);
        self.errors.push(e);
    }

    fn err_label(
        &mut self,
        kind: ConfigErrorKind,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let e = ConfigError::new(kind, message)
            .with_source(self.source)
            .with_span(span)
            .with_label(label)
            .with_help_opt(help);
        self.errors.push(e);
    }

    fn table_name(&self, name: &str) -> String {
        if self.in_pyproject {
            format!("tool.miglint.{name}")
        } else {
            name.to_string()
        }
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        valid: &[&str],
        context: &str,
    ) {
        let name = key.get_ref();
        let help = match closest(name, valid) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("valid keys are: {}", valid.join(", ")),
        };
        self.err_label(
            ConfigErrorKind::UnknownKey,
            key.span(),
            format!("unknown key `{name}` in {context}"),
            "unknown key",
            Some(help),
        );
    }

    fn top_level(&mut self, table: &Table<'_>, o: &mut Options) {
        let context = if self.in_pyproject {
            "[tool.miglint]"
        } else {
            "lint.toml"
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (key, value) in entries {
            match key.get_ref().as_ref() {
                "dialects" => o.dialects = self.dialects("dialects", value),
                "alembic-version" => o.alembic_version = self.alembic_version(value),
                "paths" => o.paths = self.strings("paths", value).unwrap_or_default(),
                "exclude" => o.exclude = self.globs("exclude", value).unwrap_or_default(),
                "select" => o.select = self.strings("select", value),
                "ignore" => o.ignore = self.strings("ignore", value).unwrap_or_default(),
                "extend-select" => {
                    o.extend_select = self.strings("extend-select", value).unwrap_or_default()
                }
                "severity" => o.severity = self.severity(value),
                "per-file-ignores" => o.per_file_ignores = self.per_file_ignores(value),
                "overrides" => o.overrides = self.overrides(value),
                "baseline-revision" => {
                    o.baseline_revision = self.non_empty_string("baseline-revision", value)
                }
                "online" => o.online = self.online(value),
                "postgresql-version" => o.postgresql_version = self.postgresql_version(value),
                _ => self.unknown_key(key, TOP_LEVEL_KEYS, context),
            }
        }
    }

    fn type_error(&mut self, key: &str, value: &Value<'_>, expected: &str, help: Option<String>) {
        let name = self.table_name(key);
        let found = value.get_ref().type_str();
        self.err_label(
            ConfigErrorKind::InvalidType,
            value.span(),
            format!("`{name}` must be {expected}, found {found}"),
            format!("expected {expected}"),
            help,
        );
    }

    /// An array of strings; wrong elements are reported and dropped.
    fn strings(&mut self, key: &str, value: &Value<'_>) -> Option<Vec<Spanned<String>>> {
        let DeValue::Array(items) = value.get_ref() else {
            let help = match value.get_ref() {
                DeValue::String(s) => Some(format!("write a list: {key} = [\"{s}\"]")),
                _ => None,
            };
            self.type_error(key, value, "an array of strings", help);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                other => {
                    let name = self.table_name(key);
                    self.err_label(
                        ConfigErrorKind::InvalidType,
                        item.span(),
                        format!(
                            "`{name}` must contain only strings, found {}",
                            other.type_str()
                        ),
                        "expected a string",
                        None,
                    );
                }
            }
        }
        Some(out)
    }

    fn globs(&mut self, key: &str, value: &Value<'_>) -> Option<Vec<Spanned<String>>> {
        let globs = self.strings(key, value)?;
        for g in &globs {
            self.check_glob(g.get_ref(), g.span());
        }
        Some(globs)
    }

    fn check_glob(&mut self, pattern: &str, span: Range<usize>) -> bool {
        if pattern.trim().is_empty() {
            self.err(
                ConfigErrorKind::InvalidGlob,
                span,
                "empty glob pattern",
                None,
            );
            return false;
        }
        match compile_glob(pattern) {
            Ok(_) => true,
            Err(e) => {
                self.err_label(
                    ConfigErrorKind::InvalidGlob,
                    span,
                    format!("invalid glob `{pattern}`: {}", e.kind()),
                    e.kind().to_string(),
                    Some(String::from(
                        "globs use `*` (within a directory), `**` (any depth), `?`, `[abc]` and `{a,b}`",
                    )),
                );
                false
            }
        }
    }

    fn non_empty_string(&mut self, key: &str, value: &Value<'_>) -> Option<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => {
                Some(Spanned::new(value.span(), s.trim().to_string()))
            }
            DeValue::String(_) => {
                let name = self.table_name(key);
                self.err(
                    ConfigErrorKind::InvalidValue,
                    value.span(),
                    format!("`{name}` must not be empty"),
                    None,
                );
                None
            }
            DeValue::Integer(i) => {
                let help = Some(format!(
                    "revision ids are strings: {key} = \"{}\"",
                    i.as_str()
                ));
                self.type_error(key, value, "a string", help);
                None
            }
            _ => {
                self.type_error(key, value, "a string", None);
                None
            }
        }
    }

    fn dialects(&mut self, key: &str, value: &Value<'_>) -> Option<Vec<Dialect>> {
        let names = self.strings(key, value)?;
        if names.is_empty() {
            let name = self.table_name(key);
            self.err(
                ConfigErrorKind::InvalidValue,
                value.span(),
                format!("`{name}` must name at least one dialect"),
                Some(String::from(
                    "list the databases the migrations run on, e.g. [\"postgresql\"], or remove the key to infer them",
                )),
            );
            return None;
        }
        let mut out = Vec::new();
        for n in &names {
            match Dialect::parse(n.get_ref()) {
                Some(d) => {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                None => {
                    let supported =
                        "supported dialects: postgresql, sqlite, mysql (MySQL and MariaDB)";
                    let best = closest(n.get_ref(), DIALECT_SPELLINGS).and_then(Dialect::parse);
                    let help = match best {
                        Some(d) => format!("did you mean `{d}`? {supported}"),
                        None => supported.to_string(),
                    };
                    self.err_label(
                        ConfigErrorKind::UnknownDialect,
                        n.span(),
                        format!("unknown dialect `{}`", n.get_ref()),
                        "unknown dialect",
                        Some(help),
                    );
                }
            }
        }
        Some(out)
    }

    fn online(&mut self, value: &Value<'_>) -> bool {
        match value.get_ref() {
            DeValue::Boolean(b) => *b,
            _ => {
                self.type_error("online", value, "a boolean", None);
                false
            }
        }
    }

    /// A PostgreSQL major version: `15` (or `"15"`, `"15.4"`: the major is kept).
    fn postgresql_version(&mut self, value: &Value<'_>) -> Option<Spanned<u32>> {
        let text = match value.get_ref() {
            DeValue::Integer(i) => i.as_str().to_string(),
            DeValue::String(s) => s.trim().to_string(),
            DeValue::Float(f) => f.as_str().to_string(),
            _ => String::new(),
        };
        let major = text.split('.').next().and_then(|m| m.parse::<u32>().ok());
        match major {
            Some(v) if (9..=99).contains(&v) => Some(Spanned::new(value.span(), v)),
            _ => {
                let help = Some(String::from(
                    "write the server's major version, e.g. postgresql-version = 15",
                ));
                self.type_error(
                    "postgresql-version",
                    value,
                    "a PostgreSQL major version",
                    help,
                );
                None
            }
        }
    }

    fn alembic_version(&mut self, value: &Value<'_>) -> Option<Spanned<AlembicVersion>> {
        match value.get_ref() {
            DeValue::String(s) => {
                match AlembicVersion::parse(s.trim()) {
                    Some(v) => Some(Spanned::new(value.span(), v)),
                    None => {
                        self.err_label(
                        ConfigErrorKind::InvalidAlembicVersion,
                        value.span(),
                        format!("invalid alembic-version `{s}`"),
                        "expected MAJOR.MINOR or MAJOR.MINOR.PATCH",
                        Some(String::from("write the installed alembic version, e.g. alembic-version = \"1.13\"")),
                    );
                        None
                    }
                }
            }
            DeValue::Float(f) => {
                let help = Some(format!("quote it: alembic-version = \"{}\"", f.as_str()));
                self.type_error("alembic-version", value, "a string", help);
                None
            }
            DeValue::Integer(i) => {
                let help = Some(format!("quote it: alembic-version = \"{}.0\"", i.as_str()));
                self.type_error("alembic-version", value, "a string", help);
                None
            }
            _ => {
                self.type_error("alembic-version", value, "a string", None);
                None
            }
        }
    }

    fn severity(&mut self, value: &Value<'_>) -> Vec<(Spanned<String>, Severity)> {
        let DeValue::Table(table) = value.get_ref() else {
            let help = Some(String::from(
                "use a table: [severity] with lines like ML301 = \"error\"",
            ));
            self.type_error("severity", value, "a table", help);
            return Vec::new();
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut out = Vec::new();
        for (code, sev) in entries {
            let code = Spanned::new(code.span(), code.get_ref().to_string());
            match sev.get_ref() {
                DeValue::String(s) => match Severity::parse(s) {
                    Some(level) => out.push((code, level)),
                    None => {
                        let lower = s.to_ascii_lowercase();
                        let help = match Severity::parse(&lower)
                            .map(Severity::as_str)
                            .or_else(|| closest(&lower, SEVERITIES))
                        {
                            Some(best) => format!(
                                "did you mean \"{best}\"? use \"error\", \"warning\" or \"info\""
                            ),
                            None => String::from("use \"error\", \"warning\" or \"info\""),
                        };
                        self.err_label(
                            ConfigErrorKind::InvalidSeverity,
                            sev.span(),
                            format!("invalid severity `{s}` for {}", code.get_ref()),
                            "expected \"error\", \"warning\" or \"info\"",
                            Some(help),
                        );
                    }
                },
                other => {
                    let name = self.table_name("severity");
                    self.err_label(
                        ConfigErrorKind::InvalidSeverity,
                        sev.span(),
                        format!(
                            "`{name}.{}` must be a string, found {}",
                            code.get_ref(),
                            other.type_str()
                        ),
                        "expected \"error\", \"warning\" or \"info\"",
                        None,
                    );
                }
            }
        }
        out
    }

    fn per_file_ignores(&mut self, value: &Value<'_>) -> Vec<PerFileIgnore> {
        let DeValue::Table(table) = value.get_ref() else {
            let help = Some(String::from(
                "use a table: [per-file-ignores] with lines like \"versions/0001_*.py\" = [\"ML2\"]",
            ));
            self.type_error("per-file-ignores", value, "a table", help);
            return Vec::new();
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut out = Vec::new();
        for (pattern, codes) in entries {
            let ok = self.check_glob(pattern.get_ref(), pattern.span());
            let key = format!("per-file-ignores.\"{}\"", pattern.get_ref());
            let codes = self.strings(&key, codes);
            if let (true, Some(codes)) = (ok, codes) {
                let matcher = PathMatcher::new([pattern.get_ref().as_ref()]);
                out.push(PerFileIgnore {
                    pattern: Spanned::new(pattern.span(), pattern.get_ref().to_string()),
                    codes,
                    matcher,
                });
            }
        }
        out
    }

    fn overrides(&mut self, value: &Value<'_>) -> Vec<Override> {
        let DeValue::Array(items) = value.get_ref() else {
            let help = Some(String::from(
                "write each override as an `[[overrides]]` table (double brackets)",
            ));
            self.type_error("overrides", value, "an array of tables", help);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.type_error("overrides", item, "a table", None);
                continue;
            };
            let mut entry = Override {
                paths: Vec::new(),
                dialects: None,
                baseline_revision: None,
                matcher: PathMatcher::default(),
            };
            let mut has_paths = false;
            let mut valid = true;
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            for (key, v) in entries {
                let before = self.errors.len();
                match key.get_ref().as_ref() {
                    "paths" => {
                        has_paths = true;
                        entry.paths = self.globs("overrides.paths", v).unwrap_or_default();
                    }
                    "dialects" => {
                        entry.dialects = self
                            .dialects("overrides.dialects", v)
                            .map(DialectSet::from_iter_dialects);
                    }
                    "baseline-revision" => {
                        entry.baseline_revision =
                            self.non_empty_string("overrides.baseline-revision", v);
                    }
                    _ => self.unknown_key(key, OVERRIDE_KEYS, "[[overrides]]"),
                }
                valid &= self.errors.len() == before;
            }
            if !has_paths {
                let name = self.table_name("overrides");
                self.err_label(
                    ConfigErrorKind::MissingKey,
                    item.span(),
                    format!("an `[[{name}]]` entry needs `paths`"),
                    "no `paths` in this override",
                    Some(String::from(
                        "add the files it applies to, e.g. paths = [\"**/versions/sqlite/**\"]",
                    )),
                );
                valid = false;
            }
            if valid {
                entry.matcher = PathMatcher::new(entry.paths.iter().map(|p| p.get_ref().as_str()));
                out.push(entry);
            }
        }
        out
    }
}
