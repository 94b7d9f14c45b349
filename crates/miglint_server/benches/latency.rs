//! Editor latency of `miglint server`'s lint path (a bench binary, not a
//! test: it prints medians). Run with
//! `cargo bench -p miglint_server --bench latency`.
//!
//! 1. re-lint of a 1,000-line revision after a one-character change: the
//!    per-file phase alone (`Linter::lint_source`), and the whole server
//!    step (`ProjectState::evaluate`: re-lint the buffer, project phase,
//!    finish the open file) in a two-revision project;
//! 2. graph re-evaluation in a 1,000-revision project (files on disk, one
//!    open buffer edited, in the middle of the chain and at its head): the
//!    same server step, and the project phase alone (nothing changed: every
//!    per-file result is reused).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use miglint_diagnostics::{Dialect, DialectSet};
use miglint_linter::{Linter, LinterSettings};
use miglint_python::PythonParser;
use miglint_server::project::ProjectState;

/// Runs per measurement (`MIGLINT_BENCH_ITERATIONS` overrides: more for a
/// profiler).
fn iterations() -> usize {
    std::env::var("MIGLINT_BENCH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(31)
}

/// `MIGLINT_BENCH_ONLY=file|graph`: one section only (for a profiler).
fn section(name: &str) -> bool {
    std::env::var("MIGLINT_BENCH_ONLY").map_or(true, |s| s == name)
}

/// On-CPU time of the calling thread (Linux schedstat, in ns): on a shared,
/// loaded machine wall time measures the neighbours too. The kernel brings
/// it up to date at each scheduler tick (4 ms at HZ=250) while the thread
/// runs, so [`measure`] times batches long enough to make that small.
fn cpu_now() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// On-CPU time of every thread of the process (the sum over
/// `/proc/self/task/*/schedstat`): the project phase runs on rayon's
/// threads too. The pool's threads live as long as the process, so the
/// difference of two readings is the work done in between.
fn process_cpu_now() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .sum()
}

/// Runs `f` (with a new number each time) in batches of at least 150 ms of
/// wall time, iterations() batches: medians of the wall, the calling
/// thread's on-CPU time and the whole process's on-CPU time per run.
fn measure(mut f: impl FnMut(usize)) -> (Duration, Duration, Duration) {
    let mut n = 0;
    let mut batch = 0u32;
    let t = Instant::now();
    while batch == 0 || t.elapsed() < Duration::from_millis(150) {
        n += 1;
        f(n);
        batch += 1;
    }
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    let mut all = Vec::new();
    for _ in 0..iterations() {
        let (t, c, a) = (Instant::now(), cpu_now(), process_cpu_now());
        for _ in 0..batch {
            n += 1;
            f(n);
        }
        wall.push(t.elapsed() / batch);
        cpu.push(cpu_now().saturating_sub(c) / batch);
        all.push(process_cpu_now().saturating_sub(a) / batch);
    }
    (median(wall), median(cpu), median(all))
}

