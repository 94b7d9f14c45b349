//! What the server keeps between edits and what makes it stale: target
//! inference (env.py, alembic.ini), closed files when the client watches
//! them, and `exit` while a 5 MB file is being linted.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Project, uri};
use lsp_server::{Message, Response};
use serde_json::{Value, json};

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().filter_map(|d| d["code"].as_str()).collect()
}

const CONCURRENT: &str = r#"from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_index("ix_users_id", "users", ["id"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_users_id", table_name="users")
"#;

const ALTER: &str = r#"from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("users", "id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.alter_column("users", "id", existing_type=sa.Integer(), nullable=False)
"#;

#[test]
fn an_env_py_edit_changes_the_targets_without_file_events() {
    let p = Project::new();
    let b2 = p.write("b2_index.py", CONCURRENT);
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&b2, CONCURRENT);
    assert_eq!(codes(&c.published(&b2).1), ["ML601"]);
    // the same text again: the targets are the kept ones
    c.change_full(&b2, 2, CONCURRENT);
    assert_eq!(codes(&c.published(&b2).1), ["ML601"]);
    // env.py now runs the migrations outside a transaction: no ML601; the
    // client reports no file event, the next edit sees it
    std::fs::write(
        p.root().join("alembic/env.py"),
        "from alembic import context\nfrom sqlalchemy import create_engine\n\
         connectable = create_engine(\"postgresql://localhost/db\", isolation_level=\"AUTOCOMMIT\")\n",
    )
    .unwrap();
    c.change_full(&b2, 3, CONCURRENT);
    assert_eq!(codes(&c.published(&b2).1), Vec::<&str>::new());
    // and alembic.ini: a SQLite URL, where an ALTER outside a batch fails
    std::fs::remove_file(p.root().join("alembic/env.py")).unwrap();
    c.change_full(&b2, 4, ALTER);
    assert_eq!(codes(&c.published(&b2).1), Vec::<&str>::new());
    std::fs::write(
        p.root().join("alembic.ini"),
        "[alembic]\nscript_location = alembic\nsqlalchemy.url = sqlite:///db.sqlite\n",
    )
    .unwrap();
    c.change_full(&b2, 5, ALTER);
    let d = c.published(&b2).1;
    assert!(codes(&d).contains(&"ML106"), "{d:?}");
    assert!(c.shutdown());
}

/// A revision on `down` with id `id`.
fn rev(id: &str, down: &str) -> String {
    format!(
        "revision = \"{id}\"\ndown_revision = \"{down}\"\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
}

#[test]
fn with_file_watchers_closed_files_are_read_again_when_the_client_says_so() {
    let p = Project::new();
    let b2 = p.write("b2_one.py", &rev("b2", "a1"));
    let c3 = p.write("c3_two.py", &rev("c3", "b2"));
    let mut c = Client::start(
        &p.root(),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let reg =
        c.wait(|m| matches!(m, Message::Request(r) if r.method == "client/registerCapability"));
    let Message::Request(reg) = reg else {
        unreachable!()
    };
    c.reply(Response::new_ok(reg.id, Value::Null));
    c.open(&b2, &rev("b2", "a1"));
    let first = codes(&c.published(&b2).1).join(",");
    assert!(!first.contains("ML501"), "{first}");
    // c3 moves onto a1 on disk: a fork, once the client reports it (the
    // server does not stat every closed file on every edit)
    std::fs::write(&c3, rev("c3", "a1")).unwrap();
    c.change_full(&b2, 2, &rev("b2", "a1"));
    c.published(&b2);
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&b2)}, "position": {"line": 0, "character": 0}}),
    );
    assert!(r.error.is_none());
    assert_eq!(c.pending_publications(&c3), 0, "not reported yet");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&c3), "type": 2}]}),
    );
    let (_, diags) = c.published(&c3);
    assert!(codes(&diags).contains(&"ML501"), "{diags:?}");
    // back on b2, reported: the fork is gone
    std::fs::write(&c3, rev("c3", "b2")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&c3), "type": 2}]}),
    );
    let (_, diags) = c.published(&c3);
    assert!(!codes(&diags).contains(&"ML501"), "{diags:?}");
    assert!(c.shutdown());
}

#[test]
fn exit_does_not_wait_for_the_lint_of_a_5_mb_file() {
    let p = Project::new();
    let path = p.rev("zz_huge.py");
    let mut text = String::from(
        "revision = \"zz\"\ndown_revision = \"a1\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n",
    );
    while text.len() < 5_000_000 {
        text.push_str(
            "    op.add_column(\"t\", sa.Column(\"c\", sa.Boolean(), server_default=sa.text(\"1\")))\n",
        );
    }
    let mut c = Client::start(&p.root(), json!({}));
    c.open(&path, &text);
    // the main loop answers while the lint thread works on it
    let t = Instant::now();
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(r.error.unwrap().0, -32601);
    assert_eq!(c.pending_publications(&path), 0, "still linting");
    // and the session ends at once (within the exit grace), not after it
    assert!(c.shutdown());
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "exit waited {:?}",
        t.elapsed()
    );
}
