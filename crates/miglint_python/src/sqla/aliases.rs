//! Module-level names that stand for a column constructor: `C = Column`,
//! `from sqlalchemy import Column as C`, or a name chosen by an import
//! fallback (`try: _Column = mapped_column` / `except ImportError: from
//! sqlalchemy import Column as _Column`). A name is an alias only when every
//! binding of it at module level (any branch of a `try`, `if` or `with`)
//! is `Column` or `mapped_column`; one other binding and it is not.

use std::collections::HashMap;

use tree_sitter::Node;

use super::syntax::{assignment, dotted, last_segment, text};

/// What an alias constructs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctor {
    Column,
    Mapped,
    /// `Column` in one branch, `mapped_column` in another.
    Either,
}

impl Ctor {
    /// The constructor a (dotted) name spells, if any.
    pub(crate) fn of_name(name: &str) -> Option<Ctor> {
        match last_segment(name) {
            "Column" => Some(Ctor::Column),
            "mapped_column" => Some(Ctor::Mapped),
            _ => None,
        }
    }

    fn join(self, other: Ctor) -> Ctor {
        if self == other { self } else { Ctor::Either }
    }
}

/// Every binding of a name: `Some(ctor)`, or `None` for anything else.
type Bindings = HashMap<String, Vec<Option<Ctor>>>;

/// The column-constructor aliases of a module.
pub(crate) fn column_aliases(root: Node<'_>, src: &str) -> HashMap<String, Ctor> {
    let mut b = Bindings::new();
    block(root, src, &mut b);
    b.into_iter()
        .filter_map(|(name, all)| {
            let mut it = all.into_iter();
            let first = it.next()??;
            it.try_fold(first, |acc, c| c.map(|c| acc.join(c)))
                .filter(|_| Ctor::of_name(&name).is_none())
                .map(|c| (name, c))
        })
        .collect()
}

fn block(n: Node<'_>, src: &str, b: &mut Bindings) {
    let mut c = n.walk();
    for stmt in n.named_children(&mut c) {
        statement(stmt, src, b);
    }
}

fn statement(stmt: Node<'_>, src: &str, b: &mut Bindings) {
    match stmt.kind() {
        "expression_statement" => {
            let Some(a) = assignment(stmt) else { return };
            let Some(left) = a.child_by_field_name("left") else {
                return;
            };
            if left.kind() != "identifier" {
                return;
            }
            let ctor = a
                .child_by_field_name("right")
                .filter(|r| matches!(r.kind(), "identifier" | "attribute"))
                .and_then(|r| dotted(r, src))
                .and_then(|d| Ctor::of_name(&d));
            bind(b, text(left, src), ctor);
        }
        "import_from_statement" => {
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let (orig, local) = match name.kind() {
                    "aliased_import" => (
                        name.child_by_field_name("name").map(|n| text(n, src)),
                        name.child_by_field_name("alias").map(|n| text(n, src)),
                    ),
                    _ => (Some(text(name, src)), Some(text(name, src))),
                };
                if let (Some(orig), Some(local)) = (orig, local) {
                    bind(b, local, Ctor::of_name(orig));
                }
            }
        }
        "import_statement" => {
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let local = match name.kind() {
                    "aliased_import" => name.child_by_field_name("alias"),
                    _ => Some(name),
                };
                if let Some(l) = local {
                    let t = text(l, src);
                    bind(b, t.split('.').next().unwrap_or(t), None);
                }
            }
        }
        "function_definition" | "class_definition" => {
            if let Some(n) = stmt.child_by_field_name("name") {
                bind(b, text(n, src), None);
            }
        }
        "decorated_definition" => {
            if let Some(d) = stmt.child_by_field_name("definition") {
                statement(d, src, b);
            }
        }
        "try_statement"
        | "if_statement"
        | "with_statement"
        | "block"
        | "except_clause"
        | "else_clause"
        | "elif_clause"
        | "finally_clause"
        | "except_group_clause" => {
            let mut c = stmt.walk();
            for child in stmt.named_children(&mut c) {
                if matches!(
                    child.kind(),
                    "block"
                        | "except_clause"
                        | "else_clause"
                        | "elif_clause"
                        | "finally_clause"
                        | "except_group_clause"
                ) {
                    block_or_clause(child, src, b);
                }
            }
        }
        _ => {}
    }
}

fn block_or_clause(n: Node<'_>, src: &str, b: &mut Bindings) {
    if n.kind() == "block" {
        block(n, src, b);
    } else {
        statement(n, src, b);
    }
}

fn bind(b: &mut Bindings, name: &str, ctor: Option<Ctor>) {
    b.entry(name.to_string()).or_default().push(ctor);
}
