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

pub(crate) fn diagnostic(problem: &Unreadable) -> Diagnostic {
    let mut d = META
        .diag(
            TextRange::empty(0),
            format!("cannot lint this file: {}", problem.message),
        )
        .with_help(
            "miglint reads revision files as UTF-8, Python's default source encoding (PEP 3120); \
             save the file as UTF-8, or exclude it with `exclude` in lint.toml",
        );
    d.severity = problem.severity;
    d
}

/// Why a file could not be linted, and how serious that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub message: String,
    pub severity: Severity,
}

impl Unreadable {
    pub fn error(message: impl Into<String>) -> Self {
        Unreadable {
            message: message.into(),
            severity: Severity::Error,
        }
    }
}

/// UTF-8 text, or why not. NUL bytes mean a binary file. A file that is
/// not UTF-8 fails to import (`SyntaxError: (unicode error) 'utf-8' codec
/// can't decode byte ...`, measured by the truth suite) unless it
/// declares its encoding (PEP 263): then Python and alembic decode it and
/// only miglint cannot, which is a warning, not an error.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, Unreadable> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(Unreadable::error(format!(
            "it is a binary file (NUL byte at offset {pos})"
        )));
    }
    std::str::from_utf8(bytes).map_err(|e| match declared_encoding(bytes) {
        Some(enc) if !matches!(enc.to_ascii_lowercase().replace('_', "-").as_str(), "utf-8" | "utf8") => Unreadable {
            message: format!(
                "it declares `coding: {enc}`, which Python (and so alembic) decodes, but miglint reads only \
                 UTF-8, so nothing in it was checked"
            ),
            severity: Severity::Warning,
        },
        _ => Unreadable::error(format!(
            "it is not valid UTF-8 (invalid byte at offset {}) and declares no other encoding, so alembic \
             cannot import it (`SyntaxError: (unicode error) 'utf-8' codec can't decode byte ...`)",
            e.valid_up_to()
        )),
    })
}

/// The PEP 263 declaration (`# -*- coding: latin-1 -*-`) on line 1 or 2.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        if let Some(pos) = trimmed.find("coding") {
            let rest = &trimmed[pos + "coding".len()..];
            if let Some(rest) = rest.strip_prefix([':', '=']) {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .collect();
                if !name.is_empty() {
                    return Some(name);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_latin1_is_a_warning_undeclared_an_error() {
        let declared = b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n";
        assert_eq!(decode(declared).unwrap_err().severity, Severity::Warning);
        let undeclared = b"x = 'caf\xe9'\n";
        assert_eq!(decode(undeclared).unwrap_err().severity, Severity::Error);
        let declared_utf8 = b"# coding=utf-8\nx = 'caf\xe9'\n";
        assert_eq!(decode(declared_utf8).unwrap_err().severity, Severity::Error);
        assert_eq!(decode(b"\x00").unwrap_err().severity, Severity::Error);
        assert_eq!(decode("x = 'é'".as_bytes()), Ok("x = 'é'"));
    }
}
