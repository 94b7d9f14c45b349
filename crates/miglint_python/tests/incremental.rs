//! Incremental re-parsing and partial re-extraction (issue 12): after any
//! edit, the model of a parser that re-used its previous tree and what its
//! last extraction found in the unchanged statements is the model of a
//! fresh parse. Checked on every fixture and every revision of the truth
//! cases (and with MIGLINT_EQUIV_DIR set, every `*.py` below it):
//! - edits at two places: a character typed, one deleted, a quote added
//!   (a syntax error for a moment); each edit undone again;
//! - a chain of random edits on one parser (characters typed, replaced and
//!   deleted; lines inserted, copied and deleted; guards and early returns
//!   inserted, which change the scope of every statement after them),
//!   then the way back to the original text.

mod support;

use miglint_python::PythonParser;
use support::{Rng, equivalence_files, model, random_edit, truth_revisions};

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

fn check_chain(src: &str, file: &std::path::Path) {
    let what = file.display();
    let mut live = PythonParser::new().incremental();
    let mut rng = Rng::for_file(file);
    let mut text = src.to_string();
    live.parse_checked(&text).ok();
    let mut texts = vec![text.clone()];
    for _ in 0..6 {
        text = random_edit(&text, &mut rng);
        texts.push(text.clone());
    }
    // the edits, then back to the original
    let back: Vec<String> = texts.iter().rev().skip(1).cloned().collect();
    for t in texts.iter().skip(1).chain(&back) {
        let got = model(&mut live, t);
        let fresh = model(&mut PythonParser::new(), t);
        assert!(got == fresh, "{what}: incremental model differs for\n{t}");
    }
}

#[test]
fn random_edit_chains_give_the_fresh_model() {
    let mut files = equivalence_files();
    files.extend(truth_revisions());
    assert!(files.len() > 400);
    for f in &files {
        if let Ok(src) = std::fs::read_to_string(f) {
            check_chain(&src, f);
        }
    }
}

/// The statements of a long function body, most of them kept while the
/// edits move them (every span shifted) and change their scope.
#[test]
fn kept_statements_are_shifted_and_rescoped() {
    let mut src = String::from(
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"b\"\ndown_revision = \"a\"\n\n\ndef upgrade():\n",
    );
    for i in 0..40 {
        src.push_str(&format!(
            "    op.add_column(\"t{i}\", sa.Column(\"c\", sa.Text(), server_default=\"x\\n{i}\"))  # c{i}\n    op.execute(\"UPDATE t{i} SET c = 'é'\")\n"
        ));
        if i % 10 == 5 {
            src.push_str("    with op.batch_alter_table(\"b\") as batch_op:\n        batch_op.drop_column(\"c\")\n");
        }
    }
    src.push_str("\n\ndef downgrade():\n    pass\n");
    let mut live = PythonParser::new().incremental();
    let mut text = src.clone();
    live.parse_checked(&text).ok();
    let mut rng = Rng::new("kept");
    for _ in 0..40 {
        text = random_edit(&text, &mut rng);
        let got = model(&mut live, &text);
        assert!(
            got == model(&mut PythonParser::new(), &text),
            "incremental model differs for\n{text}"
        );
    }
}
