//! Re-running a half-applied upgrade: SQLite and MySQL/MariaDB keep the DDL
//! that ran before a failure while `alembic_version` stays at the old
//! revision (TRUTH "How the three databases run a migration"), so the next
//! `alembic upgrade` runs the revision again from the top and stops at the
//! first drop of something that is already gone.
//!
//! PostgreSQL runs the whole `upgrade` in one transaction and rolls a
//! failure back completely, so there a drop only needs a guard when an
//! `autocommit_block()` in the same function commits it (TRUTH §10).
//!
//! Not reported: drops of a table (or of a column, index or constraint of a
//! table) that the same function created earlier. On a re-run the create
//! comes first: either it fails ("already exists", which a drop guard
//! cannot prevent) or the object did not survive, and then the drop works.

use miglint_config::AlembicVersion;
use miglint_sql::StmtKind;

use crate::prelude::*;
use std::collections::HashSet;

use miglint_schema::names::{existence_guarded, literal_name};
use miglint_schema::{OpFacts, Origin, SchemaModel};

pub struct DropWithoutIfExists;

static META: RuleMeta = RuleMeta {
    code: "ML301",
    name: "drop-without-if-exists",
    summary: "a drop in `upgrade()` without `if_exists` fails when the upgrade is re-run after a half-applied failure",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

const V1_12: AlembicVersion = AlembicVersion::new(1, 12, 0);
const V1_13_3: AlembicVersion = AlembicVersion::new(1, 13, 3);
const V1_16: AlembicVersion = AlembicVersion::new(1, 16, 0);

impl Rule for DropWithoutIfExists {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    /// A project rule: the semantic model says whether the dropped table
    /// (or its column) came into being earlier in the same function
    /// (created, or renamed to this name as in SQLite's `RENAME TO x__old`
    /// rebuild sequence).
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let model = project.schema();
        for fi in 0..project.files.len() {
            let file = project.file_context(fi);
            let mut found = Vec::new();
            check_file(&file, model, fi, &mut found);
            out.extend(found.into_iter().map(|d| (fi, d)));
        }
    }
}

/// Whether the model says the op's table came into being earlier in the
/// op's function, for every dialect of `hazard` it was replayed for.
fn created_here(
    model: &SchemaModel,
    fi: usize,
    i: usize,
    func: usize,
    hazard: DialectSet,
    pick: impl Fn(&OpFacts) -> Option<Origin>,
) -> bool {
    let mut any = false;
    for (_, f) in model.facts_for(fi, i, hazard) {
        if !pick(f).is_some_and(|o| o.in_function(fi, func)) {
            return false;
        }
        any = true;
    }
    any
}

