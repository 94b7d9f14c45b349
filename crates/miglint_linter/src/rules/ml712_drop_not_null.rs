//! `DROP NOT NULL` on a column the running release reads as never NULL:
//! once the new release writes NULLs, the old one reads them.

use super::ml7xx_contract::{Change, report};
use crate::prelude::*;

pub struct DropNotNull;

static META: RuleMeta = RuleMeta {
    code: "ML712",
    name: "drop-not-null",
    summary: "making a NOT NULL column nullable lets NULLs reach the code still running during the deploy, which assumes a value",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

const HELP: &str = "first deploy code that handles NULL in the column (and does not write it \
    yet), then drop NOT NULL; a rollback of the code must also tolerate the NULLs written since";

impl Rule for DropNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        report(project, out, &META, HELP, |c| match c {
            Change::DropNotNull { table, column } => Some(format!(
                "making `{table}.{column}` nullable takes a guarantee away from the code still \
                 running during the deploy: once the new release writes NULL there, the old \
                 one reads rows it assumes have a value"
            )),
            _ => None,
        });
    }
}
