//! Literal data displays hidden from tree-sitter (issue 16, memory): the
//! model is the same as from a parse of the whole text. Every qualifying
//! display is hidden here (minimum size 0) and the model compared with the
//! one of a parser that hides none. With MIGLINT_EQUIV_DIR set, every `*.py`
//! file below that folder is compared too (e.g. the real-world corpus).

mod support;

use miglint_python::PythonParser;
use support::{equivalence_files, model};

fn assert_same(src: &str, what: &str) {
    let hiding = model(&mut PythonParser::new().with_data_region_min(0), src);
    let whole = model(
        &mut PythonParser::new().with_data_region_min(usize::MAX),
        src,
    );
    assert!(
        hiding == whole,
        "{what}: the models differ\n--- hidden\n{hiding}\n--- whole\n{whole}"
    );
}

const SAMPLES: &[&str] = &[
    // ids as tuples and sets, bindings, op arguments, guards and mentions
    "revision = 'b'\ndown_revision = ('a1', 'a2')\nbranch_labels = {'x'}\ndepends_on = ['c', \"d\"]\n",
    "from alembic import op\nimport sqlalchemy as sa\nDIALECTS = ('mysql', 'mariadb')\n\
     ROWS = [{'id': 1, 'name': 'a'}, {'id': 2, 'name': 'b'}]\n\
     t = sa.table('t', sa.column('id'), sa.column('name'))\n\
     def upgrade():\n    names = ['postgresql', 'sqlite']\n    \
     if op.get_bind().dialect.name in DIALECTS:\n        op.drop_index('ix', 't')\n    \
     op.bulk_insert(t, [\n        {'id': 1, 'name': 'a'},  # first\n        \
     {'id': 2, 'name': u'b\\u00e9' 'c'},\n    ])\n    \
     op.create_index('ix', 't', ['a', 'b'], postgresql_where=None)\n    \
     op.execute(sa.text('SELECT 1').bindparams(x=(1, -2, 3.5e3, None, True, False)))\n    \
     sa.Enum('a', 'b').with_variant(sa.String(), ('mysql', 'sqlite'))\n    \
     x = ((1), (2,), [(3)], {4, 5}, {}, ())\n\ndef downgrade():\n    pass\n",
    // displays that must stay with tree-sitter
    "x = [1, 2] + [3]\ny = [1, 2][0]\nz = ('a', 'b') == w\nv = f([a, 1], [f'{b}'])\n",
    // a syntax error elsewhere: parsed whole
    "x = [1, 2, 3]\ndef upgrade(:\n    op.drop_table('t')\n",
    // comments inside displays, CRLF
    "x = [\r\n    1,  # one\r\n    # two\r\n    2,\r\n]\r\n",
];

#[test]
fn samples_give_the_same_model() {
    for (i, src) in SAMPLES.iter().enumerate() {
        assert_same(src, &format!("sample {i}"));
    }
}

/// The bulk_insert file of scripts/bench-memory, small.
#[test]
fn bulk_insert_rows_are_hidden_and_read_back() {
    let rows: String = (0..200)
        .map(|i| format!("        {{'id': {i}, 'name': 'n{i}', 'active': True}},\n"))
        .collect();
    let src = format!(
        "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    \
         t = sa.table('t', sa.column('id'))\n    op.bulk_insert(t, [\n{rows}    ])\n    \
         IDS = ({})\n",
        (0..500).map(|i| format!("{i}, ")).collect::<String>()
    );
    assert_same(&src, "bulk");
    let m = PythonParser::new().parse(&src);
    let bulk = m.ops.iter().find(|o| o.name == "bulk_insert").unwrap();
    let miglint_python::ExprKind::List(items) = &bulk.args[1].kind else {
        panic!("{:?}", bulk.args[1])
    };
    assert_eq!(items.len(), 200);
}

#[test]
fn fixtures_and_corpus_give_the_same_model() {
    let files = equivalence_files();
    assert!(!files.is_empty());
    for f in &files {
        if let Ok(src) = std::fs::read_to_string(f) {
            assert_same(&src, &f.display().to_string());
        }
    }
}
