//! The line wrapping of the `full` output without textwrap's Unicode line
//! segmenter, for the texts miglint writes (ASCII and a few symbols).
//!
//! miette wraps a finding's message and help with `textwrap::fill` (first
//! fit, hyphen splitting, words broken when too long), finding the break
//! opportunities with ICU's line segmenter (UAX #14): that segmenter and
//! its bookkeeping cost more than the rest of the rendering on a file with
//! thousands of findings. [`prewrap`] gives the same lines: its break
//! opportunities are UAX #14's for the characters it accepts (it returns
//! `None` on any other character, and on the few pairs where Unicode
//! versions differ), the rest is textwrap's own code (`split_words`,
//! `break_words`, `wrap_first_fit`). The tests compare it with textwrap on
//! random texts.

use textwrap::WordSplitter;
use textwrap::core::{Word, break_words};
use textwrap::wrap_algorithms::wrap_first_fit;

/// UAX #14 line-breaking classes of the accepted characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// Letters and symbols that behave as letters (AL; AI resolved to AL).
    Al,
    Nu,
    Sp,
    Qu,
    Op,
    Cp,
    Cl,
    Ex,
    Is,
    Sy,
    Pr,
    Po,
    Hy,
    Ba,
}

const fn class(c: char) -> Option<Class> {
    use Class::*;
    Some(match c {
        'a'..='z' | 'A'..='Z' => Al,
        '0'..='9' => Nu,
        ' ' => Sp,
        '"' | '\'' => Qu,
        '(' | '[' | '{' => Op,
        ')' | ']' => Cp,
        '}' => Cl,
        '!' | '?' => Ex,
        ',' | '.' | ':' | ';' => Is,
        '/' => Sy,
        '$' | '+' | '\\' => Pr,
        '%' => Po,
        '-' => Hy,
        '|' => Ba,
        '#' | '&' | '*' | '<' | '=' | '>' | '@' | '^' | '_' | '`' | '~' => Al,
        // ambiguous (AI), resolved to AL; one column wide
        '≥' | '≤' => Al,
        _ => return None,
    })
}

/// [`class`] of every ASCII character, by byte.
static ASCII_CLASSES: [Option<Class>; 128] = {
    let mut table = [None; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = class(i as u8 as char);
        i += 1;
    }
    table
};

/// What UAX #14 says of the position between two classes, LB14 aside.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pair {
    Keep,
    Break,
    /// Unicode versions disagree (LB25).
    Unknown,
}

/// Whether UAX #14 allows a line break between a character of class `a`
/// and the next one, of class `b`, but for LB14 (see [`breaks_between`]).
const fn pair(a: Class, b: Class) -> Pair {
    use Class::*;
    // LB7, LB13: × SP, × CL, × CP, × EX, × SY
    if matches!(b, Sp | Cl | Cp | Ex | Sy) {
        return Pair::Keep;
    }
    // (LB14 here: see `breaks_between`)
    // LB13 (as ICU reads it, before Unicode 15.1's LB15c): × IS
    if matches!(b, Is) {
        return Pair::Keep;
    }
    // LB18: SP ÷
    if matches!(a, Sp) {
        return Pair::Break;
    }
    // numbers (LB25): pairs read differently by Unicode 15.0 and 15.1
    if matches!(
        (a, b),
        (Sy, Nu) | (Cl | Cp | Sy | Is, Pr | Po) | (Pr | Po, Op)
    ) {
        return Pair::Unknown;
    }
    let kept = matches!(
        (a, b),
        // LB19: × QU, QU ×
        (Qu, _) | (_, Qu)
        // LB21: × BA, × HY
        | (_, Ba | Hy)
        // LB23, LB24, LB25, LB28
        | (Al, Nu | Pr | Po | Al) | (Nu, Al | Nu | Po | Pr)
        | (Pr | Po, Al | Nu) | (Hy | Is, Nu)
        // LB29: IS × AL; LB30: (AL | NU) × OP, CP × (AL | NU)
        | (Is, Al) | (Al | Nu, Op) | (Cp, Al | Nu)
    );
    if kept { Pair::Keep } else { Pair::Break }
}

/// [`pair`] of every two classes, by their indexes.
static PAIRS: [[Pair; 14]; 14] = {
    use Class::*;
    let classes = [Al, Nu, Sp, Qu, Op, Cp, Cl, Ex, Is, Sy, Pr, Po, Hy, Ba];
    let mut table = [[Pair::Keep; 14]; 14];
    let mut a = 0;
    while a < 14 {
        let mut b = 0;
        while b < 14 {
            table[classes[a] as usize][classes[b] as usize] = pair(classes[a], classes[b]);
            b += 1;
        }
        a += 1;
    }
    table
};

