//! What a revision's `upgrade()` and `downgrade()` do outside their ops,
//! read from the file's text once, when the file is extracted: the helpers
//! of the module they call, the project helpers (imported from a module
//! that is not Alembic, SQLAlchemy or the standard library) they call, the
//! objects they create or drop by other means, the ORM deletes of every
//! row. The schema replay reads these facts in each of its walks (one per
//! dialect where guards tell the dialects apart), and a cached module
//! carries them, so a warm run and a pre-commit miss do not scan the text
//! of every revision again (issue 15).

use crate::model::{FuncKind, Module};
use crate::shared_str::SharedStr;

/// What one `upgrade()`/`downgrade()` does outside ops (see the module
/// documentation). Every list is in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutsideOps {
    /// Helper functions of the module (not `upgrade`/`downgrade`, with ops)
    /// it calls: the offset of the first call, and the helper's index into
    /// [`Module::functions`].
    pub calls: Vec<(u32, u32)>,
    /// Its text has `.create(` / `.drop(`.
    pub creates: bool,
    pub drops: bool,
    /// ORM deletes of every row of a class mapped in the file: the offset of
    /// the `.delete(`, and the class's table.
    pub emptied: Vec<(u32, SharedStr)>,
    /// It calls something imported from a project module ([`calls_any`]).
    pub calls_project: bool,
    /// It creates or drops objects outside ops ([`schema_calls`]).
    pub schema_calls: bool,
    /// Project helpers called with a table's name: the offset of the call,
    /// and the name ([`named_calls`]).
    pub named: Vec<(u32, SharedStr)>,
}

impl OutsideOps {
    /// Nothing outside ops (a function the model keeps no facts for).
    pub const NONE: OutsideOps = OutsideOps {
        calls: Vec::new(),
        creates: false,
        drops: false,
        emptied: Vec::new(),
        calls_project: false,
        schema_calls: false,
        named: Vec::new(),
    };

    fn is_none(&self) -> bool {
        *self == OutsideOps::NONE
    }
}

/// [`OutsideOps::NONE`], to lend (a constant holding vectors is not
/// promoted to a static).
pub(crate) static NONE: OutsideOps = OutsideOps::NONE;

/// Reads [`OutsideOps`] of every `upgrade()`/`downgrade()` of `module` from
/// `source` (the text it was extracted from) into [`Function::outside`]
/// (`None` when it does nothing outside ops).
///
/// [`Function::outside`]: crate::model::Function::outside
pub(crate) fn read(module: &mut Module, source: &str) {
    let mut has_ops = vec![false; module.functions.len()];
    for op in &module.ops {
        if let Some(h) = has_ops.get_mut(op.func) {
            *h = true;
        }
    }
    let mut imported: Option<Vec<&str>> = None;
    for f in 0..module.functions.len() {
        let func = &module.functions[f];
        if !matches!(func.kind, FuncKind::Upgrade | FuncKind::Downgrade) {
            continue;
        }
        let imported = imported.get_or_insert_with(|| imported_names(source));
        let text = source.get(func.range.as_usize()).unwrap_or("");
        let start = func.range.start();
        let (creates, drops) = (text.contains(".create("), text.contains(".drop("));
        let emptied = if module.orm_tables.is_empty() {
            Vec::new()
        } else {
            orm_deletes_all(text)
                .into_iter()
                .filter_map(|(at, class)| {
                    Some((start + at as u32, SharedStr::from(module.orm_table(class)?)))
                })
                .collect()
        };
        let calls_project = calls_any(imported, text);
        let named = if calls_project {
            named_calls(imported, text)
                .into_iter()
                .map(|(at, t)| (start + at as u32, SharedStr::from(t)))
                .collect()
        } else {
            Vec::new()
        };
        let outside = OutsideOps {
            calls: helper_calls(module, f, text, &has_ops),
            creates,
            drops,
            emptied,
            calls_project,
            schema_calls: schema_calls(text, creates || drops),
            named,
        };
        module.functions[f].outside = (!outside.is_none()).then(|| Box::new(outside));
    }
}

