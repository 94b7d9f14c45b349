//! Suppression comments, applied after every rule has run (rules never
//! know about them):
//!
//! - `# miglint: ignore[ML201, ML2]` at the end of a line, or alone on the
//!   line above; it covers the whole operation call that line belongs to;
//! - `# noqa: ML201` the same way (codes of other tools are left alone);
//! - `# miglint: file-ignore[ML4]` anywhere: the whole file.
//!
//! Unknown codes and suppressions that suppressed nothing are reported as
//! ML904 (unused-suppression), with a fix that deletes them.

use miglint_diagnostics::{Applicability, Diagnostic, Edit, Fix, LineIndex, SourceFile, TextRange};
use miglint_python::Module;

use crate::registry::RULES;
use crate::rules::ml904_unused_suppression::UnusedSuppression;
use crate::selection::Selector;

#[derive(Debug, Clone)]
pub struct CodeRef {
    pub text: String,
    pub range: TextRange,
    pub selector: Option<Selector>,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// 0-based inclusive line span.
    Lines(usize, usize),
    File,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    pub comment: TextRange,
    pub scope: Scope,
    pub codes: Vec<CodeRef>,
}

/// Finds the suppression comments of a file.
/// The file's lines are indexed on the first directive (most files have
/// none).
pub fn parse(file: &SourceFile, module: &Module) -> Vec<Suppression> {
    let source: &str = &file.text;
    // the ops' line spans, indexed on the first line-scoped directive
    // (most files have none)
    let mut cover: Option<OpCover> = None;
    let mut out = Vec::new();
    for &range in &module.comments {
        let text = &source[range.as_usize()];
        let Some((kind, codes)) = directive(text, range.start()) else {
            continue;
        };
        let index = file.line_index();
        let line = index.line_of(range.start());
        let line_start = index.line_start(line) as usize;
        let own_line = source[line_start..range.start() as usize].trim().is_empty();
        let scope = match kind {
            Kind::File => Scope::File,
            Kind::Line => {
                let target = if own_line {
                    next_code_line(source, index, line)
                } else {
                    line
                };
                let (a, b) = cover
                    .get_or_insert_with(|| OpCover::new(module, index))
                    .cover(target);
                Scope::Lines(a, b)
            }
        };
        out.push(Suppression {
            comment: range,
            scope,
            codes,
        });
    }
    out
}

/// The 0-based line spans of a module's ops, for "the lines of every op
/// that holds this line" in O(log ops) per question.
struct OpCover {
    /// `(first, last)` line of each op, sorted by first line.
    spans: Vec<(usize, usize)>,
    /// `reach[k]`: the largest last line among `spans[..=k]`.
    reach: Vec<usize>,
}

impl OpCover {
    fn new(module: &Module, index: &LineIndex) -> Self {
        OpCover::from_spans(
            module
                .ops
                .iter()
                .map(|op| {
                    (
                        index.line_of(op.range.start()),
                        index.line_of(op.range.end().saturating_sub(1).max(op.range.start())),
                    )
                })
                .collect(),
        )
    }

    fn from_spans(mut spans: Vec<(usize, usize)>) -> Self {
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |max, &(_, b)| {
                *max = b.max(*max);
                Some(*max)
            })
            .collect();
        OpCover { spans, reach }
    }

    /// The union of `line` and the spans of the ops that hold it. The ops
    /// that hold it start at or before it; among those, the first (by
    /// start) that reaches it is the first whose running `reach` does, and
    /// the furthest end is that running `reach`.
    fn cover(&self, line: usize) -> (usize, usize) {
        let started = self.spans.partition_point(|&(a, _)| a <= line);
        if started == 0 || self.reach[started - 1] < line {
            return (line, line);
        }
        let first = self.reach[..started].partition_point(|&r| r < line);
        (
            self.spans[first].0.min(line),
            self.reach[started - 1].max(line),
        )
    }
}

enum Kind {
    Line,
    File,
}

/// The first line after `line` that is not blank or a comment.
fn next_code_line(source: &str, index: &LineIndex, line: usize) -> usize {
    let mut l = line + 1;
    while l < index.line_count() {
        let start = index.line_start(l) as usize;
        let end = if l + 1 < index.line_count() {
            index.line_start(l + 1) as usize
        } else {
            source.len()
        };
        let t = source[start..end].trim();
        if !t.is_empty() && !t.starts_with('#') {
            return l;
        }
        l += 1;
    }
    line + 1
}

