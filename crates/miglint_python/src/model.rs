//! The migration model (IR): what one Alembic revision script says, with
//! byte spans on everything. Built by [`crate::PythonParser`]; consumed by
//! rules. Nothing here names tree-sitter.

use miglint_diagnostics::{Dialect, DialectSet, TextRange};

pub use crate::outside::OutsideOps;
pub use crate::shared_str::SharedStr;

/// A value with the byte range it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub range: TextRange,
}

/// One parsed migration file.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Module {
    pub ids: RevisionIds,
    pub functions: Vec<Function>,
    /// Every operation in source order, across all functions.
    pub ops: Vec<Op>,
    /// Every `#` comment (for suppressions).
    pub comments: Vec<TextRange>,
    /// Ranges of syntax errors (ERROR / MISSING nodes), in source order.
    pub syntax_errors: Vec<TextRange>,
    /// The dialects the file names (guards, dialect kwargs, imports,
    /// `with_variant`): the first mention of each (dialect, kind). Evidence
    /// for target inference.
    pub dialect_mentions: Vec<DialectMention>,
    /// Module-level `NAME = <call, list or tuple>` assignments, in source
    /// order (`status = sa.Enum(...)`, `t = sa.table("t", ...)`), for the
    /// schema model to resolve names.
    pub bindings: Vec<Binding>,
    /// Module-level ORM classes with a literal `__tablename__` (`class
    /// Run(Base): __tablename__ = "runs"`): class name -> table, for the
    /// schema model to read ORM writes (`session.query(Run).delete()`).
    pub orm_tables: Vec<OrmTable>,
}

impl Module {
    /// Gives back the spare capacity of every vector (a vector filled by
    /// pushes holds up to twice its length, and a module is kept until the
    /// project phase: issue 15's memory per file). The expressions inside
    /// are exact already: their lists are boxed slices and their strings
    /// [`SharedStr`]s.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.functions.shrink_to_fit();
        self.ops.shrink_to_fit();
        self.comments.shrink_to_fit();
        self.syntax_errors.shrink_to_fit();
        self.dialect_mentions.shrink_to_fit();
        self.bindings.shrink_to_fit();
        self.orm_tables.shrink_to_fit();
    }
}

/// A visitor of every expression of an expression tree, for
/// [`Expr::for_each_mut`]: the one hand-written walk over [`ExprKind`]
/// (span shifting uses it).
pub(crate) trait ExprVisitorMut {
    /// Each expression, before the expressions inside it.
    fn expr(&mut self, e: &mut Expr);
    /// Each list of expressions (arguments, tuple or list items), before
    /// its items.
    fn exprs(&mut self, _list: &mut [Expr]) {}
    /// Each list of keyword arguments, before their values.
    fn keywords(&mut self, _list: &mut [Keyword]) {}
}

/// [`Expr::for_each_mut`] of call arguments.
pub(crate) fn for_each_arg_mut(
    args: &mut [Expr],
    kwargs: &mut [Keyword],
    v: &mut impl ExprVisitorMut,
) {
    v.exprs(args);
    for a in args.iter_mut() {
        a.for_each_mut(v);
    }
    v.keywords(kwargs);
    for k in kwargs.iter_mut() {
        k.value.for_each_mut(v);
    }
}

impl Expr {
    /// Calls `v` on this expression and every expression inside it, in
    /// pre-order.
    pub(crate) fn for_each_mut(&mut self, v: &mut impl ExprVisitorMut) {
        v.expr(self);
        match &mut self.kind {
            ExprKind::Attribute(a) => a.value.for_each_mut(v),
            ExprKind::Call(call) => {
                call.func.for_each_mut(v);
                for_each_arg_mut(&mut call.args, &mut call.kwargs, v);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                v.exprs(items);
                for i in items.iter_mut() {
                    i.for_each_mut(v);
                }
            }
            ExprKind::BinOp { operands, .. } => {
                for o in operands.iter_mut() {
                    o.for_each_mut(v);
                }
            }
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Name(_)
            | ExprKind::Other => {}
        }
    }
}

