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

impl<'a> Environment<'a> {
    /// Builds the graph of one environment from its files (indices into
    /// `files`, in path order).
    pub fn build(files: &[ProjectFile<'a>], env_files: Vec<usize>) -> Environment<'a> {
        let root = common_dir(env_files.iter().map(|&i| files[i].path));
        let mut env = Environment {
            root,
            files: Vec::new(),
            nodes: Vec::with_capacity(env_files.len()),
            ids: FastMap::with_capacity_and_hasher(env_files.len(), Default::default()),
            labels: FastMap::default(),
            without_id: Vec::new(),
            opaque: false,
            unknown_ids: false,
            dynamic_labels: false,
        };
        for &fi in &env_files {
            let f = &files[fi];
            let ids = &f.module.ids;
            let (id, id_range) = match revision_id(f) {
                RevisionId::Literal(id, range) => (id, Some(range)),
                RevisionId::FromFileName(id) => (id, None),
                RevisionId::Missing => {
                    env.without_id.push(fi);
                    continue;
                }
                RevisionId::Unknown => {
                    env.opaque = true;
                    env.unknown_ids = true;
                    continue;
                }
            };
            let (down, down_range) = match &ids.down_revision {
                Some(a) => (
                    match &a.value {
                        IdValue::None => Parents::Base,
                        IdValue::Seq(v) if v.is_empty() => Parents::Base,
                        IdValue::Str(_) | IdValue::Seq(_) => Parents::Revisions(refs(a)),
                        IdValue::Dynamic => Parents::Unknown,
                    },
                    Some(a.value_range),
                ),
                None => (Parents::Unknown, None),
            };
            if matches!(down, Parents::Unknown) {
                env.opaque = true;
            }
            let depends_on = match &ids.depends_on {
                // alembic tests `if revision.dependencies:`: an empty
                // string is no dependency (truth case ml502_ok_empty_depends_on)
                Some(a) if matches!(&a.value, IdValue::Str(s) if s.value.is_empty()) => Vec::new(),
                Some(a) => {
                    if a.value == IdValue::Dynamic {
                        env.opaque = true;
                    }
                    refs(a)
                }
                None => Vec::new(),
            };
            let labels = match &ids.branch_labels {
                Some(a) => match &a.value {
                    IdValue::Dynamic => {
                        env.dynamic_labels = true;
                        vec![BranchLabel {
                            key: expression_key(
                                f.source.get(a.value_range.as_usize()).unwrap_or("?"),
                            ),
                            literal: false,
                            range: a.value_range,
                        }]
                    }
                    v => strings(v)
                        .iter()
                        .map(|s| BranchLabel {
                            key: &s.value,
                            literal: true,
                            range: s.range,
                        })
                        .collect(),
                },
                None => Vec::new(),
            };
            let n = env.nodes.len();
            let duplicate_of = match env.ids.get(id) {
                Some(&first) => Some(first),
                None => {
                    env.ids.insert(id, n);
                    None
                }
            };
            if duplicate_of.is_none() {
                for l in labels.iter().filter(|l| l.literal) {
                    env.labels.entry(l.key).or_insert(n);
                }
            }
            env.nodes.push(Node {
                file: fi,
                id,
                id_range,
                down,
                down_range,
                depends_on,
                labels,
                children: Vec::new(),
                dependents: Vec::new(),
                duplicate_of,
            });
        }
        env.files = env_files;

        // resolve references, then edges
        let resolve = |ids: &FastMap<&str, usize>, labels: &FastMap<&str, usize>, r: &mut Ref| {
            r.target = ids.get(r.name).or_else(|| labels.get(r.name)).copied();
        };
        for node in &mut env.nodes {
            if let Parents::Revisions(rs) = &mut node.down {
                for r in rs {
                    resolve(&env.ids, &env.labels, r);
                }
            }
            for r in &mut node.depends_on {
                resolve(&env.ids, &env.labels, r);
            }
        }
        for n in 0..env.nodes.len() {
            if env.nodes[n].duplicate_of.is_some() {
                continue;
            }
            let parents: Vec<usize> = env.nodes[n].parents().collect();
            for p in parents {
                if !env.nodes[p].children.contains(&n) {
                    env.nodes[p].children.push(n);
                }
            }
            let deps: Vec<usize> = env.nodes[n]
                .depends_on
                .iter()
                .filter_map(|r| r.target)
                .collect();
            for d in deps {
                if !env.nodes[d].dependents.contains(&n) {
                    env.nodes[d].dependents.push(n);
                }
            }
        }
        env
    }

    /// The node of a revision id.
    pub fn node(&self, id: &str) -> Option<&Node<'a>> {
        self.ids.get(id).map(|&n| &self.nodes[n])
    }

    /// Heads (no revision names them as `down_revision`), in path order.
    pub fn heads(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&n| self.nodes[n].is_head())
            .collect()
    }

