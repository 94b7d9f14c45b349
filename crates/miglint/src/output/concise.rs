//! `concise`: `path:line:col: ML101 [error] message`, one finding per line.

use std::io::{self, Write};

use miglint_diagnostics::FileReport;

use super::{BOLD, EmitContext, display_path_text, one_line, paint, par, severity_style};

pub(crate) fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    let paths: Vec<String> = reports
        .iter()
        .map(|report| display_path_text(&report.source.path))
        .collect();
    let findings = par::numbered(reports);
    par::write_in_order(out, &findings, b"", |buffer, &(index, diagnostic)| {
        let start = reports[index].source.line_col(diagnostic.range.start());
        let location = format!("{}:{}:{}:", paths[index], start.line, start.column);
        let style = severity_style(diagnostic.severity);
        writeln!(
            buffer,
            "{} {} [{}] {}",
            paint(ctx.color, BOLD, &location),
            paint(ctx.color, style, diagnostic.code),
            paint(ctx.color, style, diagnostic.severity.as_str()),
            one_line(&diagnostic.message),
        )
    })
}
