//! The check driver: configuration → discovery → parallel per-file lint →
//! project phase → sorted reports. Shared by `miglint check` and tests.

use std::path::{Path, PathBuf};

use miglint_config::{ConfigError, Options};
use miglint_diagnostics::FileReport;
use miglint_linter::{FileResult, Linter, LinterSettings, ParsedFile, RULES};
use miglint_python::PythonParser;
use rayon::prelude::*;

use crate::output::RuleInfo;

/// Below this many files the work stays on the calling thread.
const PARALLEL_THRESHOLD: usize = 16;

/// At most this many files per rayon task in the per-file phase. Rayon
/// splits a parallel iterator into a few large pieces unless a thread goes
/// idle at the right moment; a thread that finishes its pieces early can
/// steal only pieces not yet started, so the other thread's last piece
/// (a few hundred files on 2 threads) was a serial tail. Small pieces
/// bound that tail by a few files (a parser is made per piece: cheap).
pub(crate) const FILES_PER_TASK: usize = 4;

pub struct CheckOutcome {
    pub reports: Vec<FileReport>,
    /// The targets used and why (for the summary).
    pub targets: String,
    /// Paths given on the command line that do not exist (exit 2).
    pub missing: Vec<PathBuf>,
    /// Non-fatal discovery problems, for stderr.
    pub warnings: Vec<String>,
    /// Rule runs that failed inside miglint (said on stderr; exit 2 after
    /// the rest is reported).
    pub internal_errors: usize,
}

/// Loads the configuration: `--config FILE`, else the nearest `lint.toml` /
/// `pyproject.toml [tool.miglint]` from `cwd`, else the embedded defaults.
pub fn load_options(cwd: &Path, config: Option<&Path>) -> Result<Options, ConfigError> {
    match config {
        Some(path) => miglint_config::load(path),
        None => Options::resolve(cwd),
    }
}

/// [`load_options`] then [`settings`], for a command: a configuration error
/// is rendered on stderr and becomes exit 2.
pub fn settings_or_exit(
    cwd: &Path,
    config: Option<&Path>,
) -> Result<LinterSettings, std::process::ExitCode> {
    load_options(cwd, config).and_then(settings).map_err(|e| {
        render_error(&e);
        std::process::ExitCode::from(2)
    })
}

/// Resolves rule selection against the registry; unknown codes point into the TOML.
/// The settings read each environment's files once (they are for one run:
/// see [`miglint_config::Environments`]).
pub fn settings(options: Options) -> Result<LinterSettings, ConfigError> {
    let environments = miglint_config::Environments::once();
    let targets = options.targets_in(&environments);
    LinterSettings::from_options(options, targets).map(|s| s.read_environments_once(environments))
}

/// The per-file phase over `files`: parse every file (in parallel above a
/// few files), decide the targets per environment from all of them, then
/// run the per-file rules.
pub fn lint_files(linter: &Linter, files: &[PathBuf]) -> Vec<FileResult> {
    let parsed = parse_all(linter, files);
    // targets are decided per environment from every parsed file, before any
    // rule runs
    let file_settings = linter.resolve(&parsed);
    let pairs: Vec<_> = parsed.into_iter().zip(file_settings).collect();
    if pairs.len() < PARALLEL_THRESHOLD {
        pairs.into_iter().map(|(p, s)| linter.check(p, s)).collect()
    } else {
        pairs
            .into_par_iter()
            .with_max_len(FILES_PER_TASK)
            .map(|(p, s)| linter.check(p, s))
            .collect()
    }
}

/// [`lint_files`] then [`Linter::finish`] over the results and `more`
/// (files already checked), the project phase running while the per-file
/// rules run (see [`Linter::check_and_finish`]; `before` sees every file
/// before any rule runs). The reports are the same.
pub fn lint_and_finish(
    linter: &Linter,
    files: &[PathBuf],
    more: Vec<FileResult>,
    before: impl FnOnce(&[FileResult]),
) -> Vec<FileReport> {
    let parsed = parse_all(linter, files);
    let file_settings = linter.resolve(&parsed);
    linter.check_and_finish(
        parsed.into_iter().zip(file_settings).collect(),
        more,
        before,
    )
}

/// The per-file phase of a run, with or without the cache, ready to be
/// finished ([`Lint::finish`]).
pub struct Lint<'a> {
    linter: &'a Linter,
    files: &'a [PathBuf],
    cached: Option<(Vec<crate::cache::Read>, crate::cache::Cache)>,
}

impl<'a> Lint<'a> {
    /// Every file read, parsed and checked ([`lint_and_finish`]).
    pub fn cold(linter: &'a Linter, files: &'a [PathBuf]) -> Self {
        Lint {
            linter,
            files,
            cached: None,
        }
    }

