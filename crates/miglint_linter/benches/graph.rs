//! The revision graph on a generated 10,000-revision project: a trunk with
//! regular forks closed by merges (two- and three-way), plus a labelled
//! branch that `depends_on` the trunk. Times building the environments and
//! running every ML5xx rule (each rule builds the graph itself), and prints
//! the medians. Run with `cargo bench -p miglint_linter --bench graph`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use miglint_diagnostics::{DialectSet, TextRange};
use miglint_linter::graph;
use miglint_linter::{Project, ProjectFile, RULES};
use miglint_python::{IdAssign, IdValue, Module, RevisionIds, Spanned};

const REVISIONS: usize = 10_000;
const ITERATIONS: usize = 21;

fn lit(s: &str) -> Spanned<String> {
    Spanned {
        value: s.to_string(),
        range: TextRange::new(0, s.len() as u32 + 2),
    }
}

fn assign(value: IdValue) -> Option<IdAssign> {
    Some(IdAssign {
        target: TextRange::new(0, 8),
        value,
        value_range: TextRange::new(11, 25),
    })
}

fn ids(rev: &str, down: &[String], labels: &[&str], deps: &[String]) -> RevisionIds {
    let seq = |v: &[String]| match v.len() {
        0 => IdValue::None,
        1 => IdValue::Str(lit(&v[0])),
        _ => IdValue::Seq(v.iter().map(|s| lit(s)).collect()),
    };
    RevisionIds {
        revision: assign(IdValue::Str(lit(rev))),
        down_revision: assign(seq(down)),
        branch_labels: assign(if labels.is_empty() {
            IdValue::None
        } else {
            IdValue::Seq(labels.iter().map(|l| lit(l)).collect())
        }),
        depends_on: assign(seq(deps)),
    }
}

/// (path, ids) of every revision.
fn generate() -> Vec<(PathBuf, RevisionIds)> {
    let mut out: Vec<(PathBuf, RevisionIds)> = Vec::with_capacity(REVISIONS);
    let mut next = 0usize;
    let mut new_id = || {
        next += 1;
        format!("{:012x}", next.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16)
    };
    let path = |id: &str, dir: &str| PathBuf::from(format!("bench/alembic/{dir}/{id}_step.py"));

    // the labelled side branch (10% of the revisions), depending on the trunk base
    let trunk_base = new_id();
    out.push((
        path(&trunk_base, "versions"),
        ids(&trunk_base, &[], &[], &[]),
    ));
    let side_base = new_id();
    out.push((
        path(&side_base, "versions/reports"),
        ids(
            &side_base,
            &[],
            &["reports"],
            std::slice::from_ref(&trunk_base),
        ),
    ));
    let mut side_head = side_base;
    for _ in 0..REVISIONS / 10 {
        let id = new_id();
        out.push((
            path(&id, "versions/reports"),
            ids(&id, &[side_head], &[], &[]),
        ));
        side_head = id;
    }

    // the trunk: runs of 5 revisions, then a fork of 2 or 3 lines of 3
    // revisions each, closed by a merge
    let mut head = trunk_base;
    let mut round = 0;
    while out.len() < REVISIONS {
        for _ in 0..5 {
            let id = new_id();
            out.push((
                path(&id, "versions"),
                ids(&id, std::slice::from_ref(&head), &[], &[]),
            ));
            head = id;
        }
        let width = if round % 2 == 0 { 2 } else { 3 };
        let mut tips = Vec::new();
        for _ in 0..width {
            let mut tip = head.clone();
            for _ in 0..3 {
                let id = new_id();
                out.push((path(&id, "versions"), ids(&id, &[tip], &[], &[])));
                tip = id;
            }
            tips.push(tip);
        }
        let merge = new_id();
        out.push((path(&merge, "versions"), ids(&merge, &tips, &[], &[])));
        head = merge;
        round += 1;
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let generated = generate();
    let modules: Vec<Module> = generated
        .iter()
        .map(|(_, ids)| Module {
            ids: ids.clone(),
            ..Module::default()
        })
        .collect();
    let files = generated
        .iter()
        .zip(&modules)
        .map(|((path, _), module)| ProjectFile {
            path,
            source: "",
            file: None,
            module,
            sql: &[],
            targets: DialectSet::ALL,
            no_transaction: false,
            env_sets_lock_timeout: false,
        })
        .collect();
    let project = Project::new(files, None);

    // sanity: one environment, healthy
    let envs = graph::environments(&project.files);
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0].nodes.len(), generated.len());
    let mut found = Vec::new();
    for rule in RULES.iter().filter(|r| r.meta().code.starts_with("ML5")) {
        rule.check_project(&project, &mut found);
    }
    assert!(
        found.iter().all(|(_, d)| d.code == "ML507"),
        "the generated graph is healthy"
    );

    let mut build = Vec::new();
    let mut rules = Vec::new();
    for _ in 0..ITERATIONS {
        let t = Instant::now();
        let envs = graph::environments(&project.files);
        std::hint::black_box(&envs);
        build.push(t.elapsed());

        let t = Instant::now();
        let mut found = Vec::new();
        for rule in RULES.iter().filter(|r| r.meta().code.starts_with("ML5")) {
            rule.check_project(&project, &mut found);
        }
        std::hint::black_box(&found);
        rules.push(t.elapsed());
    }
    println!(
        "graph: {} revisions, {ITERATIONS} iterations: build environments median {:.2} ms; all ML5xx rules median {:.2} ms",
        generated.len(),
        median(build).as_secs_f64() * 1e3,
        median(rules).as_secs_f64() * 1e3,
    );
}
