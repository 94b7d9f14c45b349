//! The model on small projects: facts before ops, graph joins, downgrades.

use std::path::PathBuf;

use miglint_diagnostics::{Dialect, DialectSet};
use miglint_python::{Module, PythonParser, SqlSource};
use miglint_sql::SqlStatement;

use crate::{Presence, RevisionInput, SchemaModel, SqlOf, schema_at};

pub(crate) struct Project {
    paths: Vec<PathBuf>,
    sources: Vec<String>,
    modules: Vec<Module>,
    sql: Vec<Vec<(usize, Vec<SqlStatement>)>>,
    parents: Vec<Option<Vec<usize>>>,
}

impl Project {
    /// `files` at paths of their own (`paths[i]` for file `i`).
    pub(crate) fn at_paths(files: &[(&str, Option<Vec<usize>>)], paths: &[String]) -> Project {
        let mut p = Project::new(files);
        p.paths = paths.iter().map(PathBuf::from).collect();
        p
    }

    pub(crate) fn new(files: &[(&str, Option<Vec<usize>>)]) -> Project {
        let mut parser = PythonParser::new();
        let sources: Vec<String> = files.iter().map(|f| f.0.to_string()).collect();
        let modules: Vec<Module> = sources.iter().map(|s| parser.parse(s)).collect();
        let sql = modules
            .iter()
            .map(|m| {
                m.ops
                    .iter()
                    .enumerate()
                    .filter_map(|(i, op)| match op.sql()? {
                        SqlSource::Literal(l) => {
                            Some((i, miglint_sql::analyze(&l.value, DialectSet::ALL)))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        Project {
            paths: (0..files.len())
                .map(|i| PathBuf::from(format!("v/r{i}.py")))
                .collect(),
            sources,
            modules,
            sql,
            parents: files.iter().map(|f| f.1.clone()).collect(),
        }
    }

    pub(crate) fn inputs(&self) -> Vec<RevisionInput<'_>> {
        (0..self.modules.len())
            .map(|i| RevisionInput {
                path: &self.paths[i],
                source: &self.sources[i],
                file: None,
                module: &self.modules[i],
                sql: self.sql[i]
                    .iter()
                    .filter_map(|(k, st)| match self.modules[i].ops[*k].sql()? {
                        SqlSource::Literal(lit) => Some(SqlOf {
                            op: *k,
                            lit,
                            statements: st,
                        }),
                        _ => None,
                    })
                    .collect(),
                targets: DialectSet::ALL,
                parents: self.parents[i].clone(),
            })
            .collect()
    }
}

const PG: Dialect = Dialect::Postgresql;

#[test]
fn backfill_in_the_previous_revision_and_primary_keys() {
    let p = Project::new(&[
        (
            "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n    op.add_column('t', sa.Column('a', sa.Integer()))\n",
            Some(vec![]),
        ),
        (
            "def upgrade():\n    op.execute(\"UPDATE t SET a = 0 WHERE a IS NULL\")\n",
            Some(vec![0]),
        ),
        (
            "def upgrade():\n    op.alter_column('t', 'a', nullable=False)\n    op.alter_column('t', 'id', nullable=False)\n",
            Some(vec![1]),
        ),
    ]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0, 1, 2]]);
    let a = model
        .facts(2, 0, PG)
        .and_then(|f| f.column.clone())
        .expect("facts");
    assert_eq!(a.nullable, Some(true));
    assert_eq!(a.backfilled.map(|o| o.file), Some(1));
    let id = model
        .facts(2, 1, PG)
        .and_then(|f| f.column.clone())
        .expect("facts");
    assert!(id.primary_key);
    assert_eq!(id.nullable, Some(false));
}

#[test]
fn becoming_nullable_again_forgets_the_backfill() {
    let p = Project::new(&[(
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('a', sa.Integer()))\n    op.execute(\"UPDATE t SET a = 1\")\n    op.alter_column('t', 'a', nullable=False)\n    op.alter_column('t', 'a', nullable=True)\n    op.alter_column('t', 'a', nullable=False)\n",
        Some(vec![]),
    )]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0]]);
    let first = model
        .facts(0, 2, PG)
        .and_then(|f| f.column.clone())
        .expect("facts");
    assert!(first.backfilled.is_some());
    let last = model
        .facts(0, 4, PG)
        .and_then(|f| f.column.clone())
        .expect("facts");
    assert!(last.backfilled.is_none());
}

