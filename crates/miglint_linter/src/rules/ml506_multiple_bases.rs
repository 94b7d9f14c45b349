//! ML506: two lines of revisions start at separate bases and never merge.

use crate::graph::{self, Environment, SeparateLines};
use crate::prelude::*;
use crate::rules::ml501_multiple_heads::{label_phrase, list_revisions};

pub struct MultipleBases;

static META: RuleMeta = RuleMeta {
    code: "ML506",
    name: "multiple-bases",
    summary: "two bases (`down_revision = None`) without branch labels start lines that never merge",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for MultipleBases {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        for env in project.environments() {
            for lines in env.head_report().separate_lines {
                report(project, env, &lines, out);
            }
        }
    }
}

fn report(
    project: &Project<'_>,
    env: &Environment,
    lines: &SeparateLines,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    // the first line with a base is the reference; each later line with a
    // base is reported at its base (a line without one starts at a missing
    // parent: ML502 tells about that)
    let mut with_base = lines
        .bases
        .iter()
        .zip(&lines.heads)
        .filter(|(b, _)| !b.is_empty());
    let Some((first_bases, first_heads)) = with_base.next() else {
        return;
    };
    let original = &env.nodes[first_bases[0]];
    for (bases, heads) in with_base {
        let base = &env.nodes[bases[0]];
        let path = project.files[base.file].path;
        let labels = if lines.labels.is_empty() {
            "neither line carries `branch_labels`".to_string()
        } else {
            format!("both lines are {}", label_phrase(&lines.labels))
        };
        let mut all_heads = first_heads.clone();
        all_heads.extend(heads);
        let message = format!(
            "second base: \"{}\" has `down_revision = None` like \"{}\" ({}), {labels}, and the two lines never merge: alembic sees the heads {} and `alembic upgrade head` fails with \"Multiple head revisions are present for given argument 'head'\"",
            base.id,
            original.id,
            env.rel(project.files[original.file].path).display(),
            list_revisions(project, env, &all_heads),
        );
        let range = base.down_range.unwrap_or(base.anchor());
        let mut diag = META.diag(range, message);
        diag.labels.push(graph::label(
            path,
            project.files[original.file].path,
            original.down_range.unwrap_or(original.anchor()),
            format!("\"{}\" is a base too", original.id),
        ));
        let head_ids: Vec<&str> = all_heads.iter().map(|&h| env.nodes[h].id).collect();
        let first_head = &env.nodes[first_heads[0]].id;
        diag = diag.with_help(format!(
            "if \"{}\" comes after the other line, set `down_revision = \"{first_head}\"`; if the lines are independent, give this base `branch_labels = (\"<name>\",)` and upgrade with `alembic upgrade heads`; or join them with `alembic merge -m \"merge bases\" {}`",
            base.id,
            head_ids.join(" ")
        ));
        out.push((base.file, diag));
    }
}
