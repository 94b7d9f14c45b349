//! The parser guards: CPython's nesting limits and the parse time budget.

use std::time::{Duration, Instant};

use miglint_python::{PythonParser, RefusalKind};

/// Reproducer 1 of issue 16: ~511 nested blocks with a string inside
/// aborted the process in tree-sitter-python's scanner.
#[test]
fn deep_indentation_is_a_syntax_error_not_an_abort() {
    let mut src: String = (0..511)
        .map(|i| format!("{}if 1:\n", " ".repeat(i)))
        .collect();
    src.push_str(&" ".repeat(511));
    src.push_str("x = \"a\"");
    let refusal = PythonParser::new().parse_checked(&src).unwrap_err();
    assert_eq!(refusal.kind, RefusalKind::Syntax);
    assert!(refusal.message.contains("too many levels of indentation"));
    // the 100th level, where CPython stops
    assert_eq!(src[..refusal.range.start() as usize].lines().count(), 100);
}

/// Comment lines after an indented block, the input on which
/// tree-sitter-python is quadratic (issue 16, reproducer 4).
fn comments_after_block(lines: usize) -> String {
    let mut s = String::from("def upgrade():\n    pass\n");
    for i in 0..lines {
        s.push_str(&format!("    # comment {i}\n"));
    }
    s.push_str("x = 1\n");
    s
}

/// Reproducer 4: linear now (comment runs are hidden from the scanner),
/// and every comment is still in the model (suppressions read them).
#[test]
fn comment_runs_parse_in_linear_time() {
    let src = comments_after_block(16_000);
    let start = Instant::now();
    let m = PythonParser::new().parse_checked(&src).unwrap();
    // 49 s before the mitigation; well under a second with it (release)
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(m.comments.len(), 16_000);
    assert!(m.syntax_errors.is_empty());
    assert_eq!(&src[m.comments[5].as_usize()], "# comment 5");
}

#[test]
fn over_budget_is_refused_and_the_parser_recovers() {
    let mut parser = PythonParser::new().with_budget(Duration::from_millis(1));
    let start = Instant::now();
    let big = "op.execute('select 1')\n".repeat(200_000);
    let refusal = parser.parse_checked(&big).unwrap_err();
    assert_eq!(refusal.kind, RefusalKind::Budget);
    assert!(
        refusal.message.contains("parse budget"),
        "{}",
        refusal.message
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    // a cancelled parse does not leak into the next one
    let mut parser = parser.with_budget(Duration::from_secs(10));
    let m = parser
        .parse_checked("revision = 'a'\ndef upgrade():\n    op.drop_table('t')\n")
        .unwrap();
    assert_eq!(m.ops.len(), 1);
    assert!(m.syntax_errors.is_empty());
}
