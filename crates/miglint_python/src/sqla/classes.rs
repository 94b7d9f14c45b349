//! The first pass over every model file: classes (their bases, columns,
//! `__tablename__`, `__table_args__`), `Table(...)` objects, module-level
//! `Index(...)`, declarative roots and naming conventions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::Unknown;
use super::aliases::{self, Ctor};
use super::columns::{self, Annotation, RawColumn, RawItem};
use super::naming::Convention;
use super::syntax::{
    Args, assignment, bool_lit, call_name, dotted, last_segment, line, str_lit, text,
};

#[derive(Debug, Clone)]
pub(crate) enum TableName {
    Absent,
    Lit(String),
    Dynamic(String),
}

#[derive(Debug)]
pub(crate) struct Class {
    pub name: String,
    pub path: PathBuf,
    pub line: u32,
    /// Dotted base names (`?` for an unreadable one).
    pub bases: Vec<String>,
    /// `class X(SQLModel, table=True)`.
    pub sqlmodel_table: bool,
    pub tablename: TableName,
    pub abstract_: bool,
    pub columns: Vec<RawColumn>,
    /// `__table_args__` items (`None`: not declared here).
    pub items: Option<Vec<RawItem>>,
    /// `__table__ = Table(...)`: an index into the scan's tables.
    pub table_obj: Option<usize>,
    pub uncertain: Vec<String>,
    /// A declarative root (`DeclarativeBase` subclass, `@as_declarative`).
    pub root: bool,
}

/// A `Table("name", metadata, ...)`.
#[derive(Debug)]
pub(crate) struct RawTable {
    pub name: String,
    pub path: PathBuf,
    pub line: u32,
    pub columns: Vec<RawColumn>,
    pub items: Vec<RawItem>,
    pub uncertain: Option<String>,
}

/// A module-level `Index(...)`: the class or table variable it names.
#[derive(Debug)]
pub(crate) struct ModuleIndex {
    pub target: Option<String>,
    pub item: RawItem,
    pub path: PathBuf,
    pub line: u32,
}

#[derive(Default)]
pub(crate) struct Scan {
    pub classes: Vec<Class>,
    pub tables: Vec<RawTable>,
    /// Module-level names bound to a `Table(...)`.
    pub table_vars: HashMap<String, usize>,
    /// Names bound to a declarative base (`Base = declarative_base()`).
    pub roots: Vec<String>,
    /// Roots built on a class that adds to every model
    /// (`declarative_base(cls=X)`, `generate_base(cls=X)`,
    /// `SQLAlchemy(model_class=X)`): root name → that class's dotted name
    /// (`?` when it is not a name).
    pub root_mixins: HashMap<String, String>,
    pub module_indexes: Vec<ModuleIndex>,
    pub convention: Convention,
    pub unknown: Vec<Unknown>,
    pub unknown_indexes: Vec<Unknown>,
    /// Some class declares a `type_annotation_map`: annotations are not
    /// mapped to types by the defaults.
    pub annotation_map: bool,
    /// The current file's names for a column constructor (`_Column`).
    aliases: HashMap<String, Ctor>,
}

/// Calls whose result, assigned in a class body, is not a column.
const NOT_COLUMNS: &[&str] = &[
    "relationship",
    "relation",
    "backref",
    "dynamic_loader",
    "column_property",
    "deferred_property",
    "synonym",
    "composite",
    "association_proxy",
    "query_expression",
    "query_property",
    "hybrid_property",
    "hybrid_method",
    "declared_attr",
    "validates",
    "Field",
    "Relationship",
    "ClassVar",
    "property",
    "staticmethod",
    "classmethod",
    "TypeVar",
    "frozenset",
    "set",
    "tuple",
    "dict",
    "list",
];

/// Wrappers whose first argument is the column (`deferred(Column(...))`).
const WRAPPERS: &[&str] = &["deferred", "undefer", "Mapped"];