fn both((wall, cpu, all): (Duration, Duration, Duration)) -> String {
    format!(
        "{} wall, {} on CPU ({} all threads)",
        ms(wall),
        ms(cpu),
        ms(all)
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A revision of about `lines` lines: tables with columns, column
/// additions with defaults, and literal SQL.
fn revision(id: &str, down: Option<&str>, lines: usize) -> String {
    let mut s = format!(
        "\"\"\"step {id}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"{id}\"\ndown_revision = {}\n\n\ndef upgrade():\n",
        down.map_or_else(|| String::from("None"), |d| format!("\"{d}\""))
    );
    let mut i = 0;
    while 12 + 10 * i < lines {
        s.push_str(&format!(
            "    op.create_table(\n        \"t{id}_{i}\",\n        sa.Column(\"id\", sa.Integer(), primary_key=True),\n        sa.Column(\"name\", sa.String(length=50), nullable=False),\n        sa.Column(\"active\", sa.Boolean(), server_default=sa.true()),\n        sa.Column(\"created\", sa.DateTime(), server_default=sa.func.now()),\n    )\n    op.add_column(\"t{id}_{i}\", sa.Column(\"note\", sa.Text(), nullable=True))\n    op.create_index(\"ix_t{id}_{i}_name\", \"t{id}_{i}\", [\"name\"])\n    op.execute(\"UPDATE t{id}_{i} SET name = 'x' WHERE name IS NULL\")\n"
        ));
        i += 1;
    }
    s.push_str("\n\ndef downgrade():\n");
    for j in (0..i).rev() {
        s.push_str(&format!("    op.drop_table(\"t{id}_{j}\")\n"));
    }
    s
}

fn write_project(dir: &Path, revisions: usize, lines: usize) -> Vec<PathBuf> {
    let versions = dir.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql://localhost/db\n",
    )
    .unwrap();
    let mut paths = Vec::new();
    for k in 0..revisions {
        let id = format!("{k:04x}aa");
        let down = (k > 0).then(|| format!("{:04x}aa", k - 1));
        let p = versions.join(format!("{id}_step.py"));
        std::fs::write(&p, revision(&id, down.as_deref(), lines)).unwrap();
        paths.push(p);
    }
    paths
}

/// The text with one character changed (alternating, so every run differs
/// from the previous one).
fn edited(text: &str, n: usize) -> String {
    let at = text.find("\"name\"").unwrap() + 2;
    let mut s = text.to_string();
    s.replace_range(at..at + 1, if n.is_multiple_of(2) { "m" } else { "a" });
    s
}

/// One server step after an edit of `path`'s buffer: (median, project size).
fn server_step(dir: &Path, path: &Path) -> (Duration, Duration, Duration) {
    let root = miglint_server::convert::normalize(dir);
    let path = miglint_server::convert::normalize(path);
    let mut project = ProjectState::new(root);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut open: HashMap<PathBuf, (u64, Arc<str>)> = HashMap::new();
    open.insert(path.clone(), (0, text.clone().into()));
    // the first evaluation lints every file (the server does it once)
    let first = Instant::now();
    let e = project.evaluate(&open, &|p, _| open.contains_key(p));
    assert_eq!(e.reports.len(), 1);
    eprintln!(
        "    (first evaluation, every file linted: {})",
        ms(first.elapsed())
    );
    measure(|n| {
        open.insert(path.clone(), (n as u64, edited(&text, n).into()));
        let e = project.evaluate(&open, &|p, _| open.contains_key(p));
        assert_eq!(e.reports.len(), 1);
    })
}

/// With MIGLINT_BENCH_RULES=1: the per-file and project-phase time of
/// each rule alone, to find the slow one.
fn per_rule(text: &str, many: &[PathBuf]) {
    let targets = DialectSet::single(Dialect::Postgresql);
    let path = PathBuf::from("alembic/versions/b2_step.py");
    let mut parser = PythonParser::new();
    let all = Linter::new(LinterSettings::with_targets(targets));
    let mut results: Vec<_> = many
        .iter()
        .map(|p| all.lint_source(&mut parser, p, &std::fs::read_to_string(p).unwrap()))
        .collect();
    for rule in miglint_linter::RULES {
        let code = rule.meta().code;
        let linter = Linter::new(LinterSettings::only(code, targets));
        let t = Instant::now();
        for _ in 0..5 {
            std::hint::black_box(linter.lint_source(&mut parser, &path, text));
        }
        let file = t.elapsed() / 5;
        let t = Instant::now();
        for _ in 0..5 {
            std::hint::black_box(linter.finish_cached(&mut results, |_, _| false));
        }
        let project = t.elapsed() / 5;
        println!(
            "  {code}: file {}  project(1,000 revisions) {}",
            ms(file),
            ms(project)
        );
    }
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    if std::env::var_os("MIGLINT_BENCH_RULES").is_some() {
        let many = write_project(&tmp.path().join("many"), 1000, 30);
        per_rule(&revision("b2", Some("a1"), 1000), &many);
        return;
    }

    if section("file") {
        file_section(&tmp);
    }
    if section("graph") {
        graph_section(&tmp);
    }
}

/// 1. a 1,000-line revision
fn file_section(tmp: &tempfile::TempDir) {
    let text = revision("b2", Some("a1"), 1000);
    println!(
        "1,000-line revision ({} lines, {} bytes):",
        text.lines().count(),
        text.len()
    );
    let linter = Linter::new(LinterSettings::with_targets(DialectSet::single(
        Dialect::Postgresql,
    )));
    let mut parser = PythonParser::new();
    let path = PathBuf::from("alembic/versions/b2_step.py");
    let texts: Vec<String> = (0..=iterations()).map(|n| edited(&text, n)).collect();
    let t = measure(|n| {
        std::hint::black_box(linter.lint_source(&mut parser, &path, &texts[n % texts.len()]));
    });
    println!(
        "  per-file re-lint after a one-character change: {}",
        both(t)
    );
    // where the time goes: the parse alone (fresh and incremental, as the
    // server does it), and the re-lint with the incremental parser
    let mut fresh = PythonParser::new();
    let t = measure(|n| {
        std::hint::black_box(fresh.parse(&texts[n % texts.len()]));
    });
    println!(
        "    of which parse + model extraction (fresh parse): {}",
        both(t)
    );
    let mut live = PythonParser::new().incremental();
    live.parse(&texts[0]);
    let t = measure(|n| {
        std::hint::black_box(live.parse(&texts[n % texts.len()]));
    });
    println!(
        "    parse + model extraction, incremental parse: {}",
        both(t)
    );
    // the server's linter keeps each file's SQL analysis between re-lints
    let server_linter = Linter::new(LinterSettings::with_targets(DialectSet::single(
        Dialect::Postgresql,
    )))
    .keep_sql();
    let t = measure(|n| {
        std::hint::black_box(server_linter.lint_source(&mut live, &path, &texts[n % texts.len()]));
    });
    println!(
        "  per-file re-lint with the incremental parse (the server's): {}",
        both(t)
    );
    let small = tmp.path().join("small");
    let paths = write_project(&small, 1, 20);
    let big = small.join("alembic/versions/b2_step.py");
    std::fs::write(&big, &text).unwrap();
    drop(paths);
    println!(
        "  server step (re-lint + project phase + finish): {}",
        both(server_step(&small, &big))
    );

    // a 5 MB revision: what the lint thread spends on it (the main loop
    // goes on meanwhile; see the protocol tests)
    let mut huge = revision("c3", Some("b2"), 1000);
    while huge.len() < 5_000_000 {
        huge.push_str("    op.add_column(\"t\", sa.Column(\"c\", sa.Boolean(), server_default=sa.text(\"1\")))\n");
    }
    let (t, c) = (Instant::now(), cpu_now());
    let r = linter.lint_source(&mut parser, &path, &huge);
    println!(
        "5 MB revision ({} findings): one lint in {} wall, {} on CPU",
        r.diagnostics.len(),
        ms(t.elapsed()),
        ms(cpu_now().saturating_sub(c))
    );
}

/// 2. 1,000 revisions
fn graph_section(tmp: &tempfile::TempDir) {
    let many = tmp.path().join("many");
    let paths = write_project(&many, 1000, 30);
    println!("1,000-revision project (30 lines each):");
    let edited_file = &paths[500];
    println!(
        "  server step after an edit of one revision (re-lint it, stat the others, graph rules over all): {}",
        both(server_step(&many, edited_file))
    );
    // the usual edit: the head (the kept model replays it alone; the edit
    // above replays it and the 499 revisions after it)
    println!(
        "  the same after an edit of the head revision: {}",
        both(server_step(&many, &paths[paths.len() - 1]))
    );
    // the project phase alone: nothing changed
    let root = miglint_server::convert::normalize(&many);
    let mut project = ProjectState::new(root);
    let open: HashMap<PathBuf, (u64, Arc<str>)> = HashMap::new();
    project.evaluate(&open, &|_, _| false);
    let t = measure(|_| {
        std::hint::black_box(project.evaluate(&open, &|_, _| false));
    });
    println!(
        "  graph re-evaluation, no file changed (stat + project phase): {}",
        both(t)
    );
    // where the project phase goes: every default rule, the semantic model
    // alone (built on first use; ML404 reads it and does little else), and
    // the revision-graph rules alone (ML5xx)
    let targets = DialectSet::single(Dialect::Postgresql);
    let mut parser = PythonParser::new();
    let all = Linter::new(LinterSettings::with_targets(targets));
    let mut results: Vec<_> = paths
        .iter()
        .map(|p| all.lint_source(&mut parser, p, &std::fs::read_to_string(p).unwrap()))
        .collect();
    results.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let t = measure(|_| {
        std::hint::black_box(all.finish_cached(&mut results, |_, _| false));
    });
    println!("    project phase, every default rule: {}", both(t));
    let model = Linter::new(LinterSettings::only("ML404", targets));
    let t = measure(|_| {
        std::hint::black_box(model.finish_cached(&mut results, |_, _| false));
    });
    println!(
        "    of which the semantic model (replay of 1,000 revisions, ML404 alone): {}",
        both(t)
    );
    let mut graph_settings = LinterSettings::with_targets(targets);
    graph_settings.enabled = miglint_linter::RULES
        .iter()
        .map(|r| r.meta().code.starts_with("ML5"))
        .collect();
    let graph = Linter::new(graph_settings);
    let t = measure(|_| {
        std::hint::black_box(graph.finish_cached(&mut results, |_, _| false));
    });
    println!("    revision-graph rules alone (ML5xx): {}", both(t));
}
