//! Configuration resolved against the registry: which rules run, at which
//! severity, on which targets.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use miglint_config::{
    AlembicVersion, ConfigError, EnvConfig, Environments, MigrationEvidence, Options, Spanned,
    Targets, decide, dialect_folder, display_cwd, environment_dir,
};
use miglint_diagnostics::{Dialect, DialectSet, Severity};
use miglint_python::Module;

use crate::registry::{RULES, rule_index};
use crate::selection::{Selector, suggest};

#[derive(Debug)]
pub struct LinterSettings {
    /// By index into [`RULES`].
    pub enabled: Vec<bool>,
    pub severity: Vec<Severity>,
    /// The targets at the project root (explicit `dialects`, or inferred there
    /// from the configuration alone): shown when no file was resolved.
    pub targets: Targets,
    pub alembic_version: Option<AlembicVersion>,
    /// `postgresql-version` (the ML7xx rules' answers depend on it).
    pub postgresql_version: u32,
    pub options: Options,
    /// The environments resolved by [`LinterSettings::resolve`] in this run.
    resolved: Mutex<Vec<ResolvedEnv>>,
    /// How the environments' files are read: again on every use unless
    /// [`LinterSettings::read_environments_once`].
    environments: Environments,
}

/// The targets decided for one migration environment (or one group of files
/// with the same declared targets).
#[derive(Debug, Clone)]
pub struct ResolvedEnv {
    /// The environment folder (see [`miglint_config::environment_dir`]).
    pub dir: Option<PathBuf>,
    pub targets: Targets,
    /// How many linted files it holds.
    pub files: usize,
}

/// What applies to one file.
#[derive(Debug, Clone)]
pub struct FileSettings {
    pub targets: DialectSet,
    /// The targets of `targets` backed only by weak evidence: a failure on
    /// these alone is reported as a warning.
    pub assumed: DialectSet,
    /// The migrations run with no transaction around them (ML601).
    pub no_transaction: bool,
    /// The environment's env.py sets `lock_timeout` or `statement_timeout`
    /// for every revision (ML702).
    pub env_sets_lock_timeout: bool,
    /// `[per-file-ignores]` selectors that match this file.
    pub ignores: Vec<Selector>,
}

/// One file as target inference sees it.
pub struct TargetInput<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'a Module,
}

