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
//! inputs besides the files; read once per run, for the key and the
//! targets alike). A miss runs the cached per-file phase and the
//! project phase as before and then writes the memo; a run with an
//! unreadable file or an internal error writes none.
//!
//! Each file's findings are encoded apart, with the positions of the files
//! their labels point at, so that a hit decodes only those of the reports
//! it may show (a pre-commit run names one file of hundreds).
//!
//! One memo per (settings, directory, set of paths) under
//! `<cache dir>/<version>/memo-<hash>`; a changed file overwrites it, a
//! memo unused for 30 days is removed when another is written. A corrupt or
//! foreign memo is a miss.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use miglint_diagnostics::{Diagnostic, DialectSet, FileReport, SourceFile};
use miglint_linter::{Linter, LinterSettings};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, ContentKey};
use crate::filestat::FileStat;
use crate::key::Key;

const MAGIC: &[u8; 8] = b"MIGLINTM";
const FORMAT: u32 = 5;
/// Above this many kept reports, their sources are built in parallel.
const PARALLEL_THRESHOLD: usize = 16;
/// Above this many files, they are stat'ed in parallel.
const PARALLEL_STATS: usize = 1024;

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

/// A memo as stored; its findings borrow the memo file's bytes.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    format: u32,
    key: [u64; 2],
    /// [`Memo::started`] and [`Memo::files`].
    started: i128,
    files: Vec<(FileStat, ContentKey)>,
    targets: String,
    dialects: DialectSet,
    ids: Vec<String>,
    /// One per file, in path order.
    #[serde(borrow)]
    findings: Vec<Findings<'a>>,
}

/// One file's findings, encoded apart so that a hit decodes only those of
/// the reports it may show.
#[derive(Serialize, Deserialize)]
struct Findings<'a> {
    /// The positions (in path order) of the other files that the labels of
    /// these findings point at; [`ELSEWHERE`] for a file that is not linted.
    labels: Vec<u32>,
    /// [`miglint_linter::encode_findings`] of this file's report alone.
    encoded: &'a [u8],
    /// The file decoded (its report's text is not empty): its text is
    /// then its bytes unless they hold a `\r` (see [`text_of`]).
    decoded: bool,
}

/// A label's file that is not one of the linted files.
const ELSEWHERE: u32 = u32::MAX;

impl Findings<'_> {
    /// Whether a run may keep some of these findings of the file at `pos`
    /// (positions in path order; `shown` as in [`Keep`]): the file is
    /// shown, or a label points at a shown file (or at a file that is not
    /// linted).
    fn may_be_kept(&self, pos: usize, shown: impl Fn(usize) -> bool) -> bool {
        shown(pos)
            || self
                .labels
                .iter()
                .any(|&l| l == ELSEWHERE || shown(l as usize))
    }
}

/// The path's bytes as the OS spells them.
fn path_bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_encoded_bytes()
}

/// What [`miglint_config::read_environment`] finds for the environment
/// folder of each file (the targets' inputs besides the files), hashed; read
/// through the settings, which read each folder once per run: the targets
/// are decided from the same reading (see [`miglint_config::Environments`]).
fn environments(settings: &LinterSettings, files: &[PathBuf]) -> [u64; 2] {
    // (a file's environment folder depends on its parent folder only, and
    // the files of one folder are usually next to each other)
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut last_parent: Option<&Path> = None;
    for f in files {
        let parent = f.parent();
        if parent.is_some() && parent == last_parent {
            continue;
        }
        last_parent = parent;
        dirs.insert(miglint_config::environment_dir(f));
    }
    let mut key = Key::new();
    for dir in &dirs {
        key.bytes(path_bytes(dir));
        key.bytes(format!("{:?}", settings.environment(dir)).as_bytes());
    }
    key.finish()
}

