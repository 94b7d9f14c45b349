//! Dialects a revision script names itself: evidence for which databases the
//! project runs on (see `miglint_config`'s target inference). Collected in
//! one walk over the tree the front end already parsed:
//!
//! - a comparison with a dialect name (`bind.dialect.name == "mysql"`,
//!   `name in ("postgresql", "sqlite")`, `.startswith("postgres")`);
//! - a dialect-specific keyword argument (`mysql_engine=`,
//!   `postgresql_using=`, `sqlite_autoincrement=`, `mariadb_*`);
//! - an import or attribute path through `sqlalchemy.dialects.X`;
//! - `with_variant(type, "mysql")` (or `dialect_name="mysql"`).

use miglint_diagnostics::{Dialect, TextRange};
use tree_sitter::Node;

use crate::data::{Lit, Regions};
use crate::kinds::{fields, kinds};
use crate::model::{DialectMention, MentionKind};

/// Every kind of mention of every dialect, once per (dialect, kind): the
/// first in source order. Fed every node of the tree in pre-order (by the
/// extractor's one walk over the tree).
pub(crate) struct Mentions<'a> {
    source: &'a str,
    regions: &'a Regions<'a>,
    pub out: Vec<DialectMention>,
}

impl<'a> Mentions<'a> {
    pub fn new(source: &'a str, regions: &'a Regions<'a>) -> Self {
        Mentions {
            source,
            regions,
            out: Vec::new(),
        }
    }

    fn push(&mut self, dialect: Dialect, kind: MentionKind, n: Node) {
        self.push_range(
            dialect,
            kind,
            TextRange::new(n.start_byte() as u32, n.end_byte() as u32),
        );
    }

    /// Records a mention at `range` unless one of its (dialect, kind) came
    /// before.
    pub fn push_range(&mut self, dialect: Dialect, kind: MentionKind, range: TextRange) {
        if !self
            .out
            .iter()
            .any(|m| m.dialect == dialect && m.kind == kind)
        {
            self.out.push(DialectMention {
                dialect,
                kind,
                range,
            });
        }
    }

    fn text(&self, n: Node) -> &'a str {
        self.source.get(n.byte_range()).unwrap_or("")
    }

    /// The mentions `node` itself makes (not its descendants).
    pub fn visit(&mut self, node: Node) {
        let k = kinds();
        let fl = fields();
        let (source, regions) = (self.source, self.regions);
        let id = node.kind_id();
        if id == k.comparison_operator {
            let mut cursor = node.walk();
            for operand in node.named_children(&mut cursor) {
                for s in dialect_strings(operand, source, regions) {
                    self.push(s, MentionKind::Guard, operand);
                }
            }
        } else if id == k.keyword_argument {
            if let Some(name) = node.child_by_field_id(fl.name) {
                let name = self.text(name);
                if let Some((prefix, rest)) = name.split_once('_')
                    && !rest.is_empty()
                    && let Some(d) = Dialect::from_sqlalchemy_name(prefix)
                {
                    self.push(d, MentionKind::Keyword, node);
                }
            }
        } else if id == k.import_statement || id == k.import_from_statement {
            let module = node
                .child_by_field_id(fl.module_name)
                .map(|n| self.text(n))
                .unwrap_or("");
            let mut c = node.walk();
            for n in node.children_by_field_id(
                std::num::NonZeroU16::new(fl.name).expect("field ids are not 0"),
                &mut c,
            ) {
                let imported = if n.kind_id() == k.aliased_import {
                    n.child_by_field_id(fl.name).map_or("", |n| self.text(n))
                } else {
                    self.text(n)
                };
                let full = if module.is_empty() {
                    imported.to_string()
                } else {
                    format!("{module}.{imported}")
                };
                if let Some(d) = dialect_module(&full) {
                    self.push(d, MentionKind::Import, node);
                }
            }
            if let Some(d) = dialect_module(module) {
                self.push(d, MentionKind::Import, node);
            }
        } else if id == k.attribute {
            // `sa.dialects.postgresql.UUID`: the attribute after `dialects`
            // (which the object's text, part of the node's, has to contain)
            if self.text(node).contains("dialects")
                && let (Some(obj), Some(attr)) = (
                    node.child_by_field_id(fl.object),
                    node.child_by_field_id(fl.attribute),
                )
                && last_name(self.text(obj)) == "dialects"
                && let Some(d) = Dialect::from_sqlalchemy_name(self.text(attr))
            {
                self.push(d, MentionKind::Import, node);
            }
        } else if id == k.call {
            // the name first: most calls are neither
            let name = node
                .child_by_field_id(fl.function)
                .map_or("", |func| last_name(self.text(func)));
            if matches!(name, "with_variant" | "startswith")
                && let Some(args) = node.child_by_field_id(fl.arguments)
            {
                if name == "with_variant" {
                    let mut cursor = args.walk();
                    for a in args.named_children(&mut cursor) {
                        let value = if a.kind_id() == k.keyword_argument {
                            a.child_by_field_id(fl.value)
                        } else {
                            Some(a)
                        };
                        for d in value
                            .map(|v| dialect_strings(v, source, regions))
                            .unwrap_or_default()
                        {
                            self.push(d, MentionKind::Variant, a);
                        }
                    }
                } else if name == "startswith"
                    && let Some(first) = args.named_child(0)
                {
                    for d in dialect_strings(first, source, regions) {
                        self.push(d, MentionKind::Guard, first);
                    }
                }
            }
        }
    }
}

