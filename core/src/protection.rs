//! Protection: a set of named reasons per peer. A peer is protected while any remains, so
//! independent subsystems can protect the same peer without coordinating.

use crate::peer_book::{push_boxed, remove_boxed};
use crate::tags::TagId;

/// Adds `tag`; returns false if it was already there (protection is idempotent).
pub(crate) fn add(set: &mut Box<[TagId]>, tag: TagId) -> bool {
    if set.contains(&tag) {
        return false;
    }
    push_boxed(set, tag);
    true
}

/// Removes `tag`; returns whether it was there.
pub(crate) fn remove(set: &mut Box<[TagId]>, tag: TagId) -> bool {
    match set.iter().position(|&t| t == tag) {
        Some(i) => {
            remove_boxed(set, i);
            true
        }
        None => false,
    }
}

pub(crate) fn contains(set: &[TagId], tag: Option<TagId>) -> bool {
    match tag {
        Some(t) => set.contains(&t),
        None => !set.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protection_is_multi_valued_and_idempotent() {
        let mut s: Box<[TagId]> = Box::default();
        assert!(add(&mut s, TagId(1)));
        assert!(!add(&mut s, TagId(1)));
        assert!(add(&mut s, TagId(2)));
        assert!(contains(&s, None));
        assert!(contains(&s, Some(TagId(2))));
        assert!(remove(&mut s, TagId(1)));
        assert!(!remove(&mut s, TagId(1)));
        assert!(contains(&s, None));
        assert!(remove(&mut s, TagId(2)));
        assert!(!contains(&s, None));
    }
}
