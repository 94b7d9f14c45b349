//! Partial re-extraction for the language server (issue 12, latency): what
//! each statement of a module-level function's body contributed to the
//! model is kept between parses of an edited buffer, and a statement whose
//! text (and column) is unchanged, run in the same scope, contributes it
//! again, its spans shifted, without walking its subtree. Only the
//! statements the edit touched are extracted again.
//!
//! Why this gives the model of a fresh extraction: a statement's
//! contributions (its ops, its calls of plain names, the scope it leaves,
//! whether control falls through it; its comments, identifiers and dialect
//! mentions) are computed from its own subtree and the scope it starts in,
//! nothing else; in a tree without syntax errors that subtree is the parse
//! of the statement's text at its column. Trees with errors, and files
//! with hidden data displays (their values are read from the source, not
//! the tree), are extracted in full.

use miglint_diagnostics::{DialectSet, TextRange};
use tree_sitter::Node;

use super::{Extractor, Scope};
use crate::mentions::Mentions;
use crate::model::*;
use crate::strings::Offsets;

/// What the statements of the last extraction of one buffer contributed,
/// by statement text.
#[derive(Default)]
pub(crate) struct Memo {
    /// The extraction that built or used an entry last (the others are
    /// dropped at its end).
    generation: u64,
    stmts: foldhash::HashMap<Box<str>, Entry>,
}

#[derive(Default)]
struct Entry {
    trivia: Option<Trivia>,
    /// One per scope the statement ran in.
    pieces: Vec<Piece>,
}

/// The comments, identifiers and dialect mentions of one statement.
pub(super) struct Trivia {
    generation: u64,
    start: u32,
    column: usize,
    pub comments: Vec<TextRange>,
    pub identifiers: Vec<TextRange>,
    mentions: Vec<DialectMention>,
}

/// What walking one statement did, in one scope.
struct Piece {
    generation: u64,
    start: u32,
    column: usize,
    entry: Scope,
    after: Scope,
    falls: bool,
    ops: Vec<Op>,
    /// `Extractor::calls`, the name as its range.
    calls: Vec<(TextRange, usize, DialectSet, bool, bool)>,
}

/// The memo of the last extraction, being used and updated.
pub(super) struct Reuse {
    memo: Memo,
    /// The ids of the body blocks whose statements are kept.
    pub bodies: Vec<usize>,
}

impl Reuse {
    pub(super) fn new(mut memo: Memo, bodies: Vec<usize>) -> Self {
        memo.generation += 1;
        Reuse { memo, bodies }
    }

    /// The memo of this extraction: what it did not use is dropped.
    pub(super) fn finish(mut self) -> Memo {
        let g = self.memo.generation;
        self.memo.stmts.retain(|_, e| {
            if e.trivia.as_ref().is_some_and(|t| t.generation != g) {
                e.trivia = None;
            }
            e.pieces.retain(|p| p.generation == g);
            e.trivia.is_some() || !e.pieces.is_empty()
        });
        self.memo
    }
}

impl Scope {
    /// The same scope for the statements run in it (the function, the
    /// dialects, the flags, the batch aliases and the names' values).
    fn same(&self, o: &Scope) -> bool {
        self.func == o.func
            && self.dialects == o.dialects
            && self.autocommit == o.autocommit
            && self.in_try == o.in_try
            && self.after_unknown_exit == o.after_unknown_exit
            && self.under_data_guard == o.under_data_guard
            && self.conditional == o.conditional
            && (std::rc::Rc::ptr_eq(&self.batches, &o.batches) || self.batches == o.batches)
            && (std::rc::Rc::ptr_eq(&self.env, &o.env) || self.env == o.env)
    }
}

impl<'s> Extractor<'s> {
    fn offset_of(&self, s: &'s str) -> u32 {
        (s.as_ptr() as usize - self.src.as_ptr() as usize) as u32
    }

    /// The trivia of statement `stmt` of a kept body: the last
    /// extraction's, or found by walking it (and kept).
    pub(super) fn trivia_stmt(&mut self, stmt: Node, mentions: &mut Mentions<'s>) {
        let text = self.text(stmt);
        let start = stmt.start_byte() as u32;
        let column = stmt.start_position().column;
        let reuse = self.reuse.as_mut().expect("only called when reusing");
        let g = reuse.memo.generation;
        let kept = reuse
            .memo
            .stmts
            .get_mut(text)
            .and_then(|e| e.trivia.as_mut())
            .filter(|t| t.column == column);
        if let Some(t) = kept {
            t.generation = g;
            let d = i64::from(start) - i64::from(t.start);
            self.module
                .comments
                .extend(t.comments.iter().map(|&r| shift(r, d)));
            for &r in &t.identifiers {
                let name = self.src.get(shift(r, d).as_usize()).unwrap_or("");
                *self.identifiers.entry(name).or_default() += 1;
            }
            for m in &t.mentions {
                mentions.push_range(m.dialect, m.kind, shift(m.range, d));
            }
            return;
        }
        let mut local = Mentions::new(self.src, self.regions);
        let mut rec = Trivia {
            generation: 0,
            start,
            column,
            comments: Vec::new(),
            identifiers: Vec::new(),
            mentions: Vec::new(),
        };
        self.trivia_walk(stmt, &mut local, Some(&mut rec));
        for m in &local.out {
            mentions.push_range(m.dialect, m.kind, m.range);
        }
        rec.mentions = local.out;
        if let Some(reuse) = &mut self.reuse {
            rec.generation = reuse.memo.generation;
            match reuse.memo.stmts.get_mut(text) {
                Some(e) => e.trivia = Some(rec),
                None => {
                    let e = Entry {
                        trivia: Some(rec),
                        pieces: Vec::new(),
                    };
                    reuse.memo.stmts.insert(text.into(), e);
                }
            }
        }
    }

