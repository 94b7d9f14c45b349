//! The model kept between builds, and the replay resumed from a kept
//! state.
//!
//! A revision's facts depend only on the revisions before it in its
//! environment's replay order (and on its own text and targets). A caller
//! that builds the model again after an edit of one revision (the editor
//! server, after each keystroke) keeps the last model with
//! [`KeptModel`]: it holds, per replay, the replay state right before one
//! position of the order (the branch tips, each revision's remaining
//! children, the enum types' users so far; see `replay::Cursor`), and the
//! model's inputs as they were. [`KeptModel::update`] compares the new
//! inputs with the kept ones: when only texts or targets changed, each
//! environment with a changed revision is replayed from the kept state
//! (when it lies at or before the first changed revision in the order,
//! else from the first revision) and the facts of the revisions before it
//! are taken over; environments with no change keep their replays. The
//! kept state then moves to the first changed revision, the one being
//! edited. Origins carry text ranges, so the descendants of a changed
//! revision are always replayed. New revisions that extend the orders at
//! their ends (a new head, a new branch) are changed revisions of a grown
//! graph (`grow.rs`: the kept states renumbered when their paths sort
//! among the kept ones): replayed from a kept state that can serve their
//! parents. Any other change of the graph (files removed, paths, parents,
//! the order) or of the dialects an environment is replayed for builds
//! everything again.
//!
//! The CLI keeps it between runs on disk ([`KeptModel::to_bytes`],
//! [`KeptModel::from_bytes`], see `snapshot.rs`): the inputs are then known
//! by a 128-bit hash of each source, not the source itself.

use std::path::PathBuf;
use std::sync::Arc;

use miglint_diagnostics::{DialectSet, SourceKey};

use crate::jobs::{Job, Plan, Replay, jobs, run_jobs};
use crate::replay::Cursor;
use crate::{RevisionInput, SchemaModel};

/// What a model was built from, per input: enough to tell whether a new
/// build's input is the same (the source by its key, see [`source_key`]).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct InputKey {
    pub(crate) path: PathBuf,
    source: SourceKey,
    targets: DialectSet,
    pub(crate) parents: Option<Vec<usize>>,
}

/// A source's key (see [`miglint_diagnostics::SourceKey`]): its file's,
/// made once per file, or made from the text.
fn source_key(input: &RevisionInput<'_>) -> SourceKey {
    input
        .file
        .map_or_else(|| SourceKey::of_text(input.source), |f| f.key())
}

impl InputKey {
    pub(crate) fn of(input: &RevisionInput<'_>) -> InputKey {
        InputKey {
            path: input.path.to_path_buf(),
            source: source_key(input),
            targets: input.targets,
            parents: input.parents.clone(),
        }
    }

    /// The same place in the graph (path, parents).
    fn same_shape(&self, input: &RevisionInput<'_>) -> bool {
        self.path == input.path && self.parents == input.parents
    }
}

/// What the last [`KeptModel::update`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Every environment replayed from its first revision.
    Built,
    /// No input changed: the kept model.
    Unchanged,
    /// Replayed from kept states: `replayed` revisions in all (counted
    /// once per environment, not per dialect).
    Resumed { replayed: usize },
}

/// A [`SchemaModel`] kept between builds with the replay states to resume
/// from (see the module documentation). Not written anywhere.
#[derive(Default)]
pub struct KeptModel {
    pub(crate) model: Option<Arc<SchemaModel>>,
    /// The replays of a kept model read from disk (not yet a model: that
    /// needs the inputs), instead of `model`.
    pub(crate) loaded: Option<Vec<Replay>>,
    pub(crate) keys: Vec<InputKey>,
    pub(crate) envs: Vec<Vec<usize>>,
    pub(crate) jobs: Vec<Job>,
    /// Per replay of the model (in its order): the state kept.
    pub(crate) cursors: Vec<Option<Cursor>>,
    pub(crate) last: Option<Update>,
    /// The last update resumed, and every revision it found changed lies
    /// right at the kept states of its replays (see
    /// [`KeptModel::worth_writing`]).
    pub(crate) at_kept: bool,
}

impl KeptModel {
    pub fn new() -> KeptModel {
        KeptModel::default()
    }

    /// What the last [`KeptModel::update`] did (`None` before the first).
    pub fn last_update(&self) -> Option<Update> {
        self.last
    }

    /// Whether a copy of the model made before the last
    /// [`KeptModel::update`] (a snapshot on disk) should be replaced by
    /// this one: after a build, and after a resume unless every revision
    /// it found changed lies right at the state each of its replays kept.
    /// There the copy resumes the next run from the same states as this
    /// one would (its older keys of those revisions only say again that
    /// they changed); any other resume would leave the copy replaying more
    /// than it needs, and from then on (a revision it holds as changed
    /// before the kept states holds them there).
    pub fn worth_writing(&self) -> bool {
        match self.last {
            Some(Update::Built) => true,
            Some(Update::Resumed { .. }) => !self.at_kept,
            Some(Update::Unchanged) | None => false,
        }
    }

    /// The kept replays, taken out (read from disk, or the kept model's
    /// when the caller no longer holds it).
    pub(crate) fn take_replays(&mut self) -> Option<Vec<Replay>> {
        match self.loaded.take() {
            Some(replays) => Some(replays),
            None => self
                .model
                .take()
                .and_then(|m| Arc::try_unwrap(m).ok())
                .map(|m| m.replays),
        }
    }

