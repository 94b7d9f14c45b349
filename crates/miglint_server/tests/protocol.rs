//! Protocol-level tests: the server over an in-memory connection, driven
//! with JSON messages as an editor sends them.

mod common;

use common::{Client, FLAG, Project, apply, uri};
use serde_json::{Value, json};

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn initialize_advertises_and_shutdown_exits_cleanly() {
    let p = Project::new();
    let c = Client::start(&p.root(), json!({}));
    let caps = &c.last_init["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.miglint"])
    );
    // no pull diagnostics offered to a client that cannot pull
    assert!(caps.get("diagnosticProvider").is_none());
    assert_eq!(c.last_init["serverInfo"]["name"], "miglint");
    assert!(c.shutdown(), "shutdown then exit is a clean end");
}

#[test]
fn open_publishes_codes_ranges_in_utf16_and_rule_links() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    let (version, diags) = c.published(&b2);
    assert_eq!(version, 1);
    assert_eq!(codes(&diags), ["ML101"]);
    let d = &diags[0];
    // line 10 of the file; `sa.text("1")` starts at byte 92 of the line but
    // at UTF-16 column 89: `é` is 2 bytes/1 unit, `😀` 4 bytes/2 units
    let line = FLAG.lines().nth(9).unwrap();
    let byte = line.find("sa.text(\"1\")").unwrap();
    let units = line[..byte].encode_utf16().count();
    assert_eq!((byte, units), (92, 89));
    assert_eq!(
        d["range"],
        json!({"start": {"line": 9, "character": 89}, "end": {"line": 9, "character": 101}})
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "miglint");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/ML101.md")
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("PostgreSQL rejects this default")
    );
    assert!(c.shutdown());
}

#[test]
fn change_and_close_republish() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    // an incremental change: `sa.text("1")` → `sa.true()` (UTF-16 columns)
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&b2), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 9, "character": 89},
                                             "end": {"line": 9, "character": 101}},
                                   "text": "sa.true()"}]}),
    );
    let (version, diags) = c.published(&b2);
    assert_eq!(version, 2);
    assert!(diags.is_empty(), "{diags:?}");
    // back to the error, then a syntax error: ML901, and the server goes on
    c.change_full(&b2, 3, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    c.change_full(
        &b2,
        4,
        "revision = \"b2\"\ndown_revision = \"a1\"\ndef upgrade(:\n",
    );
    let (version, diags) = c.published(&b2);
    assert_eq!(version, 4);
    assert!(codes(&diags).contains(&"ML901"), "{diags:?}");
    // closing clears what was shown
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&b2)}}),
    );
    assert!(c.published(&b2).1.is_empty());
    assert!(c.shutdown());
}

#[test]
fn a_second_head_is_reported_with_the_other_head_as_related_information() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    // a second revision on a1, only in an editor buffer (not saved yet)
    let c3 = p.rev("c3_other.py");
    let other = FLAG.replace("\"b2\"", "\"c3\"").replace("é😀", "other");
    c.open(&c3, &other);
    let diags = loop {
        let (_, d) = c.published(&c3);
        if codes(&d).contains(&"ML501") {
            break d;
        }
    };
    let ml501 = diags.iter().find(|d| d["code"] == "ML501").unwrap();
    let related = ml501["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == uri(&b2).as_str()),
        "{related:?}"
    );
    // a merge on disk closes the fork: the graph is re-evaluated for both
    let merge = "revision = \"d4\"\ndown_revision = (\"b2\", \"c3\")\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";
    let d4 = p.write("d4_merge.py", merge);
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&d4), "type": 1}]}),
    );
    loop {
        let (_, d) = c.published(&c3);
        if !codes(&d).contains(&"ML501") {
            assert_eq!(codes(&d), ["ML101"]);
            break;
        }
    }
    assert!(c.shutdown());
}

#[test]
fn graph_findings_in_files_not_open_are_published_and_cleared() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    let c3 = p.write(
        "c3_other.py",
        &FLAG.replace("\"b2\"", "\"c3\"").replace("é😀", "other"),
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&c3), "type": 1}]}),
    );
    let (version, diags) = c.published(&c3);
    assert_eq!(version, Value::Null, "not an open document");
    assert!(codes(&diags).contains(&"ML501"), "{diags:?}");
    std::fs::remove_file(&c3).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&c3), "type": 3}]}),
    );
    assert!(c.published(&c3).1.is_empty());
    assert!(c.shutdown());
}

fn actions(
    c: &mut Client,
    path: &std::path::Path,
    diag: &Value,
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": [diag]});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(path)}, "range": diag["range"], "context": context}),
    );
    assert!(r.error.is_none(), "{:?}", r.error);
    r.result.as_array().cloned().unwrap_or_default()
}

