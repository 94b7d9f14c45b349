//! A value shared between the states of a fork until one of them changes
//! it (copy on write): the maps of a [`crate::state::Schema`].

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// `T` behind a shared pointer: a copy is a reference count, and the
/// first change through a copy that is still shared copies `T` (see
/// [`Arc::make_mut`]). Reads and writes go through `Deref`/`DerefMut`, so
/// a field of this type reads as the `T` it holds; serialized as `T`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Whether `a` and `b` are copies of one value that neither changed
    /// since (then they are equal).
    pub fn same(a: &Shared<T>, b: &Shared<T>) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

/// The changes of a shared map that may change nothing: they look first,
/// and copy a map still shared only when there is something to change
/// (inherent methods, so that they are the ones a field of this type calls).
impl<K, V, S> Shared<HashMap<K, V, S>>
where
    K: Eq + Hash + Clone,
    V: Clone,
    S: BuildHasher + Clone,
{
    /// [`HashMap::get_mut`].
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.0.contains_key(k) {
            return None;
        }
        Arc::make_mut(&mut self.0).get_mut(k)
    }

    /// [`HashMap::remove`].
    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.0.contains_key(k) {
            return None;
        }
        Arc::make_mut(&mut self.0).remove(k)
    }

    /// [`HashMap::retain`], the values read only.
    pub fn retain(&mut self, keep: impl Fn(&K, &V) -> bool) {
        if self.0.iter().all(|(k, v)| keep(k, v)) {
            return;
        }
        Arc::make_mut(&mut self.0).retain(|k, v| keep(k, v));
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> std::ops::DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&*self.0).into_iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::Shared;

    /// A copy sees the value as it was copied; a change through either
    /// side is not seen by the other, and the side that changes copies.
    #[test]
    fn a_change_is_seen_by_its_own_side_only() {
        let mut a: Shared<Vec<u32>> = Shared::default();
        a.push(1);
        let mut b = a.clone();
        assert!(Shared::same(&a, &b));
        let _ = b.first();
        assert!(Shared::same(&a, &b), "a read does not copy");
        b.push(2);
        assert_eq!(*a, [1]);
        assert_eq!(*b, [1, 2]);
        assert!(!Shared::same(&a, &b));
        a.push(3);
        assert_eq!(*a, [1, 3]);
        assert_eq!(*b, [1, 2]);
        assert_eq!((&b).into_iter().sum::<u32>(), 3);
    }

    /// A removal, retain or `get_mut` that finds nothing to change does not
    /// copy a shared map; one that does copies it, the other side intact.
    #[test]
    fn a_change_of_nothing_does_not_copy() {
        let mut a: Shared<HashMap<String, u32>> = Shared::default();
        a.insert("x".into(), 1);
        let mut b = a.clone();
        assert_eq!(b.remove("y"), None);
        assert!(b.get_mut("y").is_none());
        b.retain(|_, v| *v == 1);
        assert!(Shared::same(&a, &b));
        b.retain(|_, v| *v != 1);
        assert!(!Shared::same(&a, &b) && b.is_empty() && a.len() == 1);
        let mut c = a.clone();
        assert_eq!(c.remove("x"), Some(1));
        assert!(c.is_empty() && a["x"] == 1);
        let mut d = a.clone();
        *d.get_mut("x").expect("present") = 2;
        assert_eq!((a["x"], d["x"]), (1, 2));
    }
}
