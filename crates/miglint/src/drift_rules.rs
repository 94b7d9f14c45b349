//! The ML8xx findings of `check`, when the configuration names the models
//! (`models = [...]`): ML801 (the models differ from the schema the
//! migrations build at head) and, with `--diff-base`, ML802 (a model change
//! alters the schema and no revision file changed). They sit on the model
//! files, which are not linted files, so the driver makes their reports.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miglint_diagnostics::{Diagnostic, DialectSet, FileReport, SourceFile, TextRange};
use miglint_linter::LinterSettings;
use miglint_linter::rules::{ml801_model_drift, ml802_models_changed_without_revision};
use miglint_linter::selection::Selector;
use miglint_models::{DriftItem, DriftOp, Models};

use crate::drift;

/// Findings on one file, before selection.
type Found = Vec<(PathBuf, Diagnostic)>;

/// ML801 over the configured models: one finding per difference (the same
/// difference on several dialects is one finding). `focus` keeps only the
/// differences whose model file or revision is in it (`--diff-base`).
pub fn model_drift(
    settings: &LinterSettings,
    revision_files: &[PathBuf],
    dialects: DialectSet,
    focus: Option<&HashSet<PathBuf>>,
) -> Found {
    let options = &settings.options;
    if options.models.is_empty() || !settings.is_enabled("ML801") || dialects.is_empty() {
        return Vec::new();
    }
    let (files, _, _) = drift::model_files(options, revision_files, false);
    let models = drift::read_models(&files, options.max_file_size);
    let loaded = crate::graph_cmd::load(revision_files);
    let head = drift::replay_head(&loaded, dialects);
    // several heads (ML501) or environments: no single schema to compare
    if head.heads != 1 || head.environments != 1 {
        return Vec::new();
    }
    let reports = drift::compare_all(&models, &head, options.compare_server_default);
    let mut groups: Vec<(&DriftItem, DialectSet)> = Vec::new();
    for it in reports.iter().flat_map(|r| &r.items) {
        let same = |g: &DriftItem| {
            g.op == it.op
                && g.table == it.table
                && g.column == it.column
                && g.name == it.name
                && g.model == it.model
                && g.detail == it.detail
        };
        match groups.iter_mut().find(|(g, _)| same(g)) {
            Some((_, ds)) => *ds = ds.with(it.dialect),
            None => groups.push((it, DialectSet::single(it.dialect))),
        }
    }
    let mut out = Vec::new();
    for (it, ds) in groups {
        let revision = it
            .origin
            .and_then(|o| head.revision_ids.get(o.file as usize))
            .filter(|s| !s.is_empty());
        let rev_file = it.origin.and_then(|o| head.files.get(o.file as usize));
        if let Some(focus) = focus {
            let hit = |p: &Path| focus.contains(&canonical(p));
            if !it.model.as_ref().is_some_and(|(p, _)| hit(p)) && !rev_file.is_some_and(|p| hit(p))
            {
                continue;
            }
        }
        let message = message(it, revision.map(String::as_str));
        match (&it.model, rev_file, it.origin) {
            (Some((path, line)), _, _) => {
                out.push((
                    path.clone(),
                    ml801_model_drift::diagnostic(line_range(path, *line), message, ds),
                ));
            }
            (None, Some(path), Some(o)) => {
                out.push((
                    path.clone(),
                    ml801_model_drift::diagnostic(o.range, message, ds),
                ));
            }
            _ => {}
        }
    }
    out
}

fn message(it: &DriftItem, revision: Option<&str>) -> String {
    let after = match revision {
        Some(r) => format!("after the migrations (revision {r})"),
        None => "after the migrations".to_string(),
    };
    let col = || format!("{}.{}", it.table, it.column.as_deref().unwrap_or("?"));
    let named = |what: &str| match &it.name {
        Some(n) => format!("{what} `{n}` on `{}`", it.table),
        None => format!("an unnamed {what} on `{}`", it.table),
    };
    let op = it.op.as_str();
    let what = match it.op {
        DriftOp::AddTable => format!(
            "table `{}` is in the models, but no migration creates it",
            it.table
        ),
        DriftOp::RemoveTable => format!(
            "table `{}` exists {after}, but the models do not declare it",
            it.table
        ),
        DriftOp::AddColumn => format!(
            "column `{}` is in the models, but no migration adds it",
            col()
        ),
        DriftOp::RemoveColumn => format!(
            "column `{}` exists {after}, but the models do not declare it",
            col()
        ),
        DriftOp::ModifyNullable | DriftOp::ModifyType | DriftOp::ModifyDefault => format!(
            "column `{}` differs {after}: {}",
            col(),
            it.detail.as_deref().unwrap_or("")
        ),
        DriftOp::AddIndex => format!(
            "{} is in the models, but no migration creates it",
            named("index")
        ),
        DriftOp::RemoveIndex => format!(
            "{} exists {after}, but the models do not declare it",
            named("index")
        ),
        DriftOp::AddConstraint => format!(
            "{} is in the models, but no migration creates it",
            named("unique constraint")
        ),
        DriftOp::RemoveConstraint => format!(
            "{} exists {after}, but the models do not declare it",
            named("unique constraint")
        ),
        DriftOp::AddFk => format!(
            "foreign key {} on `{}` is in the models, but no migration creates it",
            it.detail.as_deref().unwrap_or(""),
            it.table
        ),
        DriftOp::RemoveFk => format!(
            "foreign key {} on `{}` exists {after}, but the models do not declare it",
            it.detail.as_deref().unwrap_or(""),
            it.table
        ),
    };
    format!("{what} (`alembic check` reports `{op}`)")
}

