use super::*;

#[test]
fn file_templates() {
    assert!(filename_matches(
        "3512b954651e_add_account.py",
        "3512b954651e"
    ));
    assert!(filename_matches("3512b954651e.py", "3512b954651e"));
    assert!(filename_matches(
        "2024_01_01_1200-3512b954651e_add.py",
        "3512b954651e"
    ));
    assert!(filename_matches(
        "2021_01_20_122127_25f4b90a7a42_initial_migration.py",
        "25f4b90a7a42"
    ));
    assert!(filename_matches(
        "2015-09-21_17-30_4e6a06bad7a8_init.py",
        "4e6a06bad7a8"
    ));
    assert!(filename_matches("0.21.0_release.py", "0.21.0"));
    assert!(filename_matches(
        "add_account_3512b954651e.py",
        "3512b954651e"
    ));
    assert!(!filename_matches("0042_3_0_0_add_uuid.py", "d59cbbef95eb"));
    assert!(!filename_matches("1111_add_foo.py", "r2"));
    // a prefix of a longer token is not a match
    assert!(!filename_matches("3512b954651eff_add.py", "3512b954651e"));
}

#[test]
fn scopes() {
    assert_eq!(
        scope_of(Path::new("a/alembic/versions")),
        Path::new("a/alembic")
    );
    assert_eq!(
        scope_of(Path::new("m/versions/2023.1/expand")),
        Path::new("m")
    );
    assert_eq!(
        scope_of(Path::new("g/alembic/versions_gxy")),
        Path::new("g/alembic")
    );
    assert_eq!(
        scope_of(Path::new("fixtures/ML501/err_x")),
        Path::new("fixtures/ML501")
    );
}

#[test]
fn directories() {
    for (path, dir) in [
        ("a/versions/x.py", "a/versions"),
        ("x.py", ""),
        ("/x.py", "/"),
        ("/a/x.py", "/a"),
    ] {
        let path = Path::new(path);
        assert_eq!(parent_dir(path), Path::new(dir));
        assert!(in_dir(path, Path::new(dir)), "{path:?} in {dir:?}");
    }
    assert!(!in_dir(
        Path::new("a/versions/sub/x.py"),
        Path::new("a/versions")
    ));
    assert!(!in_dir(
        Path::new("a/versions2/x.py"),
        Path::new("a/versions")
    ));
    assert!(!in_dir(Path::new("a/x.py"), Path::new("")));
}

#[test]
fn expression_keys() {
    assert_eq!(expression_key("(cli.EXPAND_BRANCH,)"), "cli.EXPAND_BRANCH");
    assert_eq!(expression_key("[ cli.X ]"), "cli.X");
    assert_eq!(expression_key("(a, b)"), "(a, b)");
    assert_eq!(expression_key("LABELS"), "LABELS");
}

#[test]
fn legacy_ids() {
    assert_eq!(
        legacy_id(Path::new("v/1975ea83b712.py")),
        Some("1975ea83b712")
    );
    assert_eq!(legacy_id(Path::new("v/1975ea83b712_add.py")), None);
}

#[test]
fn tarjan_finds_cycles_iteratively() {
    // 0 -> 1 -> 2 -> 0, 3 -> 3 is excluded (self edges handled elsewhere), 4 alone
    let lists = [vec![1], vec![2], vec![0], vec![], vec![0]];
    let adj = Adj::build(lists.len(), |i, out| out.extend(&lists[i]));
    assert_eq!(strongly_connected(&adj), vec![vec![0, 1, 2]]);
    assert_eq!(cycle_path(&[0, 1, 2], &adj), vec![0, 1, 2]);
    // a long chain must not overflow the stack
    let n = 200_000;
    let adj = Adj::build(n, |i, out| {
        if i + 1 < n {
            out.push(i + 1);
        }
    });
    assert!(strongly_connected(&adj).is_empty());
}

#[test]
fn topo_order_survives_a_self_loop() {
    let mut parser = miglint_python::PythonParser::new();
    let sources = [
        "revision = 'r1'\ndown_revision = None\ndef upgrade():\n    pass\n",
        "revision = 'r2'\ndown_revision = 'r2'\ndef upgrade():\n    pass\n",
        "revision = 'r3'\ndown_revision = 'r1'\ndef upgrade():\n    pass\n",
    ];
    let modules: Vec<_> = sources.iter().map(|s| parser.parse(s)).collect();
    let paths: Vec<PathBuf> = (1..=3)
        .map(|i| PathBuf::from(format!("a/alembic/versions/r{i}.py")))
        .collect();
    let files: Vec<ProjectFile<'_>> = (0..3)
        .map(|i| ProjectFile {
            path: &paths[i],
            source: sources[i],
            file: None,
            module: &modules[i],
            sql: &[],
            targets: miglint_diagnostics::DialectSet::ALL,
            no_transaction: false,
            env_sets_lock_timeout: false,
        })
        .collect();
    let envs = environments(&files);
    assert_eq!(envs.len(), 1);
    let order = envs[0].topo_order();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![0, 1, 2], "every node once: {order:?}");
    // r1 before its child r3
    let at = |n: usize| order.iter().position(|&x| x == n).unwrap();
    assert!(at(0) < at(2), "{order:?}");
}

/// A map takes a key's bucket from the low bits of its hash and a tag from
/// the top 7: ids that count up (the last 8-byte word of an id of 8, 16 or
/// 32 characters differing only in its high bytes, or in its last byte)
/// spread over both as random ones do. Before the fold in `finish`, the
/// 8-character ids fell into 32 of the 131,072 buckets.
#[test]
fn fast_hash_spreads_ids_that_count_up() {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let build = BuildHasherDefault::<FastHasher>::default();
    type Shape = (&'static str, fn(u64) -> String);
    let shapes: [Shape; 5] = [
        ("8 characters", |i| format!("c{i:07x}")),
        ("12 characters", |i| format!("3512b9{i:06x}")),
        ("16 characters", |i| format!("2024_01_01_{i:05}")),
        ("32 characters", |i| {
            format!("{:032x}", 0xabcd_0000_0000 + i)
        }),
        ("4 characters", |i| format!("{i:04}")),
    ];
    for (shape, id) in shapes {
        let n = 10_000;
        let mut buckets = std::collections::HashSet::new();
        let mut tags = std::collections::HashSet::new();
        for i in 0..n {
            let h = build.hash_one(id(i).as_str());
            buckets.insert(h & 0x3fff);
            tags.insert(h >> 57);
        }
        // 10,000 random keys in 16,384 buckets fill about 7,400
        assert!(buckets.len() > 6_500, "{shape}: {} buckets", buckets.len());
        assert_eq!(tags.len(), 128, "{shape}");
    }
}
