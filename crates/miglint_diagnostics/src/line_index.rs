/// A 1-based line and column. `column` counts Unicode scalar values;
/// `column_utf16` counts UTF-16 code units (0-based, for LSP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
    pub column_utf16: u32,
}

/// Byte offsets of line starts, for offset → line/column conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // `match_indices` of a char searches with memchr (a word at a
        // time), not byte by byte
        let mut line_starts = vec![0];
        line_starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        // kept for every file until the end of a run (issue 15)
        line_starts.shrink_to_fit();
        LineIndex { line_starts }
    }

    /// Line starts after `\n`, `\r\n` and a lone `\r` (Python's universal
    /// newlines, and how miette counts lines in a snippet).
    pub fn universal(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        LineIndex { line_starts }
    }

    /// Whether [`LineIndex::universal`] of `text` differs from
    /// [`LineIndex::new`]: the text has a `\r` not followed by `\n`.
    pub fn has_lone_cr(text: &str) -> bool {
        let bytes = text.as_bytes();
        bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    }

    /// 0-based index of the line that holds `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> u32 {
        self.line_starts.get(line0).copied().unwrap_or(u32::MAX)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Converts a byte offset; offsets past the end or inside a UTF-8
    /// sequence are clamped to the nearest valid position before them.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line0 = self.line_of(offset as u32);
        let start = self.line_starts[line0] as usize;
        let prefix = &text[start..offset];
        LineCol {
            line: line0 as u32 + 1,
            column: prefix.chars().count() as u32 + 1,
            column_utf16: prefix.encode_utf16().count() as u32,
        }
    }

    /// The byte offset of a 0-based line and UTF-16 column (LSP positions).
    pub fn offset_utf16(&self, text: &str, line0: u32, col16: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line0 as usize) else {
            return text.len() as u32;
        };
        let end = self
            .line_starts
            .get(line0 as usize + 1)
            .map_or(text.len(), |&e| e as usize);
        let line = &text[start as usize..end];
        let mut units = 0u32;
        for (i, ch) in line.char_indices() {
            if units >= col16 || ch == '\n' {
                return start + i as u32;
            }
            units += ch.len_utf16() as u32;
        }
        end as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_scalar_values() {
        let text = "ab\nçé = 1\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.line_col(text, 0),
            LineCol {
                line: 1,
                column: 1,
                column_utf16: 0
            }
        );
        let off = text.find('=').unwrap() as u32;
        let lc = idx.line_col(text, off);
        assert_eq!((lc.line, lc.column, lc.column_utf16), (2, 4, 3));
        // inside a multi-byte char: clamped back to its start
        assert_eq!(idx.line_col(text, 4).column, 1);
        // past the end
        assert_eq!(idx.line_col(text, 999).line, 3);
    }

    #[test]
    fn universal_newlines() {
        let text = "a\rb\r\nc\nd";
        assert!(LineIndex::has_lone_cr(text));
        assert!(!LineIndex::has_lone_cr("a\r\nb\n"));
        let idx = LineIndex::universal(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_of(2), 1);
        assert_eq!(idx.line_of(4), 1, "the \\n of \\r\\n ends line 1");
        assert_eq!(idx.line_start(2), 5);
        assert_eq!(LineIndex::new(text).line_count(), 3);
    }

    #[test]
    fn utf16_round_trip() {
        let text = "x = '😀'\ny\n";
        let idx = LineIndex::new(text);
        let off = text.find('\'').unwrap() as u32 + 1 + 4; // after the emoji
        let lc = idx.line_col(text, off);
        assert_eq!(lc.column_utf16, 7);
        assert_eq!(idx.offset_utf16(text, 0, 7), off);
    }
}
