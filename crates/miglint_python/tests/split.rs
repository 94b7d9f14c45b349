//! A huge `upgrade()` parsed in pieces on several threads (issue 15, see
//! `src/split.rs`): the model is the one a whole parse gives. Checked on
//! every fixture and truth revision (and with MIGLINT_EQUIV_DIR set, every
//! `*.py` below it), each cut into 2 to 8 pieces with no size threshold,
//! and on a generated body of every kind of statement boundary, cut into
//! 2 to 48 pieces; and after chains of random edits of every fixture
//! (broken strings and brackets, guards, early returns, pasted lines).

mod support;

use miglint_python::PythonParser;
use support::{Rng, equivalence_files, model, random_edit, truth_revisions};

/// A pool with more threads than pieces: the pieces are capped by the
/// pool's size.
fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(64)
        .build()
        .expect("a thread pool")
}

/// Compares the cut models of `src` with its whole model; returns how many
/// of the parses were cut.
fn check(src: &str, what: &str, pieces: std::ops::RangeInclusive<usize>) -> usize {
    let whole = model(&mut PythonParser::new(), src);
    let mut cut = 0;
    for n in pieces {
        let mut parser = PythonParser::new().with_split(0, 1, n);
        let got = model(&mut parser, src);
        if parser.last_pieces() > 1 {
            cut += 1;
        }
        assert!(
            got == whole,
            "{what}: the model of {} pieces (asked {n}) differs",
            parser.last_pieces()
        );
    }
    cut
}

/// Asked for up to `pieces` pieces, `src` is parsed whole, with the whole
/// parse's model.
fn parsed_whole(src: &str, pieces: usize, what: &str) {
    pool().install(|| {
        let whole = model(&mut PythonParser::new(), src);
        let mut parser = PythonParser::new().with_split(0, 1, pieces);
        assert_eq!(model(&mut parser, src), whole, "{what}");
        assert_eq!(parser.last_pieces(), 1, "{what}");
    });
}

#[test]
fn cut_functions_give_the_whole_model() {
    let mut files = equivalence_files();
    files.extend(truth_revisions());
    assert!(files.len() > 300, "{}", files.len());
    let (mut cut_files, mut cuts) = (0, 0);
    pool().install(|| {
        for f in &files {
            if let Ok(src) = std::fs::read_to_string(f) {
                let n = check(&src, &f.display().to_string(), 2..=8);
                cut_files += usize::from(n > 0);
                cuts += n;
            }
        }
    });
    // (many fixtures have an upgrade() of one statement, or a syntax error)
    assert!(
        cut_files * 5 > files.len() * 2,
        "only {cut_files} of {} files were cut",
        files.len()
    );
    assert!(cuts > 3 * cut_files, "{cuts} cut parses");
}

/// Every fixture and truth revision after each of a chain of random edits
/// (the edits of the incremental-parse test: characters typed and deleted,
/// scope-changing lines inserted, lines pasted and removed), cut into 2 to
/// 4 pieces: the model is the whole parse's, or the file is parsed whole.
#[test]
fn randomly_edited_files_cut_give_the_whole_model() {
    let mut files = equivalence_files();
    files.extend(truth_revisions());
    let mut cut = 0;
    pool().install(|| {
        for f in &files {
            let Ok(mut text) = std::fs::read_to_string(f) else {
                continue;
            };
            let what = f.display().to_string();
            let mut rng = Rng::for_file(f);
            for step in 0..6 {
                text = random_edit(&text, &mut rng);
                cut += check(&text, &format!("{what} after {} edits", step + 1), 2..=4);
            }
        }
    });
    // (2,014 of 14,400 with these files and seeds)
    assert!(cut > 1_500, "{cut} cut parses");
}

/// Statements that change what follows them, statements whose lines sit
/// at the body's indentation inside brackets or strings, clauses that may
/// not start a piece, comments at every indentation.
const BODY: &[&str] = &[
    "    t = sa.table(\"t\", sa.column(\"id\"))\n",
    "    op.bulk_insert(t, [{\"id\": 1}])\n",
    "    op.create_table(\n    \"w\",\n    sa.Column(\"id\", sa.Integer()),\n    )\n",
    "    op.execute(\"\"\"\n    UPDATE t SET a = 1\nWHERE b = 2\n    \"\"\")\n",
    "    op.execute('''\n    DELETE FROM t\n''')\n",
    "    x = 1 + \\\n    2\n",
    "    # a comment at the body's indentation\n",
    "# a comment at column 0 inside the body\n",
    "    if op.get_bind().dialect.name == \"postgresql\":\n        op.execute(\"CREATE EXTENSION x\")\n    else:\n        op.add_column(\"t\", sa.Column(\"c\", sa.Integer()))\n",
    "    try:\n        op.create_unique_constraint(\"u\", \"t\", [\"a\"])\n    except Exception:\n        pass\n    finally:\n        pass\n",
    "    with op.batch_alter_table(\"t\") as batch_op:\n        batch_op.alter_column(\"c\", nullable=False)\n",
    "    batch_op.drop_column(\"d\")\n",
    "    @decorated\n    def inner():\n        op.drop_table(\"x\")\n",
    "    _helper(conn)\n",
    "    is_sqlite = op.get_bind().dialect.name == \"sqlite\"\n",
    "    if is_sqlite:\n        op.alter_column(\"t\", \"c\", nullable=True)\n",
    "    op.add_column(\"t\", sa.Column(\"d\", sa.Boolean(), server_default=sa.text(\"1\")))\n",
    "    op.alter_column(\"t\", \"d\", existing_type=sa.Boolean(), nullable=False)\n",
    "    if not has_table(\"t\"):\n        return\n",
    "\n",
    "    op.drop_column(\"t\", \"c\")  # trailing comment\n",
];