/// ML802: `changed_models` are the model files changed since the base,
/// with their text at the base (`None`: added since). Nothing when a
/// revision file changed too.
pub fn models_changed(
    settings: &LinterSettings,
    changed_models: &[(PathBuf, Option<String>)],
    revision_changed: bool,
    base: &str,
) -> Found {
    let options = &settings.options;
    if options.models.is_empty()
        || !settings.is_enabled("ML802")
        || revision_changed
        || changed_models.is_empty()
    {
        return Vec::new();
    }
    let (files, _, _) = drift::model_files(options, &[], false);
    let cap = options.max_file_size;
    let now: Vec<(PathBuf, String)> = files
        .iter()
        .filter_map(|p| {
            Some((
                p.clone(),
                miglint_config::read_to_string_capped(p, cap).ok()?,
            ))
        })
        .collect();
    let mut then: Vec<(PathBuf, String)> = Vec::new();
    for (p, text) in &now {
        match changed_models.iter().find(|(c, _)| same_file(c, p)) {
            Some((_, Some(old))) => then.push((p.clone(), old.clone())),
            Some((_, None)) => {}
            None => then.push((p.clone(), text.clone())),
        }
    }
    let old: Models = drift::extract_texts(&then);
    let new: Models = drift::extract_texts(&now);
    let mut out = Vec::new();
    for ch in miglint_models::diff_models(&old, &new) {
        if !changed_models.iter().any(|(c, _)| same_file(c, &ch.path)) {
            continue;
        }
        let object = match &ch.column {
            Some(c) => format!("{}.{c}", ch.table),
            None => ch.table.clone(),
        };
        let message = format!(
            "the models change the schema (`{}` {object}) since {base}, but no revision file is added or changed",
            ch.op
        );
        out.push((
            ch.path.clone(),
            ml802_models_changed_without_revision::diagnostic(
                line_range(&ch.path, ch.line),
                message,
            ),
        ));
    }
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || canonical(a) == canonical(b)
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The range of 1-based `line` of `path` (its start when unreadable).
fn line_range(path: &Path, line: u32) -> TextRange {
    let Ok(text) = std::fs::read_to_string(path) else {
        return TextRange::empty(0);
    };
    let mut start = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let trimmed = l.trim_end_matches(['\n', '\r']);
            let indent = trimmed.len() - trimmed.trim_start().len();
            return TextRange::from_usize(start + indent..start + trimmed.len());
        }
        start += l.len();
    }
    TextRange::empty(0)
}

/// Selection, per-file ignores and `[severity]` applied to `found`, then
/// one report per file (paths shown relative to the current directory).
pub fn reports(settings: &LinterSettings, found: Found, cwd: &Path) -> Vec<FileReport> {
    let mut out: Vec<FileReport> = Vec::new();
    for (path, mut d) in found {
        let Some(meta) = miglint_linter::rule_by_code(d.code).map(|r| r.meta()) else {
            continue;
        };
        if !settings.is_enabled(d.code) {
            continue;
        }
        let selects = |text: &String| Selector::parse(text).is_some_and(|s| s.matches(meta));
        let ignored = settings
            .options
            .per_file_ignores_for(&path)
            .iter()
            .any(|s| selects(s.get_ref()));
        if ignored {
            continue;
        }
        if settings
            .options
            .severity
            .iter()
            .any(|(c, _)| selects(c.get_ref()))
        {
            d.severity = settings.severity_of(d.code).unwrap_or(d.severity);
        }
        let shown = path
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or(path.clone());
        match out.iter_mut().find(|r| r.source.path == shown) {
            Some(r) => r.diagnostics.push(d),
            None => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                out.push(FileReport {
                    source: Arc::new(SourceFile::new(shown, text)),
                    diagnostics: vec![d],
                });
            }
        }
    }
    for r in &mut out {
        r.sort();
    }
    out.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    out
}

/// The ML8xx reports of a check (see the module documentation): ML801
/// for the targets of the linted environments, ML802 with `--diff-base`
/// (git tells the model files changed since the merge base, and their text
/// there). `changed` is the set of files changed since the base.
/// `dialects` are the targets of every environment of the run
/// ([`resolved_dialects`]).
pub fn check_models(
    settings: &LinterSettings,
    revision_files: &[PathBuf],
    dialects: DialectSet,
    cwd: &Path,
    diff_base: Option<&str>,
    changed: Option<&HashSet<PathBuf>>,
) -> Result<Vec<FileReport>, String> {
    if settings.options.models.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = model_drift(settings, revision_files, dialects, changed);
    if let (Some(base), Some(changed)) = (diff_base, changed)
        && settings.is_enabled("ML802")
    {
        let revision_changed = revision_files
            .iter()
            .any(|f| changed.contains(&canonical(f)));
        let (models, _, _) = drift::model_files(&settings.options, &[], false);
        let top = crate::git::git(cwd, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
        let merge_base = crate::git::git(&top, &["merge-base", base, "HEAD"])?;
        let merge_base = merge_base.trim();
        let mut changed_models = Vec::new();
        for m in &models {
            let real = canonical(m);
            if !changed.contains(&real) {
                continue;
            }
            let Ok(rel) = real.strip_prefix(&top) else {
                continue;
            };
            let spec = format!("{merge_base}:{}", rel.to_string_lossy().replace('\\', "/"));
            let old = crate::git::git(&top, &["show", &spec]).ok();
            changed_models.push((m.clone(), old));
        }
        found.extend(models_changed(
            settings,
            &changed_models,
            revision_changed,
            base,
        ));
    }
    Ok(reports(settings, found, cwd))
}

/// The targets of every environment the run resolved (what ML801 compares
/// the models on).
pub fn resolved_dialects(settings: &LinterSettings) -> DialectSet {
    settings
        .environments()
        .iter()
        .fold(DialectSet::EMPTY, |acc, e| acc.union(e.targets.dialects))
}
