//! One sort for the cold paths (snapshots, peer listings).
//!
//! Every `sort_by` with its own closure brings a whole copy of std's sort into the wasm
//! (2–5 KB each). The cold sorts order indices through a comparator behind `dyn`, so they
//! share a single copy. The trim's sort is hot and keeps its own.

use std::cmp::Ordering;

/// `0..len` ordered by `cmp`, ties in index order (so the order is stable).
pub(crate) fn stable_order(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    order
}

/// `items` in `order` (a permutation of their indices, as [`stable_order`] gives).
pub(crate) fn reordered<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut taken: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| taken[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_the_comparator_and_keeps_ties_in_index_order() {
        let keys = [3, 1, 3, 0, 1];
        let order = stable_order(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
        assert_eq!(order, [3, 1, 4, 0, 2]);
        assert_eq!(reordered(vec!['a', 'b', 'c', 'd', 'e'], &order), ['d', 'b', 'e', 'a', 'c']);
        assert!(stable_order(0, &|_, _| Ordering::Equal).is_empty());
    }
}
