//! A `downgrade()` that drops the last user of a native PostgreSQL enum
//! type (`drop_table`, `drop_column`) but not the type, while the
//! revision's `upgrade()` creates the type implicitly (a `create_table`
//! column typed `sa.Enum(..., name="x")`): the type stays behind, and the
//! next `alembic upgrade` of the revision fails with `type "x" already
//! exists` (measured: tests/truth/cases/ml404_*).
//!
//! The semantic model decides: it replays the downgrade on the state after
//! the revision's upgrade and reports types no table uses any more. Any
//! `.drop(` call, `DROP TYPE`, helper, condition or unreadable change in
//! the downgrade keeps it silent.

use miglint_diagnostics::Label;

use crate::prelude::*;

pub struct EnumLeftBehind;

static META: RuleMeta = RuleMeta {
    code: "ML404",
    name: "enum-left-behind",
    summary: "`downgrade()` drops the last user of a native enum type its `upgrade()` created, but not the type",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

impl Rule for EnumLeftBehind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let model = project.schema();
        for (fi, f) in project.files.iter().enumerate() {
            for (i, op) in f.module.ops.iter().enumerate() {
                let Some(facts) = model.facts(fi, i, Dialect::Postgresql) else {
                    continue;
                };
                for (name, origin) in &facts.enums_left {
                    let mut d = META
                        .diag(
                            op.range,
                            format!(
                                "this drops the last user of the native enum type \"{name}\", \
                                 which the upgrade() creates, but the downgrade() leaves the \
                                 type behind: the next `alembic upgrade` of this revision fails \
                                 with `type \"{name}\" already exists`"
                            ),
                        )
                        .with_help(format!(
                            "drop the type after its last user: `sa.Enum(name=\"{name}\")\
                             .drop(op.get_bind(), checkfirst=False)` or \
                             `op.execute(\"DROP TYPE {name}\")`"
                        ));
                    d.labels.push(Label {
                        range: origin.range,
                        message: format!("the upgrade() creates type \"{name}\" here"),
                        file: None,
                    });
                    out.push((fi, d));
                }
            }
        }
    }
}
