//! [`SourceKey`]: what a file's text is known by, to tell whether it
//! changed between two runs (the model snapshot, the editor server's kept
//! model).

use std::hash::{DefaultHasher, Hasher};

/// A text's length and a 128-bit hash, either of the text itself
/// ([`SourceKey::of_text`]) or of the bytes it was decoded from
/// ([`SourceKey::of_bytes`], from a reader that hashed them anyway: the
/// cache's content key). The text's hash is salted apart from any bytes'
/// hash, so a key of one kind equals a key of the other only by a 128-bit
/// collision; two equal keys of the bytes kind mean equal texts because one
/// build decodes the same bytes to the same text (a kept model is tied to
/// the build that made it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceKey {
    len: u64,
    hash: [u64; 2],
    bytes: bool,
}

impl SourceKey {
    /// The key of `text` itself: two salted SipHash values.
    pub fn of_text(text: &str) -> SourceKey {
        SourceKey {
            len: text.len() as u64,
            hash: salted_hash(
                text.as_bytes(),
                [0x7465_7874_6b65_7931, 0x7465_7874_6b65_7932],
            ),
            bytes: false,
        }
    }

    /// The key of the bytes a text was decoded from: their length and a
    /// 128-bit hash the caller made of them with its own salts.
    pub fn of_bytes(len: u64, hash: [u64; 2]) -> SourceKey {
        SourceKey {
            len,
            hash,
            bytes: true,
        }
    }
}

/// A 128-bit hash of `bytes`: two SipHash values, each salted with one of
/// `salts` (the cache's content key and [`SourceKey::of_text`] use their
/// own salts).
pub fn salted_hash(bytes: &[u8], salts: [u64; 2]) -> [u64; 2] {
    salts.map(|salt| {
        let mut h = DefaultHasher::new();
        h.write_u64(salt);
        h.write(bytes);
        h.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::SourceKey;

    #[test]
    fn a_text_key_never_equals_the_bytes_key_of_the_same_content() {
        let text = "op.add_column('t', sa.Column('c', sa.Integer()))\n";
        let t = SourceKey::of_text(text);
        assert_eq!(t, SourceKey::of_text(text));
        assert_ne!(t, SourceKey::of_text("op.drop_column('t', 'c')\n"));
        // even a bytes key made with the text's own hash is another kind
        let b = SourceKey::of_bytes(t.len, t.hash);
        assert_ne!(t, b);
    }
}
