use miglint_python::IdValue;
use miglint_sql::StmtKind;

use crate::prelude::*;
use crate::rules::ml1xx_if_flags::flag_on_everywhere;

pub struct EmptyDowngrade;

static META: RuleMeta = RuleMeta {
    code: "ML402",
    name: "empty-downgrade",
    summary: "`downgrade()` is empty while `upgrade()` changes the schema",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for EmptyDowngrade {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let m = file.module;
        if is_merge(m) {
            return;
        }
        let downgrades: Vec<&miglint_python::Function> = m
            .functions
            .iter()
            .filter(|f| f.kind == FuncKind::Downgrade)
            .collect();
        // `downgrade()` only: the `downgrade_<engine>()` variants come in sets
        // and are judged the same way, one finding each.
        for down in downgrades {
            if down.shape != BodyShape::Empty {
                continue;
            }
            let engine = down.name.strip_prefix("downgrade");
            let Some((_, first)) = m.ops.iter().enumerate().find(|(i, op)| {
                let f = &m.functions[op.func];
                f.kind == FuncKind::Upgrade
                    && f.name.strip_prefix("upgrade") == engine
                    && !file.reaching(op).is_empty()
                    && changes_schema(file, *i, op)
                    && !runs_again(file, *i, op)
            }) else {
                continue;
            };
            out.push(diagnostic(file, down, first));
        }
    }
}

/// A merge revision (`down_revision` names several parents) usually has
/// nothing to undo.
fn is_merge(m: &Module) -> bool {
    m.ids
        .down_revision
        .as_ref()
        .is_some_and(|d| matches!(&d.value, IdValue::Seq(v) if v.len() > 1))
}

/// Whether op `i` changes the schema (DDL), as opposed to data (`execute`
/// of DML, `bulk_insert`) or anything miglint cannot read.
pub(crate) fn changes_schema(file: &FileContext<'_>, i: usize, op: &Op) -> bool {
    match op.name.as_str() {
        "execute" | "exec_driver_sql" => file
            .exec(i)
            .is_some_and(|e| e.statements.iter().any(|s| is_ddl(&s.kind))),
        name => ["create_", "drop_", "add_", "alter_", "rename_"]
            .iter()
            .any(|p| name.starts_with(p)),
    }
}

/// Whether schema op `i` succeeds when the upgrade runs again after the
/// empty downgrade: every DDL statement of its SQL skips what the first run
/// did (`IF NOT EXISTS` / `IF EXISTS`, see [`StmtKind::runs_again`]), or the
/// op carries alembic's flag where every target honours it (see
/// `ml1xx_if_flags`: not `drop_constraint` on MySQL, not the column ops on
/// SQLite). An upgrade made only of such ops re-runs cleanly: the rule's
/// failure does not happen.
fn runs_again(file: &FileContext<'_>, i: usize, op: &Op) -> bool {
    match op.name.as_str() {
        "execute" | "exec_driver_sql" => file.exec(i).is_some_and(|e| {
            e.statements
                .iter()
                .filter(|s| is_ddl(&s.kind))
                .all(|s| s.kind.runs_again())
        }),
        _ => flag_on_everywhere(op, file.alembic_version, file.reaching(op)),
    }
}

fn is_ddl(kind: &StmtKind) -> bool {
    match kind {
        StmtKind::CreateTable { .. }
        | StmtKind::CreateIndex { .. }
        | StmtKind::CreateView
        | StmtKind::CreateSequence
        | StmtKind::CreateSchema
        | StmtKind::CreateExtension { .. }
        | StmtKind::CreateType { .. }
        | StmtKind::CreateFunction
        | StmtKind::CreateTrigger
        | StmtKind::AlterTable { .. }
        | StmtKind::AlterTypeAddValue { .. }
        | StmtKind::AlterType { .. }
        | StmtKind::AlterSequence
        | StmtKind::DropTable { .. }
        | StmtKind::DropIndex { .. }
        | StmtKind::Drop { .. } => true,
        StmtKind::Other(kw) => {
            kw.starts_with("CREATE ") || kw.starts_with("ALTER ") || kw.starts_with("DROP ")
        }
        _ => false,
    }
}

fn diagnostic(file: &FileContext<'_>, down: &miglint_python::Function, first: &Op) -> Diagnostic {
    let message = format!(
        "`{}()` does nothing while `upgrade()` changes the schema: `alembic downgrade` moves \
         alembic_version back but the schema stays changed, so re-running the upgrade can \
         fail{}",
        down.name,
        already_exists(file, first)
    );
    META.diag(down.name_range, message)
        .with_label(first.range, "changes the schema")
        .with_help(
            "undo `upgrade()` in `downgrade()`; if it cannot be undone, write \
             `raise NotImplementedError(\"irreversible: ...\")` so that `alembic downgrade` stops \
             instead of moving alembic_version without touching the schema",
        )
}

/// The "already exists" error a re-run meets at `first`, the first schema
/// op of `upgrade()`: quoted only when that op creates something nameable.
fn already_exists(file: &FileContext<'_>, first: &Op) -> String {
    if first
        .kwarg("if_not_exists")
        .is_some_and(|k| k.value.bool_value() != Some(false))
    {
        return String::new();
    }
    match first.name.as_str() {
        "create_table" => {
            let Some(t) = first.table() else {
                return String::new();
            };
            let t = &t.value;
            let errs: Vec<String> = file
                .targets
                .iter()
                .map(|d| match d {
                    Dialect::Postgresql => format!("PostgreSQL `relation \"{t}\" already exists`"),
                    Dialect::Sqlite => format!("SQLite `table {t} already exists`"),
                    Dialect::Mysql => format!(
                        "MariaDB `(1050, \"Table '{t}' already exists\")` (measured on MariaDB 10.11)"
                    ),
                })
                .collect();
            format!(
                "; its first op, `create_table(\"{t}\")`, then fails with {}",
                errs.join(", ")
            )
        }
        "add_column" => match (first.table(), first.columns().next().and_then(|c| c.name())) {
            (Some(t), Some(c)) => format!(
                "; its first op, `add_column`, then fails because column \"{}\" of \"{}\" \
                 already exists",
                c.value, t.value
            ),
            _ => String::new(),
        },
        "create_index" => match first.arg_or_kw(0, "index_name").and_then(|e| e.str_value()) {
            Some(ix) => format!(
                "; its first op, `create_index`, then fails because index \"{ix}\" already \
                 exists"
            ),
            None => String::new(),
        },
        _ => String::new(),
    }
}
