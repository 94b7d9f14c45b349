//! What the online-safety family (ML7xx) asks about a file, in one place:
//! whether an op runs on a live PostgreSQL table at all (upgrade, reaching
//! PostgreSQL), and whether its table is new here — created earlier in the
//! same function, so nobody else can be using it and its locks cost nothing.
//!
//! [`NewTables::is_new`] is the ONE "is this table new/empty here?" question
//! of the family. It is answered from the current file's ops only (a
//! `create_table` or a literal `CREATE TABLE` earlier in the same function);
//! a schema model (revision replay) can answer it more fully later without
//! touching the rules.

use std::collections::HashMap;

use miglint_sql::StmtKind;

use crate::prelude::*;
use crate::rule::RuleMeta;

/// Whether a rule belongs to the online-safety family (`online = true`).
pub fn is_online_rule(meta: &RuleMeta) -> bool {
    meta.code.starts_with("ML7")
}

/// Whether the family looks at this op: it runs in `upgrade()` on
/// PostgreSQL. (A downgrade is an emergency path, not a rolling deploy.)
pub(crate) fn applies(file: &FileContext<'_>, op: &Op) -> bool {
    file.module.func_kind(op) == FuncKind::Upgrade
        && file.reaching(op).contains(Dialect::Postgresql)
}

/// The tables a file creates, by the op that creates them first.
pub(crate) struct NewTables {
    /// table name (as PostgreSQL stores it) → (op index, function index)
    created: HashMap<String, (usize, usize)>,
}

impl NewTables {
    /// One pass over the file's ops and literal SQL.
    pub(crate) fn of(file: &FileContext<'_>) -> Self {
        let mut created: HashMap<String, (usize, usize)> = HashMap::new();
        for (i, op) in file.module.ops.iter().enumerate() {
            if op.name == "create_table"
                && let Some(t) = op.table()
            {
                created.entry(t.value).or_insert((i, op.func));
            }
        }
        for exec in file.sql {
            let func = file.module.ops[exec.op].func;
            for stmt in &exec.statements {
                if let StmtKind::CreateTable { table: Some(t), .. } = &stmt.kind {
                    created.entry(t.clone()).or_insert((exec.op, func));
                }
            }
        }
        NewTables { created }
    }

    /// Whether `table` was created earlier in the same function as the op
    /// at `op_index` (so it is empty and unseen by running code).
    pub(crate) fn is_new(&self, file: &FileContext<'_>, op_index: usize, table: &str) -> bool {
        let func = file.module.ops[op_index].func;
        self.created
            .get(table)
            .is_some_and(|&(i, f)| i < op_index && f == func)
    }
}

/// Literal keyword `name=True`.
pub(crate) fn kw_true(op: &Op, name: &str) -> bool {
    op.kwarg(name).and_then(|k| k.value.bool_value()) == Some(true)
}

/// The statement text, uppercased with runs of whitespace collapsed, for
/// keyword tests on raw SQL (`ADD CONSTRAINT`, `NOT VALID`).
pub(crate) fn upper_words(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use miglint_config::{Targets, load_str};

    use crate::settings::LinterSettings;

    fn settings(text: &str) -> LinterSettings {
        let options = load_str(Path::new("lint.toml"), text).expect("valid config");
        let targets = Targets::declared(DialectSet::single(Dialect::Postgresql), "test");
        LinterSettings::from_options(options, targets).expect("valid settings")
    }

    use super::*;

    #[test]
    fn the_family_is_opt_in() {
        let s = settings("");
        assert!(!s.is_enabled("ML701"));
        assert_eq!(s.postgresql_version, 15);
        // a prefix selects default-on rules only (docs/decisions.md)
        assert!(!settings("extend-select = [\"ML7\"]\n").is_enabled("ML701"));
        assert!(settings("extend-select = [\"ML701\"]\n").is_enabled("ML701"));
        assert!(settings("extend-select = [\"index-without-concurrently\"]\n").is_enabled("ML701"));
    }

    #[test]
    fn online_switch_enables_the_family_and_ignore_still_wins() {
        let s = settings("online = true\n");
        assert!(s.is_enabled("ML701"));
        assert!(s.is_enabled("ML101"), "the default set stays on");
        let s = settings("online = true\nignore = [\"ML701\"]\n");
        assert!(!s.is_enabled("ML701"));
        let s = settings("online = true\nselect = [\"ML1\"]\n");
        assert!(s.is_enabled("ML701") && !s.is_enabled("ML501"));
    }

    #[test]
    fn postgresql_version_key() {
        assert_eq!(settings("postgresql-version = 11\n").postgresql_version, 11);
        assert_eq!(
            settings("postgresql-version = \"12.4\"\n").postgresql_version,
            12
        );
        for bad in [
            "postgresql-version = \"x\"\n",
            "postgresql-version = 3\n",
            "online = 1\n",
        ] {
            assert!(load_str(Path::new("lint.toml"), bad).is_err(), "{bad}");
        }
    }
}
