use super::*;

const ALL: DialectSet = DialectSet::ALL;

fn one(sql: &str) -> SqlStatement {
    let mut v = analyze(sql, ALL);
    assert_eq!(v.len(), 1, "expected one statement in {sql:?}");
    v.remove(0)
}

/// The features as `(name, covered text)` pairs.
fn feats<'a>(sql: &'a str, s: &SqlStatement) -> Vec<(&'static str, &'a str)> {
    s.features
        .iter()
        .map(|(f, r)| (f.name(), &sql[r.clone()]))
        .collect()
}

fn t(s: &str) -> Option<String> {
    Some(s.to_owned())
}

// ---- TRUTH.md §9 statements -------------------------------------------------

#[test]
fn insert_or_replace() {
    let sql = "INSERT OR REPLACE INTO t (a) VALUES (1)";
    let s = one(sql);
    assert_eq!(s.kind, StmtKind::InsertOrReplace { table: t("t") });
    assert_eq!(
        feats(sql, &s),
        vec![("INSERT OR REPLACE", "INSERT OR REPLACE")]
    );
    assert_eq!(s.features[0].1, 0..17);
    assert_eq!(
        Feature::InsertOrReplace.accepted_by(),
        DialectSet::single(Dialect::Sqlite)
    );
}

#[test]
fn insert_or_ignore() {
    let sql = "insert or ignore into main.roles (name) values ('x')";
    let s = one(sql);
    assert_eq!(s.kind, StmtKind::InsertOrIgnore { table: t("roles") });
    assert_eq!(
        feats(sql, &s),
        vec![("INSERT OR IGNORE", "insert or ignore")]
    );
}

#[test]
fn pragma() {
    let sql = "PRAGMA foreign_keys=ON";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::Pragma {
            name: t("foreign_keys")
        }
    );
    assert_eq!(feats(sql, &s), vec![("PRAGMA", "PRAGMA")]);
    assert!(!s.parsed_by_any(), "sqlparser 0.63 rejects `= ON`");
    assert_eq!(s.unparsed_category(), "PRAGMA");
}

#[test]
fn sqlite_autoincrement() {
    let sql = "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT)";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::CreateTable {
            table: t("x"),
            if_not_exists: false
        }
    );
    assert_eq!(feats(sql, &s), vec![("AUTOINCREMENT", "AUTOINCREMENT")]);
    assert_eq!(s.features[0].1, 39..52);
}

#[test]
fn double_colon_cast() {
    let sql = "SELECT '7'::integer";
    let s = one(sql);
    assert_eq!(s.kind, StmtKind::Select);
    assert_eq!(feats(sql, &s), vec![(":: cast", "::integer")]);
    assert_eq!(s.features[0].1, 10..19);
    // `::` inside a string is not a cast
    assert!(one("SELECT 'a::b'").features.is_empty());
}

#[test]
fn backtick_table_with_auto_increment() {
    let sql = "CREATE TABLE `x` (id INT AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(5))";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::CreateTable {
            table: t("x"),
            if_not_exists: false
        }
    );
    assert_eq!(
        feats(sql, &s),
        vec![
            ("backtick-quoted identifier", "`x`"),
            ("AUTO_INCREMENT", "AUTO_INCREMENT"),
            ("backtick-quoted identifier", "`name`")
        ]
    );
    assert_eq!(s.parsed_by(), DialectSet::single(Dialect::Mysql));
}

#[test]
fn insert_ignore() {
    let sql = "INSERT IGNORE INTO tags (name) VALUES ('a')";
    let s = one(sql);
    assert_eq!(s.kind, StmtKind::InsertIgnore { table: t("tags") });
    assert_eq!(feats(sql, &s), vec![("INSERT IGNORE", "INSERT IGNORE")]);
}

#[test]
fn create_extension() {
    let sql = "CREATE EXTENSION IF NOT EXISTS pgcrypto";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::CreateExtension {
            name: t("pgcrypto"),
            if_not_exists: true
        }
    );
    assert_eq!(
        feats(sql, &s),
        vec![("CREATE EXTENSION", "CREATE EXTENSION")]
    );
}

#[test]
fn create_index_concurrently() {
    let sql = "CREATE INDEX CONCURRENTLY ix ON t (a)";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::CreateIndex {
            concurrently: true,
            unique: false,
            if_not_exists: false,
            name: t("ix"),
            table: t("t")
        }
    );
    assert_eq!(feats(sql, &s), vec![("CONCURRENTLY", "CONCURRENTLY")]);
    assert_eq!(s.features[0].1, 13..25);
    assert_eq!(s.table(), Some("t"));
}

