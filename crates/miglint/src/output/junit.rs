//! `junit`: JUnit XML with one test suite `miglint` and one test case per
//! linted file. A finding that fails the run (an error; a warning with
//! `--strict`) is a `<failure>` of its file's test case; the others are
//! listed in the test case's `<system-out>`, so that the file still passes.

use std::io::{self, Write};

use miglint_diagnostics::{Diagnostic, FileReport, Severity};

use super::{EmitContext, display_path_text, par};

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
        // each finding's text is escaped on its own (on the rayon pool):
        // escaping maps each character alone, so the escaped `\n`-joined
        // list of the passing ones is the escaped texts joined by `\n`
        let (failing, passing): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
            report.diagnostics.iter().partition(|d| fails(d));
        par::write_in_order(out, &failing, b"", |buffer, diagnostic| {
            writeln!(
                buffer,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&format!("{}: {}", diagnostic.code, diagnostic.message)),
                diagnostic.severity,
                escape_text(&text(diagnostic)),
            )
        })?;
        if !passing.is_empty() {
            out.write_all(b"      <system-out>")?;
            par::write_in_order(out, &passing, b"\n", |buffer, diagnostic| {
                buffer.extend_from_slice(escape_text(&text(diagnostic)).as_bytes());
                Ok(())
            })?;
            out.write_all(b"</system-out>\n")?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Escapes element content: like [`escape`] but keeps line breaks and tabs.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    escape_into(&mut escaped, text, true);
    escaped
}

/// Escapes text for XML attribute values (and content). Line breaks become
/// character references (kept by attribute normalisation); characters XML
/// 1.0 forbids become U+FFFD.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    escape_into(&mut escaped, text, false);
    escaped
}

/// [`escape`] (or, with `keep_breaks`, [`escape_text`]) appended to `escaped`.
/// The bytes that change are ASCII, but for U+FFFE and U+FFFF (`EF BF BE`,
/// `EF BF BF`), replaced whole.
fn escape_into(escaped: &mut String, text: &str, keep_breaks: bool) {
    super::escape::replace_runs(escaped, text, |bytes, i| match bytes[i] {
        b'&' => Some(("&amp;", 1)),
        b'<' => Some(("&lt;", 1)),
        b'>' => Some(("&gt;", 1)),
        b'"' => Some(("&quot;", 1)),
        b'\'' => Some(("&apos;", 1)),
        b'\n' | b'\r' | b'\t' if keep_breaks => None,
        b'\n' => Some(("&#10;", 1)),
        b'\r' => Some(("&#13;", 1)),
        b'\t' => Some(("&#9;", 1)),
        0..0x20 => Some(("\u{fffd}", 1)),
        0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => {
            Some(("\u{fffd}", 3))
        }
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass content escape is the attribute escape with its
    /// references of line breaks and tabs turned back into the characters.
    #[test]
    fn text_escape_keeps_breaks() {
        let pieces = [
            "a", "&", "#10;", "&#10;", "\n", "\r", "\t", "<", "'", "\u{1}", "é", ";",
        ];
        let mut seed = 5u64;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let old = escape(&text)
                .replace("&#10;", "\n")
                .replace("&#13;", "\r")
                .replace("&#9;", "\t");
            assert_eq!(escape_text(&text), old, "{text:?}");
        }
    }

    /// The escape as it was written first: character by character.
    fn escape_by_chars(text: &str, keep_breaks: bool) -> String {
        let mut escaped = String::new();
        for ch in text.chars() {
            match ch {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&apos;"),
                '\n' | '\r' | '\t' if keep_breaks => escaped.push(ch),
                '\n' => escaped.push_str("&#10;"),
                '\r' => escaped.push_str("&#13;"),
                '\t' => escaped.push_str("&#9;"),
                '\u{0}'..='\u{8}'
                | '\u{b}'
                | '\u{c}'
                | '\u{e}'..='\u{1f}'
                | '\u{fffe}'
                | '\u{ffff}' => escaped.push('\u{fffd}'),
                _ => escaped.push(ch),
            }
        }
        escaped
    }

    /// The byte-run escape is the character-by-character one, on texts
    /// mixing every escaped character with other ASCII, controls kept
    /// (DEL, C1), and non-ASCII characters near U+FFFE/U+FFFF (the same
    /// lead byte `EF`, or the same `BF` continuation).
    #[test]
    fn escape_by_runs_is_escape_by_chars() {
        let pieces = [
            "a",
            "bc ",
            "&",
            "<",
            ">",
            "\"",
            "'",
            "\n",
            "\r",
            "\t",
            "\u{0}",
            "\u{8}",
            "\u{b}",
            "\u{c}",
            "\u{e}",
            "\u{1f}",
            " ",
            "\u{7f}",
            "\u{85}",
            "é",
            "\u{fffe}",
            "\u{ffff}",
            "\u{fffd}",
            "\u{feff}",
            "\u{ffef}",
            "\u{efbf}",
            "\u{10ffff}",
            "😀",
            "#10;",
        ];
        for text in crate::output::escape::random_texts(&pieces, 11, 20_000) {
            assert_eq!(escape(&text), escape_by_chars(&text, false), "{text:?}");
            assert_eq!(escape_text(&text), escape_by_chars(&text, true), "{text:?}");
        }
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{fffd}"
        );
    }
}
