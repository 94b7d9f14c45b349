use crate::prelude::*;

pub struct MissingDowngrade;

static META: RuleMeta = RuleMeta {
    code: "ML401",
    name: "missing-downgrade",
    summary: "the revision defines no `downgrade()`",
    severity: Severity::Info,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

impl Rule for MissingDowngrade {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let m = file.module;
        if m.function(FuncKind::Downgrade).is_some() {
            return;
        }
        // Only revision scripts: `env.py` and helper modules define no upgrade().
        let Some(upgrade) = m.function(FuncKind::Upgrade) else {
            return;
        };
        if m.ids.revision.is_none() && m.ids.down_revision.is_none() {
            return;
        }
        out.push(
            META.diag(
                upgrade.name_range,
                "this revision has no `downgrade()`: `alembic downgrade` past it fails with \
                 `AttributeError: module '...' has no attribute 'downgrade'` (as alembic's \
                 source code shows)",
            )
            .with_help(
                "add `def downgrade():` that undoes `upgrade()`, or one that raises \
                 `NotImplementedError(\"irreversible: ...\")` to say it cannot be undone",
            ),
        );
    }
}
