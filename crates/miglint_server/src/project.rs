//! One project: a configuration root, its settings (the CLI's resolution,
//! from the file's folder), the revision files discovery finds there, and
//! the per-file results kept between edits. An edit re-lints the edited
//! file only, then re-runs the project phase (graph rules) over every kept
//! result.
//!
//! What is kept per project, and what makes it stale:
//! - settings: until the configuration file's modification time changes
//!   (or the client reports a change of a configuration file: reload);
//! - discovery: until a file is created or deleted below the root;
//! - targets (per file): until a file's dialect mentions change, the member
//!   list changes, or an environment's `env.py` / `alembic.ini` changes
//!   (their modification times, a few `stat`s per evaluation);
//! - per-file results: until the buffer's generation (open files) or the
//!   file's modification time and length (others) change; when the client
//!   watches files for us ([`ProjectState::trust_file_events`]) a closed
//!   file is looked at only after it was reported changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use miglint_config::{Options, discover};
use miglint_diagnostics::{Diagnostic, DialectSet, FileReport, SourceFile};
use miglint_linter::{FileResult, FileSettings, Linter, LinterSettings, ParsedFile, TargetInput};
use miglint_python::{Module, PythonParser};
use rayon::prelude::*;

use crate::convert::normalize;

/// Below this many files to (re-)lint the work stays on the calling thread.
const PARALLEL_THRESHOLD: usize = 16;

/// The project root for a file, and the options that apply there: the
/// nearest `lint.toml` / `pyproject.toml [tool.miglint]` (as `miglint check`
/// run in the file's folder finds it); without one, the nearest folder with
/// an `alembic.ini` (or `[tool.alembic]`), else the workspace folder that
/// holds the file, else the file's folder.
pub fn resolve_root(file: &Path, workspace: &[PathBuf]) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("/"));
    if let Some(cfg) = miglint_config::find_config(dir) {
        return normalize(cfg.dir());
    }
    for d in dir.ancestors() {
        if d.join("alembic.ini").is_file() || has_tool_alembic(&d.join("pyproject.toml")) {
            return d.to_path_buf();
        }
    }
    workspace
        .iter()
        .filter(|w| file.starts_with(w))
        .max_by_key(|w| w.components().count())
        .cloned()
        .unwrap_or_else(|| dir.to_path_buf())
}

fn has_tool_alembic(pyproject: &Path) -> bool {
    miglint_config::read_to_string_capped(pyproject, miglint_config::DEFAULT_MAX_FILE_SIZE)
        .is_ok_and(|t| t.contains("[tool.alembic"))
}

/// How a kept result was produced: from an editor buffer (its generation)
/// or from the file on disk (its modification time and length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Buffer(u64),
    Disk(Option<SystemTime>, u64),
}

pub struct ProjectState {
    pub root: PathBuf,
    /// The configuration problem, if the configuration could not be loaded
    /// (the defaults are used meanwhile).
    pub config_error: Option<String>,
    pub linter: Linter,
    /// Discovered revision files (absolute, sorted).
    discovered: Vec<PathBuf>,
    discovered_set: HashSet<PathBuf>,
    /// Directories that hold a discovered file.
    dirs: HashSet<PathBuf>,
    /// Kept per-file results, sorted by path, with how each was produced.
    results: Vec<FileResult>,
    keys: Vec<Key>,
    needs_discovery: bool,
    /// The configuration file and its modification time when loaded (a
    /// client without file watching still sees an edited `lint.toml`).
    config_stamp: Option<(PathBuf, Option<(SystemTime, u64)>)>,
    /// Re-parses edited buffers incrementally (keeps their last trees).
    buffers: PythonParser,
    /// The last target resolution and what it was decided from.
    targets: Option<TargetsCache>,
    /// The client reports changes of files on disk: closed files are not
    /// `stat`ed on every evaluation, only those in `disk_changed`.
    trust_events: bool,
    disk_changed: HashSet<PathBuf>,
}

/// What [`LinterSettings::resolve`](miglint_linter::LinterSettings::resolve)
/// reads: each file's path and the dialects its model mentions, and the
/// environments' files on disk.
struct TargetsCache {
    /// Per member, in order: its path and the dialects it mentions.
    inputs: Vec<(PathBuf, DialectSet)>,
    /// `env.py` and `alembic.ini` of each environment, with their
    /// modification times then.
    stamps: Vec<(PathBuf, Option<(SystemTime, u64)>)>,
    settings: Vec<FileSettings>,
}

