//! ML501: one branch of the revision graph ends in several heads.

use crate::graph::{self, Environment, HeadConflict};
use crate::prelude::*;

pub struct MultipleHeads;

static META: RuleMeta = RuleMeta {
    code: "ML501",
    name: "multiple-heads",
    summary: "a branch of the revision graph forks into several heads that are never merged",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for MultipleHeads {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        for env in project.environments() {
            for conflict in env.head_report().conflicts {
                out.push(report(project, env, &conflict));
            }
        }
    }
}

/// `"a" (a.py), "b" (b.py) and "c" (c.py)`
pub(crate) fn list_revisions(project: &Project<'_>, env: &Environment, nodes: &[usize]) -> String {
    let items: Vec<String> = nodes
        .iter()
        .map(|&n| {
            let node = &env.nodes[n];
            let path = env.rel(project.files[node.file].path);
            format!("\"{}\" ({})", node.id, path.display())
        })
        .collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// `the branch "expand"` for labelled heads.
pub(crate) fn label_phrase(labels: &[String]) -> String {
    let names: Vec<String> = labels.iter().map(|l| format!("`{l}`")).collect();
    format!("the branch labelled {}", names.join(", "))
}

fn report(project: &Project<'_>, env: &Environment, c: &HeadConflict) -> (usize, Diagnostic) {
    // the diagnostic sits on the last head in path order (usually the newest)
    let primary = *c.heads.last().expect("a conflict has heads");
    let pnode = &env.nodes[primary];
    let pfile = pnode.file;
    let ppath = project.files[pfile].path;

    let heads = list_revisions(project, env, &c.heads);
    let fork = match c.branch_point {
        Some(bp) => format!(
            ", which fork from \"{}\" ({}) and are never merged",
            env.nodes[bp].id,
            env.rel(project.files[env.nodes[bp].file].path).display()
        ),
        None => ", which are never merged".to_string(),
    };
    let whose = if c.labels.is_empty() {
        String::from("this revision graph")
    } else {
        label_phrase(&c.labels)
    };
    let mut message = format!(
        "{whose} has {} heads, {heads}{fork}; `alembic upgrade head` fails with \"Multiple head revisions are present for given argument 'head'\"",
        c.heads.len()
    );
    if let Some(label) = c.labels.iter().find(|l| {
        l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) {
        message.push_str(&format!(", and neither can `alembic upgrade {label}@head`"));
    } else if !c.labels.is_empty() {
        message.push_str(", and neither can `alembic upgrade <label>@head`");
    }
    let mut diag = META.diag(pnode.anchor(), message);

    for &h in &c.heads[..c.heads.len() - 1] {
        let node = &env.nodes[h];
        diag.labels.push(graph::label(
            ppath,
            project.files[node.file].path,
            node.anchor(),
            format!("head \"{}\"", node.id),
        ));
    }
    if let Some(bp) = c.branch_point {
        let mut seen = Vec::new();
        for &fork in c.forks.iter().flatten() {
            if seen.contains(&fork) {
                continue;
            }
            seen.push(fork);
            let node = &env.nodes[fork];
            if let Some(r) = node.parent_refs().iter().find(|r| r.target == Some(bp)) {
                diag.labels.push(graph::label(
                    ppath,
                    project.files[node.file].path,
                    r.range,
                    format!("\"{}\" forks from \"{}\" here", node.id, env.nodes[bp].id),
                ));
            }
        }
    }
    let ids: Vec<&str> = c.heads.iter().map(|&h| env.nodes[h].id).collect();
    diag = diag.with_help(format!(
        "merge the heads into one revision: `alembic merge -m \"merge heads\" {}`; if the lines are meant to stay apart, give each its own `branch_labels` and upgrade with `alembic upgrade heads`",
        ids.join(" ")
    ));
    (pfile, diag)
}
