//! Produced by the check driver with `--diff-base REF`: a model file changed
//! in a way that alters the schema while no revision file was added or
//! changed. The model comparison lives in `miglint_models`.

use crate::prelude::*;

pub struct ModelsChangedWithoutRevision;

static META: RuleMeta = RuleMeta {
    code: "ML802",
    name: "models-changed-without-revision",
    summary: "a change to the models alters the schema, and no revision file is added or changed (with --diff-base)",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for ModelsChangedWithoutRevision {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

/// A finding at the changed model line.
pub fn diagnostic(range: TextRange, message: String) -> Diagnostic {
    META.diag(range, message).with_help(
        "add the revision that makes this change (`alembic revision --autogenerate -m ...`), or \
         revert the model change",
    )
}