impl Scan {
    pub(crate) fn file(&mut self, path: &Path, src: &str, root: Node<'_>) {
        self.aliases = aliases::column_aliases(root, src);
        let dicts = super::naming::dict_bindings(root, src);
        self.convention.read(root, src, &dicts);
        let mut c = root.walk();
        for stmt in root.named_children(&mut c) {
            match stmt.kind() {
                "class_definition" => self.class(path, src, stmt, false),
                "decorated_definition" => {
                    let root = text(stmt, src).contains("as_declarative");
                    if let Some(def) = stmt.child_by_field_name("definition")
                        && def.kind() == "class_definition"
                    {
                        self.class(path, src, def, root);
                    }
                }
                "expression_statement" => self.module_statement(path, src, stmt),
                _ => {}
            }
        }
    }

    fn module_statement(&mut self, path: &Path, src: &str, stmt: Node<'_>) {
        let (target, value) = match assignment(stmt) {
            Some(a) => (
                a.child_by_field_name("left").and_then(|l| dotted(l, src)),
                a.child_by_field_name("right"),
            ),
            None => (None, stmt.named_child(0)),
        };
        let Some(value) = value else { return };
        let Some(name) = call_name(value, src).or_else(|| generate_base_call(value, src)) else {
            return;
        };
        match last_segment(&name) {
            "Table" => {
                if let Some(i) = self.table(path, src, value)
                    && let Some(t) = target
                {
                    self.table_vars.insert(t, i);
                }
            }
            "declarative_base" | "generate_base" => {
                if let Some(t) = target {
                    self.root_mixin(&t, value, src, "cls");
                    self.roots.push(t);
                }
            }
            "SQLAlchemy" => {
                if let Some(t) = target {
                    let t = format!("{t}.Model");
                    self.root_mixin(&t, value, src, "model_class");
                    self.roots.push(t);
                }
            }
            "Index" => {
                let args = Args::of(value, src);
                let target = args.pos.get(1).and_then(|p| index_target(*p, src));
                match columns::table_item(value, src) {
                    Ok(Some(item)) if target.is_some() => self.module_indexes.push(ModuleIndex {
                        target,
                        item,
                        path: path.to_path_buf(),
                        line: line(value),
                    }),
                    _ => self.unknown_indexes.push(Unknown {
                        path: path.to_path_buf(),
                        line: line(value),
                        why: "an `Index(...)` whose table miglint cannot tell".into(),
                    }),
                }
            }
            _ => {}
        }
    }

    /// The column constructor a call's (dotted) name stands for.
    fn ctor(&self, name: &str) -> Option<Ctor> {
        Ctor::of_name(name).or_else(|| self.aliases.get(name).copied())
    }

    /// Records the class a declarative root is built on (`kw=` of `call`).
    fn root_mixin(&mut self, root: &str, call: Node<'_>, src: &str, kw: &str) {
        if let Some(v) = Args::of(call, src).kw(kw) {
            let name = dotted(v, src).unwrap_or_else(|| "?".to_string());
            self.root_mixins.insert(root.to_string(), name);
        }
    }

    /// Reads a `Table(...)` call; `None` when its name is not a literal.
    pub(crate) fn table(&mut self, path: &Path, src: &str, call: Node<'_>) -> Option<usize> {
        let args = Args::of(call, src);
        let Some(name) = args.pos.first().and_then(|n| str_lit(*n, src)) else {
            self.unknown.push(Unknown {
                path: path.to_path_buf(),
                line: line(call),
                why: "a `Table(...)` whose name is not a literal".into(),
            });
            return None;
        };
        let mut t = RawTable {
            name,
            path: path.to_path_buf(),
            line: line(call),
            columns: Vec::new(),
            items: Vec::new(),
            uncertain: None,
        };
        if args.splat {
            t.uncertain = Some("its columns come from *args".into());
        }
        if args.kw("schema").is_some() {
            t.uncertain = Some("it sets `schema=`".into());
        }
        for p in args.pos.iter().skip(2) {
            let fname = call_name(*p, src).unwrap_or_default();
            let r = if let Some(ctor) = self.ctor(&fname) {
                columns::column(*p, ctor, src, None, None).map(|c| t.columns.push(c))
            } else {
                columns::table_item(*p, src).map(|i| t.items.extend(i))
            };
            if let Err(why) = r {
                t.uncertain.get_or_insert(why);
            }
        }
        self.tables.push(t);
        Some(self.tables.len() - 1)
    }

