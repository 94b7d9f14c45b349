//! Finding the migration files to lint.
//!
//! # Symlinks
//!
//! Directory walks **follow** symbolic links (to files and to directories).
//! A walk keeps the canonical paths of the directories on its current path
//! (the chain of ancestors) and does not enter a directory that is already
//! on it, so a symlink loop (`versions/sub/loop -> versions`, `self -> .`)
//! ends there, without an error. A tree reachable through two links is
//! walked twice; its files appear once (output is deduplicated by canonical
//! path). A dangling symlink met during a walk is skipped silently; one
//! given on the command line is reported as missing.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use miglint_diagnostics::path_cmp;

use crate::alembic::{
    AlembicConfig, is_migrations_dir_name, read_alembic_ini, read_alembic_pyproject,
};
use crate::matcher::PathMatcher;
use crate::options::Options;
use crate::paths::{join_exact, normalize_display, normalize_lexical};

/// Directory names never entered by a walk (besides hidden ones).
pub const SKIPPED_DIRS: &[&str] = &[
    ".venv",
    "venv",
    "node_modules",
    "target",
    "__pycache__",
    "site-packages",
];

/// The result of [`discover`].
#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted, deduplicated (by canonical path) files to lint.
    pub files: Vec<PathBuf>,
    /// The canonical path of each of [`Discovery::files`] (same order): the
    /// real path through symlinks, else the absolute lexical path of a file
    /// that cannot be resolved. Computed once per walked directory, not per
    /// file.
    pub canonical: Vec<PathBuf>,
    /// Problems met on the way; discovery went on past each of them.
    pub errors: Vec<DiscoverError>,
    /// Where the list came from (for the run summary).
    pub origin: DiscoveryOrigin,
    /// Paths given explicitly that exist but cannot be read (a dangling
    /// symlink, a symlink loop, a directory without permission), with the
    /// reason: each is an ML905 finding.
    pub unreadable: Vec<(PathBuf, String)>,
    /// The directories (as spelled in [`Discovery::files`]) whose whole
    /// tree a walk for every `*.py` went through without meeting a
    /// symbolic link to a directory, sorted: walking one again for every
    /// `*.py` finds only files found already (a caller that would walk it
    /// again can skip it).
    pub walked: Vec<PathBuf>,
}

/// How [`discover`] chose the files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DiscoveryOrigin {
    /// Paths given on the command line.
    CommandLine,
    /// `paths` in the configuration file.
    ConfigPaths,
    /// `script_location` / `version_locations` of this `alembic.ini` or
    /// `pyproject.toml` (`[tool.alembic]`).
    Alembic(PathBuf),
    /// The built-in search: `versions/` folders under `alembic*`/`migrat*`.
    #[default]
    DefaultSearch,
}

/// A problem found while discovering files.
#[derive(Debug)]
pub enum DiscoverError {
    /// A path given on the command line (or in `paths`) does not exist:
    /// a usage error (exit 2).
    Missing(PathBuf),
    /// A directory or file that could not be read (permission denied, a
    /// `version_locations` entry that does not exist, ...). Not fatal.
    Io { path: PathBuf, error: io::Error },
}

impl DiscoverError {
    pub fn path(&self) -> &Path {
        match self {
            DiscoverError::Missing(p) | DiscoverError::Io { path: p, .. } => p,
        }
    }
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::Missing(p) => write!(f, "{}: no such file or directory", p.display()),
            DiscoverError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for DiscoverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiscoverError::Missing(_) => None,
            DiscoverError::Io { error, .. } => Some(error),
        }
    }
}

