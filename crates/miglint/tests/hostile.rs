//! Hostile input (issue 16): one file in a pull request must never abort,
//! hang or exhaust the run; every other file's findings are kept. One test
//! per reproducer; big inputs are generated here, never committed.

mod support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use support::miglint;

/// A revision with one ML201 error: proof that the good file is still linted.
const GOOD: &str = "revision = 'a1'\ndown_revision = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
def upgrade():\n    op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))\n\n\
def downgrade():\n    op.drop_column('t', 'c')\n";

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\npaths = [\"versions\"]\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("versions")).unwrap();
    fs::write(dir.path().join("versions/a1_good.py"), GOOD).unwrap();
    for (name, content) in files {
        fs::write(dir.path().join("versions").join(name), content).unwrap();
    }
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `(file, code, message)` of a JSON run.
fn findings(out: &std::process::Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["filename"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check_json(dir: &Path, args: &[&str]) -> std::process::Output {
    miglint(dir)
        .args(["check", "--output-format", "json"])
        .args(args)
        .output()
        .unwrap()
}

/// The finding of `code` on the file ending in `file`, if any (its message).
fn find<'a>(f: &'a [(String, String, String)], file: &str, code: &str) -> Option<&'a str> {
    f.iter()
        .find(|(p, c, _)| p.ends_with(file) && c == code)
        .map(|(_, _, m)| m.as_str())
}

fn good_file_still_linted(f: &[(String, String, String)]) {
    assert!(find(f, "a1_good.py", "ML201").is_some(), "{f:?}");
}

#[test]
fn deep_indentation_is_ml901_not_an_abort() {
    // reproducer 1: SIGABRT in tree-sitter-python's scanner before
    let mut deep: String = (0..511)
        .map(|i| format!("{}if 1:\n", " ".repeat(i)))
        .collect();
    deep.push_str(&" ".repeat(511));
    deep.push_str("x = \"a\"");
    let brackets = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    let p = project(&[
        ("deep.py", deep.as_bytes()),
        ("brackets.py", brackets.as_bytes()),
    ]);
    let out = check_json(p.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    let m = find(&f, "deep.py", "ML901").expect("ML901 on deep.py");
    assert!(m.contains("too many levels of indentation"), "{m}");
    let m = find(&f, "brackets.py", "ML901").expect("ML901 on brackets.py");
    assert!(m.contains("too many nested parentheses"), "{m}");
    good_file_still_linted(&f);
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok);
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_never_opened() {
    // reproducers 2 and 3: a FIFO blocked open() forever, /dev/zero ate 7 GB
    let p = project(&[]);
    mkfifo(&p.path().join("versions/fifo.py"));
    std::os::unix::fs::symlink("/dev/zero", p.path().join("versions/zero.py")).unwrap();
    let out = check_json(p.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    let m = find(&f, "fifo.py", "ML905").expect("ML905 on the FIFO");
    assert!(m.contains("not a regular file but a FIFO"), "{m}");
    let m = find(&f, "zero.py", "ML905").expect("ML905 on /dev/zero");
    assert!(m.contains("character device"), "{m}");
    good_file_still_linted(&f);

    // given explicitly, too
    let out = check_json(p.path(), &["versions/fifo.py", "versions/a1_good.py"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(find(&findings(&out), "fifo.py", "ML905").is_some());

    // as --config: a configuration error, not a hang or an unbounded read
    for config in ["versions/fifo.py", "/dev/zero"] {
        let out = miglint(p.path())
            .args(["check", "--config", config])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn files_over_max_file_size_are_not_read() {
    let p = project(&[("big.py", "# x\n".repeat(1000).as_bytes())]);
    fs::write(
        p.path().join("lint.toml"),
        "paths = [\"versions\"]\nmax-file-size = \"2KB\"\n",
    )
    .unwrap();
    let out = check_json(p.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&out);
    let m = find(&f, "big.py", "ML905").expect("ML905 on big.py");
    assert!(
        m.contains("too large to lint (4000 bytes, the limit is 2048"),
        "{m}"
    );
    good_file_still_linted(&f);
    // a bad size is a configuration error
    fs::write(
        p.path().join("lint.toml"),
        "max-file-size = \"2 parsecs\"\n",
    )
    .unwrap();
    let out = miglint(p.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("max-file-size"), "{}", stderr(&out));
}

#[test]
fn comment_runs_after_a_block_parse_fast_and_still_suppress() {
    // reproducer 4: 16,000 comment lines after a block took 49 s to parse
    let mut src = String::from(
        "revision = 'c1'\ndown_revision = 'a1'\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
         def upgrade():\n    op.add_column('t', sa.Column('d', sa.Integer(), nullable=False))  # miglint: ignore[ML201]\n",
    );
    for i in 0..16_000 {
        src.push_str(&format!("    # comment {i}\n"));
    }
    src.push_str("    # miglint: file-ignore[ML402]\n\ndef downgrade():\n    pass\n");
    let p = project(&[("c1_comments.py", src.as_bytes())]);
    let start = std::time::Instant::now();
    let out = check_json(p.path(), &[]);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    let f = findings(&out);
    // no finding on it: the suppression on a code line and the file-level
    // one inside the hidden comment run both applied, nothing unused
    assert!(
        !f.iter().any(|(p, _, _)| p.ends_with("c1_comments.py")),
        "{f:?}"
    );
    good_file_still_linted(&f);
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_linted_in_walks_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let p = project(&[]);
    let name = std::ffi::OsStr::from_bytes(b"b2_caf\xe9.py");
    fs::write(
        p.path().join("versions").join(name),
        GOOD.replace("'a1'", "'b2'").replace("None", "'a1'"),
    )
    .unwrap();
    let out = check_json(p.path(), &[]);
    let f = findings(&out);
    assert!(find(&f, "b2_caf\u{fffd}.py", "ML201").is_some(), "{f:?}");
    for format in ["concise", "github", "full", "junit", "sarif", "gitlab"] {
        let out = miglint(p.path())
            .args(["check", "--output-format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        // SARIF names files by URI: percent-encoded
        let shown = if format == "sarif" {
            "b2_caf%EF%BF%BD.py"
        } else {
            "b2_caf\u{fffd}.py"
        };
        assert!(stdout(&out).contains(shown), "{format}: {}", stdout(&out));
    }
}

#[cfg(unix)]
#[test]
fn unreadable_explicit_paths_are_ml905_and_exit_1() {
    let p = project(&[]);
    let v = p.path().join("versions");
    std::os::unix::fs::symlink("nowhere.py", v.join("dangling.py")).unwrap();
    std::os::unix::fs::symlink("loop.py", v.join("loop.py")).unwrap();
    let out = check_json(
        p.path(),
        &[
            "versions/dangling.py",
            "versions/loop.py",
            "versions/a1_good.py",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    let m = find(&f, "dangling.py", "ML905").expect("dangling");
    assert!(m.contains("dangling symbolic link"), "{m}");
    assert!(find(&f, "loop.py", "ML905").is_some(), "{f:?}");
    good_file_still_linted(&f);

    // a directory without permission (root reads it anyway: then skip)
    use std::os::unix::fs::PermissionsExt;
    let locked = p.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_err() {
        let out = check_json(p.path(), &["locked", "versions/a1_good.py"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(find(&findings(&out), "locked", "ML905").is_some());
    }
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn decoding_follows_cpython() {
    let good = |id: &str| {
        GOOD.replace("'a1'", &format!("'{id}'"))
            .replace("None", "'a1'")
    };
    let with = |prefix: &[u8], id: &str| [prefix, good(id).as_bytes()].concat();
    let p = project(&[
        ("k1.py", &with(b"# coding: klingon\n", "k1")),
        ("k2.py", &with(b"\xef\xbb\xbf# coding: latin-1\n", "k2")),
        ("k3.py", &with(b"\xef\xbb\xbf\xef\xbb\xbf", "k3")),
        (
            "k4.py",
            &with(b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n", "k4"),
        ),
        ("k5.py", good("k5").replace('\n', "\r").as_bytes()),
        ("k6.py", good("k6").replace('\n', "\r\n").as_bytes()),
        ("k7.py", b""),
        ("k8.py", b"\xef\xbb\xbf"),
        ("__init__.py", b""),
    ]);
    let out = check_json(p.path(), &["versions", "versions/__init__.py"]);
    let f = findings(&out);
    let m = find(&f, "k1.py", "ML905").unwrap();
    assert!(m.contains("SyntaxError: unknown encoding: klingon"), "{m}");
    let m = find(&f, "k2.py", "ML905").unwrap();
    assert!(m.contains("encoding problem: iso-8859-1 with BOM"), "{m}");
    let m = find(&f, "k3.py", "ML905").unwrap();
    assert!(m.contains("invalid non-printable character U+FEFF"), "{m}");
    // BOM + utf-8 cookie, CR-only and CRLF files are Python: linted
    for ok in ["k4.py", "k5.py", "k6.py"] {
        assert!(find(&f, ok, "ML201").is_some(), "{ok}: {f:?}");
        assert!(find(&f, ok, "ML901").is_none(), "{ok}: {f:?}");
    }
    // the ML201 of the CR-only file is on its own line, not line 1
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let k5 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["filename"].as_str().unwrap().ends_with("k5.py"))
        .unwrap();
    assert_eq!(k5["location"]["row"], 7, "{k5}");
    // alembic stops on an empty revision file; __init__.py is no revision
    assert!(find(&f, "k7.py", "ML505").is_some(), "{f:?}");
    assert!(find(&f, "k8.py", "ML505").is_some(), "{f:?}");
    assert!(
        !f.iter().any(|(p, _, _)| p.ends_with("__init__.py")),
        "{f:?}"
    );
}

#[cfg(unix)]
#[test]
fn control_characters_never_reach_the_terminal() {
    use std::os::unix::ffi::OsStrExt;
    let p = project(&[]);
    let name = std::ffi::OsStr::from_bytes(b"e1_\x1b[31mred\nline.py");
    fs::write(
        p.path().join("versions").join(name),
        GOOD.replace("'t'", "'t\x1b[2J'"),
    )
    .unwrap();
    for format in ["concise", "github", "full", "junit"] {
        let out = miglint(p.path())
            .args(["check", "--output-format", format])
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(!text.contains('\x1b'), "{format}: {text}");
        assert!(text.contains("\\x1b[31mred\\nline.py"), "{format}: {text}");
        if format == "concise" {
            // one line per finding, plus the summary
            let findings = text.lines().filter(|l| l.contains(" ML")).count();
            assert_eq!(findings, text.lines().count() - 1, "{text}");
        }
    }
}

#[test]
fn config_mistakes_are_exit_2() {
    let p = project(&[]);
    fs::write(p.path().join("lint.toml"), "select = [\"ML201 \"]\n").unwrap();
    let out = miglint(p.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("write `\"ML201\"`"),
        "{}",
        stderr(&out)
    );

    // a non-UTF-8 pyproject.toml with [tool.miglint], found by discovery,
    // is the same error as with --config
    fs::remove_file(p.path().join("lint.toml")).unwrap();
    fs::write(
        p.path().join("pyproject.toml"),
        b"[tool.miglint]\n# caf\xe9\n",
    )
    .unwrap();
    for args in [&["check"][..], &["check", "--config", "pyproject.toml"]] {
        let out = miglint(p.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("pyproject.toml"), "{}", stderr(&out));
    }

    // a baseline-revision that names no revision: said on stderr
    fs::write(
        p.path().join("pyproject.toml"),
        "[tool.miglint]\npaths = [\"versions\"]\ndialects = [\"postgresql\"]\nbaseline-revision = \"nope\"\n",
    )
    .unwrap();
    let out = miglint(p.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("baseline-revision `nope`")
            && stderr(&out).contains("names no revision"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn duplicate_ids_give_one_finding_per_group() {
    // reproducer 10: 1,000 files sharing an id gave 10.6 MB of JSON
    let p = project(&[]);
    for i in 0..1000 {
        fs::write(
            p.path().join(format!("versions/d{i:04}.py")),
            "revision = 'dup'\ndown_revision = 'a1'\ndef upgrade():\n    pass\n",
        )
        .unwrap();
    }
    let out = check_json(p.path(), &[]);
    let f = findings(&out);
    let dups: Vec<_> = f.iter().filter(|(_, c, _)| c == "ML503").collect();
    assert_eq!(dups.len(), 1, "{dups:?}");
    assert!(dups[0].0.ends_with("d0000.py"));
    assert!(
        dups[0].2.contains("d0001.py, d0002.py, d0003.py, 996 more"),
        "{}",
        dups[0].2
    );
    assert!(out.stdout.len() < 1_000_000, "{} bytes", out.stdout.len());
}

#[cfg(unix)]
#[test]
fn a_fifo_env_py_does_not_hang_the_lock_timeout_rule() {
    // ML702 looks for `lock_timeout` in the env.py above a revision: a FIFO
    // there once blocked its open() forever
    let p = project(&[]);
    fs::write(
        p.path().join("lint.toml"),
        "dialects = [\"postgresql\"]\npaths = [\"versions\"]\nonline = true\n",
    )
    .unwrap();
    mkfifo(&p.path().join("env.py"));
    let out = check_json(p.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    assert!(find(&f, "a1_good.py", "ML702").is_some(), "{f:?}");
    good_file_still_linted(&f);
}
