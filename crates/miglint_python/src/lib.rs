//! miglint's Python front end: parses an Alembic revision script with
//! tree-sitter-python (error-tolerant) and extracts the migration model of
//! [`model`]. This is the only crate that names tree-sitter.

mod codecs;
pub mod decode;
mod extract;
mod guards;
pub mod limits;
mod mentions;
pub mod model;
pub mod sqla;
mod strings;

pub use limits::{Refusal, RefusalKind};
pub use model::*;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// The default parse budget per file. A real revision parses in
/// milliseconds; a file that needs more than this is hostile or generated
/// (tree-sitter-python is quadratic on some inputs, see docs/decisions.md).
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(10);

/// A reusable parser. Not `Sync`: keep one per thread.
pub struct PythonParser {
    parser: tree_sitter::Parser,
    budget: Duration,
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
        PythonParser {
            parser,
            budget: DEFAULT_PARSE_BUDGET,
        }
    }

    /// The same parser with another time budget per file.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// Parses `source` into the migration model, unless the pre-pass
    /// refuses it (nesting deeper than CPython accepts: a syntax error) or
    /// the parse exceeds the time budget. Never panics or aborts on input.
    pub fn parse_checked(&mut self, source: &str) -> Result<Module, Refusal> {
        let comment_lines = limits::precheck(source)?;
        let hidden = limits::hide_comment_runs(source, &comment_lines);
        drop(comment_lines);
        let (text, hidden) = match &hidden {
            Some((text, ranges)) => (text.as_str(), ranges.as_slice()),
            None => (source, &[][..]),
        };
        let start = Instant::now();
        let budget = self.budget;
        let mut timed_out = false;
        let mut progress = |_: &tree_sitter::ParseState| {
            if start.elapsed() > budget {
                timed_out = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let bytes = text.as_bytes();
        let tree = self.parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
        );
        match tree {
            Some(tree) => {
                let mut module = extract::extract(text, &tree);
                module.dialect_mentions = mentions::collect(text, &tree);
                if !hidden.is_empty() {
                    module.comments.extend_from_slice(hidden);
                    module.comments.sort_by_key(|r| r.start());
                }
                Ok(module)
            }
            None => {
                // a cancelled parse would otherwise resume on the next call
                self.parser.reset();
                Err(Refusal {
                    kind: RefusalKind::Budget,
                    range: miglint_diagnostics::TextRange::empty(0),
                    message: if timed_out {
                        format!(
                            "parsing it took longer than {} s, the parse budget per file",
                            budget.as_secs_f32()
                        )
                    } else {
                        String::from("the Python parser gave up on it")
                    },
                })
            }
        }
    }

    /// Parses `source` into the migration model. Never panics on input:
    /// syntax errors are recorded in [`Module::syntax_errors`] and whatever
    /// can still be read is extracted.
    /// A refused file is a module with one syntax error where the refusal
    /// points (see [`PythonParser::parse_checked`] for the reason).
    pub fn parse(&mut self, source: &str) -> Module {
        match self.parse_checked(source) {
            Ok(module) => module,
            Err(refusal) => Module {
                syntax_errors: vec![refusal.range],
                ..Module::default()
            },
        }
    }
}
