//! miglint's rule engine: the [`Rule`](rule::Rule) trait, the registry,
//! rule selection, suppression comments, and the per-file and project
//! phases that the CLI and the editor server share.

mod defaults;
pub mod engine;
pub mod files;
pub mod graph;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod selection;
pub mod settings;
pub mod suppress;

pub use engine::{
    CachedCheck, CachedFile, Checked, FileResult, Linter, ParsedFile, decode_findings,
    encode_findings, source_text,
};
pub use registry::{RULES, rule_by_code, rule_doc};
pub use rule::{FileContext, Project, ProjectFile, Rule, RuleMeta};
pub use settings::{FileSettings, LinterSettings, ResolvedEnv, TargetInput};

/// What a rule file needs.
pub mod prelude {
    pub use crate::rule::{ExecSql, FileContext, Project, ProjectFile, Rule, RuleMeta};
    pub use miglint_diagnostics::{Diagnostic, Dialect, DialectSet, Severity, TextRange};
    pub use miglint_python::{
        BodyShape, Column, DefaultValue, Expr, ExprKind, FuncKind, Module, Op, Receiver, SqlSource,
        StrLit, classify_default, last_segment,
    };
}
