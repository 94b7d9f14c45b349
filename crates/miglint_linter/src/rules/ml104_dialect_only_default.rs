//! A `server_default` whose SQL calls a function (or uses a `::` cast) that
//! a reaching target does not have. Measured in TRUTH §1-2 and §13:
//! `datetime('now')` fails on PostgreSQL and MariaDB at migration time;
//! `now()` / `gen_random_uuid()` pass the migration on SQLite and break
//! every later INSERT; `'{}'::jsonb` fails on SQLite and MariaDB;
//! `gen_random_uuid()` fails on MariaDB (1901).

use crate::prelude::*;
use crate::rules::ml1xx_defaults::{
    DefaultSite, SiteKind, SqlToken, default_sites, function_support, scan_sql,
};

pub struct DialectOnlyDefault;

static META: RuleMeta = RuleMeta {
    code: "ML104",
    name: "dialect-only-default",
    summary: "`server_default` calls a function a target lacks (`datetime('now')` on PostgreSQL, `now()` on SQLite, `::jsonb` casts on SQLite/MySQL)",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for DialectOnlyDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for site in default_sites(file) {
            match site.value {
                DefaultValue::Text(lit) => out.extend(check_text(site, lit)),
                DefaultValue::Func(name) => out.extend(check_func(site, name)),
                _ => {}
            }
        }
    }
}

/// One problem of one default on the targets that lack what it uses.
struct Problem {
    /// `datetime()` or `:: cast`.
    what: String,
    range: TextRange,
    /// The reaching targets that fail.
    failing: DialectSet,
    /// The targets that have what it uses.
    has: DialectSet,
    /// What happens on each of them.
    failures: Vec<String>,
}

fn check_text(site: &DefaultSite<'_>, lit: &StrLit) -> Option<Diagnostic> {
    let mut problems = Vec::new();
    for tok in scan_sql(&lit.value) {
        match tok {
            SqlToken::Cast(r) => {
                let failing = site
                    .reaching
                    .intersect(DialectSet::single(Dialect::Postgresql).complement());
                if failing.is_empty() {
                    continue;
                }
                let cast = lit.value[r.clone()].trim().to_string();
                let failures = failing
                    .iter()
                    .map(|d| match d {
                        Dialect::Sqlite => String::from(
                            "SQLite rejects it when the migration runs: `unrecognized token: \":\"`",
                        ),
                        _ => String::from(
                            "MySQL/MariaDB rejects it when the migration runs: (1064, \"You have an error in your SQL syntax ...\")",
                        ),
                    })
                    .collect();
                problems.push(Problem {
                    what: format!("the PostgreSQL-only cast `{cast}`"),
                    range: lit.source_range(r),
                    failing,
                    has: DialectSet::single(Dialect::Postgresql),
                    failures,
                });
            }
            SqlToken::Call(name, r) => {
                if let Some(p) = function_problem(site, &name, lit.source_range(r)) {
                    problems.push(p);
                }
            }
        }
    }
    // a cast fails when the migration runs, before any function is called
    problems.sort_by_key(|p| !p.what.contains("cast"));
    diagnostic(site, problems)
}

fn check_func(site: &DefaultSite<'_>, name: &str) -> Option<Diagnostic> {
    let name = name.to_ascii_lowercase();
    if name == "now" {
        // SQLAlchemy compiles `func.now()` per dialect (CURRENT_TIMESTAMP on SQLite)
        return None;
    }
    let p = function_problem(site, &name, site.expr().range)?;
    diagnostic(site, vec![p])
}

