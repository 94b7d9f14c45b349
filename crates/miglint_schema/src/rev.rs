//! One revision's pass: the context the op, SQL and helper replays share
//! (the revision, its dialects, the facts recorded so far), with how an op
//! names its table and column. The modules that apply ops extend it; the
//! replay driver runs it.

use miglint_diagnostics::{Dialect, DialectSet, TextRange};
use miglint_python::{Column as PyColumn, Expr, ExprKind, Module, Op};

use crate::data;
use crate::facts::{ObjectKind, OpFacts};
use crate::input::{RevisionInput, SqlOf};
use crate::names::literal_name;
use crate::prep::Prep;
use crate::state::{HashMap, Key, Origin, key};

/// The facts of one replay: per position of its order, the file and the
/// facts of its ops, kept in lists of a few thousand ops each (not a list
/// per file: few allocations; not one list: an allocation that large
/// goes back to the system when freed, and the next build's first touch
/// of each of its pages faults).
#[derive(Default)]
pub(crate) struct EnvFacts {
    /// Per position: the file, and where its ops' facts lie (a chunk, a
    /// range in it).
    files: Vec<(usize, u32, u32, u32)>,
    chunks: Vec<Vec<OpFacts>>,
    /// The last chunk is lent out (see [`EnvFacts::open`]).
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
    /// The names the file imports from other modules (`imported_names`).
    pub imported: &'i [&'a str],
}

/// How an op names its table.
#[derive(Clone, Copy)]
pub(crate) enum TableRef<'a> {
    /// (borrowed from the module: the facts, the change and the guards of
    /// one op ask it in turn, and no copy is made)
    Known(&'a str),
    /// Not a literal (a variable, a loop): any table.
    Dynamic,
    /// The op has no table.
    None,
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

/// Ops that change the schema (a dynamic table name there makes the whole
/// schema uncertain).
const DDL_OPS: &[&str] = &[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_foreign_key",
    "create_check_constraint",
    "create_primary_key",
    "create_exclude_constraint",
    "drop_constraint",
];

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
            imported: &prep.imported,
        }
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

/// The table `op` works on: a literal, or a module-level name bound to a
/// string.
pub(crate) fn read_table_name<'a>(m: &'a Module, op: &'a Op) -> TableRef<'a> {
    if let Some(t) = op.table_str() {
        return TableRef::Known(t);
    }
    if matches!(
        op.name.as_str(),
        "execute" | "exec_driver_sql" | "bulk_insert"
    ) || !DDL_OPS.contains(&op.name.as_str())
    {
        return TableRef::None;
    }
    if op.in_batch() {
        return TableRef::Dynamic;
    }
    let expr = match op.name.as_str() {
        "create_index"
        | "create_unique_constraint"
        | "create_check_constraint"
        | "create_primary_key"
        | "drop_constraint"
        | "create_exclude_constraint" => op.arg_or_kw(1, "table_name"),
        "create_foreign_key" => op.arg_or_kw(1, "source_table"),
        "drop_index" => match op.kwarg("table_name").map(|k| &k.value).or(op.args.get(1)) {
            Some(e) => Some(e),
            // `drop_index("ix")`: the index names its table
            None => return TableRef::None,
        },
        "rename_table" => op.arg_or_kw(0, "old_table_name"),
        _ => op.arg_or_kw(0, "table_name"),
    };
    match expr {
        Some(e) => match module_str(m, e) {
            Some(s) => TableRef::Known(s),
            None => TableRef::Dynamic,
        },
        None => TableRef::Dynamic,
    }
}

/// A literal name, or a module-level name bound to a string, with the
/// module's lifetime.
fn module_str<'a>(m: &'a Module, e: &'a Expr) -> Option<&'a str> {
    if let Some(s) = literal_name(e) {
        return Some(s);
    }
    match &e.kind {
        ExprKind::Name(n) => m.binding(n)?.str_value(),
        _ => None,
    }
}

/// The column `op` works on (add/drop/alter_column).
pub(crate) fn read_column_name<'a>(m: &'a Module, op: &'a Op) -> Option<&'a str> {
    match op.name.as_str() {
        "add_column" => {
            let e = op
                .args
                .iter()
                .chain(op.kwarg("column").map(|k| &k.value))
                .nth(if op.in_batch() { 0 } else { 1 })?;
            let e = data::resolve(m, e);
            // (`PyColumn::name`, borrowed)
            let call = PyColumn::from_expr(e)?.call;
            call.args
                .first()
                .or_else(|| call.kwarg("name").map(|k| &k.value))?
                .str_value()
        }
        "drop_column" | "alter_column" => op
            .arg_or_kw(usize::from(!op.in_batch()), "column_name")
            .and_then(|e| module_str(m, e)),
        _ => None,
    }
}

/// Whether a function (`text`) calls something imported from a module
/// that is not Alembic, SQLAlchemy or the standard library (a project's
/// migration helpers: `from app.migrations.utils import create_table`),
/// whose schema changes miglint cannot see; `names` are the file's
/// [`imported_names`].
pub(crate) fn calls_any(names: &[&str], text: &str) -> bool {
    names.iter().any(|n| {
        crate::names::find_word(text, n).is_some()
            && (text.contains(&format!("{n}(")) || text.contains(&format!("{n}.")))
    })
}

