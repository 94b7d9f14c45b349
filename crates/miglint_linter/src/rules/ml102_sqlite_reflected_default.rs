//! A warning when MySQL/MariaDB is a target that reaches the op (MySQL
//! before 8.0.13 rejects it); elsewhere PostgreSQL, SQLite and MariaDB
//! accept a parenthesised default (TRUTH §1-2), so it is only an `info`
//! offering the safe fix, and only when there is one.

use miglint_diagnostics::{Applicability, Edit, Fix};

use crate::prelude::*;
use crate::rules::ml1xx_defaults::{
    DefaultSite, SqlToken, default_sites, encloses, function_support, scan_sql, strip_parens,
};

pub struct SqliteReflectedDefault;

static META: RuleMeta = RuleMeta {
    code: "ML102",
    name: "sqlite-reflected-default",
    summary: "parenthesised `server_default=sa.text('(CURRENT_TIMESTAMP)')` (as reflected from SQLite): MySQL before 8.0.13 rejects expression defaults",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for SqliteReflectedDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for site in default_sites(file) {
            if site.reaching.is_empty() {
                continue;
            }
            let DefaultValue::Text(lit) = site.value else {
                continue;
            };
            let text = lit.value.trim();
            if !(text.starts_with('(') && text.ends_with(')') && encloses(text)) {
                continue;
            }
            if mysql_lacks_something(text) {
                // a function MySQL lacks, or a `::` cast: ML104 reports it
                continue;
            }
            let mysql = site.reaching.contains(Dialect::Mysql);
            if !mysql && !is_simple(strip_parens(text)) {
                // nothing fails and there is no safe fix to offer
                continue;
            }
            out.push(diagnostic(site, lit, mysql));
        }
    }
}

fn mysql_lacks_something(text: &str) -> bool {
    scan_sql(text).iter().any(|t| match t {
        SqlToken::Cast(_) => true,
        SqlToken::Call(name, _) => {
            function_support(name).is_some_and(|has| !has.contains(Dialect::Mysql))
        }
    })
}

/// Inner texts that mean the same without the parentheses on every target.
/// Not `CURRENT_DATE`/`CURRENT_TIME`: MySQL accepts an unparenthesised
/// keyword default only for `CURRENT_TIMESTAMP` on DATETIME/TIMESTAMP
/// (MySQL documentation, not measured).
fn is_simple(inner: &str) -> bool {
    let upper = inner.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "CURRENT_TIMESTAMP" | "TRUE" | "FALSE" | "NULL"
    ) || {
        let digits = inner.strip_prefix('-').unwrap_or(inner);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    } || (inner.len() >= 2
        && inner.starts_with('\'')
        && inner.ends_with('\'')
        && !inner[1..inner.len() - 1].replace("''", "").contains('\''))
}

fn diagnostic(site: &DefaultSite<'_>, lit: &StrLit, mysql: bool) -> Diagnostic {
    let text = lit.value.as_str();
    let inner = strip_parens(text);
    let message = if !mysql {
        format!(
            "`DEFAULT {}` is a parenthesised (expression) default, as autogenerate reflects it \
             from SQLite: {}; only MySQL before 8.0.13 rejects it (documented), and MySQL is \
             not a target here",
            text.trim(),
            if inner.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
                "PostgreSQL, SQLite and MariaDB accept it (measured)"
            } else {
                "PostgreSQL, SQLite and MariaDB accept parenthesised defaults (documented)"
            }
        )
    } else if inner.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
        format!(
            "`DEFAULT {}` is a parenthesised (expression) default: MySQL before 8.0.13 rejects \
             it with a syntax error; PostgreSQL, SQLite and MariaDB accept it",
            text.trim()
        )
    } else {
        format!(
            "`DEFAULT {}` is a parenthesised (expression) default: MySQL before 8.0.13 rejects \
             expression defaults (MySQL documentation)",
            text.trim()
        )
    };
    let mut diag = site.label_column(META.diag(site.expr().range, message));
    if !mysql {
        diag.severity = Severity::Info;
    }
    if !is_simple(inner) {
        return diag.with_help(
            "if the project must run on MySQL before 8.0.13, use a default that needs no \
             parentheses (a constant, or `CURRENT_TIMESTAMP` on a DATETIME/TIMESTAMP column); \
             MySQL 8.0.13 and later accept parenthesised expression defaults",
        );
    }
    let diag = diag.with_help(format!(
        "drop the parentheses: `sa.text(\"{inner}\")` renders as `DEFAULT {inner}`, which \
         needs no expression-default support{}",
        if inner.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
            " (PostgreSQL, SQLite and MariaDB accept it, measured; MySQL accepts it on \
             DATETIME/TIMESTAMP columns from 5.6.5, MySQL documentation). `sa.func.now()` is \
             portable too on PostgreSQL, SQLite and MariaDB, but SQLAlchemy renders it as \
             `(now())` on MySQL/MariaDB"
        } else {
            " (a constant or literal default; MySQL documentation)"
        }
    ));
    // delete the parentheses and the blanks around the inner text
    let start = inner.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + inner.len();
    diag.with_fix(Fix {
        applicability: Applicability::Safe,
        message: String::from("remove the parentheses"),
        edits: vec![
            Edit {
                range: lit.source_range(0..start),
                content: String::new(),
            },
            Edit {
                range: lit.source_range(end..text.len()),
                content: String::new(),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_inner_texts() {
        assert!(is_simple("CURRENT_TIMESTAMP"));
        assert!(!is_simple("CURRENT_DATE"));
        assert!(!is_simple("CURRENT_TIME"));
        assert!(is_simple("0"));
        assert!(is_simple("'draft'"));
        assert!(is_simple("'it''s'"));
        assert!(!is_simple("now()"));
        assert!(!is_simple("'a' || 'b'"));
    }

    #[test]
    fn defers_to_ml104() {
        assert!(mysql_lacks_something("(datetime('now'))"));
        assert!(mysql_lacks_something("('{}'::jsonb)"));
        assert!(!mysql_lacks_something("(now())"));
        assert!(!mysql_lacks_something("(CURRENT_TIMESTAMP)"));
    }
}