/// Helper functions (of kind Other, with ops) that function `f` (its text
/// `text`) calls, with the offset of the first call, in text order.
fn helper_calls(module: &Module, f: usize, text: &str, has_ops: &[bool]) -> Vec<(u32, u32)> {
    let start = module.functions[f].range.start();
    let mut calls = Vec::new();
    for (h, hf) in module.functions.iter().enumerate() {
        if h == f || hf.kind != FuncKind::Other || !has_ops[h] {
            continue;
        }
        let call = format!("{}(", hf.name);
        let first = text.match_indices(&call).find(|(at, _)| {
            *at == 0 || {
                let b = text.as_bytes()[at - 1];
                !b.is_ascii_alphanumeric() && b != b'_' && b != b'.'
            }
        });
        if let Some((at, _)) = first {
            calls.push((start + at as u32, h as u32));
        }
    }
    calls.sort_unstable();
    calls
}

/// The byte offset of `word` as a whole word in `haystack` (both uppercase
/// or both as-is).
pub fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(word) {
        let at = from + pos;
        let end = at + word.len();
        let before_ok = at == 0 || !is_ident(bytes[at - 1]);
        let after_ok = end >= bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
        if from >= haystack.len() {
            break;
        }
        while !haystack.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Calls in `text` of one of `names` (functions a file imports from a
/// project module) made as statements (their value unused: run for what
/// they do, unlike `if not has_table("t")` or `x = find_name("t")`) whose
/// first argument is a plain string literal: the byte offset of each call
/// and the string (`create_table("query", ...)` → `(at, "query")`), in
/// text order.
fn named_calls<'t>(names: &[&str], text: &'t str) -> Vec<(usize, &'t str)> {
    let mut out = Vec::new();
    for n in names {
        let mut from = 0;
        while let Some(pos) = text[from..].find(n) {
            let at = from + pos;
            from = at + n.len();
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if !text[line_start..at].trim().is_empty() {
                continue;
            }
            let rest = text[from..].trim_start_matches([' ', '\t']);
            let Some(rest) = rest.strip_prefix('(') else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let body = &rest[1..];
            if let Some(end) = body.find([quote, '\\', '\n'])
                && body[end..].starts_with(quote)
                && end > 0
            {
                out.push((at, &body[..end]));
            }
        }
    }
    out.sort_unstable_by_key(|&(at, _)| at);
    out
}

/// ORM deletes of every row of a mapped class, in `text`:
/// `<session>.query(Cls).delete()` (optionally
/// `delete(synchronize_session=...)`), with nothing between `query(...)`
/// and `delete(` (a `.filter(...)` keeps rows). Each as (offset of the
/// `.delete(`, class name).
fn orm_deletes_all(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (at, m) in text.match_indices(".delete(") {
        // the arguments: none, or only `synchronize_session=...`
        let args_from = at + m.len();
        let Some(close) = text[args_from..].find(')') else {
            continue;
        };
        let args = text[args_from..args_from + close].trim();
        if !(args.is_empty() || args.starts_with("synchronize_session")) {
            continue;
        }
        // before it: `.query(Cls)`, whitespace allowed
        let before = text[..at].trim_end();
        let Some(before) = before.strip_suffix(')') else {
            continue;
        };
        let Some(open) = before.rfind('(') else {
            continue;
        };
        let class = before[open + 1..].trim();
        if class.is_empty()
            || !class
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || !before[..open].trim_end().ends_with(".query")
        {
            continue;
        }
        out.push((at, class));
    }
    out
}

/// Whether a function (`text`) calls something imported from a module
/// that is not Alembic, SQLAlchemy or the standard library (a project's
/// migration helpers: `from app.migrations.utils import create_table`),
/// whose schema changes miglint cannot see; `names` are the file's
/// [`imported_names`].
fn calls_any(names: &[&str], text: &str) -> bool {
    names.iter().any(|n| {
        find_word(text, n).is_some()
            && (text.contains(&format!("{n}(")) || text.contains(&format!("{n}.")))
    })
}

/// Modules whose imports are no project helpers (see [`imported_names`]).
const SAFE: &[&str] = &[
    "alembic",
    "sqlalchemy",
    "sa",
    "typing",
    "datetime",
    "uuid",
    "json",
    "enum",
    "logging",
    "os",
    "re",
    "sys",
    "time",
    "decimal",
    "collections",
    "functools",
    "itertools",
    "textwrap",
    "dataclasses",
    "__future__",
    "sqlalchemy_utils",
    "sqlmodel",
    "math",
    "random",
    "string",
    "hashlib",
    "base64",
    "secrets",
    "pathlib",
    "copy",
    "warnings",
    "contextlib",
    "typing_extensions",
    "zoneinfo",
    "pytz",
];

/// The local names a file imports from modules that are not Alembic,
/// SQLAlchemy or the standard library (see `calls_any`); read once
/// per revision.
fn imported_names(source: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    // only a line that starts with `from ` or `import ` names anything (with
    // the lines its parenthesized list goes on over): the other lines are
    // stepped over, newline to newline, not read
    let mut at = 0;
    while let Some(rest) = source.get(at..).filter(|r| !r.is_empty()) {
        if rest.starts_with("from ") || rest.starts_with("import ") {
            let mut lines = Lines { text: source, at };
            let Some(line) = lines.next() else { break };
            import_line(line, &mut lines, &mut names);
            at = lines.at;
        } else {
            match newline(rest) {
                Some(n) => at += n + 1,
                None => break,
            }
        }
    }
    names
}

/// The offset of the first `\n` of `text` (a byte loop: the lines are
/// short, and `str::find` costs more per call than it saves per byte).
fn newline(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == b'\n')
}

