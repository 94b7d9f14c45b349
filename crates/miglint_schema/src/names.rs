//! Name helpers shared by the model and the rules: literal names,
//! case-insensitive comparison, word search, and the source-text test for
//! an op guarded by an existence check.

pub use miglint_python::find_word;
use miglint_python::{Expr, Function, Op};

/// ASCII case-insensitive name equality.
pub fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A literal name: a string, or `op.f("name")` / `batch_op.f(...)` /
/// `sa.quoted_name("name", ...)` / `conv("name")`.
pub fn literal_name(e: &Expr) -> Option<&str> {
    if let Some(s) = e.str_value() {
        return Some(s);
    }
    let call = e.as_call()?;
    let name = call.func.dotted_last()?;
    matches!(name, "f" | "quoted_name" | "conv")
        .then(|| call.args.first()?.str_value())
        .flatten()
}

/// Whether `ident` occurs as a whole identifier (ASCII case-insensitive).
pub fn find_ident(text: &str, ident: &str) -> bool {
    !ident.is_empty()
        && find_word(&text.to_ascii_lowercase(), &ident.to_ascii_lowercase()).is_some()
}

/// Whether `op` runs only after a check that the object exists: it sits
/// in an `if`/`elif`/`else` chain whose condition inspects the schema
/// (`sa.inspect(...)`, `has_table`, `get_columns`, a `*exist*` helper, a
/// `"name" in <list>` test), or in a `try:` block. Read from the source
/// text by indentation, since the model keeps only dialect guards.
pub fn existence_guarded(source: &str, func: &Function, op: &Op) -> bool {
    if op.in_try {
        return true;
    }
    let start = op.range.start() as usize;
    let func_start = func.range.start() as usize;
    let Some(before) = source.get(func_start..start) else {
        return false;
    };
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let mut indent = indentation(&before[line_start..]);
    // The body's own level: once the walk is back at it with no open
    // if/elif/else chain, nothing above can guard the op (this keeps the
    // walk short; it reads lines lazily, bottom up).
    let body_indent = before
        .lines()
        .skip(1)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(0, indentation);
    let mut lines = before[..line_start].lines().rev();
    // a chain header seen at the current level (for `else`/`elif`: its `if`)
    let mut in_chain = false;
    for line in lines.by_ref() {
        if !in_chain && indent <= body_indent {
            return false;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let level = indentation(line);
        if trimmed.starts_with("def ") || trimmed.starts_with("async def ") {
            if level < indent {
                return false;
            }
            continue;
        }
        let header = level < indent;
        let chain_sibling = in_chain && level == indent;
        if !header && !chain_sibling {
            continue;
        }
        if header {
            indent = level;
            in_chain = false;
        }
        if trimmed.starts_with("try:") && header {
            return true;
        }
        let cond = trimmed
            .strip_prefix("if ")
            .or_else(|| trimmed.strip_prefix("elif "));
        if let Some(cond) = cond {
            if is_existence_check(cond) {
                return true;
            }
            // an `elif` continues the chain up to its `if`
            in_chain = trimmed.starts_with("elif ");
        } else if trimmed.starts_with("else") {
            in_chain = true;
        }
    }
    false
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn is_existence_check(cond: &str) -> bool {
    let c = cond.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "inspect",
        "has_table",
        "has_index",
        "has_column",
        "has_constraint",
        "get_columns",
        "get_indexes",
        "get_table_names",
        "get_unique_constraints",
        "get_foreign_keys",
        "get_check_constraints",
        "get_pk_constraint",
        "exist",
    ];
    if MARKERS.iter().any(|m| c.contains(m)) {
        return true;
    }
    // `"name" in columns` / `'ix' not in indexes`, but not a dialect test
    let tests_membership = [
        "\" in ",
        "' in ",
        "\" not in ",
        "' not in ",
        " in {",
        " in [",
    ]
    .iter()
    .any(|p| c.contains(p));
    tests_membership && !c.contains("dialect") && !c.contains("engine")
}

#[cfg(test)]
mod tests {
    use miglint_python::PythonParser;

    use super::existence_guarded;

    fn guarded(src: &str) -> Vec<bool> {
        let m = PythonParser::new().parse(src);
        m.ops
            .iter()
            .map(|op| existence_guarded(src, &m.functions[op.func], op))
            .collect()
    }

    #[test]
    fn inspector_guards() {
        let src = r#"
def upgrade():
    insp = sa.inspect(op.get_bind())
    op.drop_table("a")
    if insp.has_table("b"):
        op.drop_table("b")
    cols = [c["name"] for c in insp.get_columns("t")]
    if "x" in cols:
        if True:
            op.drop_column("t", "x")
    if 'y' not in cols:
        op.add_column("t", sa.Column("y"))
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("c")
    if not table_exists("d"):
        pass
    else:
        op.drop_table("d")
    try:
        op.drop_index("ix")
    except Exception:
        pass
    op.drop_table("e")
"#;
        assert_eq!(
            guarded(src),
            [false, true, true, true, false, true, true, false]
        );
    }
}

#[cfg(test)]
mod word_tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(find_word("UPDATE T SET A", "SET"), Some(9));
        assert_eq!(find_word("UPDATE T SETA", "SET"), None);
        assert!(find_ident("SET include_deferred = {x}", "include_deferred"));
        assert!(!find_ident("SET include_deferred2 = 1", "include_deferred"));
    }
}
