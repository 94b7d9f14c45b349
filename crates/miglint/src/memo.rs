//! The project memo: a warm `miglint check` whose inputs did not change
//! skips the per-file cache, the semantic model and the project rules.
//!
//! The memo holds what [`Linter::finish`] returned (every file's findings
//! after the project phase, suppressions, severities and baselines; before
//! the report is narrowed to the files named on the command line, which
//! happens after it) plus the targets summary, the targets of the resolved
//! environments (ML801 compares the models on them) and the revision ids.
//! It is keyed by a 128-bit hash of every input of that phase: the memo
//! format and miglint build, the whole [`miglint_linter::LinterSettings`]
//! (options, rules, severities, targets), the current directory, each
//! file's path as linted and content key in path order (the order
//! [`Linter::finish`] works in, so naming another file of the same
//! environment hits), and what [`miglint_config::read_environment`] finds
//! for each environment folder (`env.py`, `alembic.ini`: the targets'
//! inputs besides the files). A miss runs the cached per-file phase and the
//! project phase as before and then writes the memo; a run with an
//! unreadable file or an internal error writes none.
//!
//! One memo per (settings, directory, set of paths) under
//! `<cache dir>/<version>/memo-<hash>`; a changed file overwrites it, a
//! memo unused for 30 days is removed when another is written. A corrupt or
//! foreign memo is a miss.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use miglint_diagnostics::{Diagnostic, DialectSet, FileReport, SourceFile};
use miglint_linter::{FileResult, Linter};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, ContentKey};

const MAGIC: &[u8; 8] = b"MIGLINTM";
const FORMAT: u32 = 2;
/// Above this many kept reports, their sources are built in parallel.
const PARALLEL_THRESHOLD: usize = 16;

/// The project phase's output for the CLI.
pub struct Finished {
    /// One report per linted file, in path order (before narrowing).
    pub reports: Vec<FileReport>,
    /// The revision ids of the linted files.
    pub ids: Vec<String>,
    /// How many files were linted.
    pub linted: usize,
    /// [`miglint_linter::LinterSettings::targets_summary`].
    pub targets: String,
    /// The targets of every resolved environment
    /// ([`crate::drift_rules::resolved_dialects`]: ML801 reads them).
    pub dialects: DialectSet,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    key: [u64; 2],
    targets: String,
    dialects: DialectSet,
    ids: Vec<String>,
    findings: Vec<u8>,
}

/// Two salted SipHash states: a 128-bit key.
struct Key([DefaultHasher; 2]);

impl Key {
    fn new() -> Self {
        let salted = |salt: u64| {
            let mut h = DefaultHasher::new();
            h.write_u64(salt);
            h
        };
        Key([salted(0x6d65_6d6f_0000_0001), salted(0x6d65_6d6f_0000_0002)])
    }

    /// Length-prefixed, so that two fields never run into each other.
    fn bytes(&mut self, b: &[u8]) {
        for h in &mut self.0 {
            h.write_u64(b.len() as u64);
            h.write(b);
        }
    }

    fn finish(&self) -> [u64; 2] {
        [self.0[0].finish(), self.0[1].finish()]
    }
}

/// The path's bytes as the OS spells them.
fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

/// The memo of one run's inputs (see the module documentation).
struct Memo {
    dir: PathBuf,
    file: PathBuf,
    key: [u64; 2],
    /// The part of the key read from the environments' files.
    environments: [u64; 2],
    /// File indices in path order.
    order: Vec<usize>,
}

/// What [`miglint_config::read_environment`] finds for the environment
/// folder of each file (the targets' inputs besides the files), hashed.
fn environments(files: &[PathBuf]) -> [u64; 2] {
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .map(|f| miglint_config::environment_dir(f))
        .collect();
    let mut key = Key::new();
    for dir in &dirs {
        key.bytes(path_bytes(dir));
        key.bytes(format!("{:?}", miglint_config::read_environment(dir)).as_bytes());
    }
    key.finish()
}

impl Memo {
    fn new(
        dir: &Path,
        linter: &Linter,
        cwd: &Path,
        files: &[PathBuf],
        keys: &[ContentKey],
    ) -> Memo {
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by(|&a, &b| files[a].cmp(&files[b]));
        // the slot: settings, directory and the set of paths
        let mut slot = Key::new();
        slot.bytes(format!("{:?}", linter.settings).as_bytes());
        slot.bytes(path_bytes(cwd));
        for &i in &order {
            slot.bytes(path_bytes(&files[i]));
        }
        let slot = slot.finish();
        // the key: the slot, the build, the contents and the environments
        let mut key = Key::new();
        key.bytes(&FORMAT.to_le_bytes());
        key.bytes(crate::cache::build_identity().as_bytes());
        key.bytes(&slot[0].to_le_bytes());
        key.bytes(&slot[1].to_le_bytes());
        for &i in &order {
            key.bytes(format!("{:?}", keys[i]).as_bytes());
        }
        let environments = environments(files);
        key.bytes(&environments[0].to_le_bytes());
        key.bytes(&environments[1].to_le_bytes());
        Memo {
            dir: dir.to_path_buf(),
            file: dir
                .join(env!("CARGO_PKG_VERSION"))
                .join(format!("memo-{:016x}", slot[0])),
            key: key.finish(),
            environments,
            order,
        }
    }

