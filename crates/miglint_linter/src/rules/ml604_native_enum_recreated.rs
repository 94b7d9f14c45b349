//! A native enum type created again by a later revision. SQLAlchemy
//! remembers within one process that it created a type, so a single
//! `alembic upgrade head` from an empty database passes; applied as
//! separate runs (a real deploy), PostgreSQL fails with `type "x" already
//! exists` (TRUTH §13).
//!
//! The revision order comes from a minimal parent map of its own
//! (`revision` / `down_revision` literals): a parent id declared by several
//! files resolves to the file nearest to the child in the directory tree,
//! so per-dialect tracks that reuse ids (prefect) stay apart. Only
//! ancestors count; a revision on a parallel branch is never "earlier".
//! Any sign that a revision between the two (or either of them) drops the
//! type in its upgrade (`DROP TYPE x`, or a `.drop(` call next to the
//! type's name) silences the finding.

use std::collections::HashSet;

use miglint_diagnostics::Label;
use miglint_python::IdValue;
use miglint_sql::StmtKind;

use crate::prelude::*;
use crate::rules::ml2xx_facts::{RevisionGraph, find_word, same};

pub struct NativeEnumRecreated;

static META: RuleMeta = RuleMeta {
    code: "ML604",
    name: "native-enum-recreated",
    summary: "a native enum type that an earlier revision already created is created again",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

/// A native enum type one revision's upgrade creates.
#[derive(Debug, Clone)]
struct EnumCreation {
    name: String,
    schema: Option<String>,
    /// The `name=` value (or the `CREATE TYPE` statement).
    range: TextRange,
    /// Through a column type (the offending kind), not raw SQL.
    column: bool,
}

/// What each revision file's upgrade does with enum types.
struct FileEnums {
    creations: Vec<EnumCreation>,
    /// Lowercased type names the upgrade (probably) drops.
    drops: HashSet<String>,
    /// The upgrade's text mentions `.drop(` (a `sa.Enum(...).drop(bind)`).
    drop_call_text: Option<String>,
}

impl Rule for NativeEnumRecreated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let files = &project.files;
        // only a column type creates the enum this rule is about, and its
        // callee is spelled `Enum` / `ENUM`: a project without one has
        // nothing to report (the editor re-runs this on every edit)
        if !files
            .iter()
            .any(|f| f.is_revision() && mentions_enum(f.source))
        {
            return;
        }
        let enums: Vec<Option<FileEnums>> = files
            .iter()
            .map(|f| f.is_revision().then(|| file_enums(f)))
            .collect();
        if !enums
            .iter()
            .flatten()
            .any(|e| e.creations.iter().any(|c| c.column))
        {
            return;
        }
        let graph = RevisionGraph::new(project);
        for (fi, fe) in enums.iter().enumerate() {
            let Some(fe) = fe else { continue };
            let mut reported = HashSet::new();
            for c in fe.creations.iter().filter(|c| c.column) {
                if !reported.insert((c.schema.clone(), c.name.to_ascii_lowercase()))
                    || drops(fe, &c.name)
                {
                    continue;
                }
                let ancestors = graph.ancestors(fi);
                // nearest first (BFS order)
                let Some((ai, earlier)) = ancestors.iter().find_map(|&a| {
                    let ae = enums[a].as_ref()?;
                    ae.creations
                        .iter()
                        .find(|e| same(&e.name, &c.name) && e.schema == c.schema)
                        .map(|e| (a, e))
                }) else {
                    continue;
                };
                // a revision from the earlier one up to this one drops it
                let dropped_between = ancestors.iter().copied().any(|d| {
                    (d == ai || graph.ancestors(d).contains(&ai))
                        && enums[d].as_ref().is_some_and(|de| drops(de, &c.name))
                });
                if dropped_between {
                    continue;
                }
                out.push((fi, diagnostic(files, c, ai, earlier)));
            }
        }
    }
}

fn drops(fe: &FileEnums, name: &str) -> bool {
    fe.drops.contains(&name.to_ascii_lowercase())
        || fe
            .drop_call_text
            .as_deref()
            .is_some_and(|t| t.contains(&format!("\"{name}\"")) || t.contains(&format!("'{name}'")))
}