/// What one evaluation produced.
pub struct Evaluation {
    /// Finished reports of the wanted files.
    pub reports: Vec<FileReport>,
    /// path → the generation of the buffer each open file was linted from.
    pub generations: HashMap<PathBuf, u64>,
}

impl ProjectState {
    /// Loads the configuration at `root` the way the CLI does.
    pub fn new(root: PathBuf) -> Self {
        let (options, config_error) = match Options::resolve(&root) {
            Ok(o) => (o, None),
            Err(e) => (Options::defaults_at(&root), Some(render(&e))),
        };
        let targets = options.targets();
        let (settings, config_error) = match LinterSettings::from_options(options, targets) {
            Ok(s) => (s, config_error),
            Err(e) => {
                let options = Options::defaults_at(&root);
                let targets = options.targets();
                let s =
                    LinterSettings::from_options(options, targets).expect("the defaults are valid");
                (s, Some(render(&e)))
            }
        };
        let config_stamp = settings
            .options
            .config_path()
            .map(|p| (p.to_path_buf(), stamp(p)));
        ProjectState {
            config_stamp,
            root,
            config_error,
            linter: Linter::new(settings).keep_model().keep_sql(),
            discovered: Vec::new(),
            discovered_set: HashSet::new(),
            dirs: HashSet::new(),
            results: Vec::new(),
            keys: Vec::new(),
            needs_discovery: true,
            buffers: PythonParser::new().incremental(),
            targets: None,
            trust_events: false,
            disk_changed: HashSet::new(),
        }
    }

    /// Whether the client reports changes of files on disk
    /// (`workspace/didChangeWatchedFiles`, registered): then a closed file
    /// is read again only after [`ProjectState::disk_changed`] named it.
    pub fn trust_file_events(&mut self, yes: bool) {
        self.trust_events = yes;
    }

    /// The client reported that `path` changed on disk.
    pub fn disk_changed(&mut self, path: &Path) {
        self.disk_changed.insert(path.to_path_buf());
    }

    /// Whether the configuration file was edited since it was loaded.
    pub fn config_changed(&self) -> bool {
        self.config_stamp
            .as_ref()
            .is_some_and(|(p, t)| stamp(p) != *t)
    }

    /// Files were created or deleted below the root: discover again.
    pub fn rediscover(&mut self) {
        self.needs_discovery = true;
    }

    fn discover(&mut self) {
        if !self.needs_discovery {
            return;
        }
        self.needs_discovery = false;
        let options = &self.linter.settings.options;
        let found = discover(&options.root, &[], options);
        self.discovered = found.files.iter().map(|p| normalize(p)).collect();
        self.discovered.sort();
        self.discovered_set = self.discovered.iter().cloned().collect();
        self.dirs = self
            .discovered
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
    }

    /// Whether `path` is one of the project's revision files: discovered,
    /// or (a buffer not saved yet, or saved after discovery) a `*.py` file
    /// in a folder that holds discovered ones.
    pub fn contains(&mut self, path: &Path) -> bool {
        self.discover();
        self.discovered_set.contains(path)
            || (path.extension().is_some_and(|e| e == "py")
                && path.file_name().is_some_and(|n| n != "__init__.py")
                && path.parent().is_some_and(|d| self.dirs.contains(d))
                && !self.linter.settings.options.is_excluded(path))
    }

    /// A buffer of `path` was opened, edited or closed: when it is a
    /// revision file that discovery has not seen yet but that exists on
    /// disk now (saved by the editor), discover again, so that it stays in
    /// the graph once closed (for clients that do not report file events).
    pub fn note(&mut self, path: &Path) {
        if self.contains(path) && !self.discovered_set.contains(path) && path.is_file() {
            self.needs_discovery = true;
        }
    }

    /// The kept result of one file (its model, for code actions).
    pub fn result(&self, path: &Path) -> Option<&FileResult> {
        self.results
            .binary_search_by(|r| r.source.path.as_path().cmp(path))
            .ok()
            .map(|i| &self.results[i])
    }

