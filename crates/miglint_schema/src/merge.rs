//! Joining the states of a merge revision's parents. Both branches ran
//! before the merge, so what either side has is there after it; what the
//! two sides changed differently depends on the path. Only what the two
//! states do not share since their fork is visited ([`Map::diff`]): a
//! merge costs what the branches changed, not the size of the schema.

use super::{
    ConstraintKind, ForeignKeyRef, Key, Origin, Schema, Table, key, next_stamp, note_index,
};
use imbl::ordmap::DiffItem;

use crate::shared::{Diff, Map, Shared};

impl Schema {
    /// Joins the state of another parent of a merge revision: objects only
    /// it has are added (both branches ran before the merge); of a column
    /// both have, the one changed later in graph order (`rank`) wins.
    pub fn merge_from(&mut self, other: &Schema, rank: impl Fn(&Origin) -> (usize, u32)) {
        debug_assert!(self.dropped_apart() && other.dropped_apart());
        // the tables only the other side has, and those the two sides no
        // longer share (one or both changed it since the fork; a table
        // neither changed is one shared copy: not visited)
        let theirs: Vec<_> = self
            .tables
            .diff(&other.tables)
            .filter_map(|d| match d {
                Diff::Theirs(k, t) | Diff::Both(k, _, t) => Some((k.clone(), t.clone())),
                Diff::Mine(..) => None,
            })
            .collect();
        for (k, t) in theirs {
            let Some(mine) = self.tables.get_mut(&k) else {
                self.tables.insert(k, t);
                continue;
            };
            let mine: &mut Table = mine;
            // the columns the other side has and this one does not share
            // (one both share is the same column on both sides: nothing
            // to join)
            let cols: Vec<_> = mine
                .columns
                .diff(&t.columns)
                .filter_map(|d| match d {
                    DiffItem::Add(_, c) | DiffItem::Update { new: (_, c), .. } => Some(c.clone()),
                    DiffItem::Remove(..) => None,
                })
                .collect();
            for c in cols {
                let theirs = rank(&c.changed.unwrap_or(c.origin));
                match mine.column(&c.name) {
                    Some(m) if rank(&m.changed.unwrap_or(m.origin)) >= theirs => {}
                    _ => mine.add_column(Shared::into_inner(c)),
                }
            }
            if mine.uncertain.is_none() {
                mine.uncertain = t.uncertain;
            }
            if mine.helper_named.is_none() {
                mine.helper_named = t.helper_named;
            }
            // the branches changed it differently: which objects it has
            // depends on the path
            mine.stamp = 0;
            mine.complete &= t.complete;
            mine.anon_index |= t.anon_index;
            mine.unsure_constraints |= t.unsure_constraints;
            // which foreign keys it has depends on the path
            mine.fks_unknown |= t.fks_unknown || fk_set(mine) != fk_set(&t);
            for (m, o) in mine.anon.iter_mut().zip(t.anon) {
                *m |= o;
            }
        }
        // what the other side has and this one lacks
        for (k, i) in theirs_only(&self.indexes, &other.indexes) {
            note_index(&mut self.index_names, &i.table, &k);
            self.indexes.insert(k, i);
        }
        for (mine, theirs) in [
            (&mut self.sequences, &other.sequences),
            (&mut self.views, &other.views),
        ] {
            for (k, v) in theirs_only(mine, theirs) {
                mine.insert(k, v);
            }
        }
        for (k, e) in theirs_only(&self.enums, &other.enums) {
            self.enums.insert(k, e);
        }
        if self.unknown.is_none() {
            self.unknown = other.unknown;
        }
        // an uncertainty on one branch may have run after anything of the
        // other: after the merge, nothing from before it is certain
        if self.unknown_stamp != other.unknown_stamp {
            self.unknown_stamp = next_stamp();
        }
        // absent after the merge: dropped on one side, not present on the other
        merge_dropped(
            &mut self.dropped_tables,
            &other.dropped_tables,
            |k| self.tables.contains_key(k),
            |k| other.tables.contains_key(k),
        );
        merge_dropped(
            &mut self.dropped_indexes,
            &other.dropped_indexes,
            |k| self.indexes.contains_key(k),
            |k| other.indexes.contains_key(k),
        );
    }

    /// Whether no table or index is both present and dropped (what
    /// [`merge_dropped`] relies on; checked in debug builds).
    fn dropped_apart(&self) -> bool {
        self.dropped_tables
            .keys()
            .all(|k| !self.tables.contains_key(k))
            && self
                .dropped_indexes
                .keys()
                .all(|k| !self.indexes.contains_key(k))
    }
}

/// The entries of `theirs` whose key `mine` lacks (none when both are
/// still one shared map).
fn theirs_only<V: Clone + PartialEq>(mine: &Map<V>, theirs: &Map<V>) -> Vec<(Key, V)> {
    mine.diff(theirs)
        .filter_map(|d| match d {
            Diff::Theirs(k, v) => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect()
}

/// A map of dropped objects (`mine`) merged with the other side's
/// (`theirs`): an object the other side has (`theirs_has`) may exist after
/// the merge; one the other side dropped is absent unless this side has it
/// (`mine_has`). An object is never in a side's present and dropped maps
/// at once ([`Schema::dropped_apart`]), so only the entries where the two
/// maps differ can change: one both sides dropped stays dropped.
fn merge_dropped<V: Clone + PartialEq>(
    mine: &mut Map<V>,
    theirs: &Map<V>,
    mine_has: impl Fn(&str) -> bool,
    theirs_has: impl Fn(&str) -> bool,
) {
    let mut gone = Vec::new();
    let mut come = Vec::new();
    for d in mine.diff(theirs) {
        match d {
            Diff::Mine(k, _) if theirs_has(k) => gone.push(k.clone()),
            Diff::Theirs(k, v) if !mine_has(k) => come.push((k.clone(), v.clone())),
            _ => {}
        }
    }
    for k in gone {
        mine.remove(&k);
    }
    for (k, v) in come {
        mine.insert(k, v);
    }
}

/// A table's foreign keys as compared (columns and referent), sorted.
fn fk_set(t: &Table) -> Vec<(Vec<Key>, Option<ForeignKeyRef>)> {
    let mut v: Vec<_> = t
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
        .map(|c| {
            (
                c.columns.iter().map(|x| key(x)).collect(),
                c.references.clone(),
            )
        })
        .collect();
    v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    v
}
