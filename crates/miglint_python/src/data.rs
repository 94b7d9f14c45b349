//! Literal data regions: large list / tuple / set / dict displays made of
//! literals only (`op.bulk_insert(t, [{...}, ...])` rows, data tables).
//!
//! tree-sitter keeps a node per token, which costs 60-80 bytes of memory per
//! byte of such data (issue 16: an 8 MB `bulk_insert` file peaked at 700 MB).
//! A lexical pre-pass finds them, and the parser sees the brackets with
//! blanks between them (same length: every offset stays valid): an empty
//! display of the same node kind. What the model needs from a region (the
//! items of a list or tuple as expressions, the strings of a tuple for a
//! guard, dialect names) is read back from the original text by the small
//! recursive-descent parser here, only when extraction asks for it.
//!
//! A region is hidden only where hiding changes nothing but memory:
//! - it is a display in an expression position (after `=`, `(`, `[`, `{`,
//!   `,` or `:`; not after `==`, `!=`, `<=`, `>=`), followed by `,` or a
//!   closing bracket, or ending the logical line: never an operand of a
//!   comparison, an operator, a call, a subscript or an attribute;
//! - everything in it is a literal tree-sitter parses without error
//!   (strings without `f`, decimal numbers, optionally negated, `True`,
//!   `False`, `None`, nested displays, comments); anything else (a name, a
//!   call, an f-string, a hex number) leaves the display to tree-sitter;
//! - it is at least [`DATA_REGION_MIN`] bytes long.
//!
//! A file whose tree has a syntax error is parsed again without hiding (error
//! recovery may take a different path around an empty display).

use miglint_diagnostics::TextRange;

use crate::strings;

/// Displays shorter than this are left to tree-sitter.
pub const DATA_REGION_MIN: usize = 1024;

/// A literal, as the model reads it back.
#[derive(Debug)]
pub(crate) enum Lit {
    /// One string or an implicit concatenation (the ranges of the parts).
    Str(TextRange, Vec<TextRange>),
    Int(TextRange),
    Float(TextRange),
    True(TextRange),
    False(TextRange),
    None(TextRange),
    /// `-1`, `+2.5`: a unary operator (not a literal to the model).
    Signed(TextRange),
    Tuple(TextRange, Vec<Lit>),
    List(TextRange, Vec<Lit>),
    Set(TextRange, Vec<Lit>),
    Dict(TextRange),
    /// `(x)`: a parenthesized expression.
    Paren(TextRange, Box<Lit>),
}

impl Lit {
    pub(crate) fn range(&self) -> TextRange {
        match self {
            Lit::Str(r, _)
            | Lit::Int(r)
            | Lit::Float(r)
            | Lit::True(r)
            | Lit::False(r)
            | Lit::None(r)
            | Lit::Signed(r)
            | Lit::Tuple(r, _)
            | Lit::List(r, _)
            | Lit::Set(r, _)
            | Lit::Dict(r)
            | Lit::Paren(r, _) => *r,
        }
    }
}

/// The hidden regions of one file, for extraction to read back.
#[derive(Debug, Default)]
pub(crate) struct Regions<'s> {
    /// The original text (the parser saw it blanked).
    pub src: &'s str,
    /// Bracket to bracket, in order.
    pub ranges: Vec<TextRange>,
}

impl<'s> Regions<'s> {
    /// The literal of the hidden display that spans exactly `start..end`.
    pub(crate) fn lit_at(&self, start: usize, end: usize) -> Option<Lit> {
        if self.ranges.is_empty() {
            return None;
        }
        let i = self
            .ranges
            .binary_search_by_key(&start, |r| r.start() as usize)
            .ok()?;
        if self.ranges[i].end() as usize != end {
            return None;
        }
        let mut p = Parser::new(self.src.as_bytes(), true);
        p.i = start;
        p.value(0).ok()
    }

    pub(crate) fn text(&self, r: TextRange) -> &'s str {
        self.src.get(r.as_usize()).unwrap_or("")
    }
}

