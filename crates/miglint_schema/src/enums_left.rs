//! Native enum types a `downgrade()` leaves behind: the revision's
//! `upgrade()` created the type implicitly (a `create_table` column typed
//! `sa.Enum(..., name=...)`), and the downgrade drops the type's last user
//! (`drop_table`, `drop_column`) but not the type, so the next `upgrade`
//! of the revision fails with `type "x" already exists`.

use miglint_python::FuncKind;

use crate::reads::TableRef;
use crate::rev::Rev;
use crate::state::{Schema, key};

impl Rev<'_, '_> {
    /// Run at the end of downgrade function `f` (before its rollback), with
    /// `stamp` the schema's uncertainty stamp when the downgrade began.
    pub(crate) fn enums_left(&mut self, f: usize, ops: &[usize], state: &Schema, stamp: u64) {
        let m = self.input.module;
        let text = self
            .input
            .source
            .get(m.functions[f].range.as_usize())
            .unwrap_or("");
        // a drop miglint may not read, or changes it cannot see (the
        // lowercase copy only once the cheap tests pass; no enum type: no
        // fact)
        if !self.record || !self.pg() || state.unknown_stamp != stamp || state.enums.is_empty() {
            return;
        }
        let lower = text.to_ascii_lowercase();
        if lower.contains(".drop(")
            || lower.contains("drop_type")
            || lower.contains("drop type")
            || m.functions[f].outside().calls_project
            || ops.iter().any(|&i| {
                let op = &m.ops[i];
                op.conditional || op.in_try || op.after_unknown_exit
            })
        {
            return;
        }
        // (the types this revision created: a type of another revision is
        // not this downgrade's to leave)
        for k in &self.created_enums.clone() {
            let Some(e) = state.enums.get(k) else {
                continue;
            };
            let upgrade = m
                .functions
                .get(e.origin.func as usize)
                .is_some_and(|func| func.kind == FuncKind::Upgrade);
            if e.origin.file as usize != self.file || !upgrade {
                continue;
            }
            let implicit = m
                .ops
                .iter()
                .any(|op| op.name == "create_table" && op.range.contains_range(e.origin.range));
            if !implicit {
                continue;
            }
            let ek = key(&e.name);
            let users = self.users.get(&ek).cloned().unwrap_or_default();
            // the ops that drop a user: (op, table, is a drop_column)
            let drops: Vec<(usize, String, bool)> = ops
                .iter()
                .filter_map(|&i| {
                    let op = &m.ops[i];
                    let TableRef::Known(t) = self.table_name(op) else {
                        return None;
                    };
                    let t = key(t);
                    let hit = match op.name.as_str() {
                        "drop_table" => users.iter().any(|(ut, _)| *ut == t),
                        "drop_column" => self.column_name(op).is_some_and(|c| {
                            users.iter().any(|(ut, uc)| *ut == t && *uc == key(c))
                        }),
                        _ => false,
                    };
                    hit.then(|| (i, t, op.name == "drop_column"))
                })
                .collect();
            // the last one, not counting a drop_table after its user column went
            let last = drops.iter().enumerate().rev().find_map(|(k, (i, t, col))| {
                let after_column = !col && drops[..k].iter().any(|(_, t2, c2)| *c2 && t2 == t);
                (!after_column).then_some(*i)
            });
            // (every table looked at only when a drop would get the fact)
            let used = || {
                state.tables.values().any(|t| {
                    t.uncertain.is_some()
                        || t.columns()
                            .any(|c| c.enum_type.as_deref().is_some_and(|x| key(x) == ek))
                })
            };
            if last.is_some() && used() {
                continue;
            }
            if let Some(i) = last
                && let Some(facts) = self.fact_mut(i)
            {
                facts.enums_left.push((e.name.clone(), e.origin));
            }
        }
    }
}
