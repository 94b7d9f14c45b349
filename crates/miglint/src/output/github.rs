//! `github`: GitHub Actions workflow commands, one annotation per finding:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=ML101 (name)::message`.

use std::io::{self, Write};

use miglint_diagnostics::{FileReport, Severity};

use super::{display_path_text, escape_controls, line_cols, par};

pub(crate) fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let files: Vec<String> = reports
        .iter()
        .map(|report| escape_property(&display_path_text(&report.source.path)))
        .collect();
    let findings = par::numbered(reports);
    par::write_in_order(out, &findings, b"", |buffer, &(index, diagnostic)| {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let (start, end) = line_cols(&reports[index].source, diagnostic.range);
        let title = escape_property(&format!("{} ({})", diagnostic.code, diagnostic.name));
        writeln!(
            buffer,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={title}::{}",
            files[index],
            start.line,
            start.column,
            end.line,
            end.column,
            escape_data(&escape_controls(&diagnostic.message, true)),
        )
    })
}

/// Escapes the message part of a workflow command.
pub(crate) fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a `key=value` property of a workflow command: the message
/// escapes plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    super::escape::replace_runs(&mut escaped, text, |bytes, i| {
        let replacement = match bytes[i] {
            b'%' => "%25",
            b'\r' => "%0D",
            b'\n' => "%0A",
            b':' if property => "%3A",
            b',' if property => "%2C",
            _ => return None,
        };
        Some((replacement, 1))
    });
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escape as it was written first: character by character.
    fn escape_by_chars(text: &str, property: bool) -> String {
        let mut escaped = String::new();
        for ch in text.chars() {
            match ch {
                '%' => escaped.push_str("%25"),
                '\r' => escaped.push_str("%0D"),
                '\n' => escaped.push_str("%0A"),
                ':' if property => escaped.push_str("%3A"),
                ',' if property => escaped.push_str("%2C"),
                _ => escaped.push(ch),
            }
        }
        escaped
    }

    #[test]
    fn escape_by_runs_is_escape_by_chars() {
        let pieces = [
            "a", "bc ", "%", "%25", "\r", "\n", ":", ",", "é", "\u{85}", "😀", "\t", "::", "x,y",
        ];
        for text in crate::output::escape::random_texts(&pieces, 3, 20_000) {
            assert_eq!(
                escape_data(&text),
                escape_by_chars(&text, false),
                "{text:?}"
            );
            assert_eq!(
                escape_property(&text),
                escape_by_chars(&text, true),
                "{text:?}"
            );
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
