//! Output emitters: every `--output-format` renders slices of miglint's own
//! [`FileReport`]s (one emitter per file of this module), plus the run
//! summary and `--statistics` that follow the human-readable formats.
//!
//! Emitters write through the writer they are given and only propagate I/O
//! errors; the caller owns buffering, locking and `BrokenPipe` handling.

mod concise;
mod escape;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod par;
pub mod paths;
mod sarif;
mod span;
mod wrap;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use miglint_diagnostics::{FileReport, LineCol, Severity, SourceFile, TextRange};

/// The value of `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// miette's graphical rendering with source snippets (the default).
    #[default]
    Full,
    /// `path:line:col: CODE [severity] message`, one per line.
    Concise,
    /// One JSON array (the documented contract for tools).
    Json,
    /// The same objects as `json`, one per line.
    JsonLines,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML: one test case per file.
    Junit,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 8] = [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Junit,
    ];

    /// The name used on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Junit => "junit",
        }
    }

    /// Formats meant for people: only these get colour, the run summary
    /// ([`write_summary`]) and `--statistics` as text.
    pub const fn is_human_readable(self) -> bool {
        matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`OutputFormat::from_str`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOutputFormat(pub String);

impl fmt::Display for UnknownOutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown output format `{}`; expected one of: ", self.0)?;
        for (i, format) in OutputFormat::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownOutputFormat {}

impl FromStr for OutputFormat {
    type Err = UnknownOutputFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutputFormat::ALL
            .into_iter()
            .find(|format| format.as_str() == s)
            .ok_or_else(|| UnknownOutputFormat(s.to_owned()))
    }
}

/// What the emitters need to know about a rule (SARIF lists every rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
}

/// Run-wide settings of an emitter.
#[derive(Debug, Clone, Copy)]
pub struct EmitContext<'a> {
    /// Every known rule, in registry order (SARIF `tool.driver.rules`).
    pub rules: &'a [RuleInfo],
    /// ANSI colour in the human-readable formats; machine formats ignore it.
    pub color: bool,
    /// miglint's version (SARIF `tool.driver.version`).
    pub version: &'a str,
    /// `--strict`: warnings fail the run too (JUnit makes only the findings
    /// that fail the run `<failure>`s).
    pub strict: bool,
}

/// Renders `reports` (sorted by path, diagnostics sorted by position then
/// code) in `format`.
pub fn emit(
    format: OutputFormat,
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::emit(out, reports, ctx),
        OutputFormat::Concise => concise::emit(out, reports, ctx),
        OutputFormat::Json => json::emit(out, reports),
        OutputFormat::JsonLines => json::emit_lines(out, reports),
        OutputFormat::Sarif => sarif::emit(out, reports, ctx),
        OutputFormat::Github => github::emit(out, reports),
        OutputFormat::Gitlab => gitlab::emit(out, reports),
        OutputFormat::Junit => junit::emit(out, reports, ctx),
    }
}

/// Whether to colour a stream, by the usual conventions: `NO_COLOR` (set and
/// non-empty) disables, `CLICOLOR_FORCE`/`FORCE_COLOR` (non-empty, not "0")
/// forces, otherwise colour when the stream is a terminal.
pub fn auto_color(stream_is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        false
    } else if set("CLICOLOR_FORCE") || set("FORCE_COLOR") {
        true
    } else {
        stream_is_terminal
    }
}

/// The facts of the run summary printed after human-readable output.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    /// Which dialects were targeted and why, e.g. `postgresql, sqlite (from lint.toml)`.
    pub targets: String,
    pub elapsed: Duration,
}

impl Summary {
    /// Counts files and findings of `reports`; `targets` and `elapsed` are
    /// left for the caller.
    pub fn from_reports(reports: &[FileReport]) -> Summary {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
            // `--fix` applies safe fixes only
            if diagnostic
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == miglint_diagnostics::Applicability::Safe)
            {
                summary.fixable += 1;
            }
        }
        summary
    }
}

