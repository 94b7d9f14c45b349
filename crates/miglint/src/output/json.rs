//! `json` and `json-lines`: one object per finding with the keys of
//! [`JsonDiagnostic`], in that order (a stable contract for tools).

use std::io::{self, Write};

use miglint_diagnostics::{
    Applicability, Diagnostic, FileReport, LineCol, Severity, SourceFile, TextRange, rule_url,
};
use serde::Serialize;

use super::display_path;

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

fn all(reports: &[FileReport]) -> impl Iterator<Item = JsonDiagnostic<'_>> {
    reports.iter().flat_map(|report| {
        report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic::new(&report.source, d))
    })
}

pub(crate) fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let diagnostics: Vec<JsonDiagnostic> = all(reports).collect();
    serde_json::to_writer_pretty(&mut *out, &diagnostics)?;
    writeln!(out)
}

pub(crate) fn emit_lines(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    for diagnostic in all(reports) {
        serde_json::to_writer(&mut *out, &diagnostic)?;
        writeln!(out)?;
    }
    Ok(())
}
