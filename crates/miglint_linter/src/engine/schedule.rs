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
            found
        };
        let mut by_rule: Vec<(usize, Vec<(usize, Diagnostic)>)> = Vec::new();
        std::thread::scope(|s| {
            if !model_rules.is_empty() {
                s.spawn(|| {
                    // a panic in the build is the model rules' to report:
                    // each asks for the model again (under `guarded`)
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        project.schema();
                    }));
                });
            }
            let undeclared = MODEL_UNDECLARED.replace(true);
            for (i, rule) in enabled().filter(|(_, r)| !r.uses_model()) {
                by_rule.push((i, run(rule)));
            }
            MODEL_UNDECLARED.set(undeclared);
        });
        if project.has_schema() {
            by_rule.extend(
                model_rules
                    .into_par_iter()
                    .map(|(i, rule)| (i, run(rule)))
                    .collect::<Vec<_>>(),
            );
        } else {
            // the build panicked (a bug): each rule retries it, here,
            // outside the pool, and reports its own failure
            for (i, rule) in model_rules {
                by_rule.push((i, run(rule)));
            }
        }
        by_rule.sort_by_key(|(i, _)| *i);
        by_rule.into_iter().flat_map(|(_, found)| found).collect()
    }
}
