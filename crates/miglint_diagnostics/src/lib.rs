//! The vocabulary every miglint crate shares: byte ranges, line/column
//! conversion, severities, target dialects and the tool-owned [`Diagnostic`].
//!
//! Renderers (miette, JSON, SARIF, LSP) convert *from* these types; no
//! rendering library's type leaks into the core.

mod dialect;
mod line_index;
mod path_order;
mod range;
mod source_key;

pub use dialect::{Dialect, DialectSet};
pub use line_index::{LineCol, LineIndex};
pub use path_order::path_cmp;
pub use range::TextRange;
pub use source_key::{SourceKey, salted_hash};

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span with a short message. `file` is `None` for the
/// diagnostic's own file; graph rules point into other files with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    pub range: TextRange,
    pub message: String,
    pub file: Option<PathBuf>,
}

/// Whether applying a fix can change behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// Replace `range` with `content`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// One finding, owned by miglint. Emitters render slices of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The primary span, in the file the diagnostic belongs to.
    pub range: TextRange,
    pub labels: Vec<Label>,
    /// Most rules' help is a fixed text: borrowed, not copied into every
    /// finding (issue 15: a large project keeps every finding until the end).
    pub help: Option<Cow<'static, str>>,
    /// Boxed: few findings carry a fix, and every finding is kept until the
    /// output is written (issue 15: a `Fix` inline made every finding 48
    /// bytes larger).
    pub fix: Option<Box<Fix>>,
    /// The target dialects on which the reported problem happens (set by
    /// dialect-dependent rules with [`Diagnostic::fails_on`]); empty when the
    /// finding does not depend on the dialect. When every one of them is an
    /// *assumed* target, the engine reports an error as a warning that says so.
    pub fails_on: DialectSet,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            name,
            severity,
            message: message.into(),
            range,
            labels: Vec::new(),
            help: None,
            fix: None,
            fails_on: DialectSet::EMPTY,
        }
    }

    /// Records the dialects on which the reported problem happens.
    #[must_use]
    pub fn fails_on(mut self, dialects: DialectSet) -> Self {
        self.fails_on = dialects;
        self
    }

    #[must_use]
    pub fn with_label(mut self, range: TextRange, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            range,
            message: message.into(),
            file: None,
        });
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }

    /// The documentation page of a rule code.
    pub fn url(&self) -> String {
        rule_url(self.code)
    }
}

/// The one place rule documentation URLs come from: `<RULE_DOCS_BASE_URL><CODE>.md`
/// (the pages of `rules/` in the repository). The same pages are compiled
/// into the binary, so `miglint rule CODE` prints them offline; a fork or a
/// documentation site changes this constant only.
pub const RULE_DOCS_BASE_URL: &str = "https://github.com/miglint/miglint/blob/main/rules/";

/// Where the documentation of `code` lives (the page that `miglint rule CODE` prints).
pub fn rule_url(code: &str) -> String {
    format!("{RULE_DOCS_BASE_URL}{code}.md")
}

/// A file as the reporters see it: its path, its text (possibly lossy for
/// unreadable files) and a line index. Shared between threads.
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Built on first use: most files need it only once the output is
    /// written (findings' lines), after the project phase, and a file
    /// without findings or suppression comments never does (issue 15: not
    /// held for every file through the project phase's peak).
    line_index: std::sync::OnceLock<LineIndex>,
    /// Set by the reader that hashed the bytes (see [`SourceFile::vouch`]),
    /// else made from the text on first use: a kept model compares every
    /// file's key at every update (issue 15: the pre-commit miss hashed
    /// every source again).
    key: std::sync::OnceLock<SourceKey>,
}

/// Without the key: whether a reader vouched for it or it was made from
/// the text is no part of what the file is (a cached run's reports print
/// as a cold run's).
impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("text", &self.text)
            .field("line_index", &self.line_index)
            .finish_non_exhaustive()
    }
}

