//! Code actions (the rule's fix, suppression comments, fix all) and hover
//! (the rule page), computed from the last finished report of a document
//! and the model kept for it.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Hover, HoverContents, MarkupContent,
    MarkupKind, TextEdit, Uri, WorkspaceEdit,
};
use miglint_diagnostics::{Applicability, Diagnostic, Edit, FileReport, SourceFile, TextRange};
use miglint_linter::FileResult;
use miglint_linter::suppress::{self, Scope};

use crate::convert;

/// The kind of the "fix all safe findings" source action.
pub const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.miglint");

fn wants(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        })
    })
}

fn workspace_edit(uri: &Uri, source: &SourceFile, edits: &[&Edit]) -> WorkspaceEdit {
    let edits = edits
        .iter()
        .map(|e| TextEdit::new(convert::range(source, e.range), e.content.clone()))
        .collect();
    WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))
}

/// The actions for the findings that overlap `range` (or that the client
/// names in `context`, by code and range), plus "fix all".
pub fn code_actions(
    uri: &Uri,
    report: &FileReport,
    result: Option<&FileResult>,
    range: TextRange,
    context: &[lsp_types::Diagnostic],
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let source = &*report.source;
    let mut out = Vec::new();
    if wants(only, &CodeActionKind::QUICKFIX) {
        let named = |d: &Diagnostic| {
            let r = convert::range(source, d.range);
            context.iter().any(|c| {
                c.range == r
                    && matches!(&c.code, Some(lsp_types::NumberOrString::String(s)) if s == d.code)
            })
        };
        let hit: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| {
                named(d) || (d.range.start() <= range.end() && range.start() <= d.range.end())
            })
            .collect();
        let as_lsp = |d: &Diagnostic| convert::diagnostic(source, d, false, &|_| None);
        for d in &hit {
            let Some(fix) = &d.fix else { continue };
            if fix.edits.is_empty() {
                continue;
            }
            let safe = fix.applicability == Applicability::Safe;
            let title = if safe {
                format!("{}: {}", d.code, fix.message)
            } else {
                format!("{}: {} (unsafe fix)", d.code, fix.message)
            };
            let edits: Vec<&Edit> = fix.edits.iter().collect();
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![as_lsp(d)]),
                edit: Some(workspace_edit(uri, source, &edits)),
                is_preferred: Some(safe),
                ..CodeAction::default()
            }));
        }
        let mut seen = Vec::new();
        for d in &hit {
            if d.code == "ML904" || seen.contains(&d.code) {
                continue;
            }
            seen.push(d.code);
            if let Some(edit) = suppress_line(source, result, d) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Suppress {} on this line", d.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![as_lsp(d)]),
                    edit: Some(workspace_edit(uri, source, &[&edit])),
                    ..CodeAction::default()
                }));
            }
            let edit = suppress_file(source, result, d.code);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress {} in this file", d.code),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![as_lsp(d)]),
                edit: Some(workspace_edit(uri, source, &[&edit])),
                ..CodeAction::default()
            }));
        }
    }
    if wants(only, &FIX_ALL)
        && let Some(action) = fix_all(uri, report)
    {
        out.push(CodeActionOrCommand::CodeAction(action));
    }
    out
}

/// Every safe fix that applies together, as one action.
pub fn fix_all(uri: &Uri, report: &FileReport) -> Option<CodeAction> {
    let (edits, n) = miglint_diagnostics::safe_fix_edits(&report.diagnostics);
    (n > 0).then(|| CodeAction {
        title: format!(
            "miglint: fix all safe findings ({n} fix{})",
            if n == 1 { "" } else { "es" }
        ),
        kind: Some(FIX_ALL),
        edit: Some(workspace_edit(uri, &report.source, &edits)),
        ..CodeAction::default()
    })
}

fn suppressions(source: &SourceFile, result: Option<&FileResult>) -> Vec<suppress::Suppression> {
    match result {
        Some(r) => suppress::parse(source, &r.module),
        None => Vec::new(),
    }
}

/// Adds `code` to the list of a `# miglint: <directive>[...]` comment.
fn add_to_comment(
    source: &SourceFile,
    comment: TextRange,
    directive: &str,
    code: &str,
) -> Option<Edit> {
    let text = &source.text[comment.as_usize()];
    let open = text.to_ascii_lowercase().find(directive)? + directive.len();
    let close = open + text[open..].find(']')?;
    let list = text[open..close].trim_end();
    let at = comment.start() + (open + list.len()) as u32;
    let content = if list.trim().is_empty() {
        code.to_string()
    } else {
        format!(", {code}")
    };
    Some(Edit {
        range: TextRange::empty(at),
        content,
    })
}

/// `# miglint: ignore[CODE]` for the operation the finding is in: added to
/// the ignore comment that already covers that line, else a new comment on
/// its own line above the operation (never inside a multi-line string).
fn suppress_line(source: &SourceFile, result: Option<&FileResult>, d: &Diagnostic) -> Option<Edit> {
    let index = source.line_index();
    let line = index.line_of(d.range.start());
    for sup in suppressions(source, result) {
        if let Scope::Lines(a, b) = sup.scope
            && a <= line
            && line <= b
            && let Some(edit) = add_to_comment(source, sup.comment, "miglint: ignore[", d.code)
        {
            return Some(edit);
        }
    }
    // the innermost operation holding the finding starts on a code line
    let start = result
        .and_then(|r| {
            r.module
                .ops
                .iter()
                .filter(|op| {
                    op.range.start() <= d.range.start()
                        && d.range.start() < op.range.end().max(op.range.start() + 1)
                })
                .min_by_key(|op| op.range.len())
                .map(|op| op.range.start())
        })
        .unwrap_or(d.range.start());
    let line = index.line_of(start);
    let line_start = index.line_start(line);
    let text = &source.text[line_start as usize..];
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Some(Edit {
        range: TextRange::empty(line_start),
        content: format!("{indent}# miglint: ignore[{}]\n", d.code),
    })
}

/// `# miglint: file-ignore[CODE]`: added to an existing file-ignore comment,
/// else a new line at the top (after a shebang and an encoding declaration).
fn suppress_file(source: &SourceFile, result: Option<&FileResult>, code: &str) -> Edit {
    for sup in suppressions(source, result) {
        if sup.scope == Scope::File
            && let Some(edit) = add_to_comment(source, sup.comment, "miglint: file-ignore[", code)
        {
            return edit;
        }
    }
    let text = &*source.text;
    let mut at = 0usize;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        let keep = (n == 0 && t.starts_with("#!"))
            || (n < 2 && t.starts_with('#') && (t.contains("coding:") || t.contains("coding=")));
        if !keep || !line.ends_with('\n') {
            break;
        }
        at += line.len();
    }
    Edit {
        range: TextRange::empty(at as u32),
        content: format!("# miglint: file-ignore[{code}]\n"),
    }
}

/// The rule pages of the findings at `offset`.
pub fn hover(report: &FileReport, offset: u32) -> Option<Hover> {
    let source = &report.source;
    let at: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.range.start() <= offset && offset <= d.range.end())
        .collect();
    let first = at.first()?;
    let mut codes: Vec<&str> = at.iter().map(|d| d.code).collect();
    codes.dedup();
    let pages: Vec<String> = codes
        .iter()
        .map(|c| match miglint_linter::rule_doc(c) {
            Some(doc) => doc.to_string(),
            None => format!("# {c}\n\n{}", miglint_diagnostics::rule_url(c)),
        })
        .collect();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n\n---\n\n"),
        }),
        range: Some(convert::range(source, first.range)),
    })
}