fn function_problem(site: &DefaultSite<'_>, name: &str, range: TextRange) -> Option<Problem> {
    let has = function_support(name)?;
    let failing = site.reaching.intersect(has.complement());
    if failing.is_empty() {
        return None;
    }
    let sqlite_add = site.kind == SiteKind::AddColumn && !site.in_batch;
    let failures = failing
        .iter()
        .map(|d| match (d, name) {
            (Dialect::Sqlite, _) if sqlite_add => format!(
                "on SQLite, on a table with rows the migration itself fails (ML107); otherwise \
                 every INSERT that relies on the default fails: `unknown function: {name}()`"
            ),
            (Dialect::Sqlite, _) => format!(
                "SQLite accepts the migration, but every INSERT that relies on the default then \
                 fails: `unknown function: {name}()`"
            ),
            (Dialect::Postgresql, _) => format!(
                "PostgreSQL rejects it when the migration runs: `function {name}(...) does not exist`"
            ),
            (Dialect::Mysql, "gen_random_uuid") => format!(
                "MariaDB rejects it when the migration runs: (1901, \"Function or expression \
                 '`gen_random_uuid`()' cannot be used in the DEFAULT clause of `{}`\")",
                site.column_name()
            ),
            (Dialect::Mysql, "datetime") => String::from(
                "MariaDB rejects it when the migration runs: (1064, \"You have an error in your SQL syntax ...\")",
            ),
            (Dialect::Mysql, "to_char") => String::from(
                "MySQL has no `to_char()` function, so the migration fails there (MariaDB has it \
                 from 10.6; MySQL and MariaDB documentation)",
            ),
            (Dialect::Mysql, _) => format!(
                "MySQL/MariaDB has no `{name}()` function, so the migration fails there"
            ),
        })
        .collect();
    Some(Problem {
        what: format!("`{name}()`"),
        range,
        failing,
        has,
        failures,
    })
}

fn diagnostic(site: &DefaultSite<'_>, problems: Vec<Problem>) -> Option<Diagnostic> {
    let first = problems.first()?;
    let message = format!(
        "this server default uses {}: {}",
        first.what,
        first.failures.join("; ")
    );
    let failing = problems
        .iter()
        .fold(DialectSet::EMPTY, |s, p| s.union(p.failing));
    let mut diag = site.label_column(META.diag(first.range, message).fails_on(failing));
    for p in &problems[1..] {
        diag = diag.with_label(
            p.range,
            format!("{} fails too on {}", p.what, p.failing.display_list()),
        );
    }
    Some(diag.with_help(help(&first.what, first.has)))
}

fn help(what: &str, has: DialectSet) -> String {
    let lacking = has.complement();
    let has_list: Vec<Dialect> = has.iter().collect();
    let lacking_list: Vec<Dialect> = lacking.iter().collect();
    // the MySQL dialect covers MariaDB too, whose dialect name is "mariadb"
    let test = match (has_list.as_slice(), lacking_list.as_slice()) {
        ([Dialect::Mysql], _) => String::from("in (\"mysql\", \"mariadb\")"),
        ([one], _) => format!("== \"{}\"", one.as_str()),
        (_, [Dialect::Mysql]) => String::from("not in (\"mysql\", \"mariadb\")"),
        (_, [one]) => format!("!= \"{}\"", one.as_str()),
        _ => String::new(),
    };
    let guard = if what.eq_ignore_ascii_case("`uuid_to_bin()`") {
        // MySQL-only: MariaDB has no UUID_TO_BIN (documentation, not measured)
        String::from(
            "or set this default only on MySQL behind a dialect guard \
             (`if op.get_bind().dialect.name == \"mysql\":`); MariaDB has no `uuid_to_bin()` \
             (MariaDB documentation)",
        )
    } else if test.is_empty() {
        String::from("otherwise drop it: PostgreSQL, SQLite and MySQL/MariaDB all lack it")
    } else {
        format!(
            "or set this default only on {} behind a dialect guard (`if op.get_bind().dialect.name {test}:`)",
            has.display_list(),
        )
    };
    let lower = what.to_ascii_lowercase();
    if lower.contains("uuid") {
        format!("generate the value in Python instead (`default=uuid.uuid4` on the model), {guard}")
    } else if lower.contains("cast") {
        format!(
            "write the default without the cast (for `'{{}}'::jsonb`, the plain string \
             `server_default=\"{{}}\"` works on PostgreSQL, SQLite and MariaDB), {guard}"
        )
    } else {
        format!(
            "for the current time use `sa.func.now()` or `sa.text(\"CURRENT_TIMESTAMP\")`, which \
             PostgreSQL, SQLite and MariaDB all accept; {guard}"
        )
    }
}
