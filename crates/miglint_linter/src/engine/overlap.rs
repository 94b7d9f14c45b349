//! The per-file rules and the project phase at the same time (issue 15).
//!
//! The project rules never read the per-file rules' findings: they read
//! each file's model, settings and analyzed SQL, which exist before any
//! per-file rule runs. [`Linter::check_and_finish`] therefore runs both
//! side by side on the rayon pool, then finishes every file as
//! [`Linter::finish`] does. On one large file (the 2 MB stress file) the
//! per-file rules end on one long rule while the other core would idle,
//! and the project phase (the model's replays, then the model rules) used
//! to wait for them; now it fills that core. The findings are the same and
//! in the same order: each file's per-file findings (rule order), then its
//! project findings (rule order), then what [`Linter::finish`] does.

use miglint_diagnostics::{Diagnostic, FileReport};
use miglint_sql::SqlStatement;
use rayon::prelude::*;

use crate::files::ExecSql;
use crate::settings::FileSettings;

use super::{FileResult, Linter, ParsedFile};
use miglint_python::SqlSource;

/// Below this many files the per-file work stays on one thread (as in the
/// CLI's per-file loop).
const PARALLEL_FILES: usize = 16;
/// At most this many files per rayon task (see the CLI's `FILES_PER_TASK`).
const FILES_PER_TASK: usize = 4;

/// One file as the per-file phase left it (its per-file findings and SQL
/// analysis, before the project phase), shown to a caller that keeps it
/// between runs (the CLI's cache encodes it: [`Checked::encode_cache`]).
pub struct Checked<'a> {
    /// The file's position among the `files` given to
    /// [`Linter::check_and_finish_with`].
    pub index: usize,
    pub(super) result: &'a FileResult,
    /// Its per-file findings (a file that was not parsed: its own).
    pub(super) diagnostics: &'a [Diagnostic],
    pub(super) sql: CheckedSql<'a>,
}

/// A file's per-file findings, and what `checked` made of it (with its
/// position among `files`) when its rules ran now.
type FileDone<U> = (Vec<Diagnostic>, Option<(usize, U)>);

/// A file's analyzed SQL, as stored in its result or as the rules saw it.
pub(super) enum CheckedSql<'a> {
    Stored(&'a [(usize, Vec<SqlStatement>)]),
    Views(&'a [ExecSql<'a>]),
}

impl Linter {
    /// [`Linter::check`] of every parsed file, then [`Linter::finish`] over
    /// them and `more` (files already checked, e.g. unreadable ones), with
    /// the project phase run while the per-file rules run when a file is
    /// large enough to run its rules in parallel. `before` sees every file
    /// (the parsed files first, then `more`): with a large file after its
    /// SQL is analyzed, before any rule runs; else after the per-file rules.
    /// The reports are [`Linter::finish`]'s.
    pub fn check_and_finish(
        &self,
        files: Vec<(ParsedFile, FileSettings)>,
        more: Vec<FileResult>,
        before: impl FnOnce(&[FileResult]),
    ) -> Vec<FileReport> {
        self.check_and_finish_with(files, more, before, |_| (), |_| ())
    }