/// The closing lines of a human-readable run, e.g.
/// `Found 3 errors, 1 warning in 12 files (targets: postgresql (default); 4 ms).`
/// or `All checks passed: 12 files (targets: ...; 4 ms).`
pub fn write_summary(out: &mut dyn Write, s: &Summary, color: bool) -> io::Result<()> {
    let mut details = String::new();
    if !s.targets.is_empty() {
        details.push_str("targets: ");
        details.push_str(&s.targets);
        details.push_str("; ");
    }
    details.push_str(&format_elapsed(s.elapsed));
    let files = plural(s.files, "file", "files");

    if s.errors + s.warnings + s.infos == 0 {
        let head = paint(color, GREEN_BOLD, "All checks passed:");
        writeln!(out, "{head} {files} ({details}).")?;
    } else {
        let mut counts = Vec::new();
        if s.errors > 0 {
            counts.push(plural(s.errors, "error", "errors"));
        }
        if s.warnings > 0 {
            counts.push(plural(s.warnings, "warning", "warnings"));
        }
        if s.infos > 0 {
            counts.push(plural(s.infos, "info", "info"));
        }
        let style = if s.errors > 0 {
            RED_BOLD
        } else if s.warnings > 0 {
            YELLOW_BOLD
        } else {
            BOLD
        };
        let head = paint(color, style, &format!("Found {}", counts.join(", ")));
        writeln!(out, "{head} in {files} ({details}).")?;
    }
    if s.fixable > 0 {
        let marker = paint(color, CYAN, "[*]");
        writeln!(out, "{marker} {} fixable with `--fix`.", s.fixable)?;
    }
    Ok(())
}

