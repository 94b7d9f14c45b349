//! Produced by the check driver (not per file): the models configured with
//! `models = [...]` differ from the schema the migrations build at head.
//! The comparison lives in `miglint_models`; this module holds the rule's
//! contract and its diagnostic.

use crate::prelude::*;

pub struct ModelDrift;

static META: RuleMeta = RuleMeta {
    code: "ML801",
    name: "model-drift",
    summary: "the SQLAlchemy models differ from the schema the migrations build (what `alembic check` reports)",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for ModelDrift {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

/// A finding at `range` (a model line, or the op of the revision that
/// made the schema state); `dialects` are those it differs on.
pub fn diagnostic(range: TextRange, message: String, dialects: DialectSet) -> Diagnostic {
    META.diag(range, message).fails_on(dialects).with_help(
        "write the revision (`alembic revision --autogenerate`, then review it) or align the \
             models; `miglint drift` lists every difference",
    )
}
