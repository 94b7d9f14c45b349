//! Guards in front of tree-sitter: a cheap lexical pre-pass that refuses
//! nesting deeper than CPython accepts (tree-sitter-python's external scanner
//! aborts the process on very deep indentation), and the parse time budget.
//!
//! # Why these limits
//!
//! tree-sitter-python 0.25's scanner serialises its state into tree-sitter's
//! 1,024-byte buffer: 2 bytes, then one byte per open string delimiter (at
//! most 255), then 2 bytes per indentation level. When a string is open the
//! size is odd, so at about 510 levels the loop writes one byte past the
//! buffer and `ts_parser__external_scanner_serialize` asserts
//! `length <= TREE_SITTER_SERIALIZATION_BUFFER_SIZE`: SIGABRT. The scanner
//! is safe while `2 + 255 + 2 * levels <= 1023`, i.e. up to 383 levels.
//!
//! CPython itself refuses much less: 100 levels of indentation
//! (`IndentationError: too many levels of indentation`, the tokenizer's
//! `MAXINDENT`) and 200 nested brackets (`SyntaxError: too many nested
//! parentheses`, `MAXLEVEL`). A file beyond those cannot be imported by
//! alembic, so refusing it is exact (ML901), and it keeps far below the
//! scanner's limit.
//!
//! The pre-pass tokenises only what it must (strings, comments, brackets,
//! line continuations); as a second, string-blind safety net it also counts
//! the indentation of every physical line and refuses beyond
//! [`MAX_RAW_INDENT_LEVELS`] (never reached by a file CPython accepts with
//! fewer than 100 levels unless hundreds of levels hide inside strings).

use miglint_diagnostics::TextRange;

use crate::strings;

/// CPython's `MAXINDENT` is 100: the 100th level is an error.
pub const MAX_INDENT_LEVELS: usize = 99;
/// CPython's `MAXLEVEL`: 200 nested brackets are fine, 201 are an error.
pub const MAX_BRACKET_DEPTH: usize = 200;
/// The string-blind net: well below the scanner's 383.
pub const MAX_RAW_INDENT_LEVELS: usize = 300;

/// Why a file was not handed to (or not finished by) the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// Where (an empty range at the offending line, or at 0).
    pub range: TextRange,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// CPython refuses the file too: a syntax error (ML901).
    Syntax,
    /// Too expensive to parse: the parse budget ran out (ML905).
    Budget,
}

/// The lexical pre-pass: `Err` when the nesting exceeds CPython's limits
/// (or the raw indentation the parser's scanner can hold); else the ranges
/// of the comments that fill a whole line (outside strings), in order.
pub fn precheck(source: &str) -> Result<Vec<TextRange>, Refusal> {
    precheck_lines(source, None)
}

/// A logical line (a statement's first physical line, continuation lines
/// and bracketed newlines included), as [`precheck_lines`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogicalLine {
    /// The start of its first physical line (column 0).
    pub start: u32,
    /// Its first character, after the indentation.
    pub code: u32,
    /// Its indentation width (tabs to multiples of 8, as CPython).
    pub width: u32,
    /// Just after the newline that ends it (the end of the text if none).
    pub end: u32,
}

