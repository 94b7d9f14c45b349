//! The Alembic revision graph, as alembic's `RevisionMap` would build it,
//! computed from the identifiers each file declares (`revision`,
//! `down_revision`, `depends_on`, `branch_labels`). The ML5xx rules and
//! `miglint graph` read it.
//!
//! # Environments: which files form one graph
//!
//! Alembic builds one graph per migration environment (one
//! `script_location` with all its `version_locations`). miglint may be run
//! on a directory holding several environments (a monorepo, a package with
//! an app database and an auth database, per-dialect tracks), and rules see
//! only file paths, never `alembic.ini`. The files are therefore grouped
//! like this:
//!
//! 1. A **track** is one directory holding revision files (only files where
//!    [`ProjectFile::is_revision`] holds).
//! 2. A track's **scope** is the directory above its nearest enclosing
//!    directory whose name starts with `versions` (`alembic/versions/`,
//!    `versions/2023.1/expand/`, `versions_gxy/`), or the track's parent
//!    directory when there is none. Tracks in different scopes never share
//!    a graph.
//! 3. Within a scope, two tracks belong to the same **environment** when a
//!    file of one names, in `down_revision` or `depends_on`, an id or
//!    branch label that its own track does not declare but the other one
//!    does (transitively). So neutron's `versions/<release>/<expand|contract>`
//!    folders form one graph, while prefect's `versions/postgresql` and
//!    `versions/sqlite` tracks, which never reference each other and reuse
//!    the same ids, stay two graphs.
//!
//! The price: two version locations of one environment that never reference
//! each other are checked as two graphs, so two unlabelled bases spread over
//! them are not reported (a missed error, never a false one).
//!
//! # What the graph holds
//!
//! Nodes are the files with a literal revision id (or the legacy id alembic
//! takes from a file named `<hex>.py`), in path order. Edges follow alembic:
//! `down_revision` makes parents/children (heads and bases are computed from
//! these only); `depends_on` makes dependency edges, which take part in
//! cycle detection but do not make a revision a non-head. A revision whose
//! id another file already declared is kept as a node with
//! [`Node::duplicate_of`] set and takes no part in edges, heads or bases.
//! Files whose id, parents or labels are not literals make the environment
//! [`Environment::opaque`]: the rules that would need them (missing parents,
//! heads, bases) stay silent there.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};

use miglint_diagnostics::{Label, TextRange};
use miglint_python::{IdAssign, IdValue};

use crate::files::ProjectFile;

mod queries;
mod scc;
use scc::{Adj, UnionFind, cycle_path, strongly_connected};

/// A revision named by `down_revision` or `depends_on`.
#[derive(Debug, Clone)]
pub struct Ref<'a> {
    pub name: &'a str,
    /// The string literal naming it.
    pub range: TextRange,
    /// The node it resolves to (by id, else by branch label).
    pub target: Option<usize>,
}

/// What `down_revision` says.
#[derive(Debug, Clone)]
pub enum Parents<'a> {
    /// `down_revision = None` (or an empty tuple): a base.
    Base,
    /// One id, or several (a merge).
    Revisions(Vec<Ref<'a>>),
    /// Not a literal, or not assigned at all.
    Unknown,
}

/// A `branch_labels` entry.
#[derive(Debug, Clone)]
pub struct BranchLabel<'a> {
    /// The label, or the source text of a non-literal expression.
    pub key: &'a str,
    /// Whether `key` is a literal label (else an expression alembic
    /// evaluates at run time, such as neutron's `cli.EXPAND_BRANCH`).
    pub literal: bool,
    pub range: TextRange,
}