/// Where the memo of one run lives and the order of its files: the slot
/// (settings, directory and the set of paths; not the contents).
struct Slot {
    file: PathBuf,
    slot: [u64; 2],
    /// The settings and directory alone (the model snapshot's slot, see
    /// `crate::snapshot`).
    settings: [u64; 2],
    /// File indices in path order.
    order: Vec<usize>,
}

impl Slot {
    fn new(dir: &Path, linter: &Linter, cwd: &Path, files: &[PathBuf]) -> Slot {
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by(|&a, &b| miglint_diagnostics::path_cmp(&files[a], &files[b]));
        let mut slot = Key::new();
        slot.bytes(format!("{:?}", linter.settings).as_bytes());
        slot.bytes(path_bytes(cwd));
        let settings = slot.finish();
        for &i in &order {
            slot.bytes(path_bytes(&files[i]));
        }
        let slot = slot.finish();
        Slot {
            file: dir
                .join(env!("CARGO_PKG_VERSION"))
                .join(format!("memo-{:016x}", slot[0])),
            slot,
            settings,
            order,
        }
    }

    /// The bytes of this slot's memo file, if any.
    fn read(&self) -> Option<Vec<u8>> {
        std::fs::read(&self.file).ok()
    }

    /// The stored memo in `data` ([`Slot::read`]), if it is one of this
    /// slot (its findings not decoded).
    fn parse<'a>(&self, data: &'a [u8]) -> Option<Stored<'a>> {
        let stored: Stored = postcard::from_bytes(data.strip_prefix(MAGIC)?).ok()?;
        (stored.format == FORMAT
            && stored.files.len() == self.order.len()
            && stored.findings.len() == self.order.len())
        .then_some(stored)
    }

    /// The key: the slot, the build, the contents (`keys` in path order)
    /// and the environments.
    fn key(&self, keys: &[ContentKey], environments: [u64; 2]) -> [u64; 2] {
        let mut key = Key::new();
        key.bytes(&FORMAT.to_le_bytes());
        key.bytes(crate::cache::build_identity().as_bytes());
        key.bytes(&self.slot[0].to_le_bytes());
        key.bytes(&self.slot[1].to_le_bytes());
        for k in keys {
            key.bytes(&k.to_bytes());
        }
        key.bytes(&environments[0].to_le_bytes());
        key.bytes(&environments[1].to_le_bytes());
        key.finish()
    }
}

/// The memo of one run's inputs (see the module documentation).
struct Memo {
    dir: PathBuf,
    slot: Slot,
    key: [u64; 2],
    /// When the run began (before any file was stat'ed), in nanoseconds
    /// since the epoch.
    started: i128,
    /// Each file's stat (taken before it was read) and content key, in
    /// path order.
    files: Vec<(FileStat, ContentKey)>,
}

