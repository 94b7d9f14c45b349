//! Parsing one statement with sqlparser, per target dialect.

use std::borrow::Cow;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use miglint_diagnostics::Dialect;
use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::{Parser, ParserError};

/// The statement text handed to sqlparser: `sql[range]` with every bind
/// parameter (`%s`, `%(name)s`, `:name`) overwritten by a number of the same
/// byte length, so it parses as a literal and offsets stay valid.
pub(crate) fn parse_text<'a>(
    sql: &'a str,
    range: Range<usize>,
    placeholders: &[Range<usize>],
) -> Cow<'a, str> {
    let text = &sql[range.clone()];
    if placeholders.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = range.start;
    for p in placeholders {
        out.push_str(&sql[at..p.start]);
        out.extend(std::iter::repeat_n('0', p.len()));
        at = p.end;
    }
    out.push_str(&sql[at..range.end]);
    Cow::Owned(out)
}

/// Parses `text` as exactly one statement of dialect `d`. sqlparser's
/// default recursion limit applies; a panic inside sqlparser becomes an
/// error instead of taking the linter down.
pub(crate) fn parse_one(d: Dialect, text: &str) -> Result<Statement, String> {
    match d {
        Dialect::Postgresql => parse_with(&PostgreSqlDialect {}, text),
        Dialect::Sqlite => parse_with(&SQLiteDialect {}, text),
        Dialect::Mysql => parse_with(&MySqlDialect {}, text),
    }
}

fn parse_with(dialect: &dyn SqlDialect, text: &str) -> Result<Statement, String> {
    let run = || -> Result<Statement, String> {
        let mut stmts = Parser::new(dialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statements())
            .map_err(message)?;
        match stmts.len() {
            1 => Ok(stmts.remove(0)),
            0 => Err("no statement".to_owned()),
            n => Err(format!("{n} statements where one was expected")),
        }
    };
    catch_unwind(AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err("sqlparser panicked on this statement".to_owned()))
}

/// sqlparser's message without its `sql parser error: ` prefix.
fn message(e: ParserError) -> String {
    match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        ParserError::RecursionLimitExceeded => "recursion limit exceeded".to_owned(),
    }
}