#[test]
fn drop_index_concurrently() {
    let sql = "DROP INDEX CONCURRENTLY ix";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::DropIndex {
            concurrently: true,
            if_exists: false,
            name: t("ix")
        }
    );
    assert_eq!(feats(sql, &s), vec![("CONCURRENTLY", "CONCURRENTLY")]);
    assert!(!s.parsed_by_any());
    assert_eq!(s.unparsed_category(), "DROP INDEX CONCURRENTLY");
}

#[test]
fn alter_type_add_value() {
    let sql = "ALTER TYPE status_enum ADD VALUE 'archived'";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::AlterTypeAddValue {
            type_name: t("status_enum"),
            value: t("archived")
        }
    );
    assert_eq!(
        s.features,
        vec![(
            Feature::AlterTypeAddValue {
                value: "archived".into()
            },
            23..43
        )]
    );
    let sql = "ALTER TYPE public.s ADD VALUE IF NOT EXISTS 'it''s' BEFORE 'b'";
    let s = one(sql);
    assert_eq!(
        s.kind,
        StmtKind::AlterTypeAddValue {
            type_name: t("s"),
            value: t("it's")
        }
    );
    assert_eq!(
        feats(sql, &s),
        vec![(
            "ALTER TYPE ... ADD VALUE",
            "ADD VALUE IF NOT EXISTS 'it''s'"
        )]
    );
    assert_eq!(
        one("ALTER TYPE s RENAME TO u").kind,
        StmtKind::AlterType { type_name: t("s") }
    );
}

#[test]
fn do_block_then_another_statement() {
    let sql =
        "DO $$ BEGIN IF 1 = 1 THEN UPDATE t SET a = 1; END IF; END $$;\nINSERT INTO t VALUES (';')";
    let v = analyze(sql, ALL);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].range, 0..60);
    assert_eq!(
        v[0].text(sql),
        "DO $$ BEGIN IF 1 = 1 THEN UPDATE t SET a = 1; END IF; END $$"
    );
    assert_eq!(v[0].kind, StmtKind::Do);
    assert_eq!(
        feats(sql, &v[0]),
        vec![
            ("DO block", "DO"),
            (
                "dollar-quoted string",
                "$$ BEGIN IF 1 = 1 THEN UPDATE t SET a = 1; END IF; END $$"
            )
        ]
    );
    assert_eq!(v[0].unparsed_category(), "DO block");
    assert_eq!(v[1].text(sql), "INSERT INTO t VALUES (';')");
    assert_eq!(v[1].range, 62..88);
    assert_eq!(v[1].kind, StmtKind::Insert { table: t("t") });
    assert!(v[1].parsed_by_any());
}

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

// ---- robustness -----------------------------------------------------------------

