//! A static reader of SQLAlchemy models: declarative classes, `Table(...)`
//! objects, `__table_args__`, mixins and abstract bases, and
//! `MetaData(naming_convention=...)`, read with tree-sitter from the model
//! files (never imported). `miglint_models` compares them with the schema
//! the migrations build.
//!
//! Precision first: anything dynamic (a computed `__tablename__`, a
//! column from a helper, a base class outside the scanned files) makes that
//! table uncertain, and the comparison says nothing about it.

mod aliases;
mod classes;
mod columns;
mod fks;
mod naming;
mod resolve;
mod syntax;
pub mod types;

use std::path::{Path, PathBuf};

/// A column of a model table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelColumn {
    pub name: String,
    /// The SQLAlchemy type's name as written (`String(50)` → `String`), or
    /// the one the annotation maps to; `None` when not known.
    pub type_name: Option<String>,
    /// `None`: not a literal (not compared).
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub server_default: bool,
    /// The server default as a constant, when it is one miglint compares.
    pub server_default_value: Option<String>,
    pub line: u32,
}

/// An index of a model table (explicit `Index(...)`, or `index=True`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelIndex {
    /// After the naming convention; `None` when it cannot be known.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    pub line: u32,
}

/// A unique constraint (`UniqueConstraint(...)`, `unique=True`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelUnique {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub line: u32,
}

/// A foreign key of a model table, as alembic compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelForeignKey {
    pub columns: Vec<String>,
    /// The referred table and columns.
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// Lowercased; `no action` is none.
    pub onupdate: Option<String>,
    pub ondelete: Option<String>,
    /// `initially_deferrable`, `deferrable` or `not deferrable`.
    pub deferral: &'static str,
    pub line: u32,
}

/// One table of the models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelTable {
    pub name: String,
    pub path: PathBuf,
    pub line: u32,
    pub columns: Vec<ModelColumn>,
    pub indexes: Vec<ModelIndex>,
    pub uniques: Vec<ModelUnique>,
    pub foreign_keys: Vec<ModelForeignKey>,
    /// Why its foreign keys are not all known (then they are not compared).
    pub fks_uncertain: Option<String>,
    /// Why the table is not fully known (then it is not compared).
    pub uncertain: Option<String>,
}

impl ModelTable {
    pub fn column(&self, name: &str) -> Option<&ModelColumn> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// Something that may define tables miglint cannot name (a computed
/// `__tablename__`, a `Table()` with a dynamic name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub path: PathBuf,
    pub line: u32,
    pub why: String,
}

/// Everything read from the model files.
#[derive(Debug, Clone, Default)]
pub struct Models {
    pub tables: Vec<ModelTable>,
    /// Tables that may exist but cannot be named: no `remove_table` /
    /// `add_table` is certain then.
    pub unknown: Vec<Unknown>,
    /// Indexes declared where miglint cannot tell their table (a
    /// module-level `Index` on an expression): no `remove_index` is certain.
    pub unknown_indexes: Vec<Unknown>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Models {
    pub fn table(&self, name: &str) -> Option<&ModelTable> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// One model file in memory.
pub struct ModelSource<'a> {
    pub path: &'a Path,
    pub source: &'a str,
}

/// Reads the models of `files` (parsed once each; never panics on input).
/// A file the parser refuses (nesting deeper than CPython accepts, over
/// the parse budget) is an [`Unknown`]: it may declare tables.
pub fn extract(files: &[ModelSource<'_>]) -> Models {
    let mut parser = tree_sitter::Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Models::default();
    }
    let mut scan = classes::Scan::default();
    for f in files {
        match parse(&mut parser, f.source) {
            Some(tree) => scan.file(f.path, f.source, tree.root_node()),
            None => scan.unknown.push(Unknown {
                path: f.path.to_path_buf(),
                line: 1,
                why: "the Python parser refused the file".into(),
            }),
        }
    }
    let mut models = scan.resolve();
    models.files = files.iter().map(|f| f.path.to_path_buf()).collect();
    models
}

/// One parse within the limits of [`crate::PythonParser`].
fn parse(parser: &mut tree_sitter::Parser, source: &str) -> Option<tree_sitter::Tree> {
    crate::limits::precheck(source).ok()?;
    let start = std::time::Instant::now();
    let mut progress = |_: &tree_sitter::ParseState| {
        if start.elapsed() > crate::DEFAULT_PARSE_BUDGET {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let bytes = source.as_bytes();
    let tree = parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or_default(),
        None,
        Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
    );
    if tree.is_none() {
        parser.reset();
    }
    tree
}

#[cfg(test)]
mod tests;
