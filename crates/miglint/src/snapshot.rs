//! The model snapshot: the semantic model a `miglint check` built, kept in
//! the cache directory with the replay states to resume from
//! ([`miglint_schema::KeptModel`]), so that the next run whose memo misses
//! (a revision edited: the pre-commit case) replays only from the first
//! changed revision on instead of the whole history.
//!
//! One file per (settings, directory): `<cache dir>/<version>/model-<hash>`,
//! overwritten by each miss that built or resumed the model, removed with
//! the memos when unused for 30 days. Its header ties it to its inputs:
//! the format, miglint's build, the whole settings and the directory
//! ([`Snapshot::new`]'s key), and a 128-bit hash of the rest, so that a
//! truncated, corrupt or foreign file is no snapshot (the model is then
//! built from the first revision, as without one). What the model was
//! built from beyond that (each revision's path, source, targets and
//! parents, the environments' orders) is inside and compared by
//! [`miglint_schema::KeptModel::update`]: a revision that differs is
//! replayed, with every revision after it; a different graph builds
//! everything. A stale model is never used.
//!
//! A run that resumed from the file's states and kept them at the same
//! positions does not write it again: the file still holds a model and
//! states of its own inputs (the edited revision's key is then the older
//! one, so the next run replays it again, from the same state), and the
//! usual pre-commit loop (the same revision edited again and again) reads
//! it without writing it each time.
//!
//! Written like the cache's files (a temporary file renamed over it, on a
//! thread of its own while the run prints): concurrent runs each read a
//! whole file, the last writer wins.

use std::path::{Path, PathBuf};

use miglint_linter::Linter;
use miglint_schema::KeptModel;

use crate::key::Key;

const MAGIC: &[u8; 8] = b"MIGLINTS";
const FORMAT: u32 = 1;
/// The file name's prefix.
pub(crate) const PREFIX: &str = "model-";
/// Magic, key, hash of the rest.
const HEADER: usize = 8 + 16 + 16;

/// Where the model snapshot of one (settings, directory) lives.
pub(crate) struct Snapshot {
    dir: PathBuf,
    file: PathBuf,
    /// The format, the build and `settings` (see [`Snapshot::new`]).
    key: [u64; 2],
}

/// The hash of a snapshot's body.
fn body_hash(body: &[u8]) -> [u64; 2] {
    let mut key = Key::new();
    key.bytes(body);
    key.finish()
}

fn words(w: [u64; 2]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&w[0].to_le_bytes());
    out[8..].copy_from_slice(&w[1].to_le_bytes());
    out
}

impl Snapshot {
    /// The snapshot of the cache directory `dir` for `settings` (the
    /// memo's hash of the whole settings and the current directory).
    pub(crate) fn new(dir: &Path, settings: [u64; 2]) -> Snapshot {
        let mut key = Key::new();
        key.bytes(&FORMAT.to_le_bytes());
        key.bytes(crate::cache::build_identity().as_bytes());
        key.bytes(&words(settings));
        let key = key.finish();
        Snapshot {
            dir: dir.to_path_buf(),
            file: dir
                .join(env!("CARGO_PKG_VERSION"))
                .join(format!("{PREFIX}{:016x}", settings[0])),
            key,
        }
    }

    /// The kept model of `bytes` (a snapshot file), if they are one of
    /// this snapshot's.
    fn parse(&self, bytes: &[u8]) -> Option<KeptModel> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC || bytes[8..24] != words(self.key) {
            return None;
        }
        let body = &bytes[HEADER..];
        if bytes[24..HEADER] != words(body_hash(body)) {
            return None;
        }
        KeptModel::from_bytes(body)
    }

    /// Gives `linter` (which keeps its model, [`Linter::keep_model`]) the
    /// kept model of the file, if there is one.
    pub(crate) fn load(&self, linter: &Linter) {
        let Some(slot) = linter.kept_model() else {
            return;
        };
        let Some(kept) = std::fs::read(&self.file)
            .ok()
            .and_then(|bytes| self.parse(&bytes))
        else {
            return;
        };
        if let Ok(mut slot) = slot.lock() {
            *slot = kept;
        }
    }

    /// Writes `linter`'s kept model (on a thread of its own, see
    /// [`crate::cache::in_background`]) when this run built it, or resumed
    /// it other than only at the states the file keeps (an edit of the
    /// revision right after a kept state leaves the file as good as a new
    /// one; any other edit would leave it replaying more on every later
    /// run); not after a panic in the model (its lock is poisoned).
    pub(crate) fn save(self, linter: &Linter) {
        let Some(slot) = linter.kept_model() else {
            return;
        };
        let kept = match slot.lock() {
            Ok(mut kept) => std::mem::take(&mut *kept),
            Err(_) => return,
        };
        crate::timing::note(|| format!("model: {:?}", kept.last_update()));
        if !kept.worth_writing() {
            return;
        }
        crate::cache::in_background(move || {
            let Some(body) = kept.to_bytes() else {
                return;
            };
            let mut bytes = Vec::with_capacity(HEADER + body.len());
            bytes.extend_from_slice(MAGIC);
            bytes.extend_from_slice(&words(self.key));
            bytes.extend_from_slice(&words(body_hash(&body)));
            bytes.extend_from_slice(&body);
            let _ = crate::cache::write_atomic(&self.dir, &self.file, &bytes);
        });
    }
}
