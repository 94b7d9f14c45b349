//! `full`: miette's graphical rendering, through an adapter that implements
//! `miette::Diagnostic` for miglint's own [`Diagnostic`].

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, OnceLock};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use miglint_diagnostics::{
    Applicability, Diagnostic, FileReport, LineIndex, Severity, SourceFile, TextRange, rule_url,
};

use super::wrap::prewrap;
use super::{EmitContext, ReportFinder, clamp_range, display_path_text, escape_controls, par};

/// Fixed so that output does not depend on the terminal.
const WIDTH: usize = 100;
/// Longest message repeated as the label of the primary span.
const SHORT_LABEL: usize = 50;

pub(crate) fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    let handlers = Handlers::new(ctx.color);
    let sources = Sources::new(reports);
    let findings = par::numbered(reports);
    par::write_in_order(out, &findings, b"\n", |buffer, &(index, diagnostic)| {
        render(buffer, &handlers, &sources, index, diagnostic)
            .map_err(|_| io::Error::other("formatting failed"))
    })
}

struct Handlers {
    wrapping: GraphicalReportHandler,
    plain: GraphicalReportHandler,
    widths: Widths,
}

impl Handlers {
    fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // `with_links(false)` prints the docs URL as text instead of an OSC 8
        // terminal hyperlink.
        let wrapping = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(WIDTH)
            .without_syntax_highlighting();
        // the same without textwrap, for findings whose texts provably fit on
        // their lines (see `fits`): textwrap's Unicode line breaking costs
        // more than the rest of the rendering, for the same bytes
        let plain = wrapping.clone().with_wrap_lines(false);
        Handlers {
            wrapping,
            plain,
            widths: Widths::new(&theme_characters(color)),
        }
    }
}

fn theme_characters(color: bool) -> miette::ThemeCharacters {
    if color {
        GraphicalTheme::unicode().characters
    } else {
        GraphicalTheme::unicode_nocolor().characters
    }
}

/// The columns textwrap gets for the first and the later lines of a
/// message (by severity: error, warning, advice) and of a help, with
/// miette's indents (see [`Adapter::prewrap`]).
struct Widths {
    message: [(usize, usize); 3],
    help: (usize, usize),
}

impl Widths {
    fn new(characters: &miette::ThemeCharacters) -> Widths {
        // miette's `termwidth - 2`, less the indents it gives textwrap
        let width = WIDTH - 2;
        let columns = |indent: &str| width.saturating_sub(textwrap::core::display_width(indent));
        let rest = columns(&format!("  {} ", characters.vbar));
        let message = [&characters.error, &characters.warning, &characters.advice]
            .map(|icon| (columns(&format!("  {icon} ")), rest));
        Widths {
            message,
            help: (columns("  help: "), columns("        ")),
        }
    }
}

/// One finding as printed, appended to `buffer`: miette's rendering without
/// trailing spaces (miette leaves some, "Advice: "), every line ended by
/// `\n`.
fn render(
    buffer: &mut Vec<u8>,
    handlers: &Handlers,
    sources: &Sources<'_>,
    index: usize,
    diagnostic: &Diagnostic,
) -> Result<(), fmt::Error> {
    let mut adapter = Adapter::new(sources, index, diagnostic);
    let handler = if adapter.fits() || adapter.prewrap(&handlers.widths) {
        &handlers.plain
    } else {
        &handlers.wrapping
    };
    let mut rendered = String::with_capacity(2048);
    handler.render_report(&mut rendered, &adapter)?;
    for line in rendered.trim_end().lines() {
        buffer.extend_from_slice(line.trim_end().as_bytes());
        buffer.push(b'\n');
    }
    Ok(())
}