fn check_file(file: &FileContext<'_>, model: &SchemaModel, fi: usize, out: &mut Vec<Diagnostic>) {
    let mut last_autocommit = vec![None; file.module.functions.len()];
    for (i, op) in file.module.ops.iter().enumerate() {
        if op.in_autocommit {
            last_autocommit[op.func] = Some(i);
        }
    }
    // what each function created so far: (kind, table, name), lowercased
    let mut created: HashSet<(usize, DropKind, String, String)> = HashSet::new();
    for (i, op) in file.module.ops.iter().enumerate() {
        if file.module.func_kind(op) != FuncKind::Upgrade {
            continue;
        }
        // the lowercased table name keys columns only (built on demand:
        // most ops are neither a column's creation nor its drop)
        let table_key = || {
            op.table()
                .map(|t| t.value.to_ascii_lowercase())
                .unwrap_or_default()
        };
        let create = match op.name.as_str() {
            "add_column" => op
                .columns()
                .next()
                .and_then(|c| c.name())
                .map(|n| (DropKind::Column, n.value)),
            "create_index" => op
                .arg_or_kw(0, "index_name")
                .and_then(literal_name)
                .map(|n| (DropKind::Index, n.to_string())),
            n if n.starts_with("create_") && n != "create_table" => op
                .arg_or_kw(0, "constraint_name")
                .and_then(literal_name)
                .map(|n| (DropKind::Constraint, n.to_string())),
            _ => None,
        };
        if let Some((kind, name)) = create {
            let t = if kind == DropKind::Column {
                table_key()
            } else {
                String::new()
            };
            created.insert((op.func, kind, t, name.to_ascii_lowercase()));
        }
        let hazard = hazard_dialects(file, &last_autocommit, i, op);
        if hazard.is_empty() {
            continue;
        }
        // the source walk of `existence_guarded` runs only for real candidates
        let guarded = || existence_guarded(file.source, &file.module.functions[op.func], op);
        if op.name == "execute" || op.name == "exec_driver_sql" {
            let mut found = Vec::new();
            raw_drops(file, model, fi, i, hazard, &mut found);
            if !found.is_empty() && !guarded() {
                out.extend(found);
            }
            continue;
        }
        let Some(kind) = DropKind::of(&op.name) else {
            continue;
        };
        if op
            .kwarg("if_exists")
            .is_some_and(|k| k.value.bool_value() != Some(false))
        {
            continue;
        }
        // A name computed at run time usually comes from the database
        // (a loop over reflected indexes): it exists by construction.
        let name_index = match (kind, op.in_batch()) {
            (DropKind::Column, false) => 1,
            _ => 0,
        };
        let Some(name) = op
            .arg_or_kw(name_index, name_kw(kind))
            .and_then(literal_name)
        else {
            continue;
        };
        let table = op.table();
        if table.is_some()
            && created_here(model, fi, i, op.func, hazard, |f| {
                f.table.as_ref().and_then(|t| t.named)
            })
        {
            continue;
        }
        let t = if kind == DropKind::Column {
            table_key()
        } else {
            String::new()
        };
        if created.contains(&(op.func, kind, t, name.to_ascii_lowercase())) || guarded() {
            continue;
        }
        out.push(op_diagnostic(
            file,
            op,
            kind,
            table.map(|t| t.value),
            hazard,
        ));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DropKind {
    Table,
    Index,
    Column,
    Constraint,
}

impl DropKind {
    fn of(name: &str) -> Option<Self> {
        Some(match name {
            "drop_table" => DropKind::Table,
            "drop_index" => DropKind::Index,
            "drop_column" => DropKind::Column,
            "drop_constraint" => DropKind::Constraint,
            _ => return None,
        })
    }

    /// The alembic version that added `if_exists=` to the (non-batch) op.
    fn flag_since(self) -> AlembicVersion {
        match self {
            DropKind::Index => V1_12,
            DropKind::Table => V1_13_3,
            DropKind::Column | DropKind::Constraint => V1_16,
        }
    }

    /// The targets on which alembic's `if_exists=True` really works for
    /// this op (TRUTH §7): SQLite has no `DROP COLUMN IF EXISTS`;
    /// drop_constraint cannot run on SQLite outside batch and alembic
    /// ignores the flag on MySQL.
    fn flag_works_on(self) -> DialectSet {
        match self {
            DropKind::Table | DropKind::Index => DialectSet::ALL,
            DropKind::Column => DialectSet::single(Dialect::Sqlite).complement(),
            DropKind::Constraint => DialectSet::single(Dialect::Postgresql),
        }
    }
}

/// The reaching targets on which a re-run can meet this op after a
/// half-applied upgrade.
/// `last_autocommit[f]`: the index of the last op of function `f` inside
/// an `autocommit_block()` (computed once per file).
fn hazard_dialects(
    file: &FileContext<'_>,
    last_autocommit: &[Option<usize>],
    i: usize,
    op: &Op,
) -> DialectSet {
    let reaching = file.reaching(op);
    let mut hazard = reaching.intersect(DialectSet::single(Dialect::Postgresql).complement());
    let committed_on_pg = op.in_autocommit
        || last_autocommit
            .get(op.func)
            .copied()
            .flatten()
            .is_some_and(|last| last > i);
    if committed_on_pg && reaching.contains(Dialect::Postgresql) {
        hazard = hazard.with(Dialect::Postgresql);
    }
    // Outside batch, SQLite rejects every drop_constraint whatever the
    // schema (NotImplementedError, ML106): nothing to re-run there.
    if op.name == "drop_constraint" && !op.in_batch() {
        hazard = hazard.intersect(DialectSet::single(Dialect::Sqlite).complement());
    }
    hazard
}

fn name_kw(kind: DropKind) -> &'static str {
    match kind {
        DropKind::Table => "table_name",
        DropKind::Index => "index_name",
        DropKind::Column => "column_name",
        DropKind::Constraint => "constraint_name",
    }
}

fn raw_drops(
    file: &FileContext<'_>,
    model: &SchemaModel,
    fi: usize,
    i: usize,
    hazard: DialectSet,
    out: &mut Vec<Diagnostic>,
) {
    let Some(exec) = file.exec(i) else {
        return;
    };
    let op = &file.module.ops[i];
    for (k, stmt) in exec.statements.iter().enumerate() {
        let (what, name) = match &stmt.kind {
            StmtKind::DropTable {
                if_exists: false,
                table,
            } => {
                // created (or renamed to this name) earlier in the function
                if table.is_some()
                    && created_here(model, fi, i, op.func, hazard, |f| {
                        f.statements.get(k)?.as_ref()?.named
                    })
                {
                    continue;
                }
                ("DROP TABLE", table.clone())
            }
            StmtKind::DropIndex {
                if_exists: false,
                name,
                ..
            } => ("DROP INDEX", name.clone()),
            StmtKind::Drop {
                if_exists: false,
                object,
            } if RAW_OBJECTS.contains(&object.as_str()) => (raw_label(object), None),
            _ => continue,
        };
        let obj = name.map_or_else(String::new, |n| format!(" \"{n}\""));
        let message = format!(
            "`{what}`{obj} without `IF EXISTS` fails when the object is already gone; {}",
            rerun_reason(hazard)
        );
        let mysql_only = file.targets == DialectSet::single(Dialect::Mysql);
        let help = match what {
            "DROP INDEX" if mysql_only => {
                "write `DROP INDEX IF EXISTS ix ON tbl` (MariaDB accepts it; MySQL 8 documents no \
                 IF EXISTS here, not measured), or use `op.drop_index(\"ix\", table_name=\"tbl\", \
                 if_exists=True)` (alembic >= 1.12), or guard the statement with \
                 `sa.inspect(op.get_bind())`"
                    .to_string()
            }
            "DROP INDEX" if file.targets.contains(Dialect::Mysql) => {
                "no single raw statement fits every target: PostgreSQL and SQLite take `DROP \
                 INDEX IF EXISTS ix`, MariaDB needs `DROP INDEX IF EXISTS ix ON tbl`, which they \
                 reject (and MySQL 8 documents no IF EXISTS here; not measured). Use \
                 `op.drop_index(\"ix\", table_name=\"tbl\", if_exists=True)` (alembic >= 1.12), \
                 or guard the statement with `sa.inspect(op.get_bind())`"
                    .to_string()
            }
            _ => format!("write `{what} IF EXISTS`"),
        };
        out.push(
            META.diag(exec.file_range(stmt.range.clone()), message)
                .fails_on(hazard)
                .with_help(help),
        );
    }
}

/// Raw `DROP <object>` kinds reported (all take `IF EXISTS` where they exist).
const RAW_OBJECTS: &[&str] = &[
    "VIEW",
    "MATERIALIZED VIEW",
    "SEQUENCE",
    "TYPE",
    "TRIGGER",
    "FUNCTION",
    "PROCEDURE",
    "SCHEMA",
];

fn raw_label(object: &str) -> &'static str {
    match object {
        "VIEW" => "DROP VIEW",
        "MATERIALIZED VIEW" => "DROP MATERIALIZED VIEW",
        "SEQUENCE" => "DROP SEQUENCE",
        "TYPE" => "DROP TYPE",
        "TRIGGER" => "DROP TRIGGER",
        "FUNCTION" => "DROP FUNCTION",
        "PROCEDURE" => "DROP PROCEDURE",
        _ => "DROP SCHEMA",
    }
}

