//! Control flow inside functions: which dialects reach each statement.

use std::rc::Rc;

use miglint_diagnostics::DialectSet;
use tree_sitter::Node;

use super::{Extractor, MAX_STMT_DEPTH, Scope, named_children, range};
use crate::guards::{Cond, Env, Val, if_arms};
use crate::kinds::{NamedChildren, fields, kinds};
use crate::model::*;

/// Methods that change a list, set or dict in place.
const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "pop",
    "remove",
    "discard",
    "clear",
    "setdefault",
];

impl<'s> Extractor<'s> {
    /// Walks a block; returns whether control can fall through its end.
    pub(super) fn block(&mut self, block: Node<'_>, scope: &mut Scope, depth: usize) -> bool {
        if depth > MAX_STMT_DEPTH {
            return true;
        }
        if depth == 0
            && let Some(pieces) = self.cont_pieces(block)
        {
            return self.cut_block(block, pieces, scope);
        }
        self.walk(NamedChildren::new(block), scope, depth)
    }

    /// [`Extractor::block`] over the statements `stmts`.
    pub(super) fn walk<'t>(
        &mut self,
        mut stmts: impl Iterator<Item = Node<'t>>,
        scope: &mut Scope,
        depth: usize,
    ) -> bool {
        // a function body's statements may be kept from the last extraction
        let kept = depth == 0 && self.reuse.is_some();
        while let Some(stmt) = stmts.next() {
            let falls = if kept {
                self.statement_kept(stmt, scope)
            } else {
                self.statement(stmt, scope, depth)
            };
            if !falls || scope.dialects.is_empty() {
                // what follows runs on no dialect: its helper calls still
                // count, with no dialects, for helper narrowing
                for rest in stmts {
                    self.record_unreachable_calls(rest, scope.func);
                }
                return false;
            }
        }
        true
    }

    /// Returns whether control can continue after `stmt`.
    pub(super) fn statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        let falls = self.statement_inner(stmt, scope, depth);
        let k = kinds();
        let id = stmt.kind_id();
        if id == k.if_statement
            || id == k.with_statement
            || id == k.for_statement
            || id == k.while_statement
            || id == k.try_statement
        {
            // the arms and bodies ran on copies of the scope: a name they
            // assign (`found = False` ... `try: found = True`) may hold either
            // value afterwards
            self.forget_assigned(stmt, &mut scope.env);
        }
        falls
    }

    /// Removes from `env` every name assigned anywhere inside `stmt`, and
    /// every name a method call inside it may change (see
    /// [`Extractor::forget_mutated`]).
    fn forget_assigned(&self, stmt: Node, env: &mut Rc<Env>) {
        if env.is_empty() {
            return;
        }
        let (k, fl) = (kinds(), fields());
        // a name is forgotten only when the statement's text has it as a
        // word (an identifier inside it): most statements name nothing the
        // environment holds, and their subtrees need no walk (in ASCII
        // text, where every identifier is a whole word)
        let text = self.text(stmt);
        let ascii = text.is_ascii();
        let mut mutates = false;
        // the environment's names the text has
        let mut named: Vec<&str> = Vec::new();
        for w in words(text) {
            mutates |= MUTATORS.contains(&w);
            if env.contains_key(w) && !named.contains(&w) {
                named.push(w);
            }
        }
        if ascii && named.is_empty() {
            return;
        }
        // likewise a nested statement whose text has none of them
        let names_one = |s: Node| {
            let t = self.text(s);
            !ascii || named.iter().any(|n| t.contains(n))
        };
        walk_named_where(stmt, names_one, |n| {
            let id = n.kind_id();
            let target =
                if id == k.assignment || id == k.augmented_assignment || id == k.for_statement {
                    n.child_by_field_id(fl.left)
                } else if id == k.named_expression {
                    n.child_by_field_id(fl.name)
                } else if id == k.as_pattern_target {
                    Some(n)
                } else {
                    None
                };
            if let Some(t) = target {
                let mut inner = vec![t];
                while let Some(x) = inner.pop() {
                    let xid = x.kind_id();
                    if xid == k.identifier {
                        forget(env, self.text(x));
                    } else if xid != k.attribute && xid != k.subscript {
                        let mut cursor = x.walk();
                        inner.extend(x.named_children(&mut cursor));
                    }
                }
            }
            if mutates {
                self.forget_mutated_call(n, env);
            }
        });
    }

    /// Removes from `env` every name whose value a method call inside
    /// `n` may change (`updates.append(row)`, `seen.add(x)`): an empty
    /// list that a loop fills is no constant `False`.
    fn forget_mutated(&self, n: Node, env: &mut Rc<Env>) {
        if env.is_empty() || !mentions_mutator(self.text(n)) {
            return;
        }
        walk_named(n, |n| self.forget_mutated_call(n, env));
    }

    /// [`Extractor::forget_mutated`] of one node (not its descendants).
    fn forget_mutated_call(&self, n: Node, env: &mut Rc<Env>) {
        let (k, fl) = (kinds(), fields());
        if n.kind_id() == k.call
            && let Some(f) = n.child_by_field_id(fl.function)
            && f.kind_id() == k.attribute
            && let (Some(obj), Some(attr)) = (
                f.child_by_field_id(fl.object),
                f.child_by_field_id(fl.attribute),
            )
            && obj.kind_id() == k.identifier
            && MUTATORS.contains(&self.text(attr))
        {
            forget(env, self.text(obj));
        }
    }

    fn statement_inner(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        let k = kinds();
        if stmt.kind_id() == k.expression_statement {
            for child in NamedChildren::new(stmt) {
                let id = child.kind_id();
                if id == k.assignment {
                    self.assignment(child, scope);
                } else if id == k.augmented_assignment {
                    self.scan_expr(child, scope);
                    self.forget_assigned(child, &mut scope.env);
                } else {
                    self.scan_expr(child, scope);
                    self.forget_mutated(child, &mut scope.env);
                }
            }
            return true;
        }
        let (id, fl) = (stmt.kind_id(), fields());
        if id == k.if_statement {
            self.if_statement(stmt, scope, depth)
        } else if id == k.with_statement {
            self.with_statement(stmt, scope, depth)
        } else if id == k.for_statement || id == k.while_statement {
            for field in [fl.right, fl.condition] {
                if let Some(n) = stmt.child_by_field_id(field) {
                    self.scan_expr(n, scope);
                }
            }
            for field in [fl.body, fl.alternative] {
                if let Some(b) = stmt.child_by_field_id(field) {
                    let mut inner = scope.clone();
                    inner.conditional = true;
                    let body = b.child_by_field_id(fl.body).unwrap_or(b);
                    self.block(body, &mut inner, depth + 1);
                    scope.after_unknown_exit |= inner.after_unknown_exit;
                }
            }
            true
        } else if id == k.try_statement {
            // (tree-sitter-python parses `except*` as an `except_clause`
            // too: it has no `except_group_clause` kind)
            let is_except = |id: u16| id == k.except_clause;
            let parts = named_children(stmt);
            let has_except = parts.iter().any(|p| is_except(p.kind_id()));
            for part in parts {
                let pid = part.kind_id();
                let body = if pid == k.block {
                    Some(part)
                } else {
                    part.child_by_field_id(fl.body)
                        .or_else(|| NamedChildren::new(part).find(|c| c.kind_id() == k.block))
                };
                if let Some(body) = body {
                    let mut inner = scope.clone();
                    if pid == k.block {
                        inner.in_try |= has_except;
                    } else if is_except(pid) {
                        inner.in_try = true;
                    }
                    self.block(body, &mut inner, depth + 1);
                    scope.after_unknown_exit |= inner.after_unknown_exit;
                }
            }
            // an exception may leave any part: assume control continues
            true
        } else if id == k.return_statement || id == k.raise_statement {
            for child in NamedChildren::new(stmt) {
                self.scan_expr(child, scope);
            }
            false
        } else if id == k.function_definition {
            // a closure inside upgrade(): its ops run when it is called
            if let Some(body) = stmt.child_by_field_id(fl.body) {
                let mut inner = scope.clone();
                inner.conditional = true;
                self.block(body, &mut inner, depth + 1);
            }
            true
        } else if id == k.decorated_definition {
            match stmt.child_by_field_id(fl.definition) {
                Some(def) => self.statement(def, scope, depth),
                None => true,
            }
        } else if id == k.class_definition
            || id == k.import_statement
            || id == k.import_from_statement
            || id == k.pass_statement
            || id == k.global_statement
            || id == k.nonlocal_statement
            || id == k.comment
        {
            true
        } else if id == k.block {
            self.block(stmt, scope, depth + 1)
        } else {
            self.scan_expr(stmt, scope);
            true
        }
    }

    pub(super) fn assignment(&mut self, asg: Node, scope: &mut Scope) {
        let fl = fields();
        let Some(right) = asg.child_by_field_id(fl.right) else {
            return;
        };
        self.scan_expr(right, scope);
        if let Some(left) = asg.child_by_field_id(fl.left)
            && left.kind_id() == kinds().identifier
        {
            let name = self.text(left).to_string();
            match self.guards.value(right, &scope.env, 0) {
                Val::Unknown => {
                    if scope.env.contains_key(&name) {
                        Rc::make_mut(&mut scope.env).remove(&name);
                    }
                }
                v => {
                    Rc::make_mut(&mut scope.env).insert(name, v);
                }
            }
        }
    }

    /// Each arm runs on the dialects on which its condition can be true
    /// (and every earlier one false). An arm that cannot fall through on a
    /// condition miglint cannot decide (`if skip_for_legacy(): return`)
    /// marks what follows as [`Op::after_unknown_exit`].
    pub(super) fn if_statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        let mut remaining = scope.dialects;
        let mut falls = DialectSet::EMPTY;
        let mut has_else = false;
        // an earlier condition about data was undecided where it was tested
        let mut data_before = false;
        let mut after_exit = scope.after_unknown_exit;
        // an earlier or this arm's condition is undecided beyond the dialect
        let mut undecided = false;
        for (cond, body) in if_arms(stmt) {
            let c = match cond {
                Some(c) => {
                    self.scan_expr(c, scope);
                    self.guards.cond(c, &scope.env)
                }
                None => {
                    has_else = true;
                    Cond::exactly(remaining)
                }
            };
            let reach = remaining.intersect(c.t);
            undecided |= !c.undecided(remaining).is_empty();
            let data_here = data_before || (c.data && !c.undecided(remaining).is_empty());
            if let Some(body) = body {
                let mut inner = Scope {
                    dialects: reach,
                    under_data_guard: scope.under_data_guard || data_here,
                    conditional: scope.conditional || undecided,
                    ..scope.clone()
                };
                let body_falls = !reach.is_empty() && self.block(body, &mut inner, depth + 1);
                let arm_falls = if body_falls {
                    inner.dialects
                } else {
                    DialectSet::EMPTY
                };
                falls = falls.union(arm_falls);
                after_exit |= inner.after_unknown_exit;
                if data_here && arm_falls != reach {
                    after_exit = true;
                }
                if reach.is_empty() {
                    self.record_unreachable_calls(body, scope.func);
                }
            }
            data_before = data_here;
            remaining = remaining.intersect(c.f);
        }
        if !has_else {
            falls = falls.union(remaining);
        }
        scope.dialects = falls;
        scope.after_unknown_exit = after_exit;
        !falls.is_empty()
    }

    pub(super) fn with_statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        let mut inner = scope.clone();
        let items = stmt
            .named_child(0)
            .filter(|c| c.kind() == "with_clause")
            .map(named_children)
            .unwrap_or_default();
        for item in items {
            let Some(value) = item.child_by_field_name("value") else {
                continue;
            };
            let (expr, alias) = if value.kind() == "as_pattern" {
                (
                    value.named_child(0),
                    value
                        .child_by_field_name("alias")
                        .or_else(|| value.named_child(1)),
                )
            } else {
                (Some(value), None)
            };
            let Some(expr) = expr else { continue };
            match self.call_attr(expr) {
                Some("batch_alter_table") => {
                    let table = expr
                        .child_by_field_name("arguments")
                        .and_then(|args| {
                            let first = named_children(args).into_iter().next()?;
                            if first.kind() == "keyword_argument" {
                                let v = first.child_by_field_name("value")?;
                                (self.text(first.child_by_field_name("name")?) == "table_name")
                                    .then_some(v)
                            } else {
                                Some(first)
                            }
                        })
                        .and_then(|n| {
                            let e = self.expr(n, 0);
                            e.str_value().map(|s| Spanned {
                                value: s.to_string(),
                                range: e.range,
                            })
                        });
                    if let Some(alias) = alias {
                        let alias_name = self.text(alias).trim().to_string();
                        Rc::make_mut(&mut inner.batches).insert(
                            alias_name,
                            BatchInfo {
                                table,
                                range: range(expr),
                            },
                        );
                    }
                }
                Some("autocommit_block") => inner.autocommit = true,
                _ => self.scan_expr(expr, scope),
            }
        }
        match stmt.child_by_field_name("body") {
            Some(body) => {
                let falls = self.block(body, &mut inner, depth + 1);
                scope.after_unknown_exit |= inner.after_unknown_exit;
                scope.dialects = if falls {
                    inner.dialects
                } else {
                    DialectSet::EMPTY
                };
                falls
            }
            None => true,
        }
    }

    /// Calls of plain names in an arm that no dialect reaches (`elif name
    /// == "mssql": _change_type()`): recorded with no dialects, so that
    /// helper narrowing still sees every call of the helper.
    pub(super) fn record_unreachable_calls(&mut self, body: Node, func: usize) {
        let (k, fl) = (kinds(), fields());
        let mut calls = Vec::new();
        // (the order of the calls does not matter to helper narrowing)
        walk_named(body, |n| {
            if n.kind_id() == k.call
                && let Some(f) = n.child_by_field_id(fl.function)
                && f.kind_id() == k.identifier
            {
                calls.push((self.text(f), func, DialectSet::EMPTY, false, false));
            }
        });
        self.calls.extend(calls);
    }
}

