use miglint_python::IdValue;

use crate::prelude::*;

pub struct EmptyUpgrade;

static META: RuleMeta = RuleMeta {
    code: "ML112",
    name: "empty-upgrade",
    summary: "`upgrade()` does nothing in a revision that is not a merge",
    severity: Severity::Info,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for EmptyUpgrade {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let module = file.module;
        let ids = &module.ids;
        if ids.revision.is_none() {
            return;
        }
        // Empty by design: a merge, a base revision (`down_revision = None`,
        // the root other revisions hang from) and a branch anchor (it sets
        // `branch_labels`). A dynamic parent is unknown.
        match ids.down_revision.as_ref().map(|d| &d.value) {
            Some(IdValue::Seq(parents)) if parents.len() >= 2 => return,
            Some(IdValue::Dynamic | IdValue::None) => return,
            _ => {}
        }
        match ids.branch_labels.as_ref().map(|b| &b.value) {
            None | Some(IdValue::None) => {}
            Some(IdValue::Seq(labels)) if labels.is_empty() => {}
            Some(_) => return,
        }
        let Some(upgrade) = module.functions.iter().find(|f| f.name == "upgrade") else {
            return;
        };
        if upgrade.shape != BodyShape::Empty {
            return;
        }
        out.push(
            META.diag(
                upgrade.name_range,
                "`upgrade()` does nothing: applying this revision only moves `alembic_version`",
            )
            .with_help(
                "if autogenerate found no changes, delete the revision while nothing builds on it yet; \
                 if it is a deliberate marker (a release point, a branch anchor), say so with \
                 `# miglint: ignore[ML112]`",
            ),
        );
    }
}
