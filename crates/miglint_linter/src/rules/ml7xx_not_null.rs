//! PostgreSQL ≥ 12 skips the `SET NOT NULL` scan when a valid
//! `CHECK (col IS NOT NULL)` proves it: whether one occurs earlier in the
//! file, answered from an index of the file built once (ML703).

use std::collections::HashMap;

use crate::prelude::*;

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
