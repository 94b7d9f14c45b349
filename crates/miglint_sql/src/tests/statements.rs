//! The statements TRUTH.md §9 measured.

use super::*;

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
            value: t("archived"),
            if_not_exists: false,
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
            value: t("it's"),
            if_not_exists: true,
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