    /// Through `cache`, from the `contents` of `files` ([`read_all`]), the
    /// cache saved while the project phase runs
    /// ([`lint_and_finish_cached`]).
    pub fn cached(
        linter: &'a Linter,
        files: &'a [PathBuf],
        contents: Vec<crate::cache::Read>,
        cache: crate::cache::Cache,
    ) -> Self {
        Lint {
            linter,
            files,
            cached: Some((contents, cache)),
        }
    }

    /// The reports of the files and `more` (files already checked);
    /// `before` sees every file before the project phase (see
    /// [`lint_and_finish`]).
    pub fn finish(
        self,
        more: Vec<FileResult>,
        before: impl FnOnce(&[FileResult]),
    ) -> Vec<FileReport> {
        match self.cached {
            None => lint_and_finish(self.linter, self.files, more, before),
            Some((contents, cache)) => lint_and_finish_cached(
                self.linter,
                self.files,
                contents,
                &cache,
                more,
                before,
                |updates| cache.save(updates),
            ),
        }
    }
}

/// [`lint_and_finish`] through the cache: a file whose bytes have an entry
/// is not parsed again, and its per-file findings are reused when its
/// targets did not change (see `miglint_linter::engine::cached`). The
/// other files are checked as [`lint_and_finish`] checks them, each entry
/// encoded and written ([`crate::cache::Cache::stage`]) once its file's
/// rules ran; `save` gets the cache updates (in the
/// order of `files`) while the project phase runs. The reports are
/// [`lint_and_finish`]'s.
pub fn lint_and_finish_cached(
    linter: &Linter,
    files: &[PathBuf],
    contents: Vec<crate::cache::Read>,
    cache: &crate::cache::Cache,
    more: Vec<FileResult>,
    before: impl FnOnce(&[FileResult]),
    save: impl FnOnce(Vec<crate::cache::Update>) + Send,
) -> Vec<FileReport> {
    use crate::cache::{ContentKey, Update};
    use miglint_linter::{CachedCheck, CachedFile};
    struct Loaded {
        key: Option<ContentKey>,
        check: Option<CachedCheck>,
    }
    // entries are keyed by absolute path (runs from other directories share them)
    let cwd = std::env::current_dir().unwrap_or_default();
    let load_one = |parser: &mut PythonParser,
                    (path, read): (&PathBuf, crate::cache::Read)|
     -> (ParsedFile, Loaded) {
        let (key, bytes) = match read {
            Ok(read) => read,
            Err(e) => {
                let loaded = Loaded {
                    key: None,
                    check: None,
                };
                return (linter.parse_unreadable(path, &e), loaded);
            }
        };
        let cached = cache
            .get(&cwd.join(path), &key)
            .and_then(CachedFile::decode)
            .and_then(|c| linter.parse_cached(path, &bytes, c));
        // the text is decoded from these bytes: their key is its key
        let vouched = |parsed: ParsedFile| {
            parsed.source.vouch(key.source_key());
            parsed
        };
        match cached {
            Some((parsed, check)) => (
                vouched(parsed),
                Loaded {
                    key: Some(key),
                    check,
                },
            ),
            None => (
                vouched(linter.parse_owned(parser, path, bytes)),
                Loaded {
                    key: Some(key),
                    check: None,
                },
            ),
        }
    };
    let loaded: Vec<(ParsedFile, Loaded)> = if files.len() < PARALLEL_THRESHOLD {
        let mut parser = PythonParser::new();
        files
            .iter()
            .zip(contents)
            .map(|p| load_one(&mut parser, p))
            .collect()
    } else {
        files
            .par_iter()
            .zip(contents)
            .map_init(PythonParser::new, load_one)
            .collect()
    };
    let (parsed, loaded): (Vec<ParsedFile>, Vec<Loaded>) = loaded.into_iter().unzip();
    let file_settings = linter.resolve(&parsed);
    // a file whose entry holds its per-file findings is done; the others
    // run their rules (the entry of a file, in the order of `files`: kept
    // as it is, or the new one)
    let mut reused = Vec::new();
    let mut pending = Vec::new();
    let mut updates: Vec<Option<Update>> = Vec::with_capacity(files.len());
    let mut pending_at: Vec<usize> = Vec::new();
    let mut keyed: Vec<bool> = Vec::new();
    for ((p, s), l) in parsed.into_iter().zip(file_settings).zip(loaded) {
        let path = cwd.join(&p.source.path);
        match linter.reuse_cached(p, s, l.check) {
            Ok(result) => {
                reused.push(result);
                updates.push(l.key.map(|key| Update {
                    path,
                    key,
                    blob: None,
                }));
            }
            Err(work) => {
                pending.push(work);
                pending_at.push(updates.len());
                keyed.push(l.key.is_some());
                updates.push(l.key.map(|key| Update {
                    path,
                    key,
                    blob: None,
                }));
            }
        }
    }
    reused.extend(more);
    linter.check_and_finish_with(
        pending,
        reused,
        before,
        // (written as soon as it is made: the run does not hold it)
        |checked| {
            keyed[checked.index]
                .then(|| cache.stage(&checked.encode_cache(linter)))
                .flatten()
        },
        |blobs| {
            let mut updates = updates;
            for (index, blob) in pending_at.iter().zip(blobs) {
                if let Some(update) = &mut updates[*index] {
                    update.blob = blob;
                }
            }
            save(updates.into_iter().flatten().collect());
        },
    )
}

