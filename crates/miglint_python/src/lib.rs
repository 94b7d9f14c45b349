//! miglint's Python front end: parses an Alembic revision script with
//! tree-sitter-python (error-tolerant) and extracts the migration model of
//! [`model`]. This is the only crate that names tree-sitter.

mod boxed_str;
mod codecs;
mod data;
pub mod decode;
mod extract;
mod guards;
mod incremental;
mod kinds;
pub mod limits;
mod mentions;
pub mod model;
mod sizes;
pub mod sqla;
mod strings;

pub use boxed_str::BoxedStr;
pub use data::DATA_REGION_MIN;
pub use limits::{Refusal, RefusalKind};
pub use model::*;

use std::ops::ControlFlow;

use miglint_diagnostics::TextRange;
use std::time::{Duration, Instant};

/// The default parse budget per file, in CPU time of the parsing thread
/// (wall time where the platform has no per-thread clock). A real
/// revision parses in milliseconds; a file that needs more than this is hostile or generated
/// (tree-sitter-python is quadratic on some inputs, see docs/decisions.md).
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(10);

/// From this many bytes of source, a file's syntax tree is freed on a
/// thread of its own (see [`free_tree`]).
const FREE_TREE_ASIDE: usize = 256 * 1024;

/// Frees a parsed tree. A large one is freed on a new thread: freeing a
/// tree visits every node (on the 2 MB stress file a tenth of the parse's
/// time), and the caller, done with it, need not wait. A small one is
/// freed here, where a thread would cost more than it saves. If no
/// thread can be started, the tree is freed here too.
fn free_tree(tree: tree_sitter::Tree, source_len: usize) {
    if source_len < FREE_TREE_ASIDE {
        return;
    }
    // on failure the closure, and the tree with it, is dropped here
    let _ = std::thread::Builder::new()
        .name("miglint-free-tree".into())
        .spawn(move || drop(tree));
}

