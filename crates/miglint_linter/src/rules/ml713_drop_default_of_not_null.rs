//! Dropping the server default of a NOT NULL column: the running release's
//! INSERTs that leave the column out relied on the default, and now fail.

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct DropDefaultOfNotNull;

static META: RuleMeta = RuleMeta {
    code: "ML713",
    name: "drop-default-of-not-null-column",
    summary: "dropping the default of a NOT NULL column makes the running code's INSERTs that leave the column out fail",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "first deploy code that always writes the column, then drop the default \
    in the next release's migration";

impl Rule for DropDefaultOfNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::DropDefault { table, column } => Some(format!(
                "dropping the default of NOT NULL column `{table}.{column}` breaks the code \
                 still running during the deploy: its INSERTs that leave `{column}` out fail \
                 with a NOT NULL violation"
            )),
            _ => None,
        });
    }
}