    /// Bases (`down_revision = None`), in path order.
    pub fn bases(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&n| self.nodes[n].is_base())
            .collect()
    }

    /// The cycles: self-loops and strongly connected components, first over
    /// `down_revision` edges, then over `down_revision` + `depends_on`
    /// edges (reported only when they differ from a plain cycle).
    pub fn cycles(&self) -> Vec<Cycle> {
        let n = self.nodes.len();
        let live = |i: usize| self.nodes[i].duplicate_of.is_none();
        let mut out = Vec::new();
        for i in (0..n).filter(|&i| live(i)) {
            let node = &self.nodes[i];
            if node.parents().any(|p| p == i) {
                out.push(Cycle {
                    path: vec![i],
                    via_dependency: false,
                });
            } else if node.depends_on.iter().any(|r| r.target == Some(i)) {
                out.push(Cycle {
                    path: vec![i],
                    via_dependency: true,
                });
            }
        }
        let down_adj = Adj::build(n, |i, out| {
            if live(i) {
                out.extend(self.nodes[i].parents().filter(|&p| p != i));
            }
        });
        let plain = strongly_connected(&down_adj);
        let all_adj = Adj::build(n, |i, out| {
            if live(i) {
                let node = &self.nodes[i];
                out.extend(
                    node.parents()
                        .chain(node.depends_on.iter().filter_map(|r| r.target))
                        .filter(|&p| p != i),
                );
            }
        });
        let with_deps = strongly_connected(&all_adj);
        for comp in &plain {
            out.push(Cycle {
                path: cycle_path(comp, &down_adj),
                via_dependency: false,
            });
        }
        for comp in &with_deps {
            if !plain.contains(comp) {
                out.push(Cycle {
                    path: cycle_path(comp, &all_adj),
                    via_dependency: true,
                });
            }
        }
        out.sort_by_key(|c| c.path[0]);
        out
    }

    /// The revisions alembic names in its cycle error, computed as alembic
    /// does: every revision when there is no head or no base, else those not
    /// both reachable downward from a head and upward from a base (over
    /// `down_revision` edges, or over `down_revision` + `depends_on` edges
    /// with heads and bases counted on those too, for "Dependency cycle").
    /// Sorted.
    pub fn alembic_cycle_set(&self, with_deps: bool) -> Vec<&'a str> {
        let n = self.nodes.len();
        let live: Vec<usize> = (0..n)
            .filter(|&i| self.nodes[i].duplicate_of.is_none())
            .collect();
        let down = |i: usize| -> Vec<usize> {
            let node = &self.nodes[i];
            let mut v: Vec<usize> = node.parents().collect();
            if with_deps {
                v.extend(node.depends_on.iter().filter_map(|r| r.target));
            }
            v
        };
        let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &i in &live {
            for p in down(i) {
                up[p].push(i);
            }
        }
        let heads: Vec<usize> = live.iter().copied().filter(|&i| up[i].is_empty()).collect();
        let bases: Vec<usize> = live
            .iter()
            .copied()
            .filter(|&i| {
                self.nodes[i].is_base()
                    && (!with_deps || self.nodes[i].depends_on.iter().all(|r| r.target.is_none()))
            })
            .collect();
        let mut ids: Vec<&str> = if heads.is_empty() || bases.is_empty() {
            live.iter().map(|&i| self.nodes[i].id).collect()
        } else {
            let reach = |start: &[usize], next: &dyn Fn(usize) -> Vec<usize>| {
                let mut seen = vec![false; n];
                let mut stack = start.to_vec();
                while let Some(x) = stack.pop() {
                    if !std::mem::replace(&mut seen[x], true) {
                        stack.extend(next(x));
                    }
                }
                seen
            };
            let from_heads = reach(&heads, &down);
            let from_bases = reach(&bases, &|i| up[i].clone());
            live.iter()
                .copied()
                .filter(|&i| !(from_heads[i] && from_bases[i]))
                .map(|i| self.nodes[i].id)
                .collect()
        };
        ids.sort_unstable();
        ids
    }

    /// A topological order over `down_revision` and `depends_on` edges
    /// (parents and dependencies first), ties broken by path order; nodes
    /// on a cycle (and duplicates) come last.
    pub fn topo_order(&self) -> Vec<usize> {
        let n = self.nodes.len();
        let live = |i: usize| self.nodes[i].duplicate_of.is_none();
        let mut indeg = vec![0usize; n];
        for (i, d) in indeg.iter_mut().enumerate() {
            if live(i) {
                *d = self.before_count(i);
            }
        }
        let mut heap: BinaryHeap<Reverse<usize>> = (0..n)
            .filter(|&i| live(i) && indeg[i] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some(Reverse(i)) = heap.pop() {
            order.push(i);
            placed[i] = true;
            let node = &self.nodes[i];
            let after = || node.children.iter().chain(&node.dependents).copied();
            for (k, c) in after().enumerate() {
                if after().take(k).any(|d| d == c) {
                    continue;
                }
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    heap.push(Reverse(c));
                }
            }
        }
        order.extend((0..n).filter(|&i| !placed[i]));
        order
    }

    /// How many distinct nodes a node comes after: its resolved parents
    /// and dependencies (itself excluded).
    fn before_count(&self, i: usize) -> usize {
        let node = &self.nodes[i];
        let all = || {
            node.parents()
                .chain(node.depends_on.iter().filter_map(|r| r.target))
                .filter(|&p| p != i)
        };
        // a handful of references per node: dedup without allocating
        all()
            .enumerate()
            .filter(|&(k, p)| !all().take(k).any(|q| q == p))
            .count()
    }

    /// The branch labels each node carries, as alembic propagates them: a
    /// revision's own labels plus those of all its ancestors (along
    /// `down_revision`). Keys are label strings (or the source text of a
    /// non-literal `branch_labels`), sorted.
    ///
    /// Returns, per node, an index into the returned list of distinct label
    /// sets (set 0 is the empty one); each set is sorted.
    pub fn effective_labels(&self) -> (Vec<u32>, Vec<Vec<&'a str>>) {
        let mut sets: Vec<Vec<&'a str>> = vec![Vec::new()];
        let mut interned: HashMap<Vec<&'a str>, u32> = HashMap::from([(Vec::new(), 0)]);
        let mut of = vec![0u32; self.nodes.len()];
        for i in self.topo_order() {
            let node = &self.nodes[i];
            let mut parents = node.parents().filter(|_| node.duplicate_of.is_none());
            let first = parents.next().map_or(0, |p| of[p]);
            let same = parents.all(|p| of[p] == first);
            if node.labels.is_empty() && same {
                // the common case: one parent (or equal ones), no own label
                of[i] = first;
                continue;
            }
            let mut set: Vec<&'a str> = node.labels.iter().map(|l| l.key).collect();
            if node.duplicate_of.is_none() {
                for p in node.parents() {
                    set.extend_from_slice(&sets[of[p] as usize]);
                }
            }
            set.sort_unstable();
            set.dedup();
            of[i] = match interned.get(&set) {
                Some(&id) => id,
                None => {
                    let id = sets.len() as u32;
                    interned.insert(set.clone(), id);
                    sets.push(set);
                    id
                }
            };
        }
        (of, sets)
    }

    /// Heads that `upgrade head` (or `<label>@head`) cannot choose between:
    /// heads with the same effective branch labels, split into forks of one
    /// line ([`HeadConflict`]) and separate lines from different bases
    /// ([`SeparateLines`]). Empty for opaque or cyclic graphs.
    pub fn head_report(&self) -> HeadReport {
        let mut report = HeadReport::default();
        if self.opaque {
            return report;
        }
        let heads = self.heads();
        if heads.len() < 2 {
            return report;
        }
        let (set_of, sets) = self.effective_labels();
        let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &h in &heads {
            groups.entry(set_of[h]).or_default().push(h);
        }
        groups.retain(|_, g| g.len() > 1);
        // heads and labels mean nothing in a graph with a cycle (ML504)
        if groups.is_empty() || !self.cycles().is_empty() {
            return report;
        }
        let n = self.nodes.len();
        for (set, group) in groups {
            let labels: Vec<String> = sets[set as usize].iter().map(|l| l.to_string()).collect();
            // mark ancestors with the first head reaching them; a head that
            // meets another head's mark shares its ancestry
            let mut owner = vec![usize::MAX; n];
            let mut uf = UnionFind::new(group.len());
            for (k, &h) in group.iter().enumerate() {
                let mut stack = vec![h];
                while let Some(x) = stack.pop() {
                    if owner[x] != usize::MAX {
                        if owner[x] != k {
                            uf.union(owner[x], k);
                        }
                        continue;
                    }
                    owner[x] = k;
                    stack.extend(self.nodes[x].parents());
                }
            }
            let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for k in 0..group.len() {
                clusters.entry(uf.find(k)).or_default().push(k);
            }
            let mut clusters: Vec<Vec<usize>> = clusters.into_values().collect();
            clusters.sort_by_key(|c| group[c[0]]);
            for c in &clusters {
                if c.len() > 1 {
                    let hs: Vec<usize> = c.iter().map(|&k| group[k]).collect();
                    report.conflicts.push(self.conflict(hs, labels.clone()));
                }
            }
            if clusters.len() > 1 {
                let mut bases = vec![Vec::new(); clusters.len()];
                let cluster_of: HashMap<usize, usize> = clusters
                    .iter()
                    .enumerate()
                    .flat_map(|(ci, c)| c.iter().map(move |&k| (k, ci)))
                    .collect();
                for (i, node) in self.nodes.iter().enumerate() {
                    if node.is_base() && owner[i] != usize::MAX {
                        bases[cluster_of[&uf.find(owner[i])]].push(i);
                    }
                }
                report.separate_lines.push(SeparateLines {
                    bases,
                    heads: clusters
                        .iter()
                        .map(|c| c.iter().map(|&k| group[k]).collect())
                        .collect(),
                    labels,
                });
            }
        }
        report
    }

    fn ancestors(&self, from: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            if !std::mem::replace(&mut seen[x], true) {
                stack.extend(self.nodes[x].parents());
            }
        }
        seen
    }

    fn conflict(&self, heads: Vec<usize>, labels: Vec<String>) -> HeadConflict {
        let sets: Vec<Vec<bool>> = heads.iter().map(|&h| self.ancestors(h)).collect();
        let common = |i: usize| sets.iter().all(|s| s[i]);
        // the latest common ancestor: one no child of which is common
        let order = self.topo_order();
        let branch_point = order
            .iter()
            .rev()
            .copied()
            .find(|&i| common(i) && !self.nodes[i].children.iter().any(|&c| common(c)));
        let forks = heads
            .iter()
            .zip(&sets)
            .map(|(_, set)| {
                let bp = branch_point?;
                self.nodes[bp].children.iter().copied().find(|&c| set[c])
            })
            .collect();
        HeadConflict {
            heads,
            branch_point,
            forks,
            labels,
        }
    }

    /// A path relative to the environment's root, for messages.
    pub fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
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