/// [`str::lines`] from offset `at` of `text`, with the offset reached.
struct Lines<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Lines<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.text.get(self.at..).filter(|r| !r.is_empty())?;
        // (as `str::lines`: a `\r` only before a `\n` ends the line)
        let (line, len) = match newline(rest) {
            Some(n) => (rest[..n].strip_suffix('\r').unwrap_or(&rest[..n]), n + 1),
            None => (rest, rest.len()),
        };
        self.at += len;
        Some(line)
    }
}

/// Reads one line of [`imported_names`] (and the lines a parenthesized
/// list goes on over, from `lines`).
fn import_line<'t>(line: &'t str, lines: &mut Lines<'t>, names: &mut Vec<&'t str>) {
    let (module, imported) = if let Some(rest) = line.strip_prefix("from ") {
        match rest.split_once(" import ") {
            Some((m, i)) => (m.trim(), i),
            None => return,
        }
    } else if let Some(rest) = line.strip_prefix("import ") {
        for part in rest.split('#').next().unwrap_or("").split(',') {
            let module = part.split_whitespace().next().unwrap_or("");
            let top = module.split('.').next().unwrap_or("");
            let local = part.rsplit(" as ").next().unwrap_or(part).trim();
            let local = local.split('.').next().unwrap_or(local);
            if !SAFE.contains(&top) && !local.is_empty() {
                names.push(local);
            }
        }
        return;
    } else {
        return;
    };
    let top = module
        .trim_start_matches('.')
        .split('.')
        .next()
        .unwrap_or("");
    // (the lines of a parenthesized list are read, even from a module
    // whose names do not count)
    let mut more: Vec<&str> = Vec::new();
    if imported.trim_start().starts_with('(') && !imported.contains(')') {
        for line in lines.by_ref() {
            more.push(line);
            if line.contains(')') {
                break;
            }
        }
    }
    if SAFE.contains(&top) && !module.starts_with('.') {
        return;
    }
    for part in std::iter::once(imported)
        .chain(more)
        .flat_map(|p| p.split('#').next().unwrap_or("").split(','))
    {
        let part = part.trim().trim_matches(|c| c == '(' || c == ')').trim();
        let local = part.rsplit(" as ").next().unwrap_or(part).trim();
        let local = local.split('.').next().unwrap_or(local);
        if !local.is_empty()
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            names.push(local);
        }
    }
}