#[test]
fn downgrade_is_rolled_back_and_branches_join() {
    let p = Project::new(&[
        (
            "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n\ndef downgrade():\n    op.drop_table('t')\n",
            Some(vec![]),
        ),
        (
            "def upgrade():\n    op.add_column('t', sa.Column('a', sa.Integer()))\n",
            Some(vec![0]),
        ),
        (
            "def upgrade():\n    op.create_table('u', sa.Column('id', sa.Integer()))\n",
            Some(vec![0]),
        ),
        ("def upgrade():\n    pass\n", Some(vec![1, 2])),
    ]);
    let inputs = p.inputs();
    let s = schema_at(&inputs, &[0, 1, 2, 3], PG, Some(3));
    assert!(s.table("t").is_some_and(|t| t.column("a").is_some()));
    assert!(s.table("u").is_some());
    // a sibling branch is not an ancestor
    let s = schema_at(&inputs, &[0, 1, 2, 3], PG, Some(2));
    assert!(s.table("t").is_some_and(|t| t.column("a").is_none()));
}

/// The states of a fork share their maps until one side changes them
/// (persistent maps, `Map`): a branch's change is not seen by its
/// siblings, and a merge joins what each branch has, whether or not it
/// changed its maps.
#[test]
fn forked_states_share_their_maps_until_one_changes_them() {
    let p = Project::new(&[
        (
            "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer()))\n    op.create_table('x', sa.Column('id', sa.Integer()))\n    op.create_index('ix_a', 't', ['id'])\n",
            Some(vec![]),
        ),
        (
            "def upgrade():\n    op.drop_index('ix_a', table_name='t')\n    op.create_index('ix_b', 't', ['id'])\n    op.drop_table('x')\n",
            Some(vec![0]),
        ),
        ("def upgrade():\n    pass\n", Some(vec![0])),
        (
            "def upgrade():\n    op.create_index('ix_c', 't', ['id'])\n",
            Some(vec![0]),
        ),
        ("def upgrade():\n    pass\n", Some(vec![1, 2, 3])),
        ("def upgrade():\n    pass\n", Some(vec![1])),
        ("def upgrade():\n    pass\n", Some(vec![1, 5])),
    ]);
    let inputs = p.inputs();
    let order = [0, 1, 2, 3, 4, 5, 6];
    let at = |k: usize| schema_at(&inputs, &order, PG, Some(k));
    let indexes = |s: &crate::Schema| {
        let mut v: Vec<String> = s.indexes.keys().cloned().collect();
        v.sort();
        v
    };
    let one = at(1);
    assert_eq!(indexes(&one), ["ix_b"]);
    assert!(one.dropped_indexes.contains_key("ix_a") && one.dropped_tables.contains_key("x"));
    // the siblings see the fork's state, not the first branch's changes
    let two = at(2);
    assert_eq!(indexes(&two), ["ix_a"]);
    assert!(two.table("x").is_some() && two.dropped_tables.is_empty());
    assert_eq!(indexes(&at(3)), ["ix_a", "ix_c"]);
    // the merge: what one side dropped and another has may exist
    let merged = at(4);
    assert_eq!(indexes(&merged), ["ix_a", "ix_b", "ix_c"]);
    assert!(merged.table("x").is_some());
    assert!(merged.dropped_indexes.is_empty() && merged.dropped_tables.is_empty());
    // a merge of a branch with its own descendant: the drops stay
    let joined = at(6);
    assert_eq!(indexes(&joined), ["ix_b"]);
    assert!(joined.dropped_indexes.contains_key("ix_a") && joined.dropped_tables.contains_key("x"));
}