/// Parses one comment. `base` is its file offset.
fn directive(comment: &str, base: u32) -> Option<(Kind, Vec<CodeRef>)> {
    // a comment may hold several directives (`# type: ignore  # noqa: ML201`)
    let lower = comment.to_ascii_lowercase();
    for (needle, kind) in [
        ("miglint: ignore[", Kind::Line),
        ("miglint: file-ignore[", Kind::File),
    ] {
        if let Some(pos) = lower.find(needle) {
            let open = pos + needle.len();
            let close = comment[open..]
                .find(']')
                .map_or(comment.len(), |c| open + c);
            return Some((
                kind,
                codes(&comment[open..close], base + open as u32, false),
            ));
        }
    }
    let pos = lower.find("noqa:")?;
    let start = pos + "noqa:".len();
    let end = comment[start..]
        .find('#')
        .map_or(comment.len(), |e| start + e);
    let codes = codes(&comment[start..end], base + start as u32, true);
    (!codes.is_empty()).then_some((Kind::Line, codes))
}

/// Splits a code list on commas/whitespace. With `only_ours`, codes of
/// other tools (not `ML...`) are skipped.
fn codes(list: &str, base: u32, only_ours: bool) -> Vec<CodeRef> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in list.split(|c: char| c == ',' || c.is_whitespace()) {
        let at = offset;
        offset += piece.len() + 1;
        if piece.is_empty() || (only_ours && !piece.starts_with("ML")) {
            continue;
        }
        if only_ours && !piece[2..].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        out.push(CodeRef {
            text: piece.to_string(),
            range: TextRange::from_usize(base as usize + at..base as usize + at + piece.len()),
            selector: Selector::parse(piece),
            used: false,
        });
    }
    out
}

