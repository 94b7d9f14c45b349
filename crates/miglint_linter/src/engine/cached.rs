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
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::overlap::{Checked, CheckedSql};
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
    sql: &'a CheckedSql<'a>,
}

/// Written as the `(op, statements)` list [`CheckIn`] reads, from either form.
impl Serialize for CheckedSql<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CheckedSql::Stored(list) => list.serialize(s),
            CheckedSql::Views(views) => s.collect_seq(views.iter().map(|e| (e.op, &e.statements))),
        }
    }
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
        Checked {
            index: 0,
            result: self,
            diagnostics: &self.diagnostics,
            sql: CheckedSql::Stored(&self.sql),
        }
        .encode_cache(linter)
    }
}

impl Checked<'_> {
    /// The cache entry of this file: [`FileResult::encode_cache`] of its
    /// result after [`Linter::check`]. The bytes are postcard's of a
    /// [`FileOut`]; a large file's model and findings are encoded at the
    /// same time, the findings in pieces (see [`append_findings`]).
    pub fn encode_cache(&self, linter: &Linter) -> Vec<u8> {
        let r = self.result;
        if r.stopped || self.diagnostics.len() < PARALLEL_ENCODE {
            return self.encode_whole(linter);
        }
        // the fields of `FileOut` in order: `module: Some(..)`,
        // `suppressions`, `stopped: None`, `check: Some(CheckOut { key,
        // diagnostics, sql })`
        let (head, findings) = rayon::join(
            || {
                let mut out = Vec::new();
                append(&mut out, &Some(&r.module))?;
                append(&mut out, &!r.suppressions.is_empty())?;
                append(&mut out, &None::<()>)?;
                append(&mut out, &Some(()))?;
                append(&mut out, &linter.check_key(&r.settings))?;
                Some(out)
            },
            || {
                let mut out = Vec::new();
                append_findings(&mut out, self.diagnostics)?;
                append(&mut out, &self.sql)?;
                Some(out)
            },
        );
        let (Some(mut head), Some(findings)) = (head, findings) else {
            return Vec::new();
        };
        head.reserve_exact(findings.len());
        head.extend_from_slice(&findings);
        head
    }

    /// [`Checked::encode_cache`] in one piece: postcard's bytes of its
    /// [`FileOut`].
    fn encode_whole(&self, linter: &Linter) -> Vec<u8> {
        let r = self.result;
        let out = if r.stopped {
            FileOut {
                module: None,
                suppressions: false,
                stopped: Some(self.diagnostics.iter().map(DiagOut::from).collect()),
                check: None,
            }
        } else {
            FileOut {
                module: Some(&r.module),
                suppressions: !r.suppressions.is_empty(),
                stopped: None,
                check: Some(CheckOut {
                    key: linter.check_key(&r.settings),
                    diagnostics: self.diagnostics.iter().map(DiagOut::from).collect(),
                    sql: &self.sql,
                }),
            }
        };
        postcard::to_stdvec(&out).unwrap_or_default()
    }
}

/// At least this many findings are encoded in pieces on the pool.
const PARALLEL_ENCODE: usize = 4096;
/// Findings per piece.
const ENCODE_PIECE: usize = 1024;

/// Appends postcard's bytes of a value to a buffer.
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Appends postcard's bytes of `value` to `out`.
fn append<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Option<()> {
    postcard::serialize_with_flavor(value, Append(out)).ok()
}

