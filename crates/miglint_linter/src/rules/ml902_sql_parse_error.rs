use crate::prelude::*;

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
        for exec in &file.sql {
            let reaching = file.reaching(&file.module.ops[exec.op]);
            for stmt in &exec.statements {
                if stmt.parsed_by_any() {
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