/// Whether `text` has one of [`MUTATORS`] as a whole word: a method call
/// with one of those names can only occur in a text that has it (an
/// identifier token never borders an ASCII letter, digit or `_`).
fn mentions_mutator(text: &str) -> bool {
    words(text).any(|w| MUTATORS.contains(&w))
}

/// The maximal runs of ASCII letters, digits and `_` in `text`: every
/// identifier token of Python code (and more) is one.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// [`walk_named`] without the statements (the named children of a block)
/// for which `keep` is false, nor their subtrees.
pub(super) fn walk_named_where<'t>(
    root: Node<'t>,
    keep: impl Fn(Node<'t>) -> bool,
    mut f: impl FnMut(Node<'t>),
) {
    let block = kinds().block;
    // whether the cursor's node is a statement, and its ancestors' flags
    let mut statement = false;
    let mut above: Vec<bool> = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_named() && (!statement || keep(node)) {
            f(node);
            if cursor.goto_first_child() {
                above.push(statement);
                statement = node.kind_id() == block;
                continue;
            }
        }
        loop {
            if cursor.depth() == 0 {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            statement = above.pop().unwrap_or(false);
        }
    }
}

/// Calls `f` on `root` and every node reached from it through named
/// children, in pre-order (anonymous nodes are looked through no more than
/// by `named_children`).
fn walk_named<'t>(root: Node<'t>, f: impl FnMut(Node<'t>)) {
    walk_named_where(root, |_| true, f);
}

/// Removes `name` from `env`, copying a shared `env` only when it has it.
fn forget(env: &mut Rc<Env>, name: &str) {
    if env.contains_key(name) {
        Rc::make_mut(env).remove(name);
    }
}
