//! The protocol boundary: file paths ↔ `file://` URIs, byte ranges ↔ UTF-16
//! positions, miglint diagnostics → LSP diagnostics. Conversion happens
//! here only; the rest of the server works in bytes and paths.

use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Position, Range, Uri,
};
use miglint_diagnostics::{Diagnostic, LineIndex, Severity, SourceFile, TextRange};

/// The local path of a `file://` URI (percent-decoded, `.`/`..` resolved);
/// `None` for other schemes (`untitled:`) and malformed escapes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file://host/path`: only the local host (empty or localhost) is ours
    let path = if rest.starts_with('/') {
        rest
    } else {
        rest.strip_prefix("localhost")?
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    Some(normalize(Path::new(&decoded)))
}

/// A `file://` URI for an absolute path.
pub fn path_to_uri(path: &Path) -> Uri {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An absolute path with `.` and `..` resolved lexically (no symlinks), so
/// that a path from a URI and one from discovery compare equal.
pub fn normalize(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A UTF-16 position of a byte offset.
pub fn position(source: &SourceFile, offset: u32) -> Position {
    let lc = source.line_col(offset);
    Position::new(lc.line - 1, lc.column_utf16)
}

pub fn range(source: &SourceFile, r: TextRange) -> Range {
    Range::new(position(source, r.start()), position(source, r.end()))
}

/// The byte offset of a UTF-16 position (clamped to the text).
pub fn offset(text: &str, index: &LineIndex, p: Position) -> u32 {
    index.offset_utf16(text, p.line, p.character)
}

/// The byte range of an LSP range (start and end ordered).
pub fn text_range(text: &str, index: &LineIndex, r: Range) -> TextRange {
    let a = offset(text, index, r.start);
    let b = offset(text, index, r.end);
    TextRange::new(a.min(b), a.max(b))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One miglint diagnostic in LSP form. `other_file` finds the text of a
/// file a label points into (the other head of a fork); labels whose file
/// is unknown are dropped.
pub fn diagnostic(
    source: &SourceFile,
    d: &Diagnostic,
    related: bool,
    other_file: &dyn Fn(&Path) -> Option<std::sync::Arc<SourceFile>>,
) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related_information = related.then(|| {
        d.labels
            .iter()
            .filter_map(|l| {
                let location = match &l.file {
                    None => Location::new(path_to_uri(&source.path), range(source, l.range)),
                    Some(p) => {
                        let other = other_file(p)?;
                        Location::new(path_to_uri(&other.path), range(&other, l.range))
                    }
                };
                Some(DiagnosticRelatedInformation {
                    location,
                    message: l.message.clone(),
                })
            })
            .collect::<Vec<_>>()
    });
    lsp_types::Diagnostic {
        range: range(source, d.range),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Uri::from_str(&d.url())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(String::from("miglint")),
        message,
        related_information: related_information.filter(|r| !r.is_empty()),
        tags: (d.code == "ML904").then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_round_trip() {
        let p = Path::new("/tmp/a b/é/x.py");
        let uri = path_to_uri(p);
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9/x.py");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        let odd = Uri::from_str("file:///tmp/./a/../b.py").unwrap();
        assert_eq!(uri_to_path(&odd).unwrap(), Path::new("/tmp/b.py"));
        assert!(uri_to_path(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }

    #[test]
    fn positions_count_utf16_units() {
        // 'é' is 2 bytes / 1 unit, '😀' is 4 bytes / 2 units
        let src = SourceFile::new(PathBuf::from("/x.py"), "a = 1\nx = 'é😀' + y\n");
        let y = src.text.find('y').unwrap() as u32;
        assert_eq!(position(&src, y), Position::new(1, 12));
        let idx = src.line_index();
        assert_eq!(offset(&src.text, idx, Position::new(1, 12)), y);
    }
}
