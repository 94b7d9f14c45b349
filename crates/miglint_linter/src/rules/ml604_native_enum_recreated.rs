//! A native enum type created again by a later revision. SQLAlchemy
//! remembers within one process that it created a type, so a single
//! `alembic upgrade head` from an empty database passes; applied as
//! separate runs (a real deploy), PostgreSQL fails with `type "x" already
//! exists` (TRUTH §13).
//!
//! The semantic model answers "does the type exist right before this
//! `create_table`": it replays the ancestors only (a revision on a parallel
//! branch is never "earlier"), follows `DROP TYPE`, `.drop(bind)` and
//! `CREATE TYPE`, and resolves enum types bound to module-level names
//! (`status = sa.Enum(..., name="s")`). A revision that itself drops the
//! type anywhere in its upgrade is not reported.

use miglint_diagnostics::Label;
use miglint_python::IdValue;
use miglint_schema::names::same;

use crate::prelude::*;

pub struct NativeEnumRecreated;

static META: RuleMeta = RuleMeta {
    code: "ML604",
    name: "native-enum-recreated",
    summary: "a native enum type that an earlier revision already created is created again",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

impl Rule for NativeEnumRecreated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let model = project.schema();
        let files = &project.files;
        for (fi, f) in files.iter().enumerate() {
            let m = f.module;
            let mut reported: Vec<String> = Vec::new();
            for (i, op) in m.ops.iter().enumerate() {
                if op.name != "create_table" || m.func_kind(op) != FuncKind::Upgrade {
                    continue;
                }
                let Some(facts) = model.facts(fi, i, Dialect::Postgresql) else {
                    continue;
                };
                for (name, origin) in &facts.existing_enums {
                    let earlier = origin.file as usize;
                    // created earlier in the same process run of this revision
                    if earlier == fi
                        || reported.iter().any(|r| same(r, name))
                        || drops_in_upgrade(f, name)
                    {
                        continue;
                    }
                    let Some(range) = enum_name_range(f, op, name) else {
                        continue;
                    };
                    reported.push(name.clone());
                    out.push((fi, diagnostic(files, name, range, earlier, origin.range)));
                }
            }
        }
    }
}

/// Whether `f`'s upgrade drops type `name` (`DROP TYPE`, or a `.drop(`
/// call next to the quoted name).
fn drops_in_upgrade(f: &ProjectFile<'_>, name: &str) -> bool {
    f.module
        .functions
        .iter()
        .filter(|func| func.kind == FuncKind::Upgrade)
        .any(|func| {
            let text = f.source.get(func.range.as_usize()).unwrap_or("");
            let quoted =
                text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'"));
            let up = text.to_ascii_uppercase();
            (text.contains(".drop(") && quoted)
                || (up.contains("DROP TYPE") && up.contains(&name.to_ascii_uppercase()))
        })
}

/// The `name=` value of the enum type `name` among the op's columns
/// (through a module-level name when the type is bound to one).
fn enum_name_range(f: &ProjectFile<'_>, op: &Op, name: &str) -> Option<TextRange> {
    let m = f.module;
    op.columns().find_map(|c| {
        let t = c.type_expr()?;
        let t = match &t.kind {
            ExprKind::Name(n) => m.binding(n).unwrap_or(t),
            _ => t,
        };
        let call = t.as_call()?;
        let k = call.kwarg("name")?;
        k.value
            .str_value()
            .is_some_and(|v| same(v, name))
            .then_some(k.value.range)
    })
}

fn diagnostic(
    files: &[ProjectFile<'_>],
    n: &str,
    range: TextRange,
    ai: usize,
    earlier_range: TextRange,
) -> Diagnostic {
    let earlier_file = &files[ai];
    let earlier_rev = match earlier_file.module.ids.revision.as_ref().map(|r| &r.value) {
        Some(IdValue::Str(s)) => s.value.clone(),
        _ => "?".to_string(),
    };
    let mut d = META
        .diag(
            range,
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
        range: earlier_range,
        message: format!("type \"{n}\" first created here, in revision {earlier_rev}"),
        file: Some(earlier_file.path.to_path_buf()),
    });
    d
}