/// Whether the nodes of a subtree whose text is `text` may make a mention
/// (`false`: none of them can, so [`Mentions::visit`] need not see them).
/// Conservative: every mention needs a word its text has to contain (a
/// dialect-prefixed keyword argument's name, `dialects` of an import or
/// attribute path, the name of `with_variant`/`startswith`) or, for a
/// comparison, one of the comparison operators' tokens (`<`, `>`, `==`,
/// `!=`, `<>`, `in`, `is`: any `<`, `>`, `!` or `==` counts).
pub(crate) fn may_mention(text: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let at = |i: usize, w: &str| b[i..].starts_with(w.as_bytes());
    // one pass: the operators' tokens, and the words by their first letter
    b.iter().enumerate().any(|(i, &c)| match c {
        b'<' | b'>' | b'!' => true,
        b'=' => b.get(i + 1) == Some(&b'='),
        // `in`/`is` not inside a longer ASCII word (a non-ASCII neighbour
        // counts as a boundary, and a digit before it too: `1in x` is
        // valid Python)
        b'i' => {
            matches!(b.get(i + 1), Some(b'n' | b's'))
                && (i == 0 || !(b[i - 1].is_ascii_alphabetic() || b[i - 1] == b'_'))
                && b.get(i + 2).is_none_or(|&n| !word(n))
        }
        b'p' => at(i, "postgres"),
        b's' => at(i, "sqlite") || at(i, "startswith"),
        b'm' => at(i, "mysql") || at(i, "mariadb"),
        b'd' => at(i, "dialects"),
        b'w' => at(i, "with_variant"),
        _ => false,
    })
}

/// The dialect of a module path `sqlalchemy.dialects.X[.more]`.
fn dialect_module(path: &str) -> Option<Dialect> {
    let rest = path.strip_prefix("sqlalchemy.dialects.")?;
    Dialect::from_sqlalchemy_name(rest.split('.').next().unwrap_or(""))
}

fn last_name(dotted: &str) -> &str {
    dotted.rsplit('.').next().unwrap_or(dotted).trim()
}

