//! Graph algorithms for cycle detection and grouping: strongly connected
//! components, a cycle path, union-find.

use std::collections::HashMap;

/// Adjacency lists in one flat vector.
pub(super) struct Adj {
    start: Vec<usize>,
    targets: Vec<usize>,
}

impl Adj {
    pub(super) fn build(n: usize, mut fill: impl FnMut(usize, &mut Vec<usize>)) -> Adj {
        let mut start = Vec::with_capacity(n + 1);
        let mut targets = Vec::with_capacity(n + n / 4);
        for i in 0..n {
            start.push(targets.len());
            fill(i, &mut targets);
        }
        start.push(targets.len());
        Adj { start, targets }
    }

    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub(super) fn of(&self, i: usize) -> &[usize] {
        &self.targets[self.start[i]..self.start[i + 1]]
    }
}

/// Strongly connected components with more than one node (iterative
/// Tarjan), each sorted; in order of their smallest node.
pub(super) fn strongly_connected(adj: &Adj) -> Vec<Vec<usize>> {
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
pub(super) fn cycle_path(comp: &[usize], adj: &Adj) -> Vec<usize> {
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

pub(super) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(super) fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    pub(super) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins two sets; the smaller root wins (deterministic).
    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}