/// One revision script.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// Index into the project's files.
    pub file: usize,
    pub id: &'a str,
    /// The `revision = "..."` string; `None` for an id alembic takes from a
    /// legacy `<hex>.py` file name.
    pub id_range: Option<TextRange>,
    pub down: Parents<'a>,
    /// The value of the `down_revision` assignment, when there is one.
    pub down_range: Option<TextRange>,
    pub depends_on: Vec<Ref<'a>>,
    pub labels: Vec<BranchLabel<'a>>,
    /// Revisions whose `down_revision` names this one.
    pub children: Vec<usize>,
    /// Revisions whose `depends_on` names this one.
    pub dependents: Vec<usize>,
    /// Set when an earlier file (in path order) declares the same id.
    pub duplicate_of: Option<usize>,
}

impl<'a> Node<'a> {
    /// The resolved `down_revision` targets.
    pub fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        let refs: &[Ref<'a>] = match &self.down {
            Parents::Revisions(r) => r,
            _ => &[],
        };
        refs.iter().filter_map(|r| r.target)
    }

    pub fn parent_refs(&self) -> &[Ref<'a>] {
        match &self.down {
            Parents::Revisions(r) => r,
            _ => &[],
        }
    }

    pub fn is_base(&self) -> bool {
        self.duplicate_of.is_none() && matches!(self.down, Parents::Base)
    }

    pub fn is_head(&self) -> bool {
        self.duplicate_of.is_none() && self.children.is_empty()
    }

    pub fn is_branch_point(&self) -> bool {
        self.children.len() > 1
    }

    pub fn is_merge_point(&self) -> bool {
        self.parent_refs().len() > 1
    }

    /// The span that best stands for this revision: its id, else its
    /// `down_revision`, else the start of the file.
    pub fn anchor(&self) -> TextRange {
        self.id_range
            .or(self.down_range)
            .unwrap_or(TextRange::empty(0))
    }
}

/// A cycle in the graph.
#[derive(Debug, Clone)]
pub struct Cycle {
    /// The nodes of the cycle (a strongly connected component), in order
    /// along the edges starting at the first one in path order: each
    /// revises (or depends on) the next, the last one the first.
    pub path: Vec<usize>,
    /// Whether the cycle needs a `depends_on` edge (alembic then says
    /// "Dependency cycle"/"Dependency self-loop").
    pub via_dependency: bool,
}

impl Cycle {
    pub fn is_self_loop(&self) -> bool {
        self.path.len() == 1
    }
}

/// Several heads that share ancestors (one branch that forked and was
/// never merged).
#[derive(Debug, Clone)]
pub struct HeadConflict {
    /// Heads in path order.
    pub heads: Vec<usize>,
    /// The latest revision every head descends from.
    pub branch_point: Option<usize>,
    /// For each head, the child of the branch point it descends from.
    pub forks: Vec<Option<usize>>,
    /// The branch labels the heads share (empty: none).
    pub labels: Vec<String>,
}

/// Lines of revisions with no common ancestor and the same (or no) branch
/// labels: alembic sees one head per line.
#[derive(Debug, Clone)]
pub struct SeparateLines {
    /// Per line (in path order of their first base): its bases.
    pub bases: Vec<Vec<usize>>,
    /// Per line: its heads.
    pub heads: Vec<Vec<usize>>,
    pub labels: Vec<String>,
}

/// What heads and bases say about an environment.
#[derive(Debug, Clone, Default)]
pub struct HeadReport {
    pub conflicts: Vec<HeadConflict>,
    pub separate_lines: Vec<SeparateLines>,
}

/// One migration environment and its graph.
#[derive(Debug, Clone)]
pub struct Environment<'a> {
    /// The deepest directory holding every file of the environment.
    pub root: PathBuf,
    /// Revision files (indices into the project's files), in path order.
    pub files: Vec<usize>,
    pub nodes: Vec<Node<'a>>,
    /// Revision id → node (the first file declaring it).
    pub ids: FastMap<&'a str, usize>,
    /// Literal branch label → node.
    pub labels: FastMap<&'a str, usize>,
    /// Revision files with no usable id: no `revision` assignment (and no
    /// legacy hex file name), or `revision = None`.
    pub without_id: Vec<usize>,
    /// Some id, `down_revision` or `depends_on` is not a literal (or is
    /// missing), so heads and bases cannot be known for sure.
    pub opaque: bool,
    /// Some revision id is not a literal: a reference may name it.
    pub unknown_ids: bool,
    /// Some `branch_labels` is not a literal: a reference may name it.
    pub dynamic_labels: bool,
}

