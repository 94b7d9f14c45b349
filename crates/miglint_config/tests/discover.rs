//! File discovery.

use std::fs;
use std::path::{Component, Path, PathBuf};

use miglint_config::{DiscoverError, DiscoveryOrigin, Options, discover, load_str};

fn touch(root: &Path, rel: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, "revision = 'x'\n").unwrap();
}

/// The found files relative to `root`, as strings.
fn rel(root: &Path, files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            f.strip_prefix(root)
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// A canonical temporary project (so paths compare equal to what discovery
/// builds from the root).
fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(tmp.path()).unwrap();
    (tmp, root)
}

fn config(root: &Path, text: &str) -> Options {
    load_str(&root.join("lint.toml"), text).unwrap()
}

#[test]
fn alembic_ini_script_location_with_here() {
    let (_tmp, root) = project();
    fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/db/alembic\nsqlalchemy.url = driver://u:p@h/d\n",
    )
    .unwrap();
    touch(&root, "db/alembic/env.py");
    touch(&root, "db/alembic/versions/0001_init.py");
    touch(&root, "db/alembic/versions/2024/0002_more.py");
    touch(&root, "db/alembic/versions/__init__.py");
    touch(&root, "db/alembic/versions/notes.txt");
    touch(&root, "db/alembic/versions/__pycache__/x.py");
    touch(&root, "other/alembic/versions/9999_elsewhere.py");
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(d.origin, DiscoveryOrigin::Alembic(root.join("alembic.ini")));
    assert_eq!(
        rel(&root, &d.files),
        [
            "db/alembic/versions/0001_init.py",
            "db/alembic/versions/2024/0002_more.py"
        ]
    );
}

#[test]
fn alembic_ini_relative_script_location_and_version_locations() {
    let (_tmp, root) = project();
    fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = migrations\nversion_locations = %(here)s/migrations/versions %(here)s/plugins/a,plugins/b\n",
    )
    .unwrap();
    touch(&root, "migrations/versions/1.py");
    touch(&root, "plugins/a/2.py");
    touch(&root, "plugins/b/3.py");
    touch(&root, "plugins/c/4.py");
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    // migrations/versions appears twice (script_location and version_locations): once in the output.
    assert_eq!(
        rel(&root, &d.files),
        [
            "migrations/versions/1.py",
            "plugins/a/2.py",
            "plugins/b/3.py"
        ]
    );
}

#[test]
fn version_locations_with_path_separator() {
    let (_tmp, root) = project();
    fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\npath_separator = newline\nversion_locations =\n    %(here)s/dir one\n    %(here)s/two\n    %(here)s/missing\n",
    )
    .unwrap();
    touch(&root, "dir one/a.py");
    touch(&root, "two/b.py");
    fs::create_dir_all(root.join("alembic")).unwrap();
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert_eq!(rel(&root, &d.files), ["dir one/a.py", "two/b.py"]);
    // A missing version location is reported, not fatal.
    assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
    assert!(matches!(&d.errors[0], DiscoverError::Io { path, .. } if path.ends_with("missing")));

    fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\nversion_path_separator = ;\nversion_locations = %(here)s/dir one;%(here)s/two\n",
    )
    .unwrap();
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert_eq!(rel(&root, &d.files), ["dir one/a.py", "two/b.py"]);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
}

#[test]
fn pyproject_tool_alembic() {
    let (_tmp, root) = project();
    fs::write(root.join("pyproject.toml"), "[tool.alembic]\nscript_location = \"%(here)s/mig\"\nversion_locations = [\"%(here)s/extra\"]\n").unwrap();
    touch(&root, "mig/versions/a.py");
    touch(&root, "extra/b.py");
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert_eq!(rel(&root, &d.files), ["extra/b.py", "mig/versions/a.py"]);
}