/// The dialects named by a string literal, or by the string literals of a
/// tuple / list / set.
fn dialect_strings(n: Node, source: &str, regions: &Regions<'_>) -> Vec<Dialect> {
    if let Some(lit) = regions.lit_at(n.start_byte(), n.end_byte()) {
        let (Lit::Tuple(_, items) | Lit::List(_, items) | Lit::Set(_, items)) = lit else {
            return Vec::new();
        };
        return items
            .iter()
            .filter_map(|item| match item {
                Lit::Str(_, parts) if parts.len() == 1 => {
                    lit_string_value(regions.text(parts[0])).and_then(Dialect::from_sqlalchemy_name)
                }
                _ => None,
            })
            .collect();
    }
    match n.kind() {
        "string" => string_value(n, source)
            .and_then(Dialect::from_sqlalchemy_name)
            .into_iter()
            .collect(),
        "tuple" | "list" | "set" | "parenthesized_expression" => {
            let mut c = n.walk();
            n.named_children(&mut c)
                .filter(|e| e.kind() == "string")
                .filter_map(|e| string_value(e, source).and_then(Dialect::from_sqlalchemy_name))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The content of a plain (non-f) string literal.
fn string_value<'s>(n: Node, source: &'s str) -> Option<&'s str> {
    let mut c = n.walk();
    let mut content = None;
    for child in n.named_children(&mut c) {
        match child.kind() {
            "string_content" if content.is_none() => content = source.get(child.byte_range()),
            "string_start" | "string_end" => {}
            _ => return None,
        }
    }
    content
}

/// [`string_value`] of a string token of a hidden data display (no
/// f-strings there): what is between the quotes, unless it has an escape.
fn lit_string_value(token: &str) -> Option<&str> {
    let quote = token.find(['\'', '"'])?;
    let body = &token[quote..];
    let q = if body.starts_with("'''") || body.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let content = body.get(q..body.len().checked_sub(q)?)?;
    (!content.is_empty() && !content.contains('\\')).then_some(content)
}

#[cfg(test)]
mod tests {
    use crate::PythonParser;
    use crate::model::MentionKind;
    use miglint_diagnostics::Dialect;

    fn mentions(src: &str) -> Vec<(Dialect, MentionKind)> {
        let m = PythonParser::new().parse(src);
        let mut v: Vec<_> = m
            .dialect_mentions
            .iter()
            .map(|m| (m.dialect, m.kind))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn guards() {
        assert_eq!(
            mentions(
                "def upgrade():\n    if op.get_bind().dialect.name == 'mysql':\n        pass\n"
            ),
            [(Dialect::Mysql, MentionKind::Guard)]
        );
        assert_eq!(
            mentions("if name not in ('postgresql', 'sqlite'):\n    pass\n"),
            [
                (Dialect::Postgresql, MentionKind::Guard),
                (Dialect::Sqlite, MentionKind::Guard)
            ]
        );
        assert_eq!(
            mentions("if url.startswith('postgres'):\n    pass\n"),
            [(Dialect::Postgresql, MentionKind::Guard)]
        );
        // a dialect name that is not compared is no guard
        assert_eq!(mentions("x = 'sqlite'\nprint('mysql')\n"), []);
        assert_eq!(mentions("if x == f'{mysql}':\n    pass\n"), []);
    }

    /// The pre-filter of the trivia walk: every comparison operator and
    /// every word a mention needs makes a text one that may mention; an
    /// ordinary op call is not.
    #[test]
    fn may_mention_is_conservative() {
        use super::may_mention;
        for text in [
            "a < b",
            "a > b",
            "a == b",
            "a != b",
            "a <> b",
            "a in b",
            "a not in b",
            "a is b",
            "1in b",
            "a in(b)",
            "(a)is b",
            "a\u{e9}in",
            "in",
            "f(mysql_engine=1)",
            "f(postgres_x=1)",
            "f(sqlite_x=1)",
            "f(mariadb_x=1)",
            "sa.dialects.x",
            "t.with_variant(x)",
            "u.startswith(y)",
        ] {
            assert!(may_mention(text), "{text}");
        }
        for text in [
            "op.add_column(\"t\", sa.Column(\"c\", sa.String(64)))",
            "op.alter_column(\"t\", \"c\", existing_type=sa.Integer(), nullable=False)",
            "f(x=1, index=True, this=2, inside=3, _in=4, in_=5)",
        ] {
            assert!(!may_mention(text), "{text}");
        }
    }

    /// Mentions inside expression statements are found whatever the
    /// statement's neighbours (the walk skips only statements that cannot
    /// make one).
    #[test]
    fn mentions_in_expression_statements() {
        assert_eq!(
            mentions("op.add_column('t', sa.Column('c', sa.String(64)))\nf(x == 'mysql')\n"),
            [(Dialect::Mysql, MentionKind::Guard)]
        );
        assert_eq!(
            mentions("def upgrade():\n    op.f()\n    g(1 if n in ('sqlite',) else 2)\n"),
            [(Dialect::Sqlite, MentionKind::Guard)]
        );
        // inside compound statements, after statements that make none
        assert_eq!(
            mentions(
                "def upgrade():\n    op.f()\n    for t in ts:\n        op.g()\n        with x:\n            \
                 op.h(postgresql_using='gin')\n"
            ),
            [(Dialect::Postgresql, MentionKind::Keyword)]
        );
    }

    /// Comments and syntax errors inside statements are still recorded
    /// (their statements are never skipped).
    #[test]
    fn comments_and_errors_inside_statements() {
        let m = PythonParser::new().parse(
            "def upgrade():\n    op.f()\n    if x:\n        op.g(1,  # why\n             2)\n    op.h(\n",
        );
        assert_eq!(m.comments.len(), 1);
        assert!(!m.syntax_errors.is_empty());
        let m = PythonParser::new().parse("def upgrade():\n    op.f()\n    op.g(1 2)\n");
        assert!(!m.syntax_errors.is_empty());
    }

    #[test]
    fn keywords_imports_variants() {
        assert_eq!(
            mentions("op.create_table('t', mysql_engine='InnoDB', mysql_charset='utf8')\n"),
            [(Dialect::Mysql, MentionKind::Keyword)]
        );
        assert_eq!(
            mentions("op.create_index('i', 't', ['a'], postgresql_using='gin')\n"),
            [(Dialect::Postgresql, MentionKind::Keyword)]
        );
        assert_eq!(
            mentions("sa.Column('id', sa.Integer, sqlite_autoincrement=True)\n"),
            [(Dialect::Sqlite, MentionKind::Keyword)]
        );
        // a bare dialect name, or a prefix with nothing after it, is not a
        // dialect keyword argument
        assert_eq!(mentions("f(mysql=1, sqlite_=2)\n"), []);
        assert_eq!(
            mentions("from sqlalchemy.dialects import postgresql, mysql as m\n"),
            [
                (Dialect::Postgresql, MentionKind::Import),
                (Dialect::Mysql, MentionKind::Import)
            ]
        );
        assert_eq!(
            mentions("from sqlalchemy.dialects.mysql import TINYINT\n"),
            [(Dialect::Mysql, MentionKind::Import)]
        );
        assert_eq!(
            mentions("import sqlalchemy.dialects.sqlite\n"),
            [(Dialect::Sqlite, MentionKind::Import)]
        );
        assert_eq!(
            mentions("c = sa.Column('x', sa.dialects.postgresql.JSONB())\n"),
            [(Dialect::Postgresql, MentionKind::Import)]
        );
        assert_eq!(
            mentions("t = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')\n"),
            [(Dialect::Sqlite, MentionKind::Variant)]
        );
        assert_eq!(
            mentions("t = sa.Text().with_variant(LONGTEXT, dialect_name='mysql')\n"),
            [(Dialect::Mysql, MentionKind::Variant)]
        );
        assert_eq!(mentions("from sqlalchemy import dialects\n"), []);
    }
}
