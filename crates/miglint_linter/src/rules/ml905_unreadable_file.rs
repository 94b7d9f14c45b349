//! Produced by the engine when a file cannot be read or decoded.

use crate::prelude::*;

pub struct UnreadableFile;

static META: RuleMeta = RuleMeta {
    code: "ML905",
    name: "unreadable-file",
    summary: "a file that cannot be read, or is not UTF-8 text (binary, other encoding)",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for UnreadableFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

pub(crate) fn diagnostic(problem: &str) -> Diagnostic {
    META.diag(
        TextRange::empty(0),
        format!("cannot lint this file: {problem}"),
    )
    .with_help(
        "miglint reads revision files as UTF-8, Python's default source encoding (PEP 3120); \
         save the file as UTF-8, or exclude it with `exclude` in lint.toml",
    )
}

/// UTF-8 text, or why not. NUL bytes mean a binary file.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, String> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(format!("it is a binary file (NUL byte at offset {pos})"));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not valid UTF-8 (invalid byte at offset {}); miglint does not decode other source encodings",
            e.valid_up_to()
        )
    })
}
