//! tree-sitter tree → [`Module`].

use std::collections::HashMap;

use miglint_diagnostics::{DialectSet, TextRange};
use tree_sitter::{Node, Tree};

use crate::guards::{Binding, Env, Guards};
use crate::model::*;
use crate::strings;

/// Deeper nesting than this is not modelled (the rest of the file still is).
const MAX_STMT_DEPTH: usize = 100;
const MAX_EXPR_DEPTH: usize = 64;

/// `op.<name>` calls that are helpers, not operations.
const NOT_OPS: &[&str] = &[
    "get_bind",
    "get_context",
    "f",
    "inline_literal",
    "batch_alter_table",
    "implementation_for",
    "register_operation",
    "invoke",
];

pub(crate) fn extract(src: &str, tree: &Tree) -> Module {
    let mut x = Extractor {
        src,
        guards: Guards { src },
        module: Module::default(),
        calls: Vec::new(),
        identifiers: HashMap::new(),
    };
    let root = tree.root_node();
    x.scan_trivia(root);
    let mut env = Env::new();
    x.module_block(root, &mut env, 0);
    if !x.module.syntax_errors.is_empty() {
        x.recover_ids_from_lines();
    }
    x.narrow_helpers();
    x.module
}

struct Extractor<'s> {
    src: &'s str,
    guards: Guards<'s>,
    module: Module,
    /// Calls of plain names (`_upgrade_postgresql(conn)`) inside functions:
    /// the name, the calling function and the dialects reaching the call.
    calls: Vec<(&'s str, usize, DialectSet)>,
    /// How often each identifier occurs anywhere in the file.
    identifiers: HashMap<&'s str, usize>,
}

/// The context a statement runs in.
#[derive(Clone)]
struct Scope {
    func: usize,
    dialects: DialectSet,
    autocommit: bool,
    /// See [`Op::in_try`].
    in_try: bool,
    batches: HashMap<String, BatchInfo>,
    env: Env,
}

fn range(n: Node) -> TextRange {
    TextRange::from_usize(n.start_byte()..n.end_byte())
}

fn named_children(n: Node) -> Vec<Node> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

