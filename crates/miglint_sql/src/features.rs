//! Dialect-specific syntax found in a statement's tokens. Strings, quoted
//! identifiers and comments are single tokens (or trivia), so nothing
//! inside them is ever reported.

use std::ops::Range;

use miglint_diagnostics::{Dialect, DialectSet};
use sqlparser::tokenizer::Token;

use crate::classify::string_value;
use crate::scan::Tok;

/// A piece of dialect-specific syntax.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Feature {
    /// PostgreSQL `expr::type` cast; the range covers `::` and the type word.
    DoubleColonCast,
    /// A `` `backtick` `` quoted identifier (MySQL; SQLite accepts it too).
    Backtick,
    /// PostgreSQL `ILIKE`.
    Ilike,
    /// SQLite `AUTOINCREMENT`.
    Autoincrement,
    /// MySQL `AUTO_INCREMENT`.
    AutoIncrement,
    /// SQLite `INSERT OR REPLACE`.
    InsertOrReplace,
    /// SQLite `INSERT OR IGNORE`.
    InsertOrIgnore,
    /// MySQL `INSERT IGNORE`.
    InsertIgnore,
    /// `REPLACE INTO` (SQLite and MySQL).
    ReplaceInto,
    /// SQLite `PRAGMA` (the keyword).
    Pragma,
    /// PostgreSQL `CREATE EXTENSION`.
    CreateExtension,
    /// PostgreSQL `DO` (the keyword of an anonymous code block).
    DoBlock,
    /// `ON CONFLICT` (PostgreSQL upsert, SQLite upsert / conflict clause).
    OnConflict,
    /// MySQL `ON DUPLICATE KEY UPDATE`.
    OnDuplicateKeyUpdate,
    /// PostgreSQL `CONCURRENTLY` (index builds/drops, `REFRESH MATERIALIZED VIEW`, `REINDEX`).
    Concurrently,
    /// A `$$ ... $$` / `$tag$ ... $tag$` string (PostgreSQL).
    DollarQuoted,
    /// `RETURNING` (PostgreSQL, SQLite ≥ 3.35, MariaDB ≥ 10.5 but not MySQL).
    Returning,
    /// PostgreSQL `ALTER TYPE ... ADD VALUE 'value'`; the range covers `ADD`
    /// to the end of the string literal.
    AlterTypeAddValue { value: String },
    /// MySQL `ALTER TABLE t CONVERT TO CHARACTER SET ...` / `ALTER TABLE t
    /// [DEFAULT] CHARACTER SET | CHARSET | COLLATE ...`; the range covers the
    /// keyword that starts the table option.
    TableCharset,
    /// A DB-API (`%s`, `%(name)s`) or SQLAlchemy (`:name`) bind parameter.
    /// Parsing substitutes these; they are not dialect syntax.
    Placeholder,
}

