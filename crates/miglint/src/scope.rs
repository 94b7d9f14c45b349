//! What a check reports versus what it loads.
//!
//! Graph rules (ML5xx) need every revision of a migration environment, but a
//! pre-commit hook passes only the staged files and `--diff-base` keeps only
//! the changed ones. So a check has a **focus** (the files it reports on)
//! and a **context** (every file it loads):
//!
//! - no paths and no `--diff-base`: both are the discovered files;
//! - paths on the command line: the focus is what they name; the context
//!   adds the revisions of each focus file's environment: every `versions*`
//!   folder next to the file's nearest enclosing `versions*` folder (the
//!   scope in which [`miglint_linter::graph`] groups revisions);
//! - `--diff-base REF`: the focus keeps only the files added, modified,
//!   renamed or untracked since the merge base of `REF` and `HEAD` (git is
//!   run before linting, never per file); the context is unchanged.
//!
//! Findings are reported for focus files only, plus the revision-graph
//! findings of context files that point at a focus file (a new revision
//! that makes a second head is reported even when the diagnostic sits on
//! the older head).
//!
//! `--since-revision REV` is the command-line `baseline-revision`: it
//! replaces every configured baseline for the run.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use miglint_config::{DiscoverError, Spanned, discover};
use miglint_diagnostics::FileReport;
use miglint_linter::{Linter, LinterSettings};
use miglint_python::IdValue;

use crate::git::git;
use crate::run::{CheckOutcome, unknown_baselines};

/// The command-line options that narrow a check.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `--diff-base REF`.
    pub diff_base: Option<String>,
    /// `--since-revision REV`.
    pub since_revision: Option<String>,
    /// Read and write the cache (`miglint check` without `--no-cache`).
    pub cache: bool,
    /// `--cache-dir DIR` (see [`crate::cache::resolve_dir`]).
    pub cache_dir: Option<PathBuf>,
}

