//! `json` and `json-lines`: one object per finding with the keys of
//! [`JsonDiagnostic`], in that order (a stable contract for tools).

use std::io::{self, Write};

use miglint_diagnostics::{
    Applicability, Diagnostic, FileReport, LineCol, Severity, SourceFile, TextRange, rule_url,
};
use serde::Serialize;

use super::{display_path, par};

/// One diagnostic; field order is the documented key order.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    filename: String,
    location: JsonLocation,
    end_location: JsonLocation,
    fix: Option<JsonFix<'a>>,
    url: String,
}

#[derive(Serialize)]
struct JsonLocation {
    row: u32,
    column: u32,
}

impl From<LineCol> for JsonLocation {
    fn from(lc: LineCol) -> Self {
        JsonLocation {
            row: lc.line,
            column: lc.column,
        }
    }
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: JsonLocation,
    end_location: JsonLocation,
}

fn span(source: &SourceFile, range: TextRange) -> (JsonLocation, JsonLocation) {
    let (start, end) = super::line_cols(source, range);
    (start.into(), end.into())
}

impl<'a> JsonDiagnostic<'a> {
    fn new(source: &SourceFile, diagnostic: &'a Diagnostic) -> Self {
        let (location, end_location) = span(source, diagnostic.range);
        let fix = diagnostic.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability,
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|edit| {
                    let (location, end_location) = span(source, edit.range);
                    JsonEdit {
                        content: &edit.content,
                        location,
                        end_location,
                    }
                })
                .collect(),
        });
        JsonDiagnostic {
            code: diagnostic.code,
            name: diagnostic.name,
            severity: diagnostic.severity,
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            filename: display_path(&source.path),
            location,
            end_location,
            fix,
            url: rule_url(diagnostic.code),
        }
    }
}

/// One pretty-printed array, the bytes of `serde_json::to_writer_pretty`
/// of the `Vec` of findings (serialized on the rayon pool, see
/// [`par::pretty_array`]).
pub(crate) fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let findings = par::findings(reports);
    par::pretty_array(out, &findings, 0, |&(report, diagnostic)| {
        JsonDiagnostic::new(&report.source, diagnostic)
    })?;
    writeln!(out)
}

pub(crate) fn emit_lines(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let findings = par::findings(reports);
    par::write_in_order(out, &findings, b"", |buffer, &(report, diagnostic)| {
        serde_json::to_writer(
            &mut *buffer,
            &JsonDiagnostic::new(&report.source, diagnostic),
        )?;
        buffer.push(b'\n');
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The batched array is byte for byte serde_json's pretty array.
    #[test]
    fn pretty_array_matches_serde_json() {
        let source = Arc::new(SourceFile::new("a/t.py".into(), "x = 1\ny = \"é\"\n"));
        let finding = |i: u32| {
            let mut d = Diagnostic::new(
                "ML101",
                "test",
                Severity::Warning,
                TextRange::new(i % 12, 12),
                format!("message {i} \"quoted\"\nline"),
            );
            if i.is_multiple_of(3) {
                d.help = Some("help".into());
            }
            if i.is_multiple_of(5) {
                d.fix = Some(Box::new(miglint_diagnostics::Fix {
                    applicability: Applicability::Safe,
                    message: "fix".into(),
                    edits: if i.is_multiple_of(2) {
                        Vec::new()
                    } else {
                        vec![miglint_diagnostics::Edit {
                            range: TextRange::new(0, 1),
                            content: "z".into(),
                        }]
                    },
                }));
            }
            d
        };
        for n in [0, 1, 2, 33, 4100] {
            let reports = vec![
                FileReport {
                    source: Arc::clone(&source),
                    diagnostics: (0..n as u32).map(finding).collect(),
                },
                FileReport {
                    source: Arc::clone(&source),
                    diagnostics: Vec::new(),
                },
            ];
            let all: Vec<JsonDiagnostic> = reports
                .iter()
                .flat_map(|r| {
                    r.diagnostics
                        .iter()
                        .map(|d| JsonDiagnostic::new(&r.source, d))
                })
                .collect();
            let mut expected = serde_json::to_vec_pretty(&all).unwrap();
            expected.push(b'\n');
            let mut ours = Vec::new();
            emit(&mut ours, &reports).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(expected).unwrap()
            );
            let mut lines = Vec::new();
            for d in &all {
                serde_json::to_writer(&mut lines, d).unwrap();
                lines.push(b'\n');
            }
            let mut ours = Vec::new();
            emit_lines(&mut ours, &reports).unwrap();
            assert_eq!(ours, lines);
        }
    }
}