    /// Re-lints what changed (open buffers from `open`, other files from
    /// disk), runs the project phase over every file, and finishes the
    /// files for which `wanted(path, project_findings)` holds.
    pub fn evaluate(
        &mut self,
        open: &HashMap<PathBuf, (u64, Arc<str>)>,
        wanted: &dyn Fn(&Path, &[Diagnostic]) -> bool,
    ) -> Evaluation {
        self.discover();
        let mut members: Vec<PathBuf> = self.discovered.clone();
        let extra: Vec<PathBuf> = open
            .keys()
            .filter(|p| p.starts_with(&self.root) && !self.discovered_set.contains(*p))
            .cloned()
            .collect();
        for p in extra {
            if self.contains(&p) {
                members.push(p);
            }
        }
        members.sort();

        // the kept results, sorted by path (as `members`): looked up by a
        // binary search, with no copy of their paths
        let mut kept: Vec<(Arc<SourceFile>, Key, Option<FileResult>)> =
            std::mem::take(&mut self.results)
                .into_iter()
                .zip(std::mem::take(&mut self.keys))
                .map(|(r, k)| (r.source.clone(), k, Some(r)))
                .collect();
        let find = |kept: &[(Arc<SourceFile>, Key, Option<FileResult>)], path: &Path| {
            kept.binary_search_by(|(s, _, _)| s.path.as_path().cmp(path))
                .ok()
                .filter(|&i| kept[i].2.is_some())
        };
        let mut generations = HashMap::new();
        let mut slots: Vec<(Key, Option<FileResult>)> = Vec::with_capacity(members.len());
        let mut todo: Vec<(usize, PathBuf, Option<Arc<str>>)> = Vec::new();
        for path in members {
            let key = match open.get(&path) {
                Some((g, _)) => {
                    generations.insert(path.clone(), *g);
                    Key::Buffer(*g)
                }
                // the client would have said if it changed
                None if self.trust_events
                    && !self.disk_changed.contains(&path)
                    && find(&kept, &path).is_some_and(|i| matches!(kept[i].1, Key::Disk(..))) =>
                {
                    find(&kept, &path).map_or(Key::Disk(None, 0), |i| kept[i].1)
                }
                None => match std::fs::metadata(&path) {
                    Ok(m) => Key::Disk(m.modified().ok(), m.len()),
                    // deleted since discovery
                    Err(_) => continue,
                },
            };
            let taken = find(&kept, &path).and_then(|i| Some((kept[i].1, kept[i].2.take()?)));
            match taken {
                Some((k, r)) if k == key => slots.push((key, Some(r))),
                _ => {
                    todo.push((
                        slots.len(),
                        path.clone(),
                        open.get(&path).map(|o| o.1.clone()),
                    ));
                    slots.push((key, None));
                }
            }
        }
        let linter = &self.linter;
        // the CLI's reader: regular files only, at most `max-file-size`
        let cap = linter.settings.options.max_file_size;
        let parse_one =
            |parser: &mut PythonParser, (i, path, text): &(usize, PathBuf, Option<Arc<str>>)| {
                let p = match text {
                    Some(t) => linter.parse_source(parser, path, t),
                    None => match miglint_config::read_capped(path, cap) {
                        Ok(bytes) => linter.parse_owned(parser, path, bytes),
                        Err(e) => linter.parse_unreadable(path, &e.to_string()),
                    },
                };
                (*i, p)
            };
        let parsed: Vec<(usize, ParsedFile)> = if todo.len() < PARALLEL_THRESHOLD {
            let mut parser = PythonParser::new();
            let buffers = &mut self.buffers;
            todo.iter()
                .map(|t| match t.2 {
                    Some(_) => parse_one(buffers, t),
                    None => parse_one(&mut parser, t),
                })
                .collect()
        } else {
            todo.par_iter()
                .map_init(PythonParser::new, parse_one)
                .collect()
        };
        // targets as the CLI decides them: per environment, from every file
        // (kept results and the files parsed now)
        let mut fresh: Vec<Option<ParsedFile>> = (0..slots.len()).map(|_| None).collect();
        for (i, p) in parsed {
            fresh[i] = Some(p);
        }
        self.disk_changed.clear();
        let keys: Vec<(PathBuf, DialectSet)> = slots
            .iter()
            .zip(&fresh)
            .map(|((_, kept), new)| {
                let (source, module) = current(kept, new);
                let mentions = module
                    .dialect_mentions
                    .iter()
                    .fold(DialectSet::EMPTY, |s, m| s.with(m.dialect));
                (source.path.clone(), mentions)
            })
            .collect();
        let cached = self
            .targets
            .take()
            .filter(|c| c.inputs == keys && c.stamps.iter().all(|(p, t)| stamp(p) == *t));
        let settings = if let Some(c) = cached {
            let settings = c.settings.clone();
            self.targets = Some(c);
            settings
        } else {
            let inputs: Vec<TargetInput<'_>> = slots
                .iter()
                .zip(&fresh)
                .map(|((_, kept), new)| {
                    let (source, module) = current(kept, new);
                    TargetInput {
                        path: &source.path,
                        source: &source.text,
                        module,
                    }
                })
                .collect();
            let settings = linter.settings.resolve(&inputs);
            self.targets = Some(TargetsCache {
                stamps: environment_files(&self.root, keys.iter().map(|(p, _)| p.as_path())),
                inputs: keys,
                settings: settings.clone(),
            });
            settings
        };
        let mut parser = PythonParser::new();
        for ((slot, new), s) in slots.iter_mut().zip(fresh).zip(settings) {
            let parsed = match (slot.1.take(), new) {
                (_, Some(p)) => p,
                // a kept result whose targets moved (another file now names
                // a dialect) is checked again from its text
                (Some(r), None)
                    if !r.source.text.is_empty()
                        && (r.settings.targets != s.targets || r.settings.assumed != s.assumed) =>
                {
                    linter.parse_source(&mut parser, &r.source.path, &r.source.text)
                }
                (kept, None) => {
                    slot.1 = kept;
                    continue;
                }
            };
            slot.1 = Some(linter.check(parsed, s));
        }
        for (k, r) in slots {
            if let Some(r) = r {
                self.keys.push(k);
                self.results.push(r);
            }
        }
        // the files' paths, lent by their (shared) sources: no copy per file
        let sources: Vec<Arc<SourceFile>> = self.results.iter().map(|r| r.source.clone()).collect();
        let reports = self
            .linter
            .finish_cached(&mut self.results, |i, found| {
                wanted(&sources[i].path, found)
            })
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Evaluation {
            reports,
            generations,
        }
    }