/// A module-level class that maps a table (`__tablename__ = "t"`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrmTable {
    pub class: String,
    pub table: String,
}

/// A module-level assignment of a call, list or tuple to a plain name.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Binding {
    pub name: String,
    pub value: Expr,
}

/// A place where a revision script names a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DialectMention {
    pub dialect: Dialect,
    pub kind: MentionKind,
    pub range: TextRange,
}

/// How a revision script names a dialect.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum MentionKind {
    /// Compared with a dialect name: `dialect.name == "mysql"`.
    Guard,
    /// A dialect keyword argument: `mysql_engine=`, `postgresql_using=`.
    Keyword,
    /// `sqlalchemy.dialects.X` (imported or used as an attribute path).
    Import,
    /// `with_variant(..., "mysql")`.
    Variant,
}

impl MentionKind {
    /// How the evidence reads in a sentence ("a dialect guard").
    pub const fn describe(self) -> &'static str {
        match self {
            MentionKind::Guard => "a dialect guard",
            MentionKind::Keyword => "a dialect keyword argument",
            MentionKind::Import => "sqlalchemy.dialects",
            MentionKind::Variant => "with_variant",
        }
    }
}

impl Module {
    pub fn function(&self, kind: FuncKind) -> Option<&Function> {
        self.functions.iter().find(|f| f.kind == kind)
    }

    /// The ops of the functions of `kind`, in source order.
    pub fn ops_in(&self, kind: FuncKind) -> impl Iterator<Item = &Op> {
        self.ops
            .iter()
            .filter(move |op| self.functions[op.func].kind == kind)
    }

    pub fn func_kind(&self, op: &Op) -> FuncKind {
        self.functions[op.func].kind
    }

    /// The table of module-level ORM class `class`, when exactly one class
    /// of that name maps one.
    pub fn orm_table(&self, class: &str) -> Option<&str> {
        let mut found = self.orm_tables.iter().filter(|t| t.class == class);
        let first = found.next()?;
        found.next().is_none().then_some(&*first.table)
    }

    /// The value of module-level name `name`, when it is bound exactly once.
    pub fn binding(&self, name: &str) -> Option<&Expr> {
        let mut found = self.bindings.iter().filter(|b| b.name == name);
        let first = found.next()?;
        found.next().is_none().then_some(&first.value)
    }
}

