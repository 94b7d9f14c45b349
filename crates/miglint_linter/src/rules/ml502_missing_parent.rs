//! ML502: `down_revision` / `depends_on` names a revision that does not exist.

use crate::graph::{self, Environment, Ref};
use crate::prelude::*;
use miglint_python::IdValue;

pub struct MissingParent;

static META: RuleMeta = RuleMeta {
    code: "ML502",
    name: "missing-parent",
    summary: "`down_revision` or `depends_on` names a revision that no script declares",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for MissingParent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let envs = project.environments();
        for (e, env) in envs.iter().enumerate() {
            // A reference may name an id miglint cannot read. And without a
            // base the files are only part of the history (pre-commit
            // passing the changed files, a single file on the command
            // line): their parents are simply not in the run.
            if env.unknown_ids || !env.nodes.iter().any(|n| n.is_base()) {
                continue;
            }
            for node in &env.nodes {
                if node.is_base()
                    && let Some(a) = &project.files[node.file].module.ids.depends_on
                    && matches!(&a.value, IdValue::Str(s) if s.value.is_empty())
                {
                    out.push((node.file, empty_depends_on_base(a.value_range)));
                }
                for r in node.parent_refs() {
                    if r.target.is_none() && !project.is_external(r.name) {
                        out.push((node.file, report(project, envs, e, node.file, r, false)));
                    }
                }
                for r in &node.depends_on {
                    // `depends_on` may name a label that is not a literal
                    if r.target.is_none() && !env.dynamic_labels && !project.is_external(r.name) {
                        out.push((node.file, report(project, envs, e, node.file, r, true)));
                    }
                }
            }
        }
    }
}

/// `depends_on = ""` is no dependency on a revision that has a parent, but
/// on a base revision alembic then sees no base at all (truth cases
/// ml502_ok_empty_depends_on, ml502_empty_depends_on_on_base).
fn empty_depends_on_base(range: TextRange) -> Diagnostic {
    META.diag(
        range,
        "`depends_on = \"\"` on a base revision (`down_revision = None`): alembic no longer treats it as a base and fails with `Dependency cycle is detected in revisions (...)`",
    )
    .with_help("write `depends_on = None` (an empty string is only ignored on a revision that has a parent)")
}

fn report(
    project: &Project<'_>,
    envs: &[Environment],
    e: usize,
    file: usize,
    r: &Ref,
    depends_on: bool,
) -> Diagnostic {
    let env = &envs[e];
    let path = project.files[file].path;
    let name = &r.name;
    let message = if depends_on {
        format!(
            "`depends_on` names \"{name}\", which is neither a revision id nor a branch label of this migration environment: alembic fails with `KeyError: '{name}'` (if it lives in another package's version location, declare it in `external-revisions`)"
        )
    } else {
        format!(
            "`down_revision` names \"{name}\", which no revision script of this migration environment declares: alembic warns \"Revision {name} referenced from ... is not present\" and then fails with `KeyError: '{name}'` (if it lives in another package's version location, declare it in `external-revisions`)"
        )
    };
    let mut diag = META.diag(r.range, message);

    let suggestions = closest(env, name, depends_on);
    if let Some(&(first, label)) = suggestions.first() {
        let node = &env.nodes[first];
        let (range, what) = match label {
            Some(l) => (
                node.labels
                    .iter()
                    .find(|b| b.key == l)
                    .map_or(node.anchor(), |b| b.range),
                format!("did you mean branch label \"{l}\"?"),
            ),
            None => (node.anchor(), format!("did you mean \"{}\"?", node.id)),
        };
        diag.labels.push(graph::label(
            path,
            project.files[node.file].path,
            range,
            what,
        ));
    }
    let help = if suggestions.is_empty() {
        let elsewhere = envs
            .iter()
            .enumerate()
            .find_map(|(k, other)| (k != e).then(|| other.node(name)).flatten());
        match elsewhere {
            Some(node) => format!(
                "\"{name}\" is declared in {}, which belongs to a different migration environment (another version folder that no file here refers to); point this at a revision of its own environment",
                project.files[node.file].path.display()
            ),
            None => format!(
                "point it at an existing revision id (`alembic heads` and `alembic history` list them), or add the missing revision script. If \"{name}\" lives in another package's version location that alembic joins into this environment (`version_locations`), declare it: `external-revisions = [\"{name}\"]` in lint.toml or [tool.miglint]"
            ),
        }
    } else {
        let names: Vec<String> = suggestions
            .iter()
            .map(|&(n, label)| {
                let node = &env.nodes[n];
                let what = label.map_or(String::new(), |l| format!(" branch label \"{l}\" of"));
                format!(
                    "{what} \"{}\" ({})",
                    node.id,
                    env.rel(project.files[node.file].path).display()
                )
            })
            .collect();
        format!("did you mean{}?", names.join(" or"))
    };
    diag.with_help(help)
}

/// Up to three close ids (and branch labels for `depends_on`), best first:
/// a truncated or extended id first, then by edit distance.
fn closest<'e>(env: &'e Environment, name: &str, labels: bool) -> Vec<(usize, Option<&'e str>)> {
    let mut scored: Vec<(f64, usize, Option<&'e str>)> = Vec::new();
    let score = |cand: &str| -> f64 {
        if cand.len() >= 4 && name.len() >= 4 && (cand.starts_with(name) || name.starts_with(cand))
        {
            return 2.0;
        }
        strsim::normalized_damerau_levenshtein(name, cand)
    };
    for (n, node) in env.nodes.iter().enumerate() {
        if node.duplicate_of.is_some() {
            continue;
        }
        let s = score(node.id);
        if s >= 0.6 {
            scored.push((s, n, None));
        }
        if labels {
            for l in node.labels.iter().filter(|l| l.literal) {
                let s = score(l.key);
                if s >= 0.6 {
                    scored.push((s, n, Some(l.key)));
                }
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // only the candidates about as close as the best one
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|s| s.0 >= best - 0.1)
        .take(3)
        .map(|(_, n, l)| (n, l))
        .collect()
}
