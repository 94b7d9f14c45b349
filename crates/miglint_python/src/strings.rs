//! Python string literals: prefixes, quotes, escapes, and an offset map from
//! the decoded value back to file bytes.

/// The file offset of each byte of a decoded string value, and of its end
/// (`len() == value.len() + 1`). Most literals have no escape: their map is
/// a run of consecutive offsets, kept as its start (no allocation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Offsets {
    /// Byte `i` (and the end, `i == len`) at `start + i`.
    Linear { start: u32, len: u32 },
    /// Any other map (never a linear one: the representation is unique).
    Full(Box<[u32]>),
}

impl Offsets {
    /// The offset of entry `i` (`i <= len`).
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            Offsets::Linear { start, len } => (i <= *len as usize).then(|| start + i as u32),
            Offsets::Full(v) => v.get(i).copied(),
        }
    }

    /// The number of entries (the value's length plus one).
    pub fn len(&self) -> usize {
        match self {
            Offsets::Linear { len, .. } => *len as usize + 1,
            Offsets::Full(v) => v.len(),
        }
    }
}

/// Builds an [`Offsets`], allocating only once the map stops being linear.
#[derive(Default)]
pub(crate) struct OffsetsBuilder {
    start: Option<u32>,
    len: u32,
    full: Option<Vec<u32>>,
}

impl OffsetsBuilder {
    /// The next `n` bytes of the value all come from offset `at`.
    pub fn push(&mut self, at: u32, n: usize) {
        if self.full.is_none() {
            let start = *self.start.get_or_insert(at);
            if n == 1 && Some(at) == start.checked_add(self.len) {
                self.len += 1;
                return;
            }
            self.full = Some((0..self.len).map(|i| start + i).collect());
        }
        if let Some(v) = &mut self.full {
            v.extend(std::iter::repeat_n(at, n));
        }
    }

    /// The map, with `end` the offset after the last byte.
    pub fn finish(self, end: u32) -> Offsets {
        let start = self.start.unwrap_or(end);
        match self.full {
            None if Some(end) == start.checked_add(self.len) => Offsets::Linear {
                start,
                len: self.len,
            },
            None => {
                let mut v: Vec<u32> = (0..self.len).map(|i| start + i).collect();
                v.push(end);
                Offsets::Full(v.into_boxed_slice())
            }
            Some(mut v) => {
                v.push(end);
                Offsets::Full(v.into_boxed_slice())
            }
        }
    }
}

