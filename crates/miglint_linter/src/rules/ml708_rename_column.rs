//! Renaming a column breaks the application code that still runs during a
//! rolling deploy: it names the old column (expand/contract advice).

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct RenameColumn;

static META: RuleMeta = RuleMeta {
    code: "ML708",
    name: "rename-column",
    summary: "renaming a column breaks the code still running during the deploy, which names the old column",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "expand/contract: add the new column, write both (or keep the database name \
    and rename only the attribute: `new_name = Column(\"old_name\", ...)`), deploy code that \
    reads the new one, and drop the old column in a later release";

impl Rule for RenameColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::RenameColumn { table, from, to } => Some(format!(
                "renaming column `{table}.{from}` to `{to}` breaks the code still running \
                 during the deploy: until every instance runs the new release, its queries \
                 name `{from}`, which no longer exists"
            )),
            _ => None,
        });
    }
}
