//! The replay: the graph walk over an environment's revisions, and the
//! per-revision pass over its functions that records each op's facts.

use miglint_diagnostics::{DialectSet, TextRange};
use miglint_python::{FuncKind, Op, Receiver};

use crate::data;
use crate::facts::{OpFacts, column_facts, table_facts};
use crate::input::RevisionInput;
use crate::prep::{Ahead, Prep};
use crate::rev::{EnumUsers, EnvFacts, Rev, TableRef};
use crate::state::{HashMap, Origin, Schema};

/// Replays the revisions of `order` for `dialects`. With `stop`, returns
/// the state right after that revision (and stops there).
pub(crate) fn replay_env(
    inputs: &[RevisionInput<'_>],
    order: &[usize],
    dialects: DialectSet,
    stop: Option<usize>,
    reference: Option<&EnvFacts>,
) -> ((EnvFacts, EnumUsers), Option<Schema>) {
    let mut cursor = Cursor::start(inputs, order);
    let mut facts = EnvFacts::with_capacity(order.len());
    let walk = Walk {
        inputs,
        order,
        dialects,
        stop,
        reference,
        capture: None,
        ahead: None,
    };
    let (stopped, _) = walk.run(&mut cursor, &mut facts);
    ((facts, cursor.users), stopped)
}

/// The replay state of one environment right before position `pos` of its
/// order: what the revisions before it left (see `checkpoint.rs`). The
/// facts of those revisions are not part of it (a replay's `EnvFacts` up
/// to `pos`).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cursor {
    pub pos: usize,
    /// By position: how many children of that revision are still to be
    /// replayed.
    remaining: Vec<usize>,
    /// By position: the state after that revision, while some child of it
    /// is still to be replayed (a map: few are pending at a time, and a
    /// slot per revision would cost a schema's size per revision).
    states: HashMap<usize, Schema>,
    /// The enum types' users recorded so far.
    pub users: EnumUsers,
}

