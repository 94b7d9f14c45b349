//! One revision's pass: the context the op, SQL and helper replays share
//! (the revision, its dialects, the facts recorded so far), with how an op
//! names its table and column. The modules that apply ops extend it; the
//! replay driver runs it.

use miglint_diagnostics::{Dialect, DialectSet, TextRange};
use miglint_python::{Expr, ExprKind, Op};

use crate::data;
use crate::facts::{ObjectKind, OpFacts};
use crate::input::{RevisionInput, SqlOf};
use crate::names::literal_name;
use crate::prep::Prep;
pub(crate) use crate::reads::TableRef;
use crate::reads::{read_column_name, read_table_name};
use crate::state::{HashMap, Key, Origin, key};

/// The facts of one replay: per position of its order, the file and the
/// facts of its ops, kept in lists of a few thousand ops each (not a list
/// per file: few allocations; not one list: an allocation that large
/// goes back to the system when freed, and the next build's first touch
/// of each of its pages faults).
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct EnvFacts {
    /// Per position: the file, and where its ops' facts lie (a chunk, a
    /// range in it).
    files: Vec<(usize, u32, u32, u32)>,
    chunks: Vec<Vec<OpFacts>>,
    /// The last chunk is lent out (see [`EnvFacts::open`]).
    #[serde(skip)]
    lent: bool,
}

/// The room of the largest chunk of [`EnvFacts`], in ops (a file with
/// more ops gets a chunk of its own), and of the first.
const CHUNK: usize = 2048;
const FIRST_CHUNK: usize = 64;

impl EnvFacts {
    /// Room for `files` positions.
    pub fn with_capacity(files: usize) -> EnvFacts {
        EnvFacts {
            files: Vec::with_capacity(files),
            chunks: Vec::new(),
            lent: false,
        }
    }

    /// Each position's file renumbered by `map` (old index -> new).
    pub fn renumber_files(&mut self, map: &[u32]) {
        for (file, ..) in &mut self.files {
            if let Some(&to) = map.get(*file) {
                *file = to as usize;
            }
        }
    }

    /// The positions recorded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// The file at position `pos` and its ops' facts.
    pub fn get(&self, pos: usize) -> Option<(usize, &[OpFacts])> {
        let &(file, chunk, start, end) = self.files.get(pos)?;
        let ops = match self.chunks.get(chunk as usize) {
            Some(c) => &c[start as usize..end as usize],
            None => &[],
        };
        Some((file, ops))
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &[OpFacts])> {
        (0..self.len()).filter_map(|pos| self.get(pos))
    }

    /// Room for the facts of the next position's `n` ops, as defaults, at
    /// the end of the last chunk (a new chunk when it has too little): the
    /// chunk, lent until [`EnvFacts::close`], and where the room starts
    /// (the facts are made in place, not moved in).
    pub fn open(&mut self, n: usize) -> (Vec<OpFacts>, usize) {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= n);
        if !fits && n > 0 {
            // a small replay stays small: each chunk twice the last, up to
            // CHUNK
            let room = self
                .chunks
                .last()
                .map_or(FIRST_CHUNK, |c| (c.capacity() * 2).min(CHUNK));
            self.chunks.push(Vec::with_capacity(room.max(n)));
        }
        let mut chunk = match self.chunks.pop() {
            Some(c) => {
                self.lent = true;
                c
            }
            None => Vec::new(),
        };
        let start = chunk.len();
        chunk.resize_with(start + n, OpFacts::default);
        (chunk, start)
    }

    /// Takes the chunk [`EnvFacts::open`] lent back, without recording a
    /// position.
    pub fn put_back(&mut self, chunk: Vec<OpFacts>) {
        if std::mem::take(&mut self.lent) {
            self.chunks.push(chunk);
        }
    }

    /// Takes the chunk back and records the next position: `file`, with
    /// the facts the chunk holds from `start` on.
    pub fn close(&mut self, file: usize, chunk: Vec<OpFacts>, start: usize) {
        let end = chunk.len();
        self.put_back(chunk);
        let chunk = self.chunks.len().saturating_sub(1);
        self.files
            .push((file, chunk as u32, start as u32, end as u32));
    }

    /// Gives back the room the last chunk has left (at the end of a walk:
    /// a resumed walk starts a new chunk).
    pub fn shrink(&mut self) {
        if let Some(c) = self.chunks.last_mut() {
            c.shrink_to_fit();
        }
    }

    /// Keeps the first `pos` positions.
    pub fn truncate(&mut self, pos: usize) {
        if let Some(&(_, chunk, start, _)) = self.files.get(pos) {
            self.chunks.truncate(chunk as usize + 1);
            if let Some(c) = self.chunks.get_mut(chunk as usize) {
                c.truncate(start as usize);
            }
            self.files.truncate(pos);
        }
    }
}