/// Discovers, loads the context, lints, and keeps the focus (see the module
/// documentation). An `Err` is a usage error (exit 2).
pub fn check(
    mut settings: LinterSettings,
    cli_paths: &[PathBuf],
    scope: &Scope,
) -> Result<CheckOutcome, String> {
    if let Some(rev) = &scope.since_revision {
        settings.options.baseline_revision = Some(Spanned::new(0..0, rev.clone()));
        for o in &mut settings.options.overrides {
            o.baseline_revision = None;
        }
    }
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let changed = match &scope.diff_base {
        Some(base) => Some(changed_files(&cwd, base)?),
        None => None,
    };

    // without paths the search starts at the current directory (not at
    // the configuration's directory: a parent lint.toml in a monorepo must
    // not widen the scope); config `paths` stay relative to the config
    let discovery = discover(&cwd, cli_paths, &settings.options);
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    for e in discovery.errors {
        match e {
            DiscoverError::Missing(p) => missing.push(p),
            other => warnings.push(other.to_string()),
        }
    }

    let narrowed = !cli_paths.is_empty() || changed.is_some();
    let mut files = discovery.files;
    let mut focus: Option<HashSet<PathBuf>> = None;
    if narrowed {
        // (discovery resolved every file once, per directory; foldhash: the
        // canonical paths of a few hundred files, hashed with SipHash, were
        // a tenth of a pre-commit memo hit's instructions)
        let mut seen: foldhash::HashSet<PathBuf> =
            foldhash::HashSet::with_capacity_and_hasher(files.len(), Default::default());
        let mut focus_set = HashSet::with_capacity(files.len());
        for (f, real) in files.iter().zip(discovery.canonical) {
            if changed.as_ref().is_none_or(|c| c.contains(&real)) {
                focus_set.insert(f.clone());
            }
            seen.insert(real);
        }
        // the environments of the focus files, each folder walked once
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut scopes_seen: HashSet<PathBuf> = HashSet::new();
        for f in files.iter().filter(|f| focus_set.contains(*f)) {
            for dir in environment_dirs(f, &cwd, &mut scopes_seen) {
                // a folder the discovery walked whole finds nothing new
                // (`miglint check .` names every environment's folders)
                if !dirs.contains(&dir) && !walked(&discovery.walked, &dir) {
                    dirs.push(dir);
                }
            }
        }
        if !dirs.is_empty() {
            let context = discover(&settings.options.root, &dirs, &settings.options);
            let mut more = Vec::with_capacity(context.files.len());
            for (f, real) in context.files.into_iter().zip(context.canonical) {
                if seen.insert(real) {
                    more.push(f);
                }
            }
            // (both in path order: merged, the list stays so, and the
            // memo's, the targets' and the project phase's sorts by path
            // find it sorted: with the named file first, each cost a
            // tenth of a memo hit)
            files = merge_sorted(files, more);
        }
        focus = Some(focus_set);
    }

    crate::timing::mark("discovery");
    // with the cache, the model is kept between runs (`crate::snapshot`)
    let linter = if scope.cache {
        Linter::new(settings).keep_model()
    } else {
        Linter::new(settings)
    };
    // the project phase's output, before narrowing to the focus
    // explicit paths that exist but cannot be read: ML905 each
    let unreadable = || -> Vec<miglint_linter::FileResult> {
        discovery
            .unreadable
            .iter()
            .map(|(path, reason)| linter.unreadable(path, reason))
            .collect()
    };
    let finished = |reports, ids, linted| crate::memo::Finished {
        reports,
        ids,
        linted,
        targets: linter.settings.targets_summary(),
        dialects: crate::drift_rules::resolved_dialects(&linter.settings),
    };
    // (the "per-file" mark: files parsed, their rules not yet run when
    // one is large)
    let finish = |lint: crate::run::Lint<'_>| {
        let (mut ids, mut linted) = (Vec::new(), 0);
        let reports = lint.finish(unreadable(), |results| {
            ids = revision_ids(results);
            linted = results.len();
            crate::timing::mark("per-file");
        });
        finished(reports, ids, linted)
    };
    let finished = if scope.cache {
        let dir = crate::cache::resolve_dir(scope.cache_dir.as_deref(), &linter.settings.options);
        let keep = crate::memo::Keep {
            shown: |path: &Path| focus.as_ref().is_none_or(|f| f.contains(path)),
            narrow: |path: &Path, d: &mut Vec<miglint_diagnostics::Diagnostic>| {
                focus.as_ref().is_none_or(|f| in_focus(path, d, f))
            },
        };
        let unreadable = !discovery.unreadable.is_empty();
        crate::memo::check(&linter, &files, &dir, unreadable, keep, finish)
    } else {
        finish(crate::run::Lint::cold(&linter, &files))
    };
    crate::timing::note(|| {
        let reads = linter.settings.environment_reads();
        format!("environments: {reads} folder reads (env.py, alembic.ini)")
    });
    if let Some(focus) = &mut focus {
        for (path, _) in &discovery.unreadable {
            focus.insert(path.clone());
        }
    }
    if cli_paths.is_empty() && scope.since_revision.is_none() {
        warnings.extend(unknown_baselines(
            &linter.settings.options,
            &finished.ids,
            finished.linted,
        ));
    }
    if let Some(rev) = &scope.since_revision
        && !finished.ids.iter().any(|id| id == rev)
    {
        return Err(format!(
            "--since-revision {rev}: no linted revision file declares this revision"
        ));
    }
    let mut reports = finished.reports;
    crate::timing::mark("project");
    if let Some(focus) = &focus {
        reports = keep_focus(reports, focus);
    }
    // ML8xx: the configured models against the migrations
    reports.extend(crate::drift_rules::check_models(
        &linter.settings,
        &files,
        finished.dialects,
        &cwd,
        scope.diff_base.as_deref(),
        changed.as_ref(),
    )?);
    crate::timing::mark("models");
    Ok(CheckOutcome {
        reports,
        targets: finished.targets,
        missing,
        warnings,
        internal_errors: linter.internal_errors(),
    })
}

/// Whether `dir` is one of [`miglint_config::Discovery::walked`], spelled
/// the same (byte for byte: the walk's files were spelled from it).
fn walked(walked: &[PathBuf], dir: &Path) -> bool {
    walked
        .binary_search_by(|w| w.as_path().cmp(dir))
        .is_ok_and(|i| walked[i].as_os_str() == dir.as_os_str())
}

/// Two lists of paths in path order, merged in path order.
fn merge_sorted(a: Vec<PathBuf>, b: Vec<PathBuf>) -> Vec<PathBuf> {
    debug_assert!(a.is_sorted() && b.is_sorted());
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let from_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => miglint_diagnostics::path_cmp(x, y).is_le(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if from_a { a.next() } else { b.next() });
    }
}

/// The reports of focus files, plus context findings with a label in a
/// focus file (only those findings).
fn keep_focus(reports: Vec<FileReport>, focus: &HashSet<PathBuf>) -> Vec<FileReport> {
    reports
        .into_iter()
        .filter_map(|mut r| in_focus(&r.source.path, &mut r.diagnostics, focus).then_some(r))
        .collect()
}

