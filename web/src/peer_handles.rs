//! Small numbers for the peers JS has connected, so a batch of disconnect commands can name
//! its peers without copying their ids out of wasm memory: JS already holds each id, as the
//! string it passed to `connected`, in a table indexed by the handle that call returned.
//!
//! A handle is held from a peer's first connection to its last disconnection, then reused.
//! A command for a peer without a handle (one that disconnected before the batch was drained)
//! carries its id as text instead, so a reused handle never names the wrong peer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::js_manager::Key;

/// Handles by the address of the engine's own `Rc` of the peer id, which every command
/// about the peer clones: finding one costs a multiply, not a hash of a 52-byte id. The map
/// holds a clone of each `Rc`, so no address is freed and reused while it is in the map.
#[derive(Default)]
pub struct PeerHandles {
    by_addr: HashMap<usize, (u32, Key), BuildHasherDefault<AddrHasher>>,
    free: Vec<u32>,
    next: u32,
}

fn addr(peer: &Key) -> usize {
    Rc::as_ptr(peer) as *const u8 as usize
}

impl PeerHandles {
    /// The handle of `stored` (the engine's own key for the peer), given out now if it has
    /// none.
    pub fn assign(&mut self, stored: &Key) -> u32 {
        if let Some(&(h, _)) = self.by_addr.get(&addr(stored)) {
            return h;
        }
        let h = self.free.pop().unwrap_or_else(|| {
            self.next += 1;
            self.next - 1
        });
        self.by_addr.insert(addr(stored), (h, stored.clone()));
        h
    }

    /// The handle of the peer `key` points to, if that is a key the engine stored (a command
    /// built from the caller's own string has none).
    pub fn get(&self, key: &Key) -> Option<u32> {
        self.by_addr.get(&addr(key)).map(|&(h, _)| h)
    }

    pub fn release(&mut self, stored: &Key) {
        if let Some((h, _)) = self.by_addr.remove(&addr(stored)) {
            self.free.push(h);
        }
    }

    /// Releases every handle (a restore replaced the engine's peers and their keys).
    pub fn clear(&mut self) {
        self.by_addr.clear();
        self.free.clear();
        self.next = 0;
    }

    /// Handles in use.
    pub fn len(&self) -> usize {
        self.by_addr.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_addr.is_empty()
    }
}

/// Addresses are distinct and aligned: a multiply spreads them over the table.
#[derive(Default)]
pub struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Key {
        Key::from(s)
    }

    #[test]
    fn a_handle_is_stable_while_held_and_reused_after_release() {
        let (a, b, c) = (k("a"), k("b"), k("c"));
        let mut h = PeerHandles::default();
        assert_eq!((h.assign(&a), h.assign(&b), h.assign(&a.clone())), (0, 1, 0));
        // Another allocation of the same id is not the engine's key.
        assert_eq!(h.get(&k("a")), None);
        h.release(&a);
        assert_eq!((h.get(&a), h.len()), (None, 1));
        assert_eq!(h.assign(&c), 0);
        assert_eq!(h.assign(&a), 2);
        h.release(&k("b"));
        assert_eq!(h.get(&b), Some(1), "released only through the stored key");
        h.clear();
        assert!(h.is_empty());
        assert_eq!(h.assign(&b), 0);
    }
}
