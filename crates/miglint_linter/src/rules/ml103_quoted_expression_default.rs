//! A plain-string `server_default` is quoted by SQLAlchemy: `'now'` is the
//! text "now", never a call. What each target then does is measured in
//! TRUTH §1-3. The severity is graded per finding: `'t'`/`'true'` on a
//! Boolean is only an error where MariaDB rejects it, and otherwise a
//! warning (SQLite stores the text, which SQLAlchemy still reads as True).

use miglint_diagnostics::{Applicability, Edit, Fix};

use crate::prelude::*;
use crate::rules::ml1xx_defaults::{
    DefaultSite, SiteKind, TypeClass, default_sites, sqlalchemy_prefix,
};

pub struct QuotedExpressionDefault;

static META: RuleMeta = RuleMeta {
    code: "ML103",
    name: "quoted-expression-default",
    summary: "plain-string `server_default` that looks like an expression (`'CURRENT_TIMESTAMP'`, `'now'`, `'false'` on a Boolean) is stored as text or frozen",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for QuotedExpressionDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for site in default_sites(file) {
            let value = match site.value {
                DefaultValue::PlainString(lit) => lit.value.to_string(),
                // `sa.text("'now'")` is the same string literal, written in SQL
                DefaultValue::Text(lit) => match sql_string_literal(&lit.value) {
                    Some(v) => v,
                    None => continue,
                },
                _ => continue,
            };
            let diag = match site.type_class {
                TypeClass::Boolean => boolean(file, site, &value),
                TypeClass::Temporal | TypeClass::Unknown => temporal(file, site, &value),
                TypeClass::Textual | TypeClass::Other => None,
            };
            out.extend(diag);
        }
    }
}

/// The value of a text that is one SQL string literal (`'now'`, `'it''s'`).
fn sql_string_literal(text: &str) -> Option<String> {
    let t = text.trim();
    let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner.replace("''", "").contains('\'') {
        return None;
    }
    Some(inner.replace("''", "'"))
}

/// The default as written, for messages.
fn written<'a>(file: &'a FileContext<'_>, site: &DefaultSite<'_>) -> &'a str {
    &file.source[site.expr().range.as_usize()]
}

/// What a quoted timestamp-like string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Temporal {
    /// `now`, `today`, ...: PostgreSQL converts it once, at DDL time.
    PgSpecial,
    /// `CURRENT_TIMESTAMP`, `current_date`, ...: SQL keywords.
    Keyword,
    /// `now()`, `datetime('now')`: a function call written as a string.
    Call,
}

fn temporal_kind(value: &str) -> Option<Temporal> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "now" | "today" | "tomorrow" | "yesterday" => Some(Temporal::PgSpecial),
        "current_timestamp" | "current_date" | "current_time" | "localtimestamp" | "localtime"
        | "sysdate" => Some(Temporal::Keyword),
        _ => {
            let name_end = v
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(v.len());
            let looks_like_call = name_end > 0
                && v.as_bytes()[0].is_ascii_alphabetic()
                && v[name_end..].trim_start().starts_with('(')
                && v.ends_with(')');
            looks_like_call.then_some(Temporal::Call)
        }
    }
}

