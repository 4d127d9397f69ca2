//! Protection: a set of named reasons per peer. A peer is protected while any remains, so
//! independent subsystems can protect the same peer without coordinating. Reasons are
//! stored as value-0 entries in the peer's tag list (see `TagSlot`).

use crate::peer_book::{push_boxed, remove_boxed};
use crate::tags::{TagId, TagSlot, PROTECTION};

/// Adds `reason`; returns false if it was already there (protection is idempotent).
pub(crate) fn add(list: &mut Box<[TagSlot]>, reason: TagId) -> bool {
    if contains(list, Some(reason)) {
        return false;
    }
    push_boxed(list, TagSlot { name: reason, decay: PROTECTION, value: 0 });
    true
}

/// Removes `reason`; returns whether it was there.
pub(crate) fn remove(list: &mut Box<[TagSlot]>, reason: TagId) -> bool {
    match list.iter().position(|t| t.is_protection() && t.name == reason) {
        Some(i) => {
            remove_boxed(list, i);
            true
        }
        None => false,
    }
}

/// Whether `reason` is held, or any reason when `None`.
#[inline]
pub(crate) fn contains(list: &[TagSlot], reason: Option<TagId>) -> bool {
    list.iter().any(|t| t.is_protection() && reason.is_none_or(|r| r == t.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::STATIC;

    #[test]
    fn protection_is_multi_valued_idempotent_and_apart_from_tags() {
        let mut s: Box<[TagSlot]> = Box::default();
        push_boxed(&mut s, TagSlot { name: TagId(1), decay: STATIC, value: 5 });
        assert!(!contains(&s, None), "a tag of the same name is not a protection");
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
        assert_eq!(s.len(), 1, "the tag is untouched");
    }
}