/// Whether the report of `path` is kept: a focus file's whole, else only
/// its findings with a label in a focus file (`diagnostics` keeps those).
fn in_focus(
    path: &Path,
    diagnostics: &mut Vec<miglint_diagnostics::Diagnostic>,
    focus: &HashSet<PathBuf>,
) -> bool {
    if focus.contains(path) {
        return true;
    }
    diagnostics.retain(|d| {
        d.labels
            .iter()
            .any(|l| l.file.as_ref().is_some_and(|f| focus.contains(f)))
    });
    !diagnostics.is_empty()
}

/// The revision ids the linted files declare.
fn revision_ids(results: &[miglint_linter::FileResult]) -> Vec<String> {
    results
        .iter()
        .filter_map(|r| match &r.module.ids.revision.as_ref()?.value {
            IdValue::Str(s) => Some(s.value.clone()),
            _ => None,
        })
        .collect()
}

/// The `versions*` folders of the environment of `file`: the folders whose
/// name starts with `versions` in the parent of the nearest enclosing one
/// (which may be the current directory or above it, for `check a.py` run
/// inside `versions/`). Nothing for a file outside any `versions*` folder.
/// `scopes_seen` avoids listing one scope twice.
fn environment_dirs(file: &Path, cwd: &Path, scopes_seen: &mut HashSet<PathBuf>) -> Vec<PathBuf> {
    let is_versions = |d: &Path| {
        d.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("versions"))
    };
    let scope = if let Some(versions) = file.ancestors().skip(1).find(|d| is_versions(d)) {
        versions.parent().unwrap_or(Path::new("")).to_path_buf()
    } else if file.is_relative()
        && file
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        // the file's folder is below the current directory: a `versions*`
        // folder above it is the current directory or one of its ancestors
        match cwd.ancestors().position(is_versions) {
            Some(up) => std::iter::repeat_n("..", up + 1).collect(),
            None => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    if !scopes_seen.insert(scope.clone()) {
        return Vec::new();
    }
    let listing = if scope.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &scope
    };
    let Ok(entries) = std::fs::read_dir(listing) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| scope.join(e.file_name()))
        .filter(|d| is_versions(d))
        .map(|d| shortest(&d, cwd))
        .collect();
    dirs.sort();
    dirs
}

/// `../versions` spelled `.` when it is the current directory (and
/// `../versions/sub` as `sub`), so that context files read like the files
/// the user named.
fn shortest(dir: &Path, cwd: &Path) -> PathBuf {
    if !dir.starts_with("..") {
        return dir.to_path_buf();
    }
    let mut absolute = cwd.to_path_buf();
    for c in dir.components() {
        match c {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::Normal(n) => absolute.push(n),
            _ => {}
        }
    }
    match absolute.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => dir.to_path_buf(),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The files (canonical paths) added, copied, modified, renamed or
/// type-changed since the merge base of `base` and `HEAD`, in commits, the
/// index or the working tree, plus untracked files that are not ignored.
pub fn changed_files(cwd: &Path, base: &str) -> Result<HashSet<PathBuf>, String> {
    let top = git(cwd, &["rev-parse", "--show-toplevel"])?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let merge_base = git(&top, &["merge-base", base, "HEAD"])?;
    let merge_base = merge_base.trim();
    let diff = git(
        &top,
        &[
            "diff",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--diff-filter=ACMRT",
            merge_base,
            "--",
        ],
    )?;
    let untracked = git(&top, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    Ok(diff
        .split('\0')
        .chain(untracked.split('\0'))
        .filter(|name| !name.is_empty())
        .map(|name| canonical(&top.join(name)))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::merge_sorted;

    #[test]
    fn merged_paths_are_in_path_order() {
        // (path order is by component: `a/b` sorts before `a-b`, whose
        // bytes sort first)
        let names = [
            "a/b",
            "a-b",
            "a.b",
            "a/b/c",
            "a",
            "b",
            "versions/1_x.py",
            "versions/10.py",
        ];
        for split in 0..1 << names.len() {
            let (mut a, mut b): (Vec<PathBuf>, Vec<PathBuf>) = (Vec::new(), Vec::new());
            for (i, n) in names.iter().enumerate() {
                if split & 1 << i == 0 { &mut a } else { &mut b }.push(PathBuf::from(n));
            }
            a.sort();
            b.sort();
            let mut all: Vec<PathBuf> = a.iter().chain(&b).cloned().collect();
            all.sort();
            assert_eq!(merge_sorted(a, b), all);
        }
    }
}