/// Finds the files to lint.
///
/// - `cli_paths` non-empty: each file is taken as is (whatever its
///   extension), each directory is walked for `*.py`; a missing path is
///   [`DiscoverError::Missing`]; one that exists but cannot be read (a
///   dangling symlink, a symlink loop, a directory without permission) is
///   listed in [`Discovery::unreadable`] (an ML905 finding, not a warning).
/// - else `paths` from the configuration (files, directories or globs,
///   relative to the configuration's directory, `options.root`);
/// - else `alembic.ini` in `root` — the directory the search starts from,
///   the current directory for `miglint check` (not the configuration's
///   directory: in a monorepo a parent `lint.toml` must not widen the scope)
///   — or `[tool.alembic]` in its `pyproject.toml`:
///   `<script_location>/versions/**/*.py` plus every `version_locations`
///   entry;
/// - else every `*.py` below a `versions` directory that is itself below an
///   `alembic*`/`migrat*` directory (case-insensitive; `root`'s own name
///   counts).
///
/// A walked directory that is an alembic script location (it holds
/// `env.py` or `script.py.mako`) contributes only its subdirectories: its
/// own modules (`env.py`, helpers) are not revisions.
///
/// Walks skip `__init__.py`, hidden directories and [`SKIPPED_DIRS`];
/// `exclude` globs (see [`Options::is_excluded`]) remove files, explicit ones
/// included. The result is sorted and deduplicated by canonical path. CLI
/// paths are returned as given (`examples/x` → `examples/x/versions/a.py`);
/// paths derived from `root` are shown relative to the current directory
/// when below it, else absolute.
pub fn discover(root: &Path, cli_paths: &[PathBuf], options: &Options) -> Discovery {
    let mut w = Walker::new(options);
    let origin;
    if !cli_paths.is_empty() {
        origin = DiscoveryOrigin::CommandLine;
        for p in cli_paths {
            w.explicit(p);
        }
    } else {
        let shown_root = shown_root(root, options.cwd());
        if !options.paths.is_empty() {
            origin = DiscoveryOrigin::ConfigPaths;
            let shown_root = self::shown_root(&options.root, options.cwd());
            for p in &options.paths {
                let pattern = p.get_ref().trim();
                if pattern.contains(['*', '?', '[', '{']) {
                    w.glob(&shown_root, pattern);
                } else {
                    w.explicit(&join_shown(&shown_root, Path::new(pattern)));
                }
            }
        } else if let Some(cfg) = alembic_config(root) {
            origin = DiscoveryOrigin::Alembic(cfg.path.clone());
            let mut any = false;
            if let Some(loc) = &cfg.script_location {
                let shown = relocate(loc, root, &shown_root);
                if loc.is_dir() {
                    any = true;
                    let versions = shown.join("versions");
                    if versions.is_dir() {
                        w.walk(&versions, Filter::AllPy);
                    }
                } else {
                    w.errors.push(DiscoverError::Io {
                        path: shown,
                        error: io::Error::from(io::ErrorKind::NotFound),
                    });
                }
            }
            for loc in &cfg.version_locations {
                let shown = relocate(loc, root, &shown_root);
                if loc.is_dir() {
                    any = true;
                    w.walk(&shown, Filter::AllPy);
                } else {
                    w.errors.push(DiscoverError::Io {
                        path: shown,
                        error: io::Error::from(io::ErrorKind::NotFound),
                    });
                }
            }
            if !any {
                // Nothing usable in the alembic configuration: search.
                w.walk(
                    &shown_root,
                    Filter::Default {
                        root_is_migrations: root_is_migrations(root),
                    },
                );
            }
        } else {
            origin = DiscoveryOrigin::DefaultSearch;
            w.walk(
                &shown_root,
                Filter::Default {
                    root_is_migrations: root_is_migrations(root),
                },
            );
        }
    }
    w.finish(origin)
}

/// The alembic configuration of `root`: `alembic.ini` with a usable
/// `script_location` or `version_locations`, else `[tool.alembic]`.
fn alembic_config(root: &Path) -> Option<AlembicConfig> {
    let ini = read_alembic_ini(&root.join("alembic.ini"));
    let usable = |c: &AlembicConfig| c.script_location.is_some() || !c.version_locations.is_empty();
    match ini {
        Some(c) if usable(&c) => Some(c),
        other => read_alembic_pyproject(&root.join("pyproject.toml"))
            .filter(usable)
            .or(other.filter(usable)),
    }
}

fn root_is_migrations(root: &Path) -> bool {
    let abs = normalize_lexical(root);
    abs.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_migrations_dir_name)
}

/// How `root` is shown: relative to the current directory when below it
/// (empty when equal), else as is.
fn shown_root(root: &Path, cwd: &Path) -> PathBuf {
    if root.is_relative() {
        return normalize_display(root);
    }
    let root = normalize_lexical(root);
    match root.strip_prefix(normalize_lexical(cwd)) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => root,
    }
}

