//! tree-sitter tree → [`Module`]: module-level names, functions and
//! revision identifiers here; control flow in [`flow`], operation calls and
//! their arguments in [`exprs`].

mod cut;
mod exprs;
mod flow;
mod reuse;

pub(crate) use reuse::Memo;

use std::collections::HashMap;
use std::rc::Rc;

use miglint_diagnostics::{DialectSet, TextRange};
use tree_sitter::{Node, Tree};

use crate::data::{Lit, Regions};
use crate::guards::{Env, Guards, Val};
use crate::kinds::{NamedChildren, kinds};
use crate::mentions::Mentions;
use crate::model::*;
use crate::split::Cont;
use crate::strings;

/// Deeper nesting than this is not modelled (the rest of the file still is).
const MAX_STMT_DEPTH: usize = 100;
const MAX_EXPR_DEPTH: usize = 64;

/// `op.<name>` calls that are helpers, not operations.
const NOT_OPS: &[&str] = &[
    "get_bind",
    "get_context",
    "f",
    "inline_literal",
    "batch_alter_table",
    "implementation_for",
    "register_operation",
    "invoke",
];

/// The model of `tree`, the parse of `src`. With `memo` (the language
/// server's, see [`reuse`]) what the last extraction of the buffer found
/// in the statements that did not change is taken from it; the memo of this
/// extraction is returned with the model.
pub(crate) fn extract<'s>(
    src: &'s str,
    tree: &'s Tree,
    cont: Option<Cont<'s>>,
    regions: &'s Regions<'s>,
    memo: Option<Memo>,
) -> (Module, Option<Memo>) {
    let root = tree.root_node();
    let keeping = memo.is_some();
    let mut x = Extractor {
        count_identifiers: memo.is_some(),
        reuse: memo
            .filter(|_| !root.has_error() && regions.ranges.is_empty())
            .map(|m| reuse::Reuse::new(m, function_bodies(root))),
        cont,
        ..Extractor::new(src, regions)
    };
    x.scan_trivia(root);
    let mut env = Env::new();
    let mut top = Vec::new();
    top_level(root, 0, &mut top);
    x.module_env(&top, &mut env);
    // helpers may call helpers defined further down: a few rounds settle it
    for _ in 0..3 {
        let before = env.clone();
        x.summarize_helpers(&top, &mut env);
        if env == before {
            break;
        }
    }
    x.module_block(root, &env, 0);
    if !x.module.syntax_errors.is_empty() {
        x.recover_ids_from_lines();
    }
    x.narrow_helpers(root);
    let memo = keeping.then(|| {
        x.reuse
            .take()
            .map_or_else(Memo::default, reuse::Reuse::finish)
    });
    (x.module, memo)
}

/// The ids of the bodies of the module-level functions (in a tree without
/// errors: the functions [`Extractor::module_block`] extracts).
fn function_bodies(root: Node) -> Vec<usize> {
    let (k, fl) = (kinds(), crate::kinds::fields());
    NamedChildren::new(root)
        .filter_map(|stmt| {
            let def = if stmt.kind_id() == k.decorated_definition {
                stmt.child_by_field_id(fl.definition)?
            } else {
                stmt
            };
            (def.kind_id() == k.function_definition)
                .then(|| def.child_by_field_id(fl.body))
                .flatten()
                .map(|b| b.id())
        })
        .collect()
}

/// A call of a plain name: the name, the calling function, the dialects
/// reaching the call, and whether it follows an exit on an unknown
/// condition / runs under a guard about the database's state.
type CallSite<'s> = (&'s str, usize, DialectSet, bool, bool);

struct Extractor<'s> {
    src: &'s str,
    /// Literal data displays the parser saw empty.
    regions: &'s Regions<'s>,
    guards: Guards<'s>,
    module: Module,
    /// Calls of plain names (`_upgrade_postgresql(conn)`) inside functions:
    /// the name, the calling function, the dialects reaching the call and
    /// whether it follows an exit on an unknown condition / runs under a
    /// guard about the database's state.
    calls: Vec<CallSite<'s>>,
    /// How often each identifier occurs anywhere in the file: counted by
    /// the trivia walk for the language server (whose kept statements
    /// bring their counts), else only for the names helper narrowing asks
    /// about, and only when it does (see [`count_names`]).
    identifiers: foldhash::HashMap<&'s str, usize>,
    count_identifiers: bool,
    /// The statements kept from the last extraction (the language server).
    reuse: Option<reuse::Reuse>,
    /// The rest of a function body cut into pieces (see [`crate::split`]).
    cont: Option<Cont<'s>>,
}

