//! Shared by ML303 (missing-object) and ML304 (object-already-exists):
//! walk every op of `upgrade()`/`downgrade()` and ask the semantic model,
//! per target dialect the op reaches, whether its object certainly is
//! missing (or certainly exists) right before it.

use miglint_diagnostics::Label;
use miglint_python::IdValue;
use miglint_schema::{ObjectFact, OpFacts, Origin, SqlObject};

use crate::prelude::*;

/// One finding: the op (and the span: the op, or a statement of its
/// literal SQL), the fact, and the dialects it holds on.
pub(crate) struct Found<'p> {
    pub file: usize,
    pub index: usize,
    pub op: &'p Op,
    pub range: TextRange,
    pub kind: FuncKind,
    pub fact: ObjectFact,
    pub dialects: DialectSet,
}

/// Every op (or statement of its literal SQL) whose fact `pick` returns
/// on some dialect it reaches; `pick` sees the op's facts, or one
/// statement's (missing, existing) pair.
pub(crate) fn findings<'p>(
    project: &'p Project<'_>,
    pick: impl Fn(&OpFacts) -> Option<&ObjectFact>,
    pick_sql: impl Fn(&SqlObject) -> Option<&ObjectFact>,
) -> Vec<Found<'p>> {
    let model = project.schema();
    let mut out = Vec::new();
    for (fi, f) in project.files.iter().enumerate() {
        let m = f.module;
        for (i, op) in m.ops.iter().enumerate() {
            let kind = m.func_kind(op);
            if !matches!(kind, FuncKind::Upgrade | FuncKind::Downgrade) {
                continue;
            }
            let reaching = op.dialects.intersect(f.targets);
            let mut fact: Option<ObjectFact> = None;
            let mut dialects = DialectSet::EMPTY;
            for (d, facts) in model.facts_for(fi, i, reaching) {
                if let Some(x) = pick(facts) {
                    dialects = dialects.union(DialectSet::single(d));
                    fact.get_or_insert_with(|| x.clone());
                }
            }
            // the statements of its literal SQL, in order, over the dialects
            let mut sql: Vec<Found<'p>> = Vec::new();
            for (d, facts) in model.facts_for(fi, i, reaching) {
                for s in &facts.sql_objects {
                    let Some(x) = pick_sql(s) else { continue };
                    match sql.iter_mut().find(|g| g.range == s.range) {
                        Some(g) => g.dialects = g.dialects.union(DialectSet::single(d)),
                        None => sql.push(Found {
                            file: fi,
                            index: i,
                            op,
                            range: s.range,
                            kind,
                            fact: x.clone(),
                            dialects: DialectSet::single(d),
                        }),
                    }
                }
            }
            // the source walk of the guard runs only for ops with a finding
            if fact.is_none() && sql.is_empty() {
                continue;
            }
            let func = &m.functions[op.func];
            if miglint_schema::names::existence_guarded(f.source, func, op) {
                continue;
            }
            if let Some(fact) = fact {
                out.push(Found {
                    file: fi,
                    index: i,
                    op,
                    range: op.range,
                    kind,
                    fact,
                    dialects,
                });
            }
            out.extend(sql);
        }
    }
    out
}

/// The revision id of file `i` (`?` when not a literal).
pub(crate) fn revision_of(files: &[ProjectFile<'_>], i: usize) -> String {
    match files[i].module.ids.revision.as_ref().map(|r| &r.value) {
        Some(IdValue::Str(s)) => s.value.clone(),
        _ => "?".to_string(),
    }
}

/// "revision X (upgrade)" / "its downgrade" for the op at `o`.
pub(crate) fn where_of(files: &[ProjectFile<'_>], o: &Origin, here: usize) -> String {
    let f = &files[o.file as usize];
    let func = f
        .module
        .functions
        .get(o.func as usize)
        .map_or("upgrade", |func| match func.kind {
            FuncKind::Downgrade => "downgrade",
            _ => "upgrade",
        });
    if o.file as usize == here {
        format!("earlier in this revision's {func}()")
    } else {
        format!(
            "in the {func}() of revision {}",
            revision_of(files, o.file as usize)
        )
    }
}

/// A label at origin `o`.
pub(crate) fn label(files: &[ProjectFile<'_>], o: &Origin, here: usize, message: String) -> Label {
    Label {
        range: o.range,
        message,
        file: (o.file as usize != here).then(|| files[o.file as usize].path.to_path_buf()),
    }
}

/// `table "t"` / `column "c" of table "t"`.
pub(crate) fn describe(f: &ObjectFact) -> String {
    match &f.table {
        Some(t) if f.kind != miglint_schema::ObjectKind::Table => {
            format!("{} \"{}\" of table \"{}\"", f.kind.noun(), f.name, t)
        }
        _ => format!("{} \"{}\"", f.kind.noun(), f.name),
    }
}

/// The command that runs `kind`.
pub(crate) fn command(kind: FuncKind) -> &'static str {
    match kind {
        FuncKind::Downgrade => "alembic downgrade",
        _ => "alembic upgrade",
    }
}