/// Whether textwrap would leave `text` as it is, but for the indent miette
/// puts before each line: every line is non-empty, has no leading or
/// trailing space, no tab or carriage return (nor other control
/// character), and is at most `width` columns wide. The width is bounded
/// from above (two columns per non-ASCII character, the most
/// `unicode-width` gives) with two columns to spare, so that a line near
/// the limit takes textwrap's path.
fn fits(text: &str, width: usize) -> bool {
    text.split('\n').all(|line| {
        let mut columns = 0usize;
        for c in line.chars() {
            if c.is_control() {
                return false;
            }
            columns += if c.is_ascii() { 1 } else { 2 };
            if columns + 2 > width {
                return false;
            }
        }
        !line.is_empty()
            && !line.starts_with(char::is_whitespace)
            && !line.ends_with(char::is_whitespace)
            && columns + 2 <= width
    })
}

/// A file's text for miette, prepared once per file: control characters
/// masked (see [`mask_controls`]) and its lines indexed, so that reading the
/// snippet of a finding costs the snippet, not a scan of the file from byte
/// 0 (miette's own `read_span` for `str` rescans from the start: quadratic
/// on a generated revision with thousands of findings). Columns are
/// reported in Unicode scalar values (miette counts bytes) so that the
/// snippet header agrees with the other formats.
#[derive(Debug)]
struct SourceText {
    source: Arc<SourceFile>,
    /// The lines as miette counts them, when they differ from
    /// `source.line_index()` (a lone `\r` ends a line for miette).
    universal: Option<LineIndex>,
    /// The text holds no `\r`: its spans are read by [`super::span`].
    no_cr: bool,
}

impl SourceText {
    fn new(source: &Arc<SourceFile>) -> SourceText {
        let source = mask_controls(source);
        let universal =
            LineIndex::has_lone_cr(&source.text).then(|| LineIndex::universal(&source.text));
        let no_cr = !source.text.as_bytes().contains(&b'\r');
        SourceText {
            source,
            universal,
            no_cr,
        }
    }
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &'a str = &self.source.text;
        let offset = span.offset();
        // miette's scan, started at the line `context_lines_before + 1`
        // lines above the span (the state it would have there is known:
        // nothing collected but the line starts it keeps) instead of byte 0
        let lines = self
            .universal
            .as_ref()
            .unwrap_or_else(|| self.source.line_index());
        let line = if offset <= text.len() {
            lines.line_of(offset as u32)
        } else {
            0
        };
        let skipped = line.saturating_sub(context_lines_before.saturating_add(1));
        let base = lines.line_start(skipped) as usize;
        let base = if base <= offset && base <= text.len() {
            base
        } else {
            0
        };
        let skipped = if base == 0 { 0 } else { skipped };
        let rest: &'a str = &text[base..];
        let rest_span = SourceSpan::new((offset - base).into(), span.len());
        let inner: Box<dyn SpanContents<'a> + 'a> = if self.no_cr {
            Box::new(super::span::read_span(
                rest.as_bytes(),
                &rest_span,
                context_lines_before,
                context_lines_after,
            )?)
        } else {
            rest.read_span(&rest_span, context_lines_before, context_lines_after)?
        };
        let column = if context_lines_before == 0 {
            let offset = u32::try_from(offset).unwrap_or(u32::MAX);
            self.source.line_col(offset).column.saturating_sub(1) as usize
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + skipped,
            column,
            inner.line_count() + skipped,
        )))
    }
}

/// The prepared text of every report, built on first use (by whichever
/// thread renders the first finding that shows it).
struct Sources<'r> {
    reports: &'r [FileReport],
    finder: ReportFinder<'r>,
    prepared: Vec<OnceLock<Arc<SourceText>>>,
    /// The path of every report as displayed, built on first use.
    names: Vec<OnceLock<String>>,
}