/// The context a statement runs in, its batch contexts and names shared
/// between a scope and the copies its branches run on.
type Scope = ScopeOf<Rc<HashMap<String, BatchInfo>>, Rc<Env>>;

/// [`Scope`] over any holder of its batch contexts (`B`) and names (`E`):
/// `cut.rs` sends one with plain maps to another thread.
#[derive(Clone, PartialEq)]
struct ScopeOf<B, E> {
    func: usize,
    dialects: DialectSet,
    autocommit: bool,
    /// See [`Op::in_try`].
    in_try: bool,
    /// See [`Op::after_unknown_exit`].
    after_unknown_exit: bool,
    /// See [`Op::under_data_guard`].
    under_data_guard: bool,
    /// See [`Op::conditional`].
    conditional: bool,
    /// In a [`Scope`], shared between a scope and the copies its branches
    /// run on; copied on the first change (`Rc::make_mut`).
    batches: B,
    env: E,
}

fn range(n: Node) -> TextRange {
    TextRange::from_usize(n.start_byte()..n.end_byte())
}

fn named_children(n: Node) -> Vec<Node> {
    NamedChildren::new(n).collect()
}

impl<'s> Extractor<'s> {
    /// An extractor of `src` with nothing found yet, counting no
    /// identifiers, keeping nothing from a last extraction, no cut body.
    fn new(src: &'s str, regions: &'s Regions<'s>) -> Self {
        Extractor {
            src,
            regions,
            guards: Guards { src, regions },
            module: Module::default(),
            calls: Vec::new(),
            identifiers: foldhash::HashMap::default(),
            count_identifiers: false,
            reuse: None,
            cont: None,
        }
    }

    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// The one iterative pass over every node: comments, syntax errors,
    /// identifier counts and the dialects the file mentions.
    fn scan_trivia(&mut self, root: Node) {
        let mut mentions = Mentions::new(self.src, self.regions);
        self.trivia_walk(root, &mut mentions, None);
        self.module.dialect_mentions = mentions.out;
    }

