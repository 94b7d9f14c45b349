use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

use miglint_diagnostics::Label;
use miglint_python::IdValue;
use miglint_sql::StmtKind;

use crate::prelude::*;
use miglint_schema::SchemaModel;
use miglint_schema::names::find_ident;

pub struct EnumValueUsedTooEarly;

static META: RuleMeta = RuleMeta {
    code: "ML603",
    name: "enum-value-used-too-early",
    summary: "a value added with `ALTER TYPE ... ADD VALUE` is used before the transaction commits",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

/// An `ALTER TYPE t ADD VALUE 'v'` not yet committed.
#[derive(Debug, Clone)]
struct Pending {
    type_name: String,
    value: String,
    range: TextRange,
    /// The revision file that added it, when it is not the file reported.
    origin: Option<(PathBuf, String)>,
    /// That file's index and the value's position among what it leaves
    /// pending (once it is passed on to its descendants).
    id: (usize, usize),
}

impl Rule for EnumValueUsedTooEarly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    /// A project rule: with the default env.py, one `alembic upgrade` runs
    /// every revision it applies in one transaction, so a value added by a
    /// revision is still uncommitted in its descendants (TRUTH §9).
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let files = &project.files;
        let contexts: Vec<FileContext<'_>> =
            (0..files.len()).map(|i| project.file_context(i)).collect();
        let model = project.schema();
        // 1. within each migration function; what each revision's upgrade
        //    leaves uncommitted
        let mut leftover: Vec<Vec<Rc<Pending>>> = Vec::with_capacity(files.len());
        for (fi, file) in contexts.iter().enumerate() {
            let mut left = Vec::new();
            for (func, f) in file.module.functions.iter().enumerate() {
                if !matches!(f.kind, FuncKind::Upgrade | FuncKind::Downgrade) {
                    continue;
                }
                let mut pending = Vec::new();
                let mut diags = Vec::new();
                scan(file, model, func, &mut pending, true, &mut diags);
                out.extend(diags.into_iter().map(|d| (fi, d)));
                if f.kind == FuncKind::Upgrade {
                    left.extend(pending);
                }
            }
            leftover.push(left);
        }
        // an env.py among the linted files that commits per revision
        // (after the cheap test: most projects leave nothing pending)
        if leftover.iter().all(Vec::is_empty)
            || files.iter().any(|f| {
                f.source.contains("transaction_per_migration")
                    && f.source
                        .replace(' ', "")
                        .contains("transaction_per_migration=True")
            })
        {
            return;
        }
        // 2. into the descendants, in each environment's topological order:
        //    a value an ancestor left pending reaches a revision until a
        //    revision between them commits it (autocommit_block) or uses it
        //    (reported there): every run that reaches the revision runs all
        //    of its ancestors first, on every branch, so a use or a commit
        //    on one branch of a merge settles the value for what follows. A
        //    revision is scanned for the values it can name only, found by
        //    their text and type, and a parent's values move to its last
        //    child (shared with the others: persistent sets, and a merge
        //    visits what its branches changed): linear however many values
        //    stay pending, on a chain and at every branch and merge (issue 15)
        let parents: Vec<Vec<usize>> = project
            .parent_files()
            .into_iter()
            .map(|mut ps| {
                ps.sort_unstable();
                ps.dedup();
                ps
            })
            .collect();
        let mut waiting: Vec<usize> = crate::rule::children_of(&parents)
            .iter()
            .map(Vec::len)
            .collect();
        let mut live: Vec<Option<Live>> = (0..files.len()).map(|_| None).collect();
        let mut finder = Finder::default();
        for env in project.environments() {
            for node in env.topo_order() {
                let di = env.nodes[node].file;
                let mut state = Live::default();
                for &p in &parents[di] {
                    waiting[p] = waiting[p].saturating_sub(1);
                    let from = if waiting[p] == 0 {
                        live[p].take()
                    } else {
                        live[p].clone()
                    };
                    if let Some(from) = from {
                        state.join(from);
                    }
                }
                if !state.values.is_empty() {
                    state.scan(&contexts[di], model, di, &finder, out);
                }
                let origin = (files[di].path.to_path_buf(), revision_id(files[di].module));
                for (k, p) in leftover[di].iter().enumerate() {
                    let p = Rc::new(Pending {
                        origin: Some(origin.clone()),
                        id: (di, k),
                        ..(**p).clone()
                    });
                    finder.add(&p);
                    state.values.insert(p.id, p);
                }
                if !(state.values.is_empty() && state.gone.is_empty()) && waiting[di] > 0 {
                    live[di] = Some(state);
                }
            }
        }
    }
}