/// [`precheck`]; with `lines`, every logical line outside brackets and
/// strings is also pushed there, in order (comment-only and blank lines
/// are none).
pub(crate) fn precheck_lines(
    source: &str,
    mut lines: Option<&mut Vec<LogicalLine>>,
) -> Result<Vec<TextRange>, Refusal> {
    let mut comment_lines = Vec::new();
    let b = source.as_bytes();
    let mut i = 0usize;
    let mut depth = 0usize; // brackets
    let mut indents: Vec<usize> = vec![0];
    let mut raw: Vec<usize> = vec![0];
    let mut line_start = true;
    let mut continuation = false;
    // a recorded logical line has not met its ending newline yet
    let mut open = false;
    while i < b.len() {
        if line_start {
            line_start = false;
            let start = i;
            let mut width = 0usize;
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\x0c') {
                width = match b[i] {
                    b'\t' => (width / 8 + 1) * 8,
                    b'\x0c' => 0,
                    _ => width + 1,
                };
                i += 1;
            }
            let blank = i >= b.len() || matches!(b[i], b'\n' | b'\r' | b'#');
            if b.get(i) == Some(&b'#') {
                let end = b[i..]
                    .iter()
                    .position(|&c| matches!(c, b'\n' | b'\r'))
                    .map_or(b.len(), |n| i + n);
                comment_lines.push(TextRange::new(i as u32, end as u32));
            }
            if !blank {
                push_level(&mut raw, width);
                if raw.len() - 1 > MAX_RAW_INDENT_LEVELS {
                    return Err(too_deep_indent(start));
                }
                if depth == 0 && !continuation {
                    push_level(&mut indents, width);
                    if indents.len() - 1 > MAX_INDENT_LEVELS {
                        return Err(too_deep_indent(start));
                    }
                    if let Some(lines) = lines.as_deref_mut() {
                        lines.push(LogicalLine {
                            start: start as u32,
                            code: i as u32,
                            width: width as u32,
                            end: b.len() as u32,
                        });
                        open = true;
                    }
                }
            }
            continuation = false;
            continue;
        }
        match b[i] {
            b'\n' => {
                line_start = true;
                i += 1;
                end_line(&mut lines, &mut open, depth, i);
            }
            b'\r' => {
                line_start = true;
                i += 1;
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                }
                end_line(&mut lines, &mut open, depth, i);
            }
            b'#' => {
                while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'\\' => {
                if matches!(b.get(i + 1), Some(b'\n' | b'\r')) {
                    continuation = true;
                }
                i += 2;
                if b.get(i - 1) == Some(&b'\r') && b.get(i) == Some(&b'\n') {
                    i += 1;
                }
                if continuation {
                    line_start = true;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(Refusal {
                        kind: RefusalKind::Syntax,
                        range: TextRange::empty(i as u32),
                        message: format!(
                            "too many nested parentheses: more than {MAX_BRACKET_DEPTH} open brackets \
                             (CPython: `SyntaxError: too many nested parentheses`)"
                        ),
                    });
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'"' | b'\'' => i = strings::skip_string(b, i),
            _ => i += 1,
        }
    }
    Ok(comment_lines)
}

/// Runs of at least this many whole-line comments (blank lines between them
/// allowed) are hidden from tree-sitter (see [`comment_runs`]).
pub const COMMENT_RUN_HIDDEN: usize = 64;

/// tree-sitter-python's scanner is quadratic on a run of comment lines: at
/// every newline it skips all following comment lines to find the next
/// line's indentation, but consumes none of them (the token it returns is
/// zero-width), so the next newline scans them again. 8,000 comment lines
/// take about 11 s, 16,000 about 49 s. Blank lines do not have the problem
/// (the lexer consumes them).
///
/// So in runs of at least [`COMMENT_RUN_HIDDEN`] whole-line comments the
/// comment bytes are replaced by spaces (same length: every offset stays
/// valid; a whitespace line is what a comment line is to Python), and the
/// hidden comments are added to the model's comments (suppressions still
/// see them). Returns the comments to hide, in order.
pub(crate) fn comment_runs(source: &str, comment_lines: &[TextRange]) -> Vec<TextRange> {
    let b = source.as_bytes();
    let mut hidden = Vec::new();
    let mut start = 0;
    for i in 1..=comment_lines.len() {
        let joined = i < comment_lines.len() && {
            let gap = &b[comment_lines[i - 1].end() as usize..comment_lines[i].start() as usize];
            gap.iter()
                .all(|c| matches!(c, b' ' | b'\t' | b'\x0c' | b'\n' | b'\r'))
        };
        if !joined {
            if i - start >= COMMENT_RUN_HIDDEN {
                hidden.extend_from_slice(&comment_lines[start..i]);
            }
            start = i;
        }
    }
    hidden
}

/// `source` with the bytes of `blank` replaced by spaces (`None`: nothing
/// to blank). Each range covers whole characters.
pub(crate) fn blanked(source: &str, blank: &[TextRange]) -> Option<String> {
    if blank.is_empty() {
        return None;
    }
    let mut out = source.as_bytes().to_vec();
    for r in blank {
        if let Some(bytes) = out.get_mut(r.as_usize()) {
            bytes.fill(b' ');
        }
    }
    // whole characters (UTF-8 sequences included) became ASCII spaces
    String::from_utf8(out).ok()
}

/// A newline at `depth` (brackets) ends the open logical line there, at
/// `at` (just after it).
fn end_line(lines: &mut Option<&mut Vec<LogicalLine>>, open: &mut bool, depth: usize, at: usize) {
    if *open
        && depth == 0
        && let Some(last) = lines.as_deref_mut().and_then(|l| l.last_mut())
    {
        last.end = at as u32;
        *open = false;
    }
}

/// Pops the levels wider than `width`, pushes `width` if it is new.
fn push_level(stack: &mut Vec<usize>, width: usize) {
    while stack.len() > 1 && *stack.last().unwrap_or(&0) > width {
        stack.pop();
    }
    if width > *stack.last().unwrap_or(&0) {
        stack.push(width);
    }
}

fn too_deep_indent(offset: usize) -> Refusal {
    Refusal {
        kind: RefusalKind::Syntax,
        range: TextRange::empty(offset as u32),
        message: format!(
            "too many levels of indentation: more than {MAX_INDENT_LEVELS} nested blocks \
             (CPython: `IndentationError: too many levels of indentation`)"
        ),
    }
}

/// CPU time of the calling thread (the parse budget's clock: on a loaded
/// machine the wall time of a parse grows, its CPU time does not). `None`
/// where the platform has no per-thread CPU clock.
pub(crate) fn thread_cpu_time() -> Option<std::time::Duration> {
    #[cfg(unix)]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_ifs(n: usize, tail: &str) -> String {
        let mut s: String = (0..n)
            .map(|i| format!("{}if 1:\n", " ".repeat(i)))
            .collect();
        s.push_str(&" ".repeat(n));
        s.push_str(tail);
        s
    }

    #[test]
    fn indentation_limit_matches_cpython() {
        // 99 nested blocks compile in CPython 3.11; 100 do not
        assert!(precheck(&nested_ifs(99, "x = 1\n")).is_ok());
        let e = precheck(&nested_ifs(100, "x = 1\n")).unwrap_err();
        assert_eq!(e.kind, RefusalKind::Syntax);
        assert!(e.message.contains("too many levels of indentation"));
        assert!(precheck(&nested_ifs(511, "x = \"a\"")).is_err());
    }

    #[test]
    fn brackets_and_strings() {
        let ok = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
        assert!(precheck(&ok).is_ok());
        let bad = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
        assert!(precheck(&bad).unwrap_err().message.contains("parentheses"));
        // brackets inside strings and comments do not count
        let quoted = format!(
            "x = '{}'  # {}\ny = \"\"\"{}\"\"\"\n",
            "(".repeat(300),
            "[".repeat(300),
            "{".repeat(300)
        );
        assert!(precheck(&quoted).is_ok());
        // indentation inside a triple-quoted string is not a block
        let doc = format!(
            "x = \"\"\"\n{}\"\"\"\n",
            (0..150)
                .map(|i| format!("{}a\n", " ".repeat(i)))
                .collect::<String>()
        );
        assert!(precheck(&doc).is_ok());
        // continuation lines and bracketed lines are not blocks either
        let cont = (0..150)
            .map(|i| format!("{}1 + \\\n", " ".repeat(i)))
            .collect::<String>()
            + "1\n";
        assert!(precheck(&format!("x = {cont}")).is_ok());
    }
}