    /// Statement `stmt` of a kept body run in `scope` (see
    /// [`Extractor::statement`]): the last extraction's contributions when
    /// it had the same statement in the same scope.
    pub(super) fn statement_kept(&mut self, stmt: Node, scope: &mut Scope) -> bool {
        let text = self.text(stmt);
        let start = stmt.start_byte() as u32;
        let column = stmt.start_position().column;
        let reuse = self.reuse.as_mut().expect("only called when reusing");
        let g = reuse.memo.generation;
        let hit = reuse.memo.stmts.get_mut(text).and_then(|e| {
            e.pieces
                .iter_mut()
                .find(|p| p.column == column && p.entry.same(scope))
        });
        if let Some(p) = hit {
            p.generation = g;
            let d = i64::from(start) - i64::from(p.start);
            let falls = p.falls;
            *scope = p.after.clone();
            let mut ops = p.ops.clone();
            let calls: Vec<_> = p
                .calls
                .iter()
                .map(|&(r, f, ds, x, g)| {
                    let name = self.src.get(shift(r, d).as_usize()).unwrap_or("");
                    (name, f, ds, x, g)
                })
                .collect();
            if d != 0 {
                for op in &mut ops {
                    shift_op(op, d);
                }
            }
            self.module.ops.extend(ops);
            self.calls.extend(calls);
            return falls;
        }
        let entry = scope.clone();
        let (ops, calls) = (self.module.ops.len(), self.calls.len());
        let falls = self.statement(stmt, scope, 0);
        let piece = Piece {
            generation: 0,
            start,
            column,
            entry,
            after: scope.clone(),
            falls,
            ops: self.module.ops[ops..].to_vec(),
            calls: self.calls[calls..]
                .iter()
                .map(|&(name, f, ds, x, g)| {
                    let at = self.offset_of(name);
                    (TextRange::new(at, at + name.len() as u32), f, ds, x, g)
                })
                .collect(),
        };
        if let Some(reuse) = &mut self.reuse {
            let piece = Piece {
                generation: reuse.memo.generation,
                ..piece
            };
            match reuse.memo.stmts.get_mut(text) {
                Some(e) => e.pieces.push(piece),
                None => {
                    let e = Entry {
                        trivia: None,
                        pieces: vec![piece],
                    };
                    reuse.memo.stmts.insert(text.into(), e);
                }
            }
        }
        falls
    }
}

fn shift(r: TextRange, d: i64) -> TextRange {
    let at = |x: u32| (i64::from(x) + d) as u32;
    TextRange::new(at(r.start()), at(r.end()))
}

fn shift_op(op: &mut Op, d: i64) {
    op.name_range = shift(op.name_range, d);
    op.range = shift(op.range, d);
    if let Receiver::Batch(b) = &mut op.receiver {
        b.range = shift(b.range, d);
        if let Some(t) = &mut b.table {
            t.range = shift(t.range, d);
        }
    }
    shift_args(&mut op.args, &mut op.kwargs, d);
}

fn shift_args(args: &mut [Expr], kwargs: &mut [Keyword], d: i64) {
    for_each_arg_mut(args, kwargs, &mut Shift(d));
}

/// Shifts every span of an expression tree by a byte delta.
struct Shift(i64);

impl ExprVisitorMut for Shift {
    fn expr(&mut self, e: &mut Expr) {
        let d = self.0;
        e.range = shift(e.range, d);
        if let ExprKind::Str(s) = &mut e.kind {
            match &mut s.map {
                Offsets::Linear { start, .. } => *start = (i64::from(*start) + d) as u32,
                Offsets::Full(v) => {
                    for x in v.iter_mut() {
                        *x = (i64::from(*x) + d) as u32;
                    }
                }
            }
        }
    }

    fn keywords(&mut self, list: &mut [Keyword]) {
        for k in list.iter_mut() {
            k.name_range = shift(k.name_range, self.0);
        }
    }
}
