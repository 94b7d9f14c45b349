//! [`BoxedStr`]: the string of the model's names, attributes and literals.

use std::fmt;
use std::ops::Deref;

/// An immutable string allocated at its exact length: 16 bytes inline
/// against a `String`'s 24, and no spare capacity (issue 15: a module is
/// kept until the project phase, and most of its strings are short
/// names). Reads as a `str` (`Deref`), compares with `str`, `&str` and
/// `String`, and serializes as a plain string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BoxedStr(Box<str>);

impl BoxedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for BoxedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for BoxedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for BoxedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for BoxedStr {
    fn from(s: &str) -> Self {
        BoxedStr(s.into())
    }
}

impl From<String> for BoxedStr {
    fn from(s: String) -> Self {
        BoxedStr(s.into_boxed_str())
    }
}

impl From<BoxedStr> for String {
    fn from(s: BoxedStr) -> Self {
        s.0.into_string()
    }
}

impl PartialEq<str> for BoxedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for BoxedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for BoxedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<BoxedStr> for str {
    fn eq(&self, other: &BoxedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<BoxedStr> for &str {
    fn eq(&self, other: &BoxedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<BoxedStr> for String {
    fn eq(&self, other: &BoxedStr) -> bool {
        **self == *other.0
    }
}

impl fmt::Debug for BoxedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for BoxedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl serde::Serialize for BoxedStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for BoxedStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<str>::deserialize(d).map(BoxedStr)
    }
}

#[cfg(test)]
mod tests {
    use super::BoxedStr;

    #[test]
    fn reads_and_compares_as_a_str() {
        let s = BoxedStr::from("add_column");
        assert_eq!(s, "add_column");
        assert!(s == *"add_column");
        assert_eq!(String::from("add_column"), s);
        assert_eq!(s.len(), 10);
        assert_eq!(format!("{s}/{s:?}"), "add_column/\"add_column\"");
        assert_eq!(String::from(s.clone()), "add_column");
        assert_ne!(s, "add_index");
    }
}
