//! `MetaData(naming_convention=...)`: the names SQLAlchemy gives indexes
//! and unique constraints that the models leave unnamed.

use std::collections::HashMap;

use tree_sitter::Node;

use super::syntax::{Args, call_name, last_segment, str_lit, text};

/// SQLAlchemy's default convention for indexes.
const DEFAULT_IX: &str = "ix_%(column_0_label)s";

/// PostgreSQL's identifier limit: longer names are truncated by a hash
/// (not reproduced: such a name is unknown).
const MAX_NAME: usize = 63;

#[derive(Debug, Default, Clone)]
pub(crate) struct Convention {
    ix: Option<String>,
    uq: Option<String>,
    /// Seen a convention miglint cannot read (or two different ones).
    dynamic: bool,
    seen: bool,
}

/// Module-level `name = {...}` bindings (for `naming_convention=name`).
pub(crate) fn dict_bindings<'t>(root: Node<'t>, src: &str) -> HashMap<String, Node<'t>> {
    let mut out = HashMap::new();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        if let Some(a) = super::syntax::assignment(stmt)
            && let (Some(l), Some(r)) = (
                a.child_by_field_name("left"),
                a.child_by_field_name("right"),
            )
            && l.kind() == "identifier"
            && r.kind() == "dictionary"
        {
            out.insert(text(l, src).to_string(), r);
        }
    }
    out
}

impl Convention {
    /// Finds every `MetaData(naming_convention=...)` call of a file.
    pub(crate) fn read(&mut self, root: Node<'_>, src: &str, dicts: &HashMap<String, Node<'_>>) {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if n.kind() == "call"
                && call_name(n, src).is_some_and(|c| last_segment(&c) == "MetaData")
                && let Some(v) = Args::of(n, src).kw("naming_convention")
            {
                let d = match v.kind() {
                    "dictionary" => Some(v),
                    "identifier" => dicts.get(text(v, src)).copied(),
                    _ => None,
                };
                match d {
                    Some(d) => self.read_dict(d, src),
                    None => self.dynamic = true,
                }
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }

    fn read_dict(&mut self, d: Node<'_>, src: &str) {
        let (mut ix, mut uq) = (None, None);
        let mut c = d.walk();
        for pair in d.named_children(&mut c) {
            let (Some(k), Some(v)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                if pair.kind() != "comment" {
                    self.dynamic = true;
                }
                continue;
            };
            let key = str_lit(k, src);
            let val = str_lit(v, src);
            match (key.as_deref(), val) {
                (Some("ix"), Some(v)) => ix = Some(v),
                (Some("uq"), Some(v)) => uq = Some(v),
                (Some("ix" | "uq"), None) | (None, _) => self.dynamic = true,
                _ => {}
            }
        }
        if self.seen && (self.ix != ix || self.uq != uq) {
            self.dynamic = true;
        }
        self.seen = true;
        self.ix = ix;
        self.uq = uq;
    }

    /// The name of an index (`explicit` = the name the model gives).
    pub(crate) fn index_name(
        &self,
        explicit: Option<&str>,
        table: &str,
        cols: &[String],
    ) -> Option<String> {
        if self.dynamic {
            return None;
        }
        let template = if self.seen {
            self.ix.as_deref()
        } else {
            Some(DEFAULT_IX)
        };
        apply(template, explicit, table, cols)
    }

    /// The name of a unique constraint (`None`: unnamed or unknown).
    pub(crate) fn unique_name(
        &self,
        explicit: Option<&str>,
        table: &str,
        cols: &[String],
    ) -> Option<String> {
        if self.dynamic {
            return None;
        }
        apply(self.uq.as_deref(), explicit, table, cols)
    }

    /// Whether an unnamed constraint's name is not known.
    pub(crate) fn unknown(&self) -> bool {
        self.dynamic
    }
}

fn apply(
    template: Option<&str>,
    explicit: Option<&str>,
    table: &str,
    cols: &[String],
) -> Option<String> {
    let Some(t) = template else {
        return explicit.map(str::to_string);
    };
    if explicit.is_some() && !t.contains("%(constraint_name)s") {
        return explicit.map(str::to_string);
    }
    let first = cols.first()?;
    let mut out = String::new();
    let mut rest = t;
    while let Some(i) = rest.find("%(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find(")s")?;
        let token = &after[..end];
        let value = match token {
            "table_name" => table.to_string(),
            "column_0_name" | "column_0_key" => first.clone(),
            "column_0_label" => format!("{table}_{first}"),
            "column_0N_name" | "column_0N_key" => cols.concat(),
            "column_0_N_name" | "column_0_N_key" => cols.join("_"),
            "column_0N_label" => cols.iter().map(|c| format!("{table}_{c}")).collect(),
            "column_0_N_label" => cols
                .iter()
                .map(|c| format!("{table}_{c}"))
                .collect::<Vec<_>>()
                .join("_"),
            "constraint_name" => explicit?.to_string(),
            _ => return None,
        };
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (out.len() <= MAX_NAME).then_some(out)
}
