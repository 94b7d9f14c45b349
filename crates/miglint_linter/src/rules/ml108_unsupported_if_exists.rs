use miglint_config::AlembicVersion;
use miglint_python::Keyword;

use crate::prelude::*;
use crate::rules::ml1xx_if_flags::{flag_of, flag_works_on};

pub struct UnsupportedIfExists;

static META: RuleMeta = RuleMeta {
    code: "ML108",
    name: "unsupported-if-exists",
    summary: "`if_exists`/`if_not_exists` where it fails or is ignored: SQLite `drop_column`/`add_column`, MySQL `drop_constraint`, `create_foreign_key`, or an alembic older than the flag",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for UnsupportedIfExists {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for op in &file.module.ops {
            let reaching = file.reaching(op);
            if reaching.is_empty() || op.in_try {
                continue;
            }
            if op.name == "create_foreign_key" {
                if let Some(k) = op
                    .kwarg("if_not_exists")
                    .filter(|k| k.value.bool_value() != Some(false) && !k.value.is_none())
                {
                    out.push(foreign_key(op, k));
                }
                continue;
            }
            let Some((flag, since)) = flag_of(op) else {
                continue;
            };
            let Some(k) = op.kwarg(flag) else {
                continue;
            };
            let on = k.value.bool_value() == Some(true);
            let ignored_on = |d: Dialect| on && reaching.contains(d) && !flag_works_on(&op.name, d);
            let dialect = match op.name.as_str() {
                "drop_column" if ignored_on(Dialect::Sqlite) => Some(format!(
                    "SQLite has no `DROP COLUMN IF EXISTS`: alembic emits it for `{flag}=True` and SQLite fails with `near \"EXISTS\": syntax error`"
                )),
                "add_column" if ignored_on(Dialect::Sqlite) => Some(format!(
                    "SQLite has no `ADD COLUMN IF NOT EXISTS`: alembic emits it for `{flag}=True` and SQLite fails with `near \"EXISTS\": syntax error`"
                )),
                "drop_constraint" if ignored_on(Dialect::Mysql) => Some(String::from(
                    "alembic ignores `if_exists` on MySQL/MariaDB: it emits the DROP without IF EXISTS, so a missing constraint still fails with `(1091, \"Can't DROP ...; check that it exists\")`",
                )),
                _ => None,
            };
            let old = file.alembic_version.filter(|v| *v < since);
            // a too-old alembic fails on every database
            let fails_on = match (&dialect, old, op.name.as_str()) {
                (Some(_), None, "drop_constraint") => DialectSet::single(Dialect::Mysql),
                (Some(_), None, _) => DialectSet::single(Dialect::Sqlite),
                _ => DialectSet::EMPTY,
            };
            // raising the pinned alembic only helps when no target rejects the flag
            let upgrade_helps = dialect.is_none();
            let message = match (dialect, old) {
                (None, None) => continue,
                (Some(d), None) => d,
                (None, Some(v)) => format!(
                    "`{flag}` on `{}` needs alembic ≥ {since}, but alembic-version is {v}",
                    op.name
                ),
                (Some(d), Some(v)) => {
                    format!("{d}; the flag also needs alembic ≥ {since} (alembic-version is {v})")
                }
            };
            out.push(
                META.diag(k.range(), message)
                    .fails_on(fails_on)
                    .with_help(guard_help(file, op, since, upgrade_helps)),
            );
        }
    }
}

fn foreign_key(op: &Op, k: &Keyword) -> Diagnostic {
    let table = op
        .table()
        .map_or_else(|| String::from("<table>"), |t| t.value);
    let mut diag = META
        .diag(
            k.range(),
            "`create_foreign_key` has no `if_not_exists`: SQLAlchemy drops the argument with only a warning (`Can't validate argument 'if_not_exists'`) and the foreign key is created unconditionally",
        )
        .with_help(format!(
            "remove `if_not_exists=`; if the key may already exist, look for it first with `sa.inspect(op.get_bind()).get_foreign_keys(\"{table}\")`"
        ));
    diag.severity = Severity::Warning;
    diag
}

/// The portable alternative: an inspector check, which works on every
/// database and every alembic version.
fn guard_help(
    file: &FileContext<'_>,
    op: &Op,
    since: AlembicVersion,
    upgrade_helps: bool,
) -> String {
    let table = op
        .table()
        .map_or_else(|| String::from("<table>"), |t| t.value);
    let arg = |i: usize, kw: &str| {
        op.arg_or_kw(i, kw)
            .and_then(Expr::str_value)
            .unwrap_or("<name>")
            .to_string()
    };
    let insp = "sa.inspect(op.get_bind())";
    let check = match op.name.as_str() {
        "drop_column" => format!(
            "`if \"{}\" in [c[\"name\"] for c in {insp}.get_columns(\"{table}\")]:`",
            arg(1, "column_name")
        ),
        "add_column" => {
            let column = op
                .columns()
                .next()
                .and_then(|c| c.name())
                .map_or_else(|| String::from("<column>"), |n| n.value);
            format!(
                "`if \"{column}\" not in [c[\"name\"] for c in {insp}.get_columns(\"{table}\")]:`"
            )
        }
        "drop_constraint" => {
            let getter = match op.kwarg("type_").and_then(|k| k.value.str_value()) {
                Some("foreignkey") => "get_foreign_keys",
                Some("unique") => "get_unique_constraints",
                Some("check") => "get_check_constraints",
                _ => "get_foreign_keys",
            };
            format!(
                "`if \"{}\" in [c[\"name\"] for c in {insp}.{getter}(\"{table}\")]:`",
                arg(0, "constraint_name")
            )
        }
        "create_index" | "drop_index" => {
            let not = if op.name == "create_index" {
                "not "
            } else {
                ""
            };
            format!(
                "`if \"{}\" {not}in [i[\"name\"] for i in {insp}.get_indexes(\"{table}\")]:`",
                arg(0, "index_name")
            )
        }
        _ => {
            let not = if op.name == "create_table" {
                "not "
            } else {
                ""
            };
            format!("`if {not}{insp}.has_table(\"{table}\"):`")
        }
    };
    let flag = flag_of(op).map_or("if_exists", |(flag, _)| flag);
    let version = match file.alembic_version {
        Some(v) if v < since && upgrade_helps => {
            format!("; or raise the pinned alembic to ≥ {since}, where the flag exists")
        }
        _ => String::new(),
    };
    format!(
        "remove `{flag}=` and guard the call with {check} instead: that works on every database and alembic version{version}"
    )
}
