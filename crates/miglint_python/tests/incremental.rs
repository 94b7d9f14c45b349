//! Incremental re-parsing (issue 12): after any edit, the model of a parser
//! that re-used its previous tree is the model of a fresh parse. Checked on
//! every fixture (and with MIGLINT_EQUIV_DIR set, every `*.py` below it)
//! with edits at two places: a character typed, one deleted, a quote added
//! (a syntax error for a moment); each edit undone again.

mod support;

use miglint_python::PythonParser;
use support::{equivalence_files, model};

fn edits(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for frac in [1, 4] {
        let mut at = src.len() * frac / 6;
        while !src.is_char_boundary(at) {
            at += 1;
        }
        let next = src[at..].chars().next().map_or(0, char::len_utf8);
        for insert in ["x", "", "'"] {
            let end = if insert.is_empty() { at + next } else { at };
            out.push(format!("{}{insert}{}", &src[..at], &src[end..]));
        }
    }
    out
}

fn check(src: &str, what: &str) {
    let mut live = PythonParser::new().incremental();
    let mut text = src.to_string();
    live.parse_checked(&text).ok();
    for edited in edits(src) {
        // edit, then undo: both incremental
        for t in [&edited, &text] {
            let got = model(&mut live, t);
            let fresh = model(&mut PythonParser::new(), t);
            assert!(got == fresh, "{what}: incremental model differs for\n{t}");
        }
    }
    text.push_str("\n# end\n");
    assert_eq!(
        model(&mut live, &text),
        model(&mut PythonParser::new(), &text)
    );
}

#[test]
fn incremental_parse_gives_the_fresh_model() {
    let files = equivalence_files();
    assert!(files.len() > 50);
    for f in &files {
        if let Ok(src) = std::fs::read_to_string(f) {
            check(&src, &f.display().to_string());
        }
    }
}
