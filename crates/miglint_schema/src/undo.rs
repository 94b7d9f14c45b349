//! The undo log of a `downgrade()` replay: what its changes replaced,
//! restored by [`Schema::rollback`]. A table not shared with another state
//! is changed in place and logs its own column changes (a column-level
//! undo: no copy of every column of a table a downgrade touches).

use std::sync::Arc;

use super::{Column, EnumType, HashMap, Index, Key, Origin, Schema, Table, note_index};
use crate::shared::{Map, Shared};

/// One column change of a table changed in place under an undo log, as
/// what to restore (undone in reverse order).
#[derive(Debug, Clone)]
pub(super) enum ColumnUndo {
    /// Column number `i` was this (or no column).
    Slot(u32, Option<Shared<Column>>),
    /// A new column took the next number.
    Pushed,
    /// `by_name` mapped the key to this (or not at all).
    Name(Arc<str>, Option<u32>),
}

impl Table {
    /// Everything but the columns (restored by the log), for an undo log.
    pub(super) fn head(&self) -> Table {
        Table {
            name: self.name.clone(),
            columns: imbl::OrdMap::new(),
            by_name: imbl::OrdMap::new(),
            constraints: self.constraints.clone(),
            log: None,
            ..*self
        }
    }

    /// Undoes the logged column changes and puts back the rest from
    /// `head`: the table as it was when [`Table::head`] was taken.
    pub(super) fn restore(&mut self, head: Table) {
        for u in self.log.take().unwrap_or_default().into_iter().rev() {
            match u {
                ColumnUndo::Slot(i, Some(c)) => {
                    self.columns.insert(i, c);
                }
                ColumnUndo::Slot(i, None) => {
                    self.columns.remove(&i);
                }
                ColumnUndo::Pushed => {
                    self.next -= 1;
                    self.columns.remove(&self.next);
                }
                ColumnUndo::Name(k, Some(i)) => {
                    self.by_name.insert(k, i);
                }
                ColumnUndo::Name(k, None) => {
                    self.by_name.remove(&k);
                }
            }
        }
        *self = Table {
            columns: std::mem::take(&mut self.columns),
            by_name: std::mem::take(&mut self.by_name),
            log: None,
            ..head
        };
    }
}

/// How the undo log keeps a table a `downgrade()` changed.
// (a few entries per downgrade: not worth a box per table)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(super) enum Saved {
    /// The table as it was (`None`: absent).
    Whole(Option<Shared<Table>>),
    /// Changed in place (its pointer not shared): its fields but the
    /// columns, whose changes the table logs itself (a column-level undo,
    /// not a copy of every column).
    Head(Table),
}

#[derive(Debug, Clone, Default)]
pub(super) struct Undo {
    pub(super) tables: HashMap<Key, Saved>,
    pub(super) indexes: HashMap<Key, Option<Index>>,
    pub(super) enums: HashMap<Key, Option<EnumType>>,
    pub(super) unknown: Option<(Option<Origin>, u64)>,
    pub(super) dropped_tables: HashMap<Key, Option<(Origin, u64)>>,
    pub(super) dropped_indexes: HashMap<Key, Option<(Key, Origin, u64)>>,
}

impl Schema {
    /// Starts recording an undo log (for a `downgrade()` replay).
    pub fn begin_undo(&mut self) {
        self.undo = Some(Undo::default());
    }

    /// Restores every table, index and enum changed since [`begin_undo`].
    pub fn rollback(&mut self) {
        let Some(u) = self.undo.take() else { return };
        for (k, v) in u.tables {
            match v {
                Saved::Whole(Some(t)) => {
                    self.tables.insert(k, t);
                }
                Saved::Whole(None) => {
                    self.tables.remove(&k);
                }
                Saved::Head(head) => {
                    if let Some(t) = self.tables.get_mut(&k) {
                        t.restore(head);
                    }
                }
            }
        }
        for (k, v) in u.indexes {
            match v {
                Some(t) => {
                    note_index(&mut self.index_names, &t.table, &k);
                    self.indexes.insert(k, t)
                }
                None => self.indexes.remove(&k),
            };
        }
        put_back(&mut self.enums, u.enums);
        if let Some((unknown, stamp)) = u.unknown {
            self.unknown = unknown;
            self.unknown_stamp = stamp;
        }
        put_back(&mut self.dropped_tables, u.dropped_tables);
        put_back(&mut self.dropped_indexes, u.dropped_indexes);
    }

    /// The tables changed since [`begin_undo`] (none without an undo log).
    pub fn undo_tables(&self) -> Vec<Key> {
        self.undo
            .as_ref()
            .map(|u| u.tables.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub(super) fn save_dropped_table(&mut self, k: &str) {
        if let Some(u) = &mut self.undo {
            remember(&mut u.dropped_tables, &self.dropped_tables, k);
        }
    }

    pub(super) fn save_dropped_index(&mut self, k: &str) {
        if let Some(u) = &mut self.undo {
            remember(&mut u.dropped_indexes, &self.dropped_indexes, k);
        }
    }

    /// Saves table `k` whole before it is replaced or removed.
    pub(super) fn save_table(&mut self, k: &str) {
        let Some(u) = &mut self.undo else { return };
        match u.tables.get_mut(k) {
            None => {
                u.tables
                    .insert(k.to_string(), Saved::Whole(self.tables.get(k).cloned()));
            }
            // changed in place so far: the table as it was, rebuilt from
            // its current self
            Some(saved @ Saved::Head(_)) => {
                let Saved::Head(head) = std::mem::replace(saved, Saved::Whole(None)) else {
                    return;
                };
                if let Some(cur) = self.tables.get(k) {
                    let mut t = (**cur).clone();
                    t.restore(head);
                    *saved = Saved::Whole(Some(Shared::new(t)));
                }
            }
            Some(Saved::Whole(_)) => {}
        }
    }

    pub(super) fn save_index(&mut self, k: &str) {
        if let Some(u) = &mut self.undo {
            remember(&mut u.indexes, &self.indexes, k);
        }
    }

    pub(super) fn save_enum(&mut self, k: &str) {
        if let Some(u) = &mut self.undo {
            remember(&mut u.enums, &self.enums, k);
        }
    }
}

/// Logs what `live` holds for `k` (or that it holds nothing), unless the
/// log already has `k`: the first value is the one a rollback restores.
fn remember<V: Clone>(log: &mut HashMap<Key, Option<V>>, live: &Map<V>, k: &str) {
    if !log.contains_key(k) {
        log.insert(k.to_string(), live.get(k).cloned());
    }
}

/// Puts back what `log` remembered: each value, or the absence of one
/// (a shared map is copied on a change: not when there is nothing to put
/// back).
fn put_back<V: Clone>(live: &mut Map<V>, log: HashMap<Key, Option<V>>) {
    if log.is_empty() {
        return;
    }
    for (k, v) in log {
        match v {
            Some(v) => live.insert(k, v),
            None => live.remove(&k),
        };
    }
}
