//! `sarif`: SARIF 2.1.0, written with hand-written serde structs.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use miglint_diagnostics::{Diagnostic, FileReport, Severity, SourceFile, TextRange, rule_url};
use serde::Serialize;

use super::{EmitContext, ReportFinder, display_path, line_cols, par};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    /// Our columns count Unicode scalar values, not SARIF's default UTF-16 units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: [ArtifactChange; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(source: &SourceFile, range: TextRange) -> Region {
    let (start, end) = line_cols(source, range);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// A relative path as a URI reference (forward slashes, percent-encoded);
/// absolute paths become `file://` URIs.
fn uri(path: &Path) -> String {
    let text = display_path(path);
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    if path.is_absolute() {
        let slash = if encoded.starts_with('/') { "" } else { "/" };
        format!("file://{slash}{encoded}")
    } else {
        encoded
    }
}

fn result<'a>(
    reports: &[FileReport],
    finder: &ReportFinder<'_>,
    report: &FileReport,
    diagnostic: &'a Diagnostic,
    rule_index: &HashMap<&str, usize>,
) -> SarifResult<'a> {
    let source = &report.source;
    let artifact = || ArtifactLocation {
        uri: uri(&source.path),
    };
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related_locations = diagnostic
        .labels
        .iter()
        .enumerate()
        .map(|(id, label)| {
            let physical_location = match &label.file {
                None => PhysicalLocation {
                    artifact_location: artifact(),
                    region: Some(region(source, label.range)),
                },
                Some(path) => PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri(path) },
                    region: finder
                        .find(path)
                        .map(|other| region(&reports[other].source, label.range)),
                },
            };
            Location {
                id: Some(id),
                physical_location,
                message: (!label.message.is_empty()).then(|| Text {
                    text: label.message.clone(),
                }),
            }
        })
        .collect();
    let fixes = diagnostic
        .fix
        .iter()
        .map(|fix| SarifFix {
            description: Text {
                text: fix.message.clone(),
            },
            artifact_changes: [ArtifactChange {
                artifact_location: artifact(),
                replacements: fix
                    .edits
                    .iter()
                    .map(|edit| Replacement {
                        deleted_region: region(source, edit.range),
                        inserted_content: Text {
                            text: edit.content.clone(),
                        },
                    })
                    .collect(),
            }],
        })
        .collect();
    SarifResult {
        rule_id: diagnostic.code,
        rule_index: rule_index.get(diagnostic.code).copied(),
        level: level(diagnostic.severity),
        message: Text { text },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact(),
                region: Some(region(source, diagnostic.range)),
            },
            message: None,
        }],
        related_locations,
        fixes,
    }
}

pub(crate) fn emit(
    out: &mut dyn Write,
    reports: &[FileReport],
    ctx: &EmitContext,
) -> io::Result<()> {
    emit_with(out, reports, ctx, true)
}

/// [`emit`], its results serialized on the rayon pool when `parallel`, in
/// one `serde_json` call otherwise (the same bytes).
fn emit_with<'r>(
    out: &mut dyn Write,
    reports: &'r [FileReport],
    ctx: &EmitContext,
    parallel: bool,
) -> io::Result<()> {
    let rule_index: HashMap<&str, usize> = ctx
        .rules
        .iter()
        .enumerate()
        .rev()
        .map(|(i, rule)| (rule.code, i))
        .collect();
    let rules = ctx
        .rules
        .iter()
        .map(|rule| Rule {
            id: rule.code,
            name: rule.name,
            short_description: Text {
                text: rule.summary.to_owned(),
            },
            help_uri: rule_url(rule.code),
            default_configuration: Configuration {
                level: level(rule.default_severity),
            },
        })
        .collect();
    let finder = ReportFinder::new(reports);
    let findings = par::findings(reports);
    let element = |finding: &(&FileReport, &'r Diagnostic)| {
        result(reports, &finder, finding.0, finding.1, &rule_index)
    };
    let mut log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "miglint",
                    version: ctx.version,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
        }],
    };
    // The log without results ends with the empty `results` array (the
    // last field of the one run); the findings are serialized there on
    // the rayon pool, three levels deep, for the same bytes.
    let head = serde_json::to_vec_pretty(&log)?;
    match head.strip_suffix(RESULTS_TAIL) {
        Some(head) if parallel && !findings.is_empty() => {
            out.write_all(head)?;
            par::pretty_array(out, &findings, 3, element)?;
            out.write_all(&RESULTS_TAIL[2..])?;
        }
        _ => {
            log.runs[0].results = findings.iter().map(element).collect();
            serde_json::to_writer_pretty(&mut *out, &log)?;
        }
    }
    writeln!(out)
}

/// How a log ends when its run has no results.
const RESULTS_TAIL: &[u8] = b"[]\n    }\n  ]\n}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::many_findings;

    /// The results serialized in pieces give the bytes of one
    /// `serde_json` call on the whole log.
    #[test]
    fn parallel_results_are_serde_jsons() {
        let rules = crate::run::rule_infos();
        for n in [0, 1, 40, 5000] {
            let reports = many_findings(n);
            for strict in [false, true] {
                let ctx = EmitContext {
                    rules: &rules,
                    color: false,
                    version: "0.0.0",
                    strict,
                };
                let (mut ours, mut theirs) = (Vec::new(), Vec::new());
                emit_with(&mut ours, &reports, &ctx, true).unwrap();
                emit_with(&mut theirs, &reports, &ctx, false).unwrap();
                assert_eq!(String::from_utf8(ours), String::from_utf8(theirs), "{n}");
            }
        }
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            uri(Path::new("alembic/versions/a b%.py")),
            "alembic/versions/a%20b%25.py"
        );
        assert_eq!(uri(Path::new("versions/é.py")), "versions/%C3%A9.py");
    }
}
