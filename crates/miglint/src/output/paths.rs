//! Paths in machine formats (SARIF, GitLab, GitHub, JUnit, JSON): relative to
//! the repository root, so that a CI server can link them and a GitLab
//! fingerprint (which hashes the path) does not depend on the directory
//! miglint ran in. The root is the nearest directory at or above the current
//! one holding `.git` (a directory, or the file of a worktree/submodule),
//! found without running git; without one, the current directory.
//!
//! Human formats keep the paths as discovered (relative to the current
//! directory), which is what a terminal user can open.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use miglint_diagnostics::FileReport;

/// The git top level at or above `cwd`, else `cwd`.
pub fn report_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// `path` (as discovered, relative to `cwd` or absolute) relative to
/// `root`, lexically normalised: no `./`, no `..` unless it leaves `root`.
/// A path outside `root` is shown relative to `cwd` when below it, else
/// absolute.
pub fn rebase_path(path: &Path, cwd: &Path, root: &Path) -> PathBuf {
    rebase_path_in(path, cwd, root, &Canonical::default())
}

/// Canonical paths of one run's folders ([`Canonical::of`]).
#[derive(Default)]
struct Canonical(Mutex<HashMap<PathBuf, Arc<Folder>>>);

/// A folder's canonical path and the names in it that are not symbolic
/// links.
struct Folder {
    real: Option<PathBuf>,
    plain: HashSet<OsString>,
}

impl Canonical {
    /// `std::fs::canonicalize(absolute)` (a normalised absolute path), each
    /// folder resolved and listed once: a file that its folder lists as no
    /// symbolic link is the folder's canonical path joined with its name
    /// (`realpath` reads every component's link, a system call each, per
    /// file and label). Others are resolved by `canonicalize`.
    fn of(&self, absolute: &Path) -> Option<PathBuf> {
        if let (Some(dir), Some(name)) = (absolute.parent(), absolute.file_name()) {
            let folder = self.folder(dir);
            if folder.plain.contains(name) {
                return folder.real.as_ref().map(|d| d.join(name));
            }
        }
        std::fs::canonicalize(absolute).ok()
    }

    fn folder(&self, dir: &Path) -> Arc<Folder> {
        let known = {
            let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.get(dir).cloned()
        };
        if let Some(folder) = known {
            return folder;
        }
        let real = std::fs::canonicalize(dir).ok();
        let plain = match (&real, std::fs::read_dir(dir)) {
            (Some(_), Ok(entries)) => entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_symlink()))
                .map(|e| e.file_name())
                .collect(),
            _ => HashSet::new(),
        };
        let folder = Arc::new(Folder { real, plain });
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(dir.to_path_buf(), folder.clone());
        folder
    }
}

fn rebase_path_in(path: &Path, cwd: &Path, root: &Path, canonical: &Canonical) -> PathBuf {
    let absolute = normalize(&cwd.join(path));
    if let Ok(rel) = absolute.strip_prefix(root) {
        return rel.to_path_buf();
    }
    // a path spelled through a symbolic link to the repository
    if let Some(real) = canonical.of(&absolute)
        && let Ok(rel) = real.strip_prefix(root)
    {
        return rel.to_path_buf();
    }
    match absolute.strip_prefix(cwd) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => absolute,
    }
}

/// The reports with every path (files and the files of labels) rebased by
/// [`rebase_path`]. The result is for rendering only: its paths are no
/// longer relative to the current directory. The findings are moved, not
/// copied.
pub fn rebase_reports(reports: Vec<FileReport>, cwd: &Path, root: &Path) -> Vec<FileReport> {
    use rayon::prelude::*;
    // in parallel: a path outside the root costs a `canonicalize` (a
    // system call per component), once per folder
    let canonical = Canonical::default();
    reports
        .into_par_iter()
        .map(|mut report| {
            for label in report
                .diagnostics
                .iter_mut()
                .flat_map(|d| d.labels.iter_mut())
            {
                if let Some(file) = &label.file {
                    label.file = Some(rebase_path_in(file, cwd, root, &canonical));
                }
            }
            let source = &report.source;
            let path = rebase_path_in(&source.path, cwd, root, &canonical);
            if path != source.path {
                report.source = Arc::new(source.with_path(path));
            }
            report
        })
        .collect()
}

/// Removes `.` components and resolves `..` against a preceding normal
/// component (no file-system access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths outside the root spelled through symbolic links (to a folder,
    /// to a file) into it are rebased, each folder resolved once; others
    /// stay absolute.
    #[cfg(unix)]
    #[test]
    fn resolves_links_into_the_root_once_per_folder() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(tmp.path()).unwrap();
        let root = base.join("repo");
        std::fs::create_dir_all(root.join("versions")).unwrap();
        std::fs::write(root.join("versions/a.py"), "").unwrap();
        std::fs::create_dir_all(base.join("out")).unwrap();
        std::fs::write(base.join("out/b.py"), "").unwrap();
        symlink(root.join("versions"), base.join("out/linked")).unwrap();
        symlink(root.join("versions/a.py"), base.join("out/a_link.py")).unwrap();
        let cwd = base.join("out");
        let canonical = Canonical::default();
        for _ in 0..2 {
            let rebase = |p: &str| rebase_path_in(Path::new(p), &cwd, &root, &canonical);
            assert_eq!(rebase("linked/a.py"), Path::new("versions/a.py"));
            assert_eq!(rebase("a_link.py"), Path::new("versions/a.py"));
            assert_eq!(rebase("b.py"), Path::new("b.py"));
            assert_eq!(rebase("missing.py"), Path::new("missing.py"));
            assert_eq!(rebase("../elsewhere/c.py"), base.join("elsewhere/c.py"));
        }
        for p in ["linked/a.py", "a_link.py", "b.py", "missing.py"] {
            assert_eq!(
                rebase_path(Path::new(p), &cwd, &root),
                rebase_path_in(Path::new(p), &cwd, &root, &canonical),
                "{p}"
            );
        }
    }

    #[test]
    fn rebases_below_the_root() {
        let root = Path::new("/repo");
        let cwd = Path::new("/repo/app");
        assert_eq!(
            rebase_path(Path::new("./alembic/versions/a.py"), cwd, root),
            Path::new("app/alembic/versions/a.py")
        );
        assert_eq!(
            rebase_path(Path::new("../lib/versions/b.py"), cwd, root),
            Path::new("lib/versions/b.py")
        );
        assert_eq!(
            rebase_path(Path::new("/repo/x/./c.py"), cwd, root),
            Path::new("x/c.py")
        );
        // outside the repository: absolute
        assert_eq!(
            rebase_path(Path::new("../../elsewhere/d.py"), cwd, root),
            Path::new("/elsewhere/d.py")
        );
    }
}