impl<'s> Extractor<'s> {
    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// One iterative pass over every node: comments and syntax errors.
    fn scan_trivia(&mut self, root: Node) {
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            let mut descend = true;
            if node.kind() == "comment" {
                self.module.comments.push(range(node));
            } else if node.kind() == "identifier" {
                *self.identifiers.entry(self.text(node)).or_default() += 1;
            } else if node.is_error() || node.is_missing() {
                self.module.syntax_errors.push(range(node));
                descend = node.is_error() && node.child_count() > 0;
            } else if !node.has_error() && node.kind() != "module" {
                // no errors below; still need comments, which are everywhere
                descend = node.child_count() > 0;
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn module_block(&mut self, block: Node, env: &mut Env, depth: usize) {
        if depth > 4 {
            return;
        }
        for stmt in named_children(block) {
            match stmt.kind() {
                "expression_statement" => {
                    for child in named_children(stmt) {
                        if child.kind() == "assignment" {
                            self.module_assignment(child, env);
                        }
                    }
                }
                "function_definition" => self.function(stmt, env),
                "decorated_definition" => {
                    if let Some(def) = stmt.child_by_field_name("definition")
                        && def.kind() == "function_definition"
                    {
                        self.function(def, env);
                    }
                }
                // error recovery and `if TYPE_CHECKING:`-style wrappers
                "ERROR" => self.module_block(stmt, env, depth + 1),
                "assignment" => self.module_assignment(stmt, env),
                _ => {}
            }
        }
    }

    fn module_assignment(&mut self, asg: Node, env: &mut Env) {
        let (Some(left), Some(right)) = (
            asg.child_by_field_name("left"),
            asg.child_by_field_name("right"),
        ) else {
            return;
        };
        if left.kind() != "identifier" {
            return;
        }
        let name = self.text(left);
        let slot = match name {
            "revision" => &mut self.module.ids.revision,
            "down_revision" => &mut self.module.ids.down_revision,
            "branch_labels" => &mut self.module.ids.branch_labels,
            "depends_on" => &mut self.module.ids.depends_on,
            _ => {
                if let Some(b) = self.guards.binding_of(right, env) {
                    env.insert(name.to_string(), b);
                }
                if matches!(
                    right.kind(),
                    "call" | "list" | "tuple" | "string" | "concatenated_string"
                ) {
                    let value = self.expr(right, 0);
                    let name = name.to_string();
                    self.module
                        .bindings
                        .push(crate::model::Binding { name, value });
                }
                return;
            }
        };
        let value = id_value(self.src, right);
        *slot = Some(IdAssign {
            target: range(left),
            value,
            value_range: range(right),
        });
    }

    /// When the tree is broken, a line-based reading of the identifiers
    /// alembic needs still feeds the revision graph.
    fn recover_ids_from_lines(&mut self) {
        let mut offset = 0usize;
        for line in self.src.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let Some((name, rest)) = line.split_once('=') else {
                continue;
            };
            let name = name.split(':').next().unwrap_or("").trim_end();
            let slot = match name {
                "revision" => &mut self.module.ids.revision,
                "down_revision" => &mut self.module.ids.down_revision,
                _ => continue,
            };
            if slot.is_some() {
                continue;
            }
            let value_start = start + line.len() - rest.len();
            let trimmed = rest.trim();
            let lead = rest.len() - rest.trim_start().len();
            let vr = TextRange::from_usize(value_start + lead..value_start + lead + trimmed.len());
            let value = if trimmed == "None" {
                IdValue::None
            } else if trimmed.len() >= 2
                && (trimmed.starts_with('"') || trimmed.starts_with('\''))
                && trimmed.ends_with(&trimmed[..1])
            {
                IdValue::Str(Spanned {
                    value: trimmed[1..trimmed.len() - 1].to_string(),
                    range: vr,
                })
            } else {
                continue;
            };
            *slot = Some(IdAssign {
                target: TextRange::from_usize(start..start + name.len()),
                value,
                value_range: vr,
            });
        }
    }

    fn function(&mut self, def: Node, env: &mut Env) {
        let (Some(name_node), Some(body)) = (
            def.child_by_field_name("name"),
            def.child_by_field_name("body"),
        ) else {
            return;
        };
        let name = self.text(name_node).to_string();
        let kind = if name == "upgrade" || name.starts_with("upgrade_") {
            FuncKind::Upgrade
        } else if name == "downgrade" || name.starts_with("downgrade_") {
            FuncKind::Downgrade
        } else {
            FuncKind::Other
        };
        let shape = self.body_shape(body);
        if kind == FuncKind::Other {
            // `def is_sqlite(): return op.get_context().dialect.name == "sqlite"`
            if let Some(set) = self.helper_test(body, env) {
                env.insert(name.clone(), Binding::Test(set));
            }
        }
        self.module.functions.push(Function {
            name,
            kind,
            range: range(def),
            name_range: range(name_node),
            shape,
        });
        let mut scope = Scope {
            func: self.module.functions.len() - 1,
            dialects: DialectSet::ALL,
            autocommit: false,
            in_try: false,
            batches: HashMap::new(),
            env: env.clone(),
        };
        self.block(body, &mut scope, 0);
    }

    fn helper_test(&self, body: Node, env: &Env) -> Option<DialectSet> {
        let stmts: Vec<Node> = named_children(body)
            .into_iter()
            .filter(|s| !is_docstring(*s))
            .collect();
        let [only] = stmts.as_slice() else {
            return None;
        };
        if only.kind() != "return_statement" {
            return None;
        }
        self.guards.eval(only.named_child(0)?, env, 0)
    }

    fn body_shape(&self, body: Node) -> BodyShape {
        let stmts: Vec<Node> = named_children(body)
            .into_iter()
            .filter(|s| !is_docstring(*s))
            .collect();
        let trivial = |s: &Node| {
            s.kind() == "pass_statement"
                || (s.kind() == "expression_statement"
                    && named_children(*s).iter().all(|c| c.kind() == "ellipsis"))
        };
        if stmts.iter().all(trivial) {
            return BodyShape::Empty;
        }
        if let [only] = stmts.as_slice()
            && only.kind() == "raise_statement"
            && self.text(*only).contains("NotImplementedError")
        {
            return BodyShape::RaisesNotImplemented;
        }
        BodyShape::Code
    }

    /// Walks a block; returns whether control can fall through its end.
    fn block(&mut self, block: Node, scope: &mut Scope, depth: usize) -> bool {
        if depth > MAX_STMT_DEPTH {
            return true;
        }
        for stmt in named_children(block) {
            if !self.statement(stmt, scope, depth) {
                return false;
            }
            if scope.dialects.is_empty() {
                return false;
            }
        }
        true
    }

    /// Returns whether control can continue after `stmt`.
    fn statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        match stmt.kind() {
            "expression_statement" => {
                for child in named_children(stmt) {
                    if child.kind() == "assignment" {
                        self.assignment(child, scope);
                    } else {
                        self.scan_expr(child, scope);
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
                        let body = b.child_by_field_name("body").unwrap_or(b);
                        self.block(body, &mut inner, depth + 1);
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

    fn assignment(&mut self, asg: Node, scope: &mut Scope) {
        let Some(right) = asg.child_by_field_name("right") else {
            return;
        };
        self.scan_expr(right, scope);
        if let Some(left) = asg.child_by_field_name("left")
            && left.kind() == "identifier"
        {
            let name = self.text(left).to_string();
            match self.guards.binding_of(right, &scope.env) {
                Some(b) => scope.env.insert(name, b),
                None => scope.env.remove(&name),
            };
        }
    }

    fn if_statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
        let mut remaining = scope.dialects;
        let mut falls = DialectSet::EMPTY;
        let mut has_else = false;
        let mut arms: Vec<(Option<Node>, Option<Node>)> = vec![(
            stmt.child_by_field_name("condition"),
            stmt.child_by_field_name("consequence"),
        )];
        let mut cursor = stmt.walk();
        for alt in stmt.children_by_field_name("alternative", &mut cursor) {
            match alt.kind() {
                "elif_clause" => arms.push((
                    alt.child_by_field_name("condition"),
                    alt.child_by_field_name("consequence"),
                )),
                "else_clause" => {
                    has_else = true;
                    arms.push((None, alt.child_by_field_name("body")));
                }
                _ => {}
            }
        }
        for (cond, body) in arms {
            let test = cond.and_then(|c| {
                self.scan_expr(c, scope);
                self.guards.eval(c, &scope.env, 0)
            });
            let reach = match (cond, test) {
                (None, _) => remaining, // else
                (Some(_), Some(set)) => remaining.intersect(set),
                (Some(_), None) => remaining, // not a dialect test: either way
            };
            if let Some(body) = body {
                let mut inner = Scope {
                    dialects: reach,
                    ..scope.clone()
                };
                if !reach.is_empty() && self.block(body, &mut inner, depth + 1) {
                    falls = falls.union(inner.dialects);
                }
                if reach.is_empty() {
                    self.record_unreachable_calls(body, scope.func);
                }
            }
            if let Some(set) = test {
                remaining = remaining.intersect(set.complement());
            } else if let Some(c) = cond {
                // `if name != "postgresql" or other: return`: getting past
                // this arm means the dialect part was false
                remaining = remaining.intersect(self.guards.false_set(c, &scope.env, 0));
            }
        }
        if !has_else {
            falls = falls.union(remaining);
        }
        scope.dialects = falls;
        !falls.is_empty()
    }

    fn with_statement(&mut self, stmt: Node, scope: &mut Scope, depth: usize) -> bool {
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

    /// A helper function that the file only ever calls by name (every
    /// occurrence of its name is its definition or a recorded call) runs
    /// on the dialects that reach its calls: its ops are narrowed to them.
    /// `upgrade`/`downgrade` are called by alembic and stay as they are.
    fn narrow_helpers(&mut self) {
        let funcs = &self.module.functions;
        let mut callers: Vec<Vec<(usize, DialectSet)>> = vec![Vec::new(); funcs.len()];
        for &(name, caller, dialects) in &self.calls {
            let mut matching = funcs.iter().enumerate().filter(|(_, f)| f.name == name);
            if let (Some((i, _)), None) = (matching.next(), matching.next()) {
                callers[i].push((caller, dialects));
            }
        }
        let eligible: Vec<usize> = (0..funcs.len())
            .filter(|&i| {
                let f = &funcs[i];
                !matches!(f.name.as_str(), "upgrade" | "downgrade")
                    && !callers[i].is_empty()
                    && self.identifiers.get(f.name.as_str()).copied() == Some(callers[i].len() + 1)
            })
            .collect();
        if eligible.is_empty() {
            return;
        }
        let mut reach = vec![DialectSet::ALL; funcs.len()];
        // narrowing only ever removes dialects: at most 3 steps per function
        for _ in 0..=3 * funcs.len() {
            let mut changed = false;
            for &i in &eligible {
                let set = callers[i].iter().fold(DialectSet::EMPTY, |acc, &(c, d)| {
                    acc.union(d.intersect(reach[c]))
                });
                if set != reach[i] {
                    reach[i] = set;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for op in &mut self.module.ops {
            op.dialects = op.dialects.intersect(reach[op.func]);
        }
    }

    /// Calls of plain names in an arm that no dialect reaches (`elif name
    /// == "mssql": _change_type()`): recorded with no dialects, so that
    /// helper narrowing still sees every call of the helper.
    fn record_unreachable_calls(&mut self, body: Node, func: usize) {
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.kind() == "call"
                && let Some(f) = n.child_by_field_name("function")
                && f.kind() == "identifier"
            {
                self.calls.push((self.text(f), func, DialectSet::EMPTY));
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }

    /// For `a.b.c(...)`, `c`.
    fn call_attr(&self, n: Node) -> Option<&'s str> {
        if n.kind() != "call" {
            return None;
        }
        let func = n.child_by_field_name("function")?;
        if func.kind() != "attribute" {
            return None;
        }
        Some(self.text(func.child_by_field_name("attribute")?))
    }

    /// Finds operation calls inside an expression (iteratively); ternaries
    /// on the dialect narrow the dialects of the calls in their arms.
    fn scan_expr(&mut self, root: Node, scope: &Scope) {
        let mut stack: Vec<(Node, DialectSet, usize)> = vec![(root, scope.dialects, 0)];
        while let Some((node, dialects, depth)) = stack.pop() {
            if depth > MAX_STMT_DEPTH * 4 {
                continue;
            }
            if node.kind() == "call" && self.try_op(node, scope, dialects) {
                continue;
            }
            if node.kind() == "call"
                && let Some(func) = node.child_by_field_name("function")
                && func.kind() == "identifier"
            {
                self.calls.push((self.text(func), scope.func, dialects));
            }
            if node.kind() == "boolean_operator"
                && let (Some(left), Some(right), Some(op)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                    node.child_by_field_name("operator"),
                )
            {
                // `is_pg and helper()`: the right side runs only when the left is true
                let right_dialects = match (self.text(op), self.guards.eval(left, &scope.env, 0)) {
                    ("and", Some(set)) => dialects.intersect(set),
                    ("or", Some(set)) => dialects.intersect(set.complement()),
                    _ => dialects,
                };
                stack.push((right, right_dialects, depth + 1));
                stack.push((left, dialects, depth + 1));
                continue;
            }
            if node.kind() == "conditional_expression" {
                let parts = named_children(node);
                if let [body, cond, orelse] = parts.as_slice() {
                    let test = self.guards.eval(*cond, &scope.env, 0);
                    let (yes, no) = match test {
                        Some(set) => (
                            dialects.intersect(set),
                            dialects.intersect(set.complement()),
                        ),
                        None => (dialects, dialects),
                    };
                    stack.push((*orelse, no, depth + 1));
                    stack.push((*cond, dialects, depth + 1));
                    stack.push((*body, yes, depth + 1));
                    continue;
                }
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.named_children(&mut cursor).collect();
            for child in children.into_iter().rev() {
                stack.push((child, dialects, depth + 1));
            }
        }
    }

    /// Records `node` as an operation if it is one.
    fn try_op(&mut self, call: Node, scope: &Scope, dialects: DialectSet) -> bool {
        let Some(func) = call.child_by_field_name("function") else {
            return false;
        };
        if func.kind() != "attribute" {
            return false;
        }
        let (Some(obj), Some(attr)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        let name = self.text(attr);
        let obj_text = self.text(obj);
        let receiver = if obj.kind() == "identifier" && scope.batches.contains_key(obj_text) {
            Receiver::Batch(scope.batches[obj_text].clone())
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
        let (args, kwargs) = match call.child_by_field_name("arguments") {
            Some(a) if a.kind() == "argument_list" => self.arguments(a, 0),
            _ => (Vec::new(), Vec::new()),
        };
        self.module.ops.push(Op {
            func: scope.func,
            receiver,
            name: name.to_string(),
            name_range: range(attr),
            range: range(call),
            args,
            kwargs,
            dialects,
            in_autocommit: scope.autocommit,
            in_try: scope.in_try,
        });
        true
    }

    fn arguments(&self, list: Node, depth: usize) -> (Vec<Expr>, Vec<Keyword>) {
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        for child in named_children(list) {
            match child.kind() {
                "keyword_argument" => {
                    let (Some(name), Some(value)) = (
                        child.child_by_field_name("name"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    kwargs.push(Keyword {
                        name: self.text(name).to_string(),
                        name_range: range(name),
                        value: self.expr(value, depth + 1),
                    });
                }
                "list_splat" | "dictionary_splat" => {}
                _ => args.push(self.expr(child, depth + 1)),
            }
        }
        (args, kwargs)
    }

    fn expr(&self, n: Node, depth: usize) -> Expr {
        let r = range(n);
        if depth > MAX_EXPR_DEPTH {
            return Expr {
                kind: ExprKind::Other,
                range: r,
            };
        }
        let kind = match n.kind() {
            "string" | "concatenated_string" => ExprKind::Str(self.string(n)),
            "integer" => ExprKind::Int(self.text(n).replace('_', "").parse().ok()),
            "float" => ExprKind::Float,
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "none" => ExprKind::None,
            "identifier" => ExprKind::Name(self.text(n).to_string()),
            "attribute" => match (
                n.child_by_field_name("object"),
                n.child_by_field_name("attribute"),
            ) {
                (Some(o), Some(a)) => ExprKind::Attribute {
                    value: Box::new(self.expr(o, depth + 1)),
                    attr: self.text(a).to_string(),
                },
                _ => ExprKind::Other,
            },
            "call" => match n.child_by_field_name("function") {
                Some(f) => {
                    let (args, kwargs) = match n.child_by_field_name("arguments") {
                        Some(a) if a.kind() == "argument_list" => self.arguments(a, depth + 1),
                        _ => (Vec::new(), Vec::new()),
                    };
                    ExprKind::Call(Box::new(Call {
                        func: self.expr(f, depth + 1),
                        args,
                        kwargs,
                    }))
                }
                None => ExprKind::Other,
            },
            "tuple" | "expression_list" => ExprKind::Tuple(
                named_children(n)
                    .into_iter()
                    .map(|c| self.expr(c, depth + 1))
                    .collect(),
            ),
            "list" => ExprKind::List(
                named_children(n)
                    .into_iter()
                    .map(|c| self.expr(c, depth + 1))
                    .collect(),
            ),
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) if inner.kind() != "comment" => return self.expr(inner, depth + 1),
                _ => ExprKind::Other,
            },
            "binary_operator" => match (
                n.child_by_field_name("left"),
                n.child_by_field_name("operator"),
                n.child_by_field_name("right"),
            ) {
                (Some(l), Some(op), Some(rt)) => ExprKind::BinOp {
                    op: match self.text(op) {
                        "+" => BinOp::Add,
                        "%" => BinOp::Mod,
                        _ => BinOp::Other,
                    },
                    left: Box::new(self.expr(l, depth + 1)),
                    right: Box::new(self.expr(rt, depth + 1)),
                },
                _ => ExprKind::Other,
            },
            _ => ExprKind::Other,
        };
        Expr { kind, range: r }
    }

    fn string(&self, n: Node) -> StrLit {
        let parts: Vec<Node> = if n.kind() == "concatenated_string" {
            named_children(n)
        } else {
            vec![n]
        };
        let mut value = String::new();
        let mut map = Vec::new();
        let mut dynamic = false;
        let mut end = n.end_byte() as u32;
        for part in parts {
            let (v, d, m) = strings::decode(self.text(part), part.start_byte() as u32);
            let mut cursor = part.walk();
            dynamic |= d
                || part
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "interpolation");
            value.push_str(&v);
            // per-byte offsets; the part's end entry is replaced by the next part's bytes
            map.extend_from_slice(&m[..v.len()]);
            end = m[v.len()];
        }
        map.push(end);
        StrLit::new(value, dynamic, map)
    }
}

fn is_docstring(stmt: Node) -> bool {
    stmt.kind() == "expression_statement"
        && stmt.named_child_count() == 1
        && stmt
            .named_child(0)
            .is_some_and(|c| matches!(c.kind(), "string" | "concatenated_string"))
}

fn id_value(src: &str, n: Node) -> IdValue {
    let text = |n: Node| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
    let str_of = |n: Node| -> Option<Spanned<String>> {
        if n.kind() != "string" {
            return None;
        }
        let (value, dynamic, _) = strings::decode(text(n), 0);
        (!dynamic).then(|| Spanned {
            value,
            range: range(n),
        })
    };
    match n.kind() {
        "none" => IdValue::None,
        "string" => str_of(n).map_or(IdValue::Dynamic, IdValue::Str),
        "tuple" | "list" | "parenthesized_expression" | "set" => {
            let items: Option<Vec<_>> = named_children(n).into_iter().map(str_of).collect();
            match items {
                Some(items) if n.kind() == "parenthesized_expression" && items.len() == 1 => {
                    IdValue::Str(items.into_iter().next().expect("one item"))
                }
                Some(items) => IdValue::Seq(items),
                None => IdValue::Dynamic,
            }
        }
        _ => IdValue::Dynamic,
    }
}
