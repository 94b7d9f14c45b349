use miglint_diagnostics::{Applicability, Edit, Fix};

use crate::prelude::*;
use crate::rules::ml1xx_defaults::{
    DefaultSite, TypeClass, default_sites, sqlalchemy_prefix, strip_parens,
};

pub struct BooleanIntegerDefault;

static META: RuleMeta = RuleMeta {
    code: "ML101",
    name: "boolean-integer-default",
    summary: "Boolean column with `server_default=sa.text('1')`/`sa.text('0')`: PostgreSQL rejects an integer default on a boolean",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

impl Rule for BooleanIntegerDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for site in default_sites(file) {
            if site.type_class != TypeClass::Boolean || !site.reaching.contains(Dialect::Postgresql)
            {
                continue;
            }
            let DefaultValue::Text(lit) = site.value else {
                continue;
            };
            let Some(n) = integer(&lit.value) else {
                continue;
            };
            out.push(diagnostic(file, site, n));
        }
    }
}

/// The integer a default's SQL text consists of (`1`, ` 0 `, `(1)`, `-1`).
fn integer(text: &str) -> Option<i64> {
    let t = strip_parens(text);
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn diagnostic(file: &FileContext<'_>, site: &DefaultSite<'_>, n: i64) -> Diagnostic {
    let expr = site.expr();
    let message = format!(
        "PostgreSQL rejects this default: {} is of type boolean but default expression is of type integer",
        match &site.column {
            Some(c) => format!("column \"{}\"", c.value),
            None => String::from("the column"),
        }
    );
    let diag = META.diag(expr.range, message);
    let diag = site.label_column(diag);
    let word = if n == 0 { "false" } else { "true" };
    let prefix = sqlalchemy_prefix(file, expr);
    let suggestion = format!("{}.{word}()", prefix.as_deref().unwrap_or("sa"));
    let diag = diag.with_help(format!(
        "use `{suggestion}`: SQLAlchemy renders it as `{word}` on PostgreSQL and MySQL/MariaDB and as `{}` on SQLite, and all three accept it (the plain string `\"{}\"` works too)",
        i32::from(n != 0),
        i32::from(n != 0),
    ));
    match prefix {
        Some(_) if n == 0 || n == 1 => diag.with_fix(Fix {
            applicability: Applicability::Safe,
            message: format!("replace with `{suggestion}`"),
            edits: vec![Edit {
                range: expr.range,
                content: suggestion,
            }],
        }),
        _ => diag,
    }
}

#[cfg(test)]
mod tests {
    use super::integer;

    #[test]
    fn integer_texts() {
        assert_eq!(integer("1"), Some(1));
        assert_eq!(integer(" 0 "), Some(0));
        assert_eq!(integer("(1)"), Some(1));
        assert_eq!(integer("-1"), Some(-1));
        assert_eq!(integer("'1'"), None);
        assert_eq!(integer("true"), None);
        assert_eq!(integer(""), None);
        assert_eq!(integer("-"), None);
    }
}
