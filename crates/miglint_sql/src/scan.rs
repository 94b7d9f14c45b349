//! Tokenizing once, with byte ranges.
//!
//! sqlparser's tokenizer reports 1-based line/column locations whose column
//! counts `char`s (only `\n` starts a new line). [`tokenize`] turns them into
//! byte offsets and drops the trivia (whitespace and comments), which nothing
//! downstream needs: statement ranges, the classifier and the feature scan
//! all work on the significant tokens.

use std::ops::Range;

use sqlparser::dialect::Dialect as SqlDialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

/// The dialect used for the one shared tokenization (splitting, classifier,
/// features). It has to see every dialect's lexical syntax without
/// rejecting any: `"` and backtick identifiers, `$$`/`$tag$` bodies,
/// `E'...'` escape strings. Whether a dialect *accepts* the syntax is decided
/// later, by parsing with that dialect.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ScanDialect;

impl SqlDialect for ScanDialect {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"' || ch == '`'
    }

    // Like PostgreSQL, any non-ASCII character may appear in an identifier,
    // except Unicode whitespace (a no-break space separates words).
    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_alphabetic() || ch == '_' || (!ch.is_ascii() && !ch.is_whitespace())
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_alphanumeric() || ch == '_' || ch == '$' || (!ch.is_ascii() && !ch.is_whitespace())
    }

    fn supports_string_escape_constant(&self) -> bool {
        true
    }
}

/// A significant token and its byte range in the scanned text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tok {
    pub token: Token,
    pub range: Range<usize>,
}

impl Tok {
    /// The word's value when it is an unquoted word equal (ASCII
    /// case-insensitively) to `kw`.
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    }

    /// Any word, quoted or not.
    pub fn word(&self) -> Option<&sqlparser::tokenizer::Word> {
        match &self.token {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    /// An unquoted word, uppercased (for keyword labels).
    pub fn keyword_upper(&self) -> Option<String> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }
}

/// The result of tokenizing a text: the significant tokens that were read
/// and, when the tokenizer stopped early, its message.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub toks: Vec<Tok>,
    pub error: Option<String>,
}

/// Tokenizes `text` and maps every token to byte offsets shifted by `base`.
/// On a tokenizer error the tokens read before it are kept.
pub(crate) fn tokenize(text: &str, base: usize) -> Scan {
    let mut raw: Vec<TokenWithSpan> = Vec::new();
    let result = Tokenizer::new(&ScanDialect, text).tokenize_with_location_into_buf(&mut raw);
    let mut mapper = OffsetMapper::new(text);
    let mut toks = Vec::with_capacity(raw.len() / 2 + 1);
    for t in raw {
        // Comments are whitespace tokens too (`Whitespace::SingleLineComment`, ...).
        if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
            continue;
        }
        let start = mapper.offset(t.span.start);
        let end = mapper.offset(t.span.end).max(start);
        toks.push(Tok {
            token: t.token,
            range: base + start..base + end,
        });
    }
    Scan {
        toks,
        error: result.err().map(|e| e.message),
    }
}

/// Converts tokenizer locations to byte offsets. Locations arrive in
/// increasing order, so a forward-moving cursor makes the whole conversion
/// linear in the text length.
pub(crate) struct OffsetMapper<'a> {
    text: &'a str,
    /// Byte offset of the start of each line (line 1 at index 0).
    line_starts: Vec<usize>,
    line: u64,
    col: u64,
    off: usize,
}

impl<'a> OffsetMapper<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        OffsetMapper {
            text,
            line_starts,
            line: 1,
            col: 1,
            off: 0,
        }
    }

    /// The byte offset of a 1-based line/column location, clamped to the
    /// line's end and the text's end.
    pub fn offset(&mut self, loc: Location) -> usize {
        if loc.line == 0 {
            return 0; // "unknown location"
        }
        if loc.line != self.line || loc.column < self.col {
            let idx = usize::try_from(loc.line - 1).unwrap_or(usize::MAX);
            let Some(&start) = self.line_starts.get(idx) else {
                return self.text.len();
            };
            self.line = loc.line;
            self.col = 1;
            self.off = start;
        }
        let rest = &self.text[self.off..];
        let mut chars = rest.char_indices();
        while self.col < loc.column {
            match chars.next() {
                Some((_, '\n')) | None => break,
                Some((_, ch)) => {
                    self.off += ch.len_utf8();
                    self.col += 1;
                }
            }
        }
        self.off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(sql: &'a str, scan: &Scan) -> Vec<&'a str> {
        scan.toks.iter().map(|t| &sql[t.range.clone()]).collect()
    }

    #[test]
    fn byte_ranges_with_non_ascii_and_newlines() {
        let sql = "SELECT 'é€😀', \"ñ\"\r\n  -- comment ü\n FROM `tá`; x::int";
        let scan = tokenize(sql, 0);
        assert_eq!(scan.error, None);
        assert_eq!(
            texts(sql, &scan),
            vec![
                "SELECT",
                "'é€😀'",
                ",",
                "\"ñ\"",
                "FROM",
                "`tá`",
                ";",
                "x",
                "::",
                "int"
            ]
        );
    }

    #[test]
    fn base_offset_and_partial_tokens_on_error() {
        let sql = "UPDATE t SET a = 'oops";
        let scan = tokenize(sql, 10);
        assert!(scan.error.is_some());
        assert_eq!(scan.toks[0].range, 10..16);
        assert_eq!(scan.toks.len(), 5);
    }

    #[test]
    fn dollar_quoted_and_escape_strings_are_single_tokens() {
        let sql = "DO $x$ BEGIN; END $x$; SELECT E'a\\'b;'";
        let scan = tokenize(sql, 0);
        assert_eq!(
            texts(sql, &scan),
            vec!["DO", "$x$ BEGIN; END $x$", ";", "SELECT", "E'a\\'b;'"]
        );
    }
}
