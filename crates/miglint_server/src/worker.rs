//! The lint thread. The main loop hands it jobs in arrival order; it drains
//! every pending job, re-evaluates each project a job touched (once, however
//! many edits arrived), publishes, then answers the requests that need lint
//! results. A result computed from a buffer that changed meanwhile is
//! dropped: the newer edit's job is already queued.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, DocumentDiagnosticParams, DocumentDiagnosticReport,
    DocumentDiagnosticReportResult, FullDocumentDiagnosticReport, HoverParams, MessageType,
    PublishDiagnosticsParams, RelatedFullDocumentDiagnosticReport, ShowMessageParams,
};
use miglint_diagnostics::FileReport;

use crate::actions;
use crate::convert;
use crate::documents::Documents;
use crate::project::{ProjectState, resolve_root};

/// The LSP "request cancelled" error code.
const REQUEST_CANCELLED: i32 = -32800;

pub enum Job {
    /// A document was opened, changed or closed.
    Touch(PathBuf),
    /// Files changed on disk (`true`: created or deleted).
    Disk(Vec<(PathBuf, bool)>),
    /// A configuration file changed: reload every project.
    Reload,
    Request(Request),
}

/// What the client can do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    /// `textDocument/diagnostic`: open documents are pulled, not pushed.
    pub pull: bool,
    /// `workspace/diagnostic/refresh`.
    pub refresh: bool,
    pub related_information: bool,
}

/// State the main loop and the lint thread share.
pub struct Shared {
    pub docs: Mutex<Documents>,
    pub cancelled: Mutex<HashSet<RequestId>>,
    pub sender: Sender<Message>,
    pub caps: Caps,
    pub workspace: Vec<PathBuf>,
    /// The client accepted our file watchers: it reports changes on disk.
    pub watching: std::sync::atomic::AtomicBool,
}

impl Shared {
    pub fn docs(&self) -> std::sync::MutexGuard<'_, Documents> {
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_cancelled(&self, id: &RequestId) -> bool {
        self.cancelled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }

    fn send(&self, m: impl Into<Message>) {
        let _ = self.sender.send(m.into());
    }
}

struct Stored {
    generation: Option<u64>,
    report: FileReport,
}

pub struct Worker {
    shared: Arc<Shared>,
    projects: HashMap<PathBuf, ProjectState>,
    /// file folder → project root
    roots: HashMap<PathBuf, PathBuf>,
    dirty: HashSet<PathBuf>,
    requests: Vec<Request>,
    /// What was last published (or answered to a pull) per file.
    published: HashMap<PathBuf, (Option<u64>, Vec<lsp_types::Diagnostic>)>,
    reports: HashMap<PathBuf, Stored>,
}

impl Worker {
    pub fn new(shared: Arc<Shared>) -> Self {
        Worker {
            shared,
            projects: HashMap::new(),
            roots: HashMap::new(),
            dirty: HashSet::new(),
            requests: Vec::new(),
            published: HashMap::new(),
            reports: HashMap::new(),
        }
    }

    pub fn run(mut self, jobs: &Receiver<Job>) {
        while let Ok(first) = jobs.recv() {
            self.take(first);
            while let Ok(more) = jobs.try_recv() {
                self.take(more);
            }
            let roots: Vec<PathBuf> = self.dirty.iter().cloned().collect();
            let mut stale = false;
            for root in roots {
                match catch_unwind(AssertUnwindSafe(|| self.evaluate(&root))) {
                    Ok(true) => {
                        self.dirty.remove(&root);
                    }
                    Ok(false) => stale = true,
                    Err(_) => {
                        eprintln!(
                            "miglint server: internal error while linting {}",
                            root.display()
                        );
                        self.projects.remove(&root);
                        self.dirty.remove(&root);
                    }
                }
            }
            if stale {
                // a newer edit is queued; its job re-evaluates
                continue;
            }
            for req in std::mem::take(&mut self.requests) {
                self.answer(req);
            }
        }
    }

