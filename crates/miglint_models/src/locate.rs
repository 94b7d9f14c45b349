//! Which files hold the models: the `models` setting (files and folders),
//! else the modules `env.py` imports when it sets `target_metadata`.

use std::path::{Path, PathBuf};

/// How many files a models folder may bring in (a mistaken `models = ["."]`
/// must not read a whole tree).
const MAX_FILES: usize = 2000;

/// How many folders above env.py an import may resolve from.
const MAX_UP: usize = 8;

/// Expands configured entries (relative to `root`): a file as is, a folder
/// to its `*.py` files (recursively, sorted; `__pycache__` and hidden
/// folders left out). Missing entries are returned in the second list.
pub fn expand_model_paths(root: &Path, entries: &[String]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for e in entries {
        let p = root.join(e);
        if p.is_file() {
            push_unique(&mut files, p);
        } else if p.is_dir() {
            walk(&p, &mut files);
        } else {
            missing.push(p);
        }
    }
    (files, missing)
}

fn push_unique(files: &mut Vec<PathBuf>, p: PathBuf) {
    if !files.contains(&p) && files.len() < MAX_FILES {
        files.push(p);
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        // symlinks are not followed (a loop must not hang the run)
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, files);
        } else if meta.is_file() && name.ends_with(".py") {
            push_unique(files, p);
        }
    }
}

/// The model files `env.py` points at: when it assigns `target_metadata`
/// something other than `None`, the project modules it imports (a package
/// brings its whole folder), resolved from env.py's folder upwards to
/// `root` (and their `src/`). The migrations folder itself is left out.
pub fn env_py_model_paths(env_py: &Path, text: &str, root: &Path) -> Vec<PathBuf> {
    let assigns = text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("target_metadata")
            && l.split_once('=')
                .is_some_and(|(lhs, rhs)| lhs.trim() == "target_metadata" && rhs.trim() != "None")
    });
    if !assigns {
        return Vec::new();
    }
    let env_dir = env_py.parent().unwrap_or(Path::new("."));
    // env.py's folder and its parents up to the project's top (a folder
    // with pyproject.toml, setup.py, setup.cfg or .git, or `root`), at
    // most MAX_UP levels: where `import pkg` can resolve to a project file
    let mut bases: Vec<PathBuf> = Vec::new();
    for (up, dir) in env_dir.ancestors().enumerate() {
        if up > MAX_UP {
            break;
        }
        bases.push(dir.to_path_buf());
        bases.push(dir.join("src"));
        let top = ["pyproject.toml", "setup.py", "setup.cfg", ".git"]
            .iter()
            .any(|m| dir.join(m).exists());
        if (dir == root && dir != env_dir) || top {
            break;
        }
    }
    let mut files = Vec::new();
    for (module, names) in imports(text) {
        for base in &bases {
            let rel: PathBuf = module.split('.').collect();
            let file = base.join(&rel).with_extension("py");
            let pkg = base.join(&rel);
            if file.is_file() {
                if !file.starts_with(env_dir) {
                    push_unique(&mut files, file);
                }
                break;
            }
            if pkg.join("__init__.py").is_file() {
                if !env_dir.starts_with(&pkg) && !pkg.starts_with(env_dir) {
                    walk(&pkg, &mut files);
                } else {
                    for n in &names {
                        let sub = pkg.join(n).with_extension("py");
                        if sub.is_file() && !sub.starts_with(env_dir) {
                            push_unique(&mut files, sub);
                        }
                    }
                }
                break;
            }
        }
    }
    files
}

/// `(module, imported names)` of every absolute import statement.
fn imports(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for l in text.lines() {
        let l = l.trim();
        if let Some(rest) = l.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            if module.starts_with('.') {
                continue;
            }
            let names = names
                .trim_matches(|c| c == '(' || c == ')' || c == ' ')
                .split(',')
                .map(|n| n.split_whitespace().next().unwrap_or("").to_string())
                .filter(|n| !n.is_empty())
                .collect();
            out.push((module.to_string(), names));
        } else if let Some(rest) = l.strip_prefix("import ") {
            for m in rest.split(',') {
                if let Some(m) = m.split_whitespace().next() {
                    out.push((m.to_string(), Vec::new()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn env_py_imports_resolve_from_src_layouts_and_packages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        touch(&root.join("pyproject.toml"), "");
        touch(&root.join("src/app/__init__.py"), "");
        touch(
            &root.join("src/app/models/__init__.py"),
            "from .user import User\n",
        );
        touch(&root.join("src/app/models/user.py"), "");
        touch(&root.join("src/app/views.py"), "");
        let env = root.join("src/app/migrations/env.py");
        let text = "import os\nfrom alembic import context\nfrom app.models import Base\n\ntarget_metadata = Base.metadata\n";
        touch(&env, text);
        let files = env_py_model_paths(&env, text, &root.join("src/app/migrations"));
        let rel: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            rel,
            ["src/app/models/__init__.py", "src/app/models/user.py"]
        );
        // no target_metadata: no models
        let none = "from app.models import Base\ntarget_metadata = None\n";
        assert!(env_py_model_paths(&env, none, &root).is_empty());
    }

    #[test]
    fn configured_entries_expand_and_report_missing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("app/models.py"), "");
        touch(&root.join("app/tables/a.py"), "");
        touch(&root.join("app/tables/__pycache__/a.cpython-311.py"), "");
        touch(&root.join("app/tables/b.txt"), "");
        let (files, missing) = expand_model_paths(
            root,
            &[
                "app/models.py".into(),
                "app/tables/".into(),
                "nope.py".into(),
            ],
        );
        let rel: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["app/models.py", "app/tables/a.py"]);
        assert_eq!(missing, [root.join("nope.py")]);
    }
}