    /// [`Linter::check_and_finish`] that also shows each of `files` to
    /// `checked` once its per-file rules ran (on the thread that ran them),
    /// then gives what it returned (in the order of `files`) to
    /// `all_checked`, which runs while the project phase runs (the CLI
    /// writes its cache there). The reports are the same.
    pub fn check_and_finish_with<U: Send>(
        &self,
        files: Vec<(ParsedFile, FileSettings)>,
        more: Vec<FileResult>,
        before: impl FnOnce(&[FileResult]),
        checked: impl Fn(Checked<'_>) -> U + Sync,
        all_checked: impl FnOnce(Vec<U>) + Send,
    ) -> Vec<FileReport> {
        if !files
            .iter()
            .any(|(p, _)| p.module.ops.len() >= self.parallel_rules_ops)
        {
            // small files only: their rules already run in parallel
            // across files, and the project phase after them; measured on
            // the corpus, running both at once cost CPU (more threads,
            // each file's data read again later) and saved nothing
            let check_one = |(index, (p, s)): (usize, (ParsedFile, FileSettings))| {
                let r = self.check(p, s);
                let u = checked(Checked {
                    index,
                    result: &r,
                    diagnostics: &r.diagnostics,
                    sql: CheckedSql::Stored(&r.sql),
                });
                (r, u)
            };
            let done: Vec<(FileResult, U)> = if files.len() < PARALLEL_FILES {
                files.into_iter().enumerate().map(check_one).collect()
            } else {
                files
                    .into_par_iter()
                    .enumerate()
                    .with_max_len(FILES_PER_TASK)
                    .map(check_one)
                    .collect()
            };
            let (mut results, outputs): (Vec<FileResult>, Vec<U>) = done.into_iter().unzip();
            results.extend(more);
            before(&results);
            // beside the project phase, on a thread of its own (not a
            // rayon worker's time)
            return beside(|| all_checked(outputs), || self.finish(results));
        }
        let pending = files.len();
        let mut results: Vec<FileResult> = if files.len() < PARALLEL_FILES {
            files
                .into_iter()
                .map(|(p, s)| self.check_with(p, s, false))
                .collect()
        } else {
            files
                .into_par_iter()
                .with_max_len(FILES_PER_TASK)
                .map(|(p, s)| self.check_with(p, s, false))
                .collect()
        };
        results.extend(more);
        before(&results);
        // the order of `finish` (a stable sort by path); the position
        // among `files` of a file whose per-file rules are still to run
        // goes along
        let mut sorted: Vec<(FileResult, Option<usize>)> = results
            .into_iter()
            .enumerate()
            .map(|(i, r)| (r, (i < pending).then_some(i)))
            .collect();
        sorted.sort_by(|a, b| miglint_diagnostics::path_cmp(&a.0.source.path, &b.0.source.path));
        let (mut results, pending): (Vec<FileResult>, Vec<Option<usize>>) =
            sorted.into_iter().unzip();

        let stored = take_sql(&mut results);
        let views = exec_views(&results, stored);
        let file_rules =
            |(r, (sql, pending)): (&FileResult, (&Vec<ExecSql<'_>>, &Option<usize>))| {
                let Some(index) = *pending else {
                    return (Vec::new(), None);
                };
                let per_file = if r.stopped {
                    Vec::new()
                } else {
                    self.file_rules(&r.source, &r.module, sql, &r.settings)
                };
                let u = checked(Checked {
                    index,
                    result: r,
                    diagnostics: if r.stopped { &r.diagnostics } else { &per_file },
                    sql: CheckedSql::Views(sql),
                });
                (per_file, Some((index, u)))
            };
        let run_files = || {
            let done: Vec<FileDone<U>> = if results.len() < PARALLEL_FILES {
                results
                    .iter()
                    .zip(views.iter().zip(&pending))
                    .map(file_rules)
                    .collect()
            } else {
                results
                    .par_iter()
                    .zip(views.par_iter().zip(&pending))
                    .with_max_len(FILES_PER_TASK)
                    .map(file_rules)
                    .collect()
            };
            let (per_file, outputs): (Vec<Vec<Diagnostic>>, Vec<_>) = done.into_iter().unzip();
            // back in the order of `files`
            let mut outputs: Vec<(usize, U)> = outputs.into_iter().flatten().collect();
            outputs.sort_unstable_by_key(|(index, _)| *index);
            all_checked(outputs.into_iter().map(|(_, u)| u).collect());
            per_file
        };
        let run_project = || self.project_findings(&results, &views);
        let (per_file, (project, baselined, model)) = if rayon::current_thread_index().is_some() {
            // on a rayon worker, blocking it on a thread of our own could
            // starve the pool (with one worker: forever); rayon's join
            // lets it work while it waits
            rayon::join(run_files, run_project)
        } else {
            // the project phase on a thread outside the pool, as when it
            // runs alone (see `schedule`): the model's build gets a thread
            // of its own, the graph rules run meanwhile
            std::thread::scope(
                |s| match std::thread::Builder::new().spawn_scoped(s, run_project) {
                    Ok(project) => {
                        let per_file = run_files();
                        let project = project
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                        (per_file, project)
                    }
                    Err(_) => (run_files(), run_project()),
                },
            )
        };
        drop(views);
        for ((r, per_file), b) in results.iter_mut().zip(per_file).zip(baselined) {
            // a checked file's own findings, else the rules' now
            if r.diagnostics.is_empty() {
                r.diagnostics = per_file;
            } else {
                r.diagnostics.extend(per_file);
            }
            r.baselined = b;
        }
        self.finish_files(results, project, model)
    }
}

/// Runs `side` on a thread of its own while `main` runs on this one (both
/// here, `side` last, when no thread can be made); returns `main`'s value.
fn beside<M>(side: impl FnOnce() + Send, main: impl FnOnce() -> M) -> M {
    let side = std::sync::Mutex::new(Some(side));
    let run_side = || {
        let job = side.lock().ok().and_then(|mut s| s.take());
        if let Some(job) = job {
            job();
        }
    };
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new().spawn_scoped(s, run_side);
        let out = main();
        match spawned {
            Ok(handle) => {
                if let Err(panic) = handle.join() {
                    std::panic::resume_unwind(panic)
                }
            }
            Err(_) => run_side(),
        }
        out
    })
}