    fn take(&mut self, job: Job) {
        match job {
            Job::Touch(path) => {
                if let Some(root) = self.root_of(&path) {
                    if let Some(p) = self.projects.get_mut(&root) {
                        p.note(&path);
                    }
                    self.dirty.insert(root);
                }
            }
            Job::Disk(changes) => {
                for (path, created_or_deleted) in changes {
                    for (root, p) in &mut self.projects {
                        if path.starts_with(root) {
                            if created_or_deleted {
                                p.rediscover();
                            }
                            p.disk_changed(&path);
                            self.dirty.insert(root.clone());
                        }
                    }
                }
            }
            Job::Reload => {
                self.projects.clear();
                self.roots.clear();
                self.dirty.clear();
                let open: Vec<PathBuf> = self.shared.docs().paths().cloned().collect();
                let published: Vec<PathBuf> = self.published.keys().cloned().collect();
                for p in open.iter().chain(&published) {
                    if let Some(root) = self.root_of(p) {
                        self.dirty.insert(root);
                    }
                }
            }
            Job::Request(r) => self.requests.push(r),
        }
    }

    /// The project root of a file, creating the project on first use.
    fn root_of(&mut self, path: &Path) -> Option<PathBuf> {
        let dir = path.parent()?.to_path_buf();
        let root = match self.roots.get(&dir) {
            Some(r) => r.clone(),
            None => {
                let r = resolve_root(path, &self.shared.workspace);
                self.roots.insert(dir, r.clone());
                r
            }
        };
        if !self.projects.contains_key(&root) {
            let project = ProjectState::new(root.clone());
            if let Some(e) = &project.config_error {
                self.shared.send(Notification::new(
                    "window/showMessage".into(),
                    ShowMessageParams {
                        typ: MessageType::ERROR,
                        message: format!(
                            "miglint: the configuration cannot be used (defaults apply): {e}"
                        ),
                    },
                ));
            }
            self.projects.insert(root.clone(), project);
        }
        Some(root)
    }

