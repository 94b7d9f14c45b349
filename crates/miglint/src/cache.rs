//! `.miglint_cache`: the per-file phase kept between runs of `miglint check`.
//!
//! Layout (like ruff's): `<cache dir>/<miglint version>/<hash of the project
//! root and the settings fingerprint>`, one file per (root, settings) pair;
//! the cache directory holds a `.gitignore` (`*`) and a `CACHEDIR.TAG`. The
//! file holds the entries' blobs, then a header (format, miglint version and
//! build identity, settings fingerprint, root) and the index, then the
//! lengths of those two; a file whose header does not match is ignored and
//! rewritten. The index comes last so that a run writes each new blob as
//! soon as its file is checked ([`Cache::stage`]) instead of holding every
//! blob until the end (at 100,000 revisions they were a third of the run's
//! memory). Entries are keyed by the path as linted and
//! checked against the file's length and a 128-bit hash of its bytes
//! (content, not modification times: checkouts reset those).
//!
//! What an entry holds, and how a warm run uses it, is in
//! `miglint_linter::engine::cached`. A corrupt cache is an empty one, never
//! a crash; a cache that cannot be written is skipped silently. Concurrent
//! runs are safe: a file is written whole to a temporary file beside it and
//! renamed over the old one (the last writer wins; a cache loses entries,
//! never mixes them).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The default cache directory, relative to the project root.
pub const DEFAULT_DIR: &str = ".miglint_cache";
/// The environment variable that names the cache directory.
pub const ENV_VAR: &str = "MIGLINT_CACHE_DIR";
/// Entries not used for this long are dropped when the cache is written.
pub(crate) const MAX_AGE_SECS: u64 = 30 * 24 * 3600;
const MAGIC: &[u8; 8] = b"MIGLINTC";
const FORMAT: u32 = 3;

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by miglint.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// Where the cache lives: `--cache-dir`, else `MIGLINT_CACHE_DIR`, else
/// `cache-dir` from the configuration (relative to its directory), else
/// `.miglint_cache` in the project root.
pub fn resolve_dir(cli: Option<&Path>, options: &miglint_config::Options) -> PathBuf {
    let root = &options.root;
    if let Some(dir) = cli {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os(ENV_VAR).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match &options.cache_dir {
        Some(dir) => root.join(dir.get_ref()),
        None => root.join(DEFAULT_DIR),
    }
}

/// A file's identity for the cache: its length and a 128-bit hash of its
/// bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentKey {
    len: u64,
    hash: [u64; 2],
}

impl ContentKey {
    pub fn of(bytes: &[u8]) -> Self {
        ContentKey {
            len: bytes.len() as u64,
            hash: miglint_diagnostics::salted_hash(
                bytes,
                [0x6d69_676c_696e_7431, 0x6d69_676c_696e_7432],
            ),
        }
    }

    /// The key of a text decoded from these bytes, for the kept model (see
    /// [`miglint_diagnostics::SourceFile::vouch`]).
    pub fn source_key(&self) -> miglint_diagnostics::SourceKey {
        miglint_diagnostics::SourceKey::of_bytes(self.len, self.hash)
    }

    /// The key as bytes (the length, then the two hashes, little-endian).
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut out = [0; 24];
        out[..8].copy_from_slice(&self.len.to_le_bytes());
        out[8..16].copy_from_slice(&self.hash[0].to_le_bytes());
        out[16..].copy_from_slice(&self.hash[1].to_le_bytes());
        out
    }
}

#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    format: u32,
    build: String,
    fingerprint: String,
    root: String,
}

#[derive(Serialize, Deserialize)]
struct IndexEntry {
    path: String,
    key: ContentKey,
    last_seen: u64,
    /// Byte range in the blob area.
    start: u64,
    end: u64,
}

/// A file's bytes with their key, as read for a run (an error: the reason
/// it could not be read, for ML905).
pub type Read = Result<(ContentKey, Vec<u8>), String>;

/// One file's entry after a run: its blob is new (`Some`: written by
/// [`Cache::stage`]) or unchanged.
pub struct Update {
    pub path: PathBuf,
    pub key: ContentKey,
    pub blob: Option<Staged>,
}

