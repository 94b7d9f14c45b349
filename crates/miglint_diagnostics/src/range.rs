use std::fmt;
use std::ops::Range;

/// A half-open byte range `start..end` into a UTF-8 text.
#[derive(
    Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct TextRange {
    start: u32,
    end: u32,
}

impl TextRange {
    /// # Panics
    /// When `start > end` (a programming error, never caused by input).
    pub const fn new(start: u32, end: u32) -> Self {
        assert!(start <= end, "TextRange start after end");
        TextRange { start, end }
    }

    pub fn from_usize(range: Range<usize>) -> Self {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        TextRange::new(clamp(range.start), clamp(range.end).max(clamp(range.start)))
    }

    pub const fn empty(at: u32) -> Self {
        TextRange { start: at, end: at }
    }

    pub const fn start(self) -> u32 {
        self.start
    }

    pub const fn end(self) -> u32 {
        self.end
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub const fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn as_usize(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