    /// Re-evaluates one project and publishes; false when a buffer changed
    /// meanwhile (nothing published).
    fn evaluate(&mut self, root: &Path) -> bool {
        let snapshot = self.shared.docs().snapshot();
        let Some(project) = self.projects.get_mut(root) else {
            return true;
        };
        if project.config_changed() {
            *project = ProjectState::new(root.to_path_buf());
        }
        project.trust_file_events(
            self.shared
                .watching
                .load(std::sync::atomic::Ordering::Relaxed),
        );
        let with_findings: RefCell<HashSet<PathBuf>> = RefCell::default();
        let published = &self.published;
        let eval = project.evaluate(&snapshot, &|p, found| {
            if !found.is_empty() {
                with_findings.borrow_mut().insert(p.to_path_buf());
            }
            snapshot.contains_key(p) || !found.is_empty() || published.contains_key(p)
        });
        // drop the result if a buffer it read has changed since
        let versions: HashMap<PathBuf, i32> = {
            let docs = self.shared.docs();
            for (p, g) in &eval.generations {
                if docs.get(p).map(|d| d.generation) != Some(*g) {
                    return false;
                }
            }
            eval.generations
                .keys()
                .filter_map(|p| Some((p.clone(), docs.get(p)?.version)))
                .collect()
        };
        let with_findings = with_findings.into_inner();
        let caps = self.shared.caps;
        let mut refresh = false;
        let mut seen = HashSet::new();
        for report in eval.reports {
            let path = report.source.path.clone();
            seen.insert(path.clone());
            let generation = eval.generations.get(&path).copied();
            let open = generation.is_some();
            let diags: Vec<lsp_types::Diagnostic> = if open || with_findings.contains(&path) {
                report
                    .diagnostics
                    .iter()
                    .map(|d| {
                        convert::diagnostic(&report.source, d, caps.related_information, &|p| {
                            project.source(p)
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let previous = self.published.get(&path);
            let changed = previous.is_none_or(|(_, old)| *old != diags);
            if open && caps.pull {
                // the client pulls open documents; tell it when one changed
                // because of another file
                if changed && previous.is_some_and(|(g, _)| *g == generation) {
                    refresh = true;
                }
                self.published.insert(path.clone(), (generation, diags));
            } else if changed || previous.is_some_and(|(g, _)| *g != generation) {
                self.shared.send(Notification::new(
                    "textDocument/publishDiagnostics".into(),
                    PublishDiagnosticsParams {
                        uri: convert::path_to_uri(&path),
                        diagnostics: diags.clone(),
                        version: versions.get(&path).copied(),
                    },
                ));
                if diags.is_empty() && !open {
                    self.published.remove(&path);
                } else {
                    self.published.insert(path.clone(), (generation, diags));
                }
            }
            self.reports.insert(path, Stored { generation, report });
        }
        // files of this project shown before that are no revision files
        // (any more): nothing to show
        let gone: Vec<PathBuf> = self
            .published
            .keys()
            .chain(snapshot.keys())
            .filter(|p| !seen.contains(*p) && self.root_of_known(p) == Some(root))
            .cloned()
            .collect();
        for p in gone {
            self.reports.remove(&p);
            if let Some((_, old)) = self.published.remove(&p)
                && !old.is_empty()
                && !(caps.pull && snapshot.contains_key(&p))
            {
                self.shared.send(Notification::new(
                    "textDocument/publishDiagnostics".into(),
                    PublishDiagnosticsParams {
                        uri: convert::path_to_uri(&p),
                        diagnostics: Vec::new(),
                        version: None,
                    },
                ));
            }
        }
        if refresh && caps.refresh {
            self.shared.send(Request::new(
                RequestId::from(String::from("miglint/refresh")),
                "workspace/diagnostic/refresh".into(),
                serde_json::Value::Null,
            ));
        }
        true
    }

    fn root_of_known(&self, path: &Path) -> Option<&Path> {
        self.roots.get(path.parent()?).map(PathBuf::as_path)
    }

    /// The last report of a document, if it is current.
    fn current(&self, path: &Path) -> Option<&Stored> {
        let stored = self.reports.get(path)?;
        let generation = self.shared.docs().get(path).map(|d| d.generation);
        (stored.generation == generation).then_some(stored)
    }

    fn answer(&mut self, req: Request) {
        if self.shared.take_cancelled(&req.id) {
            self.shared.send(Response::new_err(
                req.id,
                REQUEST_CANCELLED,
                String::from("cancelled"),
            ));
            return;
        }
        let id = req.id.clone();
        let reply = match catch_unwind(AssertUnwindSafe(|| self.handle(req))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                String::from("internal error"),
            ),
        };
        self.shared.send(reply);
    }

    fn handle(&mut self, req: Request) -> Result<serde_json::Value, (i32, String)> {
        fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, (i32, String)> {
            serde_json::from_value(req.params).map_err(|e| {
                (
                    ErrorCode::InvalidParams as i32,
                    format!("invalid params for {}: {e}", req.method),
                )
            })
        }
        match req.method.as_str() {
            "textDocument/diagnostic" => {
                let p: DocumentDiagnosticParams = params(req)?;
                let items = match convert::uri_to_path(&p.text_document.uri) {
                    Some(path) => {
                        let caps = self.shared.caps;
                        let items = self.current(&path).map(|s| {
                            let project =
                                self.root_of_known(&path).and_then(|r| self.projects.get(r));
                            s.report
                                .diagnostics
                                .iter()
                                .map(|d| {
                                    convert::diagnostic(
                                        &s.report.source,
                                        d,
                                        caps.related_information,
                                        &|f| project.and_then(|pr| pr.source(f)),
                                    )
                                })
                                .collect::<Vec<_>>()
                        });
                        items.unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                json(&DocumentDiagnosticReportResult::Report(
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: None,
                            items,
                        },
                    }),
                ))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req)?;
                let uri = p.text_document.uri;
                let Some(path) = convert::uri_to_path(&uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let Some(stored) = self.current(&path) else {
                    return Ok(serde_json::Value::Null);
                };
                let source = &stored.report.source;
                let range = convert::text_range(&source.text, source.line_index(), p.range);
                let result = self
                    .root_of_known(&path)
                    .and_then(|r| self.projects.get(r))
                    .and_then(|pr| pr.result(&path));
                let list = actions::code_actions(
                    &uri,
                    &stored.report,
                    result,
                    range,
                    &p.context.diagnostics,
                    p.context.only.as_deref(),
                );
                json(&list)
            }
            "textDocument/hover" => {
                let p: HoverParams = params(req)?;
                let pos = p.text_document_position_params;
                let Some(path) = convert::uri_to_path(&pos.text_document.uri) else {
                    return Ok(serde_json::Value::Null);
                };
                let Some(stored) = self.current(&path) else {
                    return Ok(serde_json::Value::Null);
                };
                let source = &stored.report.source;
                let offset = convert::offset(&source.text, source.line_index(), pos.position);
                json(&actions::hover(&stored.report, offset))
            }
            other => Err((
                ErrorCode::MethodNotFound as i32,
                format!("unknown method {other}"),
            )),
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, (i32, String)> {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError as i32, e.to_string()))
}