/// Whether a function creates or drops objects outside ops: a metadata's
/// `create_all`/`drop_all`, or `.create(`/`.drop(` of something that is
/// not an enum type (a `Table`, an `Index`).
/// `creates_or_drops`: the text has `.create(` or `.drop(`.
fn schema_calls(text: &str, creates_or_drops: bool) -> bool {
    // (one scan for what both have first: most functions have neither)
    if text.contains("_all(") && (text.contains("create_all(") || text.contains("drop_all(")) {
        return true;
    }
    if !creates_or_drops {
        return false;
    }
    text.lines().any(|line| {
        (line.contains(".create(") || line.contains(".drop("))
            && !line.to_ascii_lowercase().contains("enum")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unsafe_modules_at_line_start() {
        let src = "\"\"\"doc: import nothing\"\"\"\nfrom alembic import op\n\
                   import sqlalchemy as sa\nfrom sqlalchemy import (\n    Table,\n)\n\
                   from app.utils import (\n    make_table,  # helper\n    other as alias,\n)\n\
                   import app.helpers as h, os\n    from indented import nope\n\
                   x = 'import y'\nfrom .local import thing\r\nimport\tz";
        assert_eq!(imported_names(src), ["make_table", "alias", "h", "thing"]);
        assert!(imported_names("").is_empty());
        assert_eq!(imported_names("import helpers"), ["helpers"]);
    }

    #[test]
    fn orm_deletes() {
        let text = "    s.query(Run).delete()\n    s.query(Step).filter(Step.id > 3).delete()\n    \
                    session.query(\n        Tag\n    ).delete(synchronize_session=False)\n    \
                    s.query(Run.id).delete()\n    s.query(A, B).delete()\n    t.delete()\n";
        let found: Vec<&str> = orm_deletes_all(text).into_iter().map(|(_, c)| c).collect();
        assert_eq!(found, ["Run", "Tag"]);
    }

    #[test]
    fn named_calls_of_project_helpers() {
        let text = "create_table(\n    'query', x)\nop.create_table('a')\nmy_create_table('b')\ncreate_table(name)\ncreate_table(\"c\\\"d\")\n    upsert ('t2')\nif not has_table('t3'):\n    x = upsert('t4')\n";
        let got = named_calls(&["create_table", "upsert", "has_table"], text);
        let names: Vec<&str> = got.iter().map(|(_, t)| *t).collect();
        assert_eq!(names, ["query", "t2"]);
        assert_eq!(got[0].0, 0);
    }

    #[test]
    fn read_at_extraction_in_text_order() {
        let src = "from alembic import op\nfrom app.util import create_table as ct\n\
                   class Run(Base):\n    __tablename__ = 'runs'\n\n\
                   def fill():\n    op.add_column('t', sa.Column('c', sa.Integer()))\n\n\
                   def idle():\n    pass\n\n\
                   def upgrade():\n    ct('late')\n    fill()\n    \
                   s.query(Run).delete()\n    op.drop_table('x')\n    ct('later')\n    \
                   fill()\n    idle()\n\n\
                   def downgrade():\n    op.create_table('x')\n";
        let m = crate::PythonParser::new().parse(src);
        let func = |name: &str| m.functions.iter().find(|f| f.name == name).expect(name);
        let up = func("upgrade");
        let at = |needle: &str| src.find(needle).expect(needle) as u32;
        let fill = m.functions.iter().position(|f| f.name == "fill").unwrap() as u32;
        // the first call of a helper with ops only (`idle` has none)
        assert_eq!(up.outside().calls, [(at("fill()\n    s."), fill)]);
        assert_eq!(
            up.outside().named,
            [
                (at("ct('late')"), "late".into()),
                (at("ct('later')"), "later".into())
            ]
        );
        assert_eq!(up.outside().emptied, [(at(".delete("), "runs".into())]);
        assert!(up.outside().calls_project && !up.outside().creates && !up.outside().schema_calls);
        // nothing outside ops: no facts kept
        assert!(func("downgrade").outside.is_none());
        assert_eq!(*func("downgrade").outside(), OutsideOps::NONE);
        assert!(
            func("fill").outside.is_none(),
            "only upgrade() and downgrade() are read"
        );
    }
}
