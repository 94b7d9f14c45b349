//! Small helpers over tree-sitter-python nodes: literals, dotted names,
//! call arguments. Everything returns `None` for what is not a literal.

use tree_sitter::Node;

pub(crate) fn text<'s>(n: Node<'_>, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

/// 1-based line of a node.
pub(crate) fn line(n: Node<'_>) -> u32 {
    n.start_position().row as u32 + 1
}

/// The value of a plain string literal (no f-string interpolation; an
/// implicit concatenation of plain literals is joined).
pub(crate) fn str_lit(n: Node<'_>, src: &str) -> Option<String> {
    match n.kind() {
        "string" => {
            let mut out = String::new();
            let mut c = n.walk();
            for ch in n.named_children(&mut c) {
                match ch.kind() {
                    "string_start" => {
                        let p = text(ch, src).to_ascii_lowercase();
                        if p.contains('f') || p.contains('b') {
                            return None;
                        }
                    }
                    "string_content" => {
                        let t = text(ch, src);
                        if t.contains('\\') {
                            return None;
                        }
                        out.push_str(t);
                    }
                    "string_end" => {}
                    _ => return None,
                }
            }
            Some(out)
        }
        "concatenated_string" => {
            let mut out = String::new();
            let mut c = n.walk();
            for ch in n.named_children(&mut c) {
                out.push_str(&str_lit(ch, src)?);
            }
            Some(out)
        }
        "parenthesized_expression" => str_lit(n.named_child(0)?, src),
        _ => None,
    }
}

/// `True`/`False` literal.
pub(crate) fn bool_lit(n: Node<'_>) -> Option<bool> {
    match n.kind() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A dotted name (`a`, `a.b.c`), or `None` for anything else.
pub(crate) fn dotted(n: Node<'_>, src: &str) -> Option<String> {
    match n.kind() {
        "identifier" => Some(text(n, src).to_string()),
        "attribute" => {
            let obj = dotted(n.child_by_field_name("object")?, src)?;
            let attr = text(n.child_by_field_name("attribute")?, src);
            Some(format!("{obj}.{attr}"))
        }
        _ => None,
    }
}

pub(crate) fn last_segment(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or(s)
}

/// A call's function as a dotted name.
pub(crate) fn call_name(n: Node<'_>, src: &str) -> Option<String> {
    if n.kind() != "call" {
        return None;
    }
    dotted(n.child_by_field_name("function")?, src)
}

/// The positional and keyword arguments of a call; `splat` is true when a
/// `*args`/`**kwargs` hides some.
pub(crate) struct Args<'t> {
    pub pos: Vec<Node<'t>>,
    pub kw: Vec<(String, Node<'t>)>,
    pub splat: bool,
}

impl<'t> Args<'t> {
    pub(crate) fn of(call: Node<'t>, src: &str) -> Args<'t> {
        match call.child_by_field_name("arguments") {
            Some(list) => Args::list(list, src),
            None => Args {
                pos: Vec::new(),
                kw: Vec::new(),
                splat: false,
            },
        }
    }

    /// The items of an `argument_list` (a call's, or a class's bases).
    pub(crate) fn list(list: Node<'t>, src: &str) -> Args<'t> {
        let mut a = Args {
            pos: Vec::new(),
            kw: Vec::new(),
            splat: false,
        };
        let mut c = list.walk();
        for ch in list.named_children(&mut c) {
            match ch.kind() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        ch.child_by_field_name("name"),
                        ch.child_by_field_name("value"),
                    ) {
                        a.kw.push((text(k, src).to_string(), v));
                    }
                }
                "list_splat" | "dictionary_splat" => a.splat = true,
                "comment" => {}
                _ => a.pos.push(ch),
            }
        }
        a
    }

    pub(crate) fn kw(&self, name: &str) -> Option<Node<'t>> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// The value of an assignment statement's right side, unwrapping
/// `expression_statement`.
pub(crate) fn assignment(stmt: Node<'_>) -> Option<Node<'_>> {
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let a = stmt.named_child(0)?;
    (a.kind() == "assignment").then_some(a)
}