/// Where [`Cache::stage`] wrote a blob in the blob area of the file being
/// written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Staged {
    start: u64,
    end: u64,
}

/// The file a run writes its cache to, before [`Cache::save`] renames it
/// over the old one.
enum Writer {
    /// No blob written yet.
    Idle,
    Open(Writing),
    /// It could not be written: nothing more is (a cache is optional).
    Failed,
}

/// A temporary file beside the cache file, its blob area being written.
struct Writing {
    tmp: Tmp,
    out: std::io::BufWriter<std::fs::File>,
    /// The length of the blob area so far.
    len: u64,
}

impl Writing {
    /// Appends `blob` to the blob area; where it went.
    fn append(&mut self, blob: &[u8]) -> std::io::Result<Staged> {
        self.out.write_all(blob)?;
        let start = self.len;
        self.len += blob.len() as u64;
        Ok(Staged {
            start,
            end: self.len,
        })
    }
}

/// A temporary file's path, the file removed when this is dropped unless
/// it was renamed ([`Tmp::rename`]).
struct Tmp {
    path: PathBuf,
    renamed: bool,
}

impl Tmp {
    /// Renames the file to `to`.
    fn rename(mut self, to: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, to)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The cache of one (project root, settings) pair, loaded.
pub struct Cache {
    dir: PathBuf,
    file: PathBuf,
    header: Header,
    /// The whole file as read (empty when there was none or it did not match).
    data: Vec<u8>,
    blobs_at: usize,
    /// By path (as a string: hashing a `Path` walks its components).
    entries: HashMap<String, IndexEntry>,
    /// The file this run writes, once it wrote a blob.
    writer: std::sync::Mutex<Writer>,
}

impl Cache {
    /// Opens the cache in `dir` for `root` and the settings `fingerprint`
    /// (nothing is created until [`Cache::save`]).
    pub fn open(dir: &Path, root: &Path, fingerprint: &str) -> Cache {
        let header = Header {
            format: FORMAT,
            build: build_identity(),
            fingerprint: fingerprint.to_string(),
            root: root.to_string_lossy().into_owned(),
        };
        let mut h = DefaultHasher::new();
        h.write(header.root.as_bytes());
        h.write_u8(0);
        h.write(header.fingerprint.as_bytes());
        let file = dir
            .join(env!("CARGO_PKG_VERSION"))
            .join(format!("{:016x}", h.finish()));
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            file,
            header,
            data: Vec::new(),
            blobs_at: 0,
            entries: HashMap::new(),
            writer: std::sync::Mutex::new(Writer::Idle),
        };
        if let Ok(data) = std::fs::read(&cache.file)
            && let Some((blobs_at, entries)) = parse(&data, &cache.header)
        {
            cache.data = data;
            cache.blobs_at = blobs_at;
            cache.entries = entries;
        }
        cache
    }

    /// The entry of `path` if it was made from the same bytes.
    pub fn get(&self, path: &Path, key: &ContentKey) -> Option<&[u8]> {
        let e = self.entries.get(path.to_str()?)?;
        if e.key != *key {
            return None;
        }
        let start = self.blobs_at.checked_add(usize::try_from(e.start).ok()?)?;
        let end = self.blobs_at.checked_add(usize::try_from(e.end).ok()?)?;
        self.data.get(start..end)
    }

    /// Writes a new entry's blob to the file this run will save (started
    /// on the first call; callers on several threads take turns), so that
    /// the run does not hold it; `None` when it cannot be written (the
    /// entry is then left out).
    pub fn stage(&self, blob: &[u8]) -> Option<Staged> {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if matches!(*writer, Writer::Idle) {
            *writer = self.start_writing().map_or(Writer::Failed, Writer::Open);
        }
        let Writer::Open(w) = &mut *writer else {
            return None;
        };
        let staged = w.append(blob).ok();
        if staged.is_none() {
            // (the partial file is removed)
            *writer = Writer::Failed;
        }
        staged
    }

