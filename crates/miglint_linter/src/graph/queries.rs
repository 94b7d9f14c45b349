//! What the ML5xx rules and `miglint graph` ask of one environment.

use super::*;

impl<'a> Environment<'a> {
    /// For the model replay: each revision's parent files (empty for a
    /// base, `None` when a parent is unknown), as (file, parents); duplicates
    /// left out.
    pub fn replay_parents(&self) -> impl Iterator<Item = (usize, Option<Vec<usize>>)> + '_ {
        self.nodes
            .iter()
            .filter(|node| node.duplicate_of.is_none())
            .map(|node| {
                let parents = match &node.down {
                    super::Parents::Base => Some(Vec::new()),
                    super::Parents::Revisions(refs) => refs
                        .iter()
                        .map(|r| r.target.map(|t| self.nodes[t].file))
                        .collect(),
                    super::Parents::Unknown => None,
                };
                (node.file, parents)
            })
    }

    /// For the model replay: the revision files in topological order,
    /// duplicates left out.
    pub fn replay_order(&self) -> Vec<usize> {
        self.topo_order()
            .into_iter()
            .filter(|&i| self.nodes[i].duplicate_of.is_none())
            .map(|i| self.nodes[i].file)
            .collect()
    }

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
                // a self-reference (`down_revision = revision`) is not an
                // edge `before_count` counted; a node already placed or
                // counted down has nothing left to wait for
                if c == i || placed[c] || indeg[c] == 0 || after().take(k).any(|d| d == c) {
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
