//! An op that creates a table, column, index or constraint that certainly
//! exists already at that point of the revision graph (an earlier revision
//! on every path created it, and nothing dropped it since). The database
//! answers "already exists" and the migration stops.
//!
//! The semantic model decides (see `miglint_schema::objects`), for ops,
//! batch column/index ops and literal SQL DDL (per statement, also
//! `CREATE TYPE` of an enum type that exists); anything it cannot read
//! (dynamic names, loops, conditions, helpers, unparsed SQL,
//! `if_not_exists`, another schema) keeps it silent. Native enum types a
//! `create_table` creates again are ML604's.

use super::ml3xx_objects::{command, describe, findings, label, where_of};
use crate::prelude::*;

pub struct ObjectAlreadyExists;

static META: RuleMeta = RuleMeta {
    code: "ML304",
    name: "object-already-exists",
    summary: "an op creates a table, column, index, constraint or enum type that already exists at that revision",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for ObjectAlreadyExists {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let files = &project.files;
        for mut f in findings(
            project,
            |facts| facts.existing.as_deref(),
            |s| s.existing.as_ref(),
        ) {
            if f.fact.kind == miglint_schema::ObjectKind::Constraint {
                // outside a batch, SQLite fails on any constraint op (ML106)
                f.dialects = f
                    .dialects
                    .intersect(DialectSet::single(Dialect::Sqlite).complement());
                if f.dialects.is_empty() {
                    continue;
                }
            }
            match f.fact.kind {
                // an enum type: PostgreSQL's
                miglint_schema::ObjectKind::Type => {
                    f.dialects = f
                        .dialects
                        .intersect(DialectSet::single(Dialect::Postgresql));
                }
                // a batch SQLite runs by recreating the table rebuilds it
                // from the batch's columns and indexes: no duplicate there
                _ if f.op.in_batch()
                    && project
                        .schema()
                        .facts(f.file, f.index, Dialect::Sqlite)
                        .is_none_or(|x| x.batch_recreates_on_sqlite) =>
                {
                    f.dialects = f
                        .dialects
                        .intersect(DialectSet::single(Dialect::Sqlite).complement());
                }
                _ => {}
            }
            if f.dialects.is_empty() {
                continue;
            }
            let what = describe(&f.fact);
            let Some(o) = f.fact.origin else { continue };
            let mut d = META
                .diag(
                    f.range,
                    format!(
                        "{what} already exists here: it was created {}; `{}` fails with \
                         \"already exists\" on a database these migrations built",
                        where_of(files, &o, f.file),
                        command(f.kind)
                    ),
                )
                .fails_on(f.dialects)
                .with_help(
                    "remove the op, or fix the name (if it reshapes the object, drop it first)",
                );
            d.labels
                .push(label(files, &o, f.file, format!("{what} created here")));
            out.push((f.file, crate::rule::after_unknown_exit(d, f.op)));
        }
    }
}
