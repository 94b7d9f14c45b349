//! The second pass: resolves classes through their bases (mixins, abstract
//! bases, declarative roots, mapped parents) into tables, and applies the
//! naming convention.

use std::collections::HashMap;

use super::classes::{Class, Scan, TableName};
use super::columns::{RawColumn, RawItem};
use super::fks::RawFk;
use super::naming::Convention;
use super::{ModelColumn, ModelForeignKey, ModelIndex, ModelTable, ModelUnique, Models, Unknown};

/// Bases that add no columns.
const HARMLESS: &[&str] = &[
    "object",
    "ABC",
    "Generic",
    "Protocol",
    "AsyncAttrs",
    "MappedAsDataclass",
    "DeclarativeBase",
    "DeclarativeBaseNoMeta",
];

/// How deep a chain of bases is followed (a cycle ends there).
const MAX_DEPTH: usize = 32;

enum Kind {
    /// Not a mapped class (mixin, abstract, root, unrelated).
    None,
    Table(String),
    /// Single-table inheritance onto the parent class.
    Sti(usize),
    Unknown(String),
}

struct Resolver<'s> {
    scan: &'s Scan,
    by_name: HashMap<&'s str, usize>,
}

impl Resolver<'_> {
    fn class(&self, base: &str) -> Option<usize> {
        let last = base.rsplit('.').next().unwrap_or(base);
        self.by_name.get(last).copied()
    }

    /// A base that may be a declarative root: a known one, or a name like
    /// one (`Base`, `db.Model`) whose definition may be elsewhere.
    fn is_root_name(&self, base: &str) -> bool {
        let last = base.rsplit('.').next().unwrap_or(base);
        self.is_known_root(base) || matches!(last, "Base" | "Model")
    }

    /// A base known to add no columns: a declarative root defined in the
    /// scanned files (`Base = declarative_base()`, `db = SQLAlchemy()`),
    /// or SQLAlchemy's own bases.
    fn is_known_root(&self, base: &str) -> bool {
        let last = base.rsplit('.').next().unwrap_or(base);
        HARMLESS.contains(&last)
            || self
                .scan
                .roots
                .iter()
                .any(|r| r == base || (!r.contains('.') && r == last))
    }

    fn descends_from_root(&self, i: usize, depth: usize) -> bool {
        let c = &self.scan.classes[i];
        if depth > MAX_DEPTH {
            return false;
        }
        c.root
            || c.bases.iter().any(|b| match self.class(b) {
                Some(j) if j != i => self.is_root_name(b) || self.descends_from_root(j, depth + 1),
                _ => self.is_root_name(b),
            })
    }

    fn mapped(&self, i: usize) -> bool {
        let c = &self.scan.classes[i];
        !c.abstract_ && !c.root && (self.descends_from_root(i, 0) || own_name(c))
    }

    /// `__tablename__` as SQLAlchemy looks it up: the class, then its
    /// unmapped bases.
    fn tablename(&self, i: usize, depth: usize) -> TableName {
        let c = &self.scan.classes[i];
        if !matches!(c.tablename, TableName::Absent) || depth > MAX_DEPTH {
            return c.tablename.clone();
        }
        for b in &c.bases {
            if let Some(j) = self.class(b)
                && j != i
                && !self.mapped(j)
            {
                let t = self.tablename(j, depth + 1);
                if !matches!(t, TableName::Absent) {
                    return t;
                }
            }
        }
        TableName::Absent
    }

    fn kind(&self, i: usize) -> Kind {
        let c = &self.scan.classes[i];
        if c.sqlmodel_table {
            return Kind::Unknown("a SQLModel table (its fields are not read)".into());
        }
        if !self.mapped(i) {
            return Kind::None;
        }
        if let Some(t) = c.table_obj {
            return Kind::Table(self.scan.tables[t].name.clone());
        }
        let parent = c
            .bases
            .iter()
            .filter_map(|b| self.class(b))
            .find(|&j| j != i && self.mapped(j));
        match self.tablename(i, 0) {
            TableName::Lit(n) => Kind::Table(n),
            TableName::Dynamic(why) => Kind::Unknown(why),
            TableName::Absent => match parent {
                Some(p) => Kind::Sti(p),
                None if c.bases.iter().any(|b| b.ends_with(".Model")) => {
                    Kind::Table(camel_to_snake(&c.name))
                }
                None => Kind::Unknown("no `__tablename__` miglint can read".into()),
            },
        }
    }

    /// Columns, `__table_args__` items and doubts of a class with its
    /// unmapped bases (the class's own declarations win).
    fn collect(
        &self,
        i: usize,
        depth: usize,
        cols: &mut Vec<RawColumn>,
        items: &mut Option<Vec<RawItem>>,
        doubts: &mut Vec<String>,
    ) {
        let c = &self.scan.classes[i];
        for col in &c.columns {
            if !cols.iter().any(|x| x.name == col.name) {
                cols.push(col.clone());
            }
        }
        if items.is_none() {
            items.clone_from(&c.items);
        }
        doubts.extend(c.uncertain.iter().cloned());
        if depth > MAX_DEPTH {
            doubts.push("too deep a chain of base classes".into());
            return;
        }
        for b in &c.bases {
            match self.class(b) {
                Some(j) if j == i => {}
                Some(j) if self.mapped(j) => {}
                Some(j) => self.collect(j, depth + 1, cols, items, doubts),
                None => match self.scan.root_mixins.get(b.as_str()) {
                    // `declarative_base(cls=X)`: X's columns are on every model
                    Some(m) => match self.class(m) {
                        Some(j) => self.collect(j, depth + 1, cols, items, doubts),
                        None => doubts.push(format!(
                            "its base `{b}` is built on `{m}`, which is not in the model files"
                        )),
                    },
                    None if self.is_known_root(b) => {}
                    // a `Base`/`Model` defined elsewhere may add columns
                    // (`declarative_base(cls=...)`, a custom `model_class`)
                    None => doubts.push(format!("its base `{b}` is not in the model files")),
                },
            }
        }
    }
}