fn join_shown(shown_root: &Path, rel: &Path) -> PathBuf {
    normalize_lexical(&shown_root.join(rel))
}

/// `path` (below `root` or absolute) re-expressed under `shown_root`.
fn relocate(path: &Path, root: &Path, shown_root: &Path) -> PathBuf {
    match normalize_lexical(path).strip_prefix(normalize_lexical(root)) {
        Ok(rel) => join_shown(shown_root, rel),
        Err(_) => normalize_lexical(path),
    }
}

#[derive(Debug, Clone, Copy)]
enum Filter {
    /// Every `*.py` except `__init__.py`.
    AllPy,
    /// Only below `<alembic*|migrat*>/**/versions/`.
    Default { root_is_migrations: bool },
}

struct Walker<'a> {
    options: &'a Options,
    found: Vec<(PathBuf, PathBuf)>,
    errors: Vec<DiscoverError>,
    unreadable: Vec<(PathBuf, String)>,
    /// See [`Discovery::walked`].
    walked: Vec<PathBuf>,
    /// Inside a walk for every `*.py` ([`Filter::AllPy`]): the directories
    /// it goes through are recorded in `walked`.
    recording: bool,
}

impl<'a> Walker<'a> {
    fn new(options: &'a Options) -> Self {
        Walker {
            options,
            found: Vec::new(),
            errors: Vec::new(),
            unreadable: Vec::new(),
            walked: Vec::new(),
            recording: false,
        }
    }

    /// Sorts and deduplicates: of several spellings of one file (same
    /// canonical path), the one with the fewest components is kept.
    fn finish(self, origin: DiscoveryOrigin) -> Discovery {
        let mut found = self.found;
        // (the components are counted only for spellings of one canonical
        // path: counting them for every comparison was most of a pre-commit
        // run's path work)
        found.sort_by(|(a, ca), (b, cb)| {
            path_cmp(ca, cb).then_with(|| {
                (a.components().count())
                    .cmp(&b.components().count())
                    .then_with(|| path_cmp(a, b))
            })
        });
        found.dedup_by(|(_, later), (_, first)| later == first);
        found.sort_unstable_by(|(a, _), (b, _)| path_cmp(a, b));
        let (files, canonical) = found.into_iter().unzip();
        let mut walked = self.walked;
        walked.sort_unstable();
        walked.dedup();
        Discovery {
            files,
            canonical,
            errors: self.errors,
            origin,
            unreadable: self.unreadable,
            walked,
        }
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        fs::canonicalize(path).unwrap_or_else(|_| normalize_lexical(&self.options.cwd().join(path)))
    }

    /// Adds a file; `canon` is its canonical path when the caller knows it
    /// (a walked directory's canonical path joined with the name of an entry
    /// that is not a symlink), else it is resolved here.
    fn add_file(&mut self, path: PathBuf, canon: Option<PathBuf>) {
        if self.options.is_excluded(&path) {
            return;
        }
        let canon = canon.unwrap_or_else(|| self.canonical(&path));
        self.found.push((path, canon));
    }