impl<'r> Sources<'r> {
    fn new(reports: &'r [FileReport]) -> Self {
        Sources {
            reports,
            finder: ReportFinder::new(reports),
            prepared: reports.iter().map(|_| OnceLock::new()).collect(),
            names: reports.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    fn named(&self, index: usize) -> NamedSource<Arc<SourceText>> {
        let source = &self.reports[index].source;
        let text = self.prepared[index].get_or_init(|| Arc::new(SourceText::new(source)));
        let name = self.names[index].get_or_init(|| display_path_text(&source.path));
        NamedSource::new(name, Arc::clone(text))
    }
}

/// The source with every control character but tab and line breaks
/// replaced by `?` (C1 ones, two bytes in UTF-8, by `??`): the snippet
/// keeps every offset, and a string literal in a pull request cannot send
/// escape sequences to the terminal or CI log.
fn mask_controls(source: &Arc<SourceFile>) -> Arc<SourceFile> {
    let bad = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !super::has_controls(&source.text, b"\t\n\r") {
        return Arc::clone(source);
    }
    let masked: String = source
        .text
        .chars()
        .map(|c| {
            if bad(c) {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect();
    Arc::new(SourceFile::new(source.path.clone(), masked))
}

fn source_span(text: &str, range: TextRange) -> SourceSpan {
    let range = clamp_range(text, range);
    SourceSpan::from(range)
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| escape_controls(text, true).into_owned())
}

/// One of our diagnostics as miette sees it.
struct Adapter<'a> {
    diagnostic: &'a Diagnostic,
    /// The message as printed (controls escaped; wrapped by
    /// [`Adapter::prewrap`]).
    message: String,
    code: String,
    help: Option<String>,
    source: NamedSource<Arc<SourceText>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Related>,
}

impl<'a> Adapter<'a> {
    fn new(sources: &Sources<'_>, index: usize, diagnostic: &'a Diagnostic) -> Self {
        let report = &sources.reports[index];
        let text = &report.source.text;
        // Primary first: miette takes the header location from it. The
        // message is printed above the snippet; repeat it at the span only
        // when it is short.
        let primary_label = if diagnostic.message.chars().nth(SHORT_LABEL).is_none()
            && !diagnostic.message.contains('\n')
        {
            non_empty(&diagnostic.message)
        } else {
            Some("here".to_owned())
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            primary_label,
            source_span(text, diagnostic.range),
        )];
        let mut related = Vec::new();
        for label in &diagnostic.labels {
            let other_file = label
                .file
                .as_deref()
                .filter(|path| *path != report.source.path.as_path());
            match other_file {
                None => labels.push(LabeledSpan::new_with_span(
                    non_empty(&label.message),
                    source_span(text, label.range),
                )),
                Some(path) => related.push(match sources.finder.find(path) {
                    Some(other) => Related {
                        message: escape_controls(&label.message, true).into_owned(),
                        source: Some(sources.named(other)),
                        label: Some(LabeledSpan::new_primary_with_span(
                            None,
                            source_span(&sources.reports[other].source.text, label.range),
                        )),
                    },
                    None => Related {
                        message: format!(
                            "{} (in {})",
                            escape_controls(&label.message, true),
                            display_path_text(path)
                        ),
                        source: None,
                        label: None,
                    },
                }),
            }
        }

        let fix = diagnostic.fix.as_ref().map(|fix| match fix.applicability {
            Applicability::Safe => format!("fix: {}", fix.message),
            Applicability::Unsafe => format!("fix (unsafe): {}", fix.message),
        });
        let help = match (&diagnostic.help, fix) {
            (Some(help), Some(fix)) => Some(format!("{help}\n{fix}")),
            (Some(help), None) => Some(help.to_string()),
            (None, fix) => fix,
        }
        .map(|h| match escape_controls(&h, true) {
            std::borrow::Cow::Borrowed(_) => h,
            std::borrow::Cow::Owned(escaped) => escaped,
        });

        Adapter {
            diagnostic,
            message: escape_controls(&diagnostic.message, true).into_owned(),
            code: format!("{} ({})", diagnostic.code, diagnostic.name),
            help,
            source: sources.named(index),
            labels,
            related,
        }
    }
}

impl Adapter<'_> {
    /// Whether the texts miette wraps fit their lines (see [`fits`]): the
    /// message after `"  × "`, the help after `"  help: "` (both within
    /// `WIDTH - 2` columns). Related notes take textwrap's path.
    fn fits(&self) -> bool {
        let width = WIDTH - 2;
        self.related.is_empty()
            && fits(&self.message, width - 4)
            && self
                .help
                .as_deref()
                .is_none_or(|help| fits(help, width - 8))
    }
}

impl Adapter<'_> {
    /// Wraps the message and the help as miette's textwrap would (see
    /// [`super::wrap`]), for miette to print them as they are; false (and
    /// nothing changed) when that cannot be done here.
    fn prewrap(&mut self, widths: &Widths) -> bool {
        if !self.related.is_empty() {
            return false;
        }
        let (first, rest) = widths.message[match self.diagnostic.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }];
        let Some(message) = prewrap(&self.message, first, rest) else {
            return false;
        };
        let help = match &self.help {
            Some(help) => match prewrap(help, widths.help.0, widths.help.1) {
                Some(wrapped) => Some(wrapped),
                None => return false,
            },
            None => None,
        };
        self.message = message;
        self.help = help;
        true
    }
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Adapter<'_> {}

