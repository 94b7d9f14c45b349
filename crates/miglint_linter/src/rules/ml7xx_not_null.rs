//! PostgreSQL ≥ 12 skips the `SET NOT NULL` scan when a valid
//! `CHECK (col IS NOT NULL)` proves it: whether one occurs earlier in the
//! file, answered from an index of the file built once, or in the
//! `upgrade()` of a revision it descends from (ML703).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::prelude::*;

/// PostgreSQL ≥ 12 skips the `SET NOT NULL` scan when a valid
/// `CHECK (col IS NOT NULL)` exists; one written earlier in this file counts.
/// The question "does `<COL> IS NOT NULL` occur in [`upper_words`] of the
/// file's text before this op" is answered from an index of the file built
/// once, on first use (a scan of the text before every op would be
/// quadratic on a generated revision).
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

/// The columns that a `<col> IS NOT NULL` in the `upgrade()` of a revision
/// or of one it descends from names (identifiers uppercased, quotes and a
/// table prefix dropped): the recommended sequence adds the CHECK NOT VALID
/// in one revision and validates it, then sets NOT NULL, in a later one.
/// Computed once per revision on first use, sharing the parent's set when
/// a revision adds none (linear in the history, no walk per op).
pub(crate) struct AncestorChecks<'m> {
    parents: &'m dyn Fn(usize) -> &'m [usize],
    own: Vec<Option<HashSet<String>>>,
    reaching: Vec<Option<Rc<HashSet<String>>>>,
}

impl<'m> AncestorChecks<'m> {
    /// `own[f]`: the columns named in revision `f`'s `upgrade()` (None for
    /// a file that is not a revision); `parents(f)`: its down revisions.
    pub(crate) fn new(
        own: Vec<Option<HashSet<String>>>,
        parents: &'m dyn Fn(usize) -> &'m [usize],
    ) -> Self {
        let n = own.len();
        AncestorChecks {
            parents,
            own,
            reaching: vec![None; n],
        }
    }

    /// Whether a revision `file` descends from names `column`.
    pub(crate) fn proven_in_ancestors(&mut self, file: usize, column: &str) -> bool {
        let column = normalize(&column.to_ascii_uppercase());
        (self.parents)(file)
            .to_vec()
            .into_iter()
            .any(|p| self.reaching(p).contains(&column))
    }

    /// The set of revision `file` and its ancestors, computed iteratively
    /// (a long chain must not overflow the stack; a cycle counts as empty).
    fn reaching(&mut self, file: usize) -> Rc<HashSet<String>> {
        let empty = || Rc::new(HashSet::new());
        if file >= self.own.len() {
            return empty();
        }
        let mut in_progress = vec![false; 0];
        in_progress.resize(self.own.len(), false);
        let mut stack = vec![(file, false)];
        while let Some((f, expanded)) = stack.pop() {
            if self.reaching[f].is_some() {
                continue;
            }
            let parents: Vec<usize> = (self.parents)(f)
                .iter()
                .copied()
                .filter(|&p| p < self.own.len())
                .collect();
            if !expanded {
                if in_progress[f] {
                    continue;
                }
                in_progress[f] = true;
                stack.push((f, true));
                for &p in &parents {
                    if self.reaching[p].is_none() && !in_progress[p] {
                        stack.push((p, false));
                    }
                }
                continue;
            }
            let from: Vec<Rc<HashSet<String>>> = parents
                .iter()
                .map(|&p| self.reaching[p].clone().unwrap_or_else(empty))
                .collect();
            let own = self.own[f].as_ref().filter(|s| !s.is_empty());
            let set = match (own, from.as_slice()) {
                (None, []) => empty(),
                (None, [one]) => one.clone(),
                _ => {
                    let mut all: HashSet<String> = own.cloned().unwrap_or_default();
                    for s in &from {
                        all.extend(s.iter().cloned());
                    }
                    Rc::new(all)
                }
            };
            self.reaching[f] = Some(set);
        }
        self.reaching[file].clone().unwrap_or_else(empty)
    }
}

