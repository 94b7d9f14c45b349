use crate::prelude::*;

pub struct PythonSyntaxError;

static META: RuleMeta = RuleMeta {
    code: "ML901",
    name: "python-syntax-error",
    summary: "the file is not valid Python: alembic cannot import it",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for PythonSyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(&first) = file.module.syntax_errors.first() else {
            return;
        };
        let range = first_line(file.source, first);
        let more = file.module.syntax_errors.len() - 1;
        let mut message = String::from(
            "Python syntax error: alembic cannot import this file, so every command that loads the revisions fails",
        );
        if more > 0 {
            message.push_str(&format!(
                " ({more} more error{} after this one)",
                if more == 1 { "" } else { "s" }
            ));
        }
        let read = match (&file.module.ids.revision, &file.module.ids.down_revision) {
            (Some(_), Some(_)) => {
                "`revision` and `down_revision` were still read for the revision graph; "
            }
            _ => "",
        };
        out.push(META.diag(range, message).with_help(format!(
            "{read}checks after the error may be incomplete until it is fixed"
        )));
    }
}

/// A file the parser guard refused before parsing (nesting deeper than
/// CPython accepts): CPython's own error, at the offending line.
pub(crate) fn refused(refusal: &miglint_python::Refusal) -> Diagnostic {
    META.diag(
        refusal.range,
        format!(
            "Python syntax error: {}; alembic cannot import this file",
            refusal.message
        ),
    )
    .with_help("nothing else in this file was checked")
}

/// A range limited to its first line (for huge error nodes).
fn first_line(source: &str, r: TextRange) -> TextRange {
    let text = &source[r.as_usize()];
    match text.find('\n') {
        Some(n) if n > 0 => TextRange::new(r.start(), r.start() + n as u32),
        _ => r,
    }
}
