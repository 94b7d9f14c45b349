//! Helpers shared by the command-line tests: the `miglint` command in a
//! directory, writing project files, and a real git repository (`changed`,
//! `drift_cli`). Each test binary uses a subset of them.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `miglint` run in `dir`, with colour off whatever the caller's
/// environment says, no cache directory from the environment, and a time
/// limit (a hang is a failure, not a stuck test run).
pub fn miglint(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("miglint").expect("binary");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("MIGLINT_CACHE_DIR")
        .timeout(Duration::from_secs(300));
    cmd
}

/// stdout of `miglint check ARGS --exit-zero --quiet` in `dir` (`--quiet`
/// drops the summary's timing, the only part that differs between runs);
/// panics unless miglint exits with 0.
pub fn check(dir: &Path, args: &[&str]) -> String {
    let out = miglint(dir)
        .arg("check")
        .args(args)
        .args(["--exit-zero", "--quiet"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Every file under `dir`, sorted (none when `dir` does not exist).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Writes `text` to `root/rel`, creating the folders on the way.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("a file in a folder")).expect("create folders");
    fs::write(p, text).expect("write the file");
}

/// A project whose `lint.toml` selects every rule for PostgreSQL and
/// SQLite over `alembic/`, and whose `alembic/env.py` configures a
/// PostgreSQL URL.
pub fn all_rules_project(root: &Path) {
    write(
        root,
        "lint.toml",
        "paths = [\"alembic\"]\nselect = [\"ALL\"]\ndialects = [\"postgresql\", \"sqlite\"]\n",
    );
    write(
        root,
        "alembic/env.py",
        "from alembic import context\n\ndef run_migrations_online():\n    context.configure(url='postgresql://x/y')\n",
    );
}

/// Runs git in `dir` with a fixed identity, no signing, `main` as the
/// default branch and no user or system configuration; panics on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes `dir` a repository with everything in it committed on `main`,
/// and checks out a new branch `feature` (the base of `--diff-base main`).
pub fn commit_all_then_branch(dir: &Path) {
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
}