/// Groups the project's revision files into environments (see the module
/// docs) and builds each one's graph. Deterministic: environments are in
/// path order of their first file.
pub fn environments<'a>(files: &[ProjectFile<'a>]) -> Vec<Environment<'a>> {
    let revs: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].is_revision())
        .collect();
    if revs.is_empty() {
        return Vec::new();
    }

    // tracks (directories) and their scopes
    // (files come sorted by path: a directory's files are mostly adjacent)
    let mut track_index: FastMap<&std::ffi::OsStr, usize> = FastMap::default();
    let mut track_dirs: Vec<&Path> = Vec::new();
    let mut last: Option<(&std::ffi::OsStr, usize)> = None;
    let file_track: Vec<usize> = revs
        .iter()
        .map(|&i| {
            if let Some((k, t)) = last
                && in_dir(files[i].path, Path::new(k))
            {
                return t;
            }
            let dir = parent_dir(files[i].path);
            let key = dir.as_os_str();
            let t = *track_index.entry(key).or_insert_with(|| {
                track_dirs.push(dir);
                track_dirs.len() - 1
            });
            last = Some((key, t));
            t
        })
        .collect();
    let mut scope_index: FastMap<&std::ffi::OsStr, usize> = FastMap::default();
    let track_scope: Vec<usize> = track_dirs
        .iter()
        .map(|dir| {
            let scope = scope_of(dir);
            let n = scope_index.len();
            *scope_index.entry(scope.as_os_str()).or_insert(n)
        })
        .collect();

    // names declared per (scope, name) → the first track declaring it, and
    // (rarely) the other tracks
    let mut declared: FastMap<(usize, &str), usize> =
        FastMap::with_capacity_and_hasher(revs.len(), Default::default());
    let mut also: FastMap<(usize, &str), Vec<usize>> = FastMap::default();
    for (k, &i) in revs.iter().enumerate() {
        let track = file_track[k];
        let scope = track_scope[track];
        let mut declare = |name: &'a str| {
            let first = *declared.entry((scope, name)).or_insert(track);
            if first != track {
                let more = also.entry((scope, name)).or_default();
                if !more.contains(&track) {
                    more.push(track);
                }
            }
        };
        if let RevisionId::Literal(id, _) | RevisionId::FromFileName(id) = revision_id(&files[i]) {
            declare(id);
        }
        if let Some(a) = &files[i].module.ids.branch_labels {
            for l in strings(&a.value) {
                declare(&l.value);
            }
        }
    }

    // union tracks through references their own track does not declare
    let mut uf = UnionFind::new(track_dirs.len());
    for (k, &i) in revs.iter().enumerate() {
        let track = file_track[k];
        let scope = track_scope[track];
        let ids = &files[i].module.ids;
        for a in [&ids.down_revision, &ids.depends_on].into_iter().flatten() {
            for s in strings(&a.value) {
                let key = (scope, s.value.as_str());
                let Some(&first) = declared.get(&key) else {
                    continue;
                };
                let more = also.get(&key).map_or(&[][..], Vec::as_slice);
                if first == track || more.contains(&track) {
                    continue;
                }
                uf.union(track, first);
                for &t in more {
                    uf.union(track, t);
                }
            }
        }
    }

    // environments in order of their first file
    let mut env_of_root: FastMap<usize, usize> = FastMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (k, &i) in revs.iter().enumerate() {
        let root = uf.find(file_track[k]);
        let g = *env_of_root.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
        .into_iter()
        .map(|g| Environment::build(files, g))
        .collect()
}