    /// The model of `inputs` and `envs` (as [`SchemaModel::build`] gives
    /// it), replaying only what changed since the last call. The kept
    /// model is shared with the caller: when the caller still holds the
    /// previous one, everything is replayed.
    pub fn update(
        &mut self,
        inputs: &[RevisionInput<'_>],
        envs: &[Vec<usize>],
    ) -> Arc<SchemaModel> {
        let jobs = jobs(inputs, envs);
        let kept = self.model.is_some() || self.loaded.is_some();
        let same_graph = kept
            && self.keys.len() == inputs.len()
            && self.envs == envs
            && self.jobs == jobs
            && self.keys.iter().zip(inputs).all(|(k, i)| k.same_shape(i));
        // revisions added: per input, the kept one it is (see `grow.rs`)
        let grown = if kept && !same_graph {
            self.grown(inputs, envs, &jobs)
                .filter(|was| self.adopt(inputs, envs, was))
        } else {
            None
        };
        let changed: Vec<usize> = if same_graph || grown.is_some() {
            (0..inputs.len())
                .filter(|&i| {
                    grown.as_ref().is_some_and(|was| was[i].is_none())
                        || self.keys[i].source != source_key(&inputs[i])
                        || self.keys[i].targets != inputs[i].targets
                })
                .collect()
        } else {
            Vec::new()
        };
        let grown = grown.is_some();
        if same_graph && changed.is_empty() {
            self.last = Some(Update::Unchanged);
            if let Some(replays) = self.loaded.take() {
                self.model = Some(Arc::new(SchemaModel::assemble(inputs, replays)));
            }
            return self.model.clone().expect("kept");
        }
        let old = self.take_replays().filter(|_| same_graph || grown);
        let Some(old) = old else {
            self.model = None;
            return self.build(inputs, envs, jobs);
        };
        // per job: the first changed position of its order
        let mut is_changed = vec![false; inputs.len()];
        for &i in &changed {
            is_changed[i] = true;
            self.keys[i] = InputKey::of(&inputs[i]);
        }
        let first_changed: Vec<Option<usize>> = jobs
            .iter()
            .map(|(env, _)| envs[*env].iter().position(|&f| is_changed[f]))
            .collect();
        let mut old_replays = old.into_iter().zip(std::mem::take(&mut self.cursors));
        let mut replayed = 0;
        let mut at_kept = true;
        let plans: Vec<Plan> = jobs
            .iter()
            .zip(&first_changed)
            .map(|((env, sets), at)| {
                let kept: Vec<(Replay, Option<Cursor>)> =
                    old_replays.by_ref().take(sets.len()).collect();
                let Some(at) = *at else {
                    return Plan::Keep(kept);
                };
                let order = &envs[*env];
                at_kept &= kept
                    .iter()
                    .all(|(_, c)| c.as_ref().is_some_and(|c| c.pos == at))
                    && order[at + 1..].iter().all(|&f| !is_changed[f]);
                let mut from = order.len();
                let starts = kept
                    .into_iter()
                    .map(|(replay, cursor)| {
                        let mut facts = replay.facts;
                        // (a state kept before revisions that gained a child
                        // can serve it: see `Cursor::grow`)
                        let cursor = cursor
                            .filter(|c| c.pos <= at)
                            .and_then(|mut c| c.grow(inputs, order).then_some(c))
                            .unwrap_or_else(|| Cursor::start(inputs, order));
                        facts.truncate(cursor.pos);
                        from = from.min(cursor.pos);
                        (facts, cursor)
                    })
                    .collect();
                replayed += order.len() - from;
                Plan::Resume(starts, at)
            })
            .collect();
        let runs = run_jobs(inputs, envs, &jobs, plans);
        self.finish(inputs, runs);
        self.last = Some(Update::Resumed { replayed });
        // (a grown graph is new to any copy made before: written)
        self.at_kept = at_kept && !grown;
        self.model.clone().expect("just built")
    }

    /// Everything replayed; the state kept right before each order's last
    /// revision (a head, the revision most often edited).
    fn build(
        &mut self,
        inputs: &[RevisionInput<'_>],
        envs: &[Vec<usize>],
        jobs: Vec<Job>,
    ) -> Arc<SchemaModel> {
        let plans = jobs
            .iter()
            .map(|(env, _)| Plan::Fresh(envs[*env].len().checked_sub(1)))
            .collect();
        let runs = run_jobs(inputs, envs, &jobs, plans);
        self.keys = inputs.iter().map(InputKey::of).collect();
        self.envs = envs.to_vec();
        self.jobs = jobs;
        self.finish(inputs, runs);
        self.last = Some(Update::Built);
        self.model.clone().expect("just built")
    }

    fn finish(&mut self, inputs: &[RevisionInput<'_>], runs: Vec<(Replay, Option<Cursor>)>) {
        let (replays, cursors): (Vec<Replay>, Vec<Option<Cursor>>) = runs.into_iter().unzip();
        self.cursors = cursors;
        self.model = Some(Arc::new(SchemaModel::assemble(inputs, replays)));
    }
}
