//! Configuration resolved against the registry: which rules run, at which
//! severity, on which targets.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use miglint_config::{AlembicVersion, ConfigError, Options, Spanned, Targets, infer_targets};
use miglint_diagnostics::{DialectSet, Severity};

use crate::registry::{RULES, rule_index};
use crate::selection::{Selector, suggest};

#[derive(Debug)]
pub struct LinterSettings {
    /// By index into [`RULES`].
    pub enabled: Vec<bool>,
    pub severity: Vec<Severity>,
    /// The targets at the project root (explicit `dialects`, or inferred there).
    pub targets: Targets,
    pub alembic_version: Option<AlembicVersion>,
    /// `postgresql-version` (the ML7xx rules' answers depend on it).
    pub postgresql_version: u32,
    pub options: Options,
    /// Without explicit `dialects`, each file's targets are inferred from the
    /// `alembic.ini` nearest to it (cached per directory), so that one run
    /// over several migration environments treats each one right.
    inferred: Mutex<HashMap<PathBuf, Targets>>,
}

/// What applies to one file.
#[derive(Debug, Clone)]
pub struct FileSettings {
    pub targets: DialectSet,
    /// `[per-file-ignores]` selectors that match this file.
    pub ignores: Vec<Selector>,
}

impl LinterSettings {
    /// Resolves selectors and severities; an unknown code is a config
    /// error pointing at it in the TOML.
    pub fn from_options(options: Options, targets: Targets) -> Result<Self, ConfigError> {
        let parse = |s: &Spanned<String>| -> Result<Selector, ConfigError> {
            Selector::parse(s.get_ref()).ok_or_else(|| {
                options.error_at(
                    s.span(),
                    format!("unknown rule code or prefix `{}`", s.get_ref()),
                    Some(match suggest(s.get_ref()) {
                        Some(c) => format!("did you mean `{c}`? `miglint rules` lists every rule"),
                        None => String::from("`miglint rules` lists every rule; selectors are codes (ML101), prefixes (ML1) or ALL"),
                    }),
                )
            })
        };
        let mut enabled: Vec<bool> = match &options.select {
            None => RULES.iter().map(|r| r.meta().default_enabled).collect(),
            Some(list) => {
                let sels = list.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
                RULES
                    .iter()
                    .map(|r| sels.iter().any(|s| s.enables(r.meta())))
                    .collect()
            }
        };
        for s in &options.extend_select {
            let sel = parse(s)?;
            for (i, r) in RULES.iter().enumerate() {
                enabled[i] |= sel.enables(r.meta());
            }
        }
        if options.online {
            // `online = true`: the whole opt-in online-safety family
            for (i, r) in RULES.iter().enumerate() {
                enabled[i] |= crate::rules::ml7xx_context::is_online_rule(r.meta());
            }
        }
        for s in &options.ignore {
            let sel = parse(s)?;
            for (i, r) in RULES.iter().enumerate() {
                enabled[i] &= !sel.matches(r.meta());
            }
        }
        let mut severity: Vec<Severity> = RULES.iter().map(|r| r.meta().severity).collect();
        for (code, sev) in &options.severity {
            let sel = parse(code)?;
            for (i, r) in RULES.iter().enumerate() {
                if sel.matches(r.meta()) {
                    severity[i] = *sev;
                }
            }
        }
        for pfi in &options.per_file_ignores {
            for code in &pfi.codes {
                parse(code)?;
            }
        }
        let alembic_version = options.alembic_version.as_ref().map(|v| *v.get_ref());
        let postgresql_version = options
            .postgresql_version
            .as_ref()
            .map_or(miglint_config::DEFAULT_POSTGRESQL_VERSION, |v| *v.get_ref());
        Ok(LinterSettings {
            enabled,
            severity,
            targets,
            alembic_version,
            postgresql_version,
            options,
            inferred: Mutex::default(),
        })
    }

    /// Default settings (no config file) with explicit targets: for tests and
    /// the LSP before a config is found.
    pub fn with_targets(targets: DialectSet) -> Self {
        let mut options = Options::defaults_at(".");
        options.dialects = Some(targets.iter().collect());
        let targets = Targets {
            dialects: targets,
            reason: String::from("given"),
        };
        Self::from_options(options, targets).expect("defaults are valid")
    }

    /// Only `code` enabled (fixtures, rule unit tests).
    pub fn only(code: &str, targets: DialectSet) -> Self {
        let mut s = Self::with_targets(targets);
        s.enabled = RULES.iter().map(|r| r.meta().code == code).collect();
        s
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        rule_index(code).is_some_and(|i| self.enabled[i])
    }

    pub fn severity_of(&self, code: &str) -> Option<Severity> {
        rule_index(code).map(|i| self.severity[i])
    }

    pub fn for_file(&self, path: &Path) -> FileSettings {
        let targets = match self.options.dialects_for(path) {
            Some(d) => d,
            None => self.inferred_targets(path),
        };
        let ignores = self
            .options
            .per_file_ignores_for(path)
            .into_iter()
            .filter_map(|s| Selector::parse(s.get_ref()))
            .collect();
        FileSettings { targets, ignores }
    }
}

impl LinterSettings {
    fn explicit_dialects(&self) -> bool {
        self.options
            .dialects
            .as_ref()
            .is_some_and(|d| !d.is_empty())
    }

    fn inferred_targets(&self, path: &Path) -> DialectSet {
        if self.explicit_dialects() {
            return self.targets.dialects;
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut cache = self.inferred.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(dir)
            .or_insert_with_key(|dir| {
                per_dialect_folder(dir).unwrap_or_else(|| infer_targets(dir, None))
            })
            .dialects
    }

    /// What the run's targets were and why, for the summary: the explicit
    /// configuration, or every distinct inference made for the linted files.
    pub fn targets_summary(&self) -> String {
        let cache = self.inferred.lock().unwrap_or_else(|e| e.into_inner());
        if self.explicit_dialects() || cache.is_empty() {
            return self.targets.reason.clone();
        }
        let reasons: BTreeSet<&str> = cache.values().map(|t| t.reason.as_str()).collect();
        reasons.into_iter().collect::<Vec<_>>().join("; ")
    }
}

/// A per-dialect track: a folder named after a dialect (`sqlite`,
/// `postgresql`, `postgres`, `mysql`, `mariadb`) below a `versions*` folder,
/// as in `versions/sqlite/` and `versions/postgresql/` layouts. Its
/// revisions run on that dialect only.
fn per_dialect_folder(dir: &Path) -> Option<Targets> {
    let names: Vec<&str> = dir
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let versions = names.iter().position(|n| n.starts_with("versions"))?;
    names[versions + 1..].iter().find_map(|name| {
        let d = miglint_diagnostics::Dialect::from_sqlalchemy_name(name)?;
        Some(Targets {
            dialects: DialectSet::single(d),
            reason: format!("{d} (per-dialect folder {})", dir.display()),
        })
    })
}

impl FileSettings {
    pub fn ignores(&self, code: &str) -> bool {
        let Some(i) = rule_index(code) else {
            return false;
        };
        self.ignores.iter().any(|s| s.matches(RULES[i].meta()))
    }
}