    /// [`Extractor::scan_trivia`] of the subtree of `top` (also recorded in
    /// `rec`); the statements of kept function bodies go through
    /// [`Extractor::trivia_stmt`].
    fn trivia_walk(
        &mut self,
        top: Node,
        mentions: &mut Mentions<'s>,
        mut rec: Option<&mut reuse::Trivia>,
    ) {
        let k = kinds();
        // without identifier counts or a record to keep, a statement (a
        // child of a block or of the module) that cannot hold a comment, a
        // syntax error or a mention has nothing for this walk: its subtree
        // is not visited
        let skipping = rec.is_none() && self.reuse.is_none() && !self.count_identifiers;
        // whether the cursor's node is a statement, and its ancestors' flags
        let mut statement = false;
        let mut above: Vec<bool> = Vec::new();
        let mut cursor = top.walk();
        loop {
            let node = cursor.node();
            let id = node.kind_id();
            // (an inert statement is no comment and no syntax error, and
            // makes no mention; an identifier would count for nothing here)
            let inert = skipping && statement && self.inert(node) && !self.holds_cont(node);
            if id == k.comment {
                self.module.comments.push(range(node));
                if let Some(r) = rec.as_deref_mut() {
                    r.comments.push(range(node));
                }
            } else if id == k.identifier {
                if self.count_identifiers {
                    *self.identifiers.entry(self.text(node)).or_default() += 1;
                }
                if let Some(r) = rec.as_deref_mut() {
                    r.identifiers.push(range(node));
                }
            } else if !inert && (node.is_error() || node.is_missing()) {
                self.module.syntax_errors.push(range(node));
            }
            if !inert {
                mentions.visit(node);
            }
            if inert {
                // its subtree holds nothing this walk records
            } else if rec.is_none()
                && self
                    .reuse
                    .as_ref()
                    .is_some_and(|r| r.bodies.contains(&node.id()))
            {
                let mut c = node.walk();
                let children: Vec<Node> = node.children(&mut c).collect();
                for child in children {
                    if child.is_named() && child.kind_id() != k.comment {
                        self.trivia_stmt(child, mentions);
                    } else {
                        self.trivia_walk(child, mentions, None);
                    }
                }
            } else if cursor.goto_first_child() {
                above.push(statement);
                statement = id == k.block || id == k.module;
                continue;
            }
            // (a cursor does not leave the node it started from: no
            // sibling or parent there)
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                statement = above.pop().unwrap_or(false);
                if rec.is_none()
                    && self
                        .cont
                        .as_ref()
                        .is_some_and(|c| c.block == cursor.node().id())
                {
                    // the rest of the cut body, in source order
                    self.trivia_cont(mentions);
                }
            }
        }
    }

    /// Whether the subtree of `stmt` holds nothing the trivia walk
    /// records: no syntax error, no comment (its text has no `#`) and no
    /// node that may make a dialect mention (see [`crate::mentions::may_mention`]).
    fn inert(&self, stmt: Node) -> bool {
        if stmt.has_error() {
            return false;
        }
        let text = self.text(stmt);
        !text.as_bytes().contains(&b'#') && !crate::mentions::may_mention(text)
    }

    /// Module-level names (`MYSQL = "mysql"`), as the functions see them
    /// when alembic calls them: after the whole module ran.
    fn module_env(&self, top: &[Node], env: &mut Env) {
        let (k, fl) = (kinds(), crate::kinds::fields());
        for &stmt in top {
            if stmt.kind_id() == k.assignment
                && let (Some(left), Some(right)) = (
                    stmt.child_by_field_id(fl.left),
                    stmt.child_by_field_id(fl.right),
                )
                && left.kind_id() == k.identifier
            {
                let v = self.guards.value(right, env, 0);
                env.insert(self.text(left).to_string(), v);
            }
        }
    }

    /// What each module-level helper returns (`def is_sqlite(): return
    /// op.get_bind().dialect.name == "sqlite"`).
    fn summarize_helpers(&self, top: &[Node], env: &mut Env) {
        let (k, fl) = (kinds(), crate::kinds::fields());
        for &def in top {
            if def.kind_id() != k.function_definition {
                continue;
            }
            let (Some(name), Some(body)) = (
                def.child_by_field_id(fl.name),
                def.child_by_field_id(fl.body),
            ) else {
                continue;
            };
            let name = self.text(name);
            if FuncKind::of(name) != FuncKind::Other {
                continue;
            }
            let v = self.guards.summarize(body, env);
            env.insert(name.to_string(), Val::Func(Box::new(v)));
        }
    }

    fn module_block(&mut self, block: Node, env: &Env, depth: usize) {
        if depth > 4 {
            return;
        }
        let (k, fl) = (kinds(), crate::kinds::fields());
        for stmt in NamedChildren::new(block) {
            let id = stmt.kind_id();
            if id == k.expression_statement {
                for child in NamedChildren::new(stmt) {
                    if child.kind_id() == k.assignment {
                        self.module_assignment(child);
                    }
                }
            } else if id == k.function_definition {
                self.function(stmt, env);
            } else if id == k.decorated_definition {
                if let Some(def) = stmt.child_by_field_id(fl.definition) {
                    let did = def.kind_id();
                    if did == k.function_definition {
                        self.function(def, env);
                    } else if did == k.class_definition {
                        self.orm_class(def);
                    }
                }
            } else if id == k.class_definition {
                self.orm_class(stmt);
            } else if id == k.error {
                // error recovery and `if TYPE_CHECKING:`-style wrappers
                self.module_block(stmt, env, depth + 1);
            } else if id == k.assignment {
                self.module_assignment(stmt);
            }
        }
    }

    /// A class whose body assigns `__tablename__` a string literal.
    fn orm_class(&mut self, class: Node) {
        let (Some(name), Some(body)) = (
            class.child_by_field_name("name"),
            class.child_by_field_name("body"),
        ) else {
            return;
        };
        for stmt in named_children(body) {
            let Some(asg) = named_children(stmt)
                .into_iter()
                .find(|c| stmt.kind() == "expression_statement" && c.kind() == "assignment")
            else {
                continue;
            };
            let (Some(left), Some(right)) = (
                asg.child_by_field_name("left"),
                asg.child_by_field_name("right"),
            ) else {
                continue;
            };
            if self.text(left) != "__tablename__" {
                continue;
            }
            if let Some(table) = self.expr(right, 0).str_value() {
                self.module.orm_tables.push(crate::model::OrmTable {
                    class: self.text(name).to_string(),
                    table: table.to_string(),
                });
            }
            return;
        }
    }

    fn module_assignment(&mut self, asg: Node) {
        let (k, fl) = (kinds(), crate::kinds::fields());
        let (Some(left), Some(right)) = (
            asg.child_by_field_id(fl.left),
            asg.child_by_field_id(fl.right),
        ) else {
            return;
        };
        if left.kind_id() != k.identifier {
            return;
        }
        let name = self.text(left);
        let id = || match self.regions.lit_at(right.start_byte(), right.end_byte()) {
            Some(lit) => self.lit_id_value(lit),
            None => id_value(self.src, right),
        };
        let value = if matches!(
            name,
            "revision" | "down_revision" | "branch_labels" | "depends_on"
        ) {
            id()
        } else {
            IdValue::Dynamic
        };
        let slot = match name {
            "revision" => &mut self.module.ids.revision,
            "down_revision" => &mut self.module.ids.down_revision,
            "branch_labels" => &mut self.module.ids.branch_labels,
            "depends_on" => &mut self.module.ids.depends_on,
            _ => {
                let rid = right.kind_id();
                if rid == k.call
                    || rid == k.list
                    || rid == k.tuple
                    || rid == k.string
                    || rid == k.concatenated_string
                    || rid == k.parenthesized_expression
                {
                    let value = self.expr(right, 0);
                    let name = name.to_string();
                    self.module
                        .bindings
                        .push(crate::model::Binding { name, value });
                }
                return;
            }
        };
        *slot = Some(IdAssign {
            target: range(left),
            value,
            value_range: range(right),
        });
    }

    /// [`id_value`] of a hidden data display.
    fn lit_id_value(&self, lit: Lit) -> IdValue {
        let (Lit::Tuple(_, items) | Lit::List(_, items) | Lit::Set(_, items)) = lit else {
            return IdValue::Dynamic;
        };
        let items: Option<Vec<_>> = items
            .iter()
            .map(|item| match item {
                Lit::Str(r, parts) if parts.len() == 1 => {
                    let (value, dynamic, _) = strings::decode(self.regions.text(*r), 0);
                    (!dynamic).then_some(Spanned { value, range: *r })
                }
                _ => None,
            })
            .collect();
        items.map_or(IdValue::Dynamic, IdValue::Seq)
    }

    /// When the tree is broken, a line-based reading of the identifiers
    /// alembic needs still feeds the revision graph.
    fn recover_ids_from_lines(&mut self) {
        let mut offset = 0usize;
        for line in self.src.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let Some((name, rest)) = line.split_once('=') else {
                continue;
            };
            let name = name.split(':').next().unwrap_or("").trim_end();
            let slot = match name {
                "revision" => &mut self.module.ids.revision,
                "down_revision" => &mut self.module.ids.down_revision,
                _ => continue,
            };
            if slot.is_some() {
                continue;
            }
            let value_start = start + line.len() - rest.len();
            let trimmed = rest.trim();
            let lead = rest.len() - rest.trim_start().len();
            let vr = TextRange::from_usize(value_start + lead..value_start + lead + trimmed.len());
            let value = if trimmed == "None" {
                IdValue::None
            } else if trimmed.len() >= 2
                && (trimmed.starts_with('"') || trimmed.starts_with('\''))
                && trimmed.ends_with(&trimmed[..1])
            {
                IdValue::Str(Spanned {
                    value: trimmed[1..trimmed.len() - 1].to_string(),
                    range: vr,
                })
            } else {
                continue;
            };
            *slot = Some(IdAssign {
                target: TextRange::from_usize(start..start + name.len()),
                value,
                value_range: vr,
            });
        }
    }

    fn function(&mut self, def: Node, env: &Env) {
        let fl = crate::kinds::fields();
        let (Some(name_node), Some(body)) = (
            def.child_by_field_id(fl.name),
            def.child_by_field_id(fl.body),
        ) else {
            return;
        };
        let name = self.text(name_node).to_string();
        let kind = FuncKind::of(&name);
        let shape = self.body_shape(body);
        let mut whole = range(def);
        if let Some(cont) = self.cont.as_ref().filter(|c| c.def == def.id()) {
            whole = TextRange::from_usize(def.start_byte()..cont.end);
        }
        self.module.functions.push(Function {
            name,
            kind,
            range: whole,
            name_range: range(name_node),
            shape,
            outside: None,
        });
        let mut scope = Scope {
            func: self.module.functions.len() - 1,
            dialects: DialectSet::ALL,
            autocommit: false,
            in_try: false,
            after_unknown_exit: false,
            under_data_guard: false,
            conditional: false,
            batches: Rc::default(),
            env: Rc::new(env.clone()),
        };
        self.block(body, &mut scope, 0);
    }

    /// Looks at no more statements than it needs (a generated upgrade()
    /// has tens of thousands).
    fn body_shape(&self, body: Node) -> BodyShape {
        let k = kinds();
        let trivial = |s: Node| {
            let id = s.kind_id();
            id == k.pass_statement
                || (id == k.expression_statement
                    && NamedChildren::new(s).all(|c| c.kind_id() == k.ellipsis))
        };
        // the statements other than docstrings: how many (up to 2), and
        // the first that is not trivial
        let mut count = 0;
        let mut first_code = None;
        for s in self.statements(body).filter(|s| !is_docstring(*s)) {
            count += 1;
            if first_code.is_none() && !trivial(s) {
                first_code = Some(s);
            }
            if count > 1 && first_code.is_some() {
                break;
            }
        }
        let Some(code) = first_code else {
            return BodyShape::Empty;
        };
        if count == 1
            && code.kind_id() == k.raise_statement
            && self.text(code).contains("NotImplementedError")
        {
            return BodyShape::RaisesNotImplemented;
        }
        BodyShape::Code
    }

    /// A helper function that the file only ever calls by name (every
    /// occurrence of its name is its definition or a recorded call) runs
    /// on the dialects that reach its calls: its ops are narrowed to them.
    /// `upgrade`/`downgrade` are called by alembic and stay as they are.
    fn narrow_helpers(&mut self, root: Node) {
        let funcs = &self.module.functions;
        let mut callers: Vec<Vec<(usize, DialectSet, bool, bool)>> = vec![Vec::new(); funcs.len()];
        for &(name, caller, dialects, after_exit, guarded) in &self.calls {
            let mut matching = funcs.iter().enumerate().filter(|(_, f)| f.name == name);
            if let (Some((i, _)), None) = (matching.next(), matching.next()) {
                callers[i].push((caller, dialects, after_exit, guarded));
            }
        }
        let candidate = |i: usize| {
            !matches!(funcs[i].name.as_str(), "upgrade" | "downgrade") && !callers[i].is_empty()
        };
        // the names' counts: the trivia walk's, or counted now
        let counted = if self.count_identifiers {
            None
        } else {
            let names: Vec<&str> = (0..funcs.len())
                .filter(|&i| candidate(i))
                .map(|i| funcs[i].name.as_str())
                .collect();
            if names.is_empty() {
                return;
            }
            let mut counts = count_names(self.src, root, &names);
            if let Some(cont) = &self.cont {
                for &node in cont.blocks.iter().chain(&cont.trailing) {
                    for (name, n) in count_names(self.src, node, &names) {
                        *counts.entry(name).or_default() += n;
                    }
                }
            }
            Some(counts)
        };
        let identifiers = counted.as_ref().unwrap_or(&self.identifiers);
        let eligible: Vec<usize> = (0..funcs.len())
            .filter(|&i| {
                candidate(i)
                    && identifiers.get(funcs[i].name.as_str()).copied()
                        == Some(callers[i].len() + 1)
            })
            .collect();
        if eligible.is_empty() {
            return;
        }
        let mut reach = vec![DialectSet::ALL; funcs.len()];
        // a helper runs after an unknown exit when every call of it does
        let mut after_exit = vec![false; funcs.len()];
        // ... and under a guard about the database's state likewise
        let mut guarded = vec![false; funcs.len()];
        // narrowing only ever removes dialects (and only ever sets the
        // flag): at most 4 steps per function
        for _ in 0..=4 * funcs.len() {
            let mut changed = false;
            for &i in &eligible {
                let set = callers[i]
                    .iter()
                    .fold(DialectSet::EMPTY, |acc, &(c, d, _, _)| {
                        acc.union(d.intersect(reach[c]))
                    });
                let flag = callers[i]
                    .iter()
                    .all(|&(c, d, x, _)| x || after_exit[c] || d.intersect(reach[c]).is_empty());
                let under = callers[i]
                    .iter()
                    .all(|&(c, d, _, g)| g || guarded[c] || d.intersect(reach[c]).is_empty());
                if set != reach[i] || flag != after_exit[i] || under != guarded[i] {
                    reach[i] = set;
                    after_exit[i] = flag;
                    guarded[i] = under;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for op in &mut self.module.ops {
            op.dialects = op.dialects.intersect(reach[op.func]);
            op.after_unknown_exit |= after_exit[op.func];
            op.under_data_guard |= guarded[op.func];
        }
    }
}

/// How often each of `names` occurs as an identifier in the tree of `src`.
/// A statement in a block whose text has none of the names is not walked:
/// an identifier's text is part of its statement's.
fn count_names<'n>(src: &str, root: Node, names: &[&'n str]) -> foldhash::HashMap<&'n str, usize> {
    let identifier = kinds().identifier;
    let mut counts: foldhash::HashMap<&'n str, usize> = names.iter().map(|&n| (n, 0)).collect();
    let text = |node: Node| src.get(node.start_byte()..node.end_byte()).unwrap_or("");
    let mentions = |node: Node| {
        let t = text(node);
        names.iter().any(|n| t.contains(n))
    };
    flow::walk_named_where(root, mentions, |node| {
        if node.kind_id() == identifier
            && let Some(c) = counts.get_mut(text(node))
        {
            *c += 1;
        }
    });
    counts
}