/// The directory above the nearest enclosing `versions*` directory, else
/// the parent of `dir`.
fn scope_of(dir: &Path) -> &Path {
    for a in dir.ancestors() {
        let is_versions = a
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.len() >= 8 && n[..8].eq_ignore_ascii_case("versions"));
        if is_versions {
            return a.parent().unwrap_or(Path::new(""));
        }
    }
    dir.parent().unwrap_or(Path::new(""))
}

/// Where a revision file's id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionId<'a> {
    /// `revision = "..."`
    Literal(&'a str, TextRange),
    /// No `revision` variable, but a legacy `<hex>.py` file name.
    FromFileName(&'a str),
    /// No `revision` variable (and no legacy file name), or `revision = None`.
    Missing,
    /// Not a literal string.
    Unknown,
}

/// The id alembic gives a revision file.
pub fn revision_id<'a>(f: &ProjectFile<'a>) -> RevisionId<'a> {
    match f.module.ids.revision.as_ref().map(|a| &a.value) {
        Some(IdValue::Str(s)) => RevisionId::Literal(&s.value, s.range),
        Some(IdValue::None) => RevisionId::Missing,
        Some(IdValue::Seq(_) | IdValue::Dynamic) => RevisionId::Unknown,
        None => legacy_id(f.path).map_or(RevisionId::Missing, RevisionId::FromFileName),
    }
}

/// Whether some revision id is declared by two revision files of the
/// project (a cheap test before building environments).
pub fn any_repeated_id(files: &[ProjectFile<'_>]) -> bool {
    let mut seen: FastMap<&str, ()> = FastMap::default();
    files
        .iter()
        .filter(|f| f.is_revision())
        .any(|f| match revision_id(f) {
            RevisionId::Literal(id, _) | RevisionId::FromFileName(id) => {
                seen.insert(id, ()).is_some()
            }
            _ => false,
        })
}

/// The id alembic takes from a legacy file name (`[a-f0-9]+\.py`) when the
/// script has no `revision` variable.
pub fn legacy_id(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".py")?;
    (!stem.is_empty() && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then_some(stem)
}

fn refs(a: &IdAssign) -> Vec<Ref<'_>> {
    strings(&a.value)
        .iter()
        .map(|s| Ref {
            name: &s.value,
            range: s.range,
            target: None,
        })
        .collect()
}

/// A secondary label at `range` in `target`, as seen from a diagnostic in
/// `from` (`file: None` when it is the same file).
pub fn label(from: &Path, target: &Path, range: TextRange, message: impl Into<String>) -> Label {
    Label {
        range,
        message: message.into(),
        file: (from != target).then(|| target.to_path_buf()),
    }
}

/// The label key of a non-literal `branch_labels`: its source text, without
/// the tuple or list around one item (`(cli.EXPAND_BRANCH,)` →
/// `cli.EXPAND_BRANCH`).
fn expression_key(text: &str) -> &str {
    let t = text.trim();
    let inner = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| t.strip_prefix('[').and_then(|r| r.strip_suffix(']')));
    match inner {
        Some(inner) => {
            let inner = inner.trim().trim_end_matches(',').trim_end();
            if inner.contains(',') || inner.is_empty() {
                t
            } else {
                inner
            }
        }
        None => t,
    }
}

/// The literal strings of an identifier value, whatever its shape.
fn strings(v: &IdValue) -> &[miglint_python::Spanned<String>] {
    match v {
        IdValue::Str(s) => std::slice::from_ref(s),
        IdValue::Seq(v) => v,
        IdValue::None | IdValue::Dynamic => &[],
    }
}

