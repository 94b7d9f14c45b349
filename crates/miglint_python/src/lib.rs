//! miglint's Python front end: parses an Alembic revision script with
//! tree-sitter-python (error-tolerant) and extracts the migration model of
//! [`model`]. This is the only crate that names tree-sitter.

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
mod outside;
mod shared_str;
mod sizes;
mod split;
pub mod sqla;
mod strings;

pub use data::DATA_REGION_MIN;
pub use limits::{Refusal, RefusalKind};
pub use model::*;
pub use outside::find_word;
pub use shared_str::SharedStr;

use std::ops::ControlFlow;

use miglint_diagnostics::TextRange;
use std::time::{Duration, Instant};

/// The default parse budget per file, in CPU time of the parsing thread
/// (wall time where the platform has no per-thread clock). A real
/// revision parses in milliseconds; a file that needs more than this is hostile or generated
/// (tree-sitter-python is quadratic on some inputs, see docs/decisions.md).
pub const DEFAULT_PARSE_BUDGET: Duration = Duration::from_secs(10);

/// From this many bytes of source, a file's syntax trees are freed on a
/// thread of their own (see [`Trees::free`]).
const FREE_TREE_ASIDE: usize = 256 * 1024;

/// A reusable parser. Not `Sync`: keep one per thread.
pub struct PythonParser {
    parser: tree_sitter::Parser,
    budget: Duration,
    data_min: usize,
    /// Trees kept for incremental re-parsing (the language server).
    kept: Option<incremental::Kept>,
    /// When a huge function is parsed in pieces (see [`split`]).
    split: split::Sizes,
    /// How many trees the last parse was (see [`PythonParser::last_pieces`]).
    last_pieces: usize,
}

impl Default for PythonParser {
    fn default() -> Self {
        Self::new()
    }
}

impl PythonParser {
    pub fn new() -> Self {
        PythonParser {
            parser: ts_parser(),
            budget: DEFAULT_PARSE_BUDGET,
            data_min: DATA_REGION_MIN,
            kept: None,
            split: split::Sizes {
                body_min: split::SPLIT_MIN_BYTES,
                piece_min: split::PIECE_MIN_BYTES,
                pieces: split::MAX_PIECES,
            },
            last_pieces: 0,
        }
    }

    /// How many trees the last parse of [`PythonParser::parse_checked`]
    /// was: 1, or the pieces of a cut function (see
    /// [`PythonParser::with_split`]); 0 before any parse or after a
    /// refusal.
    pub fn last_pieces(&self) -> usize {
        self.last_pieces
    }

    /// The same parser cutting `upgrade`/`downgrade` bodies of at least
    /// `body_min` bytes into at most `pieces` pieces of at least
    /// `piece_min` bytes, parsed in parallel (see `split.rs`; `pieces` is
    /// also capped by the rayon pool's threads). The model is the same
    /// whatever the sizes: for tests, which cut small files.
    pub fn with_split(mut self, body_min: usize, piece_min: usize, pieces: usize) -> Self {
        self.split = split::Sizes {
            body_min,
            piece_min,
            pieces,
        };
        self
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
        self.last_pieces = 0;
        // a huge function of a batch run's file is parsed in pieces
        let splitting = self.kept.is_none() && source.len() >= self.split.body_min;
        let mut lines = Vec::new();
        let comment_lines = limits::precheck_lines(source, splitting.then_some(&mut lines))?;
        let plan = splitting
            .then(|| {
                let sizes = split::Sizes {
                    pieces: rayon::current_num_threads().min(self.split.pieces),
                    ..self.split
                };
                split::plan(source, &lines, sizes)
            })
            .flatten();
        drop(lines);
        if self.data_min != usize::MAX {
            let (regions, region_comments) = data::find(source, self.data_min);
            if !regions.is_empty() {
                let mut hidden = Hidden::new(source, &comment_lines, regions, region_comments);
                let text = hidden.text.as_deref().unwrap_or(source);
                let (trees, memo) = self.run_planned(text, plan.as_ref())?;
                // error recovery may go another way around an empty display:
                // a broken file is parsed as it is
                if !trees.first.root_node().has_error() {
                    let module = self.extract(&mut hidden, source, &trees, memo);
                    self.last_pieces = 1 + trees.rest.len();
                    trees.free(source.len());
                    return Ok(module);
                }
            }
        }
        let mut hidden = Hidden::new(source, &comment_lines, Vec::new(), Vec::new());
        drop(comment_lines);
        let text = hidden.text.as_deref().unwrap_or(source);
        let (trees, memo) = self.run_planned(text, plan.as_ref())?;
        let module = self.extract(&mut hidden, source, &trees, memo);
        self.last_pieces = 1 + trees.rest.len();
        trees.free(source.len());
        Ok(module)
    }