impl Feature {
    /// A short name for messages (`INSERT OR REPLACE`, `:: cast`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Feature::DoubleColonCast => ":: cast",
            Feature::Backtick => "backtick-quoted identifier",
            Feature::Ilike => "ILIKE",
            Feature::Autoincrement => "AUTOINCREMENT",
            Feature::AutoIncrement => "AUTO_INCREMENT",
            Feature::InsertOrReplace => "INSERT OR REPLACE",
            Feature::InsertOrIgnore => "INSERT OR IGNORE",
            Feature::InsertIgnore => "INSERT IGNORE",
            Feature::ReplaceInto => "REPLACE INTO",
            Feature::Pragma => "PRAGMA",
            Feature::CreateExtension => "CREATE EXTENSION",
            Feature::DoBlock => "DO block",
            Feature::OnConflict => "ON CONFLICT",
            Feature::OnDuplicateKeyUpdate => "ON DUPLICATE KEY UPDATE",
            Feature::Concurrently => "CONCURRENTLY",
            Feature::DollarQuoted => "dollar-quoted string",
            Feature::Returning => "RETURNING",
            Feature::AlterTypeAddValue { .. } => "ALTER TYPE ... ADD VALUE",
            Feature::TableCharset => "ALTER TABLE ... CHARACTER SET",
            Feature::Placeholder => "bind parameter",
        }
    }

    /// The target dialects whose server accepts this syntax. Measured in
    /// TRUTH.md §9 for `INSERT OR REPLACE`, `PRAGMA`, `AUTOINCREMENT`,
    /// `ON CONFLICT`, `::`, backticks with `AUTO_INCREMENT` (SQLite takes
    /// `INT AUTO_INCREMENT` as a type name), `INSERT IGNORE`,
    /// `CREATE EXTENSION`, `ALTER TYPE ... ADD VALUE`, `CONCURRENTLY`; the
    /// others follow the vendors' documentation. `Returning` counts MySQL
    /// out (MariaDB ≥ 10.5 has it for INSERT/DELETE only).
    pub fn accepted_by(&self) -> DialectSet {
        use Dialect::{Mysql, Postgresql, Sqlite};
        let set = |ds: &[Dialect]| DialectSet::from_iter_dialects(ds.iter().copied());
        match self {
            Feature::DoubleColonCast
            | Feature::Ilike
            | Feature::CreateExtension
            | Feature::DoBlock
            | Feature::Concurrently
            | Feature::DollarQuoted
            | Feature::AlterTypeAddValue { .. } => set(&[Postgresql]),
            Feature::Autoincrement
            | Feature::InsertOrReplace
            | Feature::InsertOrIgnore
            | Feature::Pragma => set(&[Sqlite]),
            Feature::InsertIgnore | Feature::OnDuplicateKeyUpdate | Feature::TableCharset => {
                set(&[Mysql])
            }
            Feature::Backtick | Feature::AutoIncrement | Feature::ReplaceInto => {
                set(&[Sqlite, Mysql])
            }
            Feature::OnConflict | Feature::Returning => set(&[Postgresql, Sqlite]),
            Feature::Placeholder => DialectSet::ALL,
        }
    }
}

