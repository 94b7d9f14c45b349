//! ML507: the file name does not carry the revision id (opt-in).

use crate::graph;
use crate::prelude::*;

pub struct FilenameMismatch;

static META: RuleMeta = RuleMeta {
    code: "ML507",
    name: "filename-mismatch",
    summary: "the file name does not carry the revision id (alembic ignores file names)",
    severity: Severity::Info,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

impl Rule for FilenameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        for (fi, file) in project.files.iter().enumerate() {
            if !file.is_revision() {
                continue;
            }
            // an id taken from a legacy `<hex>.py` file name matches it by definition
            let graph::RevisionId::Literal(id, range) = graph::revision_id(file) else {
                continue;
            };
            let Some(name) = file.path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if graph::filename_matches(name, id) {
                continue;
            }
            let stem = name.strip_suffix(".py").unwrap_or(name);
            let slug = stem.split_once('_').map_or(stem, |(_, s)| s);
            let diag = META
                .diag(
                    range,
                    format!(
                        "the file name `{name}` does not carry the revision id \"{id}\": alembic ignores file names (only the `revision` variable counts), but people looking for the revision will not find the file"
                    ),
                )
                .with_help(format!(
                    "rename the file to `{id}_{slug}.py` (the layout `alembic revision` writes), or leave ML507 off if the project names files its own way"
                ));
            out.push((fi, diag));
        }
    }
}
