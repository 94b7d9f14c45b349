//! Dialect guards as conditions to evaluate, not patterns to match.
//!
//! A small abstract interpreter: an expression evaluates to a [`Val`]
//! (the running dialect's name, a connection, a string literal, a
//! boolean, ...), and a boolean is a [`Cond`]: for each dialect miglint
//! models, whether the condition can be true and whether it can be false
//! there (true / false / unknown). `bind.dialect.name in ("mysql",
//! "mariadb")`, `not is_sqlite()`, `"sqlite" in x.dialect_description`,
//! `isinstance(dialect, PGDialect)` and `dialect.name.startswith("post")`
//! all come out of the same evaluation, through any receiver
//! (`op.get_bind()`, `op.get_context()`, `connection.engine`, ...),
//! variables and module-level helper functions.

use std::collections::HashMap;

use miglint_diagnostics::{Dialect, DialectSet};
use tree_sitter::Node;

use crate::data::Regions;
use crate::strings;

mod lits;

const MAX_DEPTH: usize = 32;

/// A boolean, per dialect: `t` holds the dialects on which it can be
/// true, `f` those on which it can be false (a dialect in both: unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cond {
    pub t: DialectSet,
    pub f: DialectSet,
    /// Some part of the condition is not about the dialect and may be
    /// about the database's contents or state (`has_table(...)`,
    /// `skip_for_legacy()`), as opposed to the mode alembic runs in
    /// (`context.is_offline_mode()`).
    pub data: bool,
}

impl Cond {
    /// Anything we cannot evaluate.
    pub const UNKNOWN: Cond = Cond {
        t: DialectSet::ALL,
        f: DialectSet::ALL,
        data: true,
    };
    /// Unknown, but not about data.
    const OPAQUE_MODE: Cond = Cond {
        t: DialectSet::ALL,
        f: DialectSet::ALL,
        data: false,
    };
    const TRUE: Cond = Cond::exactly(DialectSet::ALL);
    const FALSE: Cond = Cond::exactly(DialectSet::EMPTY);

    /// True exactly on `set`.
    pub const fn exactly(set: DialectSet) -> Cond {
        Cond {
            t: set,
            f: set.complement(),
            data: false,
        }
    }

    fn per_dialect(f: impl Fn(Dialect) -> Option<bool>) -> Cond {
        let mut c = Cond {
            t: DialectSet::EMPTY,
            f: DialectSet::EMPTY,
            data: false,
        };
        for d in Dialect::ALL {
            match f(d) {
                Some(true) => c.t = c.t.with(d),
                Some(false) => c.f = c.f.with(d),
                None => {
                    c.t = c.t.with(d);
                    c.f = c.f.with(d);
                }
            }
        }
        c
    }

    #[must_use]
    pub fn not(self) -> Cond {
        Cond {
            t: self.f,
            f: self.t,
            data: self.data,
        }
    }

    #[must_use]
    pub fn and(self, o: Cond) -> Cond {
        Cond {
            t: self.t.intersect(o.t),
            f: self.f.union(o.f),
            data: self.data || o.data,
        }
    }

    #[must_use]
    pub fn or(self, o: Cond) -> Cond {
        Cond {
            t: self.t.union(o.t),
            f: self.f.intersect(o.f),
            data: self.data || o.data,
        }
    }

    /// `a if self else b`.
    fn select(self, a: Cond, b: Cond) -> Cond {
        Cond {
            t: self.t.intersect(a.t).union(self.f.intersect(b.t)),
            f: self.t.intersect(a.f).union(self.f.intersect(b.f)),
            data: self.data || a.data || b.data,
        }
    }

    /// Among `reach`, the dialects on which the dialect does not decide
    /// the condition.
    pub fn undecided(self, reach: DialectSet) -> DialectSet {
        self.t.intersect(self.f).intersect(reach)
    }
}

/// What an expression evaluates to, as far as dialect guards care.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Unknown,
    Bool(Cond),
    /// The running dialect's name (`bind.dialect.name`, `engine.name`).
    Name,
    /// `dialect.dialect_description`: `"<name>+<driver>"`.
    Description,
    /// `dialect.driver`.
    Driver,
    Str(String),
    /// A tuple, list or set of string literals.
    Strs(Vec<String>),
    /// A SQLAlchemy `Dialect` object.
    DialectObj,
    /// A connection, engine, migration context or inspector: has
    /// `.dialect`, `.engine`, `.bind`.
    Conn,
    /// An unbound name that says it holds a dialect (`dialect`,
    /// `dialect_name`, typically a helper's parameter): the name when
    /// compared with a string, the object when an attribute is read.
    NameOrObj,
    /// A module-level helper function, and what calling it returns.
    Func(Box<Val>),
}

