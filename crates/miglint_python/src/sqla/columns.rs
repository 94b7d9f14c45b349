//! One column declaration (`Column(...)`, `mapped_column(...)`, a bare
//! `Mapped[T]` annotation) and the items of `__table_args__` / `Table(...)`.

use tree_sitter::Node;

use super::aliases::Ctor;
use super::fks::{self, RawFk};
use super::syntax::{Args, bool_lit, call_name, dotted, last_segment, line, str_lit, text};
use super::types;

/// A column as declared, before naming conventions.
#[derive(Debug, Clone)]
pub(crate) struct RawColumn {
    pub name: String,
    pub type_name: Option<String>,
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub server_default: bool,
    /// The server default as a constant ([`types::default_constant`]).
    pub server_default_value: Option<String>,
    pub index: bool,
    pub unique: bool,
    /// Its `ForeignKey(...)`s (local column filled in).
    pub fks: Vec<RawFk>,
    pub line: u32,
}

/// An index or unique constraint as declared.
#[derive(Debug, Clone)]
pub(crate) enum RawItem {
    /// `columns` is `None` for an expression index.
    Index {
        name: Option<String>,
        columns: Option<Vec<String>>,
        unique: bool,
        line: u32,
    },
    Unique {
        name: Option<String>,
        columns: Vec<String>,
        line: u32,
    },
    /// `PrimaryKeyConstraint(...)`: its columns are NOT NULL.
    PrimaryKey(Vec<String>),
    /// `ForeignKeyConstraint(...)`.
    ForeignKey(RawFk),
}

/// Calls inside `Column(...)` that are not its type.
const NOT_TYPES: &[&str] = &[
    "ForeignKey",
    "Sequence",
    "Identity",
    "Computed",
    "CheckConstraint",
    "FetchedValue",
    "DefaultClause",
];

/// What an annotation says: `Mapped[Optional[int]]` → (Some("int"), true).
pub(crate) struct Annotation {
    pub mapped: bool,
    /// The inner Python type (`int`, `datetime.datetime`).
    pub inner: Option<String>,
    pub optional: bool,
}

/// Reads an annotation as text: `Mapped[T]`, `Mapped[Optional[T]]`,
/// `Mapped[T | None]`, `Mapped[Union[T, None]]`, quoted or not.
pub(crate) fn annotation(ann: &str) -> Annotation {
    let a: String = ann.chars().filter(|c| !c.is_whitespace()).collect();
    let a = unquote(&a);
    let none = Annotation {
        mapped: false,
        inner: None,
        optional: false,
    };
    let Some(open) = a.find('[') else { return none };
    if !a.ends_with(']') || last_segment(&a[..open]) != "Mapped" {
        return none;
    }
    let inner = unquote(&a[open + 1..a.len() - 1]).to_string();
    let (t, optional) = split_optional(&inner);
    Annotation {
        mapped: true,
        inner: Some(t),
        optional,
    }
}

fn unquote(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Splits the top-level `|` / `Optional[...]` / `Union[..., None]`.
fn split_optional(t: &str) -> (String, bool) {
    let parts = top_level_split(t, '|');
    if parts.len() > 1 {
        let rest: Vec<&str> = parts.iter().copied().filter(|p| *p != "None").collect();
        let optional = rest.len() < parts.len();
        return (rest.join("|"), optional);
    }
    if let Some(inner) = strip_generic(t, "Optional") {
        return (inner.to_string(), true);
    }
    if let Some(inner) = strip_generic(t, "Union") {
        let parts = top_level_split(inner, ',');
        let rest: Vec<&str> = parts.iter().copied().filter(|p| *p != "None").collect();
        return (rest.join(","), rest.len() < parts.len());
    }
    (t.to_string(), false)
}

fn strip_generic<'a>(t: &'a str, name: &str) -> Option<&'a str> {
    let open = t.find('[')?;
    (last_segment(&t[..open]) == name && t.ends_with(']')).then(|| &t[open + 1..t.len() - 1])
}