pub(crate) type EnumUsers = HashMap<Key, Vec<(Key, Key)>>;

/// One revision's pass.
pub(crate) struct Rev<'i, 'a> {
    pub input: &'i RevisionInput<'a>,
    pub file: usize,
    pub dialects: DialectSet,
    pub record: bool,
    pub users: &'i mut EnumUsers,
    /// What the pass reads of the file that no state changes (read once
    /// per file, see `prep.rs`).
    pub prep: &'i Prep<'a>,
    /// The chunk the facts of the revision's ops are written into, from
    /// `base` on (see [`EnvFacts::open`]).
    pub facts: Vec<OpFacts>,
    pub base: usize,
    /// The function being replayed.
    pub func: usize,
    /// Per function: offset of the first ORM/Core write miglint does not
    /// model, and the first offset of each identifier (lazily).
    pub opaque_at: Option<u32>,
    /// Per function: the statements around ORM/Core writes that are no op
    /// (`session.query(M).filter(M.c.is_(None)).delete()`), as file ranges
    /// (read on first use: see [`Rev::orm_writes`]).
    pub orm_writes: Option<Vec<(u32, u32)>>,
    pub idents: Option<HashMap<String, u32>>,
    /// The op being replayed.
    pub cur_op: usize,
    /// What the upgrades create and drop (ML403's delta, `reversal.rs`).
    pub changes: Vec<Change>,
    /// The current function runs SQL built at run time.
    pub dynamic_sql: bool,
    /// Columns renamed by an upgrade: (function, table, new name).
    pub renamed: Vec<(usize, String, String)>,
    /// The enum types this pass created (keys, in order; see
    /// [`Rev::put_enum`]).
    pub created_enums: Vec<Key>,
}

/// One change the upgrade logged.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub op: usize,
    pub func: usize,
    pub kind: ObjectKind,
    pub created: bool,
    pub table: Option<String>,
    pub name: String,
    pub range: TextRange,
    /// The origin the state gives what it created.
    pub origin: Origin,
}

impl<'i, 'a> Rev<'i, 'a> {
    pub(crate) fn new(
        input: &'i RevisionInput<'a>,
        file: usize,
        dialects: DialectSet,
        record: bool,
        users: &'i mut EnumUsers,
        prep: &'i Prep<'a>,
    ) -> Self {
        Rev {
            input,
            file,
            dialects,
            record,
            users,
            prep,
            facts: Vec::new(),
            base: 0,
            func: 0,
            opaque_at: None,
            orm_writes: None,
            idents: None,
            cur_op: 0,
            changes: Vec::new(),
            dynamic_sql: false,
            renamed: Vec::new(),
            created_enums: Vec::new(),
        }
    }

    /// Creates an enum type, noted as this pass's (`enums_left` looks at
    /// those only, not at every type of the state).
    pub(crate) fn put_enum(&mut self, state: &mut crate::state::Schema, e: crate::state::EnumType) {
        let k = key(&e.name);
        if !self.created_enums.contains(&k) {
            self.created_enums.push(k);
        }
        state.put_enum(e);
    }

    /// The ORM/Core writes outside ops of the current function: the
    /// statement around each (read once per function, when an op asks).
    pub(crate) fn orm_writes(&mut self) -> &[(u32, u32)] {
        let input = self.input;
        let func = &input.module.functions[self.func];
        self.orm_writes.get_or_insert_with(|| {
            let text = input.source.get(func.range.as_usize()).unwrap_or("");
            let base = func.range.start();
            data::opaque_writes(text)
                .into_iter()
                .map(|(a, b)| (base + a as u32, base + b as u32))
                .collect()
        })
    }

    /// The facts of op `i` (`None` when not recording).
    pub fn fact_mut(&mut self, i: usize) -> Option<&mut OpFacts> {
        self.facts.get_mut(self.base + i)
    }