fn op_diagnostic(
    file: &FileContext<'_>,
    op: &Op,
    kind: DropKind,
    table: Option<String>,
    hazard: DialectSet,
) -> Diagnostic {
    let reaching = file.reaching(op);
    let tname = table.as_deref().unwrap_or("t");
    let name_index = match (kind, op.in_batch()) {
        (DropKind::Column, false) => 1,
        _ => 0,
    };
    let name_expr = op.arg_or_kw(name_index, name_kw(kind));
    let name = name_expr.and_then(literal_name).unwrap_or(match kind {
        DropKind::Table => tname,
        DropKind::Index => "ix_name",
        DropKind::Column => "col",
        DropKind::Constraint => "constraint_name",
    });
    let what = match kind {
        DropKind::Table => format!("table \"{name}\""),
        DropKind::Index => format!("index \"{name}\""),
        DropKind::Column => format!("column \"{name}\""),
        DropKind::Constraint => format!("constraint \"{name}\""),
    };
    let type_index = if op.in_batch() { 1 } else { 2 };
    let constraint_type = op
        .arg_or_kw(type_index, "type_")
        .and_then(|e| e.str_value());
    let first_error = missing_error(kind, op.in_batch(), hazard, name, tname, constraint_type);
    let message = format!(
        "`{}` fails when {what} is already gone ({first_error}); {}",
        op.name,
        rerun_reason(hazard)
    );
    let help = help(file, op, kind, name, tname, reaching);
    let range = name_expr.map_or(op.range, |e| e.range);
    META.diag(range, message)
        .fails_on(hazard)
        .with_label(op.name_range, "no `if_exists` guard")
        .with_help(help)
}

