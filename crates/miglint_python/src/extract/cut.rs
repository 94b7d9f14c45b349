//! Extraction of a function body cut into pieces (see [`crate::split`]):
//! the later pieces read as the rest of the first tree's body (the trivia
//! walk, the body's statements), and their statements walked in parallel
//! while this thread walks the first tree's part.
//!
//! Each later piece is walked from the scope the body starts in. A
//! piece's ops and calls are kept only when the statements before it
//! leave the scope exactly as it started (no dialect guard, early exit,
//! assignment, `try` or batch context carried over): the serial walk
//! would then have walked it from that same scope. Otherwise the piece is
//! walked again here, from the scope the statements before it left. The
//! model is the serial walk's either way (the statement walk only appends
//! ops and calls; it reads neither).

use std::rc::Rc;

use tree_sitter::Node;

use std::collections::HashMap;

use super::{Extractor, Scope, ScopeOf};
use crate::guards::Env;
use crate::kinds::NamedChildren;
use crate::mentions::Mentions;
use crate::model::{BatchInfo, Op};

/// A [`Scope`] without its shared pointers: it can go to another thread.
type Plain = ScopeOf<HashMap<String, BatchInfo>, Env>;

impl<B, E> ScopeOf<B, E> {
    /// The same scope with its batch contexts and names held by `b` and `e`.
    fn map<B2, E2>(&self, b: impl FnOnce(&B) -> B2, e: impl FnOnce(&E) -> E2) -> ScopeOf<B2, E2> {
        ScopeOf {
            func: self.func,
            dialects: self.dialects,
            autocommit: self.autocommit,
            in_try: self.in_try,
            after_unknown_exit: self.after_unknown_exit,
            under_data_guard: self.under_data_guard,
            conditional: self.conditional,
            batches: b(&self.batches),
            env: e(&self.env),
        }
    }
}

impl Plain {
    fn of(s: &Scope) -> Self {
        s.map(|b| (**b).clone(), |e| (**e).clone())
    }

    fn scope(&self) -> Scope {
        self.map(|b| Rc::new(b.clone()), |e| Rc::new(e.clone()))
    }
}

/// What one piece's statements gave, walked from the body's first scope.
struct Piece<'s> {
    ops: Vec<Op>,
    calls: Vec<super::CallSite<'s>>,
    falls: bool,
    end: Plain,
}

impl<'s> Extractor<'s> {
    /// [`Extractor::trivia_walk`] of the later pieces of a cut body (see
    /// [`crate::split`]).
    pub(super) fn trivia_cont(&mut self, mentions: &mut Mentions<'s>) {
        let Some(cont) = &self.cont else {
            return;
        };
        let nodes: Vec<Node<'s>> = cont.blocks.iter().chain(&cont.trailing).copied().collect();
        for node in nodes {
            self.trivia_walk(node, mentions, None);
        }
    }

    /// Whether `stmt` (a module-level statement) holds the cut function.
    pub(super) fn holds_cont(&self, stmt: Node) -> bool {
        self.cont.as_ref().is_some_and(|c| {
            stmt.id() == c.def
                || stmt
                    .child_by_field_id(crate::kinds::fields().definition)
                    .is_some_and(|d| d.id() == c.def)
        })
    }

    /// The statements of `block`, and when it is a cut body, those of its
    /// later pieces after them (see [`crate::split`]).
    pub(super) fn statements<'b>(
        &self,
        block: Node<'b>,
    ) -> impl Iterator<Item = Node<'b>> + use<'b, 's>
    where
        's: 'b,
    {
        let rest: Vec<Node<'b>> = match &self.cont {
            Some(c) if c.block == block.id() => c.statements().collect(),
            _ => Vec::new(),
        };
        NamedChildren::new(block).chain(rest)
    }

    /// The later pieces' body blocks when `block` is the cut body.
    pub(super) fn cont_pieces(&self, block: Node<'_>) -> Option<Vec<Node<'s>>> {
        self.cont
            .as_ref()
            .filter(|c| c.block == block.id())
            .map(|c| c.blocks.clone())
    }

    /// [`Extractor::block`] of the cut body `block` and its later `pieces`.
    pub(super) fn cut_block(
        &mut self,
        block: Node<'_>,
        pieces: Vec<Node<'s>>,
        scope: &mut Scope,
    ) -> bool {
        let start = Plain::of(scope);
        let (src, regions) = (self.src, self.regions);
        let mut done: Vec<Option<Piece<'s>>> = pieces.iter().map(|_| None).collect();
        let mut falls = rayon::in_place_scope(|s| {
            for (slot, &piece) in done.iter_mut().zip(&pieces) {
                let start = &start;
                s.spawn(move |_| *slot = Some(walk_piece(src, regions, piece, start)));
            }
            self.walk(NamedChildren::new(block), scope, 0)
        });
        for (&piece, done) in pieces.iter().zip(done) {
            if !falls || scope.dialects.is_empty() {
                // as the serial walk: the rest runs on no dialect
                for stmt in NamedChildren::new(piece) {
                    self.record_unreachable_calls(stmt, scope.func);
                }
                falls = false;
                continue;
            }
            match done {
                Some(p) if Plain::of(scope) == start => {
                    self.module.ops.extend(p.ops);
                    self.calls.extend(p.calls);
                    *scope = p.end.scope();
                    falls = p.falls;
                }
                _ => falls = self.walk(NamedChildren::new(piece), scope, 0),
            }
        }
        falls
    }
}

/// One piece's statements walked from `start` by an extractor of its own.
fn walk_piece<'s>(
    src: &'s str,
    regions: &'s crate::data::Regions<'s>,
    block: Node<'s>,
    start: &Plain,
) -> Piece<'s> {
    let mut x = Extractor::new(src, regions);
    let mut scope = start.scope();
    let falls = x.walk(NamedChildren::new(block), &mut scope, 0);
    Piece {
        ops: x.module.ops,
        calls: x.calls,
        falls,
        end: Plain::of(&scope),
    }
}