    /// The text of a kept file (for labels that point into it).
    pub fn source(&self, path: &Path) -> Option<Arc<miglint_diagnostics::SourceFile>> {
        self.result(path).map(|r| r.source.clone())
    }
}

/// The files target inference reads per environment: `env.py` in each
/// environment folder and any `alembic.ini` from there up to the root,
/// with their modification times (`None`: absent).
fn environment_files<'p>(
    root: &Path,
    files: impl Iterator<Item = &'p Path>,
) -> Vec<(PathBuf, Option<(SystemTime, u64)>)> {
    let mut dirs: Vec<PathBuf> = files.map(miglint_config::environment_dir).collect();
    dirs.sort();
    dirs.dedup();
    let mut out: Vec<PathBuf> = Vec::new();
    for d in &dirs {
        out.push(d.join("env.py"));
        for a in d.ancestors() {
            out.push(a.join("alembic.ini"));
            if a == root || !a.starts_with(root) {
                break;
            }
        }
    }
    out.sort();
    out.dedup();
    out.into_iter()
        .map(|p| {
            let t = stamp(&p);
            (p, t)
        })
        .collect()
}

fn render(e: &dyn std::fmt::Display) -> String {
    e.to_string()
}

/// Modification time and length (file times are only as fine as the
/// kernel's clock tick: the length catches most edits within one tick).
fn stamp(p: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// A slot's text and model: the kept result's, or the file parsed now.
fn current<'a>(
    kept: &'a Option<FileResult>,
    new: &'a Option<ParsedFile>,
) -> (&'a Arc<SourceFile>, &'a Module) {
    match (kept, new) {
        (Some(r), _) => (&r.source, &r.module),
        (None, Some(p)) => (&p.source, &p.module),
        (None, None) => unreachable!("every slot is kept or parsed"),
    }
}