fn own_name(c: &Class) -> bool {
    matches!(c.tablename, TableName::Lit(_))
}

/// Flask-SQLAlchemy's table name for a model class without `__tablename__`.
fn camel_to_snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (k, &ch) in chars.iter().enumerate() {
        if ch.is_ascii_uppercase() && k > 0 {
            let prev = chars[k - 1];
            let next_lower = chars.get(k + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || next_lower {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_lowercase());
    }
    out.trim_start_matches('_').to_string()
}

impl Scan {
    pub(crate) fn resolve(self) -> Models {
        let mut by_name = HashMap::new();
        for (i, c) in self.classes.iter().enumerate() {
            by_name.entry(c.name.as_str()).or_insert(i);
        }
        let r = Resolver {
            scan: &self,
            by_name,
        };
        let mut models = Models {
            unknown: self.unknown.clone(),
            unknown_indexes: self.unknown_indexes.clone(),
            ..Models::default()
        };
        let mut class_table: HashMap<String, String> = HashMap::new();
        let mut sti: Vec<(usize, usize)> = Vec::new();
        for (i, c) in self.classes.iter().enumerate() {
            match r.kind(i) {
                Kind::None => {}
                Kind::Unknown(why) => models.unknown.push(Unknown {
                    path: c.path.clone(),
                    line: c.line,
                    why: format!("class `{}`: {why}", c.name),
                }),
                Kind::Sti(p) => sti.push((i, p)),
                Kind::Table(name) => {
                    class_table.insert(c.name.clone(), name.clone());
                    if let Some(t) = c.table_obj {
                        let t = &self.tables[t];
                        push(
                            &mut models,
                            &self.convention,
                            build(
                                t.name.clone(),
                                c.path.clone(),
                                t.line,
                                &t.columns,
                                &t.items,
                                t.uncertain.clone(),
                            ),
                        );
                        continue;
                    }
                    let (mut cols, mut items, mut doubts) = (Vec::new(), None, Vec::new());
                    r.collect(i, 0, &mut cols, &mut items, &mut doubts);
                    let items = items.unwrap_or_default();
                    push(
                        &mut models,
                        &self.convention,
                        build(
                            name,
                            c.path.clone(),
                            c.line,
                            &cols,
                            &items,
                            doubts.into_iter().next(),
                        ),
                    );
                }
            }
        }
        let class_tables: Vec<usize> = self.classes.iter().filter_map(|c| c.table_obj).collect();
        for (k, t) in self.tables.iter().enumerate() {
            if class_tables.contains(&k) {
                continue;
            }
            push(
                &mut models,
                &self.convention,
                build(
                    t.name.clone(),
                    t.path.clone(),
                    t.line,
                    &t.columns,
                    &t.items,
                    t.uncertain.clone(),
                ),
            );
        }
        // single-table inheritance: the subclass's columns join the parent's table
        for (i, p) in sti {
            let mut parent = p;
            let mut guard = 0;
            while let Kind::Sti(q) = r.kind(parent) {
                parent = q;
                guard += 1;
                if guard > MAX_DEPTH {
                    break;
                }
            }
            let Some(tname) = class_table.get(&self.classes[parent].name) else {
                continue;
            };
            let (mut cols, mut items, mut doubts) = (Vec::new(), None, Vec::new());
            r.collect(i, 0, &mut cols, &mut items, &mut doubts);
            let conv = &self.convention;
            if let Some(t) = models.tables.iter_mut().find(|t| &t.name == tname) {
                let extra = name_all(
                    conv,
                    build(tname.clone(), t.path.clone(), t.line, &cols, &[], None),
                );
                for c in extra.columns {
                    if t.column(&c.name).is_none() {
                        t.columns.push(c);
                    }
                }
                t.indexes.extend(extra.indexes);
                t.uniques.extend(extra.uniques);
                t.foreign_keys.extend(extra.foreign_keys);
                if t.fks_uncertain.is_none() {
                    t.fks_uncertain = extra.fks_uncertain;
                }
                if t.uncertain.is_none() {
                    t.uncertain = doubts.into_iter().next();
                }
            }
        }
        for ix in &self.module_indexes {
            let Some(target) = &ix.target else { continue };
            let tname = class_table
                .get(target.rsplit('.').next().unwrap_or(target))
                .cloned()
                .or_else(|| {
                    self.table_vars
                        .get(target)
                        .map(|&k| self.tables[k].name.clone())
                });
            let table = tname.and_then(|n| models.tables.iter_mut().find(|t| t.name == n));
            match table {
                Some(t) => {
                    let one = build(
                        t.name.clone(),
                        ix.path.clone(),
                        0,
                        &[],
                        std::slice::from_ref(&ix.item),
                        None,
                    );
                    let named = name_all(&self.convention, one);
                    t.indexes.extend(named.indexes);
                    t.uniques.extend(named.uniques);
                }
                None => models.unknown_indexes.push(Unknown {
                    path: ix.path.clone(),
                    line: ix.line,
                    why: format!("an `Index(...)` on `{target}`, not a table of the models"),
                }),
            }
        }
        // `ForeignKey(table_var.c.x)`: the variable's table
        for t in &mut models.tables {
            for f in &mut t.foreign_keys {
                let Some(var) = f.ref_table.strip_prefix('@') else {
                    continue;
                };
                match self.table_vars.get(var) {
                    Some(&k) => f.ref_table = self.tables[k].name.clone(),
                    None => {
                        t.fks_uncertain.get_or_insert_with(|| {
                            format!("a foreign key to `{var}`, not a table of the models")
                        });
                    }
                }
            }
        }
        if self.convention.unknown() {
            for t in &mut models.tables {
                if t.uncertain.is_none() && (!t.indexes.is_empty() || !t.uniques.is_empty()) {
                    t.uncertain = Some("the naming convention is not a literal".into());
                }
            }
        }
        models
    }
}

/// A table before naming: columns and raw items.
struct Built {
    table: ModelTable,
    items: Vec<RawItem>,
    index_cols: Vec<(String, bool, u32)>,
    unique_cols: Vec<(String, u32)>,
}

fn build(
    name: String,
    path: std::path::PathBuf,
    line: u32,
    cols: &[RawColumn],
    items: &[RawItem],
    uncertain: Option<String>,
) -> Built {
    let mut pk: Vec<&str> = Vec::new();
    for it in items {
        if let RawItem::PrimaryKey(c) = it {
            pk.extend(c.iter().map(String::as_str));
        }
    }
    let columns = cols
        .iter()
        .map(|c| {
            let in_pk = pk.iter().any(|p| p.eq_ignore_ascii_case(&c.name));
            ModelColumn {
                name: c.name.clone(),
                type_name: c.type_name.clone(),
                nullable: if in_pk { Some(false) } else { c.nullable },
                primary_key: c.primary_key || in_pk,
                server_default: c.server_default,
                server_default_value: c.server_default_value.clone(),
                line: c.line,
            }
        })
        .collect();
    let raw_fks = cols
        .iter()
        .flat_map(|c| c.fks.iter())
        .chain(items.iter().filter_map(|i| match i {
            RawItem::ForeignKey(f) => Some(f),
            _ => None,
        }));
    let (foreign_keys, fks_uncertain) = model_fks(raw_fks);
    Built {
        table: ModelTable {
            name,
            path,
            line,
            columns,
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys,
            fks_uncertain,
            uncertain,
        },
        items: items.to_vec(),
        index_cols: cols
            .iter()
            .filter(|c| c.index)
            .map(|c| (c.name.clone(), c.unique, c.line))
            .collect(),
        unique_cols: cols
            .iter()
            .filter(|c| c.unique && !c.index)
            .map(|c| (c.name.clone(), c.line))
            .collect(),
    }
}

/// Applies the naming convention to a built table's indexes and uniques.
fn name_all(conv: &Convention, b: Built) -> ModelTable {
    let mut t = b.table;
    let tn = t.name.clone();
    for (col, unique, line) in b.index_cols {
        let cols = vec![col];
        t.indexes.push(ModelIndex {
            name: conv.index_name(None, &tn, &cols),
            columns: cols,
            unique,
            line,
        });
    }
    for (col, line) in b.unique_cols {
        let cols = vec![col];
        t.uniques.push(ModelUnique {
            name: conv.unique_name(None, &tn, &cols),
            columns: cols,
            line,
        });
    }
    for it in b.items {
        match it {
            RawItem::Index {
                name,
                columns,
                unique,
                line,
            } => {
                let (name, columns) = match columns {
                    Some(c) => (conv.index_name(name.as_deref(), &tn, &c), c),
                    None => (name, Vec::new()),
                };
                t.indexes.push(ModelIndex {
                    name,
                    columns,
                    unique,
                    line,
                });
            }
            RawItem::Unique {
                name,
                columns,
                line,
            } => t.uniques.push(ModelUnique {
                name: conv.unique_name(name.as_deref(), &tn, &columns),
                columns,
                line,
            }),
            RawItem::PrimaryKey(_) | RawItem::ForeignKey(_) => {}
        }
    }
    t
}

fn push(models: &mut Models, conv: &Convention, b: Built) {
    let mut t = name_all(conv, b);
    if let Some(prev) = models
        .tables
        .iter_mut()
        .find(|x| x.name.eq_ignore_ascii_case(&t.name))
    {
        prev.uncertain.get_or_insert_with(|| {
            format!(
                "declared twice ({}:{} and {}:{})",
                prev.path.display(),
                prev.line,
                t.path.display(),
                t.line
            )
        });
        return;
    }
    if t.columns.is_empty() && t.uncertain.is_none() {
        t.uncertain = Some("no column miglint can read".into());
    }
    models.tables.push(t);
}

/// The readable foreign keys, and why some are not (then none is compared).
fn model_fks<'a>(raw: impl Iterator<Item = &'a RawFk>) -> (Vec<ModelForeignKey>, Option<String>) {
    let mut out = Vec::new();
    let mut why = None;
    for f in raw {
        match &f.target {
            Some(t) if !f.columns.is_empty() => out.push(ModelForeignKey {
                columns: f.columns.clone(),
                ref_table: t.table.clone(),
                ref_columns: t.columns.clone(),
                onupdate: t.onupdate.clone(),
                ondelete: t.ondelete.clone(),
                deferral: t.deferral,
                line: f.line,
            }),
            _ => {
                why.get_or_insert_with(|| {
                    format!("a foreign key miglint cannot read (line {})", f.line)
                });
            }
        }
    }
    (out, why)
}
