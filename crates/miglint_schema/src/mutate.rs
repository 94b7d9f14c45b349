//! State changes that several kinds of op make (an `op.*` call, literal
//! SQL, a helper or ORM write): methods on [`Schema`] below the replay, so
//! that the modules that read ops (apply, apply_sql, replay) depend on the
//! state and never on each other for them.

use crate::names::same;
use crate::state::{Column, ForeignKeyRef, Key, Origin, Schema, Table};

impl Schema {
    /// Table `table` is uncertain from `o` on (a placeholder when no
    /// replayed op created it).
    pub(crate) fn make_uncertain(&mut self, table: &str, o: Origin) {
        match self.table_mut(table) {
            Some(t) => t.uncertain = Some(o),
            None => {
                let mut t = Table::new(table, o);
                t.placeholder = true;
                t.uncertain = Some(o);
                self.put_table(t);
            }
        }
    }

    /// The table to change; a placeholder when no replayed op created it.
    pub(crate) fn table_for_change(&mut self, table: &str, o: Origin) -> &mut Table {
        if self.table(table).is_none() {
            let mut t = Table::new(table, o);
            t.placeholder = true;
            self.put_table(t);
        }
        self.table_mut(table).expect("present")
    }

    /// Records a write of `table.column` (a placeholder column when no
    /// replayed op created it).
    pub(crate) fn mark_backfilled(&mut self, table: &str, column: &str, o: Origin) {
        let t = self.table_for_change(table, o);
        if t.column(column).is_none() {
            t.add_column(Column::named(column, o));
        }
        if let Some(c) = t.column_mut(column) {
            c.backfilled = Some(o);
            c.changed = Some(o);
        }
    }

    /// Records that an INSERT into `table` may have left NULL in its nullable
    /// columns without a server default: those not in `listed` (lowercased;
    /// `None`: any of them).
    pub(crate) fn nulls_written(&mut self, table: &str, listed: Option<&[String]>, o: Origin) {
        let Some(t) = self.table(table) else { return };
        let names: Vec<String> = t
            .columns()
            .filter(|c| c.nullable != Some(false) && !c.server_default)
            .filter(|c| listed.is_none_or(|l| !l.contains(&c.name.to_ascii_lowercase())))
            .map(|c| c.name.clone())
            .collect();
        if names.is_empty() {
            return;
        }
        let Some(t) = self.table_mut(table) else {
            return;
        };
        for n in names {
            if let Some(c) = t.column_mut(&n) {
                c.null_written = Some(o);
            }
        }
    }

    pub(crate) fn rename_table(&mut self, from: &str, to: &str, o: Origin) {
        // PostgreSQL and SQLite (ALTER TABLE ... RENAME) follow the rename in
        // the foreign keys that refer to the table
        self.rename_referent(from, |r| r.table = to.to_string());
        match self.drop_table(from, o) {
            Some(mut t) => {
                t.name = to.to_string();
                t.origin = o;
                t.placeholder = false;
                t.renamed = true;
                self.put_table(t);
            }
            None => {
                let mut t = Table::new(to, o);
                t.uncertain = Some(o);
                t.renamed = true;
                self.put_table(t);
            }
        }
    }

    /// Dropping a column drops the constraints and indexes that involve it
    /// (PostgreSQL's DROP COLUMN; SQLite's batch recreate copies only the
    /// others).
    pub(crate) fn drop_column_objects(&mut self, table: &str, column: &str) {
        if let Some(t) = self.table_mut(table) {
            t.constraints
                .retain(|c| !c.columns.iter().any(|x| same(x, column)));
        }
        let gone: Vec<String> = self
            .indexes_of(table)
            .into_iter()
            .filter_map(|n| self.indexes.get(&n))
            .filter(|ix| ix.columns.iter().any(|x| same(x, column)))
            .map(|ix| ix.name.clone())
            .collect();
        for n in gone {
            self.remove_index(&n);
        }
    }

    /// Renaming a column renames it in the constraints and indexes on it.
    pub(crate) fn rename_column_objects(&mut self, table: &str, from: &str, to: &str) {
        let rename = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if same(c, from) {
                    *c = to.to_string();
                }
            }
        };
        if let Some(t) = self.table_mut(table) {
            for c in &mut t.constraints {
                rename(&mut c.columns);
            }
        }
        // foreign keys elsewhere that refer to the column: PostgreSQL follows
        // the rename, SQLite's batch recreate leaves their text as it was
        let referring: Vec<Key> = self
            .tables
            .iter()
            .filter(|(_, t)| {
                t.constraints.iter().any(|c| {
                    c.references.as_ref().is_some_and(|r| {
                        same(&r.table, table) && r.columns.iter().any(|x| same(x, from))
                    })
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in referring {
            if let Some(t) = self.table_mut(&k) {
                t.fks_unknown = true;
            }
        }
        let hit: Vec<String> = self
            .indexes_of(table)
            .into_iter()
            .filter(|n| {
                self.indexes
                    .get(n)
                    .is_some_and(|ix| ix.columns.iter().any(|x| same(x, from)))
            })
            .collect();
        for n in hit {
            if let Some(mut ix) = self.indexes.get(&n).cloned() {
                rename(&mut ix.columns);
                self.put_index(ix);
            }
        }
    }

    /// Applies `f` to every foreign key that refers to `table`.
    pub(crate) fn rename_referent(&mut self, table: &str, f: impl Fn(&mut ForeignKeyRef)) {
        let referring: Vec<Key> = self
            .tables
            .iter()
            .filter(|(_, t)| {
                t.constraints
                    .iter()
                    .any(|c| c.references.as_ref().is_some_and(|r| same(&r.table, table)))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in referring {
            if let Some(t) = self.table_mut(&k) {
                for c in &mut t.constraints {
                    if let Some(r) = c.references.as_mut().filter(|r| same(&r.table, table)) {
                        f(r);
                    }
                }
            }
        }
    }
}