pub(crate) type Env = HashMap<String, Val>;

/// The SQLAlchemy dialect names of each family (`Mysql` covers MariaDB).
fn names(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::Postgresql => &["postgresql"],
        Dialect::Sqlite => &["sqlite"],
        Dialect::Mysql => &["mysql", "mariadb"],
    }
}

/// The DBAPI drivers SQLAlchemy ships for each family.
fn drivers(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::Postgresql => &["psycopg2", "psycopg", "pg8000", "asyncpg", "psycopg2cffi"],
        Dialect::Sqlite => &["pysqlite", "aiosqlite", "pysqlcipher"],
        Dialect::Mysql => &[
            "mysqldb",
            "pymysql",
            "mysqlconnector",
            "aiomysql",
            "asyncmy",
            "cymysql",
            "mariadbconnector",
            "pyodbc",
        ],
    }
}

fn is_known_driver(s: &str) -> bool {
    Dialect::ALL.iter().any(|d| drivers(*d).contains(&s))
}

/// Over a family's drivers: all → true, none → false, some → unknown.
fn over_drivers(d: Dialect, pred: impl Fn(&str) -> bool) -> Option<bool> {
    let hits = drivers(d).iter().filter(|x| pred(x)).count();
    if hits == 0 {
        Some(false)
    } else if hits == drivers(d).len() {
        Some(true)
    } else {
        None
    }
}

/// Kinds of string the running database determines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DbStr {
    Name,
    Description,
    Driver,
}

impl DbStr {
    fn of(v: &Val) -> Option<DbStr> {
        match v {
            Val::Name | Val::NameOrObj => Some(DbStr::Name),
            Val::Description => Some(DbStr::Description),
            Val::Driver => Some(DbStr::Driver),
            _ => None,
        }
    }

    /// `self == s` on dialect `d`.
    fn eq(self, s: &str, d: Dialect) -> Option<bool> {
        match self {
            // `mssql`, `oracle`, a misspelling: none of our dialects
            DbStr::Name => Some(Dialect::from_sqlalchemy_name(s) == Some(d)),
            DbStr::Description => match s.split_once('+') {
                Some((name, _)) if names(d).contains(&name) => None,
                _ => Some(false),
            },
            DbStr::Driver if drivers(d).contains(&s) => None,
            DbStr::Driver if is_known_driver(s) => Some(false),
            DbStr::Driver => None,
        }
    }

    /// `s in self` on dialect `d`.
    fn contains(self, s: &str, d: Dialect) -> Option<bool> {
        match self {
            DbStr::Name => Some(names(d).iter().any(|n| n.contains(s))),
            DbStr::Description => {
                if names(d).iter().any(|n| n.contains(s)) {
                    Some(true)
                } else if drivers(d).iter().any(|x| x.contains(s)) || s.contains('+') {
                    None
                } else {
                    Some(false)
                }
            }
            DbStr::Driver => over_drivers(d, |x| x.contains(s)),
        }
    }

    /// `self.startswith(s)` on dialect `d`.
    fn starts_with(self, s: &str, d: Dialect) -> Option<bool> {
        match self {
            DbStr::Name => Some(names(d).iter().any(|n| n.starts_with(s))),
            DbStr::Description => {
                if names(d).iter().any(|n| format!("{n}+").starts_with(s)) {
                    Some(true)
                } else if names(d).iter().any(|n| s.starts_with(&format!("{n}+"))) {
                    None
                } else {
                    Some(false)
                }
            }
            DbStr::Driver => over_drivers(d, |x| x.starts_with(s)),
        }
    }

    /// `self in s` (a substring of a literal) on dialect `d`.
    fn within(self, s: &str, d: Dialect) -> Option<bool> {
        match self {
            DbStr::Name => Some(names(d).iter().any(|n| s.contains(n))),
            DbStr::Description | DbStr::Driver => None,
        }
    }
}