/// The module's top-level statements, looking through error-recovery
/// wrappers and decorators; assignments stand for their statement.
fn top_level<'t>(block: Node<'t>, depth: usize, out: &mut Vec<Node<'t>>) {
    if depth > 4 {
        return;
    }
    let (k, fl) = (kinds(), crate::kinds::fields());
    for stmt in NamedChildren::new(block) {
        let id = stmt.kind_id();
        if id == k.error {
            top_level(stmt, depth + 1, out);
        } else if id == k.decorated_definition {
            if let Some(def) = stmt.child_by_field_id(fl.definition) {
                out.push(def);
            }
        } else if id == k.expression_statement {
            out.extend(NamedChildren::new(stmt).filter(|c| c.kind_id() == k.assignment));
        } else {
            out.push(stmt);
        }
    }
}

fn is_docstring(stmt: Node) -> bool {
    let k = kinds();
    stmt.kind_id() == k.expression_statement
        && stmt.named_child_count() == 1
        && stmt.named_child(0).is_some_and(|c| {
            let id = c.kind_id();
            id == k.string || id == k.concatenated_string
        })
}

fn id_value(src: &str, n: Node) -> IdValue {
    let text = |n: Node| src.get(n.start_byte()..n.end_byte()).unwrap_or("");
    let str_of = |n: Node| -> Option<Spanned<String>> {
        if n.kind() != "string" {
            return None;
        }
        let (value, dynamic, _) = strings::decode(text(n), 0);
        (!dynamic).then(|| Spanned {
            value,
            range: range(n),
        })
    };
    match n.kind() {
        "none" => IdValue::None,
        "string" => str_of(n).map_or(IdValue::Dynamic, IdValue::Str),
        "tuple" | "list" | "parenthesized_expression" | "set" => {
            let items: Option<Vec<_>> = named_children(n).into_iter().map(str_of).collect();
            match items {
                Some(items) if n.kind() == "parenthesized_expression" && items.len() == 1 => {
                    IdValue::Str(items.into_iter().next().expect("one item"))
                }
                Some(items) => IdValue::Seq(items),
                None => IdValue::Dynamic,
            }
        }
        _ => IdValue::Dynamic,
    }
}
