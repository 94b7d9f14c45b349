//! Expressions: operation calls and the expression model of their
//! arguments.

use miglint_diagnostics::DialectSet;
use tree_sitter::Node;

use super::{Extractor, MAX_EXPR_DEPTH, MAX_STMT_DEPTH, NOT_OPS, Scope, named_children, range};
use crate::data::Lit;
use crate::kinds::{NamedChildren, fields, kinds};
use crate::model::*;
use crate::strings;

impl<'s> Extractor<'s> {
    /// For `a.b.c(...)`, `c`.
    pub(super) fn call_attr(&self, n: Node) -> Option<&'s str> {
        let (k, fl) = (kinds(), fields());
        if n.kind_id() != k.call {
            return None;
        }
        let func = n.child_by_field_id(fl.function)?;
        if func.kind_id() != k.attribute {
            return None;
        }
        Some(self.text(func.child_by_field_id(fl.attribute)?))
    }

    /// Finds operation calls inside an expression (iteratively); ternaries
    /// on the dialect narrow the dialects of the calls in their arms.
    pub(super) fn scan_expr(&mut self, root: Node, scope: &Scope) {
        let (k, fl) = (kinds(), fields());
        let mut stack: Vec<(Node, DialectSet, usize)> = vec![(root, scope.dialects, 0)];
        let mut cursor = root.walk();
        while let Some((node, dialects, depth)) = stack.pop() {
            if depth > MAX_STMT_DEPTH * 4 {
                continue;
            }
            let id = node.kind_id();
            if id == k.call && self.try_op(node, scope, dialects) {
                continue;
            }
            if id == k.call
                && let Some(func) = node.child_by_field_id(fl.function)
                && func.kind_id() == k.identifier
            {
                self.calls.push((
                    self.text(func),
                    scope.func,
                    dialects,
                    scope.after_unknown_exit,
                    scope.under_data_guard,
                ));
            }
            if id == k.boolean_operator
                && let (Some(left), Some(right), Some(op)) = (
                    node.child_by_field_id(fl.left),
                    node.child_by_field_id(fl.right),
                    node.child_by_field_id(fl.operator),
                )
            {
                // `is_pg and helper()`: the right side runs only when the left is true
                let c = self.guards.cond(left, &scope.env);
                let right_dialects = match self.text(op) {
                    "and" => dialects.intersect(c.t),
                    _ => dialects.intersect(c.f),
                };
                stack.push((right, right_dialects, depth + 1));
                stack.push((left, dialects, depth + 1));
                continue;
            }
            if id == k.conditional_expression {
                let parts = named_children(node);
                if let [body, cond, orelse] = parts.as_slice() {
                    let c = self.guards.cond(*cond, &scope.env);
                    let (yes, no) = (dialects.intersect(c.t), dialects.intersect(c.f));
                    stack.push((*orelse, no, depth + 1));
                    stack.push((*cond, dialects, depth + 1));
                    stack.push((*body, yes, depth + 1));
                    continue;
                }
            }
            // the named children (comments too), first on top
            let base = stack.len();
            stack.extend(
                node.named_children(&mut cursor)
                    .map(|child| (child, dialects, depth + 1)),
            );
            stack[base..].reverse();
        }
    }

    /// Records `node` as an operation if it is one.
    pub(super) fn try_op(&mut self, call: Node, scope: &Scope, dialects: DialectSet) -> bool {
        let (k, fl) = (kinds(), fields());
        let Some(func) = call.child_by_field_id(fl.function) else {
            return false;
        };
        if func.kind_id() != k.attribute {
            return false;
        }
        let (Some(obj), Some(attr)) = (
            func.child_by_field_id(fl.object),
            func.child_by_field_id(fl.attribute),
        ) else {
            return false;
        };
        let name = self.text(attr);
        let obj_text = self.text(obj);
        let batch = if obj.kind_id() == k.identifier && !scope.batches.is_empty() {
            scope.batches.get(obj_text)
        } else {
            None
        };
        let receiver = if let Some(batch) = batch {
            Receiver::Batch(Box::new(batch.clone()))
        } else if obj_text == "op" || obj_text == "alembic.op" {
            if NOT_OPS.contains(&name) {
                return false;
            }
            Receiver::Op
        } else if matches!(name, "execute" | "exec_driver_sql") {
            Receiver::Connection
        } else {
            return false;
        };
        let (args, kwargs) = match call.child_by_field_id(fl.arguments) {
            Some(a) if a.kind_id() == k.argument_list => self.arguments(a, 0),
            _ => (Box::default(), Box::default()),
        };
        self.module.ops.push(Op {
            func: scope.func,
            receiver,
            name: name.into(),
            name_range: range(attr),
            range: range(call),
            args,
            kwargs,
            dialects,
            in_autocommit: scope.autocommit,
            in_try: scope.in_try,
            after_unknown_exit: scope.after_unknown_exit,
            under_data_guard: scope.under_data_guard,
            conditional: scope.conditional,
        });
        true
    }

    /// The positional and keyword arguments of an argument list, each
    /// list allocated once at its exact length.
    pub(super) fn arguments(&self, list: Node, depth: usize) -> (Box<[Expr]>, Box<[Keyword]>) {
        let (k, fl) = (kinds(), fields());
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        for child in NamedChildren::new(list) {
            let id = child.kind_id();
            if id == k.keyword_argument {
                let (Some(name), Some(value)) = (
                    child.child_by_field_id(fl.name),
                    child.child_by_field_id(fl.value),
                ) else {
                    continue;
                };
                kwargs.push(Keyword {
                    name: self.text(name).into(),
                    name_range: range(name),
                    value: self.expr(value, depth + 1),
                });
            } else if id != k.list_splat && id != k.dictionary_splat {
                args.push(self.expr(child, depth + 1));
            }
        }
        (args.into_boxed_slice(), kwargs.into_boxed_slice())
    }

    pub(super) fn expr(&self, n: Node, depth: usize) -> Expr {
        let r = range(n);
        if depth > MAX_EXPR_DEPTH {
            return Expr {
                kind: ExprKind::Other,
                range: r,
            };
        }
        if let Some(lit) = self.regions.lit_at(n.start_byte(), n.end_byte()) {
            return self.lit_expr(lit, depth);
        }
        let (k, fl) = (kinds(), fields());
        let id = n.kind_id();
        let kind = if id == k.string || id == k.concatenated_string {
            ExprKind::Str(Box::new(self.string(n)))
        } else if id == k.integer {
            ExprKind::Int(self.text(n).replace('_', "").parse().ok())
        } else if id == k.float {
            ExprKind::Float
        } else if id == k.true_ {
            ExprKind::Bool(true)
        } else if id == k.false_ {
            ExprKind::Bool(false)
        } else if id == k.none {
            ExprKind::None
        } else if id == k.identifier {
            ExprKind::Name(self.text(n).into())
        } else if id == k.attribute {
            match (
                n.child_by_field_id(fl.object),
                n.child_by_field_id(fl.attribute),
            ) {
                (Some(o), Some(a)) => ExprKind::Attribute(Box::new(Attribute {
                    value: self.expr(o, depth + 1),
                    attr: self.text(a).into(),
                })),
                _ => ExprKind::Other,
            }
        } else if id == k.call {
            match n.child_by_field_id(fl.function) {
                Some(f) => {
                    let (args, kwargs) = match n.child_by_field_id(fl.arguments) {
                        Some(a) if a.kind_id() == k.argument_list => self.arguments(a, depth + 1),
                        _ => (Box::default(), Box::default()),
                    };
                    ExprKind::Call(Box::new(Call {
                        func: self.expr(f, depth + 1),
                        args,
                        kwargs,
                    }))
                }
                None => ExprKind::Other,
            }
        } else if id == k.tuple || id == k.expression_list {
            ExprKind::Tuple(
                NamedChildren::new(n)
                    .map(|c| self.expr(c, depth + 1))
                    .collect(),
            )
        } else if id == k.list {
            ExprKind::List(
                NamedChildren::new(n)
                    .map(|c| self.expr(c, depth + 1))
                    .collect(),
            )
        } else if id == k.parenthesized_expression {
            match n.named_child(0) {
                Some(inner) if inner.kind_id() != k.comment => return self.expr(inner, depth + 1),
                _ => ExprKind::Other,
            }
        } else if id == k.binary_operator {
            match (
                n.child_by_field_id(fl.left),
                n.child_by_field_id(fl.operator),
                n.child_by_field_id(fl.right),
            ) {
                (Some(l), Some(op), Some(rt)) => ExprKind::BinOp {
                    op: match self.text(op) {
                        "+" => BinOp::Add,
                        "%" => BinOp::Mod,
                        _ => BinOp::Other,
                    },
                    operands: Box::new([self.expr(l, depth + 1), self.expr(rt, depth + 1)]),
                },
                _ => ExprKind::Other,
            }
        } else {
            ExprKind::Other
        };
        Expr { kind, range: r }
    }

    pub(super) fn string(&self, n: Node) -> StrLit {
        let interp = kinds().interpolation;
        // (an interpolation starts with `{`: a part without one has none)
        let interpolated = |part: Node| {
            if !self.text(part).contains('{') {
                return false;
            }
            let mut cursor = part.walk();
            part.named_children(&mut cursor)
                .any(|c| c.kind_id() == interp)
        };
        if n.kind_id() != kinds().concatenated_string {
            // one part: no list of parts
            return str_lit(
                std::iter::once((self.text(n), n.start_byte() as u32)),
                interpolated(n),
                n.end_byte() as u32,
            );
        }
        let parts = named_children(n);
        let dynamic = parts.iter().any(|p| interpolated(*p));
        str_lit(
            parts.iter().map(|p| (self.text(*p), p.start_byte() as u32)),
            dynamic,
            n.end_byte() as u32,
        )
    }

    /// [`Extractor::expr`] of a literal of a hidden data display.
    pub(super) fn lit_expr(&self, lit: Lit, depth: usize) -> Expr {
        let r = lit.range();
        if depth > MAX_EXPR_DEPTH {
            return Expr {
                kind: ExprKind::Other,
                range: r,
            };
        }
        let kind = match lit {
            Lit::Str(_, parts) => ExprKind::Str(Box::new(str_lit(
                parts.iter().map(|p| (self.regions.text(*p), p.start())),
                false,
                r.end(),
            ))),
            Lit::Int(_) => ExprKind::Int(self.regions.text(r).replace('_', "").parse().ok()),
            Lit::Float(_) => ExprKind::Float,
            Lit::True(_) => ExprKind::Bool(true),
            Lit::False(_) => ExprKind::Bool(false),
            Lit::None(_) => ExprKind::None,
            Lit::Tuple(_, items) => ExprKind::Tuple(
                items
                    .into_iter()
                    .map(|c| self.lit_expr(c, depth + 1))
                    .collect(),
            ),
            Lit::List(_, items) => ExprKind::List(
                items
                    .into_iter()
                    .map(|c| self.lit_expr(c, depth + 1))
                    .collect(),
            ),
            Lit::Paren(_, inner) => return self.lit_expr(*inner, depth + 1),
            Lit::Signed(_) | Lit::Set(..) | Lit::Dict(_) => ExprKind::Other,
        };
        Expr { kind, range: r }
    }
}

/// A string literal from its parts (`(token text, file offset)`; several
/// for an implicit concatenation), `end` the end of the whole literal.
fn str_lit<'a>(parts: impl Iterator<Item = (&'a str, u32)>, dynamic: bool, end: u32) -> StrLit {
    let mut value = String::new();
    let mut map = strings::OffsetsBuilder::default();
    let mut dynamic = dynamic;
    let mut end = end;
    let mut count = 0;
    let mut only = None;
    for (text, at) in parts {
        let (v, d, m) = strings::decode(text, at);
        dynamic |= d;
        // per-byte offsets; the part's end entry is replaced by the next part's bytes
        for i in 0..v.len() {
            map.push(m.get(i).unwrap_or(end), 1);
        }
        end = m.get(v.len()).unwrap_or(end);
        count += 1;
        if count == 1 && value.is_empty() {
            value = v;
            only = Some(m);
        } else {
            value.push_str(&v);
            only = None;
        }
    }
    match only {
        // one part: its map as it is
        Some(m) if count == 1 => StrLit::new(value, dynamic, m),
        _ => StrLit::new(value, dynamic, map.finish(end)),
    }
}