/// Removes suppressed diagnostics, marking the codes that were used.
pub fn apply(diags: &mut Vec<Diagnostic>, sups: &mut [Suppression], file: &SourceFile) {
    if sups.is_empty() {
        return;
    }
    let index = file.line_index();
    let scopes = ScopeIndex::new(sups);
    let mut applying = Vec::new();
    diags.retain(|d| {
        let Some(meta) = RULES.iter().map(|r| r.meta()).find(|m| m.code == d.code) else {
            return true;
        };
        let line = index.line_of(d.range.start());
        scopes.applying(line, &mut applying);
        let mut suppressed = false;
        for &i in &applying {
            for code in &mut sups[i].codes {
                if code.selector.as_ref().is_some_and(|s| s.matches(meta)) {
                    code.used = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
}

/// Which suppressions apply to a line, without a look at every one of them
/// per finding: the file-wide ones, and the line spans sorted by first line
/// with the running furthest last line (only spans that start at or before
/// the line and whose running reach gets to it are looked at).
struct ScopeIndex {
    file: Vec<usize>,
    /// `(first, last, suppression)`, sorted.
    lines: Vec<(usize, usize, usize)>,
    reach: Vec<usize>,
}

impl ScopeIndex {
    fn new(sups: &[Suppression]) -> Self {
        let mut file = Vec::new();
        let mut lines = Vec::new();
        for (i, sup) in sups.iter().enumerate() {
            match sup.scope {
                Scope::File => file.push(i),
                Scope::Lines(a, b) => lines.push((a, b, i)),
            }
        }
        lines.sort_unstable();
        let reach = lines
            .iter()
            .scan(0, |max, &(_, b, _)| {
                *max = b.max(*max);
                Some(*max)
            })
            .collect();
        ScopeIndex { file, lines, reach }
    }

    /// The suppressions that apply to `line`, into `out` (cleared first).
    fn applying(&self, line: usize, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.file);
        let started = self.lines.partition_point(|&(a, _, _)| a <= line);
        let first = self.reach[..started].partition_point(|&r| r < line);
        out.extend(
            self.lines[first..started]
                .iter()
                .filter(|&&(_, b, _)| line <= b)
                .map(|&(_, _, i)| i),
        );
    }
}

/// ML904 diagnostics for unknown codes, and for unused codes of rules that
/// ran on this file (`ran(code)`).
pub fn unused(
    sups: &[Suppression],
    source: &str,
    ran: impl Fn(&Selector) -> bool,
) -> Vec<Diagnostic> {
    let meta = crate::rule::Rule::meta(&UnusedSuppression);
    let mut out = Vec::new();
    for sup in sups {
        let all_unused = sup.codes.iter().all(|c| !c.used);
        for code in &sup.codes {
            if code.used {
                continue;
            }
            let (message, help) = match &code.selector {
                None => (
                    format!("unknown rule code `{}` in suppression comment", code.text),
                    match crate::selection::suggest(&code.text) {
                        Some(s) => format!("did you mean `{s}`? `miglint rules` lists every rule"),
                        None => String::from("`miglint rules` lists every rule"),
                    },
                ),
                Some(sel) if ran(sel) => (
                    format!("unused suppression: no `{}` finding here", code.text),
                    String::from("remove it, or it will hide a future finding on this line"),
                ),
                Some(_) => continue,
            };
            let fix = if all_unused
                && sup.codes.len() == 1
                && only_directive(source, sup.comment, code.range)
            {
                Fix {
                    applicability: Applicability::Safe,
                    message: String::from("remove the suppression comment"),
                    edits: vec![Edit {
                        range: widen_left(source, sup.comment),
                        content: String::new(),
                    }],
                }
            } else {
                Fix {
                    applicability: Applicability::Safe,
                    message: format!("remove `{}`", code.text),
                    edits: vec![Edit {
                        range: code_with_separator(source, code.range),
                        content: String::new(),
                    }],
                }
            };
            out.push(meta.diag(code.range, message).with_help(help).with_fix(fix));
        }
    }
    out
}

/// Whether the comment holds nothing but our directive with this one code
/// (so that deleting the comment deletes nothing of other tools').
fn only_directive(source: &str, comment: TextRange, code: TextRange) -> bool {
    let before = &source[comment.start() as usize..code.start() as usize];
    let after = &source[code.end() as usize..comment.end() as usize];
    let rest = format!("{before}{after}").to_ascii_lowercase();
    let squeezed: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        squeezed.as_str(),
        "#miglint:ignore[]" | "#miglint:file-ignore[]" | "#noqa:"
    )
}

/// The comment plus the spaces before it on its line.
fn widen_left(source: &str, r: TextRange) -> TextRange {
    let before = &source[..r.start() as usize];
    let trimmed = before.trim_end_matches([' ', '\t']);
    TextRange::from_usize(trimmed.len()..r.end() as usize)
}

/// A code plus a following (or else preceding) `, ` separator.
fn code_with_separator(source: &str, r: TextRange) -> TextRange {
    let after = &source[r.end() as usize..];
    let sep = after.len() - after.trim_start_matches([',', ' ']).len();
    if sep > 0 && after.starts_with([',', ' ']) && !after[sep..].starts_with([']', '\n']) {
        return TextRange::from_usize(r.start() as usize..r.end() as usize + sep);
    }
    let before = &source[..r.start() as usize];
    let trimmed = before.trim_end_matches([',', ' ']);
    TextRange::from_usize(trimmed.len()..r.end() as usize)
}

#[cfg(test)]
mod tests {
    use super::{OpCover, Scope, ScopeIndex, Suppression};
    use miglint_diagnostics::TextRange;

    /// The suppressions found to apply to a line are those a scan of every
    /// suppression finds.
    #[test]
    fn scope_index_agrees_with_a_scan() {
        let scopes = [
            Scope::Lines(3, 9),
            Scope::File,
            Scope::Lines(4, 4),
            Scope::Lines(0, 2),
            Scope::Lines(4, 12),
            Scope::Lines(20, 21),
            Scope::Lines(5, 6),
        ];
        let sups: Vec<Suppression> = scopes
            .iter()
            .map(|scope| Suppression {
                comment: TextRange::new(0, 0),
                scope: scope.clone(),
                codes: Vec::new(),
            })
            .collect();
        let index = ScopeIndex::new(&sups);
        let mut found = Vec::new();
        for line in 0..25 {
            index.applying(line, &mut found);
            found.sort_unstable();
            let scan: Vec<usize> = (0..sups.len())
                .filter(|&i| match sups[i].scope {
                    Scope::File => true,
                    Scope::Lines(a, b) => a <= line && line <= b,
                })
                .collect();
            assert_eq!(found, scan, "line {line}");
        }
    }

    /// The indexed cover agrees with a scan of every op, on nested,
    /// overlapping, touching and disjoint spans.
    #[test]
    fn cover_agrees_with_a_scan() {
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let n = next(12);
            let spans: Vec<(usize, usize)> = (0..n)
                .map(|_| {
                    let a = next(30);
                    (a, a + next(8))
                })
                .collect();
            let cover = OpCover::from_spans(spans.clone());
            for line in 0..40 {
                let scan = spans
                    .iter()
                    .filter(|(a, b)| *a <= line && line <= *b)
                    .fold((line, line), |(lo, hi), (a, b)| (lo.min(*a), hi.max(*b)));
                assert_eq!(cover.cover(line), scan, "{spans:?} line {line}");
            }
        }
    }
}
