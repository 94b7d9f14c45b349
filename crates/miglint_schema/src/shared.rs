//! What the states of a fork share until one of them changes it: a table
//! behind a pointer ([`Shared`]) and the schema's maps ([`Map`]), persistent
//! sorted maps whose copies share every node neither side changed. A fork
//! copies no map, a change copies one path of nodes, and a merge visits
//! only the nodes the two sides do not share ([`Map::diff`]), so that a
//! graph with a merge every few revisions replays in time linear in its
//! size (a copy of each map per fork, and a merge that read every entry of
//! the other side, made it quadratic).

use std::borrow::Borrow;
use std::sync::Arc;

use imbl::OrdMap;
use imbl::ordmap::DiffItem;

/// `T` behind a shared pointer: a copy is a reference count, and the
/// first change through a copy that is still shared copies `T` (see
/// [`Arc::make_mut`]). Two values are equal when they are copies of one
/// value that neither side changed since (pointer equality: what a merge
/// asks); serialized as `T`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    pub fn new(v: T) -> Shared<T> {
        Shared(Arc::new(v))
    }

    /// Whether `a` and `b` are copies of one value that neither changed
    /// since (then they are equal).
    pub fn same(a: &Shared<T>, b: &Shared<T>) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    /// `T` for a change in place, when no other copy shares it.
    pub fn get_mut(this: &mut Shared<T>) -> Option<&mut T> {
        Arc::get_mut(&mut this.0)
    }

    /// Whether no other copy shares it (a change would not copy).
    pub fn unshared(this: &Shared<T>) -> bool {
        Arc::strong_count(&this.0) == 1 && Arc::weak_count(&this.0) == 0
    }
}

impl<T: Clone> Shared<T> {
    /// `T` itself (copied only when another copy still shares it).
    pub fn into_inner(this: Shared<T>) -> T {
        Arc::unwrap_or_clone(this.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Shared::same(self, other)
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

/// A persistent map keyed by lowercased names, iterated in key order.
/// Reads and inserts go through `Deref`/`DerefMut` to [`OrdMap`]; the
/// changes that may change nothing (`get_mut`, `remove`) look
/// first and copy a shared path only when there is something to change
/// (inherent methods, so that they are the ones a field of this type
/// calls). Serialized as a map.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[serde(bound(
    serialize = "V: serde::Serialize + Clone",
    deserialize = "V: serde::Deserialize<'de> + Clone"
))]
pub struct Map<V>(OrdMap<String, V>);

impl<V: Clone> Default for Map<V> {
    fn default() -> Self {
        Map(OrdMap::new())
    }
}

impl<V: Clone> Clone for Map<V> {
    fn clone(&self) -> Self {
        Map(self.0.clone())
    }
}

impl<V: Clone> Map<V> {
    /// Whether `a` and `b` are copies of one map that neither changed
    /// since (then they are equal).
    pub fn same(a: &Map<V>, b: &Map<V>) -> bool {
        a.0.ptr_eq(&b.0)
    }

    /// [`OrdMap::get_mut`], without a copy when `k` is absent.
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if !self.0.contains_key(k) {
            return None;
        }
        self.0.get_mut(k)
    }

    /// [`OrdMap::remove`], without a copy when `k` is absent.
    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if !self.0.contains_key(k) {
            return None;
        }
        self.0.remove(k)
    }
}

impl<V: Clone + PartialEq> Map<V> {
    /// The entries `other` has and `self` lacks (`Add`), those `self` has
    /// and `other` lacks (`Remove`) and those both have with different
    /// values (`Update`), in key order. Nodes the two maps share are not
    /// visited: two copies of one map cost what their changes cost.
    pub fn diff<'a, 'b>(&'a self, other: &'b Map<V>) -> impl Iterator<Item = Diff<'a, 'b, V>> {
        self.0.diff(&other.0).map(|d| match d {
            DiffItem::Add(k, v) => Diff::Theirs(k, v),
            DiffItem::Remove(k, v) => Diff::Mine(k, v),
            DiffItem::Update { old, new } => Diff::Both(new.0, old.1, new.1),
        })
    }
}

/// One entry where two maps differ (see [`Map::diff`]).
pub enum Diff<'a, 'b, V> {
    /// Only the other map has the key.
    Theirs(&'b String, &'b V),
    /// Only this map has the key.
    Mine(&'a String, &'a V),
    /// Both have it, with different values (this one's, then the other's).
    Both(&'b String, &'a V, &'b V),
}

impl<V> std::ops::Deref for Map<V> {
    type Target = OrdMap<String, V>;

    fn deref(&self) -> &OrdMap<String, V> {
        &self.0
    }
}

impl<V> std::ops::DerefMut for Map<V> {
    fn deref_mut(&mut self) -> &mut OrdMap<String, V> {
        &mut self.0
    }
}

impl<'a, V> IntoIterator for &'a Map<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = imbl::ordmap::Iter<'a, String, V, imbl::shared_ptr::DefaultSharedPtr>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::{Diff, Map, Shared};

    /// A copy sees the value as it was copied; a change through either
    /// side is not seen by the other, and the side that changes copies.
    #[test]
    fn a_change_is_seen_by_its_own_side_only() {
        let mut a: Shared<Vec<u32>> = Shared::default();
        a.push(1);
        let mut b = a.clone();
        assert!(a == b);
        let _ = b.first();
        assert!(Shared::same(&a, &b), "a read does not copy");
        b.push(2);
        assert_eq!(*a, [1]);
        assert_eq!(*b, [1, 2]);
        assert!(a != b, "equal means the same copy");
        a.push(3);
        assert_eq!(*a, [1, 3]);
        assert_eq!(*b, [1, 2]);
    }

    /// A removal or `get_mut` that finds nothing to change does not copy
    /// a shared map; one that does copies it, the other side intact.
    #[test]
    fn a_change_of_nothing_does_not_copy() {
        let mut a: Map<u32> = Map::default();
        a.insert("x".into(), 1);
        let mut b = a.clone();
        assert_eq!(b.remove("y"), None);
        assert!(b.get_mut("y").is_none());
        assert!(Map::same(&a, &b));
        let mut c = a.clone();
        assert_eq!(c.remove("x"), Some(1));
        assert!(c.is_empty() && a["x"] == 1);
        let mut d = a.clone();
        *d.get_mut("x").expect("present") = 2;
        assert_eq!((a["x"], d["x"]), (1, 2));
    }

    /// The diff of two copies lists exactly what each side changed since
    /// the copy, in key order (the shared rest is not visited).
    #[test]
    fn the_diff_of_two_copies_is_their_changes() {
        let mut a: Map<u32> = Map::default();
        for i in 0..1000 {
            a.insert(format!("k{i:04}"), i);
        }
        let mut b = a.clone();
        assert_eq!(a.diff(&b).count(), 0);
        b.insert("k0500".into(), 7);
        b.insert("new".into(), 1);
        b.remove("k0001");
        a.insert("mine".into(), 2);
        let got: Vec<String> = a
            .diff(&b)
            .map(|d| match d {
                Diff::Theirs(k, v) => format!("theirs {k}={v}"),
                Diff::Mine(k, v) => format!("mine {k}={v}"),
                Diff::Both(k, m, t) => format!("both {k}={m}/{t}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                "mine k0001=1",
                "both k0500=500/7",
                "mine mine=2",
                "theirs new=1"
            ]
        );
    }
}