/// A pending value's id: the revision file that left it pending, and its
/// position among what that file leaves pending.
type Id = (usize, usize);

/// Two pending values are the same when they have the same id (one value
/// passed on from a revision to its descendants).
impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The values left pending by earlier revisions as they reach a revision
/// (step 2). Persistent: the children of a revision share its sets until
/// they change them, and a merge visits only where its parents differ.
/// (A value is never pending and gone in one state.)
#[derive(Clone, Default)]
struct Live {
    /// By the revision that added them (then in its order).
    values: imbl::OrdMap<Id, Rc<Pending>>,
    /// The values an ancestor used or committed: not pending here, even
    /// when another parent leaves them pending.
    gone: imbl::OrdSet<Id>,
}

/// Where to find the values every revision left pending, by text and by
/// type: one index for the whole graph, each id checked against a state's
/// own values on use (so it may name values pending on other branches, or
/// no longer pending).
#[derive(Default)]
struct Finder {
    /// Ids by [`escaped`] value and by type name.
    by_value: HashMap<String, Vec<Id>>,
    by_type: HashMap<String, Vec<Id>>,
    /// Ids by value as it is, and the values' lengths in bytes (the
    /// strings of Python ops, see [`Finder::op_values`]).
    by_raw: HashMap<String, Vec<Id>>,
    raw_lengths: BTreeSet<usize>,
}

impl Finder {
    fn add(&mut self, p: &Pending) {
        let id = p.id;
        self.by_value
            .entry(escaped(&p.value).into_owned())
            .or_default()
            .push(id);
        self.by_type
            .entry(p.type_name.clone())
            .or_default()
            .push(id);
        self.by_raw.entry(p.value.clone()).or_default().push(id);
        self.raw_lengths.insert(p.value.len());
    }

    /// The ids of the values [`find_in_expr`] can find in `e`: its strings,
    /// and the quoted texts of what it does not read (at the values'
    /// lengths only, not every pair of quotes).
    fn op_values(&self, file: &FileContext<'_>, e: &Expr, ids: &mut Vec<Id>) {
        leaves(e, 0, &mut |leaf| {
            if let ExprKind::Str(s) = &leaf.kind {
                let s: &str = &s.value;
                ids.extend(self.by_raw.get(s).into_iter().flatten());
            } else if let Some(text) = file.source.get(leaf.range.as_usize()) {
                let b = text.as_bytes();
                for (i, q) in text.match_indices(['\'', '"']) {
                    for &len in &self.raw_lengths {
                        let (from, to) = (i + 1, i + 1 + len);
                        if b.get(to) == q.as_bytes().first()
                            && let Some(inner) = text.get(from..to)
                        {
                            ids.extend(self.by_raw.get(inner).into_iter().flatten());
                        }
                    }
                }
            }
            None::<()>
        });
    }
}