impl Cursor {
    /// Before the first revision of `order`.
    pub fn start(inputs: &[RevisionInput<'_>], order: &[usize]) -> Cursor {
        let pos_of = positions(inputs, order);
        let mut remaining = vec![0usize; order.len()];
        for &f in order {
            for p in inputs[f].parents.iter().flatten() {
                if let Some(&pp) = pos_of.get(*p)
                    && pp != usize::MAX
                {
                    remaining[pp] += 1;
                }
            }
        }
        Cursor {
            pos: 0,
            remaining,
            states: HashMap::default(),
            users: EnumUsers::default(),
        }
    }

    /// Fits a state kept before position `pos` of an order to the same
    /// order with revisions appended (see `KeptModel::update`): counts
    /// their parents' new children. `false` when one of their parents
    /// lies before `pos` with no child left to replay there: its state
    /// after it is gone, so that this state cannot serve them.
    pub fn grow(&mut self, inputs: &[RevisionInput<'_>], order: &[usize]) -> bool {
        let old = self.remaining.len();
        if old >= order.len() {
            return old == order.len();
        }
        let pos_of = positions(inputs, order);
        let parents: Vec<usize> = order[old..]
            .iter()
            .flat_map(|&f| inputs[f].parents.iter().flatten())
            .filter_map(|&p| pos_of.get(p).copied().filter(|&pp| pp != usize::MAX))
            .collect();
        if parents
            .iter()
            .any(|&pp| pp < self.pos && self.remaining[pp] == 0)
        {
            return false;
        }
        self.remaining.resize(order.len(), 0);
        for pp in parents {
            self.remaining[pp] += 1;
        }
        true
    }
}

/// Position in `order` by input index (a vector: one lookup per parent;
/// `usize::MAX` for inputs outside it).
fn positions(inputs: &[RevisionInput<'_>], order: &[usize]) -> Vec<usize> {
    let mut pos_by_input = vec![usize::MAX; inputs.len()];
    for (k, &f) in order.iter().enumerate() {
        pos_by_input[f] = k;
    }
    pos_by_input
}

/// One walk over an environment's order, from a cursor to the end (or to
/// `stop`).
pub(crate) struct Walk<'w, 'i> {
    pub inputs: &'w [RevisionInput<'i>],
    pub order: &'w [usize],
    pub dialects: DialectSet,
    /// Return the state right after this revision (and stop there).
    pub stop: Option<usize>,
    /// The facts of another dialect's replay of this environment: facts
    /// equal to its at a position are kept there only.
    pub reference: Option<&'w EnvFacts>,
    /// A copy of the cursor is taken right before this position.
    pub capture: Option<usize>,
    /// What each revision's pass reads of its file alone, read ahead of
    /// the walk (see `prep.rs`).
    pub ahead: Option<&'w Ahead<'i>>,
}

impl Walk<'_, '_> {
    /// Replays from `cursor.pos` on, appending to `facts` (which holds the
    /// facts of the positions before it); returns the state at `stop` and
    /// the cursor captured at `capture`.
    pub fn run(
        &self,
        cursor: &mut Cursor,
        facts: &mut EnvFacts,
    ) -> (Option<Schema>, Option<Cursor>) {
        let (inputs, order) = (self.inputs, self.order);
        let pos_by_input = positions(inputs, order);
        let pos_of = |f: usize| pos_by_input.get(f).copied().filter(|&k| k != usize::MAX);
        let mut captured = None;
        let Cursor {
            pos,
            remaining,
            states,
            users,
        } = cursor;
        while let Some(&file) = order.get(*pos) {
            if self.capture == Some(*pos) {
                captured = Some(Cursor {
                    pos: *pos,
                    remaining: remaining.clone(),
                    states: states.clone(),
                    users: users.clone(),
                });
            }
            let at = *pos;
            *pos += 1;
            let input = &inputs[file];
            let start = Origin {
                file: file as u32,
                func: u32::MAX,
                range: TextRange::empty(0),
            };
            let mut state: Option<Schema> = None;
            let mut unknown = false;
            match &input.parents {
                None => unknown = true,
                Some(ps) => {
                    for p in ps {
                        let Some(pp) = pos_of(*p) else {
                            unknown = true;
                            continue;
                        };
                        let taken = if remaining[pp] == 1 {
                            states.remove(&pp)
                        } else {
                            states.get(&pp).cloned()
                        };
                        remaining[pp] = remaining[pp].saturating_sub(1);
                        match (&mut state, taken) {
                            (None, Some(t)) => state = Some(t),
                            (Some(s), Some(t)) => s.merge_from(&t, |o| {
                                (pos_of(o.file as usize).unwrap_or(0), o.range.start())
                            }),
                            (_, None) => unknown = true,
                        }
                    }
                }
            }
            let mut state = state.unwrap_or_default();
            if unknown {
                state.set_unknown(start);
            }
            let record = self.stop.is_none();
            let prep = self
                .ahead
                .and_then(|a| a.take(at))
                .unwrap_or_else(|| Prep::new(input));
            // the facts are made in place, in the chunk they are kept in
            let (chunk, base) = facts.open(if record { input.module.ops.len() } else { 0 });
            let mut chunk = Rev::new(input, file, self.dialects, record, users, &prep)
                .run(&mut state, chunk, base);
            if self.stop == Some(file) {
                facts.put_back(chunk);
                return (Some(state), captured);
            }
            let Some(k) = pos_of(file) else {
                facts.close(file, chunk, base);
                continue;
            };
            if remaining[k] > 0 {
                states.insert(k, state);
            }
            // the same facts as the reference replay's (another dialect of
            // this environment) at this position: kept there only (an empty
            // list here; see `SchemaModel::build`)
            let at = facts.len();
            let same = self
                .reference
                .and_then(|r| r.get(at))
                .is_some_and(|(f0, ops0)| f0 == file && ops0 == &chunk[base..]);
            if same {
                chunk.truncate(base);
            }
            facts.close(file, chunk, base);
        }
        (None, captured)
    }
}

impl<'i, 'a> Rev<'i, 'a> {
    /// Replays the revision; returns `facts` with the facts of its ops
    /// written from `base` on (see [`EnvFacts::open`]).
    fn run(mut self, state: &mut Schema, facts: Vec<OpFacts>, base: usize) -> Vec<OpFacts> {
        let m = self.input.module;
        let prep = self.prep;
        self.facts = facts;
        self.base = base;
        // ops bucketed by function, once per file
        let by_func = &prep.by_func;
        for kind in [FuncKind::Upgrade, FuncKind::Downgrade] {
            for (f, func) in m.functions.iter().enumerate() {
                if func.kind != kind {
                    continue;
                }
                // (read once per file, at extraction)
                let fp = func.outside();
                let stamp = state.unknown_stamp;
                if kind == FuncKind::Downgrade {
                    state.begin_undo();
                }
                self.func = f;
                self.opaque_at = None;
                self.dynamic_sql = false;
                self.idents = None;
                // helpers of the module it calls, in text order
                let mut calls = fp.calls.iter().peekable();
                let text = self.input.source.get(func.range.as_usize()).unwrap_or("");
                // ORM/Core writes outside ops: read when an op asks
                self.orm_writes = None;
                let drops = fp.drops;
                if fp.creates {
                    self.enum_creates(text, func.range.start(), state);
                }
                // ORM deletes of every row of a class mapped in the file
                let mut emptied = fp.emptied.iter().peekable();
                if fp.calls_project || fp.schema_calls {
                    state.forget_existence();
                }
                // project helpers called with a table's name
                let mut named = fp.named.iter().peekable();
                for &i in &by_func[f] {
                    let start = m.ops[i].range.start();
                    while let Some(&(at, h)) = calls.next_if(|(at, _)| *at < start) {
                        self.helper(at, h as usize, by_func, state);
                    }
                    while let Some((at, table)) = emptied.next_if(|(at, _)| *at < start) {
                        self.orm_emptied(*at, table, state);
                    }
                    while let Some((at, table)) = named.next_if(|(at, _)| *at < start) {
                        self.helper_named(*at, table, state);
                    }
                    self.op(i, &m.ops[i], state);
                }
                for &(at, h) in calls {
                    self.helper(at, h as usize, by_func, state);
                }
                for (at, table) in emptied {
                    self.orm_emptied(*at, table, state);
                }
                if drops {
                    let mut gone: Vec<String> = state
                        .enums
                        .values()
                        .filter(|e| {
                            text.contains(&format!("\"{}\"", e.name))
                                || text.contains(&format!("'{}'", e.name))
                        })
                        .map(|e| e.name.clone())
                        .collect();
                    let (bound, calls, unresolved) = self.enum_drops(text);
                    if unresolved || calls > gone.len() {
                        // a type miglint cannot name may be gone
                        state.forget_existence();
                    }
                    gone.extend(bound);
                    for n in gone {
                        state.remove_enum(&n);
                    }
                }
                if kind == FuncKind::Upgrade {
                    self.settle_upgrade(f, state);
                }
                if kind == FuncKind::Downgrade {
                    self.check_reversal(f, !by_func[f].is_empty(), state, stamp);
                    self.enums_left(f, &by_func[f], state, stamp);
                    state.rollback();
                }
            }
        }
        self.facts
    }

    /// A helper called at offset `at`: its call order is not modelled, so
    /// its schema changes make the tables it touches uncertain from the
    /// call on, and its writes count as writes miglint cannot read.
    fn helper(&mut self, at: u32, h: usize, by_func: &[Vec<usize>], state: &mut Schema) {
        let m = self.input.module;
        let o = self.origin(TextRange::empty(at));
        self.opaque_at = Some(self.opaque_at.map_or(at, |a| a.min(at)));
        for &i in &by_func[h] {
            let op = &m.ops[i];
            if op.name == "execute" || op.name == "exec_driver_sql" {
                continue;
            }
            match self.table_name(op) {
                TableRef::Known(t) => state.make_uncertain(t, o),
                TableRef::Dynamic => state.set_unknown(o),
                TableRef::None => {}
            }
        }
    }

    /// `session.query(Cls).delete()` at offset `at`: every row of `Cls`'s
    /// table is gone.
    fn orm_emptied(&mut self, at: u32, table: &str, state: &mut Schema) {
        let o = self.origin(TextRange::new(at, at + ".delete(".len() as u32));
        state.table_for_change(table, o).emptied = Some(o);
    }

    fn op(&mut self, i: usize, op: &'a Op, state: &mut Schema) {
        let reaching = op.dialects.intersect(self.input.targets);
        if reaching.intersect(self.dialects).is_empty() {
            return;
        }
        if self.record {
            let mut f = self.op_facts(op, state);
            if let Receiver::Batch(b) = &op.receiver {
                f.batch_recreates_on_sqlite =
                    self.prep.recreates.get(&b.range).copied().unwrap_or(false);
            }
            self.facts[self.base + i] = f;
        }
        self.cur_op = i;
        self.log_op(i, op, state);
        self.apply(i, op, state);
        // an op that may not have run (or ran twice), or that skips itself
        // when its object exists: what it touched is uncertain after it
        let skips = |k: &str| {
            op.kwarg(k)
                .is_some_and(|kw| kw.value.bool_value() != Some(false))
        };
        // another schema: the model keys tables by name only
        if op.kwarg("schema").is_some_and(|k| !k.value.is_none())
            && let TableRef::Known(t) = self.table_name(op)
        {
            state.forget_table(t);
        }
        if op.conditional || op.in_try || skips("if_not_exists") {
            let o = self.origin(op.range);
            match self.table_name(op) {
                TableRef::Known(t) => state.forget_table(t),
                TableRef::Dynamic => state.set_unknown(o),
                TableRef::None if op.name == "drop_index" => state.forget_existence(),
                TableRef::None => {
                    let sql = self.sql_of(i).map(|s| s.lit.value.to_ascii_uppercase());
                    let ddl = sql.is_none_or(|up| {
                        ["CREATE", "DROP", "ALTER", "RENAME"]
                            .iter()
                            .any(|w| crate::names::find_word(&up, w).is_some())
                    });
                    if matches!(op.name.as_str(), "execute" | "exec_driver_sql") && ddl {
                        state.forget_existence();
                    }
                }
            }
        }
    }

    /// The facts of `op`'s table and column before it runs.
    fn op_facts(&mut self, op: &'a Op, state: &Schema) -> OpFacts {
        let mut f = OpFacts::default();
        let (missing, existing) = self.object_facts(op, state);
        (f.missing, f.existing) = (missing.map(Box::new), existing.map(Box::new));
        if f.missing.as_ref().is_some_and(|m| m.origin.is_none()) && self.stamped_base() {
            f.missing = None;
        }
        let TableRef::Known(table) = self.table_name(op) else {
            return f;
        };
        f.table = Some(table_facts(state, table));
        if let Some(col) = self.column_name(op) {
            let mut cf = column_facts(state, table, col);
            if cf.maybe_backfilled.is_none()
                && op.name == "alter_column"
                && let Some(at) = self.opaque_at
                && at < op.range.start()
                && self.ident_before(col, op.range.start())
            {
                cf.maybe_backfilled = Some(self.origin(TextRange::empty(at)));
            }
            if cf.maybe_backfilled.is_none() && op.name == "alter_column" {
                let src = self.input.source;
                let hit = self.orm_writes().iter().copied().find(|(a, b)| {
                    *a < op.range.start()
                        && src
                            .get(*a as usize..*b as usize)
                            .is_some_and(|w| crate::names::find_ident(w, col))
                });
                if let Some((a, b)) = hit {
                    cf.maybe_backfilled = Some(self.origin(TextRange::new(a, b)));
                }
            }
            if cf.maybe_backfilled.is_none() && op.name == "alter_column" {
                cf.maybe_backfilled = self.orm_object_write(table, col, op.range.start());
            }
            f.column = Some(Box::new(cf));
        }
        f
    }

    /// An ORM write of `table.col` before offset `before` in the current
    /// function: it loads a class this file maps to `table`
    /// (`session.query(Cls)`) and assigns an attribute named `col` on an
    /// object (`row.col = ...`), as a loop over the loaded rows does.
    fn orm_object_write(&self, table: &str, col: &str, before: u32) -> Option<Origin> {
        let m = self.input.module;
        if m.orm_tables.is_empty() {
            return None;
        }
        let func = &m.functions[self.func];
        let base = func.range.start();
        let text = self.input.source.get(func.range.as_usize())?;
        let limit = before.checked_sub(base)? as usize;
        let text = text.get(..limit)?;
        data::orm_queries(text).find(|(_, class)| {
            m.orm_table(class)
                .is_some_and(|t| crate::names::same(t, table))
        })?;
        let (at, _) = data::attribute_writes(text)
            .into_iter()
            .find(|(_, attr)| crate::names::same(attr, col))?;
        Some(self.origin(TextRange::empty(base + at as u32)))
    }

    /// Whether identifier `ident` occurs in the current function before
    /// offset `before` (or in a helper it calls).
    fn ident_before(&mut self, ident: &str, before: u32) -> bool {
        let m = self.input.module;
        let func = &m.functions[self.func];
        let idents = self.idents.get_or_insert_with(|| {
            let mut map = HashMap::default();
            let src = self.input.source;
            let mut scan = |range: std::ops::Range<usize>, base: Option<u32>| {
                let text = src.get(range.clone()).unwrap_or("");
                let bytes = text.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' {
                        let s = i;
                        while i < bytes.len()
                            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                        {
                            i += 1;
                        }
                        let at = base.unwrap_or(range.start as u32 + s as u32);
                        let e = map.entry(text[s..i].to_ascii_lowercase()).or_insert(at);
                        *e = (*e).min(at);
                    } else {
                        i += 1;
                    }
                }
            };
            scan(func.range.as_usize(), None);
            for hf in m.functions.iter().filter(|h| h.kind == FuncKind::Other) {
                scan(hf.range.as_usize(), Some(func.range.start()));
            }
            map
        });
        idents
            .get(&ident.to_ascii_lowercase())
            .is_some_and(|&at| at < before)
    }

    /// A project helper called at `at` with `table`'s name: it may have
    /// created or rebuilt the table (an unknown one stays unknown).
    fn helper_named(&self, at: u32, table: &str, state: &mut Schema) {
        let o = self.origin(TextRange::empty(at));
        if state.table(table).is_none() {
            state.make_uncertain(table, o);
        }
        if let Some(t) = state.table_mut(table) {
            t.helper_named = Some(o);
        }
    }
}
