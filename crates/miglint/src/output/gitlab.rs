//! `gitlab`: a GitLab Code Quality report (a JSON array of issues).

use std::collections::HashMap;
use std::io::{self, Write};

use miglint_diagnostics::{Diagnostic, FileReport, Severity};
use serde::Serialize;

use super::{display_path, fnv1a64, line_cols, par};

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
    emit_with(out, reports, true)
}

/// [`emit`], its issues serialized on the rayon pool when `parallel`, in
/// one `serde_json` call otherwise (the same bytes).
fn emit_with(out: &mut dyn Write, reports: &[FileReport], parallel: bool) -> io::Result<()> {
    let paths: Vec<String> = reports
        .iter()
        .map(|report| display_path(&report.source.path))
        .collect();
    // the occurrence of each finding's (code, message) in its file, in
    // order (serial); the rest of an issue is its own
    let mut findings = Vec::new();
    for (index, report) in reports.iter().enumerate() {
        let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
        for diagnostic in &report.diagnostics {
            let occurrence = seen
                .entry((diagnostic.code, diagnostic.message.as_str()))
                .or_insert(0);
            findings.push((index, diagnostic, *occurrence));
            *occurrence += 1;
        }
    }
    let issue = |&(index, diagnostic, occurrence): &(usize, &Diagnostic, u32)| {
        let report = &reports[index];
        let path = &paths[index];
        let hash = fnv1a64(&[
            path.as_bytes(),
            diagnostic.code.as_bytes(),
            diagnostic.message.as_bytes(),
            &occurrence.to_le_bytes(),
        ]);
        let (start, end) = line_cols(&report.source, diagnostic.range);
        Issue {
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
        }
    };
    if parallel {
        par::pretty_array(out, &findings, 0, issue)?;
    } else {
        let issues: Vec<Issue> = findings.iter().map(issue).collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
    }
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::many_findings;

    /// The issues serialized in pieces give the bytes of one `serde_json`
    /// call on the whole list.
    #[test]
    fn parallel_issues_are_serde_jsons() {
        for n in [0, 1, 40, 5000] {
            let reports = many_findings(n);
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            emit_with(&mut ours, &reports, true).unwrap();
            emit_with(&mut theirs, &reports, false).unwrap();
            assert_eq!(String::from_utf8(ours), String::from_utf8(theirs), "{n}");
        }
    }
}
