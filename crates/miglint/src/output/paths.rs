//! Paths in machine formats (SARIF, GitLab, GitHub, JUnit, JSON): relative to
//! the repository root, so that a CI server can link them and a GitLab
//! fingerprint (which hashes the path) does not depend on the directory
//! miglint ran in. The root is the nearest directory at or above the current
//! one holding `.git` (a directory, or the file of a worktree/submodule),
//! found without running git; without one, the current directory.
//!
//! Human formats keep the paths as discovered (relative to the current
//! directory), which is what a terminal user can open.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

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
    let absolute = normalize(&cwd.join(path));
    if let Ok(rel) = absolute.strip_prefix(root) {
        return rel.to_path_buf();
    }
    // a path spelled through a symbolic link to the repository
    if let Ok(real) = std::fs::canonicalize(&absolute)
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
    // system call per component), per file and per label
    reports
        .into_par_iter()
        .map(|mut report| {
            for label in report
                .diagnostics
                .iter_mut()
                .flat_map(|d| d.labels.iter_mut())
            {
                if let Some(file) = &label.file {
                    label.file = Some(rebase_path(file, cwd, root));
                }
            }
            let source = &report.source;
            let path = rebase_path(&source.path, cwd, root);
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
