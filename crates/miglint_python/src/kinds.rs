//! Node kind and field ids of tree-sitter-python, looked up once per process:
//! the hot paths compare `u16`s instead of `kind()` strings and call
//! `child_by_field_id` instead of `child_by_field_name` (which searches the
//! grammar's field names on every call).

use std::sync::OnceLock;

use tree_sitter::Node;

macro_rules! table {
    ($name:ident, $lookup:expr, $($field:ident = $text:literal),* $(,)?) => {
        #[allow(dead_code)]
        pub(crate) struct $name {
            $(pub $field: u16,)*
        }
        impl $name {
            fn load(language: &tree_sitter::Language) -> Self {
                let lookup = $lookup;
                $name { $($field: lookup(language, $text),)* }
            }
            /// Every entry, with its name (for the tests).
            #[cfg(test)]
            pub fn all(&self) -> Vec<(&'static str, u16)> {
                vec![$(($text, self.$field),)*]
            }
        }
    };
}

table!(
    Kinds,
    |l: &tree_sitter::Language, k: &str| {
        let id = l.id_for_node_kind(k, true);
        assert!(id != 0, "tree-sitter-python has no node kind {k}");
        id
    },
    aliased_import = "aliased_import",
    argument_list = "argument_list",
    as_pattern = "as_pattern",
    as_pattern_target = "as_pattern_target",
    assignment = "assignment",
    attribute = "attribute",
    augmented_assignment = "augmented_assignment",
    binary_operator = "binary_operator",
    block = "block",
    boolean_operator = "boolean_operator",
    call = "call",
    class_definition = "class_definition",
    comment = "comment",
    comparison_operator = "comparison_operator",
    concatenated_string = "concatenated_string",
    conditional_expression = "conditional_expression",
    decorated_definition = "decorated_definition",
    dictionary_splat = "dictionary_splat",
    ellipsis = "ellipsis",
    error = "ERROR",
    except_clause = "except_clause",
    expression_list = "expression_list",
    expression_statement = "expression_statement",
    false_ = "false",
    float = "float",
    for_statement = "for_statement",
    function_definition = "function_definition",
    global_statement = "global_statement",
    identifier = "identifier",
    if_statement = "if_statement",
    import_from_statement = "import_from_statement",
    import_statement = "import_statement",
    integer = "integer",
    interpolation = "interpolation",
    keyword_argument = "keyword_argument",
    list = "list",
    list_splat = "list_splat",
    module = "module",
    named_expression = "named_expression",
    none = "none",
    nonlocal_statement = "nonlocal_statement",
    parenthesized_expression = "parenthesized_expression",
    pass_statement = "pass_statement",
    raise_statement = "raise_statement",
    return_statement = "return_statement",
    set = "set",
    string = "string",
    subscript = "subscript",
    true_ = "true",
    try_statement = "try_statement",
    tuple = "tuple",
    while_statement = "while_statement",
    with_clause = "with_clause",
    with_statement = "with_statement",
);

table!(
    Fields,
    |l: &tree_sitter::Language, f: &str| {
        l.field_id_for_name(f)
            .unwrap_or_else(|| panic!("tree-sitter-python has no field {f}"))
            .get()
    },
    alias = "alias",
    alternative = "alternative",
    arguments = "arguments",
    attribute = "attribute",
    body = "body",
    condition = "condition",
    definition = "definition",
    function = "function",
    left = "left",
    module_name = "module_name",
    name = "name",
    object = "object",
    operator = "operator",
    right = "right",
    value = "value",
);

/// The kind ids of tree-sitter-python.
pub(crate) fn kinds() -> &'static Kinds {
    static K: OnceLock<Kinds> = OnceLock::new();
    K.get_or_init(|| Kinds::load(&tree_sitter_python::LANGUAGE.into()))
}

/// The field ids of tree-sitter-python.
pub(crate) fn fields() -> &'static Fields {
    static F: OnceLock<Fields> = OnceLock::new();
    F.get_or_init(|| Fields::load(&tree_sitter_python::LANGUAGE.into()))
}

/// The named children of `n` other than comments, without collecting them.
pub(crate) struct NamedChildren<'t> {
    cursor: Option<tree_sitter::TreeCursor<'t>>,
    comment: u16,
}

impl<'t> NamedChildren<'t> {
    pub fn new(n: Node<'t>) -> Self {
        let mut cursor = n.walk();
        let cursor = cursor.goto_first_child().then_some(cursor);
        NamedChildren {
            cursor,
            comment: kinds().comment,
        }
    }
}

impl<'t> Iterator for NamedChildren<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        loop {
            let cursor = self.cursor.as_mut()?;
            let node = cursor.node();
            if !cursor.goto_next_sibling() {
                self.cursor = None;
            }
            if node.is_named() && node.kind_id() != self.comment {
                return Some(node);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fields, kinds};

    /// The ids stand for exactly the kinds their names say, on every node
    /// of a file that has them all (named nodes; an anonymous token never
    /// has one of these names).
    #[test]
    fn ids_match_kind_names() {
        let src = r#"
import sqlalchemy.dialects.mysql as m
from sqlalchemy import dialects as d
from x import *
class T(Base):
    __tablename__ = "t"
@dec
def upgrade() -> None:
    """Doc."""
    global g
    x: int = 1
    x += 1
    if (y := f()) and not z or a if b else c:
        pass
    elif x in (1, 2.0, None, True, False, *s, **k) and t[0] == 'a' 'b' f'{c}':
        raise NotImplementedError
    else:
        ...
    for i in [1]:
        continue
    while x:
        break
    try:
        with op.batch_alter_table("t") as b, y:
            b.drop_column("c")  # comment
    except* E as e:
        return a + b, c
    except E:
        pass
    def inner():
        nonlocal x
    lambda: 0
    {1}
    print(x, a=1, **k)
    [a, b] = 1, 2
    match x:
        case [a] if b:
            pass
"#;
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(src, None).unwrap();
        let all = kinds().all();
        let mut seen = vec![false; all.len()];
        let mut cursor = tree.walk();
        loop {
            let n = cursor.node();
            for (i, &(name, id)) in all.iter().enumerate() {
                assert_eq!(
                    n.kind_id() == id,
                    n.kind() == name,
                    "{name} vs {} ({})",
                    n.kind(),
                    n.kind_id()
                );
                seen[i] |= n.kind() == name;
            }
            if let Some(f) = cursor.field_name() {
                let id = fields().all().into_iter().find(|(name, _)| *name == f);
                if let Some((_, id)) = id {
                    assert_eq!(cursor.field_id().map(|x| x.get()), Some(id));
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    let missing: Vec<_> = all
                        .iter()
                        .zip(&seen)
                        .filter(|(_, s)| !**s)
                        .map(|((n, _), _)| *n)
                        .collect();
                    // ERROR does not occur in a valid file
                    assert_eq!(missing, ["ERROR"]);
                    return;
                }
            }
        }
    }

    /// An error-recovery node's id is the table's `error` (the one kind
    /// the valid file above cannot show).
    #[test]
    fn error_id_matches_error_nodes() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("grammar");
        let tree = parser
            .parse("x = (1 +\ndef f(:\n  pass\n", None)
            .expect("tree");
        let mut cursor = tree.walk();
        let mut errors = 0;
        loop {
            let n = cursor.node();
            assert_eq!(n.kind() == "ERROR", n.kind_id() == kinds().error);
            errors += usize::from(n.kind() == "ERROR");
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    assert!(errors > 0);
                    return;
                }
            }
        }
    }
}