/// Takes every file's stored SQL analysis out (see [`exec_views`]).
pub(super) fn take_sql(results: &mut [FileResult]) -> Vec<Vec<(usize, Vec<SqlStatement>)>> {
    results
        .iter_mut()
        .map(|r| std::mem::take(&mut r.sql))
        .collect()
}

/// The stored SQL analysis of every file as the rules see it (each
/// statement list next to the literal of its op).
pub(super) fn exec_views(
    results: &[FileResult],
    stored: Vec<Vec<(usize, Vec<SqlStatement>)>>,
) -> Vec<Vec<ExecSql<'_>>> {
    results
        .iter()
        .zip(stored)
        .map(|(r, sql)| {
            sql.into_iter()
                .filter_map(|(op, statements)| match r.module.ops.get(op)?.sql()? {
                    SqlSource::Literal(lit) => Some(ExecSql {
                        op,
                        lit,
                        statements,
                    }),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use miglint_diagnostics::DialectSet;
    use miglint_python::PythonParser;

    use crate::engine::Linter;
    use crate::registry::RULES;
    use crate::settings::LinterSettings;

    /// A history of `n` revisions (a chain, each adding, altering and
    /// dropping columns, one with a suppression) and one large revision
    /// of `large` op groups on top, in an order that is not the paths'.
    fn files(n: usize, large: usize) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        for i in (0..n).rev() {
            let down = if i == 0 {
                "None".to_string()
            } else {
                format!("'r{}'", i - 1)
            };
            out.push((
                PathBuf::from(format!("versions/r{i:03}.py")),
                format!(
                    "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'r{i}'\n\
                     down_revision = {down}\n\ndef upgrade():\n    \
                     op.create_table('t{i}', sa.Column('id', sa.Integer(), primary_key=True))\n    \
                     op.add_column('t{i}', sa.Column('x', sa.Integer(), nullable=False))\n    \
                     op.alter_column('t{i}', 'id', type_=sa.BigInteger())\n    \
                     op.execute(\"ALTER TABLE t{i} ADD COLUMN y INT NOT NULL\")  # miglint: ignore[ML703]\n    \
                     op.drop_table('gone{i}')\n\ndef downgrade():\n    pass\n"
                ),
            ));
        }
        let mut big = format!(
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'big'\n\
             down_revision = 'r{}'\n\ndef upgrade():\n",
            n.saturating_sub(1)
        );
        for i in 0..large {
            big.push_str(&format!(
                "    op.add_column('u{i}', sa.Column('c', sa.Boolean(), server_default='0', nullable=False))\n    \
                 op.alter_column('u{i}', 'c', nullable=False, type_=sa.String())\n    \
                 op.execute(\"ALTER TABLE u{i} ALTER COLUMN c SET NOT NULL\")\n    \
                 op.drop_column('u{i}', 'd')\n"
            ));
        }
        big.push_str("\ndef downgrade():\n    pass\n");
        out.insert(n / 2, (PathBuf::from("versions/big.py"), big));
        out
    }

    /// The reports of `check` then `finish`, and of `check_and_finish`.
    fn both(files: &[(PathBuf, String)]) -> (String, String) {
        let mut settings = LinterSettings::with_targets(DialectSet::ALL);
        settings.enabled = vec![true; RULES.len()];
        let linter = Linter::new(settings);
        let mut parser = PythonParser::new();
        let parsed: Vec<_> = files
            .iter()
            .map(|(path, text)| linter.parse_source(&mut parser, path, text))
            .collect();
        let unreadable = Path::new("versions/zzz.py");
        let file_settings = linter.resolve(&parsed);
        let mut results: Vec<_> = parsed
            .into_iter()
            .zip(file_settings)
            .map(|(p, s)| linter.check(p, s))
            .collect();
        results.push(linter.unreadable(unreadable, "permission denied"));
        let old = format!("{:#?}", linter.finish(results));

        let parsed: Vec<_> = files
            .iter()
            .map(|(path, text)| linter.parse_source(&mut parser, path, text))
            .collect();
        let file_settings = linter.resolve(&parsed);
        let mut seen = Vec::new();
        let new = linter.check_and_finish(
            parsed.into_iter().zip(file_settings).collect(),
            vec![linter.unreadable(unreadable, "permission denied")],
            |results| seen = results.iter().map(|r| r.source.path.clone()).collect(),
        );
        let mut expected: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
        expected.push(unreadable.to_path_buf());
        assert_eq!(
            seen, expected,
            "`before` sees the parsed files, then `more`"
        );
        assert_eq!(linter.internal_errors(), 0);
        (old, format!("{new:#?}"))
    }

    #[test]
    fn the_reports_are_finish_s() {
        // a few small files (one thread), many files (in parallel), a
        // large file among a few (its rules in parallel)
        for (n, large) in [(3, 2), (40, 3), (3, 600)] {
            let (old, new) = both(&files(n, large));
            // per-file, graph, model and finishing findings
            let codes: Vec<&str> = [
                "ML106", "ML301", "ML507", "ML703", "ML710", "ML904", "ML905",
            ]
            .into_iter()
            .filter(|code| !old.contains(code))
            .collect();
            assert!(codes.is_empty(), "{codes:?} missing among {n} files: {old}");
            assert_eq!(new, old, "{n} files, {large} op groups");
        }
    }

    #[test]
    fn each_file_is_shown_once_as_check_left_it() {
        // small files only (the project phase after the rules), and a
        // large one among them (both at once): `checked` sees every parsed
        // file as `check` leaves it (its cache entry is the same bytes),
        // `all_checked` gets them in order, the reports are unchanged
        for (n, large) in [(20, 2), (3, 600)] {
            let files = files(n, large);
            let mut settings = LinterSettings::with_targets(DialectSet::ALL);
            settings.enabled = vec![true; RULES.len()];
            let linter = Linter::new(settings);
            let mut parser = PythonParser::new();
            let mut parse = || -> Vec<_> {
                files
                    .iter()
                    .map(|(path, text)| linter.parse_source(&mut parser, path, text))
                    .collect()
            };
            let parsed = parse();
            let file_settings = linter.resolve(&parsed);
            let expected: Vec<(usize, Vec<u8>)> = parsed
                .into_iter()
                .zip(file_settings)
                .map(|(p, s)| linter.check(p, s).encode_cache(&linter))
                .enumerate()
                .collect();
            let parsed = parse();
            let file_settings = linter.resolve(&parsed);
            let old = format!(
                "{:#?}",
                linter.check_and_finish(
                    parsed.into_iter().zip(file_settings).collect(),
                    Vec::new(),
                    |_| {}
                )
            );
            let parsed = parse();
            let file_settings = linter.resolve(&parsed);
            let mut got = Vec::new();
            let new = linter.check_and_finish_with(
                parsed.into_iter().zip(file_settings).collect(),
                Vec::new(),
                |_| {},
                |c| (c.index, c.encode_cache(&linter)),
                |all| got = all,
            );
            assert_eq!(format!("{new:#?}"), old, "{n} files, {large} op groups");
            assert!(
                got == expected,
                "{n} files, {large} op groups: the entries differ"
            );
        }
    }

    #[test]
    fn on_a_rayon_worker_too() {
        let files = files(20, 600);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (old, new) = pool.install(|| both(&files));
            assert_eq!(new, old, "{threads} threads");
        }
    }
}