/// The module-level identifiers alembic reads.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct RevisionIds {
    pub revision: Option<IdAssign>,
    pub down_revision: Option<IdAssign>,
    pub branch_labels: Option<IdAssign>,
    pub depends_on: Option<IdAssign>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdAssign {
    /// The assignment target (`down_revision`).
    pub target: TextRange,
    pub value: IdValue,
    pub value_range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IdValue {
    None,
    Str(Spanned<String>),
    /// A tuple or list of strings (merge revisions, several labels).
    Seq(Vec<Spanned<String>>),
    /// Anything that is not a literal.
    Dynamic,
}

impl IdValue {
    /// The literal strings, whatever the shape.
    pub fn strings(&self) -> Vec<&Spanned<String>> {
        match self {
            IdValue::Str(s) => vec![s],
            IdValue::Seq(v) => v.iter().collect(),
            IdValue::None | IdValue::Dynamic => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FuncKind {
    /// `upgrade()` and `upgrade_<engine>()`.
    Upgrade,
    /// `downgrade()` and `downgrade_<engine>()`.
    Downgrade,
    Other,
}

impl FuncKind {
    /// The kind of a module-level function named `name`.
    pub fn of(name: &str) -> Self {
        if name == "upgrade" || name.starts_with("upgrade_") {
            FuncKind::Upgrade
        } else if name == "downgrade" || name.starts_with("downgrade_") {
            FuncKind::Downgrade
        } else {
            FuncKind::Other
        }
    }
}

/// What a function body amounts to, for "empty" checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BodyShape {
    /// Only `pass`, `...`, a docstring or comments.
    Empty,
    /// `raise NotImplementedError(...)` (after an optional docstring).
    RaisesNotImplemented,
    Code,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Function {
    pub name: String,
    pub kind: FuncKind,
    pub range: TextRange,
    pub name_range: TextRange,
    pub shape: BodyShape,
    /// What an `upgrade()`/`downgrade()` does outside its ops, when it does
    /// anything (see [`Function::outside`]).
    pub outside: Option<Box<OutsideOps>>,
}

impl Function {
    /// What an `upgrade()`/`downgrade()` does outside its ops (read from the
    /// text when the file is extracted: `outside.rs`);
    /// [`OutsideOps::NONE`] for the other functions.
    pub fn outside(&self) -> &OutsideOps {
        self.outside.as_deref().unwrap_or(&crate::outside::NONE)
    }
}

/// What an operation is called on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Receiver {
    /// `op.add_column(...)`.
    Op,
    /// `batch_op.add_column(...)` inside `with op.batch_alter_table(...) as batch_op`
    /// (boxed: most ops are not in a batch, and the box keeps [`Op`] small).
    Batch(Box<BatchInfo>),
    /// `<something>.execute(...)` on a connection / bind / session.
    Connection,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchInfo {
    pub table: Option<Spanned<String>>,
    /// The `op.batch_alter_table(...)` call.
    pub range: TextRange,
}

/// One migration operation call, in source order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Op {
    /// Index into [`Module::functions`].
    pub func: usize,
    pub receiver: Receiver,
    /// `add_column`, `execute`, ...
    pub name: SharedStr,
    pub name_range: TextRange,
    /// The whole call expression.
    pub range: TextRange,
    pub args: Box<[Expr]>,
    pub kwargs: Box<[Keyword]>,
    /// The dialects on which this call can run (dialect guards).
    pub dialects: DialectSet,
    /// Inside `with op.get_context().autocommit_block():`.
    pub in_autocommit: bool,
    /// Inside the body of a `try:` that has an `except` clause, or inside
    /// an `except` clause: a failure here may be caught on purpose
    /// (`try: op.create_unique_constraint(...) except Exception: pass`),
    /// and a handler only runs after something failed.
    pub in_try: bool,
    /// Code before this call (in its function, or before every call of
    /// the helper it is in) may have left on a condition miglint cannot
    /// evaluate and that may be about the data (`if skip_for_legacy():
    /// return`, `if has_table("t"): return`): the call runs, but only
    /// when that condition let it, which may mean only on an empty or a
    /// freshly created database. Rules that claim a failure that depends
    /// on existing rows say no more than a warning here.
    pub after_unknown_exit: bool,
    /// Inside an arm of an `if` whose condition miglint cannot decide and
    /// that may be about the database's state (`if not
    /// has_primary_key("t"):`, `if has_unique_constraint(...):`, or an
    /// `elif`/`else` after one), or in a helper every call of which is: the
    /// call runs only when that state lets it, which may be never on some
    /// target (an idempotency guard that the target's history already
    /// satisfies). Rules whose failure does not depend on the rows (the
    /// statement fails whenever it runs) say no more than a warning here.
    pub under_data_guard: bool,
    /// Inside a loop, a nested function, or an `if` arm whose condition
    /// miglint cannot decide (beyond the dialect): the call may run zero
    /// times, or more than once (`if not has_table("t"): op.create_table(...)`).
    pub conditional: bool,
}

impl Op {
    pub fn kwarg(&self, name: &str) -> Option<&Keyword> {
        self.kwargs.iter().find(|k| &*k.name == name)
    }

    /// Positional argument `index`, or the keyword `name`.
    pub fn arg_or_kw(&self, index: usize, name: &str) -> Option<&Expr> {
        self.kwarg(name)
            .map(|k| &k.value)
            .or_else(|| self.args.get(index))
    }

    pub fn in_batch(&self) -> bool {
        matches!(self.receiver, Receiver::Batch(_))
    }

    /// The table the op works on, when literal: the batch table, or the
    /// op's table argument (`table_name`, first positional for most ops).
    pub fn table(&self) -> Option<Spanned<String>> {
        if let Receiver::Batch(b) = &self.receiver {
            return b.table.clone();
        }
        let expr = self.table_arg()?;
        expr.str_value().map(|s| Spanned {
            value: s.to_string(),
            range: expr.range,
        })
    }

    /// [`Op::table`]'s name, borrowed (no copy).
    pub fn table_str(&self) -> Option<&str> {
        if let Receiver::Batch(b) = &self.receiver {
            return b.table.as_ref().map(|t| t.value.as_str());
        }
        self.table_arg()?.str_value()
    }

    /// The argument naming the table of an op outside a batch.
    fn table_arg(&self) -> Option<&Expr> {
        match &*self.name {
            "create_index"
            | "create_unique_constraint"
            | "create_check_constraint"
            | "create_primary_key" => self.arg_or_kw(1, "table_name"),
            "drop_constraint" => self.arg_or_kw(1, "table_name"),
            "create_foreign_key" => self.arg_or_kw(1, "source_table"),
            "drop_index" => self
                .kwarg("table_name")
                .map(|k| &k.value)
                .or_else(|| self.args.get(1)),
            _ => self.arg_or_kw(0, "table_name"),
        }
    }

    /// Columns passed positionally (`create_table`, `add_column`).
    pub fn columns(&self) -> impl Iterator<Item = Column<'_>> {
        self.args
            .iter()
            .chain(self.kwarg("column").map(|k| &k.value))
            .filter_map(Column::from_expr)
    }

    /// For `execute`: the SQL argument, classified.
    pub fn sql(&self) -> Option<SqlSource<'_>> {
        if &*self.name != "execute" {
            return None;
        }
        self.arg_or_kw(0, "sqltext")
            .or_else(|| self.kwarg("statement").map(|k| &k.value))
            .map(sql_source)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Keyword {
    pub name: SharedStr,
    pub name_range: TextRange,
    pub value: Expr,
}

impl Keyword {
    /// The whole `name=value` span.
    pub fn range(&self) -> TextRange {
        self.name_range.cover(self.value.range)
    }
}

/// A simplified Python expression.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    Str(Box<StrLit>),
    Int(Option<i64>),
    Float,
    Bool(bool),
    None,
    Name(SharedStr),
    /// `value.attr` (one box for both: the variant stays 8 bytes).
    Attribute(Box<Attribute>),
    Call(Box<Call>),
    Tuple(Box<[Expr]>),
    List(Box<[Expr]>),
    /// `left <op> right`: `operands` is `[left, right]`.
    BinOp {
        op: BinOp,
        operands: Box<[Expr; 2]>,
    },
    /// Anything else (lambda, comprehension, subscript, too deep, ...).
    Other,
}

/// `value.attr`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attribute {
    pub value: Expr,
    pub attr: SharedStr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BinOp {
    Add,
    Mod,
    Other,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Call {
    pub func: Expr,
    pub args: Box<[Expr]>,
    pub kwargs: Box<[Keyword]>,
}

impl Call {
    pub fn kwarg(&self, name: &str) -> Option<&Keyword> {
        self.kwargs.iter().find(|k| &*k.name == name)
    }
}

/// A string literal with escapes decoded and implicit concatenation joined.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StrLit {
    pub value: SharedStr,
    /// An f-string with interpolation: the value is not known statically.
    pub dynamic: bool,
    /// `map[i]` is the file offset of decoded byte `i`; `map[len]` the end.
    pub(crate) map: crate::strings::Offsets,
}

impl StrLit {
    pub(crate) fn new(value: String, dynamic: bool, map: crate::strings::Offsets) -> Self {
        debug_assert_eq!(map.len(), value.len() + 1);
        StrLit {
            value: value.into(),
            dynamic,
            map,
        }
    }

    /// Maps a byte range of the decoded value back to file bytes.
    pub fn source_range(&self, range: std::ops::Range<usize>) -> TextRange {
        let last = self.map.len().saturating_sub(1);
        let start = self.map.get(range.start.min(last)).unwrap_or(0);
        let end = if range.end > range.start {
            // end of the last included byte: the start of the next one
            self.map.get(range.end.min(last)).unwrap_or(start)
        } else {
            start
        };
        TextRange::new(start, end.max(start))
    }
}

impl Expr {
    /// `sa.func.now` for Name/Attribute chains.
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.to_string()),
            ExprKind::Attribute(a) => a.value.dotted().map(|v| format!("{v}.{}", a.attr)),
            _ => None,
        }
    }

    /// The last segment of [`Expr::dotted`] (`sa.Column` -> `Column`),
    /// without building the dotted string.
    pub fn dotted_last(&self) -> Option<&str> {
        let last = match &self.kind {
            ExprKind::Name(n) => return Some(n),
            ExprKind::Attribute(a) => &a.attr,
            _ => return None,
        };
        let mut e = self;
        loop {
            match &e.kind {
                ExprKind::Name(_) => return Some(last),
                ExprKind::Attribute(a) => e = &a.value,
                _ => return None,
            }
        }
    }

    /// The last segment of [`Expr::call_name`], without building it.
    pub fn call_last(&self) -> Option<&str> {
        self.as_call()?.func.dotted_last()
    }

    /// The literal (non-dynamic) string value.
    pub fn str_value(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) if !s.dynamic => Some(&s.value),
            _ => None,
        }
    }

    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(c) => Some(c),
            _ => None,
        }
    }

    /// The dotted name of the function a call calls (`sa.Column`).
    pub fn call_name(&self) -> Option<String> {
        self.as_call().and_then(|c| c.func.dotted())
    }

    pub fn bool_value(&self) -> Option<bool> {
        match self.kind {
            ExprKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self.kind, ExprKind::None)
    }
}

