//! The engine's peer key for JS: the id text, and a slot for the handle JS knows the peer by
//! (see `peer_handles`).
//!
//! Why the handle lives in the key: a trim's disconnect commands and report entries each hold
//! a clone of the engine's own key for the peer, so the handle is read from memory the batch
//! touches anyway. Looked up in a side table by the key's address instead, 5 000 commands
//! cost ~0.15 ms more in Node: the table was out of cache after the trim.

use std::borrow::Borrow;
use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::rc::Rc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A peer id. Compares, hashes, prints and serializes as its text alone; cloning it is a
/// reference count, as for `Rc<str>`.
///
/// A thin pointer to one allocation that holds the handle and, for ids of up to `SHORT`
/// bytes (a base58 peer id is 52), the text itself: comparing two keys reads through one
/// pointer, as for `Rc<str>`, and the engine's maps and queues move half as many bytes per key.
/// (With the text always in a second allocation, the trim call took ~15 % longer in Node.)
#[derive(Clone)]
pub struct Key(Rc<Stored>);

struct Stored {
    handle: Cell<u32>,
    text: Text,
}

const SHORT: usize = 58;

enum Text {
    Short(u8, [u8; SHORT]),
    Long(Box<str>),
}

const NO_HANDLE: u32 = u32::MAX;

impl Key {
    /// The handle given to this very key (not to an equal key made elsewhere), if any.
    pub(crate) fn handle(&self) -> Option<u32> {
        Some(self.0.handle.get()).filter(|&h| h != NO_HANDLE)
    }

    /// Only `PeerHandles` sets this, which keeps a clone of every key it gave a handle to.
    pub(crate) fn set_handle(&self, handle: Option<u32>) {
        self.0.handle.set(handle.unwrap_or(NO_HANDLE));
    }
}

impl From<&str> for Key {
    fn from(id: &str) -> Self {
        let text = if id.len() <= SHORT {
            let mut bytes = [0; SHORT];
            bytes[..id.len()].copy_from_slice(id.as_bytes());
            // SHORT < 256, so the length fits.
            Text::Short(id.len() as u8, bytes)
        } else {
            Text::Long(id.into())
        };
        Key(Rc::new(Stored { handle: Cell::new(NO_HANDLE), text }))
    }
}

impl Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0.text {
            // SAFETY: `from` copied these `len` bytes from a `&str` and nothing writes them
            // afterwards, so they are valid UTF-8.
            Text::Short(len, bytes) => unsafe {
                std::str::from_utf8_unchecked(&bytes[..*len as usize])
            },
            Text::Long(text) => text,
        }
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        self
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Key::from(&*id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_compare_hash_and_print_as_their_text_whatever_their_handles() {
        let (a, b) = (Key::from("12D3KooWa"), Key::from("12D3KooWa"));
        a.set_handle(Some(7));
        assert_eq!((a.handle(), b.handle()), (Some(7), None));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&Key::from("12D3KooWb")), Ordering::Less);
        let hash = |k: &Key| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            k.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&b));
        assert_eq!(
            (format!("{a}"), format!("{a:?}")),
            ("12D3KooWa".into(), "\"12D3KooWa\"".into())
        );
        assert_eq!(a.clone().handle(), Some(7), "a clone is the same key");
        a.set_handle(None);
        assert_eq!(a.handle(), None);
    }

    #[test]
    fn ids_of_every_length_keep_their_text_and_order() {
        let ids: Vec<String> = [0, 1, SHORT - 1, SHORT, SHORT + 1, 300]
            .iter()
            .map(|&n| "é".repeat(n / 2) + &"x".repeat(n % 2))
            .collect();
        let keys: Vec<Key> = ids.iter().map(|id| Key::from(id.as_str())).collect();
        for (id, key) in ids.iter().zip(&keys) {
            assert_eq!(&**key, id.as_str());
            key.set_handle(Some(3));
            assert_eq!((key.handle(), &**key), (Some(3), id.as_str()));
        }
        for (a, b) in keys.iter().zip(&keys[1..]) {
            assert_eq!(a.cmp(b), (**a).cmp(&**b));
        }
    }

    #[test]
    fn serializes_as_its_text() {
        let k = Key::from("12D3KooWa");
        k.set_handle(Some(1));
        assert_eq!(serde_json::to_string(&k).unwrap(), "\"12D3KooWa\"");
        let back: Key = serde_json::from_str("\"12D3KooWa\"").unwrap();
        assert_eq!((back.handle(), &*back), (None, "12D3KooWa"));
    }
}
