//! Dialect guards: which dialects can reach a statement, from conditions on
//! `<x>.dialect.name`, `<x>.engine.name`, helper variables and helper
//! functions.

use std::collections::HashMap;

use miglint_diagnostics::{Dialect, DialectSet};
use tree_sitter::Node;

use crate::strings;

/// What a name is bound to, as far as dialect guards are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// `name = bind.dialect.name`
    DialectName,
    /// `dialect = bind.dialect`
    DialectObj,
    /// `is_sqlite = bind.dialect.name == "sqlite"`, or a helper function
    /// whose body returns such a test.
    Test(DialectSet),
}

pub(crate) type Env = HashMap<String, Binding>;

pub(crate) struct Guards<'s> {
    pub src: &'s str,
}

impl<'s> Guards<'s> {
    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// The set of dialects for which `cond` is true, or `None` when the
    /// condition is not (only) about the dialect.
    pub fn eval(&self, cond: Node, env: &Env, depth: usize) -> Option<DialectSet> {
        if depth > 32 {
            return None;
        }
        match cond.kind() {
            "parenthesized_expression" => self.eval(cond.named_child(0)?, env, depth + 1),
            "not_operator" => self
                .eval(cond.child_by_field_name("argument")?, env, depth + 1)
                .map(DialectSet::complement),
            "boolean_operator" => {
                let l = self.eval(cond.child_by_field_name("left")?, env, depth + 1);
                let r = self.eval(cond.child_by_field_name("right")?, env, depth + 1);
                let op = self.text(cond.child_by_field_name("operator")?);
                match (op, l, r) {
                    ("and", Some(a), Some(b)) => Some(a.intersect(b)),
                    // `pg and other_condition`: can only be true on pg
                    ("and", Some(a), None) | ("and", None, Some(a)) => Some(a),
                    ("or", Some(a), Some(b)) => Some(a.union(b)),
                    _ => None,
                }
            }
            "identifier" => match env.get(self.text(cond)) {
                Some(Binding::Test(set)) => Some(*set),
                _ => None,
            },
            "call" => {
                // a helper function `is_sqlite()` with no arguments
                let func = cond.child_by_field_name("function")?;
                let args = cond.child_by_field_name("arguments")?;
                if func.kind() == "identifier"
                    && args.named_child_count() == 0
                    && let Some(Binding::Test(set)) = env.get(self.text(func))
                {
                    return Some(*set);
                }
                self.isinstance_dialect(func, args, env)
            }
            "comparison_operator" => self.comparison(cond, env),
            _ => None,
        }
    }

    fn comparison(&self, cond: Node, env: &Env) -> Option<DialectSet> {
        let mut cursor = cond.walk();
        let operators: Vec<Node> = cond
            .children_by_field_name("operators", &mut cursor)
            .collect();
        if operators.len() != 1 {
            return None;
        }
        let mut cursor = cond.walk();
        let operands: Vec<Node> = cond
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        let [left, right] = operands.as_slice() else {
            return None;
        };
        let (names, other) = if self.is_dialect_name(*left, env) {
            (*right, *left)
        } else if self.is_dialect_name(*right, env) {
            (*left, *right)
        } else if self.is_dialect_name_param(*left, env) {
            (*right, *left)
        } else if self.is_dialect_name_param(*right, env) {
            (*left, *right)
        } else {
            return None;
        };
        let _ = other;
        let set = self.dialect_literals(names)?;
        let op = operators[0].kind();
        match op {
            "==" | "in" | "is" => Some(set),
            "!=" | "not in" | "is not" => Some(set.complement()),
            _ => None,
        }
    }

    /// `"postgresql"` or a tuple/list/set of such strings, as a set.
    fn dialect_literals(&self, n: Node) -> Option<DialectSet> {
        match n.kind() {
            "string" | "concatenated_string" => {
                let (value, dynamic, _) = strings::decode(self.text(n), 0);
                if dynamic {
                    return None;
                }
                Some(
                    Dialect::from_sqlalchemy_name(&value)
                        .map_or(DialectSet::EMPTY, DialectSet::single),
                )
            }
            "parenthesized_expression" => {
                let inner = unparen(n)?;
                if inner.kind() == "parenthesized_expression" {
                    return None;
                }
                self.dialect_literals(inner)
            }
            "tuple" | "list" | "set" => {
                let mut cursor = n.walk();
                let mut set = DialectSet::EMPTY;
                for child in n.named_children(&mut cursor) {
                    if child.kind() == "comment" {
                        continue;
                    }
                    if !matches!(child.kind(), "string" | "concatenated_string") {
                        return None;
                    }
                    set = set.union(self.dialect_literals(child)?);
                }
                Some(set)
            }
            _ => None,
        }
    }