fn top_level_split(t: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in t.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&t[start..]);
    out
}

/// The type name of a type expression (`sa.String(50)` → `String`).
fn type_name(n: Node<'_>, src: &str) -> Option<String> {
    let d = match n.kind() {
        "call" => call_name(n, src)?,
        _ => dotted(n, src)?,
    };
    Some(last_segment(&d).to_string())
}

/// Reads `Column(...)` / `mapped_column(...)`. `attr` is the class
/// attribute (the default column name), `ann` the annotation. `Err` says
/// why the column is not readable.
pub(crate) fn column(
    call: Node<'_>,
    ctor: Ctor,
    src: &str,
    attr: Option<&str>,
    ann: Option<&Annotation>,
) -> Result<RawColumn, String> {
    if ctor == Ctor::Either && ann.is_some_and(|a| a.mapped) {
        // `Column` ignores the `Mapped[...]` annotation, `mapped_column`
        // reads nullability and type from it: which one runs is decided
        // by an import
        return Err(
            "`Column` or `mapped_column` (chosen by an import) with a `Mapped` annotation".into(),
        );
    }
    let mapped = ctor == Ctor::Mapped;
    let args = Args::of(call, src);
    if args.splat {
        return Err("a column built from *args/**kwargs".into());
    }
    let mut name = attr.map(str::to_string);
    let mut ty: Option<String> = None;
    let mut fk_list = Vec::new();
    for (i, p) in args.pos.iter().enumerate() {
        if p.kind() == "call"
            && call_name(*p, src).is_some_and(|n| last_segment(&n) == "ForeignKey")
        {
            fk_list.push(fks::column_fk(*p, src));
            continue;
        }
        if i == 0
            && let Some(s) = str_lit(*p, src)
        {
            name = Some(s);
            continue;
        }
        if p.kind() == "string" {
            return Err("a column name that is not a literal".into());
        }
        let Some(t) = type_name(*p, src) else {
            continue;
        };
        if NOT_TYPES.contains(&t.as_str()) {
            continue;
        }
        if ty.is_none() {
            ty = Some(t);
        }
    }
    if let Some(n) = args.kw("name") {
        name = Some(str_lit(n, src).ok_or("a column name that is not a literal")?);
    }
    if let Some(t) = args.kw("type_") {
        ty = type_name(t, src);
    }
    let Some(name) = name else {
        return Err("a column without a name".into());
    };
    let flag = |k: &str| -> Result<bool, String> {
        match args.kw(k) {
            None => Ok(false),
            Some(v) => bool_lit(v).ok_or_else(|| format!("`{k}=` is not a literal")),
        }
    };
    let primary_key = flag("primary_key")?;
    let index = flag("index")?;
    let unique = flag("unique")?;
    let nullable = match args.kw("nullable") {
        Some(v) => bool_lit(v),
        None if primary_key => Some(false),
        None => match ann {
            Some(a) if mapped && a.mapped => Some(a.optional),
            _ => Some(true),
        },
    };
    if ty.is_none()
        && mapped
        && let Some(inner) = ann.and_then(|a| a.inner.as_deref())
    {
        ty = types::from_annotation(inner).map(str::to_string);
    }
    let server_default = args
        .kw("server_default")
        .is_some_and(|v| v.kind() != "none");
    let server_default_value = args
        .kw("server_default")
        .and_then(|v| default_value(v, src));
    for f in &mut fk_list {
        f.columns = vec![name.clone()];
    }
    Ok(RawColumn {
        name,
        type_name: ty,
        nullable,
        primary_key,
        server_default,
        server_default_value,
        index,
        unique,
        fks: fk_list,
        line: line(call),
    })
}

