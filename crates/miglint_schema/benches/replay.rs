//! The semantic model on a generated 10,000-revision project: a trunk of
//! revisions that create tables, add, tighten, backfill and drop columns,
//! with a fork closed by a merge every 100 revisions. Parses once, then
//! times `SchemaModel::build` (every revision replayed for three dialects
//! in one replay) and prints the median wall time, and the CPU time per
//! build (user+system of the process over all builds, from /proc; on a
//! loaded machine compare that). Run with
//! `cargo bench -p miglint_schema --bench replay`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use miglint_diagnostics::DialectSet;
use miglint_python::{Module, PythonParser, SqlSource};
use miglint_schema::{RevisionInput, SchemaModel, SqlOf};
use miglint_sql::SqlStatement;

// the allocator of the `miglint` binary (see its main.rs), so that the
// bench times the model as the linter runs it
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const REVISIONS: usize = 10_000;
const ITERATIONS: usize = 21;

fn source(i: usize) -> String {
    let table = format!("t{}", i / 50);
    let mut body = String::new();
    if i.is_multiple_of(50) {
        body.push_str(&format!(
            "    op.create_table(\"{table}\", sa.Column(\"id\", sa.Integer(), primary_key=True))\n"
        ));
    }
    body.push_str(&format!(
        "    op.add_column(\"{table}\", sa.Column(\"c{i}\", sa.String(20)))\n    \
         op.execute(\"UPDATE {table} SET c{i} = 'x'\")\n    \
         op.alter_column(\"{table}\", \"c{i}\", existing_type=sa.String(20), nullable=False)\n"
    ));
    if i.is_multiple_of(7) && i > 0 {
        body.push_str(&format!(
            "    op.drop_column(\"{table}\", \"c{}\")\n",
            i - 1
        ));
    }
    format!(
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"r{i}\"\n\n\
         def upgrade():\n{body}\n\ndef downgrade():\n    op.drop_column(\"{table}\", \"c{i}\")\n"
    )
}

/// Parents: a trunk; every 100 revisions two siblings fork from one
/// revision and the next one merges them.
fn parents(i: usize) -> Vec<usize> {
    if i == 0 {
        Vec::new()
    } else if i % 100 == 2 {
        vec![i - 2]
    } else if i % 100 == 3 {
        vec![i - 1, i - 2]
    } else {
        vec![i - 1]
    }
}

fn main() {
    let mut parser = PythonParser::new();
    let sources: Vec<String> = (0..REVISIONS).map(source).collect();
    let modules: Vec<Module> = sources.iter().map(|s| parser.parse(s)).collect();
    let paths: Vec<PathBuf> = (0..REVISIONS)
        .map(|i| PathBuf::from(format!("bench/versions/r{i}.py")))
        .collect();
    let analyzed: Vec<Vec<(usize, Vec<SqlStatement>)>> = modules
        .iter()
        .map(|m| {
            m.ops
                .iter()
                .enumerate()
                .filter_map(|(k, op)| match op.sql()? {
                    SqlSource::Literal(lit) => {
                        Some((k, miglint_sql::analyze(&lit.value, DialectSet::ALL)))
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    let inputs: Vec<RevisionInput<'_>> = (0..REVISIONS)
        .map(|i| RevisionInput {
            path: &paths[i],
            source: &sources[i],
            file: None,
            module: &modules[i],
            sql: analyzed[i]
                .iter()
                .filter_map(|(k, stmts)| match modules[i].ops[*k].sql()? {
                    SqlSource::Literal(lit) => Some(SqlOf {
                        op: *k,
                        lit,
                        statements: stmts,
                    }),
                    _ => None,
                })
                .collect(),
            targets: DialectSet::ALL,
            parents: Some(parents(i)),
        })
        .collect();
    let order: Vec<Vec<usize>> = vec![(0..REVISIONS).collect()];
    let mut times: Vec<Duration> = Vec::with_capacity(ITERATIONS);
    let cpu_start = cpu_seconds();
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        let model = SchemaModel::build(&inputs, &order);
        times.push(start.elapsed());
        std::hint::black_box(&model);
    }
    let cpu = cpu_seconds()
        .zip(cpu_start)
        .map(|(b, a)| (b - a) / ITERATIONS as f64);
    times.sort();
    println!(
        "schema model, {REVISIONS} revisions ({} ops): median {:?}, min {:?}, max {:?}, \
         CPU per build {}",
        modules.iter().map(|m| m.ops.len()).sum::<usize>(),
        times[ITERATIONS / 2],
        times[0],
        times[ITERATIONS - 1],
        cpu.map_or("unknown".to_string(), |c| format!("{:.1} ms", c * 1000.0))
    );
}

/// User+system CPU seconds of this process so far (Linux /proc; `None`
/// elsewhere). Clock ticks are assumed to be 100 per second (the Linux
/// default `USER_HZ`).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name (which may hold spaces)
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