impl SourceFile {
    pub fn new(path: PathBuf, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path,
            text: text.into(),
            line_index: std::sync::OnceLock::new(),
            key: std::sync::OnceLock::new(),
        }
    }

    /// The same text under another path (its line index and key, if made,
    /// kept).
    #[must_use]
    pub fn with_path(&self, path: PathBuf) -> Self {
        SourceFile {
            path,
            text: Arc::clone(&self.text),
            line_index: self.line_index.clone(),
            key: self.key.clone(),
        }
    }

    /// What the text is known by (see [`SourceKey`]).
    pub fn key(&self) -> SourceKey {
        *self.key.get_or_init(|| SourceKey::of_text(&self.text))
    }

    /// Records that the text was decoded from bytes whose key is `key` (a
    /// [`SourceKey::of_bytes`]), so that [`SourceFile::key`] hashes
    /// nothing. No effect once the key is made.
    pub fn vouch(&self, key: SourceKey) {
        let _ = self.key.set(key);
    }

    /// The line starts of the text, indexed on first use.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index().line_col(&self.text, offset)
    }
}

/// All the findings of one file, sorted by position then code.
#[derive(Debug)]
pub struct FileReport {
    pub source: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn sort(&mut self) {
        // the message breaks ties (one call can draw two findings of one
        // rule, e.g. ML604 for each of two enum types): the order must not
        // depend on the order the rules found them in
        self.diagnostics.sort_by(|a, b| {
            (a.range.start(), a.range.end(), a.code)
                .cmp(&(b.range.start(), b.range.end(), b.code))
                .then_with(|| a.message.cmp(&b.message))
        });
    }
}

/// The edits of the safe fixes of `diagnostics` that can be applied together,
/// sorted by position: a fix whose edits overlap an earlier one is left for a
/// later run. Returns the edits and how many fixes they make up. Shared by
/// `check --fix` and the editor server's "fix all".
pub fn safe_fix_edits(diagnostics: &[Diagnostic]) -> (Vec<&Edit>, usize) {
    let mut fixes: Vec<&Fix> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_deref())
        .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.range.start()).min());
    let mut edits = Vec::new();
    let mut applied = 0;
    let mut last_end = 0u32;
    for fix in fixes {
        let mut own: Vec<&Edit> = fix.edits.iter().collect();
        own.sort_by_key(|e| e.range.start());
        if own.first().is_some_and(|e| e.range.start() < last_end) {
            continue;
        }
        last_end = own.iter().map(|e| e.range.end()).max().unwrap_or(last_end);
        edits.extend(own);
        applied += 1;
    }
    (edits, applied)
}

/// `text` with non-overlapping `edits` (sorted by position) applied.
pub fn apply_edits<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    for edit in edits {
        let r = edit.range.as_usize();
        out.push_str(&text[pos..r.start]);
        out.push_str(&edit.content);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tie_of_place_and_code_is_ordered_by_message() {
        let at = TextRange::new(4, 9);
        let diag = |code, message: &str| Diagnostic::new(code, "r", Severity::Error, at, message);
        for order in [["b", "a"], ["a", "b"]] {
            let mut report = FileReport {
                source: Arc::new(SourceFile::new(PathBuf::from("f.py"), "0123456789")),
                diagnostics: vec![
                    diag("ML604", &format!("type {}", order[0])),
                    diag("ML101", "first by code"),
                    diag("ML604", &format!("type {}", order[1])),
                ],
            };
            report.sort();
            let got: Vec<&str> = report
                .diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect();
            assert_eq!(got, ["first by code", "type a", "type b"]);
        }
    }

    /// Every finding is kept until the output is written (a large project
    /// keeps hundreds of thousands): the inline part stays small, a fix
    /// (rare) is boxed.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_finding_is_at_most_128_bytes_inline() {
        assert_eq!(std::mem::size_of::<Option<Box<Fix>>>(), 8);
        assert!(
            std::mem::size_of::<Diagnostic>() <= 128,
            "{}",
            std::mem::size_of::<Diagnostic>()
        );
    }
}
