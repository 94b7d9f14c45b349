//! miglint's Python front end: parses an Alembic revision script with
//! tree-sitter-python (error-tolerant) and extracts the migration model of
//! [`model`]. This is the only crate that names tree-sitter.

mod extract;
mod guards;
mod mentions;
pub mod model;
mod strings;

pub use model::*;

/// A reusable parser. Not `Sync`: keep one per thread.
pub struct PythonParser {
    parser: tree_sitter::Parser,
}

impl Default for PythonParser {
    fn default() -> Self {
        Self::new()
    }
}

impl PythonParser {
    pub fn new() -> Self {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .expect("the bundled tree-sitter-python grammar matches the tree-sitter ABI");
        PythonParser { parser }
    }

    /// Parses `source` into the migration model. Never panics on input:
    /// syntax errors are recorded in [`Module::syntax_errors`] and whatever
    /// can still be read is extracted.
    pub fn parse(&mut self, source: &str) -> Module {
        match self.parser.parse(source, None) {
            Some(tree) => {
                let mut module = extract::extract(source, &tree);
                module.dialect_mentions = mentions::collect(source, &tree);
                module
            }
            None => Module {
                syntax_errors: vec![miglint_diagnostics::TextRange::empty(0)],
                ..Module::default()
            },
        }
    }
}
