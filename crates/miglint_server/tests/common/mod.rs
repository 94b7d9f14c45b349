//! A test client: runs the server over an in-memory connection and speaks
//! the protocol in JSON, as an editor would.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

pub struct Client {
    conn: Connection,
    server: Option<JoinHandle<Result<bool, String>>>,
    next_id: i32,
    /// Messages from the server not consumed yet.
    backlog: VecDeque<Message>,
    /// The `initialize` result.
    pub last_init: Value,
}

pub fn uri(path: &Path) -> String {
    miglint_server::convert::path_to_uri(path)
        .as_str()
        .to_string()
}

impl Client {
    /// Starts a server and completes the handshake with `capabilities`.
    pub fn start(root: &Path, capabilities: Value) -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || miglint_server::serve(&server));
        let mut c = Client {
            conn: client,
            server: Some(handle),
            next_id: 0,
            backlog: VecDeque::new(),
            last_init: Value::Null,
        };
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "capabilities": capabilities,
            }),
        );
        assert!(init.error.is_none(), "{init:?}");
        c.last_init = init.result;
        c.notify("initialized", json!({}));
        c
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.to_string(), params).into())
            .unwrap();
    }

    /// Answers a request of the server.
    pub fn reply(&self, r: Response) {
        self.conn.sender.send(r.into()).unwrap();
    }

    /// Sends a request; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.to_string(), params).into())
            .unwrap();
        id
    }

    pub fn request(&mut self, method: &str, params: Value) -> Reply {
        let id = self.send_request(method, params);
        self.response(&id)
    }

    pub fn response(&mut self, id: &RequestId) -> Reply {
        let r = self.wait(|m| matches!(m, Message::Response(r) if &r.id == id));
        let Message::Response(Response {
            response_result, ..
        }) = r
        else {
            unreachable!()
        };
        match response_result {
            Ok(v) => Reply {
                result: v,
                error: None,
            },
            Err(e) => Reply {
                result: Value::Null,
                error: Some((e.code, e.message)),
            },
        }
    }

    /// The next message that satisfies `pred` (others stay in the backlog).
    pub fn wait(&mut self, pred: impl Fn(&Message) -> bool) -> Message {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).unwrap();
        }
        loop {
            let m = self
                .conn
                .receiver
                .recv_timeout(WAIT)
                .expect("the server answers in time");
            if pred(&m) {
                return m;
            }
            self.backlog.push_back(m);
        }
    }

    /// The next `publishDiagnostics` for `path`: (version, diagnostics).
    pub fn published(&mut self, path: &Path) -> (Value, Vec<Value>) {
        let u = uri(path);
        let m = self.wait(|m| {
            matches!(m, Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == u.as_str())
        });
        let Message::Notification(n) = m else {
            unreachable!()
        };
        (
            n.params["version"].clone(),
            n.params["diagnostics"].as_array().unwrap().clone(),
        )
    }

    /// Publications received so far (not consumed), for assertions that
    /// nothing was published.
    pub fn pending_publications(&mut self, path: &Path) -> usize {
        while let Ok(m) = self.conn.receiver.try_recv() {
            self.backlog.push_back(m);
        }
        let u = uri(path);
        self.backlog
            .iter()
            .filter(|m| {
                matches!(m, Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == u.as_str())
            })
            .count()
    }

    pub fn open(&self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "python", "version": 1, "text": text}}),
        );
    }

    pub fn change_full(&self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    /// Shutdown + exit; returns whether the server ended cleanly.
    pub fn shutdown(mut self) -> bool {
        let r = self.request("shutdown", Value::Null);
        assert!(r.error.is_none());
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap().unwrap()
    }
}

#[derive(Debug)]
pub struct Reply {
    pub result: Value,
    pub error: Option<(i32, String)>,
}

/// A temporary project: `alembic.ini` (PostgreSQL) and `alembic/versions/`.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("alembic/versions")).unwrap();
        std::fs::write(
            dir.path().join("alembic.ini"),
            "[alembic]\nscript_location = alembic\nsqlalchemy.url = postgresql://localhost/db\n",
        )
        .unwrap();
        // env.py as `alembic init` writes it: it uses the URL of alembic.ini
        std::fs::write(
            dir.path().join("alembic/env.py"),
            "from alembic import context\nfrom sqlalchemy import engine_from_config, pool\n\
             config = context.config\n\
             connectable = engine_from_config(config.get_section(config.config_ini_section, {}), \
             prefix=\"sqlalchemy.\", poolclass=pool.NullPool)\n",
        )
        .unwrap();
        let p = Project { dir };
        p.write("a1_base.py", BASE);
        p
    }

    pub fn root(&self) -> PathBuf {
        miglint_server::convert::normalize(self.dir.path())
    }

    pub fn rev(&self, name: &str) -> PathBuf {
        self.root().join("alembic/versions").join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.rev(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

pub const BASE: &str = r#""""base"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("users")
"#;

/// A revision on top of `a1` whose column name holds non-ASCII text before
/// the ML101 span: `é` (2 bytes, 1 UTF-16 unit) and `😀` (4 bytes, 2 units).
pub const FLAG: &str = r#""""flag"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("é😀", sa.Boolean(), nullable=False, server_default=sa.text("1")))


def downgrade():
    op.drop_column("users", "é😀")
"#;

/// Applies LSP text edits (JSON) to `text`.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let index = miglint_diagnostics::LineIndex::new(text);
    let mut spans: Vec<(u32, u32, String)> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| {
                index.offset_utf16(
                    text,
                    p["line"].as_u64().unwrap() as u32,
                    p["character"].as_u64().unwrap() as u32,
                )
            };
            (
                pos(&e["range"]["start"]),
                pos(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = String::new();
    let mut at = 0usize;
    for (a, b, t) in spans {
        out.push_str(&text[at..a as usize]);
        out.push_str(&t);
        at = b as usize;
    }
    out.push_str(&text[at..]);
    out
}
