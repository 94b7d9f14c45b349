//! Control flow inside functions: which dialects reach each statement.

use miglint_diagnostics::DialectSet;
use tree_sitter::Node;

use super::{Extractor, MAX_STMT_DEPTH, Scope, named_children, range};
use crate::guards::{Cond, Env, Val, if_arms};
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
    pub(super) fn block(&mut self, block: Node, scope: &mut Scope, depth: usize) -> bool {
        if depth > MAX_STMT_DEPTH {
            return true;
        }
        let stmts = named_children(block);
        for (i, &stmt) in stmts.iter().enumerate() {
            if !self.statement(stmt, scope, depth) || scope.dialects.is_empty() {
                // what follows runs on no dialect: its helper calls still
                // count, with no dialects, for helper narrowing
                for &rest in &stmts[i + 1..] {
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
        if matches!(
            stmt.kind(),
            "if_statement"
                | "with_statement"
                | "for_statement"
                | "while_statement"
                | "try_statement"
        ) {
            // the arms and bodies ran on copies of the scope: a name they
            // assign (`found = False` ... `try: found = True`) may hold either
            // value afterwards
            self.forget_assigned(stmt, &mut scope.env);
        }
        falls
    }

    /// Removes from `env` every name assigned anywhere inside `stmt`.
    fn forget_assigned(&self, stmt: Node, env: &mut Env) {
        if env.is_empty() {
            return;
        }
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            let target = match n.kind() {
                "assignment" | "augmented_assignment" | "for_statement" => {
                    n.child_by_field_name("left")
                }
                "named_expression" => n.child_by_field_name("name"),
                "as_pattern_target" => Some(n),
                _ => None,
            };
            if let Some(t) = target {
                let mut inner = vec![t];
                while let Some(x) = inner.pop() {
                    if x.kind() == "identifier" {
                        env.remove(self.text(x));
                    } else if !matches!(x.kind(), "attribute" | "subscript") {
                        let mut cursor = x.walk();
                        inner.extend(x.named_children(&mut cursor));
                    }
                }
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        self.forget_mutated(stmt, env);
    }

    /// Removes from `env` every name whose value a method call inside
    /// `n` may change (`updates.append(row)`, `seen.add(x)`): an empty
    /// list that a loop fills is no constant `False`.
    fn forget_mutated(&self, n: Node, env: &mut Env) {
        if env.is_empty() {
            return;
        }
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            if n.kind() == "call"
                && let Some(f) = n.child_by_field_name("function")
                && f.kind() == "attribute"
                && let (Some(obj), Some(attr)) = (
                    f.child_by_field_name("object"),
                    f.child_by_field_name("attribute"),
                )
                && obj.kind() == "identifier"
                && MUTATORS.contains(&self.text(attr))
            {
                env.remove(self.text(obj));
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }

    fn statement_inner(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        match stmt.kind() {
            "expression_statement" => {
                for child in named_children(stmt) {
                    if child.kind() == "assignment" {
                        self.assignment(child, scope);
                    } else if child.kind() == "augmented_assignment" {
                        self.scan_expr(child, scope);
                        self.forget_assigned(child, &mut scope.env);
                    } else {
                        self.scan_expr(child, scope);
                        self.forget_mutated(child, &mut scope.env);
                    }
                }
                true
            }
            "if_statement" => self.if_statement(stmt, scope, depth),
            "with_statement" => self.with_statement(stmt, scope, depth),
            "for_statement" | "while_statement" => {
                for field in ["right", "condition"] {
                    if let Some(n) = stmt.child_by_field_name(field) {
                        self.scan_expr(n, scope);
                    }
                }
                for field in ["body", "alternative"] {
                    if let Some(b) = stmt.child_by_field_name(field) {
                        let mut inner = scope.clone();
                        inner.conditional = true;
                        let body = b.child_by_field_name("body").unwrap_or(b);
                        self.block(body, &mut inner, depth + 1);
                        scope.after_unknown_exit |= inner.after_unknown_exit;
                    }
                }
                true
            }
            "try_statement" => {
                let parts = named_children(stmt);
                let has_except = parts
                    .iter()
                    .any(|p| matches!(p.kind(), "except_clause" | "except_group_clause"));
                for part in parts {
                    let body = match part.kind() {
                        "block" => Some(part),
                        _ => part.child_by_field_name("body").or_else(|| {
                            named_children(part)
                                .into_iter()
                                .find(|c| c.kind() == "block")
                        }),
                    };
                    if let Some(body) = body {
                        let mut inner = scope.clone();
                        match part.kind() {
                            "block" => inner.in_try |= has_except,
                            "except_clause" | "except_group_clause" => inner.in_try = true,
                            _ => {}
                        }
                        self.block(body, &mut inner, depth + 1);
                        scope.after_unknown_exit |= inner.after_unknown_exit;
                    }
                }
                // an exception may leave any part: assume control continues
                true
            }
            "return_statement" | "raise_statement" => {
                for child in named_children(stmt) {
                    self.scan_expr(child, scope);
                }
                false
            }
            "function_definition" => {
                // a closure inside upgrade(): its ops run when it is called
                if let Some(body) = stmt.child_by_field_name("body") {
                    let mut inner = scope.clone();
                    inner.conditional = true;
                    self.block(body, &mut inner, depth + 1);
                }
                true
            }
            "decorated_definition" => match stmt.child_by_field_name("definition") {
                Some(def) => self.statement(def, scope, depth),
                None => true,
            },
            "class_definition"
            | "import_statement"
            | "import_from_statement"
            | "pass_statement"
            | "global_statement"
            | "nonlocal_statement"
            | "comment" => true,
            "block" => self.block(stmt, scope, depth + 1),
            _ => {
                self.scan_expr(stmt, scope);
                true
            }
        }
    }

    pub(super) fn assignment(&mut self, asg: Node, scope: &mut Scope) {
        let Some(right) = asg.child_by_field_name("right") else {
            return;
        };
        self.scan_expr(right, scope);
        if let Some(left) = asg.child_by_field_name("left")
            && left.kind() == "identifier"
        {
            let name = self.text(left).to_string();
            match self.guards.value(right, &scope.env, 0) {
                Val::Unknown => scope.env.remove(&name),
                v => scope.env.insert(name, v),
            };
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
                        inner.batches.insert(
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
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "call"
                && let Some(f) = n.child_by_field_name("function")
                && f.kind() == "identifier"
            {
                self.calls
                    .push((self.text(f), func, DialectSet::EMPTY, false, false));
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }
}