/// The columns named by `<col> IS NOT NULL` in `source[..end]` (see
/// [`AncestorChecks`]).
///
/// Read token by token, without building the collapsed text: an
/// occurrence of ` IS NOT NULL` there is a token before the tokens `IS`
/// and `NOT` and one that starts with `NULL` (any ASCII case; the pattern
/// cannot overlap itself), and the column is that first token.
pub(crate) fn columns_checked(source: &str, end: usize) -> HashSet<String> {
    let text = source.get(..end).unwrap_or(source);
    let mut columns = HashSet::new();
    // the last three tokens, oldest first
    let mut last: [&str; 3] = [""; 3];
    for (n, token) in text.split_whitespace().enumerate() {
        if n >= 3
            && starts_with_ignore_case(token, "NULL")
            && last[1].eq_ignore_ascii_case("IS")
            && last[2].eq_ignore_ascii_case("NOT")
        {
            let col = normalize(&last[0].to_ascii_uppercase());
            if !col.is_empty() {
                columns.insert(col);
            }
        }
        last = [last[1], last[2], token];
    }
    columns
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The identifier that ends `word`: `(EMAIL`, `"EMAIL"`, `USERS.EMAIL`,
/// `CHECK("(EMAIL)` → `EMAIL`.
fn normalize(word: &str) -> String {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let word = word.trim_end_matches(|c: char| !ident(c));
    let start = word
        .char_indices()
        .rev()
        .find(|&(_, c)| !ident(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    word[start..].to_string()
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
    use super::super::ml7xx_context::upper_words;
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
}

#[cfg(test)]
mod ancestor_tests {
    use super::*;

    fn set(cols: &[&str]) -> Option<HashSet<String>> {
        Some(cols.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn checks_reach_descendants_through_merges_and_long_chains() {
        // 0 <- 1 <- 2, 0 <- 3, (2, 3) <- 4; then a chain 5..50_000 off 4
        let n = 50_000;
        let mut parents: Vec<Vec<usize>> = vec![vec![], vec![0], vec![1], vec![0], vec![2, 3]];
        parents.extend((5..n).map(|i| vec![i - 1]));
        let mut own = vec![set(&[]); n];
        own[1] = set(&["EMAIL"]);
        own[3] = set(&["NAME"]);
        let get = |f: usize| parents[f].as_slice();
        let mut a = AncestorChecks::new(own, &get);
        assert!(
            !a.proven_in_ancestors(1, "email"),
            "its own text is asked elsewhere"
        );
        assert!(a.proven_in_ancestors(2, "email"));
        assert!(!a.proven_in_ancestors(2, "name"));
        assert!(a.proven_in_ancestors(4, "name") && a.proven_in_ancestors(4, "EMAIL"));
        assert!(a.proven_in_ancestors(n - 1, "email"));
        assert!(!a.proven_in_ancestors(n - 1, "other"));
    }

    #[test]
    fn a_cycle_ends() {
        let parents = [vec![1], vec![0]];
        let get = |f: usize| parents[f].as_slice();
        let mut a = AncestorChecks::new(vec![set(&["A"]), set(&[])], &get);
        assert!(a.proven_in_ancestors(1, "a"));
        assert!(!a.proven_in_ancestors(0, "b"));
    }

    /// The definition: ` IS NOT NULL` found in the collapsed, uppercased
    /// text, the column the word before it.
    fn columns_by_collapsed_text(source: &str) -> HashSet<String> {
        let text = super::super::ml7xx_context::upper_words(source);
        text.match_indices(IS_NOT_NULL)
            .filter_map(|(q, _)| {
                let word_start = text[..q].rfind(' ').map_or(0, |i| i + 1);
                let col = normalize(&text[word_start..q]);
                (!col.is_empty()).then_some(col)
            })
            .collect()
    }

    #[test]
    fn the_token_scan_finds_what_the_collapsed_text_has() {
        let words = [
            "is", "IS", "Is", "not", "NOT", "null", "NULL", "nullable", "NULL)", "a", "(b",
            "t.\"C\"", "é", "(", ")", "is\tnot", "x,", "",
        ];
        let spaces = [" ", "  ", "\n", "\t ", " \n  "];
        // every sequence of up to five words, with varied spacing
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(1 + next(7)) {
                text.push_str(words[next(words.len())]);
                text.push_str(spaces[next(spaces.len())]);
            }
            if next(2) == 0 {
                text = text.trim_end().to_string();
            }
            assert_eq!(
                columns_checked(&text, text.len()),
                columns_by_collapsed_text(&text),
                "{text:?}"
            );
        }
        let src = "a IS NOT NULL IS NOT NULL b is not nullx";
        assert_eq!(
            columns_checked(src, src.len()),
            columns_by_collapsed_text(src)
        );
        // `end` inside a character or past the text: the whole text
        assert_eq!(
            columns_checked("é IS NOT NULL", 1),
            columns_checked("é IS NOT NULL", 99)
        );
    }

    #[test]
    fn columns_are_normalized() {
        let src = "op.execute('ALTER TABLE t ADD CHECK (users.\"Email\" IS NOT NULL)')\n\
                   sa.CheckConstraint(\"(name) IS NOT NULL\")";
        let cols = columns_checked(src, src.len());
        assert_eq!(
            cols,
            ["EMAIL", "NAME"].iter().map(|s| s.to_string()).collect()
        );
    }
}
