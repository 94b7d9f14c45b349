//! A kept model follows its graph when revisions are added (see
//! [`KeptModel::update`]): the kept inputs are found again by path, the
//! orders must be the kept ones with new revisions after them, and when the
//! new paths sort among the kept ones (every later index moves), the kept
//! states and facts are renumbered to the new indices.

use std::collections::HashMap;
use std::path::Path;

use miglint_diagnostics::TextRange;

use crate::RevisionInput;
use crate::checkpoint::{InputKey, KeptModel};
use crate::jobs::{Job, Replay};
use crate::replay::Cursor;
use crate::state::Origin;

thread_local! {
    /// While set (see [`with_files_renumbered`]): each file index's new
    /// index, applied to every [`Origin`] read on this thread.
    static RENUMBER: std::cell::RefCell<Option<Vec<u32>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `read` with every [`Origin`] it deserializes renumbered by `map`
/// (old file index -> new): how a kept state follows its files to new
/// indices when revisions are added among them (see [`KeptModel::adopt`]).
fn with_files_renumbered<R>(map: Vec<u32>, read: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RENUMBER.with(|r| r.borrow_mut().take());
        }
    }
    RENUMBER.with(|r| *r.borrow_mut() = Some(map));
    let _reset = Reset;
    read()
}

impl<'de> serde::Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Origin, D::Error> {
        /// The fields as written (derived, in `Origin`'s order).
        #[derive(serde::Deserialize)]
        struct Written {
            file: u32,
            func: u32,
            range: TextRange,
        }
        let Written { file, func, range } = Written::deserialize(d)?;
        let file = RENUMBER.with(|r| {
            r.borrow()
                .as_ref()
                .and_then(|map| map.get(file as usize).copied())
                .unwrap_or(file)
        });
        Ok(Origin { file, func, range })
    }
}

impl KeptModel {
    /// When `inputs` and `envs` are the kept graph with revisions added:
    /// per input, the kept input it is (`None`: a new one). That is: every
    /// kept input is among them (by path) with the same parents, each
    /// environment's order is the kept one followed by new revisions only,
    /// and the replays per dialect set are the same (no new guard that
    /// tells the dialects apart).
    pub(crate) fn grown(
        &self,
        inputs: &[RevisionInput<'_>],
        envs: &[Vec<usize>],
        jobs: &[Job],
    ) -> Option<Vec<Option<usize>>> {
        if inputs.len() <= self.keys.len() || self.envs.len() != envs.len() || self.jobs != jobs {
            return None;
        }
        let by_path: HashMap<&Path, usize> = inputs
            .iter()
            .enumerate()
            .map(|(i, x)| (x.path, i))
            .collect();
        let to_new: Vec<usize> = self
            .keys
            .iter()
            .map(|k| by_path.get(k.path.as_path()).copied())
            .collect::<Option<_>>()?;
        let mut was = vec![None; inputs.len()];
        for (old, &new) in to_new.iter().enumerate() {
            // (two kept inputs of one path: a snapshot not of this graph)
            if was[new].replace(old).is_some() {
                return None;
            }
        }
        let same_parents = self.keys.iter().zip(&to_new).all(|(k, &new)| {
            let parents = k
                .parents
                .as_ref()
                .map(|ps| ps.iter().map(|&p| to_new.get(p).copied()));
            match (parents, &inputs[new].parents) {
                (None, None) => true,
                (Some(old), Some(now)) => old.eq(now.iter().map(|&p| Some(p))),
                _ => false,
            }
        });
        let extended = self.envs.iter().zip(envs).all(|(kept, now)| {
            now.len() >= kept.len()
                && kept.iter().zip(now).all(|(&k, &n)| to_new[k] == n)
                && now[kept.len()..].iter().all(|&f| was[f].is_none())
        });
        (same_parents && extended).then_some(was)
    }

    /// Takes the grown graph of [`KeptModel::grown`] (`was`: per input,
    /// the kept one it is) over: the keys and orders re-indexed, the new
    /// inputs keyed, and, when kept inputs moved, the kept replays' facts
    /// and states renumbered. `false` when the kept replays are not here
    /// to renumber (the caller still holds the model): build then.
    pub(crate) fn adopt(
        &mut self,
        inputs: &[RevisionInput<'_>],
        envs: &[Vec<usize>],
        was: &[Option<usize>],
    ) -> bool {
        let mut to_new = vec![0u32; self.keys.len()];
        for (new, old) in was.iter().enumerate() {
            if let Some(old) = *old {
                to_new[old] = new as u32;
            }
        }
        if to_new
            .iter()
            .enumerate()
            .any(|(old, &new)| old as u32 != new)
        {
            let Some(replays) = self.take_replays() else {
                return false;
            };
            let cursors = std::mem::take(&mut self.cursors);
            let Some((replays, cursors)) = renumbered(&replays, &cursors, &to_new) else {
                return false;
            };
            self.loaded = Some(replays);
            self.cursors = cursors;
        }
        let mut keys: Vec<Option<InputKey>> = (0..inputs.len()).map(|_| None).collect();
        for (mut key, &new) in std::mem::take(&mut self.keys).into_iter().zip(&to_new) {
            if let Some(ps) = &mut key.parents {
                for p in ps.iter_mut() {
                    *p = to_new[*p] as usize;
                }
            }
            keys[new as usize] = Some(key);
        }
        self.keys = keys
            .into_iter()
            .zip(inputs)
            .map(|(key, input)| key.unwrap_or_else(|| InputKey::of(input)))
            .collect();
        self.envs = envs.to_vec();
        true
    }
}

/// `replays` and `cursors` with every file index renumbered by `map`
/// (written and read back, the origins renumbered as they are read: they
/// lie deep in the states and facts). `None` if they cannot be written.
fn renumbered(
    replays: &[Replay],
    cursors: &[Option<Cursor>],
    map: &[u32],
) -> Option<(Vec<Replay>, Vec<Option<Cursor>>)> {
    let bytes = postcard::to_allocvec(&(replays, cursors)).ok()?;
    let (mut replays, cursors): (Vec<Replay>, Vec<Option<Cursor>>) =
        with_files_renumbered(map.to_vec(), || postcard::from_bytes(&bytes).ok())?;
    for replay in &mut replays {
        replay.facts.renumber_files(map);
    }
    Some((replays, cursors))
}
