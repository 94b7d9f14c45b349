//! `junit`: JUnit XML with one test suite `miglint` and one test case per
//! linted file. A finding that fails the run (an error; a warning with
//! `--strict`) is a `<failure>` of its file's test case; the others are
//! listed in the test case's `<system-out>`, so that the file still passes.

use std::io::{self, Write};

use miglint_diagnostics::{Diagnostic, FileReport, Severity};

use super::{EmitContext, display_path_text};

pub(crate) fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    let fails = |d: &Diagnostic| {
        d.severity == Severity::Error || (ctx.strict && d.severity == Severity::Warning)
    };
    let tests = reports.len();
    let failures = reports
        .iter()
        .filter(|r| r.diagnostics.iter().any(fails))
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="miglint" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="miglint" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#
    )?;
    for report in reports {
        let path = escape(&display_path_text(&report.source.path));
        if report.diagnostics.is_empty() {
            writeln!(out, r#"    <testcase name="{path}" classname="{path}"/>"#)?;
            continue;
        }
        writeln!(out, r#"    <testcase name="{path}" classname="{path}">"#)?;
        let text = |diagnostic: &Diagnostic| {
            let start = report.source.line_col(diagnostic.range.start());
            let mut text = format!(
                "{path}:{}:{}: {} [{}] {}",
                start.line, start.column, diagnostic.code, diagnostic.severity, diagnostic.message
            );
            if let Some(help) = &diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            text
        };
        for diagnostic in report.diagnostics.iter().filter(|d| fails(d)) {
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&format!("{}: {}", diagnostic.code, diagnostic.message)),
                diagnostic.severity,
                escape_text(&text(diagnostic)),
            )?;
        }
        let passing: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| !fails(d))
            .map(text)
            .collect();
        if !passing.is_empty() {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape_text(&passing.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Escapes element content: like [`escape`] but keeps line breaks and tabs.
fn escape_text(text: &str) -> String {
    escape(text)
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#9;", "\t")
}

/// Escapes text for XML attribute values (and content). Line breaks become
/// character references (kept by attribute normalisation); characters XML
/// 1.0 forbids become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' => escaped.push_str("&#9;"),
            '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{fffe}'
            | '\u{ffff}' => {
                escaped.push('\u{fffd}');
            }
            _ => escaped.push(ch),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{fffd}"
        );
    }
}
