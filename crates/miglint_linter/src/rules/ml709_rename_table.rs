//! Renaming a table breaks the application code that still runs during a
//! rolling deploy: it names the old table (expand/contract advice).

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct RenameTable;

static META: RuleMeta = RuleMeta {
    code: "ML709",
    name: "rename-table",
    summary: "renaming a table breaks the code still running during the deploy, which names the old table",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "keep the database name and change only the class name (`__tablename__ = \
    \"old_name\"`), or rename and create a view with the old name for the transition \
    (`CREATE VIEW old_name AS SELECT * FROM new_name`: a simple view accepts writes on \
    PostgreSQL), dropped in a later release";

impl Rule for RenameTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::RenameTable { from, to } => Some(format!(
                "renaming table `{from}` to `{to}` breaks the code still running during the \
                 deploy: until every instance runs the new release, its queries name `{from}`, \
                 which no longer exists"
            )),
            _ => None,
        });
    }
}