/// A map with a fast, non-cryptographic hash (ids and paths of the
/// project, not attacker-tuned input of a server).
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// The Fx hash (rustc's): multiply-rotate over 8-byte words, then one
/// folded 128-bit multiply. The low bits of a product depend only on the
/// low bits of its factors, and the map takes a key's bucket from the low
/// bits: without the fold, keys whose last 8-byte word differs only in its
/// high bytes (`"c00001f3"`, `"c00001f4"`: any id of 8, 16 or 32
/// characters that counts up at its end) shared 32 buckets, and a 100,000
/// revision chain spent seconds probing them.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        let product = u128::from(self.0) * 0x9e37_79b9_7f4a_7c15_u128;
        (product as u64) ^ ((product >> 64) as u64)
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Whether `path` is a file directly in `dir` (as [`parent_dir`] would
/// say), on the bytes: no UTF-8 check, no component parsing.
fn in_dir(path: &Path, dir: &Path) -> bool {
    let sep = |b: &u8| std::path::is_separator(*b as char);
    let p = path.as_os_str().as_encoded_bytes();
    let d = dir.as_os_str().as_encoded_bytes();
    if !p.starts_with(d) || p.len() <= d.len() {
        return false;
    }
    let rest = if d.is_empty() || d.last().is_some_and(sep) {
        &p[d.len()..]
    } else if sep(&p[d.len()]) {
        &p[d.len() + 1..]
    } else {
        return false;
    };
    !rest.is_empty() && !rest.iter().any(sep)
}

/// The directory part of a path, cut at its last separator (much cheaper
/// than `Path::parent`, which parses every component).
fn parent_dir(path: &Path) -> &Path {
    match path.to_str() {
        Some(text) => match text.rfind(std::path::is_separator) {
            Some(0) => Path::new(&text[..1]),
            Some(cut) => Path::new(&text[..cut]),
            None => Path::new(""),
        },
        None => path.parent().unwrap_or(Path::new("")),
    }
}

/// The deepest directory containing every path.
fn common_dir<'p>(paths: impl Iterator<Item = &'p Path>) -> PathBuf {
    let mut root: Option<PathBuf> = None;
    let mut last_dir: Option<&std::ffi::OsStr> = None;
    for p in paths {
        if let Some(last) = last_dir
            && in_dir(p, Path::new(last))
        {
            continue;
        }
        let dir = parent_dir(p);
        last_dir = Some(dir.as_os_str());
        match &mut root {
            None => root = Some(dir.to_path_buf()),
            Some(root) => {
                while !dir.starts_with(&*root) {
                    if !root.pop() {
                        return PathBuf::new();
                    }
                }
            }
        }
    }
    root.unwrap_or_default()
}

/// Whether a file name carries the revision id the way alembic's
/// `file_template`s write it: `<rev>_<slug>.py`, `<rev>.py`, a date/time
/// prefix then the id (`2024_01_01_1200-<rev>_<slug>.py`,
/// `2024_01_01_120000_<rev>_<slug>.py`, `2015-09-21_17-30_<rev>_<slug>.py`),
/// or the id at the end (`<slug>_<rev>.py`).
pub fn filename_matches(file_name: &str, id: &str) -> bool {
    let stem = file_name.strip_suffix(".py").unwrap_or(file_name);
    if id.is_empty() {
        return true;
    }
    let boundary = |rest: &str| rest.is_empty() || rest.starts_with(['_', '-', '.']);
    if let Some(rest) = stem.strip_prefix(id)
        && boundary(rest)
    {
        return true;
    }
    if let Some(head) = stem.strip_suffix(id)
        && (head.ends_with('_') || head.ends_with('-'))
    {
        return true;
    }
    // a date/time prefix: digits and separators, at least 8 digits
    let prefix_len = stem
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'_' || *b == b'-')
        .count();
    let prefix = &stem[..prefix_len];
    for (i, b) in prefix.bytes().enumerate() {
        if b != b'_' && b != b'-' {
            continue;
        }
        let digits = prefix[..i].bytes().filter(u8::is_ascii_digit).count();
        if digits >= 8
            && let Some(rest) = stem[i + 1..].strip_prefix(id)
            && boundary(rest)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests;