    /// The temporary file beside the cache file, its magic written.
    fn start_writing(&self) -> Option<Writing> {
        init_dir(&self.dir).ok()?;
        let parent = self.file.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).ok()?;
        let path = tmp_path(parent, &self.file);
        let file = std::fs::File::create(&path).ok()?;
        let mut w = Writing {
            tmp: Tmp {
                path,
                renamed: false,
            },
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            len: 0,
        };
        w.out.write_all(MAGIC).ok()?;
        Some(w)
    }

    /// Writes the cache with this run's `updates` (entries of files not in
    /// this run are kept for 30 days): the blobs [`Cache::stage`] wrote,
    /// then the unchanged ones copied from the old file, the header and the
    /// index, renamed over the old file. Nothing is written when nothing
    /// changed. Failures are ignored: a cache is optional. Once per run:
    /// a later call writes nothing (its staged blobs would be gone).
    pub fn save(&self, updates: Vec<Update>) {
        let writer = std::mem::replace(
            &mut *self
                .writer
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            Writer::Failed,
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let seen: std::collections::HashSet<&str> =
            updates.iter().filter_map(|u| u.path.to_str()).collect();
        let changed = updates
            .iter()
            .any(|u| u.blob.is_some() || self.get(&u.path, &u.key).is_none());
        let expired = self.entries.iter().any(|(p, e)| {
            !seen.contains(p.as_str()) && now.saturating_sub(e.last_seen) > MAX_AGE_SECS
        });
        if !changed && !expired {
            return;
        }
        let w = match writer {
            Writer::Open(w) => w,
            Writer::Idle => match self.start_writing() {
                Some(w) => w,
                None => return,
            },
            Writer::Failed => return,
        };
        let _ = self.finish_writing(w, &updates, &seen, now);
    }

    /// [`Cache::save`]'s writes, once it knows there is something to write.
    fn finish_writing(
        &self,
        mut w: Writing,
        updates: &[Update],
        seen: &std::collections::HashSet<&str>,
        now: u64,
    ) -> std::io::Result<()> {
        let mut index = Vec::with_capacity(updates.len());
        let entry = |path: &Path, key: ContentKey, last_seen: u64, at: Staged| {
            Some(IndexEntry {
                path: path.to_str()?.to_string(),
                key,
                last_seen,
                start: at.start,
                end: at.end,
            })
        };
        // (the old file's blobs are copied from where they are)
        for u in updates {
            let staged = match u.blob {
                Some(s) => s,
                None => match self.get(&u.path, &u.key) {
                    Some(blob) => w.append(blob)?,
                    None => continue,
                },
            };
            index.extend(entry(&u.path, u.key, now, staged));
        }
        let mut kept: Vec<(&String, &IndexEntry)> = self
            .entries
            .iter()
            .filter(|(p, e)| {
                !seen.contains(p.as_str()) && now.saturating_sub(e.last_seen) <= MAX_AGE_SECS
            })
            .collect();
        kept.sort_by(|a, b| miglint_diagnostics::path_cmp(Path::new(a.0), Path::new(b.0)));
        for (path, e) in kept {
            if let Some(blob) = self.get(Path::new(path), &e.key) {
                let at = w.append(blob)?;
                index.extend(entry(Path::new(path), e.key, e.last_seen, at));
            }
        }
        let header = postcard::to_stdvec(&self.header).map_err(std::io::Error::other)?;
        let index = postcard::to_stdvec(&index).map_err(std::io::Error::other)?;
        w.out.write_all(&header)?;
        w.out.write_all(&index)?;
        w.out.write_all(&(header.len() as u64).to_le_bytes())?;
        w.out.write_all(&(index.len() as u64).to_le_bytes())?;
        w.out.flush()?;
        // closed before the rename
        let Writing { tmp, out, .. } = w;
        drop(out);
        tmp.rename(&self.file)
    }
}

