//! One huge `upgrade()` parsed in pieces, on several threads (issue 15: a
//! generated 2 MB revision with one 39,000-statement function spent most
//! of its run in one serial tree-sitter parse, with the other cores idle).
//!
//! The body of the largest `upgrade*`/`downgrade*` function is cut at
//! statement boundaries (lines at the body's own indentation, found by the
//! lexical pre-pass, see [`crate::limits::precheck_lines`]). Each piece is
//! parsed with tree-sitter's *included ranges*, so every node keeps its
//! byte offset in the whole file:
//! - the first tree sees the file without the later pieces (the function
//!   ends at the first cut);
//! - each later tree sees the function's header line and its piece only.
//!
//! The pieces are kept only when every tree is free of errors and each
//! piece's statements start and end where the cuts say; otherwise (a cut
//! inside a string the pre-pass misread, an `else:` on a cut line, a
//! broken file) the file is parsed whole, as before. Extraction then reads
//! the later pieces' statements as the rest of the first tree's function
//! body (see [`Cont`]), so the model is the one a whole parse gives; tests
//! compare the two on every fixture, cut everywhere it can be.

use std::ops::Range;

use tree_sitter::{Node, Point, Tree};

use crate::kinds::{NamedChildren, kinds};
use crate::limits::{LogicalLine, Refusal};

/// A function body under this many bytes is parsed whole.
pub(crate) const SPLIT_MIN_BYTES: usize = 256 * 1024;
/// No piece is cut smaller than this many bytes.
pub(crate) const PIECE_MIN_BYTES: usize = 128 * 1024;
/// At most this many pieces (and no more than the rayon pool's threads).
pub(crate) const MAX_PIECES: usize = 16;

/// Where one function's body is cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The start of the `def` (or `async def`) line: the
    /// `function_definition` node's start.
    def_start: usize,
    /// The header's logical line, its newline included.
    header: Range<usize>,
    /// Where each later piece starts (a line start), ascending.
    cuts: Vec<usize>,
    /// The first byte of each cut line's statement.
    firsts: Vec<usize>,
    /// The first byte of each piece's last statement (the first tree's
    /// piece, then one per cut): its function must reach it.
    lasts: Vec<usize>,
    /// The end of the function: the start of the next line at indentation
    /// 0 (or the end of the text).
    resume: usize,
}

/// Sizes for [`plan`] (the tests cut small files).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub body_min: usize,
    pub piece_min: usize,
    pub pieces: usize,
}

/// The cuts of the largest `upgrade*`/`downgrade*` body of at least
/// `sizes.body_min` bytes into at most `sizes.pieces` pieces of at least
/// `sizes.piece_min` bytes; `None` when there is nothing to cut.
pub(crate) fn plan(text: &str, lines: &[LogicalLine], sizes: Sizes) -> Option<Plan> {
    let b = text.as_bytes();
    let mut best: Option<(usize, usize, usize)> = None; // (header line, body end line, bytes)
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let mut j = i + 1;
        while j < lines.len() && lines[j].width > 0 {
            j += 1;
        }
        // (a comment on the header line would be seen by every piece)
        let is_alembic_function = line.width == 0
            && !b[line.start as usize..line.end as usize].contains(&b'#')
            && def_name(text.get(line.code as usize..).unwrap_or(""))
                .is_some_and(|name| crate::FuncKind::of(name) != crate::FuncKind::Other);
        // a body on lines of its own (not `def upgrade(): pass`)
        if is_alembic_function && j > i + 1 && lines[i + 1].start >= line.end {
            let resume = lines.get(j).map_or(b.len(), |l| l.start as usize);
            let bytes = resume.saturating_sub(line.end as usize);
            if bytes >= sizes.body_min && best.is_none_or(|(_, _, most)| bytes > most) {
                best = Some((i, j, bytes));
            }
        }
        i = j;
    }
    let (h, end, bytes) = best?;
    let body = &lines[h + 1..end];
    let width = body[0].width;
    // a line dedented below the body's first (an IndentationError for
    // CPython) may end the function early in one tree and not in another
    if body.iter().any(|l| l.width < width) {
        return None;
    }
    let n = sizes.pieces.min(bytes / sizes.piece_min.max(1));
    if n < 2 {
        return None;
    }
    let header = lines[h].start as usize..lines[h].end as usize;
    let mut cuts = Vec::new();
    let mut firsts = Vec::new();
    let mut lasts = Vec::new();
    let mut k = 1; // body[0] never starts a later piece
    for piece in 1..n {
        let target = header.end + piece * bytes / n;
        while k < body.len() && (body[k].start as usize) < target {
            k += 1;
        }
        while k < body.len() && !(body[k].width == width && cuttable(b, body[k - 1], body[k])) {
            k += 1;
        }
        if k >= body.len() {
            break;
        }
        cuts.push(body[k].start as usize);
        firsts.push(body[k].code as usize);
        lasts.push(body[k - 1].code as usize);
        k += 1;
    }
    if cuts.is_empty() {
        return None;
    }
    lasts.push(body[body.len() - 1].code as usize);
    let resume = lines.get(end).map_or(b.len(), |l| l.start as usize);
    Some(Plan {
        def_start: lines[h].code as usize,
        header,
        cuts,
        firsts,
        lasts,
        resume,
    })
}

