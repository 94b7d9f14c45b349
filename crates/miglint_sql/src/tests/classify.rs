//! Splitting, the classifier, features and parse results.

use super::*;

// ---- splitting ----------------------------------------------------------------

#[test]
fn semicolons_in_strings_comments_and_bodies_do_not_split() {
    let sql = "UPDATE t SET a = 'x;y' /* ; */ -- ;\n WHERE b = \"c;d\";\
               CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;  \n -- bye;\n";
    let v = analyze(sql, ALL);
    let texts: Vec<&str> = v.iter().map(|s| s.text(sql)).collect();
    assert_eq!(
        texts,
        vec![
            "UPDATE t SET a = 'x;y' /* ; */ -- ;\n WHERE b = \"c;d\"",
            "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql"
        ]
    );
    assert_eq!(v[1].kind, StmtKind::CreateFunction);
}

#[test]
fn ranges_are_byte_ranges_with_non_ascii() {
    let sql = "-- héllo\nUPDATE t SET name = 'ünïcødé 😀' WHERE x IS NULL;  SELECT `é`";
    let v = analyze(sql, ALL);
    assert_eq!(
        v[0].text(sql),
        "UPDATE t SET name = 'ünïcødé 😀' WHERE x IS NULL"
    );
    assert_eq!(v[1].text(sql), "SELECT `é`");
    assert_eq!(
        feats(sql, &v[1]),
        vec![("backtick-quoted identifier", "`é`")]
    );
}

#[test]
fn unterminated_quote_uses_the_fallback_splitter() {
    let sql = "INSERT INTO t VALUES ('a;b'); UPDATE t SET a = 'oops; DELETE FROM t";
    let v = analyze(sql, ALL);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].text(sql), "INSERT INTO t VALUES ('a;b')");
    assert!(v[0].parsed_by_any());
    assert_eq!(v[1].text(sql), "UPDATE t SET a = 'oops; DELETE FROM t");
    assert_eq!(v[1].kind, StmtKind::Update { table: t("t") });
    assert!(v[1].lex_error.is_some());
    assert!(!v[1].parsed_by_any());
    assert_eq!(v[1].unparsed_category(), "unterminated literal");
}

#[test]
fn empty_input_gives_no_statements() {
    assert!(analyze("", ALL).is_empty());
    assert!(analyze(" ;\n;-- x\n/* y */", ALL).is_empty());
}

// ---- classifier ---------------------------------------------------------------

#[test]
fn classifier_kinds() {
    let cases: Vec<(&str, StmtKind)> = vec![
        ("select 1", StmtKind::Select),
        ("(SELECT 1) UNION (SELECT 2)", StmtKind::Select),
        (
            "WITH x AS (SELECT 1) UPDATE t SET a = 1",
            StmtKind::Update { table: t("t") },
        ),
        (
            "UPDATE ONLY public.Users SET a = 1",
            StmtKind::Update { table: t("users") },
        ),
        (
            "UPDATE \"Users\" SET a = 1",
            StmtKind::Update { table: t("Users") },
        ),
        (
            "DELETE FROM `Sessions`",
            StmtKind::Delete {
                table: t("Sessions"),
            },
        ),
        (
            "REPLACE INTO s VALUES (1)",
            StmtKind::Replace { table: t("s") },
        ),
        (
            "CREATE TABLE IF NOT EXISTS s.x (a int)",
            StmtKind::CreateTable {
                table: t("x"),
                if_not_exists: true,
            },
        ),
        (
            "CREATE UNIQUE INDEX IF NOT EXISTS ix ON ONLY t (a)",
            StmtKind::CreateIndex {
                concurrently: false,
                unique: true,
                if_not_exists: true,
                name: t("ix"),
                table: t("t"),
            },
        ),
        (
            "CREATE INDEX ix USING BTREE ON t (a)",
            StmtKind::CreateIndex {
                concurrently: false,
                unique: false,
                if_not_exists: false,
                name: t("ix"),
                table: t("t"),
            },
        ),
        (
            "DROP INDEX IF EXISTS ix",
            StmtKind::DropIndex {
                concurrently: false,
                if_exists: true,
                name: t("ix"),
            },
        ),
        (
            "DROP TABLE IF EXISTS a, b",
            StmtKind::DropTable {
                table: t("a"),
                if_exists: true,
            },
        ),
        (
            "DROP MATERIALIZED VIEW IF EXISTS mv",
            StmtKind::Drop {
                object: "MATERIALIZED VIEW".into(),
                if_exists: true,
            },
        ),
        (
            "DROP TYPE mood",
            StmtKind::Drop {
                object: "TYPE".into(),
                if_exists: false,
            },
        ),
        (
            "ALTER TABLE IF EXISTS ONLY t ADD COLUMN a int",
            StmtKind::AlterTable { table: t("t") },
        ),
        ("ALTER SEQUENCE s RESTART", StmtKind::AlterSequence),
        (
            "ALTER INDEX ix RENAME TO iy",
            StmtKind::Other("ALTER INDEX".into()),
        ),
        (
            "CREATE TYPE mood AS ENUM ('a')",
            StmtKind::CreateType { name: t("mood") },
        ),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", StmtKind::CreateView),
        ("CREATE TEMP SEQUENCE s", StmtKind::CreateSequence),
        (
            "CREATE DEFINER = root@localhost TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
            StmtKind::CreateTrigger,
        ),
        (
            "CREATE PROCEDURE p() BEGIN SELECT 1; END",
            StmtKind::CreateFunction,
        ),
        ("CREATE SCHEMA s", StmtKind::CreateSchema),
        ("CREATE ROLE r", StmtKind::Other("CREATE ROLE".into())),
        (
            "TRUNCATE TABLE ONLY a.b",
            StmtKind::Truncate { table: t("b") },
        ),
        (
            "SET LOCAL lock_timeout = '1s'",
            StmtKind::Set {
                name: t("lock_timeout"),
            },
        ),
        (
            "SET CONSTRAINTS ALL IMMEDIATE",
            StmtKind::Set {
                name: t("constraints"),
            },
        ),
        ("REINDEX TABLE t", StmtKind::Reindex),
        ("VACUUM", StmtKind::Vacuum),
        ("ANALYZE t", StmtKind::Analyze),
        ("COMMENT ON TABLE t IS 'x'", StmtKind::Comment),
        ("GRANT ALL ON t TO u", StmtKind::Grant),
        ("REVOKE ALL ON t FROM u", StmtKind::Revoke),
        ("START TRANSACTION", StmtKind::Begin),
        ("BEGIN", StmtKind::Begin),
        ("END", StmtKind::Commit),
        ("ROLLBACK", StmtKind::Rollback),
        ("LOCK TABLE t", StmtKind::Other("LOCK".into())),
        ("42", StmtKind::Other(String::new())),
    ];
    for (sql, kind) in cases {
        assert_eq!(one(sql).kind, kind, "{sql}");
    }
}