/// Why a re-run can meet the drop, for the hazard dialects.
fn rerun_reason(hazard: DialectSet) -> String {
    let mut why = Vec::new();
    if hazard.contains(Dialect::Sqlite) {
        why.push(
            "on SQLite a failed upgrade keeps the DDL that ran before the revision's first \
             INSERT/UPDATE/DELETE"
                .to_string(),
        );
    }
    if hazard.contains(Dialect::Mysql) {
        why.push(
            "on MySQL/MariaDB a failed upgrade keeps every DDL statement that ran (each one \
             commits)"
                .to_string(),
        );
    }
    if hazard.contains(Dialect::Postgresql) {
        why.push(
            "on PostgreSQL `autocommit_block()` commits it before a later step can fail"
                .to_string(),
        );
    }
    format!(
        "{} while alembic_version stays at the old revision, so re-running the upgrade stops here",
        why.join(", and ")
    )
}

/// The first-line error of dropping a missing object (TRUTH §7), for the
/// first hazard dialect.
fn missing_error(
    kind: DropKind,
    in_batch: bool,
    hazard: DialectSet,
    name: &str,
    table: &str,
    constraint_type: Option<&str>,
) -> String {
    let d = hazard.iter().next().unwrap_or(Dialect::Sqlite);
    let text = match (kind, d) {
        (DropKind::Table, Dialect::Postgresql) => format!("table \"{name}\" does not exist"),
        (DropKind::Table, Dialect::Sqlite) => format!("no such table: {name}"),
        (DropKind::Table, Dialect::Mysql) => format!("(1051, \"Unknown table '<db>.{name}'\")"),
        (DropKind::Index, Dialect::Postgresql) => format!("index \"{name}\" does not exist"),
        (DropKind::Index, Dialect::Sqlite) => format!("no such index: {name}"),
        (DropKind::Index, Dialect::Mysql) => {
            format!("(1091, \"Can't DROP INDEX `{name}`; check that it exists\")")
        }
        (DropKind::Column, Dialect::Postgresql) => {
            format!("column \"{name}\" of relation \"{table}\" does not exist")
        }
        // batch mode on SQLite: alembic's table copy looks the column up
        (DropKind::Column, Dialect::Sqlite) if in_batch => {
            format!("KeyError: '{name}'")
        }
        (DropKind::Column, Dialect::Sqlite) => format!("no such column: \"{name}\""),
        (DropKind::Column, Dialect::Mysql) => {
            format!("(1091, \"Can't DROP COLUMN `{name}`; check that it exists\")")
        }
        (DropKind::Constraint, Dialect::Postgresql) => {
            format!("constraint \"{name}\" of relation \"{table}\" does not exist")
        }
        // alembic emits DROP INDEX for a unique constraint (measured), DROP
        // FOREIGN KEY / DROP CONSTRAINT for the others (TRUTH §7).
        (DropKind::Constraint, Dialect::Mysql) if constraint_type == Some("unique") => {
            format!("(1091, \"Can't DROP INDEX `{name}`; check that it exists\")")
        }
        (DropKind::Constraint, Dialect::Mysql) => {
            "(1091, \"Can't DROP ...; check that it exists\")".to_string()
        }
        // only reachable in batch mode (outside batch SQLite rejects any
        // drop_constraint, see `hazard_dialects`)
        (DropKind::Constraint, Dialect::Sqlite) => {
            format!("ValueError: No such constraint: '{name}'")
        }
    };
    let db = match d {
        Dialect::Mysql => "MariaDB",
        _ => d.display_name(),
    };
    // The SQLite batch errors come from alembic 1.20.1 itself (truth
    // cases ml301_batch_drop_missing_*).
    let note = if d == Dialect::Sqlite
        && in_batch
        && matches!(kind, DropKind::Column | DropKind::Constraint)
    {
        " (measured with alembic 1.20.1)"
    } else {
        ""
    };
    format!("{db} `{text}`{note}")
}

