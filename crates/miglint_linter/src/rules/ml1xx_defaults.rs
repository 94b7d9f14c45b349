//! Shared by the `server_default` portability rules (ML101-ML104, ML109):
//! every place where a migration gives a column a server default, with the
//! column's type (as far as it is written down) and the targets reaching it.

use crate::prelude::*;

#[cfg(test)]
use crate::defaults::classify_type;
pub(crate) use crate::defaults::{DefaultSite, SiteKind, TypeClass};

/// Every server default of the file that some target reaches, in source
/// order (found once per file, see [`FileContext::default_sites`]).
pub(crate) fn default_sites<'f, 'a>(file: &'f FileContext<'a>) -> &'f [DefaultSite<'a>] {
    file.default_sites()
}

/// How to spell `sqlalchemy.<name>` in this file: the prefix of the call
/// being replaced (`sa.text` → `sa`), else the module alias of
/// `import sqlalchemy as sa` / `import sqlalchemy`. `None` when the file
/// only imports names from sqlalchemy (no fix then: it would need an import).
pub(crate) fn sqlalchemy_prefix(file: &FileContext<'_>, replaced: &Expr) -> Option<String> {
    if let Some(name) = replaced.call_name()
        && let Some((prefix, _)) = name.rsplit_once('.')
    {
        let root = prefix.split('.').next().unwrap_or(prefix);
        if module_alias(file.source).is_some_and(|a| a == root) || root == "sqlalchemy" {
            return Some(prefix.to_string());
        }
    }
    module_alias(file.source).map(str::to_string)
}

/// `X` of `import sqlalchemy as X` (or `sqlalchemy` for `import sqlalchemy`).
fn module_alias(source: &str) -> Option<&str> {
    source.lines().find_map(|line| {
        let rest = line.trim_end().strip_prefix("import sqlalchemy")?;
        if rest.is_empty() {
            return Some("sqlalchemy");
        }
        let alias = rest.strip_prefix(" as ")?.trim();
        (!alias.is_empty()
            && alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(alias)
    })
}

/// The targets that have a function usable in a column default, for the
/// functions whose availability differs between targets (lowercase names).
/// `None` for functions miglint does not track.
pub(crate) fn function_support(name: &str) -> Option<DialectSet> {
    use Dialect::{Mysql, Postgresql, Sqlite};
    let set = |ds: &[Dialect]| DialectSet::from_iter_dialects(ds.iter().copied());
    Some(match name {
        // `Mysql` stands for MySQL and MariaDB, so a function either of
        // them has counts as present (documentation-based, not measured):
        // NEXTVAL(seq) is MariaDB-only (MySQL has no sequences), so MySQL
        // targets are not reported for it
        "now" | "nextval" => set(&[Postgresql, Mysql]),
        "gen_random_uuid"
        | "uuid_generate_v1"
        | "uuid_generate_v1mc"
        | "uuid_generate_v4"
        | "clock_timestamp"
        | "statement_timestamp"
        | "transaction_timestamp"
        | "timeofday"
        | "timezone"
        // MariaDB has TO_CHAR from 10.6 (documentation), MySQL has none:
        // ML104 names MySQL alone when reporting it
        | "to_char"
        | "date_trunc"
        | "current_setting"
        | "json_build_object"
        | "jsonb_build_object"
        | "json_build_array"
        | "jsonb_build_array" => set(&[Postgresql]),
        "datetime" | "strftime" | "julianday" | "unixepoch" | "randomblob" => set(&[Sqlite]),
        // UUID_TO_BIN is MySQL-only (MariaDB lacks it; documentation)
        "uuid" | "uuid_to_bin" | "utc_timestamp" | "curdate" | "curtime" | "unix_timestamp" => {
            set(&[Mysql])
        }
        // SQL Server
        "getdate" | "getutcdate" | "sysdatetime" | "newid" | "newsequentialid" => DialectSet::EMPTY,
        _ => return None,
    })
}

/// A function called in SQL text, or a `::` cast, found outside string
/// literals and quoted identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SqlToken {
    /// A name followed by `(`: the lowercased name and its byte range.
    Call(String, std::ops::Range<usize>),
    /// `::` and the type word after it.
    Cast(std::ops::Range<usize>),
}

/// Scans a default's SQL text for function calls and `::` casts. Strings
/// (`'...'` with `''` escapes) and quoted identifiers (`"..."`, `` `...` ``)
/// are skipped.
pub(crate) fn scan_sql(text: &str) -> Vec<SqlToken> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b {
                        if bytes.get(i + 1) == Some(&b) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b':' if bytes.get(i + 1) == Some(&b':') => {
                let start = i;
                i += 2;
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(SqlToken::Cast(start..i));
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                let after_dot = start > 0 && bytes[start - 1] == b'.';
                if bytes.get(j) == Some(&b'(') && !after_dot {
                    out.push(SqlToken::Call(
                        text[start..i].to_ascii_lowercase(),
                        start..i,
                    ));
                }
            }
            _ if b.is_ascii_digit() => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The text with whitespace and any number of enclosing parentheses
/// removed (`" (0) "` → `0`), as long as the parentheses enclose it all.
pub(crate) fn strip_parens(text: &str) -> &str {
    let mut t = text.trim();
    while t.starts_with('(') && t.ends_with(')') && encloses(t) {
        t = t[1..t.len() - 1].trim();
    }
    t
}

/// Whether the `(` at the start of `t` closes at its very end.
pub(crate) fn encloses(t: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let last = t.len() - 1;
    for (i, c) in t.char_indices() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != last {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_calls_and_casts_outside_strings() {
        let toks = scan_sql("(strftime('%Y-%m-%d now()', 'now')) || x::text");
        assert_eq!(
            toks,
            vec![
                SqlToken::Call("strftime".into(), 1..9),
                SqlToken::Cast(40..46)
            ]
        );
        assert!(scan_sql("'now()'").is_empty());
        assert_eq!(scan_sql("NOW ()"), vec![SqlToken::Call("now".into(), 0..3)]);
        assert!(scan_sql("\"gen_random_uuid\"").is_empty());
    }

    #[test]
    fn strips_enclosing_parentheses_only() {
        assert_eq!(strip_parens(" ((1)) "), "1");
        assert_eq!(strip_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_parens("('(')"), "'('");
        assert_eq!(strip_parens("(CURRENT_TIMESTAMP)"), "CURRENT_TIMESTAMP");
    }

    #[test]
    fn classifies_types() {
        assert_eq!(classify_type(Some("BOOLEAN")), TypeClass::Boolean);
        assert_eq!(classify_type(Some("UTCDateTime")), TypeClass::Temporal);
        assert_eq!(classify_type(Some("String")), TypeClass::Textual);
        assert_eq!(classify_type(Some("my_type")), TypeClass::Unknown);
        assert_eq!(classify_type(None), TypeClass::Unknown);
    }

    #[test]
    fn finds_the_module_alias() {
        assert_eq!(
            module_alias("from alembic import op\nimport sqlalchemy as sa\n"),
            Some("sa")
        );
        assert_eq!(module_alias("import sqlalchemy\n"), Some("sqlalchemy"));
        assert_eq!(module_alias("from sqlalchemy import text\n"), None);
    }
}