#[test]
fn labels_are_static_keywords() {
    assert_eq!(StmtKind::Other("LOCK".into()).label(), "LOCK");
    assert_eq!(StmtKind::Other("REFRESH".into()).label(), "REFRESH");
    assert_eq!(StmtKind::Other("ALTER INDEX".into()).label(), "ALTER");
    assert_eq!(StmtKind::Other("NOTAKEYWORDATALL".into()).label(), "other");
    assert_eq!(StmtKind::Other(String::new()).label(), "other");
}

#[test]
fn update_info_for_backfills() {
    let sql = "UPDATE public.users AS u SET nickname = coalesce(u.name, 'x'), \"Flag\" = (SELECT 1, 2), t.c = 3 \
               WHERE (u.nickname IS NULL OR flag ISNULL) AND other IS NOT NULL";
    let s = one(sql);
    assert_eq!(
        s.update_info(),
        Some(&UpdateInfo {
            table: t("users"),
            set_columns: vec!["nickname".into(), "Flag".into(), "c".into()],
            where_is_null_columns: vec!["nickname".into(), "flag".into()],
        })
    );
    let s = one("UPDATE t SET (a, b) = (1, 2)");
    assert_eq!(
        s.update_info().map(|u| u.set_columns.clone()),
        Some(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        s.update_info().map(|u| u.where_is_null_columns.len()),
        Some(0)
    );
    assert_eq!(one("SELECT 1").update_info(), None);
}

#[test]
fn deletes_all_rows() {
    assert_eq!(
        one("DELETE FROM sessions").deletes_all_rows_of,
        t("sessions")
    );
    assert_eq!(one("DELETE FROM s USING t").deletes_all_rows_of, t("s"));
    assert_eq!(one("DELETE FROM s WHERE a = 1").deletes_all_rows_of, None);
    assert_eq!(
        one("TRUNCATE audit_log").deletes_all_rows_of,
        t("audit_log")
    );
    assert_eq!(one("UPDATE t SET a = 1").deletes_all_rows_of, None);
}

// ---- features -------------------------------------------------------------------

#[test]
fn more_features() {
    let sql = "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO NOTHING RETURNING id";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("ON CONFLICT", "ON CONFLICT"), ("RETURNING", "RETURNING")]
    );
    let sql = "INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE n = n + 1";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("ON DUPLICATE KEY UPDATE", "ON DUPLICATE KEY UPDATE")]
    );
    let sql = "SELECT * FROM t WHERE a NOT ILIKE 'x' -- ILIKE AUTOINCREMENT";
    assert_eq!(feats(sql, &one(sql)), vec![("ILIKE", "ILIKE")]);
    let sql = "REPLACE INTO t VALUES (1)";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("REPLACE INTO", "REPLACE INTO")]
    );
    let sql = "CREATE OR REPLACE VIEW v AS SELECT replace(a, 'x', 'y') FROM t";
    assert!(one(sql).features.is_empty());
    let sql = "INSERT LOW_PRIORITY IGNORE INTO t VALUES (1)";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("INSERT IGNORE", "INSERT LOW_PRIORITY IGNORE")]
    );
    let sql = "SELECT \"ILIKE\", 'PRAGMA', `x`";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("backtick-quoted identifier", "`x`")]
    );
}