    /// `bind.dialect.name`, `op.get_context().dialect.name`,
    /// `conn.engine.name`, a variable bound to one of those, `dialect.name`
    /// for a variable bound to a dialect, and `.lower()` of any of them.
    pub fn is_dialect_name(&self, n: Node, env: &Env) -> bool {
        match n.kind() {
            "identifier" => env.get(self.text(n)) == Some(&Binding::DialectName),
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    n.child_by_field_name("object"),
                    n.child_by_field_name("attribute"),
                ) else {
                    return false;
                };
                if self.text(attr) != "name" {
                    return false;
                }
                self.is_dialect_obj(obj, env)
            }
            "call" => {
                let Some(func) = n.child_by_field_name("function") else {
                    return false;
                };
                func.kind() == "attribute"
                    && func
                        .child_by_field_name("attribute")
                        .is_some_and(|a| self.text(a) == "lower")
                    && func
                        .child_by_field_name("object")
                        .is_some_and(|o| self.is_dialect_name(o, env))
            }
            "parenthesized_expression" => unparen(n).is_some_and(|c| {
                c.kind() != "parenthesized_expression" && self.is_dialect_name(c, env)
            }),
            _ => false,
        }
    }

    /// The dialects on which `cond` can be false (`ALL` when unknown):
    /// `name != "postgresql" or other()` can only be false on PostgreSQL.
    pub fn false_set(&self, cond: Node, env: &Env, depth: usize) -> DialectSet {
        if depth > 32 {
            return DialectSet::ALL;
        }
        match cond.kind() {
            "parenthesized_expression" => cond
                .named_child(0)
                .map_or(DialectSet::ALL, |c| self.false_set(c, env, depth + 1)),
            "boolean_operator" => {
                let (Some(l), Some(r), Some(op)) = (
                    cond.child_by_field_name("left"),
                    cond.child_by_field_name("right"),
                    cond.child_by_field_name("operator"),
                ) else {
                    return DialectSet::ALL;
                };
                let (l, r) = (
                    self.false_set(l, env, depth + 1),
                    self.false_set(r, env, depth + 1),
                );
                match self.text(op) {
                    "or" => l.intersect(r),
                    _ => l.union(r),
                }
            }
            "not_operator" => cond
                .child_by_field_name("argument")
                .and_then(|a| self.eval(a, env, depth + 1))
                .unwrap_or(DialectSet::ALL),
            _ => self
                .eval(cond, env, depth + 1)
                .map_or(DialectSet::ALL, DialectSet::complement),
        }
    }

    /// `isinstance(bind.dialect, SQLiteDialect)` (or a tuple of classes,
    /// or `postgresql.dialect`): the dialects of the classes. A dialect
    /// class of another database (`MSDialect`) gives the empty set.
    fn isinstance_dialect(&self, func: Node, args: Node, env: &Env) -> Option<DialectSet> {
        if func.kind() != "identifier" || self.text(func) != "isinstance" {
            return None;
        }
        let mut cursor = args.walk();
        let parts: Vec<Node> = args
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        let [obj, class] = parts.as_slice() else {
            return None;
        };
        if !self.is_dialect_obj(*obj, env) {
            return None;
        }
        self.dialect_classes(*class)
    }

    fn dialect_classes(&self, n: Node) -> Option<DialectSet> {
        match n.kind() {
            "identifier" | "attribute" => {
                let text = self.text(n);
                let mut segs = text.rsplit('.');
                let last = segs.next()?;
                if last == "dialect" {
                    let module = segs.next()?;
                    return Some(
                        Dialect::from_sqlalchemy_name(module)
                            .map_or(DialectSet::EMPTY, DialectSet::single),
                    );
                }
                let d = if last.starts_with("SQLiteDialect") {
                    Dialect::Sqlite
                } else if last.starts_with("MySQLDialect") || last.starts_with("MariaDBDialect") {
                    Dialect::Mysql
                } else if last.starts_with("PGDialect") {
                    Dialect::Postgresql
                } else if last.contains("Dialect") {
                    return Some(DialectSet::EMPTY);
                } else {
                    return None;
                };
                Some(DialectSet::single(d))
            }
            "tuple" | "parenthesized_expression" => {
                let mut cursor = n.walk();
                let mut set = DialectSet::EMPTY;
                for child in n.named_children(&mut cursor) {
                    if child.kind() != "comment" {
                        set = set.union(self.dialect_classes(child)?);
                    }
                }
                Some(set)
            }
            _ => None,
        }
    }

    /// An unbound name that says it holds a dialect name (`dialect`,
    /// `dialect_name`, `db_dialect`, `engine_name`), typically a helper's
    /// parameter: compared with a string it can only be a dialect name.
    fn is_dialect_name_param(&self, n: Node, env: &Env) -> bool {
        if n.kind() != "identifier" {
            return false;
        }
        let name = self.text(n);
        !env.contains_key(name)
            && (name.to_ascii_lowercase().contains("dialect") || name == "engine_name")
    }

    /// `x.dialect`, `x.engine`, or a variable bound to such.
    pub fn is_dialect_obj(&self, n: Node, env: &Env) -> bool {
        match n.kind() {
            "attribute" => n
                .child_by_field_name("attribute")
                .is_some_and(|a| matches!(self.text(a), "dialect" | "engine")),
            "identifier" => {
                env.get(self.text(n)) == Some(&Binding::DialectObj) || self.text(n) == "dialect"
            }
            _ => false,
        }
    }

    /// How an assignment `name = value` binds `name`, if at all.
    pub fn binding_of(&self, value: Node, env: &Env) -> Option<Binding> {
        if self.is_dialect_name(value, env) {
            Some(Binding::DialectName)
        } else if self.is_dialect_obj(value, env) {
            Some(Binding::DialectObj)
        } else {
            self.eval(value, env, 0).map(Binding::Test)
        }
    }
}

/// Strips up to 32 levels of parentheses (deeper input stays wrapped).
fn unparen(mut n: Node) -> Option<Node> {
    for _ in 0..32 {
        if n.kind() != "parenthesized_expression" {
            return Some(n);
        }
        n = n.named_child(0)?;
    }
    Some(n)
}