    fn class(&mut self, path: &Path, src: &str, def: Node<'_>, root: bool) {
        let name = def
            .child_by_field_name("name")
            .map(|n| text(n, src).to_string())
            .unwrap_or_default();
        let mut cls = Class {
            name,
            path: path.to_path_buf(),
            line: line(def),
            bases: Vec::new(),
            sqlmodel_table: false,
            tablename: TableName::Absent,
            abstract_: false,
            columns: Vec::new(),
            items: None,
            table_obj: None,
            uncertain: Vec::new(),
            root,
        };
        if let Some(sup) = def.child_by_field_name("superclasses") {
            let args = Args::list(sup, src);
            for b in &args.pos {
                let d = match b.kind() {
                    "subscript" => b.child_by_field_name("value").and_then(|v| dotted(v, src)),
                    _ => dotted(*b, src),
                };
                let d = d.unwrap_or_else(|| "?".to_string());
                if matches!(
                    last_segment(&d),
                    "DeclarativeBase" | "DeclarativeBaseNoMeta"
                ) {
                    cls.root = true;
                }
                cls.bases.push(d);
            }
            cls.sqlmodel_table = args.kw("table").is_some_and(|v| bool_lit(v) == Some(true));
        }
        if let Some(body) = def.child_by_field_name("body") {
            let mut c = body.walk();
            for stmt in body.named_children(&mut c) {
                self.class_statement(&mut cls, path, src, stmt);
            }
        }
        self.classes.push(cls);
    }

    fn class_statement(&mut self, cls: &mut Class, path: &Path, src: &str, stmt: Node<'_>) {
        match stmt.kind() {
            "expression_statement" => {}
            "decorated_definition" => {
                let t = text(stmt, src);
                if !t.contains("declared_attr") {
                    return;
                }
                let fname = stmt
                    .child_by_field_name("definition")
                    .and_then(|d| d.child_by_field_name("name"))
                    .map(|n| text(n, src))
                    .unwrap_or("");
                match fname {
                    "__tablename__" => {
                        cls.tablename =
                            TableName::Dynamic("a `@declared_attr` __tablename__".into())
                    }
                    "__mapper_args__" => {}
                    _ if t.contains("relationship(") && !t.contains("olumn(") => {}
                    _ => cls
                        .uncertain
                        .push(format!("`@declared_attr {fname}` (computed when imported)")),
                }
                return;
            }
            "if_statement" | "for_statement" | "try_statement" | "with_statement" => {
                if text(stmt, src).contains("olumn(") {
                    cls.uncertain
                        .push("columns declared under a condition or loop".into());
                }
                return;
            }
            _ => return,
        }
        let Some(a) = assignment(stmt) else { return };
        let Some(attr) = a
            .child_by_field_name("left")
            .filter(|l| l.kind() == "identifier")
            .map(|l| text(l, src).to_string())
        else {
            return;
        };
        let ann = a
            .child_by_field_name("type")
            .map(|t| columns::annotation(text(t, src)));
        let value = a.child_by_field_name("right");
        match attr.as_str() {
            "__tablename__" => {
                cls.tablename = match value {
                    Some(v) if v.kind() == "none" => TableName::Absent,
                    Some(v) => match str_lit(v, src) {
                        Some(s) => TableName::Lit(s),
                        None => TableName::Dynamic(format!(
                            "`__tablename__ = {}`",
                            text(v, src).chars().take(40).collect::<String>()
                        )),
                    },
                    None => TableName::Absent,
                };
                return;
            }
            "__abstract__" => {
                cls.abstract_ = value.and_then(bool_lit) == Some(true);
                return;
            }
            "__table_args__" => {
                cls.items = Some(match value {
                    Some(v) => table_args(v, src).unwrap_or_else(|why| {
                        cls.uncertain.push(why);
                        Vec::new()
                    }),
                    None => Vec::new(),
                });
                return;
            }
            "__table__" => {
                match value
                    .filter(|v| call_name(*v, src).is_some_and(|n| last_segment(&n) == "Table"))
                {
                    Some(v) => cls.table_obj = self.table(path, src, v),
                    None => cls
                        .uncertain
                        .push("`__table__` is not a `Table(...)`".into()),
                }
                return;
            }
            "type_annotation_map" => {
                self.annotation_map = true;
                return;
            }
            // the declarative base's own attributes, not columns
            "metadata" | "registry" => return,
            _ if attr.starts_with("__") => return,
            _ => {}
        }
        let Some(value) = value else {
            // `x: Mapped[int]`: a column (SQLAlchemy 2.x)
            if let Some(a) = ann.as_ref().filter(|a| a.mapped) {
                if self.annotation_map {
                    let mut c = columns::annotated(&attr, a, stmt);
                    c.type_name = None;
                    cls.columns.push(c);
                } else {
                    cls.columns.push(columns::annotated(&attr, a, stmt));
                }
            }
            return;
        };
        self.class_value(cls, src, &attr, ann.as_ref(), value);
    }