/// A reusable parser. Not `Sync`: keep one per thread.
pub struct PythonParser {
    parser: tree_sitter::Parser,
    budget: Duration,
    data_min: usize,
    /// Trees kept for incremental re-parsing (the language server).
    kept: Option<incremental::Kept>,
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
            data_min: DATA_REGION_MIN,
            kept: None,
        }
    }

    /// The same parser with another time budget per file.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The same parser hiding literal data displays of at least `min` bytes
    /// from tree-sitter (`usize::MAX`: none; see [`DATA_REGION_MIN`]). The
    /// model is the same whatever the size; only memory differs.
    pub fn with_data_region_min(mut self, min: usize) -> Self {
        self.data_min = min;
        self
    }

    /// The same parser keeping the trees of the last few texts it parsed:
    /// an edited text is re-parsed incrementally with `Tree::edit`. For
    /// an editor; the model is the same as from a fresh parse.
    pub fn incremental(mut self) -> Self {
        self.kept = Some(incremental::Kept::default());
        self
    }

    /// Parses `source` into the migration model, unless the pre-pass
    /// refuses it (nesting deeper than CPython accepts: a syntax error) or
    /// the parse exceeds the time budget. Never panics or aborts on input.
    pub fn parse_checked(&mut self, source: &str) -> Result<Module, Refusal> {
        let comment_lines = limits::precheck(source)?;
        if self.data_min != usize::MAX {
            let (regions, region_comments) = data::find(source, self.data_min);
            if !regions.is_empty() {
                let mut hidden = Hidden::new(source, &comment_lines, regions, region_comments);
                let (tree, memo) = self.run(hidden.text.as_deref().unwrap_or(source))?;
                // error recovery may go another way around an empty display:
                // a broken file is parsed as it is
                if !tree.root_node().has_error() {
                    let module = self.extract(&mut hidden, source, &tree, memo);
                    free_tree(tree, source.len());
                    return Ok(module);
                }
            }
        }
        let mut hidden = Hidden::new(source, &comment_lines, Vec::new(), Vec::new());
        drop(comment_lines);
        let (tree, memo) = self.run(hidden.text.as_deref().unwrap_or(source))?;
        let module = self.extract(&mut hidden, source, &tree, memo);
        free_tree(tree, source.len());
        Ok(module)
    }

    /// The model of `tree`; an incremental parser keeps the memo of the
    /// extraction with the tree.
    fn extract(
        &mut self,
        hidden: &mut Hidden,
        source: &str,
        tree: &tree_sitter::Tree,
        memo: Option<extract::Memo>,
    ) -> Module {
        let (module, memo) = hidden.extract(source, tree, memo);
        if let (Some(k), Some(memo)) = (&mut self.kept, memo) {
            k.set_memo(hidden.text.as_deref().unwrap_or(source), memo);
        }
        module
    }

    /// One tree-sitter parse within the time budget, incremental when a
    /// kept tree is close to `text`; with it, the memo of the extraction of
    /// the kept tree's text (an incremental parser only).
    fn run(&mut self, text: &str) -> Result<(tree_sitter::Tree, Option<extract::Memo>), Refusal> {
        let Some((old, memo)) = self.kept.as_mut().and_then(|k| k.take_edited(text)) else {
            let tree = self.run_from(text, None)?;
            let memo = self.kept.as_mut().map(|k| {
                k.keep(text, &tree, extract::Memo::default());
                extract::Memo::default()
            });
            return Ok((tree, memo));
        };
        let mut tree = self.run_from(text, Some(&old))?;
        drop(old);
        if tree.root_node().has_error() {
            // error recovery may differ from a fresh parse's: keep the CLI's
            tree = self.run_from(text, None)?;
        }
        if let Some(k) = &mut self.kept {
            k.keep(text, &tree, extract::Memo::default());
        }
        Ok((tree, Some(memo)))
    }

    fn run_from(
        &mut self,
        text: &str,
        old: Option<&tree_sitter::Tree>,
    ) -> Result<tree_sitter::Tree, Refusal> {
        let start = Instant::now();
        let start_cpu = limits::thread_cpu_time();
        let budget = self.budget;
        let mut timed_out = false;
        // the budget is CPU time of this thread (a loaded machine must not
        // refuse a file); a thread's CPU time never exceeds the wall time,
        // so the clock is read only once the wall time is over budget
        let mut progress = |_: &tree_sitter::ParseState| {
            if start.elapsed() > budget
                && limits::thread_cpu_time()
                    .zip(start_cpu)
                    .is_none_or(|(now, then)| now.saturating_sub(then) > budget)
            {
                timed_out = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let bytes = text.as_bytes();
        let tree = self.parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            old,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
        );
        tree.ok_or_else(|| {
            // a cancelled parse would otherwise resume on the next call
            self.parser.reset();
            Refusal {
                kind: RefusalKind::Budget,
                range: miglint_diagnostics::TextRange::empty(0),
                message: if timed_out {
                    format!(
                        "parsing it took longer than {} s of CPU time, the parse budget per file",
                        budget.as_secs_f32()
                    )
                } else {
                    String::from("the Python parser gave up on it")
                },
            }
        })
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

/// What the parser is shown instead of the source: runs of comment lines
/// (see [`limits::comment_runs`]) and the insides of literal data displays
/// (see [`data`]) blanked.
struct Hidden {
    /// The blanked text (`None`: the source as it is).
    text: Option<String>,
    /// The comments the parser does not see, in order.
    comments: Vec<TextRange>,
    /// The hidden displays, bracket to bracket.
    regions: Vec<TextRange>,
}

impl Hidden {
    fn new(
        source: &str,
        comment_lines: &[TextRange],
        regions: Vec<TextRange>,
        region_comments: Vec<TextRange>,
    ) -> Self {
        let runs = if regions.is_empty() {
            limits::comment_runs(source, comment_lines)
        } else {
            // comment lines inside a display are hidden with it
            let outside: Vec<TextRange> = comment_lines
                .iter()
                .filter(|c| {
                    let i = regions.partition_point(|r| r.end() <= c.start());
                    regions.get(i).is_none_or(|r| r.start() > c.start())
                })
                .copied()
                .collect();
            limits::comment_runs(source, &outside)
        };
        let mut blank: Vec<TextRange> = regions
            .iter()
            .map(|r| TextRange::new(r.start() + 1, r.end() - 1))
            .collect();
        blank.extend_from_slice(&runs);
        let mut comments = runs;
        comments.extend(region_comments);
        comments.sort_by_key(|r| r.start());
        Hidden {
            text: limits::blanked(source, &blank),
            comments,
            regions,
        }
    }

    fn extract(
        &mut self,
        source: &str,
        tree: &tree_sitter::Tree,
        memo: Option<extract::Memo>,
    ) -> (Module, Option<extract::Memo>) {
        let text = self.text.as_deref().unwrap_or(source);
        let regions = data::Regions {
            src: source,
            ranges: std::mem::take(&mut self.regions),
        };
        let (mut module, memo) = extract::extract(text, tree, &regions, memo);
        if !self.comments.is_empty() {
            module.comments.extend_from_slice(&self.comments);
            module.comments.sort_by_key(|r| r.start());
        }
        module.shrink_to_fit();
        (module, memo)
    }
}
