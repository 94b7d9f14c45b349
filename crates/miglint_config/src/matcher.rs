//! Glob matching of paths relative to the project root.

use std::path::{Component, Path};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiles one configuration glob. `*` and `?` do not cross `/`; `**` does.
pub(crate) fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(normalize_pattern(pattern))
        .literal_separator(true)
        .build()
}

fn normalize_pattern(pattern: &str) -> &str {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() { p } else { trimmed }
}

/// A set of path globs with gitignore-like semantics:
///
/// - a pattern containing `/` is anchored at the project root and matched
///   against the root-relative path and each of its ancestor directories
///   (so `legacy/versions` covers every file below it);
/// - a pattern without `/` (e.g. `*_draft.py`, `legacy`) matches any single
///   path component (the file name or any directory name).
#[derive(Debug, Clone, Default)]
pub(crate) struct PathMatcher {
    anchored: Option<GlobSet>,
    component: Option<GlobSet>,
}

impl PathMatcher {
    /// Builds the matcher; patterns must already be known to compile.
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Self {
        let mut anchored = GlobSetBuilder::new();
        let mut component = GlobSetBuilder::new();
        let (mut n_anchored, mut n_component) = (0, 0);
        for p in patterns {
            let Ok(glob) = compile_glob(p) else { continue };
            if normalize_pattern(p).contains('/') {
                anchored.add(glob);
                n_anchored += 1;
            } else {
                component.add(glob);
                n_component += 1;
            }
        }
        PathMatcher {
            anchored: if n_anchored > 0 {
                anchored.build().ok()
            } else {
                None
            },
            component: if n_component > 0 {
                component.build().ok()
            } else {
                None
            },
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.anchored.is_none() && self.component.is_none()
    }

    /// Whether `path` (relative, `/` or native separators) matches.
    pub(crate) fn is_match(&self, path: &Path) -> bool {
        let parts: Vec<String> = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                Component::ParentDir => Some(String::from("..")),
                _ => None,
            })
            .collect();
        if parts.is_empty() {
            return false;
        }
        if let Some(set) = &self.component
            && parts.iter().any(|p| set.is_match(p.as_str()))
        {
            return true;
        }
        if let Some(set) = &self.anchored {
            let mut prefix = String::new();
            for part in &parts {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if set.is_match(prefix.as_str()) {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_and_component_patterns() {
        let m = PathMatcher::new(["alembic/versions/0001_*.py", "*_draft.py", "legacy"]);
        assert!(m.is_match(Path::new("alembic/versions/0001_init.py")));
        assert!(!m.is_match(Path::new("alembic/versions/sub/0001_init.py")));
        assert!(!m.is_match(Path::new("other/alembic/versions/0001_init.py")));
        assert!(m.is_match(Path::new("a/b/x_draft.py")));
        assert!(m.is_match(Path::new("legacy/versions/a.py")));
        assert!(!m.is_match(Path::new("legacy2/versions/a.py")));
        let m = PathMatcher::new(["**/versions/sqlite/**", "./old/"]);
        assert!(m.is_match(Path::new("alembic/versions/sqlite/a.py")));
        assert!(m.is_match(Path::new("versions/sqlite/a.py")));
        assert!(!m.is_match(Path::new("versions/pg/a.py")));
        assert!(m.is_match(Path::new("old/versions/a.py")));
    }
}