/// A merge of two states whose maps span many nodes (more tables than
/// one node holds) joins what each side has: an object one side dropped
/// and the other kept may exist, one both sides dropped is absent, and a
/// table neither side changed keeps its facts.
#[test]
fn a_merge_joins_the_changes_of_large_states() {
    let mut first = String::from("def upgrade():\n");
    for i in 0..60 {
        first += &format!(
            "    op.create_table('t{i:02}', sa.Column('id', sa.Integer()))\n    op.create_index('ix{i:02}', 't{i:02}', ['id'])\n"
        );
    }
    let p = Project::new(&[
        (first.as_str(), Some(vec![])),
        (
            "def upgrade():\n    op.drop_table('t05')\n    op.drop_table('t07')\n    op.add_column('t40', sa.Column('a', sa.Integer()))\n    op.create_table('new_a', sa.Column('id', sa.Integer()))\n",
            Some(vec![0]),
        ),
        (
            "def upgrade():\n    op.drop_table('t07')\n    op.drop_index('ix50', table_name='t50')\n    op.add_column('t40', sa.Column('b', sa.Integer()))\n    op.create_index('ix_new', 't10', ['id'])\n",
            Some(vec![0]),
        ),
        ("def upgrade():\n    pass\n", Some(vec![1, 2])),
    ]);
    let inputs = p.inputs();
    let merged = schema_at(&inputs, &[0, 1, 2, 3], PG, Some(3));
    // dropped on one side only: may exist
    assert!(merged.table("t05").is_some() && merged.table_dropped("t05").is_none());
    assert!(merged.indexes.contains_key("ix05") && merged.indexes.contains_key("ix50"));
    assert!(merged.index_dropped("ix50").is_none());
    // dropped on both: absent
    assert!(merged.table("t07").is_none() && merged.table_dropped("t07").is_some());
    assert!(merged.table("new_a").is_some() && merged.indexes.contains_key("ix_new"));
    assert_eq!((merged.tables.len(), merged.indexes.len()), (60, 60));
    let t40 = merged.table("t40").expect("t40");
    assert!(t40.column("a").is_some() && t40.column("b").is_some());
    assert!(!merged.certain(t40), "both sides changed it");
    assert!(
        merged.certain(merged.table("t20").expect("t20")),
        "neither side changed it"
    );
}

#[test]
fn unknown_parent_and_dynamic_names_are_uncertain() {
    let p = Project::new(&[(
        "def upgrade():\n    for t in TABLES:\n        op.add_column(t, sa.Column('a', sa.Integer()))\n    op.drop_table('x')\n",
        None,
    )]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0]]);
    let t = model
        .facts(0, 1, PG)
        .and_then(|f| f.table.clone())
        .expect("facts");
    assert_eq!(t.presence, Presence::Uncertain);
}

#[test]
fn raw_sql_ddl_and_renames() {
    let p = Project::new(&[(
        "def upgrade():\n    op.execute(\"CREATE TABLE t (id INT PRIMARY KEY, a TEXT NOT NULL)\")\n    op.execute(\"ALTER TABLE t RENAME TO t__old\")\n    op.execute(\"DROP TABLE t__old\")\n",
        Some(vec![]),
    )]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0]]);
    let f = model.facts(0, 2, PG).expect("facts");
    let t = f.statements[0].clone().expect("named");
    assert!(t.named.is_some_and(|o| o.in_function(0, 0)));
    assert!(t.created.is_none(), "a rename is not an empty table");
}

