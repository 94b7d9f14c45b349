use crate::prelude::*;

pub struct DynamicSql;

static META: RuleMeta = RuleMeta {
    code: "ML903",
    name: "dynamic-sql",
    summary: "SQL built at run time (f-string, %, .format, a variable) cannot be checked",
    severity: Severity::Info,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

impl Rule for DynamicSql {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for op in &file.module.ops {
            if file.reaching(op).is_empty() {
                continue;
            }
            if let Some(SqlSource::Dynamic(range)) = op.sql() {
                out.push(
                    META.diag(range, "this SQL is built at run time, so miglint cannot check it")
                        .with_help("use a literal string (with bind parameters via `sa.text(...).bindparams(...)`) where you can"),
                );
            }
        }
    }
}
