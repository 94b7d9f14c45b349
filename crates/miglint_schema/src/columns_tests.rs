//! What columns create besides themselves, on small projects (each fact
//! was measured on real databases by tests/truth/reality/).

use miglint_diagnostics::Dialect;

use crate::state::ConstraintKind;
use crate::tests::Project;
use crate::{Schema, schema_at};

fn schema(src: &str, d: Dialect) -> Schema {
    let p = Project::new(&[(src, Some(vec![]))]);
    let inputs = p.inputs();
    schema_at(&inputs, &[0], d, None)
}

fn kinds(s: &Schema, table: &str) -> Vec<(ConstraintKind, Option<String>, Vec<String>)> {
    s.table(table)
        .expect("table")
        .constraints
        .iter()
        .map(|c| (c.kind, c.name.clone(), c.columns.clone()))
        .collect()
}

#[test]
fn column_arguments_create_constraints_and_indexes() {
    let s = schema(
        "def upgrade():\n    op.create_table('t',\n        sa.Column('id', sa.Integer, primary_key=True),\n        sa.Column('p', sa.Integer, sa.ForeignKey('p.id', name='fk_p'), index=True),\n        sa.Column('s', sa.String, sa.CheckConstraint(\"s <> ''\", 'ck_s'), unique=True),\n        sa.Column('u', sa.String, unique=True, index=True),\n        sa.Index('ix_t_s_desc', 's', sa.text('p DESC'), sa.column('u').desc()),\n    )\n    op.add_column('t', sa.Column('q', sa.Integer, sa.ForeignKey('q.id')))\n",
        Dialect::Postgresql,
    );
    assert_eq!(
        kinds(&s, "t"),
        vec![
            (
                ConstraintKind::ForeignKey,
                Some("fk_p".into()),
                vec!["p".into()]
            ),
            (ConstraintKind::Check, Some("ck_s".into()), vec![]),
            (ConstraintKind::Unique, None, vec!["s".into()]),
            (ConstraintKind::ForeignKey, None, vec!["q".into()]),
        ]
    );
    let ix = |n: &str| {
        let i = s.indexes.get(n).unwrap_or_else(|| panic!("index {n}"));
        (i.columns.clone(), i.unique)
    };
    assert_eq!(ix("ix_t_p"), (vec!["p".to_string()], false));
    // unique=True with index=True is a unique index, not a constraint
    assert_eq!(ix("ix_t_u"), (vec!["u".to_string()], true));
    assert_eq!(
        ix("ix_t_s_desc"),
        (vec!["s".to_string(), "p".into(), "u".into()], false)
    );
}

#[test]
fn with_variant_types_follow_the_dialect() {
    let src = "_Int = sa.Integer().with_variant(sa.BigInteger(), 'postgresql')\nJ = (\n    sa.JSON()\n    .with_variant(postgresql.JSONB(), 'postgresql')\n)\ndef upgrade():\n    op.create_table('t', sa.Column('id', _Int, primary_key=True), sa.Column('j', J))\n";
    let ty = |d: Dialect, c: &str| {
        schema(src, d)
            .table("t")
            .and_then(|t| t.column(c))
            .and_then(|c| c.type_name.clone())
    };
    assert_eq!(ty(Dialect::Postgresql, "id").as_deref(), Some("BigInteger"));
    assert_eq!(ty(Dialect::Sqlite, "id").as_deref(), Some("Integer"));
    assert_eq!(ty(Dialect::Postgresql, "j").as_deref(), Some("JSONB"));
    assert_eq!(ty(Dialect::Sqlite, "j").as_deref(), Some("JSON"));
}

#[test]
fn dropping_and_renaming_columns_carry_their_constraints_and_indexes() {
    let s = schema(
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('a', sa.Integer), sa.Column('b', sa.Integer), sa.UniqueConstraint('a', 'b'))\n    op.create_index('ix_b', 't', ['b'])\n    op.create_index('ix_id', 't', ['id'])\n    with op.batch_alter_table('t') as batch_op:\n        batch_op.create_foreign_key('fk_ab', 'o', ['a', 'b'], ['x', 'y'])\n        batch_op.drop_column('b')\n    op.alter_column('t', 'id', new_column_name='key')\n",
        Dialect::Postgresql,
    );
    // the unique constraint and the foreign key on (a, b) and the index on b went with b
    assert_eq!(kinds(&s, "t"), vec![]);
    assert!(!s.indexes.contains_key("ix_b"));
    assert_eq!(s.indexes["ix_id"].columns, vec!["key".to_string()]);
}

#[test]
fn foreign_key_columns_outside_a_batch() {
    let s = schema(
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('a', sa.Integer))\n    op.create_foreign_key('fk_a', 't', 'o', ['a'], ['id'])\n",
        Dialect::Postgresql,
    );
    assert_eq!(
        kinds(&s, "t"),
        vec![(
            ConstraintKind::ForeignKey,
            Some("fk_a".into()),
            vec!["a".into()]
        )]
    );
}
