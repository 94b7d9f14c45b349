//! The per-file phase in a form a cache can keep between runs (the CLI's
//! `.miglint_cache`, see `crates/miglint/src/cache.rs`).
//!
//! One entry holds what the per-file phase made of one file's bytes: the
//! migration model (or the findings of a file that was not parsed), and the
//! per-file rules' findings and SQL analysis for one set of per-file inputs
//! ([`Linter::check_key`]). A warm run rebuilds the [`ParsedFile`] from it
//! (suppression comments are re-read from the model: cheap), decides the
//! targets from every file as a cold run does, reuses the findings when the
//! file's targets did not change, and re-runs the project phase (unless
//! the CLI's project memo, `crates/miglint/src/memo.rs`, holds its output).
//!
//! What the per-file work reads from the linter settings is part of
//! [`Linter::cache_fingerprint`]; what it reads from [`FileSettings`] is
//! [`Linter::check_key`]. A new input of [`Linter::check`] must be added to
//! one of them.

use std::path::Path;
use std::sync::Arc;

use miglint_diagnostics::{
    Diagnostic, DialectSet, FileReport, Fix, Label, Severity, SourceFile, TextRange,
};
use miglint_python::Module;
use miglint_sql::SqlStatement;
use serde::{Deserialize, Serialize};

use super::{FileResult, Linter, ParsedFile};
use crate::registry::rule_by_code;
use crate::rules::ml905_unreadable_file;
use crate::settings::FileSettings;
use crate::suppress;

/// A decoded cache entry (see the module documentation).
#[derive(Debug, Deserialize)]
pub struct CachedFile {
    module: Option<Module>,
    /// Whether the file has suppression comments: without any, a warm run
    /// does not read the comments again.
    suppressions: bool,
    stopped: Option<Vec<DiagIn>>,
    check: Option<CheckIn>,
}

#[derive(Debug, Deserialize)]
struct CheckIn {
    key: u64,
    diagnostics: Vec<DiagIn>,
    sql: Vec<(usize, Vec<SqlStatement>)>,
}

/// The per-file findings of a cached check, ready for [`Linter::check_cached`].
#[derive(Debug)]
pub struct CachedCheck {
    key: u64,
    diagnostics: Vec<Diagnostic>,
    sql: Vec<(usize, Vec<SqlStatement>)>,
}

/// [`CachedFile`] as written: the same fields, borrowed.
#[derive(Serialize)]
struct FileOut<'a> {
    module: Option<&'a Module>,
    suppressions: bool,
    stopped: Option<Vec<DiagOut<'a>>>,
    check: Option<CheckOut<'a>>,
}

#[derive(Serialize)]
struct CheckOut<'a> {
    key: u64,
    diagnostics: Vec<DiagOut<'a>>,
    sql: &'a [(usize, Vec<SqlStatement>)],
}

/// A [`Diagnostic`] as written; its code and name are looked up in the
/// registry when read back (a code this build does not know fails the
/// entry, which is then linted again).
#[derive(Serialize)]
struct DiagOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    range: TextRange,
    labels: &'a [Label],
    help: &'a Option<std::borrow::Cow<'static, str>>,
    fix: &'a Option<Box<Fix>>,
    fails_on: DialectSet,
}

#[derive(Debug, Deserialize)]
struct DiagIn {
    code: String,
    name: String,
    severity: Severity,
    message: String,
    range: TextRange,
    labels: Vec<Label>,
    help: Option<String>,
    fix: Option<Fix>,
    fails_on: DialectSet,
}

impl<'a> DiagOut<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        DiagOut {
            code: d.code,
            name: d.name,
            severity: d.severity,
            message: &d.message,
            range: d.range,
            labels: &d.labels,
            help: &d.help,
            fix: &d.fix,
            fails_on: d.fails_on,
        }
    }
}

impl DiagIn {
    fn into_diagnostic(self) -> Option<Diagnostic> {
        let meta = rule_by_code(&self.code)?.meta();
        if meta.name != self.name {
            return None;
        }
        Some(Diagnostic {
            code: meta.code,
            name: meta.name,
            severity: self.severity,
            message: self.message,
            range: self.range,
            labels: self.labels,
            help: self.help.map(std::borrow::Cow::Owned),
            fix: self.fix.map(Box::new),
            fails_on: self.fails_on,
        })
    }
}

fn diagnostics_in(list: Vec<DiagIn>) -> Option<Vec<Diagnostic>> {
    list.into_iter().map(DiagIn::into_diagnostic).collect()
}

impl CachedFile {
    /// Decodes an entry written by [`FileResult::encode_cache`]; `None` for
    /// bytes that are not one (a corrupt or foreign entry is a miss).
    pub fn decode(bytes: &[u8]) -> Option<CachedFile> {
        let file: CachedFile = postcard::from_bytes(bytes).ok()?;
        // exactly one of the two shapes
        (file.module.is_some() != file.stopped.is_some()).then_some(file)
    }
}

impl FileResult {
    /// The cache entry of this result (see the module documentation).
    pub fn encode_cache(&self, linter: &Linter) -> Vec<u8> {
        let out = if self.stopped {
            FileOut {
                module: None,
                suppressions: false,
                stopped: Some(self.diagnostics.iter().map(DiagOut::from).collect()),
                check: None,
            }
        } else {
            FileOut {
                module: Some(&self.module),
                suppressions: !self.suppressions.is_empty(),
                stopped: None,
                check: Some(CheckOut {
                    key: linter.check_key(&self.settings),
                    diagnostics: self.diagnostics.iter().map(DiagOut::from).collect(),
                    sql: &self.sql,
                }),
            }
        };
        postcard::to_stdvec(&out).unwrap_or_default()
    }
}