    /// The analyzed literal SQL of op `i`.
    pub fn sql_of(&self, i: usize) -> Option<SqlOf<'a>> {
        let sql = self.prep.sql_sorted.as_deref().unwrap_or(&self.input.sql);
        let k = sql.binary_search_by_key(&i, |s| s.op).ok()?;
        Some(sql[k])
    }

    pub fn origin(&self, range: TextRange) -> Origin {
        Origin {
            file: self.file as u32,
            func: self.func as u32,
            range,
        }
    }

    /// Records an enum type's user (table, column).
    pub fn enum_user(&mut self, enum_name: &str, table: &str, column: &str) {
        let v = self.users.entry(key(enum_name)).or_default();
        let pair = (key(table), key(column));
        if !v.contains(&pair) {
            v.push(pair);
        }
    }

    pub fn pg(&self) -> bool {
        self.dialects.contains(Dialect::Postgresql)
    }

    /// The table `op` works on: a literal, or a module-level name bound to
    /// a string (read once per file, see `prep.rs`).
    pub(crate) fn table_name(&self, op: &'a Op) -> TableRef<'a> {
        match self.op_index(op) {
            Some(i) => self.prep.names[i].0,
            None => read_table_name(self.input.module, op),
        }
    }

    /// The index of `op` in the module's ops (`None` for an op of another
    /// list: none is asked today).
    fn op_index(&self, op: &Op) -> Option<usize> {
        let ops = &self.input.module.ops;
        let at = (std::ptr::from_ref(op) as usize).checked_sub(ops.as_ptr() as usize)?
            / std::mem::size_of::<Op>().max(1);
        ops.get(at)
            .filter(|o| std::ptr::eq(*o, op) && at < self.prep.names.len())
            .map(|_| at)
    }

    /// A literal name, or a module-level name bound to a string.
    pub(crate) fn str_of(&self, e: &Expr) -> Option<String> {
        self.str_ref(e).map(str::to_string)
    }

    /// [`Rev::str_of`], borrowed.
    pub(crate) fn str_ref<'e>(&'e self, e: &'e Expr) -> Option<&'e str> {
        if let Some(s) = literal_name(e) {
            return Some(s);
        }
        match &e.kind {
            ExprKind::Name(n) => self.input.module.binding(n)?.str_value(),
            _ => None,
        }
    }

    /// The column `op` works on (add/drop/alter_column; read once per
    /// file, see `prep.rs`).
    pub(crate) fn column_name(&self, op: &'a Op) -> Option<&'a str> {
        match self.op_index(op) {
            Some(i) => self.prep.names[i].1,
            None => read_column_name(self.input.module, op),
        }
    }
}

#[cfg(test)]
mod env_facts_tests {
    use miglint_diagnostics::TextRange;

    use super::{CHUNK, EnvFacts};
    use crate::facts::OpFacts;
    use crate::state::Origin;

    /// Facts tagged with their file and op, to tell them apart.
    fn tagged(file: usize, n: usize) -> Vec<OpFacts> {
        let o = Origin {
            file: 0,
            func: 0,
            range: TextRange::empty(0),
        };
        (0..n)
            .map(|k| OpFacts {
                existing_enums: vec![(format!("{file}:{k}"), o)].into(),
                ..OpFacts::default()
            })
            .collect()
    }

    /// Records `n` tagged facts for `file`, made in place.
    fn record(f: &mut EnvFacts, file: usize, n: usize) {
        let (mut chunk, start) = f.open(n);
        assert_eq!(chunk.len(), start + n);
        for (slot, facts) in chunk[start..].iter_mut().zip(tagged(file, n)) {
            *slot = facts;
        }
        f.close(file, chunk, start);
    }

    fn check(f: &EnvFacts, sizes: &[usize]) {
        assert_eq!(f.len(), sizes.len());
        for (pos, &n) in sizes.iter().enumerate() {
            let (file, ops) = f.get(pos).expect("recorded");
            assert_eq!(file, pos * 10);
            let tags: Vec<String> = ops.iter().map(|o| o.existing_enums[0].0.clone()).collect();
            let want: Vec<String> = (0..n).map(|k| format!("{}:{k}", pos * 10)).collect();
            assert_eq!(tags, want, "position {pos}");
        }
    }

    #[test]
    fn each_file_whole_across_chunks_and_truncated() {
        // empty first, a file that no longer fits its chunk, one larger
        // than a chunk, an empty one last
        let sizes = [0, 3, CHUNK - 1, CHUNK + 5, 2, 0];
        let mut f = EnvFacts::with_capacity(0);
        for (pos, &n) in sizes.iter().enumerate() {
            record(&mut f, pos * 10, n);
        }
        check(&f, &sizes);
        assert!(f.get(sizes.len()).is_none());
        // the end of a walk
        f.shrink();
        check(&f, &sizes);
        // resumed after position 3 (a checkpoint), then after 0
        f.truncate(3);
        f.shrink();
        check(&f, &sizes[..3]);
        for (pos, n) in [(3, 4), (4, 1)] {
            record(&mut f, pos * 10, n);
        }
        check(&f, &[0, 3, CHUNK - 1, 4, 1]);
        f.truncate(1);
        check(&f, &[0]);
        f.truncate(5);
        check(&f, &[0]);
    }
}