    /// The stored output when it was made from the same inputs.
    fn load(&self) -> Option<(Stored, Vec<Vec<Diagnostic>>)> {
        let data = std::fs::read(&self.file).ok()?;
        let stored: Stored = postcard::from_bytes(data.strip_prefix(MAGIC)?).ok()?;
        if stored.format != FORMAT || stored.key != self.key {
            return None;
        }
        let findings = miglint_linter::decode_findings(&stored.findings)?;
        (findings.len() == self.order.len()).then_some((stored, findings))
    }

    /// Writes the memo of `finished` (failures ignored: a cache is
    /// optional), and removes memos unused for 30 days.
    fn save(&self, files: &[PathBuf], finished: &Finished) {
        // the reports must be the files in path order, one each; and an
        // environment file edited during the run could have made them from
        // other inputs than the key's
        if environments(files) != self.environments
            || finished.reports.len() != self.order.len()
            || finished
                .reports
                .iter()
                .zip(&self.order)
                .any(|(r, &i)| r.source.path != files[i])
        {
            return;
        }
        let stored = Stored {
            format: FORMAT,
            key: self.key,
            targets: finished.targets.clone(),
            dialects: finished.dialects,
            ids: finished.ids.clone(),
            findings: miglint_linter::encode_findings(&finished.reports),
        };
        let Ok(body) = postcard::to_stdvec(&stored) else {
            return;
        };
        let mut out = Vec::with_capacity(MAGIC.len() + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&body);
        if crate::cache::write_atomic(&self.dir, &self.file, &out).is_ok() {
            self.prune();
        }
    }

    /// Removes the memos of this version not written for 30 days.
    fn prune(&self) {
        let Some(parent) = self.file.parent() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        let now = SystemTime::now();
        for e in entries.filter_map(Result::ok) {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age.as_secs() > crate::cache::MAX_AGE_SECS);
            if old && e.file_name().to_string_lossy().starts_with("memo-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The project phase through the cache: the memo when it holds this run's
/// inputs, else the cached per-file phase, `finish` (the project phase) and
/// a new memo. On a hit only the reports that `keep` wants are built
/// (`keep` may drop some of a report's findings; the caller narrows the
/// reports with the same function afterwards).
pub fn check(
    linter: &Linter,
    files: &[PathBuf],
    dir: &Path,
    unreadable: bool,
    keep: impl Fn(&Path, &mut Vec<Diagnostic>) -> bool + Sync,
    finish: impl FnOnce(Vec<FileResult>) -> Finished,
) -> Finished {
    let cwd = std::env::current_dir().unwrap_or_default();
    let contents = crate::run::read_all(linter, files);
    let keys: Option<Vec<ContentKey>> = contents
        .iter()
        .map(|c| c.as_ref().ok().map(|(k, _)| *k))
        .collect();
    let memo = match keys {
        Some(keys) if !unreadable => Some(Memo::new(dir, linter, &cwd, files, &keys)),
        _ => None,
    };
    crate::timing::mark("memo key");
    if let Some(memo) = &memo
        && let Some((stored, findings)) = memo.load()
    {
        let kept: Vec<(usize, Vec<Diagnostic>)> = memo
            .order
            .iter()
            .zip(findings)
            .filter_map(|(&i, mut d)| keep(&files[i], &mut d).then_some((i, d)))
            .collect();
        let report = |(i, diagnostics): (usize, Vec<Diagnostic>)| {
            let text = match &contents[i] {
                Ok((_, bytes)) => miglint_linter::source_text(bytes),
                Err(_) => Arc::from(""),
            };
            FileReport {
                source: Arc::new(SourceFile::new(files[i].clone(), text)),
                diagnostics,
            }
        };
        let reports = if kept.len() < PARALLEL_THRESHOLD {
            kept.into_iter().map(report).collect()
        } else {
            kept.into_par_iter().map(report).collect()
        };
        return Finished {
            reports,
            ids: stored.ids,
            linted: files.len(),
            targets: stored.targets,
            dialects: stored.dialects,
        };
    }
    let options = &linter.settings.options;
    let cache = Cache::open(dir, &options.root, &linter.cache_fingerprint());
    let (results, updates) = crate::run::lint_files_cached(linter, files, contents, &cache);
    cache.save(updates);
    let finished = finish(results);
    if let Some(memo) = memo
        && linter.internal_errors() == 0
    {
        memo.save(files, &finished);
    }
    finished
}
