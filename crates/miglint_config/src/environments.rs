//! The environments' configuration files as one run reads them.
//!
//! A CLI run needs what [`read_environment`] finds (`env.py` analysed,
//! `alembic.ini`) for the same folders several times: the targets of the
//! project root, the memo's key, the targets of each group of files. An
//! [`Environments::once`] reads each folder once and hands every later
//! caller the same result, so that all of them see one state of the files
//! (an `env.py` edited during the run cannot give the memo key one answer
//! and the targets another). An [`Environments::fresh`] reads again on every
//! call: the language server lints many times in one process and must see
//! `env.py` edits. Nothing is kept beyond the value itself (no process-wide
//! cache).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::options::Options;
use crate::paths::absolute_lexical;
use crate::targets::{EnvConfig, Targets, infer_targets_named, read_environment};

/// What [`read_environment`] finds per environment folder, read once or on
/// every call (see the module documentation).
pub struct Environments {
    /// `Some`: each folder's result, kept for the rest of the run.
    kept: Option<Mutex<HashMap<PathBuf, Arc<EnvConfig>>>>,
    /// How many times [`read_environment`] ran.
    reads: AtomicUsize,
}

impl Environments {
    /// Each folder read on its first use and kept (one CLI run).
    pub fn once() -> Self {
        Environments {
            kept: Some(Mutex::new(HashMap::new())),
            reads: AtomicUsize::new(0),
        }
    }

    /// Every use reads the files again (a long-lived process).
    pub fn fresh() -> Self {
        Environments {
            kept: None,
            reads: AtomicUsize::new(0),
        }
    }

    /// [`read_environment`] of `dir`. A folder is one whatever its spelling
    /// (`.` and the absolute path): the reading depends on the absolute
    /// folder alone but for [`EnvConfig::dir`], the spelling asked for.
    pub fn get(&self, dir: &Path) -> Arc<EnvConfig> {
        let read = || {
            self.reads.fetch_add(1, Ordering::Relaxed);
            Arc::new(read_environment(dir))
        };
        let Some(kept) = &self.kept else {
            return read();
        };
        // (held while reading: a folder is read once even when two threads
        // ask at the same time)
        let mut kept = kept.lock().unwrap_or_else(|e| e.into_inner());
        let abs = absolute_lexical(dir);
        match kept.get(&abs) {
            Some(env) if env.dir == dir => Arc::clone(env),
            Some(env) => Arc::new(EnvConfig {
                dir: dir.to_path_buf(),
                ..EnvConfig::clone(env)
            }),
            None => {
                let env = read();
                kept.insert(abs, Arc::clone(&env));
                env
            }
        }
    }

    /// How many times the files of an environment were read so far.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }
}

impl Default for Environments {
    /// [`Environments::fresh`].
    fn default() -> Self {
        Environments::fresh()
    }
}

impl Options {
    /// [`Options::targets`], the environment's files read through `envs`.
    pub fn targets_in(&self, envs: &Environments) -> Targets {
        infer_targets_named(
            &self.root,
            self.dialects.as_deref(),
            &self.origin_name(),
            &|dir: &Path| envs.get(dir),
        )
    }
}

/// Not the files' contents: settings are hashed by their `Debug` text (the
/// memo's slot), which must not change with what was read.
impl std::fmt::Debug for Environments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kept {
            Some(_) => "Environments::once",
            None => "Environments::fresh",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_dir(env_py: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("env.py"), env_py).unwrap();
        dir
    }

    const SQLITE: &str = "context.configure(url='sqlite:///x.db', render_as_batch=True)\n";
    const MYSQL: &str = "context.configure(url='mysql://h/db')\n";

    #[test]
    fn once_reads_each_folder_once_and_keeps_the_first_answer() {
        let (a, b) = (env_dir(SQLITE), env_dir(MYSQL));
        let envs = Environments::once();
        let first = envs.get(a.path());
        assert_eq!(
            format!("{first:?}"),
            format!("{:?}", read_environment(a.path()))
        );
        // an edit during the run is not seen: every caller gets one state
        std::fs::write(a.path().join("env.py"), MYSQL).unwrap();
        for _ in 0..3 {
            let again = envs.get(a.path());
            assert!(Arc::ptr_eq(&first, &again));
        }
        assert_eq!(envs.reads(), 1);
        let other = envs.get(b.path());
        assert_eq!(
            format!("{other:?}"),
            format!("{:?}", read_environment(b.path()))
        );
        envs.get(b.path());
        assert_eq!(envs.reads(), 2);
    }

    #[test]
    fn once_reads_a_folder_once_whatever_its_spelling() {
        let a = env_dir(SQLITE);
        let envs = Environments::once();
        let abs = envs.get(a.path());
        let dotted = a.path().join("sub").join("..");
        let other = envs.get(&dotted);
        assert_eq!(envs.reads(), 1);
        assert_eq!(other.dir, dotted);
        assert_eq!(
            format!("{abs:?}"),
            format!("{:?}", read_environment(a.path()))
        );
        assert_eq!(
            format!("{other:?}"),
            format!("{:?}", read_environment(&dotted))
        );
    }

    #[test]
    fn fresh_sees_every_edit() {
        let a = env_dir(SQLITE);
        let envs = Environments::fresh();
        let before = envs.get(a.path());
        std::fs::write(a.path().join("env.py"), MYSQL).unwrap();
        let after = envs.get(a.path());
        assert_ne!(format!("{before:?}"), format!("{after:?}"));
        assert_eq!(
            format!("{after:?}"),
            format!("{:?}", read_environment(a.path()))
        );
        assert_eq!(envs.reads(), 2);
    }

    #[test]
    fn debug_text_does_not_depend_on_what_was_read() {
        let a = env_dir(SQLITE);
        let envs = Environments::once();
        let empty = format!("{envs:?}");
        envs.get(a.path());
        assert_eq!(format!("{envs:?}"), empty);
    }
}
