//! The replays a build runs: one per environment and dialect set, run in
//! parallel, from the first revision or from a kept state (see
//! `checkpoint.rs`). Below the model (`lib.rs`) and the kept model, which
//! both run them.

use miglint_diagnostics::DialectSet;
use rayon::prelude::*;

use crate::input::RevisionInput;
use crate::prep::Ahead;
use crate::replay::{Cursor, Walk};
use crate::rev::{self, EnvFacts};

/// One replay: an environment for a set of dialects.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Replay {
    pub set: DialectSet,
    /// The environment's first replay (the others keep only the facts
    /// that differ from its).
    pub first: bool,
    /// Per file of the environment: per op.
    pub facts: EnvFacts,
    /// The enum types' users the replay recorded.
    pub users: rev::EnumUsers,
}

/// One environment (an index into the build's `envs`) and the dialect sets
/// it is replayed for, its first replay first.
pub(crate) type Job = (usize, Vec<DialectSet>);

/// The replays to run: per environment, one per dialect set where guards
/// narrower than the targets tell the dialects apart, else one for all.
pub(crate) fn jobs(inputs: &[RevisionInput<'_>], envs: &[Vec<usize>]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (env, order) in envs.iter().enumerate() {
        let all = order
            .iter()
            .fold(DialectSet::EMPTY, |acc, &i| acc.union(inputs[i].targets));
        if all.is_empty() {
            continue;
        }
        let guarded = order.iter().any(|&i| {
            let f = &inputs[i];
            f.module
                .ops
                .iter()
                .any(|op| op.dialects.intersect(f.targets) != f.targets)
        });
        let sets: Vec<DialectSet> = if guarded {
            all.iter().map(DialectSet::single).collect()
        } else {
            vec![all]
        };
        jobs.push((env, sets));
    }
    jobs
}

/// How to run one job.
pub(crate) enum Plan {
    /// Replay from the first revision; keep the state right before this
    /// position.
    Fresh(Option<usize>),
    /// Nothing changed: the replays as they were, with their kept states.
    Keep(Vec<(Replay, Option<Cursor>)>),
    /// Per dialect set: continue from the cursor (the facts of the
    /// positions before it given); keep the state right before the
    /// position.
    Resume(Vec<(EnvFacts, Cursor)>, usize),
}

/// Runs the jobs (in parallel: they are independent) and returns their
/// replays in job order, each with the state it kept. An environment's
/// first dialect is replayed first; its other dialects then keep only the
/// files whose facts differ from it (memory: one copy per file where no
/// guard tells the dialects apart, not one per dialect).
pub(crate) fn run_jobs(
    inputs: &[RevisionInput<'_>],
    envs: &[Vec<usize>],
    jobs: &[Job],
    plans: Vec<Plan>,
) -> Vec<(Replay, Option<Cursor>)> {
    let work: Vec<(&Job, Plan)> = jobs.iter().zip(plans).collect();
    // a single environment (the others run side by side): what each
    // revision's pass reads of its file alone is read ahead of its first
    // walk (which is serial) on a thread that is idle
    let ahead = match work.as_slice() {
        [((env, _), plan)] if rayon::current_num_threads() > 1 => {
            let order = envs[*env].as_slice();
            let from = match plan {
                Plan::Keep(_) => None,
                Plan::Fresh(_) => Some(0),
                Plan::Resume(from, _) => from.first().map(|(_, c)| c.pos),
            };
            from.filter(|&f| order.len() > f + 1)
                .map(|f| (Ahead::new(), order, f))
        }
        _ => None,
    };
    match &ahead {
        None => run_work(inputs, envs, work, None),
        Some((a, order, from)) => rayon::in_place_scope(|s| {
            s.spawn(|_| a.fill(inputs, order, *from));
            let replays = run_work(inputs, envs, work, Some(a));
            a.finish();
            replays
        }),
    }
}

/// [`run_jobs`]' replays.
fn run_work<'w, 'a>(
    inputs: &'w [RevisionInput<'a>],
    envs: &[Vec<usize>],
    work: Vec<(&Job, Plan)>,
    ahead: Option<&'w Ahead<'a>>,
) -> Vec<(Replay, Option<Cursor>)> {
    // one job per task: the jobs differ in size (an environment each), and
    // rayon's default pieces would leave one thread replaying several
    work.into_par_iter()
        .with_max_len(1)
        .flat_map_iter(|((env, sets), plan)| {
            let order = envs[*env].as_slice();
            let (starts, capture) = match plan {
                Plan::Keep(kept) => return kept,
                Plan::Fresh(capture) => (
                    sets.iter()
                        .map(|_| {
                            (
                                EnvFacts::with_capacity(order.len()),
                                Cursor::start(inputs, order),
                            )
                        })
                        .collect(),
                    capture,
                ),
                Plan::Resume(from, at) => (from, Some(at)),
            };
            let walk = |set: DialectSet,
                        reference: Option<&EnvFacts>,
                        (mut facts, mut cursor): (EnvFacts, Cursor),
                        first: bool| {
                let w = Walk {
                    inputs,
                    order,
                    dialects: set,
                    stop: None,
                    reference,
                    capture,
                    ahead: if first { ahead } else { None },
                };
                let (_, kept) = w.run(&mut cursor, &mut facts);
                facts.shrink();
                let replay = Replay {
                    set,
                    first,
                    facts,
                    users: std::mem::take(&mut cursor.users),
                };
                (replay, kept)
            };
            let mut starts: Vec<(EnvFacts, Cursor)> = starts;
            let rest_starts = starts.split_off(1);
            let first = walk(
                sets[0],
                None,
                starts.pop().expect("a job has a dialect set"),
                true,
            );
            let rest: Vec<_> = sets[1..]
                .par_iter()
                .zip(rest_starts)
                .map(|(&set, start)| walk(set, Some(&first.0.facts), start, false))
                .collect();
            std::iter::once(first).chain(rest).collect::<Vec<_>>()
        })
        .collect()
}
