//! [`ConfigError`]: a bad configuration, rendered by miette with a span into
//! the TOML file it came from.

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};

/// What kind of problem a [`ConfigError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read.
    Io,
    /// The file is not valid TOML.
    Syntax,
    /// A key miglint does not know.
    UnknownKey,
    /// A required key is absent (e.g. `paths` in `[[overrides]]`).
    MissingKey,
    /// A value of the wrong TOML type.
    InvalidType,
    /// A dialect name miglint does not support.
    UnknownDialect,
    /// A severity other than `error`, `warning`, `info`.
    InvalidSeverity,
    /// `alembic-version` is not `MAJOR[.MINOR[.PATCH]]`.
    InvalidAlembicVersion,
    /// A glob pattern that does not compile.
    InvalidGlob,
    /// Any other invalid value (empty list, empty string, ...).
    InvalidValue,
    /// Reported later by another component through [`ConfigSource::error_at`]
    /// (e.g. an unknown rule code).
    Other,
}

/// The text of a configuration file, kept so that errors found after loading
/// (unknown rule codes, ...) can still point into it.
#[derive(Debug, Clone)]
pub struct ConfigSource {
    path: PathBuf,
    text: Arc<str>,
}

impl ConfigSource {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        ConfigSource {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The configuration file (`lint.toml` or `pyproject.toml`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text of the file; spans index into it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text under `span`, if the span is valid.
    pub fn slice(&self, span: Range<usize>) -> Option<&str> {
        self.text.get(span)
    }

    /// An error pointing at `span` (a byte range into this file, e.g. the
    /// span of a `toml::Spanned` value kept in [`crate::Options`]).
    pub fn error_at(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::new(ConfigErrorKind::Other, message)
            .with_source(self)
            .with_span(span)
            .with_help_opt(help)
    }

    fn named(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.path.display().to_string(), Arc::clone(&self.text))
            .with_language("toml")
    }
}

/// A bad configuration. Implements [`miette::Diagnostic`]: the source code is
/// the TOML file, the label points at the offending key or value.
#[derive(Debug)]
pub struct ConfigError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ConfigErrorKind,
    message: String,
    label: Option<String>,
    span: Option<Range<usize>>,
    help: Option<String>,
    path: Option<PathBuf>,
    text: Option<Arc<str>>,
    named: Option<NamedSource<Arc<str>>>,
    io: Option<io::Error>,
    related: Vec<ConfigError>,
}

impl ConfigError {
    /// An error without a source file; attach one with [`Self::with_source`].
    pub fn new(kind: ConfigErrorKind, message: impl Into<String>) -> Self {
        ConfigError(Box::new(Inner {
            kind,
            message: message.into(),
            label: None,
            span: None,
            help: None,
            path: None,
            text: None,
            named: None,
            io: None,
            related: Vec::new(),
        }))
    }

    /// The file at `path` could not be read.
    pub fn io(path: &Path, error: io::Error) -> Self {
        let mut e = ConfigError::new(
            ConfigErrorKind::Io,
            format!("cannot read {}", path.display()),
        );
        e.0.path = Some(path.to_path_buf());
        e.0.io = Some(error);
        e
    }

    #[must_use]
    pub fn with_source(mut self, source: &ConfigSource) -> Self {
        self.0.path = Some(source.path.clone());
        self.0.text = Some(Arc::clone(&source.text));
        self.0.named = Some(source.named());
        self
    }

    #[must_use]
    pub fn with_span(mut self, span: Range<usize>) -> Self {
        self.0.span = Some(span);
        self
    }

    /// The text of the label under the span (defaults to the message).
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.0.help = help;
        self
    }

    #[must_use]
    pub fn with_kind(mut self, kind: ConfigErrorKind) -> Self {
        self.0.kind = kind;
        self
    }

    /// Further errors of the same file, shown after this one.
    #[must_use]
    pub fn with_related(mut self, related: Vec<ConfigError>) -> Self {
        self.0.related = related;
        self
    }

    pub fn kind(&self) -> ConfigErrorKind {
        self.0.kind
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The byte range into the configuration file, if the error has one.
    pub fn span(&self) -> Option<Range<usize>> {
        self.0.span.clone()
    }

    /// The text under the span (e.g. `"postgress"` for a bad dialect).
    pub fn snippet(&self) -> Option<&str> {
        let (text, span) = (self.0.text.as_ref()?, self.0.span.clone()?);
        text.get(span)
    }

    /// The configuration file the error is about.
    pub fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }

    pub fn help_text(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    pub fn related_errors(&self) -> &[ConfigError] {
        &self.0.related
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.io {
            Some(e) => write!(f, "{}: {e}", self.0.message),
            None => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .io
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("miglint::config"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.named.as_ref().map(|n| n as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span.clone()?;
        self.0.named.as_ref()?;
        let label = self
            .0
            .label
            .clone()
            .unwrap_or_else(|| self.0.message.clone());
        let span = SourceSpan::from(span.start..span.end.max(span.start));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), span),
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.0.related.iter().map(|e| e as &dyn Diagnostic),
            ))
        }
    }
}