/// A revision whose `upgrade()` has `body_lines` of [`BODY`] (a bare
/// `return` before line `return_at`), then `tail`.
fn generated(body_lines: usize, tail: &str, return_at: Option<usize>) -> String {
    let mut src = String::from(
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"r1\"\ndown_revision = None\n\n\ndef _helper(conn):\n    op.drop_index(\"ix\")\n\n\n@op_decorator\ndef upgrade():\n    \"\"\"Docstring.\"\"\"\n",
    );
    for i in 0..body_lines {
        if return_at == Some(i) {
            src.push_str("    return\n");
        }
        src.push_str(BODY[i % BODY.len()]);
        if i % 7 == 3 {
            src.push_str(BODY[(i * 5) % BODY.len()]);
        }
    }
    src.push_str(tail);
    src
}

#[test]
fn cut_bodies_of_every_statement_boundary_give_the_whole_model() {
    let tails = [
        "    # the body's last comment\n\n\ndef downgrade():\n    op.drop_table(\"w\")\n",
        "# column-0 comment after the body\n\nconn = None\n",
        "",
        "    op.execute(\"SELECT 1\")",
    ];
    pool().install(|| {
        for (i, tail) in tails.iter().enumerate() {
            // (a bare return: every later piece is unreachable)
            let src = generated(120, tail, (i == 1).then_some(40));
            let cut = check(&src, &format!("generated body {i}"), 2..=48);
            assert!(
                cut >= 40,
                "generated body {i}: only {cut} of 47 parses were cut"
            );
        }
    });
}

/// Bodies of op calls alone, whose later pieces are extracted in parallel
/// from the body's first scope and kept: with a bare `return` or a dialect
/// guard's early return in the middle, the pieces after it are not.
#[test]
fn pieces_extracted_apart_give_the_whole_model() {
    const PLAIN: &[&str] = &[
        "    op.add_column(\"t\", sa.Column(\"c\", sa.Integer()))\n",
        "    op.drop_column(\"t\", \"d\")  # why\n",
        "    op.execute(\"\"\"\n    UPDATE t SET a = 1\n\"\"\")\n",
        "    op.create_index(\n    \"ix\", \"t\", [\"c\"]\n    )\n",
        "    # a comment\n",
    ];
    let middles = [
        "",
        "    return\n",
        "    if op.get_bind().dialect.name == \"sqlite\":\n        return\n",
        "    _helper()\n    return\n",
    ];
    pool().install(|| {
        for (i, middle) in middles.iter().enumerate() {
            let mut src = String::from(
                "from alembic import op\nimport sqlalchemy as sa\n\n\ndef _helper():\n    op.drop_table(\"x\")\n\n\ndef upgrade():\n",
            );
            for j in 0..150 {
                if j == 75 {
                    src.push_str(middle);
                }
                src.push_str(PLAIN[j % PLAIN.len()]);
            }
            src.push_str("\n\ndef downgrade():\n    pass\n");
            let cut = check(&src, &format!("plain body {i}"), 2..=48);
            assert!(cut >= 40, "plain body {i}: only {cut} of 47 parses were cut");
        }
    });
}

/// A cut that would fall inside a string the body's lines continue, or
/// before a clause, moves to the next statement; a file whose pieces do
/// not fit together (a syntax error) is parsed whole.
#[test]
fn a_broken_file_is_parsed_whole() {
    let mut src = generated(60, "", None);
    src.push_str("    op.execute(\"unterminated\n    op.drop_table(\"t\")\n");
    parsed_whole(&src, 4, "a broken file");
}

/// A line dedented below the body (an IndentationError for CPython, none
/// for tree-sitter, which ends the function there) in either piece: the
/// file is parsed whole.
#[test]
fn an_inconsistent_dedent_is_parsed_whole() {
    for at in [10, 50] {
        let mut src = String::from("from alembic import op\n\n\ndef upgrade():\n");
        for i in 0..60 {
            let indent = if i == at { "   " } else { "    " };
            src.push_str(&format!("{indent}op.drop_column(\"t\", \"c{i}\")\n"));
        }
        src.push_str("    x = 1\n");
        parsed_whole(&src, 2, &format!("dedent at {at}"));
    }
}

/// Only a body of at least the threshold is cut, into pieces of at least
/// the minimum, and no more than the pool's threads.
#[test]
fn sizes_and_threads_bound_the_pieces() {
    let src = generated(400, "", None);
    let body = src.len() - src.find("def upgrade").unwrap_or(0);
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a thread pool");
    two.install(|| {
        let mut p = PythonParser::new().with_split(0, 1, 8);
        p.parse_checked(&src).expect("parses");
        assert_eq!(p.last_pieces(), 2, "capped by the pool");
    });
    pool().install(|| {
        let mut p = PythonParser::new().with_split(body + 1, 1, 8);
        p.parse_checked(&src).expect("parses");
        assert_eq!(p.last_pieces(), 1, "below the threshold");
        let mut p = PythonParser::new().with_split(0, body / 4, 8);
        p.parse_checked(&src).expect("parses");
        assert_eq!(
            p.last_pieces(),
            3,
            "pieces of at least a quarter of the function: 3"
        );
        // the default: a file of this size is parsed whole
        let mut p = PythonParser::new();
        p.parse_checked(&src).expect("parses");
        assert_eq!(p.last_pieces(), 1);
    });
}