impl miette::Diagnostic for Adapter<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(rule_url(self.diagnostic.code)))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// A label that points into another file, shown as a related note with its
/// own source (or without a snippet when that file was not linted).
struct Related {
    message: String,
    source: Option<NamedSource<Arc<SourceText>>>,
    label: Option<LabeledSpan>,
}

impl fmt::Debug for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Related")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Related {}

impl miette::Diagnostic for Related {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // Without a source of its own, miette would draw the label against
        // the parent's file: no label then.
        self.source.as_ref()?;
        self.label
            .as_ref()
            .map(|l| Box::new(std::iter::once(l.clone())) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-line file with `diagnostic` as its only finding.
    fn one_finding(diagnostic: Diagnostic) -> Vec<FileReport> {
        let source = SourceFile::new("t.py".into(), "op.drop_column(\"t\", \"c\")\n");
        vec![FileReport {
            source: Arc::new(source),
            diagnostics: vec![diagnostic],
        }]
    }

    /// Reproducible numbers below `n` for random texts (a linear
    /// congruential generator).
    fn numbers(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        }
    }

    /// The indexed `read_span` returns what miette's own scan from byte 0
    /// returns (but the column, counted in Unicode scalar values for the
    /// header line).
    #[test]
    fn indexed_read_span_agrees_with_miette() {
        let texts = [
            "a\nbb\n\nccc\ndddd\ne\n",
            "x = 1\r\ny = 'é'\r\n\r\nz\rw\n\nend",
            "one line, no newline",
            "\n\n\r\n\r\r\nq\n",
            "",
        ];
        for text in texts {
            let source = Arc::new(SourceFile::new("t.py".into(), text));
            let fast = SourceText::new(&source);
            for start in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                for end in (start..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                    let span = SourceSpan::from(start..end);
                    for (before, after) in [(0, 0), (1, 1), (2, 2), (3, 1), (0, 2)] {
                        let slow = text.read_span(&span, before, after);
                        let ours = fast.read_span(&span, before, after);
                        let (slow, ours) = match (slow, ours) {
                            (Ok(s), Ok(o)) => (s, o),
                            (Err(_), Err(_)) => continue,
                            (s, o) => {
                                panic!("{text:?} {start}..{end}: {:?} {:?}", s.is_ok(), o.is_ok())
                            }
                        };
                        let what = format!("{text:?} {start}..{end} ({before}, {after})");
                        assert_eq!(slow.data(), ours.data(), "{what}");
                        assert_eq!(slow.span(), ours.span(), "{what}");
                        assert_eq!(slow.line(), ours.line(), "{what}");
                        assert_eq!(slow.line_count(), ours.line_count(), "{what}");
                        if before > 0 {
                            assert_eq!(slow.column(), ours.column(), "{what}");
                        }
                    }
                }
            }
        }
    }

    /// Where [`fits`] lets a finding skip textwrap, the rendering is the
    /// one textwrap gives: messages and helps of every length around the
    /// limits, with wide, combining and non-ASCII characters, hyphens,
    /// runs of spaces and line breaks.
    #[test]
    fn unwrapped_rendering_agrees_with_textwrap() {
        let wrapping = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_links(false)
            .with_width(WIDTH)
            .without_syntax_highlighting();
        let plain = wrapping.clone().with_wrap_lines(false);
        let pieces = [
            "word",
            "a-b",
            "x",
            "≥",
            "漢字",
            "e\u{301}",
            "`op.f(\"ix\")`",
            "--",
            "é",
            "  ",
            "\u{a0}",
            "\t",
            "\n",
            "\n\n",
            "(in t.py)",
            "3.35,",
            "https://x.y/z",
        ];
        let mut next = numbers(7);
        let mut fast = 0;
        for round in 0..4000 {
            let mut text = String::new();
            let target = 60 + round % 60;
            while text.chars().count() < target {
                let piece = pieces[next(pieces.len())];
                text.push_str(if next(3) == 0 { piece } else { "word" });
                if next(2) == 0 {
                    text.push(' ');
                }
            }
            let (message, help) = if round % 2 == 0 {
                (text.clone(), None)
            } else {
                ("short".to_owned(), Some(text.clone()))
            };
            let mut diagnostic = Diagnostic::new(
                "ML000",
                "test",
                Severity::Error,
                TextRange::new(0, 2),
                message,
            );
            diagnostic.help = help.map(Into::into);
            let reports = one_finding(diagnostic);
            let sources = Sources::new(&reports);
            let adapter = Adapter::new(&sources, 0, &reports[0].diagnostics[0]);
            if adapter.fits() {
                fast += 1;
                let (mut wrapped, mut unwrapped) = (String::new(), String::new());
                wrapping.render_report(&mut wrapped, &adapter).unwrap();
                plain.render_report(&mut unwrapped, &adapter).unwrap();
                assert_eq!(wrapped, unwrapped, "{text:?}");
            }
        }
        // the test exercises the fast path
        assert!(fast > 200, "{fast}");
    }

    /// Where [`Adapter::prewrap`] wraps a finding's texts itself, the
    /// rendering is the one miette's textwrap gives: long messages and
    /// helps of ASCII words, numbers, quotes, brackets and hyphens, in
    /// every severity, with and without colour.
    #[test]
    fn prewrapped_rendering_agrees_with_textwrap() {
        let pieces = [
            "word",
            "a-b",
            "x",
            "≥",
            "`op.f(\"ix\")`",
            "--",
            "3.35,",
            "(1265,",
            "t0.c0",
            "https://x.y/z",
            "a/b",
            "{x}",
            "[y]",
            "50%",
            "$1",
            "!",
            "?",
            "'q'",
            "-1",
            "é",
            "\n",
            "verylongidentifierthatdoesnotfitanywhereonaline_verylongidentifierthatdoesnotfit",
        ];
        let mut next = numbers(3);
        let mut prewrapped = 0;
        for round in 0..3000 {
            let Handlers {
                wrapping,
                plain,
                widths,
            } = Handlers::new(round % 2 == 0);
            let mut text = || {
                let mut text = String::new();
                let target = 40 + next(260);
                while text.chars().count() < target {
                    text.push_str(if next(3) == 0 {
                        pieces[next(pieces.len())]
                    } else {
                        "word"
                    });
                    text.push(if next(9) == 0 { '\n' } else { ' ' });
                }
                text.trim_end().to_owned()
            };
            let severity = [Severity::Error, Severity::Warning, Severity::Info][round % 3];
            let mut diagnostic =
                Diagnostic::new("ML000", "test", severity, TextRange::new(0, 2), text());
            diagnostic.help = (round % 5 != 0).then(|| text().into());
            let reports = one_finding(diagnostic);
            let sources = Sources::new(&reports);
            let diagnostic = &reports[0].diagnostics[0];
            let mut ours = Adapter::new(&sources, 0, diagnostic);
            if ours.prewrap(&widths) {
                prewrapped += 1;
                let theirs = Adapter::new(&sources, 0, diagnostic);
                let (mut wrapped, mut unwrapped) = (String::new(), String::new());
                wrapping.render_report(&mut wrapped, &theirs).unwrap();
                plain.render_report(&mut unwrapped, &ours).unwrap();
                let trimmed = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
                assert_eq!(trimmed(&wrapped), trimmed(&unwrapped), "{:?}", diagnostic);
            }
        }
        // the test exercises the prewrapped path
        assert!(prewrapped > 500, "{prewrapped}");
    }
}
