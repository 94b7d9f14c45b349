use crate::prelude::*;
use crate::rules::ml1xx_alter::{AlterColumn, call_head, in_recreating_batch};

pub struct MysqlAlterNeedsExistingType;

static META: RuleMeta = RuleMeta {
    code: "ML110",
    name: "mysql-alter-needs-existing-type",
    summary: "`alter_column` without `existing_type` that MySQL runs as CHANGE/MODIFY: alembic stops with \"require the existing type\"",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Mysql),
};

impl Rule for MysqlAlterNeedsExistingType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for op in &file.module.ops {
            // a batch that always recreates the table emits no CHANGE/MODIFY
            if op.in_try
                || !file.reaching(op).contains(Dialect::Mysql)
                || in_recreating_batch(file, op)
            {
                continue;
            }
            let Some(alter) = AlterColumn::of(op) else {
                continue;
            };
            let Some(trigger) = alter.mysql_untyped_change() else {
                continue;
            };
            let statement = if alter.new_column_name.is_some() {
                "CHANGE"
            } else {
                "MODIFY"
            };
            let column = alter.column_name().map_or_else(
                || String::from("this column"),
                |c| format!("column \"{c}\""),
            );
            out.push(
                META.diag(
                    trigger.range(),
                    format!(
                        "MySQL/MariaDB: alembic runs this as `ALTER TABLE ... {statement}`, which restates the whole column, and stops before any SQL with `All MySQL CHANGE/MODIFY COLUMN operations require the existing type.`"
                    ),
                )
                .with_label(call_head(op), "no `type_=` or `existing_type=` here")
                .with_help(format!(
                    "pass `existing_type=` with the current type of {column} (e.g. `existing_type=sa.String(length=50)`), and \
                     `existing_nullable=` / `existing_server_default=` too: {statement} rewrites the whole definition, so \
                     whatever is not restated is lost (these arguments are harmless on the other databases)"
                )),
            );
        }
    }
}