/// The Fx hash (rustc's): multiply-rotate over 8-byte words.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
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

/// Adjacency lists in one flat vector.
struct Adj {
    start: Vec<usize>,
    targets: Vec<usize>,
}

impl Adj {
    fn build(n: usize, mut fill: impl FnMut(usize, &mut Vec<usize>)) -> Adj {
        let mut start = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(n + n / 4);
        for i in 0..n {
            start.push(targets.len());
            fill(i, &mut targets);
        }
        start.push(targets.len());
        Adj { start, targets }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn of(&self, i: usize) -> &[usize] {
        &self.targets[self.start[i]..self.start[i + 1]]
    }
}

/// Strongly connected components with more than one node (iterative
/// Tarjan), each sorted; in order of their smallest node.
fn strongly_connected(adj: &Adj) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let mut next = 0usize;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        calls.push((root, 0));
        while let Some(&(v, pos)) = calls.last() {
            if pos < adj.of(v).len() {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                let w = adj.of(v)[pos];
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                calls.pop();
                if let Some(&(u, _)) = calls.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if comp.len() > 1 {
                        comp.sort_unstable();
                        out.push(comp);
                    }
                }
            }
        }
    }
    out.sort_by_key(|c| c[0]);
    out
}

/// A simple cycle through the component's first node: the shortest path
/// back to it along `adj`, staying inside the component.
fn cycle_path(comp: &[usize], adj: &Adj) -> Vec<usize> {
    let start = comp[0];
    let inside = |x: usize| comp.binary_search(&x).is_ok();
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    let mut last = None;
    'bfs: while let Some(x) = queue.pop_front() {
        for &y in adj.of(x) {
            if y == start {
                last = Some(x);
                break 'bfs;
            }
            if inside(y) && !prev.contains_key(&y) {
                prev.insert(y, x);
                queue.push_back(y);
            }
        }
    }
    let Some(mut x) = last else {
        return comp.to_vec();
    };
    let mut path = vec![x];
    while x != start {
        x = prev[&x];
        path.push(x);
    }
    path.reverse();
    path
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins two sets; the smaller root wins (deterministic).
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
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
mod tests {
    use super::*;