/// A bare `x: Mapped[T]` (no value): a column with the annotation's type
/// and nullability.
pub(crate) fn annotated(attr: &str, a: &Annotation, at: Node<'_>) -> RawColumn {
    RawColumn {
        name: attr.to_string(),
        type_name: a
            .inner
            .as_deref()
            .and_then(types::from_annotation)
            .map(str::to_string),
        nullable: Some(a.optional),
        primary_key: false,
        server_default: false,
        server_default_value: None,
        index: false,
        unique: false,
        fks: Vec::new(),
        line: line(at),
    }
}

/// A column reference inside `Index(...)` / `UniqueConstraint(...)`: a
/// string, `column("x")`, `Cls.x`, `table.c.x`.
fn column_ref(n: Node<'_>, src: &str) -> Option<String> {
    if let Some(s) = str_lit(n, src) {
        return Some(s);
    }
    if n.kind() == "attribute" {
        return Some(text(n.child_by_field_name("attribute")?, src).to_string());
    }
    None
}

/// Reads an `Index(...)`, `UniqueConstraint(...)` (or an ignored
/// constraint: `Ok(None)`); `Err` for anything unreadable.
pub(crate) fn table_item(n: Node<'_>, src: &str) -> Result<Option<RawItem>, String> {
    let Some(name) = call_name(n, src) else {
        return Err(format!(
            "`{}` in the table's arguments",
            short(text(n, src))
        ));
    };
    let args = Args::of(n, src);
    let lit_name = |v: Option<Node<'_>>| -> Result<Option<String>, String> {
        match v {
            None => Ok(None),
            Some(v) if v.kind() == "none" => Ok(None),
            Some(v) => str_lit(v, src)
                .map(Some)
                .ok_or_else(|| "a constraint name that is not a literal".to_string()),
        }
    };
    match last_segment(&name) {
        "Index" => {
            let mut pos = args.pos.iter();
            let iname = lit_name(pos.next().copied())?;
            let mut cols = Some(Vec::new());
            for p in pos {
                match (column_ref(*p, src), cols.as_mut()) {
                    (Some(c), Some(v)) => v.push(c),
                    _ => cols = None,
                }
            }
            let unique = match args.kw("unique") {
                None => false,
                Some(v) => bool_lit(v).ok_or("`unique=` is not a literal")?,
            };
            if args.splat {
                cols = None;
            }
            Ok(Some(RawItem::Index {
                name: iname,
                columns: cols,
                unique,
                line: line(n),
            }))
        }
        "UniqueConstraint" => {
            let mut cols = Vec::new();
            for p in &args.pos {
                cols.push(column_ref(*p, src).ok_or("a unique constraint on an expression")?);
            }
            if args.splat {
                return Err("a unique constraint built from *args".into());
            }
            Ok(Some(RawItem::Unique {
                name: lit_name(args.kw("name"))?,
                columns: cols,
                line: line(n),
            }))
        }
        "PrimaryKeyConstraint" => {
            let mut cols = Vec::new();
            for p in &args.pos {
                cols.push(column_ref(*p, src).ok_or("a primary key on an expression")?);
            }
            Ok(Some(RawItem::PrimaryKey(cols)))
        }
        "ForeignKeyConstraint" => Ok(Some(RawItem::ForeignKey(fks::constraint_fk(n, src)))),
        "CheckConstraint" => Ok(None),
        other => Err(format!("`{other}(...)` in the table's arguments")),
    }
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(40).collect();
    s.replace('\n', " ")
}

/// A `server_default=` constant: a string, or `text("...")` of one.
fn default_value(v: Node<'_>, src: &str) -> Option<String> {
    if let Some(s) = str_lit(v, src) {
        return types::default_constant(&s, false);
    }
    let name = call_name(v, src)?;
    if !matches!(last_segment(&name), "text" | "literal_column") {
        return None;
    }
    let args = Args::of(v, src);
    let s = str_lit(*args.pos.first()?, src)?;
    types::default_constant(&s, true)
}