/// Decodes one Python string literal token `text` that starts at file offset
/// `base`. Returns the value, whether it is an f-string with interpolation,
/// and the offset map (`map.len() == value.len() + 1`).
pub(crate) fn decode(text: &str, base: u32) -> (String, bool, Offsets) {
    let quote_at = text.find(['\'', '"']).unwrap_or(text.len());
    let prefix = text[..quote_at].to_ascii_lowercase();
    let raw = prefix.contains('r');
    let fstring = prefix.contains('f') || prefix.contains('t');
    let rest = &text[quote_at..];
    let qlen = if rest.starts_with("'''") || rest.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let content_start = quote_at + qlen.min(rest.len());
    let content_end = if text.len() >= content_start + qlen {
        text.len() - qlen
    } else {
        text.len()
    };
    let content = text
        .get(content_start..content_end.max(content_start))
        .unwrap_or("");
    let off = |i: usize| base + (content_start + i) as u32;

    let mut value = String::with_capacity(content.len());
    let mut map = OffsetsBuilder::default();
    let mut dynamic = false;
    let push = |value: &mut String, map: &mut OffsetsBuilder, ch: char, at: u32| {
        let before = value.len();
        value.push(ch);
        map.push(at, value.len() - before);
    };

    let bytes = content.as_bytes();
    let mut i = 0;
    while i < content.len() {
        let ch = content[i..].chars().next().unwrap_or('\u{fffd}');
        if fstring && (ch == '{' || ch == '}') {
            if bytes.get(i + 1) == Some(&bytes[i]) {
                push(&mut value, &mut map, ch, off(i));
                i += 2;
                continue;
            }
            if ch == '{' {
                dynamic = true;
            }
            push(&mut value, &mut map, ch, off(i));
            i += 1;
            continue;
        }
        if ch != '\\' || raw {
            push(&mut value, &mut map, ch, off(i));
            i += ch.len_utf8();
            continue;
        }
        // an escape sequence
        let Some(next) = content[i + 1..].chars().next() else {
            push(&mut value, &mut map, '\\', off(i));
            i += 1;
            continue;
        };
        let start = off(i);
        let simple = match next {
            '\n' => Some(None),
            '\\' => Some(Some('\\')),
            '\'' => Some(Some('\'')),
            '"' => Some(Some('"')),
            'n' => Some(Some('\n')),
            't' => Some(Some('\t')),
            'r' => Some(Some('\r')),
            'a' => Some(Some('\u{7}')),
            'b' => Some(Some('\u{8}')),
            'f' => Some(Some('\u{c}')),
            'v' => Some(Some('\u{b}')),
            _ => None,
        };
        if let Some(decoded) = simple {
            if let Some(c) = decoded {
                push(&mut value, &mut map, c, start);
            }
            i += 1 + next.len_utf8();
            continue;
        }
        let hex = |len: usize| -> Option<char> {
            let digits = content.get(i + 2..i + 2 + len)?;
            u32::from_str_radix(digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        let (decoded, consumed) = match next {
            'x' => (hex(2), 4),
            'u' => (hex(4), 6),
            'U' => (hex(8), 10),
            '0'..='7' => {
                let digits: String = content[i + 1..]
                    .chars()
                    .take(3)
                    .take_while(|c| c.is_digit(8))
                    .collect();
                (
                    u32::from_str_radix(&digits, 8)
                        .ok()
                        .and_then(char::from_u32),
                    1 + digits.len(),
                )
            }
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                push(&mut value, &mut map, c, start);
                i += consumed;
            }
            None => {
                // unknown escape (or \N{...}): kept verbatim, as Python does for unknown ones
                push(&mut value, &mut map, '\\', start);
                i += 1;
            }
        }
    }
    (value, dynamic, map.finish(off(content.len())))
}

/// The index after the string literal opening at quote `i` (prefixes are
/// ordinary identifier bytes before it), for the byte scanners that run
/// before the parse (the pre-pass, the data-display finder). Unterminated
/// single-quoted strings end at the line end, triple-quoted ones at the end
/// of the file.
pub(crate) fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    if !triple && b.get(i + 1) == Some(&q) {
        return i + 2; // empty string
    }
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => {
                if !triple {
                    return j + 1;
                }
                if b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) {
                    return j + 3;
                }
                j += 1;
            }
            b'\n' | b'\r' if !triple => return j,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::decode;

    /// The map as a plain vector, one push per byte.
    fn slow_map(s: &str) -> super::Offsets {
        let (v, _, m) = decode(s, 0);
        let mut b = super::OffsetsBuilder::default();
        let full: Vec<u32> = (0..m.len()).map(|i| m.get(i).unwrap()).collect();
        for &at in &full[..v.len()] {
            b.push(at, 1);
        }
        b.finish(full[v.len()])
    }

    #[test]
    fn linear_maps_are_not_allocated() {
        let (v, _, m) = decode("'abc'", 10);
        assert_eq!(v, "abc");
        assert_eq!(m, super::Offsets::Linear { start: 11, len: 3 });
        assert_eq!((m.get(0), m.get(3), m.get(4)), (Some(11), Some(14), None));
        // an escape, a multi-byte character: a full map
        let (_, _, m) = decode(r"'a\nb'", 0);
        assert_eq!(m, super::Offsets::Full(vec![1, 2, 4, 5].into()));
        let (_, _, m) = decode("'é'", 0);
        assert_eq!(m, super::Offsets::Full(vec![1, 1, 3].into()));
        assert_eq!(
            decode("''", 7).2,
            super::Offsets::Linear { start: 8, len: 0 }
        );
    }

    #[test]
    fn plain_and_escapes() {
        let (v, d, m) = decode(r#"'a\'b\n\x41\u00e9'"#, 10);
        assert_eq!(v, "a'b\nAé");
        assert!(!d);
        assert_eq!(m.len(), v.len() + 1);
        assert_eq!(m.get(0), Some(11)); // 'a' after the quote
        assert_eq!(m.get(1), Some(12)); // the \' escape starts at its backslash
    }

    #[test]
    fn raw_triple_and_prefixes() {
        assert_eq!(decode(r#"r'\d+'"#, 0).0, r"\d+");
        assert_eq!(decode("\"\"\"\nSELECT 1;\n\"\"\"", 0).0, "\nSELECT 1;\n");
        assert_eq!(decode("b'x'", 0).0, "x");
        assert_eq!(decode("'a\\\nb'", 0).0, "ab");
    }

    #[test]
    fn fstrings() {
        let (v, d, _) = decode("f'SELECT {{1}}'", 0);
        assert_eq!((v.as_str(), d), ("SELECT {1}", false));
        assert!(decode("f'DROP TABLE {name}'", 0).1);
        assert!(decode("F\"x {y!r}\"", 0).1);
    }

    #[test]
    fn malformed_does_not_panic() {
        for s in [
            "'",
            "'''",
            "'\\",
            "f'{",
            "'\\x4'",
            "'\\U0011ffff'",
            "u",
            "",
            "'\\777'",
        ] {
            let (v, _, m) = decode(s, 0);
            assert_eq!(m.len(), v.len() + 1, "{s:?}");
            assert_eq!(m, slow_map(s), "{s:?}");
        }
    }
}