    /// The model of `trees`; an incremental parser keeps the memo of the
    /// extraction with the tree.
    fn extract(
        &mut self,
        hidden: &mut Hidden,
        source: &str,
        trees: &Trees,
        memo: Option<extract::Memo>,
    ) -> Module {
        let (module, memo) = hidden.extract(source, trees, memo);
        if let (Some(k), Some(memo)) = (&mut self.kept, memo) {
            k.set_memo(hidden.text.as_deref().unwrap_or(source), memo);
        }
        module
    }

    /// The trees of `text`: in the pieces of `plan` when they fit together
    /// (see [`split`]), else one tree from [`PythonParser::run`].
    fn run_planned(
        &mut self,
        text: &str,
        plan: Option<&split::Plan>,
    ) -> Result<(Trees, Option<extract::Memo>), Refusal> {
        if let Some(plan) = plan {
            let budget = self.budget;
            let pieces = split::parse_pieces(text, plan, |ranges| {
                let mut parser = ts_parser();
                if parser.set_included_ranges(ranges).is_err() {
                    return Ok(None);
                }
                run_budgeted(&mut parser, budget, text, None).map(Some)
            })?;
            if let Some((first, rest)) = pieces {
                let trees = Trees {
                    first,
                    rest,
                    def_start: plan.def_start(),
                };
                return Ok((trees, None));
            }
        }
        let (first, memo) = self.run(text)?;
        let trees = Trees {
            first,
            rest: Vec::new(),
            def_start: 0,
        };
        Ok((trees, memo))
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
        run_budgeted(&mut self.parser, self.budget, text, old)
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

/// A tree-sitter parser for Python.
fn ts_parser() -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter ABI");
    parser
}

/// One tree-sitter parse of `text` with `parser` within `budget` of the
/// thread's CPU time (incremental from `old`).
fn run_budgeted(
    parser: &mut tree_sitter::Parser,
    budget: Duration,
    text: &str,
    old: Option<&tree_sitter::Tree>,
) -> Result<tree_sitter::Tree, Refusal> {
    let start = Instant::now();
    let start_cpu = limits::thread_cpu_time();
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
    let tree = parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or_default(),
        old,
        Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
    );
    tree.ok_or_else(|| {
        // a cancelled parse would otherwise resume on the next call
        parser.reset();
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

/// The trees of one parse: one, or the pieces of a cut function (see
/// [`split`]).
struct Trees {
    first: tree_sitter::Tree,
    /// The later pieces (none: `first` is the whole file).
    rest: Vec<tree_sitter::Tree>,
    /// Where the cut function starts (with `rest`).
    def_start: usize,
}

impl Trees {
    /// Frees the trees. A large file's are freed on a new thread: freeing
    /// a tree visits every node (on the 2 MB stress file a tenth of the
    /// parse's time), and the caller, done with them, need not wait. A
    /// small file's are freed here, where a thread would cost more than it
    /// saves (a file that small is never cut: `rest` is empty). If no
    /// thread can be started, they are freed here too.
    fn free(self, source_len: usize) {
        if source_len < FREE_TREE_ASIDE {
            return;
        }
        // on failure the closure, and the trees with it, are dropped here
        let _ = std::thread::Builder::new()
            .name("miglint-free-tree".into())
            .spawn(move || drop(self));
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
        trees: &Trees,
        memo: Option<extract::Memo>,
    ) -> (Module, Option<extract::Memo>) {
        let text = self.text.as_deref().unwrap_or(source);
        let regions = data::Regions {
            src: source,
            ranges: std::mem::take(&mut self.regions),
        };
        let cont = split::Cont::new(&trees.first, &trees.rest, trees.def_start);
        // (`parse_pieces` checked what `Cont::new` reads)
        debug_assert!(trees.rest.is_empty() || cont.is_some());
        let (mut module, memo) = extract::extract(text, &trees.first, cont, &regions, memo);
        if !self.comments.is_empty() {
            module.comments.extend_from_slice(&self.comments);
            module.comments.sort_by_key(|r| r.start());
        }
        outside::read(&mut module, source);
        module.shrink_to_fit();
        (module, memo)
    }
}