fn edits_of(action: &Value, path: &std::path::Path) -> Vec<Value> {
    action["edit"]["changes"][uri(path)]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn code_actions_fix_and_suppress() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    let (_, diags) = c.published(&b2);
    let list = actions(&mut c, &b2, &diags[0], None);
    let titles: Vec<&str> = list.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "ML101: replace with `sa.true()`",
            "Suppress ML101 on this line",
            "Suppress ML101 in this file",
            "miglint: fix all safe findings (1 fix)",
        ]
    );
    assert_eq!(list[0]["kind"], "quickfix");
    assert_eq!(list[0]["isPreferred"], true);
    assert_eq!(list[3]["kind"], "source.fixAll.miglint");

    let fixed = apply(FLAG, &edits_of(&list[0], &b2));
    assert!(fixed.contains("server_default=sa.true()))"), "{fixed}");
    assert_eq!(apply(FLAG, &edits_of(&list[3], &b2)), fixed);

    let line = apply(FLAG, &edits_of(&list[1], &b2));
    assert!(
        line.contains("def upgrade():\n    # miglint: ignore[ML101]\n    op.add_column(\"users\""),
        "{line}"
    );
    let file = apply(FLAG, &edits_of(&list[2], &b2));
    assert!(
        file.starts_with("# miglint: file-ignore[ML101]\n\"\"\"flag\"\"\""),
        "{file}"
    );

    // the suppressed text lints clean
    c.change_full(&b2, 2, &line);
    assert!(c.published(&b2).1.is_empty());
    c.change_full(&b2, 3, &file);
    assert!(c.published(&b2).1.is_empty());

    // an existing ignore comment on the line gets the code added
    let with_comment = FLAG.replace(
        "    op.add_column(\"users\"",
        "    # miglint: ignore[ML201]\n    op.add_column(\"users\"",
    );
    c.change_full(&b2, 4, &with_comment);
    let (_, diags) = c.published(&b2);
    let ml101 = diags.iter().find(|d| d["code"] == "ML101").unwrap().clone();
    let list = actions(&mut c, &b2, &ml101, Some(&["quickfix"]));
    let suppress = list
        .iter()
        .find(|a| a["title"] == "Suppress ML101 on this line")
        .unwrap();
    let out = apply(&with_comment, &edits_of(suppress, &b2));
    assert!(
        out.contains("    # miglint: ignore[ML201, ML101]\n    op.add_column"),
        "{out}"
    );
    // only fix-all when the client asks for source actions
    let only = actions(&mut c, &b2, &ml101, Some(&["source.fixAll"]));
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["kind"], "source.fixAll.miglint");
    assert!(c.shutdown());
}

#[test]
fn unused_suppressions_are_tagged_unnecessary() {
    let p = Project::new();
    let text = FLAG
        .replace("server_default=sa.text(\"1\")", "server_default=sa.true()")
        .replace(
            "    op.add_column(\"users\"",
            "    # miglint: ignore[ML101]\n    op.add_column(\"users\"",
        );
    let b2 = p.write("b2_flag.py", &text);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, &text);
    let (_, diags) = c.published(&b2);
    assert_eq!(codes(&diags), ["ML904"]);
    assert_eq!(diags[0]["tags"], json!([1]));
    assert!(c.shutdown());
}

#[test]
fn hover_shows_the_rule_page() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    c.published(&b2);
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&b2)}, "position": {"line": 9, "character": 95}}),
    );
    let md = r.result["contents"]["value"].as_str().unwrap();
    assert_eq!(r.result["contents"]["kind"], "markdown");
    assert!(md.starts_with("# ML101"), "{md}");
    assert!(md.contains("## Why is this bad?"));
    // nothing to say away from a finding
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&b2)}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r.result, Value::Null);
    assert!(c.shutdown());
}

#[test]
fn config_reload_when_lint_toml_changes() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    let toml = p.root().join("lint.toml");
    std::fs::write(&toml, "ignore = [\"ML101\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&toml), "type": 1}]}),
    );
    assert!(c.published(&b2).1.is_empty());
    // a broken configuration: reported, and the defaults apply meanwhile
    std::fs::write(&toml, "ignore = [\"ML9999\"]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&toml), "type": 2}]}),
    );
    let m = c.wait(
        |m| matches!(m, lsp_server::Message::Notification(n) if n.method == "window/showMessage"),
    );
    let lsp_server::Message::Notification(n) = m else {
        unreachable!()
    };
    assert!(
        n.params["message"].as_str().unwrap().contains("ML9999"),
        "{n:?}"
    );
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    assert!(c.shutdown());
}

#[test]
fn bad_requests_get_errors_and_the_server_goes_on() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    // wrong params
    let r = c.request("textDocument/codeAction", json!({"textDocument": 42}));
    assert_eq!(r.error.as_ref().unwrap().0, -32602, "InvalidParams");
    let r = c.request("textDocument/hover", json!("nonsense"));
    assert_eq!(r.error.as_ref().unwrap().0, -32602);
    // unknown method
    let r = c.request("textDocument/formatting", json!({}));
    assert_eq!(r.error.as_ref().unwrap().0, -32601, "MethodNotFound");
    // a malformed notification is skipped
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": 1}}));
    // a document that is not a file
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:Untitled-1", "languageId": "python", "version": 1, "text": "x"}}),
    );
    // and the server still works
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    assert!(c.shutdown());
}