fn help(
    file: &FileContext<'_>,
    op: &Op,
    kind: DropKind,
    name: &str,
    table: &str,
    reaching: DialectSet,
) -> String {
    let guard = inspector_guard(op, kind, name, table);
    if op.in_batch() {
        let sqlite = if reaching.contains(Dialect::Sqlite) {
            "; on SQLite a failed batch leaves `_alembic_tmp_<table>` behind and a re-run stops \
             there before this drop, so drop that leftover table before re-running"
        } else {
            ""
        };
        return format!(
            "`batch_alter_table`'s `{}` takes no `if_exists`; guard it with the inspector: \
             {guard}{sqlite}",
            op.name
        );
    }
    let works = kind.flag_works_on();
    let blocked = reaching.intersect(works.complement());
    let since = kind.flag_since();
    let mysql_index_needs_table = kind == DropKind::Index
        && reaching.contains(Dialect::Mysql)
        && op.kwarg("table_name").is_none()
        && op.args.len() < 2;
    if !blocked.is_empty() {
        return format!(
            "`{}(if_exists=True)` does not work on {} (see ML108); guard it with the inspector \
             instead: {guard}",
            op.name,
            blocked.display_list()
        );
    }
    let table_arg = if mysql_index_needs_table {
        ", table_name=...".to_string()
    } else {
        String::new()
    };
    let flag = format!("`{}(..., if_exists=True{table_arg})`", op.name);
    let mysql_note = if mysql_index_needs_table {
        " (MySQL/MariaDB need `table_name` for it)"
    } else {
        ""
    };
    match file.alembic_version {
        Some(v) if v >= since => format!("use {flag}{mysql_note}"),
        Some(v) => format!(
            "the configured alembic {v} has no `if_exists` on `{}` (added in {since}); guard it \
             with the inspector: {guard}",
            op.name
        ),
        None => format!(
            "use {flag}{mysql_note}, which needs alembic >= {since}; on older alembic guard it \
             with the inspector: {guard}"
        ),
    }
}

fn inspector_guard(op: &Op, kind: DropKind, name: &str, table: &str) -> String {
    let insp = "sa.inspect(op.get_bind())";
    let call = if op.in_batch() {
        match kind {
            DropKind::Column => format!("batch_op.drop_column(\"{name}\")"),
            DropKind::Index => format!("batch_op.drop_index(\"{name}\")"),
            _ => format!("batch_op.{}(\"{name}\", ...)", op.name),
        }
    } else {
        match kind {
            DropKind::Table => format!("op.drop_table(\"{name}\")"),
            DropKind::Column => format!("op.drop_column(\"{table}\", \"{name}\")"),
            _ => format!("op.{}(\"{name}\", ...)", op.name),
        }
    };
    let cond = match kind {
        DropKind::Table => format!("{insp}.has_table(\"{name}\")"),
        DropKind::Index => {
            format!("\"{name}\" in {{i[\"name\"] for i in {insp}.get_indexes(\"{table}\")}}")
        }
        DropKind::Column => {
            format!("\"{name}\" in {{c[\"name\"] for c in {insp}.get_columns(\"{table}\")}}")
        }
        DropKind::Constraint => {
            let method = match op.kwarg("type_").and_then(|k| k.value.str_value()) {
                Some("foreignkey") => "get_foreign_keys",
                Some("unique") => "get_unique_constraints",
                Some("check") => "get_check_constraints",
                _ => "get_<kind>_constraints",
            };
            format!("\"{name}\" in {{c[\"name\"] for c in {insp}.{method}(\"{table}\")}}")
        }
    };
    format!("`if {cond}: {call}`")
}