impl Live {
    /// Joins a parent's state: its values are pending here unless some
    /// parent's side used or committed them. Only the entries where the
    /// two states differ are visited (those both share since a fork are
    /// settled the same on both sides).
    fn join(&mut self, other: Live) {
        if self.values.is_empty() && self.gone.is_empty() {
            *self = other;
            return;
        }
        let gone: Vec<Id> = self
            .gone
            .diff(&other.gone)
            .filter_map(|d| match d {
                imbl::ordset::DiffItem::Add(id) => Some(*id),
                imbl::ordset::DiffItem::Remove(_) => None,
            })
            .collect();
        let came: Vec<(Id, Rc<Pending>)> = self
            .values
            .diff(&other.values)
            .filter_map(|d| match d {
                imbl::ordmap::DiffItem::Add(id, p) => Some((*id, p.clone())),
                _ => None,
            })
            .collect();
        for id in gone {
            if self.values.contains_key(&id) {
                self.values.remove(&id);
            }
            self.gone.insert(id);
        }
        for (id, p) in came {
            if !self.gone.contains(&id) {
                self.values.insert(id, p);
            }
        }
    }

    /// [`scan`] of the `upgrade()` of revision `di` with the values it may
    /// use or commit (the others cannot be touched there): the values it
    /// uses are reported and dropped, all of them when it commits.
    fn scan(
        &mut self,
        file: &FileContext<'_>,
        model: &SchemaModel,
        di: usize,
        finder: &Finder,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let m = file.module;
        let mut commits = false;
        let mut ids: Vec<Id> = Vec::new();
        for (i, op) in m.ops.iter().enumerate() {
            if m.func_kind(op) != FuncKind::Upgrade
                || !file.reaching(op).contains(Dialect::Postgresql)
            {
                continue;
            }
            if op.in_autocommit {
                commits = true;
            } else if let Some(exec) = file.exec(i) {
                for stmt in &exec.statements {
                    if matches!(
                        stmt.kind,
                        StmtKind::AlterTypeAddValue { value: Some(_), .. }
                            | StmtKind::CreateType { .. }
                            | StmtKind::AlterType { .. }
                    ) {
                        continue;
                    }
                    for v in quoted_values(stmt.text(&exec.lit.value)) {
                        ids.extend(finder.by_value.get(v).into_iter().flatten());
                    }
                }
            } else if let Some(table) = op_table(file, op) {
                let user = finder.by_type.keys().any(|ty| {
                    let users = model.enum_users(ty);
                    users.iter().any(|(ut, _)| ut.eq_ignore_ascii_case(&table))
                });
                if user {
                    for e in op.args.iter().chain(op.kwargs.iter().map(|k| &k.value)) {
                        finder.op_values(file, e, &mut ids);
                    }
                }
            }
        }
        if commits {
            ids = self.values.keys().copied().collect();
        }
        ids.sort_unstable();
        ids.dedup();
        // (the finder's ids of values not pending here are left out)
        let mut pending: Vec<Rc<Pending>> = ids
            .iter()
            .filter_map(|id| self.values.get(id).cloned())
            .collect();
        if pending.is_empty() {
            return;
        }
        let mut diags = Vec::new();
        for (func, f) in m.functions.iter().enumerate() {
            if f.kind == FuncKind::Upgrade && !pending.is_empty() {
                scan(file, model, func, &mut pending, false, &mut diags);
            }
        }
        out.extend(diags.into_iter().map(|d| (di, d)));
        if commits {
            self.gone.extend(self.values.keys().copied());
            self.values.clear();
            return;
        }
        let left: HashSet<Id> = pending.iter().map(|p| p.id).collect();
        for id in ids {
            // (a removal looks first: it copies a shared path)
            if !left.contains(&id) && self.values.contains_key(&id) {
                self.values.remove(&id);
                self.gone.insert(id);
            }
        }
    }
}

fn revision_id(m: &Module) -> String {
    match m.ids.revision.as_ref().map(|r| &r.value) {
        Some(IdValue::Str(s)) => s.value.clone(),
        _ => "?".to_string(),
    }
}

