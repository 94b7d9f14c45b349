//! ML503: the same revision id is declared by two files.

use std::collections::BTreeMap;

use crate::graph;
use crate::prelude::*;

pub struct DuplicateRevision;

static META: RuleMeta = RuleMeta {
    code: "ML503",
    name: "duplicate-revision",
    summary: "the same revision id is declared by two revision scripts",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for DuplicateRevision {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        if !graph::any_repeated_id(&project.files) {
            return;
        }
        for env in project.environments() {
            // id → every node declaring it, in path order
            let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for (n, node) in env.nodes.iter().enumerate() {
                if let Some(first) = node.duplicate_of {
                    groups.entry(first).or_insert_with(|| vec![first]).push(n);
                }
            }
            // one finding per group, on its first script (path order), with
            // the others as related locations: 1,000 scripts sharing an id
            // give one finding with 999 labels, not 1,000 x 999 names
            for members in groups.values() {
                let (&m, others) = members.split_first().expect("a group has members");
                let node = &env.nodes[m];
                let path = project.files[node.file].path;
                const NAMED: usize = 3;
                let mut names: Vec<String> = others
                    .iter()
                    .take(NAMED)
                    .map(|&o| {
                        env.rel(project.files[env.nodes[o].file].path)
                            .display()
                            .to_string()
                    })
                    .collect();
                if others.len() > NAMED {
                    names.push(format!("{} more", others.len() - NAMED));
                }
                let id = &node.id;
                let mut diag = META.diag(
                    node.anchor(),
                    format!(
                        "revision id \"{id}\" is also declared by {}: alembic warns \"Revision {id} is present more than once\", then `alembic upgrade head` fails with \"Multiple head revisions are present for given argument 'head'\" and `alembic heads` lists \"{id} (head)\" twice",
                        names.join(", ")
                    ),
                );
                for &o in others {
                    let other = &env.nodes[o];
                    diag.labels.push(graph::label(
                        path,
                        project.files[other.file].path,
                        other.anchor(),
                        format!("\"{id}\" declared here too"),
                    ));
                }
                diag = diag.with_help(
                    "give all but one of the scripts a new, unique revision id, and update the `down_revision` of the revisions that follow them",
                );
                out.push((node.file, diag));
            }
        }
    }
}
