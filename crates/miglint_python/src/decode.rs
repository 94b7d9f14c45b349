//! Decoding a source file as CPython's importer does: an optional UTF-8 BOM,
//! a PEP 263 coding declaration on line 1 or 2, universal newlines.
//!
//! miglint lints UTF-8 text only. What CPython refuses (an unknown encoding,
//! a BOM with another declared encoding, a second BOM, invalid UTF-8 without
//! a declaration) is an error quoting CPython's message; a file in another
//! encoding CPython accepts is a warning (alembic runs it, miglint cannot
//! read it).

use std::borrow::Cow;

use crate::codecs;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// Why the bytes are not lintable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeProblem {
    pub message: String,
    /// CPython refuses the file too (else: only miglint cannot read it).
    pub python_refuses: bool,
    /// The problem is the file's encoding (the help says how to save it as UTF-8).
    pub encoding: bool,
}

impl DecodeProblem {
    fn refused(message: String) -> Self {
        DecodeProblem {
            message,
            python_refuses: true,
            encoding: true,
        }
    }
}

/// The text of `bytes` with the same byte offsets: a lone `\r` (old Mac
/// line ending, which CPython accepts) becomes `\n` so that the parser
/// sees lines. A leading UTF-8 BOM is kept (the parser skips it).
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeProblem> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeProblem {
            message: format!("it is a binary file (NUL byte at offset {pos})"),
            python_refuses: true,
            encoding: true,
        });
    }
    let has_bom = bytes.starts_with(BOM);
    let body = if has_bom { &bytes[3..] } else { bytes };
    if body.starts_with(BOM) {
        return Err(DecodeProblem::refused(String::from(
            "it starts with two byte order marks, which CPython (and so alembic) refuses \
             (`SyntaxError: invalid non-printable character U+FEFF`)",
        )));
    }
    let declared = declared_encoding(body);
    if let Some(name) = &declared {
        if !codecs::is_known(name) {
            return Err(DecodeProblem::refused(format!(
                "it declares `coding: {name}`, which CPython (and so alembic) refuses \
                 (`SyntaxError: unknown encoding: {name}`)"
            )));
        }
        if has_bom && normal_name(name) != "utf-8" {
            return Err(DecodeProblem::refused(format!(
                "it starts with a UTF-8 byte order mark but declares `coding: {name}`, which \
                 CPython (and so alembic) refuses (`SyntaxError: encoding problem: {} with BOM`)",
                normal_name(name)
            )));
        }
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(match declared {
                Some(name) if normal_name(&name) != "utf-8" => DecodeProblem {
                    message: format!(
                        "it declares `coding: {name}`, which Python (and so alembic) decodes, but \
                         miglint reads only UTF-8, so nothing in it was checked"
                    ),
                    python_refuses: false,
                    encoding: true,
                },
                _ => DecodeProblem::refused(format!(
                    "it is not valid UTF-8 (invalid byte at offset {}) and declares no other \
                     encoding, so alembic cannot import it (`SyntaxError: (unicode error) 'utf-8' \
                     codec can't decode byte ...`)",
                    e.valid_up_to()
                )),
            });
        }
    };
    Ok(normalize_newlines(text))
}

/// Lone `\r` → `\n`, byte for byte (`\r\n` is left alone).
fn normalize_newlines(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let lone_cr = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
    if !(0..b.len()).any(lone_cr) {
        return Cow::Borrowed(text);
    }
    let mut out = b.to_vec();
    for (i, byte) in out.iter_mut().enumerate() {
        if lone_cr(i) {
            *byte = b'\n';
        }
    }
    // only ASCII bytes were replaced by ASCII bytes
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// CPython's `get_normal_name`: `utf-8` and `latin-1` spellings.
fn normal_name(name: &str) -> String {
    let n = name.to_ascii_lowercase().replace('_', "-");
    let is = |base: &str| n == base || n.starts_with(&format!("{base}-"));
    if is("utf-8") {
        String::from("utf-8")
    } else if is("latin-1") || is("iso-8859-1") || is("iso-latin-1") {
        String::from("iso-8859-1")
    } else {
        name.to_string()
    }
}

/// The PEP 263 declaration (`# -*- coding: latin-1 -*-`): on line 1, or on
/// line 2 when line 1 is blank or a comment (as CPython's tokenizer reads
/// it: `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`).
pub(crate) fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n' || b == b'\r');
    let first = lines.next()?;
    if let Some(name) = cookie(first) {
        return Some(name);
    }
    let first_is_comment_or_blank = first
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
        .is_none_or(|&b| b == b'#');
    if !first_is_comment_or_blank {
        return None;
    }
    // `\r\n` splits into an empty piece first
    let second =
        if bytes.get(first.len()) == Some(&b'\r') && bytes.get(first.len() + 1) == Some(&b'\n') {
            lines.nth(1)?
        } else {
            lines.next()?
        };
    cookie(second)
}

fn cookie(line: &[u8]) -> Option<String> {
    let line = String::from_utf8_lossy(line);
    let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
    let comment = trimmed.strip_prefix('#')?;
    let pos = comment.find("coding")?;
    let rest = comment[pos + "coding".len()..].strip_prefix([':', '='])?;
    let name: String = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_boms_as_cpython() {
        let declared = b"# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n";
        assert!(!decode(declared).unwrap_err().python_refuses);
        assert!(decode(b"x = 'caf\xe9'\n").unwrap_err().python_refuses);
        assert!(
            decode(b"# coding=utf-8\nx = 'caf\xe9'\n")
                .unwrap_err()
                .python_refuses
        );
        assert!(decode(b"\x00").unwrap_err().python_refuses);
        assert_eq!(decode("x = 'é'".as_bytes()).unwrap(), "x = 'é'");
        let klingon = decode(b"# coding: klingon\nx = 1\n").unwrap_err();
        assert!(
            klingon.message.contains("unknown encoding: klingon"),
            "{klingon:?}"
        );
        // line 2 counts only after a comment or blank line 1
        assert!(decode(b"#!/usr/bin/env python\n# coding: klingon\n").is_err());
        assert!(decode(b"x = 1\n# coding: klingon\n").is_ok());
        assert!(decode(b"\r\n# coding: klingon\r\n").is_err());
        let bom_latin = decode(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n").unwrap_err();
        assert!(
            bom_latin.message.contains("iso-8859-1 with BOM"),
            "{bom_latin:?}"
        );
        assert!(decode(b"\xef\xbb\xbf# coding: utf-8\nx = 1\n").is_ok());
        assert!(decode(b"\xef\xbb\xbf\xef\xbb\xbfx = 1\n").is_err());
        // ASCII text under a declared latin-1 is the same text
        assert!(decode(b"# coding: latin-1\nx = 1\n").is_ok());
    }

    #[test]
    fn lone_cr_becomes_lf_in_place() {
        assert_eq!(decode(b"a = 1\rb = 2\r").unwrap(), "a = 1\nb = 2\n");
        assert_eq!(decode(b"a = 1\r\nb = 2\r\n").unwrap(), "a = 1\r\nb = 2\r\n");
    }
}