#[test]
fn pull_diagnostics_when_the_client_offers_them() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({"textDocument": {"diagnostic": {}}}));
    assert_eq!(
        c.last_init["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    c.open(&b2, FLAG);
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&b2)}}),
    );
    assert_eq!(r.result["kind"], "full");
    assert_eq!(codes(r.result["items"].as_array().unwrap()), ["ML101"]);
    // pulled, not pushed
    assert_eq!(c.pending_publications(&b2), 0);
    assert!(c.shutdown());
}

#[test]
fn files_outside_the_revision_folders_are_not_linted() {
    let p = Project::new();
    let env = p.root().join("alembic/env.py");
    let mut c = Client::start(&p.root(), json!({"textDocument": {"diagnostic": {}}}));
    c.open(&env, "from alembic import context\n");
    let r = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&env)}}),
    );
    assert_eq!(r.result["items"], json!([]));
    assert!(c.shutdown());
}

/// A revision with `n` ML101 findings (a slow file to lint).
fn big(n: usize) -> String {
    let mut s = String::from(
        "revision = \"big\"\ndown_revision = \"a1\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "    op.add_column(\"t{}\", sa.Column(\"c{i}\", sa.Boolean(), server_default=sa.text(\"1\")))\n",
            i % 50
        ));
    }
    s
}

#[test]
fn a_big_file_blocks_neither_the_main_loop_nor_cancellation() {
    let p = Project::new();
    let path = p.rev("zz_big.py");
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&path, &big(4000));
    // the lint thread is busy with the big file; this request waits behind it
    let slow = c.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": 7, "character": 90}}),
    );
    c.notify("$/cancelRequest", json!({"id": slow}));
    // the main loop answers at once, before the big file's diagnostics
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(r.error.unwrap().0, -32601);
    assert_eq!(
        c.pending_publications(&path),
        0,
        "answered before the lint ended"
    );
    let r = c.response(&slow);
    assert_eq!(r.error.unwrap().0, -32800, "RequestCancelled");
    let (_, diags) = c.published(&path);
    assert_eq!(diags.len(), 4000);
    assert!(c.shutdown());
}

#[test]
fn results_for_an_outdated_text_are_dropped() {
    let p = Project::new();
    let path = p.rev("zz_big.py");
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&path, &big(4000));
    c.change_full(&path, 2, &big(1));
    // the first publication is for version 2: version 1's result (if it was
    // computed at all) was dropped
    let (version, diags) = c.published(&path);
    assert_eq!(version, 2);
    assert_eq!(codes(&diags), ["ML101"]);
    assert!(c.shutdown());
}

#[test]
fn each_project_of_a_workspace_has_its_own_configuration_and_targets() {
    // one workspace, two projects: PostgreSQL (the default test project)
    // and one whose alembic.ini names SQLite
    let ws = tempfile::tempdir().unwrap();
    let root = miglint_server::convert::normalize(ws.path());
    let pg = root.join("billing");
    let lite = root.join("cache");
    for (dir, url) in [(&pg, "postgresql://h/db"), (&lite, "sqlite:///c.db")] {
        std::fs::create_dir_all(dir.join("alembic/versions")).unwrap();
        std::fs::write(
            dir.join("alembic.ini"),
            format!("[alembic]\nscript_location = alembic\nsqlalchemy.url = {url}\n"),
        )
        .unwrap();
        std::fs::write(dir.join("alembic/versions/a1_base.py"), common::BASE).unwrap();
        std::fs::write(dir.join("alembic/versions/b2_flag.py"), FLAG).unwrap();
    }
    let mut c = Client::start(&root, json!({}));
    let a = pg.join("alembic/versions/b2_flag.py");
    let b = lite.join("alembic/versions/b2_flag.py");
    c.open(&a, FLAG);
    c.open(&b, FLAG);
    assert_eq!(codes(&c.published(&a).1), ["ML101"]);
    // SQLite stores the integer: no ML101 there (and the same revision ids
    // in the other project are no duplicate)
    assert_eq!(codes(&c.published(&b).1), Vec::<&str>::new());
    assert!(c.shutdown());
}

#[test]
fn a_new_revision_saved_and_closed_stays_in_the_graph_without_file_events() {
    let p = Project::new();
    let b2 = p.write("b2_flag.py", FLAG);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, FLAG);
    assert_eq!(codes(&c.published(&b2).1), ["ML101"]);
    let c3 = p.rev("c3_new.py");
    let text = FLAG.replace("\"b2\"", "\"c3\"").replace("é😀", "other");
    c.open(&c3, &text);
    while !codes(&c.published(&c3).1).contains(&"ML501") {}
    // saved, then closed; the client sends no file events
    std::fs::write(&c3, &text).unwrap();
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&c3)}}),
    );
    let (version, diags) = c.published(&c3);
    assert_eq!(version, Value::Null);
    assert!(codes(&diags).contains(&"ML501"), "{diags:?}");
    assert!(c.shutdown());
}