/// Writes started by [`in_background`], not yet waited for.
static BACKGROUND: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Runs `job` (a cache write) on a thread of its own, after the earlier
/// ones of this process (here when no thread can be made): the run goes on
/// to its output meanwhile. [`finish_writes`] waits for it.
pub fn in_background(job: impl FnOnce() + Send + 'static) {
    let earlier = std::mem::take(&mut *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()));
    // taken by whichever runs it: the thread, or this one if none is made
    let work = std::sync::Arc::new(std::sync::Mutex::new(Some((earlier, job))));
    let run = {
        let work = std::sync::Arc::clone(&work);
        move || {
            let taken = work.lock().ok().and_then(|mut w| w.take());
            if let Some((earlier, job)) = taken {
                for handle in earlier {
                    let _ = handle.join();
                }
                job();
            }
        }
    };
    match std::thread::Builder::new().spawn(run) {
        Ok(handle) => BACKGROUND
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle),
        Err(_) => {
            let taken = work.lock().ok().and_then(|mut w| w.take());
            if let Some((earlier, job)) = taken {
                for handle in earlier {
                    let _ = handle.join();
                }
                job();
            }
        }
    }
}

/// Waits for the writes started by [`in_background`] (before the process
/// ends: a write cut short would leave its temporary file behind).
pub fn finish_writes() {
    let pending = std::mem::take(&mut *BACKGROUND.lock().unwrap_or_else(|e| e.into_inner()));
    for handle in pending {
        let _ = handle.join();
    }
}

/// Writes `file` inside the cache directory `dir` whole: to a temporary
/// file beside it, renamed over it (concurrent runs: the last writer wins).
pub(crate) fn write_atomic(dir: &Path, file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(dir, file, |f| f.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes.
pub(crate) fn write_atomic_with(
    dir: &Path,
    file: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    init_dir(dir)?;
    let parent = file.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let tmp = tmp_path(parent, file);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        write(&mut f)?;
        drop(f);
        std::fs::rename(&tmp, file)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
/// A temporary file's name in `parent` for writing `file` (this process's
/// id and the time: concurrent runs never share one).
fn tmp_path(parent: &Path, file: &Path) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    parent.join(format!(
        ".tmp-{}-{nanos}-{}",
        std::process::id(),
        file.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ))
}

/// Creates the cache directory with its `.gitignore` and `CACHEDIR.TAG`.
pub(crate) fn init_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        std::fs::write(&gitignore, "# Automatically created by miglint.\n*\n")?;
    }
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(&tag, CACHEDIR_TAG)?;
    }
    Ok(())
}

/// The header check and the index of a cache file; `None` for anything
/// else (another format, build, settings or root; truncated or corrupt).
fn parse(data: &[u8], expected: &Header) -> Option<(usize, HashMap<String, IndexEntry>)> {
    let body = data.strip_prefix(MAGIC)?;
    // the lengths of the header and the index, last
    let lens_at = body.len().checked_sub(16)?;
    let len = |at: usize| -> Option<usize> {
        usize::try_from(u64::from_le_bytes(body.get(at..at + 8)?.try_into().ok()?)).ok()
    };
    let (header_len, index_len) = (len(lens_at)?, len(lens_at + 8)?);
    let index_at = lens_at.checked_sub(index_len)?;
    let header_at = index_at.checked_sub(header_len)?;
    let header: Header = postcard::from_bytes(&body[header_at..index_at]).ok()?;
    if header != *expected {
        return None;
    }
    let index: Vec<IndexEntry> = postcard::from_bytes(&body[index_at..lens_at]).ok()?;
    let blobs = header_at as u64;
    let mut entries = HashMap::with_capacity(index.len());
    for mut e in index {
        if e.start > e.end || e.end > blobs {
            return None;
        }
        entries.insert(std::mem::take(&mut e.path), e);
    }
    Some((MAGIC.len(), entries))
}

/// The miglint version plus the identity of this executable (its length
/// and modification time): a rebuilt binary, whose rules may have changed
/// without a version bump, never reads another build's entries.
pub(crate) fn build_identity() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", m.len())
        })
        .unwrap_or_default();
    format!("{}+{exe}", env!("CARGO_PKG_VERSION"))
}

/// `miglint clean`: removes the cache directory `dir` (only if it is one:
/// it holds miglint's `CACHEDIR.TAG`). Returns whether it removed it.
pub fn clean(dir: &Path) -> std::io::Result<bool> {
    let tag = dir.join("CACHEDIR.TAG");
    match std::fs::read_to_string(&tag) {
        Ok(text) if text.contains("created by miglint") => {
            std::fs::remove_dir_all(dir)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