fn temporal(file: &FileContext<'_>, site: &DefaultSite<'_>, value: &str) -> Option<Diagnostic> {
    let kind = temporal_kind(value)?;
    let unknown_type = site.type_class == TypeClass::Unknown;
    if unknown_type
        && (kind == Temporal::PgSpecial || (kind == Temporal::Call && !is_time_call(value)))
    {
        // on a column of unknown type `'now'`/`'today'` may be a plain value, and
        // `'gen_random_uuid()'` is no date/time claim
        return None;
    }
    let unknown = site.type_class == TypeClass::Unknown;
    let shown = value.trim();
    let pg_type = pg_type(site);
    let mut clauses = Vec::new();
    for d in site.reaching.iter() {
        clauses.push(match (d, kind) {
            (Dialect::Postgresql, Temporal::PgSpecial) => format!(
                "PostgreSQL converts '{shown}' once, when the migration runs, so every row gets \
                 that frozen moment{}",
                if unknown {
                    " (on a date/time column)"
                } else {
                    ""
                }
            ),
            (Dialect::Postgresql, _) => format!(
                "PostgreSQL rejects it{}: invalid input syntax for type {pg_type}: \"{shown}\"",
                if unknown {
                    " on a date/time column"
                } else {
                    ""
                }
            ),
            (Dialect::Sqlite, _) => {
                format!("SQLite stores the text '{shown}' in every row")
            }
            (Dialect::Mysql, _) => format!(
                "MariaDB rejects it{}: (1067, \"Invalid default value for '{}'\")",
                if unknown {
                    " on a date/time column"
                } else {
                    ""
                },
                site.column_name()
            ),
        });
    }
    let message = format!(
        "`server_default={}` is a quoted string, not an expression: {}",
        written(file, site),
        clauses.join("; ")
    );
    let diag = site.label_column(
        META.diag(site.expr().range, message)
            .fails_on(site.reaching),
    );
    let lower = shown.to_ascii_lowercase();
    let keyword = match lower.as_str() {
        "current_date" | "today" => "CURRENT_DATE",
        "current_time" | "localtime" => "CURRENT_TIME",
        _ => "CURRENT_TIMESTAMP",
    };
    let prefix = sqlalchemy_prefix(file, site.expr());
    let suggestion = format!("{}.text(\"{keyword}\")", prefix.as_deref().unwrap_or("sa"));
    let alternative = if keyword == "CURRENT_TIMESTAMP" {
        format!("`{suggestion}` (or `sa.func.now()`)")
    } else {
        format!("`{suggestion}`")
    };
    let sqlite_add = site.kind == SiteKind::AddColumn
        && !site.in_batch
        && site.reaching.contains(Dialect::Sqlite);
    let sqlite_note = if sqlite_add {
        ". On SQLite, `add_column` outside `batch_alter_table` cannot add a column with such \
         a non-constant default to a table that has rows"
    } else {
        ""
    };
    // Only `CURRENT_TIMESTAMP` was measured. MySQL accepts an unparenthesised
    // keyword default only for CURRENT_TIMESTAMP on DATETIME/TIMESTAMP
    // (MySQL documentation), so CURRENT_DATE/CURRENT_TIME are not offered
    // when MySQL is a target.
    let keyword_ok = keyword == "CURRENT_TIMESTAMP" || !site.reaching.contains(Dialect::Mysql);
    let diag = if keyword == "CURRENT_TIMESTAMP" {
        diag.with_help(format!(
            "for a value computed at each insert, use {alternative}: PostgreSQL, SQLite and \
             MariaDB all accept it{sqlite_note}"
        ))
    } else if keyword_ok {
        diag.with_help(format!(
            "for a value computed at each insert, use {alternative} (documented by PostgreSQL, \
             SQLite and MariaDB; measured on them for `CURRENT_TIMESTAMP`){sqlite_note}"
        ))
    } else {
        diag.with_help(format!(
            "for a value computed at each insert, write the default per dialect: MySQL accepts \
             an unparenthesised keyword default only for `CURRENT_TIMESTAMP` on \
             DATETIME/TIMESTAMP columns (MySQL documentation), so `{suggestion}` \
             is not portable to MySQL{sqlite_note}"
        ))
    };
    let fixable = site.type_class == TypeClass::Temporal
        && keyword_ok
        && matches!(
            lower.as_str(),
            "now" | "now()" | "current_timestamp" | "current_date" | "current_time"
        );
    Some(match prefix {
        Some(_) if fixable => diag.with_fix(Fix {
            applicability: Applicability::Unsafe,
            message: format!("replace with `{suggestion}`"),
            edits: vec![Edit {
                range: site.expr().range,
                content: suggestion,
            }],
        }),
        _ => diag,
    })
}

/// `now()`, `datetime('now')`, ...: a call of a date/time function.
fn is_time_call(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let name = v.split('(').next().unwrap_or("").trim();
    matches!(
        name,
        "now"
            | "current_timestamp"
            | "localtimestamp"
            | "datetime"
            | "strftime"
            | "date"
            | "time"
            | "julianday"
            | "unixepoch"
            | "getdate"
            | "getutcdate"
            | "sysdate"
            | "sysdatetime"
            | "utc_timestamp"
            | "curdate"
            | "curtime"
            | "clock_timestamp"
            | "statement_timestamp"
            | "transaction_timestamp"
            | "timezone"
    )
}