#[test]
fn default_search() {
    let (_tmp, root) = project();
    touch(&root, "alembic/versions/a.py");
    touch(&root, "alembic/versions/deep/b.py");
    touch(&root, "alembic/env.py");
    touch(&root, "src/app/Migrations/versions/c.py");
    touch(&root, "services/x/alembic_pg/versions/d.py");
    touch(&root, "other/versions/no.py");
    touch(&root, "alembic/versions/__init__.py");
    touch(&root, ".venv/lib/alembic/versions/no.py");
    touch(&root, "venv/alembic/versions/no.py");
    touch(&root, "node_modules/migrations/versions/no.py");
    touch(&root, "target/migrations/versions/no.py");
    touch(&root, ".hidden/migrations/versions/no.py");
    touch(&root, "x/site-packages/alembic/versions/no.py");
    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert_eq!(d.origin, DiscoveryOrigin::DefaultSearch);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(
        rel(&root, &d.files),
        [
            "alembic/versions/a.py",
            "alembic/versions/deep/b.py",
            "services/x/alembic_pg/versions/d.py",
            "src/app/Migrations/versions/c.py",
        ]
    );

    // Run from inside the migrations folder itself.
    let inner = root.join("alembic");
    let d = discover(&inner, &[], &Options::defaults_at(&inner));
    assert_eq!(
        rel(&inner, &d.files),
        ["versions/a.py", "versions/deep/b.py"]
    );
}

#[test]
fn excludes_and_config_paths() {
    let (_tmp, root) = project();
    touch(&root, "alembic/versions/0001_a.py");
    touch(&root, "alembic/versions/0002_draft.py");
    touch(&root, "alembic/versions/legacy/0000_old.py");
    touch(&root, "db/versions/x.py");
    touch(&root, "extra/one.py");
    touch(&root, "extra/two.py");
    let o = config(
        &root,
        "exclude = [\"alembic/versions/legacy\", \"*_draft.py\"]\n",
    );
    let d = discover(&root, &[], &o);
    assert_eq!(rel(&root, &d.files), ["alembic/versions/0001_a.py"]);

    // Explicit CLI paths are excluded too.
    let d = discover(
        &root,
        &[
            root.join("alembic/versions/0002_draft.py"),
            root.join("alembic/versions"),
        ],
        &o,
    );
    assert_eq!(rel(&root, &d.files), ["alembic/versions/0001_a.py"]);

    let o = config(
        &root,
        "paths = [\"db/versions\", \"extra/*.py\", \"alembic/versions/0001_a.py\"]\nexclude = [\"extra/two.py\"]\n",
    );
    let d = discover(&root, &[], &o);
    assert_eq!(d.origin, DiscoveryOrigin::ConfigPaths);
    assert_eq!(
        rel(&root, &d.files),
        [
            "alembic/versions/0001_a.py",
            "db/versions/x.py",
            "extra/one.py"
        ]
    );

    // Patterns only see the path below the root (the temp dir is `.tmpXXXX`).
    let o = config(&root, "exclude = [\".tmp*\", \"tmp\"]\n");
    let d = discover(&root, &[], &o);
    assert_eq!(d.files.len(), 3, "{:?}", d.files);

    let o = config(&root, "paths = [\"**/versions\"]\nexclude = [\"legacy\"]\n");
    let d = discover(&root, &[], &o);
    assert_eq!(
        rel(&root, &d.files),
        [
            "alembic/versions/0001_a.py",
            "alembic/versions/0002_draft.py",
            "db/versions/x.py"
        ]
    );
}