/// Finds the features in a statement's significant tokens, in order.
pub(crate) fn detect(toks: &[Tok], sql: &str) -> Vec<(Feature, Range<usize>)> {
    let mut out = Vec::new();
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(k));
    let span = |a: usize, b: usize| toks[a].range.start..toks[b].range.end;

    if kw(0, "PRAGMA") {
        out.push((Feature::Pragma, span(0, 0)));
    } else if kw(0, "DO") {
        out.push((Feature::DoBlock, span(0, 0)));
    } else if kw(0, "CREATE") && kw(1, "EXTENSION") {
        out.push((Feature::CreateExtension, span(0, 1)));
    } else if matches!(
        crate::classify::parser_gap(toks),
        Some("ALTER TABLE ... CONVERT TO CHARACTER SET" | "ALTER TABLE ... CHARACTER SET")
    ) && let Some(at) = (2..toks.len()).find(|&i| {
        ["CONVERT", "DEFAULT", "CHARACTER", "CHARSET", "COLLATE"]
            .iter()
            .any(|k| kw(i, k))
    }) {
        out.push((Feature::TableCharset, span(at, at)));
    }

    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        match &t.token {
            Token::DoubleColon => {
                let end = if toks.get(i + 1).is_some_and(|n| n.word().is_some()) {
                    i + 1
                } else {
                    i
                };
                out.push((Feature::DoubleColonCast, span(i, end)));
            }
            Token::DollarQuotedString(_) => out.push((Feature::DollarQuoted, span(i, i))),
            Token::Word(w) if w.quote_style == Some('`') => {
                out.push((Feature::Backtick, span(i, i)))
            }
            Token::Mod | Token::Colon => {
                if let Some(end) = placeholder_end(toks, i, sql) {
                    out.push((Feature::Placeholder, span(i, end)));
                    i = end + 1;
                    continue;
                }
            }
            Token::Word(w) if w.quote_style.is_none() => {
                let v = w.value.as_str();
                let f = if v.eq_ignore_ascii_case("ILIKE") {
                    Some((Feature::Ilike, i))
                } else if v.eq_ignore_ascii_case("AUTOINCREMENT") {
                    Some((Feature::Autoincrement, i))
                } else if v.eq_ignore_ascii_case("AUTO_INCREMENT") {
                    Some((Feature::AutoIncrement, i))
                } else if v.eq_ignore_ascii_case("CONCURRENTLY") {
                    Some((Feature::Concurrently, i))
                } else if v.eq_ignore_ascii_case("RETURNING") {
                    Some((Feature::Returning, i))
                } else if v.eq_ignore_ascii_case("INSERT")
                    && kw(i + 1, "OR")
                    && kw(i + 2, "REPLACE")
                {
                    Some((Feature::InsertOrReplace, i + 2))
                } else if v.eq_ignore_ascii_case("INSERT") && kw(i + 1, "OR") && kw(i + 2, "IGNORE")
                {
                    Some((Feature::InsertOrIgnore, i + 2))
                } else if v.eq_ignore_ascii_case("INSERT") {
                    // MySQL: INSERT [LOW_PRIORITY | DELAYED | HIGH_PRIORITY] IGNORE
                    let mut j = i + 1;
                    while ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"]
                        .iter()
                        .any(|k| kw(j, k))
                    {
                        j += 1;
                    }
                    kw(j, "IGNORE").then_some((Feature::InsertIgnore, j))
                } else if v.eq_ignore_ascii_case("REPLACE")
                    && kw(i + 1, "INTO")
                    && !(i > 0 && kw(i - 1, "OR"))
                {
                    Some((Feature::ReplaceInto, i + 1))
                } else if v.eq_ignore_ascii_case("ON") && kw(i + 1, "CONFLICT") {
                    Some((Feature::OnConflict, i + 1))
                } else if v.eq_ignore_ascii_case("ON")
                    && kw(i + 1, "DUPLICATE")
                    && kw(i + 2, "KEY")
                    && kw(i + 3, "UPDATE")
                {
                    Some((Feature::OnDuplicateKeyUpdate, i + 3))
                } else if v.eq_ignore_ascii_case("ADD") && kw(i + 1, "VALUE") && is_alter_type(toks)
                {
                    let mut j = i + 2;
                    if kw(j, "IF") && kw(j + 1, "NOT") && kw(j + 2, "EXISTS") {
                        j += 3;
                    }
                    toks.get(j)
                        .and_then(|s| string_value(&s.token))
                        .map(|value| {
                            (
                                Feature::AlterTypeAddValue {
                                    value: value.to_owned(),
                                },
                                j,
                            )
                        })
                } else {
                    None
                };
                if let Some((f, end)) = f {
                    out.push((f, span(i, end)));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn is_alter_type(toks: &[Tok]) -> bool {
    toks.first().is_some_and(|t| t.is_kw("ALTER")) && toks.get(1).is_some_and(|t| t.is_kw("TYPE"))
}

/// When the token at `i` starts a bind parameter, the index of its last token.
///
/// - `%s` and `%(name)s`: the tokens must touch each other.
/// - `:name`: like SQLAlchemy's `text()`, a colon not preceded by a word
///   character, `:` or `\` and whose name is not followed by `:`.
pub(crate) fn placeholder_end(toks: &[Tok], i: usize, sql: &str) -> Option<usize> {
    let t = toks.get(i)?;
    let touches =
        |a: usize, b: usize| toks[a].range.end == toks.get(b).map_or(usize::MAX, |n| n.range.start);
    let is_s = |j: usize| {
        toks.get(j).is_some_and(
            |n| matches!(&n.token, Token::Word(w) if w.quote_style.is_none() && w.value == "s"),
        )
    };
    match t.token {
        Token::Mod => {
            if is_s(i + 1) && touches(i, i + 1) {
                return Some(i + 1);
            }
            let named = toks.get(i + 1)?.token == Token::LParen
                && toks
                    .get(i + 2)?
                    .word()
                    .is_some_and(|w| w.quote_style.is_none())
                && toks.get(i + 3)?.token == Token::RParen
                && is_s(i + 4)
                && (i..i + 4).all(|a| touches(a, a + 1));
            named.then_some(i + 4)
        }
        Token::Colon => {
            let name = toks.get(i + 1)?;
            if !touches(i, i + 1) || name.word().is_none_or(|w| w.quote_style.is_some()) {
                return None;
            }
            let before = sql[..t.range.start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '\\') {
                return None;
            }
            if sql[name.range.end..].starts_with(':') {
                return None;
            }
            Some(i + 1)
        }
        _ => None,
    }
}
