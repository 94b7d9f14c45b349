//! Dropping a table that the running release may still use
//! (expand/contract advice).

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct DropTable;

static META: RuleMeta = RuleMeta {
    code: "ML711",
    name: "drop-table",
    summary: "dropping a table breaks the code still running during the deploy if it still uses the table",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "contract in two releases: first deploy code that no longer uses the table, \
    then drop it in the next release's migration";

impl Rule for DropTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::DropTable { table } => Some(format!(
                "dropping table `{table}` breaks the code still running during the deploy if it \
                 uses `{table}`: its queries of it fail until every instance runs the new release"
            )),
            _ => None,
        });
    }
}
