//! ML504: the revision graph has a cycle (or a revision names itself).

use crate::graph::{self, Cycle, Environment};
use crate::prelude::*;

pub struct RevisionCycle;

static META: RuleMeta = RuleMeta {
    code: "ML504",
    name: "revision-cycle",
    summary: "`down_revision`/`depends_on` links form a cycle or a self-loop",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for RevisionCycle {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        for env in project.environments() {
            for cycle in env.cycles() {
                out.push(report(project, env, &cycle));
            }
        }
    }
}

/// The reference in `from` that names `to` (through `down_revision`
/// first, then `depends_on` when the cycle may use it).
fn edge(env: &Environment, from: usize, to: usize, deps: bool) -> Option<TextRange> {
    let node = &env.nodes[from];
    node.parent_refs()
        .iter()
        .find(|r| r.target == Some(to))
        .or_else(|| {
            deps.then(|| node.depends_on.iter().find(|r| r.target == Some(to)))
                .flatten()
        })
        .map(|r| r.range)
}

fn report(project: &Project<'_>, env: &Environment, cycle: &Cycle) -> (usize, Diagnostic) {
    let first = &env.nodes[cycle.path[0]];
    let path = project.files[first.file].path;
    let deps = cycle.via_dependency;
    let members = if cycle.is_self_loop() {
        first.id.to_string()
    } else {
        env.alembic_cycle_set(deps).join(", ")
    };

    if cycle.is_self_loop() {
        let (field, kind) = if deps {
            ("depends_on", "Dependency self-loop")
        } else {
            ("down_revision", "Self-loop")
        };
        let range = edge(env, cycle.path[0], cycle.path[0], deps).unwrap_or(first.anchor());
        let mut diag = META.diag(
            range,
            format!(
                "`{field}` names this revision itself (\"{}\"): alembic fails with \"{kind} is detected in revisions ({members})\"",
                first.id
            ),
        );
        if let Some(id) = first.id_range {
            diag = diag.with_label(id, "the revision's own id");
        }
        let help = if deps {
            "remove the revision's own id from `depends_on`"
        } else {
            "point `down_revision` at the revision this one follows (`None` for the first revision)"
        };
        return (first.file, diag.with_help(help));
    }

    let kind = if deps { "Dependency cycle" } else { "Cycle" };
    let mut ring: Vec<&str> = cycle.path.iter().map(|&n| env.nodes[n].id).collect();
    ring.push(first.id);
    let verb = if deps {
        "revises or depends on"
    } else {
        "revises"
    };
    let next = |k: usize| cycle.path[(k + 1) % cycle.path.len()];
    let range = edge(env, cycle.path[0], next(0), deps).unwrap_or(first.anchor());
    let mut diag = META.diag(
        range,
        format!(
            "revision cycle {} (each {verb} the next): alembic fails with \"{kind} is detected in revisions ({members})\"",
            ring.join(" → ")
        ),
    );
    for (k, &n) in cycle.path.iter().enumerate().skip(1) {
        let node = &env.nodes[n];
        if let Some(r) = edge(env, n, next(k), deps) {
            diag.labels.push(graph::label(
                path,
                project.files[node.file].path,
                r,
                format!("\"{}\" {verb} \"{}\"", node.id, env.nodes[next(k)].id),
            ));
        }
    }
    let help = "every line of revisions must start at a base (`down_revision = None`): point one of these revisions at an earlier one";
    (first.file, diag.with_help(help))
}