impl Memo {
    /// Writes the memo of `finished` (failures ignored: a cache is
    /// optional), and removes memos unused for 30 days.
    fn save(&self, files: &[PathBuf], finished: &Finished) {
        // the reports must be the files in path order, one each (the
        // environments' files were read once, for the key and the targets
        // alike: an edit during the run is in neither)
        if finished.reports.len() != self.slot.order.len()
            || finished
                .reports
                .iter()
                .zip(&self.slot.order)
                .any(|(r, &i)| r.source.path != files[i])
        {
            return;
        }
        // each file's findings encoded alone, with where their labels point
        let position: HashMap<&Path, u32> = finished
            .reports
            .iter()
            .enumerate()
            .map(|(pos, r)| (r.source.path.as_path(), pos as u32))
            .collect();
        let encoded: Vec<(Vec<u32>, Vec<u8>, bool)> = finished
            .reports
            .iter()
            .enumerate()
            .map(|(pos, r)| {
                let mut labels: Vec<u32> = r
                    .diagnostics
                    .iter()
                    .flat_map(|d| &d.labels)
                    .filter_map(|l| l.file.as_deref())
                    .map(|f| position.get(f).copied().unwrap_or(ELSEWHERE))
                    .filter(|&l| l != pos as u32)
                    .collect();
                labels.sort_unstable();
                labels.dedup();
                let encoded = miglint_linter::encode_findings(std::slice::from_ref(r));
                (labels, encoded, !r.source.text.is_empty())
            })
            .collect();
        // put together and written while the run goes on to its output
        // (see `crate::cache::in_background`)
        let (format, key, started) = (FORMAT, self.key, self.started);
        let files = self.files.clone();
        let (targets, dialects, ids) = (
            finished.targets.clone(),
            finished.dialects,
            finished.ids.clone(),
        );
        let (dir, file) = (self.dir.clone(), self.slot.file.clone());
        crate::cache::in_background(move || {
            let stored = Stored {
                format,
                key,
                started,
                files,
                targets,
                dialects,
                ids,
                findings: encoded
                    .iter()
                    .map(|(labels, encoded, decoded)| Findings {
                        labels: labels.clone(),
                        encoded,
                        decoded: *decoded,
                    })
                    .collect(),
            };
            // encoded straight into the file (at 100,000 revisions a copy
            // of the whole memo in memory was a tenth of the run's peak)
            let written = crate::cache::write_atomic_with(&dir, &file, |f| {
                use std::io::Write;
                let mut out = std::io::BufWriter::with_capacity(1 << 16, f);
                out.write_all(MAGIC)?;
                postcard::to_io(&stored, &mut out).map_err(std::io::Error::other)?;
                out.flush()
            });
            if written.is_ok() {
                prune(&file);
            }
        });
    }
}