/// Walks the ops of function `func` in order: records new values (when
/// `record` is set), reports uses of pending ones (each once, then it is
/// dropped), and clears everything at an `autocommit_block()` (it commits).
/// A use is a use **as a value of that enum type** (TRUTH, additions of
/// 2026-11-30): a cast to the type, or a statement or op on a table whose
/// column has that type (per the semantic model) naming the column; not a
/// `CREATE TYPE` label list, not `RENAME VALUE`, not a String column or
/// another enum that shares the label.
fn scan(
    file: &FileContext<'_>,
    model: &SchemaModel,
    func: usize,
    pending: &mut Vec<Rc<Pending>>,
    record: bool,
    out: &mut Vec<Diagnostic>,
) {
    let m = file.module;
    for (i, op) in m.ops.iter().enumerate() {
        if op.func != func || !file.reaching(op).contains(Dialect::Postgresql) {
            continue;
        }
        if op.in_autocommit {
            // the block commits the transaction before it runs
            pending.clear();
            continue;
        }
        if let Some(exec) = file.exec(i) {
            for stmt in &exec.statements {
                if let StmtKind::AlterTypeAddValue {
                    type_name,
                    value: Some(value),
                    ..
                } = &stmt.kind
                {
                    if record {
                        pending.push(Rc::new(Pending {
                            type_name: type_name.clone().unwrap_or_else(|| "?".into()),
                            value: value.clone(),
                            range: exec.file_range(stmt.range.clone()),
                            origin: None,
                            id: (0, 0),
                        }));
                    }
                    continue;
                }
                if matches!(
                    stmt.kind,
                    StmtKind::CreateType { .. } | StmtKind::AlterType { .. }
                ) {
                    continue;
                }
                let text = stmt.text(&exec.lit.value);
                // (the values quoted in the text, found once: a long list
                // of pending values is not searched for one by one)
                let quoted_here = (!pending.is_empty()).then(|| quoted_values(text));
                pending.retain(|p| {
                    if quoted_here
                        .as_ref()
                        .is_some_and(|q| !q.contains(escaped(&p.value).as_ref()))
                    {
                        return true;
                    }
                    let quoted = format!("'{}'", escaped(&p.value));
                    let Some(at) = text.find(&quoted) else {
                        return true;
                    };
                    let typed = casts_to(text, &quoted, &p.type_name)
                        || stmt.table().is_some_and(|t| {
                            model
                                .enum_users(&p.type_name)
                                .iter()
                                .any(|(ut, uc)| ut.eq_ignore_ascii_case(t) && find_ident(text, uc))
                        });
                    if !typed {
                        return true;
                    }
                    let start = stmt.range.start + at;
                    out.push(diagnostic(p, exec.file_range(start..start + quoted.len())));
                    false
                });
            }
            continue;
        }
        if pending.is_empty() {
            continue;
        }
        pending.retain(|p| match find_use(file, model, op, p) {
            Some(range) => {
                out.push(diagnostic(p, range));
                false
            }
            None => true,
        });
    }
}

/// A value as an SQL literal writes it between its quotes (each quote
/// doubled).
fn escaped(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains('\'') {
        value.replace('\'', "''").into()
    } else {
        value.into()
    }
}

/// Every text between two quotes of `text` whose own quotes come in pairs:
/// the [`escaped`] values whose SQL literal `text.find` can find.
fn quoted_values(text: &str) -> HashSet<&str> {
    let b = text.as_bytes();
    let mut out = HashSet::new();
    for (i, _) in text.match_indices('\'') {
        let mut inner = i + 1;
        // the candidate closing quotes, while the quotes between come in
        // pairs
        while let Some(k) = text[inner..].find('\'').map(|k| inner + k) {
            out.insert(&text[i + 1..k]);
            if b.get(k + 1) != Some(&b'\'') {
                break;
            }
            inner = k + 2;
        }
    }
    out
}