#[test]
fn foreign_keys_keep_their_referent_and_follow_renames() {
    let p = Project::new(&[
        (
            "def upgrade():\n    op.create_table('u', sa.Column('id', sa.Integer(), primary_key=True))\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('u_id', sa.Integer(), sa.ForeignKey('u.id', ondelete='CASCADE')), sa.Column('v', sa.Integer()), sa.ForeignKeyConstraint(['v'], ['u.id'], name='fk_v'))\n",
            Some(vec![]),
        ),
        (
            "def upgrade():\n    op.rename_table('u', 'users')\n    op.create_foreign_key(None, 't', 'users', ['id'], ['id'], deferrable=True)\n",
            Some(vec![0]),
        ),
        (
            "def upgrade():\n    op.drop_constraint(NAME, 't', type_='unique')\n    op.drop_constraint('fk_v', 't', type_='foreignkey')\n",
            Some(vec![1]),
        ),
        (
            "def upgrade():\n    op.drop_constraint(NAME, 't')\n",
            Some(vec![2]),
        ),
    ]);
    let inputs = p.inputs();
    let fks = |at: usize| {
        let s = schema_at(&inputs, &[0, 1, 2, 3], PG, Some(at));
        let t = s.table("t").expect("t").clone();
        let mut v: Vec<String> = t
            .constraints
            .iter()
            .filter(|c| c.kind == crate::ConstraintKind::ForeignKey)
            .map(|c| {
                let r = c.references.as_ref().expect("readable");
                format!(
                    "{:?}->{}{:?} {:?} {}",
                    c.columns, r.table, r.columns, r.ondelete, r.deferral
                )
            })
            .collect();
        v.sort();
        (v, t.fks_unknown)
    };
    assert_eq!(
        fks(0),
        (
            vec![
                "[\"u_id\"]->u[\"id\"] Some(\"cascade\") not deferrable".to_string(),
                "[\"v\"]->u[\"id\"] None not deferrable".to_string(),
            ],
            false
        )
    );
    let (after_rename, unknown) = fks(1);
    assert_eq!(after_rename.len(), 3);
    assert!(
        after_rename.iter().all(|f| f.contains("->users[")),
        "{after_rename:?}"
    );
    assert!(
        after_rename
            .iter()
            .any(|f| f.ends_with(" deferrable") && f.starts_with("[\"id\"]"))
    );
    assert!(!unknown);
    // a unique constraint of unknown name leaves the foreign keys known
    let (after_drop, unknown) = fks(2);
    assert_eq!(after_drop.len(), 2);
    assert!(!unknown);
    // an unknown constraint of unknown type may be one of them
    assert!(fks(3).1);
}

#[test]
fn downgrade_reversal_per_dialect() {
    let p = Project::new(&[(
        "def upgrade():\n    op.create_table('a', sa.Column('id', sa.Integer()))\n    op.create_table('b', sa.Column('id', sa.Integer()))\n    op.execute(\"ALTER TABLE users ADD COLUMN c INT\")\n\ndef downgrade():\n    op.drop_table('a')\n    if op.get_bind().dialect.name == 'postgresql':\n        op.drop_table('b')\n",
        Some(vec![]),
    )]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0]]);
    let names = |op: usize, d: Dialect| -> Vec<String> {
        model
            .facts(0, op, d)
            .map(|f| f.not_reverted.iter().map(|n| n.name.clone()).collect())
            .unwrap_or_default()
    };
    assert!(names(0, PG).is_empty() && names(0, Dialect::Sqlite).is_empty());
    // dropped on PostgreSQL only
    assert!(names(1, PG).is_empty());
    assert_eq!(names(1, Dialect::Sqlite), ["b"]);
    // literal SQL
    assert_eq!(names(2, PG), ["c"]);
}

#[test]
fn sql_existence_facts_and_enum_types() {
    let p = Project::new(&[
        (
            "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer()), sa.Column('m', sa.Enum('a', name='mood')))\n",
            Some(vec![]),
        ),
        (
            "def upgrade():\n    op.execute(\"CREATE TYPE mood AS ENUM ('a')\")\n    op.execute(\"ALTER TABLE t DROP COLUMN x\")\n    op.execute(\"ALTER TABLE t ADD COLUMN IF NOT EXISTS id INT\")\n",
            Some(vec![0]),
        ),
        (
            "def upgrade():\n    status.drop(bind)\n    op.execute(\"CREATE TYPE mood AS ENUM ('a')\")\n",
            Some(vec![1]),
        ),
    ]);
    let inputs = p.inputs();
    let model = SchemaModel::build(&inputs, &[vec![0, 1, 2]]);
    let f = |op: usize| model.facts(1, op, PG).expect("facts");
    let kinds = |o: &crate::OpFacts| {
        o.sql_objects
            .iter()
            .map(|s| (s.missing.is_some(), s.existing.as_ref().map(|e| e.kind)))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(f(0)), [(false, Some(crate::ObjectKind::Type))]);
    assert_eq!(kinds(f(1)), [(true, None)]);
    assert!(kinds(f(2)).is_empty(), "IF NOT EXISTS checks for itself");
    // `status.drop(bind)` of a name miglint cannot attribute: no longer certain
    let later = model.facts(2, 0, PG).expect("facts");
    assert!(later.sql_objects.is_empty());
}

