//! The server's re-lint of an edited buffer (issue 12, latency: an
//! incremental parse and a partial re-extraction) publishes what a fresh
//! server publishes for the same text. One long-lived project state is fed
//! every fixture and every truth-case revision in turn, each edited a few
//! times (characters typed and deleted, lines deleted, a guard inserted);
//! after each step its reports equal those of a new project state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miglint_server::convert::normalize;
use miglint_server::project::ProjectState;

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

fn boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Step `step` of the edits of `src`: a character typed, a line deleted, a
/// dialect guard with an early return inserted, a character deleted.
fn edited(src: &str, step: usize, seed: usize) -> String {
    let at = boundary(src, (seed * 7919 + step * 104_729) % (src.len() + 1));
    let line = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i + 1);
    match step % 4 {
        0 => format!("{}x{}", &src[..at], &src[at..]),
        1 => format!("{}{}", &src[..line], &src[line_end..]),
        2 => format!(
            "{}    if op.get_bind().dialect.name == \"sqlite\":\n        return\n{}",
            &src[..line],
            &src[line..]
        ),
        _ => {
            let end = boundary(src, at + 1);
            format!("{}{}", &src[..at], &src[end..])
        }
    }
}

fn reports(project: &mut ProjectState, path: &Path, generation: u64, text: &str) -> String {
    let mut open: HashMap<PathBuf, (u64, Arc<str>)> = HashMap::new();
    open.insert(path.to_path_buf(), (generation, Arc::from(text)));
    let e = project.evaluate(&open, &|_, _| true);
    // in the order the server publishes them (a tie of place and code,
    // ML604 on two enum types dropped by one call, is broken by the message)
    e.reports
        .iter()
        .map(|r| {
            let d: Vec<String> = r.diagnostics.iter().map(|d| format!("{d:#?}")).collect();
            format!("{:?}\n{}", r.source.path, d.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn edited_buffers_get_the_fresh_reports() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    python_files(&repo.join("tests/fixtures"), &mut files);
    python_files(&repo.join("tests/truth/cases"), &mut files);
    files.sort();
    assert!(files.len() > 400);

    let dir = tempfile::tempdir().unwrap();
    let root = normalize(dir.path());
    std::fs::create_dir_all(root.join("alembic/versions")).unwrap();
    std::fs::write(
        root.join("alembic.ini"),
        "[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql://localhost/db\n",
    )
    .unwrap();
    let path = root.join("alembic/versions/r1_edited.py");
    let mut live = ProjectState::new(root.clone());
    let mut generation = 0;
    for (seed, f) in files.iter().enumerate() {
        let Ok(src) = std::fs::read_to_string(f) else {
            continue;
        };
        std::fs::write(&path, &src).unwrap();
        live.rediscover();
        let mut text = src.clone();
        for step in 0..5 {
            if step > 0 {
                text = edited(&text, step, seed);
            }
            generation += 1;
            let got = reports(&mut live, &path, generation, &text);
            let fresh = reports(&mut ProjectState::new(root.clone()), &path, 1, &text);
            assert!(
                got == fresh,
                "{}, edit {step}: the re-lint differs from a fresh lint for\n{text}",
                f.display()
            );
        }
    }
}
