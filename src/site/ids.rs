//! Pages and navigation nodes refer to each other by index. The indexes are types of their own,
//! and the lists they index only take their own kind: a page's index cannot be used to look up
//! a node by mistake.

use rayon::prelude::*;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// Where a page is in [`super::Site::pages`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageId(u32);

/// Where a node is in [`super::Site::nodes`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

/// An index type of [`IdVec`].
pub trait Id: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id {
    ($name:ident, $letter:literal) => {
        impl Id for $name {
            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("fewer than 4 billion"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($letter, "{}"), self.0)
            }
        }
    };
}
id!(PageId, "page");
id!(NodeId, "node");

/// A list indexed by one kind of id: pages by [`PageId`], nodes by [`NodeId`].
#[derive(Clone, PartialEq, Eq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        Vec::new().into()
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(capacity).into()
    }

    /// The id the next [`IdVec::push`] returns.
    pub fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds `item` at the end and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// Every id, for rayon.
    pub fn par_ids(&self) -> impl IndexedParallelIterator<Item = I> + use<I, T>
    where
        I: Send,
    {
        (0..self.items.len()).into_par_iter().map(I::from_index)
    }

    /// Every item with its id, in order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (I::from_index(i), item))
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}

impl<I: Id + Send, T: Send> FromParallelIterator<T> for IdVec<I, T> {
    fn from_par_iter<P: IntoParallelIterator<Item = T>>(iter: P) -> Self {
        Vec::from_par_iter(iter).into()
    }
}

impl<'a, I: Id + Sync, T: Sync + 'a> IntoParallelIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type Iter = rayon::slice::Iter<'a, T>;
    fn into_par_iter(self) -> Self::Iter {
        self.items.par_iter()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I: Id, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_finds_what_push_put_there() {
        let mut pages: IdVec<PageId, &str> = IdVec::new();
        let a = pages.push("a");
        let b = pages.push("b");
        assert_eq!((pages[a], pages[b]), ("a", "b"));
        assert_eq!(pages.ids().collect::<Vec<_>>(), [a, b]);
        assert_eq!(
            pages
                .iter_enumerated()
                .map(|(id, _)| id)
                .collect::<Vec<_>>(),
            [a, b]
        );
        assert_eq!(format!("{b:?}"), "page1");
    }
}
