//! A [`KeptModel`] as bytes, so that the CLI keeps it between runs (see
//! `miglint/src/snapshot.rs`, which adds the header that ties the bytes
//! to miglint's build and the settings).
//!
//! Written: each input's key (path, source hash, targets, parents), the
//! environments' orders, the jobs, every replay (its facts and the enum
//! types' users it recorded) and the state kept per replay, plus the
//! replay stamp counter (see `state::next_stamp`): a state read back is
//! stamped by the process that wrote it, so the reading process first
//! moves its own counter past that value and every event it replays is
//! later than the kept ones, as it was in the writing process. Shared
//! parts (`Arc` tables and columns) are written once per place they are
//! used and come back unshared: the state is the same, a copy on write
//! happens at most once more.
//!
//! postcard, no format version inside: the caller's header carries
//! miglint's build identity, and bytes that do not decode are no model.

use crate::checkpoint::{InputKey, KeptModel};
use crate::jobs::{Job, Replay};
use crate::replay::Cursor;

/// The kept model as written.
#[derive(serde::Serialize)]
struct Written<'a> {
    stamp: u64,
    keys: &'a [InputKey],
    envs: &'a [Vec<usize>],
    jobs: &'a [Job],
    replays: &'a [Replay],
    cursors: &'a [Option<Cursor>],
}

/// The kept model as read (the same layout as [`Written`]).
#[derive(serde::Deserialize)]
struct Read {
    stamp: u64,
    keys: Vec<InputKey>,
    envs: Vec<Vec<usize>>,
    jobs: Vec<Job>,
    replays: Vec<Replay>,
    cursors: Vec<Option<Cursor>>,
}

impl KeptModel {
    /// The kept model as bytes; `None` when there is nothing to keep (no
    /// model built or read yet) or it cannot be written (a path that is
    /// not UTF-8).
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let replays: &[Replay] = match (&self.model, &self.loaded) {
            (Some(model), _) => &model.replays,
            (None, Some(loaded)) => loaded,
            (None, None) => return None,
        };
        let written = Written {
            stamp: crate::state::stamp_now(),
            keys: &self.keys,
            envs: &self.envs,
            jobs: &self.jobs,
            replays,
            cursors: &self.cursors,
        };
        postcard::to_allocvec(&written).ok()
    }

    /// The kept model of [`KeptModel::to_bytes`]' bytes; `None` when they
    /// are not one (truncated, corrupt, of another layout). Moves the
    /// replay stamps past the writer's (see the module documentation).
    pub fn from_bytes(bytes: &[u8]) -> Option<KeptModel> {
        let read: Read = postcard::from_bytes(bytes).ok()?;
        // the parts must agree with each other: one cursor per replay, one
        // job per replayed environment
        let replays: usize = read.jobs.iter().map(|(_, sets)| sets.len()).sum();
        let fits = read.cursors.len() == replays
            && read.replays.len() == replays
            && read.jobs.iter().all(|(env, sets)| {
                !sets.is_empty()
                    && read
                        .envs
                        .get(*env)
                        .is_some_and(|order| order.iter().all(|&f| f < read.keys.len()))
            });
        if !fits {
            return None;
        }
        crate::state::stamps_from(read.stamp);
        Some(KeptModel {
            loaded: Some(read.replays),
            keys: read.keys,
            envs: read.envs,
            jobs: read.jobs,
            cursors: read.cursors,
            ..KeptModel::default()
        })
    }
}

/// A deferral is written as its index in this list.
const DEFERRALS: [&str; 3] = crate::state::ForeignKeyRef::DEFERRALS;

/// A [`crate::state::ForeignKeyRef`] as written in a kept state on disk.
type FkRepr = (String, Vec<String>, Option<String>, Option<String>, u8);

impl serde::Serialize for crate::state::ForeignKeyRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = DEFERRALS.iter().position(|x| *x == self.deferral);
        let repr: (&str, &[String], &Option<String>, &Option<String>, u8) = (
            &self.table,
            &self.columns,
            &self.onupdate,
            &self.ondelete,
            d.unwrap_or(2) as u8,
        );
        repr.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for crate::state::ForeignKeyRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (table, columns, onupdate, ondelete, deferral): FkRepr =
            serde::Deserialize::deserialize(d)?;
        Ok(crate::state::ForeignKeyRef {
            table,
            columns,
            onupdate,
            ondelete,
            deferral: DEFERRALS
                .get(deferral as usize)
                .copied()
                .ok_or_else(|| serde::de::Error::custom("deferral"))?,
        })
    }
}
