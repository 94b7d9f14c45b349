//! Literal SQL in `op.execute(...)` / `conn.execute(...)` that uses syntax
//! only some databases accept ([`Feature::accepted_by`]), run on a target
//! that rejects it. Works from the tokens, so SQL that sqlparser cannot
//! parse is checked too. Dynamic SQL is never reported; guarded SQL only for
//! the targets its guard lets through. Measured in TRUTH §9.

use miglint_diagnostics::Label;
use miglint_sql::Feature;

use crate::prelude::*;

pub struct DialectSpecificSql;

static META: RuleMeta = RuleMeta {
    code: "ML105",
    name: "dialect-specific-sql",
    summary: "`op.execute` SQL that only some databases accept (`INSERT OR REPLACE`, `PRAGMA`, `::` casts, backticks, `INSERT IGNORE`, ...) runs on a target that rejects it",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for DialectSpecificSql {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for exec in file.sql {
            let reaching = file.reaching(&file.module.ops[exec.op]);
            // one finding per call and kind of feature: a second statement
            // of the same `op.execute` with the same problem (two `$$`
            // bodies) is a label on the first finding
            let mut findings: Vec<(&Feature, DialectSet, Diagnostic)> = Vec::new();
            for stmt in &exec.statements {
                let has_do = stmt.has_feature(&Feature::DoBlock);
                let mut found: Vec<(&Feature, DialectSet, TextRange)> = Vec::new();
                for (feature, range) in &stmt.features {
                    if !checked(feature) || (has_do && *feature == Feature::DollarQuoted) {
                        continue;
                    }
                    let rejecting = reaching.intersect(feature.accepted_by().complement());
                    if rejecting.is_empty() {
                        continue;
                    }
                    // one finding per statement; each kind of feature once
                    if found.iter().any(|(f, _, _)| {
                        std::mem::discriminant(*f) == std::mem::discriminant(feature)
                    }) {
                        continue;
                    }
                    found.push((feature, rejecting, exec.file_range(range.clone())));
                }
                let Some(&(feature, rejecting, range)) = found.first() else {
                    continue;
                };
                if let Some((_, _, diag)) = findings.iter_mut().find(|(f, r, _)| {
                    std::mem::discriminant(*f) == std::mem::discriminant(feature) && *r == rejecting
                }) {
                    diag.labels.push(Label {
                        range,
                        message: format!("`{}` here too", feature.name()),
                        file: None,
                    });
                    continue;
                }
                let accepted = feature.accepted_by();
                let runs = if accepted.intersect(reaching).is_empty() {
                    "runs on"
                } else {
                    "also runs on"
                };
                let details: Vec<String> = rejecting
                    .iter()
                    .map(|d| format!("{} fails with {}", d.display_name(), failure(feature, d)))
                    .collect();
                let message = format!(
                    "`{}` works only on {}, but this statement {runs} {}: {}",
                    feature.name(),
                    accepted.display_list(),
                    rejecting.display_list(),
                    details.join("; ")
                );
                let mut diag = META.diag(range, message).fails_on(rejecting);
                for (f, rej, r) in &found[1..] {
                    diag = diag.with_label(
                        *r,
                        format!("`{}` fails on {} too", f.name(), rej.display_list()),
                    );
                }
                findings.push((feature, rejecting, diag.with_help(help(feature, accepted))));
            }
            out.extend(findings.into_iter().map(|(_, _, d)| d));
        }
    }
}

/// The features this rule reports. `RETURNING` depends on versions
/// (SQLite ≥ 3.35, MariaDB ≥ 10.5, never MySQL) and bind parameters are
/// not dialect syntax.
fn checked(f: &Feature) -> bool {
    !matches!(f, Feature::Placeholder | Feature::Returning)
}

/// What the database says, as measured (TRUTH §9) where it was measured.
fn failure(f: &Feature, d: Dialect) -> String {
    let measured = match (f, d) {
        (Feature::InsertOrReplace | Feature::InsertOrIgnore, Dialect::Postgresql) => {
            Some("`syntax error at or near \"OR\"`")
        }
        (Feature::Pragma, Dialect::Postgresql) => Some("`syntax error at or near \"PRAGMA\"`"),
        (Feature::Autoincrement, Dialect::Postgresql) => {
            Some("`syntax error at or near \"AUTOINCREMENT\"`")
        }
        (Feature::Backtick, Dialect::Postgresql) => Some("`syntax error at or near \"`\"`"),
        (Feature::InsertIgnore, Dialect::Postgresql) => {
            Some("`syntax error at or near \"IGNORE\"`")
        }
        (Feature::InsertIgnore, Dialect::Sqlite) => Some("`near \"IGNORE\": syntax error`"),
        (Feature::DoubleColonCast, Dialect::Sqlite) => Some("`unrecognized token: \":\"`"),
        (Feature::AlterTypeAddValue { .. }, Dialect::Sqlite) => {
            Some("`near \"TYPE\": syntax error`")
        }
        _ => None,
    };
    match (measured, d) {
        (Some(m), _) => m.to_string(),
        (None, Dialect::Mysql) => String::from("a syntax error (1064)"),
        (None, _) => String::from("a syntax error"),
    }
}

fn help(f: &Feature, accepted: DialectSet) -> String {
    let names: Vec<&str> = accepted
        .iter()
        .flat_map(|d| match d {
            Dialect::Mysql => vec!["\"mysql\"", "\"mariadb\""],
            Dialect::Postgresql => vec!["\"postgresql\""],
            Dialect::Sqlite => vec!["\"sqlite\""],
        })
        .collect();
    let guard = match names.as_slice() {
        [one] => format!(
            "run it only on {}: `if op.get_bind().dialect.name == {one}:`",
            accepted.display_list()
        ),
        _ => format!(
            "run it only on {}: `if op.get_bind().dialect.name in ({}):`",
            accepted.display_list(),
            names.join(", ")
        ),
    };
    let portable = match f {
        Feature::DoubleColonCast => {
            Some("`CAST(expr AS type)` is standard SQL; type names differ (MySQL uses SIGNED/CHAR)")
        }
        Feature::Ilike => Some("`lower(col) LIKE lower(pattern)` works on every database"),
        Feature::Backtick => Some("leave the identifier unquoted"),
        Feature::Autoincrement | Feature::AutoIncrement => Some(
            "create the table with `op.create_table(...)` and `sa.Column(..., primary_key=True)`, \
             which SQLAlchemy renders for each database",
        ),
        Feature::InsertOrReplace
        | Feature::InsertOrIgnore
        | Feature::InsertIgnore
        | Feature::ReplaceInto
        | Feature::OnDuplicateKeyUpdate => Some(
            "`INSERT ... ON CONFLICT DO NOTHING` / `DO UPDATE` works on PostgreSQL and SQLite \
             (not on MySQL/MariaDB)",
        ),
        _ => None,
    };
    match portable {
        Some(p) => format!("{p}; or {guard}"),
        None => guard,
    }
}
