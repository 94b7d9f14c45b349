//! An op that drops or alters a table, column, index or constraint that
//! certainly does not exist at that point of the revision graph: a replayed
//! revision dropped it, or its table was created by a replayed revision
//! with every object known and none of them has that name. The database
//! answers "does not exist" and the migration stops.
//!
//! The semantic model decides (see `miglint_schema::objects`): tables no
//! revision created are unknown, never missing (projects often begin
//! before Alembic), and anything unreadable (dynamic names, loops,
//! conditions, helpers, unparsed SQL, `create_all`, `if_exists`, another
//! schema, constraint ops in a batch, names from naming conventions) keeps
//! it silent. Batch column/index ops and literal SQL DDL (per statement)
//! are read.

use miglint_schema::ObjectKind;

use super::ml3xx_objects::{command, describe, findings, label, revision_of, where_of};
use crate::prelude::*;

pub struct MissingObject;

static META: RuleMeta = RuleMeta {
    code: "ML303",
    name: "missing-object",
    summary: "an op drops or alters a table, column, index or constraint that does not exist at that revision",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for MissingObject {
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
            |facts| facts.missing.as_deref(),
            |s| s.missing.as_ref(),
        ) {
            if f.fact.kind == ObjectKind::Constraint {
                // outside a batch, SQLite fails on any constraint op (ML106)
                f.dialects = f
                    .dialects
                    .intersect(DialectSet::single(Dialect::Sqlite).complement());
                if f.dialects.is_empty() {
                    continue;
                }
            }
            let what = describe(&f.fact);
            let why = match (&f.fact.origin, &f.fact.table_origin) {
                (Some(o), _) => format!("it was dropped {}", where_of(files, o, f.file)),
                (None, Some(o)) => format!(
                    "table \"{}\" (created {}) has no {} of that name at this point (none \
                     was created, or one was dropped since)",
                    f.fact.table.as_deref().unwrap_or("?"),
                    where_of(files, o, f.file),
                    f.fact.kind.noun()
                ),
                (None, None) => "no revision before it creates it".to_string(),
            };
            // a batch column op on SQLite fails in alembic's table rebuild,
            // before any SQL runs (measured: ml303_batch_drop_column_never_added)
            let batch_sqlite = f.op.in_batch()
                && f.fact.kind == ObjectKind::Column
                && f.dialects.contains(Dialect::Sqlite);
            let fails = match (batch_sqlite, f.dialects.iter().count()) {
                (false, _) => "fails with \"does not exist\"",
                (true, 1) => "fails with alembic's `KeyError` (its batch rebuild on SQLite)",
                (true, _) => {
                    "fails (\"does not exist\"; on SQLite alembic's batch rebuild raises \
                     `KeyError`)"
                }
            };
            let mut d = META
                .diag(
                    f.range,
                    format!(
                        "{what} does not exist here: {why}; `{}` {fails} on a database these \
                         migrations built",
                        command(f.kind)
                    ),
                )
                .fails_on(f.dialects)
                .with_help(match f.fact.kind {
                    ObjectKind::Table => "remove the op, or fix the table name (a rename or a \
                                          drop in an earlier revision)"
                        .to_string(),
                    _ => format!(
                        "remove the op, or fix the name (compare with the revision that \
                         created the {})",
                        if f.fact.kind == ObjectKind::Column {
                            "table"
                        } else {
                            "object"
                        }
                    ),
                });
            if let Some(o) = f.fact.origin.as_ref() {
                d.labels
                    .push(label(files, o, f.file, format!("{what} dropped here")));
            } else if let Some(o) = f.fact.table_origin.as_ref() {
                d.labels.push(label(
                    files,
                    o,
                    f.file,
                    format!(
                        "table created here, in revision {}",
                        revision_of(files, o.file as usize)
                    ),
                ));
            }
            out.push((f.file, crate::rule::after_unknown_exit(d, f.op)));
        }
    }
}
