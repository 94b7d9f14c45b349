//! The order in which the project rules run (issue 15: the project phase
//! used to run on the main thread alone, a rule at a time, the first
//! model rule building the model while the other core idled).
//!
//! 1. If an enabled rule uses the semantic model ([`Rule::uses_model`]),
//!    the model is built on a helper thread (its replays run on the rayon
//!    pool) while the calling thread runs the rules that do not use it (the
//!    revision-graph rules), one after the other.
//! 2. The model rules then run in parallel, one rayon task per rule, over
//!    the built model.
//!
//! The findings are joined in rule order, as if every rule had run one
//! after the other: the output does not depend on the threads.
//!
//! The model is built outside the rayon pool on purpose: a rayon worker
//! that waits (for the replays it started) runs other queued tasks in the
//! meantime, and a task that asked for the model then would wait for its
//! own thread. Outside the pool, a thread that asks for a model being
//! built just blocks until it is ready.

use miglint_diagnostics::Diagnostic;
use rayon::prelude::*;

use crate::registry::RULES;
use crate::rule::{MODEL_UNDECLARED, Project, Rule};

use super::Linter;

impl Linter {
    /// Runs every enabled project rule; findings by file index, in rule
    /// order.
    pub(super) fn run_project_rules(&self, project: &Project<'_>) -> Vec<(usize, Diagnostic)> {
        let enabled = || {
            RULES
                .iter()
                .enumerate()
                .filter(|(i, _)| self.settings.enabled[*i])
                .map(|(i, rule)| (i, *rule))
        };
        let model_rules: Vec<(usize, &dyn Rule)> =
            enabled().filter(|(_, r)| r.uses_model()).collect();
        let run = |rule: &dyn Rule| {
            let mut found = Vec::new();
            let root = &self.settings.options.root;
            self.guarded(rule.meta().code, root, || {
                rule.check_project(project, &mut found);
            });
            // on the rule's task, not when its file is finished on one
            // thread (findings are kept until the output is written)
            found.shrink_to_fit();
            for (_, d) in &mut found {
                super::shrink_diagnostic(d);
            }
            found
        };
        let build = || {
            // a panic in the build is the model rules' to report: each
            // asks for the model again (under `guarded`)
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                project.schema();
            }));
        };
        let mut by_rule: Vec<(usize, Vec<(usize, Diagnostic)>)> = Vec::new();
        let mut graph_rules = || {
            let undeclared = MODEL_UNDECLARED.replace(true);
            for (i, rule) in enabled().filter(|(_, r)| !r.uses_model()) {
                by_rule.push((i, run(rule)));
            }
            MODEL_UNDECLARED.set(undeclared);
        };
        if rayon::current_thread_index().is_some() {
            // called on a rayon worker: waiting here for a helper thread
            // whose replays need this worker could wait forever, so the
            // model is built first, on this thread
            if !model_rules.is_empty() {
                build();
            }
            graph_rules();
        } else {
            std::thread::scope(|s| {
                if !model_rules.is_empty() {
                    s.spawn(build);
                }
                graph_rules();
            });
        }
        if project.has_schema() {
            by_rule.extend(
                model_rules
                    .into_par_iter()
                    // a rule per task: the rules differ in cost, and
                    // rayon's default pieces hold several rules each
                    .with_max_len(1)
                    .map(|(i, rule)| (i, run(rule)))
                    .collect::<Vec<_>>(),
            );
        } else {
            // the build panicked (a bug): each rule retries it, one after
            // the other, and reports its own failure
            for (i, rule) in model_rules {
                by_rule.push((i, run(rule)));
            }
        }
        by_rule.sort_by_key(|(i, _)| *i);
        by_rule.into_iter().flat_map(|(_, found)| found).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use miglint_diagnostics::DialectSet;
    use miglint_python::PythonParser;

    use crate::engine::Linter;
    use crate::registry::RULES;
    use crate::settings::LinterSettings;

    /// A small history that both families of project rules report on: two
    /// heads (ML501), a NOT NULL column added without a default (ML201),
    /// a drop of a table the downgrade does not recreate (ML301, ML403).
    const FILES: [(&str, &str); 3] = [
        (
            "versions/a.py",
            "revision = 'a'\ndown_revision = None\n\ndef upgrade():\n    \
             op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n\n\
             def downgrade():\n    op.drop_table('t')\n",
        ),
        (
            "versions/b.py",
            "revision = 'b'\ndown_revision = 'a'\n\ndef upgrade():\n    \
             op.add_column('t', sa.Column('x', sa.Integer(), nullable=False))\n    \
             op.drop_table('nowhere')\n\ndef downgrade():\n    op.drop_column('t', 'x')\n",
        ),
        (
            "versions/c.py",
            "revision = 'c'\ndown_revision = 'a'\n\ndef upgrade():\n    pass\n\n\
             def downgrade():\n    pass\n",
        ),
    ];

    fn lint() -> String {
        let mut settings = LinterSettings::with_targets(DialectSet::ALL);
        settings.enabled = vec![true; RULES.len()];
        let linter = Linter::new(settings);
        let mut parser = PythonParser::new();
        let results = FILES
            .iter()
            .map(|(path, text)| linter.lint_source(&mut parser, Path::new(path), text))
            .collect();
        let reports = linter.finish(results);
        assert_eq!(
            linter.internal_errors(),
            0,
            "no rule failed (in debug builds: every rule that asks for the model says so)"
        );
        reports
            .iter()
            .map(|r| format!("{}: {:?}\n", r.source.path.display(), r.diagnostics))
            .collect()
    }

    #[test]
    fn the_findings_do_not_depend_on_the_threads_nor_on_the_caller() {
        let outside = lint();
        for code in ["ML201", "ML301", "ML403", "ML501"] {
            assert!(outside.contains(code), "{code} in {outside}");
        }
        // called on a rayon worker (the model is then built first, on that
        // worker: with one thread, waiting for a helper would never end)
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(lint),
                outside,
                "{threads} threads, on a worker"
            );
        }
    }
}