/// What a schema holds, but the stamps (which differ between two replays).
fn describe(s: &crate::Schema) -> Vec<String> {
    let mut v: Vec<String> = s
        .tables
        .iter()
        .map(|(k, t)| {
            let cols: Vec<String> = t
                .columns()
                .map(|c| format!("{c:?} found={}", t.column(&c.name).is_some()))
                .collect();
            format!(
                "{k}: {} {:?} {:?} {:?} {:?} {} {} {} {} {:?} {} {} {:?} {cols:?}",
                t.name,
                t.constraints,
                t.origin,
                t.uncertain,
                t.emptied,
                t.placeholder,
                t.renamed,
                t.complete,
                t.anon_index,
                t.anon,
                t.unsure_constraints,
                t.fks_unknown,
                t.helper_named
            )
        })
        .collect();
    let mut ix: Vec<String> = s
        .indexes
        .iter()
        .map(|(k, i)| format!("{k}: {i:?}"))
        .collect();
    // the maps a rollback puts back besides tables and indexes
    ix.extend(s.enums.iter().map(|(k, e)| format!("enum {k}: {e:?}")));
    ix.extend(
        s.dropped_tables
            .iter()
            .map(|(k, d)| format!("dropped table {k}: {d:?}")),
    );
    ix.extend(
        s.dropped_indexes
            .iter()
            .map(|(k, d)| format!("dropped index {k}: {d:?}")),
    );
    v.sort();
    ix.sort();
    v.extend(ix);
    v
}

#[test]
fn downgrade_rollback_restores_every_column() {
    let up = "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('a', sa.String()), sa.Column('d', sa.String()))\n    op.create_index('ix_a', 't', ['a'])\n    op.create_table('v', sa.Column('id', sa.Integer()))\n";
    let busy = format!(
        "{up}\ndef downgrade():\n    op.add_column('t', sa.Column('b', sa.Integer()))\n    op.alter_column('t', 'a', nullable=False, new_column_name='c')\n    op.drop_column('t', 'id')\n    op.execute(\"UPDATE t SET b = 1\")\n    op.add_column('t', sa.Column('id', sa.Text()))\n    op.drop_index('ix_a', table_name='t')\n    op.alter_column('v', 'id', nullable=False)\n    op.rename_table('v', 'w')\n    op.drop_column('t', 'd')\n    op.drop_table('t')\n    op.create_index('ix_new', 'v', ['id'])\n    op.create_table('z', sa.Column('m', sa.Enum('p', 'q', name='mood')))\n    op.drop_index('ix_z')\n    op.drop_table('gone')\n"
    );
    let quiet = format!("{up}\ndef downgrade():\n    pass\n");
    let child = "def upgrade():\n    op.add_column('t', sa.Column('e', sa.Integer()))\n";
    let after = |src: &str, at: usize| {
        let p = Project::new(&[(src, Some(vec![])), (child, Some(vec![0]))]);
        describe(&schema_at(&p.inputs(), &[0, 1], PG, Some(at)))
    };
    for at in [0, 1] {
        assert_eq!(after(&busy, at), after(&quiet, at));
    }
    let p = Project::new(&[(&busy, Some(vec![])), (child, Some(vec![0]))]);
    let s = schema_at(&p.inputs(), &[0, 1], PG, Some(1));
    assert!(
        s.table("t")
            .is_some_and(|t| t.column("e").is_some() && t.column("id").is_some())
    );
}

#[test]
fn table_str_is_table() {
    let src = "def upgrade():\n    op.create_table('a')\n    op.create_index('ix', 'b', ['x'])\n    op.drop_index('ix', table_name='c')\n    op.drop_index('ix2')\n    op.create_foreign_key('fk', 'd', 'e', ['x'], ['y'])\n    op.drop_constraint('ck', 'f')\n    op.add_column(table_name='g', column=sa.Column('x'))\n    op.add_column(T, sa.Column('x'))\n    with op.batch_alter_table('h') as batch_op:\n        batch_op.drop_column('x')\n    op.execute('SELECT 1')\n";
    let m = PythonParser::new().parse(src);
    let mut named = 0;
    for op in &m.ops {
        let want = op.table().map(|t| t.value);
        assert_eq!(op.table_str().map(str::to_string), want);
        named += usize::from(want.is_some());
    }
    assert!(named >= 7);
}