/// The name after `def ` / `async def ` at the start of `code`.
fn def_name(code: &str) -> Option<&str> {
    let rest = code
        .strip_prefix("async")
        .filter(|r| r.starts_with([' ', '\t']))
        .map_or(code, str::trim_start);
    let rest = rest.strip_prefix("def")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

/// Whether a piece may start at `line` (after `prev`): not a clause of the
/// statement before it (`else:`, `except ...:`), not after a decorator,
/// and not right after a comment line (a trailing comment would be placed
/// differently at the end of a piece than in the whole file).
fn cuttable(b: &[u8], prev: LogicalLine, line: LogicalLine) -> bool {
    let code = b.get(line.code as usize..).unwrap_or_default();
    let clause = ["else", "elif", "except", "finally", "case"]
        .iter()
        .any(|kw| {
            code.starts_with(kw.as_bytes())
                && code
                    .get(kw.len())
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        });
    let decorated = b.get(prev.code as usize) == Some(&b'@');
    let gap = b
        .get(prev.end as usize..line.start as usize)
        .unwrap_or_default();
    let only_blank = gap
        .iter()
        .all(|c| matches!(c, b' ' | b'\t' | b'\x0c' | b'\n' | b'\r'));
    !clause && !decorated && only_blank && prev.end <= line.start
}

/// The byte ranges each tree sees: the first tree, then one per cut.
fn piece_ranges(plan: &Plan, len: usize) -> Vec<Vec<Range<usize>>> {
    let mut out = Vec::with_capacity(plan.cuts.len() + 1);
    let mut first = Vec::with_capacity(2);
    first.push(0..plan.cuts[0]);
    if plan.resume < len {
        first.push(plan.resume..len);
    }
    out.push(first);
    for (i, &cut) in plan.cuts.iter().enumerate() {
        let end = plan.cuts.get(i + 1).copied().unwrap_or(plan.resume);
        out.push(vec![plan.header.clone(), cut..end]);
    }
    out
}

/// tree-sitter's range for `bytes` of `text`.
fn ts_range(text: &[u8], bytes: Range<usize>) -> tree_sitter::Range {
    tree_sitter::Range {
        start_byte: bytes.start,
        end_byte: bytes.end,
        start_point: point(text, bytes.start),
        end_point: point(text, bytes.end),
    }
}

/// The row and column (in bytes) of `offset`, as tree-sitter counts them.
fn point(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset.min(text.len())];
    let row = before.iter().filter(|&&c| c == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    Point {
        row,
        column: before.len() - line_start,
    }
}

/// The trees of `plan`'s pieces, parsed in parallel (each within `parse`'s
/// budget): `Ok(None)` when they do not fit together (see the module
/// docs), and the file is to be parsed whole.
pub(crate) fn parse_pieces(
    text: &str,
    plan: &Plan,
    parse: impl Fn(&[tree_sitter::Range]) -> Result<Option<Tree>, Refusal> + Sync,
) -> Result<Option<(Tree, Vec<Tree>)>, Refusal> {
    use rayon::prelude::*;
    let b = text.as_bytes();
    let ranges: Vec<Vec<tree_sitter::Range>> = piece_ranges(plan, b.len())
        .into_iter()
        .map(|piece| piece.into_iter().map(|r| ts_range(b, r)).collect())
        .collect();
    let trees: Vec<Result<Option<Tree>, Refusal>> = ranges.par_iter().map(|r| parse(r)).collect();
    let trees = trees
        .into_iter()
        .collect::<Result<Vec<Option<Tree>>, Refusal>>()?;
    let Some(mut trees) = trees.into_iter().collect::<Option<Vec<Tree>>>() else {
        return Ok(None);
    };
    let first = trees.remove(0);
    // each tree's function holds its whole piece: from the cut (or the
    // body's start) to the piece's last statement, and nothing after it
    // but comments
    let fits = !first.root_node().has_error()
        && trees.iter().all(|t| !t.root_node().has_error())
        && function_at(first.root_node(), plan.def_start)
            .and_then(body)
            .is_some_and(|b| b.end_byte() <= plan.cuts[0] && b.end_byte() > plan.lasts[0])
        && trees.iter().enumerate().all(|(i, t)| {
            let end = plan.cuts.get(i + 1).copied().unwrap_or(plan.resume);
            let root = t.root_node();
            let Some(def) = function_at(root, plan.def_start) else {
                return false;
            };
            let comment = kinds().comment;
            let mut c = root.walk();
            let only_comments_after = root
                .children(&mut c)
                .filter(|n| n.start_byte() >= def.end_byte())
                .all(|n| n.kind_id() == comment);
            only_comments_after
                && body(def).is_some_and(|b| {
                    b.end_byte() <= end
                        && b.end_byte() > plan.lasts[i + 1]
                        && NamedChildren::new(b)
                            .next()
                            .is_some_and(|s| s.start_byte() == plan.firsts[i])
                })
        });
    Ok(fits.then_some((first, trees)))
}

/// The module-level `function_definition` starting at `start` (inside a
/// decorated definition too).
fn function_at(root: Node<'_>, start: usize) -> Option<Node<'_>> {
    let k = kinds();
    NamedChildren::new(root).find_map(|stmt| {
        let def = if stmt.kind_id() == k.decorated_definition {
            stmt.child_by_field_id(crate::kinds::fields().definition)?
        } else {
            stmt
        };
        (def.kind_id() == k.function_definition && def.start_byte() == start).then_some(def)
    })
}

fn body(def: Node<'_>) -> Option<Node<'_>> {
    def.child_by_field_id(crate::kinds::fields().body)
}

/// What extraction reads from the later pieces: the rest of one function
/// body of the first tree.
pub(crate) struct Cont<'t> {
    /// The first tree's `function_definition` of the cut function.
    pub def: usize,
    /// Its body block (the node id).
    pub block: usize,
    /// Each later piece's body block.
    pub blocks: Vec<Node<'t>>,
    /// The nodes of the later pieces' trees after their function (comments
    /// before the next top-level statement), in order.
    pub trailing: Vec<Node<'t>>,
    /// Where the whole function ends (its last piece's end).
    pub end: usize,
}

impl<'t> Cont<'t> {
    /// The continuation of `first`'s function at `def_start` in `pieces`;
    /// `None` when they were not cut from it (see [`parse_pieces`]).
    pub fn new(first: &'t Tree, pieces: &'t [Tree], def_start: usize) -> Option<Self> {
        if pieces.is_empty() {
            return None;
        }
        let def = function_at(first.root_node(), def_start)?;
        let block = body(def)?;
        let mut blocks = Vec::with_capacity(pieces.len());
        let mut trailing = Vec::new();
        let mut end = def.end_byte();
        for piece in pieces {
            let root = piece.root_node();
            let piece_def = function_at(root, def_start)?;
            blocks.push(body(piece_def)?);
            end = piece_def.end_byte();
            let mut c = root.walk();
            trailing.extend(
                root.children(&mut c)
                    .filter(|n| n.start_byte() >= piece_def.end_byte()),
            );
        }
        Some(Cont {
            def: def.id(),
            block: block.id(),
            blocks,
            trailing,
            end,
        })
    }

    /// The later pieces' statements, in order.
    pub fn statements(&self) -> impl Iterator<Item = Node<'t>> + '_ {
        self.blocks.iter().flat_map(|b| NamedChildren::new(*b))
    }
}

impl Plan {
    pub fn def_start(&self) -> usize {
        self.def_start
    }
}
