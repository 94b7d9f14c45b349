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

/// PostgreSQL ≥ 12 skips the `SET NOT NULL` scan when a valid
/// `CHECK (col IS NOT NULL)` exists; one written earlier in this file counts
/// (a previous revision's is not visible here, so ML703's message says
/// "unless"). The question "does `<COL> IS NOT NULL` occur in
/// [`upper_words`] of the file's text before this op" is answered from an
/// index of the file built once, on first use (a scan of the text before
/// every op would be quadratic on a generated revision).
#[derive(Default)]
pub(crate) struct NotNullChecks {
    index: Option<WordsIndex>,
}

impl NotNullChecks {
    pub(crate) fn proven_before(
        &mut self,
        file: &FileContext<'_>,
        before: TextRange,
        column: &str,
        pg: u32,
    ) -> bool {
        if pg < 12 {
            return false;
        }
        let index = self
            .index
            .get_or_insert_with(|| WordsIndex::new(file.source));
        index.occurs_before(&column.to_ascii_uppercase(), before.start())
    }
}

const IS_NOT_NULL: &str = " IS NOT NULL";
/// Suffixes longer than this are not indexed (their columns are looked up
/// by a scan of the occurrences).
const MAX_SUFFIX: usize = 128;

/// [`upper_words`] of a whole file, with what maps a prefix of the file to
/// a prefix of it, and the occurrences of ` IS NOT NULL`.
struct WordsIndex {
    upper: String,
    /// Per whitespace-separated token: its start in the file and in `upper`.
    tokens: Vec<(u32, u32)>,
    /// Start (in `upper`) of every ` IS NOT NULL`.
    tails: Vec<usize>,
    /// For every suffix (up to [`MAX_SUFFIX`] bytes) of the word before
    /// some ` IS NOT NULL`: where its first `<suffix> IS NOT NULL` ends.
    first_end: HashMap<String, usize>,
}

impl WordsIndex {
    fn new(source: &str) -> Self {
        let mut upper = String::with_capacity(source.len());
        let mut tokens = Vec::new();
        for (start, word) in source
            .split_whitespace()
            .map(|w| (w.as_ptr() as usize - source.as_ptr() as usize, w))
        {
            if !upper.is_empty() {
                upper.push(' ');
            }
            tokens.push((start as u32, upper.len() as u32));
            upper.push_str(word);
        }
        upper.make_ascii_uppercase();
        let tails: Vec<usize> = upper.match_indices(IS_NOT_NULL).map(|(q, _)| q).collect();
        let mut first_end: HashMap<String, usize> = HashMap::new();
        for &q in &tails {
            let word_start = upper[..q].rfind(' ').map_or(0, |i| i + 1);
            let word = &upper[word_start..q];
            for (i, _) in word.char_indices().chain([(word.len(), ' ')]) {
                if word.len() - i <= MAX_SUFFIX {
                    first_end
                        .entry(word[i..].to_string())
                        .or_insert(q + IS_NOT_NULL.len());
                }
            }
        }
        WordsIndex {
            upper,
            tokens,
            tails,
            first_end,
        }
    }

    /// The length of `upper_words(&source[..offset])`: a prefix of `upper`.
    fn prefix_len(&self, offset: u32) -> usize {
        let k = self.tokens.partition_point(|&(s, _)| s < offset);
        if k == 0 {
            return 0;
        }
        let (s, u) = self.tokens[k - 1];
        let next = self
            .tokens
            .get(k)
            .map_or(self.upper.len(), |&(_, nu)| nu as usize - 1);
        (u as usize + (offset - s) as usize).min(next)
    }

    /// Whether `<column> IS NOT NULL` occurs in `upper_words` of the text
    /// before `offset` (`column` uppercased).
    fn occurs_before(&self, column: &str, offset: u32) -> bool {
        let limit = self.prefix_len(offset);
        if column.len() <= MAX_SUFFIX && !column.chars().any(char::is_whitespace) {
            return self.first_end.get(column).is_some_and(|&end| end <= limit);
        }
        self.tails
            .iter()
            .any(|&q| q + IS_NOT_NULL.len() <= limit && self.upper[..q].ends_with(column))
    }
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
    fn not_null_index_agrees_with_a_scan_of_the_prefix() {
        let source = "x = 1\n  op.execute('ALTER TABLE t ADD CHECK (a  IS\n NOT NULL)')\n\
                      op.execute(\"CHECK (\\\"B c\\\" IS NOT NULL)\")\n  é IS NOT NULL y\n";
        let index = WordsIndex::new(source);
        for column in [
            "A",
            "a",
            "",
            "c\\\"",
            "\\\"B c\\\"",
            "B c\\\"",
            "(A",
            "é",
            "É",
            "Y",
            "NOT",
            "x",
        ] {
            let upper = column.to_ascii_uppercase();
            for offset in (0..=source.len()).filter(|&o| source.is_char_boundary(o)) {
                let scan = upper_words(&source[..offset]).contains(&format!("{upper} IS NOT NULL"));
                assert_eq!(
                    index.occurs_before(&upper, offset as u32),
                    scan,
                    "{column:?} before {offset}"
                );
            }
        }
    }

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