impl LinterSettings {
    /// Resolves selectors and severities; an unknown code is a config
    /// error pointing at it in the TOML.
    pub fn from_options(options: Options, targets: Targets) -> Result<Self, ConfigError> {
        let parse = |s: &Spanned<String>| -> Result<Selector, ConfigError> {
            // ruff refuses `"E501 "` too: a stray space is a typo to fix,
            // not something to guess around
            let text = s.get_ref();
            if text.trim() != text && Selector::parse(text).is_some() {
                return Err(options.error_at(
                    s.span(),
                    format!("rule selector `{text}` has surrounding whitespace"),
                    Some(format!("write `\"{}\"`", text.trim())),
                ));
            }
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
            resolved: Mutex::default(),
            environments: Environments::fresh(),
        })
    }

    /// Default settings (no config file) with explicit targets: for tests and
    /// the LSP before a config is found.
    pub fn with_targets(targets: DialectSet) -> Self {
        let mut options = Options::defaults_at(".");
        options.dialects = Some(targets.iter().collect());
        let targets = Targets::declared(targets, "given");
        Self::from_options(options, targets).expect("defaults are valid")
    }

    /// Reads each environment's files through `envs` (one CLI run:
    /// [`Environments::once`], the one the root's targets were inferred
    /// with) instead of again on every use.
    pub fn read_environments_once(mut self, envs: Environments) -> Self {
        self.environments = envs;
        self
    }

    /// What [`miglint_config::read_environment`] finds for the environment
    /// folder `dir`, through the settings' [`Environments`].
    pub fn environment(&self, dir: &Path) -> Arc<EnvConfig> {
        self.environments.get(dir)
    }

    /// How many times an environment's files were read (a measuring and
    /// testing aid).
    pub fn environment_reads(&self) -> usize {
        self.environments.reads()
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

    /// The settings of a file on its own (its environment decided from the
    /// configuration and this file's dialect mentions alone).
    pub fn for_file(&self, path: &Path, module: &Module, source: &str) -> FileSettings {
        self.resolve(&[TargetInput {
            path,
            source,
            module,
        }])
        .pop()
        .expect("one file in, one out")
    }

    /// Decides the targets of every file: declared ones from the
    /// configuration; else per environment (see
    /// [`miglint_config::environment_dir`]), from its configuration files
    /// and the dialects all its files name. Records the environments for
    /// [`LinterSettings::environments`].
    pub fn resolve(&self, files: &[TargetInput<'_>]) -> Vec<FileSettings> {
        enum Key {
            Declared(Targets, PathBuf),
            Env(PathBuf, Option<(Dialect, PathBuf)>),
        }
        let keys: Vec<Key> = files
            .iter()
            .map(|f| match self.options.declared_targets(f.path) {
                Some(t) => Key::Declared(t, environment_dir(f.path)),
                None => Key::Env(environment_dir(f.path), dialect_folder(f.path)),
            })
            .collect();
        let same = |a: &Key, b: &Key| match (a, b) {
            (Key::Declared(x, d1), Key::Declared(y, d2)) => x == y && d1 == d2,
            (Key::Env(d1, f1), Key::Env(d2, f2)) => d1 == d2 && f1 == f2,
            _ => false,
        };
        // group files by key, in path order (a directory's files are
        // adjacent, so the last group is checked first)
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by(|&a, &b| miglint_diagnostics::path_cmp(files[a].path, files[b].path));
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for &i in &order {
            match groups
                .iter_mut()
                .rev()
                .find(|(rep, _)| same(&keys[*rep], &keys[i]))
            {
                Some((_, members)) => members.push(i),
                None => groups.push((i, vec![i])),
            }
        }
        let mut out: Vec<Option<FileSettings>> = vec![None; files.len()];
        let mut resolved = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        for (rep, members) in groups {
            let (dir, mut targets, env_sets_lock_timeout) = match &keys[rep] {
                Key::Declared(t, dir) => {
                    // declared dialects; env.py still says how migrations run
                    let mut t = t.clone();
                    let env = self.environment(dir);
                    let env = env.env.as_ref();
                    let timeout = env.is_some_and(|e| e.sets_lock_timeout);
                    t.no_transaction = env.and_then(|e| e.no_transaction).map(str::to_string);
                    (Some(dir.clone()), t, timeout)
                }
                Key::Env(dir, folder) => {
                    let mut env = EnvConfig::clone(&self.environment(dir));
                    let timeout = env.env.as_ref().is_some_and(|e| e.sets_lock_timeout);
                    env.folder = folder.clone();
                    let mentions = migration_evidence(files, &members, &self.options.root);
                    (
                        Some(dir.clone()),
                        decide(&env, &mentions, &self.options.root),
                        timeout,
                    )
                }
            };
            match self.options.transactional_ddl {
                Some(false) => targets.no_transaction = self.options.no_transaction(),
                Some(true) => targets.no_transaction = None,
                None => {}
            }
            for &i in &members {
                let ignores = self
                    .options
                    .per_file_ignores_for(files[i].path)
                    .into_iter()
                    .filter_map(|s| Selector::parse(s.get_ref()))
                    .collect();
                out[i] = Some(FileSettings {
                    targets: targets.dialects,
                    assumed: targets.assumed,
                    no_transaction: targets.no_transaction.is_some(),
                    env_sets_lock_timeout,
                    ignores,
                });
            }
            match resolved
                .iter_mut()
                .find(|e| e.dir == dir && e.targets == targets)
            {
                Some(e) => e.files += members.len(),
                None => resolved.push(ResolvedEnv {
                    dir,
                    targets,
                    files: members.len(),
                }),
            }
        }
        out.into_iter()
            .map(|s| s.expect("every file is in a group"))
            .collect()
    }

    /// The environments resolved so far, in path order of their folders.
    pub fn environments(&self) -> Vec<ResolvedEnv> {
        let mut envs = self
            .resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        envs.sort_by(|a, b| a.dir.cmp(&b.dir));
        envs
    }

    /// What the run's targets were and why, for the summary: each
    /// environment's targets with their evidence (its folder first when there
    /// are several), and how to declare them when any is assumed.
    pub fn targets_summary(&self) -> String {
        let envs = self.environments();
        let mut parts: Vec<String> = Vec::new();
        let mut assumed = false;
        if envs.is_empty() {
            assumed = !self.targets.assumed.is_empty();
            parts.push(self.targets.describe());
        }
        let several = envs.len() > 1;
        for e in &envs {
            assumed |= !e.targets.assumed.is_empty();
            let text = match (&e.dir, several && !e.targets.is_declared()) {
                (Some(dir), true) => format!(
                    "{}: {}",
                    display_cwd(dir, &self.options.root).display(),
                    e.targets.describe()
                ),
                _ => e.targets.describe(),
            };
            if !parts.contains(&text) {
                parts.push(text);
            }
        }
        let mut out = parts.join("; ");
        if assumed {
            let place = match self.options.config_path() {
                Some(_) => self.options.origin_name(),
                None => String::from("lint.toml or [tool.miglint]"),
            };
            out.push_str(&format!(
                "; findings only on assumed targets are graded down: declare the targets with `dialects = [...]` in {place}"
            ));
        }
        out
    }
}

/// What the files of one environment name, per dialect: how many files,
/// and the first place (in path order).
fn migration_evidence(
    files: &[TargetInput<'_>],
    members: &[usize],
    root: &Path,
) -> Vec<MigrationEvidence> {
    let mut out: Vec<MigrationEvidence> = Vec::new();
    for &i in members {
        let f = &files[i];
        let mut seen = DialectSet::EMPTY;
        for m in &f.module.dialect_mentions {
            if seen.contains(m.dialect) {
                continue;
            }
            seen = seen.with(m.dialect);
            match out.iter_mut().find(|e| e.dialect == m.dialect) {
                Some(e) => e.files += 1,
                None => {
                    let start = m.range.start() as usize;
                    let line = f
                        .source
                        .get(..start)
                        .map_or(1, |s| s.matches('\n').count() + 1);
                    out.push(MigrationEvidence {
                        dialect: m.dialect,
                        files: 1,
                        first: format!(
                            "{} at {}:{line}",
                            m.kind.describe(),
                            display_cwd(f.path, root).display()
                        ),
                    });
                }
            }
        }
    }
    out
}

impl FileSettings {
    pub fn ignores(&self, code: &str) -> bool {
        let Some(i) = rule_index(code) else {
            return false;
        };
        self.ignores.iter().any(|s| s.matches(RULES[i].meta()))
    }
}