/// The last segment of a dotted name (`sa.Column` -> `Column`).
pub fn last_segment(dotted: &str) -> &str {
    dotted.rsplit('.').next().unwrap_or(dotted)
}

/// A `sa.Column(...)` / `Column(...)` call, viewed.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    pub call: &'a Call,
    pub range: TextRange,
}

impl<'a> Column<'a> {
    pub fn from_expr(expr: &'a Expr) -> Option<Self> {
        let call = expr.as_call()?;
        (call.func.dotted_last()? == "Column").then_some(Column {
            call,
            range: expr.range,
        })
    }

    /// The column name when it is a literal string.
    pub fn name(&self) -> Option<Spanned<String>> {
        let e = self
            .call
            .args
            .first()
            .or_else(|| self.call.kwarg("name").map(|k| &k.value))?;
        e.str_value().map(|s| Spanned {
            value: s.to_string(),
            range: e.range,
        })
    }

    /// The type argument: the first positional argument that is not the name.
    pub fn type_expr(&self) -> Option<&'a Expr> {
        self.call
            .args
            .iter()
            .find(|e| !matches!(e.kind, ExprKind::Str(_)))
            .filter(|e| !is_schema_item(e))
            .or_else(|| self.call.kwarg("type_").map(|k| &k.value))
    }

    /// The type's name without module (`Boolean` for `sa.Boolean()`), when recognisable.
    pub fn type_name(&self) -> Option<String> {
        let t = self.type_expr()?;
        Some(t.call_last().or_else(|| t.dotted_last())?.to_string())
    }

    pub fn kwarg(&self, name: &str) -> Option<&'a Keyword> {
        self.call.kwarg(name)
    }

    /// `nullable=` as a literal; `None` when absent or not literal.
    pub fn nullable(&self) -> Option<bool> {
        self.kwarg("nullable").and_then(|k| k.value.bool_value())
    }

    pub fn primary_key(&self) -> bool {
        self.kwarg("primary_key").and_then(|k| k.value.bool_value()) == Some(true)
    }

    pub fn server_default(&self) -> Option<&'a Keyword> {
        self.kwarg("server_default").filter(|k| !k.value.is_none())
    }
}