#[test]
fn placeholders_do_not_break_parsing() {
    for sql in [
        "UPDATE users SET name = %(name)s WHERE id = %(id)s",
        "UPDATE users SET name = %s WHERE id = %s",
        "UPDATE users SET name = :name WHERE id = :id",
        "INSERT INTO t (a, b) VALUES (:a, %(b)s)",
    ] {
        let s = one(sql);
        assert_eq!(
            s.parsed_by(),
            ALL,
            "{sql}: {:?}",
            s.parse_for(Dialect::Postgresql)
        );
        assert!(s.has_feature(&Feature::Placeholder));
        assert_eq!(s.update_info().map_or(1, |u| u.set_columns.len()), 1);
    }
    let sql = "SELECT a FROM t WHERE b = %(b)s AND c::text = :c AND d = 'x:y' AND e = 5 % s";
    let s = one(sql);
    assert_eq!(
        feats(sql, &s),
        vec![
            ("bind parameter", "%(b)s"),
            (":: cast", "::text"),
            ("bind parameter", ":c")
        ]
    );
    // `arr[a:b]` slices and `\:` escapes are not parameters
    assert!(!one("SELECT arr[a:b] FROM t").has_feature(&Feature::Placeholder));
    assert!(!one("SELECT '1' WHERE x = \\:y").has_feature(&Feature::Placeholder));
    // a placeholder where a number cannot go
    let s = one("SELECT * FROM %(table)s");
    assert!(!s.parsed_by_any());
    assert_eq!(s.unparsed_category(), "placeholder");
}

// ---- parse results ----------------------------------------------------------------

#[test]
fn parse_for_only_requested_dialects() {
    let v = analyze("SELECT 1", DialectSet::single(Dialect::Sqlite));
    assert!(v[0].parse_for(Dialect::Postgresql).is_none());
    assert!(matches!(v[0].parse_for(Dialect::Sqlite), Some(Ok(()))));
    let v = analyze("SELECT 1", DialectSet::EMPTY);
    assert!(!v[0].parsed_by_any());
    assert_eq!(v[0].kind, StmtKind::Select);
}

#[test]
fn errors_are_messages() {
    let s = one("SELECT (");
    let Some(Err(msg)) = s.parse_for(Dialect::Postgresql) else {
        panic!("expected an error")
    };
    assert!(!msg.starts_with("sql parser error"), "{msg}");
    assert!(msg.contains("Expected"), "{msg}");
}

#[test]
fn each_statement_parses_alone() {
    let sql = "PRAGMA foreign_keys=ON; CREATE TABLE t (a int); SELECT 1";
    let v = analyze(sql, ALL);
    assert_eq!(
        v.iter()
            .map(SqlStatement::parsed_by_any)
            .collect::<Vec<_>>(),
        vec![false, true, true]
    );
}

/// A statement runs again only with the clause that skips what its first
/// run did; the same statement without it, or a statement that has no
/// such clause, may fail the second time.
#[test]
fn runs_again_only_with_its_if_clause() {
    for sql in [
        "CREATE TABLE IF NOT EXISTS a (id int)",
        "create unique index if not exists ix_a on a (id)",
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON a (id)",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "ALTER TYPE state ADD VALUE IF NOT EXISTS 'CRASHED'",
        "DROP TABLE IF EXISTS migrate_version",
        "DROP INDEX IF EXISTS ix_a",
        "DROP TYPE IF EXISTS state CASCADE",
        "DROP VIEW IF EXISTS v",
    ] {
        assert!(one(sql).kind.runs_again(), "{sql}");
    }
    for sql in [
        "CREATE TABLE a (id int)",
        "CREATE INDEX ix_a ON a (id)",
        "CREATE EXTENSION pg_trgm",
        "ALTER TYPE state ADD VALUE 'CRASHED'",
        "DROP TABLE migrate_version",
        "DROP INDEX ix_a",
        "DROP TYPE state",
        "ALTER TABLE a ADD COLUMN IF NOT EXISTS b int",
        "ALTER TABLE IF EXISTS a DROP COLUMN b",
        "CREATE OR REPLACE VIEW v AS SELECT 1",
        "UPDATE a SET id = 1",
    ] {
        assert!(!one(sql).kind.runs_again(), "{sql}");
    }
}