fn check_invariants(sql: &str) {
    let v = analyze(sql, ALL);
    let mut prev_end = 0;
    for s in &v {
        assert!(
            s.range.start >= prev_end && s.range.start < s.range.end && s.range.end <= sql.len(),
            "{sql:?}"
        );
        assert!(
            sql.is_char_boundary(s.range.start) && sql.is_char_boundary(s.range.end),
            "{sql:?}"
        );
        for (_, r) in &s.features {
            assert!(s.range.start <= r.start && r.end <= s.range.end, "{sql:?}");
        }
        let _ = s.unparsed_category();
        prev_end = s.range.end;
    }
    assert_eq!(
        split_statements(sql),
        v.iter().map(|s| s.range.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn weird_inputs_never_panic() {
    let deep_parens = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let unbalanced_parens = format!("SELECT {}1", "(".repeat(10_000));
    let deep_case = format!("CREATE TRIGGER t BEGIN {} ; END", "CASE ".repeat(1000));
    let long = "INSERT INTO t VALUES (1);".repeat(2000);
    let fixed: Vec<String> = [
        "'",
        "\"",
        "`",
        "$$",
        "$$ unclosed",
        "DO $x$ BEGIN",
        "$1; $2",
        "/*",
        "/* /* */",
        "--",
        "E'\\",
        "SELECT 'a''",
        "\0",
        "SELECT \0; \0'",
        "é; ü; 😀",
        "ALTER TYPE",
        "ALTER TYPE x ADD VALUE",
        "INSERT OR",
        "UPDATE SET",
        "UPDATE t SET (a, b",
        "UPDATE t SET a = 1 WHERE IS NULL",
        "CREATE INDEX ON",
        "DROP",
        ";;;;",
        "%(",
        "%(x)",
        "%",
        ":",
        "::",
        "x::",
        "CREATE TRIGGER x BEGIN END END END; SELECT 1",
        "END; END IF; BEGIN",
        "\u{feff}SELECT 1",
        "SELECT 1\r\n;\r\nSELECT 2\r",
        "\\",
        "[[[[",
        "N'",
        "X'zz'",
        "B'",
        "U&'",
        "@@@@",
        "#",
        "?",
        "WITH",
        "WITH x AS (",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain([deep_parens, unbalanced_parens, deep_case, long])
    .collect();
    for sql in &fixed {
        check_invariants(sql);
    }
    // Every prefix and suffix of a busy statement, cut at char boundaries.
    let busy = "DO $$ BEGIN x; END $$; INSERT OR REPLACE INTO `t` (a) VALUES ('é;''x', %(p)s, :q)::int -- c;\n\
                /* d; */ UPDATE \"T\" SET a = E'\\'' WHERE b ISNULL; ALTER TYPE s ADD VALUE 'ü'";
    for (i, _) in busy.char_indices() {
        check_invariants(&busy[..i]);
        check_invariants(&busy[i..]);
    }
}

#[test]
fn random_fragment_soup_never_panics() {
    const FRAGMENTS: &[&str] = &[
        "'",
        "\"",
        "`",
        "$$",
        "$a$",
        ";",
        "--",
        "\n",
        "/*",
        "*/",
        "(",
        ")",
        "::",
        ":x",
        "%s",
        "%(p)s",
        "%",
        "\\",
        "E'",
        "BEGIN",
        "END",
        "CASE",
        "CREATE TRIGGER t",
        "INSERT OR REPLACE INTO t",
        "UPDATE t SET a = 1",
        "WHERE a IS NULL",
        "ALTER TYPE e ADD VALUE 'v'",
        "DO",
        "PRAGMA x=1",
        "é",
        "😀",
        "\u{a0}",
        "\0",
        " ",
        ",",
        "SELECT",
        "DROP INDEX CONCURRENTLY",
        "[",
        "?",
        "$1",
        "ON CONFLICT",
        "WITH x AS",
        "\r",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 12) as usize;
        let sql: String = (0..len)
            .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
            .collect();
        check_invariants(&sql);
    }
}

#[test]
fn many_statements_are_split_linearly() {
    let sql = "UPDATE t SET a = 1 WHERE b IS NULL;\n".repeat(5000);
    let v = analyze(&sql, DialectSet::EMPTY);
    assert_eq!(v.len(), 5000);
    assert_eq!(v[4999].range.start, 36 * 4999);
}

#[test]
fn parser_gaps_are_recognised() {
    for (sql, label) in [
        (
            "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0)",
            "ALTER DOMAIN",
        ),
        (
            "ALTER TABLE measurements DETACH PARTITION measurements_2020",
            "ALTER TABLE ... ATTACH/DETACH PARTITION",
        ),
        (
            "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            "ALTER TABLE ... CONVERT TO CHARACTER SET",
        ),
        (
            "ALTER TABLE `t` DEFAULT CHARSET=utf8mb4",
            "ALTER TABLE ... CHARACTER SET",
        ),
    ] {
        let s = one(sql);
        assert_eq!(s.parser_gap, Some(label), "{sql}");
        assert_eq!(s.unparsed_category(), label, "{sql}");
    }
    // a plain ALTER TABLE and a broken one are no gap
    assert_eq!(one("ALTER TABLE t ADD COLUMN a int").parser_gap, None);
    assert_eq!(one("ALTER TABLE t CONVERT a int").parser_gap, None);
}

#[test]
fn mysql_table_charset_is_a_mysql_feature() {
    let sql = "ALTER TABLE tags CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    let s = one(sql);
    assert_eq!(
        feats(sql, &s),
        vec![("ALTER TABLE ... CHARACTER SET", "CONVERT")]
    );
    assert_eq!(
        Feature::TableCharset.accepted_by(),
        DialectSet::single(Dialect::Mysql)
    );
    let sql = "ALTER TABLE tags DEFAULT CHARSET=utf8mb4";
    assert_eq!(
        feats(sql, &one(sql)),
        vec![("ALTER TABLE ... CHARACTER SET", "DEFAULT")]
    );
    assert!(
        one("ALTER DOMAIN d ADD CHECK (VALUE > 0)")
            .features
            .is_empty()
    );
}