#[test]
fn explicit_paths_missing_files_and_dedup() {
    let (_tmp, root) = project();
    touch(&root, "versions/a.py");
    touch(&root, "versions/__init__.py");
    touch(&root, "script.sql");
    let cli = [
        root.join("versions"),
        root.join("versions/a.py"),
        root.join("versions/../versions/a.py"),
        root.join("script.sql"),
        root.join("versions/__init__.py"),
        root.join("nope.py"),
    ];
    let d = discover(&root, &cli, &Options::defaults_at(&root));
    assert_eq!(d.origin, DiscoveryOrigin::CommandLine);
    // Files given explicitly are taken as is (even .sql, even __init__.py);
    // the same file under two spellings appears once.
    assert_eq!(
        rel(&root, &d.files),
        ["script.sql", "versions/__init__.py", "versions/a.py"]
    );
    assert_eq!(d.errors.len(), 1);
    assert!(matches!(&d.errors[0], DiscoverError::Missing(p) if p == &root.join("nope.py")));
    assert!(d.errors[0].to_string().contains("nope.py"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_terminate() {
    use std::os::unix::fs::symlink;
    let (_tmp, root) = project();
    touch(&root, "alembic/versions/a.py");
    touch(&root, "alembic/versions/sub/b.py");
    // versions/sub/loop -> versions ; versions/self -> . ; a dangling link.
    symlink(
        root.join("alembic/versions"),
        root.join("alembic/versions/sub/loop"),
    )
    .unwrap();
    symlink(".", root.join("alembic/versions/self")).unwrap();
    symlink(
        root.join("gone.py"),
        root.join("alembic/versions/dangling.py"),
    )
    .unwrap();
    // A linked directory outside the tree is followed.
    touch(&root, "shared/c.py");
    symlink(root.join("shared"), root.join("alembic/versions/shared")).unwrap();

    let d = discover(&root, &[], &Options::defaults_at(&root));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(
        rel(&root, &d.files),
        [
            "alembic/versions/a.py",
            "alembic/versions/shared/c.py",
            "alembic/versions/sub/b.py"
        ]
    );

    touch(&root, "alembic/env.py");
    let d = discover(&root, &[root.join("alembic")], &Options::defaults_at(&root));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    // a script location's own modules (env.py) are not revisions
    assert_eq!(
        rel(&root, &d.files),
        [
            "alembic/versions/a.py",
            "alembic/versions/shared/c.py",
            "alembic/versions/sub/b.py"
        ]
    );
}

#[cfg(unix)]
#[test]
fn unreadable_directory_is_reported_and_discovery_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, root) = project();
    touch(&root, "alembic/versions/a.py");
    touch(&root, "alembic/versions/locked/b.py");
    let locked = root.join("alembic/versions/locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let blocked = fs::read_dir(&locked).is_err(); // root ignores permissions
    let d = discover(&root, &[], &Options::defaults_at(&root));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    if blocked {
        assert_eq!(rel(&root, &d.files), ["alembic/versions/a.py"]);
        assert_eq!(d.errors.len(), 1);
        assert!(matches!(&d.errors[0], DiscoverError::Io { path, .. } if path.ends_with("locked")));
    } else {
        assert_eq!(d.files.len(), 2);
    }
}

/// `to` relative to `from` (both absolute).
fn relative_from(from: &Path, to: &Path) -> PathBuf {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[test]
fn relative_paths_stay_as_given() {
    let cwd = std::env::current_dir().unwrap();
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let abs = fs::canonicalize(tmp.path()).unwrap();
    touch(&abs, "x/versions/a.py");
    touch(&abs, "x/versions/b.py");
    let given = relative_from(&fs::canonicalize(&cwd).unwrap(), &abs).join("x");
    assert!(given.is_relative());
    let d = discover(
        &cwd,
        std::slice::from_ref(&given),
        &Options::defaults_at(&cwd),
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(
        d.files,
        [given.join("versions/a.py"), given.join("versions/b.py")]
    );
}

#[test]
fn root_below_cwd_gives_relative_paths() {
    // A project inside the crate directory (the test's working directory).
    let cwd = std::env::current_dir().unwrap();
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-discover-")
        .tempdir_in(&cwd)
        .unwrap();
    let name = tmp.path().file_name().unwrap().to_owned();
    touch(tmp.path(), "alembic/versions/a.py");
    let o = Options::defaults_at(tmp.path());
    let d = discover(&o.root, &[], &o);
    assert_eq!(d.files, [Path::new(&name).join("alembic/versions/a.py")]);
}

/// `Discovery::walked`: the folders a walk for every `*.py` went through
/// whole, without a symbolic link to a folder below them (walking one again
/// finds nothing new; `miglint check DIR` then skips re-walking the named
/// files' environments).
#[cfg(unix)]
#[test]
fn folders_walked_whole_are_recorded() {
    use std::os::unix::fs::symlink;
    let (_tmp, root) = project();
    touch(&root, "a/alembic/versions/1.py");
    touch(&root, "a/alembic/versions/sub/2.py");
    touch(&root, "b/alembic/versions/3.py");
    touch(&root, "shared/4.py");
    symlink(root.join("shared"), root.join("b/alembic/versions/link")).unwrap();
    let options = Options::defaults_at(&root);
    let d = discover(&root, std::slice::from_ref(&root), &options);
    let walked: Vec<String> = rel(&root, &d.walked);
    for plain in [
        "a",
        "a/alembic",
        "a/alembic/versions",
        "a/alembic/versions/sub",
    ] {
        assert!(walked.contains(&plain.to_string()), "{plain}: {walked:?}");
    }
    // a symbolic link to a folder below: not recorded, nor its ancestors
    for linked in ["b", "b/alembic", "b/alembic/versions", ""] {
        assert!(
            !walked.contains(&linked.to_string()),
            "{linked}: {walked:?}"
        );
    }
    assert!(d.walked.is_sorted());
    // the default search (not every `*.py`) records nothing
    let d = discover(&root, &[], &options);
    assert!(d.walked.is_empty(), "{:?}", d.walked);
}
