//! The one mechanism under the formats' text escapes (github, junit):
//! walk the bytes, copy the runs between the bytes that change whole (a
//! character-by-character push was a tenth of a `junit` run's CPU on the
//! stress file).

/// Appends `text` to `out`, with the bytes `replace` picks replaced:
/// `replace(bytes, i)` gives the replacement of the bytes from `i` on and
/// how many of them it replaces, or `None` to keep byte `i`. A replacement
/// must start and end on character boundaries (the bytes that change are
/// ASCII, or a whole multi-byte character).
pub(crate) fn replace_runs(
    out: &mut String,
    text: &str,
    replace: impl Fn(&[u8], usize) -> Option<(&'static str, usize)>,
) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match replace(bytes, i) {
            Some((replacement, len)) => {
                out.push_str(&text[start..i]);
                out.push_str(replacement);
                i += len;
                start = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[start..]);
}

/// `count` texts of up to 15 of `pieces` each, the same for the same
/// `seed` (a linear congruential generator): inputs for comparing an
/// escape with a reference one.
#[cfg(test)]
pub(crate) fn random_texts(pieces: &[&str], seed: u64, count: usize) -> Vec<String> {
    let mut seed = seed;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed
    };
    (0..count)
        .map(|_| {
            let n = next() >> 60;
            (0..n)
                .map(|_| pieces[(next() >> 33) as usize % pieces.len()])
                .collect()
        })
        .collect()
}
