use miglint_diagnostics::{Applicability, Edit, Fix};

use crate::prelude::*;
use crate::rules::ml1xx_defaults::{SiteKind, TypeClass, default_sites};

pub struct EmptyTextDefault;

static META: RuleMeta = RuleMeta {
    code: "ML109",
    name: "empty-text-default",
    summary: "`server_default=sa.text('')` renders `DEFAULT ,`: a syntax error on every database",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for EmptyTextDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for site in default_sites(file) {
            let DefaultValue::Text(lit) = site.value else {
                continue;
            };
            if !lit.value.trim().is_empty() {
                continue;
            }
            let message = match site.kind {
                SiteKind::AlterColumn => String::from(
                    "an empty `sa.text()` default renders as `SET DEFAULT` followed by nothing: \
                     a syntax error on every database",
                ),
                _ => String::from(
                    "an empty `sa.text()` default renders as `DEFAULT` followed by nothing: a \
                     syntax error on every database (`DEFAULT ,` gives PostgreSQL `syntax error \
                     at or near \",\"`, SQLite `near \",\": syntax error`, MariaDB 1064)",
                ),
            };
            let diag = site.label_column(META.diag(site.expr().range, message));
            let textual = site.type_class == TypeClass::Textual;
            let diag = diag.with_help(if textual {
                "for an empty-string default use the plain string `server_default=\"\"` \
                 (SQLAlchemy quotes it as `''`); otherwise remove `server_default`"
            } else {
                "give it a value that fits the column type (e.g. `\"0\"`, `sa.false()`), or \
                 remove it"
            });
            let diag = if textual {
                diag.with_fix(Fix {
                    applicability: Applicability::Unsafe,
                    message: String::from("replace with the empty string `\"\"`"),
                    edits: vec![Edit {
                        range: site.expr().range,
                        content: String::from("\"\""),
                    }],
                })
            } else {
                diag
            };
            out.push(diag);
        }
    }
}