    #[test]
    fn file_templates() {
        assert!(filename_matches(
            "3512b954651e_add_account.py",
            "3512b954651e"
        ));
        assert!(filename_matches("3512b954651e.py", "3512b954651e"));
        assert!(filename_matches(
            "2024_01_01_1200-3512b954651e_add.py",
            "3512b954651e"
        ));
        assert!(filename_matches(
            "2021_01_20_122127_25f4b90a7a42_initial_migration.py",
            "25f4b90a7a42"
        ));
        assert!(filename_matches(
            "2015-09-21_17-30_4e6a06bad7a8_init.py",
            "4e6a06bad7a8"
        ));
        assert!(filename_matches("0.21.0_release.py", "0.21.0"));
        assert!(filename_matches(
            "add_account_3512b954651e.py",
            "3512b954651e"
        ));
        assert!(!filename_matches("0042_3_0_0_add_uuid.py", "d59cbbef95eb"));
        assert!(!filename_matches("1111_add_foo.py", "r2"));
        // a prefix of a longer token is not a match
        assert!(!filename_matches("3512b954651eff_add.py", "3512b954651e"));
    }

    #[test]
    fn scopes() {
        assert_eq!(
            scope_of(Path::new("a/alembic/versions")),
            Path::new("a/alembic")
        );
        assert_eq!(
            scope_of(Path::new("m/versions/2023.1/expand")),
            Path::new("m")
        );
        assert_eq!(
            scope_of(Path::new("g/alembic/versions_gxy")),
            Path::new("g/alembic")
        );
        assert_eq!(
            scope_of(Path::new("fixtures/ML501/err_x")),
            Path::new("fixtures/ML501")
        );
    }

