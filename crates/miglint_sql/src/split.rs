//! Statement splitting at top-level `;`.
//!
//! The text is tokenized once ([`crate::scan`]), so a `;` inside a string,
//! a quoted identifier, a comment or a `$$`/`$tag$` body is never a split
//! point. Bodies written without dollar quotes (`CREATE TRIGGER ... BEGIN
//! ...; ...; END`, MySQL procedures, PG 14 `BEGIN ATOMIC`) are kept whole by
//! counting `BEGIN`/`CASE` against `END` inside `CREATE
//! TRIGGER/FUNCTION/PROCEDURE/EVENT` statements.
//!
//! When the tokenizer rejects the text (an unterminated quote or comment)
//! a small quote-aware byte scanner splits it instead, and each piece is
//! tokenized on its own, keeping the tokens read before any error.

use std::ops::Range;

use sqlparser::tokenizer::Token;

use crate::scan::{Tok, tokenize};

/// One statement's slice of the input: its trimmed byte range and its
/// significant tokens (without the terminating `;`).
#[derive(Debug)]
pub(crate) struct Piece {
    pub range: Range<usize>,
    pub toks: Vec<Tok>,
    /// The tokenizer's message when it could not read this statement to the end.
    pub lex_error: Option<String>,
}

/// Splits `sql` into non-empty statements.
pub(crate) fn split(sql: &str) -> Vec<Piece> {
    let scan = tokenize(sql, 0);
    match scan.error {
        None => split_tokens(scan.toks),
        Some(_) => fallback_pieces(sql),
    }
}

fn split_tokens(toks: Vec<Tok>) -> Vec<Piece> {
    // A routine body left open (e.g. a column that happens to be called
    // `begin`) must not swallow the rest of the text: split plainly then.
    let cuts =
        cut_points(&toks, true).unwrap_or_else(|| cut_points(&toks, false).unwrap_or_default());
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut cuts = cuts.into_iter().peekable();
    let mut current: Vec<Tok> = Vec::new();
    for (i, tok) in toks.into_iter().enumerate() {
        if cuts.peek() == Some(&i) {
            cuts.next();
            push_piece(&mut pieces, std::mem::take(&mut current));
        } else {
            current.push(tok);
        }
    }
    push_piece(&mut pieces, current);
    pieces
}

fn push_piece(pieces: &mut Vec<Piece>, toks: Vec<Tok>) {
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
        return;
    };
    let range = first.range.start..last.range.end;
    pieces.push(Piece {
        range,
        toks,
        lex_error: None,
    });
}

/// Indices of the `;` tokens that end a statement. With `blocks`, `;` inside
/// a `BEGIN ... END` routine body is not a cut; `None` when such a body is
/// still open at the end of the text.
fn cut_points(toks: &[Tok], blocks: bool) -> Option<Vec<usize>> {
    let mut cuts = Vec::new();
    let mut depth = 0usize;
    let mut at_start = true;
    let mut create = false;
    let mut routine = false;
    for (i, tok) in toks.iter().enumerate() {
        if tok.token == Token::SemiColon {
            if depth == 0 {
                cuts.push(i);
                at_start = true;
                create = false;
                routine = false;
            }
            continue;
        }
        if !blocks {
            continue;
        }
        if std::mem::replace(&mut at_start, false) {
            create = tok.is_kw("CREATE");
            continue;
        }
        if create
            && depth == 0
            && ["TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"]
                .iter()
                .any(|k| tok.is_kw(k))
        {
            routine = true;
        }
        if !routine {
            continue;
        }
        if tok.is_kw("BEGIN") || (depth > 0 && tok.is_kw("CASE")) {
            depth += 1;
        } else if depth > 0 && tok.is_kw("END") {
            // `END IF` / `END LOOP` / ... close blocks that were never counted.
            let closes_other = toks.get(i + 1).is_some_and(|n| {
                ["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                    .iter()
                    .any(|k| n.is_kw(k))
            });
            if !closes_other {
                depth -= 1;
            }
        }
    }
    (depth == 0).then_some(cuts)
}

/// The fallback when the tokenizer rejects the whole text.
fn fallback_pieces(sql: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for raw in fallback_split(sql) {
        let scan = tokenize(&sql[raw.clone()], raw.start);
        let mut toks = scan.toks;
        // The scanner and the tokenizer may disagree on an escape; a stray
        // `;` token inside a piece is not part of any statement.
        toks.retain(|t| t.token != Token::SemiColon);
        let trimmed = trim_ws(sql, raw);
        let range = match (toks.first(), toks.last(), &scan.error) {
            (Some(first), _, Some(_)) => first.range.start..trimmed.end,
            (Some(first), Some(last), None) => first.range.start..last.range.end,
            (None, _, Some(_)) if !trimmed.is_empty() => trimmed,
            _ => continue,
        };
        pieces.push(Piece {
            range,
            toks,
            lex_error: scan.error,
        });
    }
    pieces
}

fn trim_ws(sql: &str, r: Range<usize>) -> Range<usize> {
    let s = &sql[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.start + s.trim_end().len();
    start..end.max(start)
}

/// Splits at `;` outside quotes, comments and dollar-quoted bodies. An
/// unterminated construct runs to the end of the text. Works on bytes: every
/// delimiter is ASCII, so UTF-8 continuation bytes never match.
pub(crate) fn fallback_split(sql: &str) -> Vec<Range<usize>> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        i = match b[i] {
            b';' => {
                out.push(start..i);
                start = i + 1;
                i + 1
            }
            q @ (b'\'' | b'"' | b'`') => skip_quoted(b, i, q),
            b'-' if b.get(i + 1) == Some(&b'-') => b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p),
            b'/' if b.get(i + 1) == Some(&b'*') => find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2),
            b'$' => skip_dollar(b, i),
            _ => i + 1,
        };
    }
    out.push(start..b.len());
    out
}