    fn class_value(
        &mut self,
        cls: &mut Class,
        src: &str,
        attr: &str,
        ann: Option<&Annotation>,
        value: Node<'_>,
    ) {
        let Some(fname) = call_name(value, src) else {
            if ann.is_some_and(|a| a.mapped) && value.kind() != "none" {
                cls.uncertain.push(format!(
                    "`{attr}` is assigned something miglint cannot read"
                ));
            }
            return;
        };
        let mut call = value;
        if WRAPPERS.contains(&last_segment(&fname))
            && let Some(inner) = Args::of(value, src).pos.first().copied()
        {
            call = inner;
        }
        let cname = call_name(call, src).unwrap_or_default();
        if let Some(ctor) = self.ctor(&cname) {
            match columns::column(call, ctor, src, Some(attr), ann) {
                Ok(mut c) => {
                    if self.annotation_map && ctor != Ctor::Column {
                        let explicit = Args::of(call, src).pos.iter().any(|p| p.kind() != "string");
                        if !explicit {
                            c.type_name = None;
                        }
                    }
                    cls.columns.push(c);
                }
                Err(why) => cls.uncertain.push(format!("`{attr}`: {why}")),
            }
            return;
        }
        if NOT_COLUMNS.contains(&last_segment(&cname)) {
            return;
        }
        cls.uncertain.push(format!(
            "`{attr} = {}(...)` may be a column miglint cannot read",
            last_segment(&cname)
        ));
    }
}

/// The items of `__table_args__`: a tuple (whose last element may be a
/// dict of options), or a dict.
fn table_args(v: Node<'_>, src: &str) -> Result<Vec<RawItem>, String> {
    let mut out = Vec::new();
    match v.kind() {
        "dictionary" => check_options(v, src)?,
        "tuple" | "list" | "parenthesized_expression" => {
            let mut c = v.walk();
            for item in v.named_children(&mut c) {
                match item.kind() {
                    "dictionary" => check_options(item, src)?,
                    "comment" => {}
                    _ => out.extend(columns::table_item(item, src)?),
                }
            }
        }
        _ => return Err("`__table_args__` is not a literal tuple or dict".into()),
    }
    Ok(out)
}

/// Table options: `schema=` moves the table out of the compared schema.
fn check_options(d: Node<'_>, src: &str) -> Result<(), String> {
    let mut c = d.walk();
    for pair in d.named_children(&mut c) {
        if pair.kind() == "dictionary_splat" {
            return Err("`__table_args__` options from **kwargs".into());
        }
        let key = pair
            .child_by_field_name("key")
            .and_then(|k| str_lit(k, src));
        if key.as_deref() == Some("schema") {
            return Err("`__table_args__` sets a schema".into());
        }
    }
    Ok(())
}

/// `registry(...).generate_base(...)`: a method called on a call's result.
fn generate_base_call(value: Node<'_>, src: &str) -> Option<String> {
    let f = value.child_by_field_name("function")?;
    let attr = text(f.child_by_field_name("attribute")?, src);
    (value.kind() == "call" && f.kind() == "attribute" && attr == "generate_base")
        .then(|| attr.to_string())
}

/// The class or table variable an `Index("ix", Cls.col)` names.
fn index_target(n: Node<'_>, src: &str) -> Option<String> {
    let d = dotted(n, src)?;
    let mut parts: Vec<&str> = d.split('.').collect();
    parts.pop()?;
    if parts.last() == Some(&"c") {
        parts.pop();
    }
    (!parts.is_empty()).then(|| parts.join("."))
}