/// Whether UAX #14 allows a line break between a character of class `a`
/// and the next one, of class `b`, when the last class before `b` that is
/// not a space is `before` (`None`: only spaces); `None` where Unicode
/// versions disagree (LB25).
#[inline(always)]
fn breaks_between(a: Class, b: Class, before: Option<Class>) -> Option<bool> {
    match PAIRS[a as usize][b as usize] {
        Pair::Keep => Some(false),
        // LB14: OP SP* × (before every rule [`pair`] would break by)
        _ if before == Some(Class::Op) => Some(false),
        Pair::Break => Some(true),
        Pair::Unknown => None,
    }
}

/// textwrap's words of one line (`WordSeparator::UnicodeBreakProperties`,
/// which also keeps a line from breaking after `-`), or `None` when the
/// line has a character or pair outside what [`breaks_between`] knows.
fn words(line: &str) -> Option<Vec<Word<'_>>> {
    let mut words = Vec::with_capacity(line.len() / 5 + 2);
    let mut push = |text| {
        words.push(word(text));
        Some(())
    };
    if line.is_ascii() {
        let classes = line.bytes().map(|b| ASCII_CLASSES[usize::from(b)]);
        words_of(line, classes.enumerate(), &mut push)?;
    } else {
        words_of(
            line,
            line.char_indices().map(|(at, c)| (at, class(c))),
            &mut push,
        )?;
    }
    Some(words)
}

/// [`words`] from the class of each character, by byte offset, each
/// word's text (with the spaces after it) given to `push` (`None` from it
/// stops). One pass over the line: a word ends at a break opportunity
/// once the next opportunity is found (textwrap drops the last one: the
/// end of the line, unless the line ends with `-`, then the last break
/// before it).
#[inline(always)]
fn words_of<'a>(
    line: &'a str,
    classes: impl Iterator<Item = (usize, Option<Class>)>,
    push: &mut impl FnMut(&'a str) -> Option<()>,
) -> Option<()> {
    let bytes = line.as_bytes();
    let mut start = 0;
    // the last opportunity found, not yet known to be a word's end
    let mut pending: Option<usize> = None;
    let mut previous: Option<Class> = None;
    let mut before: Option<Class> = None;
    for (at, class) in classes {
        let class = class?;
        if let Some(a) = previous
            && breaks_between(a, class, before)?
            && bytes[at - 1] != b'-'
        {
            if let Some(end) = pending {
                push(&line[start..end])?;
                start = end;
            }
            pending = Some(at);
        }
        if class != Class::Sp {
            before = Some(class);
        }
        previous = Some(class);
    }
    // the end of the line (LB3), but not after a `-` (left to the word
    // splitter); it and any opportunity still pending are dropped
    if bytes.last().is_some_and(|&b| b != b'-')
        && let Some(end) = pending
    {
        push(&line[start..end])?;
        start = end;
    }
    if start < line.len() {
        push(&line[start..])?;
    }
    Some(())
}

/// `Word::from`, its width counted without a look at each character when
/// the word is ASCII (every accepted ASCII character is one column wide;
/// none starts an escape sequence).
#[inline]
fn word(text: &str) -> Word<'_> {
    let trimmed = text.trim_end_matches(' ');
    if trimmed.is_ascii() {
        Word {
            word: trimmed,
            whitespace: &text[trimmed.len()..],
            penalty: "",
            width: trimmed.len(),
        }
    } else {
        Word::from(text)
    }
}

/// `text` as `textwrap::fill` wraps it with miette's options (first fit,
/// hyphen splitting, long words broken; an indent on every line), but
/// without the indents: the first line `first` columns wide, the others
/// `rest`. `None` when a line is blank, starts or ends with a space, or
/// holds something [`words`] does not know (textwrap must do it then).
pub(super) fn prewrap(text: &str, first: usize, rest: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if line.is_empty() || line.starts_with(' ') || line.ends_with(' ') {
            return None;
        }
        if i > 0 {
            out.push('\n');
        }
        if line.is_ascii() && !line.contains('-') {
            let mark = out.len();
            if fill_ascii(&mut out, line, first, rest).is_some() {
                continue;
            }
            // a word wider than `rest`: textwrap's `break_words` below
            out.truncate(mark);
        }
        let words = words(line)?;
        // without a `-` the splitter keeps every word; without a word
        // wider than `rest`, so does `break_words`
        let split: Vec<Word<'_>> = if line.contains('-') {
            textwrap::word_splitters::split_words(words, &WordSplitter::HyphenSplitter).collect()
        } else {
            words
        };
        let mut broken = if split.iter().any(|w| w.width > rest) {
            break_words(split, rest)
        } else {
            split
        };
        // textwrap's place holder for the initial indent
        broken.insert(0, Word::from(""));
        let widths = [first as f64, rest as f64];
        let mut idx = 0;
        for (j, wrapped) in wrap_first_fit(&broken, &widths).into_iter().enumerate() {
            let last = wrapped.last()?;
            let len: usize = wrapped.iter().map(|w| w.len() + w.whitespace.len()).sum();
            if j > 0 {
                out.push('\n');
            }
            out.push_str(&line[idx..idx + len - last.whitespace.len()]);
            out.push_str(last.penalty);
            idx += len;
        }
    }
    Some(out)
}