impl Linter {
    /// What the per-file work reads from the linter settings (the enabled
    /// rules, the Alembic and PostgreSQL versions): a cache keeps one set of
    /// entries per fingerprint.
    pub fn cache_fingerprint(&self) -> String {
        format!(
            "enabled={:?};alembic={:?};postgresql={}",
            self.settings.enabled, self.settings.alembic_version, self.settings.postgresql_version
        )
    }

    /// What [`Linter::check`] reads from a file's [`FileSettings`]: its
    /// targets and whether it runs outside a transaction.
    pub fn check_key(&self, settings: &FileSettings) -> u64 {
        let bits = |set: DialectSet| set.iter().fold(0u64, |acc, d| acc | 1 << (d as u64));
        bits(settings.targets) | u64::from(settings.no_transaction) << 8
    }

    /// Rebuilds the parse of `bytes` from its cache entry (the text is
    /// decoded again, the suppression comments re-read from the model).
    /// Returns the per-file findings the entry holds, for
    /// [`Linter::check_cached`].
    pub fn parse_cached(
        &self,
        path: &Path,
        bytes: &[u8],
        cached: CachedFile,
    ) -> Option<(ParsedFile, Option<CachedCheck>)> {
        let source = Arc::new(SourceFile::new(
            path.to_path_buf(),
            cached_text(bytes, &cached),
        ));
        if let Some(stopped) = cached.stopped {
            let parsed = ParsedFile {
                source,
                module: Module::default(),
                suppressions: Vec::new(),
                stopped: Some(diagnostics_in(stopped)?),
            };
            return Some((parsed, None));
        }
        let module = cached.module?;
        let check = match cached.check {
            Some(c) => Some(CachedCheck {
                key: c.key,
                diagnostics: diagnostics_in(c.diagnostics)?,
                sql: c.sql,
            }),
            None => None,
        };
        let suppressions = if cached.suppressions {
            suppress::parse(&source, &module)
        } else {
            Vec::new()
        };
        let parsed = ParsedFile {
            source,
            module,
            suppressions,
            stopped: None,
        };
        Some((parsed, check))
    }

    /// [`Linter::check`], reusing the cached per-file findings when they
    /// were made for the same per-file inputs ([`Linter::check_key`]).
    /// Returns whether the rules ran (the entry is then out of date).
    pub fn check_cached(
        &self,
        parsed: ParsedFile,
        settings: FileSettings,
        cached: Option<CachedCheck>,
    ) -> (FileResult, bool) {
        match cached {
            Some(c) if parsed.stopped.is_none() && c.key == self.check_key(&settings) => {
                let result = FileResult {
                    source: parsed.source,
                    module: parsed.module,
                    sql: c.sql,
                    baselined: false,
                    stopped: false,
                    diagnostics: c.diagnostics,
                    settings,
                    suppressions: parsed.suppressions,
                };
                (result, false)
            }
            // a stopped file's findings do not depend on its settings
            _ if parsed.stopped.is_some() => (self.check(parsed, settings), false),
            _ => (self.check(parsed, settings), true),
        }
    }
}

/// The findings of finished reports ([`Linter::finish`]), one list per
/// report in order, for the CLI's project memo (`crates/miglint/src/memo.rs`).
pub fn encode_findings(reports: &[FileReport]) -> Vec<u8> {
    let out: Vec<Vec<DiagOut<'_>>> = reports
        .iter()
        .map(|r| r.diagnostics.iter().map(DiagOut::from).collect())
        .collect();
    postcard::to_stdvec(&out).unwrap_or_default()
}

/// Decodes [`encode_findings`]; `None` for bytes that are not its output
/// or name a rule this build does not know.
pub fn decode_findings(bytes: &[u8]) -> Option<Vec<Vec<Diagnostic>>> {
    let lists: Vec<Vec<DiagIn>> = postcard::from_bytes(bytes).ok()?;
    lists.into_iter().map(diagnostics_in).collect()
}

/// The text a cold run gives the file of these bytes: decoded as
/// [`Linter::parse_owned`] does, empty when that fails (ML905).
pub fn source_text(bytes: &[u8]) -> Arc<str> {
    match ml905_unreadable_file::decode(bytes) {
        Ok(text) => Arc::from(&*text),
        Err(_) => Arc::from(""),
    }
}

/// The decoded text of the bytes of a cache hit, as [`Linter::parse_owned`]
/// decoded the same bytes. A parsed file's bytes decoded: without a `\r`
/// they are the text (the decoder changes only lone `\r`s), so the full
/// decoder runs only for the others. An undecodable file is ML905 with an
/// empty text, as in a cold run.
fn cached_text(bytes: &[u8], cached: &CachedFile) -> Arc<str> {
    if cached.module.is_some()
        && !bytes.contains(&b'\r')
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Arc::from(text);
    }
    match ml905_unreadable_file::decode(bytes) {
        Ok(text) => Arc::from(&*text),
        Err(_) => Arc::from(""),
    }
}