/// Modules whose imports are no project helpers (see [`imported_names`]).
const SAFE: &[&str] = &[
    "alembic",
    "sqlalchemy",
    "sa",
    "typing",
    "datetime",
    "uuid",
    "json",
    "enum",
    "logging",
    "os",
    "re",
    "sys",
    "time",
    "decimal",
    "collections",
    "functools",
    "itertools",
    "textwrap",
    "dataclasses",
    "__future__",
    "sqlalchemy_utils",
    "sqlmodel",
    "math",
    "random",
    "string",
    "hashlib",
    "base64",
    "secrets",
    "pathlib",
    "copy",
    "warnings",
    "contextlib",
    "typing_extensions",
    "zoneinfo",
    "pytz",
];

/// The local names a file imports from modules that are not Alembic,
/// SQLAlchemy or the standard library (see `calls_any`); read once
/// per revision.
pub(crate) fn imported_names(source: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    // only a line that starts with `from ` or `import ` names anything (with
    // the lines its parenthesized list goes on over): the other lines are
    // stepped over, newline to newline, not read
    let mut at = 0;
    while let Some(rest) = source.get(at..).filter(|r| !r.is_empty()) {
        if rest.starts_with("from ") || rest.starts_with("import ") {
            let mut lines = Lines { text: source, at };
            let Some(line) = lines.next() else { break };
            import_line(line, &mut lines, &mut names);
            at = lines.at;
        } else {
            match newline(rest) {
                Some(n) => at += n + 1,
                None => break,
            }
        }
    }
    names
}

/// The offset of the first `\n` of `text` (a byte loop: the lines are
/// short, and `str::find` costs more per call than it saves per byte).
fn newline(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == b'\n')
}

/// [`str::lines`] from offset `at` of `text`, with the offset reached.
struct Lines<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Lines<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.text.get(self.at..).filter(|r| !r.is_empty())?;
        // (as `str::lines`: a `\r` only before a `\n` ends the line)
        let (line, len) = match newline(rest) {
            Some(n) => (rest[..n].strip_suffix('\r').unwrap_or(&rest[..n]), n + 1),
            None => (rest, rest.len()),
        };
        self.at += len;
        Some(line)
    }
}

/// Reads one line of [`imported_names`] (and the lines a parenthesized
/// list goes on over, from `lines`).
fn import_line<'t>(line: &'t str, lines: &mut Lines<'t>, names: &mut Vec<&'t str>) {
    let (module, imported) = if let Some(rest) = line.strip_prefix("from ") {
        match rest.split_once(" import ") {
            Some((m, i)) => (m.trim(), i),
            None => return,
        }
    } else if let Some(rest) = line.strip_prefix("import ") {
        for part in rest.split('#').next().unwrap_or("").split(',') {
            let module = part.split_whitespace().next().unwrap_or("");
            let top = module.split('.').next().unwrap_or("");
            let local = part.rsplit(" as ").next().unwrap_or(part).trim();
            let local = local.split('.').next().unwrap_or(local);
            if !SAFE.contains(&top) && !local.is_empty() {
                names.push(local);
            }
        }
        return;
    } else {
        return;
    };
    let top = module
        .trim_start_matches('.')
        .split('.')
        .next()
        .unwrap_or("");
    // (the lines of a parenthesized list are read, even from a module
    // whose names do not count)
    let mut more: Vec<&str> = Vec::new();
    if imported.trim_start().starts_with('(') && !imported.contains(')') {
        for line in lines.by_ref() {
            more.push(line);
            if line.contains(')') {
                break;
            }
        }
    }
    if SAFE.contains(&top) && !module.starts_with('.') {
        return;
    }
    for part in std::iter::once(imported)
        .chain(more)
        .flat_map(|p| p.split('#').next().unwrap_or("").split(','))
    {
        let part = part.trim().trim_matches(|c| c == '(' || c == ')').trim();
        let local = part.rsplit(" as ").next().unwrap_or(part).trim();
        let local = local.split('.').next().unwrap_or(local);
        if !local.is_empty()
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            names.push(local);
        }
    }
}

#[cfg(test)]
mod imported_names_tests {
    use super::imported_names;

    #[test]
    fn only_unsafe_modules_at_line_start() {
        let src = "\"\"\"doc: import nothing\"\"\"\nfrom alembic import op\n\
                   import sqlalchemy as sa\nfrom sqlalchemy import (\n    Table,\n)\n\
                   from app.utils import (\n    make_table,  # helper\n    other as alias,\n)\n\
                   import app.helpers as h, os\n    from indented import nope\n\
                   x = 'import y'\nfrom .local import thing\r\nimport\tz";
        assert_eq!(imported_names(src), ["make_table", "alias", "h", "thing"]);
        assert!(imported_names("").is_empty());
        assert_eq!(imported_names("import helpers"), ["helpers"]);
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
