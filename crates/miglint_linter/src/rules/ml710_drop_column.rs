//! Dropping a column that the running release may still map: SQLAlchemy's
//! ORM names every mapped column in its SELECTs and INSERTs, so each query
//! of the table by the old code fails (expand/contract advice).

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct DropColumn;

static META: RuleMeta = RuleMeta {
    code: "ML710",
    name: "drop-column",
    summary: "dropping a column breaks the code still running during the deploy if it still maps the column",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "contract in two releases: first deploy code that no longer maps or uses \
    the column, then drop it in the next release's migration";

impl Rule for DropColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::DropColumn { table, column } => Some(format!(
                "dropping column `{table}.{column}` breaks the code still running during the \
                 deploy if it maps `{column}`: the ORM names every mapped column, so each of \
                 its queries of `{table}` fails with \"column does not exist\""
            )),
            _ => None,
        });
    }
}