/// Removes the memos and model snapshots of this version (beside `file`)
/// not written for 30 days.
fn prune(file: &Path) {
    let Some(parent) = file.parent() else {
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
        let name = e.file_name();
        let name = name.to_string_lossy();
        if old && (name.starts_with("memo-") || name.starts_with(crate::snapshot::PREFIX)) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// One file's bytes and content key, or why it could not be read.
type Read = Result<(ContentKey, Vec<u8>), String>;

fn read_one(cap: u64, path: &Path) -> Read {
    match miglint_config::read_capped(path, cap) {
        Ok(bytes) => Ok((ContentKey::of(&bytes), bytes)),
        Err(e) => Err(e.to_string()),
    }
}

/// [`read_one`] with the stat of the opened file, taken before its bytes
/// were read (none when it could not be read).
fn read_stat(cap: u64, path: &Path) -> (Option<FileStat>, Read) {
    match miglint_config::read_capped_stat(path, cap) {
        Ok((bytes, meta)) => (
            Some(FileStat::of(&meta)),
            Ok((ContentKey::of(&bytes), bytes)),
        ),
        Err(e) => (None, Err(e.to_string())),
    }
}

/// `f` of each item (with its index) in order: on the rayon pool when
/// `parallel`, else on this thread (below a few items starting the pool
/// costs more than it saves).
fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    parallel: bool,
    f: impl Fn(usize, &T) -> R + Sync + Send,
) -> Vec<R> {
    if parallel {
        items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect()
    } else {
        items.iter().enumerate().map(|(i, t)| f(i, t)).collect()
    }
}

/// Each file's stat and, for the files `read_now` wants, its bytes, in
/// path order (`order`: indices into `files`), in parallel above a few.
fn stat_or_read(
    cap: u64,
    files: &[PathBuf],
    order: &[usize],
    read_now: impl Fn(usize) -> bool + Sync,
) -> Vec<(Option<FileStat>, Option<Read>)> {
    let one = |pos: usize, &i: &usize| {
        if read_now(pos) {
            let (stat, read) = read_stat(cap, &files[i]);
            (stat, Some(read))
        } else {
            let stat = std::fs::metadata(&files[i]).ok().map(|m| FileStat::of(&m));
            (stat, None)
        }
    };
    // (a pre-commit hit reads one file and stats a few hundred: 1-3 µs each,
    // less than starting the thread pool costs)
    let reads = (0..order.len()).filter(|&pos| read_now(pos)).count();
    let parallel = reads >= PARALLEL_THRESHOLD || order.len() >= PARALLEL_STATS;
    map_in_order(order, parallel, one)
}

/// Reads the files `which` (indices into `files`) into `contents`, in
/// parallel above a few.
fn read_into(cap: u64, files: &[PathBuf], which: &[usize], contents: &mut [Option<Read>]) {
    let parallel = which.len() >= PARALLEL_THRESHOLD;
    let read = map_in_order(which, parallel, |_, &i| read_one(cap, &files[i]));
    for (&i, r) in which.iter().zip(read) {
        contents[i] = Some(r);
    }
}

/// Reads the files `which` (index into `files`, the stat the memo vouched
/// for, the content key it recorded) into `contents`, in parallel above a
/// few: a file whose opened handle stats as `stat` has the recorded key
/// (as on a hit: see [`FileStat::unchanged_since`]), without hashing its
/// bytes; any other is left unread (`None`) for [`read_into`].
fn read_known_into(
    cap: u64,
    files: &[PathBuf],
    which: &[(usize, FileStat, ContentKey)],
    contents: &mut [Option<Read>],
) {
    let parallel = which.len() >= PARALLEL_THRESHOLD;
    let read = map_in_order(which, parallel, |_, &(i, stat, key)| {
        miglint_config::read_if_same(&files[i], cap, |meta| FileStat::of(meta) == stat)
            .map(|bytes| Ok((key, bytes)))
    });
    for (&(i, _, _), r) in which.iter().zip(read) {
        contents[i] = r;
    }
}

/// The project phase through the cache: the memo when it holds this run's
/// inputs, else the cached per-file phase, `finish` (the project phase) and
/// a new memo. On a hit only the reports that `keep` wants are built, and
/// only the findings of files [`Keep`] may keep are decoded (`keep.narrow`
/// may drop some of a report's findings; the caller narrows the reports
/// with the same function afterwards).
///
/// Each file is stat'ed before it is read; a file the memo recorded with
/// the same stat fields, modified well before the memo's run began
/// ([`FileStat::unchanged_since`]), keeps its recorded content key and is
/// read only if a kept report shows it.
pub fn check(
    linter: &Linter,
    files: &[PathBuf],
    dir: &Path,
    unreadable: bool,
    keep: Keep<impl Fn(&Path) -> bool + Sync, impl Fn(&Path, &mut Vec<Diagnostic>) -> bool + Sync>,
    finish: impl FnOnce(crate::run::Lint<'_>) -> Finished,
) -> Finished {
    let started = crate::filestat::nanos(SystemTime::now());
    let cwd = std::env::current_dir().unwrap_or_default();
    let cap = linter.settings.options.max_file_size;
    let slot = Slot::new(dir, linter, &cwd, files);
    let data = if unreadable { None } else { slot.read() };
    let stored = data.as_deref().and_then(|d| slot.parse(d));
    // in path order: each file's stat; a file a hit shows (its text is
    // needed then) is read at once, as is every file without a memo (a
    // miss reads them all), its stat taken from the opened file before the
    // read
    let shown: Vec<bool> = slot
        .order
        .iter()
        .map(|&i| (keep.shown)(&files[i]))
        .collect();
    let read_now = |pos: usize| stored.is_none() || shown[pos];
    let mut contents: Vec<Option<Read>> = (0..files.len()).map(|_| None).collect();
    let mut stats: Vec<Option<FileStat>> = Vec::with_capacity(files.len());
    for (&i, (stat, read)) in slot
        .order
        .iter()
        .zip(stat_or_read(cap, files, &slot.order, read_now))
    {
        stats.push(stat);
        contents[i] = read;
    }
    // the content key the memo vouches for by a file's stat (a file read
    // already is keyed by its bytes)
    let vouched: Vec<bool> = stats
        .iter()
        .enumerate()
        .map(|(pos, stat)| {
            stored.as_ref().is_some_and(|stored| {
                let (recorded, _) = stored.files[pos];
                stat.as_ref()
                    .is_some_and(|s| s.unchanged_since(&recorded, stored.started))
            })
        })
        .collect();
    let known: Vec<Option<ContentKey>> = slot
        .order
        .iter()
        .zip(&vouched)
        .enumerate()
        .map(|(pos, (&i, &vouched))| {
            let stored = stored.as_ref()?;
            (vouched && contents[i].is_none()).then_some(stored.files[pos].1)
        })
        .collect();
    let unknown: Vec<usize> = slot
        .order
        .iter()
        .zip(&known)
        .filter_map(|(&i, k)| (k.is_none() && contents[i].is_none()).then_some(i))
        .collect();
    read_into(cap, files, &unknown, &mut contents);
    crate::timing::note(|| {
        let vouched = vouched.iter().filter(|&&v| v).count();
        format!(
            "memo key: {vouched} files known by stat, {} read for their key",
            files.len() - vouched
        )
    });
    let key_of = |c: &Option<Read>| c.as_ref()?.as_ref().ok().map(|(k, _)| *k);
    let keys: Option<Vec<ContentKey>> = slot
        .order
        .iter()
        .zip(&known)
        .map(|(&i, k)| k.or_else(|| key_of(&contents[i])))
        .collect();
    let environments = environments(&linter.settings, files);
    crate::timing::mark("memo key");
    if let (Some(stored), Some(keys)) = (stored, &keys)
        && stored.key == slot.key(keys, environments)
        && let Some(finished) = hit(
            stored,
            &slot,
            files,
            &shown,
            &known,
            &mut contents,
            cap,
            &keep,
        )
    {
        return finished;
    }
    // a miss: read what the stats vouched for (keyed by the memo, not
    // hashed, while the opened file still stats the same), then lint
    let slot_settings = slot.settings;
    let vouched_unread: Vec<(usize, FileStat, ContentKey)> = slot
        .order
        .iter()
        .zip(&stats)
        .zip(&known)
        .filter_map(|((&i, stat), key)| contents[i].is_none().then_some((i, (*stat)?, (*key)?)))
        .collect();
    read_known_into(cap, files, &vouched_unread, &mut contents);
    crate::timing::note(|| {
        let kept = vouched_unread
            .iter()
            .filter(|(i, _, _)| contents[*i].is_some())
            .count();
        format!("memo miss: {kept} files keyed by their stat, not hashed")
    });
    crate::timing::mark("miss read");
    let unread: Vec<usize> = (0..files.len())
        .filter(|&i| contents[i].is_none())
        .collect();
    read_into(cap, files, &unread, &mut contents);
    let contents: Vec<Read> = contents
        .into_iter()
        .map(|c| c.unwrap_or_else(|| Err(String::new())))
        .collect();
    let memo = if unreadable {
        None
    } else {
        let files: Option<Vec<(FileStat, ContentKey)>> = slot
            .order
            .iter()
            .zip(&stats)
            .map(|(&i, s)| Some(((*s)?, contents[i].as_ref().ok()?.0)))
            .collect();
        files.map(|files| {
            let keys: Vec<ContentKey> = files.iter().map(|(_, k)| *k).collect();
            Memo {
                dir: dir.to_path_buf(),
                key: slot.key(&keys, environments),
                slot,
                started,
                files,
            }
        })
    };
    let options = &linter.settings.options;
    let cache = Cache::open(dir, &options.root, &linter.cache_fingerprint());
    crate::timing::mark("cache open");
    // the model kept by the last miss, replayed from the first changed
    // revision on
    let snapshot = crate::snapshot::Snapshot::new(dir, slot_settings);
    snapshot.load(linter);
    crate::timing::mark("model read");
    let finished = finish(crate::run::Lint::cached(linter, files, contents, cache));
    if linter.internal_errors() == 0 {
        snapshot.save(linter);
        if let Some(memo) = memo {
            memo.save(files, &finished);
        }
    }
    finished
}

/// The text of a file whose bytes are those the memo was made from (its
/// content key matched), as the run that made it decoded them: the decoder
/// keeps every byte but a lone `\r` (byte offsets stay), so bytes that
/// decoded then and hold no `\r` are the text; only the others are decoded
/// again ([`miglint_linter::source_text`], the same decoder).
fn text_of(bytes: &[u8], decoded: bool) -> Arc<str> {
    if decoded
        && !bytes.contains(&b'\r')
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Arc::from(text);
    }
    miglint_linter::source_text(bytes)
}

/// Which reports a run keeps: `shown` says whether a file's report is kept
/// whole; `narrow` is called on each report (it may drop findings) and says
/// whether it is kept. A report whose file is not shown is kept only for
/// findings with a label in a shown file (`narrow` keeps those), so a hit
/// decodes the findings of the other files only when some label points at a
/// shown file.
pub struct Keep<S, N> {
    pub shown: S,
    pub narrow: N,
}

/// The reports of a memo whose key matched, or `None` when its findings do
/// not decode or a kept file known by its stat reads otherwise now (a
/// miss). The kept files not read yet are read into `contents`.
#[allow(clippy::too_many_arguments)]
fn hit(
    stored: Stored<'_>,
    slot: &Slot,
    files: &[PathBuf],
    shown: &[bool],
    known: &[Option<ContentKey>],
    contents: &mut [Option<Read>],
    cap: u64,
    keep: &Keep<impl Fn(&Path) -> bool, impl Fn(&Path, &mut Vec<Diagnostic>) -> bool + Sync>,
) -> Option<Finished> {
    let mut kept: Vec<(usize, bool, Vec<Diagnostic>)> = Vec::new();
    for (pos, (&i, findings)) in slot.order.iter().zip(&stored.findings).enumerate() {
        if !findings.may_be_kept(pos, |p| shown.get(p).copied().unwrap_or(true)) {
            continue;
        }
        let mut decoded = miglint_linter::decode_findings(findings.encoded)?;
        let mut d = decoded.pop()?;
        if !decoded.is_empty() {
            return None;
        }
        if (keep.narrow)(&files[i], &mut d) {
            kept.push((i, findings.decoded, d));
        }
    }
    let unread: Vec<usize> = kept
        .iter()
        .filter_map(|&(i, _, _)| contents[i].is_none().then_some(i))
        .collect();
    read_into(cap, files, &unread, contents);
    for (&i, &key) in slot.order.iter().zip(known) {
        if let (Some(key), Some(read)) = (key, &contents[i])
            && read.as_ref().map(|(k, _)| *k).ok() != Some(key)
        {
            return None;
        }
    }
    let contents = &*contents;
    let report = |(i, decoded, diagnostics): (usize, bool, Vec<Diagnostic>)| {
        let text = match &contents[i] {
            Some(Ok((_, bytes))) => text_of(bytes, decoded),
            _ => Arc::from(""),
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
    Some(Finished {
        reports,
        ids: stored.ids,
        linted: files.len(),
        targets: stored.targets,
        dialects: stored.dialects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serial and parallel give each item's result with its index, in the
    /// items' order, around and far above the thresholds.
    #[test]
    fn map_in_order_is_the_same_serial_and_parallel() {
        for n in [0, 1, 15, 16, 17, 1023, 1024, 5000] {
            let items: Vec<u64> = (0..n as u64)
                .map(|i| i.wrapping_mul(0x9e37_79b9) % 977)
                .collect();
            let f = |i: usize, &x: &u64| (i, x * 3 + 1);
            let expected: Vec<(usize, u64)> = items
                .iter()
                .enumerate()
                .map(|(i, &x)| (i, x * 3 + 1))
                .collect();
            assert_eq!(map_in_order(&items, false, f), expected, "{n} serial");
            assert_eq!(map_in_order(&items, true, f), expected, "{n} parallel");
        }
    }
}
