//! Small lexical path helpers (no file-system access unless stated).

use std::path::{Component, Path, PathBuf};

/// `dir.join(name)` in one allocation of the exact size (a walk joins every
/// entry's name; `Path::join` copies `dir`, then grows the copy).
pub(crate) fn join_exact(dir: &Path, name: impl AsRef<Path>) -> PathBuf {
    let name = name.as_ref();
    let mut out = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.as_os_str().len());
    out.push(dir);
    out.push(name);
    out
}

/// Removes `.` components and resolves `..` against the preceding normal
/// component, without touching the file system.
pub(crate) fn normalize_lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
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

/// `path` made absolute against the current directory, lexically normalised.
pub(crate) fn absolute_lexical(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return normalize_lexical(path);
    }
    match std::env::current_dir() {
        Ok(cwd) => normalize_lexical(&cwd.join(path)),
        Err(_) => normalize_lexical(path),
    }
}

/// The path as given, without leading `./` components (for glob matching).
pub(crate) fn normalize_display(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `path` relative to `base` when it is below it, else `path` unchanged.
pub(crate) fn display_relative(path: &Path, base: &Path) -> PathBuf {
    match path.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_exact_is_join() {
        let dirs = ["", ".", "/", "a", "a/", "/a/b", "a//b", "../x"];
        let names = ["", "f.py", "b/c", "/abs", "..", "./y"];
        for d in dirs {
            for n in names {
                let (d, n) = (Path::new(d), Path::new(n));
                let joined = join_exact(d, n);
                assert_eq!(joined.as_os_str(), d.join(n).as_os_str(), "{d:?} + {n:?}");
                assert!(joined.capacity() >= joined.as_os_str().len());
            }
        }
    }

    #[test]
    fn lexical() {
        assert_eq!(
            normalize_lexical(Path::new("/a/./b/../c")),
            PathBuf::from("/a/c")
        );
        assert_eq!(
            normalize_lexical(Path::new("../x/./y")),
            PathBuf::from("../x/y")
        );
        assert_eq!(normalize_lexical(Path::new("/..")), PathBuf::from("/"));
        assert_eq!(
            normalize_display(Path::new("./a/b.py")),
            PathBuf::from("a/b.py")
        );
    }
}
