//! `concise`: `path:line:col: ML101 [error] message`, one finding per line.

use std::io::{self, Write};

use miglint_diagnostics::FileReport;

use super::{BOLD, EmitContext, display_path_text, one_line, paint, severity_style};

pub(crate) fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    for report in reports {
        let path = display_path_text(&report.source.path);
        for diagnostic in &report.diagnostics {
            let start = report.source.line_col(diagnostic.range.start());
            let location = format!("{path}:{}:{}:", start.line, start.column);
            let style = severity_style(diagnostic.severity);
            writeln!(
                out,
                "{} {} [{}] {}",
                paint(ctx.color, BOLD, &location),
                paint(ctx.color, style, diagnostic.code),
                paint(ctx.color, style, diagnostic.severity.as_str()),
                one_line(&diagnostic.message),
            )?;
        }
    }
    Ok(())
}