    #[test]
    fn directories() {
        for (path, dir) in [
            ("a/versions/x.py", "a/versions"),
            ("x.py", ""),
            ("/x.py", "/"),
            ("/a/x.py", "/a"),
        ] {
            let path = Path::new(path);
            assert_eq!(parent_dir(path), Path::new(dir));
            assert!(in_dir(path, Path::new(dir)), "{path:?} in {dir:?}");
        }
        assert!(!in_dir(
            Path::new("a/versions/sub/x.py"),
            Path::new("a/versions")
        ));
        assert!(!in_dir(
            Path::new("a/versions2/x.py"),
            Path::new("a/versions")
        ));
        assert!(!in_dir(Path::new("a/x.py"), Path::new("")));
    }

    #[test]
    fn expression_keys() {
        assert_eq!(expression_key("(cli.EXPAND_BRANCH,)"), "cli.EXPAND_BRANCH");
        assert_eq!(expression_key("[ cli.X ]"), "cli.X");
        assert_eq!(expression_key("(a, b)"), "(a, b)");
        assert_eq!(expression_key("LABELS"), "LABELS");
    }

    #[test]
    fn legacy_ids() {
        assert_eq!(
            legacy_id(Path::new("v/1975ea83b712.py")),
            Some("1975ea83b712")
        );
        assert_eq!(legacy_id(Path::new("v/1975ea83b712_add.py")), None);
    }

    #[test]
    fn tarjan_finds_cycles_iteratively() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3 is excluded (self edges handled elsewhere), 4 alone
        let lists = [vec![1], vec![2], vec![0], vec![], vec![0]];
        let adj = Adj::build(lists.len(), |i, out| out.extend(&lists[i]));
        assert_eq!(strongly_connected(&adj), vec![vec![0, 1, 2]]);
        assert_eq!(cycle_path(&[0, 1, 2], &adj), vec![0, 1, 2]);
        // a long chain must not overflow the stack
        let n = 200_000;
        let adj = Adj::build(n, |i, out| {
            if i + 1 < n {
                out.push(i + 1);
            }
        });
        assert!(strongly_connected(&adj).is_empty());
    }
}