/// `--statistics`: one line per code with its count, sorted by count
/// (descending) then code; `[*]` marks codes with at least one fix.
///
/// ```text
/// 3  ML101  [*]  boolean-integer-default
/// 1  ML301       drop-without-if-exists
/// ```
pub fn write_statistics(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let stats = statistics(reports);
    let count_width = stats
        .iter()
        .map(|s| s.count.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = stats.iter().map(|s| s.code.len()).max().unwrap_or(0);
    for stat in &stats {
        let marker = if stat.fixable > 0 { "[*]" } else { "   " };
        writeln!(
            out,
            "{count:>count_width$}  {code:<code_width$}  {marker}  {name}",
            count = stat.count,
            code = stat.code,
            name = stat.name,
        )?;
    }
    Ok(())
}

/// `--statistics` for machine formats: a JSON array of
/// `{"code", "name", "count", "fixable"}` in the order of [`write_statistics`].
pub fn write_statistics_json(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let stats = statistics(reports);
    serde_json::to_writer_pretty(&mut *out, &stats)?;
    writeln!(out)
}

#[derive(serde::Serialize)]
struct CodeStatistics {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
}

fn statistics(reports: &[FileReport]) -> Vec<CodeStatistics> {
    let mut by_code: BTreeMap<&'static str, CodeStatistics> = BTreeMap::new();
    for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
        let entry = by_code.entry(diagnostic.code).or_insert(CodeStatistics {
            code: diagnostic.code,
            name: diagnostic.name,
            count: 0,
            fixable: 0,
        });
        entry.count += 1;
        if diagnostic.fix.is_some() {
            entry.fixable += 1;
        }
    }
    let mut stats: Vec<CodeStatistics> = by_code.into_values().collect();
    stats.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    stats
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn format_elapsed(elapsed: Duration) -> String {
    let ms = elapsed.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

// ---------------------------------------------------------------------------
// Helpers shared by the emitters.

pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const RED_BOLD: &str = "\x1b[1;31m";
pub(crate) const YELLOW_BOLD: &str = "\x1b[1;33m";
pub(crate) const GREEN_BOLD: &str = "\x1b[1;32m";
pub(crate) const CYAN: &str = "\x1b[36m";
pub(crate) const RESET: &str = "\x1b[0m";

/// `text` wrapped in an ANSI style when `color` is on.
pub(crate) fn paint(color: bool, style: &str, text: &str) -> String {
    if color {
        format!("{style}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

pub(crate) fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => RED_BOLD,
        Severity::Warning => YELLOW_BOLD,
        Severity::Info => CYAN,
    }
}

/// A path as given, with forward slashes on every platform.
pub(crate) fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// [`display_path`] for text output: control characters made visible
/// (see [`escape_controls`]).
pub(crate) fn display_path_text(path: &Path) -> String {
    escape_controls(&display_path(path), false).into_owned()
}

/// The one escaper of the text outputs (full, concise, github, junit, the
/// summary and stderr): every control character (C0, DEL, C1) becomes a
/// visible escape (`\n`, `\r`, `\t`, else `\x1b` / `\u{9b}`), so that a file
/// name or a string from a pull request cannot inject terminal escape
/// sequences or workflow commands into a CI log, nor split a line. With
/// `keep_newlines`, `\n` and `\r` stay (for multi-line messages and formats
/// that encode line breaks themselves).
pub fn escape_controls(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let is_escaped = |c: char| c.is_control() && !(keep_newlines && matches!(c, '\n' | '\r'));
    let kept: &[u8] = if keep_newlines { b"\n\r" } else { b"" };
    if !has_controls(text, kept) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if !is_escaped(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `text` holds a control character (`char::is_control`) other
/// than the ASCII ones in `kept`. By bytes, without decoding: the control
/// characters (Cc) are C0 and DEL (one byte each) and C1 (`C2 80`..`C2 9F`
/// in UTF-8).
pub(crate) fn has_controls(text: &str, kept: &[u8]) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        0..0x20 | 0x7f => !kept.contains(&b),
        0xc2 => bytes
            .get(i + 1)
            .is_some_and(|next| (0x80..0xa0).contains(next)),
        _ => false,
    })
}

/// 1-based start and end positions of `range` in `source` (clamped to the
/// text; columns in Unicode scalar values).
pub(crate) fn line_cols(source: &SourceFile, range: TextRange) -> (LineCol, LineCol) {
    (source.line_col(range.start()), source.line_col(range.end()))
}

/// `range` clamped to `text` and to character boundaries, as a byte range.
pub(crate) fn clamp_range(text: &str, range: TextRange) -> std::ops::Range<usize> {
    let floor = |mut offset: usize| {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = floor(range.start() as usize);
    let end = floor(range.end() as usize).max(start);
    start..end
}

/// Finds the report of another file named by a label, comparing paths as
/// displayed (so `a\b.py` and `a/b.py` match on Windows). Indexed once per
/// run: a lookup per label does not scan every report.
pub(crate) struct ReportFinder<'r> {
    by_path: HashMap<&'r Path, usize>,
    by_display: HashMap<String, usize>,
}

impl<'r> ReportFinder<'r> {
    pub(crate) fn new(reports: &'r [FileReport]) -> Self {
        let mut by_path = HashMap::with_capacity(reports.len());
        let mut by_display = HashMap::with_capacity(reports.len());
        for (i, r) in reports.iter().enumerate() {
            by_path.entry(r.source.path.as_path()).or_insert(i);
            by_display.entry(shown_path(&r.source.path)).or_insert(i);
        }
        ReportFinder {
            by_path,
            by_display,
        }
    }

    /// The index of the report of `path`.
    pub(crate) fn find(&self, path: &Path) -> Option<usize> {
        self.by_path
            .get(path)
            .or_else(|| self.by_display.get(&shown_path(path)))
            .copied()
    }
}

/// A path as displayed, without a leading `./`.
fn shown_path(path: &Path) -> String {
    let shown = display_path(path);
    match shown.strip_prefix("./") {
        Some(rest) => rest.to_owned(),
        None => shown,
    }
}

/// A message on one line (for line-oriented formats).
pub(crate) fn one_line(message: &str) -> String {
    let joined = if message.contains(['\n', '\r']) {
        message
            .split(['\n', '\r'])
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        message.to_owned()
    };
    escape_controls(&joined, false).into_owned()
}

/// 64-bit FNV-1a: stable across runs, platforms and Rust versions.
pub(crate) fn fnv1a64(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // separator, so that ("ab", "c") and ("a", "bc") differ
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Three files with `n` findings in all (most in the first): every
    /// severity, helps, fixes with and without edits, labels in the file,
    /// in another linted file and in an unlinted one, repeated messages,
    /// and texts with markup, quotes, line breaks, tabs, control and
    /// non-ASCII characters.
    pub(crate) fn many_findings(n: usize) -> Vec<FileReport> {
        use miglint_diagnostics::{Applicability, Diagnostic, Edit, Fix, Label};
        use std::sync::Arc;
        let texts = [
            "op.add_column(\"t\", sa.Column(\"c\", sa.Integer()))\n",
            "x = 'é ≥ 漢'\r\ny = 1\n\tz = \"<a & b>\"\n",
            "",
        ];
        let sources: Vec<Arc<SourceFile>> = ["a/r1.py", "a/r 2.py", "b/é.py"]
            .iter()
            .zip(texts)
            .map(|(path, text)| Arc::new(SourceFile::new((*path).into(), text.repeat(40))))
            .collect();
        let messages = [
            "plain message",
            "a <b> & \"c\" 'd' 50%: e, f\nsecond line",
            "tab\there \u{1b}[31m red \u{9b} é 漢字",
            "plain message",
        ];
        let mut reports: Vec<FileReport> = sources
            .iter()
            .map(|source| FileReport {
                source: Arc::clone(source),
                diagnostics: Vec::new(),
            })
            .collect();
        for i in 0..n {
            let file = if i % 7 == 3 {
                1
            } else {
                (i % 11 == 5) as usize * 2
            };
            let len = sources[file].text.len() as u32;
            let at = (i as u32 * 13) % (len + 3);
            let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
            let code = ["ML101", "ML202", "ML703", "ML106"][i % 4];
            let mut d = Diagnostic::new(
                code,
                "some-name",
                severity,
                TextRange::new(at, at + (i as u32 % 9)),
                messages[i % messages.len()],
            );
            if i % 2 == 0 {
                d.help = Some(format!("help {i}: `x` <y>\nmore").into());
            }
            if i % 5 == 1 {
                d.fix = Some(Box::new(Fix {
                    applicability: [Applicability::Safe, Applicability::Unsafe][i % 2],
                    message: format!("fix {i}"),
                    edits: (0..i % 3)
                        .map(|k| Edit {
                            range: TextRange::new(k as u32, k as u32 + 2),
                            content: "z\n\"".into(),
                        })
                        .collect(),
                }));
            }
            if i % 4 == 2 {
                let file = [None, Some("a/r 2.py"), Some("gone.py")][i % 3];
                d.labels.push(Label {
                    range: TextRange::new(1, 5),
                    message: if i % 8 == 2 {
                        String::new()
                    } else {
                        format!("label {i} <&>")
                    },
                    file: file.map(Into::into),
                });
            }
            reports[file].diagnostics.push(d);
        }
        for report in &mut reports {
            report
                .diagnostics
                .sort_by_key(|d| (d.range.start(), d.code));
        }
        reports
    }

    #[test]
    fn format_names_round_trip() {
        for format in OutputFormat::ALL {
            assert_eq!(format.as_str().parse::<OutputFormat>(), Ok(format));
            let value = clap::ValueEnum::to_possible_value(&format).unwrap();
            assert_eq!(value.get_name(), format.as_str());
        }
        assert!("xml".parse::<OutputFormat>().is_err());
    }

    #[test]
    fn clamp_handles_odd_ranges() {
        let text = "é";
        assert_eq!(clamp_range(text, TextRange::new(1, 1)), 0..0);
        assert_eq!(clamp_range(text, TextRange::new(0, 99)), 0..2);
        assert_eq!(clamp_range("", TextRange::new(5, 9)), 0..0);
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(
            escape_controls("a\x1b[31mb\nc\u{9b}", false),
            "a\\x1b[31mb\\nc\\u{9b}"
        );
        assert_eq!(escape_controls("a\nb\tc", true), "a\nb\\tc");
        assert!(matches!(
            escape_controls("plain é", false),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(one_line("a\x07b"), "a\\x07b");
    }

    /// The byte check finds exactly the texts with a control character
    /// (but the kept ones), and `escape_controls` borrows exactly the others.
    #[test]
    fn control_check_is_by_character() {
        let all: Vec<char> = (0u32..0x800).filter_map(char::from_u32).collect();
        for &c in &all {
            for kept in ["", "\n\r", "\t\n\r"] {
                let text = format!("a{c}é");
                let expected = c.is_control() && !kept.contains(c);
                assert_eq!(
                    has_controls(&text, kept.as_bytes()),
                    expected,
                    "{c:?} {kept:?}"
                );
            }
            for keep in [false, true] {
                let text = format!("{c}");
                let expected = c.is_control() && !(keep && matches!(c, '\n' | '\r'));
                let borrowed =
                    matches!(escape_controls(&text, keep), std::borrow::Cow::Borrowed(_));
                assert_eq!(borrowed, !expected, "{c:?} {keep}");
            }
        }
    }

    #[test]
    fn one_line_joins() {
        assert_eq!(one_line("a\r\nb\nc"), "a b c");
        assert_eq!(one_line("abc"), "abc");
    }
}