fn file_enums(f: &ProjectFile<'_>) -> FileEnums {
    let m = f.module;
    let mut fe = FileEnums {
        creations: Vec::new(),
        drops: HashSet::new(),
        drop_call_text: None,
    };
    let enum_columns = mentions_enum(f.source);
    for (i, op) in m
        .ops
        .iter()
        .enumerate()
        .filter(|(_, op)| m.func_kind(op) == FuncKind::Upgrade)
    {
        if !op
            .dialects
            .intersect(f.targets)
            .contains(Dialect::Postgresql)
        {
            continue;
        }
        match op.name.as_str() {
            // `add_column` never creates the type (alembic only emits the
            // ALTER TABLE: PostgreSQL then says `type "x" does not exist`).
            "create_table" if enum_columns => {
                for col in op.columns() {
                    if let Some(c) = native_enum(&col) {
                        fe.creations.push(c);
                    }
                }
            }
            "execute" | "exec_driver_sql" => {
                let Some(SqlSource::Literal(lit)) = op.sql() else {
                    continue;
                };
                // the per-file phase's analysis when there is one (the
                // statement kinds do not depend on the dialects)
                let stored = f.sql.iter().find(|e| e.op == i);
                let fresh;
                let statements = match stored {
                    Some(e) => &e.statements,
                    None => {
                        fresh = miglint_sql::analyze(&lit.value, DialectSet::EMPTY);
                        &fresh
                    }
                };
                for stmt in statements {
                    match &stmt.kind {
                        StmtKind::CreateType { name: Some(n) } => fe.creations.push(EnumCreation {
                            name: n.clone(),
                            schema: None,
                            range: lit.source_range(stmt.range.clone()),
                            column: false,
                        }),
                        StmtKind::Drop { object, .. } if object == "TYPE" => {
                            fe.drops.extend(dropped_type_names(stmt.text(&lit.value)));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for func in m.functions.iter().filter(|f| f.kind == FuncKind::Upgrade) {
        let text = f.source.get(func.range.as_usize()).unwrap_or("");
        if text.contains(".drop(") {
            fe.drop_call_text
                .get_or_insert_with(String::new)
                .push_str(text);
        }
        // `sa.Enum(..., name="x").create(op.get_bind())`: no op, but a
        // creation an earlier revision may have made.
        if text.contains(".create(") {
            for (name, range) in quoted_strings(text, func.range.start()) {
                if !fe.creations.iter().any(|c| c.name == name) && looks_like_type_name(&name) {
                    fe.creations.push(EnumCreation {
                        name,
                        schema: None,
                        range,
                        column: false,
                    });
                }
            }
        }
    }
    fe
}

/// The `name="..."` / `name='...'` string values in `text` (file offset
/// `base`), for `Enum(..., name=...).create(bind)` calls.
fn quoted_strings(text: &str, base: u32) -> Vec<(String, TextRange)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find("name=") {
        let at = from + pos + 5;
        from = at;
        let rest = &text[at..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = rest[1..].find(q) else {
            continue;
        };
        let start = base + at as u32;
        out.push((
            rest[1..1 + end].to_string(),
            TextRange::new(start, start + end as u32 + 2),
        ));
    }
    out
}

fn looks_like_type_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `source` can hold a [`native_enum`] callee.
fn mentions_enum(source: &str) -> bool {
    source.contains("Enum") || source.contains("ENUM")
}

/// `sa.Enum(..., name="x")` / `postgresql.ENUM(..., name="x")` as a
/// column type, unless `create_type=False` or `native_enum=False`.
fn native_enum(col: &Column<'_>) -> Option<EnumCreation> {
    let t = col.type_expr()?;
    let call = t.as_call()?;
    let callee = call.func.dotted()?;
    if !matches!(last_segment(&callee), "Enum" | "ENUM") {
        return None;
    }
    let is_false = |k: &str| {
        call.kwarg(k)
            .is_some_and(|kw| kw.value.bool_value() != Some(true))
    };
    if is_false("create_type") || is_false("native_enum") {
        return None;
    }
    let name = call.kwarg("name")?;
    let value = name.value.str_value()?;
    let schema = match call.kwarg("schema") {
        Some(k) => Some(k.value.str_value()?.to_string()),
        None => None,
    };
    Some(EnumCreation {
        name: value.to_string(),
        schema,
        range: name.value.range,
        column: true,
    })
}

/// The names of `DROP TYPE [IF EXISTS] a, b [CASCADE]`, lowercased
/// (unquoted) and without schema.
fn dropped_type_names(stmt: &str) -> Vec<String> {
    let upper = stmt.to_ascii_uppercase();
    let Some(at) = find_word(&upper, "TYPE") else {
        return Vec::new();
    };
    let mut rest = stmt[at + 4..].trim_start();
    if rest.to_ascii_uppercase().starts_with("IF EXISTS") {
        rest = rest[9..].trim_start();
    }
    rest.split(',')
        .filter_map(|part| {
            let word = part.split_whitespace().next()?;
            let last = word.rsplit('.').next()?;
            let name = last.trim_matches('"');
            (!name.is_empty()).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

fn diagnostic(
    files: &[ProjectFile<'_>],
    c: &EnumCreation,
    ai: usize,
    earlier: &EnumCreation,
) -> Diagnostic {
    let earlier_file = &files[ai];
    let earlier_rev = match earlier_file.module.ids.revision.as_ref().map(|r| &r.value) {
        Some(IdValue::Str(s)) => s.value.clone(),
        _ => "?".to_string(),
    };
    let n = &c.name;
    let mut d = META
        .diag(
            c.range,
            format!(
                "PostgreSQL fails with `type \"{n}\" already exists` when this revision is applied \
                 by a separate `alembic upgrade` from revision {earlier_rev}, which already \
                 created the type (one `upgrade head` from an empty database passes, because \
                 SQLAlchemy skips types it created in the same process)"
            ),
        )
        .with_help(format!(
            "reuse the existing type: `postgresql.ENUM(..., name=\"{n}\", create_type=False)` \
             (`from sqlalchemy.dialects import postgresql`; on other databases it acts like \
             `sa.Enum`)"
        ));
    d.labels.push(Label {
        range: earlier.range,
        message: format!("type \"{n}\" first created here, in revision {earlier_rev}"),
        file: Some(earlier_file.path.to_path_buf()),
    });
    d
}