/// `'v'::type` or `CAST('v' AS type)` in `text` (ASCII case-insensitive,
/// schema-qualified or quoted type names allowed).
fn casts_to(text: &str, quoted: &str, type_name: &str) -> bool {
    let low = text.to_ascii_lowercase();
    let q = quoted.to_ascii_lowercase();
    let t = type_name.to_ascii_lowercase();
    let names = |rest: &str| {
        let word: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"'))
            .collect();
        word.rsplit('.')
            .next()
            .is_some_and(|w| w.trim_matches('"') == t)
    };
    low.match_indices(&q).any(|(at, _)| {
        let rest = &low[at + q.len()..];
        rest.strip_prefix("::").is_some_and(names)
            || rest
                .trim_start()
                .strip_prefix("as ")
                .is_some_and(|r| low[..at].trim_end().ends_with("cast(") && names(r))
    })
}

/// Where a Python op uses `p.value` as a value of `p.type_name`: the op's
/// table (a literal, or a `sa.table(...)` variable for `bulk_insert` and
/// Core constructs) has a column of that type, and a string argument equal
/// to the value occurs in the op.
fn find_use(
    file: &FileContext<'_>,
    model: &SchemaModel,
    op: &Op,
    p: &Pending,
) -> Option<TextRange> {
    let users = model.enum_users(&p.type_name);
    if users.is_empty() {
        return None;
    }
    let table = op_table(file, op)?;
    if !users.iter().any(|(t, _)| t.eq_ignore_ascii_case(&table)) {
        return None;
    }
    op.args
        .iter()
        .chain(op.kwargs.iter().map(|k| &k.value))
        .find_map(|e| find_in_expr(file, e, &p.value))
}

/// The table an op writes to: a literal, or a `sa.table(...)` variable
/// for `bulk_insert` and Core constructs.
fn op_table(file: &FileContext<'_>, op: &Op) -> Option<String> {
    op.table().map(|t| t.value).or_else(|| {
        let first = op.args.first()?;
        let target = match op.sql() {
            Some(SqlSource::Construct(e)) => construct_table(e)?,
            _ => first,
        };
        miglint_schema::table_of_expr(file.module, target)
    })
}

/// The table expression of a Core construct chain (`t.update()...`,
/// `t.insert()...`, `sa.update(t)...`).
fn construct_table(e: &Expr) -> Option<&Expr> {
    let mut cur = e;
    for _ in 0..16 {
        let call = cur.as_call()?;
        match &call.func.kind {
            ExprKind::Attribute(a) => {
                let (value, attr) = (&a.value, &a.attr);
                if matches!(attr.as_str(), "update" | "insert") {
                    let sa = value
                        .dotted()
                        .is_some_and(|d| matches!(d.as_str(), "sa" | "sqlalchemy"));
                    return if sa { call.args.first() } else { Some(value) };
                }
                cur = value;
            }
            ExprKind::Name(n) if matches!(n.as_str(), "update" | "insert") => {
                return call.args.first();
            }
            _ => return None,
        }
    }
    None
}

/// Where `value` is written in `e` (see [`leaves`]): a string equal to it,
/// or the value between quotes in the text of an expression not read.
fn find_in_expr(file: &FileContext<'_>, e: &Expr, value: &str) -> Option<TextRange> {
    leaves(e, 0, &mut |leaf| match &leaf.kind {
        ExprKind::Str(s) => (s.value == value).then_some(leaf.range),
        _ => {
            let text = file.source.get(leaf.range.as_usize())?;
            ["'", "\""].iter().find_map(|q| {
                let quoted = format!("{q}{value}{q}");
                text.find(&quoted).map(|at| {
                    let start = leaf.range.start() + at as u32;
                    TextRange::new(start, start + quoted.len() as u32)
                })
            })
        }
    })
}

