//! Running git for `--diff-base`.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir`; its stdout, or its stderr as the error.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("--diff-base: cannot run git: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "--diff-base: `git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| "--diff-base: git printed a non-UTF-8 path".into())
}
