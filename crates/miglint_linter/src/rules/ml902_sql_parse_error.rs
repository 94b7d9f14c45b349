use miglint_sql::{Feature, SqlStatement};

use crate::prelude::*;

/// Whether a statement sqlparser rejects is worth a warning. Statements the
/// keyword classifier recognises as a shape sqlparser simply does not know
/// (`PRAGMA`, `DROP INDEX CONCURRENTLY`, `DO $$`, `ALTER SEQUENCE`, `SET
/// CONSTRAINTS`, `REINDEX`, ...) get the keyword checks and no warning, and
/// so do generic statements that fail only around a bind parameter (`IN
/// :ids` with an expanding parameter). Plain DML/DDL that fails to parse
/// is reported: it may be a real syntax error.
/// Documented shapes sqlparser does not implement (`ALTER DOMAIN`, `ALTER
/// TABLE ... DETACH PARTITION`, MySQL `CONVERT TO CHARACTER SET`) are a gap
/// of miglint's parser, not the user's problem: no warning either.
fn worth_reporting(stmt: &SqlStatement) -> bool {
    stmt.kind.is_generic() && !stmt.has_feature(&Feature::Placeholder) && stmt.parser_gap.is_none()
}

pub struct SqlParseError;

static META: RuleMeta = RuleMeta {
    code: "ML902",
    name: "sql-parse-error",
    summary: "literal SQL that no target dialect's parser accepts; only keyword checks apply to it",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for SqlParseError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for exec in file.sql {
            let reaching = file.reaching(&file.module.ops[exec.op]);
            for stmt in &exec.statements {
                if stmt.parsed_by_any() || (stmt.lex_error.is_none() && !worth_reporting(stmt)) {
                    continue;
                }
                let first_error = reaching
                    .iter()
                    .find_map(|d| stmt.parse_for(d)?.as_ref().err().map(|e| (d, e.as_str())));
                let detail = match (&stmt.lex_error, first_error) {
                    (Some(lex), _) => format!(": {lex}"),
                    (None, Some((d, e))) => format!(" ({} parser: {e})", d.display_name()),
                    (None, None) => String::new(),
                };
                let message = format!(
                    "miglint's SQL parser cannot read this `{}` statement for {}{detail}",
                    stmt.unparsed_category(),
                    reaching.display_list(),
                );
                out.push(
                    META.diag(exec.file_range(stmt.range.clone()), message).with_help(
                        "this is a limit of miglint's parser, not necessarily an error in the SQL: \
                         only keyword-level checks ran on it. If it is valid, suppress with \
                         `# miglint: ignore[ML902]`",
                    ),
                );
            }
        }
    }
}