/// Appends postcard's bytes of `list` as a `Vec<DiagOut>` (its length,
/// then each finding) to `out`: a long list in pieces on the pool, put
/// together in order (the same bytes).
fn append_findings(out: &mut Vec<u8>, list: &[Diagnostic]) -> Option<()> {
    append(out, &list.len())?;
    if list.len() < PARALLEL_ENCODE {
        for d in list {
            append(out, &DiagOut::from(d))?;
        }
        return Some(());
    }
    let pieces: Vec<Option<Vec<u8>>> = list
        .par_chunks(ENCODE_PIECE)
        .map(|piece| {
            let mut bytes = Vec::with_capacity(piece.len() * 512);
            for d in piece {
                append(&mut bytes, &DiagOut::from(d))?;
            }
            Some(bytes)
        })
        .collect();
    out.reserve(pieces.iter().flatten().map(Vec::len).sum());
    for piece in pieces {
        out.extend_from_slice(&piece?);
    }
    Some(())
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

    /// [`Linter::check`] when no rule needs to run: the cached per-file
    /// findings when they were made for the same per-file inputs
    /// ([`Linter::check_key`]), or a file that was not parsed (its findings
    /// do not depend on its settings). Else the file and its settings back,
    /// for [`Linter::check`] (its entry is then out of date).
    #[allow(clippy::result_large_err)]
    pub fn reuse_cached(
        &self,
        parsed: ParsedFile,
        settings: FileSettings,
        cached: Option<CachedCheck>,
    ) -> Result<FileResult, (ParsedFile, FileSettings)> {
        match cached {
            Some(c) if parsed.stopped.is_none() && c.key == self.check_key(&settings) => {
                Ok(FileResult {
                    source: parsed.source,
                    module: parsed.module,
                    sql: c.sql,
                    baselined: false,
                    stopped: false,
                    diagnostics: c.diagnostics,
                    settings,
                    suppressions: parsed.suppressions,
                })
            }
            _ if parsed.stopped.is_some() => Ok(self.check(parsed, settings)),
            _ => Err((parsed, settings)),
        }
    }
}

/// The findings of finished reports ([`Linter::finish`]), one list per
/// report in order, for the CLI's project memo (`crates/miglint/src/memo.rs`).
pub fn encode_findings(reports: &[FileReport]) -> Vec<u8> {
    // postcard's bytes of a `Vec<Vec<DiagOut>>`
    let mut out = Vec::new();
    let encoded = append(&mut out, &reports.len())
        .and_then(|()| {
            reports
                .iter()
                .try_for_each(|r| append_findings(&mut out, &r.diagnostics))
        })
        .is_some();
    if encoded { out } else { Vec::new() }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use miglint_diagnostics::DialectSet;
    use miglint_python::PythonParser;

    use super::*;
    use crate::registry::RULES;
    use crate::settings::LinterSettings;

    #[test]
    fn a_large_entry_in_pieces_is_the_whole_one() {
        let mut text = String::from(
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'big'\n\
             down_revision = None\n\ndef upgrade():\n",
        );
        for i in 0..1500 {
            text.push_str(&format!(
                "    op.add_column('u{i}', sa.Column('c', sa.Boolean(), server_default='0', nullable=False))\n    \
                 op.alter_column('u{i}', 'c', nullable=False, type_=sa.String())\n    \
                 op.execute(\"ALTER TABLE u{i} ALTER COLUMN c SET NOT NULL\")  # miglint: ignore[ML703]\n    \
                 op.drop_column('u{i}', 'd')\n"
            ));
        }
        let mut settings = LinterSettings::with_targets(DialectSet::ALL);
        settings.enabled = vec![true; RULES.len()];
        let linter = Linter::new(settings);
        let parsed = linter.parse_source(&mut PythonParser::new(), Path::new("big.py"), &text);
        let result = linter.check_alone(parsed);
        assert!(result.diagnostics.len() >= PARALLEL_ENCODE);
        let checked = Checked {
            index: 0,
            result: &result,
            diagnostics: &result.diagnostics,
            sql: CheckedSql::Stored(&result.sql),
        };
        let entry = checked.encode_cache(&linter);
        assert!(entry == checked.encode_whole(&linter));
        assert!(CachedFile::decode(&entry).is_some());

        let report = || FileReport {
            source: result.source.clone(),
            diagnostics: result.diagnostics.clone(),
        };
        let reports = [report(), report()];
        let whole: Vec<Vec<DiagOut<'_>>> = reports
            .iter()
            .map(|r| r.diagnostics.iter().map(DiagOut::from).collect())
            .collect();
        let encoded = encode_findings(&reports);
        assert!(encoded == postcard::to_stdvec(&whole).unwrap());
        assert_eq!(
            decode_findings(&encoded).map(|lists| lists.concat().len()),
            Some(2 * result.diagnostics.len())
        );
    }
}
