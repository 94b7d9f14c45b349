use miglint_diagnostics::{Dialect, DialectSet};
use miglint_python::*;

fn parse(src: &str) -> Module {
    PythonParser::new().parse(src)
}

/// One line per op: `func name receiver dialects [autocommit]
/// [after-exit] [data-guard]`.
fn ops(src: &str) -> String {
    let m = parse(src);
    m.ops
        .iter()
        .map(|op| {
            let recv = match &op.receiver {
                Receiver::Op => "op".to_string(),
                Receiver::Batch(b) => format!(
                    "batch({})",
                    b.table.as_ref().map_or("?", |t| t.value.as_str())
                ),
                Receiver::Connection => "conn".to_string(),
            };
            let d: Vec<&str> = op.dialects.iter().map(Dialect::as_str).collect();
            format!(
                "{} {} {} [{}]{}{}{}",
                m.functions[op.func].name,
                op.name,
                recv,
                d.join(","),
                if op.in_autocommit { " autocommit" } else { "" },
                if op.after_unknown_exit {
                    " after-exit"
                } else {
                    ""
                },
                if op.under_data_guard {
                    " data-guard"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn revision_identifiers() {
    let m = parse(
        r#"
revision: str = "abc123"
down_revision: Union[str, None] = ("a1", 'b2')
branch_labels = None
depends_on = ["x"]
"#,
    );
    assert_eq!(
        m.ids.revision.unwrap().value,
        IdValue::Str(Spanned {
            value: "abc123".into(),
            range: m_range(17, 25)
        })
    );
    let down = m.ids.down_revision.unwrap().value;
    assert_eq!(
        down.strings()
            .iter()
            .map(|s| s.value.as_str())
            .collect::<Vec<_>>(),
        ["a1", "b2"]
    );
    assert_eq!(m.ids.branch_labels.unwrap().value, IdValue::None);
    assert!(matches!(m.ids.depends_on.unwrap().value, IdValue::Seq(v) if v.len() == 1));
}

fn m_range(a: u32, b: u32) -> miglint_diagnostics::TextRange {
    miglint_diagnostics::TextRange::new(a, b)
}

#[test]
fn dialect_guards() {
    let src = r#"
def upgrade():
    bind = op.get_bind()
    is_sqlite = bind.dialect.name == "sqlite"
    if bind.dialect.name == "postgresql":
        op.execute("a")
    elif bind.dialect.name in ("mysql", "mariadb"):
        op.execute("b")
    else:
        op.execute("c")
    if not is_sqlite:
        op.execute("d")
    dialect = op.get_context().dialect
    if dialect.name != "sqlite" and flag:
        op.execute("e")
    name = bind.engine.name
    op.execute("f") if name == "mysql" else op.execute("g")
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("h")
"#;
    assert_eq!(
        ops(src),
        "upgrade execute op [postgresql]\n\
         upgrade execute op [mysql]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [postgresql,mysql]\n\
         upgrade execute op [postgresql,mysql] data-guard\n\
         upgrade execute op [mysql]\n\
         upgrade execute op [postgresql,sqlite]\n\
         upgrade execute op [postgresql]"
    );
}

#[test]
fn nested_guards_and_helper_functions() {
    let src = r#"
def _is_sqlite():
    return op.get_context().dialect.name == "sqlite"

def upgrade():
    if not _is_sqlite():
        if op.get_bind().dialect.name == "mysql":
            op.drop_constraint("x", "t")
        op.alter_column("t", "c")
    unrelated = something()
    if unrelated:
        op.add_column("t", sa.Column("c", sa.Integer()))
"#;
    assert_eq!(
        ops(src),
        "upgrade drop_constraint op [mysql]\n\
         upgrade alter_column op [postgresql,mysql]\n\
         upgrade add_column op [postgresql,sqlite,mysql] data-guard"
    );
}

#[test]
fn batch_and_autocommit_context() {
    let src = r#"
def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("name", nullable=False)
    with op.batch_alter_table(table_name="t") as b, other():
        b.drop_column("x")
    with op.get_context().autocommit_block():
        op.create_index("ix", "t", ["a"], postgresql_concurrently=True)
    op.get_bind().execute(sa.text("SELECT 1"))
    op.f("ix_name")

def downgrade():
    pass
"#;
    assert_eq!(
        ops(src),
        "upgrade alter_column batch(users) [postgresql,sqlite,mysql]\n\
         upgrade drop_column batch(t) [postgresql,sqlite,mysql]\n\
         upgrade create_index op [postgresql,sqlite,mysql] autocommit\n\
         upgrade execute conn [postgresql,sqlite,mysql]"
    );
    let m = parse(src);
    assert_eq!(
        m.function(FuncKind::Downgrade).unwrap().shape,
        BodyShape::Empty
    );
    assert_eq!(
        m.function(FuncKind::Upgrade).unwrap().shape,
        BodyShape::Code
    );
}

#[test]
fn body_shapes() {
    let m = parse(
        "def upgrade():\n    \"\"\"doc\"\"\"\n    ...\n\ndef downgrade():\n    raise NotImplementedError('no')\n",
    );
    assert_eq!(
        m.function(FuncKind::Upgrade).unwrap().shape,
        BodyShape::Empty
    );
    assert_eq!(
        m.function(FuncKind::Downgrade).unwrap().shape,
        BodyShape::RaisesNotImplemented
    );
}

/// The decoded SQL and the file text its decoded range maps back to.
fn first_sql(src: &str) -> String {
    let m = parse(src);
    let op = &m.ops[0];
    match op.sql().unwrap() {
        SqlSource::Literal(s) => {
            // every decoded byte maps back into the file
            let r = s.source_range(0..s.value.len());
            format!("literal {:?} @{}", s.value, &src[r.as_usize()])
        }
        SqlSource::Dynamic(_) => "dynamic".into(),
        SqlSource::Construct(_) => "construct".into(),
    }
}

#[test]
fn sql_sources() {
    assert_eq!(
        first_sql("def upgrade():\n    op.execute('SELECT 1')\n"),
        "literal \"SELECT 1\" @SELECT 1"
    );
    assert_eq!(
        first_sql(
            "def upgrade():\n    op.execute(sa.text(\"UPDATE t \" 'SET a = 1').bindparams(x=1))\n"
        ),
        "literal \"UPDATE t SET a = 1\" @UPDATE t \" 'SET a = 1"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute(\"\"\"\nDROP TABLE x\n\"\"\")\n"),
        "literal \"\\nDROP TABLE x\\n\" @\nDROP TABLE x\n"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute(f'DROP TABLE {t}')\n"),
        "dynamic"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute('DROP TABLE %s' % t)\n"),
        "dynamic"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute('DROP TABLE {}'.format(t))\n"),
        "dynamic"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute(stmt)\n"),
        "dynamic"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute(users.update().values(a=1))\n"),
        "construct"
    );
    assert_eq!(
        first_sql("def upgrade():\n    op.execute(f'SELECT {{1}}')\n"),
        "literal \"SELECT {1}\" @SELECT {{1}}"
    );
}

#[test]
fn columns_and_defaults() {
    let src = r#"
def upgrade():
    op.add_column("users", sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.text("0")))
    op.create_table("t",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now()),
        Column("flag", Boolean, server_default=sa.true()),
        sa.Column("s", sa.String(10), server_default="x"),
    )
"#;
    let m = parse(src);
    let add = &m.ops[0];
    assert_eq!(add.table().unwrap().value, "users");
    let col = add.columns().next().unwrap();
    assert_eq!(col.name().unwrap().value, "is_admin");
    assert_eq!(col.type_name().as_deref(), Some("Boolean"));
    assert_eq!(col.nullable(), Some(false));
    assert!(
        matches!(classify_default(&col.server_default().unwrap().value), DefaultValue::Text(s) if s.value == "0")
    );
    let cols: Vec<_> = m.ops[1].columns().collect();
    assert_eq!(cols.len(), 4);
    assert!(cols[0].primary_key());
    assert_eq!(
        classify_default(&cols[1].server_default().unwrap().value),
        DefaultValue::Func("now")
    );
    assert_eq!(cols[2].type_name().as_deref(), Some("Boolean"));
    assert_eq!(
        classify_default(&cols[2].server_default().unwrap().value),
        DefaultValue::Bool(true)
    );
    assert!(
        matches!(classify_default(&cols[3].server_default().unwrap().value), DefaultValue::PlainString(s) if s.value == "x")
    );
}

#[test]
fn syntax_errors_keep_identifiers() {
    let src = "revision = 'r2'\ndown_revision = 'r1'\n\ndef upgrade(:\n    op.drop_table('x')\n";
    let m = parse(src);
    assert!(!m.syntax_errors.is_empty());
    assert_eq!(m.ids.revision.unwrap().value.strings()[0].value, "r2");
    assert_eq!(m.ids.down_revision.unwrap().value.strings()[0].value, "r1");
}

#[test]
fn hostile_inputs_do_not_panic() {
    // 200 nested brackets: CPython's limit, deeper than the model's
    let deep = format!(
        "def upgrade():\n    x = {}1{}\n    op.drop_table('t')\n",
        "(".repeat(200),
        ")".repeat(200)
    );
    let m = parse(&deep);
    assert_eq!(
        m.ops.len(),
        1,
        "ops after a deep expression are still found"
    );
    assert!(m.syntax_errors.is_empty());
    // beyond CPython's limits the parser guard refuses the file: one
    // syntax error, nothing modelled
    let deeper = deep.replace("x = (", "x = ((").replace("1)", "1))");
    let m = parse(&deeper);
    assert_eq!(m.syntax_errors.len(), 1);
    assert!(m.ops.is_empty());
    let nested_ifs = format!(
        "def upgrade():\n{}",
        (0..3000)
            .map(|i| format!("{}if x:\n", " ".repeat(4 + i)))
            .collect::<String>()
    );
    parse(&nested_ifs);
    let call_chain = format!(
        "def upgrade():\n    op.execute({}'x'{})\n",
        "f(".repeat(3000),
        ")".repeat(3000)
    );
    parse(&call_chain);
    for src in [
        "",
        "\0\0\0",
        "def",
        "'''",
        "def upgrade():\n\top.execute('\\",
        "revision = \n",
    ] {
        parse(src);
    }
}

#[test]
fn dialect_set_is_all_for_unguarded() {
    let m = parse("def downgrade():\n    op.drop_table('t')\n");
    assert_eq!(m.ops[0].dialects, DialectSet::ALL);
    assert_eq!(m.func_kind(&m.ops[0]), FuncKind::Downgrade);
}

#[test]
fn helper_functions_run_where_they_are_called() {
    let src = r#"
def _upgrade_postgresql(conn):
    conn.execute(sa.text("UPDATE t SET a = b::int"))
    _shared(conn)

def _upgrade_other(conn, dialect):
    if dialect == "sqlite":
        conn.execute(sa.text("PRAGMA foreign_keys=ON"))
    _shared(conn)

def _shared(conn):
    conn.execute(sa.text("x"))

def _escapes(conn):
    op.execute("y")

def _never_called():
    op.execute("z")

def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _upgrade_postgresql(conn)
    elif conn.dialect.name == "mysql":
        _upgrade_other(conn, conn.dialect.name)
    if conn.dialect.name == "sqlite":
        _escapes(conn)
    run(callback=_escapes)
    if exists and conn.dialect.name == "postgresql" and _pg_check(conn):
        pass
    conn.dialect.name == "sqlite" or _not_sqlite(conn)

def _pg_check(conn):
    return conn.execute(sa.text("SELECT 'message'::regclass"))

def _not_sqlite(conn):
    conn.execute(sa.text("a"))
"#;
    assert_eq!(
        ops(src),
        "_upgrade_postgresql execute conn [postgresql]\n\
         _upgrade_other execute conn []\n\
         _shared execute conn [postgresql,mysql]\n\
         _escapes execute op [postgresql,sqlite,mysql]\n\
         _never_called execute op [postgresql,sqlite,mysql]\n\
         _pg_check execute conn [postgresql]\n\
         _not_sqlite execute conn [postgresql,mysql]"
    );
}

#[test]
fn dialect_name_parameters_are_guards() {
    let src = r#"
def _update(conn, dialect_name):
    if dialect_name == "postgresql":
        conn.execute(sa.text("a"))
    elif dialect_name in ("mysql", "mariadb"):
        conn.execute(sa.text("b"))
    if other == "postgresql":
        conn.execute(sa.text("c"))
"#;
    assert_eq!(
        ops(src),
        "_update execute conn [postgresql]\n\
         _update execute conn [mysql]\n\
         _update execute conn [postgresql,sqlite,mysql] data-guard"
    );
}

#[test]
fn isinstance_dialect_guards() {
    let src = r#"
from sqlalchemy.dialects.mysql.base import MySQLDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

def upgrade():
    bind = op.get_bind()
    if isinstance(bind.dialect, MySQLDialect):
        op.drop_constraint("uq", "t", type_="unique")
    if not isinstance(op.get_bind().dialect, SQLiteDialect):
        op.create_foreign_key("fk", "t", "u", ["a"], ["id"])
    if isinstance(bind.dialect, (postgresql.dialect, MSDialect)):
        op.alter_column("t", "c", nullable=False)
    if isinstance(bind, Connection):
        op.drop_column("t", "d")
"#;
    assert_eq!(
        ops(src),
        "upgrade drop_constraint op [mysql]\n\
         upgrade create_foreign_key op [postgresql,mysql]\n\
         upgrade alter_column op [postgresql]\n\
         upgrade drop_column op [postgresql,sqlite,mysql] data-guard"
    );
}

#[test]
fn early_return_on_or_condition() {
    let src = r#"
def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not table_exists("t", conn):
        return
    op.drop_constraint("fk", "t", type_="foreignkey")

def upgrade():
    if flag or op.get_bind().dialect.name == "sqlite":
        op.execute("a")
    else:
        op.execute("b")
"#;
    assert_eq!(
        ops(src),
        "downgrade drop_constraint op [postgresql] after-exit\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard\n\
         upgrade execute op [postgresql,mysql] data-guard"
    );
}

#[test]
fn ops_in_try_except() {
    let m = parse(
        r#"
def upgrade():
    try:
        op.create_unique_constraint("uq", "t", ["a"])
    except Exception:
        op.execute("a")
    else:
        op.execute("b")
    finally:
        op.execute("c")
    try:
        op.drop_column("t", "x")
    finally:
        pass
    op.drop_column("t", "y")
"#,
    );
    let flags: Vec<(&str, bool)> = m.ops.iter().map(|o| (o.name.as_str(), o.in_try)).collect();
    assert_eq!(
        flags,
        [
            ("create_unique_constraint", true),
            ("execute", true),
            ("execute", false),
            ("execute", false),
            ("drop_column", false),
            ("drop_column", false),
        ]
    );
}

#[test]
fn helper_called_from_an_unreachable_arm() {
    let src = r#"
def _change_type(new_type):
    op.alter_column("t", "c", type_=new_type)

def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "mysql":
        _change_type(mysql.VARCHAR(128))
    elif dialect == "mssql":
        _change_type(mssql.VARCHAR(128))

def downgrade():
    if op.get_bind().dialect.name in ("mysql", "mssql"):
        _change_type(sa.String(128))
"#;
    assert_eq!(ops(src), "_change_type alter_column op [mysql]");
}

#[test]
fn guard_spellings_evaluate_per_dialect() {
    let src = r#"
from sqlalchemy.dialects.postgresql.base import PGDialect

MYSQL_ENGINE = "mysql"
BACKENDS = ("postgresql", "sqlite")

def upgrade():
    bind = op.get_bind()
    engine = bind.engine
    if bool(bind.dialect.name == "sqlite"):
        op.execute("a")
    if engine.name == MYSQL_ENGINE:
        op.execute("b")
    if bind.dialect.name not in {"mysql", "mariadb"}:
        op.execute("c")
    if bind.dialect.name in ["sqlite"] or bind.dialect.name == "mysql":
        op.execute("d")
    if not connection.engine.name.startswith("mysql"):
        op.execute("e")
    if "sqlite" in inspector.dialect.dialect_description:
        op.execute("f")
    if "mysql" not in sa.inspect(bind).dialect.dialect_description:
        op.execute("g")
    if isinstance(migration_context.dialect, PGDialect):
        op.execute("h")
    if op.get_context().dialect.name == "sqlite":
        op.execute("i")
    if context.get_context().dialect.name == "postgresql":
        op.execute("j")
    if op.get_bind().engine.name == "postgresql":
        op.execute("k")
    if bind.dialect.driver == "pysqlite":
        op.execute("l")
    if bind.dialect.name in BACKENDS and bind.dialect.name != "sqlite":
        op.execute("m")
    if bind.dialect.name.lower() == "mariadb":
        op.execute("n")
    if bind.dialect.name in ("sqlite"):
        op.execute("o")
    if get_dialect(url).name != "postgresql":
        op.execute("p")
    if context.get_impl().bind.dialect.name == "postgresql":
        op.execute("q")
    if bind and bind.engine.name == "postgresql":
        op.execute("r")
    else:
        op.execute("s")
    if bind.dialect.name == "oracle":
        op.execute("t")

def _helper(engine):
    if engine.name in ("sqlite", "mysql"):
        op.execute("u")
    if not _is_sqlite():
        op.execute("v")
    if is_postgres() or is_mariadb():
        op.execute("w")
    if is_sqlite_file():
        op.execute("x")
"#;
    assert_eq!(
        ops(src),
        "upgrade execute op [sqlite]\n\
         upgrade execute op [mysql]\n\
         upgrade execute op [postgresql,sqlite]\n\
         upgrade execute op [sqlite,mysql]\n\
         upgrade execute op [postgresql,sqlite]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [postgresql,sqlite]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [mysql]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [sqlite,mysql]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [postgresql]\n\
         upgrade execute op [postgresql,sqlite,mysql]\n\
         _helper execute op [sqlite,mysql]\n\
         _helper execute op [postgresql,mysql]\n\
         _helper execute op [postgresql,mysql]\n\
         _helper execute op [postgresql,sqlite,mysql] data-guard"
    );
}

#[test]
fn helpers_returning_booleans_and_names() {
    let src = r#"
def upgrade():
    if is_sqlite():
        op.execute("a")
    if not _is_pg(op.get_bind()):
        op.execute("b")
    if dialect_name() == "mysql":
        op.execute("c")
    if _bind_dialect_name() == "sqlite":
        op.execute("d")
    flag = is_sqlite()
    if flag or dialect_name() == "mysql":
        op.execute("e")

def is_sqlite():
    """Defined after its caller: alembic calls upgrade() later."""
    bind = op.get_bind()
    return bind.dialect.name == "sqlite"

def _is_pg(conn):
    if conn.dialect.name == "postgresql":
        return True
    return False

def dialect_name():
    return op.get_bind().dialect.name

def _bind_dialect_name():
    dialect_name = op.get_bind().dialect.name
    if dialect_name == "postgresql":
        return "postgresql"
    elif dialect_name == "sqlite":
        return "sqlite"
    raise RuntimeError(dialect_name)
"#;
    assert_eq!(
        ops(src),
        "upgrade execute op [sqlite]\n\
         upgrade execute op [sqlite,mysql]\n\
         upgrade execute op [mysql]\n\
         upgrade execute op [sqlite]\n\
         upgrade execute op [sqlite,mysql]"
    );
}

#[test]
fn early_returns_narrow_and_unknown_exits_are_marked() {
    let src = r#"
def upgrade():
    if context.is_offline_mode():
        return
    op.add_column("t", sa.Column("a", sa.Integer()))
    if not _is_sqlite():
        return
    op.execute("sqlite only")
    if skip_based_on_legacy_engine_version(op, __name__):
        return
    op.add_column("t", sa.Column("b", sa.Integer(), nullable=False))
    _later()

def _later():
    op.execute("after")

def _is_sqlite():
    return op.get_bind().dialect.name == "sqlite"

def downgrade():
    if has_table("t"):
        op.drop_table("t")
        return
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("x")
    op.execute("y")
    if bind is None:
        return
    op.execute("z")
"#;
    assert_eq!(
        ops(src),
        "upgrade add_column op [postgresql,sqlite,mysql]\n\
         upgrade execute op [sqlite]\n\
         upgrade add_column op [sqlite] after-exit\n\
         _later execute op [sqlite] after-exit\n\
         downgrade drop_table op [postgresql,sqlite,mysql] data-guard\n\
         downgrade execute op [postgresql] data-guard\n\
         downgrade execute op [postgresql,sqlite,mysql] after-exit\n\
         downgrade execute op [postgresql,sqlite,mysql] after-exit"
    );
}

#[test]
fn names_assigned_in_nested_blocks_are_forgotten() {
    let src = r#"
def upgrade():
    available = False
    try:
        conn.execute(sa.text("SELECT json_extract('{}', '$.a')"))
        available = True
    except Exception:
        pass
    if available:
        op.execute("a")
    is_pg = op.get_bind().dialect.name == "postgresql"
    for x in items:
        is_pg = x
    if is_pg:
        op.execute("b")
    flag = True
    flag &= other
    if not flag:
        op.execute("c")
"#;
    assert_eq!(
        ops(src),
        "upgrade execute conn [postgresql,sqlite,mysql]\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard"
    );
}

#[test]
fn guards_about_the_database_state() {
    let src = r#"
def _pk(t):
    return inspect(op.get_bind()).get_pk_constraint(t)["constrained_columns"]

def _fix(t):
    op.create_primary_key("pk", t, ["id"])

def upgrade():
    if not _pk("a"):
        op.create_primary_key("a_pk", "a", ["id"])
    elif op.get_bind().dialect.name == "sqlite":
        op.drop_table("b")
    else:
        _fix("c")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("d")
    if context.is_offline_mode():
        op.drop_table("e")
    op.drop_table("f")
"#;
    assert_eq!(
        ops(src),
        "_fix create_primary_key op [postgresql,mysql] data-guard\n\
         upgrade create_primary_key op [postgresql,sqlite,mysql] data-guard\n\
         upgrade drop_table op [sqlite] data-guard\n\
         upgrade drop_table op [postgresql]\n\
         upgrade drop_table op [postgresql,sqlite,mysql]\n\
         upgrade drop_table op [postgresql,sqlite,mysql]"
    );
}

#[test]
fn lists_filled_in_place_are_not_constants() {
    let src = r#"
def upgrade():
    rows = []
    seen = []
    for r in op.get_bind().execute(q):
        rows.append(r)
    if rows:
        op.execute("a")
    if seen:
        op.execute("b")
    done = []
    done.extend(x)
    if not done:
        op.execute("c")
"#;
    assert_eq!(
        ops(src),
        "upgrade execute conn [postgresql,sqlite,mysql]\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard\n\
         upgrade execute op [postgresql,sqlite,mysql] data-guard"
    );
}