pub(crate) struct Guards<'s> {
    pub src: &'s str,
    pub regions: &'s Regions<'s>,
}

impl<'s> Guards<'s> {
    fn text(&self, n: Node) -> &'s str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// The truth of `cond`, per dialect.
    pub fn cond(&self, cond: Node, env: &Env) -> Cond {
        truth(&self.value(cond, env, 0))
    }

    /// What `n` evaluates to.
    pub fn value(&self, n: Node, env: &Env, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        let d = depth + 1;
        if let Some(lit) = self.regions.lit_at(n.start_byte(), n.end_byte()) {
            return self.lit_value(&lit, depth);
        }
        match n.kind() {
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) if inner.kind() != "comment" => self.value(inner, env, d),
                _ => Val::Unknown,
            },
            "string" | "concatenated_string" => {
                let (value, dynamic, _) = strings::decode(self.text(n), 0);
                if dynamic || n.kind() == "concatenated_string" {
                    return Val::Unknown;
                }
                Val::Str(value)
            }
            "tuple" | "list" | "set" => {
                let mut items = Vec::new();
                for child in named(n) {
                    match self.value(child, env, d) {
                        Val::Str(s) => items.push(s),
                        _ => return Val::Unknown,
                    }
                }
                Val::Strs(items)
            }
            "true" => Val::Bool(Cond::TRUE),
            "false" | "none" => Val::Bool(Cond::FALSE),
            "identifier" => {
                let name = self.text(n);
                match env.get(name) {
                    Some(v) => v.clone(),
                    None if name.to_ascii_lowercase().contains("dialect") => Val::NameOrObj,
                    None if name == "engine_name" => Val::Name,
                    // a helper's parameter: `def f(engine): if engine.name == ...`
                    None if matches!(name, "engine" | "bind" | "conn" | "connection") => Val::Conn,
                    None => Val::Unknown,
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    n.child_by_field_name("object"),
                    n.child_by_field_name("attribute"),
                ) else {
                    return Val::Unknown;
                };
                self.attribute(self.value(obj, env, d), self.text(attr))
            }
            "call" => self.call(n, env, d),
            "not_operator" => match n.child_by_field_name("argument") {
                Some(a) => Val::Bool(truth(&self.value(a, env, d)).not()),
                None => Val::Unknown,
            },
            "boolean_operator" => {
                let (Some(l), Some(r), Some(op)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                    n.child_by_field_name("operator"),
                ) else {
                    return Val::Unknown;
                };
                let (l, r) = (truth(&self.value(l, env, d)), truth(&self.value(r, env, d)));
                Val::Bool(if self.text(op) == "and" {
                    l.and(r)
                } else {
                    l.or(r)
                })
            }
            "comparison_operator" => self.comparison(n, env, d),
            "conditional_expression" => {
                let parts = named(n);
                let [a, c, b] = parts.as_slice() else {
                    return Val::Unknown;
                };
                let (a, c, b) = (
                    self.value(*a, env, d),
                    self.cond(*c, env),
                    self.value(*b, env, d),
                );
                match (&a, &b) {
                    (Val::Bool(x), Val::Bool(y)) => Val::Bool(c.select(*x, *y)),
                    _ if a == b => a,
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    fn attribute(&self, obj: Val, attr: &str) -> Val {
        match (attr, obj) {
            // any `.dialect` is a dialect: `bind.dialect`, `inspector.dialect`
            ("dialect", _) => Val::DialectObj,
            ("engine" | "bind" | "connection", _) => Val::Conn,
            ("name", Val::Conn | Val::DialectObj | Val::NameOrObj) => Val::Name,
            ("driver", Val::Conn | Val::DialectObj | Val::NameOrObj) => Val::Driver,
            ("dialect_description", Val::DialectObj | Val::NameOrObj) => Val::Description,
            _ => Val::Unknown,
        }
    }

    fn call(&self, n: Node, env: &Env, d: usize) -> Val {
        let (Some(func), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
            return Val::Unknown;
        };
        let args = if args.kind() == "argument_list" {
            named(args)
        } else {
            Vec::new()
        };
        match func.kind() {
            "identifier" => {
                let name = self.text(func);
                match (name, env.get(name), args.as_slice()) {
                    (_, Some(Val::Func(ret)), _) => (**ret).clone(),
                    (_, Some(_), _) => Val::Unknown,
                    ("bool", None, [a]) => Val::Bool(truth(&self.value(*a, env, d))),
                    ("str", None, [a]) => match self.value(*a, env, d) {
                        v @ (Val::Name | Val::Description | Val::Driver | Val::Str(_)) => v,
                        _ => Val::Unknown,
                    },
                    ("isinstance", None, [obj, class]) => self.isinstance(*obj, *class, env, d),
                    ("inspect", None, [a]) => self.inspected(*a, env, d),
                    // `_is_sqlite()` imported from the project's own
                    // migration utilities: the name says what it tests
                    (name, None, _) if imported_test(name).is_some() => {
                        Val::Bool(Cond::exactly(imported_test(name).expect("checked")))
                    }
                    // `get_dialect(url)`: a helper imported from elsewhere
                    (name, None, _) if name.to_ascii_lowercase().contains("dialect") => {
                        Val::NameOrObj
                    }
                    _ => Val::Unknown,
                }
            }
            "attribute" => {
                let (Some(obj), Some(attr)) = (
                    func.child_by_field_name("object"),
                    func.child_by_field_name("attribute"),
                ) else {
                    return Val::Unknown;
                };
                let method = self.text(attr);
                match method {
                    "get_bind" | "get_context" | "get_impl" | "connect" | "get_connection" => {
                        return Val::Conn;
                    }
                    "is_offline_mode" => return Val::Bool(Cond::OPAQUE_MODE),
                    "inspect" => {
                        if let [a] = args.as_slice() {
                            return self.inspected(*a, env, d);
                        }
                        return Val::Unknown;
                    }
                    _ => {}
                }
                let recv = self.value(obj, env, d);
                let Some(kind) = DbStr::of(&recv) else {
                    return Val::Unknown;
                };
                match (method, args.as_slice()) {
                    ("lower" | "strip" | "casefold", []) => recv,
                    ("startswith", [a]) => match self.value(*a, env, d) {
                        Val::Str(s) => Val::Bool(Cond::per_dialect(|dl| kind.starts_with(&s, dl))),
                        Val::Strs(list) => Val::Bool(list.iter().fold(Cond::FALSE, |c, s| {
                            c.or(Cond::per_dialect(|dl| kind.starts_with(s, dl)))
                        })),
                        _ => Val::Unknown,
                    },
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    /// `sa.inspect(bind)`: an inspector has `.dialect` like its bind.
    fn inspected(&self, a: Node, env: &Env, d: usize) -> Val {
        match self.value(a, env, d) {
            Val::Conn => Val::Conn,
            _ => Val::Unknown,
        }
    }

    fn isinstance(&self, obj: Node, class: Node, env: &Env, d: usize) -> Val {
        if !matches!(self.value(obj, env, d), Val::DialectObj | Val::NameOrObj) {
            return Val::Unknown;
        }
        match self.dialect_classes(class) {
            Some(set) => Val::Bool(Cond::exactly(set)),
            None => Val::Bool(Cond::OPAQUE_MODE),
        }
    }

    fn comparison(&self, n: Node, env: &Env, d: usize) -> Val {
        let mut cursor = n.walk();
        let operators: Vec<Node> = n.children_by_field_name("operators", &mut cursor).collect();
        let operands = named(n);
        if operators.is_empty() || operands.len() != operators.len() + 1 {
            return Val::Unknown;
        }
        let vals: Vec<Val> = operands.iter().map(|o| self.value(*o, env, d)).collect();
        // `a < b < c` is `a < b and b < c`
        let mut result = Cond::TRUE;
        for (i, op) in operators.iter().enumerate() {
            result = result.and(compare(&vals[i], op.kind(), &vals[i + 1]));
        }
        Val::Bool(result)
    }

    /// `SQLiteDialect`, `postgresql.dialect`, `(MySQLDialect, PGDialect)`:
    /// the dialects of the classes; a dialect class of another database
    /// (`MSDialect`) gives the empty set; `None` when not a dialect class.
    fn dialect_classes(&self, n: Node) -> Option<DialectSet> {
        match n.kind() {
            "identifier" | "attribute" => {
                let text = self.text(n);
                let mut segs = text.rsplit('.');
                let last = segs.next()?;
                if last == "dialect" {
                    let module = segs.next()?;
                    return Some(
                        Dialect::from_sqlalchemy_name(module)
                            .map_or(DialectSet::EMPTY, DialectSet::single),
                    );
                }
                let d = if last.starts_with("SQLiteDialect") {
                    Dialect::Sqlite
                } else if last.starts_with("MySQLDialect") || last.starts_with("MariaDBDialect") {
                    Dialect::Mysql
                } else if last.starts_with("PGDialect") {
                    Dialect::Postgresql
                } else if last.contains("Dialect") {
                    return Some(DialectSet::EMPTY);
                } else {
                    return None;
                };
                Some(DialectSet::single(d))
            }
            "tuple" | "parenthesized_expression" => {
                let mut set = DialectSet::EMPTY;
                for child in named(n) {
                    set = set.union(self.dialect_classes(child)?);
                }
                Some(set)
            }
            _ => None,
        }
    }

    /// What a module-level helper returns when called: evaluated over its
    /// body (assignments, `if`/`elif`/`else`, `return`, `raise`), each
    /// `return` weighed by the dialects that reach it.
    pub fn summarize(&self, body: Node, env: &Env) -> Val {
        let mut local = env.clone();
        let mut returns = Vec::new();
        let falls = self.summary_block(body, DialectSet::ALL, &mut local, &mut returns, 0);
        if returns.is_empty() {
            return Val::Unknown;
        }
        // a function that falls off its end returns None
        if !falls.is_empty() {
            returns.push((falls, Val::Bool(Cond::FALSE)));
        }
        if returns.iter().all(|(_, v)| *v == Val::Name) {
            return Val::Name;
        }
        // `if name == "postgresql": return "postgresql"`: the name again
        if returns.iter().all(|(reach, v)| match v {
            Val::Str(s) => Dialect::from_sqlalchemy_name(s)
                .is_some_and(|d| reach.is_empty() || *reach == DialectSet::single(d)),
            _ => reach.is_empty(),
        }) {
            return Val::Name;
        }
        if returns
            .iter()
            .all(|(_, v)| matches!(v, Val::Bool(_) | Val::Unknown))
        {
            let mut c = Cond {
                t: DialectSet::EMPTY,
                f: DialectSet::EMPTY,
                data: false,
            };
            for (reach, v) in &returns {
                let v = truth(v);
                c.t = c.t.union(reach.intersect(v.t));
                c.f = c.f.union(reach.intersect(v.f));
                c.data |= v.data;
            }
            return Val::Bool(c);
        }
        Val::Unknown
    }

    /// Returns the dialects that fall through the block.
    fn summary_block(
        &self,
        block: Node,
        mut reach: DialectSet,
        env: &mut Env,
        returns: &mut Vec<(DialectSet, Val)>,
        depth: usize,
    ) -> DialectSet {
        if depth > MAX_DEPTH {
            return reach;
        }
        for stmt in named(block) {
            if reach.is_empty() {
                break;
            }
            match stmt.kind() {
                "expression_statement" => {
                    for child in named(stmt) {
                        if child.kind() == "assignment"
                            && let (Some(left), Some(right)) = (
                                child.child_by_field_name("left"),
                                child.child_by_field_name("right"),
                            )
                            && left.kind() == "identifier"
                        {
                            let v = self.value(right, env, 0);
                            env.insert(self.text(left).to_string(), v);
                        }
                    }
                }
                "return_statement" => {
                    let v = match stmt.named_child(0) {
                        Some(e) => self.value(e, env, 0),
                        None => Val::Bool(Cond::FALSE),
                    };
                    returns.push((reach, v));
                    return DialectSet::EMPTY;
                }
                "raise_statement" => return DialectSet::EMPTY,
                "if_statement" => {
                    let mut remaining = reach;
                    let mut falls = DialectSet::EMPTY;
                    let mut has_else = false;
                    for (cond, body) in if_arms(stmt) {
                        let c = cond.map_or(Cond::TRUE, |c| self.cond(c, env));
                        has_else |= cond.is_none();
                        if let Some(body) = body {
                            let mut inner = env.clone();
                            falls = falls.union(self.summary_block(
                                body,
                                remaining.intersect(c.t),
                                &mut inner,
                                returns,
                                depth + 1,
                            ));
                        }
                        remaining = remaining.intersect(c.f);
                    }
                    if !has_else {
                        falls = falls.union(remaining);
                    }
                    reach = falls;
                }
                "with_statement" => {
                    if let Some(body) = stmt.child_by_field_name("body") {
                        reach = self.summary_block(body, reach, env, returns, depth + 1);
                    }
                }
                _ => {}
            }
        }
        reach
    }
}

/// `is_sqlite`, `_is_postgres`, `is_mysql` (a helper defined in another
/// module): the dialect its name tests.
fn imported_test(name: &str) -> Option<DialectSet> {
    let rest = name.trim_start_matches('_').strip_prefix("is_")?;
    let d = Dialect::parse(rest.strip_suffix("_dialect").unwrap_or(rest))?;
    Some(DialectSet::single(d))
}

/// The arms of an `if` statement: (condition, body); `else` has no
/// condition.
pub(crate) fn if_arms(stmt: Node) -> Vec<(Option<Node>, Option<Node>)> {
    let mut arms = vec![(
        stmt.child_by_field_name("condition"),
        stmt.child_by_field_name("consequence"),
    )];
    let mut cursor = stmt.walk();
    for alt in stmt.children_by_field_name("alternative", &mut cursor) {
        match alt.kind() {
            "elif_clause" => arms.push((
                alt.child_by_field_name("condition"),
                alt.child_by_field_name("consequence"),
            )),
            "else_clause" => arms.push((None, alt.child_by_field_name("body"))),
            _ => {}
        }
    }
    arms
}

/// Truthiness.
pub(crate) fn truth(v: &Val) -> Cond {
    match v {
        Val::Bool(c) => *c,
        Val::Str(s) => {
            if s.is_empty() {
                Cond::FALSE
            } else {
                Cond::TRUE
            }
        }
        Val::Strs(l) => {
            if l.is_empty() {
                Cond::FALSE
            } else {
                Cond::TRUE
            }
        }
        // a dialect name is never empty
        Val::Name | Val::Description => Cond::TRUE,
        // `if bind:`: offline mode has none; not about data
        Val::Conn | Val::DialectObj | Val::Driver | Val::NameOrObj | Val::Func(_) => {
            Cond::OPAQUE_MODE
        }
        Val::Unknown => Cond::UNKNOWN,
    }
}

/// `l <op> r`, per dialect.
fn compare(l: &Val, op: &str, r: &Val) -> Cond {
    let negate = matches!(op, "!=" | "not in" | "is not");
    let c = match op {
        "==" | "!=" | "is" | "is not" => match (l, r) {
            (x, Val::Str(s)) | (Val::Str(s), x) if DbStr::of(x).is_some() => {
                let k = DbStr::of(x).expect("checked");
                Cond::per_dialect(|d| k.eq(s, d))
            }
            _ => return opaque(l, r),
        },
        "in" | "not in" => match (l, r) {
            // `"sqlite" in dialect.dialect_description`
            (Val::Str(s), x) if DbStr::of(x).is_some() => {
                let k = DbStr::of(x).expect("checked");
                Cond::per_dialect(|d| k.contains(s, d))
            }
            // `dialect.name in ("mysql", "mariadb")`
            (x, Val::Strs(list)) if DbStr::of(x).is_some() => {
                let k = DbStr::of(x).expect("checked");
                list.iter()
                    .fold(Cond::FALSE, |c, s| c.or(Cond::per_dialect(|d| k.eq(s, d))))
            }
            // `dialect.name in ("sqlite")`: a substring test on one string
            (x, Val::Str(s)) if DbStr::of(x).is_some() => {
                let k = DbStr::of(x).expect("checked");
                Cond::per_dialect(|d| k.within(s, d))
            }
            _ => return opaque(l, r),
        },
        _ => return opaque(l, r),
    };
    if negate { c.not() } else { c }
}

/// A comparison we cannot evaluate: about data unless it compares the
/// connection or dialect (`bind is not None`).
fn opaque(l: &Val, r: &Val) -> Cond {
    let about_db = |v: &Val| {
        matches!(
            v,
            Val::Conn
                | Val::DialectObj
                | Val::NameOrObj
                | Val::Name
                | Val::Description
                | Val::Driver
        )
    };
    if about_db(l) || about_db(r) {
        Cond::OPAQUE_MODE
    } else {
        Cond::UNKNOWN
    }
}

fn named(n: Node) -> Vec<Node> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}
