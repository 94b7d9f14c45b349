//! The main loop: the initialize handshake, document synchronisation (on
//! this thread: cheap), and routing of the requests that need lint results
//! to the lint thread. It never lints, so it never blocks on a big file.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CancelParams, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DiagnosticOptions, DiagnosticServerCapabilities, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, FileChangeType, FileSystemWatcher,
    GlobPattern, HoverProviderCapability, InitializeParams, NumberOrString, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

use crate::convert;
use crate::documents::Documents;
use crate::worker::{Caps, Job, Shared, Worker};

/// Requests answered by the lint thread.
const LINT_REQUESTS: &[&str] = &[
    "textDocument/diagnostic",
    "textDocument/codeAction",
    "textDocument/hover",
];

/// How long `exit` waits for the lint thread to finish its current job.
pub const EXIT_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// The id of our `client/registerCapability` request (file watchers).
const REGISTER_ID: &str = "miglint/register";

/// Files whose change reloads the configuration.
const CONFIG_FILES: &[&str] = &["lint.toml", "pyproject.toml", "alembic.ini"];

fn capabilities(caps: Caps) -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, crate::actions::FIX_ALL]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        diagnostic_provider: caps.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some(String::from("miglint")),
                // a revision's findings depend on the other revisions
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                ..DiagnosticOptions::default()
            })
        }),
        ..ServerCapabilities::default()
    }
}

/// Runs a session over `conn` until `exit`. Ok(true) when the client shut
/// the server down properly first.
pub fn serve(conn: &Connection) -> Result<bool, String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let init: InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!("invalid initialize params: {e}");
            let _ = conn
                .sender
                .send(Response::new_err(id, ErrorCode::InvalidParams as i32, msg.clone()).into());
            return Err(msg);
        }
    };
    let cc = &init.capabilities;
    let caps = Caps {
        pull: cc
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some()),
        refresh: cc
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostic.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        related_information: cc
            .text_document
            .as_ref()
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.related_information)
            .unwrap_or(true),
    };
    let watch = cc
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    #[allow(deprecated)]
    let mut workspace: Vec<PathBuf> = init
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| convert::uri_to_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if workspace.is_empty()
        && let Some(p) = init.root_uri.as_ref().and_then(convert::uri_to_path)
    {
        workspace.push(p);
    }
    let result = serde_json::json!({
        "capabilities": capabilities(caps),
        "serverInfo": {"name": "miglint", "version": env!("CARGO_PKG_VERSION")},
    });
    // lsp-server's `initialize_finish` waits for (and consumes) the
    // `initialized` notification: register the watchers after it
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    if watch {
        register_watchers(conn);
    }

    let shared = Arc::new(Shared {
        docs: Mutex::new(Documents::default()),
        cancelled: Mutex::new(HashSet::new()),
        sender: conn.sender.clone(),
        caps,
        workspace,
        watching: std::sync::atomic::AtomicBool::new(false),
    });
    let (jobs, rx) = crossbeam_channel::unbounded::<Job>();
    let worker_shared = shared.clone();
    let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(1);
    let worker = std::thread::Builder::new()
        .name("miglint-lint".into())
        .spawn(move || {
            Worker::new(worker_shared).run(&rx);
            let _ = done_tx.send(());
        })
        .map_err(|e| e.to_string())?;

    let mut shutting_down = false;
    let mut clean = false;
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if shutting_down {
                    reply_err(
                        conn,
                        req.id,
                        ErrorCode::InvalidRequest,
                        "the server is shutting down",
                    );
                } else if req.method == "shutdown" {
                    shutting_down = true;
                    let _ = conn.sender.send(Response::new_ok(req.id, ()).into());
                } else if LINT_REQUESTS.contains(&req.method.as_str()) {
                    let _ = jobs.send(Job::Request(req));
                } else {
                    let method = req.method.clone();
                    reply_err(
                        conn,
                        req.id,
                        ErrorCode::MethodNotFound,
                        &format!("unknown method {method}"),
                    );
                }
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    clean = shutting_down;
                    break;
                }
                notification(&shared, &jobs, n);
            }
            // once the client accepted the file watchers, closed files are
            // read again only when it reports a change
            Message::Response(r) => {
                if r.id == RequestId::from(String::from(REGISTER_ID)) && r.response_result.is_ok() {
                    shared
                        .watching
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
    }
    drop(jobs);
    // the lint thread ends after its current job; `exit` does not wait for
    // a long one (a 5 MB file): the process ends without it
    if done_rx.recv_timeout(EXIT_GRACE).is_ok() {
        let _ = worker.join();
    }
    Ok(clean)
}

