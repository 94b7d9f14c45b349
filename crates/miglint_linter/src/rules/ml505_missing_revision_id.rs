//! ML505: a revision script without a literal `revision = "..."`.

use miglint_diagnostics::{Applicability, Edit, Fix};
use miglint_python::IdValue;

use crate::graph;
use crate::prelude::*;

pub struct MissingRevisionId;

static META: RuleMeta = RuleMeta {
    code: "ML505",
    name: "missing-revision-id",
    summary: "a revision script declares no `revision` id",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for MissingRevisionId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// An empty revision file (nothing but a BOM, blank lines or
    /// comments): alembic loads every `*.py` of a versions folder and stops
    /// on it. `__init__.py` is not a revision (alembic skips it), nor is a
    /// legacy hex file name (alembic takes the id from the name).
    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let name = file
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?");
        if name.starts_with("__init__") || graph::legacy_id(file.path).is_some() {
            return;
        }
        let code = file
            .source
            .trim_start_matches('\u{feff}')
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if code {
            return;
        }
        out.push(
            META.diag(
                TextRange::empty(0),
                format!(
                    "this revision file is empty: alembic loads every `*.py` of a versions folder and fails with \"Could not determine revision id from filename {name}\""
                ),
            )
            .with_help("write the revision (`alembic revision` generates one), or delete the file"),
        );
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let missing = |f: &ProjectFile<'_>| {
            f.is_revision() && graph::revision_id(f) == graph::RevisionId::Missing
        };
        if !project.files.iter().any(missing) {
            return;
        }
        for env in project.environments() {
            for &fi in &env.without_id {
                let file = &project.files[fi];
                let ids = &file.module.ids;
                let name = file
                    .path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("?");
                let (range, message) = match &ids.revision {
                    Some(a) if a.value == IdValue::None => (
                        a.value_range,
                        "`revision = None` declares no revision id, so no other revision can name this one as its parent".to_string(),
                    ),
                    _ => (
                        anchor(file),
                        format!(
                            "this revision script has no `revision` variable: alembic fails with \"Could not determine revision id from filename {name}. Be sure the 'revision' variable is declared inside the script\""
                        ),
                    ),
                };
                let mut diag = META.diag(range, message);
                match candidate(name).filter(|c| !env.ids.contains_key(*c)) {
                    Some(id) => {
                        diag = diag.with_help(format!(
                            "declare the id next to `down_revision`: `revision = \"{id}\"` (taken from the file name)"
                        ));
                        if ids.revision.is_none()
                            && let Some(down) = &ids.down_revision
                        {
                            let at = line_start(file.source, down.target.start() as usize);
                            diag = diag.with_fix(Fix {
                                applicability: Applicability::Unsafe,
                                message: format!("add `revision = \"{id}\"`"),
                                edits: vec![Edit {
                                    range: TextRange::empty(at as u32),
                                    content: format!("revision = \"{id}\"\n"),
                                }],
                            });
                        }
                    }
                    None => {
                        diag = diag.with_help(
                            "declare a unique id next to `down_revision`, e.g. `revision = \"1a2b3c4d5e6f\"` (`alembic revision` generates one)",
                        );
                    }
                }
                out.push((fi, diag));
            }
        }
    }
}

/// Where to point: the `down_revision` name, else the `upgrade` function's
/// name, else the start of the file.
fn anchor(file: &ProjectFile<'_>) -> TextRange {
    if let Some(d) = &file.module.ids.down_revision {
        return d.target;
    }
    file.module
        .functions
        .iter()
        .find(|f| f.name == "upgrade")
        .map_or(TextRange::empty(0), |f| f.name_range)
}

fn line_start(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

/// The id a file name suggests: its first token (after a date prefix), when
/// it looks like a generated id (hex, at least 4 characters, with a digit).
fn candidate(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".py")?;
    let tokens: Vec<&str> = stem.split(['_', '-']).collect();
    // skip a leading date/time prefix made of digit-only tokens
    let start = tokens
        .iter()
        .position(|t| !t.bytes().all(|b| b.is_ascii_digit()))
        .filter(|&i| tokens[..i].iter().map(|t| t.len()).sum::<usize>() >= 8)
        .unwrap_or(0);
    let token = tokens.get(start)?;
    let hex = token.len() >= 4
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && token.bytes().any(|b| b.is_ascii_digit());
    hex.then_some(*token)
}

#[cfg(test)]
mod tests {
    use super::candidate;

    #[test]
    fn candidates_from_file_names() {
        assert_eq!(
            candidate("3512b954651e_add_account.py"),
            Some("3512b954651e")
        );
        assert_eq!(
            candidate("2024_01_01_1200-3512b954651e_add.py"),
            Some("3512b954651e")
        );
        assert_eq!(candidate("add_account.py"), None);
        assert_eq!(candidate("r2_norev.py"), None);
    }
}