/// The hidden regions of `source` (displays of at least `min_len` bytes)
/// and the comments inside them.
pub(crate) fn find(source: &str, min_len: usize) -> (Vec<TextRange>, Vec<TextRange>) {
    let b = source.as_bytes();
    let mut regions = Vec::new();
    let mut comments = Vec::new();
    let mut failed: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    let (mut prev, mut prev2) = (b'\n', b'\n');
    let sig = |c: u8, prev: &mut u8, prev2: &mut u8| {
        *prev2 = *prev;
        *prev = c;
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\x0c' => i += 1,
            b'\n' | b'\r' => {
                if depth == 0 {
                    sig(b'\n', &mut prev, &mut prev2);
                }
                i += 1;
            }
            b'#' => i = line_end(b, i),
            b'\\' => i += 2,
            b'"' | b'\'' => {
                i = strings::skip_string(b, i);
                sig(b'a', &mut prev, &mut prev2);
            }
            b'(' | b'[' | b'{' => {
                let position = matches!(prev, b'=' | b'(' | b'[' | b'{' | b',' | b':')
                    && !(prev == b'=' && matches!(prev2, b'=' | b'!' | b'<' | b'>'));
                if position && failed.binary_search(&i).is_err() {
                    let mut p = Parser::new(b, false);
                    p.i = i;
                    match p.value(0) {
                        Ok(lit) if !matches!(lit, Lit::Paren(..)) => {
                            let end = p.i;
                            if end - i >= min_len && follows_ok(b, end, depth) {
                                regions.push(TextRange::from_usize(i..end));
                                comments.extend(p.comments);
                            }
                            // what is inside is smaller still, or hidden
                            i = end;
                            sig(b'a', &mut prev, &mut prev2);
                            continue;
                        }
                        Ok(_) => {}
                        Err(()) => {
                            // every display open where the parse failed fails there too
                            failed.extend(p.open);
                            failed.sort_unstable();
                        }
                    }
                }
                depth += 1;
                sig(c, &mut prev, &mut prev2);
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                sig(c, &mut prev, &mut prev2);
                i += 1;
            }
            _ => {
                let class = if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
                    b'a'
                } else {
                    c
                };
                sig(class, &mut prev, &mut prev2);
                i += 1;
            }
        }
    }
    (regions, comments)
}

/// Whether what follows a display at `end` keeps it a whole operand: a
/// comma or a closing bracket inside brackets; at statement level also the
/// end of the line.
fn follows_ok(b: &[u8], end: usize, depth: usize) -> bool {
    let mut j = end;
    loop {
        match b.get(j) {
            None => return true,
            Some(b' ' | b'\t' | b'\x0c') => j += 1,
            Some(b'\n' | b'\r') if depth == 0 => return true,
            Some(b'\n' | b'\r') => j += 1,
            Some(b'#') if depth == 0 => return true,
            Some(b'#') => j = line_end(b, j),
            Some(b';') => return depth == 0,
            Some(b',') => return true,
            Some(b')' | b']' | b'}') => return depth > 0,
            _ => return false,
        }
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| matches!(c, b'\n' | b'\r'))
        .map_or(b.len(), |n| i + n)
}

/// Deeper displays are left to tree-sitter (the pre-pass refuses more than
/// 200 open brackets anyway).
const MAX_DEPTH: usize = 200;

/// Recursive descent over literals. With `keep` false it only validates
/// (containers keep no items).
struct Parser<'b> {
    b: &'b [u8],
    i: usize,
    keep: bool,
    comments: Vec<TextRange>,
    /// On failure: the starts of the displays open at the failing byte.
    open: Vec<usize>,
}

type Res = Result<Lit, ()>;

