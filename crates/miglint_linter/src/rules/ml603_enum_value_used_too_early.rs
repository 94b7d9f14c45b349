use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;

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
        let mut leftover: Vec<Vec<Pending>> = Vec::with_capacity(files.len());
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
        let per_migration = files.iter().any(|f| {
            f.source.contains("transaction_per_migration")
                && f.source
                    .replace(' ', "")
                    .contains("transaction_per_migration=True")
        });
        if per_migration || leftover.iter().all(Vec::is_empty) {
            return;
        }
        // 2. into the descendants, until a revision commits (autocommit_block)
        let children = crate::rule::children_of(&project.parent_files());
        for (ai, added) in leftover.iter().enumerate() {
            if added.is_empty() {
                continue;
            }
            let rev = revision_id(files[ai].module);
            let origin = (files[ai].path.to_path_buf(), rev);
            let start: Vec<Pending> = added
                .iter()
                .map(|p| Pending {
                    origin: Some(origin.clone()),
                    ..p.clone()
                })
                .collect();
            let mut queue: VecDeque<(usize, Vec<Pending>)> =
                children[ai].iter().map(|&c| (c, start.clone())).collect();
            let mut seen = HashSet::new();
            while let Some((di, mut pending)) = queue.pop_front() {
                if !seen.insert(di) {
                    continue;
                }
                let file = &contexts[di];
                let mut diags = Vec::new();
                for (func, f) in file.module.functions.iter().enumerate() {
                    if f.kind == FuncKind::Upgrade && !pending.is_empty() {
                        scan(file, model, func, &mut pending, false, &mut diags);
                    }
                }
                out.extend(diags.into_iter().map(|d| (di, d)));
                if !pending.is_empty() {
                    queue.extend(children[di].iter().map(|&c| (c, pending.clone())));
                }
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
    pending: &mut Vec<Pending>,
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
                } = &stmt.kind
                {
                    if record {
                        pending.push(Pending {
                            type_name: type_name.clone().unwrap_or_else(|| "?".into()),
                            value: value.clone(),
                            range: exec.file_range(stmt.range.clone()),
                            origin: None,
                        });
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
                pending.retain(|p| {
                    let quoted = format!("'{}'", p.value.replace('\'', "''"));
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
    let table = op.table().map(|t| t.value).or_else(|| {
        let first = op.args.first()?;
        let target = match op.sql() {
            Some(SqlSource::Construct(e)) => construct_table(e)?,
            _ => first,
        };
        miglint_schema::table_of_expr(file.module, target)
    })?;
    if !users.iter().any(|(t, _)| t.eq_ignore_ascii_case(&table)) {
        return None;
    }
    op.args
        .iter()
        .chain(op.kwargs.iter().map(|k| &k.value))
        .find_map(|e| find_in_expr(file, e, &p.value, 0))
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

fn find_in_expr(file: &FileContext<'_>, e: &Expr, value: &str, depth: usize) -> Option<TextRange> {
    if depth > 32 {
        return None;
    }
    let recurse = |x: &Expr| find_in_expr(file, x, value, depth + 1);
    match &e.kind {
        ExprKind::Str(s) => (s.value == value).then_some(e.range),
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
                .find_map(recurse)
                .or_else(|| recurse(&c.func))
        }
        ExprKind::Attribute(a) => recurse(&a.value),
        ExprKind::Tuple(items) | ExprKind::List(items) => items.iter().find_map(recurse),
        ExprKind::BinOp { operands, .. } => {
            let [left, right] = &**operands;
            recurse(left).or_else(|| recurse(right))
        }
        ExprKind::Other => {
            let text = file.source.get(e.range.as_usize())?;
            ["'", "\""].iter().find_map(|q| {
                let quoted = format!("{q}{value}{q}");
                text.find(&quoted).map(|at| {
                    let start = e.range.start() + at as u32;
                    TextRange::new(start, start + quoted.len() as u32)
                })
            })
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
