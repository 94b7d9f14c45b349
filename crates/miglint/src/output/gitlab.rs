//! `gitlab`: a GitLab Code Quality report (a JSON array of issues).

use std::collections::HashMap;
use std::io::{self, Write};

use miglint_diagnostics::{FileReport, Severity};
use serde::Serialize;

use super::{display_path, fnv1a64, line_cols};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

pub(crate) fn emit(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let mut issues = Vec::new();
    for report in reports {
        let path = display_path(&report.source.path);
        // The fingerprint must survive unrelated edits that move lines, so it
        // hashes what the finding is (not where), plus its rank among
        // identical findings of the same file to keep it unique.
        let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
        for diagnostic in &report.diagnostics {
            let occurrence = seen
                .entry((diagnostic.code, diagnostic.message.as_str()))
                .or_insert(0);
            let hash = fnv1a64(&[
                path.as_bytes(),
                diagnostic.code.as_bytes(),
                diagnostic.message.as_bytes(),
                &occurrence.to_le_bytes(),
            ]);
            *occurrence += 1;
            let (start, end) = line_cols(&report.source, diagnostic.range);
            issues.push(Issue {
                description: format!("{}: {}", diagnostic.code, diagnostic.message),
                check_name: diagnostic.code,
                fingerprint: format!("{hash:016x}"),
                severity: match diagnostic.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: Location {
                    path: path.clone(),
                    lines: Lines {
                        begin: start.line,
                        end: end.line,
                    },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