fn reply_err(conn: &Connection, id: RequestId, code: ErrorCode, message: &str) {
    let _ = conn
        .sender
        .send(Response::new_err(id, code as i32, message.to_string()).into());
}

fn register_watchers(conn: &Connection) {
    let watchers = [
        "**/lint.toml",
        "**/pyproject.toml",
        "**/alembic.ini",
        "**/*.py",
    ]
    .iter()
    .map(|g| FileSystemWatcher {
        glob_pattern: GlobPattern::String((*g).to_string()),
        kind: None,
    })
    .collect();
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: String::from("miglint-watch"),
            method: String::from("workspace/didChangeWatchedFiles"),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        }],
    };
    let req = Request::new(
        RequestId::from(String::from(REGISTER_ID)),
        "client/registerCapability".into(),
        params,
    );
    let _ = conn.sender.send(req.into());
}

/// Handles one notification on the main loop. Malformed ones are logged and
/// skipped (a notification gets no reply).
fn notification(shared: &Shared, jobs: &crossbeam_channel::Sender<Job>, n: Notification) {
    fn parse<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
        let method = n.method.clone();
        serde_json::from_value(n.params)
            .map_err(|e| eprintln!("miglint server: invalid params for {method}: {e}"))
            .ok()
    }
    match n.method.as_str() {
        "textDocument/didOpen" => {
            let Some(p) = parse::<DidOpenTextDocumentParams>(n) else {
                return;
            };
            let doc = p.text_document;
            if let Some(path) = convert::uri_to_path(&doc.uri) {
                shared
                    .docs()
                    .open(path.clone(), doc.uri, doc.version, doc.text);
                let _ = jobs.send(Job::Touch(path));
            }
        }
        "textDocument/didChange" => {
            let Some(p) = parse::<DidChangeTextDocumentParams>(n) else {
                return;
            };
            if let Some(path) = convert::uri_to_path(&p.text_document.uri) {
                let known = shared
                    .docs()
                    .change(&path, p.text_document.version, p.content_changes);
                if known {
                    let _ = jobs.send(Job::Touch(path));
                }
            }
        }
        "textDocument/didClose" => {
            let Some(p) = parse::<DidCloseTextDocumentParams>(n) else {
                return;
            };
            if let Some(path) = convert::uri_to_path(&p.text_document.uri) {
                shared.docs().close(&path);
                let _ = jobs.send(Job::Touch(path));
            }
        }
        "workspace/didChangeWatchedFiles" => {
            let Some(p) = parse::<DidChangeWatchedFilesParams>(n) else {
                return;
            };
            let mut disk = Vec::new();
            let mut reload = false;
            for change in p.changes {
                let Some(path) = convert::uri_to_path(&change.uri) else {
                    continue;
                };
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if CONFIG_FILES.contains(&name) {
                    reload = true;
                } else if name.ends_with(".py") {
                    disk.push((path, change.typ != FileChangeType::CHANGED));
                }
            }
            if reload {
                let _ = jobs.send(Job::Reload);
            }
            if !disk.is_empty() {
                let _ = jobs.send(Job::Disk(disk));
            }
        }
        "$/cancelRequest" => {
            let Some(p) = parse::<CancelParams>(n) else {
                return;
            };
            let id = match p.id {
                NumberOrString::Number(i) => RequestId::from(i),
                NumberOrString::String(s) => RequestId::from(s),
            };
            shared
                .cancelled
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
        }
        _ => {}
    }
}