/// The PostgreSQL type name of the column for its error message.
fn pg_type(site: &DefaultSite<'_>) -> &'static str {
    let name = site.type_name.as_deref().unwrap_or("").to_ascii_lowercase();
    let with_tz = site
        .type_expr
        .and_then(Expr::as_call)
        .and_then(|c| c.kwarg("timezone"))
        .and_then(|k| k.value.bool_value())
        == Some(true);
    match name.as_str() {
        "date" => "date",
        "time" if with_tz => "time with time zone",
        "time" => "time without time zone",
        _ if with_tz => "timestamp with time zone",
        _ => "timestamp",
    }
}

/// Boolean words PostgreSQL accepts as input, and whether they mean true.
fn boolean_word(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "on" => Some(true),
        "false" | "f" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

fn boolean(file: &FileContext<'_>, site: &DefaultSite<'_>, value: &str) -> Option<Diagnostic> {
    let truth = boolean_word(value)?;
    let shown = value.trim();
    let sqlite = site.reaching.contains(Dialect::Sqlite);
    let mysql = site.reaching.contains(Dialect::Mysql);
    if !sqlite && !mysql {
        // PostgreSQL parses the word as a boolean: fine
        return None;
    }
    let mut clauses = Vec::new();
    if sqlite {
        clauses.push(if truth {
            format!(
                "SQLite stores the text '{shown}' instead of 1 (SQLAlchemy reads it back as True, \
                 but SQL such as `WHERE {} = 1` does not match it)",
                site.column_name()
            )
        } else {
            format!("SQLite stores the text '{shown}', which SQLAlchemy reads back as True")
        });
    }
    if mysql {
        clauses.push(format!(
            "MariaDB rejects it: (1067, \"Invalid default value for '{}'\")",
            site.column_name()
        ));
    }
    if site.reaching.contains(Dialect::Postgresql) {
        clauses.push(String::from("PostgreSQL accepts it"));
    }
    let message = format!(
        "`server_default={}` on a Boolean is a quoted string: {}",
        written(file, site),
        clauses.join("; ")
    );
    let failing = site
        .reaching
        .intersect(DialectSet::single(Dialect::Postgresql).complement());
    let mut diag = site.label_column(META.diag(site.expr().range, message).fails_on(failing));
    if truth && !mysql {
        diag.severity = Severity::Warning;
    }
    let word = if truth { "true" } else { "false" };
    let prefix = sqlalchemy_prefix(file, site.expr());
    let suggestion = format!("{}.{word}()", prefix.as_deref().unwrap_or("sa"));
    let diag = diag.with_help(format!(
        "use `{suggestion}`: SQLAlchemy renders it as `{word}` on PostgreSQL and MySQL/MariaDB \
         and as `{}` on SQLite",
        i32::from(truth)
    ));
    Some(match prefix {
        Some(_) => diag.with_fix(Fix {
            applicability: Applicability::Safe,
            message: format!("replace with `{suggestion}`"),
            edits: vec![Edit {
                range: site.expr().range,
                content: suggestion,
            }],
        }),
        None => diag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_strings() {
        assert_eq!(temporal_kind("now"), Some(Temporal::PgSpecial));
        assert_eq!(temporal_kind("CURRENT_TIMESTAMP"), Some(Temporal::Keyword));
        assert_eq!(temporal_kind("now()"), Some(Temporal::Call));
        assert_eq!(temporal_kind("datetime('now')"), Some(Temporal::Call));
        assert_eq!(temporal_kind("2020-01-01 00:00:00"), None);
        assert_eq!(temporal_kind("epoch"), None);
        assert_eq!(temporal_kind("(x)"), None);
    }

    #[test]
    fn sql_string_literals() {
        assert_eq!(sql_string_literal(" 'now' "), Some("now".into()));
        assert_eq!(sql_string_literal("'it''s'"), Some("it's".into()));
        assert_eq!(sql_string_literal("'a' || 'b'"), None);
        assert_eq!(sql_string_literal("now()"), None);
    }

    #[test]
    fn boolean_words() {
        assert_eq!(boolean_word("False"), Some(false));
        assert_eq!(boolean_word("t"), Some(true));
        assert_eq!(boolean_word("1"), None);
        assert_eq!(boolean_word("0"), None);
    }
}

#[cfg(test)]
mod severity_tests {
    use std::path::Path;

    use miglint_config::{Targets, load_str};

    use crate::prelude::*;
    use crate::{Linter, LinterSettings};

    const SRC: &str = r#"
import sqlalchemy as sa
from alembic import op

def upgrade():
    op.add_column("users", sa.Column("is_active", sa.Boolean(), server_default="t"))
"#;

    fn severities(toml: &str) -> Vec<Severity> {
        let options = load_str(Path::new("lint.toml"), toml).expect("valid config");
        let targets = Targets::declared(
            DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite),
            "test",
        );
        let linter = Linter::new(LinterSettings::from_options(options, targets).expect("valid"));
        let mut parser = miglint_python::PythonParser::new();
        let result = linter.lint_source(&mut parser, Path::new("v.py"), SRC);
        linter
            .finish(vec![result])
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(|d| d.severity))
            .collect()
    }

    #[test]
    fn a_graded_finding_keeps_its_severity_unless_configured() {
        assert_eq!(
            severities("dialects = [\"postgresql\", \"sqlite\"]\nselect = [\"ML103\"]\n"),
            vec![Severity::Warning]
        );
        assert_eq!(
            severities(
                "dialects = [\"postgresql\", \"sqlite\"]\nselect = [\"ML103\"]\n[severity]\nML103 = \"error\"\n"
            ),
            vec![Severity::Error]
        );
        assert_eq!(
            severities(
                "dialects = [\"postgresql\", \"sqlite\"]\nselect = [\"ML103\"]\n[severity]\nML1 = \"info\"\n"
            ),
            vec![Severity::Info]
        );
    }
}
