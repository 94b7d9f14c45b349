use crate::prelude::*;

pub struct AutocommitBlockAtomicity;

static META: RuleMeta = RuleMeta {
    code: "ML602",
    name: "autocommit-block-atomicity",
    summary: "other ops share a migration with `autocommit_block()`, which commits everything before it",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

/// How many of the other ops get a label of their own.
const MAX_LABELS: usize = 3;

impl Rule for AutocommitBlockAtomicity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let m = file.module;
        let reaches_pg = |op: &Op| file.reaching(op).contains(Dialect::Postgresql);
        for (func, f) in m.functions.iter().enumerate() {
            if !matches!(f.kind, FuncKind::Upgrade | FuncKind::Downgrade) {
                continue;
            }
            let ops: Vec<&Op> = m
                .ops
                .iter()
                .filter(|op| op.func == func && reaches_pg(op))
                .collect();
            let Some(first_block) = ops.iter().position(|op| op.in_autocommit) else {
                continue;
            };
            let others: Vec<&Op> = ops.iter().copied().filter(|op| !op.in_autocommit).collect();
            if others.is_empty() {
                continue;
            }
            let block_op = ops[first_block];
            let before = others
                .iter()
                .filter(|o| o.range.start() < block_op.range.start())
                .count();
            let after = others.len() - before;
            let mut parts = Vec::new();
            if before > 0 {
                parts.push(format!(
                    "the block commits the {before} op{} before it",
                    plural(before)
                ));
            }
            if after > 0 {
                parts.push(format!(
                    "{after} op{} after it run{} in a new transaction",
                    plural(after),
                    if after == 1 { "s" } else { "" }
                ));
            }
            let message = format!(
                "`autocommit_block()` in `{}()` ends alembic's transaction: {}. If a later step \
                 fails, what ran up to the end of the block stays applied on PostgreSQL while \
                 alembic_version keeps the old revision, so re-running the migration meets \
                 objects that already exist",
                f.name,
                parts.join(", and ")
            );
            let mut d = META.diag(block_op.range, message).with_help(
                "move the statement that needs autocommit (CREATE INDEX CONCURRENTLY, ...) into a \
                 revision of its own, or make every other op here safe to re-run (guard it \
                 with an inspector check such as `sa.inspect(op.get_bind()).has_table(...)`; \
                 `if_exists`/`if_not_exists` flags only where ML108 allows them for your \
                 targets and alembic version)",
            );
            for o in others.iter().take(MAX_LABELS) {
                let label = if o.range.start() < block_op.range.start() {
                    "committed when the block starts"
                } else {
                    "runs after the block, in a new transaction"
                };
                d = d.with_label(o.name_range, label);
            }
            out.push(d);
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