/// One line of [`prewrap`] when it is ASCII without a `-` (so that the
/// hyphen splitter keeps every word, and every word is as wide as it is
/// long) and no word is wider than `rest` (so that `break_words` keeps
/// them too): textwrap's `wrap_first_fit` over the words as they are
/// found, without building them (`None`, with part of the line appended,
/// on a word wider than `rest` or what [`words`] does not know).
fn fill_ascii(out: &mut String, line: &str, first: usize, rest: usize) -> Option<()> {
    // textwrap's place holder for the initial indent opens the first line
    // (a first word wider than `first` leaves that line empty)
    let mut width = 0;
    let mut line_width = first;
    let mut start = 0;
    // where the current line's last word ends, before its spaces
    let mut end = 0;
    let mut push = |text: &str| {
        let word = text.trim_end_matches(' ').len();
        if word > rest {
            return None;
        }
        let at = text.as_ptr() as usize - line.as_ptr() as usize;
        if width + word > line_width {
            out.push_str(&line[start..end]);
            out.push('\n');
            start = at;
            width = 0;
            line_width = rest;
        }
        width += text.len();
        end = at + word;
        Some(())
    };
    let classes = line.bytes().map(|b| ASCII_CLASSES[usize::from(b)]);
    words_of(line, classes.enumerate(), &mut push)?;
    out.push_str(&line[start..end]);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use textwrap::WordSeparator;

    /// Random lines over every accepted character (spaces frequent).
    fn lines(count: usize, seed: u64) -> Vec<String> {
        let alphabet: Vec<char> = (0x21u8..0x7f)
            .map(char::from)
            .chain(['≥', '≤'])
            .filter(|&c| class(c).is_some())
            .collect();
        let mut seed = seed;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        (0..count)
            .map(|_| {
                let len = 1 + next(14);
                (0..len)
                    .map(|_| match next(5) {
                        0 => ' ',
                        1 => ['a', '1', '(', '"', '-'][next(5)],
                        _ => alphabet[next(alphabet.len())],
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn words_are_the_unicode_segmenters() {
        let mut compared = 0;
        for line in lines(200_000, 11) {
            let Some(ours) = words(&line) else { continue };
            compared += 1;
            let theirs: Vec<Word<'_>> = WordSeparator::UnicodeBreakProperties
                .find_words(&line)
                .collect();
            assert_eq!(ours, theirs, "{line:?}");
        }
        assert!(compared > 150_000, "{compared}");
    }

    /// `ours` (a [`prewrap`] of `text`) indented as textwrap indents, and
    /// textwrap's `fill` of `text`, for widths `first` and `rest`.
    fn both(ours: &str, text: &str, first: usize, rest: usize) -> (String, String) {
        let (initial, subsequent) = ("#".repeat(100 - first), "%".repeat(100 - rest));
        let options = textwrap::Options::new(100)
            .initial_indent(&initial)
            .subsequent_indent(&subsequent);
        let theirs = textwrap::fill(text, options);
        let mut indented = String::new();
        for (k, line) in ours.split('\n').enumerate() {
            if k > 0 {
                indented.push('\n');
            }
            indented.push_str(if k == 0 { &initial } else { &subsequent });
            indented.push_str(line);
        }
        (indented, theirs)
    }

    #[test]
    fn prewrap_is_textwraps_fill() {
        let mut compared = 0;
        let texts = lines(60_000, 5);
        for (i, pair) in texts.chunks(3).enumerate() {
            let text = pair.join(if i % 4 == 0 { "\n" } else { " " });
            let (first, rest) = [(6, 6), (4, 9), (12, 12), (20, 16), (94, 94)][i % 5];
            let Some(ours) = prewrap(&text, first, rest) else {
                continue;
            };
            compared += 1;
            let (ours, theirs) = both(&ours, &text, first, rest);
            assert_eq!(ours, theirs, "{text:?}");
        }
        assert!(compared > 5_000, "{compared}");
    }

    /// The ASCII path without a `-` ([`fill_ascii`]) on its own: every
    /// line it wraps is textwrap's, at widths where a first word can be
    /// wider than the first line (an empty first line) and where the
    /// first line is wider than the others.
    #[test]
    fn fill_ascii_is_textwraps_fill() {
        let mut compared = 0;
        let texts: Vec<String> = lines(120_000, 7)
            .into_iter()
            .filter(|l| !l.contains('-') && l.is_ascii())
            .collect();
        for (i, pair) in texts.chunks(4).enumerate() {
            let text = pair.join(" ");
            if text.starts_with(' ') || text.ends_with(' ') {
                continue;
            }
            let (first, rest) = [(3, 12), (12, 12), (20, 16), (8, 30), (40, 20)][i % 5];
            let mut ours = String::new();
            if fill_ascii(&mut ours, &text, first, rest).is_none() {
                continue;
            }
            compared += 1;
            let (ours, theirs) = both(&ours, &text, first, rest);
            assert_eq!(ours, theirs, "{text:?}");
        }
        assert!(compared > 3_000, "{compared}");
    }
}