    /// A path named by the user (CLI or `paths`).
    fn explicit(&mut self, path: &Path) {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => match fs::read_dir(path) {
                Ok(_) => self.walk(path, Filter::AllPy),
                Err(e) => self.unreadable(path, format!("the directory cannot be read ({e})")),
            },
            // files of every type go to the reader, which refuses
            // non-regular ones (ML905) without opening them
            Ok(_) => self.add_file(path.to_path_buf(), None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if fs::symlink_metadata(path).is_ok() {
                    self.unreadable(path, String::from("it is a dangling symbolic link"));
                } else {
                    self.errors.push(DiscoverError::Missing(path.to_path_buf()))
                }
            }
            Err(e) => self.unreadable(path, format!("it cannot be read ({e})")),
        }
    }

    fn unreadable(&mut self, path: &Path, reason: String) {
        if !self.options.is_excluded(path) {
            self.unreadable.push((path.to_path_buf(), reason));
        }
    }

    /// Expands a `paths` glob (relative to the root): walks below its
    /// literal prefix, taking matching `*.py` files and walking matching
    /// directories.
    fn glob(&mut self, shown_root: &Path, pattern: &str) {
        let matcher = PathMatcher::new([pattern]);
        if matcher.is_empty() {
            return;
        }
        let pattern = pattern.trim_start_matches("./");
        let literal: PathBuf = pattern
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[', '{']))
            .collect();
        // The last literal component may be a file name: keep directories.
        let mut base = join_shown(shown_root, &literal);
        while !base.as_os_str().is_empty() && !base.is_dir() {
            if !base.pop() {
                break;
            }
        }
        let mut ancestors = Vec::new();
        let recording = std::mem::replace(&mut self.recording, false);
        self.visit(&base, None, &mut ancestors, &mut |w, entry| {
            let path = &entry.path;
            let rel = path.strip_prefix(shown_root).unwrap_or(path);
            if !matcher.is_match(rel) {
                return Visit::Descend;
            }
            if entry.is_dir {
                w.walk(path, Filter::AllPy);
                Visit::Skip
            } else {
                if is_lintable_name(path) {
                    w.add_file(path.to_path_buf(), entry.canonical());
                }
                Visit::Skip
            }
        });
        self.recording = recording;
    }

    /// Walks `start` (shown form; empty = the current directory) for `*.py`
    /// files passing `filter`.
    fn walk(&mut self, start: &Path, filter: Filter) {
        let mut ancestors = Vec::new();
        let recording = self.recording;
        self.recording = matches!(filter, Filter::AllPy);
        self.visit(start, None, &mut ancestors, &mut |w, entry| {
            let path = &entry.path;
            if entry.is_dir || !is_lintable_name(path) {
                return Visit::Descend;
            }
            if entry.in_script_location {
                return Visit::Skip;
            }
            let keep = match filter {
                Filter::AllPy => true,
                // The default search only walks the root: paths below
                // `start` are root-relative after stripping it.
                Filter::Default { root_is_migrations } => {
                    let rel = path.strip_prefix(start).unwrap_or(path);
                    in_versions_dir(rel, root_is_migrations)
                }
            };
            if keep {
                w.add_file(path.to_path_buf(), entry.canonical());
            }
            Visit::Skip
        });
        self.recording = recording;
    }

    /// Depth-first walk below `dir`, calling `f` on every entry (symlinks
    /// followed). Directories are entered when `f` says [`Visit::Descend`],
    /// unless skipped by name, excluded, or already on the current path
    /// (`ancestors` holds the canonical directories being walked: a symlink
    /// loop ends there). The directory is resolved once (one `canonicalize`
    /// per walk: a directory entered by a name that is not a symbolic link
    /// is its parent's canonical path joined with that name, `canon`).
    /// Returns whether the walk below `dir`
    /// met no symbolic link to a directory (nor a loop): another walk
    /// started at `dir` then enters the same directories.
    fn visit(
        &mut self,
        dir: &Path,
        canon: Option<PathBuf>,
        ancestors: &mut Vec<PathBuf>,
        f: &mut dyn FnMut(&mut Self, &Entry) -> Visit,
    ) -> bool {
        let read_path = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let canon = canon.unwrap_or_else(|| self.canonical(read_path));
        if ancestors.contains(&canon) {
            return false;
        }
        let entries = self.read_dir(read_path);
        // an alembic script location: its own modules are not revisions
        let in_script_location = entries
            .iter()
            .any(|e| e.kind == Kind::File && (e.name == "env.py" || e.name == "script.py.mako"));
        ancestors.push(canon.clone());
        let mut plain = true;
        for e in entries {
            let is_dir = e.kind == Kind::Dir;
            plain &= !(is_dir && e.symlink);
            let entry = Entry {
                path: join_exact(dir, &e.name),
                is_dir,
                in_script_location,
                canonical_dir: (!e.symlink).then_some(canon.as_path()),
                name: &e.name,
            };
            if f(self, &entry) == Visit::Descend
                && is_dir
                && !is_skipped_dir(&e.name.to_string_lossy())
                && !self.options.is_excluded(&entry.path)
            {
                let path = entry.path;
                let known = (!e.symlink).then(|| join_exact(&canon, &e.name));
                plain &= self.visit(&path, known, ancestors, f);
            }
        }
        ancestors.pop();
        if plain && self.recording {
            self.walked.push(dir.to_path_buf());
        }
        plain
    }

    /// The entries of `dir` that are directories or files (symlinks
    /// followed, dangling ones dropped), sorted by name.
    fn read_dir(&mut self, dir: &Path) -> Vec<DirEntry> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(error) => {
                self.errors.push(DiscoverError::Io {
                    path: dir.to_path_buf(),
                    error,
                });
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(error) => {
                    self.errors.push(DiscoverError::Io {
                        path: dir.to_path_buf(),
                        error,
                    });
                    continue;
                }
            };
            let name = entry.file_name();
            let kind = |t: fs::FileType| {
                if t.is_dir() {
                    Kind::Dir
                } else if t.is_file() {
                    Kind::File
                } else {
                    Kind::Other
                }
            };
            let (kind, symlink) = match entry.file_type() {
                Ok(t) if t.is_symlink() => match fs::metadata(entry.path()) {
                    Ok(m) => (kind(m.file_type()), true),
                    Err(_) => continue,
                },
                Ok(t) => (kind(t), false),
                Err(error) => {
                    self.errors.push(DiscoverError::Io {
                        path: entry.path(),
                        error,
                    });
                    continue;
                }
            };
            out.push(DirEntry {
                name,
                kind,
                symlink,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    /// A FIFO, socket or device: listed (the reader refuses it), never
    /// entered.
    Other,
}

/// One entry of a directory listing.
struct DirEntry {
    name: std::ffi::OsString,
    /// After following a symlink.
    kind: Kind,
    symlink: bool,
}

/// An entry met by [`Walker::visit`].
struct Entry<'a> {
    /// The shown path (the walked directory joined with the name).
    path: PathBuf,
    is_dir: bool,
    /// The directory holds `env.py` or `script.py.mako`.
    in_script_location: bool,
    /// The walked directory's canonical path, when this entry is not a
    /// symlink (its canonical path is then that joined with its name).
    canonical_dir: Option<&'a Path>,
    name: &'a std::ffi::OsStr,
}

impl Entry<'_> {
    /// The canonical path, when known without a system call.
    fn canonical(&self) -> Option<PathBuf> {
        self.canonical_dir.map(|d| join_exact(d, self.name))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    Descend,
    Skip,
}

fn is_skipped_dir(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

/// `*.py`, not `__init__.py`. The name need not be UTF-8 (it is shown
/// lossily, and read by its exact bytes).
fn is_lintable_name(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.as_encoded_bytes();
    name.ends_with(b".py") && name != b"__init__.py"
}

/// Whether a root-relative file path lies below a `versions*` directory
/// (`versions/`, `versions_gxy/`) that is below an `alembic*`/`migrat*`
/// directory.
fn in_versions_dir(rel: &Path, root_is_migrations: bool) -> bool {
    let dirs: Vec<&str> = match rel.parent() {
        Some(p) => p
            .components()
            .map(|c| c.as_os_str().to_str().unwrap_or(""))
            .collect(),
        None => return false,
    };
    let mut seen_migrations = root_is_migrations;
    for d in dirs {
        if d.starts_with("versions") && seen_migrations {
            return true;
        }
        if is_migrations_dir_name(d) {
            seen_migrations = true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_dir_rule() {
        assert!(in_versions_dir(Path::new("alembic/versions/a.py"), false));
        assert!(in_versions_dir(
            Path::new("app/Migrations/x/versions/sub/a.py"),
            false
        ));
        assert!(!in_versions_dir(Path::new("versions/a.py"), false));
        assert!(in_versions_dir(Path::new("versions/a.py"), true));
        assert!(!in_versions_dir(Path::new("alembic/a.py"), false));
        assert!(!in_versions_dir(Path::new("versions/alembic/a.py"), false));
        // galaxy's `versions_gxy/`, prefect's `_migrations/`
        assert!(in_versions_dir(
            Path::new("model/migrations/alembic/versions_gxy/a.py"),
            false
        ));
        assert!(in_versions_dir(
            Path::new("database/_migrations/versions/sqlite/a.py"),
            false
        ));
    }
}
