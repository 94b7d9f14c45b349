//! [`SharedStr`]: the string of the model's names, attributes and literals.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string, shared: 16 bytes inline (a `String` is 24) and no
/// spare capacity (issue 15: a module is kept until the project phase).
/// Short strings (names, attributes, keywords, most literal values: table
/// and column names) are interned per thread, so the thousands of `sa`,
/// `Column` and `nullable` of a project are one allocation each instead of
/// one per occurrence; a longer one (SQL text) is allocated on its own.
/// Reads as a `str` (`Deref`), compares by value with `str`, `&str` and
/// `String`, and serializes as a plain string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

/// The longest string interned (identifiers and names are shorter; SQL
/// text, rarely repeated, is not worth a table entry).
const INTERNED_MAX: usize = 32;
/// A thread's table is emptied when it holds this many strings (a
/// long-running editor server sees an unbounded stream of names; the
/// strings in use stay alive through their own references).
const TABLE_MAX: usize = 1 << 15;

thread_local! {
    /// Per thread: no lock between the workers of the per-file phase (a
    /// string interned on two threads is two allocations, still equal).
    static TABLE: RefCell<foldhash::HashSet<Arc<str>>> = RefCell::default();
}

fn intern(s: &str) -> Arc<str> {
    if s.len() > INTERNED_MAX {
        return Arc::from(s);
    }
    TABLE.with_borrow_mut(|table| {
        if let Some(known) = table.get(s) {
            return known.clone();
        }
        if table.len() >= TABLE_MAX {
            table.clear();
        }
        let new: Arc<str> = Arc::from(s);
        table.insert(new.clone());
        new
    })
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr::from("")
    }
}

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(intern(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(intern(&s))
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl serde::Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Visitor)
    }
}

/// Interns a decoded string without copying it first (the cache decodes
/// every kept module of a warm run).
struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = SharedStr;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<SharedStr, E> {
        Ok(SharedStr::from(s))
    }
}

#[cfg(test)]
mod tests {
    use super::SharedStr;

    #[test]
    fn reads_and_compares_as_a_str() {
        let s = SharedStr::from("add_column");
        assert_eq!(s, "add_column");
        assert!(s == *"add_column");
        assert_eq!(String::from("add_column"), s);
        assert_eq!(s.len(), 10);
        assert_eq!(format!("{s}/{s:?}"), "add_column/\"add_column\"");
        assert_eq!(String::from(s.clone()), "add_column");
        assert_ne!(s, "add_index");
    }

    #[test]
    fn a_short_string_is_one_allocation_per_thread() {
        let (a, b) = (
            SharedStr::from("nullable"),
            SharedStr::from(String::from("nullable")),
        );
        assert!(std::sync::Arc::ptr_eq(&a.0, &b.0));
        let long = "SELECT id FROM users WHERE active AND name IS NOT NULL";
        let (c, d) = (SharedStr::from(long), SharedStr::from(long));
        assert!(!std::sync::Arc::ptr_eq(&c.0, &d.0));
        assert_eq!(c, d);
        // decoded from the cache: interned too
        let bytes = postcard::to_allocvec(&a).unwrap();
        let e: SharedStr = postcard::from_bytes(&bytes).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.0, &e.0));
    }

    #[test]
    fn a_full_table_starts_again_and_keeps_the_strings_in_use() {
        let first = SharedStr::from("t0");
        for i in 0..super::TABLE_MAX + 1 {
            let _ = SharedStr::from(format!("t{i}").as_str());
        }
        assert_eq!(first, "t0");
        super::TABLE.with_borrow(|t| assert!(t.len() <= super::TABLE_MAX));
    }
}