fn is_schema_item(e: &Expr) -> bool {
    e.call_last()
        .is_some_and(|n| matches!(n, "ForeignKey" | "Sequence" | "Identity" | "Computed"))
}

/// A `server_default=` value, classified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue<'a> {
    /// `server_default="0"`: SQLAlchemy quotes it as a string literal.
    PlainString(&'a StrLit),
    /// `sa.text("...")` / `text("...")` with a literal argument.
    Text(&'a StrLit),
    /// `sa.func.now()` and friends: the function name (`now`).
    Func(&'a str),
    /// `sa.true()` / `sa.false()` / `sa.sql.expression.true()`.
    Bool(bool),
    /// `None`.
    None,
    /// Anything else (a variable, a dynamic string, `sa.literal(...)`).
    Other,
}

pub fn classify_default(expr: &Expr) -> DefaultValue<'_> {
    match &expr.kind {
        ExprKind::Str(s) if !s.dynamic => DefaultValue::PlainString(s),
        ExprKind::None => DefaultValue::None,
        ExprKind::Call(call) => {
            let Some(name) = call.func.dotted() else {
                return DefaultValue::Other;
            };
            let last = last_segment(&name);
            match last {
                "text" | "literal_column" => match call.args.first().map(|a| &a.kind) {
                    Some(ExprKind::Str(s)) if !s.dynamic => DefaultValue::Text(s),
                    _ => DefaultValue::Other,
                },
                "true" | "false" if is_sqlalchemy_path(&name) => DefaultValue::Bool(last == "true"),
                _ if name.split('.').any(|seg| seg == "func") => {
                    DefaultValue::Func(func_name(&call.func))
                }
                _ => DefaultValue::Other,
            }
        }
        _ => DefaultValue::Other,
    }
}

fn func_name(func: &Expr) -> &str {
    match &func.kind {
        ExprKind::Attribute(a) => &a.attr,
        ExprKind::Name(n) => n,
        _ => "",
    }
}

fn is_sqlalchemy_path(name: &str) -> bool {
    let mut segs: Vec<&str> = name.split('.').collect();
    segs.pop();
    segs.iter()
        .all(|s| matches!(*s, "sa" | "sqlalchemy" | "sql" | "expression" | "sqla"))
        || segs.is_empty()
}

/// Where the SQL of an `execute` call comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SqlSource<'a> {
    /// A literal string (possibly via `sa.text(...)`, `.bindparams(...)`).
    Literal(&'a StrLit),
    /// Built at run time: f-string, `%`, `.format`, `+`, a variable.
    Dynamic(TextRange),
    /// Not SQL text: a Core construct (`t.update()...`, `sa.insert(...)`).
    Construct(&'a Expr),
}

const TEXT_METHODS: &[&str] = &["bindparams", "execution_options", "columns", "params"];

pub fn sql_source(expr: &Expr) -> SqlSource<'_> {
    match &expr.kind {
        ExprKind::Str(s) if !s.dynamic => SqlSource::Literal(s),
        ExprKind::Str(_) | ExprKind::Name(_) | ExprKind::BinOp { .. } => {
            SqlSource::Dynamic(expr.range)
        }
        ExprKind::Call(call) => match &call.func.kind {
            ExprKind::Attribute(a)
                if &*a.attr == "format" && matches!(a.value.kind, ExprKind::Str(_)) =>
            {
                SqlSource::Dynamic(expr.range)
            }
            ExprKind::Attribute(a)
                if TEXT_METHODS.contains(&&*a.attr) && is_text_call(&a.value) =>
            {
                sql_source(&a.value)
            }
            _ if is_text_call(expr) => match call
                .args
                .first()
                .or_else(|| call.kwarg("text").map(|k| &k.value))
            {
                Some(arg) => match sql_source(arg) {
                    SqlSource::Construct(_) => SqlSource::Dynamic(arg.range),
                    other => other,
                },
                None => SqlSource::Dynamic(expr.range),
            },
            _ => SqlSource::Construct(expr),
        },
        _ => SqlSource::Construct(expr),
    }
}

/// `sa.text(...)`, possibly followed by `.bindparams(...)`-style methods.
fn is_text_call(expr: &Expr) -> bool {
    let Some(call) = expr.as_call() else {
        return false;
    };
    match &call.func.kind {
        ExprKind::Attribute(a) if TEXT_METHODS.contains(&&*a.attr) => is_text_call(&a.value),
        _ => call
            .func
            .dotted()
            .is_some_and(|n| last_segment(&n) == "text"),
    }
}
