//! [`Key`]: the 128-bit hash the memo and the model snapshot are keyed
//! by (below both, so that neither imports the other for it).

use std::hash::{DefaultHasher, Hasher};

/// Two salted SipHash states: a 128-bit key.
#[derive(Clone)]
pub(crate) struct Key([DefaultHasher; 2]);

impl Key {
    pub(crate) fn new() -> Self {
        let salted = |salt: u64| {
            let mut h = DefaultHasher::new();
            h.write_u64(salt);
            h
        };
        Key([salted(0x6d65_6d6f_0000_0001), salted(0x6d65_6d6f_0000_0002)])
    }

    /// Length-prefixed, so that two fields never run into each other.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        for h in &mut self.0 {
            h.write_u64(b.len() as u64);
            h.write(b);
        }
    }

    pub(crate) fn finish(&self) -> [u64; 2] {
        [self.0[0].finish(), self.0[1].finish()]
    }
}