impl<'b> Parser<'b> {
    fn new(b: &'b [u8], keep: bool) -> Self {
        Parser {
            b,
            i: 0,
            keep,
            comments: Vec::new(),
            open: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) -> Result<(), ()> {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' => self.i += 1,
                b'#' => {
                    // tree-sitter's comment token keeps a `\r` before the `\n`
                    let end = self.b[self.i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(self.b.len(), |n| self.i + n);
                    self.comments.push(TextRange::from_usize(self.i..end));
                    self.i = end;
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Res {
        if depth > MAX_DEPTH {
            return Err(());
        }
        self.skip_ws()?;
        let start = self.i;
        match self.peek().ok_or(())? {
            b'(' | b'[' | b'{' => self.display(depth),
            b'-' | b'+' => {
                self.i += 1;
                // `- 1` is one unary operator; no comment inside
                while matches!(self.peek(), Some(b' ' | b'\t')) {
                    self.i += 1;
                }
                match self.peek() {
                    Some(c) if c.is_ascii_digit() => {
                        self.number()?;
                        Ok(Lit::Signed(TextRange::from_usize(start..self.i)))
                    }
                    _ => Err(()),
                }
            }
            c if c.is_ascii_digit() => self.number(),
            b'T' | b'F' | b'N' => {
                for (word, lit) in [
                    (&b"True"[..], Lit::True as fn(TextRange) -> Lit),
                    (b"False", Lit::False),
                    (b"None", Lit::None),
                ] {
                    if self.b[start..].starts_with(word) && !self.ident_at(start + word.len()) {
                        self.i = start + word.len();
                        return Ok(lit(TextRange::from_usize(start..self.i)));
                    }
                }
                Err(())
            }
            _ => self.strings(),
        }
    }

    fn ident_at(&self, j: usize) -> bool {
        self.b
            .get(j)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 || c == b'.')
    }

    fn digits(&mut self) -> Result<(), ()> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Err(());
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() {
                self.i += 1;
            } else if c == b'_' && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
                self.i += 2;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// `123`, `1_000`, `1.5`, `2.5e-3`, `1e5` (no hex, octal, complex, `1.`).
    fn number(&mut self) -> Res {
        let start = self.i;
        self.digits()?;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digits()?;
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.digits()?;
            float = true;
        }
        if self.ident_at(self.i) {
            return Err(());
        }
        let r = TextRange::from_usize(start..self.i);
        Ok(if float { Lit::Float(r) } else { Lit::Int(r) })
    }

    /// One string or an implicit concatenation of strings.
    fn strings(&mut self) -> Res {
        let start = self.i;
        let mut parts = Vec::new();
        loop {
            parts.push(self.string()?);
            let after = self.i;
            let comments = self.comments.len();
            self.skip_ws()?;
            if !self.at_string() {
                // the whitespace (and comments) after belong to the container
                self.i = after;
                self.comments.truncate(comments);
                break;
            }
        }
        if !self.keep {
            parts = Vec::new();
        }
        Ok(Lit::Str(TextRange::from_usize(start..self.i), parts))
    }

    fn at_string(&self) -> bool {
        let mut j = self.i;
        while j < self.b.len() && j - self.i < 2 && matches!(self.b[j] | 0x20, b'r' | b'b' | b'u') {
            j += 1;
        }
        matches!(self.b.get(j), Some(b'"' | b'\''))
    }

    /// A string with an optional `r`, `u`, `b`, `rb` or `br` prefix.
    fn string(&mut self) -> Result<TextRange, ()> {
        let start = self.i;
        let mut j = start;
        while j < self.b.len() && matches!(self.b[j] | 0x20, b'r' | b'b' | b'u') {
            j += 1;
        }
        let prefix = self.b[start..j].to_ascii_lowercase();
        if !matches!(prefix.as_slice(), b"" | b"r" | b"u" | b"b" | b"rb" | b"br") {
            return Err(());
        }
        let q = *self.b.get(j).ok_or(())?;
        if !matches!(q, b'"' | b'\'') {
            return Err(());
        }
        let triple = self.b.get(j + 1) == Some(&q) && self.b.get(j + 2) == Some(&q);
        let end = strings::skip_string(self.b, j);
        let closed = if triple {
            end >= j + 6 && self.b[end - 3..end] == [q, q, q]
        } else {
            end >= j + 2 && self.b[end - 1] == q
        };
        if !closed {
            return Err(());
        }
        self.i = end;
        Ok(TextRange::from_usize(start..end))
    }

    fn display(&mut self, depth: usize) -> Res {
        let start = self.i;
        let open = self.b[start];
        let close = match open {
            b'(' => b')',
            b'[' => b']',
            _ => b'}',
        };
        self.i += 1;
        let comments_before = self.comments.len();
        let mut items = Vec::new();
        let (mut count, mut comma, mut dict) = (0usize, false, None::<bool>);
        let result = (|| -> Result<(), ()> {
            loop {
                self.skip_ws()?;
                match self.peek().ok_or(())? {
                    c if c == close => {
                        self.i += 1;
                        return Ok(());
                    }
                    b')' | b']' | b'}' => return Err(()),
                    _ => {}
                }
                let item = self.value(depth + 1)?;
                count += 1;
                self.skip_ws()?;
                if open == b'{' {
                    let is_pair = self.peek() == Some(b':');
                    if *dict.get_or_insert(is_pair) != is_pair {
                        return Err(());
                    }
                    if is_pair {
                        self.i += 1;
                        self.value(depth + 1)?;
                        self.skip_ws()?;
                    }
                }
                if self.keep && dict != Some(true) {
                    items.push(item);
                }
                match self.peek().ok_or(())? {
                    b',' => {
                        self.i += 1;
                        comma = true;
                    }
                    c if c == close => {}
                    _ => return Err(()),
                }
            }
        })();
        if result.is_err() {
            self.open.push(start);
            return Err(());
        }
        let r = TextRange::from_usize(start..self.i);
        Ok(match open {
            b'(' if count == 1 && !comma => {
                // `( # c` puts the comment first: the model reads no value
                if self.comments.len() > comments_before {
                    self.open.push(start);
                    return Err(());
                }
                let inner = match items.pop() {
                    Some(item) => item,
                    None => Lit::Dict(r),
                };
                Lit::Paren(r, Box::new(inner))
            }
            b'(' => Lit::Tuple(r, items),
            b'[' => Lit::List(r, items),
            _ if dict == Some(false) => Lit::Set(r, items),
            _ => Lit::Dict(r),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(src: &str) -> Vec<&str> {
        find(src, 0).0.iter().map(|r| &src[r.as_usize()]).collect()
    }

    #[test]
    fn only_whole_literal_operands() {
        assert_eq!(
            regions("x = [1, 'a', (2, 3)]\ny = f([{'a': None}], -1)\n"),
            vec!["[1, 'a', (2, 3)]", "[{'a': None}]"]
        );
        // comparisons, operators, subscripts, calls, f-strings, names
        assert!(regions("if x == [1, 2]: pass\n").is_empty());
        assert!(regions("x = [1, 2] + y\n").is_empty());
        assert!(regions("x = a[1, 2]\nx = f(1, 2)\n").is_empty());
        assert!(regions("x = [f'{a}', 1]\nx = [a, 1]\nx = (1)\n").is_empty());
        assert!(regions("x = [1, 2].index(1)\nx = [0x1, 1j]\n").is_empty());
        // inner displays qualify when the outer one does not
        assert_eq!(regions("x = [a, [1, 2]]\n"), vec!["[1, 2]"]);
    }

    #[test]
    fn lits_read_back() {
        let src = "x = (1, -2.5, 'a' \"b\", {1, 2}, {'k': [v]}, (None,), (True))\n";
        // `[v]` inside the dict spoils the outer display
        assert_eq!(regions(src), vec!["{1, 2}", "(None,)"]);
        let src = "x = (1, -2.5, 'a' \"b\", {1, 2}, {'k': 3}, (None,), (True))\n";
        let (r, _) = find(src, 0);
        assert_eq!(r.len(), 1);
        let regions = Regions {
            src,
            ranges: r.clone(),
        };
        let lit = regions
            .lit_at(r[0].start() as usize, r[0].end() as usize)
            .unwrap();
        let Lit::Tuple(_, items) = lit else {
            panic!("{lit:?}")
        };
        let kinds: Vec<&str> = items
            .iter()
            .map(|l| match l {
                Lit::Int(_) => "int",
                Lit::Signed(_) => "signed",
                Lit::Str(_, p) if p.len() == 2 => "concat",
                Lit::Set(_, s) if s.len() == 2 => "set",
                Lit::Dict(_) => "dict",
                Lit::Tuple(_, t) if t.len() == 1 => "tuple",
                Lit::Paren(_, inner) if matches!(**inner, Lit::True(_)) => "paren",
                _ => "?",
            })
            .collect();
        assert_eq!(
            kinds,
            ["int", "signed", "concat", "set", "dict", "tuple", "paren"]
        );
    }
}