/// The strings and the unread expressions (`ExprKind::Other`) of `e`, in
/// order, through calls (their arguments, then the callee; not inside an
/// `Enum(...)` type), attributes, tuples, lists and operators: where an op
/// can name a value. The first `Some` that `f` gives.
fn leaves<'e, T>(
    e: &'e Expr,
    depth: usize,
    f: &mut impl FnMut(&'e Expr) -> Option<T>,
) -> Option<T> {
    if depth > 32 {
        return None;
    }
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Other => f(e),
        ExprKind::Call(c) => {
            let callee = c.func.dotted();
            if callee
                .as_deref()
                .is_some_and(|n| matches!(last_segment(n), "Enum" | "ENUM"))
            {
                return None;
            }
            c.args
                .iter()
                .chain(c.kwargs.iter().map(|k| &k.value))
                .chain(std::iter::once(&c.func))
                .find_map(|x| leaves(x, depth + 1, f))
        }
        ExprKind::Attribute(a) => leaves(&a.value, depth + 1, f),
        ExprKind::Tuple(items) | ExprKind::List(items) => {
            items.iter().find_map(|x| leaves(x, depth + 1, f))
        }
        ExprKind::BinOp { operands, .. } => {
            let [left, right] = &**operands;
            leaves(left, depth + 1, f).or_else(|| leaves(right, depth + 1, f))
        }
        _ => None,
    }
}

fn diagnostic(p: &Pending, use_range: TextRange) -> Diagnostic {
    let (v, t) = (&p.value, &p.type_name);
    let (message, label) = match &p.origin {
        None => (
            format!(
                "PostgreSQL rejects this use of \"{v}\" before the `ALTER TYPE` commits: `unsafe \
                 use of new value \"{v}\" of enum type {t}`"
            ),
            format!("adds \"{v}\" to {t}; not committed yet"),
        ),
        Some((_, rev)) => (
            format!(
                "PostgreSQL rejects this use of \"{v}\" when revision {rev}, which adds it, runs in \
                 the same `alembic upgrade` (with the default env.py one run is one transaction, \
                 e.g. every fresh install): `unsafe use of new value \"{v}\" of enum type {t}`"
            ),
            format!(
                "adds \"{v}\" to {t} in revision {rev}; not committed before this revision runs"
            ),
        ),
    };
    let help = if p.origin.is_some() {
        "run the `ALTER TYPE ... ADD VALUE` inside `with op.get_context().autocommit_block():` \
         (it commits first), or set `transaction_per_migration=True` in env.py so that each \
         revision commits on its own; applying the two revisions in separate runs is not \
         enough, since a fresh install applies all revisions in one run"
    } else {
        "run the `ALTER TYPE ... ADD VALUE` inside `with op.get_context().autocommit_block():` \
         (it commits first), or move this use to a later revision and set \
         `transaction_per_migration=True` in env.py; `transaction_per_migration=True` alone \
         does not help, since both statements are in the same revision"
    };
    let mut d = META.diag(use_range, message).with_help(help);
    d.labels.push(Label {
        range: p.range,
        message: label,
        file: p.origin.as_ref().map(|(path, _)| path.clone()),
    });
    d
}

#[cfg(test)]
mod tests {
    use super::{escaped, quoted_values};

    /// The index of quoted texts finds a value exactly when `text.find` of
    /// its SQL literal does (the filter [`super::scan`] puts before it).
    #[test]
    fn quoted_values_find_what_a_search_for_the_literal_finds() {
        let texts = [
            "INSERT INTO t VALUES ('a''b')",
            "x = 'it''s' AND y = 'y'",
            "''",
            "'''",
            "''''",
            "no quotes at all",
            "'a' || 'b'",
            "'can''t publish'",
            "E'\\'' , 'v'::status",
            "'é' 'ü'",
        ];
        let values = [
            "a",
            "b",
            "a'b",
            "it's",
            "y",
            "",
            "'",
            " || ",
            "can't publish",
            "t publish",
            "s",
            "v",
            "é",
            " ",
            "it''s",
        ];
        for text in texts {
            let found = quoted_values(text);
            for value in values {
                let literal = format!("'{}'", escaped(value));
                assert_eq!(
                    found.contains(escaped(value).as_ref()),
                    text.contains(&literal),
                    "{value:?} in {text:?}"
                );
            }
        }
    }
}
