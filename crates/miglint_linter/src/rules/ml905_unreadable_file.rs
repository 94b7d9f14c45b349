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
    let help = if problem.encoding {
        "miglint reads revision files as UTF-8, Python's default source encoding (PEP 3120); \
         save the file as UTF-8, or exclude it with `exclude` in lint.toml"
    } else {
        "if it is not a revision file, exclude it with `exclude` in lint.toml"
    };
    let mut d = META
        .diag(
            TextRange::empty(0),
            format!("cannot lint this file: {}", problem.message),
        )
        .with_help(help);
    d.severity = problem.severity;
    d
}

/// Why a file could not be linted, and how serious that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub message: String,
    pub severity: Severity,
    /// An encoding problem (the help says how to save the file as UTF-8).
    pub encoding: bool,
}

impl Unreadable {
    pub fn error(message: impl Into<String>) -> Self {
        Unreadable {
            message: message.into(),
            severity: Severity::Error,
            encoding: false,
        }
    }
}

/// Lintable text, or why not, as CPython decodes source files (see
/// [`miglint_python::decode`]): what CPython refuses is an error (the
/// truth suite measures the undeclared non-UTF-8 case: `SyntaxError:
/// (unicode error) 'utf-8' codec can't decode byte ...`); a declared
/// encoding CPython reads but miglint does not is a warning.
pub(crate) fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, Unreadable> {
    miglint_python::decode::decode(bytes).map_err(|p| Unreadable {
        message: p.message,
        severity: if p.python_refuses {
            Severity::Error
        } else {
            Severity::Warning
        },
        encoding: p.encoding,
    })
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
        assert_eq!(decode("x = 'é'".as_bytes()).unwrap(), "x = 'é'");
    }
}
