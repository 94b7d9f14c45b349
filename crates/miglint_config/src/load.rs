//! Loading `lint.toml` / `[tool.miglint]`: TOML parsing and validation of
//! every key, collecting all errors with their spans.

use std::ops::Range;
use std::path::Path;

use miglint_diagnostics::{Dialect, DialectSet, Severity};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{ConfigError, ConfigErrorKind, ConfigSource};
use crate::matcher::{PathMatcher, compile_glob};
use crate::options::{
    AlembicVersion, ConfigFile, ConfigKind, OVERRIDE_KEYS, Options, Override, PerFileIgnore,
    TOP_LEVEL_KEYS, file_name, find_config,
};
use crate::paths::absolute_lexical;
use crate::suggest::closest;

const DIALECT_SPELLINGS: &[&str] = &["postgresql", "postgres", "sqlite", "mysql", "mariadb"];
const SEVERITIES: &[&str] = &["error", "warning", "info"];

impl Options {
    /// [`find_config`] from `start`, then [`load`]; without a configuration
    /// file, the defaults with `start` as root.
    pub fn resolve(start: &Path) -> Result<Options, ConfigError> {
        match find_config(start) {
            Some(file) => load(&file.path),
            None => Ok(Options::defaults_at(start)),
        }
    }
}

/// Loads `lint.toml` or the `[tool.miglint]` table of a `pyproject.toml`
/// (decided by the file name).
pub fn load(path: &Path) -> Result<Options, ConfigError> {
    // A FIFO or `/dev/zero` given as `--config` must not hang or fill the
    // memory: regular files only, at most the input cap.
    let text = crate::read::read_to_string_capped(path, crate::read::DEFAULT_MAX_FILE_SIZE)
        .map_err(|e| match e {
            crate::read::ReadError::Io(e) => ConfigError::io(path, e),
            other => ConfigError::io(path, std::io::Error::other(other.to_string())),
        })?;
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

/// `"10MB"`, `"512 KiB"`, `"100"` → bytes (K/M/G = 1024-based).
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor)
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
                "transactional-ddl" => match value.get_ref() {
                    DeValue::Boolean(b) => o.transactional_ddl = Some(*b),
                    _ => self.type_error(
                        "transactional-ddl",
                        value,
                        "a boolean",
                        Some(String::from(
                            "transactional-ddl = false says migrations run with no transaction",
                        )),
                    ),
                },
                "max-file-size" => {
                    if let Some(n) = self.max_file_size(value) {
                        o.max_file_size = n;
                    }
                }
                "external-revisions" => {
                    o.external_revisions = self
                        .strings("external-revisions", value)
                        .unwrap_or_default()
                }
                "online" => o.online = self.online(value),
                "postgresql-version" => o.postgresql_version = self.postgresql_version(value),
                "models" => o.models = self.strings("models", value).unwrap_or_default(),
                "compare-server-default" => match value.get_ref() {
                    DeValue::Boolean(b) => o.compare_server_default = *b,
                    _ => self.type_error("compare-server-default", value, "a boolean", None),
                },
                "cache-dir" => o.cache_dir = self.non_empty_string("cache-dir", value),
                _ => self.unknown_key(key, TOP_LEVEL_KEYS, context),
            }
        }
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

    /// `max-file-size`: bytes as an integer, or a string with a unit
    /// (`"10MB"`, `"512 KiB"`; K/M/G are powers of 1024, as in ls -h).
    fn max_file_size(&mut self, value: &Value<'_>) -> Option<u64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<u64>().ok(),
            DeValue::String(s) => parse_size(s),
            _ => {
                self.type_error(
                    "max-file-size",
                    value,
                    "a size",
                    Some(String::from(
                        "max-file-size = \"10MB\" (or a number of bytes)",
                    )),
                );
                return None;
            }
        };
        match parsed {
            Some(n) if n > 0 => Some(n),
            _ => {
                self.err(
                    ConfigErrorKind::InvalidValue,
                    value.span(),
                    "`max-file-size` must be a positive size such as \"10MB\", \"512KB\" or a number of bytes",
                    None,
                );
                None
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
