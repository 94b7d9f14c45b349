//! Robustness: odd and random inputs never panic; splitting is linear.

use super::*;

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