/// The bytes of every file with their cache key (in parallel above a few
/// files), as [`parse_all`] reads them; an error is the ML905 reason.
pub fn read_all(linter: &Linter, files: &[PathBuf]) -> Vec<crate::cache::Read> {
    let cap = linter.settings.options.max_file_size;
    let read = |path: &PathBuf| match miglint_config::read_capped(path, cap) {
        Ok(bytes) => Ok((crate::cache::ContentKey::of(&bytes), bytes)),
        Err(e) => Err(e.to_string()),
    };
    if files.len() < PARALLEL_THRESHOLD {
        files.iter().map(read).collect()
    } else {
        files.par_iter().map(read).collect()
    }
}

/// Reads, decodes and parses every file (in parallel above a few files):
/// regular files only, at most `max-file-size` bytes (a FIFO must not hang
/// the run, nor a symlink to /dev/zero fill the memory).
pub fn parse_all(linter: &Linter, files: &[PathBuf]) -> Vec<ParsedFile> {
    let cap = linter.settings.options.max_file_size;
    let parse_one =
        |parser: &mut PythonParser, path: &PathBuf| match miglint_config::read_capped(path, cap) {
            Ok(bytes) => linter.parse_owned(parser, path, bytes),
            Err(e) => linter.parse_unreadable(path, &e.to_string()),
        };
    if files.len() < PARALLEL_THRESHOLD {
        let mut parser = PythonParser::new();
        files.iter().map(|p| parse_one(&mut parser, p)).collect()
    } else {
        files
            .par_iter()
            .with_max_len(FILES_PER_TASK)
            .map_init(PythonParser::new, parse_one)
            .collect()
    }
}

/// A `baseline-revision` that names no linted revision lints everything:
/// say so (a warning, since every finding is still reported). Only for
/// discovered runs: a pre-commit file list rarely holds the baseline.
pub(crate) fn unknown_baselines(
    options: &miglint_config::Options,
    ids: &[String],
    linted: usize,
) -> Vec<String> {
    let ids: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let configured = options.baseline_revision.iter().chain(
        options
            .overrides
            .iter()
            .filter_map(|o| o.baseline_revision.as_ref()),
    );
    let mut out: Vec<String> = configured
        .map(|b| b.get_ref())
        .filter(|b| !ids.contains(b.as_str()))
        .map(|b| {
            format!(
                "baseline-revision `{b}` ({}) names no revision among the {} linted files, so no \
                 revision is treated as already applied; check the id",
                options.origin_name(),
                linted
            )
        })
        .collect();
    out.dedup();
    out
}

/// The registry as the emitters see it.
pub fn rule_infos() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo {
                code: m.code,
                name: m.name,
                summary: m.summary,
                default_severity: m.severity,
            }
        })
        .collect()
}

/// Applies the safe fixes of `reports` to their files (edits that overlap an
/// earlier one are left for a later run). Returns how many fixes were applied.
pub fn apply_fixes(reports: &[FileReport]) -> std::io::Result<usize> {
    let mut applied = 0;
    for report in reports {
        let (edits, n) = miglint_diagnostics::safe_fix_edits(&report.diagnostics);
        if n == 0 {
            continue;
        }
        applied += n;
        let out = miglint_diagnostics::apply_edits(&report.source.text, edits);
        std::fs::write(&report.source.path, out)?;
    }
    Ok(applied)
}

/// Renders a configuration (or other miette) error to stderr, coloured when
/// stderr is a terminal and NO_COLOR is unset.
pub fn render_error(e: &dyn miette::Diagnostic) {
    use std::io::IsTerminal;
    let theme = if crate::output::auto_color(std::io::stderr().is_terminal()) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut s = String::new();
    if handler.render_report(&mut s, e).is_err() {
        s = e.to_string();
    }
    eprintln!("{s}");
}
