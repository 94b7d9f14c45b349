//! Incremental re-parsing for the language server (issue 12, latency): the
//! parser keeps the trees of the last few texts it parsed; a new text that
//! shares most of its bytes with one of them (an edited buffer) is parsed
//! with tree-sitter's `Tree::edit` and the old tree, which re-uses every
//! subtree outside the edit. The edit is computed from the two texts (the
//! common prefix and suffix), so it works whatever the client sends (ranged
//! changes or the full text) and whatever was blanked before the parse.
//!
//! Only texts up to [`MAX_KEPT_BYTES`] are kept, at most [`SLOTS`] of them:
//! a batch run (the CLI) does not turn it on.

use tree_sitter::{InputEdit, Point, Tree};

use crate::extract::Memo;

/// Texts longer than this are parsed from scratch and not kept.
pub const MAX_KEPT_BYTES: usize = 1 << 20;
/// How many (text, tree) pairs are kept (open buffers being edited).
pub const SLOTS: usize = 4;

#[derive(Default)]
pub(crate) struct Kept {
    /// Each text, its tree, and what extracting the model found in its
    /// statements (see `extract::reuse`).
    slots: Vec<(String, Tree, Memo)>,
}

impl Kept {
    /// The kept tree closest to `text`, edited to match it, and the memo of
    /// its extraction (removed from the cache: [`Kept::keep`] puts the new
    /// ones back). `None` when no kept text shares at least half of `text`.
    pub(crate) fn take_edited(&mut self, text: &str) -> Option<(Tree, Memo)> {
        if text.len() > MAX_KEPT_BYTES {
            return None;
        }
        let (best, prefix, suffix) = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, (old, _, _))| {
                let (p, s) = common(old.as_bytes(), text.as_bytes());
                (i, p, s)
            })
            .max_by_key(|&(_, p, s)| p + s)?;
        if (prefix + suffix) * 2 < text.len() {
            return None;
        }
        let (old, mut tree, memo) = self.slots.remove(best);
        tree.edit(&InputEdit {
            start_byte: prefix,
            old_end_byte: old.len() - suffix,
            new_end_byte: text.len() - suffix,
            start_position: point(&old, prefix),
            old_end_position: point(&old, old.len() - suffix),
            new_end_position: point(text, text.len() - suffix),
        });
        Some((tree, memo))
    }

    /// Keeps `tree`, the parse of `text`, with `memo` (the oldest slot goes
    /// first).
    pub(crate) fn keep(&mut self, text: &str, tree: &Tree, memo: Memo) {
        if text.len() > MAX_KEPT_BYTES {
            return;
        }
        if let Some(same) = self.slots.iter().position(|(t, _, _)| t == text) {
            self.slots.remove(same);
        }
        if self.slots.len() >= SLOTS {
            self.slots.remove(0);
        }
        self.slots.push((text.to_string(), tree.clone(), memo));
    }

    /// The memo of the extraction of `text` (kept by the last
    /// [`Kept::keep`]).
    pub(crate) fn set_memo(&mut self, text: &str, memo: Memo) {
        if let Some((t, _, m)) = self.slots.last_mut()
            && t == text
        {
            *m = memo;
        }
    }
}

/// The lengths of the common prefix and the common suffix of `a` and `b`
/// (not overlapping in either).
fn common(a: &[u8], b: &[u8]) -> (usize, usize) {
    let max = a.len().min(b.len());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max - prefix)
        .take_while(|(x, y)| x == y)
        .count();
    (prefix, suffix)
}

/// tree-sitter's row and (byte) column of offset `at`.
fn point(text: &str, at: usize) -> Point {
    let before = &text.as_bytes()[..at];
    let row = before.iter().filter(|&&c| c == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, at - line_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix_do_not_overlap() {
        assert_eq!(common(b"abcabc", b"abcXabc"), (3, 3));
        assert_eq!(common(b"aaa", b"aaaa"), (3, 0));
        assert_eq!(common(b"abc", b"xyz"), (0, 0));
        assert_eq!(point("ab\ncd\nef", 7), Point::new(2, 1));
    }
}