/// Past the closing quote of a quoted run starting at `i`; doubled quotes
/// and (for `'`) backslash escapes stay inside.
fn skip_quoted(b: &[u8], i: usize, q: u8) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if q == b'\'' && b[j] == b'\\' {
            j += 2;
        } else if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// Past the closing tag of a `$tag$ ... $tag$` body starting at `i`, or
/// `i + 1` when the `$` does not open one (e.g. a `$1` parameter).
fn skip_dollar(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if b.get(j)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        while b
            .get(j)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            j += 1;
        }
    }
    if b.get(j) != Some(&b'$') {
        return i + 1;
    }
    let tag = &b[i..=j];
    find(b, j + 1, tag).map_or(b.len(), |p| p + tag.len())
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|p| &sql[p.range]).collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql =
            "  INSERT INTO t VALUES ('a;b'); -- c;d\n/* e;f */ UPDATE \"x;y\" SET a = 1 ;;\n\n";
        assert_eq!(
            texts(sql),
            vec!["INSERT INTO t VALUES ('a;b')", "UPDATE \"x;y\" SET a = 1"]
        );
    }

    #[test]
    fn comment_only_statements_are_dropped() {
        assert_eq!(texts("-- nothing;\n ; /* x */ ;"), Vec::<&str>::new());
        assert_eq!(texts("-- lead\nSELECT 1 -- trail\n"), vec!["SELECT 1"]);
    }

    #[test]
    fn dollar_bodies_are_not_split() {
        let sql = "DO $$ BEGIN UPDATE t SET a = 1; PERFORM 1; END $$; SELECT 2";
        assert_eq!(
            texts(sql),
            vec![
                "DO $$ BEGIN UPDATE t SET a = 1; PERFORM 1; END $$",
                "SELECT 2"
            ]
        );
        let sql = "CREATE FUNCTION f() RETURNS trigger AS $body$ BEGIN x; END; $body$ LANGUAGE plpgsql;SELECT 1";
        assert_eq!(split(sql).len(), 2);
    }

    #[test]
    fn trigger_bodies_are_not_split() {
        let sql = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; \
                   DELETE FROM u; END; BEGIN; COMMIT";
        assert_eq!(
            texts(sql),
            vec![
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; DELETE FROM u; END",
                "BEGIN",
                "COMMIT"
            ]
        );
        let sql = "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; END; SELECT 3";
        assert_eq!(texts(sql).len(), 2);
    }

    #[test]
    fn an_unclosed_block_falls_back_to_plain_splitting() {
        let sql = "CREATE FUNCTION begin_x() RETURNS int BEGIN; SELECT 1; SELECT 2";
        assert_eq!(texts(sql).len(), 3);
    }

    #[test]
    fn transaction_begin_is_a_statement() {
        assert_eq!(
            texts("BEGIN; UPDATE t SET a=1; END;"),
            vec!["BEGIN", "UPDATE t SET a=1", "END"]
        );
    }

    #[test]
    fn fallback_when_the_tokenizer_fails() {
        let sql = "UPDATE t SET a = 'x;y'; SELECT 'unterminated; more  ";
        let pieces = split(sql);
        assert_eq!(pieces.len(), 2);
        assert_eq!(&sql[pieces[0].range.clone()], "UPDATE t SET a = 'x;y'");
        assert_eq!(pieces[0].lex_error, None);
        assert_eq!(&sql[pieces[1].range.clone()], "SELECT 'unterminated; more");
        assert!(pieces[1].lex_error.is_some());
        assert!(pieces[1].toks[0].is_kw("select"));
    }

    #[test]
    fn fallback_scanner_handles_dollar_and_comments() {
        let sql = "a $$;$$ b; c -- ;\n d; e /* ; */ f; $1; $q$ ; $q$";
        let parts: Vec<&str> = fallback_split(sql)
            .into_iter()
            .map(|r| sql[r].trim())
            .collect();
        assert_eq!(
            parts,
            vec!["a $$;$$ b", "c -- ;\n d", "e /* ; */ f", "$1", "$q$ ; $q$"]
        );
        let parts: Vec<&str> = fallback_split("x 'it\\'s; y")
            .into_iter()
            .map(|r| &"x 'it\\'s; y"[r])
            .collect();
        assert_eq!(parts, vec!["x 'it\\'s; y"]);
    }
}
